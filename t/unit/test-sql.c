/* test-sql.c - SQL user databases: dovecot-sql.conf.ext parsing,
 * %-expansion and escaping with hostile values (SQLite's, PostgreSQL's
 * and MySQL's rules), the pgsql and mysql connect strings and what
 * their drivers do without a server, the SQLite driver (results, NULLs,
 * errors, reconnects, the cache) and the sql: userdb. The pgsql and
 * mysql drivers against real servers: t/userdb-pgsql.t, t/userdb-mysql.t */
#include "auto-config.h"
#include "lib/config.h"
#include "lib/dovecot-conf.h"
#include "lib/passdb.h"
#include "lib/sql.h"
#include "lib/sql-private.h"
#include "lib/userdb.h"
#include "lib/xalloc.h"
#include "t/tap.h"
#include "t/tmpdir.h"

#include <arpa/inet.h>
#include <errno.h>
#include <ftw.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <time.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* count_lines - lines in a file (the query log); 0 if missing */
static int count_lines(const char *path, const char *needle)
{
	char line[8192];
	FILE *f = fopen(path, "r");
	int n = 0;

	if (f == NULL)
		return 0;
	while (fgets(line, sizeof(line), f) != NULL)
		n += needle == NULL || strstr(line, needle) != NULL;
	fclose(f);
	return n;
}

/* ---- the conf file ---- */

static const char conf_text[] =
	"# dovecot-sql.conf.ext as a site has it\n"
	"driver = sqlite\n"
	"   connect = /var/lib/sluice/users.db   # trailing comment\n"
	"\n"
	"default_pass_scheme = SHA512-CRYPT\n"
	"password_query = SELECT username AS user, password \\\n"
	"    FROM mailbox \\\n"
	"\tWHERE username = '%u' AND active = '1'\n"
	"user_query = \"SELECT home, '#not a comment' AS note, \\\"q\\\" FROM x WHERE u = '%u'\"\n"
	"iterate_query = SELECT username AS user FROM mailbox\r\n"
	"userdb_warning_disable = yes\n";

static void test_conf_parse(void)
{
	struct sql_conf *c = NULL;
	struct sl_err err;

	err_clear(&err);
	ok(sql_conf_parse("/etc/x.conf", conf_text, strlen(conf_text), &c,
			  &err) == 0, "a Dovecot conf parses (%s)", err.text);
	if (c == NULL)
		return;
	is_str(c->driver, "sqlite", "driver");
	is_str(c->connect, "/var/lib/sluice/users.db",
	       "connect: white space and a comment cut");
	is_str(c->default_pass_scheme, "SHA512-CRYPT", "default_pass_scheme");
	is_str(c->password_query, "SELECT username AS user, password FROM "
	       "mailbox WHERE username = '%u' AND active = '1'",
	       "continuation lines joined with one space");
	is_str(c->user_query, "SELECT home, '#not a comment' AS note, \"q\" "
	       "FROM x WHERE u = '%u'",
	       "a quoted value: quotes off, \\\" unescaped, # inside kept");
	is_str(c->iterate_query, "SELECT username AS user FROM mailbox",
	       "CRLF line ends");
	is_str(c->update_query, "UPDATE users SET password = '%w' WHERE "
	       "username = '%n' AND domain = '%d'", "Dovecot's default query");
	ok(c->userdb_warning_disable, "userdb_warning_disable");
	sql_conf_free(&c);
	ok(c == NULL, "sql_conf_free clears the pointer");

	c = NULL;
	err_clear(&err);
	ok(sql_conf_parse("d.conf", "driver=mysql\nconnect=host=db dbname=mail "
			  "user=u password=p\n", 58, &c, &err) == 0,
	   "mysql conf (%s)", err.text);
	if (c != NULL) {
		is_str(c->connect, "host=db dbname=mail user=u password=p",
		       "connect string kept whole");
		is_str(c->default_pass_scheme, "MD5", "default scheme MD5");
		is_str(c->user_query, "SELECT home, uid, gid FROM users WHERE "
		       "username = '%n' AND domain = '%d'",
		       "default user_query");
		sql_conf_free(&c);
	}
}

static void conf_error(const char *text, enum err_class cls,
		       const char *needle, const char *name)
{
	struct sql_conf *c = NULL;
	struct sl_err err;
	int r;

	err_clear(&err);
	r = sql_conf_parse("bad.conf", text, strlen(text), &c, &err);
	ok(r < 0 && c == NULL && err.cls == cls &&
	   strstr(err.text, needle) != NULL, "%s (%s)", name, err.text);
	sql_conf_free(&c);
}

static void test_conf_errors(void)
{
	struct sql_conf *c = NULL;
	struct sl_err err;
	char big[DOVECOT_CONF_LINE_MAX + 100];

	conf_error("driver = sqlite\nconnect = x\nuser_querry = x\n",
		   ERR_USAGE, "line 3: Unknown setting: user_querry",
		   "unknown key, with its line");
	conf_error("connect = x\n", ERR_USAGE, "driver not set", "no driver");
	conf_error("driver = sqlite\n", ERR_USAGE, "connect not set",
		   "no connect");
	conf_error("driver = oracle\nconnect = x\n", ERR_USAGE,
		   "unknown driver 'oracle'", "unknown driver");
	conf_error("driver = sqlite\nconnect x\n", ERR_USAGE,
		   "line 2: Expecting '='", "a line without '='");
	conf_error("driver = sqlite\nconnect = x\nuser_query = SELECT '%z'\n",
		   ERR_USAGE, "user_query: unknown variable %z",
		   "an unknown variable in a query");
	conf_error("driver = sqlite\nconnect = x\npassword_query = a '%'\n",
		   ERR_USAGE, "password_query", "a lone % in a query");
	conf_error("driver = sqlite\nconnect = x\niterate_query = %{nope}\n",
		   ERR_USAGE, "unknown variable %{nope}",
		   "an unknown long variable");
	err_clear(&err);
	ok(sql_conf_parse("nul.conf", "driver = sqlite\0\nconnect = x\n", 29,
			  &c, &err) < 0 && strstr(err.text, "holds a NUL") != NULL,
	   "a NUL byte (%s)", err.text);
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	memcpy(big, "connect = ", 10);
	conf_error(big, ERR_USAGE, "longer than", "an over-long line");

	/* the update_query may use %w (a password): not checked */
	err_clear(&err);
	ok(sql_conf_parse("u.conf", "driver = sqlite\nconnect = x\n"
			  "update_query = UPDATE t SET p = '%w'\n", 62, &c,
			  &err) == 0, "update_query is not expanded here");
	sql_conf_free(&c);

	err_clear(&err);
	ok(sql_conf_read(path_in("missing.conf"), &c, &err) < 0 &&
	   err.cls == ERR_TEMP && strstr(err.text, "missing.conf") != NULL,
	   "a missing file is a temporary failure (%s)", err.text);
}

