/* sql.c - shared connections, results, the lookup cache, the query log */
#include "auto-config.h"
#include "sql-private.h"
#include "log.h"
#include "pool.h"
#include "ttl-cache.h"
#include "xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

struct sql_db {
	struct sql_db *next;	/* the process's open databases */
	unsigned refs;
	struct sql_conf *conf;
	const struct sql_driver *driver;
	void *conn;		/* NULL: not connected */
	int create;
	char *query_log;	/* NULL: none */
	int log_fd;		/* -1: not open */
	int log_failed;
	struct ttl_cache *cache;	/* query and max rows -> result */
};

static struct sql_db *sql_dbs;
static char *sql_service_name;

/* ---- results ---- */

struct sql_result *sql_result_new(void)
{
	struct sql_result *res = xcalloc(1, sizeof(*res));

	res->pool = pool_new(1024);
	return res;
}

void sql_result_add_column(struct sql_result *res, const char *name)
{
	res->names = xreallocarray(res->names, res->n_cols + 1,
				   sizeof(*res->names));
	res->names[res->n_cols++] = pool_strdup(res->pool, name);
}

void sql_result_add_row(struct sql_result *res)
{
	size_t n = size_mul(size_add(res->n_rows, 1), res->n_cols), i;

	res->values = xreallocarray(res->values, n, sizeof(*res->values));
	res->lens = xreallocarray(res->lens, n, sizeof(*res->lens));
	for (i = res->n_rows * res->n_cols; i < n; i++) {
		res->values[i] = NULL;
		res->lens[i] = 0;
	}
	res->n_rows++;
}

void sql_result_set(struct sql_result *res, size_t col, const char *value,
		    size_t len)
{
	size_t i = (res->n_rows - 1) * res->n_cols + col;

	res->values[i] = value == NULL ? NULL
		: pool_strndup(res->pool, value, len);
	res->lens[i] = value == NULL ? 0 : len;
}

const char *sql_result_value(const struct sql_result *res, size_t row,
			     size_t col, size_t *len_r)
{
	size_t i = row * res->n_cols + col;

	if (len_r != NULL)
		*len_r = res->lens[i];
	return res->values[i];
}

int sql_result_column(const struct sql_result *res, const char *name)
{
	size_t i;

	for (i = 0; i < res->n_cols; i++) {
		if (strcasecmp(res->names[i], name) == 0)
			return (int)i;
	}
	return -1;
}

void sql_result_free(struct sql_result **rp)
{
	struct sql_result *res = *rp;

	if (res == NULL)
		return;
	pool_free(&res->pool);
	free(res->names);
	free(res->values);
	free(res->lens);
	x_free(rp);
}

/* sql_result_copy - a deep copy (the cache hands out copies) */
static struct sql_result *sql_result_copy(const struct sql_result *src)
{
	struct sql_result *res = sql_result_new();
	size_t r, c;

	for (c = 0; c < src->n_cols; c++)
		sql_result_add_column(res, src->names[c]);
	for (r = 0; r < src->n_rows; r++) {
		sql_result_add_row(res);
		for (c = 0; c < src->n_cols; c++) {
			size_t len;
			const char *v = sql_result_value(src, r, c, &len);

			sql_result_set(res, c, v, len);
		}
	}
	res->more = src->more;
	return res;
}

/* ---- the cache ---- */

static void cache_value_free(void *value)
{
	struct sql_result *res = value;

	sql_result_free(&res);
}

/* cache_key - the query and the row limit it ran with */
static void cache_key(struct buf *key, const char *query, size_t len,
		      size_t max_rows)
{
	buf_append(key, query, len);
	buf_printf(key, "%c%zu", '\0', max_rows);
}

/* ---- databases ---- */

static const struct sql_driver *const sql_drivers[] = {
#ifdef HAVE_SQLITE3
	&sql_driver_sqlite,
#endif
#ifdef HAVE_PGSQL
	&sql_driver_pgsql,
#endif
#ifdef HAVE_MYSQL
	&sql_driver_mysql,
#endif
	NULL
};

/* the drivers sluice knows, and what a build needs for each */
static const struct {
	const char *name, *what, *package;
} sql_driver_needs[] = {
	{ "sqlite", "SQLite", "libsqlite3-dev" },
	{ "pgsql", "PostgreSQL", "libpq-dev" },
	{ "mysql", "MySQL/MariaDB", "libmariadb-dev" },
};

/* sql_driver_find - the built-in driver for name; NULL with err */
static const struct sql_driver *sql_driver_find(const struct sql_conf *c,
						struct sl_err *err)
{
	size_t i;

