/* client.c - one connection in Dovecot's auth client protocol (1.2).
 *
 * Lines end in LF (a CR before it is dropped), fields are separated by
 * TAB and use Dovecot's tab-escaping (\001 then 0, 1, t, r or n). On
 * connect the server sends VERSION, one MECH line per mechanism, SPID,
 * CUID, COOKIE and DONE (MECH before SPID: Postfix takes a SPID without
 * MECH for the wrong socket); the client sends VERSION (major 1) and
 * CPID, then AUTH, CONT and CANCEL lines. A client that breaks the
 * protocol (Dovecot's "BUG:" cases) is disconnected; an AUTH that names
 * an unknown mechanism or sends bad base64 gets a FAIL at once.
 * Received lines are wiped once handled: they carry passwords.
 */
#include "auto-config.h"
#include "client-private.h"

#include "lib/log.h"
#include "lib/xalloc.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

/* most fields of an AUTH line looked at */
#define CLIENT_FIELDS_MAX 64

static const char *const client_ssl_required =
	"Plaintext authentication disallowed on non-secure (SSL/TLS) "
	"connections.";

/* client_escape - append s with Dovecot's tab-escaping */
static void client_escape(struct buf *b, const char *s)
{
	for (; *s != '\0'; s++) {
		switch (*s) {
		case '\001': buf_append(b, "\0011", 2); break;
		case '\t': buf_append(b, "\001t", 2); break;
		case '\r': buf_append(b, "\001r", 2); break;
		case '\n': buf_append(b, "\001n", 2); break;
		default: buf_append_char(b, *s); break;
		}
	}
}

/* client_unescape - undo the tab-escaping in place */
static void client_unescape(char *s)
{
	char *w = s;

	for (; *s != '\0'; s++) {
		if (*s != '\001' || s[1] == '\0') {
			*w++ = *s;
			continue;
		}
		s++;
		switch (*s) {
		case '0': *w++ = '\0'; break;	/* cuts the field short */
		case '1': *w++ = '\001'; break;
		case 't': *w++ = '\t'; break;
		case 'r': *w++ = '\r'; break;
		case 'n': *w++ = '\n'; break;
		default: *w++ = *s; break;
		}
	}
	*w = '\0';
}

/* client_split - the TAB-separated fields of line, in place */
static size_t client_split(char *line, char **fields, size_t max)
{
	size_t n = 0;
	char *tab;

	while (n < max) {
		fields[n++] = line;
		tab = strchr(line, '\t');
		if (tab == NULL)
			break;
		*tab = '\0';
		line = tab + 1;
	}
	return n;
}

/* parse_uint - a decimal number up to max */
static int parse_uint(const char *s, unsigned long max, unsigned long *v_r)
{
	unsigned long v = 0;

	if (*s == '\0')
		return -1;
	for (; *s != '\0'; s++) {
		if (*s < '0' || *s > '9' || v > (max - (unsigned long)(*s - '0')) / 10)
			return -1;
		v = v * 10 + (unsigned long)(*s - '0');
	}
	*v_r = v;
	return 0;
}

static void client_queue(struct auth_client *c, const struct buf *line)
{
	buf_append(&c->out, line->data, line->len);
	buf_append_char(&c->out, '\n');
}

static void client_handshake(struct auth_client *c)
{
	static const struct { enum auth_mech mech; const char *flags; } mechs[] = {
		{ AUTH_MECH_PLAIN, "\tplaintext" },
		{ AUTH_MECH_LOGIN, "\tplaintext" },
		{ AUTH_MECH_CRAM_MD5, "\tdictionary\tactive" },
	};
	unsigned char cookie[16];
	size_t i;

	buf_printf(&c->out, "VERSION\t%u\t%u\n", AUTH_PROTOCOL_MAJOR,
		   AUTH_PROTOCOL_MINOR);
	for (i = 0; i < sizeof(mechs) / sizeof(mechs[0]); i++) {
		if (c->env->set->mechs & mechs[i].mech)
			buf_printf(&c->out, "MECH\t%s%s\n",
				   auth_mech_name(mechs[i].mech), mechs[i].flags);
	}
	buf_printf(&c->out, "SPID\t%ld\nCUID\t%u\nCOOKIE\t", (long)c->env->spid,
		   c->cuid);
	if (getrandom(cookie, sizeof(cookie), 0) != (ssize_t)sizeof(cookie))
		memset(cookie, 0, sizeof(cookie));	/* only a session id here */
	for (i = 0; i < sizeof(cookie); i++)
		buf_printf(&c->out, "%02x", cookie[i]);
	buf_append_str(&c->out, "\nDONE\n");
}