static void test_conf_include(void)
{
	struct sql_conf *c = NULL;
	struct sl_err err;

	write_str(path_in("inc-queries.conf"),
		  "user_query = SELECT '%u' AS x\n");
	write_str(path_in("inc-main.conf"),
		  "driver = sqlite\n"
		  "connect = /x.db\n"
		  "!include inc-queries.conf\n"
		  "!include_try inc-absent.conf\n");
	err_clear(&err);
	ok(sql_conf_read(path_in("inc-main.conf"), &c, &err) == 0,
	   "!include relative to the file, !include_try of a missing file "
	   "(%s)", err.text);
	if (c != NULL)
		is_str(c->user_query, "SELECT '%u' AS x", "included key");
	sql_conf_free(&c);

	write_str(path_in("inc-loop.conf"), "!include inc-loop.conf\n");
	err_clear(&err);
	ok(sql_conf_read(path_in("inc-loop.conf"), &c, &err) < 0 &&
	   err.cls == ERR_USAGE && strstr(err.text, "nested") != NULL,
	   "an include loop stops (%s)", err.text);
	write_str(path_in("inc-bad.conf"), "!include no-such.conf\n");
	err_clear(&err);
	ok(sql_conf_read(path_in("inc-bad.conf"), &c, &err) < 0 &&
	   err.cls == ERR_TEMP, "a missing !include is a read failure");
}

/* ---- expansion and escaping ---- */

static int expand(const char *tmpl, const struct sql_vars *v,
		  struct buf *out, struct sl_err *err)
{
	buf_reset(out);
	err_clear(err);
	return sql_expand(out, tmpl, v, sql_escape_sqlite, NULL, err);
}

static void test_expand(void)
{
	struct sql_vars v = { "Bob@Example.com", "Bob", "Example.com", "lmtp",
			      NULL, "10.0.0.1", "192.0.2.7" };
	struct buf out = BUF_INIT;
	struct sl_err err;
	char pid[64];

	ok(expand("u=%u n=%n d=%d s=%s h=%h l=%l r=%r %%u", &v, &out,
		  &err) == 0, "short variables");
	is_str(buf_cstr(&out), "u=Bob@Example.com n=Bob d=Example.com s=lmtp "
	       "h= l=10.0.0.1 r=192.0.2.7 %u",
	       "values in place, no home is empty, %%%% is a %%");
	ok(expand("%{user}|%{username}|%{domain}|%{service}|%{orig_user}",
		  &v, &out, &err) == 0, "long variables");
	is_str(buf_cstr(&out), "Bob@Example.com|Bob|Example.com|lmtp|"
	       "Bob@Example.com", "long forms");
	ok(expand("%Lu %Ud %L{username}", &v, &out, &err) == 0, "modifiers");
	is_str(buf_cstr(&out), "bob@example.com EXAMPLE.COM bob",
	       "L lowercases, U uppercases");
	(void)snprintf(pid, sizeof(pid), "%ld", (long)getpid());
	ok(expand("%p", &v, &out, &err) == 0 &&
	   strcmp(buf_cstr(&out), pid) == 0, "%%p is the pid");
	ok(expand("x %q", &v, &out, &err) < 0 && err.cls == ERR_USAGE,
	   "unknown variable refused");
	ok(expand("x %", &v, &out, &err) < 0 && err.cls == ERR_USAGE,
	   "a %% at the end refused");
	ok(expand("x %{user", &v, &out, &err) < 0 && err.cls == ERR_USAGE,
	   "unclosed %%{ refused");
	buf_free(&out);
}

