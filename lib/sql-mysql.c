/* sql-mysql.c - the MySQL/MariaDB driver; libmariadb is dlopen()ed on
 * the first connection, so programs that never use it do not load it.
 *
 * The connect string is Dovecot's (sql_mysql_settings_parse). Every
 * connection is made utf8mb4 and without NO_BACKSLASH_ESCAPES, so the
 * connection-independent escape (sql_escape_mysql) and
 * mysql_real_escape_string() write the same literal, before and after
 * the first connection. A statement is one statement: multi-statements
 * and LOAD DATA LOCAL (a server reading the client's files) are off
 * whatever client_flags says.
 */
#include "auto-config.h"
#include "dynlib.h"
#include "sql-private.h"
#include "xalloc.h"

#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#define MYSQL_CONNECT_TIMEOUT 5		/* seconds, as Dovecot */
#define MYSQL_RW_TIMEOUT 30		/* read/write, as Dovecot */
#define MYSQL_HOSTS_MAX 16
/* client_flags bits never passed on (mysql_com.h's values) */
#define MYSQL_FLAG_LOCAL_FILES 128UL
#define MYSQL_FLAG_MULTI_STATEMENTS (1UL << 16)

int sql_escape_mysql(void *ctx, struct buf *out, const char *s, size_t len)
{
	size_t i;

	(void)ctx;
	if (memchr(s, '\0', len) != NULL)
		return -1;
	for (i = 0; i < len; i++) {
		switch (s[i]) {
		case '\\': case '\'': case '"':
			buf_append_char(out, '\\');
			buf_append_char(out, s[i]);
			break;
		case '\n': buf_append_str(out, "\\n"); break;
		case '\r': buf_append_str(out, "\\r"); break;
		case '\032': buf_append_str(out, "\\Z"); break;
		default: buf_append_char(out, s[i]); break;
		}
	}
	return 0;
}

/* ---- the connect string ---- */

void sql_mysql_settings_free(struct sql_mysql_settings *set)
{
	size_t i;

	for (i = 0; i < set->n_hosts; i++)
		free(set->hosts[i]);
	free(set->hosts);
	if (set->password != NULL)
		explicit_bzero(set->password, strlen(set->password));
	free(set->password);
	free(set->user);
	free(set->dbname);
	free(set->option_file);
	free(set->option_group);
	free(set->ssl_key);
	free(set->ssl_cert);
	free(set->ssl_ca);
	free(set->ssl_ca_path);
	free(set->ssl_cipher);
	memset(set, 0, sizeof(*set));
}

/* my_uint - a decimal number up to max; -1 if it is not one */
static int my_uint(const char *s, unsigned long max, unsigned long *v_r)
{
	char *end;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	*v_r = strtoul(s, &end, 10);
	return errno != 0 || *end != '\0' || *v_r > max ? -1 : 0;
}