struct auth_client *auth_client_new(const struct auth_env *env,
				    unsigned cuid, const char *peer,
				    uint64_t now_ms)
{
	struct auth_client *c = xcalloc(1, sizeof(*c));

	c->env = env;
	c->cuid = cuid;
	(void)snprintf(c->peer, sizeof(c->peer), "%s", peer);
	c->handshake_deadline = now_ms + AUTH_HANDSHAKE_TIMEOUT_MS;
	client_handshake(c);
	return c;
}

static void request_free(struct auth_request *req)
{
	free(req->service);
	free(req->rip);
	free(req->lip);
	free(req->user);
	free(req->challenge);
	free(req);
}

/* client_remove - forget req (it is freed) */
static void client_remove(struct auth_client *c, struct auth_request *req)
{
	size_t i;

	for (i = 0; i < c->n_req; i++) {
		if (c->req[i] == req) {
			c->req[i] = c->req[--c->n_req];
			break;
		}
	}
	request_free(req);
}

void auth_client_free(struct auth_client **cp)
{
	struct auth_client *c = *cp;
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < c->n_req; i++)
		request_free(c->req[i]);
	for (i = 0; i < c->n_delayed; i++)
		free(c->delayed[i].line);
	if (c->in.data != NULL)
		explicit_bzero(c->in.data, c->in.cap);
	buf_free(&c->in);
	buf_free(&c->out);
	free(c);
	*cp = NULL;
}

/* client_log - one line per finished request: never the password */
static void client_log(const struct auth_client *c,
		       const struct auth_request *req, const char *user,
		       const char *result, const char *why)
{
	struct buf line = BUF_INIT;

	buf_append_str(&line, "user=");
	log_quote(&line, user != NULL ? user : "");
	buf_printf(&line, " mech=%s service=", auth_mech_name(req->mech));
	log_quote(&line, req->service);
	if (req->rip != NULL) {
		buf_append_str(&line, " rip=");
		log_quote(&line, req->rip);
	}
	if (req->lip != NULL) {
		buf_append_str(&line, " lip=");
		log_quote(&line, req->lip);
	}
	buf_printf(&line, "%s cpid=%lu result=%s", req->secured ? " secured" : "",
		   c->cpid, result);
	if (why != NULL) {
		buf_append_str(&line, " reason=");
		log_quote(&line, why);
	}
	if (strcmp(result, "tempfail") == 0)
		log_warning("%s", buf_cstr(&line));
	else
		log_info("%s", buf_cstr(&line));
	buf_free(&line);
}

void client_cont(struct auth_client *c, struct auth_request *req,
		 const void *data, size_t len)
{
	struct buf line = BUF_INIT;

	buf_printf(&line, "CONT\t%u\t", req->id);
	base64_encode(data, len, &line);
	client_queue(c, &line);
	buf_free(&line);
	req->want_cont = 1;
}

void client_ok(struct auth_client *c, struct auth_request *req,
	       const char *user, const char *given)
{
	struct buf line = BUF_INIT;

	buf_printf(&line, "OK\t%u\tuser=", req->id);
	client_escape(&line, user);
	if (strcmp(given, user) != 0) {
		buf_append_str(&line, "\toriginal_user=");
		client_escape(&line, given);
	}
	client_queue(c, &line);
	buf_free(&line);
	client_log(c, req, user, "ok", NULL);
	if (c->env->penalty != NULL && req->rip != NULL && !req->no_penalty)
		penalty_succeeded(c->env->penalty, req->rip);
	client_remove(c, req);
}

/* client_count_failure - the per-IP limit; logs the start of a block */
static void client_count_failure(struct auth_client *c,
				 const struct auth_request *req,
				 uint64_t now_ms)
{
	const struct auth_settings *set = c->env->set;
	struct buf line = BUF_INIT;

	if (c->env->penalty == NULL || req->rip == NULL || req->no_penalty ||
	    !penalty_failed(c->env->penalty, req->rip, set->max_failures,
			    set->block_ms, now_ms))
		return;
	buf_append_str(&line, "rip=");
	log_quote(&line, req->rip);
	buf_printf(&line, " blocked for %llus after %u failed authentications "
		   "within a minute", (unsigned long long)(set->block_ms / 1000),
		   set->max_failures);
	log_warning("%s", buf_cstr(&line));
	buf_free(&line);
}

