/* userdb-sql.c - sql:PATH, Dovecot's dovecot-sql.conf.ext user_query:
 * the first row's columns are the user's fields */
#include "auto-config.h"
#include "userdb-private.h"
#include "config.h"
#include "sql.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct sql_backend {
	struct userdb_backend be;
	char *path;
	struct sql_db *db;	/* NULL until the conf file could be read */
	struct sql_db_settings set;
	char *query_log;
	uint64_t ttl;		/* userdb_cache_ttl */
};

/* sql_open_db - the shared database for the conf file */
static int sql_open_db(struct sql_backend *sb, struct sl_err *err)
{
	if (sb->db != NULL)
		return 0;
	return sql_db_open(sb->path, &sb->set, &sb->db, err);
}

static int usql_init(const char *args, struct userdb_backend **be_r,
		     struct sl_err *err)
{
	const struct config *cfg = userdb_config();
	struct sql_backend *sb;
	struct sl_err e;

	if (args == NULL || *args == '\0')
		return err_set(err, ERR_USAGE, "userdb: sql needs the path of "
			       "a dovecot-sql.conf.ext: sql:PATH");
	sb = xcalloc(1, sizeof(*sb));
	sb->be.v = &userdb_sql;
	sb->path = xstrdup(args);
	if (cfg != NULL) {
		sb->ttl = config_time(cfg, "userdb_cache_ttl");
		sb->query_log = xstrdup(config_str(cfg, "sql_query_log"));
		sb->set.query_log = sb->query_log;
	}
	/* a conf that cannot be read now is a temporary failure at
	 * lookup time (the MTA retries); one that is wrong is an error
	 * now */
	err_clear(&e);
	if (sql_open_db(sb, &e) < 0 && e.cls == ERR_USAGE) {
		err_set(err, ERR_USAGE, "userdb: sql: %s", e.text);
		free(sb->query_log);
		free(sb->path);
		free(sb);
		return -1;
	}
	*be_r = &sb->be;
	return 0;
}

static void usql_deinit(struct userdb_backend **be)
{
	struct sql_backend *sb = (struct sql_backend *)*be;

	sql_db_close(&sb->db);
	free(sb->query_log);
	free(sb->path);
	free(sb);
	*be = NULL;
}

/* usql_record - the first row as a record; NULL columns are not set,
 * as Dovecot skips them */
static enum userdb_result usql_record(struct sql_backend *sb,
				      struct pool *pool,
				      const struct userdb_query *q,
				      const struct sql_result *res,
				      struct user_record **rec_r,
				      struct sl_err *err)
{
	struct user_record *rec = userdb_record_new(pool, q, q->user);
	struct user_field *fields;
	size_t c, n = 0;

	fields = pool_alloc_array(pool, res->n_cols + 1, sizeof(*fields));
	for (c = 0; c < res->n_cols; c++) {
		const char *name = res->names[c], *v;
		char *key;
		size_t len, i;
		struct sl_err e;
		int r;

		if ((v = sql_result_value(res, 0, c, &len)) == NULL)
			continue;
		if (strncasecmp(name, "userdb_", 7) == 0 && name[7] != '\0')
			name += 7;
		key = pool_strdup(pool, name);
		for (i = 0; key[i] != '\0'; i++) {
			if (key[i] >= 'A' && key[i] <= 'Z')
				key[i] = (char)(key[i] - 'A' + 'a');
		}
		if (memchr(v, '\0', len) != NULL)
			return userdb_tempfail(err, "userdb sql %s: %s: column "
					       "%s holds a NUL byte", sb->path,
					       q->user, name);
		v = pool_strndup(pool, v, len);
		err_clear(&e);
		if ((r = userdb_record_field(pool, rec, key, v, &e)) < 0)
			return userdb_tempfail(err, "userdb sql %s: %s: %s",
					       sb->path, q->user, e.text);
		if (r > 0) {
			fields[n].key = key;
			fields[n++].value = v;
		}
	}
	rec->fields = fields;
	rec->n_fields = n;
	rec->source = "sql";
	*rec_r = rec;
	return USERDB_FOUND;
}

/* usql_lookup - user_query with the name's parts escaped; the answer
 * may come from the per-process cache (userdb_cache_ttl) */
static enum userdb_result usql_lookup(struct userdb_backend *be,
				      struct pool *pool,
				      const struct userdb_query *q,
				      struct user_record **rec_r,
				      struct sl_err *err)
{
	struct sql_backend *sb = (struct sql_backend *)be;
	struct sql_vars vars;
	struct sql_result *res = NULL;
	struct buf query = BUF_INIT;
	enum userdb_result ret;
	struct sl_err e;

	err_clear(&e);
	if (sql_open_db(sb, &e) < 0)
		return userdb_tempfail(err, "userdb sql: %s", e.text);
	memset(&vars, 0, sizeof(vars));
	vars.user = q->user;
	vars.username = q->localpart;
	vars.domain = q->domain;
	vars.service = sql_service();
	if (sql_db_expand(sb->db, &query, sql_db_conf(sb->db)->user_query,
			  &vars, &e) < 0) {
		buf_free(&query);
		if (e.cls == ERR_NOUSER)
			return USERDB_NOTFOUND;	/* no such name can exist */
		return userdb_tempfail(err, "userdb sql %s: user_query: %s",
				       sb->path, e.text);
	}
	if (sql_db_query(sb->db, query.data, query.len, 1, sb->ttl, &res,
			 &e) < 0) {
		buf_free(&query);
		return userdb_tempfail(err, "userdb sql: %s", e.text);
	}
	buf_free(&query);
	ret = res->n_rows == 0 ? USERDB_NOTFOUND
		: usql_record(sb, pool, q, res, rec_r, err);
	sql_result_free(&res);
	return ret;
}

const struct userdb_backend_vfuncs userdb_sql = {
	"sql", usql_init, usql_deinit, usql_lookup,
};
