/* passdb.c - the passdb list, login-name normalization, the password
 * check, and the entry parsing the file backends share */
#include "auto-config.h"
#include "passdb-private.h"
#include "password.h"
#include "config.h"
#include "log.h"
#include "xalloc.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct passdb {
	struct passdb_backend *backends[PASSDB_BACKENDS_MAX];
	size_t n_backends;
	int lowercase;		/* username_lowercase */
	char *default_scheme;	/* default_pass_scheme */
};

/* The backends. One line adds one: the sql backend (passdb-sql.c)
 * defines HAVE_SQL_PASSDB when it is built. */
static const struct passdb_backend_vfuncs *const passdb_drivers[] = {
	&passdb_passwd_file, &passdb_bdb, &passdb_static,
#ifdef HAVE_SQL_PASSDB
	&passdb_sql,
#endif
#ifdef HAVE_LDAP_PASSDB
	&passdb_ldap,
#endif
};

/* names of backends that exist in Dovecot's format but not here yet */
static const char *const passdb_unbuilt[] = { "sql" };

/* passdb_unknown - the error for an unknown name, listing the known */
static void passdb_unknown(const char *name, struct sl_err *err)
{
	struct buf known = BUF_INIT;
	size_t i;

	for (i = 0; i < sizeof(passdb_drivers) / sizeof(passdb_drivers[0]); i++)
		buf_printf(&known, "%s%s", i > 0 ? ", " : "",
			   passdb_drivers[i]->name);
	err_set(err, ERR_USAGE, "passdb: unknown backend '%s' (known: %s)",
		name, buf_cstr(&known));
	buf_free(&known);
}

/* passdb_add_backend - one element of the list: "name" or "name:args" */
static int passdb_add_backend(struct passdb *db, const char *spec,
			      size_t len, const struct config *cfg,
			      struct sl_err *err)
{
	char *s = xstrndup(spec, len);
	char *args = strchr(s, ':');
	size_t i;
	int ret = -1;

	if (args != NULL)
		*args++ = '\0';
	for (i = 0; i < sizeof(passdb_drivers) / sizeof(passdb_drivers[0]); i++) {
		const struct passdb_backend_vfuncs *v = passdb_drivers[i];

		if (strcmp(s, v->name) != 0)
			continue;
		if (db->n_backends == PASSDB_BACKENDS_MAX)
			err_set(err, ERR_USAGE, "passdb: more than %d backends",
				PASSDB_BACKENDS_MAX);
		else if (v->init(args, cfg, &db->backends[db->n_backends],
				 err) == 0) {
			db->n_backends++;
			ret = 0;
		}
		free(s);
		return ret;
	}
	for (i = 0; i < sizeof(passdb_unbuilt) / sizeof(passdb_unbuilt[0]); i++) {
		if (strcmp(s, passdb_unbuilt[i]) == 0) {
			err_set(err, ERR_USAGE, "passdb: the %s backend is not "
				"built yet (use passwd-file:PATH or bdb:PATH)", s);
			free(s);
			return -1;
		}
	}
	passdb_unknown(s, err);
	free(s);
	return -1;
}

int passdb_open(struct passdb **db_r, const struct config *cfg,
		struct sl_err *err)
{
	struct passdb *db = xcalloc(1, sizeof(*db));
	const char *p = config_str(cfg, "passdb");

	db->lowercase = config_bool(cfg, "username_lowercase");
	db->default_scheme = xstrdup(config_str(cfg, "default_pass_scheme"));
	if (!password_scheme_known(db->default_scheme)) {
		err_set(err, ERR_USAGE, "default_pass_scheme: unknown scheme "
			"'%s' (sluice pw -l lists them)", db->default_scheme);
		goto fail;
	}
	while (*p != '\0') {
		const char *end = strchr(p, ',');
		size_t len = end != NULL ? (size_t)(end - p) : strlen(p);

		while (len > 0 && isspace((unsigned char)*p)) {
			p++;
			len--;
		}
		while (len > 0 && isspace((unsigned char)p[len - 1]))
			len--;
		if (len == 0) {
			err_set(err, ERR_USAGE, "passdb: empty element in list");
			goto fail;
		}
		if (passdb_add_backend(db, p, len, cfg, err) < 0)
			goto fail;
		if (end == NULL)
			break;
		p = end + 1;
	}
	if (db->n_backends == 0) {
		err_set(err, ERR_USAGE, "passdb: no backend given (e.g. passdb "
			"= passwd-file:/etc/sluice/users)");
		goto fail;
	}
	*db_r = db;
	return 0;
fail:
	passdb_close(&db);
	return -1;
}

