/* session.c - the LMTP commands (RFC 2033, with RFC 5321's grammar) */
#include "auto-config.h"
#include "session.h"

#include "lib/config.h"
#include "lib/log.h"
#include "lib/utf8.h"
#include "lib/xalloc.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

volatile sig_atomic_t lmtpd_stop;
volatile sig_atomic_t lmtpd_retire;

void session_error(struct session *s, const char *fmt, ...)
{
	struct buf b = BUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	conn_reply(s->conn, "%s", b.data);
	buf_free(&b);
	if (++s->errors >= config_uint(s->env->cfg, "lmtp_max_errors")) {
		conn_reply(s->conn, "421 4.7.0 %s Too many errors, closing",
			   s->env->hostname);
		s->closing = 1;
	}
}

int session_stopping(struct session *s)
{
	time_t now;

	if (!lmtpd_stop)
		return 0;
	now = time(NULL);
	if (s->stop_deadline == 0)
		s->stop_deadline = now +
			(time_t)config_time(s->env->cfg, "lmtp_shutdown_timeout");
	if (now >= s->stop_deadline)
		return 1;
	/* the next read waits no longer than the time left */
	conn_set_timeout(s->conn, (unsigned)(s->stop_deadline - now));
	return 0;
}

void session_reset(struct session *s)
{
	transaction_abort(s);
	pool_free(&s->pool);
	s->pool = pool_new(8192);
	s->have_mail = 0;
	s->smtputf8 = 0;
	s->sender = NULL;
	s->declared_size = 0;
	s->n_rcpts = 0;
	s->bdat_refused = 0;
}

/* clean_name - a client-supplied name fit for logs and Received: visible
 * ASCII without parentheses or semicolons, at most 255 bytes (address
 * literals such as [127.0.0.1] keep their brackets) */
static char *clean_name(const char *s)
{
	size_t i, n = strnlen(s, 255);
	char *d = xstrndup(s, n);

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)d[i];

		if (c <= 0x20 || c >= 0x7f || c == '(' || c == ')' ||
		    c == ';')
			d[i] = '?';
	}
	return d;
}

static void cmd_lhlo(struct session *s, const char *args)
{
	uint64_t max = config_size(s->env->cfg, "lmtp_message_size_max");

	if (*args == '\0') {
		session_error(s, "501 5.5.4 LHLO needs a host name");
		return;
	}
	session_reset(s);
	free(s->lhlo);
	s->lhlo = clean_name(args);
	conn_reply(s->conn, "250-%s", s->env->hostname);
	conn_reply(s->conn, "250-PIPELINING");
	conn_reply(s->conn, "250-ENHANCEDSTATUSCODES");
	conn_reply(s->conn, "250-8BITMIME");
	if (max > 0)
		conn_reply(s->conn, "250-SIZE %llu", (unsigned long long)max);
	else
		conn_reply(s->conn, "250-SIZE");
	conn_reply(s->conn, "250-CHUNKING");
	conn_reply(s->conn, "250-SMTPUTF8");
	if (s->env->tls != NULL && !conn_is_tls(s->conn))
		conn_reply(s->conn, "250-STARTTLS");
	conn_reply(s->conn, "250 DSN");
}

/* parse_path - "<addr>" (or a bare addr) at *pp into addr_r, source
 * route dropped; *pp moves past it. -1 on bad syntax. */
static int parse_path(struct session *s, const char **pp, char **addr_r)
{
	const char *p = *pp, *start, *end;
	int quoted = 0;

	while (*p == ' ')
		p++;
	if (*p != '<') {
		start = p;
		while (*p != '\0' && *p != ' ')
			p++;
		end = p;
	} else {
		start = ++p;
		for (; *p != '\0'; p++) {
			if (*p == '\\' && p[1] != '\0')
				p++;
			else if (*p == '"')
				quoted = !quoted;
			else if (*p == '>' && !quoted)
				break;
		}
		if (*p != '>')
			return -1;
		end = p++;
	}
	/* <@a,@b:user@host>: the source route is obsolete; ignore it */
	if (start < end && *start == '@') {
		const char *colon = memchr(start, ':', (size_t)(end - start));

		if (colon == NULL)
			return -1;
		start = colon + 1;
	}
	if ((size_t)(end - start) > LMTPD_ADDRESS_MAX)
		return -1;
	for (const char *q = start; q < end; q++) {
		if ((unsigned char)*q < 0x20 || *q == 0x7f)
			return -1;
	}
	*addr_r = pool_strndup(s->pool, start, (size_t)(end - start));
	*pp = p;
	return 0;
}

