/* mbox - the mbox store backend (see lib/store.h)
 *
 * Layout: store_location.root is the folder directory (~/mail), .inbox
 * the INBOX file (/var/mail/USER; NULL: ROOT/inbox). Folder "Lists/Debian"
 * (or "Lists.Debian") is the file ROOT/Lists/Debian; the directories on
 * the way hold folders and are not folders themselves. Files are made
 * 0600, directories 0700. open(create=1) makes a missing INBOX file, and
 * its directory when that lies under the root (never /var/mail itself).
 * A missing INBOX file is an empty INBOX.
 *
 * Format: mboxrd. Each message is "From SENDER DATE" (envelope sender,
 * MAILER-DAEMON for <>; asctime-style UTC date of the delivery), its
 * bytes with one more '>' on every line matching ^>*From , a line end if
 * it had none, then one empty line; added lines use the message's own
 * line ending (CRLF if its first line ends in CRLF). Readers get the
 * message back without the From_ line, with one level of quoting removed
 * and without the separator line: byte for byte what was saved, except
 * that a message not ending in a line end comes back with one. Flags live
 * in Status: (R seen, O old) and X-Status: (A answered, F flagged,
 * T draft, D deleted); flags given at save are added as those headers at
 * the end of the header.
 *
 * Locking: the methods of mbox_lock (fcntl, flock, dotlock; default
 * "fcntl, dotlock") in that order, all waited for together for at most
 * mbox_lock_timeout, then ERR_TEMP "lock timeout". Dotlocks (FILE.lock)
 * are made NFS-safe (link of a unique file, link count checked) and
 * removed when older than mbox_dotlock_stale. An append locks, remembers
 * the size, writes, fsyncs; on any failure the file is cut back to that
 * size, so no part of a message stays behind. Listing and reading take
 * the locks shared (a dotlock that may not be created is skipped).
 *
 * Message ids: the byte offset of the message's From_ line in the file,
 * as a decimal string ("0" is the first message). An id stays valid
 * while the file is only appended to; msg_set_flags and expunge rewrite
 * the file (a temporary file renamed over it) and then every id after
 * the first changed byte may name another message or none. After a
 * rewrite (by anyone: a changed inode or a smaller size shows it)
 * callers must list again. An id that does not point at a From_ line is
 * ERR_NOTFOUND.
 *
 * The process should ignore SIGXFSZ, so a file size limit fails the
 * append (and truncates it back) instead of killing the process.
 */
#ifndef SLUICE_MBOX_H
#define SLUICE_MBOX_H

#include "lib/store.h"

extern const struct store_vfuncs mbox_store_vfuncs;

#endif
