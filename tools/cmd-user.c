/* cmd-user.c - `sluice user lookup`, `sluice userdb build`, and the
 * SQL user database: `sluice userdb init`, `sluice user
 * add|del|passwd|list` */
#include "auto-config.h"
#include "tools.h"
#include "lib/password.h"
#include "lib/pool.h"
#include "lib/sql.h"
#include "lib/store.h"
#include "lib/userdb.h"
#include "lib/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#define USQL_USAGE \
	"usage: sluice user lookup [--json] USER\n" \
	"       sluice user add [--sql-conf FILE] [--password P] [--quota SIZE]\n" \
	"                       [--home DIR] [--maildir DIR] [--uid U] [--gid G]\n" \
	"                       [--name NAME] [--scheme SCHEME] USER\n" \
	"       sluice user del [--sql-conf FILE] USER\n" \
	"       sluice user passwd [--sql-conf FILE] [--password P] [--scheme S] USER\n" \
	"       sluice user list [--sql-conf FILE] [--json]\n"

static int usql_cmd(struct tool_ctx *ctx, int argc, char **argv);
static int usql_init_cmd(struct tool_ctx *ctx, int argc, char **argv);

/* print_user - the record, and the store a delivery would use */
static void print_user(const struct user_record *u,
		       const struct store_location *loc, const char *locerr,
		       int json)
{
	const char *mail = loc != NULL ? loc->root : NULL;
	size_t i;

	if (!json) {
		printf("user        %s\n", u->user);
		printf("source      %s\n", u->source);
		if (u->detail != NULL)
			printf("detail      %s\n", u->detail);
		if (u->has_uid)
			printf("uid         %lu\n", (unsigned long)u->uid);
		if (u->has_gid)
			printf("gid         %lu\n", (unsigned long)u->gid);
		printf("home        %s\n", u->home != NULL ? u->home : "");
		if (loc != NULL) {
			printf("store       %s\n", loc->driver);
			printf("mail        %s\n", mail);
			if (loc->inbox != NULL)
				printf("inbox       %s\n", loc->inbox);
		} else {
			printf("mail        (error: %s)\n", locerr);
		}
		if (u->quota_rule != NULL)
			printf("quota_rule  %s\n", u->quota_rule);
		if (u->sieve != NULL)
			printf("sieve       %s\n", u->sieve);
		for (i = 0; i < u->n_fields; i++)
			printf("field       %s=%s\n", u->fields[i].key,
			       u->fields[i].value);
		return;
	}
	printf("{\"user\":");
	json_string(stdout, u->user);
	printf(",\"source\":");
	json_string(stdout, u->source);
	printf(",\"localpart\":");
	json_string(stdout, u->localpart != NULL ? u->localpart : "");
	printf(",\"domain\":");
	if (u->domain != NULL) json_string(stdout, u->domain); else printf("null");
	printf(",\"detail\":");
	if (u->detail != NULL) json_string(stdout, u->detail); else printf("null");
	if (u->has_uid) printf(",\"uid\":%lu", (unsigned long)u->uid);
	else printf(",\"uid\":null");
	if (u->has_gid) printf(",\"gid\":%lu", (unsigned long)u->gid);
	else printf(",\"gid\":null");
	printf(",\"home\":");
	if (u->home != NULL) json_string(stdout, u->home); else printf("null");
	if (loc != NULL) {
		printf(",\"store\":");
		json_string(stdout, loc->driver);
		printf(",\"mail\":");
		json_string(stdout, mail);
		printf(",\"inbox\":");
		if (loc->inbox != NULL) json_string(stdout, loc->inbox); else printf("null");
	} else {
		printf(",\"mail_error\":");
		json_string(stdout, locerr);
	}
	printf(",\"quota_rule\":");
	if (u->quota_rule != NULL) json_string(stdout, u->quota_rule); else printf("null");
	printf(",\"sieve\":");
	if (u->sieve != NULL) json_string(stdout, u->sieve); else printf("null");
	/* a list, not an object: a key may come twice (sieve=, userdb_sieve=) */
	printf(",\"fields\":[");
	for (i = 0; i < u->n_fields; i++) {
		printf("%s{\"key\":", i > 0 ? "," : "");
		json_string(stdout, u->fields[i].key);
		printf(",\"value\":");
		json_string(stdout, u->fields[i].value);
		putchar('}');
	}
	printf("]}\n");
}