static void test_escape_hostile(void)
{
	struct sql_vars v;
	struct buf out = BUF_INIT;
	struct sl_err err;
	char *longname;
	size_t i, quotes;

	memset(&v, 0, sizeof(v));
	v.user = "x' OR '1'='1";
	ok(expand("WHERE u = '%u'", &v, &out, &err) == 0, "quotes");
	is_str(buf_cstr(&out), "WHERE u = 'x'' OR ''1''=''1'",
	       "single quotes doubled: the value stays one literal");
	v.user = "a\\'b\\";
	ok(expand("'%u'", &v, &out, &err) == 0, "backslashes");
	is_str(buf_cstr(&out), "'a\\''b\\'",
	       "backslashes kept as they are (SQLite has no \\ escapes)");
	v.user = "100%u%d%%";
	v.domain = "D";
	ok(expand("'%u' '%d'", &v, &out, &err) == 0, "%% in a value");
	is_str(buf_cstr(&out), "'100%u%d%%' 'D'",
	       "a value's %% is not expanded again");
	v.user = "'; DROP TABLE mailbox; --";
	ok(expand("'%u'", &v, &out, &err) == 0, "statement injection");
	is_str(buf_cstr(&out), "'''; DROP TABLE mailbox; --'",
	       "... stays inside the literal");

	longname = xmalloc(2001);
	for (i = 0; i < 2000; i++)
		longname[i] = i % 7 == 0 ? '\'' : 'a';
	longname[2000] = '\0';
	v.user = longname;
	ok(expand("'%u'", &v, &out, &err) == 0, "a 2,000-byte name");
	for (i = 0, quotes = 0; i < out.len; i++)
		quotes += out.data[i] == '\'';
	is_int((long)out.len, (long)(2 + 2000 + 286), "... every quote "
	       "doubled (%zu bytes)", out.len);
	is_int((long)quotes, (long)(2 + 2 * 286), "... 286 quotes doubled");
	free(longname);

	buf_reset(&out);
	ok(sql_escape_sqlite(NULL, &out, "a\0b", 3) < 0,
	   "a NUL byte cannot be escaped");
	v.user = "a";
	ok(sql_expand(&out, "%u", &v, NULL, NULL, &err) == 0,
	   "no escape function: values as they are");

	/* an escape that refuses: the expansion says no such user */
	{
		char huge[SQL_QUERY_MAX + 10];

		memset(huge, 'q', sizeof(huge) - 1);
		huge[sizeof(huge) - 1] = '\0';
		v.user = huge;
		ok(expand("'%u'", &v, &out, &err) < 0 && err.cls == ERR_NOUSER,
		   "a query over SQL_QUERY_MAX: no such user (%s)", err.text);
	}
	buf_free(&out);
}

/* escape_is - fn's literal of s (len bytes) is want */
static void escape_is(sql_escape_fn *fn, const char *s, size_t len,
		      const char *want, const char *name)
{
	struct buf out = BUF_INIT;

	buf_append_str(&out, "<");
	ok(fn(NULL, &out, s, len) == 0, "%s: escaped", name);
	is_str(buf_cstr(&out) + 1, want, "%s", name);
	buf_free(&out);
}

/* escape_refuses - fn refuses s and leaves out as it was */
static void escape_refuses(sql_escape_fn *fn, const char *s, size_t len,
			   const char *name)
{
	struct buf out = BUF_INIT;

	buf_append_str(&out, "kept");
	ok(fn(NULL, &out, s, len) < 0 && out.len == 4 &&
	   strcmp(buf_cstr(&out), "kept") == 0, "%s: refused, nothing "
	   "appended", name);
	buf_free(&out);
}

static void test_escape_pgsql(void)
{
	struct sql_vars v;
	struct buf out = BUF_INIT;
	struct sl_err err;

	escape_is(sql_escape_pgsql, "x' OR '1'='1", 12, "x'' OR ''1''=''1",
		  "pgsql: quotes doubled");
	escape_is(sql_escape_pgsql, "a\\'b\\", 5, "a\\''b\\",
		  "pgsql: backslashes kept (standard_conforming_strings)");
	escape_is(sql_escape_pgsql, "\"%u\n\r\032", 6, "\"%u\n\r\032",
		  "pgsql: double quote, %%, newline, ^Z as they are");
	escape_is(sql_escape_pgsql, "J\xc3\xbcrgen@b\xc3\xbc.de", 14,
		  "J\xc3\xbcrgen@b\xc3\xbc.de", "pgsql: UTF-8 kept");
	escape_refuses(sql_escape_pgsql, "a\0b", 3, "pgsql: NUL");
	escape_refuses(sql_escape_pgsql, "a\xff'b", 4, "pgsql: invalid UTF-8");
	escape_refuses(sql_escape_pgsql, "\xed\xa0\x80", 3,
		       "pgsql: a UTF-16 surrogate");
	escape_refuses(sql_escape_pgsql, "\xc0\xa7", 2,
		       "pgsql: an overlong quote");
	memset(&v, 0, sizeof(v));
	v.user = "\\'; DELETE FROM mailbox; --";
	err_clear(&err);
	ok(sql_expand(&out, "WHERE u = '%u'", &v, sql_escape_pgsql, NULL,
		      &err) == 0, "pgsql: expand");
	is_str(buf_cstr(&out), "WHERE u = '\\''; DELETE FROM mailbox; --'",
	       "pgsql: a backslash-quote stays inside the literal");
	buf_reset(&out);
	v.user = "a\xff";
	ok(sql_expand(&out, "'%u'", &v, sql_escape_pgsql, NULL, &err) < 0 &&
	   err.cls == ERR_NOUSER, "pgsql: invalid UTF-8 is no such user");
	buf_free(&out);
}

static void test_escape_mysql(void)
{
	struct sql_vars v;
	struct buf out = BUF_INIT;
	struct sl_err err;
	char *longname;
	size_t i;

	escape_is(sql_escape_mysql, "x' OR '1'='1", 12,
		  "x\\' OR \\'1\\'=\\'1", "mysql: quotes get a backslash");
	escape_is(sql_escape_mysql, "a\\'b\\", 5, "a\\\\\\'b\\\\",
		  "mysql: a backslash doubled, so \\' cannot end the literal");
	escape_is(sql_escape_mysql, "\"q\"\n\r\032%_", 8,
		  "\\\"q\\\"\\n\\r\\Z%_",
		  "mysql: \" newline CR ^Z escaped; %% and _ as they are");
	escape_is(sql_escape_mysql, "J\xc3\xbcrgen\xff", 8,
		  "J\xc3\xbcrgen\xff", "mysql: 8-bit bytes kept");
	escape_refuses(sql_escape_mysql, "a\0b", 3, "mysql: NUL");
	memset(&v, 0, sizeof(v));
	v.user = "\\'; DELETE FROM mailbox; --";
	err_clear(&err);
	ok(sql_expand(&out, "WHERE u = '%u'", &v, sql_escape_mysql, NULL,
		      &err) == 0, "mysql: expand");
	is_str(buf_cstr(&out), "WHERE u = '\\\\\\'; DELETE FROM mailbox; --'",
	       "mysql: a backslash-quote stays inside the literal");
	longname = xmalloc(2001);
	for (i = 0; i < 2000; i++)
		longname[i] = i % 5 == 0 ? '\\' : i % 5 == 1 ? '\'' : 'a';
	longname[2000] = '\0';
	v.user = longname;
	buf_reset(&out);
	ok(sql_expand(&out, "'%u'", &v, sql_escape_mysql, NULL, &err) == 0,
	   "mysql: a 2,000-byte name");
	is_int((long)out.len, 2L + 2000 + 800, "... 800 backslashes added");
	free(longname);
	buf_free(&out);
}

