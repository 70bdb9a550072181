/* sql-pgsql.c - the PostgreSQL driver; libpq is dlopen()ed on the first
 * connection, so programs that never use it do not load it.
 *
 * The connect string is Dovecot's: libpq's "host=... dbname=... user=...
 * password=... port=..." (sql_pgsql_conninfo says what changes on the
 * way to PQconnectdb). Every connection runs with
 * standard_conforming_strings on, so the connection-independent escape
 * (a quote doubled, nothing else special) and PQescapeStringConn()
 * write the same literal, before and after the first connection.
 */
#include "auto-config.h"
#include "dynlib.h"
#include "sql-private.h"
#include "utf8.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>

#define PGSQL_CONNECT_TIMEOUT "5"	/* seconds, unless the string says */

int sql_escape_pgsql(void *ctx, struct buf *out, const char *s, size_t len)
{
	size_t i;

	(void)ctx;
	/* the connection is UTF8 (sql_pgsql_conninfo): the server would
	 * refuse anything else with an error, not "no such user" */
	if (memchr(s, '\0', len) != NULL || !utf8_valid(s, len))
		return -1;
	for (i = 0; i < len; i++) {
		if (s[i] == '\'')
			buf_append_char(out, '\'');
		buf_append_char(out, s[i]);
	}
	return 0;
}

/* ---- the connect string ---- */

struct pg_pair {
	char *key, *value;
};

/* pg_token - one libpq conninfo key (up to '=') or value (bare, or in
 * '...') at *p into out, backslash escapes undone; -1 when a quote is
 * not closed */
static int pg_token(const char **p, int stop_at_eq, struct buf *out)
{
	const char *s = *p;
	int quoted = !stop_at_eq && *s == '\'';

	buf_reset(out);
	s += quoted;
	while (*s != '\0') {
		if (quoted ? *s == '\'' : (*s == ' ' || *s == '\t' ||
					    *s == '\n' || *s == '\r' ||
					    (stop_at_eq && *s == '=')))
			break;
		if (*s == '\\' && s[1] != '\0')
			s++;
		buf_append_char(out, *s++);
	}
	if (quoted && *s != '\'')
		return -1;
	*p = s + quoted;
	return 0;
}

/* pg_blanks - skip white space */
static const char *pg_blanks(const char *p)
{
	while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
		p++;
	return p;
}

/* pg_append_pair - key='value' with ' and \ escaped, as libpq reads */
static void pg_append_pair(struct buf *out, const char *key,
			   const char *value)
{
	if (out->len > 0)
		buf_append_char(out, ' ');
	buf_append_str(out, key);
	buf_append_str(out, "='");
	for (; *value != '\0'; value++) {
		if (*value == '\'' || *value == '\\')
			buf_append_char(out, '\\');
		buf_append_char(out, *value);
	}
	buf_append_char(out, '\'');
}

/* pg_uri - a postgresql:// URI goes as it is, with a connect_timeout */
static void pg_uri(const char *connect, struct buf *out)
{
	buf_append_str(out, connect);
	if (strstr(connect, "connect_timeout=") == NULL)
		buf_printf(out, "%cconnect_timeout=" PGSQL_CONNECT_TIMEOUT,
			   strchr(connect, '?') != NULL ? '&' : '?');
}

/* pg_emit - the pairs as libpq's conninfo: hosts joined, defaults added */
static void pg_emit(const struct pg_pair *pairs, size_t n, struct buf *out)
{
	struct buf hosts = BUF_INIT;
	int timeout = 0, encoding = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		if (strcmp(pairs[i].key, "host") == 0) {
			if (hosts.len > 0)
				buf_append_char(&hosts, ',');
			buf_append_str(&hosts, pairs[i].value);
			continue;
		}
		timeout |= strcmp(pairs[i].key, "connect_timeout") == 0;
		encoding |= strcmp(pairs[i].key, "client_encoding") == 0;
		pg_append_pair(out, pairs[i].key, pairs[i].value);
	}
	if (hosts.len > 0)
		pg_append_pair(out, "host", buf_cstr(&hosts));
	if (!timeout)
		pg_append_pair(out, "connect_timeout", PGSQL_CONNECT_TIMEOUT);
	if (!encoding)
		pg_append_pair(out, "client_encoding", "UTF8");
	buf_free(&hosts);
}