/* user_lookup - exit 0 found, 1 not found (67-like), 75 temporary */
static int user_lookup(struct tool_ctx *ctx, const char *name, int json)
{
	struct userdb *db = NULL;
	struct pool *pool = pool_new(4096);
	struct user_record *u = NULL;
	struct store_location loc;
	struct sl_err err;
	int ret = TOOL_OK;

	err_clear(&err);
	if (userdb_open(&db, ctx->cfg, &err) < 0) {
		fprintf(stderr, "sluice: userdb: %s\n", err.text);
		pool_free(&pool);
		return TOOL_USAGE;
	}
	switch (userdb_lookup(db, pool, name, &u, &err)) {
	case USERDB_FOUND: {
		const char *spec = u->mail != NULL ? u->mail
			: config_str(ctx->cfg, "mail_location");

		if (mail_location_expand(pool, spec, u, &loc, &err) < 0)
			print_user(u, NULL, err.text, json);
		else
			print_user(u, &loc, NULL, json);
		break;
	}
	case USERDB_NOTFOUND:
		fprintf(stderr, "sluice: no such user: %s\n", name);
		ret = TOOL_FAIL;
		break;
	case USERDB_TEMPFAIL:
		fprintf(stderr, "sluice: lookup failed (temporary): %s\n",
			err.text);
		ret = TOOL_TEMP;
		break;
	}
	userdb_close(&db);
	pool_free(&pool);
	return ret;
}

int cmd_user(struct tool_ctx *ctx, int argc, char **argv)
{
	int json = 0, i;
	const char *name = NULL;

	if (argc >= 2 && (strcmp(argv[1], "add") == 0 ||
			  strcmp(argv[1], "del") == 0 ||
			  strcmp(argv[1], "passwd") == 0 ||
			  strcmp(argv[1], "list") == 0))
		return usql_cmd(ctx, argc, argv);
	if (argc < 2 || strcmp(argv[1], "lookup") != 0)
		goto usage;
	for (i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			json = 1;
		else if (name == NULL)
			name = argv[i];
		else
			goto usage;
	}
	if (name == NULL)
		goto usage;
	return user_lookup(ctx, name, json);
usage:
	fputs(USQL_USAGE, stderr);
	return TOOL_USAGE;
}

int cmd_userdb(struct tool_ctx *ctx, int argc, char **argv)
{
	struct sl_err err;
	char *dbpath = NULL;
	int ret;

	if (argc >= 2 && strcmp(argv[1], "init") == 0)
		return usql_init_cmd(ctx, argc, argv);
	if (argc < 3 || argc > 4 || strcmp(argv[1], "build") != 0) {
		fprintf(stderr, "usage: sluice userdb build FILE [DBFILE]\n"
			"       sluice userdb init [--sql-conf FILE] [--vmail DIR] "
			"[--uid U] [--gid G] DBFILE\n"
			"  DBFILE defaults to FILE.db\n");
		return TOOL_USAGE;
	}
	if (argc == 4) {
		dbpath = strdup(argv[3]);
	} else if (asprintf(&dbpath, "%s.db", argv[2]) < 0) {
		dbpath = NULL;
	}
	if (dbpath == NULL)
		return TOOL_TEMP;
	err_clear(&err);
	ret = userdb_build(argv[2], dbpath, &err);
	if (ret < 0)
		fprintf(stderr, "sluice: userdb build: %s\n", err.text);
	free(dbpath);
	return ret < 0 ? (err.cls == ERR_TEMP ? TOOL_TEMP : TOOL_FAIL) : TOOL_OK;
}

/* ---- SQL user databases: `sluice userdb init`, `sluice user
 * add|del|passwd|list` on the postfixadmin-style `mailbox` and `domain`
 * tables ---- */

#define USQL_PASSWORD_MAX PASSWORD_MAX
#define USQL_DEFAULT_SCHEME "SHA512-CRYPT"

/* the postfixadmin tables (its column names and defaults), plus three
 * nullable columns of sluice's: home, uid, gid (NULL: the defaults the
 * written user_query gives) */
