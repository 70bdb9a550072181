/* store - the mailbox store interface that maildir/ and mbox/ implement.
 *
 * A store is one user's mail: an INBOX and folders below it. Backends
 * fill a struct store_vfuncs; core/ (delivery) and the access daemons call
 * through the inline wrappers below and never know which backend they
 * hold. Backends embed struct store as their first member.
 *
 * Folder names are UTF-8, hierarchy separated by '/' or '.' (both are
 * accepted: Maildir++ cannot store a '.' inside a name, and scripts written
 * for Dovecot use either). "INBOX" in any case is the inbox. Names are
 * checked with store_folder_name_check() before any backend sees them.
 *
 * Saving is a transaction: save_begin, save_write (any number of chunks),
 * then save_commit, which returns only when the message and its directory
 * entry are on disk (fsync'd), or save_abort, which leaves nothing behind.
 * Errors carry their class (ERR_TEMP for anything that may succeed later).
 */
#ifndef SLUICE_STORE_H
#define SLUICE_STORE_H

#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "buf.h"
#include "err.h"
#include "pool.h"

struct config;

/* Message flags (IMAP system flags) */
enum store_flag {
	STORE_FLAG_SEEN = 0x01,
	STORE_FLAG_ANSWERED = 0x02,
	STORE_FLAG_FLAGGED = 0x04,
	STORE_FLAG_DELETED = 0x08,
	STORE_FLAG_DRAFT = 0x10,
};

/* Where a store lives, from mail_location after expansion. */
struct store_location {
	const char *driver;	/* "maildir" or "mbox" */
	const char *root;	/* Maildir root, or the mbox folder directory */
	const char *inbox;	/* mbox INBOX file; NULL: backend default */
};

struct store_sync;

struct store_save_info {
	const char *sender;	/* envelope sender, "" for <> (mbox From_) */
	time_t received;	/* delivery time (mbox From_ line, mtime) */
	unsigned flags;		/* enum store_flag set at save */
	const char *const *keywords;	/* IMAP keywords set at save (checked
					   with store_keyword_check) */
	size_t n_keywords;
	uint64_t size;		/* exact bytes that will be written, or 0 */
	struct store_sync *sync;	/* non-NULL: the directory fsync a
					   commit needs is added here instead
					   (store_sync_flush makes it durable) */
	struct buf *path_r;	/* non-NULL: the saved file's path, for
				   save_link (backends with one file per
				   message only; others leave it empty) */
};

struct store_msg_info {
	const char *id;		/* stable within the folder until expunged
				   (maildir: base name; mbox: see mbox.h) */
	uint64_t size;		/* bytes a reader returns */
	unsigned flags;
	time_t received;
};

struct store;
struct store_save;
struct store_reader;

struct store_vfuncs {
	const char *name;
	/* open - a store at loc; create: make the INBOX if missing */
	int (*open)(const struct config *cfg, const struct store_location *loc,
		    int create, struct store **st_r, struct sl_err *err);
	void (*close)(struct store **st);

	/* folders: 1 exists, 0 not, -1 error */
	int (*folder_exists)(struct store *st, const char *folder,
			     struct sl_err *err);
	int (*folder_create)(struct store *st, const char *folder,
			     struct sl_err *err);
	/* folder_list - every folder including INBOX, names as above with
	 * '/' separators, allocated from pool */
	int (*folder_list)(struct store *st, struct pool *pool,
			   const char ***names_r, size_t *count_r,
			   struct sl_err *err);

	/* saving */
	int (*save_begin)(struct store *st, const char *folder,
			  const struct store_save_info *info,
			  struct store_save **save_r, struct sl_err *err);
	int (*save_write)(struct store_save *save, const void *data,
			  size_t len, struct sl_err *err);
	/* save_commit - durable on success; id_r gets the saved message's
	 * id; *save is freed either way */
	int (*save_commit)(struct store_save **save, struct buf *id_r,
			   struct sl_err *err);
	void (*save_abort)(struct store_save **save);
	/* save_link - store a message whose bytes are exactly those of the
	 * file src (saved before by save_commit, info->path_r) as a hard
	 * link of it: 1 done (durable, or its directory in info->sync), 0
	 * not possible here (other filesystem, other owner, src gone: write
	 * a copy instead), -1 error. NULL: the backend cannot link. */
	int (*save_link)(struct store *st, const char *folder,
			 const struct store_save_info *info, const char *src,
			 struct buf *id_r, struct sl_err *err);

	/* reading, for the access daemons and the admin tools */
	int (*msg_list)(struct store *st, const char *folder, struct pool *pool,
			struct store_msg_info **msgs_r, size_t *count_r,
			struct sl_err *err);
	int (*msg_open)(struct store *st, const char *folder, const char *id,
			struct store_reader **reader_r, struct sl_err *err);
	/* reader_read - up to len bytes; 0 at the end, -1 on error */
	ssize_t (*reader_read)(struct store_reader *r, void *data, size_t len,
			       struct sl_err *err);
	void (*reader_close)(struct store_reader **r);
	int (*msg_set_flags)(struct store *st, const char *folder,
			     const char *id, unsigned flags, struct sl_err *err);
	/* expunge - remove the listed messages */
	int (*expunge)(struct store *st, const char *folder,
		       const char *const *ids, size_t count, struct sl_err *err);
};

struct store {
	const struct store_vfuncs *v;
};

struct store_reader {
	const struct store_vfuncs *v;
};

/* store_folder_name_check - refuse names that could escape the mail root
 * or that no backend can hold: empty, over 255 bytes, empty components
 * (leading, trailing or doubled separators), "." or ".." components,
 * control characters, a backslash, invalid UTF-8. */
int store_folder_name_check(const char *folder, struct sl_err *err);
/* store_keyword_check - an IMAP keyword a store can hold: an atom (RFC
 * 3501: visible ASCII without ( ) { % * " \ ]), not a system flag, at
 * most STORE_KEYWORD_MAX bytes */
#define STORE_KEYWORD_MAX 128
int store_keyword_check(const char *keyword, struct sl_err *err);
/* store_folder_is_inbox - "INBOX" in any case */
int store_folder_is_inbox(const char *folder);
/* store_flags_to_string / from - "SRFTD"-style letters for logs/tests */
const char *store_flags_to_string(unsigned flags, char buf[8]);

/* A set of directories waiting for fsync: saves of one message to many
 * recipients link every copy first and then sync each directory once, so
 * they share the filesystem's journal commits. */
struct store_sync *store_sync_new(void);
/* store_sync_add - remember dir (copied) unless it is there already */
void store_sync_add(struct store_sync *s, const char *dir);
/* store_sync_flush - fsync every directory, then forget them; -1 if any
 * failed (err names the first) */
int store_sync_flush(struct store_sync *s, struct sl_err *err);
void store_sync_free(struct store_sync **s);

static inline int store_save_begin(struct store *st, const char *folder,
				   const struct store_save_info *info,
				   struct store_save **save_r,
				   struct sl_err *err)
{
	return st->v->save_begin(st, folder, info, save_r, err);
}

static inline void store_close(struct store **st)
{
	if (*st != NULL)
		(*st)->v->close(st);
}

#endif