void client_fail(struct auth_client *c, struct auth_request *req,
		 const struct auth_fail *f, uint64_t now_ms)
{
	static const char *const results[] = {
		[AUTH_FAIL_CREDENTIALS] = "fail", [AUTH_FAIL_TEMP] = "tempfail",
		[AUTH_FAIL_BLOCKED] = "blocked", [AUTH_FAIL_PROTOCOL] = "fail",
	};
	uint64_t delay = c->env->set->failure_delay_ms;
	struct buf line = BUF_INIT;

	buf_printf(&line, "FAIL\t%u", req->id);
	if (f->user != NULL) {
		buf_append_str(&line, "\tuser=");
		client_escape(&line, f->user);
	}
	if (f->code != NULL)
		buf_printf(&line, "\tcode=%s", f->code);
	if (f->kind == AUTH_FAIL_TEMP)
		buf_append_str(&line, "\ttemp");
	if (f->reason != NULL) {
		buf_append_str(&line, "\treason=");
		client_escape(&line, f->reason);
	}
	if (f->original != NULL) {
		buf_append_str(&line, "\toriginal_user=");
		client_escape(&line, f->original);
	}
	client_log(c, req, f->user, results[f->kind], f->why);
	if (f->kind == AUTH_FAIL_CREDENTIALS)
		client_count_failure(c, req, now_ms);
	if (f->kind == AUTH_FAIL_PROTOCOL || f->nodelay || delay == 0 ||
	    c->n_delayed == AUTH_REQUESTS_MAX) {
		client_queue(c, &line);
		buf_free(&line);
	} else {
		c->delayed[c->n_delayed].due_ms = now_ms + delay;
		c->delayed[c->n_delayed].line = buf_steal(&line);
		c->n_delayed++;
	}
	client_remove(c, req);
}

/* fail_now - a FAIL at once for a request that never started */
static void fail_now(struct auth_client *c, unsigned id, const char *code,
		     const char *reason)
{
	struct buf line = BUF_INIT;

	buf_printf(&line, "FAIL\t%u", id);
	if (code != NULL)
		buf_printf(&line, "\tcode=%s", code);
	if (code != NULL && strcmp(code, "temp_fail") == 0)
		buf_append_str(&line, "\ttemp");
	buf_append_str(&line, "\treason=");
	client_escape(&line, reason);
	client_queue(c, &line);
	buf_free(&line);
}

/* client_bug - log a protocol violation; the connection is closed */
static int client_bug(const struct auth_client *c, const char *what,
		      const char *detail)
{
	struct buf line = BUF_INIT;
	char cut[33];

	buf_printf(&line, "client %s (pid %lu) %s", c->peer, c->cpid, what);
	if (detail != NULL) {
		/* a few bytes only: a broken client may send a password */
		(void)snprintf(cut, sizeof(cut), "%s", detail);
		buf_append_str(&line, ": ");
		log_quote(&line, cut);
	}
	log_warning("%s; disconnecting", buf_cstr(&line));
	buf_free(&line);
	return -1;
}

static struct auth_request *client_find(struct auth_client *c, unsigned id)
{
	size_t i;

	for (i = 0; i < c->n_req; i++) {
		if (c->req[i]->id == id)
			return c->req[i];
	}
	return NULL;
}

static enum auth_mech client_mech(const struct auth_client *c,
				  const char *name)
{
	static const enum auth_mech all[] = { AUTH_MECH_PLAIN, AUTH_MECH_LOGIN,
					      AUTH_MECH_CRAM_MD5 };
	size_t i;

	for (i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		if ((c->env->set->mechs & all[i]) &&
		    strcasecmp(name, auth_mech_name(all[i])) == 0)
			return all[i];
	}
	return 0;
}

