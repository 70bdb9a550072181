/* mbox-private - what the mbox store's files share; not for other modules */
#ifndef SLUICE_MBOX_PRIVATE_H
#define SLUICE_MBOX_PRIVATE_H

#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "lib/buf.h"
#include "lib/err.h"
#include "lib/pool.h"
#include "lib/store.h"
#include "mbox/mbox-limits.h"

enum mbox_lock_method {
	MBOX_LOCK_FCNTL,
	MBOX_LOCK_FLOCK,
	MBOX_LOCK_DOTLOCK,
	MBOX_LOCK_METHOD_COUNT
};

/* mbox_lock, mbox_lock_timeout, mbox_dotlock_stale from the config */
struct mbox_lock_settings {
	enum mbox_lock_method methods[MBOX_LOCK_METHOD_COUNT];
	size_t count;
	uint64_t timeout; /* seconds */
	uint64_t stale;	  /* seconds; 0: never stale */
};

struct mbox_store {
	struct store store; /* first: the interface's view */
	char *root;	    /* folder directory, no trailing '/' */
	char *inbox;	    /* the INBOX file */
	struct mbox_lock_settings locks;
};

/* ---- mbox.c ---- */
/* mbox_path - the file of folder (INBOX or a checked name); *is_inbox_r
 * set when it is the INBOX */
int mbox_path(const struct mbox_store *st, const char *folder, struct buf *path,
	      int *is_inbox_r, struct sl_err *err);
/* mbox_mkdirs - create dir and its missing parents, mode 0700 */
int mbox_mkdirs(const char *dir, struct sl_err *err);
/* mbox_fsync_dir - make the directory entry of file durable */
int mbox_fsync_dir(const char *file, struct sl_err *err);
/* mbox_temp_name - a unique ".BASE.TAG.HOST.PID.N" name beside file */
void mbox_temp_name(struct buf *out, const char *file, const char *tag,
		    unsigned n);
/* mbox_parse_id - a message id (decimal offset) to an offset; -1 if it
 * is not one */
int mbox_parse_id(const char *id, uint64_t *off_r);

/* the store_vfuncs, one file each group (see lib/store.h) */
int mbox_folder_exists(struct store *st, const char *folder,
		       struct sl_err *err);
int mbox_folder_create(struct store *st, const char *folder,
		       struct sl_err *err);
int mbox_folder_list(struct store *st, struct pool *pool, const char ***names_r,
		     size_t *count_r, struct sl_err *err);
int mbox_save_begin(struct store *st, const char *folder,
		    const struct store_save_info *info,
		    struct store_save **save_r, struct sl_err *err);
int mbox_save_write(struct store_save *save, const void *data, size_t len,
		    struct sl_err *err);
int mbox_save_commit(struct store_save **save, struct buf *id_r,
		     struct sl_err *err);
void mbox_save_abort(struct store_save **save);
int mbox_read_list(struct store *st, const char *folder, struct pool *pool,
		   struct store_msg_info **msgs_r, size_t *count_r,
		   struct sl_err *err);
int mbox_read_open(struct store *st, const char *folder, const char *id,
		   struct store_reader **reader_r, struct sl_err *err);
ssize_t mbox_read_read(struct store_reader *r, void *data, size_t len,
		       struct sl_err *err);
void mbox_read_close(struct store_reader **r);
int mbox_rewrite_flags(struct store *st, const char *folder, const char *id,
		       unsigned flags, struct sl_err *err);
int mbox_rewrite_expunge(struct store *st, const char *folder,
			 const char *const *ids, size_t count,
			 struct sl_err *err);

/* ---- mbox-lock.c ---- */
#define MBOX_OPEN_WRITE	 0x01 /* read-write, exclusive locks */
#define MBOX_OPEN_CREATE 0x02 /* create the file if missing */

struct mbox_lock {
	int fd;		/* the mbox, open and locked */
	int created;	/* this open created the file */
	unsigned held;	/* 1 << enum mbox_lock_method */
	char *dotlock;	/* our dotlock's path while held */
	time_t touched; /* last mtime refresh of the dotlock */
};

int mbox_lock_settings_parse(struct mbox_lock_settings *s,
			     const struct config *cfg, struct sl_err *err);
/* mbox_lock_open - open path and take every configured lock, in order,
 * waiting up to the timeout (then ERR_TEMP "lock timeout"). A file
 * replaced (renamed over) while we waited is reopened. Read-only opens
 * take shared fcntl/flock locks and skip a dotlock they may not create. */
int mbox_lock_open(const struct mbox_lock_settings *s, const char *path,
		   unsigned flags, struct mbox_lock **lock_r,
		   struct sl_err *err);
/* mbox_lock_touch - keep a held dotlock fresh during long writes */
void mbox_lock_touch(struct mbox_lock *l);
/* mbox_lock_close - release every lock, close the file, free; NULL ok */
void mbox_lock_close(struct mbox_lock **lp);