/* my_setting - one key=value into set; -1 with err */
static int my_setting(struct sql_mysql_settings *set, const char *key,
		      const char *value, struct sl_err *err)
{
	static const struct { const char *key; size_t off; } strs[] = {
#define S(k, f) { k, offsetof(struct sql_mysql_settings, f) }
		S("user", user), S("password", password), S("dbname", dbname),
		S("option_file", option_file), S("option_group", option_group),
		S("ssl_key", ssl_key), S("ssl_cert", ssl_cert),
		S("ssl_ca", ssl_ca), S("ssl_ca_path", ssl_ca_path),
		S("ssl_cipher", ssl_cipher),
#undef S
	};
	static const struct { const char *key; size_t off; } nums[] = {
#define N(k, f) { k, offsetof(struct sql_mysql_settings, f) }
		N("connect_timeout", connect_timeout),
		N("read_timeout", read_timeout),
		N("write_timeout", write_timeout),
#undef N
	};
	unsigned long v;
	size_t i;

	for (i = 0; i < sizeof(strs) / sizeof(strs[0]); i++) {
		if (strcmp(key, strs[i].key) == 0) {
			char **field = (char **)((char *)set + strs[i].off);

			free(*field);
			*field = xstrdup(value);
			return 0;
		}
	}
	for (i = 0; i < sizeof(nums) / sizeof(nums[0]); i++) {
		if (strcmp(key, nums[i].key) == 0) {
			if (my_uint(value, 86400, &v) < 0)
				return err_set(err, ERR_USAGE, "mysql connect "
					       "string: bad %s: %.64s", key,
					       value);
			*(unsigned int *)((char *)set + nums[i].off) =
				(unsigned int)v;
			return 0;
		}
	}
	if (strcmp(key, "host") == 0 || strcmp(key, "hostaddr") == 0) {
		if (set->n_hosts == MYSQL_HOSTS_MAX)
			return err_set(err, ERR_USAGE, "mysql connect string: "
				       "more than %d hosts", MYSQL_HOSTS_MAX);
		set->hosts = xreallocarray(set->hosts, set->n_hosts + 1,
					   sizeof(*set->hosts));
		set->hosts[set->n_hosts++] = xstrdup(value);
	} else if (strcmp(key, "port") == 0) {
		if (my_uint(value, 65535, &v) < 0 || v == 0)
			return err_set(err, ERR_USAGE, "mysql connect string: "
				       "bad port: %.64s", value);
		set->port = (unsigned int)v;
	} else if (strcmp(key, "client_flags") == 0) {
		if (my_uint(value, UINT_MAX, &v) < 0)
			return err_set(err, ERR_USAGE, "mysql connect string: "
				       "bad client_flags: %.64s", value);
		set->client_flags = v & ~(MYSQL_FLAG_LOCAL_FILES |
					  MYSQL_FLAG_MULTI_STATEMENTS);
	} else if (strcmp(key, "ssl_verify_server_cert") == 0) {
		if (strcmp(value, "yes") != 0 && strcmp(value, "no") != 0)
			return err_set(err, ERR_USAGE, "mysql connect string: "
				       "ssl_verify_server_cert is yes or no");
		set->ssl_verify_server_cert = strcmp(value, "yes") == 0;
	} else if (strcmp(key, "maxconns") != 0) {
		/* (maxconns: Dovecot's pool size; one connection here) */
		return err_set(err, ERR_USAGE, "mysql connect string: unknown "
			       "key %.64s", key);
	}
	return 0;
}

int sql_mysql_settings_parse(const char *connect,
			     struct sql_mysql_settings *set,
			     struct sl_err *err)
{
	const char *p = connect;
	int r = 0;

	memset(set, 0, sizeof(*set));
	set->connect_timeout = MYSQL_CONNECT_TIMEOUT;
	set->read_timeout = MYSQL_RW_TIMEOUT;
	set->write_timeout = MYSQL_RW_TIMEOUT;
	while (r == 0) {
		size_t n, klen;
		char *word;
		const char *eq;

		p += strspn(p, " \t\r\n");
		if (*p == '\0')
			break;
		n = strcspn(p, " \t\r\n");
		word = xstrndup(p, n);
		p += n;
		if ((eq = strchr(word, '=')) == NULL || eq == word) {
			r = err_set(err, ERR_USAGE, "mysql connect string: "
				    "\"key=value\" expected, not \"%.64s\"",
				    eq == NULL ? word : "=...");
		} else {
			klen = (size_t)(eq - word);
			word[klen] = '\0';
			r = my_setting(set, word, eq + 1, err);
		}
		explicit_bzero(word, n);
		free(word);
	}
	if (r == 0 && set->n_hosts == 0 && set->option_file == NULL)
		r = err_set(err, ERR_USAGE, "mysql connect string: no host= "
			    "(nor option_file=)");
	if (r < 0)
		sql_mysql_settings_free(set);
	return r;
}

#ifdef HAVE_MYSQL