static void conninfo_is(const char *connect, const char *want,
			const char *name)
{
	struct buf out = BUF_INIT;
	struct sl_err err;

	err_clear(&err);
	ok(sql_pgsql_conninfo(connect, &out, &err) == 0, "%s (%s)", name,
	   err.text);
	is_str(buf_cstr(&out), want, "%s: as libpq gets it", name);
	buf_free(&out);
}

static void test_pgsql_conninfo(void)
{
	struct buf out = BUF_INIT;
	struct sl_err err;

	conninfo_is("host=db.example dbname=mail user=vmail password=pw "
		    "maxconns=4 port=5433",
		    "dbname='mail' user='vmail' password='pw' port='5433' "
		    "host='db.example' connect_timeout='5' "
		    "client_encoding='UTF8'",
		    "Dovecot's string: maxconns dropped, defaults added");
	conninfo_is("host=a host=/run/pg  dbname = mail connect_timeout=2 "
		    "client_encoding=LATIN1",
		    "dbname='mail' connect_timeout='2' client_encoding='LATIN1' "
		    "host='a,/run/pg'",
		    "two hosts: libpq's list; given timeout and encoding kept");
	conninfo_is("password='it\\'s x' user=a\\\\b",
		    "password='it\\'s x' user='a\\\\b' connect_timeout='5' "
		    "client_encoding='UTF8'",
		    "quoted values read as libpq reads them, written again");
	conninfo_is("password=x\\ y", "password='x y' connect_timeout='5' "
		    "client_encoding='UTF8'", "a backslash in a bare value");
	conninfo_is("", "connect_timeout='5' client_encoding='UTF8'",
		    "empty: libpq's defaults");
	conninfo_is("postgresql://u@db/mail",
		    "postgresql://u@db/mail?connect_timeout=5",
		    "a URI gets a connect_timeout");
	conninfo_is("postgres://db/mail?sslmode=require",
		    "postgres://db/mail?sslmode=require&connect_timeout=5",
		    "... after its other parameters");
	err_clear(&err);
	ok(sql_pgsql_conninfo("host=db dbname", &out, &err) < 0 &&
	   err.cls == ERR_USAGE && strstr(err.text, "dbname") != NULL,
	   "a word without '=': ERR_USAGE (%s)", err.text);
	ok(sql_pgsql_conninfo("password='abc", &out, &err) < 0 &&
	   err.cls == ERR_USAGE && strstr(err.text, "abc") == NULL,
	   "an unclosed quote: ERR_USAGE, the value not shown (%s)",
	   err.text);
	buf_free(&out);
}

static void test_mysql_settings(void)
{
	struct sql_mysql_settings set;
	struct sl_err err;

	err_clear(&err);
	ok(sql_mysql_settings_parse("host=db.example dbname=mail user=vmail "
				    "password=p'w\\x port=3307 maxconns=5 "
				    "client_flags=65664", &set, &err) == 0,
	   "mysql: Dovecot's string (%s)", err.text);
	ok(set.n_hosts == 1 && strcmp(set.hosts[0], "db.example") == 0 &&
	   strcmp(set.dbname, "mail") == 0 && strcmp(set.user, "vmail") == 0 &&
	   strcmp(set.password, "p'w\\x") == 0 && set.port == 3307,
	   "mysql: host, dbname, user, password as written, port");
	is_int((long)set.client_flags, 0L, "mysql: client_flags without "
	       "CLIENT_MULTI_STATEMENTS and CLIENT_LOCAL_FILES");
	ok(set.connect_timeout == 5 && set.read_timeout == 30 &&
	   set.write_timeout == 30 && set.option_group == NULL,
	   "mysql: timeouts 5/30/30 s by default");
	sql_mysql_settings_free(&set);
	ok(set.hosts == NULL && set.password == NULL, "settings freed");

	ok(sql_mysql_settings_parse("host=/run/mysqld/mysqld.sock host=b "
				    "connect_timeout=2 option_file=/etc/my.cnf "
				    "option_group=sluice ssl_ca=/ca.pem "
				    "ssl_verify_server_cert=yes client_flags=2",
				    &set, &err) == 0, "mysql: more keys (%s)",
	   err.text);
	ok(set.n_hosts == 2 && strcmp(set.hosts[0], "/run/mysqld/mysqld.sock")
	   == 0 && set.connect_timeout == 2 && set.ssl_verify_server_cert &&
	   strcmp(set.option_group, "sluice") == 0 &&
	   strcmp(set.ssl_ca, "/ca.pem") == 0 && set.client_flags == 2,
	   "mysql: two hosts in order, timeout, option group, ssl");
	sql_mysql_settings_free(&set);
	ok(sql_mysql_settings_parse("option_file=/etc/my.cnf", &set, &err) == 0,
	   "mysql: an option file instead of a host");
	sql_mysql_settings_free(&set);

	ok(sql_mysql_settings_parse("host=db bogus=1", &set, &err) < 0 &&
	   err.cls == ERR_USAGE && strstr(err.text, "bogus") != NULL,
	   "mysql: an unknown key: ERR_USAGE (%s)", err.text);
	ok(sql_mysql_settings_parse("host=db port=70000", &set, &err) < 0 &&
	   err.cls == ERR_USAGE, "mysql: a bad port (%s)", err.text);
	ok(sql_mysql_settings_parse("host=db read_timeout=x", &set, &err) < 0 &&
	   err.cls == ERR_USAGE, "mysql: a bad timeout (%s)", err.text);
	ok(sql_mysql_settings_parse("dbname=mail", &set, &err) < 0 &&
	   err.cls == ERR_USAGE, "mysql: no host (%s)", err.text);
	ok(sql_mysql_settings_parse("host=db secret", &set, &err) < 0 &&
	   err.cls == ERR_USAGE && strstr(err.text, "secret") != NULL,
	   "mysql: a word without '=' (%s)", err.text);
	ok(sql_mysql_settings_parse("host=db ssl_verify_server_cert=1", &set,
				    &err) < 0 && err.cls == ERR_USAGE,
	   "mysql: ssl_verify_server_cert is yes or no");
}