	for (i = 0; sql_drivers[i] != NULL; i++) {
		if (strcmp(sql_drivers[i]->name, c->driver) == 0)
			return sql_drivers[i];
	}
	for (i = 0; i < sizeof(sql_driver_needs) / sizeof(sql_driver_needs[0]);
	     i++) {
		if (strcmp(c->driver, sql_driver_needs[i].name) == 0) {
			err_set(err, ERR_USAGE, "%s: driver %s: sluice was built "
				"without %s (install %s, then re-run configure "
				"and make)", c->path, c->driver,
				sql_driver_needs[i].what,
				sql_driver_needs[i].package);
			return NULL;
		}
	}
	err_set(err, ERR_USAGE, "%s: driver %s is not supported (sqlite, "
		"pgsql and mysql are)", c->path, c->driver);
	return NULL;
}

/* sql_db_new - a database for conf (taken) with its driver */
static struct sql_db *sql_db_new(struct sql_conf **conf, struct sl_err *err)
{
	const struct sql_driver *driver = sql_driver_find(*conf, err);
	struct sql_db *db;

	if (driver == NULL) {
		sql_conf_free(conf);
		return NULL;
	}
	db = xcalloc(1, sizeof(*db));
	db->cache = ttl_cache_new(SQL_CACHE_MAX, cache_value_free);
	db->conf = *conf;
	db->driver = driver;
	db->log_fd = -1;
	*conf = NULL;
	return db;
}

/* sql_db_settings_apply - what this opener asks for */
static void sql_db_settings_apply(struct sql_db *db,
				  const struct sql_db_settings *set)
{
	if (set != NULL && set->query_log != NULL && *set->query_log != '\0' &&
	    db->query_log == NULL)
		db->query_log = xstrdup(set->query_log);
	if (set != NULL && set->create)
		db->create = 1;
}

int sql_db_open_conf(struct sql_conf **conf, const struct sql_db_settings *set,
		     struct sql_db **db_r, struct sl_err *err)
{
	struct sql_db *db = sql_db_new(conf, err);

	if (db == NULL)
		return -1;
	sql_db_settings_apply(db, set);
	db->refs = 1;
	*db_r = db;
	return 0;
}

int sql_db_open(const char *path, const struct sql_db_settings *set,
		struct sql_db **db_r, struct sl_err *err)
{
	struct sql_db *db;
	struct sql_conf *conf;

	for (db = sql_dbs; db != NULL; db = db->next) {
		if (strcmp(db->conf->path, path) == 0)
			break;
	}
	if (db == NULL) {
		if (sql_conf_read(path, &conf, err) < 0 ||
		    (db = sql_db_new(&conf, err)) == NULL)
			return -1;
		db->next = sql_dbs;
		sql_dbs = db;
	}
	sql_db_settings_apply(db, set);
	db->refs++;
	*db_r = db;
	return 0;
}

/* sql_db_disconnect - close the connection (made again on next use) */
static void sql_db_disconnect(struct sql_db *db)
{
	if (db->conn != NULL)
		db->driver->disconnect(db->conn);
	db->conn = NULL;
}

void sql_db_close(struct sql_db **dbp)
{
	struct sql_db *db = *dbp, **p;

	if (db == NULL)
		return;
	*dbp = NULL;
	if (--db->refs > 0)
		return;
	for (p = &sql_dbs; *p != NULL; p = &(*p)->next) {
		if (*p == db) {
			*p = db->next;
			break;
		}
	}
	sql_db_disconnect(db);
	ttl_cache_free(&db->cache);
	if (db->log_fd >= 0)
		(void)close(db->log_fd);
	free(db->query_log);
	sql_conf_free(&db->conf);
	free(db);
}

const struct sql_conf *sql_db_conf(const struct sql_db *db)
{
	return db->conf;
}

/* db_escape - sql_escape_fn over the database's driver */
static int db_escape(void *ctx, struct buf *out, const char *s, size_t len)
{
	struct sql_db *db = ctx;

	return db->driver->escape(db->conn, out, s, len);
}

int sql_db_expand(struct sql_db *db, struct buf *out, const char *tmpl,
		  const struct sql_vars *v, struct sl_err *err)
{
	return sql_expand(out, tmpl, v, db_escape, db, err);
}

int sql_db_escape(struct sql_db *db, struct buf *out, const char *s,
		  size_t len, struct sl_err *err)
{
	if (db->driver->escape(db->conn, out, s, len) < 0)
		return err_set(err, ERR_USAGE, "a value with a NUL byte cannot "
			       "be stored");
	return 0;
}

