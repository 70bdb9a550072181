/* mech.c - the SASL mechanisms and the password check.
 *
 * PLAIN (RFC 4616): authzid NUL authcid NUL password, in the initial
 * response or after an empty CONT; an authzid other than the authcid
 * (logging in as someone else) is refused: there are no master users.
 * LOGIN (draft-murchison-sasl-login): "Username:" and "Password:"
 * prompts; an initial response is the user name. CRAM-MD5 (RFC 2195):
 * a challenge, then "user digest", checked against the secret
 * passdb_credentials gives (a plaintext or {CRAM-MD5} password).
 * As in Dovecot, user names get auth_default_realm when they have no
 * '@', must use only auth_username_chars, and passwords with TAB, CR,
 * LF, \001 or NUL are refused before any lookup. The client's
 * service= (Postfix sends "smtp") is the %s of SQL and LDAP queries,
 * as in Dovecot.
 */
#include "auto-config.h"
#include "client-private.h"

#include "lib/sql.h"
#include "lib/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

static const char mech_blocked[] =
	"Too many failed authentications from your address, try again later";
static const char mech_tempfail[] =
	"Temporary authentication failure, try again later";

int mech_plaintext(enum auth_mech mech)
{
	return mech == AUTH_MECH_PLAIN || mech == AUTH_MECH_LOGIN;
}

/* mech_fail - a failure with the default wording */
static void mech_fail(struct auth_client *c, struct auth_request *req,
		      enum auth_fail_kind kind, const char *user,
		      const char *why, uint64_t now_ms)
{
	struct auth_fail f = { .kind = kind, .user = user, .why = why };

	if (kind == AUTH_FAIL_TEMP) {
		f.code = "temp_fail";
		f.reason = mech_tempfail;
	} else if (kind == AUTH_FAIL_BLOCKED) {
		f.reason = mech_blocked;
	}
	client_fail(c, req, &f, now_ms);
}

/* mech_user - the name to look up into name: the realm added, checked;
 * NULL why_r when it may be used */
static void mech_user(const struct auth_client *c, const char *given,
		      struct buf *name, const char **why_r)
{
	const struct auth_settings *set = c->env->set;
	const unsigned char *p;

	buf_append_str(name, given);
	if (*set->default_realm != '\0' && strchr(given, '@') == NULL)
		buf_printf(name, "@%s", set->default_realm);
	*why_r = NULL;
	if (*given == '\0')
		*why_r = "empty user name";
	else if (name->len > AUTH_USER_MAX)
		*why_r = "user name too long";
	for (p = (const unsigned char *)buf_cstr(name); *why_r == NULL && *p;
	     p++) {
		if (*p < 0x20 || *p == 0x7f ||
		    (!set->username_chars_any && !set->username_chars[*p]))
			*why_r = "user name with a character auth_username_chars "
				 "does not allow";
	}
}

/* password_allowed - none of the bytes Dovecot refuses in passwords */
static int password_allowed(const unsigned char *pw, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (pw[i] == '\0' || pw[i] == '\001' || pw[i] == '\t' ||
		    pw[i] == '\r' || pw[i] == '\n')
			return 0;
	}
	return 1;
}

/* reply_field - a passdb extra field, NULL when not given */
static const char *reply_field(const struct passdb_reply *r, const char *key)
{
	size_t i;

	for (i = 0; i < r->n_fields; i++) {
		if (strcmp(r->fields[i].key, key) == 0)
			return r->fields[i].value;
	}
	return NULL;
}

/* mech_result - the passdb's answer for name (given by the client as
 * given), into OK or FAIL */
static void mech_result(struct auth_client *c, struct auth_request *req,
			const char *given, const char *name,
			enum passdb_result r, const struct passdb_reply *reply,
			const struct sl_err *err, uint64_t now_ms)
{
	struct auth_fail f = { .kind = AUTH_FAIL_CREDENTIALS, .user = name };

	switch (r) {
	case PASSDB_OK:
		if (reply_field(reply, "nologin") == NULL) {
			client_ok(c, req, reply->user != NULL ? reply->user : name,
				  given);
			return;
		}
		f.why = "the passdb says nologin";
		f.reason = reply_field(reply, "reason");
		break;
	case PASSDB_MISMATCH:
		f.why = req->mech == AUTH_MECH_CRAM_MD5 ? "digest mismatch"
							: "password mismatch";
		break;
	case PASSDB_NOUSER:
		f.why = "unknown user";
		break;
	case PASSDB_TEMPFAIL:
	default:
		f.kind = AUTH_FAIL_TEMP;
		f.code = "temp_fail";
		f.reason = mech_tempfail;
		f.why = err->text[0] != '\0' ? err->text : "passdb lookup failed";
		break;
	}
	f.nodelay = reply_field(reply, "nodelay") != NULL;
	client_fail(c, req, &f, now_ms);
}

