/* sql-private - the driver interface of sql.c; not for other modules.
 *
 * A driver is a table of five functions over an opaque connection. sql.c
 * owns everything else (conf, expansion, sharing, reconnects, the
 * cache, the query log); a driver only talks to its library.
 */
#ifndef SLUICE_SQL_PRIVATE_H
#define SLUICE_SQL_PRIVATE_H

#include "sql.h"

struct sql_driver {
	const char *name;	/* as in "driver = NAME" */
	/* connect - a connection from the connect string; create: make a
	 * missing database (sqlite). ERR_TEMP when the database cannot be
	 * reached or opened; ERR_USAGE for a bad connect string. */
	int (*connect)(const char *connect, int create, void **conn_r,
		       struct sl_err *err);
	void (*disconnect)(void *conn);
	/* escape - as sql_escape_fn (conn may be NULL before connecting:
	 * then the driver's connection-independent rule) */
	int (*escape)(void *conn, struct buf *out, const char *s, size_t len);
	/* query - run one statement; rows go to res (through
	 * sql_result_add_*), at most max_rows (0: all) with res->more set
	 * when there were more. *changes_r: rows changed by a statement
	 * that returns none. ERR_TEMP on failure (ERR_EXISTS for a
	 * constraint violation). */
	int (*query)(void *conn, const char *q, size_t len, size_t max_rows,
		     struct sql_result *res, unsigned long *changes_r,
		     struct sl_err *err);
	/* stale - the connection should be made again before the next
	 * query (sqlite: the file was replaced or removed); may be NULL */
	int (*stale)(void *conn);
};

extern const struct sql_driver sql_driver_sqlite;

/* for drivers: build a result */
struct sql_result *sql_result_new(void);
/* sql_result_add_column - call once per column before any row */
void sql_result_add_column(struct sql_result *res, const char *name);
/* sql_result_add_row - a new row of NULLs; then set its values */
void sql_result_add_row(struct sql_result *res);
/* sql_result_set - the last row's column col (value NULL: SQL NULL) */
void sql_result_set(struct sql_result *res, size_t col, const char *value,
		    size_t len);

#endif