static const char *const usql_schema[] = {
	"CREATE TABLE IF NOT EXISTS domain (\n"
	"  domain varchar(255) NOT NULL PRIMARY KEY,\n"
	"  description varchar(255) NOT NULL DEFAULT '',\n"
	"  aliases int NOT NULL DEFAULT 0,\n"
	"  mailboxes int NOT NULL DEFAULT 0,\n"
	"  maxquota bigint NOT NULL DEFAULT 0,\n"
	"  quota bigint NOT NULL DEFAULT 0,\n"
	"  transport varchar(255) DEFAULT NULL,\n"
	"  backupmx tinyint(1) NOT NULL DEFAULT 0,\n"
	"  created datetime NOT NULL DEFAULT '2000-01-01 00:00:00',\n"
	"  modified datetime NOT NULL DEFAULT '2000-01-01 00:00:00',\n"
	"  active tinyint(1) NOT NULL DEFAULT 1,\n"
	"  password_expiry int DEFAULT 0\n"
	")",
	"CREATE TABLE IF NOT EXISTS mailbox (\n"
	"  username varchar(255) NOT NULL PRIMARY KEY,\n"
	"  password varchar(255) NOT NULL,\n"
	"  name varchar(255) NOT NULL DEFAULT '',\n"
	"  maildir varchar(255) NOT NULL DEFAULT '',\n"
	"  quota bigint NOT NULL DEFAULT 0,\n"
	"  local_part varchar(255) NOT NULL,\n"
	"  domain varchar(255) NOT NULL,\n"
	"  created datetime NOT NULL DEFAULT '2000-01-01 00:00:00',\n"
	"  modified datetime NOT NULL DEFAULT '2000-01-01 00:00:00',\n"
	"  active tinyint(1) NOT NULL DEFAULT 1,\n"
	"  phone varchar(30) NOT NULL DEFAULT '',\n"
	"  email_other varchar(255) NOT NULL DEFAULT '',\n"
	"  token varchar(255) NOT NULL DEFAULT '',\n"
	"  token_validity datetime NOT NULL DEFAULT '2000-01-01 00:00:00',\n"
	"  password_expiry datetime NOT NULL DEFAULT '2000-01-01 00:00:00',\n"
	"  home varchar(255) DEFAULT NULL,\n"
	"  uid varchar(64) DEFAULT NULL,\n"
	"  gid varchar(64) DEFAULT NULL\n"
	")",
	"CREATE INDEX IF NOT EXISTS mailbox_domain ON mailbox (domain)",
};

/* usql_exit - an admin exit code for an error class */
static int usql_exit(const struct sl_err *err)
{
	switch (err->cls) {
	case ERR_USAGE: return TOOL_USAGE;
	case ERR_TEMP: return TOOL_TEMP;
	default: return TOOL_FAIL;
	}
}

/* usql_conf_path - --sql-conf, else the first sql:PATH of userdb */
static const char *usql_conf_path(struct tool_ctx *ctx, const char *given,
				  struct pool *pool)
{
	const char *p = config_str(ctx->cfg, "userdb");

	if (given != NULL)
		return given;
	while (*p != '\0') {
		size_t len = strcspn(p, ",");
		const char *s = p;

		while (len > 0 && (*s == ' ' || *s == '\t')) {
			s++;
			len--;
		}
		while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
			len--;
		if (len > 4 && strncmp(s, "sql:", 4) == 0)
			return pool_strndup(pool, s + 4, len - 4);
		p += strcspn(p, ",");
		p += *p == ',';
	}
	fprintf(stderr, "sluice: no sql:PATH in userdb (%s): give --sql-conf "
		"FILE\n", config_str(ctx->cfg, "userdb"));
	return NULL;
}

/* usql_open - the database of a conf file */
static int usql_open(struct tool_ctx *ctx, const char *conf,
		     struct sql_db **db_r)
{
	struct sql_db_settings set;
	struct sl_err err;

	memset(&set, 0, sizeof(set));
	set.query_log = config_str(ctx->cfg, "sql_query_log");
	err_clear(&err);
	if (sql_db_open(conf, &set, db_r, &err) < 0) {
		fprintf(stderr, "sluice: %s\n", err.text);
		return usql_exit(&err);
	}
	return TOOL_OK;
}

/* usql_lit - append s as a quoted, escaped SQL literal */
static void usql_lit(struct sql_db *db, struct buf *b, const char *s)
{
	struct sl_err err;

	buf_append_char(b, '\'');
	/* names and hashes come from the command line or password_generate
	 * as C strings: they hold no NUL, the only thing escaping refuses */
	(void)sql_db_escape(db, b, s, strlen(s), &err);
	buf_append_char(b, '\'');
}

/* usql_now - the time as postfixadmin's datetime columns hold it */
static const char *usql_now(char *out, size_t size)
{
	time_t t = time(NULL);
	struct tm tm;

	if (localtime_r(&t, &tm) == NULL ||
	    strftime(out, size, "%Y-%m-%d %H:%M:%S", &tm) == 0)
		(void)snprintf(out, size, "2000-01-01 00:00:00");
	return out;
}

/* usql_exec - one statement; 0, or an exit code with a message */
static int usql_exec(struct sql_db *db, const struct buf *stmt,
		     unsigned long *changes_r)
{
	struct sl_err err;

	err_clear(&err);
	if (sql_db_exec(db, buf_cstr(stmt), changes_r, &err) < 0) {
		fprintf(stderr, "sluice: %s\n", err.text);
		return usql_exit(&err);
	}
	return TOOL_OK;
}

/* usql_read_line - one line from fd into s (at most max bytes); -1 on
 * end of input or a longer line */
static int usql_read_line(int fd, struct buf *s, size_t max)
{
	char c;
	ssize_t n;

	buf_reset(s);
	while ((n = read(fd, &c, 1)) == 1 || (n < 0 && errno == EINTR)) {
		if (n < 0)
			continue;
		if (c == '\n')
			return 0;
		if (s->len == max)
			return -1;
		buf_append_char(s, c);
	}
	return s->len > 0 ? 0 : -1;
}

