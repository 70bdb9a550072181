/* mbox-limits - every limit of the mbox store in one place.
 *
 * The file format is RFC 4155 (application/mbox) in its "mboxrd" variant:
 * a message starts at a line "From SENDER DATE", any line matching
 * ^>*From  inside a message gets one more '>'.
 */
#ifndef SLUICE_MBOX_LIMITS_H
#define SLUICE_MBOX_LIMITS_H

/* bytes read or written per system call */
#define MBOX_IO_CHUNK (64 * 1024)
/* bytes of a message held before its first line ending is seen; past
 * this the message is taken as LF-terminated (the From_ line waits for
 * the decision, it uses the message's own line ending) */
#define MBOX_FIRST_LINE_MAX (64 * 1024)
/* longest sender put on a From_ line; RFC 5321 4.5.3.1.3 caps a path
 * at 256 octets, this is generous for broken senders */
#define MBOX_SENDER_MAX 1024
/* bytes of a From_ line examined for its date (RFC 4155 2: the line is
 * "From " addr-spec SP timestamp, asctime's 24 characters) */
#define MBOX_FROM_LINE_PEEK 1024
/* bytes of a header line examined to recognise Status: / X-Status: and
 * read their letters */
#define MBOX_STATUS_PEEK 128
/* deepest directory nesting walked by folder_list */
#define MBOX_FOLDER_DEPTH_MAX 32
/* lock polling: first and longest pause between attempts */
#define MBOX_LOCK_POLL_MIN_MS 10
#define MBOX_LOCK_POLL_MAX_MS 200
/* a held dotlock's mtime is refreshed this often during long writes, so
 * other programs do not take it for stale */
#define MBOX_DOTLOCK_TOUCH_SECS 30
/* attempts at a unique temporary name before giving up */
#define MBOX_TEMP_TRIES 100

#endif
