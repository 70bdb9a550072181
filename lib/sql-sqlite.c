/* sql-sqlite.c - the SQLite driver; libsqlite3 is dlopen()ed on the
 * first connection, so programs that never use it do not load it */
#include "auto-config.h"
#include "sql-private.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>

int sql_escape_sqlite(void *ctx, struct buf *out, const char *s, size_t len)
{
	size_t i;

	(void)ctx;
	if (memchr(s, '\0', len) != NULL)
		return -1;
	for (i = 0; i < len; i++) {
		if (s[i] == '\'')
			buf_append_char(out, '\'');
		buf_append_char(out, s[i]);
	}
	return 0;
}

#ifdef HAVE_SQLITE3

#include <errno.h>
#include <sqlite3.h>
#include <sys/stat.h>

#include "dynlib.h"

/* how long a lookup waits for a writer's lock (`sluice user add`)
 * before it is a temporary failure */
#define SQLITE_BUSY_MS 5000

/* the entry points, typed by sqlite3.h (naming them links nothing) */
static struct {
	__typeof__(&sqlite3_open_v2) open_v2;
	__typeof__(&sqlite3_close) close;
	__typeof__(&sqlite3_busy_timeout) busy_timeout;
	__typeof__(&sqlite3_prepare_v2) prepare_v2;
	__typeof__(&sqlite3_step) step;
	__typeof__(&sqlite3_finalize) finalize;
	__typeof__(&sqlite3_column_count) column_count;
	__typeof__(&sqlite3_column_name) column_name;
	__typeof__(&sqlite3_column_type) column_type;
	__typeof__(&sqlite3_column_text) column_text;
	__typeof__(&sqlite3_column_bytes) column_bytes;
	__typeof__(&sqlite3_changes) changes;
	__typeof__(&sqlite3_errmsg) errmsg;
	__typeof__(&sqlite3_errstr) errstr;
} sq;
static const struct dynlib_sym sq_syms[] = {
	DYNLIB_SYM("sqlite3_open_v2", sq.open_v2),
	DYNLIB_SYM("sqlite3_close", sq.close),
	DYNLIB_SYM("sqlite3_busy_timeout", sq.busy_timeout),
	DYNLIB_SYM("sqlite3_prepare_v2", sq.prepare_v2),
	DYNLIB_SYM("sqlite3_step", sq.step),
	DYNLIB_SYM("sqlite3_finalize", sq.finalize),
	DYNLIB_SYM("sqlite3_column_count", sq.column_count),
	DYNLIB_SYM("sqlite3_column_name", sq.column_name),
	DYNLIB_SYM("sqlite3_column_type", sq.column_type),
	DYNLIB_SYM("sqlite3_column_text", sq.column_text),
	DYNLIB_SYM("sqlite3_column_bytes", sq.column_bytes),
	DYNLIB_SYM("sqlite3_changes", sq.changes),
	DYNLIB_SYM("sqlite3_errmsg", sq.errmsg),
	DYNLIB_SYM("sqlite3_errstr", sq.errstr),
};
static struct dynlib sq_lib = DYNLIB_INIT("SQLite", SQLITE3_SONAME, sq_syms);

struct sq_conn {
	sqlite3 *db;
	char *path;
	dev_t dev;
	ino_t ino;
};

static void sq_disconnect(void *conn)
{
	struct sq_conn *c = conn;

	if (c == NULL)
		return;
	if (c->db != NULL)
		(void)sq.close(c->db);
	free(c->path);
	free(c);
}

static int sq_connect(const char *connect, int create, void **conn_r,
		      struct sl_err *err)
{
	int flags = SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0);
	struct sq_conn *c;
	struct stat st;
	int r;

	if (dynlib_load(&sq_lib, err) < 0)
		return -1;
	/* a missing file is an error, never a new empty database that
	 * answers "no such user" */
	if (!create && stat(connect, &st) < 0)
		return err_set(err, ERR_TEMP, "sqlite %s: %s", connect,
			       strerror(errno));
	c = xcalloc(1, sizeof(*c));
	c->path = xstrdup(connect);
	r = sq.open_v2(connect, &c->db, flags, NULL);
	if (r != SQLITE_OK) {
		err_set(err, ERR_TEMP, "sqlite %s: %s", connect, c->db != NULL
			? sq.errmsg(c->db) : sq.errstr(r));
		sq_disconnect(c);
		return -1;
	}
	(void)sq.busy_timeout(c->db, SQLITE_BUSY_MS);
	if (stat(connect, &st) == 0) {
		c->dev = st.st_dev;
		c->ino = st.st_ino;
	}
	*conn_r = c;
	return 0;
}

