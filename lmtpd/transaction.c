/* transaction.c - the message (DATA or BDAT) and its delivery to every
 * accepted recipient, answered one reply per recipient in RCPT order */
#include "auto-config.h"
#include "session.h"

#include "lib/config.h"
#include "lib/log.h"
#include "lib/spool.h"
#include "lib/xalloc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

/* bytes gathered before they go to the reader */
#define DATA_STAGE 16384
/* longest reason text in a reply */
#define REPLY_TEXT_MAX 400

enum data_state { D_BOL, D_DOT, D_DOT_CR, D_TEXT, D_CR, D_DONE };

struct data_in {
	struct delivery_reader *reader;
	enum data_state state;
	int dot_stuffed;	/* DATA (dot-stuffing, ends with a dot) */
	uint64_t size, max;
	int too_big, failed;
	struct sl_err err;
	size_t stage_len;
	char stage[DATA_STAGE];
};

static struct data_in *data_new(struct session *s, int dot_stuffed)
{
	struct data_in *d = xcalloc(1, sizeof(*d));

	d->reader = delivery_reader_new(s->env->cfg, s->pool);
	d->state = D_BOL;
	d->dot_stuffed = dot_stuffed;
	d->max = config_size(s->env->cfg, "lmtp_message_size_max");
	err_clear(&d->err);
	return d;
}

static void data_free(struct data_in **dp)
{
	struct data_in *d = *dp;

	if (d == NULL)
		return;
	if (d->reader != NULL) {
		struct delivery_message msg;
		struct sl_err err;

		(void)delivery_reader_finish(&d->reader, "", &msg, &err);
		delivery_message_free(&msg);
	}
	free(d);
	*dp = NULL;
}

static void data_flush(struct data_in *d)
{
	if (d->stage_len > 0 && !d->failed && !d->too_big &&
	    delivery_reader_feed(d->reader, d->stage, d->stage_len,
				 &d->err) < 0)
		d->failed = 1;
	d->stage_len = 0;
}

/* data_emit - message bytes (already unstuffed, LF line ends) */
static void data_emit(struct data_in *d, const char *p, size_t n)
{
	d->size += n;
	if (d->max > 0 && d->size > d->max)
		d->too_big = 1;
	if (d->too_big || d->failed)
		return;
	while (n > 0) {
		size_t room = DATA_STAGE - d->stage_len;
		size_t k = n < room ? n : room;

		memcpy(d->stage + d->stage_len, p, k);
		d->stage_len += k;
		p += k;
		n -= k;
		if (d->stage_len == DATA_STAGE)
			data_flush(d);
	}
}

/* data_text - a run of text bytes: CRLF becomes LF, a lone CR stays */
static size_t data_text(struct data_in *d, const char *p, size_t n)
{
	size_t i = 0;

	while (i < n) {
		if (d->state == D_CR) {
			if (p[i] == '\n') {
				data_emit(d, "\n", 1);
				d->state = D_BOL;
				return i + 1;
			}
			data_emit(d, "\r", 1);
			d->state = D_TEXT;
			continue;
		}
		{
			size_t j = i;

			while (j < n && p[j] != '\r' && p[j] != '\n')
				j++;
			data_emit(d, p + i, j - i);
			i = j;
			if (i == n)
				break;
			if (p[i] == '\n') {
				data_emit(d, "\n", 1);
				d->state = D_BOL;
				return i + 1;
			}
			d->state = D_CR;
			i++;
		}
	}
	return i;
}

/* data_feed - process wire bytes; returns how many were used (less than
 * n only when the end-of-data dot was found) */