/* usql_prompt - a password from the terminal without echo; the stop
 * signals wait until the terminal is restored */
static int usql_prompt(const char *prompt, struct buf *s)
{
	struct termios saved, noecho;
	sigset_t block, old;
	int r;

	if (tcgetattr(STDIN_FILENO, &saved) < 0)
		return -1;
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGQUIT);
	sigaddset(&block, SIGTSTP);
	sigaddset(&block, SIGHUP);
	(void)sigprocmask(SIG_BLOCK, &block, &old);
	noecho = saved;
	noecho.c_lflag &= ~(tcflag_t)ECHO;
	noecho.c_lflag |= ECHONL;
	(void)tcsetattr(STDIN_FILENO, TCSAFLUSH, &noecho);
	fputs(prompt, stderr);
	fflush(stderr);
	r = usql_read_line(STDIN_FILENO, s, USQL_PASSWORD_MAX);
	(void)tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
	(void)sigprocmask(SIG_SETMASK, &old, NULL);
	return r;
}

static void usql_wipe(struct buf *b)
{
	if (b->data != NULL)
		explicit_bzero(b->data, b->cap);
	buf_free(b);
}

/* usql_password - --password, else typed twice at a terminal, else a
 * line of standard input; hashed into hash */
static int usql_password(const char *given, const char *scheme,
			 struct buf *hash)
{
	struct buf pw = BUF_INIT, again = BUF_INIT;
	struct sl_err err;
	int r = TOOL_OK;

	if (given != NULL) {
		buf_append_str(&pw, given);
	} else if (isatty(STDIN_FILENO)) {
		if (usql_prompt("New password: ", &pw) < 0 ||
		    usql_prompt("Retype new password: ", &again) < 0) {
			fprintf(stderr, "sluice: no password read\n");
			r = TOOL_USAGE;
		} else if (pw.len != again.len ||
			   memcmp(buf_cstr(&pw), buf_cstr(&again), pw.len) != 0) {
			fprintf(stderr, "sluice: the passwords differ\n");
			r = TOOL_USAGE;
		}
	} else if (usql_read_line(STDIN_FILENO, &pw, USQL_PASSWORD_MAX) < 0) {
		fprintf(stderr, "sluice: no password on standard input (or "
			"longer than %d bytes)\n", USQL_PASSWORD_MAX);
		r = TOOL_USAGE;
	}
	if (r == TOOL_OK && pw.len == 0) {
		fprintf(stderr, "sluice: an empty password\n");
		r = TOOL_USAGE;
	}
	err_clear(&err);
	if (r == TOOL_OK && password_generate(scheme, buf_cstr(&pw), pw.len, 0,
					      hash, &err) < 0) {
		fprintf(stderr, "sluice: %s\n", err.text);
		r = usql_exit(&err);
	}
	usql_wipe(&pw);
	usql_wipe(&again);
	return r;
}

/* usql_name - USER as stored: local@domain, lowercased (ASCII) as the
 * userdb looks it up; NULL (with a message) for a name no userdb finds */
static char *usql_name(struct tool_ctx *ctx, struct pool *pool,
		       const char *user)
{
	const char *at = strrchr(user, '@');
	char *s = pool_strdup(pool, user), *p;

	if (at == NULL || at == user || at[1] == '\0' ||
	    strlen(user) > 512 || strpbrk(user, "/:") != NULL) {
		fprintf(stderr, "sluice: '%s' is not a user@domain name the "
			"userdb can find\n", user);
		return NULL;
	}
	for (p = s; *p != '\0'; p++) {
		if ((unsigned char)*p < 0x20 || *p == 0x7f) {
			fprintf(stderr, "sluice: control characters in a user "
				"name\n");
			return NULL;
		}
		if (*p >= 'A' && *p <= 'Z' &&
		    (p > strrchr(s, '@') ||
		     config_bool(ctx->cfg, "username_lowercase")))
			*p = (char)(*p - 'A' + 'a');
	}
	return s;
}

struct usql_add_opts {
	const char *password, *quota, *home, *maildir, *uid, *gid, *name;
	const char *scheme;
};

