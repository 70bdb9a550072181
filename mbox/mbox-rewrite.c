/* mbox-rewrite.c - change flags or remove messages by rewriting the file
 *
 * Under the write locks the new contents go to a temporary file in the
 * same directory, which is fsync'd and renamed over the mbox (then the
 * directory is fsync'd), so a crash leaves the old or the new file, never
 * a mix. Bytes of untouched messages are copied unchanged; a flag change
 * edits only the Status:/X-Status: lines of its message. Every message
 * id (offset) past the first change moves: callers list again.
 */
#include "auto-config.h"
#include "mbox/mbox-private.h"
#include "lib/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define REWRITE_FLAGS_KNOWN                                                    \
	(STORE_FLAG_SEEN | STORE_FLAG_ANSWERED | STORE_FLAG_FLAGGED |          \
	 STORE_FLAG_DELETED | STORE_FLAG_DRAFT)

struct rewrite {
	struct buf path, tmp;
	struct mbox_lock *lock;
	struct mbox_io_in *in;
	struct mbox_io_out out;
	struct stat sb; /* the mbox when it was locked */
	int tmp_fd;
};

/* rewrite_begin - lock the folder's file for writing */
static int rewrite_begin(struct rewrite *rw, struct mbox_store *st,
			 const char *folder, struct sl_err *err)
{
	int inbox;

	memset(rw, 0, sizeof(*rw));
	rw->tmp_fd = -1;
	buf_init(&rw->path);
	buf_init(&rw->tmp);
	mbox_io_out_init(&rw->out, -1, 0, NULL);
	if (mbox_path(st, folder, &rw->path, &inbox, err) < 0)
		return -1;
	if (mbox_lock_open(&st->locks, rw->path.data, MBOX_OPEN_WRITE,
			   &rw->lock, err) < 0) {
		if (err->cls == ERR_NOTFOUND)
			err_set(err, ERR_NOTFOUND, "%s %s has no messages",
				inbox ? "mailbox" : "folder", folder);
		return -1;
	}
	if (fstat(rw->lock->fd, &rw->sb) < 0) {
		err_set_errno(err, errno, "cannot stat %s", rw->path.data);
		err->cls = ERR_TEMP;
		return -1;
	}
	rw->in = mbox_io_in_new(rw->lock->fd, 0, (uint64_t)rw->sb.st_size);
	return 0;
}

/* rewrite_find - the message with this id, or ERR_NOTFOUND */
static int rewrite_find(struct rewrite *rw, const char *id, struct mbox_msg *m,
			struct sl_err *err)
{
	uint64_t off;
	int r;

	if (mbox_parse_id(id, &off) < 0)
		return err_set(err, ERR_NOTFOUND, "no message %s", id);
	r = mbox_scan_at(rw->in, off, m, err);
	if (r == 0)
		return err_set(err, ERR_NOTFOUND,
			       "no message %s (the mbox "
			       "may have been rewritten; list it again)",
			       id);
	return r < 0 ? -1 : 0;
}

