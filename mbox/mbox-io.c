/* mbox-io.c - buffered, bounded reading and writing of mbox files */
#include "auto-config.h"
#include "mbox/mbox-private.h"
#include "lib/xalloc.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct mbox_io_in *mbox_io_in_new(int fd, uint64_t off, uint64_t limit)
{
	struct mbox_io_in *in = xmalloc(sizeof(*in));

	in->fd = fd;
	in->limit = limit;
	mbox_io_seek(in, off);
	return in;
}

void mbox_io_in_free(struct mbox_io_in **inp)
{
	x_free(inp);
}

void mbox_io_seek(struct mbox_io_in *in, uint64_t off)
{
	in->off = off;
	in->pos = in->len = 0;
	in->eof = off >= in->limit;
}

/* io_fill - read more after the unread bytes; 0 or -1 */
static int io_fill(struct mbox_io_in *in, struct sl_err *err)
{
	uint64_t at;
	size_t room;
	ssize_t n;

	if (in->pos > 0) {
		memmove(in->buf, in->buf + in->pos, in->len - in->pos);
		in->off += in->pos;
		in->len -= in->pos;
		in->pos = 0;
	}
	at = in->off + in->len;
	room = sizeof(in->buf) - in->len;
	if (at >= in->limit) {
		in->eof = 1;
		return 0;
	}
	if (room > in->limit - at)
		room = (size_t)(in->limit - at);
	do {
		n = pread(in->fd, in->buf + in->len, room, (off_t)at);
	} while (n < 0 && errno == EINTR);
	if (n < 0) {
		err_set_errno(err, errno, "reading the mbox");
		err->cls = ERR_TEMP;
		return -1;
	}
	if (n == 0)
		in->eof = 1; /* shorter than when it was locked */
	in->len += (size_t)n;
	return 0;
}

const char *mbox_io_peek(struct mbox_io_in *in, size_t want, size_t *avail_r,
			 struct sl_err *err)
{
	if (want > sizeof(in->buf))
		want = sizeof(in->buf);
	while (in->len - in->pos < want && !in->eof) {
		if (io_fill(in, err) < 0)
			return NULL;
	}
	*avail_r = in->len - in->pos;
	return in->buf + in->pos;
}

/* io_line - consume through the next '\n', copying to out if given */
static int io_line(struct mbox_io_in *in, struct mbox_io_out *out,
		   struct sl_err *err)
{
	for (;;) {
		size_t avail, n;
		const char *p = mbox_io_peek(in, 1, &avail, err);
		const char *nl;

		if (p == NULL)
			return -1;
		if (avail == 0)
			return 0;
		nl = memchr(p, '\n', avail);
		n = nl != NULL ? (size_t)(nl - p) + 1 : avail;
		if (out != NULL && mbox_io_write(out, p, n, err) < 0)
			return -1;
		in->pos += n;
		if (nl != NULL)
			return 1;
	}
}

int mbox_io_skip_line(struct mbox_io_in *in, struct sl_err *err)
{
	return io_line(in, NULL, err);
}

int mbox_io_copy_line(struct mbox_io_in *in, struct mbox_io_out *out,
		      struct sl_err *err)
{
	return io_line(in, out, err);
}

int mbox_io_gt_from(struct mbox_io_in *in, struct sl_err *err)
{
	size_t avail, i, run = 0;
	const char *p;

	for (;;) {
		p = mbox_io_peek(in, 64, &avail, err);
		if (p == NULL)
			return -1;
		for (i = 0; i < avail && p[i] == '>'; i++)
			;
		in->pos += i;
		run += i;
		if (i < avail || avail == 0)
			break;
	}
	if (run == 0)
		return 0;
	p = mbox_io_peek(in, 5, &avail, err);
	if (p == NULL)
		return -1;
	return avail >= 5 && memcmp(p, "From ", 5) == 0;
}

void mbox_io_out_init(struct mbox_io_out *out, int fd, uint64_t off,
		      struct mbox_lock *lock)
{
	out->fd = fd;
	out->off = off;
	out->lock = lock;
	buf_init(&out->b);
}

void mbox_io_out_free(struct mbox_io_out *out)
{
	buf_free(&out->b);
}

int mbox_io_flush(struct mbox_io_out *out, struct sl_err *err)
{
	size_t done = 0;

	while (done < out->b.len) {
		ssize_t n = pwrite(out->fd, out->b.data + done,
				   out->b.len - done, (off_t)(out->off + done));

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err_set_errno(err, errno, "writing the mbox");
			if (err->cls != ERR_NOQUOTA)
				err->cls = ERR_TEMP;
			return -1;
		}
		if (n == 0)
			return err_set(err, ERR_TEMP,
				       "writing the mbox: short write");
		done += (size_t)n;
	}
	out->off += out->b.len;
	buf_reset(&out->b);
	if (out->lock != NULL)
		mbox_lock_touch(out->lock);
	return 0;
}

int mbox_io_write(struct mbox_io_out *out, const void *data, size_t len,
		  struct sl_err *err)
{
	buf_append(&out->b, data, len);
	if (out->b.len >= MBOX_IO_CHUNK)
		return mbox_io_flush(out, err);
	return 0;
}

int mbox_io_copy(struct mbox_io_out *out, int fd, uint64_t from, uint64_t to,
		 struct sl_err *err)
{
	while (from < to) {
		size_t want = MBOX_IO_CHUNK;
		ssize_t n;

		if (want > to - from)
			want = (size_t)(to - from);
		buf_reserve(&out->b, want);
		n = pread(fd, out->b.data + out->b.len, want, (off_t)from);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err_set_errno(err, errno, "reading the mbox");
			err->cls = ERR_TEMP;
			return -1;
		}
		if (n == 0)
			return err_set(err, ERR_TEMP,
				       "the mbox shrank while it was locked");
		out->b.len += (size_t)n;
		out->b.data[out->b.len] = '\0';
		from += (uint64_t)n;
		if (out->b.len >= MBOX_IO_CHUNK && mbox_io_flush(out, err) < 0)
			return -1;
	}
	return 0;
}