/* mech_check_user - the name to use into name; 0, or -1 when the
 * request failed (refused name, blocked address) */
static int mech_check_user(struct auth_client *c, struct auth_request *req,
			   const char *given, struct buf *name,
			   uint64_t now_ms)
{
	const char *why;

	mech_user(c, given, name, &why);
	if (why != NULL) {
		/* Dovecot names the refused name twice */
		struct auth_fail f = { .kind = AUTH_FAIL_CREDENTIALS,
			.user = *given != '\0' ? given : NULL,
			.original = *given != '\0' ? given : NULL, .why = why };

		client_fail(c, req, &f, now_ms);
		return -1;
	}
	if (c->env->penalty != NULL && req->rip != NULL && !req->no_penalty &&
	    penalty_blocked(c->env->penalty, req->rip, now_ms) > 0) {
		mech_fail(c, req, AUTH_FAIL_BLOCKED, buf_cstr(name),
			  "the remote address is blocked", now_ms);
		return -1;
	}
	return 0;
}

/* mech_verify - check a plaintext password */
static void mech_verify(struct auth_client *c, struct auth_request *req,
			const char *given, const unsigned char *pw, size_t len,
			uint64_t now_ms)
{
	struct buf name = BUF_INIT;
	struct passdb_reply reply;
	struct sl_err err;
	struct pool *pool;
	enum passdb_result r;

	if (mech_check_user(c, req, given, &name, now_ms) == 0) {
		if (!password_allowed(pw, len)) {
			mech_fail(c, req, AUTH_FAIL_CREDENTIALS, buf_cstr(&name),
				  "password with a character not allowed", now_ms);
		} else {
			pool = pool_new(1024);
			memset(&reply, 0, sizeof(reply));
			err_clear(&err);
			sql_set_service(req->service);
			r = c->env->passdb->verify(c->env->passdb->ctx, pool,
						   buf_cstr(&name),
						   (const char *)pw, len, &reply,
						   &err);
			mech_result(c, req, given, buf_cstr(&name), r, &reply,
				    &err, now_ms);
			pool_free(&pool);
		}
	}
	buf_free(&name);
}

/* mech_plain - authzid NUL authcid NUL password */
static void mech_plain(struct auth_client *c, struct auth_request *req,
		       const unsigned char *data, size_t len, uint64_t now_ms)
{
	const unsigned char *nul1, *nul2;
	char *authzid, *authcid;

	nul1 = len > 0 ? memchr(data, '\0', len) : NULL;
	nul2 = nul1 != NULL ? memchr(nul1 + 1, '\0',
				     len - (size_t)(nul1 + 1 - data)) : NULL;
	if (nul2 == NULL || memchr(nul2 + 1, '\0',
				   len - (size_t)(nul2 + 1 - data)) != NULL) {
		mech_fail(c, req, AUTH_FAIL_CREDENTIALS, NULL,
			  "PLAIN data is not authzid NUL authcid NUL password",
			  now_ms);
		return;
	}
	authzid = xstrndup((const char *)data, (size_t)(nul1 - data));
	authcid = xstrndup((const char *)nul1 + 1, (size_t)(nul2 - nul1 - 1));
	if (*authzid != '\0' && strcmp(authzid, authcid) != 0) {
		struct auth_fail f = { .kind = AUTH_FAIL_CREDENTIALS,
			.user = authcid, .why = "authorization id differs from "
			"the user (no master users)" };

		client_fail(c, req, &f, now_ms);
	} else {
		mech_verify(c, req, authcid, nul2 + 1,
			    len - (size_t)(nul2 + 1 - data), now_ms);
	}
	free(authzid);
	free(authcid);
}

/* mech_login - the user name, then the password */
static void mech_login(struct auth_client *c, struct auth_request *req,
		       int initial, const unsigned char *data, size_t len,
		       uint64_t now_ms)
{
	struct buf name = BUF_INIT;

	if (req->user != NULL) {
		mech_verify(c, req, req->user, data, len, now_ms);
		return;
	}
	if (initial && len == 0) {
		client_cont(c, req, "Username:", 9);
		return;
	}
	req->user = xstrndup((const char *)data, len);
	if (mech_check_user(c, req, req->user, &name, now_ms) == 0)
		client_cont(c, req, "Password:", 9);
	buf_free(&name);
}