/* rewrite_temp - the new file beside the old, with its mode and owner */
static int rewrite_temp(struct rewrite *rw, struct sl_err *err)
{
	unsigned n;

	for (n = 0; n < MBOX_TEMP_TRIES && rw->tmp_fd < 0; n++) {
		buf_reset(&rw->tmp);
		mbox_temp_name(&rw->tmp, rw->path.data, "rw", n);
		rw->tmp_fd = open(
		    rw->tmp.data,
		    O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
		if (rw->tmp_fd < 0 && errno != EEXIST)
			break;
	}
	if (rw->tmp_fd < 0) {
		err_set_errno(err, errno,
			      "cannot create a temporary file "
			      "beside %s",
			      rw->path.data);
		err->cls = ERR_TEMP;
		buf_reset(&rw->tmp);
		return -1;
	}
	/* best effort: a mail spool file keeps its group (mail) */
	(void)fchown(rw->tmp_fd, rw->sb.st_uid, rw->sb.st_gid);
	(void)fchmod(rw->tmp_fd, rw->sb.st_mode & 07777);
	mbox_io_out_init(&rw->out, rw->tmp_fd, 0, rw->lock);
	return 0;
}

/* rewrite_commit - durable new file renamed over the old */
static int rewrite_commit(struct rewrite *rw, struct sl_err *err)
{
	if (mbox_io_flush(&rw->out, err) < 0)
		return -1;
	if (fsync(rw->tmp_fd) < 0 || close(rw->tmp_fd) < 0) {
		rw->tmp_fd = -1;
		err_set_errno(err, errno, "cannot write %s", rw->tmp.data);
		err->cls = ERR_TEMP;
		return -1;
	}
	rw->tmp_fd = -1;
	if (rename(rw->tmp.data, rw->path.data) < 0) {
		err_set_errno(err, errno, "cannot rename %s to %s",
			      rw->tmp.data, rw->path.data);
		err->cls = ERR_TEMP;
		return -1;
	}
	buf_reset(&rw->tmp);
	return mbox_fsync_dir(rw->path.data, err);
}

/* rewrite_end - unlock, and remove a temporary file left behind */
static void rewrite_end(struct rewrite *rw)
{
	if (rw->tmp_fd >= 0)
		(void)close(rw->tmp_fd);
	if (rw->tmp.len > 0)
		(void)unlink(rw->tmp.data);
	mbox_io_in_free(&rw->in);
	mbox_io_out_free(&rw->out);
	mbox_lock_close(&rw->lock);
	buf_free(&rw->path);
	buf_free(&rw->tmp);
}

/* rewrite_skip_field - past a header line and its continuation lines */
static int rewrite_skip_field(struct rewrite *rw, uint64_t end,
			      struct sl_err *err)
{
	size_t avail;
	const char *p;

	if (mbox_io_skip_line(rw->in, err) < 0)
		return -1;
	while (mbox_io_tell(rw->in) < end) {
		p = mbox_io_peek(rw->in, 1, &avail, err);
		if (p == NULL)
			return -1;
		if (avail == 0 || (p[0] != ' ' && p[0] != '\t'))
			break;
		if (mbox_io_skip_line(rw->in, err) < 0)
			return -1;
	}
	return 0;
}

/* rewrite_header - m's header with its Status/X-Status lines for flags:
 * the last of each replaced in place, earlier ones dropped, missing
 * ones added at the header's end */
static int rewrite_header(struct rewrite *rw, const struct mbox_msg *m,
			  unsigned flags, struct sl_err *err)
{
	const char *eol = m->crlf ? "\r\n" : "\n";
	struct buf st_line = BUF_INIT, x_line = BUF_INIT;
	int ret = -1;

	mbox_scan_status_lines(&st_line, flags, 1, eol, 1, 0);
	mbox_scan_status_lines(&x_line, flags, 1, eol, 0, 1);
	mbox_io_seek(rw->in, m->hdr_off);
	while (mbox_io_tell(rw->in) < m->hdr_end) {
		uint64_t start = mbox_io_tell(rw->in);
		size_t avail;
		const char *p =
		    mbox_io_peek(rw->in, MBOX_STATUS_PEEK, &avail, err);

		if (p == NULL)
			goto out;
		if (avail == 0)
			break; /* shorter than it was when locked */
		if (!mbox_scan_header_name(p, avail, "Status") &&
		    !mbox_scan_header_name(p, avail, "X-Status")) {
			if (mbox_io_copy_line(rw->in, &rw->out, err) < 0)
				goto out;
			continue;
		}
		if ((start == m->status_off &&
		     mbox_io_write(&rw->out, st_line.data, st_line.len, err) <
			 0) ||
		    (start == m->xstatus_off &&
		     mbox_io_write(&rw->out, x_line.data, x_line.len, err) <
			 0) ||
		    rewrite_skip_field(rw, m->hdr_end, err) < 0)
			goto out;
	}
	if (!m->ends_nl && m->hdr_end == m->content_end &&
	    mbox_io_write(&rw->out, eol, strlen(eol), err) < 0)
		goto out;
	if ((m->status_off == UINT64_MAX &&
	     mbox_io_write(&rw->out, st_line.data, st_line.len, err) < 0) ||
	    (m->xstatus_off == UINT64_MAX &&
	     mbox_io_write(&rw->out, x_line.data, x_line.len, err) < 0))
		goto out;
	ret = 0;
out:
	buf_free(&st_line);
	buf_free(&x_line);
	return ret;
}

int mbox_rewrite_flags(struct store *store, const char *folder, const char *id,
		       unsigned flags, struct sl_err *err)
{
	struct rewrite rw;
	struct mbox_msg m;
	int ret = -1;

	flags &= REWRITE_FLAGS_KNOWN;
	if (rewrite_begin(&rw, (struct mbox_store *)store, folder, err) < 0 ||
	    rewrite_find(&rw, id, &m, err) < 0)
		goto out;
	if (m.flags == flags) {
		ret = 0;
		goto out;
	}
	if (rewrite_temp(&rw, err) < 0 ||
	    mbox_io_copy(&rw.out, rw.lock->fd, 0, m.hdr_off, err) < 0 ||
	    rewrite_header(&rw, &m, flags, err) < 0 ||
	    mbox_io_copy(&rw.out, rw.lock->fd, m.hdr_end,
			 (uint64_t)rw.sb.st_size, err) < 0 ||
	    rewrite_commit(&rw, err) < 0)
		goto out;
	ret = 0;
out:
	rewrite_end(&rw);
	return ret;
}

static int off_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* expunge_ranges - sorted [start, end) of every listed message */
static int expunge_ranges(struct rewrite *rw, const char *const *ids,
			  size_t count, uint64_t *ranges, size_t *n_r,
			  struct sl_err *err)
{
	struct mbox_msg m;
	size_t i, n = 0;

	for (i = 0; i < count; i++) {
		if (rewrite_find(rw, ids[i], &m, err) < 0)
			return -1;
		ranges[2 * i] = m.from_off;
		ranges[2 * i + 1] = m.end;
	}
	qsort(ranges, count, 2 * sizeof(*ranges), off_cmp);
	for (i = 0; i < count; i++) {
		if (n > 0 && ranges[2 * (n - 1)] == ranges[2 * i])
			continue; /* listed twice */
		ranges[2 * n] = ranges[2 * i];
		ranges[2 * n + 1] = ranges[2 * i + 1];
		n++;
	}
	*n_r = n;
	return 0;
}

int mbox_rewrite_expunge(struct store *store, const char *folder,
			 const char *const *ids, size_t count,
			 struct sl_err *err)
{
	struct rewrite rw;
	uint64_t *ranges, pos = 0;
	size_t i, n;
	int ret = -1;

	if (count == 0)
		return 0;
	ranges = xreallocarray(NULL, size_mul(count, 2), sizeof(*ranges));
	if (rewrite_begin(&rw, (struct mbox_store *)store, folder, err) < 0 ||
	    expunge_ranges(&rw, ids, count, ranges, &n, err) < 0 ||
	    rewrite_temp(&rw, err) < 0)
		goto out;
	for (i = 0; i < n; i++) {
		if (mbox_io_copy(&rw.out, rw.lock->fd, pos, ranges[2 * i],
				 err) < 0)
			goto out;
		pos = ranges[2 * i + 1];
	}
	if (mbox_io_copy(&rw.out, rw.lock->fd, pos, (uint64_t)rw.sb.st_size,
			 err) < 0 ||
	    rewrite_commit(&rw, err) < 0)
		goto out;
	ret = 0;
out:
	rewrite_end(&rw);
	free(ranges);
	return ret;
}