/* closed_port - a 127.0.0.1 port nobody listens on (just now) */
static int closed_port(void)
{
	struct sockaddr_in sa;
	socklen_t len = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM, 0), port = 9;

	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd >= 0 && bind(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0 &&
	    getsockname(fd, (struct sockaddr *)&sa, &len) == 0)
		port = ntohs(sa.sin_port);
	if (fd >= 0)
		close(fd);
	return port;
}

/* server_down - driver's query against a closed port (rest: the
 * connect string after host and port): quickly ERR_TEMP naming the
 * driver; escaping without a connection is the driver's rule; a bad
 * key is ERR_USAGE */
static void server_down(const char *driver, const char *rest,
			sql_escape_fn *rule)
{
	const char *conf = path_in("down.conf");
	struct sql_db *db = NULL;
	struct sql_result *res = NULL;
	struct buf a = BUF_INIT, b = BUF_INIT;
	struct sl_err err;
	char text[512], connect[256];
	time_t t0;

	(void)snprintf(connect, sizeof(connect), "host=127.0.0.1 port=%d %s",
		       closed_port(), rest);
	(void)snprintf(text, sizeof(text), "driver = %s\nconnect = %s\n",
		       driver, connect);
	write_str(conf, text);
	err_clear(&err);
	if (!ok(sql_db_open(conf, NULL, &db, &err) == 0, "%s: open (%s)",
		driver, err.text))
		return;
	ok(sql_db_escape(db, &a, "o'b\\r", 5, &err) == 0 &&
	   rule(NULL, &b, "o'b\\r", 5) == 0 && a.len == b.len &&
	   memcmp(a.data, b.data, a.len) == 0, "%s: not connected: the "
	   "driver's own rule", driver);
	t0 = time(NULL);
	ok(sql_db_query(db, "SELECT 1", 8, 0, 0, &res, &err) < 0 &&
	   err.cls == ERR_TEMP && strstr(err.text, driver) != NULL,
	   "%s: nobody listening: ERR_TEMP (%s)", driver, err.text);
	ok(time(NULL) - t0 <= 2, "%s: ... at once", driver);
	buf_reset(&a);
	ok(sql_db_escape(db, &a, "a\0b", 3, &err) < 0 && err.cls == ERR_USAGE,
	   "%s: a NUL cannot be escaped", driver);
	sql_db_close(&db);

	(void)snprintf(text, sizeof(text), "driver = %s\nconnect = %s "
		       "bogus=1\n", driver, connect);
	write_str(conf, text);
	err_clear(&err);
	ok(sql_db_open(conf, NULL, &db, &err) == 0 &&
	   sql_db_query(db, "SELECT 1", 8, 0, 0, &res, &err) < 0 &&
	   err.cls == ERR_USAGE && strstr(err.text, "bogus") != NULL,
	   "%s: an unknown connect key: ERR_USAGE (%s)", driver, err.text);
	sql_db_close(&db);
	buf_free(&a);
	buf_free(&b);
}

static void test_server_drivers(void)
{
#ifdef HAVE_PGSQL
	server_down("pgsql", "dbname=mail user=u password=p maxconns=2",
		    sql_escape_pgsql);
#else
	diag("built without PostgreSQL: pgsql driver tests skipped");
#endif
#ifdef HAVE_MYSQL
	server_down("mysql", "dbname=mail user=u password=p",
		    sql_escape_mysql);
#else
	diag("built without MySQL/MariaDB: mysql driver tests skipped");
#endif
}

#ifdef HAVE_SQLITE3

static const char users_sql[] =
	"CREATE TABLE mailbox (username TEXT PRIMARY KEY, password TEXT, "
	"home TEXT, uid TEXT, gid TEXT, quota INTEGER, active INTEGER, "
	"note TEXT)";

