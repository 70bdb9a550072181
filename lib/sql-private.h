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
extern const struct sql_driver sql_driver_pgsql;
extern const struct sql_driver sql_driver_mysql;

/* sql_pgsql_conninfo - Dovecot's pgsql connect string as PQconnectdb
 * takes it (libpq's "key=value" words, a value bare or in '...' with
 * backslash escapes): Dovecot's own maxconns=N dropped, several host=
 * joined into libpq's host list (tried in order), connect_timeout=5 and
 * client_encoding=UTF8 added unless given; every value written quoted.
 * A postgresql:// URI is passed on with a connect_timeout. Appends to
 * out; ERR_USAGE for a word without '=' or an unclosed quote. */
int sql_pgsql_conninfo(const char *connect, struct buf *out,
		       struct sl_err *err);

/* Dovecot's mysql connect string, parsed. */
struct sql_mysql_settings {
	char **hosts;		/* host= (a path starting '/': a UNIX
				   socket); several are tried in order */
	size_t n_hosts;
	char *user, *password, *dbname;
	char *option_file, *option_group;	/* group default "client" */
	char *ssl_key, *ssl_cert, *ssl_ca, *ssl_ca_path, *ssl_cipher;
	int ssl_verify_server_cert;
	unsigned int port;
	unsigned int connect_timeout, read_timeout, write_timeout;
	unsigned long client_flags;	/* never CLIENT_MULTI_STATEMENTS or
					   CLIENT_LOCAL_FILES */
};
/* sql_mysql_settings_parse - "key=value" words split at white space, as
 * Dovecot: host (or hostaddr), port, dbname, user, password,
 * client_flags, connect_timeout (default 5 s), read_timeout and
 * write_timeout (30 s), ssl_key, ssl_cert, ssl_ca, ssl_ca_path,
 * ssl_cipher, ssl_verify_server_cert (yes/no), option_file,
 * option_group, and maxconns (Dovecot's pool size: ignored). An unknown
 * key, a bad number or no host (and no option_file): ERR_USAGE. */
int sql_mysql_settings_parse(const char *connect,
			     struct sql_mysql_settings *set,
			     struct sl_err *err);
void sql_mysql_settings_free(struct sql_mysql_settings *set);

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