static int sq_escape(void *conn, struct buf *out, const char *s, size_t len)
{
	return sql_escape_sqlite(conn, out, s, len);
}

/* sq_error - the failure of a statement, classified */
static int sq_error(struct sq_conn *c, int rc, struct sl_err *err)
{
	int primary = rc & 0xff;
	enum err_class cls = primary == SQLITE_CONSTRAINT ? ERR_EXISTS
		: ERR_TEMP;

	return err_set(err, cls, "sqlite %s: %s", c->path, sq.errmsg(c->db));
}

/* sq_row - the current row into res */
static int sq_row(struct sq_conn *c, sqlite3_stmt *st, struct sql_result *res,
		  struct sl_err *err)
{
	size_t i;

	sql_result_add_row(res);
	for (i = 0; i < res->n_cols; i++) {
		const unsigned char *v;
		int n;

		if (sq.column_type(st, (int)i) == SQLITE_NULL)
			continue;
		v = sq.column_text(st, (int)i);
		n = sq.column_bytes(st, (int)i);
		if (v == NULL || n < 0)
			return err_set(err, ERR_TEMP, "sqlite %s: out of memory "
				       "reading a value", c->path);
		if ((size_t)n > SQL_VALUE_MAX)
			return err_set(err, ERR_TEMP, "sqlite %s: column %s holds "
				       "more than %d bytes", c->path,
				       res->names[i], SQL_VALUE_MAX);
		sql_result_set(res, i, (const char *)v, (size_t)n);
	}
	return 0;
}

/* sq_only_blanks - nothing but white space (and ';') after a statement */
static int sq_only_blanks(const char *p, const char *end)
{
	for (; p < end; p++) {
		if (strchr(" \t\r\n;", *p) == NULL)
			return 0;
	}
	return 1;
}

static int sq_query(void *conn, const char *q, size_t len, size_t max_rows,
		    struct sql_result *res, unsigned long *changes_r,
		    struct sl_err *err)
{
	struct sq_conn *c = conn;
	sqlite3_stmt *st = NULL;
	const char *tail = NULL;
	int rc, ncols, i, ret = 0;

	if (len > SQL_QUERY_MAX * 4)
		return err_set(err, ERR_USAGE, "statement too long");
	rc = sq.prepare_v2(c->db, q, (int)len, &st, &tail);
	if (rc != SQLITE_OK)
		return sq_error(c, rc, err);
	if (st == NULL)
		return err_set(err, ERR_USAGE, "sqlite %s: an empty statement",
			       c->path);
	if (tail != NULL && !sq_only_blanks(tail, q + len)) {
		(void)sq.finalize(st);
		return err_set(err, ERR_USAGE, "sqlite %s: more than one "
			       "statement in a query", c->path);
	}
	ncols = sq.column_count(st);
	if (ncols > SQL_COLUMNS_MAX) {
		(void)sq.finalize(st);
		return err_set(err, ERR_TEMP, "sqlite %s: more than %d columns",
			       c->path, SQL_COLUMNS_MAX);
	}
	for (i = 0; i < ncols; i++) {
		const char *name = sq.column_name(st, i);

		sql_result_add_column(res, name != NULL ? name : "");
	}
	while ((rc = sq.step(st)) == SQLITE_ROW) {
		if (max_rows > 0 && res->n_rows == max_rows) {
			res->more = 1;
			break;
		}
		if ((ret = sq_row(c, st, res, err)) < 0)
			break;
	}
	if (ret == 0 && rc != SQLITE_ROW && rc != SQLITE_DONE)
		ret = sq_error(c, rc, err);
	(void)sq.finalize(st);
	if (ret == 0 && changes_r != NULL)
		*changes_r = (unsigned long)sq.changes(c->db);
	return ret;
}

/* sq_stale - the file was removed or replaced since we opened it */
static int sq_stale(void *conn)
{
	struct sq_conn *c = conn;
	struct stat st;

	return stat(c->path, &st) < 0 || st.st_dev != c->dev ||
		st.st_ino != c->ino;
}

const struct sql_driver sql_driver_sqlite = {
	"sqlite", sq_connect, sq_disconnect, sq_escape, sq_query, sq_stale,
};

#endif
