/* mbox-read.c - listing and reading messages for the access daemons
 *
 * Both take the configured locks shared while they look at the file.
 * A reader keeps its own descriptor after the locks are gone: appends
 * only add bytes past its message, and rewrites rename a new file over
 * the old one, so the bytes it reads never change under it.
 */
#include "auto-config.h"
#include "mbox/mbox-private.h"
#include "lib/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum unquote_state { UQ_START, UQ_GT, UQ_FROM, UQ_MID };

struct mbox_reader {
	struct store_reader reader; /* first: the interface's view */
	int fd;
	uint64_t off, end; /* raw message bytes still to read */
	enum unquote_state state;
	size_t from_k;	/* UQ_FROM: bytes of "From " matched */
	struct buf out; /* unquoted bytes not yet returned */
	size_t out_pos;
	char raw[MBOX_IO_CHUNK];
};

/* read_lock - open the folder's file with shared locks; 0 with *lock_r
 * NULL for a missing INBOX (an empty one) */
static int read_lock(struct mbox_store *st, const char *folder,
		     struct mbox_lock **lock_r, uint64_t *size_r,
		     struct sl_err *err)
{
	struct buf path = BUF_INIT;
	struct stat sb;
	int inbox, ret = -1;

	*lock_r = NULL;
	if (mbox_path(st, folder, &path, &inbox, err) < 0)
		goto out;
	if (mbox_lock_open(&st->locks, path.data, 0, lock_r, err) < 0) {
		if (inbox && err->cls == ERR_NOTFOUND) {
			err_clear(err);
			*size_r = 0;
			ret = 0;
		} else if (err->cls == ERR_NOTFOUND) {
			err_set(err, ERR_NOTFOUND, "folder %s does not exist",
				folder);
		}
		goto out;
	}
	if (fstat((*lock_r)->fd, &sb) < 0) {
		err_set_errno(err, errno, "cannot stat %s", path.data);
		err->cls = ERR_TEMP;
		mbox_lock_close(lock_r);
		goto out;
	}
	*size_r = (uint64_t)sb.st_size;
	ret = 0;
out:
	buf_free(&path);
	return ret;
}

/* list_scan - every message of the locked file into msgs */
static int list_scan(struct mbox_io_in *in, struct pool *pool,
		     struct store_msg_info **msgs_r, size_t *count_r,
		     struct sl_err *err)
{
	struct store_msg_info *msgs = NULL;
	size_t count = 0, cap = 0;
	struct mbox_msg m;
	int r = mbox_scan_first(in, err);

	while (r > 0 && (r = mbox_scan_msg(in, &m, err)) > 0) {
		if (count == cap) {
			cap = cap == 0 ? 64 : size_mul(cap, 2);
			msgs = xreallocarray(msgs, cap, sizeof(*msgs));
		}
		msgs[count].id =
		    pool_printf(pool, "%llu", (unsigned long long)m.from_off);
		msgs[count].size = m.size;
		msgs[count].flags = m.flags;
		msgs[count].received = m.received;
		count++;
	}
	if (r == 0) {
		*msgs_r = count == 0
			      ? NULL
			      : pool_memdup(pool, msgs, count * sizeof(*msgs));
		*count_r = count;
	}
	free(msgs);
	return r < 0 ? -1 : 0;
}

int mbox_read_list(struct store *store, const char *folder, struct pool *pool,
		   struct store_msg_info **msgs_r, size_t *count_r,
		   struct sl_err *err)
{
	struct mbox_store *st = (struct mbox_store *)store;
	struct mbox_lock *lock;
	struct mbox_io_in *in;
	uint64_t size;
	int ret;

	*msgs_r = NULL;
	*count_r = 0;
	if (read_lock(st, folder, &lock, &size, err) < 0)
		return -1;
	if (lock == NULL)
		return 0;
	in = mbox_io_in_new(lock->fd, 0, size);
	ret = list_scan(in, pool, msgs_r, count_r, err);
	mbox_io_in_free(&in);
	mbox_lock_close(&lock);
	return ret;
}

int mbox_read_open(struct store *store, const char *folder, const char *id,
		   struct store_reader **reader_r, struct sl_err *err)
{
	struct mbox_store *st = (struct mbox_store *)store;
	struct mbox_lock *lock;
	struct mbox_io_in *in;
	struct mbox_reader *r;
	struct mbox_msg m;
	uint64_t off, size;
	int found;

