/* passdb-ldap.c - ldap:PATH, Dovecot's dovecot-ldap.conf.ext as a
 * passdb. Without auth_bind: the one entry pass_filter finds, its
 * attributes mapped by pass_attrs ("password" or "password_noscheme"
 * the stored password, "user" the canonical name, "nopassword", other
 * fields go with the answer), the password checked here (password.h,
 * the file's default_pass_scheme). With auth_bind = yes the directory
 * checks it: a bind as the user's DN (auth_bind_userdn expanded, or the
 * DN of the entry pass_filter finds) on a connection of its own.
 * Answers are not cached: a changed password counts at once. */
#include "auto-config.h"
#include "passdb-private.h"
#include "config.h"
#include "ldap-db.h"
#include "log.h"
#include "password.h"
#include "xalloc.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct pldap_backend {
	struct passdb_backend be;
	char *path;
	struct ldap_db *db;	/* NULL until the conf file could be read */
};

/* pldap_tempfail - err (class ERR_TEMP) set; PASSDB_TEMPFAIL */
static enum passdb_result pldap_tempfail(struct sl_err *err, const char *fmt,
					 ...) __attribute__((format(printf, 2, 3)));
static enum passdb_result pldap_tempfail(struct sl_err *err, const char *fmt,
					 ...)
{
	va_list ap;

	err->cls = ERR_TEMP;
	va_start(ap, fmt);
	(void)vsnprintf(err->text, sizeof(err->text), fmt, ap);
	va_end(ap);
	return PASSDB_TEMPFAIL;
}

static int pldap_init(const char *args, const struct config *cfg,
		      struct passdb_backend **be_r, struct sl_err *err)
{
	struct pldap_backend *pb;
	struct sl_err e;

	(void)cfg;
	if (args == NULL || *args == '\0')
		return err_set(err, ERR_USAGE, "passdb: ldap needs the path of "
			       "a dovecot-ldap.conf.ext: ldap:PATH");
	pb = xcalloc(1, sizeof(*pb));
	pb->be.v = &passdb_ldap;
	pb->path = xstrdup(args);
	err_clear(&e);
	if (ldap_db_open(pb->path, NULL, &pb->db, &e) < 0 &&
	    e.cls == ERR_USAGE) {
		err_set(err, ERR_USAGE, "passdb: ldap: %s", e.text);
		free(pb->path);
		free(pb);
		return -1;
	}
	*be_r = &pb->be;
	return 0;
}

static void pldap_deinit(struct passdb_backend **be)
{
	struct pldap_backend *pb = (struct pldap_backend *)*be;

	ldap_db_close(&pb->db);
	free(pb->path);
	free(pb);
	*be = NULL;
}

/* pldap_open - the shared database; NULL with err (ERR_TEMP) */
static const struct ldap_conf *pldap_open(struct pldap_backend *pb,
					  struct sl_err *err)
{
	struct sl_err e;

	err_clear(&e);
	if (pb->db == NULL && ldap_db_open(pb->path, NULL, &pb->db, &e) < 0) {
		pldap_tempfail(err, "passdb ldap: %s", e.text);
		return NULL;
	}
	return ldap_db_conf(pb->db);
}

/* pldap_vars - the name's parts for the templates */
static void pldap_vars(const struct userdb_query *q, struct sql_vars *v)
{
	memset(v, 0, sizeof(*v));
	v->user = q->user;
	v->username = q->localpart;
	v->domain = q->domain;
	v->service = sql_service();
}

/* pldap_field - one mapped field onto the entry; 1 keep it as a reply
 * field, 0 not */
static int pldap_field(struct pool *pool, const struct ldap_conf *conf,
		       const char *q_user, const struct ldap_mapped *m,
		       struct passdb_entry *e)
{
	const char *v = pool_strdup(pool, m->values[0]);

	if (m->n_values > 1 && strcmp(m->name, "nopassword") != 0)
		log_warning("passdb ldap %s: %s: %zu values for %s, using the "
			    "first", conf->path, q_user, m->n_values, m->name);
	if (strcmp(m->name, "password") == 0) {
		e->password = v;
		return 0;
	}
	if (strcmp(m->name, "password_noscheme") == 0) {
		/* taken as written: a '{' in it is no scheme prefix */
		e->password = pool_printf(pool, "{%s}%s",
					  conf->default_pass_scheme, v);
		return 0;
	}
	if (strcmp(m->name, "user") == 0) {
		e->user = v;
		return 0;
	}
	if (strcmp(m->name, "nopassword") == 0) {
		e->nopassword = 1;
		return 1;
	}
	return strstr(m->name, "pass") == NULL;	/* never a password */
}

/* pldap_entry - the entry pass_filter found, by pass_attrs */
static enum passdb_result pldap_entry(struct pldap_backend *pb,
				      struct pool *pool,
				      const struct userdb_query *q,
				      const struct ldap_db_entry *entry,
				      const struct sql_vars *vars,
				      struct passdb_entry *e,
				      struct sl_err *err)
{
	const struct ldap_conf *conf = ldap_db_conf(pb->db);
	struct ldap_mapped *m;
	struct user_field *f;
	struct sl_err se;
	size_t n, i, k = 0;