void passdb_close(struct passdb **dbp)
{
	struct passdb *db = *dbp;
	size_t i;

	if (db == NULL)
		return;
	for (i = 0; i < db->n_backends; i++)
		db->backends[i]->v->deinit(&db->backends[i]);
	free(db->default_scheme);
	x_free(dbp);
}

/* passdb_reply_fill - the reply from what the backend found */
static void passdb_reply_fill(struct passdb_reply *reply,
			      const struct passdb_backend *be,
			      const struct passdb_entry *e)
{
	reply->user = e->user;
	reply->source = be->v->name;
	reply->fields = e->fields;
	reply->n_fields = e->n_fields;
}

/* passdb_find - the first backend that knows q: PASSDB_OK with *be_r and
 * *e, NOUSER, TEMPFAIL (class ERR_TEMP). With password set, a backend
 * that checks passwords itself does it here and may say MISMATCH. */
static enum passdb_result passdb_find(struct passdb *db, struct pool *pool,
				      const struct userdb_query *q,
				      const char *password, size_t len,
				      struct passdb_backend **be_r,
				      struct passdb_entry *e,
				      struct sl_err *err)
{
	size_t i;

	for (i = 0; i < db->n_backends; i++) {
		struct passdb_backend *be = db->backends[i];
		enum passdb_result r;

		memset(e, 0, sizeof(*e));
		if (be->v->lookup == NULL && password == NULL)
			continue;	/* can't give credentials */
		if (password != NULL && be->v->verify != NULL)
			r = be->v->verify(be, pool, q, password, len, e, err);
		else
			r = be->v->lookup(be, pool, q, e, err);
		if (r == PASSDB_NOUSER)
			continue;
		if (r == PASSDB_TEMPFAIL)
			err->cls = ERR_TEMP;
		if (e->user == NULL)
			e->user = q->user;
		*be_r = be;
		return r;
	}
	return PASSDB_NOUSER;
}

enum passdb_result passdb_entry_check(const char *backend,
				      const struct passdb_entry *e,
				      const char *default_scheme,
				      const char *password, size_t len,
				      struct sl_err *err)
{
	struct sl_err e2;
	int ok;

	/* Dovecot: nopassword counts only with none stored */
	if (e->password == NULL || *e->password == '\0')
		return e->nopassword ? PASSDB_OK : PASSDB_MISMATCH;
	err_clear(&e2);
	ok = password_verify(e->password, e->default_scheme != NULL
			     ? e->default_scheme : default_scheme,
			     password, len, &e2);
	if (ok < 0 && e2.cls == ERR_TEMP) {
		*err = e2;
		return PASSDB_TEMPFAIL;
	}
	/* a stored password that cannot be checked is a wrong password
	 * for the client, and a warning for the admin */
	if (ok < 0)
		log_warning("passdb %s: user %s: %s", backend, e->user, e2.text);
	return ok > 0 ? PASSDB_OK : PASSDB_MISMATCH;
}

enum passdb_result passdb_verify(struct passdb *db, struct pool *pool,
				 const char *user, const char *password,
				 size_t password_len,
				 struct passdb_reply *reply,
				 struct sl_err *err)
{
	struct userdb_query q;
	struct passdb_backend *be = NULL;
	struct passdb_entry e;
	enum passdb_result r;

	memset(reply, 0, sizeof(*reply));
	if (!userdb_query_init(pool, user, "", db->lowercase, &q))
		return PASSDB_NOUSER;
	/* no empty passwords, whoever asks: a backend that checks them
	 * itself (an LDAP bind) could take one for an anonymous login */
	if (password_len == 0)
		return PASSDB_MISMATCH;
	r = passdb_find(db, pool, &q, password, password_len, &be, &e, err);
	if (r != PASSDB_OK)
		return r;
	if (be->v->verify == NULL) {
		r = passdb_entry_check(be->v->name, &e, db->default_scheme,
				       password, password_len, err);
		if (r != PASSDB_OK)
			return r;
	}
	passdb_reply_fill(reply, be, &e);
	return PASSDB_OK;
}