static size_t data_feed(struct data_in *d, const char *p, size_t n)
{
	size_t i = 0;

	while (i < n && d->state != D_DONE) {
		char c = p[i];

		switch (d->state) {
		case D_BOL:
			if (d->dot_stuffed && c == '.') {
				d->state = D_DOT;
				i++;
			} else {
				d->state = D_TEXT;
			}
			break;
		case D_DOT:
			if (c == '\r') {
				d->state = D_DOT_CR;
				i++;
			} else if (c == '\n') {
				d->state = D_DONE;
				i++;
			} else {
				/* ".." is one dot; a lone dot is kept */
				if (c == '.')
					i++;
				data_emit(d, ".", 1);
				d->state = D_TEXT;
			}
			break;
		case D_DOT_CR:
			if (c == '\n') {
				d->state = D_DONE;
				i++;
			} else {
				data_emit(d, ".", 1);
				d->state = D_CR;
			}
			break;
		default:
			i += data_text(d, p + i, n - i);
			break;
		}
	}
	return i;
}

/* reply_text - a reason fit for one reply line */
static void reply_text(char *out, size_t size, const char *in)
{
	size_t i, n = strnlen(in, size - 1);

	memcpy(out, in, n);
	out[n] = '\0';
	for (i = 0; out[i] != '\0'; i++) {
		if ((unsigned char)out[i] < 0x20 || out[i] == 0x7f)
			out[i] = ' ';
	}
}

/* received_field - our Received field, shared by every recipient */
static char *received_field(struct session *s)
{
	struct buf b = BUF_INIT;
	char date[64];
	time_t now = time(NULL);
	struct tm tm;
	char *out;

	localtime_r(&now, &tm);
	(void)strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S %z", &tm);
	buf_printf(&b, "Received: from %s (%s)\n\tby %s (sluice-lmtpd) with "
		   "LMTP%s id %s", s->lhlo, s->peer_name, s->env->hostname,
		   conn_is_tls(s->conn) ? "S" : "", s->id);
	if (s->n_rcpts == 1)
		buf_printf(&b, "\n\tfor <%s>", s->rcpts[0].rcpt.address);
	buf_printf(&b, ";\n\t%s\n", date);
	out = pool_strdup(s->pool, buf_cstr(&b));
	buf_free(&b);
	return out;
}

static double ms_between(const struct timespec *a, const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) * 1000.0 +
	       (double)(b->tv_nsec - a->tv_nsec) / 1e6;
}

/* same_rcpt - an earlier recipient with the same address: deliver once */
static const struct rcpt_entry *same_rcpt(const struct session *s, size_t i)
{
	size_t j;

	for (j = 0; j < i; j++) {
		if (strcasecmp(s->rcpts[j].rcpt.address,
			       s->rcpts[i].rcpt.address) == 0)
			return &s->rcpts[j];
	}
	return NULL;
}

/* deliver_all - each recipient as itself, then one sync for all */
static int deliver_all(struct session *s, struct delivery_env *env,
		       const struct delivery_message *msg)
{
	struct timespec t0, t1;
	struct sl_err err;
	size_t i, ok = 0;
	int fatal = 0;

	for (i = 0; i < s->n_rcpts; i++) {
		struct rcpt_entry *r = &s->rcpts[i];
		const struct rcpt_entry *prev = same_rcpt(s, i);

		clock_gettime(CLOCK_MONOTONIC, &t0);
		if (prev != NULL) {
			r->res = prev->res;
		} else if (fatal) {
			result_set(&r->res, DELIVERY_TEMPFAIL, "internal error");
		} else if (delivery_user_enter(env, &r->rcpt, &r->res) == 0) {
			(void)delivery_deliver(env, s->pool, msg, &r->rcpt,
					       &r->res);
			if (delivery_user_leave() < 0) {
				log_error("session=%s cannot return to root: %s",
					  s->id, strerror(errno));
				fatal = 1;
			}
		}
		clock_gettime(CLOCK_MONOTONIC, &t1);
		r->ms = ms_between(&t0, &t1);
		if (r->res.status == DELIVERY_OK)
			ok++;
	}
	err_clear(&err);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (ok > 0 && delivery_batch_sync(env->batch, &err) < 0) {
		log_error("session=%s copies may not be durable, answering "
			  "4xx (the client may deliver them again): %s",
			  s->id, err.text);
		for (i = 0; i < s->n_rcpts; i++) {
			if (s->rcpts[i].res.status == DELIVERY_OK)
				result_set(&s->rcpts[i].res, DELIVERY_TEMPFAIL,
					   "%s", err.text);
		}
	}
	/* every recipient waited for the shared sync: it is in their time */
	clock_gettime(CLOCK_MONOTONIC, &t1);
	for (i = 0; i < s->n_rcpts; i++)
		s->rcpts[i].ms += ms_between(&t0, &t1);
	return fatal ? -1 : 0;
}