int sql_pgsql_conninfo(const char *connect, struct buf *out,
		       struct sl_err *err)
{
	struct buf key = BUF_INIT, value = BUF_INIT;
	struct pg_pair *pairs = NULL;
	size_t n = 0, i;
	const char *p = pg_blanks(connect);
	int r = 0;

	if (strncmp(p, "postgresql://", 13) == 0 ||
	    strncmp(p, "postgres://", 11) == 0) {
		pg_uri(p, out);
		return 0;
	}
	while (*p != '\0' && r == 0) {
		if (pg_token(&p, 1, &key) < 0 || key.len == 0 ||
		    *(p = pg_blanks(p)) != '=') {
			r = err_set(err, ERR_USAGE, "pgsql connect string: "
				    "missing \"=\" after \"%.64s\"",
				    buf_cstr(&key));
			break;
		}
		p = pg_blanks(p + 1);
		if (pg_token(&p, 0, &value) < 0) {
			r = err_set(err, ERR_USAGE, "pgsql connect string: "
				    "unterminated quoted value of %.64s",
				    buf_cstr(&key));
			break;
		}
		p = pg_blanks(p);
		/* Dovecot's connection pool size: one connection here */
		if (strcmp(buf_cstr(&key), "maxconns") == 0)
			continue;
		pairs = xreallocarray(pairs, n + 1, sizeof(*pairs));
		pairs[n].key = buf_steal(&key);
		pairs[n++].value = buf_steal(&value);
	}
	if (r == 0)
		pg_emit(pairs, n, out);
	for (i = 0; i < n; i++) {
		free(pairs[i].key);
		explicit_bzero(pairs[i].value, strlen(pairs[i].value));
		free(pairs[i].value);
	}
	free(pairs);
	buf_free(&key);
	if (value.data != NULL)
		explicit_bzero(value.data, value.cap);
	buf_free(&value);
	return r;
}

#ifdef HAVE_PGSQL

#include <libpq-fe.h>

/* the entry points, typed by libpq-fe.h (naming them links nothing) */
static struct {
	__typeof__(&PQconnectdb) connectdb;
	__typeof__(&PQstatus) status;
	__typeof__(&PQerrorMessage) error_message;
	__typeof__(&PQfinish) finish;
	__typeof__(&PQsetNoticeProcessor) set_notice_processor;
	__typeof__(&PQparameterStatus) parameter_status;
	__typeof__(&PQexec) exec;
	__typeof__(&PQexecParams) exec_params;
	__typeof__(&PQresultStatus) result_status;
	__typeof__(&PQresultErrorField) result_error_field;
	__typeof__(&PQresultErrorMessage) result_error_message;
	__typeof__(&PQntuples) ntuples;
	__typeof__(&PQnfields) nfields;
	__typeof__(&PQfname) fname;
	__typeof__(&PQgetvalue) getvalue;
	__typeof__(&PQgetisnull) getisnull;
	__typeof__(&PQgetlength) getlength;
	__typeof__(&PQcmdTuples) cmd_tuples;
	__typeof__(&PQclear) clear;
	__typeof__(&PQescapeStringConn) escape_string_conn;
	__typeof__(&PQconninfoParse) conninfo_parse;
	__typeof__(&PQconninfoFree) conninfo_free;
	__typeof__(&PQfreemem) freemem;
} pq;
static const struct dynlib_sym pq_syms[] = {
	DYNLIB_SYM("PQconnectdb", pq.connectdb),
	DYNLIB_SYM("PQstatus", pq.status),
	DYNLIB_SYM("PQerrorMessage", pq.error_message),
	DYNLIB_SYM("PQfinish", pq.finish),
	DYNLIB_SYM("PQsetNoticeProcessor", pq.set_notice_processor),
	DYNLIB_SYM("PQparameterStatus", pq.parameter_status),
	DYNLIB_SYM("PQexec", pq.exec),
	DYNLIB_SYM("PQexecParams", pq.exec_params),
	DYNLIB_SYM("PQresultStatus", pq.result_status),
	DYNLIB_SYM("PQresultErrorField", pq.result_error_field),
	DYNLIB_SYM("PQresultErrorMessage", pq.result_error_message),
	DYNLIB_SYM("PQntuples", pq.ntuples),
	DYNLIB_SYM("PQnfields", pq.nfields),
	DYNLIB_SYM("PQfname", pq.fname),
	DYNLIB_SYM("PQgetvalue", pq.getvalue),
	DYNLIB_SYM("PQgetisnull", pq.getisnull),
	DYNLIB_SYM("PQgetlength", pq.getlength),
	DYNLIB_SYM("PQcmdTuples", pq.cmd_tuples),
	DYNLIB_SYM("PQclear", pq.clear),
	DYNLIB_SYM("PQescapeStringConn", pq.escape_string_conn),
	DYNLIB_SYM("PQconninfoParse", pq.conninfo_parse),
	DYNLIB_SYM("PQconninfoFree", pq.conninfo_free),
	DYNLIB_SYM("PQfreemem", pq.freemem),
};
static struct dynlib pq_lib = DYNLIB_INIT("the PostgreSQL client library", PGSQL_SONAME, pq_syms);