enum passdb_result passdb_credentials(struct passdb *db, struct pool *pool,
				      const char *user, const char *want,
				      struct buf *out,
				      struct passdb_reply *reply,
				      struct sl_err *err)
{
	struct userdb_query q;
	struct passdb_backend *be = NULL;
	struct passdb_entry e;
	enum passdb_result r;
	struct sl_err e2;
	int got;

	memset(reply, 0, sizeof(*reply));
	if (!userdb_query_init(pool, user, "", db->lowercase, &q))
		return PASSDB_NOUSER;
	r = passdb_find(db, pool, &q, NULL, 0, &be, &e, err);
	if (r != PASSDB_OK)
		return r;
	if (e.password == NULL || *e.password == '\0')
		return PASSDB_MISMATCH;
	err_clear(&e2);
	got = password_credentials(e.password, e.default_scheme != NULL
				   ? e.default_scheme : db->default_scheme,
				   want, out, &e2);
	if (got < 0 && e2.cls == ERR_USAGE) {
		*err = e2;	/* a mechanism we cannot serve: a caller bug */
		return PASSDB_TEMPFAIL;
	}
	if (got < 0) {
		/* cannot be read: a mismatch, and a warning for the admin */
		log_warning("passdb %s: user %s: %s", be->v->name, e.user,
			    e2.text);
		return PASSDB_MISMATCH;
	}
	if (got == 0)
		return PASSDB_MISMATCH;
	passdb_reply_fill(reply, be, &e);
	return PASSDB_OK;
}

/* ---- entries of the file backends ---- */

int passdb_fields_parse(struct pool *pool, const char *s, size_t len,
			struct passdb_entry *e, const char *what,
			struct sl_err *err)
{
	const char *end = s + len;
	struct user_field *f;
	size_t n = 0, cap = 1, i;

	for (i = 0; i < len && cap < USERDB_FIELDS_MAX; i++)
		cap += s[i] == ' ' || s[i] == '\t';
	f = pool_alloc_array(pool, cap, sizeof(*f));
	while (s < end) {
		const char *tok, *eq;
		size_t tlen;

		while (s < end && (*s == ' ' || *s == '\t'))
			s++;
		tok = s;
		while (s < end && *s != ' ' && *s != '\t')
			s++;
		if ((tlen = (size_t)(s - tok)) == 0)
			break;
		eq = memchr(tok, '=', tlen);
		if (eq == tok)
			continue;
		if (n == cap)
			return err_set(err, ERR_TEMP, "%s: more than %d extra "
				       "fields", what, USERDB_FIELDS_MAX);
		f[n].key = pool_strndup(pool, tok, eq != NULL
					? (size_t)(eq - tok) : tlen);
		if (strcasestr(f[n].key, "pass") != NULL &&
		    strcmp(f[n].key, "nopassword") != 0)
			continue;	/* pass=, password=, userdb_pass= */
		f[n].value = eq == NULL ? ""
			: pool_strndup(pool, eq + 1, (size_t)(tok + tlen - eq - 1));
		if (strcmp(f[n].key, "nopassword") == 0)
			e->nopassword = strcasecmp(f[n].value, "no") != 0 &&
				strcmp(f[n].value, "0") != 0;
		n++;
	}
	e->fields = f;
	e->n_fields = n;
	return 0;
}

int passdb_entry_parse(struct pool *pool, const char *rest, size_t len,
		       struct passdb_entry *e, const char *what,
		       struct sl_err *err)
{
	const char *p = rest, *end = rest + len, *c;
	size_t colons = 0;

	c = memchr(p, ':', len);
	e->password = pool_strndup(pool, rest, c != NULL ? (size_t)(c - rest)
				   : len);
	/* uid, gid, gecos, home, shell: the extra fields follow the 6th ':' */
	while (c != NULL && ++colons < 6) {
		p = c + 1;
		c = memchr(p, ':', (size_t)(end - p));
	}
	if (c == NULL || c + 1 >= end || c[1] == ':')
		return 0;	/* none, or the old format's mail location */
	return passdb_fields_parse(pool, c + 1, (size_t)(end - c - 1), e, what,
				   err);
}
