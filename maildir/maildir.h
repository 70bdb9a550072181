/* maildir - the Maildir / Maildir++ store backend (see lib/store.h).
 *
 * Layout: the store's root is the INBOX (tmp/ new/ cur/). A folder is
 * the Maildir++ directory ".A.B" right below the root for "A/B" or
 * "A.B", each level's name in IMAP modified UTF-7 (lib/mutf7.h), with a
 * "maildirfolder" file. Directories are made 0700 and files 0600 (less
 * the umask), EEXIST-safe against racing creators, and fsync'd where
 * they are new so a message in them is never lost with them.
 *
 * File names: TIME.MusecPpidQcount.HOST[,S=size] (HOST from the
 * `hostname` key, else gethostname(), with '/' ':' ',' and control
 * characters written \ooo; ,S= when the caller gives a size, and then
 * the bytes actually written). A message's id is that base name.
 * Delivery: an O_EXCL file in tmp/, written (small chunks gathered into
 * one write), fsync'd and closed, hard-linked into new/ (rename where
 * links are not supported) and tmp/ unlinked, new/ fsync'd; a save with
 * flags goes to cur/BASE:2,FLAGS instead. Nothing stays in tmp/ or new/
 * after a failure. Errors: EDQUOT is ERR_NOQUOTA; every other storage
 * error (ENOSPC, EIO, EACCES, EPERM...) is ERR_TEMP so the MTA retries;
 * a missing folder is ERR_NOTFOUND, a refused name ERR_PERM.
 *
 * Reading: msg_list scans new/ and cur/ (ids sorted; size from ,S= else
 * the file's; flags from ":2,"; received is the mtime). msg_open,
 * msg_set_flags and expunge try new/ID, then the name the last scan
 * found, and rescan once when someone else moved the file. Flags are
 * set by renaming to cur/ID:2,LETTERS (ASCII order, D F P R S T;
 * letters that are not ours, such as P, are kept).
 */
#ifndef SLUICE_MAILDIR_H
#define SLUICE_MAILDIR_H

#include "lib/store.h"

extern const struct store_vfuncs maildir_store_vfuncs;

#endif