/* address_8bit - -1 not UTF-8, 1 has non-ASCII, 0 plain ASCII */
static int address_8bit(const char *a)
{
	const char *p;

	for (p = a; *p != '\0'; p++) {
		if ((unsigned char)*p >= 0x80)
			return utf8_valid(a, strlen(a)) ? 1 : -1;
	}
	return 0;
}

/* next_param - the next " KEY[=VALUE]" at *pp; NULL at the end */
static char *next_param(struct session *s, const char **pp, char **value_r)
{
	const char *p = *pp, *start, *eq;
	char *key;

	while (*p == ' ')
		p++;
	if (*p == '\0')
		return NULL;
	start = p;
	while (*p != '\0' && *p != ' ')
		p++;
	*pp = p;
	eq = memchr(start, '=', (size_t)(p - start));
	if (eq == NULL) {
		*value_r = NULL;
		return pool_strndup(s->pool, start, (size_t)(p - start));
	}
	key = pool_strndup(s->pool, start, (size_t)(eq - start));
	*value_r = pool_strndup(s->pool, eq + 1, (size_t)(p - eq - 1));
	return key;
}

/* mail_params - SIZE, BODY, SMTPUTF8 and the DSN ones; 0 or -1 replied */
static int mail_params(struct session *s, const char *p, int *utf8_r)
{
	uint64_t max = config_size(s->env->cfg, "lmtp_message_size_max");
	char *key, *value, *end;

	*utf8_r = 0;
	while ((key = next_param(s, &p, &value)) != NULL) {
		if (strcasecmp(key, "SIZE") == 0 && value != NULL) {
			errno = 0;
			s->declared_size = strtoull(value, &end, 10);
			if (*value == '\0' || *end != '\0' || errno != 0) {
				session_error(s, "501 5.5.4 Bad SIZE value");
				return -1;
			}
			if (max > 0 && s->declared_size > max) {
				conn_reply(s->conn, "552 5.3.4 Message too big "
					   "(at most %llu bytes)",
					   (unsigned long long)max);
				return -1;
			}
		} else if (strcasecmp(key, "BODY") == 0 && value != NULL) {
			if (strcasecmp(value, "BINARYMIME") == 0) {
				/* not offered: stored copies use LF line ends */
				session_error(s, "504 5.5.4 BODY=BINARYMIME is "
					      "not supported");
				return -1;
			}
			if (strcasecmp(value, "7BIT") != 0 &&
			    strcasecmp(value, "8BITMIME") != 0) {
				session_error(s, "501 5.5.4 Unknown BODY type");
				return -1;
			}
		} else if (strcasecmp(key, "SMTPUTF8") == 0 && value == NULL) {
			*utf8_r = 1;
		} else if ((strcasecmp(key, "RET") == 0 ||
			    strcasecmp(key, "ENVID") == 0 ||
			    strcasecmp(key, "AUTH") == 0) && value != NULL) {
			continue;
		} else {
			session_error(s, "555 5.5.4 Unsupported parameter %s",
				      key);
			return -1;
		}
	}
	return 0;
}

