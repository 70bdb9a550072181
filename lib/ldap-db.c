/* ldap-db.c - shared LDAP connections through libldap (dlopen()ed on the
 * first connection), searches and password binds with timeouts,
 * results, the lookup cache */
#include "auto-config.h"
#include "dynlib.h"
#include "ldap-db.h"
#include "ttl-cache.h"
#include "xalloc.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/time.h>
#include <time.h>

struct ldap_db {
	struct ldap_db *next;	/* the process's open databases */
	unsigned refs;
	struct ldap_conf *conf;
	unsigned connect_timeout_ms, timeout_ms;
	void *ld;		/* LDAP *: lookups, bound as dn; NULL: none */
	void *bind_ld;		/* LDAP *: password binds; NULL: none */
	int timed_out;		/* the last operation got no answer in time:
				   no second try (it would only wait again) */
	struct ttl_cache *cache;	/* search -> result */
};

static struct ldap_db *ldap_dbs;

/* ---- results ---- */

static struct ldap_db_result *result_new(void)
{
	struct ldap_db_result *res = xcalloc(1, sizeof(*res));

	res->pool = pool_new(4096);
	return res;
}

void ldap_db_result_free(struct ldap_db_result **rp)
{
	struct ldap_db_result *res = *rp;

	if (res == NULL)
		return;
	pool_free(&res->pool);
	free(res->entries);
	x_free(rp);
}

/* result_add - a new entry at the end (attributes set by the caller) */
static struct ldap_db_entry *result_add(struct ldap_db_result *res,
					const char *dn)
{
	struct ldap_db_entry *e;

	res->entries = xreallocarray(res->entries, res->n_entries + 1,
				     sizeof(*res->entries));
	e = &res->entries[res->n_entries++];
	memset(e, 0, sizeof(*e));
	e->dn = pool_strdup(res->pool, dn != NULL ? dn : "");
	return e;
}

/* attr_copy - dst (in pool) as a copy of src */
static void attr_copy(struct pool *pool, struct ldap_db_attr *dst,
		      const struct ldap_db_attr *src)
{
	const char **values = pool_alloc_array(pool, src->n_values + 1,
					       sizeof(*values));
	size_t *lens = pool_alloc_array(pool, src->n_values + 1,
					sizeof(*lens));
	size_t i;

	for (i = 0; i < src->n_values; i++) {
		values[i] = pool_strndup(pool, src->values[i], src->lens[i]);
		lens[i] = src->lens[i];
	}
	dst->name = pool_strdup(pool, src->name);
	dst->n_values = src->n_values;
	dst->values = values;
	dst->lens = lens;
}

/* result_copy - a deep copy (the cache hands out copies) */
static struct ldap_db_result *result_copy(const struct ldap_db_result *src)
{
	struct ldap_db_result *res = result_new();
	size_t i, j;

	for (i = 0; i < src->n_entries; i++) {
		const struct ldap_db_entry *s = &src->entries[i];
		struct ldap_db_entry *e = result_add(res, s->dn);
		struct ldap_db_attr *attrs;

		attrs = pool_alloc_array(res->pool, s->n_attrs + 1,
					 sizeof(*attrs));
		for (j = 0; j < s->n_attrs; j++)
			attr_copy(res->pool, &attrs[j], &s->attrs[j]);
		e->attrs = attrs;
		e->n_attrs = s->n_attrs;
	}
	res->more = src->more;
	return res;
}

const struct ldap_db_attr *ldap_db_entry_attr(const struct ldap_db_entry *e,
					      const char *name)
{
	size_t i;

	for (i = 0; i < e->n_attrs; i++) {
		if (strcasecmp(e->attrs[i].name, name) == 0)
			return &e->attrs[i];
	}
	return NULL;
}

/* ---- the cache ---- */

static void cache_value_free(void *value)
{
	struct ldap_db_result *res = value;

	ldap_db_result_free(&res);
}

/* cache_key - what identifies a search: base, filter, attributes and
 * how many entries were asked for, NUL-separated */