/* reply_rcpt - the one reply for a recipient after the data */
static void reply_rcpt(struct session *s, const struct rcpt_entry *r)
{
	char text[REPLY_TEXT_MAX];

	if (r->res.status == DELIVERY_OK) {
		if (r->res.id[0] != '\0')
			conn_reply(s->conn, "250 2.0.0 <%s> %s Saved", r->rcpt.address,
				   r->res.id);
		else
			conn_reply(s->conn, "250 2.0.0 <%s> %s", r->rcpt.address,
				   r->res.text);
		return;
	}
	reply_text(text, sizeof(text), r->res.text);
	conn_reply(s->conn, "%d %s <%s> %s", result_smtp_code(r->res.status),
		   result_enhanced_code(r->res.status), r->rcpt.address, text);
}

/* transaction_finish - deliver what was received, answer, reset */
static void transaction_finish(struct session *s, struct data_in *d)
{
	struct delivery_message msg;
	struct delivery_env env;
	const char *mode = config_str(s->env->cfg, "lmtp_delivered_to");
	size_t i;
	int fatal = 0;

	data_flush(d);
	if (d->too_big || d->failed) {
		struct delivery_message drop;
		struct sl_err err;

		(void)delivery_reader_finish(&d->reader, "", &drop, &err);
		delivery_message_free(&drop);
		for (i = 0; i < s->n_rcpts; i++) {
			if (d->too_big)
				conn_reply(s->conn, "552 5.3.4 <%s> Message too "
					   "big", s->rcpts[i].rcpt.address);
			else
				conn_reply(s->conn, "451 4.3.0 <%s> Cannot "
					   "spool the message: %s",
					   s->rcpts[i].rcpt.address, d->err.text);
		}
		log_warning("session=%s message refused: %s", s->id,
			    d->too_big ? "over lmtp_message_size_max" : d->err.text);
		session_reset(s);
		return;
	}
	(void)delivery_reader_finish(&d->reader, s->sender, &msg, &d->err);
	memset(&env, 0, sizeof(env));
	env.cfg = s->env->cfg;
	env.userdb = s->env->userdb;
	env.session = s->id;
	env.reject_as_result = config_bool(s->env->cfg, "lmtp_rcpt_reject");
	env.no_delivered_to = strcmp(mode, "never") == 0 ||
			      (strcmp(mode, "single") == 0 && s->n_rcpts > 1);
	if (config_bool(s->env->cfg, "lmtp_received_header"))
		env.received = received_field(s);
	env.batch = delivery_batch_new();
	fatal = deliver_all(s, &env, &msg) < 0;
	for (i = 0; i < s->n_rcpts; i++) {
		delivery_log(&env, &msg, &s->rcpts[i].rcpt, &s->rcpts[i].res,
			     s->rcpts[i].ms);
		reply_rcpt(s, &s->rcpts[i]);
	}
	delivery_batch_free(&env.batch);
	delivery_message_free(&msg);
	session_reset(s);
	if (fatal) {
		conn_reply(s->conn, "421 4.3.0 %s Internal error, closing",
			   s->env->hostname);
		s->closing = 1;
		lmtpd_stop = 1;
	}
}

/* data_ready - MAIL and at least one RCPT; else a 503 */
static int data_ready(struct session *s)
{
	if (!s->have_mail) {
		session_error(s, "503 5.5.1 MAIL needed first");
		return 0;
	}
	if (s->n_rcpts == 0) {
		session_error(s, "503 5.5.1 No valid recipients");
		return 0;
	}
	return 1;
}