/* db_setup - a database file with a few users, and its conf */
static void db_setup(const char *dbfile, const char *conf, const char *extra)
{
	static const char *const rows[] = {
		"INSERT INTO mailbox VALUES ('bob@example.com', '{PLAIN}s', "
		"'/home/bob', '1001', '1002', 1048576, 1, 'hello')",
		"INSERT INTO mailbox VALUES ('o''brien@example.com', 'x', "
		"'/home/obrien', 'root', 'root', 0, 1, NULL)",
		"INSERT INTO mailbox VALUES ('back\\slash@example.com', 'x', "
		"'/home/bs', '7', '7', 0, 1, NULL)",
		"INSERT INTO mailbox VALUES ('pct%u@example.com', 'x', "
		"'/home/pct', '8', '8', 0, 1, NULL)",
		"INSERT INTO mailbox VALUES ('badid@example.com', 'x', "
		"'/home/bad', 'no-such-user-zz9', '1', 0, 1, NULL)",
		"INSERT INTO mailbox VALUES ('off@example.com', 'x', "
		"'/home/off', '9', '9', 0, 0, NULL)",
	};
	struct sql_db_settings set = { NULL, 1 };
	struct sql_db *db = NULL;
	struct sl_err err;
	char text[2048];
	size_t i;

	(void)snprintf(text, sizeof(text),
		       "driver = sqlite\n"
		       "connect = %s\n"
		       "user_query = SELECT home, uid, gid, \\\n"
		       "  CASE WHEN quota > 0 THEN '*:bytes=' || quota END "
		       "AS quota_rule, \\\n"
		       "  password AS userdb_password, note, \\\n"
		       "  'maildir:~/Mail' AS userdb_mail \\\n"
		       "  FROM mailbox WHERE username = '%%u' AND active = 1\n"
		       "%s", dbfile, extra);
	write_str(conf, text);
	err_clear(&err);
	if (sql_db_open(conf, &set, &db, &err) < 0 ||
	    sql_db_exec(db, users_sql, NULL, &err) < 0) {
		printf("Bail out! setup %s: %s\n", dbfile, err.text);
		exit(1);
	}
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		if (sql_db_exec(db, rows[i], NULL, &err) < 0) {
			printf("Bail out! %s: %s\n", rows[i], err.text);
			exit(1);
		}
	}
	sql_db_close(&db);
}

static void test_sqlite_driver(void)
{
	const char *dbfile = path_in("drv.db"), *conf = path_in("drv.conf");
	const char *log = path_in("drv.log");
	struct sql_db_settings set = { log, 0 };
	struct sql_db *db = NULL, *db2 = NULL;
	struct sql_result *res = NULL;
	struct sl_err err;
	unsigned long changes = 0;
	const char *q;
	int col;

	db_setup(dbfile, conf, "");
	err_clear(&err);
	ok(sql_db_open(conf, &set, &db, &err) == 0, "open (%s)", err.text);
	ok(sql_db_open(conf, NULL, &db2, &err) == 0 && db2 == db,
	   "a second open of the same file shares the database");
	sql_db_close(&db2);
	q = "SELECT username, note FROM mailbox ORDER BY username";
	ok(sql_db_query(db, q, strlen(q), 0, 0, &res, &err) == 0,
	   "query (%s)", err.text);
	if (res != NULL) {
		is_int((long)res->n_rows, 6L, "six rows");
		is_int((long)res->n_cols, 2L, "two columns");
		col = sql_result_column(res, "NOTE");
		is_int(col, 1, "column by name, any case");
		ok(sql_result_value(res, 0, 1, NULL) == NULL,
		   "SQL NULL is NULL");
		is_str(sql_result_value(res, 2, 0, NULL), "bob@example.com",
		       "text values");
		sql_result_free(&res);
	}
	ok(sql_db_query(db, q, strlen(q), 2, 0, &res, &err) == 0 &&
	   res->n_rows == 2 && res->more, "max_rows: two rows and 'more'");
	sql_result_free(&res);
	is_int(count_lines(log, "SELECT username, note"), 2,
	       "the query log has each query sent");

	ok(sql_db_exec(db, "UPDATE mailbox SET note = 'x' WHERE active = 1",
		       &changes, &err) == 0 && changes == 5,
	   "exec counts changed rows");
	err_clear(&err);
	ok(sql_db_exec(db, "INSERT INTO mailbox (username) VALUES "
		       "('bob@example.com')", NULL, &err) < 0 &&
	   err.cls == ERR_EXISTS, "a duplicate key is ERR_EXISTS (%s)",
	   err.text);
	err_clear(&err);
	q = "SELECT 1; DELETE FROM mailbox";
	ok(sql_db_query(db, q, strlen(q), 0, 0, &res, &err) < 0 &&
	   strstr(err.text, "more than one statement") != NULL,
	   "stacked statements are refused (%s)", err.text);
	err_clear(&err);
	q = "SELECT * FROM no_such_table";
	ok(sql_db_query(db, q, strlen(q), 0, 0, &res, &err) < 0 &&
	   err.cls == ERR_TEMP, "a query error is temporary (%s)", err.text);

	/* the cache: one query for many lookups; not-found kept too */
	(void)truncate(log, 0);
	q = "SELECT home FROM mailbox WHERE username = 'bob@example.com'";
	ok(sql_db_query(db, q, strlen(q), 1, 60, &res, &err) == 0 &&
	   res->n_rows == 1, "cached query, first time");
	sql_result_free(&res);
	ok(sql_db_query(db, q, strlen(q), 1, 60, &res, &err) == 0 &&
	   res->n_rows == 1 &&
	   strcmp(sql_result_value(res, 0, 0, NULL), "/home/bob") == 0,
	   "cached query, second time: same answer");
	sql_result_free(&res);
	is_int(count_lines(log, NULL), 1, "... sent to the database once");
	ok(sql_db_query(db, q, strlen(q), 1, 0, &res, &err) == 0,
	   "ttl 0 bypasses the cache");
	sql_result_free(&res);
	is_int(count_lines(log, NULL), 2, "... and is sent");

	/* the database replaced by garbage: reconnect, temporary failure */
	write_str(dbfile, "this is not an SQLite database, just text that "
		  "is long enough to have a header of a hundred bytes or so "
		  "..............................................\n");
	err_clear(&err);
	q = "SELECT 1 FROM mailbox";
	ok(sql_db_query(db, q, strlen(q), 0, 0, &res, &err) < 0 &&
	   err.cls == ERR_TEMP, "a corrupt database: temporary (%s)",
	   err.text);
	(void)unlink(dbfile);
	err_clear(&err);
	ok(sql_db_query(db, q, strlen(q), 0, 0, &res, &err) < 0 &&
	   err.cls == ERR_TEMP && strstr(err.text, "No such file") != NULL,
	   "a removed database: temporary, not created (%s)", err.text);
	ok(access(dbfile, F_OK) < 0, "... and no empty database appears");
	db_setup(dbfile, conf, "");
	err_clear(&err);
	ok(sql_db_query(db, q, strlen(q), 0, 0, &res, &err) == 0,
	   "once it is back, the next query reconnects (%s)", err.text);
	sql_result_free(&res);
	sql_db_close(&db);
}