/* usql_add_stmt - the INSERTs of `user add` (domain row if missing) */
static void usql_add_stmt(struct sql_db *db, const char *user,
			  const struct usql_add_opts *o, const char *hash,
			  uint64_t quota, struct buf *dom, struct buf *mbox)
{
	const char *at = strrchr(user, '@');
	char *local = xstrndup(user, (size_t)(at - user)), now[32], *md;

	(void)usql_now(now, sizeof(now));
	buf_printf(dom, "INSERT INTO domain (domain, description, created, "
		   "modified, active) SELECT ");
	usql_lit(db, dom, at + 1);
	buf_append_str(dom, ", '', ");
	usql_lit(db, dom, now);
	buf_append_str(dom, ", ");
	usql_lit(db, dom, now);
	/* '1', not 1: postfixadmin's PostgreSQL schema has boolean active
	 * columns, and a quoted '1' is true there and 1 elsewhere */
	buf_append_str(dom, ", '1' WHERE NOT EXISTS (SELECT 1 FROM domain WHERE "
		       "domain = ");
	usql_lit(db, dom, at + 1);
	buf_append_str(dom, ")");

	/* home, uid, gid only when given: a database postfixadmin made
	 * has no such columns */
	buf_printf(mbox, "INSERT INTO mailbox (username, password, name, "
		   "maildir, quota, local_part, domain, created, modified, "
		   "active%s%s%s) VALUES (", o->home != NULL ? ", home" : "",
		   o->uid != NULL ? ", uid" : "", o->gid != NULL ? ", gid" : "");
	usql_lit(db, mbox, user);
	buf_append_str(mbox, ", ");
	usql_lit(db, mbox, hash);
	buf_append_str(mbox, ", ");
	usql_lit(db, mbox, o->name != NULL ? o->name : "");
	buf_append_str(mbox, ", ");
	/* postfixadmin's maildir: "domain/local/" below the vmail root */
	if (o->maildir != NULL) {
		usql_lit(db, mbox, o->maildir);
	} else {
		md = xmalloc(size_add(strlen(user), 3));
		(void)snprintf(md, strlen(user) + 3, "%s/%s/", at + 1, local);
		usql_lit(db, mbox, md);
		free(md);
	}
	buf_printf(mbox, ", %llu, ", (unsigned long long)quota);
	usql_lit(db, mbox, local);
	buf_append_str(mbox, ", ");
	usql_lit(db, mbox, at + 1);
	buf_append_str(mbox, ", ");
	usql_lit(db, mbox, now);
	buf_append_str(mbox, ", ");
	usql_lit(db, mbox, now);
	buf_append_str(mbox, ", '1'");
	if (o->home != NULL) {
		buf_append_str(mbox, ", ");
		usql_lit(db, mbox, o->home);
	}
	if (o->uid != NULL) {
		buf_append_str(mbox, ", ");
		usql_lit(db, mbox, o->uid);
	}
	if (o->gid != NULL) {
		buf_append_str(mbox, ", ");
		usql_lit(db, mbox, o->gid);
	}
	buf_append_str(mbox, ")");
	free(local);
}

/* usql_add - `sluice user add` */
static int usql_add(struct sql_db *db, const char *user,
		    const struct usql_add_opts *o)
{
	struct buf hash = BUF_INIT, dom = BUF_INIT, mbox = BUF_INIT;
	uint64_t quota = 0;
	int r;

	if (o->quota != NULL && strcmp(o->quota, "none") != 0 &&
	    config_parse_size(o->quota, &quota) < 0) {
		fprintf(stderr, "sluice: bad quota '%s' (a size: 500M, 1G, or "
			"none)\n", o->quota);
		return TOOL_USAGE;
	}
	if (o->home != NULL && o->home[0] != '/') {
		fprintf(stderr, "sluice: --home must be an absolute path\n");
		return TOOL_USAGE;
	}
	if ((r = usql_password(o->password, o->scheme, &hash)) != TOOL_OK)
		return r;
	usql_add_stmt(db, user, o, buf_cstr(&hash), quota, &dom, &mbox);
	usql_wipe(&hash);
	if ((r = usql_exec(db, &dom, NULL)) == TOOL_OK) {
		struct sl_err err;

		err_clear(&err);
		if (sql_db_exec(db, buf_cstr(&mbox), NULL, &err) < 0) {
			if (err.cls == ERR_EXISTS)
				fprintf(stderr, "sluice: user %s exists\n", user);
			else
				fprintf(stderr, "sluice: %s\n", err.text);
			r = usql_exit(&err);
		}
	}
	usql_wipe(&mbox);
	buf_free(&dom);
	return r;
}

/* usql_del - `sluice user del`: the row goes, the mail stays */
static int usql_del(struct sql_db *db, const char *user)
{
	struct buf stmt = BUF_INIT;
	unsigned long changes = 0;
	int r;

	buf_append_str(&stmt, "DELETE FROM mailbox WHERE username = ");
	usql_lit(db, &stmt, user);
	r = usql_exec(db, &stmt, &changes);
	buf_free(&stmt);
	if (r == TOOL_OK && changes == 0) {
		fprintf(stderr, "sluice: no such user: %s\n", user);
		return TOOL_FAIL;
	}
	return r;
}