static void cmd_mail(struct session *s, const char *args)
{
	char *addr;
	int utf8, eight;

	if (s->lhlo == NULL) {
		session_error(s, "503 5.5.1 Send LHLO first");
		return;
	}
	if (s->have_mail) {
		session_error(s, "503 5.5.1 MAIL already given");
		return;
	}
	if (strncasecmp(args, "FROM:", 5) != 0 ||
	    parse_path(s, (args += 5, &args), &addr) < 0) {
		session_error(s, "501 5.5.4 Syntax: MAIL FROM:<address>");
		return;
	}
	if (mail_params(s, args, &utf8) < 0)
		return;
	eight = address_8bit(addr);
	if (eight < 0) {
		session_error(s, "501 5.1.7 Sender address is not valid UTF-8");
		return;
	}
	if (eight > 0 && !utf8) {
		session_error(s, "553 5.6.7 Non-ASCII address needs SMTPUTF8");
		return;
	}
	s->sender = addr;
	s->smtputf8 = utf8;
	s->have_mail = 1;
	s->bdat_refused = 0;
	conn_reply(s->conn, "250 2.1.0 OK");
}

/* xtext_decode - RFC 3461 xtext ("+HH" escapes) */
static char *xtext_decode(struct session *s, const char *x)
{
	struct buf b = BUF_INIT;
	char *out;

	for (; *x != '\0'; x++) {
		if (*x == '+' && isxdigit((unsigned char)x[1]) &&
		    isxdigit((unsigned char)x[2])) {
			char hex[3] = { x[1], x[2], '\0' };
			char c = (char)strtol(hex, NULL, 16);

			buf_append_char(&b, (unsigned char)c < 0x20 ? '?' : c);
			x += 2;
		} else {
			buf_append_char(&b, *x);
		}
	}
	out = pool_strdup(s->pool, buf_cstr(&b));
	buf_free(&b);
	return out;
}

/* rcpt_params - ORCPT (the original recipient) and NOTIFY */
static int rcpt_params(struct session *s, const char *p, const char **orcpt_r)
{
	char *key, *value, *semi;

	*orcpt_r = NULL;
	while ((key = next_param(s, &p, &value)) != NULL) {
		if (strcasecmp(key, "ORCPT") == 0 && value != NULL &&
		    (semi = strchr(value, ';')) != NULL) {
			*orcpt_r = xtext_decode(s, semi + 1);
		} else if (strcasecmp(key, "NOTIFY") == 0 && value != NULL) {
			continue;
		} else {
			session_error(s, "555 5.5.4 Unsupported parameter %s",
				      key);
			return -1;
		}
	}
	return 0;
}

/* rcpt_add - a slot for one more recipient */
static struct rcpt_entry *rcpt_add(struct session *s)
{
	struct rcpt_entry *r;

	if (s->n_rcpts == s->alloc_rcpts) {
		s->alloc_rcpts = s->alloc_rcpts == 0 ? 8 : s->alloc_rcpts * 2;
		s->rcpts = xreallocarray(s->rcpts, s->alloc_rcpts,
					 sizeof(*s->rcpts));
	}
	r = &s->rcpts[s->n_rcpts];
	memset(r, 0, sizeof(*r));
	return r;
}

/* rcpt_quota_full - a mailbox already full is refused at RCPT (the
 * check only reads maildirsize, so it runs as root) */
static int rcpt_quota_full(struct session *s, const struct delivery_env *denv,
			   struct rcpt_entry *r)
{
	return delivery_quota_full(denv, s->pool, &r->rcpt, &r->res);
}

