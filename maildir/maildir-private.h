/* maildir-private - what the maildir/ files share; not for other modules.
 *
 * Layout: the INBOX is the root (tmp/ new/ cur/); a folder is the
 * Maildir++ directory ".A.B" under the root, each level's name in IMAP
 * modified UTF-7, with a "maildirfolder" file. A message file is
 * BASE (new/) or BASE:2,FLAGS (cur/); its id is BASE.
 */
#ifndef SLUICE_MAILDIR_PRIVATE_H
#define SLUICE_MAILDIR_PRIVATE_H

#include <stdint.h>
#include <sys/types.h>

#include "lib/buf.h"
#include "lib/err.h"
#include "lib/pool.h"
#include "lib/store.h"

/* Limits */
/* a directory entry (POSIX NAME_MAX on Linux, ext4, xfs, tmpfs) */
#define MAILDIR_NAME_MAX 255
/* the host part of unique names (RFC 1035 allows 253 for a name; we
 * leave room for the time, pid, counter, size and flags) */
#define MAILDIR_HOST_MAX 160
/* new unique names tried when one exists already (it should never) */
#define MAILDIR_UNIQ_TRIES 20
/* small save_write chunks gather here and go out with the next big one
 * in one writev(), so trace headers + a body cost one system call */
#define MAILDIR_SAVE_STAGE 8192
/* directory and file modes, before the umask */
#define MAILDIR_DIR_MODE 0700
#define MAILDIR_FILE_MODE 0600

/* one message found by a scan of new/ and cur/ */
struct maildir_entry {
	const char *id;		/* base name, without ":2,..." */
	const char *file;	/* "new/NAME" or "cur/NAME", from the root
				   of its folder */
	uint64_t size;
	unsigned flags;
	time_t mtime;
};

struct maildir_store {
	struct store st;
	char *root;		/* no trailing '/' */
	char *host;		/* encoded host for unique names (lazy) */
	char *cfg_host;		/* hostname from the config, "" if unset */
	int no_link;		/* link() is not supported here: rename */
	/* the last scanned folder, sorted by id: msg_open, msg_set_flags
	 * and expunge find cur/ names here, rescanning on a miss */
	struct pool *scan_pool;
	char *scan_dir;
	struct maildir_entry *scan;
	size_t scan_count;
};

/* maildir-keywords.c */
/* maildir_keywords_letters - the letters (sorted, a..z) that stand for
 * the keywords kw in the folder dir, adding the missing ones to its
 * dovecot-keywords file (more than 26 are dropped with a warning) */
int maildir_keywords_letters(const char *dir, const char *const *kw,
			     size_t n, struct buf *letters, struct sl_err *err);

/* maildir.c */
/* maildir_err - fill err for errno on a store operation: EDQUOT is
 * ERR_NOQUOTA, anything else ERR_TEMP (with a hint for the admin on
 * ENOSPC, EACCES, EPERM, EROFS); returns -1 */
int maildir_err(struct sl_err *err, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* maildir_fsync_dir - make a directory's entries durable */
int maildir_fsync_dir(const char *dir, struct sl_err *err);

/* maildir-folder.c */
/* maildir_folder_dir - the directory of folder (checked, encoded) into
 * dir; ERR_PERM for a name that is refused */
int maildir_folder_dir(struct maildir_store *st, const char *folder,
		       struct buf *dir, struct sl_err *err);
/* maildir_mkdirs - dir and its tmp/ new/ cur/, each EEXIST-safe;
 * parents: also create missing parents of dir */
int maildir_mkdirs(const char *dir, int parents, struct sl_err *err);
/* maildir_folder_repair - recreate tmp/ new/ cur/ of an existing
 * folder dir (someone removed them); ERR_NOTFOUND if dir itself is gone
 * and is not the root */
int maildir_folder_repair(struct maildir_store *st, const char *dir,
			  struct sl_err *err);
int maildir_folder_exists(struct store *st, const char *folder,
			  struct sl_err *err);
int maildir_folder_create(struct store *st, const char *folder,
			  struct sl_err *err);
int maildir_folder_list(struct store *st, struct pool *pool,
			const char ***names_r, size_t *count_r,
			struct sl_err *err);

/* maildir-uniq.c */
/* maildir_uniq_host - the host part: cfg_host or gethostname(), with
 * '/' ':' ',' and control characters as \ooo; ERR_USAGE if too long */
int maildir_uniq_host(const char *cfg_host, struct buf *out,
		      struct sl_err *err);
/* maildir_uniq_next - append a new unique base name
 * TIME.MusecPpidQcount.HOST[,S=size]; *now_r gets TIME */
void maildir_uniq_next(struct buf *out, const char *host, uint64_t size,
		       time_t *now_r);
/* maildir_uniq_size - the ,S= size in a file name; 0 if it has none */
int maildir_uniq_size(const char *name, uint64_t *size_r);
/* maildir_uniq_flags - the flags in a name's ":2," part */
unsigned maildir_uniq_flags(const char *name);
/* maildir_uniq_info - append ":2," and the info letters for flags,
 * keeping letters of old_name's info that are not ours (P, keywords),
 * all in ASCII order */
void maildir_uniq_info(struct buf *out, unsigned flags, const char *old_name);
/* maildir_uniq_id_check - an id names a file in new/ or cur/ only */
int maildir_uniq_id_check(const char *id, struct sl_err *err);

/* maildir-save.c */
int maildir_save_begin(struct store *st, const char *folder,
		       const struct store_save_info *info,
		       struct store_save **save_r, struct sl_err *err);
int maildir_save_write(struct store_save *save, const void *data,
		       size_t len, struct sl_err *err);
int maildir_save_commit(struct store_save **save, struct buf *id_r,
			struct sl_err *err);
void maildir_save_abort(struct store_save **save);
int maildir_save_link(struct store *st, const char *folder,
		      const struct store_save_info *info, const char *src,
		      struct buf *id_r, struct sl_err *err);

/* maildir-msg.c */
int maildir_msg_list(struct store *st, const char *folder, struct pool *pool,
		     struct store_msg_info **msgs_r, size_t *count_r,
		     struct sl_err *err);
int maildir_msg_open(struct store *st, const char *folder, const char *id,
		     struct store_reader **reader_r, struct sl_err *err);
ssize_t maildir_msg_read(struct store_reader *r, void *data, size_t len,
			 struct sl_err *err);
void maildir_msg_close(struct store_reader **r);
int maildir_msg_set_flags(struct store *st, const char *folder,
			  const char *id, unsigned flags, struct sl_err *err);
int maildir_msg_expunge(struct store *st, const char *folder,
			const char *const *ids, size_t count,
			struct sl_err *err);
/* maildir_msg_forget - drop the scan cache */
void maildir_msg_forget(struct maildir_store *st);

#endif