/* usql_passwd - `sluice user passwd` */
static int usql_passwd(struct sql_db *db, const char *user,
		       const char *given, const char *scheme)
{
	struct buf hash = BUF_INIT, stmt = BUF_INIT, check = BUF_INIT;
	struct sql_result *res = NULL;
	unsigned long changes = 0;
	struct sl_err err;
	char now[32];
	int r;

	/* ask for a password only for a user that exists */
	buf_append_str(&check, "SELECT 1 FROM mailbox WHERE username = ");
	usql_lit(db, &check, user);
	err_clear(&err);
	r = sql_db_query(db, check.data, check.len, 1, 0, &res, &err);
	buf_free(&check);
	if (r < 0) {
		fprintf(stderr, "sluice: %s\n", err.text);
		return usql_exit(&err);
	}
	r = res->n_rows == 0;
	sql_result_free(&res);
	if (r) {
		fprintf(stderr, "sluice: no such user: %s\n", user);
		return TOOL_FAIL;
	}
	if ((r = usql_password(given, scheme, &hash)) != TOOL_OK)
		return r;
	buf_append_str(&stmt, "UPDATE mailbox SET password = ");
	usql_lit(db, &stmt, buf_cstr(&hash));
	buf_append_str(&stmt, ", modified = ");
	usql_lit(db, &stmt, usql_now(now, sizeof(now)));
	buf_append_str(&stmt, " WHERE username = ");
	usql_lit(db, &stmt, user);
	usql_wipe(&hash);
	r = usql_exec(db, &stmt, &changes);
	usql_wipe(&stmt);
	if (r == TOOL_OK && changes == 0) {
		fprintf(stderr, "sluice: no such user: %s\n", user);
		return TOOL_FAIL;
	}
	return r;
}

/* usql_json_value - a column as a JSON string, or null */
static void usql_json_value(const char *v)
{
	if (v == NULL)
		printf("null");
	else
		json_string(stdout, v);
}

/* usql_inactive - an active column that says no: 0, or PostgreSQL's
 * boolean false */
static int usql_inactive(const char *v)
{
	return v != NULL && (strcmp(v, "0") == 0 || strcmp(v, "f") == 0);
}

/* usql_list - `sluice user list`: the mailbox table */
static int usql_list(struct sql_db *db, int json)
{
	static const char q[] = "SELECT username, name, maildir, quota, "
		"active, home, uid, gid FROM mailbox ORDER BY username";
	static const char q_pfa[] = "SELECT username, name, maildir, quota, "
		"active, NULL, NULL, NULL FROM mailbox ORDER BY username";
	struct sql_result *res = NULL;
	struct sl_err err;
	size_t r;

	err_clear(&err);
	/* a database postfixadmin made has no home/uid/gid columns */
	if (sql_db_query(db, q, sizeof(q) - 1, 0, 0, &res, &err) < 0 &&
	    sql_db_query(db, q_pfa, sizeof(q_pfa) - 1, 0, 0, &res, &err) < 0) {
		fprintf(stderr, "sluice: %s\n", err.text);
		return usql_exit(&err);
	}
	if (json)
		printf("{\"users\":[");
	for (r = 0; r < res->n_rows; r++) {
		const char *v[8];
		size_t c;

		for (c = 0; c < 8; c++)
			v[c] = sql_result_value(res, r, c, NULL);
		if (!json) {
			/* user, quota in bytes ("-": none), state, name */
			printf("%-40s %12s %-8s %s\n", v[0] != NULL ? v[0] : "",
			       v[3] != NULL && strcmp(v[3], "0") != 0 ? v[3]
			       : "-", usql_inactive(v[4])
			       ? "inactive" : "active", v[1] != NULL ? v[1] : "");
			continue;
		}
		printf("%s{\"user\":", r > 0 ? "," : "");
		usql_json_value(v[0]);
		printf(",\"name\":");
		usql_json_value(v[1]);
		printf(",\"maildir\":");
		usql_json_value(v[2]);
		printf(",\"quota\":%s", v[3] != NULL ? v[3] : "0");
		printf(",\"active\":%s", usql_inactive(v[4])
		       ? "false" : "true");
		printf(",\"home\":");
		usql_json_value(v[5]);
		printf(",\"uid\":");
		usql_json_value(v[6]);
		printf(",\"gid\":");
		usql_json_value(v[7]);
		putchar('}');
	}
	if (json)
		printf("]}\n");
	sql_result_free(&res);
	return TOOL_OK;
}

/* usql_opt - "--name VALUE": 1 taken (i advanced), 0 not this option */
static int usql_opt(int argc, char **argv, int *i, const char *name,
		    const char **val)
{
	if (strcmp(argv[*i], name) != 0 || *i + 1 >= argc)
		return 0;
	*val = argv[++*i];
	return 1;
}