/* pq_fail - err from a libpq message, on one line */
static int pq_fail(struct sl_err *err, enum err_class cls, const char *what,
		   const char *msg)
{
	char line[SL_ERR_TEXT_MAX];
	size_t i, o = 0;

	for (i = 0; msg != NULL && msg[i] != '\0' && o < sizeof(line) - 1;
	     i++) {
		char c = msg[i] == '\n' || msg[i] == '\t' ? ' ' : msg[i];

		if (c == ' ' && (o == 0 || line[o - 1] == ' '))
			continue;
		line[o++] = c;
	}
	while (o > 0 && line[o - 1] == ' ')
		o--;
	line[o] = '\0';
	return err_set(err, cls, "pgsql: %s%s", what, o > 0 ? line
		       : "unknown error");
}

/* pq_notice - notices (CREATE ... IF NOT EXISTS "skipping") are not
 * for stderr */
static void pq_notice(void *ctx, const char *msg)
{
	(void)ctx;
	(void)msg;
}

static void pq_disconnect(void *conn)
{
	if (conn != NULL)
		pq.finish(conn);
}

/* pq_session - the settings the escaping relies on */
static int pq_session(PGconn *pg, struct sl_err *err)
{
	const char *scs = pq.parameter_status(pg, "standard_conforming_strings");
	PGresult *res;
	int ok;

	if (scs != NULL && strcmp(scs, "on") == 0)
		return 0;
	res = pq.exec(pg, "SET standard_conforming_strings = on");
	ok = res != NULL && pq.result_status(res) == PGRES_COMMAND_OK;
	if (!ok)
		pq_fail(err, ERR_TEMP, "cannot set standard_conforming_strings: ",
			res != NULL ? pq.result_error_message(res)
			: pq.error_message(pg));
	pq.clear(res);
	return ok ? 0 : -1;
}

/* pq_check_info - libpq knows every key: a typo is a configuration
 * error, not a database that is down */
static int pq_check_info(const char *info, struct sl_err *err)
{
	char *msg = NULL;
	PQconninfoOption *opts = pq.conninfo_parse(info, &msg);

	if (opts != NULL) {
		pq.conninfo_free(opts);
		return 0;
	}
	if (msg == NULL)
		return err_set(err, ERR_TEMP, "pgsql: out of memory");
	pq_fail(err, ERR_USAGE, "connect string: ", msg);
	pq.freemem(msg);
	return -1;
}

static int pq_connect(const char *connect, int create, void **conn_r,
		      struct sl_err *err)
{
	struct buf info = BUF_INIT;
	PGconn *pg;

	(void)create;	/* the database is made by its administrator */
	if (dynlib_load(&pq_lib, err) < 0 || sql_pgsql_conninfo(connect, &info, err) < 0 ||
	    pq_check_info(buf_cstr(&info), err) < 0) {
		if (info.data != NULL)
			explicit_bzero(info.data, info.cap);
		buf_free(&info);
		return -1;
	}
	pg = pq.connectdb(buf_cstr(&info));
	explicit_bzero(info.data, info.cap);	/* it may hold a password */
	buf_free(&info);
	if (pg == NULL)
		return err_set(err, ERR_TEMP, "pgsql: out of memory");
	if (pq.status(pg) != CONNECTION_OK) {
		pq_fail(err, ERR_TEMP, "", pq.error_message(pg));
		pq.finish(pg);
		return -1;
	}
	(void)pq.set_notice_processor(pg, pq_notice, NULL);
	if (pq_session(pg, err) < 0) {
		pq.finish(pg);
		return -1;
	}
	*conn_r = pg;
	return 0;
}

/* pq_escape - PQescapeStringConn (the NUL and UTF-8 rule first, so the
 * answer is the same as without a connection) */