/* mech_challenge - RFC 2195's <random.time@host> */
static void mech_challenge(struct auth_client *c, struct auth_request *req)
{
	unsigned char r[16];
	char digits[17];
	size_t i;

	if (getrandom(r, sizeof(r), 0) != (ssize_t)sizeof(r))
		for (i = 0; i < sizeof(r); i++)
			r[i] = (unsigned char)random();
	for (i = 0; i < sizeof(r); i++)
		digits[i] = (char)('0' + r[i] % 10);
	digits[sizeof(r)] = '\0';
	free(req->challenge);
	req->challenge = xmalloc(64 + strlen(c->env->set->hostname));
	(void)snprintf(req->challenge, 64 + strlen(c->env->set->hostname),
		       "<%s.%lld@%s>", digits, (long long)time(NULL),
		       c->env->set->hostname);
	client_cont(c, req, req->challenge, strlen(req->challenge));
}

/* digest_equal - a 32-hex-digit response, either case, in constant time */
static int digest_equal(const char *got, size_t got_len, const char *want)
{
	unsigned char diff = 0;
	size_t i;

	if (got_len != 32)
		return 0;
	for (i = 0; i < 32; i++) {
		unsigned char g = (unsigned char)got[i];

		if (g >= 'A' && g <= 'F')
			g = (unsigned char)(g - 'A' + 'a');
		diff |= (unsigned char)(g ^ (unsigned char)want[i]);
	}
	return diff == 0;
}

/* mech_cram_check - the stored secret against the client's digest */
static void mech_cram_check(struct auth_client *c, struct auth_request *req,
			    const char *given, const char *name,
			    const char *digest, size_t digest_len,
			    uint64_t now_ms)
{
	struct buf secret = BUF_INIT;
	struct passdb_reply reply;
	struct sl_err err;
	struct pool *pool = pool_new(1024);
	enum passdb_result r;
	char want[33];

	memset(&reply, 0, sizeof(reply));
	err_clear(&err);
	sql_set_service(req->service);
	r = c->env->passdb->credentials(c->env->passdb->ctx, pool, name,
					"CRAM-MD5", &secret, &reply, &err);
	if (r == PASSDB_OK) {
		if (md5_cram_response(buf_cstr(&secret), req->challenge,
				      strlen(req->challenge), want) < 0) {
			r = PASSDB_TEMPFAIL;
			err_set(&err, ERR_TEMP, "the passdb gave a CRAM-MD5 "
				"secret that is not 64 hex digits");
		} else if (!digest_equal(digest, digest_len, want)) {
			r = PASSDB_MISMATCH;
		}
	} else if (r == PASSDB_MISMATCH) {
		struct auth_fail f = { .kind = AUTH_FAIL_CREDENTIALS,
			.user = name, .why = "the stored password cannot do "
			"CRAM-MD5 (not plaintext or {CRAM-MD5})" };

		client_fail(c, req, &f, now_ms);
		goto out;
	}
	mech_result(c, req, given, name, r, &reply, &err, now_ms);
out:
	if (secret.data != NULL)
		explicit_bzero(secret.data, secret.cap);
	buf_free(&secret);
	explicit_bzero(want, sizeof(want));
	pool_free(&pool);
}

/* mech_cram - "user digest" (the last space separates them) */
static void mech_cram(struct auth_client *c, struct auth_request *req,
		      const unsigned char *data, size_t len, uint64_t now_ms)
{
	struct buf name = BUF_INIT;
	const unsigned char *sp = NULL;
	char *given;
	size_t i;

	for (i = 0; i < len && data[i] != '\0'; i++) {
		if (data[i] == ' ')
			sp = data + i;
	}
	if (i < len || sp == NULL) {
		mech_fail(c, req, AUTH_FAIL_CREDENTIALS, NULL,
			  i < len ? "NUL in the CRAM-MD5 response"
				  : "CRAM-MD5 response without a digest", now_ms);
		return;
	}
	given = xstrndup((const char *)data, (size_t)(sp - data));
	if (mech_check_user(c, req, given, &name, now_ms) == 0)
		mech_cram_check(c, req, given, buf_cstr(&name),
				(const char *)sp + 1, len - (size_t)(sp + 1 - data),
				now_ms);
	free(given);
	buf_free(&name);
}

void mech_input(struct auth_client *c, struct auth_request *req,
		int initial, int has_data, const unsigned char *data,
		size_t len, uint64_t now_ms)
{
	if (data == NULL)
		data = (const unsigned char *)"";
	switch (req->mech) {
	case AUTH_MECH_PLAIN:
		if (initial && !has_data)
			client_cont(c, req, "", 0);
		else
			mech_plain(c, req, data, len, now_ms);
		break;
	case AUTH_MECH_LOGIN:
		mech_login(c, req, initial, data, len, now_ms);
		break;
	case AUTH_MECH_CRAM_MD5:
		if (initial)
			mech_challenge(c, req);
		else
			mech_cram(c, req, data, len, now_ms);
		break;
	}
}