#include <mysql.h>

/* the entry points, typed by mysql.h (naming them links nothing) */
static struct {
	__typeof__(&mysql_init) init;
	__typeof__(&mysql_options) options;
	__typeof__(&mysql_ssl_set) ssl_set;
	__typeof__(&mysql_real_connect) real_connect;
	__typeof__(&mysql_close) close;
	__typeof__(&mysql_error) error;
	__typeof__(&mysql_errno) errnum;
	__typeof__(&mysql_sqlstate) sqlstate;
	__typeof__(&mysql_character_set_name) character_set_name;
	__typeof__(&mysql_set_character_set) set_character_set;
	__typeof__(&mysql_real_escape_string) real_escape_string;
	__typeof__(&mysql_real_query) real_query;
	__typeof__(&mysql_field_count) field_count;
	__typeof__(&mysql_affected_rows) affected_rows;
	__typeof__(&mysql_store_result) store_result;
	__typeof__(&mysql_num_fields) num_fields;
	__typeof__(&mysql_fetch_fields) fetch_fields;
	__typeof__(&mysql_fetch_row) fetch_row;
	__typeof__(&mysql_fetch_lengths) fetch_lengths;
	__typeof__(&mysql_free_result) free_result;
	__typeof__(&mysql_more_results) more_results;
	__typeof__(&mysql_next_result) next_result;
} my;
static const struct dynlib_sym my_syms[] = {
	DYNLIB_SYM("mysql_init", my.init),
	DYNLIB_SYM("mysql_options", my.options),
	DYNLIB_SYM("mysql_ssl_set", my.ssl_set),
	DYNLIB_SYM("mysql_real_connect", my.real_connect),
	DYNLIB_SYM("mysql_close", my.close),
	DYNLIB_SYM("mysql_error", my.error),
	DYNLIB_SYM("mysql_errno", my.errnum),
	DYNLIB_SYM("mysql_sqlstate", my.sqlstate),
	DYNLIB_SYM("mysql_character_set_name", my.character_set_name),
	DYNLIB_SYM("mysql_set_character_set", my.set_character_set),
	DYNLIB_SYM("mysql_real_escape_string", my.real_escape_string),
	DYNLIB_SYM("mysql_real_query", my.real_query),
	DYNLIB_SYM("mysql_field_count", my.field_count),
	DYNLIB_SYM("mysql_affected_rows", my.affected_rows),
	DYNLIB_SYM("mysql_store_result", my.store_result),
	DYNLIB_SYM("mysql_num_fields", my.num_fields),
	DYNLIB_SYM("mysql_fetch_fields", my.fetch_fields),
	DYNLIB_SYM("mysql_fetch_row", my.fetch_row),
	DYNLIB_SYM("mysql_fetch_lengths", my.fetch_lengths),
	DYNLIB_SYM("mysql_free_result", my.free_result),
	DYNLIB_SYM("mysql_more_results", my.more_results),
	DYNLIB_SYM("mysql_next_result", my.next_result),
};
static struct dynlib my_lib = DYNLIB_INIT("the MySQL/MariaDB client library", MYSQL_SONAME, my_syms);

static void my_disconnect(void *conn)
{
	if (conn != NULL)
		my.close(conn);
}