/* ip_loopback - 127.0.0.0/8, ::1 or ::ffff:127.x.y.z */
static int ip_loopback(const char *ip)
{
	unsigned char a[16];

	if (inet_pton(AF_INET, ip, a) == 1)
		return a[0] == 127;
	if (inet_pton(AF_INET6, ip, a) != 1)
		return 0;
	if (memcmp(a, "\0\0\0\0\0\0\0\0\0\0\xff\xff", 12) == 0)
		return a[12] == 127;
	return memcmp(a, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\1", 16) == 0;
}

/* client_secure_enough - auth_disable_plaintext_auth lets this through:
 * TLS, or the end user on this host (Dovecot: rip equal to lip) */
static int client_secure_enough(const struct auth_request *req)
{
	return req->secured ||
	       (req->rip != NULL && req->lip != NULL &&
		strcmp(req->rip, req->lip) == 0) ||
	       (req->rip != NULL && ip_loopback(req->rip));
}

/* param_set - a field given again replaces the first */
static void param_set(char **field, const char *value)
{
	free(*field);
	*field = xstrdup(value);
}

/* auth_params - AUTH's optional fields into req; -1 a BUG */
static int auth_params(struct auth_client *c, struct auth_request *req,
		       char **f, size_t n, const char **resp_r)
{
	size_t i;
	char *eq;

	*resp_r = NULL;
	for (i = 0; i < n; i++) {
		if (*resp_r != NULL)
			return client_bug(c, "sent AUTH parameters after resp",
					  NULL);
		eq = strchr(f[i], '=');
		if (eq != NULL)
			*eq++ = '\0';
		if (strcmp(f[i], "resp") == 0) {
			*resp_r = eq != NULL ? eq : "";
			continue;
		}
		if (eq != NULL)
			client_unescape(eq);
		if (strcmp(f[i], "service") == 0 && eq != NULL)
			param_set(&req->service, eq);
		else if (strcmp(f[i], "rip") == 0 && eq != NULL && *eq != '\0')
			param_set(&req->rip, eq);
		else if (strcmp(f[i], "lip") == 0 && eq != NULL && *eq != '\0')
			param_set(&req->lip, eq);
		else if (strcmp(f[i], "secured") == 0)
			req->secured = 1;
		else if (strcmp(f[i], "no-penalty") == 0)
			req->no_penalty = 1;
		/* others (lport, rport, session, nologin, ...) unused */
	}
	if (req->service == NULL)
		return client_bug(c, "did not give service= in AUTH", NULL);
	return 0;
}

/* auth_resp - the initial response: -1 bad base64 */
static int auth_resp(const struct auth_client *c, const char *resp,
		     int *has_r, struct buf *data)
{
	size_t len = resp != NULL ? strlen(resp) : 0;

	*has_r = 0;
	if (resp == NULL || (len == 0 && c->minor < 2))
		return 0;	/* before 1.2 an empty resp= meant none */
	*has_r = 1;
	if (len == 0 || strcmp(resp, "=") == 0)
		return 0;
	buf_reserve(data, len / 4 * 3 + 3);
	return base64_decode(resp, len, data);
}

/* auth_refuse - an AUTH that does not start: FAIL at once */
static int auth_refuse(struct auth_client *c, struct auth_request *req,
		       const char *code, const char *reason, const char *why,
		       const char *name)
{
	struct buf text = BUF_INIT;

	fail_now(c, req->id, code, reason);
	buf_append_str(&text, why);
	if (name != NULL)
		buf_printf(&text, " %.32s", name);
	client_log(c, req, NULL, "fail", buf_cstr(&text));
	buf_free(&text);
	request_free(req);
	return 0;
}

static int client_auth(struct auth_client *c, char **f, size_t n,
		       uint64_t now_ms)
{
	struct auth_request *req;
	struct buf data = BUF_INIT;
	unsigned long id;
	const char *resp;
	int has_data;

	if (n < 2 || parse_uint(f[0], UINT32_MAX, &id) < 0 || id == 0)
		return client_bug(c, "sent a broken AUTH line", NULL);
	if (client_find(c, (unsigned)id) != NULL)
		return client_bug(c, "sent a duplicate AUTH id", f[0]);
	req = xcalloc(1, sizeof(*req));
	req->id = (unsigned)id;
	req->expires_ms = now_ms + AUTH_REQUEST_TIMEOUT_MS;
	if (auth_params(c, req, f + 2, n - 2, &resp) < 0) {
		request_free(req);
		return -1;
	}
	client_unescape(f[1]);
	req->mech = client_mech(c, f[1]);
	if (req->mech == 0)
		return auth_refuse(c, req, NULL, "Unsupported authentication "
				   "mechanism", "unsupported mechanism", f[1]);
	if (c->n_req + c->n_delayed >= AUTH_REQUESTS_MAX)
		return auth_refuse(c, req, "temp_fail", "Too many authentications "
				   "in progress", "too many requests in progress",
				   NULL);
	if (c->env->set->plaintext_disabled && mech_plaintext(req->mech) &&
	    !client_secure_enough(req))
		return auth_refuse(c, req, "auth_mech_ssl_required",
				   client_ssl_required, "plaintext "
				   "authentication without TLS", NULL);
	c->req[c->n_req++] = req;
	if (auth_resp(c, resp, &has_data, &data) < 0) {
		struct auth_fail fl = { .kind = AUTH_FAIL_PROTOCOL,
			.code = "invalid_base64",
			.reason = "Invalid base64 data in initial response",
			.why = "invalid base64 in the initial response" };

		client_fail(c, req, &fl, now_ms);
	} else {
		mech_input(c, req, 1, has_data, (const unsigned char *)data.data,
			   data.len, now_ms);
	}
	if (data.data != NULL)
		explicit_bzero(data.data, data.cap);
	buf_free(&data);
	return 0;
}

static int client_cont_cmd(struct auth_client *c, char *args, uint64_t now_ms)
{
	struct auth_request *req;
	struct buf data = BUF_INIT;
	unsigned long id;
	char *tab = strchr(args, '\t');

	if (tab == NULL)
		return client_bug(c, "sent a broken CONT line", NULL);
	*tab++ = '\0';
	if (parse_uint(args, UINT32_MAX, &id) < 0)
		return client_bug(c, "sent a broken CONT line", NULL);
	req = client_find(c, (unsigned)id);
	if (req == NULL) {
		fail_now(c, (unsigned)id, NULL, "Authentication request timed out");
		return 0;
	}
	if (!req->want_cont) {
		struct auth_fail fl = { .kind = AUTH_FAIL_PROTOCOL,
			.user = req->user, .reason = "Unexpected continuation",
			.why = "unexpected CONT" };

		client_fail(c, req, &fl, now_ms);
		return 0;
	}
	req->want_cont = 0;
	buf_reserve(&data, strlen(tab) / 4 * 3 + 3);
	if (base64_decode(tab, strlen(tab), &data) < 0) {
		struct auth_fail fl = { .kind = AUTH_FAIL_PROTOCOL,
			.user = req->user, .code = "invalid_base64",
			.reason = "Invalid base64 data in continued response",
			.why = "invalid base64 in a continued response" };

		client_fail(c, req, &fl, now_ms);
	} else {
		mech_input(c, req, 0, 1, (const unsigned char *)data.data,
			   data.len, now_ms);
	}
	if (data.data != NULL)
		explicit_bzero(data.data, data.cap);
	buf_free(&data);
	return 0;
}

static int client_cancel(struct auth_client *c, const char *args)
{
	struct auth_request *req;
	unsigned long id;

	if (parse_uint(args, UINT32_MAX, &id) < 0)
		return client_bug(c, "sent a broken CANCEL line", NULL);
	req = client_find(c, (unsigned)id);
	if (req != NULL)
		client_remove(c, req);
	return 0;
}

/* client_handshake_line - VERSION, then CPID */
static int client_handshake_line(struct auth_client *c, char *line)
{
	char *f[4];
	size_t n = client_split(line, f, 4);
	unsigned long major, minor, pid;

	if (!c->have_version) {
		if (n != 3 || strcmp(f[0], "VERSION") != 0 ||
		    parse_uint(f[1], UINT32_MAX, &major) < 0 ||
		    parse_uint(f[2], UINT32_MAX, &minor) < 0)
			return client_bug(c, "sent no valid VERSION line", f[0]);
		if (major != AUTH_PROTOCOL_MAJOR)
			return client_bug(c, "speaks another protocol version",
					  f[1]);
		c->have_version = 1;
		c->minor = (unsigned)minor;
		return 0;
	}
	if (n != 2 || strcmp(f[0], "CPID") != 0 ||
	    parse_uint(f[1], UINT32_MAX, &pid) < 0 || pid == 0)
		return client_bug(c, "sent an unknown handshake command", f[0]);
	c->cpid = pid;
	c->have_cpid = 1;
	log_debug("client %s: handshake done, pid %lu, protocol 1.%u",
		  c->peer, c->cpid, c->minor);
	return 0;
}

/* client_line - one line (NUL-terminated, without its end) */
static int client_line(struct auth_client *c, char *line, size_t len,
		       uint64_t now_ms)
{
	char *f[CLIENT_FIELDS_MAX];
	size_t n;

	if (memchr(line, '\0', len) != NULL)
		return client_bug(c, "sent a NUL byte", NULL);
	if (!c->have_cpid)
		return client_handshake_line(c, line);
	if (strncmp(line, "AUTH\t", 5) == 0) {
		n = client_split(line + 5, f, CLIENT_FIELDS_MAX);
		return client_auth(c, f, n, now_ms);
	}
	if (strncmp(line, "CONT\t", 5) == 0)
		return client_cont_cmd(c, line + 5, now_ms);
	if (strncmp(line, "CANCEL\t", 7) == 0)
		return client_cancel(c, line + 7);
	line[strcspn(line, "\t")] = '\0';
	return client_bug(c, "sent an unknown command", line);
}

int auth_client_input(struct auth_client *c, const void *data, size_t len,
		      uint64_t now_ms)
{
	size_t pos = 0, end, line_len;
	char *nl;
	int ret = 0;

	buf_append(&c->in, data, len);
	while (ret == 0 && pos < c->in.len) {
		nl = memchr(c->in.data + pos, '\n', c->in.len - pos);
		if (nl == NULL) {
			if (c->in.len - pos > AUTH_LINE_MAX)
				ret = client_bug(c, "sent a line over 16384 bytes",
						 NULL);
			break;
		}
		end = (size_t)(nl - c->in.data);
		if (end - pos > AUTH_LINE_MAX) {
			ret = client_bug(c, "sent a line over 16384 bytes", NULL);
			break;
		}
		line_len = end - pos;
		if (line_len > 0 && c->in.data[end - 1] == '\r')
			line_len--;
		c->in.data[pos + line_len] = '\0';
		ret = client_line(c, c->in.data + pos, line_len, now_ms);
		pos = end + 1;
	}
	/* wipe what was handled: it held passwords */
	if (pos > 0) {
		explicit_bzero(c->in.data, pos);
		memmove(c->in.data, c->in.data + pos, c->in.len - pos);
		explicit_bzero(c->in.data + c->in.len - pos, pos);
		buf_truncate(&c->in, c->in.len - pos);
	}
	return ret;
}

const char *auth_client_output(const struct auth_client *c, size_t *len_r)
{
	*len_r = c->out.len - c->out_pos;
	return c->out.data != NULL ? c->out.data + c->out_pos : "";
}

void auth_client_sent(struct auth_client *c, size_t n)
{
	c->out_pos += n;
	if (c->out_pos >= c->out.len) {
		buf_reset(&c->out);
		c->out_pos = 0;
	}
}

int auth_client_throttled(const struct auth_client *c)
{
	return c->out.len - c->out_pos > AUTH_OUT_THROTTLE;
}

uint64_t auth_client_next_timer(const struct auth_client *c)
{
	uint64_t next = c->have_cpid ? UINT64_MAX : c->handshake_deadline;
	size_t i;

	for (i = 0; i < c->n_delayed; i++) {
		if (c->delayed[i].due_ms < next)
			next = c->delayed[i].due_ms;
	}
	for (i = 0; i < c->n_req; i++) {
		if (c->req[i]->expires_ms < next)
			next = c->req[i]->expires_ms;
	}
	return next;
}

/* client_release - queue delayed FAILs due by now (all: UINT64_MAX) */
static void client_release(struct auth_client *c, uint64_t now_ms)
{
	size_t i = 0;

	while (i < c->n_delayed) {
		if (c->delayed[i].due_ms > now_ms) {
			i++;
			continue;
		}
		buf_append_str(&c->out, c->delayed[i].line);
		buf_append_char(&c->out, '\n');
		free(c->delayed[i].line);
		/* keep the order of the rest */
		memmove(&c->delayed[i], &c->delayed[i + 1],
			(c->n_delayed - i - 1) * sizeof(c->delayed[0]));
		c->n_delayed--;
	}
}

int auth_client_timers(struct auth_client *c, uint64_t now_ms)
{
	size_t i = 0;

	if (!c->have_cpid && now_ms >= c->handshake_deadline)
		return client_bug(c, "did not finish the handshake in time", NULL);
	client_release(c, now_ms);
	while (i < c->n_req) {
		if (c->req[i]->expires_ms > now_ms) {
			i++;
			continue;
		}
		log_info("client %s (pid %lu): request %u timed out waiting for "
			 "the client", c->peer, c->cpid, c->req[i]->id);
		client_remove(c, c->req[i]);
	}
	return 0;
}

void auth_client_flush_delayed(struct auth_client *c)
{
	client_release(c, UINT64_MAX);
}

int auth_client_idle(const struct auth_client *c)
{
	return c->n_req == 0 && c->n_delayed == 0 && c->out.len == c->out_pos;
}