/* query_log - append the query as sent (sql_query_log) */
static void query_log(struct sql_db *db, const char *q, size_t len)
{
	struct iovec iov[2];

	if (db->query_log == NULL || db->log_failed)
		return;
	if (db->log_fd < 0) {
		db->log_fd = open(db->query_log, O_WRONLY | O_APPEND | O_CREAT |
				  O_CLOEXEC | O_NOCTTY, 0600);
		if (db->log_fd < 0) {
			log_warning("sql_query_log %s: %s", db->query_log,
				    strerror(errno));
			db->log_failed = 1;
			return;
		}
	}
	iov[0].iov_base = (void *)(uintptr_t)q;
	iov[0].iov_len = len;
	iov[1].iov_base = (void *)(uintptr_t)"\n";
	iov[1].iov_len = 1;
	if (writev(db->log_fd, iov, 2) < 0) {
		log_warning("sql_query_log %s: %s", db->query_log,
			    strerror(errno));
		db->log_failed = 1;
	}
}

/* sql_db_run - send one statement, connecting first if needed; a
 * failure closes the connection, and one that had been open is tried
 * once more on a new connection */
static int sql_db_run(struct sql_db *db, const char *q, size_t len,
		      size_t max_rows, struct sql_result **res_r,
		      unsigned long *changes_r, struct sl_err *err)
{
	int attempt;

	if (db->conn != NULL && db->driver->stale != NULL &&
	    db->driver->stale(db->conn))
		sql_db_disconnect(db);
	for (attempt = 0; attempt < 2; attempt++) {
		struct sql_result *res;
		int fresh = db->conn == NULL;

		if (db->conn == NULL &&
		    db->driver->connect(db->conf->connect, db->create, &db->conn,
					err) < 0) {
			db->conn = NULL;
			return -1;
		}
		query_log(db, q, len);
		res = sql_result_new();
		if (db->driver->query(db->conn, q, len, max_rows, res, changes_r,
				      err) == 0) {
			*res_r = res;
			return 0;
		}
		sql_result_free(&res);
		if (err->cls == ERR_EXISTS || err->cls == ERR_USAGE)
			return -1;	/* the statement, not the connection */
		sql_db_disconnect(db);
		if (fresh)
			return -1;
	}
	return -1;
}

int sql_db_query(struct sql_db *db, const char *query, size_t len,
		 size_t max_rows, uint64_t ttl_secs,
		 struct sql_result **res_r, struct sl_err *err)
{
	struct buf key = BUF_INIT;
	const struct sql_result *cached = NULL;
	struct sql_result *res;
	uint64_t ttl_ms = ttl_secs * 1000;

	*res_r = NULL;
	if (ttl_secs > 0) {
		cache_key(&key, query, len, max_rows);
		cached = ttl_cache_get(db->cache, key.data, key.len);
	}
	if (cached != NULL) {
		*res_r = sql_result_copy(cached);
	} else if (sql_db_run(db, query, len, max_rows, &res, NULL, err) < 0) {
		buf_free(&key);
		return -1;
	} else {
		/* no such user: kept a quarter as long, at least a second */
		if (res->n_rows == 0)
			ttl_ms = ttl_ms / 4 < 1000 ? 1000 : ttl_ms / 4;
		if (ttl_secs > 0)
			ttl_cache_put(db->cache, key.data, key.len,
				      sql_result_copy(res), ttl_ms);
		*res_r = res;
	}
	buf_free(&key);
	return 0;
}

int sql_db_exec(struct sql_db *db, const char *stmt, unsigned long *changes_r,
		struct sl_err *err)
{
	struct sql_result *res = NULL;
	unsigned long changes = 0;
	int r;

	ttl_cache_clear(db->cache);
	r = sql_db_run(db, stmt, strlen(stmt), 0, &res, &changes, err);
	sql_result_free(&res);
	if (r == 0 && changes_r != NULL)
		*changes_r = changes;
	return r;
}

/* ---- %s ---- */

void sql_set_service(const char *service)
{
	free(sql_service_name);
	sql_service_name = service != NULL ? xstrdup(service) : NULL;
}

const char *sql_service(void)
{
	static const struct { const char *prog, *service; } map[] = {
		{ "sluice-deliver", "lda" }, { "sluice-lmtpd", "lmtp" },
		{ "sluice-auth", "auth" },
	};
	size_t i;

	if (sql_service_name != NULL)
		return sql_service_name;
	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		if (strcmp(program_invocation_short_name, map[i].prog) == 0)
			return map[i].service;
	}
	return "sluice";
}