/* usql_cmd - user add|del|passwd|list */
static int usql_cmd(struct tool_ctx *ctx, int argc, char **argv)
{
	struct usql_add_opts o;
	const char *conf = NULL, *user = NULL, *path;
	struct pool *pool = pool_new(1024);
	struct sql_db *db = NULL;
	char *name = NULL;
	int i, json = 0, r;

	memset(&o, 0, sizeof(o));
	o.scheme = USQL_DEFAULT_SCHEME;
	for (i = 2; i < argc; i++) {
		if (usql_opt(argc, argv, &i, "--sql-conf", &conf) ||
		    usql_opt(argc, argv, &i, "--password", &o.password) ||
		    usql_opt(argc, argv, &i, "--scheme", &o.scheme) ||
		    (strcmp(argv[1], "add") == 0 &&
		     (usql_opt(argc, argv, &i, "--quota", &o.quota) ||
		      usql_opt(argc, argv, &i, "--home", &o.home) ||
		      usql_opt(argc, argv, &i, "--maildir", &o.maildir) ||
		      usql_opt(argc, argv, &i, "--uid", &o.uid) ||
		      usql_opt(argc, argv, &i, "--gid", &o.gid) ||
		      usql_opt(argc, argv, &i, "--name", &o.name))))
			continue;
		if (strcmp(argv[i], "--json") == 0 && strcmp(argv[1], "list") == 0)
			json = 1;
		else if (argv[i][0] == '-' || user != NULL)
			goto usage;
		else
			user = argv[i];
	}
	if ((user == NULL) != (strcmp(argv[1], "list") == 0))
		goto usage;
	if (user != NULL && (name = usql_name(ctx, pool, user)) == NULL) {
		pool_free(&pool);
		return TOOL_USAGE;
	}
	if ((path = usql_conf_path(ctx, conf, pool)) == NULL) {
		pool_free(&pool);
		return TOOL_USAGE;
	}
	if ((r = usql_open(ctx, path, &db)) == TOOL_OK) {
		if (strcmp(argv[1], "add") == 0)
			r = usql_add(db, name, &o);
		else if (strcmp(argv[1], "del") == 0)
			r = usql_del(db, name);
		else if (strcmp(argv[1], "passwd") == 0)
			r = usql_passwd(db, name, o.password, o.scheme);
		else
			r = usql_list(db, json);
		sql_db_close(&db);
	}
	pool_free(&pool);
	return r;
usage:
	fputs(USQL_USAGE, stderr);
	pool_free(&pool);
	return TOOL_USAGE;
}

/* ---- `sluice userdb init` ---- */

struct usql_init_opts {
	const char *conf, *vmail, *uid, *gid;
};

/* usql_conf_text - a dovecot-sql.conf.ext for the new database; the
 * values were checked to hold no quote, backslash or control character */
static void usql_conf_text(struct buf *b, const char *dbpath,
			   const struct usql_init_opts *o)
{
	const char *v = o->vmail;
	char dir[1024];

	(void)snprintf(dir, sizeof(dir), "CASE WHEN substr(maildir, 1, 1) = "
		       "'/' THEN maildir ELSE '%s/' || maildir END", v);
	buf_printf(b,
		"# dovecot-sql.conf.ext written by `sluice userdb init`; Dovecot\n"
		"# reads it unchanged. Users live in the postfixadmin-style\n"
		"# `mailbox` table: manage them with `sluice user add|del|passwd|list`.\n"
		"# Mail goes to %s/<maildir column> (home the same, unless the\n"
		"# home column is set); uid/gid columns override %s/%s.\n"
		"driver = sqlite\n"
		"connect = %s\n"
		"default_pass_scheme = " USQL_DEFAULT_SCHEME "\n"
		"\n"
		"password_query = SELECT username AS user, password, \\\n"
		"  COALESCE(home, %s) AS userdb_home, \\\n"
		"  'maildir:' || %s AS userdb_mail, \\\n"
		"  COALESCE(uid, '%s') AS userdb_uid, COALESCE(gid, '%s') AS userdb_gid, \\\n"
		"  CASE WHEN quota > 0 THEN '*:bytes=' || quota END AS userdb_quota_rule \\\n"
		"  FROM mailbox WHERE username = '%%u' AND active = 1\n"
		"\n"
		"user_query = SELECT COALESCE(home, %s) AS home, \\\n"
		"  'maildir:' || %s AS mail, \\\n"
		"  COALESCE(uid, '%s') AS uid, COALESCE(gid, '%s') AS gid, \\\n"
		"  CASE WHEN quota > 0 THEN '*:bytes=' || quota END AS quota_rule \\\n"
		"  FROM mailbox WHERE username = '%%u' AND active = 1\n"
		"\n"
		"iterate_query = SELECT username AS user FROM mailbox WHERE active = 1\n",
		v, o->uid, o->gid, dbpath, dir, dir, o->uid, o->gid, dir, dir,
		o->uid, o->gid);
}

