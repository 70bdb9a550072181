/* sql - SQL user databases as Dovecot reads them: the
 * dovecot-sql.conf.ext file, %-expansion of its queries with every value
 * escaped for the database, and one shared connection per file.
 *
 * The file (Dovecot's format, read unchanged): `key = value` lines, '#'
 * comments (also after a value, outside quotes), a value in "..." or
 * '...' has its quotes removed and backslash escapes undone, a line
 * ending in '\' continues on the next (joined with one space),
 * `!include FILE` / `!include_try FILE` (relative to the file's
 * folder). Keys: driver (sqlite, mysql, pgsql), connect (sqlite: the
 * database file; others: "host=... dbname=... user=... password=..."),
 * password_query, user_query, update_query, iterate_query,
 * default_pass_scheme (default MD5, as Dovecot), userdb_warning_disable.
 * Any other key is an error, as in Dovecot. Missing queries get
 * Dovecot 2.3's defaults (a "users" table).
 *
 * Drivers are a small table of functions (sql-private.h); sqlite,
 * pgsql (libpq) and mysql (libmariadb, for MySQL and MariaDB) are each
 * built in when configure found the library's headers, and the library
 * is loaded with dlopen() on the first connection, so programs that
 * never open a SQL database do not load it (a library that cannot be
 * loaded then is ERR_TEMP). A driver that was not built is ERR_USAGE
 * at open, naming the package to install.
 *
 * Connections: sql_db_open() shares one struct sql_db per conf file in
 * a process (the userdb and the passdb on the same file use one
 * connection). The connection is made at the first query, kept open,
 * closed after any query error and made again at the next query (a
 * query on a connection that was already open is retried once on a
 * fresh one). A database that cannot be reached or a query that fails
 * is ERR_TEMP: the caller's lookup is a temporary failure, never "no
 * such user".
 *
 * Cache: sql_db_query() with a ttl keeps the result of that exact query
 * text (after expansion) for ttl seconds, or ttl/4 (at least 1 s) when
 * it returned no rows; errors are never kept. At most SQL_CACHE_MAX
 * results are kept; when full, expired ones go, then all.
 *
 * Query log: with the sql_query_log key set, every query sent to a
 * database (not those answered from the cache) is appended to that
 * file, one per line, as sent: for debugging and tests.
 */
#ifndef SLUICE_SQL_H
#define SLUICE_SQL_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "err.h"

/* Limits */
#define SQL_QUERY_MAX 65536	/* longest expanded query */
#define SQL_VALUE_MAX (1024 * 1024)	/* largest column value kept */
#define SQL_COLUMNS_MAX 256	/* columns per result */
#define SQL_CACHE_MAX 10000	/* cached results per database */

struct sql_conf {
	char *path;
	char *driver;
	char *connect;
	char *password_query;
	char *user_query;
	char *update_query;
	char *iterate_query;
	char *default_pass_scheme;
	int userdb_warning_disable;
};

/* sql_conf_read - read and check a dovecot-sql.conf.ext. Errors: the
 * file (or an include) cannot be read: ERR_TEMP (the caller may try
 * again later); a syntax error, an unknown key, no driver or connect,
 * a query with an unknown %-variable: ERR_USAGE, naming file and line.
 * *conf_r is malloc'd; free with sql_conf_free. */
int sql_conf_read(const char *path, struct sql_conf **conf_r,
		  struct sl_err *err);
/* sql_conf_parse - the same for text already read (path names it in
 * errors and is the base of relative includes) */
int sql_conf_parse(const char *path, const char *text, size_t len,
		   struct sql_conf **conf_r, struct sl_err *err);
void sql_conf_free(struct sql_conf **conf);

/* What a query's %-variables expand to (NULL: empty). */
struct sql_vars {
	const char *user;	/* %u %{user}: user@domain or user */
	const char *username;	/* %n %{username}: the local part */
	const char *domain;	/* %d %{domain} */
	const char *service;	/* %s %{service}: lda, lmtp, smtp, ... */
	const char *home;	/* %h %{home} */
	const char *lip;	/* %l %{lip}: local IP */
	const char *rip;	/* %r %{rip}: remote IP */
};

/* sql_escape_fn - append s (len bytes) to out so it is safe between
 * single quotes in a query; -1 when it cannot be (a NUL byte) */
typedef int sql_escape_fn(void *ctx, struct buf *out, const char *s,
			  size_t len);

/* sql_expand - append tmpl with Dovecot's variables expanded, each
 * value passed through escape: %u %n %d %s %h %l %r %p (pid), %% a '%',
 * long forms %{user} %{username} %{domain} %{service} %{home} %{lip}
 * %{rip} %{pid} %{orig_user} %{orig_username} %{orig_domain}; modifiers
 * L (lowercase) and U (uppercase) before the name (%Ln, %L{user}). An
 * unknown variable or a '%' at the end is ERR_USAGE; a value escape
 * refuses is ERR_NOUSER (no such user can exist); a result over
 * SQL_QUERY_MAX is ERR_NOUSER too (the name was too long). */
int sql_expand(struct buf *out, const char *tmpl, const struct sql_vars *v,
	       sql_escape_fn *escape, void *ctx, struct sl_err *err);

/* sql_var_fn - a variable sql_expand's own table does not know (the
 * LDAP templates' %$ and %{ldap:attr}): name is len bytes, braced when
 * it was written %{name}. 1 with *value_r (NULL: empty), 0 unknown (an
 * ERR_USAGE for the caller), -1 with err set. */
