/* conn.c - buffered line and byte I/O on one client socket, plain or TLS.
 *
 * The socket is blocking with SO_RCVTIMEO/SO_SNDTIMEO set to lmtp_timeout,
 * so a silent client costs one timed-out read, and a signal (installed
 * without SA_RESTART) interrupts a read so the worker can stop.
 */
#include "auto-config.h"
#include "lmtpd.h"

#include "lib/xalloc.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

struct conn {
	int fd;
	unsigned timeout_secs;
	SSL *ssl;
	char *in;
	size_t in_start, in_end;
	struct buf out;
	int eof;
};

/* the signal mask to wait with (the stop signals unblocked); NULL: wait
 * with the current mask */
static const sigset_t *conn_wait_mask;

void conn_set_wait_mask(const sigset_t *mask)
{
	conn_wait_mask = mask;
}

void conn_set_timeout(struct conn *c, unsigned secs)
{
	struct timeval tv = { (time_t)secs, 0 };

	c->timeout_secs = secs;
	(void)setsockopt(c->fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	(void)setsockopt(c->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
}

struct conn *conn_new(int fd, unsigned timeout_secs)
{
	struct conn *c = xcalloc(1, sizeof(*c));

	c->fd = fd;
	conn_set_timeout(c, timeout_secs);
	c->in = xmalloc(LMTPD_IN_SIZE);
	buf_init(&c->out);
	return c;
}

void conn_free(struct conn **cp)
{
	struct conn *c = *cp;

	if (c == NULL)
		return;
	if (c->ssl != NULL) {
		(void)SSL_shutdown(c->ssl);
		SSL_free(c->ssl);
	}
	(void)close(c->fd);
	free(c->in);
	buf_free(&c->out);
	free(c);
	*cp = NULL;
}

int conn_is_tls(const struct conn *c)
{
	return c->ssl != NULL;
}

void conn_unread(struct conn *c, size_t n)
{
	c->in_start -= n;
}

void conn_discard_input(struct conn *c)
{
	c->in_start = c->in_end = 0;
}

/* status_from_errno - what a failed read or write means */
static enum conn_status status_from_errno(int e)
{
	if (e == EINTR)
		return CONN_INTERRUPTED;
	if (e == EAGAIN || e == EWOULDBLOCK)
		return CONN_TIMEOUT;
	return CONN_ERROR;
}

/* wait_readable - until the socket has bytes, a stop signal arrives
 * (ppoll unblocks them atomically, so none is missed between the
 * worker's check of its flags and the wait), or the timeout passes */
static enum conn_status wait_readable(struct conn *c)
{
	struct pollfd pfd = { c->fd, POLLIN, 0 };
	struct timespec ts = { (time_t)c->timeout_secs, 0 };
	int r;

	if (c->ssl != NULL && SSL_pending(c->ssl) > 0)
		return CONN_OK;
	r = ppoll(&pfd, 1, c->timeout_secs > 0 ? &ts : NULL, conn_wait_mask);
	if (r > 0)
		return CONN_OK;
	if (r == 0)
		return CONN_TIMEOUT;
	return status_from_errno(errno);
}

/* raw_read - one read from the socket or TLS */
static enum conn_status raw_read(struct conn *c, char *data, size_t len,
				 size_t *got_r)
{
	enum conn_status st;
	ssize_t n;

	if ((st = wait_readable(c)) != CONN_OK)
		return st;
	if (c->ssl != NULL) {
		int r = SSL_read(c->ssl, data, (int)(len > INT32_MAX ? INT32_MAX : len));

		if (r > 0) {
			*got_r = (size_t)r;
			return CONN_OK;
		}
		switch (SSL_get_error(c->ssl, r)) {
		case SSL_ERROR_ZERO_RETURN:
			return CONN_EOF;
		case SSL_ERROR_WANT_READ:
		case SSL_ERROR_WANT_WRITE:
		case SSL_ERROR_SYSCALL:
			if (r == 0 && errno == 0)
				return CONN_EOF;
			return status_from_errno(errno);
		default:
			return CONN_ERROR;
		}
	}
	n = read(c->fd, data, len);
	if (n > 0) {
		*got_r = (size_t)n;
		return CONN_OK;
	}
	if (n == 0)
		return CONN_EOF;
	return status_from_errno(errno);
}

/* fill - read more into the input buffer (compacting it first) */
static enum conn_status fill(struct conn *c)
{
	enum conn_status st;
	size_t got = 0;

	if (c->eof)
		return CONN_EOF;
	if (c->in_start > 0) {
		memmove(c->in, c->in + c->in_start, c->in_end - c->in_start);
		c->in_end -= c->in_start;
		c->in_start = 0;
	}
	if (c->in_end == LMTPD_IN_SIZE)
		return CONN_OK;
	st = raw_read(c, c->in + c->in_end, LMTPD_IN_SIZE - c->in_end, &got);
	if (st == CONN_EOF)
		c->eof = 1;
	if (st != CONN_OK)
		return st;
	c->in_end += got;
	return CONN_OK;
}

/* skip_to_eol - drop input through the next LF (an overlong line) */
static enum conn_status skip_to_eol(struct conn *c)
{
	enum conn_status st;

	for (;;) {
		char *nl = memchr(c->in + c->in_start, '\n',
				  c->in_end - c->in_start);

		if (nl != NULL) {
			c->in_start = (size_t)(nl - c->in) + 1;
			return CONN_TOOLONG;
		}
		c->in_start = c->in_end = 0;
		if ((st = fill(c)) != CONN_OK)
			return st;
	}
}

enum conn_status conn_read_line(struct conn *c, size_t max, struct buf *line)
{
	enum conn_status st;

	for (;;) {
		char *start = c->in + c->in_start;
		size_t avail = c->in_end - c->in_start;
		char *nl = memchr(start, '\n', avail);

		if (nl != NULL) {
			size_t len = (size_t)(nl - start);

			c->in_start += len + 1;
			if (len > 0 && start[len - 1] == '\r')
				len--;
			if (len > max)
				return CONN_TOOLONG;
			buf_reset(line);
			buf_append(line, start, len);
			return CONN_OK;
		}
		if (avail > max + 1)
			return skip_to_eol(c);
		if ((st = conn_flush(c)) != CONN_OK)
			return st;
		if ((st = fill(c)) != CONN_OK)
			return st;
	}
}

enum conn_status conn_read_some(struct conn *c, size_t max,
				const char **data_r, size_t *len_r)
{
	enum conn_status st;
	size_t avail;

	if (c->in_start == c->in_end) {
		if ((st = conn_flush(c)) != CONN_OK)
			return st;
		c->in_start = c->in_end = 0;
		if ((st = fill(c)) != CONN_OK)
			return st;
	}
	avail = c->in_end - c->in_start;
	if (avail > max)
		avail = max;
	*data_r = c->in + c->in_start;
	*len_r = avail;
	c->in_start += avail;
	return CONN_OK;
}

void conn_reply(struct conn *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	buf_vprintf(&c->out, fmt, ap);
	va_end(ap);
	buf_append(&c->out, "\r\n", 2);
}

enum conn_status conn_flush(struct conn *c)
{
	size_t off = 0;

	while (off < c->out.len) {
		size_t len = c->out.len - off;
		ssize_t n;

		if (c->ssl != NULL) {
			int r = SSL_write(c->ssl, c->out.data + off,
					  (int)(len > INT32_MAX ? INT32_MAX : len));

			if (r <= 0) {
				int e = SSL_get_error(c->ssl, r);

				if ((e == SSL_ERROR_WANT_WRITE ||
				     e == SSL_ERROR_WANT_READ) && errno == EINTR)
					continue;
				buf_reset(&c->out);
				return CONN_ERROR;
			}
			n = r;
		} else {
			n = send(c->fd, c->out.data + off, len, MSG_NOSIGNAL);
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0) {
				buf_reset(&c->out);
				return n < 0 && (errno == EAGAIN ||
						 errno == EWOULDBLOCK)
					? CONN_TIMEOUT : CONN_ERROR;
			}
		}
		off += (size_t)n;
	}
	buf_reset(&c->out);
	return CONN_OK;
}

int conn_starttls(struct conn *c, SSL_CTX *ctx, struct sl_err *err)
{
	unsigned long e;
	int r;

	c->ssl = SSL_new(ctx);
	if (c->ssl == NULL || SSL_set_fd(c->ssl, c->fd) != 1)
		return err_set(err, ERR_TEMP, "TLS: cannot set up a session");
	do {
		r = SSL_accept(c->ssl);
	} while (r <= 0 && SSL_get_error(c->ssl, r) == SSL_ERROR_WANT_READ &&
		 errno == EINTR);
	if (r != 1) {
		char text[256];

		e = ERR_get_error();
		ERR_error_string_n(e, text, sizeof(text));
		SSL_free(c->ssl);
		c->ssl = NULL;
		return err_set(err, ERR_TEMP, "TLS handshake failed: %s",
			       e != 0 ? text : "connection closed");
	}
	return 0;
}