/* usql_plain - a value safe to write into the conf's queries as is */
static int usql_plain(const char *what, const char *s)
{
	for (; *s != '\0'; s++) {
		if ((unsigned char)*s < 0x20 || strchr("'\"\\%#", *s) != NULL) {
			fprintf(stderr, "sluice: %s may not hold quotes, "
				"backslashes, %%, # or control characters\n",
				what);
			return -1;
		}
	}
	return 0;
}

/* usql_write_conf - FILE, new (never over an existing one), 0640 */
static int usql_write_conf(const char *path, const struct buf *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640);

	if (fd < 0) {
		fprintf(stderr, "sluice: %s: %s\n", path, strerror(errno));
		return errno == EEXIST ? TOOL_FAIL : TOOL_TEMP;
	}
	if (write(fd, text->data, text->len) != (ssize_t)text->len ||
	    fsync(fd) < 0 || close(fd) < 0) {
		fprintf(stderr, "sluice: write %s: %s\n", path, strerror(errno));
		(void)unlink(path);
		return TOOL_TEMP;
	}
	return TOOL_OK;
}

/* usql_init - create the tables in dbfile (kept if they exist) and
 * write the conf that reads them */
static int usql_init(struct tool_ctx *ctx, const char *dbfile,
		     const struct usql_init_opts *o)
{
	struct buf text = BUF_INIT, stmt = BUF_INIT;
	struct sql_conf *conf = NULL;
	struct sql_db *db = NULL;
	struct sql_db_settings set;
	struct sl_err err;
	char *abs = realpath(".", NULL);
	size_t i;
	int r = TOOL_OK;

	if (usql_plain("the database path", dbfile) < 0 ||
	    usql_plain("--vmail", o->vmail) < 0 ||
	    usql_plain("--uid", o->uid) < 0 || usql_plain("--gid", o->gid) < 0) {
		free(abs);
		return TOOL_USAGE;
	}
	if (dbfile[0] != '/' && abs != NULL)
		buf_printf(&stmt, "%s/%s", abs, dbfile);
	else
		buf_append_str(&stmt, dbfile);
	free(abs);
	usql_conf_text(&text, buf_cstr(&stmt), o);
	if (o->conf != NULL && access(o->conf, F_OK) == 0) {
		fprintf(stderr, "sluice: %s exists: not overwritten\n", o->conf);
		r = TOOL_FAIL;
		goto out;
	}
	err_clear(&err);
	memset(&set, 0, sizeof(set));
	set.query_log = config_str(ctx->cfg, "sql_query_log");
	set.create = 1;
	if (sql_conf_parse(o->conf != NULL ? o->conf : "(new conf)",
			   text.data, text.len, &conf, &err) < 0 ||
	    sql_db_open_conf(&conf, &set, &db, &err) < 0) {
		fprintf(stderr, "sluice: %s\n", err.text);
		r = usql_exit(&err);
		goto out;
	}
	for (i = 0; i < sizeof(usql_schema) / sizeof(usql_schema[0]) &&
	     r == TOOL_OK; i++) {
		buf_reset(&stmt);
		buf_append_str(&stmt, usql_schema[i]);
		r = usql_exec(db, &stmt, NULL);
	}
	sql_db_close(&db);
	/* it holds password hashes: not for everyone */
	if (r == TOOL_OK && chmod(dbfile, 0640) < 0) {
		fprintf(stderr, "sluice: chmod %s: %s\n", dbfile, strerror(errno));
		r = TOOL_TEMP;
	}
	if (r == TOOL_OK && o->conf != NULL)
		r = usql_write_conf(o->conf, &text);
out:
	buf_free(&text);
	buf_free(&stmt);
	return r;
}

/* usql_init_cmd - argv: init [--sql-conf FILE] [--vmail DIR] [--uid U]
 * [--gid G] DBFILE */
static int usql_init_cmd(struct tool_ctx *ctx, int argc, char **argv)
{
	struct usql_init_opts o = { NULL, "/var/vmail", "vmail", "vmail" };
	const char *dbfile = NULL;
	int i, bad = 0;

	for (i = 2; i < argc; i++) {
		if (usql_opt(argc, argv, &i, "--sql-conf", &o.conf) ||
		    usql_opt(argc, argv, &i, "--vmail", &o.vmail) ||
		    usql_opt(argc, argv, &i, "--uid", &o.uid) ||
		    usql_opt(argc, argv, &i, "--gid", &o.gid))
			continue;
		if (argv[i][0] == '-' || dbfile != NULL)
			bad = 1;
		dbfile = argv[i];
	}
	if (bad || dbfile == NULL || o.vmail[0] != '/') {
		fprintf(stderr, "usage: sluice userdb init [--sql-conf FILE] "
			"[--vmail DIR] [--uid U] [--gid G] DBFILE\n"
			"  --vmail: an absolute path (default /var/vmail)\n");
		return TOOL_USAGE;
	}
	return usql_init(ctx, dbfile, &o);
}