typedef int sql_var_fn(void *ctx, const char *name, size_t len, int braced,
		       const char **value_r, struct sl_err *err);

/* sql_expand_ext - sql_expand with more variables: a name the table
 * above lacks is asked of var (with var_ctx); its value gets the case
 * modifier and the escaping as any other. var NULL: sql_expand. */
int sql_expand_ext(struct buf *out, const char *tmpl,
		   const struct sql_vars *v, sql_escape_fn *escape, void *ctx,
		   sql_var_fn *var, void *var_ctx, struct sl_err *err);

/* sql_template_check - ERR_USAGE ("PATH: KEY: ...") when tmpl uses a
 * %-variable sql_expand does not know: the conf readers check their
 * queries and filters at start-up, as Dovecot does */
int sql_template_check(const char *path, const char *key, const char *tmpl,
		       struct sl_err *err);

/* sql_escape_sqlite - SQLite's rule: a single quote is doubled, nothing
 * else is special (backslashes included); NUL refused */
int sql_escape_sqlite(void *ctx, struct buf *out, const char *s, size_t len);

/* sql_escape_pgsql - PostgreSQL's rule with standard_conforming_strings
 * on (the pgsql driver turns it on): a single quote is doubled, nothing
 * else is special; NUL and invalid UTF-8 refused (connections are UTF8) */
int sql_escape_pgsql(void *ctx, struct buf *out, const char *s, size_t len);
/* sql_escape_mysql - MySQL's rule, as mysql_real_escape_string on the
 * utf8mb4 connection without NO_BACKSLASH_ESCAPES that the mysql driver
 * makes: backslash, single and double quote get a backslash before
 * them, newline, CR and 0x1a become backslash-n, -r, -Z; NUL refused */
int sql_escape_mysql(void *ctx, struct buf *out, const char *s, size_t len);

/* A query's result: rows of columns, every value as text. */
struct sql_result {
	size_t n_cols, n_rows;
	char **names;		/* n_cols column names */
	char **values;		/* n_rows * n_cols, row-major; NULL: SQL NULL */
	size_t *lens;		/* the values' lengths (they may hold NULs) */
	int more;		/* there were more rows than max_rows */
	struct pool *pool;	/* everything above */
};
/* sql_result_value - row's value of column col (NULL: SQL NULL) */
const char *sql_result_value(const struct sql_result *res, size_t row,
			     size_t col, size_t *len_r);
/* sql_result_column - index of the column named name (ASCII case
 * insensitive), or -1 */
int sql_result_column(const struct sql_result *res, const char *name);
void sql_result_free(struct sql_result **res);

struct sql_db;

struct sql_db_settings {
	const char *query_log;	/* sql_query_log; NULL or "": none */
	int create;		/* sqlite: create a missing database file
				   (`sluice userdb init`), else it is an
				   error */
};

/* sql_db_open - the shared database for conf path (reads the conf on
 * the first open in a process; errors as sql_conf_read). No connection
 * is made here. Release with sql_db_close. */
int sql_db_open(const char *path, const struct sql_db_settings *set,
		struct sql_db **db_r, struct sl_err *err);
/* sql_db_open_conf - a database of its own (not shared) for a conf
 * already parsed, e.g. one `sluice userdb init` has just written;
 * *conf is taken (set to NULL) whatever the result. ERR_USAGE for a
 * driver that is not built. */
int sql_db_open_conf(struct sql_conf **conf, const struct sql_db_settings *set,
		     struct sql_db **db_r, struct sl_err *err);
void sql_db_close(struct sql_db **db);
const struct sql_conf *sql_db_conf(const struct sql_db *db);

/* sql_db_expand - sql_expand with this database's escaping */
int sql_db_expand(struct sql_db *db, struct buf *out, const char *tmpl,
		  const struct sql_vars *v, struct sl_err *err);
/* sql_db_escape - append s escaped for this database; -1 (ERR_USAGE)
 * for a value that cannot be escaped */
int sql_db_escape(struct sql_db *db, struct buf *out, const char *s,
		  size_t len, struct sl_err *err);
/* sql_db_query - run query (len bytes, already expanded), keeping at
 * most max_rows rows (0: no limit); with ttl_secs > 0 the answer may
 * come from, and goes to, the cache. 0 with *res_r (free it), or -1
 * with err (ERR_TEMP: connection or query failed). */
int sql_db_query(struct sql_db *db, const char *query, size_t len,
		 size_t max_rows, uint64_t ttl_secs,
		 struct sql_result **res_r, struct sl_err *err);
/* sql_db_exec - run one statement that returns no rows (admin: INSERT,
 * UPDATE, DELETE, CREATE); *changes_r (may be NULL) gets the number of
 * rows changed. Clears the cache. 0 or -1 with err (ERR_TEMP; a
 * constraint violation, e.g. a duplicate key, is ERR_EXISTS). */
int sql_db_exec(struct sql_db *db, const char *stmt, unsigned long *changes_r,
		struct sl_err *err);

/* sql_service - the %s of queries: set by a program ("lmtp", "smtp");
 * default from the program's name: sluice-deliver "lda", sluice-lmtpd
 * "lmtp", sluice-auth "auth", anything else "sluice" */
void sql_set_service(const char *service);
const char *sql_service(void);

#endif