	err_clear(&se);
	if (ldap_conf_map(pool, &conf->pass_map, entry, vars, &m, &n, &se) < 0)
		return pldap_tempfail(err, "passdb ldap %s: %s: %s", pb->path,
				      q->user, se.text);
	memset(e, 0, sizeof(*e));
	e->user = q->user;
	e->default_scheme = pool_strdup(pool, conf->default_pass_scheme);
	f = pool_alloc_array(pool, n + 1, sizeof(*f));
	for (i = 0; i < n; i++) {
		if (pldap_field(pool, conf, q->user, &m[i], e) > 0) {
			f[k].key = pool_strdup(pool, m[i].name);
			f[k++].value = pool_strdup(pool, m[i].values[0]);
		}
	}
	e->user = pool_strdup(pool, e->user);
	e->fields = f;
	e->n_fields = k;
	return PASSDB_OK;
}

/* pldap_find - pass_filter's one entry: PASSDB_OK with e and, when dn_r
 * is not NULL, the entry's DN; NOUSER; TEMPFAIL */
static enum passdb_result pldap_find(struct pldap_backend *pb,
				     struct pool *pool,
				     const struct userdb_query *q,
				     struct passdb_entry *e,
				     const char **dn_r, struct sl_err *err)
{
	const struct ldap_conf *conf = pldap_open(pb, err);
	struct ldap_db_result *res = NULL;
	struct sql_vars vars;
	enum passdb_result ret;
	struct sl_err se;
	int r;

	if (conf == NULL)
		return PASSDB_TEMPFAIL;
	pldap_vars(q, &vars);
	err_clear(&se);
	r = ldap_db_find(pb->db, conf->pass_filter, &conf->pass_map, &vars, 0,
			 &res, &se);
	if (r < 0)
		return pldap_tempfail(err, "passdb ldap: %s", se.text);
	if (r == 0)
		return PASSDB_NOUSER;
	ret = pldap_entry(pb, pool, q, &res->entries[0], &vars, e, err);
	if (dn_r != NULL)
		*dn_r = pool_strdup(pool, res->entries[0].dn);
	ldap_db_result_free(&res);
	return ret;
}

/* pldap_lookup - the stored password (for challenge-response
 * mechanisms); an auth_bind directory gives none: as if it did not know
 * the user, so a later passdb may answer */
static enum passdb_result pldap_lookup(struct passdb_backend *be,
				       struct pool *pool,
				       const struct userdb_query *q,
				       struct passdb_entry *e,
				       struct sl_err *err)
{
	struct pldap_backend *pb = (struct pldap_backend *)be;
	const struct ldap_conf *conf = pldap_open(pb, err);

	if (conf == NULL)
		return PASSDB_TEMPFAIL;
	if (conf->auth_bind)
		return PASSDB_NOUSER;
	return pldap_find(pb, pool, q, e, NULL, err);
}

/* pldap_bind - auth_bind: the DN (from auth_bind_userdn, or the entry
 * pass_filter finds), then a bind as it with the password */
static enum passdb_result pldap_bind(struct pldap_backend *pb,
				     struct pool *pool,
				     const struct userdb_query *q,
				     const char *password, size_t len,
				     struct passdb_entry *e,
				     struct sl_err *err)
{
	const struct ldap_conf *conf = ldap_db_conf(pb->db);
	const char *dn = NULL;
	struct buf b = BUF_INIT;
	struct sql_vars vars;
	struct sl_err se;
	enum passdb_result r;
	int ok;

	err_clear(&se);
	if (conf->auth_bind_userdn != NULL) {
		pldap_vars(q, &vars);
		memset(e, 0, sizeof(*e));
		e->user = q->user;
		if (ldap_conf_expand_dn(&b, conf->auth_bind_userdn, &vars,
					&se) < 0) {
			buf_free(&b);
			return se.cls == ERR_NOUSER ? PASSDB_NOUSER
				: pldap_tempfail(err, "passdb ldap %s: "
						 "auth_bind_userdn: %s",
						 pb->path, se.text);
		}
		dn = pool_strndup(pool, b.data, b.len);
		buf_free(&b);
	} else if ((r = pldap_find(pb, pool, q, e, &dn, err)) != PASSDB_OK) {
		return r;
	}
	ok = ldap_db_bind_check(pb->db, dn, password, len, &se);
	if (ok < 0)
		return pldap_tempfail(err, "passdb ldap: %s", se.text);
	return ok > 0 ? PASSDB_OK : PASSDB_MISMATCH;
}

/* pldap_verify - check password for q: by a bind (auth_bind), or the
 * stored password */
static enum passdb_result pldap_verify(struct passdb_backend *be,
				       struct pool *pool,
				       const struct userdb_query *q,
				       const char *password, size_t len,
				       struct passdb_entry *e,
				       struct sl_err *err)
{
	struct pldap_backend *pb = (struct pldap_backend *)be;
	const struct ldap_conf *conf = pldap_open(pb, err);
	enum passdb_result r;

	if (conf == NULL)
		return PASSDB_TEMPFAIL;
	if (conf->auth_bind)
		return pldap_bind(pb, pool, q, password, len, e, err);
	if ((r = pldap_find(pb, pool, q, e, NULL, err)) != PASSDB_OK)
		return r;
	return passdb_entry_check("ldap", e, NULL, password, len, err);
}

const struct passdb_backend_vfuncs passdb_ldap = {
	"ldap", pldap_init, pldap_deinit, pldap_lookup, pldap_verify,
};