static struct userdb *open_userdb(const char *userdb, const char *ttl,
				  const char *log)
{
	struct config *cfg = config_new();
	struct userdb *db = NULL;
	struct sl_err err;

	err_clear(&err);
	if (config_set(cfg, "userdb", userdb, "test", &err) < 0 ||
	    config_set(cfg, "userdb_cache_ttl", ttl, "test", &err) < 0 ||
	    config_set(cfg, "sql_query_log", log, "test", &err) < 0 ||
	    userdb_open(&db, cfg, &err) < 0) {
		diag("open %s: %s", userdb, err.text);
		db = NULL;
	}
	config_free(&cfg);
	return db;
}

static const char *field(const struct user_record *u, const char *key)
{
	size_t i;

	for (i = 0; i < u->n_fields; i++) {
		if (strcmp(u->fields[i].key, key) == 0)
			return u->fields[i].value;
	}
	return NULL;
}

static void test_userdb_sql(void)
{
	const char *dbfile = path_in("u.db"), *conf = path_in("u.conf");
	const char *log = path_in("u.log");
	char spec[400];
	struct userdb *db;
	struct pool *pool = pool_new(4096);
	struct user_record *u = NULL;
	struct sl_err err;
	int i, n;

	db_setup(dbfile, conf, "");
	(void)snprintf(spec, sizeof(spec), "sql:%s", conf);
	db = open_userdb(spec, "60", log);
	ok(db != NULL, "userdb sql:PATH opens");
	if (db == NULL)
		return;
	err_clear(&err);
	is_int(userdb_lookup(db, pool, "Bob+tag@Example.COM", &u, &err),
	       USERDB_FOUND, "bob found (%s)", err.text);
	if (u != NULL) {
		is_str(u->user, "bob@example.com", "user");
		is_str(u->source, "sql", "source");
		is_str(u->detail, "tag", "detail");
		is_str(u->home, "/home/bob", "home");
		ok(u->has_uid && u->uid == 1001 && u->has_gid && u->gid == 1002,
		   "uid/gid numbers");
		is_str(u->quota_rule, "*:bytes=1048576", "quota_rule column");
		is_str(u->mail, "maildir:~/Mail", "userdb_mail prefix removed");
		is_str(field(u, "note"), "hello", "other columns: extra fields");
		ok(field(u, "password") == NULL, "no password field is kept");
	}
	is_int(count_lines(log, "'bob@example.com'"), 1,
	       "the query used the normalized name");

	u = NULL;
	is_int(userdb_lookup(db, pool, "o'brien@example.com", &u, &err),
	       USERDB_FOUND, "a name with a quote is found exactly");
	ok(u != NULL && u->uid == 0 && u->quota_rule == NULL,
	   "uid by name (root); NULL quota_rule: none");
	is_int(count_lines(log, "'o''brien@example.com'"), 1,
	       "... its quote was doubled in the query");
	is_int(userdb_lookup(db, pool, "back\\slash@example.com", &u, &err),
	       USERDB_FOUND, "a backslash in the name");
	is_int(userdb_lookup(db, pool, "pct%u@example.com", &u, &err),
	       USERDB_FOUND, "a %% in the name");
	is_int(userdb_lookup(db, pool, "x' OR '1'='1@example.com", &u, &err),
	       USERDB_NOTFOUND, "an injection attempt finds nobody");
	is_int(userdb_lookup(db, pool, "nobody@example.com", &u, &err),
	       USERDB_NOTFOUND, "unknown user");
	is_int(userdb_lookup(db, pool, "off@example.com", &u, &err),
	       USERDB_NOTFOUND, "an inactive user (the query says so)");
	err_clear(&err);
	is_int(userdb_lookup(db, pool, "badid@example.com", &u, &err),
	       USERDB_TEMPFAIL, "a uid name that does not resolve: tempfail");
	ok(strstr(err.text, "no-such-user-zz9") != NULL, "... says why (%s)",
	   err.text);

	/* the cache: 100 lookups of bob (and of a stranger), no queries */
	(void)truncate(log, 0);
	for (i = 0, n = 0; i < 100; i++) {
		n += userdb_lookup(db, pool, "bob@example.com", &u, &err) ==
			USERDB_FOUND;
		n += userdb_lookup(db, pool, "nobody@example.com", &u, &err) ==
			USERDB_NOTFOUND;
	}
	is_int(n, 200, "200 cached answers");
	is_int(count_lines(log, NULL), 0, "... and not one query");
	userdb_close(&db);

	/* no cache: every lookup asks */
	db = open_userdb(spec, "0", log);
	for (i = 0; db != NULL && i < 5; i++)
		(void)userdb_lookup(db, pool, "bob@example.com", &u, &err);
	is_int(count_lines(log, NULL), 5, "userdb_cache_ttl = 0: 5 queries");
	/* the database gone: temporary, never "no such user" */
	(void)unlink(dbfile);
	err_clear(&err);
	is_int(db != NULL ? userdb_lookup(db, pool, "bob@example.com", &u,
					  &err) : -2,
	       USERDB_TEMPFAIL, "database removed: tempfail (%s)", err.text);
	userdb_close(&db);

	/* a conf that cannot be read: open succeeds, lookups tempfail */
	db = open_userdb("sql:/nonexistent/dovecot-sql.conf.ext", "0", "");
	ok(db != NULL, "an unreadable conf does not stop userdb_open");
	err_clear(&err);
	is_int(db != NULL ? userdb_lookup(db, pool, "bob@example.com", &u,
					  &err) : -2,
	       USERDB_TEMPFAIL, "... lookups are temporary failures (%s)",
	       err.text);
	userdb_close(&db);
	/* a conf with an error: userdb_open says so */
	write_str(path_in("bad.conf"), "driver = sqlite\nconect = x\n");
	(void)snprintf(spec, sizeof(spec), "sql:%s", path_in("bad.conf"));
	db = open_userdb(spec, "0", "");
	ok(db == NULL, "a conf with an unknown key: userdb_open fails");
	userdb_close(&db);
	pool_free(&pool);
}