/* my_options - what is set before connecting */
static void my_options(MYSQL *m, const struct sql_mysql_settings *set)
{
	unsigned int off = 0;
	my_bool verify = (my_bool)set->ssl_verify_server_cert;

	(void)my.options(m, MYSQL_OPT_CONNECT_TIMEOUT, &set->connect_timeout);
	(void)my.options(m, MYSQL_OPT_READ_TIMEOUT, &set->read_timeout);
	(void)my.options(m, MYSQL_OPT_WRITE_TIMEOUT, &set->write_timeout);
	(void)my.options(m, MYSQL_OPT_LOCAL_INFILE, &off);
	(void)my.options(m, MYSQL_SET_CHARSET_NAME, "utf8mb4");
	if (set->option_file != NULL)
		(void)my.options(m, MYSQL_READ_DEFAULT_FILE, set->option_file);
	(void)my.options(m, MYSQL_READ_DEFAULT_GROUP, set->option_group != NULL
			 ? set->option_group : "client");
	if (set->ssl_ca != NULL || set->ssl_ca_path != NULL) {
		(void)my.ssl_set(m, set->ssl_key, set->ssl_cert, set->ssl_ca,
				 set->ssl_ca_path, set->ssl_cipher != NULL
				 ? set->ssl_cipher : "HIGH");
		(void)my.options(m, MYSQL_OPT_SSL_VERIFY_SERVER_CERT, &verify);
	}
}

/* my_session - utf8mb4 and backslash escapes, which the escaping relies
 * on (an option file or the server's sql_mode may say otherwise) */
static int my_session(MYSQL *m, struct sl_err *err)
{
	static const char fix[] = "SET SESSION sql_mode = "
		"REPLACE(@@SESSION.sql_mode, 'NO_BACKSLASH_ESCAPES', '')";
	const char *cs = my.character_set_name(m);

	if ((cs == NULL || strcmp(cs, "utf8mb4") != 0) &&
	    my.set_character_set(m, "utf8mb4") != 0)
		return err_set(err, ERR_TEMP, "mysql: cannot use utf8mb4: %s",
			       my.error(m));
	if (m->server_status & SERVER_STATUS_NO_BACKSLASH_ESCAPES) {
		if (my.real_query(m, fix, sizeof(fix) - 1) != 0)
			return err_set(err, ERR_TEMP, "mysql: cannot turn "
				       "NO_BACKSLASH_ESCAPES off: %s",
				       my.error(m));
		if (m->server_status & SERVER_STATUS_NO_BACKSLASH_ESCAPES)
			return err_set(err, ERR_TEMP, "mysql: "
				       "NO_BACKSLASH_ESCAPES is still on");
	}
	return 0;
}

/* my_connect_one - one host; NULL with err */
static MYSQL *my_connect_one(const struct sql_mysql_settings *set,
			     const char *host, struct sl_err *err)
{
	MYSQL *m = my.init(NULL);
	int sock = host != NULL && host[0] == '/';

	if (m == NULL) {
		err_set(err, ERR_TEMP, "mysql: out of memory");
		return NULL;
	}
	my_options(m, set);
	if (my.real_connect(m, sock ? NULL : host, set->user, set->password,
			    set->dbname, set->port, sock ? host : NULL,
			    set->client_flags | CLIENT_MULTI_RESULTS) == NULL) {
		err_set(err, ERR_TEMP, "mysql %s: %s", host != NULL ? host
			: "(option_file)", my.error(m));
		my.close(m);
		return NULL;
	}
	if (my_session(m, err) < 0) {
		my.close(m);
		return NULL;
	}
	return m;
}

static int my_connect(const char *connect, int create, void **conn_r,
		      struct sl_err *err)
{
	struct sql_mysql_settings set;
	MYSQL *m = NULL;
	size_t i;

	(void)create;	/* the database is made by its administrator */
	if (dynlib_load(&my_lib, err) < 0 || sql_mysql_settings_parse(connect, &set, err) < 0)
		return -1;
	if (set.n_hosts == 0)
		m = my_connect_one(&set, NULL, err);
	for (i = 0; i < set.n_hosts && m == NULL; i++)
		m = my_connect_one(&set, set.hosts[i], err);
	sql_mysql_settings_free(&set);
	if (m == NULL)
		return -1;
	*conn_r = m;
	return 0;
}

/* my_escape - mysql_real_escape_string (NUL refused first, as without
 * a connection) */