static void cmd_rcpt(struct session *s, const char *args)
{
	struct delivery_env denv;
	struct rcpt_entry *r;
	const char *orcpt;
	char *addr;
	int eight;

	if (!s->have_mail) {
		session_error(s, "503 5.5.1 MAIL needed first");
		return;
	}
	if (strncasecmp(args, "TO:", 3) != 0 ||
	    parse_path(s, (args += 3, &args), &addr) < 0 || *addr == '\0') {
		session_error(s, "501 5.5.4 Syntax: RCPT TO:<address>");
		return;
	}
	if (rcpt_params(s, args, &orcpt) < 0)
		return;
	if ((eight = address_8bit(addr)) < 0) {
		session_error(s, "501 5.1.3 Recipient address is not valid UTF-8");
		return;
	}
	if (eight > 0 && !s->smtputf8) {
		session_error(s, "553 5.6.7 Non-ASCII address needs SMTPUTF8");
		return;
	}
	if (s->n_rcpts >= config_uint(s->env->cfg, "lmtp_max_recipients")) {
		conn_reply(s->conn, "452 4.5.3 Too many recipients");
		return;
	}
	r = rcpt_add(s);
	r->rcpt.address = addr;
	r->rcpt.orig_rcpt = orcpt;
	memset(&denv, 0, sizeof(denv));
	denv.cfg = s->env->cfg;
	denv.userdb = s->env->userdb;
	denv.session = s->id;
	if (delivery_lookup(&denv, s->pool, &r->rcpt, &r->res) < 0) {
		if (r->res.status == DELIVERY_NOUSER)
			conn_reply(s->conn, "550 5.1.1 <%s> User doesn't exist",
				   addr);
		else
			conn_reply(s->conn, "451 4.3.0 <%s> Temporary user "
				   "lookup failure", addr);
		delivery_log(&denv, NULL, &r->rcpt, &r->res, 0.0);
		return;
	}
	if (rcpt_quota_full(s, &denv, r)) {
		conn_reply(s->conn, "%d %s <%s> %s",
			   result_smtp_code(r->res.status),
			   result_enhanced_code(r->res.status), addr, r->res.text);
		delivery_log(&denv, NULL, &r->rcpt, &r->res, 0.0);
		return;
	}
	s->n_rcpts++;
	conn_reply(s->conn, "250 2.1.5 <%s> OK", addr);
}

static void cmd_vrfy(struct session *s, const char *args)
{
	struct delivery_env denv;
	struct rcpt_entry r;
	char *addr;

	if (!config_bool(s->env->cfg, "lmtp_vrfy")) {
		conn_reply(s->conn, "252 2.5.0 Cannot VRFY user, but will "
			   "accept message and attempt delivery");
		return;
	}
	if (parse_path(s, &args, &addr) < 0 || *addr == '\0') {
		session_error(s, "501 5.5.4 Syntax: VRFY address");
		return;
	}
	memset(&denv, 0, sizeof(denv));
	memset(&r, 0, sizeof(r));
	denv.cfg = s->env->cfg;
	denv.userdb = s->env->userdb;
	denv.session = s->id;
	r.rcpt.address = addr;
	if (delivery_lookup(&denv, s->pool, &r.rcpt, &r.res) == 0)
		conn_reply(s->conn, "250 2.1.5 <%s>", addr);
	else if (r.res.status == DELIVERY_NOUSER)
		conn_reply(s->conn, "550 5.1.1 <%s> User doesn't exist", addr);
	else
		conn_reply(s->conn, "451 4.3.0 <%s> Temporary user lookup "
			   "failure", addr);
}

static void cmd_starttls(struct session *s, const char *args)
{
	struct sl_err err;

	if (s->env->tls == NULL || conn_is_tls(s->conn)) {
		session_error(s, "502 5.5.1 STARTTLS not available");
		return;
	}
	if (*args != '\0') {
		session_error(s, "501 5.5.4 STARTTLS takes no arguments");
		return;
	}
	conn_reply(s->conn, "220 2.0.0 Ready to start TLS");
	if (conn_flush(s->conn) != CONN_OK) {
		s->closing = 1;
		return;
	}
	/* anything pipelined after STARTTLS came in the clear: drop it
	   (RFC 3207 4.2, the command injection attack) */
	conn_discard_input(s->conn);
	err_clear(&err);
	if (conn_starttls(s->conn, s->env->tls, &err) < 0) {
		log_warning("session=%s %s", s->id, err.text);
		s->closing = 1;
		return;
	}
	session_reset(s);
	free(s->lhlo);
	s->lhlo = NULL;
}