/* ---- mbox-io.c ---- */
/* buffered reading with look-ahead, never past limit */
struct mbox_io_in {
	int fd;
	uint64_t off;	 /* file offset of buf[0] */
	uint64_t limit;	 /* end of what is read */
	size_t pos, len; /* unread bytes are buf[pos..len) */
	int eof;
	char buf[MBOX_IO_CHUNK];
};

/* buffered writing at a file offset */
struct mbox_io_out {
	int fd;
	uint64_t off; /* file offset of b.data[0] */
	struct buf b;
	struct mbox_lock *lock; /* touched while writing; may be NULL */
};

struct mbox_io_in *mbox_io_in_new(int fd, uint64_t off, uint64_t limit);
void mbox_io_in_free(struct mbox_io_in **inp);
/* mbox_io_seek - continue reading at off */
void mbox_io_seek(struct mbox_io_in *in, uint64_t off);
static inline uint64_t mbox_io_tell(const struct mbox_io_in *in)
{
	return in->off + in->pos;
}
/* mbox_io_peek - up to want bytes (at most MBOX_IO_CHUNK) without
 * consuming them; fewer only at the limit. NULL on a read error. */
const char *mbox_io_peek(struct mbox_io_in *in, size_t want, size_t *avail_r,
			 struct sl_err *err);
/* mbox_io_skip_line - past the next '\n': 1, at the limit first: 0 */
int mbox_io_skip_line(struct mbox_io_in *in, struct sl_err *err);
/* mbox_io_copy_line - as skip_line, writing the bytes to out */
int mbox_io_copy_line(struct mbox_io_in *in, struct mbox_io_out *out,
		      struct sl_err *err);
/* mbox_io_gt_from - at a line start: does it match ^>+From ? The '>'s
 * are consumed either way. */
int mbox_io_gt_from(struct mbox_io_in *in, struct sl_err *err);

void mbox_io_out_init(struct mbox_io_out *out, int fd, uint64_t off,
		      struct mbox_lock *lock);
void mbox_io_out_free(struct mbox_io_out *out);
int mbox_io_write(struct mbox_io_out *out, const void *data, size_t len,
		  struct sl_err *err);
int mbox_io_flush(struct mbox_io_out *out, struct sl_err *err);
/* mbox_io_copy - append bytes [from, to) of fd */
int mbox_io_copy(struct mbox_io_out *out, int fd, uint64_t from, uint64_t to,
		 struct sl_err *err);
/* mbox_io_end - the file offset after everything written */
static inline uint64_t mbox_io_end(const struct mbox_io_out *out)
{
	return out->off + out->b.len;
}

/* ---- mbox-scan.c ---- */
/* One message as it lies in the file. Offsets are file offsets. */
struct mbox_msg {
	uint64_t from_off;    /* its From_ line: the id */
	uint64_t hdr_off;     /* just past the From_ line: message bytes */
	uint64_t hdr_end;     /* the empty line ending the header, or
				 content_end when there is none */
	uint64_t content_end; /* end of the message bytes */
	uint64_t end;	      /* the next From_ line, or the end */
	uint64_t size;	      /* bytes a reader returns (unquoted) */
	uint64_t status_off;  /* its last Status: line, or UINT64_MAX */
	uint64_t xstatus_off; /* its last X-Status: line, or UINT64_MAX */
	unsigned flags;
	int crlf;	 /* its first line ends in CRLF */
	int ends_nl;	 /* content is empty or ends with '\n' */
	time_t received; /* From_ line date, 0 if unreadable */
};

/* mbox_scan_first - move in to the first From_ line at or after its
 * position: 1 found, 0 none, -1 error */
int mbox_scan_first(struct mbox_io_in *in, struct sl_err *err);
/* mbox_scan_msg - read the message whose From_ line is at the current
 * position; leaves in at the next From_ line. 1 read, 0 at the end. */
int mbox_scan_msg(struct mbox_io_in *in, struct mbox_msg *m,
		  struct sl_err *err);
/* mbox_scan_at - the message whose From_ line starts at off (checked:
 * at a line start and beginning "From "): 1, 0 if none is there */
int mbox_scan_at(struct mbox_io_in *in, uint64_t off, struct mbox_msg *m,
		 struct sl_err *err);
/* mbox_scan_header_name - the line p (avail bytes) is a "NAME:" header
 * line: 1 */
int mbox_scan_header_name(const char *p, size_t avail, const char *name);
/* mbox_scan_status_lines - "Status:"/"X-Status:" lines for flags with
 * eol; old: mark "O" (seen by a client) */
void mbox_scan_status_lines(struct buf *b, unsigned flags, int old,
			    const char *eol, int want_status, int want_xstatus);

#endif
