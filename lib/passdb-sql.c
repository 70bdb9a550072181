/* passdb-sql.c - sql:PATH, Dovecot's dovecot-sql.conf.ext
 * password_query: one row with a "password" (or "password_noscheme")
 * column; "user" renames, "nopassword" accepts any password, other
 * columns (userdb_* for prefetch, nologin, reason...) are reply fields.
 * Answers are not cached: a changed password counts at once. */
#include "auto-config.h"
#include "passdb-private.h"
#include "config.h"
#include "sql.h"
#include "xalloc.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct psql_backend {
	struct passdb_backend be;
	char *path;
	struct sql_db *db;	/* NULL until the conf file could be read */
	struct sql_db_settings set;
	char *query_log;
};

/* psql_tempfail - err (class ERR_TEMP) set; PASSDB_TEMPFAIL */
static enum passdb_result psql_tempfail(struct sl_err *err, const char *fmt,
					...) __attribute__((format(printf, 2, 3)));
static enum passdb_result psql_tempfail(struct sl_err *err, const char *fmt,
					...)
{
	va_list ap;

	err->cls = ERR_TEMP;
	va_start(ap, fmt);
	(void)vsnprintf(err->text, sizeof(err->text), fmt, ap);
	va_end(ap);
	return PASSDB_TEMPFAIL;
}

static int psql_open_db(struct psql_backend *pb, struct sl_err *err)
{
	if (pb->db != NULL)
		return 0;
	return sql_db_open(pb->path, &pb->set, &pb->db, err);
}

static int psql_init(const char *args, const struct config *cfg,
		     struct passdb_backend **be_r, struct sl_err *err)
{
	struct psql_backend *pb;
	struct sl_err e;

	if (args == NULL || *args == '\0')
		return err_set(err, ERR_USAGE, "passdb: sql needs the path of "
			       "a dovecot-sql.conf.ext: sql:PATH");
	pb = xcalloc(1, sizeof(*pb));
	pb->be.v = &passdb_sql;
	pb->path = xstrdup(args);
	if (cfg != NULL) {
		pb->query_log = xstrdup(config_str(cfg, "sql_query_log"));
		pb->set.query_log = pb->query_log;
	}
	err_clear(&e);
	if (psql_open_db(pb, &e) < 0 && e.cls == ERR_USAGE) {
		err_set(err, ERR_USAGE, "passdb: sql: %s", e.text);
		free(pb->query_log);
		free(pb->path);
		free(pb);
		return -1;
	}
	*be_r = &pb->be;
	return 0;
}

static void psql_deinit(struct passdb_backend **be)
{
	struct psql_backend *pb = (struct psql_backend *)*be;

	sql_db_close(&pb->db);
	free(pb->query_log);
	free(pb->path);
	free(pb);
	*be = NULL;
}

/* psql_column - one non-NULL column onto the entry; 1 keep it as a
 * field, 0 not */
static int psql_column(struct pool *pool, const struct sql_conf *conf,
		       const char *name, const char *v, struct passdb_entry *e)
{
	if (strcasecmp(name, "password") == 0) {
		e->password = v;
		return 0;
	}
	if (strcasecmp(name, "password_noscheme") == 0) {
		/* taken as written: a '{' in it is no scheme prefix */
		e->password = pool_printf(pool, "{%s}%s",
					  conf->default_pass_scheme, v);
		return 0;
	}
	if (strcasecmp(name, "user") == 0) {
		e->user = v;
		return 0;
	}
	if (strcasecmp(name, "nopassword") == 0) {
		e->nopassword = 1;
		return 1;
	}
	return strcasestr(name, "pass") == NULL;	/* never a password */
}

/* psql_entry - the one row of a password_query */
static enum passdb_result psql_entry(struct psql_backend *pb,
				     struct pool *pool,
				     const struct userdb_query *q,
				     const struct sql_result *res,
				     struct passdb_entry *e,
				     struct sl_err *err)
{
	const struct sql_conf *conf = sql_db_conf(pb->db);
	struct user_field *f;
	size_t c, n = 0;

	if (sql_result_column(res, "password") < 0 &&
	    sql_result_column(res, "password_noscheme") < 0)
		return psql_tempfail(err, "passdb sql %s: password_query "
				     "must return a column named 'password'",
				     pb->path);
	if (res->n_rows > 1 || res->more)
		return psql_tempfail(err, "passdb sql %s: password_query "
				     "returned more than one row for %s", pb->path,
				     q->user);
	memset(e, 0, sizeof(*e));
	e->user = q->user;
	e->default_scheme = pool_strdup(pool, conf->default_pass_scheme);
	f = pool_alloc_array(pool, res->n_cols + 1, sizeof(*f));
	for (c = 0; c < res->n_cols; c++) {
		size_t len;
		const char *v = sql_result_value(res, 0, c, &len);

		if (v == NULL)
			continue;	/* NULL: not set, as Dovecot */
		if (memchr(v, '\0', len) != NULL)
			return psql_tempfail(err, "passdb sql %s: %s: column "
					     "%s holds a NUL byte", pb->path, q->user,
					     res->names[c]);
		v = pool_strndup(pool, v, len);
		if (psql_column(pool, conf, res->names[c], v, e) > 0) {
			f[n].key = pool_strdup(pool, res->names[c]);
			f[n++].value = v;
		}
	}
	e->user = pool_strdup(pool, e->user);
	e->fields = f;
	e->n_fields = n;
	return PASSDB_OK;
}

/* psql_lookup - password_query with the name's parts escaped */
static enum passdb_result psql_lookup(struct passdb_backend *be,
				      struct pool *pool,
				      const struct userdb_query *q,
				      struct passdb_entry *e,
				      struct sl_err *err)
{
	struct psql_backend *pb = (struct psql_backend *)be;
	struct sql_result *res = NULL;
	struct buf query = BUF_INIT;
	struct sql_vars vars;
	enum passdb_result ret;
	struct sl_err se;

	err_clear(&se);
	if (psql_open_db(pb, &se) < 0)
		return psql_tempfail(err, "passdb sql: %s", se.text);
	memset(&vars, 0, sizeof(vars));
	vars.user = q->user;
	vars.username = q->localpart;
	vars.domain = q->domain;
	vars.service = sql_service();
	if (sql_db_expand(pb->db, &query, sql_db_conf(pb->db)->password_query,
			  &vars, &se) < 0) {
		buf_free(&query);
		if (se.cls == ERR_NOUSER)
			return PASSDB_NOUSER;
		return psql_tempfail(err, "passdb sql %s: password_query: "
				     "%s", pb->path, se.text);
	}
	if (sql_db_query(pb->db, query.data, query.len, 2, 0, &res, &se) < 0) {
		buf_free(&query);
		return psql_tempfail(err, "passdb sql: %s", se.text);
	}
	buf_free(&query);
	ret = res->n_rows == 0 ? PASSDB_NOUSER
		: psql_entry(pb, pool, q, res, e, err);
	sql_result_free(&res);
	return ret;
}

const struct passdb_backend_vfuncs passdb_sql = {
	"sql", psql_init, psql_deinit, psql_lookup, NULL,
};