	*reader_r = NULL;
	if (read_lock(st, folder, &lock, &size, err) < 0)
		return -1;
	if (mbox_parse_id(id, &off) < 0 || lock == NULL) {
		mbox_lock_close(&lock);
		return err_set(err, ERR_NOTFOUND, "no message %s in %s", id,
			       folder);
	}
	in = mbox_io_in_new(lock->fd, 0, size);
	found = mbox_scan_at(in, off, &m, err);
	mbox_io_in_free(&in);
	if (found <= 0) {
		mbox_lock_close(&lock);
		return found < 0 ? -1
				 : err_set(err, ERR_NOTFOUND,
					   "no message %s in %s", id, folder);
	}
	r = xcalloc(1, sizeof(*r));
	r->reader.v = store->v;
	r->fd = fcntl(lock->fd, F_DUPFD_CLOEXEC, 0);
	mbox_lock_close(&lock);
	if (r->fd < 0) {
		free(r);
		err_set_errno(err, errno, "cannot dup the mbox descriptor");
		err->cls = ERR_TEMP;
		return -1;
	}
	r->off = m.hdr_off;
	r->end = m.content_end;
	r->state = UQ_START;
	buf_init(&r->out);
	*reader_r = &r->reader;
	return 0;
}

/* unquote_pending - the held '>' and the matched part of "From " */
static void unquote_pending(struct mbox_reader *r)
{
	buf_append_char(&r->out, '>');
	buf_append(&r->out, "From ", r->from_k);
	r->from_k = 0;
}

/* unquote - remove one '>' from every ^>+From  line of p; the state
 * carries a line start across calls */
static void unquote(struct mbox_reader *r, const char *p, size_t n)
{
	while (n > 0) {
		if (r->state == UQ_MID) {
			const char *nl = memchr(p, '\n', n);
			size_t k = nl != NULL ? (size_t)(nl - p) + 1 : n;

			buf_append(&r->out, p, k);
			if (nl != NULL)
				r->state = UQ_START;
			p += k;
			n -= k;
			continue;
		}
		if (r->state == UQ_START && *p == '>') {
			r->state = UQ_GT; /* this '>' is held */
		} else if (r->state == UQ_GT && *p == '>') {
			buf_append_char(&r->out, '>');
		} else if (r->state == UQ_GT && *p == 'F') {
			r->state = UQ_FROM;
			r->from_k = 1;
		} else if (r->state == UQ_FROM && *p == "From "[r->from_k]) {
			if (++r->from_k == 5) {
				buf_append(&r->out, "From ", 5);
				r->from_k = 0;
				r->state = UQ_MID;
			}
		} else {
			if (r->state != UQ_START)
				unquote_pending(r);
			r->state = UQ_MID;
			continue; /* the byte is ordinary text */
		}
		p++;
		n--;
	}
}

/* reader_fill - unquote the next raw block into out; 0 or -1 */
static int reader_fill(struct mbox_reader *r, struct sl_err *err)
{
	size_t want = sizeof(r->raw);
	ssize_t n;

	if (r->off >= r->end) {
		if (r->state == UQ_GT || r->state == UQ_FROM)
			unquote_pending(r);
		r->state = UQ_MID;
		return 0;
	}
	if (want > r->end - r->off)
		want = (size_t)(r->end - r->off);
	do {
		n = pread(r->fd, r->raw, want, (off_t)r->off);
	} while (n < 0 && errno == EINTR);
	if (n < 0) {
		err_set_errno(err, errno, "reading the mbox");
		err->cls = ERR_TEMP;
		return -1;
	}
	if (n == 0)
		return err_set(err, ERR_TEMP,
			       "the mbox is shorter than "
			       "when the message was opened");
	r->off += (uint64_t)n;
	unquote(r, r->raw, (size_t)n);
	return 0;
}

ssize_t mbox_read_read(struct store_reader *reader, void *data, size_t len,
		       struct sl_err *err)
{
	struct mbox_reader *r = (struct mbox_reader *)reader;
	size_t n;

	while (r->out_pos == r->out.len) {
		buf_reset(&r->out);
		r->out_pos = 0;
		if (r->off >= r->end && r->state == UQ_MID)
			return 0; /* the held bytes went out last time */
		if (reader_fill(r, err) < 0)
			return -1;
	}
	n = r->out.len - r->out_pos;
	if (n > len)
		n = len;
	memcpy(data, r->out.data + r->out_pos, n);
	r->out_pos += n;
	return (ssize_t)n;
}

void mbox_read_close(struct store_reader **readerp)
{
	struct mbox_reader *r = (struct mbox_reader *)*readerp;

	if (r == NULL)
		return;
	(void)close(r->fd);
	buf_free(&r->out);
	free(r);
	*readerp = NULL;
}