/* read_fail - the connection failed in the middle of the data */
static void read_fail(struct session *s, enum conn_status st)
{
	if (st == CONN_TIMEOUT && lmtpd_stop)
		st = CONN_INTERRUPTED;
	if (st == CONN_TIMEOUT)
		conn_reply(s->conn, "421 4.4.2 %s Timeout, closing",
			   s->env->hostname);
	else if (st == CONN_INTERRUPTED)
		conn_reply(s->conn, "421 4.3.2 %s Service shutting down; "
			   "transaction aborted", s->env->hostname);
	s->closing = 1;
}

void transaction_data(struct session *s)
{
	struct data_in *d;
	enum conn_status st;

	if (s->bdat != NULL) {
		session_error(s, "503 5.5.1 DATA after BDAT");
		return;
	}
	if (!data_ready(s))
		return;
	conn_reply(s->conn, "354 Start mail input; end with <CRLF>.<CRLF>");
	d = data_new(s, 1);
	while (d->state != D_DONE) {
		const char *p;
		size_t n, used;

		st = conn_read_some(s->conn, LMTPD_IN_SIZE, &p, &n);
		if (st == CONN_INTERRUPTED && !session_stopping(s))
			continue;
		if (st != CONN_OK) {
			read_fail(s, st);
			data_free(&d);
			return;
		}
		used = data_feed(d, p, n);
		if (used < n)
			conn_unread(s->conn, n - used);
	}
	transaction_finish(s, d);
	data_free(&d);
}

/* bdat_args - "SIZE [LAST]" */
static int bdat_args(const char *args, uint64_t *size_r, int *last_r)
{
	char *end;

	if (*args < '0' || *args > '9')
		return -1;
	errno = 0;
	*size_r = strtoull(args, &end, 10);
	if (errno != 0)
		return -1;
	while (*end == ' ')
		end++;
	*last_r = strcasecmp(end, "LAST") == 0;
	return *last_r || *end == '\0' ? 0 : -1;
}

/* bdat_read - size bytes into d (NULL: read and drop them) */
static int bdat_read(struct session *s, struct data_in *d, uint64_t size)
{
	while (size > 0) {
		const char *p;
		size_t n;
		enum conn_status st;

		st = conn_read_some(s->conn, size > LMTPD_IN_SIZE
					     ? LMTPD_IN_SIZE : (size_t)size,
				    &p, &n);
		if (st == CONN_INTERRUPTED && !session_stopping(s))
			continue;
		if (st != CONN_OK) {
			read_fail(s, st);
			return -1;
		}
		if (d != NULL)
			(void)data_feed(d, p, n);
		size -= n;
	}
	return 0;
}

void transaction_bdat(struct session *s, const char *args)
{
	uint64_t size;
	int last;

	if (bdat_args(args, &size, &last) < 0) {
		/* the chunk's size is unknown: we cannot stay in sync */
		conn_reply(s->conn, "501 5.5.4 Syntax: BDAT size [LAST]; closing");
		s->closing = 1;
		return;
	}
	if (s->bdat_refused) {
		if (bdat_read(s, NULL, size) == 0) {
			conn_reply(s->conn, "503 5.5.1 Transaction refused "
				   "earlier; chunk dropped");
			if (last)
				session_reset(s);
		}
		return;
	}
	if (!data_ready(s)) {
		s->bdat_refused = 1;
		if (bdat_read(s, NULL, size) == 0 && last)
			session_reset(s);
		return;
	}
	if (s->bdat == NULL)
		s->bdat = data_new(s, 0);
	if (bdat_read(s, s->bdat, size) < 0)
		return;
	if (!last) {
		conn_reply(s->conn, "250 2.0.0 %llu octets received",
			   (unsigned long long)size);
		return;
	}
	if (s->bdat->state == D_CR)
		data_emit(s->bdat, "\r", 1);
	{
		struct data_in *d = s->bdat;

		s->bdat = NULL;
		transaction_finish(s, d);
		data_free(&d);
	}
}

void transaction_abort(struct session *s)
{
	data_free(&s->bdat);
}