static struct passdb *open_passdb(const char *passdb)
{
	struct config *cfg = config_new();
	struct passdb *db = NULL;
	struct sl_err err;

	err_clear(&err);
	if (config_set(cfg, "passdb", passdb, "test", &err) < 0 ||
	    passdb_open(&db, cfg, &err) < 0) {
		diag("open %s: %s", passdb, err.text);
		db = NULL;
	}
	config_free(&cfg);
	return db;
}

static const char *reply_field(const struct passdb_reply *r, const char *key)
{
	size_t i;

	for (i = 0; i < r->n_fields; i++) {
		if (strcmp(r->fields[i].key, key) == 0)
			return r->fields[i].value;
	}
	return NULL;
}

/* verify - one passdb_verify on a fresh passdb */
static enum passdb_result verify(const char *conf, const char *user,
				 const char *pw, struct pool *pool,
				 struct passdb_reply *reply, struct sl_err *err)
{
	char spec[400];
	struct passdb *db;
	enum passdb_result r;

	memset(reply, 0, sizeof(*reply));
	(void)snprintf(spec, sizeof(spec), "sql:%s", conf);
	if ((db = open_passdb(spec)) == NULL)
		return (enum passdb_result)-2;
	err_clear(err);
	r = passdb_verify(db, pool, user, pw, strlen(pw), reply, err);
	passdb_close(&db);
	return r;
}

static void test_passdb_sql(void)
{
	const char *dbfile = path_in("p.db"), *conf = path_in("p.conf");
	const char *conf2 = path_in("p2.conf"), *conf3 = path_in("p3.conf");
	struct pool *pool = pool_new(4096);
	struct passdb_reply reply;
	struct sl_err err;
	char text[1024];
	size_t i;

	db_setup(dbfile, conf, "password_query = SELECT username AS user, "
		 "password, home AS userdb_home, 'y' AS nodelay, "
		 "'secret' AS pass FROM mailbox WHERE username = '%u' AND "
		 "active = 1\n");
	is_int(verify(conf, "Bob@Example.com", "s", pool, &reply, &err),
	       PASSDB_OK, "sql passdb: right password (%s)", err.text);
	is_str(reply.user, "bob@example.com", "... the user column");
	is_str(reply_field(&reply, "userdb_home"), "/home/bob",
	       "... userdb_ fields kept for prefetch");
	is_str(reply_field(&reply, "nodelay"), "y", "... other fields");
	ok(reply_field(&reply, "password") == NULL &&
	   reply_field(&reply, "pass") == NULL, "... never a password field");
	for (i = 0; i < reply.n_fields; i++)
		ok(strcmp(reply.fields[i].value, "{PLAIN}s") != 0,
		   "field %s is not the password", reply.fields[i].key);
	is_int(verify(conf, "bob@example.com", "wrong", pool, &reply, &err),
	       PASSDB_MISMATCH, "wrong password");
	is_int(verify(conf, "nobody@example.com", "s", pool, &reply, &err),
	       PASSDB_NOUSER, "unknown user");
	is_int(verify(conf, "x' OR '1'='1@example.com", "s", pool, &reply,
		      &err), PASSDB_NOUSER, "an injection attempt finds nobody");

	(void)snprintf(text, sizeof(text), "driver = sqlite\nconnect = %s\n"
		       "password_query = SELECT password FROM mailbox\n",
		       dbfile);
	write_str(conf2, text);
	is_int(verify(conf2, "bob@example.com", "s", pool, &reply, &err),
	       PASSDB_TEMPFAIL, "more than one row: temporary failure (%s)",
	       err.text);
	(void)snprintf(text, sizeof(text), "driver = sqlite\nconnect = %s\n"
		       "default_pass_scheme = PLAIN\n"
		       "password_query = SELECT '{x}y' AS password_noscheme "
		       "FROM mailbox WHERE username = '%%u'\n", dbfile);
	write_str(conf3, text);
	is_int(verify(conf3, "bob@example.com", "{x}y", pool, &reply, &err),
	       PASSDB_OK, "password_noscheme: the default scheme, no {prefix} "
	       "parsing (%s)", err.text);
	(void)snprintf(text, sizeof(text), "driver = sqlite\nconnect = %s\n"
		       "password_query = SELECT home FROM mailbox WHERE "
		       "username = '%%u'\n", dbfile);
	write_str(conf3, text);
	is_int(verify(conf3, "bob@example.com", "s", pool, &reply, &err),
	       PASSDB_TEMPFAIL, "no password column: temporary failure (%s)",
	       err.text);
	(void)unlink(dbfile);
	is_int(verify(conf, "bob@example.com", "s", pool, &reply, &err),
	       PASSDB_TEMPFAIL, "database removed: temporary failure (%s)",
	       err.text);
	pool_free(&pool);
}

#endif

int main(void)
{
	tmpdir_make("test-sql");
	test_conf_parse();
	test_conf_errors();
	test_conf_include();
	test_expand();
	test_escape_hostile();
	test_escape_pgsql();
	test_escape_mysql();
	test_pgsql_conninfo();
	test_mysql_settings();
	test_server_drivers();
#ifdef HAVE_SQLITE3
	test_sqlite_driver();
	test_userdb_sql();
	test_passdb_sql();
#else
	diag("built without SQLite: driver tests skipped");
#endif
	tmpdir_remove();
	return done_testing();
}