/* command - one command line */
static void command(struct session *s, const char *line)
{
	const char *args = line;
	size_t vlen;

	while (*args != '\0' && *args != ' ')
		args++;
	vlen = (size_t)(args - line);
	while (*args == ' ')
		args++;
#define VERB(name) (vlen == sizeof(name) - 1 && strncasecmp(line, name, vlen) == 0)
	if (VERB("LHLO"))
		cmd_lhlo(s, args);
	else if (VERB("MAIL"))
		cmd_mail(s, args);
	else if (VERB("RCPT"))
		cmd_rcpt(s, args);
	else if (VERB("DATA")) {
		if (*args != '\0')
			session_error(s, "501 5.5.4 DATA takes no arguments");
		else
			transaction_data(s);
	} else if (VERB("BDAT"))
		transaction_bdat(s, args);
	else if (VERB("RSET")) {
		session_reset(s);
		conn_reply(s->conn, "250 2.0.0 OK");
	} else if (VERB("NOOP"))
		conn_reply(s->conn, "250 2.0.0 OK");
	else if (VERB("QUIT")) {
		conn_reply(s->conn, "221 2.0.0 %s Bye", s->env->hostname);
		s->closing = 1;
	} else if (VERB("VRFY"))
		cmd_vrfy(s, args);
	else if (VERB("STARTTLS"))
		cmd_starttls(s, args);
	else if (VERB("HELP"))
		conn_reply(s->conn, "214 2.0.0 LHLO MAIL RCPT DATA BDAT RSET "
			   "NOOP QUIT VRFY%s", s->env->tls != NULL ? " STARTTLS" : "");
	else if (VERB("HELO") || VERB("EHLO"))
		session_error(s, "500 5.5.1 This is LMTP: use LHLO");
	else
		session_error(s, "500 5.5.1 Unknown command");
#undef VERB
}

/* session_read_command - the next line, answering timeouts and stops */
static int session_read_command(struct session *s)
{
	enum conn_status st;

	for (;;) {
		if (lmtpd_stop && !s->have_mail) {
			conn_reply(s->conn, "421 4.3.2 %s Service shutting down",
				   s->env->hostname);
			return -1;
		}
		if (lmtpd_stop && session_stopping(s)) {
			conn_reply(s->conn, "421 4.3.2 %s Service shutting "
				   "down; transaction aborted", s->env->hostname);
			return -1;
		}
		st = conn_read_line(s->conn, LMTPD_LINE_MAX, &s->line);
		switch (st) {
		case CONN_OK:
			return 0;
		case CONN_INTERRUPTED:
			continue;
		case CONN_TOOLONG:
			session_error(s, "500 5.5.2 Line too long");
			if (s->closing)
				return -1;
			continue;
		case CONN_TIMEOUT:
			if (lmtpd_stop)
				conn_reply(s->conn, "421 4.3.2 %s Service shutting "
					   "down; transaction aborted",
					   s->env->hostname);
			else
				conn_reply(s->conn, "421 4.4.2 %s Timeout, closing",
					   s->env->hostname);
			return -1;
		default:
			return -1;
		}
	}
}

void session_run(const struct session_env *env, int fd,
		 const char *peer_name, const char *peer_addr)
{
	struct session s;

	memset(&s, 0, sizeof(s));
	s.env = env;
	s.conn = conn_new(fd, (unsigned)config_time(env->cfg, "lmtp_timeout"));
	s.peer_name = peer_name;
	s.peer_addr = peer_addr;
	buf_init(&s.line);
	log_session_id(s.id, sizeof(s.id));
	s.pool = pool_new(8192);
	log_debug("session=%s connect from %s", s.id, peer_name);
	conn_reply(s.conn, "220 %s LMTP sluice-lmtpd ready", env->hostname);
	while (!s.closing && session_read_command(&s) == 0) {
		if (strlen(buf_cstr(&s.line)) != s.line.len) {
			session_error(&s, "500 5.5.2 NUL in command");
			continue;
		}
		command(&s, buf_cstr(&s.line));
	}
	(void)conn_flush(s.conn);
	transaction_abort(&s);
	pool_free(&s.pool);
	free(s.rcpts);
	free(s.lhlo);
	buf_free(&s.line);
	conn_free(&s.conn);
	log_debug("session=%s disconnect from %s", s.id, peer_name);
}