static void cache_key(struct buf *key, const char *base, const char *filter,
		      char *const *attrs, size_t max_entries)
{
	size_t i;

	buf_append(key, base, strlen(base) + 1);
	buf_append(key, filter, strlen(filter) + 1);
	for (i = 0; attrs[i] != NULL; i++)
		buf_append(key, attrs[i], strlen(attrs[i]) + 1);
	buf_printf(key, "%zu", max_entries);
}

#ifdef HAVE_LDAP

#include <ldap.h>

/* now_ms - CLOCK_MONOTONIC in milliseconds (the operations' deadlines) */
static uint64_t now_ms(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* the entry points, typed by ldap.h (naming them links nothing) */
static struct {
	__typeof__(&ldap_initialize) initialize;
	__typeof__(&ldap_set_option) set_option;
	__typeof__(&ldap_get_option) get_option;
	__typeof__(&ldap_start_tls_s) start_tls_s;
	__typeof__(&ldap_sasl_bind) sasl_bind;
	__typeof__(&ldap_search_ext) search_ext;
	__typeof__(&ldap_result) result;
	__typeof__(&ldap_parse_result) parse_result;
	__typeof__(&ldap_msgtype) msgtype;
	__typeof__(&ldap_msgfree) msgfree;
	__typeof__(&ldap_first_entry) first_entry;
	__typeof__(&ldap_get_dn) get_dn;
	__typeof__(&ldap_first_attribute) first_attribute;
	__typeof__(&ldap_next_attribute) next_attribute;
	__typeof__(&ldap_get_values_len) get_values_len;
	__typeof__(&ldap_value_free_len) value_free_len;
	__typeof__(&ldap_memfree) memfree;
	__typeof__(&ber_free) ber_free;
	__typeof__(&ldap_abandon_ext) abandon_ext;
	__typeof__(&ldap_unbind_ext) unbind_ext;
	__typeof__(&ldap_err2string) err2string;
} L;
static const struct dynlib_sym ld_syms[] = {
	DYNLIB_SYM("ldap_initialize", L.initialize),
	DYNLIB_SYM("ldap_set_option", L.set_option),
	DYNLIB_SYM("ldap_get_option", L.get_option),
	DYNLIB_SYM("ldap_start_tls_s", L.start_tls_s),
	DYNLIB_SYM("ldap_sasl_bind", L.sasl_bind),
	DYNLIB_SYM("ldap_search_ext", L.search_ext),
	DYNLIB_SYM("ldap_result", L.result),
	DYNLIB_SYM("ldap_parse_result", L.parse_result),
	DYNLIB_SYM("ldap_msgtype", L.msgtype),
	DYNLIB_SYM("ldap_msgfree", L.msgfree),
	DYNLIB_SYM("ldap_first_entry", L.first_entry),
	DYNLIB_SYM("ldap_get_dn", L.get_dn),
	DYNLIB_SYM("ldap_first_attribute", L.first_attribute),
	DYNLIB_SYM("ldap_next_attribute", L.next_attribute),
	DYNLIB_SYM("ldap_get_values_len", L.get_values_len),
	DYNLIB_SYM("ldap_value_free_len", L.value_free_len),
	DYNLIB_SYM("ldap_memfree", L.memfree),
	DYNLIB_SYM("ber_free", L.ber_free),
	DYNLIB_SYM("ldap_abandon_ext", L.abandon_ext),
	DYNLIB_SYM("ldap_unbind_ext", L.unbind_ext),
	DYNLIB_SYM("ldap_err2string", L.err2string),
};
static struct dynlib ld_lib = DYNLIB_INIT("libldap", LDAP_SONAME, ld_syms);

/* ld_load - load once; 0 or -1 with err */
static int ld_load(const struct ldap_conf *c, struct sl_err *err)
{
	int first = ld_lib.state == 0;

	/* libldap reads LDAPRC when it first initializes, once per process
	 * (as in Dovecot) */
	if (first && c->ldaprc_path != NULL && *c->ldaprc_path != '\0')
		(void)setenv("LDAPRC", c->ldaprc_path, 1);
	if (dynlib_load(&ld_lib, err) < 0)
		return -1;
	if (first && c->debug_level > 0)
		(void)L.set_option(NULL, LDAP_OPT_DEBUG_LEVEL, &c->debug_level);
	return 0;
}

/* ld_close - unbind and forget a connection */
static void ld_close(void **ldp)
{
	if (*ldp != NULL)
		(void)L.unbind_ext(*ldp, NULL, NULL);
	*ldp = NULL;
}

/* ld_errstr - the last error of a connection, as text */
static const char *ld_errstr(LDAP *ld)
{
	int code = LDAP_OTHER;

	(void)L.get_option(ld, LDAP_OPT_RESULT_CODE, &code);
	return L.err2string(code);
}

/* ld_tv - milliseconds as a timeval */
static struct timeval ld_tv(unsigned ms)
{
	struct timeval tv;

	tv.tv_sec = (time_t)(ms / 1000);
	tv.tv_usec = (suseconds_t)(ms % 1000) * 1000;
	return tv;
}

/* ld_tls_options - the tls_* keys on one connection, and a TLS context
 * of its own made from them */
static int ld_tls_options(const struct ldap_conf *c, LDAP *ld,
			  struct sl_err *err)
{
	static const int certs[] = { 0, LDAP_OPT_X_TLS_NEVER,
		LDAP_OPT_X_TLS_HARD, LDAP_OPT_X_TLS_DEMAND,
		LDAP_OPT_X_TLS_ALLOW, LDAP_OPT_X_TLS_TRY };
	const struct { int opt; const char *value, *key; } opts[] = {
		{ LDAP_OPT_X_TLS_CACERTFILE, c->tls_ca_cert_file,
		  "tls_ca_cert_file" },
		{ LDAP_OPT_X_TLS_CACERTDIR, c->tls_ca_cert_dir,
		  "tls_ca_cert_dir" },
		{ LDAP_OPT_X_TLS_CERTFILE, c->tls_cert_file, "tls_cert_file" },
		{ LDAP_OPT_X_TLS_KEYFILE, c->tls_key_file, "tls_key_file" },
		{ LDAP_OPT_X_TLS_CIPHER_SUITE, c->tls_cipher_suite,
		  "tls_cipher_suite" },
	};
	size_t i;
	int any = 0, v, rc;

	for (i = 0; i < sizeof(opts) / sizeof(opts[0]); i++) {
		if (opts[i].value == NULL)
			continue;
		any = 1;
		if ((rc = L.set_option(ld, opts[i].opt, opts[i].value)) !=
		    LDAP_OPT_SUCCESS)
			return err_set(err, ERR_TEMP, "%s: %s %s: %s", c->path,
				       opts[i].key, opts[i].value,
				       L.err2string(rc));
	}
	if (c->tls_require_cert != LDAP_CONF_CERT_UNSET) {
		any = 1;
		v = certs[c->tls_require_cert];
		(void)L.set_option(ld, LDAP_OPT_X_TLS_REQUIRE_CERT, &v);
	}
	v = 0;
	if (any && (rc = L.set_option(ld, LDAP_OPT_X_TLS_NEWCTX, &v)) !=
	    LDAP_OPT_SUCCESS)
		return err_set(err, ERR_TEMP, "%s: TLS settings: %s", c->path,
			       L.err2string(rc));
	return 0;
}

/* ld_options - version, deref, timeouts, no referrals, TLS */
static int ld_options(struct ldap_db *db, LDAP *ld, struct sl_err *err)
{
	static const int derefs[] = { LDAP_DEREF_NEVER, LDAP_DEREF_SEARCHING,
				      LDAP_DEREF_FINDING, LDAP_DEREF_ALWAYS };
	const struct ldap_conf *c = db->conf;
	struct timeval net = ld_tv(db->connect_timeout_ms);
	struct timeval api = ld_tv(db->timeout_ms);
	int version = (int)c->ldap_version, deref = derefs[c->deref];
	static int on = 1;	/* LDAP_OPT_ON names a liblber variable */

	if (L.set_option(ld, LDAP_OPT_PROTOCOL_VERSION, &version) !=
	    LDAP_OPT_SUCCESS ||
	    L.set_option(ld, LDAP_OPT_DEREF, &deref) != LDAP_OPT_SUCCESS ||
	    L.set_option(ld, LDAP_OPT_NETWORK_TIMEOUT, &net) !=
	    LDAP_OPT_SUCCESS ||
	    L.set_option(ld, LDAP_OPT_TIMEOUT, &api) != LDAP_OPT_SUCCESS ||
	    L.set_option(ld, LDAP_OPT_REFERRALS, LDAP_OPT_OFF) !=
	    LDAP_OPT_SUCCESS ||
	    L.set_option(ld, LDAP_OPT_RESTART, &on) !=
	    LDAP_OPT_SUCCESS)
		return err_set(err, ERR_TEMP, "%s: cannot set the connection's "
			       "options", c->path);
	return ld_tls_options(c, ld, err);
}

/* ld_wait - the next answer to msgid (all: the whole of it) before
 * deadline_ms: its type with *msg_r, or -1 with err (ERR_TEMP: a
 * timeout, the connection lost) */
static int ld_wait(struct ldap_db *db, LDAP *ld, int msgid, int all,
		   uint64_t deadline_ms, LDAPMessage **msg_r,
		   struct sl_err *err)
{
	uint64_t now = now_ms();
	struct timeval tv = ld_tv(deadline_ms > now
				  ? (unsigned)(deadline_ms - now) : 1);
	int rc;

	*msg_r = NULL;
	rc = L.result(ld, msgid, all ? LDAP_MSG_ALL : LDAP_MSG_ONE, &tv, msg_r);
	if (rc == 0) {
		db->timed_out = 1;
		(void)L.abandon_ext(ld, msgid, NULL, NULL);
		return err_set(err, ERR_TEMP, "%s: no answer within %u ms",
			       db->conf->uri_list, db->timeout_ms);
	}
	if (rc < 0 || *msg_r == NULL)
		return err_set(err, ERR_TEMP, "%s: %s", db->conf->uri_list,
			       ld_errstr(ld));
	return rc;
}

/* ld_bind - a simple bind: 0 with *code_r the server's answer
 * (LDAP_SUCCESS, LDAP_INVALID_CREDENTIALS...), -1 with err when there
 * was none (ERR_TEMP). The password goes nowhere but the server. */
static int ld_bind(struct ldap_db *db, LDAP *ld, const char *dn,
		   const char *pw, size_t len, int *code_r, struct sl_err *err)
{
	struct berval cred;
	LDAPMessage *msg = NULL;
	int msgid = -1, rc;

	cred.bv_val = (char *)(uintptr_t)(pw != NULL ? pw : "");
	cred.bv_len = pw != NULL ? len : 0;
	rc = L.sasl_bind(ld, dn, LDAP_SASL_SIMPLE, &cred, NULL, NULL, &msgid);
	if (rc != LDAP_SUCCESS)
		return err_set(err, ERR_TEMP, "%s: %s", db->conf->uri_list,
			       L.err2string(rc));
	if (ld_wait(db, ld, msgid, 1, now_ms() + db->timeout_ms, &msg,
		    err) < 0)
		return -1;
	rc = L.parse_result(ld, msg, code_r, NULL, NULL, NULL, NULL, 1);
	if (rc != LDAP_SUCCESS)
		return err_set(err, ERR_TEMP, "%s: %s", db->conf->uri_list,
			       L.err2string(rc));
	return 0;
}

/* ld_connect - a new connection (StartTLS with tls = yes); not bound */
static int ld_connect(struct ldap_db *db, void **ldp, struct sl_err *err)
{
	const struct ldap_conf *c = db->conf;
	LDAP *ld = NULL;
	int rc;

	if (ld_load(c, err) < 0)
		return -1;
	if ((rc = L.initialize(&ld, c->uri_list)) != LDAP_SUCCESS)
		return err_set(err, ERR_TEMP, "%s: uris %s: %s", c->path,
			       c->uri_list, L.err2string(rc));
	*ldp = ld;
	if (ld_options(db, ld, err) < 0) {
		ld_close(ldp);
		return -1;
	}
	if (c->tls && (rc = L.start_tls_s(ld, NULL, NULL)) != LDAP_SUCCESS) {
		err_set(err, ERR_TEMP, "%s: StartTLS: %s", c->uri_list,
			L.err2string(rc));
		ld_close(ldp);
		return -1;
	}
	return 0;
}

/* ld_connect_lookup - the lookup connection, bound as dn */
static int ld_connect_lookup(struct ldap_db *db, struct sl_err *err)
{
	const struct ldap_conf *c = db->conf;
	const char *pw = c->dnpass != NULL ? c->dnpass : "";
	int code;

	if (ld_connect(db, &db->ld, err) < 0)
		return -1;
	if (ld_bind(db, db->ld, c->dn != NULL ? c->dn : "", pw, strlen(pw),
		    &code, err) < 0) {
		ld_close(&db->ld);
		return -1;
	}
	if (code != LDAP_SUCCESS) {
		err_set(err, ERR_TEMP, "%s: bind as '%s': %s", c->uri_list,
			c->dn != NULL ? c->dn : "", L.err2string(code));
		ld_close(&db->ld);
		return -1;
	}
	return 0;
}

/* ld_attr - one attribute of an entry into *a (res's pool); values
 * beyond the limits are an error, never cut silently */
static int ld_attr(struct ldap_db_result *res, const char *name,
		   struct berval **vals, struct ldap_db_attr *a,
		   struct sl_err *err)
{
	size_t n = 0, i;
	const char **values;
	size_t *lens;

	while (vals != NULL && vals[n] != NULL)
		n++;
	if (n > LDAP_ATTR_VALUES_MAX)
		return err_set(err, ERR_TEMP, "attribute %s has more than %d "
			       "values", name, LDAP_ATTR_VALUES_MAX);
	values = pool_alloc_array(res->pool, n + 1, sizeof(*values));
	lens = pool_alloc_array(res->pool, n + 1, sizeof(*lens));
	for (i = 0; i < n; i++) {
		if (vals[i]->bv_len > LDAP_VALUE_MAX)
			return err_set(err, ERR_TEMP, "attribute %s holds a value "
				       "over %d bytes", name, LDAP_VALUE_MAX);
		values[i] = pool_strndup(res->pool, vals[i]->bv_val,
					 vals[i]->bv_len);
		lens[i] = vals[i]->bv_len;
	}
	a->name = pool_strdup(res->pool, name);
	a->n_values = n;
	a->values = values;
	a->lens = lens;
	return 0;
}

/* ld_entry - an entry message into res */
static int ld_entry(LDAP *ld, LDAPMessage *msg, struct ldap_db_result *res,
		    struct sl_err *err)
{
	LDAPMessage *m = L.first_entry(ld, msg);
	struct ldap_db_attr *attrs;
	struct ldap_db_entry *e;
	BerElement *ber = NULL;
	char *dn, *name;
	int r = 0;

	if (m == NULL)
		return 0;
	dn = L.get_dn(ld, m);
	e = result_add(res, dn);
	if (dn != NULL)
		L.memfree(dn);
	attrs = pool_alloc_array(res->pool, LDAP_ENTRY_ATTRS_MAX + 1,
				 sizeof(*attrs));
	for (name = L.first_attribute(ld, m, &ber); name != NULL && r == 0;
	     name = L.next_attribute(ld, m, ber)) {
		struct berval **vals = L.get_values_len(ld, m, name);

		if (e->n_attrs == LDAP_ENTRY_ATTRS_MAX)
			r = err_set(err, ERR_TEMP, "an entry with more than %d "
				    "attributes", LDAP_ENTRY_ATTRS_MAX);
		else if ((r = ld_attr(res, name, vals, &attrs[e->n_attrs],
				      err)) == 0)
			e->n_attrs++;
		if (vals != NULL)
			L.value_free_len(vals);
		L.memfree(name);
	}
	if (ber != NULL)
		L.ber_free(ber, 0);
	e->attrs = attrs;
	return r;
}

/* ld_search_done - the search's final result: 0, or -1 with err */
static int ld_search_done(struct ldap_db *db, LDAP *ld, LDAPMessage *msg,
			  const char *base, int nosuch_ok,
			  struct ldap_db_result *res, struct sl_err *err)
{
	char *text = NULL;
	int code = LDAP_OTHER, rc;

	rc = L.parse_result(ld, msg, &code, NULL, &text, NULL, NULL, 1);
	if (rc != LDAP_SUCCESS)
		code = rc;
	if (code == LDAP_SIZELIMIT_EXCEEDED)
		res->more = 1;
	if (code == LDAP_SUCCESS || code == LDAP_SIZELIMIT_EXCEEDED ||
	    (code == LDAP_NO_SUCH_OBJECT && nosuch_ok)) {
		if (text != NULL)
			L.memfree(text);
		return 0;
	}
	err_set(err, ERR_TEMP, "%s: search in '%s': %s%s%s",
		db->conf->uri_list, base, L.err2string(code),
		text != NULL && *text != '\0' ? ": " : "",
		text != NULL ? text : "");
	if (text != NULL)
		L.memfree(text);
	return -1;
}

/* ld_search - one search on ld: 0 with res filled, -1 with err;
 * *answered says the server itself refused (a new connection would not
 * help) */
static int ld_search(struct ldap_db *db, LDAP *ld, const char *base,
		     const char *filter, char *const *attrs, size_t max,
		     int nosuch_ok, struct ldap_db_result *res,
		     int *answered, struct sl_err *err)
{
	static char no_attrs_oid[] = "1.1";	/* RFC 4511: no attributes */
	static char *no_attrs[] = { no_attrs_oid, NULL };
	static const int scopes[] = { LDAP_SCOPE_BASE, LDAP_SCOPE_ONELEVEL,
				      LDAP_SCOPE_SUBTREE };
	struct timeval tv = ld_tv(db->timeout_ms);
	uint64_t deadline = now_ms() + db->timeout_ms;
	LDAPMessage *msg;
	int msgid = -1, rc, type;

	*answered = 0;
	rc = L.search_ext(ld, base, scopes[db->conf->scope], filter,
			  attrs[0] != NULL ? (char **)(uintptr_t)attrs
			  : no_attrs, 0, NULL, NULL, &tv,
			  max > 0 ? (int)max : 0, &msgid);
	if (rc != LDAP_SUCCESS) {
		*answered = rc == LDAP_FILTER_ERROR;
		return err_set(err, ERR_TEMP, "%s: search for %s: %s",
			       db->conf->uri_list, filter, L.err2string(rc));
	}
	for (;;) {
		if ((type = ld_wait(db, ld, msgid, 0, deadline, &msg, err)) < 0)
			return -1;
		if (type == LDAP_RES_SEARCH_RESULT) {
			*answered = 1;
			return ld_search_done(db, ld, msg, base, nosuch_ok, res,
					      err);
		}
		rc = 0;
		if (type == LDAP_RES_SEARCH_ENTRY) {
			if (max > 0 && res->n_entries >= max)
				res->more = 1;
			else
				rc = ld_entry(ld, msg, res, err);
		}
		L.msgfree(msg);
		if (rc < 0) {
			(void)L.abandon_ext(ld, msgid, NULL, NULL);
			*answered = 1;
			return -1;
		}
	}
}

/* db_search - a search on the lookup connection, connecting first if
 * needed; a failure closes it, and one that had been open is tried
 * once more on a new connection */
static int db_search(struct ldap_db *db, const char *base,
		     const char *filter, char *const *attrs, size_t max,
		     int nosuch_ok, struct ldap_db_result **res_r,
		     struct sl_err *err)
{
	int attempt, answered;

	db->timed_out = 0;
	for (attempt = 0; attempt < 2; attempt++) {
		struct ldap_db_result *res;
		int fresh = db->ld == NULL;

		if (db->ld == NULL && ld_connect_lookup(db, err) < 0)
			return -1;
		res = result_new();
		if (ld_search(db, db->ld, base, filter, attrs, max, nosuch_ok,
			      res, &answered, err) == 0) {
			*res_r = res;
			return 0;
		}
		ldap_db_result_free(&res);
		if (answered)
			return -1;
		ld_close(&db->ld);
		if (fresh || db->timed_out)
			return -1;
	}
	return -1;
}

/* db_bind_check - ldap_db_bind_check on the password connection, made
 * (and made again after a failure) as db_search does */
static int db_bind_check(struct ldap_db *db, const char *dn, const char *pw,
			 size_t len, struct sl_err *err)
{
	int attempt, code;

	db->timed_out = 0;
	for (attempt = 0; attempt < 2; attempt++) {
		int fresh = db->bind_ld == NULL;

		if (db->bind_ld == NULL && ld_connect(db, &db->bind_ld, err) < 0)
			return -1;
		if (ld_bind(db, db->bind_ld, dn, pw, len, &code, err) == 0)
			break;
		ld_close(&db->bind_ld);
		if (fresh || db->timed_out)
			return -1;
	}
	if (attempt == 2)
		return -1;
	switch (code) {
	case LDAP_SUCCESS:
		return 1;
	case LDAP_INVALID_CREDENTIALS:		/* also: no such DN */
	case LDAP_INAPPROPRIATE_AUTH:		/* an entry with no password */
	case LDAP_INVALID_DN_SYNTAX:
	case LDAP_NO_SUCH_OBJECT:
		return 0;
	default:
		ld_close(&db->bind_ld);
		return err_set(err, ERR_TEMP, "%s: bind as '%s': %s",
			       db->conf->uri_list, dn, L.err2string(code));
	}
}

/* db_disconnect - close both connections */
static void db_disconnect(struct ldap_db *db)
{
	if (ld_lib.state > 0) {
		ld_close(&db->ld);
		ld_close(&db->bind_ld);
	}
}

#else /* !HAVE_LDAP */

static int db_search(struct ldap_db *db, const char *base,
		     const char *filter, char *const *attrs, size_t max,
		     int nosuch_ok, struct ldap_db_result **res_r,
		     struct sl_err *err)
{
	(void)base; (void)filter; (void)attrs; (void)max; (void)nosuch_ok;
	(void)res_r;
	return err_set(err, ERR_USAGE, "%s: sluice was built without "
		       "libldap", db->conf->path);
}

static int db_bind_check(struct ldap_db *db, const char *dn, const char *pw,
			 size_t len, struct sl_err *err)
{
	(void)dn; (void)pw; (void)len;
	return err_set(err, ERR_USAGE, "%s: sluice was built without "
		       "libldap", db->conf->path);
}

static void db_disconnect(struct ldap_db *db)
{
	(void)db;
}

#endif /* HAVE_LDAP */

/* ---- databases ---- */

int ldap_db_open(const char *path, const struct ldap_db_settings *set,
		 struct ldap_db **db_r, struct sl_err *err)
{
	struct ldap_db *db;
	struct ldap_conf *conf;

	for (db = ldap_dbs; db != NULL; db = db->next) {
		if (strcmp(db->conf->path, path) == 0)
			break;
	}
	if (db == NULL) {
#ifndef HAVE_LDAP
		if (ldap_conf_read(path, &conf, err) == 0) {
			ldap_conf_free(&conf);
			err_set(err, ERR_USAGE, "%s: sluice was built without "
				"libldap (install libldap-dev, then re-run "
				"configure and make)", path);
		}
		return -1;
#endif
		if (ldap_conf_read(path, &conf, err) < 0)
			return -1;
		db = xcalloc(1, sizeof(*db));
		db->cache = ttl_cache_new(LDAP_DB_CACHE_MAX, cache_value_free);
		db->conf = conf;
		db->connect_timeout_ms = set != NULL && set->connect_timeout_ms
			? set->connect_timeout_ms : LDAP_DB_CONNECT_TIMEOUT_MS;
		db->timeout_ms = set != NULL && set->timeout_ms
			? set->timeout_ms : LDAP_DB_TIMEOUT_MS;
		db->next = ldap_dbs;
		ldap_dbs = db;
	}
	db->refs++;
	*db_r = db;
	return 0;
}

void ldap_db_close(struct ldap_db **dbp)
{
	struct ldap_db *db = *dbp, **p;

	if (db == NULL)
		return;
	*dbp = NULL;
	if (--db->refs > 0)
		return;
	for (p = &ldap_dbs; *p != NULL; p = &(*p)->next) {
		if (*p == db) {
			*p = db->next;
			break;
		}
	}
	db_disconnect(db);
	ttl_cache_free(&db->cache);
	ldap_conf_free(&db->conf);
	free(db);
}

const struct ldap_conf *ldap_db_conf(const struct ldap_db *db)
{
	return db->conf;
}

int ldap_db_search(struct ldap_db *db, const char *base, const char *filter,
		   char *const *attrs, size_t max_entries, uint64_t ttl_secs,
		   int base_is_template, struct ldap_db_result **res_r,
		   struct sl_err *err)
{
	struct buf key = BUF_INIT;
	const struct ldap_db_result *cached;
	struct ldap_db_result *res;
	uint64_t ttl_ms = ttl_secs * 1000;

	*res_r = NULL;
	if (ttl_secs > 0) {
		cache_key(&key, base, filter, attrs, max_entries);
		cached = ttl_cache_get(db->cache, key.data, key.len);
		if (cached != NULL) {
			*res_r = result_copy(cached);
			buf_free(&key);
			return 0;
		}
	}
	if (db_search(db, base, filter, attrs, max_entries, base_is_template,
		      &res, err) < 0) {
		buf_free(&key);
		return -1;
	}
	/* nothing found: kept a quarter as long, at least a second */
	if (res->n_entries == 0)
		ttl_ms = ttl_ms / 4 < 1000 ? 1000 : ttl_ms / 4;
	if (ttl_secs > 0)
		ttl_cache_put(db->cache, key.data, key.len, result_copy(res),
			      ttl_ms);
	buf_free(&key);
	*res_r = res;
	return 0;
}

int ldap_db_find(struct ldap_db *db, const char *filter_tmpl,
		 const struct ldap_attr_map *map, const struct sql_vars *v,
		 uint64_t ttl_secs, struct ldap_db_result **res_r,
		 struct sl_err *err)
{
	const struct ldap_conf *c = db->conf;
	struct buf base = BUF_INIT, filter = BUF_INIT;
	struct ldap_db_result *res = NULL;
	struct sl_err e;
	int r;

	*res_r = NULL;
	err_clear(&e);
	if (ldap_conf_expand_dn(&base, c->base, v, &e) < 0 ||
	    ldap_conf_expand_filter(&filter, filter_tmpl, v, &e) < 0) {
		buf_free(&base);
		buf_free(&filter);
		if (e.cls == ERR_NOUSER)
			return 0;	/* no entry can have such a name */
		return err_set(err, ERR_TEMP, "%s: %s", c->path, e.text);
	}
	r = ldap_db_search(db, buf_cstr(&base), buf_cstr(&filter), map->attrs,
			   2, ttl_secs, strchr(c->base, '%') != NULL, &res,
			   err);
	if (r == 0 && (res->n_entries > 1 || res->more)) {
		r = err_set(err, ERR_TEMP, "%s: %s matched more than one entry "
			    "in %s", c->path, buf_cstr(&filter),
			    buf_cstr(&base));
	} else if (r == 0 && res->n_entries == 1) {
		*res_r = res;
		res = NULL;
		r = 1;
	}
	ldap_db_result_free(&res);
	buf_free(&base);
	buf_free(&filter);
	return r;
}

int ldap_db_bind_check(struct ldap_db *db, const char *dn,
		       const char *password, size_t len, struct sl_err *err)
{
	if (len == 0)
		return 0;	/* an anonymous bind would succeed */
	return db_bind_check(db, dn, password, len, err);
}