static int pq_escape(void *conn, struct buf *out, const char *s, size_t len)
{
	int error = 0;
	size_t n;

	if (conn == NULL || memchr(s, '\0', len) != NULL)
		return sql_escape_pgsql(NULL, out, s, len);
	if (!utf8_valid(s, len)) {
		const char *enc = pq.parameter_status(conn, "client_encoding");

		if (enc == NULL || strcmp(enc, "UTF8") == 0)
			return -1;
	}
	buf_reserve(out, size_add(size_mul(len, 2), 1));
	n = pq.escape_string_conn(conn, out->data + out->len, s, len, &error);
	if (error) {
		out->data[out->len] = '\0';
		return -1;
	}
	out->len += n;
	return 0;
}

/* pq_error - a failed statement, classified: integrity constraint
 * violations (SQLSTATE class 23: a duplicate key) are ERR_EXISTS */
static int pq_error(PGconn *pg, PGresult *res, struct sl_err *err)
{
	const char *state = res != NULL ?
		pq.result_error_field(res, PG_DIAG_SQLSTATE) : NULL;
	const char *msg = res != NULL ? pq.result_error_message(res) : NULL;

	if (msg == NULL || *msg == '\0')
		msg = pq.error_message(pg);
	return pq_fail(err, state != NULL && strncmp(state, "23", 2) == 0
		       ? ERR_EXISTS : ERR_TEMP, "", msg);
}

/* pq_rows - a result's columns and rows (at most max_rows) into res */
static int pq_rows(PGresult *pr, size_t max_rows, struct sql_result *res,
		   struct sl_err *err)
{
	int ncols = pq.nfields(pr), nrows = pq.ntuples(pr), r, c;

	if (ncols > SQL_COLUMNS_MAX)
		return err_set(err, ERR_TEMP, "pgsql: more than %d columns",
			       SQL_COLUMNS_MAX);
	for (c = 0; c < ncols; c++) {
		const char *name = pq.fname(pr, c);

		sql_result_add_column(res, name != NULL ? name : "");
	}
	for (r = 0; r < nrows; r++) {
		if (max_rows > 0 && res->n_rows == max_rows) {
			res->more = 1;
			break;
		}
		sql_result_add_row(res);
		for (c = 0; c < ncols; c++) {
			int n = pq.getlength(pr, r, c);

			if (pq.getisnull(pr, r, c))
				continue;
			if (n < 0 || (size_t)n > SQL_VALUE_MAX)
				return err_set(err, ERR_TEMP, "pgsql: column %s "
					       "holds more than %d bytes",
					       res->names[c], SQL_VALUE_MAX);
			sql_result_set(res, (size_t)c, pq.getvalue(pr, r, c),
				       (size_t)n);
		}
	}
	return 0;
}

static int pq_query(void *conn, const char *q, size_t len, size_t max_rows,
		    struct sql_result *res, unsigned long *changes_r,
		    struct sl_err *err)
{
	PGconn *pg = conn;
	PGresult *pr;
	char *text;
	int ret = 0;

	if (len > SQL_QUERY_MAX * 4)
		return err_set(err, ERR_USAGE, "statement too long");
	if (memchr(q, '\0', len) != NULL)
		return err_set(err, ERR_USAGE, "pgsql: a NUL byte in a "
			       "statement");
	/* the extended protocol: one statement, never a ";"-joined list */
	text = xstrndup(q, len);
	pr = pq.exec_params(pg, text, 0, NULL, NULL, NULL, NULL, 0);
	free(text);
	switch (pr != NULL ? pq.result_status(pr) : PGRES_FATAL_ERROR) {
	case PGRES_TUPLES_OK:
		ret = pq_rows(pr, max_rows, res, err);
		break;
	case PGRES_COMMAND_OK:
		if (changes_r != NULL)
			*changes_r = strtoul(pq.cmd_tuples(pr), NULL, 10);
		break;
	case PGRES_EMPTY_QUERY:
		ret = err_set(err, ERR_USAGE, "pgsql: an empty statement");
		break;
	default:
		ret = pq_error(pg, pr, err);
		break;
	}
	pq.clear(pr);
	return ret;
}

/* pq_stale - the server closed the connection (a restart) */
static int pq_stale(void *conn)
{
	return pq.status(conn) != CONNECTION_OK;
}

const struct sql_driver sql_driver_pgsql = {
	"pgsql", pq_connect, pq_disconnect, pq_escape, pq_query, pq_stale,
};

#endif