static int my_escape(void *conn, struct buf *out, const char *s, size_t len)
{
	unsigned long n;

	if (conn == NULL || memchr(s, '\0', len) != NULL)
		return sql_escape_mysql(NULL, out, s, len);
	if (len > ULONG_MAX / 2 - 1)
		return -1;
	buf_reserve(out, size_add(size_mul(len, 2), 1));
	n = my.real_escape_string(conn, out->data + out->len, s,
				  (unsigned long)len);
	if (n == (unsigned long)-1) {
		out->data[out->len] = '\0';
		return -1;
	}
	out->len += n;
	return 0;
}

/* my_error - a failed statement, classified: integrity constraint
 * violations (SQLSTATE class 23: ER_DUP_ENTRY) are ERR_EXISTS */
static int my_error(MYSQL *m, struct sl_err *err)
{
	const char *state = my.sqlstate(m);

	return err_set(err, state != NULL && strncmp(state, "23", 2) == 0
		       ? ERR_EXISTS : ERR_TEMP, "mysql: %s (%u)", my.error(m),
		       my.errnum(m));
}

/* my_rows - a stored result's columns and rows (at most max_rows) */
static int my_rows(MYSQL_RES *mr, size_t max_rows, struct sql_result *res,
		   struct sl_err *err)
{
	unsigned int ncols = my.num_fields(mr), c;
	MYSQL_FIELD *fields = my.fetch_fields(mr);
	MYSQL_ROW row;

	if (ncols > SQL_COLUMNS_MAX)
		return err_set(err, ERR_TEMP, "mysql: more than %d columns",
			       SQL_COLUMNS_MAX);
	for (c = 0; c < ncols; c++)
		sql_result_add_column(res, fields != NULL &&
				      fields[c].name != NULL ? fields[c].name
				      : "");
	while ((row = my.fetch_row(mr)) != NULL) {
		unsigned long *lens = my.fetch_lengths(mr);

		if (max_rows > 0 && res->n_rows == max_rows) {
			res->more = 1;
			break;
		}
		sql_result_add_row(res);
		for (c = 0; c < ncols; c++) {
			if (row[c] == NULL)
				continue;
			if (lens == NULL || lens[c] > SQL_VALUE_MAX)
				return err_set(err, ERR_TEMP, "mysql: column %s "
					       "holds more than %d bytes",
					       res->names[c], SQL_VALUE_MAX);
			sql_result_set(res, c, row[c], lens[c]);
		}
	}
	return 0;
}

/* my_drain - the results a stored procedure adds (CLIENT_MULTI_RESULTS)
 * are read, or the next statement would be "out of sync" */
static int my_drain(MYSQL *m, struct sl_err *err)
{
	int r;

	while (my.more_results(m)) {
		if ((r = my.next_result(m)) > 0)
			return my_error(m, err);
		if (r < 0)
			break;
		my.free_result(my.store_result(m));
	}
	return 0;
}

static int my_query(void *conn, const char *q, size_t len, size_t max_rows,
		    struct sql_result *res, unsigned long *changes_r,
		    struct sl_err *err)
{
	MYSQL *m = conn;
	MYSQL_RES *mr;
	int ret = 0;

	if (len > SQL_QUERY_MAX * 4)
		return err_set(err, ERR_USAGE, "statement too long");
	if (my.real_query(m, q, (unsigned long)len) != 0)
		return my_error(m, err);
	if (my.field_count(m) == 0) {
		my_ulonglong n = my.affected_rows(m);

		if (changes_r != NULL)
			*changes_r = n == (my_ulonglong)-1 ? 0
				: (unsigned long)n;
		return my_drain(m, err);
	}
	if ((mr = my.store_result(m)) == NULL)
		return my_error(m, err);
	ret = my_rows(mr, max_rows, res, err);
	my.free_result(mr);
	if (my_drain(m, err) < 0)
		ret = -1;
	return ret;
}

const struct sql_driver sql_driver_mysql = {
	"mysql", my_connect, my_disconnect, my_escape, my_query, NULL,
};

#endif
