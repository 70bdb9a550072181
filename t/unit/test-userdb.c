/* test-userdb.c - user lookup: passwd-file, bdb, static, system, the
 * list, address normalization, and mail_location expansion */
#include "auto-config.h"
#include "lib/config.h"
#include "lib/store.h"
#include "lib/userdb.h"
#include "t/tap.h"
#include "t/tmpdir.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char nul_text[] = "a@b:x\0:1:1\nbob@example.com:x:1:1\n";

/* A Dovecot-style file: passwords of several schemes, empty fields,
 * fewer fields, extra fields, the old format, comments, a duplicate. */
static const char passwd_text[] =
	"# Dovecot passwd-file\n"
	"bob@example.com:{SHA512-CRYPT}$6$rounds=5000$salt$hashhashhash:1001:1002:Bob:/home/bob::userdb_mail=maildir:~/Mail userdb_quota_rule=*:storage=1G\n"
	"alice@example.com:{PLAIN}alicesecret:daemon:daemon::/home/alice:/bin/false:\n"
	"carol@example.com::::::\n"
	"dave@example.com:{PLAIN}davesecret:1003\n"
	"erin@example.com\n"
	"frank@example.com:{PLAIN}franksecret:1004:1004::/home/frank::mail=mbox:~/mail quota_rule=*:storage=2M sieve=/s/frank userdb_sieve=/s/frank2 nopassword pass=proxysecret\n"
	"gina@example.com:{PLAIN}x:1005:1005::/home/gina:/bin/false::maildir:/var/mail/gina:LAYOUT=fs\n"
	"hank@example.com:{PLAIN}x:1006:1006::/home/old::userdb_home=/var/vmail/%d/%n userdb_sieve=%h/sieve userdb_note=100%%\n"
	"ivan@example.com:{PLAIN}x:no-such-user-zz9:1::/home/ivan\n"
	"judy@example.com:{PLAIN}x:1008:1008::/home/judy::userdb_sieve=%z\n"
	"kate@example.com:{PLAIN}x:1009:1009::/home/kate\r\n"
	"bob@example.com:{PLAIN}duplicate:2001:2002::/home/bob2\n"
	"#mallory@example.com:{PLAIN}x:1:1::/x\n"
	":{PLAIN}nouser:1:1::/x\n"
	"\n"
	"root:{PLAIN}x:3001:3001::/home/bare-root\n"
	"last@example.com:{PLAIN}x:1010:1010::/home/last";

static struct userdb *open_db(const char *userdb, const char *delim,
			      const char *lower)
{
	struct config *cfg = config_new();
	struct userdb *db = NULL;
	struct sl_err err;

	err_clear(&err);
	if (config_set(cfg, "userdb", userdb, "test", &err) < 0 ||
	    (delim != NULL && config_set(cfg, "recipient_delimiter", delim,
					 "test", &err) < 0) ||
	    (lower != NULL && config_set(cfg, "username_lowercase", lower,
					 "test", &err) < 0) ||
	    userdb_open(&db, cfg, &err) < 0) {
		diag("open %s: %s", userdb, err.text);
		db = NULL;
	}
	config_free(&cfg);
	return db;
}

/* lookup1 - one lookup on a fresh userdb (the one-shot scan path) */
static enum userdb_result lookup1(const char *userdb, struct pool *pool,
				  const char *rcpt, struct user_record **rec_r,
				  struct sl_err *err)
{
	struct userdb *db = open_db(userdb, NULL, NULL);
	enum userdb_result r;

	err_clear(err);
	if (db == NULL)
		return (enum userdb_result)-2;
	r = userdb_lookup(db, pool, rcpt, rec_r, err);
	userdb_close(&db);
	return r;
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

/* holds_secret - any string of the record mentions a password? */
static int holds_secret(const struct user_record *u)
{
	const char *s[] = { u->user, u->localpart, u->domain, u->detail,
			    u->home, u->mail, u->quota_rule, u->sieve };
	size_t i;

	for (i = 0; i < sizeof(s) / sizeof(s[0]); i++) {
		if (s[i] != NULL && (strstr(s[i], "secret") != NULL ||
				     strstr(s[i], "$6$") != NULL))
			return 1;
	}
	for (i = 0; i < u->n_fields; i++) {
		if (strstr(u->fields[i].value, "secret") != NULL ||
		    strcmp(u->fields[i].key, "pass") == 0)
			return 1;
	}
	return 0;
}

/* check_passwd_entries - the Dovecot examples, through any lookup
 * function (scan, cached table, bdb) */
typedef enum userdb_result lookup_fn(void *ctx, struct pool *pool,
				     const char *rcpt,
				     struct user_record **rec_r,
				     struct sl_err *err);

static void check_passwd_entries(const char *mode, lookup_fn *fn, void *ctx)
{
	struct pool *pool = pool_new(4096);
	struct user_record *u = NULL;
	struct passwd *pw = getpwnam("daemon");
	struct group *gr = getgrnam("daemon");
	struct sl_err err;
	enum userdb_result r;

	r = fn(ctx, pool, "bob@example.com", &u, &err);
	if (ok(r == USERDB_FOUND, "%s: {SHA512-CRYPT} entry found", mode)) {
		is_str(u->user, "bob@example.com", "%s: bob user", mode);
		is_str(u->localpart, "bob", "%s: bob localpart", mode);
		is_str(u->domain, "example.com", "%s: bob domain", mode);
		ok(u->has_uid && u->uid == 1001, "%s: bob uid 1001 (first "
		   "of two entries wins)", mode);
		ok(u->has_gid && u->gid == 1002, "%s: bob gid", mode);
		is_str(u->home, "/home/bob", "%s: bob home", mode);
		is_str(u->mail, "maildir:~/Mail", "%s: userdb_mail with ':'",
		       mode);
		is_str(u->quota_rule, "*:storage=1G", "%s: userdb_quota_rule",
		       mode);
		is_str(u->sieve, NULL, "%s: bob no sieve", mode);
		is_int(u->n_fields, 2, "%s: bob two extra fields", mode);
		is_str(field(u, "mail"), "maildir:~/Mail",
		       "%s: field mail (prefix removed)", mode);
		ok(!holds_secret(u), "%s: bob's record holds no password", mode);
	}
	r = fn(ctx, pool, "alice@example.com", &u, &err);
	if (ok(r == USERDB_FOUND, "%s: {PLAIN} entry found", mode)) {
		ok(pw != NULL && u->has_uid && u->uid == pw->pw_uid,
		   "%s: uid given as a name", mode);
		ok(gr != NULL && u->has_gid && u->gid == gr->gr_gid,
		   "%s: gid given as a name", mode);
		is_str(u->home, "/home/alice", "%s: alice home", mode);
		is_int(u->n_fields, 0, "%s: empty extra fields", mode);
		ok(!holds_secret(u), "%s: alice's record holds no password",
		   mode);
	}
	r = fn(ctx, pool, "carol@example.com", &u, &err);
	if (ok(r == USERDB_FOUND, "%s: all-empty fields found", mode)) {
		ok(!u->has_uid && !u->has_gid, "%s: carol no ids", mode);
		is_str(u->home, NULL, "%s: carol no home", mode);
		is_str(u->mail, NULL, "%s: carol no mail", mode);
	}
	r = fn(ctx, pool, "dave@example.com", &u, &err);
	if (ok(r == USERDB_FOUND, "%s: fewer fields found", mode))
		ok(u->has_uid && u->uid == 1003 && !u->has_gid,
		   "%s: dave uid only", mode);
	r = fn(ctx, pool, "erin@example.com", &u, &err);
	if (ok(r == USERDB_FOUND, "%s: name-only line found", mode))
		ok(!u->has_uid && u->home == NULL, "%s: erin bare", mode);
	r = fn(ctx, pool, "frank@example.com", &u, &err);
	if (ok(r == USERDB_FOUND, "%s: plain extra fields found", mode)) {
		is_str(u->mail, "mbox:~/mail", "%s: plain mail=", mode);
		is_str(u->quota_rule, "*:storage=2M", "%s: plain quota_rule=",
		       mode);
		is_str(u->sieve, "/s/frank2", "%s: userdb_sieve wins over "
		       "sieve=", mode);
		is_str(field(u, "nopassword"), "", "%s: key without value",
		       mode);
		ok(field(u, "pass") == NULL, "%s: pass= not kept", mode);
		ok(!holds_secret(u), "%s: frank's record holds no password",
		   mode);
	}
	r = fn(ctx, pool, "gina@example.com", &u, &err);
	if (ok(r == USERDB_FOUND, "%s: old format found", mode))
		is_str(u->mail, "maildir:/var/mail/gina:LAYOUT=fs",
		       "%s: old format mail location", mode);
	r = fn(ctx, pool, "hank@example.com", &u, &err);
	if (ok(r == USERDB_FOUND, "%s: userdb_home found", mode)) {
		is_str(u->home, "/var/vmail/example.com/hank",
		       "%s: userdb_home overrides and expands", mode);
		is_str(u->sieve, "/var/vmail/example.com/hank/sieve",
		       "%s: %%h in a userdb field", mode);
		is_str(field(u, "note"), "100%", "%s: %%%% in a userdb field",
		       mode);
	}
	r = fn(ctx, pool, "ivan@example.com", &u, &err);
	ok(r == USERDB_TEMPFAIL && err.cls == ERR_TEMP,
	   "%s: unknown uid name is a temporary failure", mode);
	ok(strstr(err.text, "no-such-user-zz9") != NULL,
	   "%s: ... naming it (%s)", mode, err.text);
	r = fn(ctx, pool, "judy@example.com", &u, &err);
	ok(r == USERDB_TEMPFAIL, "%s: bad template in a userdb field", mode);
	r = fn(ctx, pool, "kate@example.com", &u, &err);
	if (ok(r == USERDB_FOUND, "%s: CRLF line found", mode))
		is_str(u->home, "/home/kate", "%s: CR stripped", mode);
	r = fn(ctx, pool, "last@example.com", &u, &err);
	ok(r == USERDB_FOUND, "%s: last line without newline", mode);
	r = fn(ctx, pool, "mallory@example.com", &u, &err);
	is_int(r, USERDB_NOTFOUND, "%s: commented-out user not found", mode);
	r = fn(ctx, pool, "nobody@example.com", &u, &err);
	is_int(r, USERDB_NOTFOUND, "%s: unknown user", mode);
	/* a bare key matches a bare lookup; user@domain does not fall back
	 * to it, since this file has '@' keys */
	r = fn(ctx, pool, "root", &u, &err);
	if (ok(r == USERDB_FOUND, "%s: bare key, bare lookup", mode))
		ok(u->uid == 3001 && u->domain == NULL, "%s: bare root", mode);
	r = fn(ctx, pool, "root@example.com", &u, &err);
	is_int(r, USERDB_NOTFOUND, "%s: no bare fallback with '@' keys",
	       mode);
	r = fn(ctx, pool, "Bob+Sub.Folder@EXAMPLE.Com", &u, &err);
	if (ok(r == USERDB_FOUND, "%s: detail and case normalized", mode)) {
		is_str(u->user, "bob@example.com", "%s: user", mode);
		is_str(u->detail, "Sub.Folder", "%s: detail kept as written",
		       mode);
		is_str(u->source, strcmp(mode, "bdb") == 0 ? "bdb"
		       : "passwd-file", "%s: source", mode);
	}
	pool_free(&pool);
}

static enum userdb_result fn_scan(void *ctx, struct pool *pool,
				  const char *rcpt, struct user_record **rec_r,
				  struct sl_err *err)
{
	return lookup1(ctx, pool, rcpt, rec_r, err);
}

static enum userdb_result fn_cached(void *ctx, struct pool *pool,
				    const char *rcpt,
				    struct user_record **rec_r,
				    struct sl_err *err)
{
	err_clear(err);
	return userdb_lookup(ctx, pool, rcpt, rec_r, err);
}

static void test_passwd_file(void)
{
	char spec[400];
	struct userdb *db;
	struct pool *pool = pool_new(1024);
	struct user_record *u;
	struct sl_err err;

	write_file(path_in("passwd"), passwd_text, strlen(passwd_text));
	(void)snprintf(spec, sizeof(spec), "passwd-file:%s", path_in("passwd"));
	check_passwd_entries("scan", fn_scan, spec);
	db = open_db(spec, NULL, NULL);
	/* the first lookup scans; the later ones build and use the table */
	(void)userdb_lookup(db, pool, "warmup@example.com", &u, &err);
	check_passwd_entries("cached", fn_cached, db);
	/* a changed file is re-read */
	write_str(path_in("passwd"), "bob@example.com:x:4242:4242::/h\n");
	if (ok(userdb_lookup(db, pool, "bob@example.com", &u, &err) ==
	       USERDB_FOUND, "cached: changed file re-read"))
		is_int(u->uid, 4242, "cached: new uid");
	is_int(userdb_lookup(db, pool, "alice@example.com", &u, &err),
	       USERDB_NOTFOUND, "cached: removed user gone");
	(void)unlink(path_in("passwd"));
	ok(userdb_lookup(db, pool, "bob@example.com", &u, &err) ==
	   USERDB_TEMPFAIL && err.cls == ERR_TEMP,
	   "cached: file removed -> temporary failure, not the stale table");
	userdb_close(&db);
	pool_free(&pool);
}

/* a file of bare names: user@domain falls back to the local part */
static void test_bare_fallback(void)
{
	static const char text[] = "bob:x:1000:1000::/home/bob\n";
	struct pool *pool = pool_new(1024);
	struct user_record *u;
	struct sl_err err;
	char spec[400];
	struct userdb *db;
	int i;

	write_file(path_in("bare"), text, strlen(text));
	(void)snprintf(spec, sizeof(spec), "passwd-file:%s", path_in("bare"));
	db = open_db(spec, NULL, NULL);
	for (i = 0; i < 2; i++) {	/* scan, then the table */
		if (ok(userdb_lookup(db, pool, "bob@example.com", &u, &err) ==
		       USERDB_FOUND, "bare file: bob@example.com found (%s)",
		       i == 0 ? "scan" : "cached")) {
			is_str(u->user, "bob", "bare file: user is the key");
			is_str(u->domain, NULL, "bare file: no domain");
		}
	}
	userdb_close(&db);
	pool_free(&pool);
}

static void test_passwd_file_errors(void)
{
	struct pool *pool = pool_new(1024);
	struct user_record *u = NULL;
	struct sl_err err;
	char spec[400], *big;
	size_t n = 70000;

	(void)snprintf(spec, sizeof(spec), "passwd-file:%s",
		       path_in("missing"));
	ok(lookup1(spec, pool, "bob@example.com", &u, &err) ==
	   USERDB_TEMPFAIL && err.cls == ERR_TEMP && u == NULL,
	   "missing file -> TEMPFAIL (%s)", err.text);
	write_file(path_in("noread"), passwd_text, strlen(passwd_text));
	(void)chmod(path_in("noread"), 0);
	(void)snprintf(spec, sizeof(spec), "passwd-file:%s", path_in("noread"));
	if (geteuid() == 0)
		ok(1, "# SKIP unreadable file: running as root");
	else
		ok(lookup1(spec, pool, "bob@example.com", &u, &err) ==
		   USERDB_TEMPFAIL, "unreadable file -> TEMPFAIL (%s)",
		   err.text);
	write_file(path_in("nul"), nul_text, sizeof(nul_text) - 1);
	(void)snprintf(spec, sizeof(spec), "passwd-file:%s", path_in("nul"));
	ok(lookup1(spec, pool, "bob@example.com", &u, &err) ==
	   USERDB_TEMPFAIL && err.cls == ERR_TEMP,
	   "NUL byte (corrupt) -> TEMPFAIL (%s)", err.text);
	big = malloc(n);
	memset(big, 'x', n);
	big[n - 1] = '\n';
	write_file(path_in("long"), big, n);
	free(big);
	(void)snprintf(spec, sizeof(spec), "passwd-file:%s", path_in("long"));
	ok(lookup1(spec, pool, "bob@example.com", &u, &err) ==
	   USERDB_TEMPFAIL, "over-long line -> TEMPFAIL (%s)", err.text);
	(void)snprintf(spec, sizeof(spec), "passwd-file:%s", tmpdir);
	ok(lookup1(spec, pool, "bob@example.com", &u, &err) ==
	   USERDB_TEMPFAIL, "a directory -> TEMPFAIL (%s)", err.text);
	pool_free(&pool);
}

static void test_bdb(void)
{
	struct pool *pool = pool_new(1024);
	struct user_record *u;
	struct sl_err err;
	struct stat st;
	char spec[400];
	struct userdb *db;

	write_file(path_in("db.txt"), passwd_text, strlen(passwd_text));
	(void)chmod(path_in("db.txt"), 0640);
	err_clear(&err);
	ok(userdb_build(path_in("db.txt"), path_in("users.db"), &err) == 0,
	   "userdb_build %s", err.text);
	ok(stat(path_in("users.db"), &st) == 0 && (st.st_mode & 0777) == 0640,
	   "database has the text file's mode");
	(void)snprintf(spec, sizeof(spec), "bdb:%s", path_in("users.db"));
	db = open_db(spec, NULL, NULL);
	check_passwd_entries("bdb", fn_cached, db);
	/* rebuilt under the open handle: the new file is seen */
	write_str(path_in("db.txt"), "bob@example.com:x:4242:4242::/h\n");
	ok(userdb_build(path_in("db.txt"), path_in("users.db"), &err) == 0,
	   "rebuild");
	if (ok(userdb_lookup(db, pool, "bob@example.com", &u, &err) ==
	       USERDB_FOUND, "bdb: rebuilt database re-opened"))
		is_int(u->uid, 4242, "bdb: new uid");
	userdb_close(&db);

	write_str(path_in("bare.txt"), "bob:x:1000:1000::/home/bob\n");
	ok(userdb_build(path_in("bare.txt"), path_in("bare.db"), &err) == 0,
	   "build a bare-name file");
	(void)snprintf(spec, sizeof(spec), "bdb:%s", path_in("bare.db"));
	if (ok(lookup1(spec, pool, "bob@example.com", &u, &err) ==
	       USERDB_FOUND, "bdb bare file: bob@example.com found"))
		is_str(u->user, "bob", "bdb bare file: user is the key");

	(void)snprintf(spec, sizeof(spec), "bdb:%s", path_in("nodb.db"));
	ok(lookup1(spec, pool, "bob@example.com", &u, &err) ==
	   USERDB_TEMPFAIL && err.cls == ERR_TEMP,
	   "missing database -> TEMPFAIL (%s)", err.text);
	write_file(path_in("corrupt.db"), passwd_text, strlen(passwd_text));
	(void)snprintf(spec, sizeof(spec), "bdb:%s", path_in("corrupt.db"));
	ok(lookup1(spec, pool, "bob@example.com", &u, &err) ==
	   USERDB_TEMPFAIL, "corrupt database -> TEMPFAIL (%s)", err.text);

	ok(userdb_build(path_in("none.txt"), path_in("none.db"), &err) < 0 &&
	   err.cls == ERR_NOTFOUND, "build: missing text file (%s)", err.text);
	ok(access(path_in("none.db"), F_OK) < 0, "build: nothing written");
	write_file(path_in("nul.txt"), nul_text, sizeof(nul_text) - 1);
	ok(userdb_build(path_in("nul.txt"), path_in("nul.db"), &err) < 0 &&
	   err.cls == ERR_PERM, "build: corrupt text file (%s)", err.text);
	ok(access(path_in("nul.db"), F_OK) < 0, "build: nothing written");
	pool_free(&pool);
}

static void test_static(void)
{
	struct pool *pool = pool_new(1024);
	struct user_record *u;
	struct sl_err err;
	struct group *gr = getgrnam("daemon");
	struct userdb *db;
	const char *spec = "static:uid=1234 gid=daemon home=/var/vmail/%d/%n "
		"mail=maildir:~/Maildir quota_rule=*:storage=%Ln";

	if (ok(lookup1(spec, pool, "Anyone+x@Example.ORG", &u, &err) ==
	       USERDB_FOUND, "static: any user found")) {
		is_str(u->user, "anyone@example.org", "static: user");
		is_str(u->home, "/var/vmail/example.org/anyone",
		       "static: home expanded");
		is_str(u->mail, "maildir:~/Maildir", "static: mail kept");
		ok(u->has_uid && u->uid == 1234, "static: uid number");
		ok(gr != NULL && u->has_gid && u->gid == gr->gr_gid,
		   "static: gid name");
		is_str(u->quota_rule, "*:storage=anyone", "static: template");
		is_str(u->detail, "x", "static: detail");
		is_str(u->source, "static", "static: source");
	}
	ok(lookup1("static:uid=1 gid=1 home=/v/%d/%n", pool, "../../etc@x",
		   &u, &err) == USERDB_NOTFOUND, "static: '/' in name refused");
	ok(lookup1("static:uid=1 gid=1 home=/v/%d/%n", pool, "a@..",
		   &u, &err) == USERDB_NOTFOUND, "static: '..' domain refused");
	ok(lookup1("static:uid=1 gid=1 home=/v/%d/%n", pool, "..+x@d",
		   &u, &err) == USERDB_NOTFOUND, "static: '..' local refused");
	ok(lookup1("static:uid=1 gid=1 home=/v/%d/%n", pool, "a\nb@d",
		   &u, &err) == USERDB_NOTFOUND, "static: control char refused");
	ok(lookup1("static:uid=no-such-user-zz9", pool, "a@d", &u, &err) ==
	   USERDB_TEMPFAIL, "static: unknown uid name -> TEMPFAIL");
	err_clear(&err);
	db = open_db("static:home=/v/%z", NULL, NULL);
	ok(db == NULL, "static: unknown variable refused at open");
	db = open_db("static:uid=99999999999999999999", NULL, NULL);
	ok(db == NULL, "static: uid number out of range refused at open");
	db = open_db("static:uid", NULL, NULL);
	ok(db == NULL, "static: key without value refused");
	db = open_db("nosuch:x", NULL, NULL);
	ok(db == NULL, "unknown backend refused");
	db = open_db("passwd-file:", NULL, NULL);
	ok(db == NULL, "passwd-file without path refused");
	db = open_db("system, ,static:", NULL, NULL);
	ok(db == NULL, "empty list element refused");
	pool_free(&pool);
}

static void test_system(void)
{
	struct pool *pool = pool_new(1024);
	struct user_record *u;
	struct sl_err err;
	struct passwd *pw = getpwnam("root");

	if (ok(lookup1("system", pool, "root", &u, &err) == USERDB_FOUND,
	       "system: root found")) {
		ok(u->has_uid && u->uid == 0, "system: root uid 0");
		is_str(u->home, pw != NULL ? pw->pw_dir : "?", "system: home");
		is_str(u->source, "system", "system: source");
	}
	if (ok(lookup1("system", pool, "root@example.com", &u, &err) ==
	       USERDB_FOUND, "system: root@example.com -> root")) {
		is_str(u->user, "root", "system: user is the bare name");
		is_str(u->domain, NULL, "system: no domain");
	}
	is_int(lookup1("system", pool, "no-such-user-zz9", &u, &err),
	       USERDB_NOTFOUND, "system: unknown user");
	is_int(lookup1("system", pool, "", &u, &err), USERDB_NOTFOUND,
	       "empty recipient");
	pool_free(&pool);
}

static void test_list_and_names(void)
{
	static const char a[] = "bob@example.com:x:1001:1001::/a\n"
		"Cap@example.com:x:1003:1003::/c\n";
	static const char b[] = "bob@example.com:x:2001:2001::/b\n"
		"ann@example.com:x:2002:2002::/b2\n";
	struct pool *pool = pool_new(1024);
	struct user_record *u;
	struct sl_err err;
	char spec[800];
	struct userdb *db;

	write_file(path_in("a"), a, strlen(a));
	write_file(path_in("b"), b, strlen(b));
	(void)snprintf(spec, sizeof(spec), " passwd-file:%s ,passwd-file:%s, "
		       "static:uid=7 gid=7 home=/s/%%n", path_in("a"),
		       path_in("b"));
	db = open_db(spec, NULL, NULL);
	if (ok(userdb_lookup(db, pool, "bob@example.com", &u, &err) ==
	       USERDB_FOUND, "list: bob found"))
		is_str(u->home, "/a", "list: the first backend answers");
	if (ok(userdb_lookup(db, pool, "ann@example.com", &u, &err) ==
	       USERDB_FOUND, "list: ann found"))
		is_str(u->home, "/b2", "list: then the second");
	if (ok(userdb_lookup(db, pool, "zed@example.com", &u, &err) ==
	       USERDB_FOUND, "list: zed found"))
		is_str(u->source, "static", "list: static last");
	is_int(userdb_lookup(db, pool, "Cap@example.com", &u, &err),
	       USERDB_FOUND, "list: lowercased 'cap' is static's, not a's");
	is_str(u->source, "static", "list: ... (keys match exactly)");
	userdb_close(&db);

	(void)snprintf(spec, sizeof(spec), "passwd-file:%s, static:uid=7",
		       path_in("nonexistent"));
	is_int(lookup1(spec, pool, "bob@example.com", &u, &err),
	       USERDB_TEMPFAIL, "list: a failing backend stops the lookup");

	(void)snprintf(spec, sizeof(spec), "passwd-file:%s", path_in("a"));
	db = open_db(spec, NULL, "no");
	is_int(userdb_lookup(db, pool, "Cap@EXAMPLE.COM", &u, &err),
	       USERDB_FOUND, "username_lowercase=no: Cap found, domain "
	       "lowercased");
	is_int(userdb_lookup(db, pool, "BOB@example.com", &u, &err),
	       USERDB_NOTFOUND, "username_lowercase=no: BOB not bob");
	userdb_close(&db);
	db = open_db(spec, "+-", NULL);
	if (ok(userdb_lookup(db, pool, "bob-lists@example.com", &u, &err) ==
	       USERDB_FOUND, "delimiters '+-': '-' splits"))
		is_str(u->detail, "lists", "delimiters: detail");
	if (ok(userdb_lookup(db, pool, "bob+a-b@example.com", &u, &err) ==
	       USERDB_FOUND, "delimiters: the first one found splits"))
		is_str(u->detail, "a-b", "delimiters: rest is the detail");
	is_int(userdb_lookup(db, pool, "bob@ex-ample+x.com", &u, &err),
	       USERDB_NOTFOUND, "delimiters: not split in the domain");
	if (ok(userdb_lookup(db, pool, "bob+@example.com", &u, &err) ==
	       USERDB_FOUND, "empty detail: found"))
		is_str(u->detail, NULL, "empty detail: none");
	is_int(userdb_lookup(db, pool, "+bob@example.com", &u, &err),
	       USERDB_NOTFOUND, "delimiter first: no split");
	userdb_close(&db);
	db = open_db(spec, "", NULL);
	is_int(userdb_lookup(db, pool, "bob+x@example.com", &u, &err),
	       USERDB_NOTFOUND, "empty recipient_delimiter: no split");
	userdb_close(&db);
	pool_free(&pool);
}

static void test_mail_location(void)
{
	struct pool *pool = pool_new(1024);
	struct user_record rec, nohome;
	struct store_location loc;
	struct sl_err err;
	static const struct { const char *spec, *root, *inbox; } good[] = {
		{ "maildir:~/Maildir", "/home/bob/Maildir", NULL },
		{ "maildir:~", "/home/bob", NULL },
		{ "maildir:/var/vmail/%d/%n", "/var/vmail/example.com/Bob", NULL },
		{ "maildir:/var/vmail/%Ld/%Ln", "/var/vmail/example.com/bob", NULL },
		{ "maildir:/v/%Un", "/v/BOB", NULL },
		{ "mbox:~/mail:INBOX=/var/mail/%u", "/home/bob/mail",
		  "/var/mail/Bob@example.com" },
		{ "mbox:/m/%n:INBOX=~/inbox", "/m/Bob", "/home/bob/inbox" },
		{ "maildir:%h/M:LAYOUT=fs:INDEX=/idx/%u", "/home/bob/M", NULL },
		{ "maildir:/x/100%%/%{username}@%{domain}",
		  "/x/100%/Bob@example.com", NULL },
		{ "maildir:/x::y/%n", "/x:y/Bob", NULL },
	};
	static const char *const bad[] = {
		"maildir", ":/x", "maildir:", "maildir:relative/%n",
		"maildir:~bob/x", "maildir:/x/%z", "maildir:/x/%", "maildir:/x/%L",
		"maildir:/x/%{nope}", "maildir:/x/%{user", "ma/ildir:/x",
	};
	size_t i;

	memset(&rec, 0, sizeof(rec));
	rec.user = "Bob@example.com";
	rec.localpart = "Bob";
	rec.domain = "example.com";
	rec.home = "/home/bob";
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		err_clear(&err);
		if (!ok(mail_location_expand(pool, good[i].spec, &rec, &loc,
					     &err) == 0, "expand %s",
			good[i].spec)) {
			diag("%s", err.text);
			continue;
		}
		is_str(loc.driver, strncmp(good[i].spec, "mbox", 4) == 0
		       ? "mbox" : "maildir", "  driver");
		is_str(loc.root, good[i].root, "  root");
		is_str(loc.inbox, good[i].inbox, "  inbox");
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err_clear(&err);
		ok(mail_location_expand(pool, bad[i], &rec, &loc, &err) < 0 &&
		   err.cls == ERR_USAGE, "error: %s (%s)", bad[i], err.text);
	}
	rec.home = "/home/bob/";
	if (ok(mail_location_expand(pool, "maildir:~/Maildir", &rec, &loc,
				    &err) == 0, "home with a trailing '/'"))
		is_str(loc.root, "/home/bob/Maildir", "  no doubled '/'");
	nohome = rec;
	nohome.home = NULL;
	ok(mail_location_expand(pool, "maildir:~/Maildir", &nohome, &loc,
				&err) < 0, "~ without a home: %s", err.text);
	ok(mail_location_expand(pool, "maildir:%h/M", &nohome, &loc, &err) < 0,
	   "%%h without a home: %s", err.text);
	nohome.domain = NULL;
	is_str(userdb_expand(pool, "/v/%d/%n", &nohome), "/v//Bob",
	       "userdb_expand: no domain is empty");
	is_str(userdb_expand(pool, "/v/%h", &nohome), NULL,
	       "userdb_expand: NULL for %%h without home");
	is_str(userdb_expand(pool, "a%%b%Lu", &rec), "a%bbob@example.com",
	       "userdb_expand: %%%% and %%Lu");
	pool_free(&pool);
}

int main(void)
{
	tmpdir_make("test-userdb");
	test_passwd_file();
	test_bare_fallback();
	test_passwd_file_errors();
	test_bdb();
	test_static();
	test_system();
	test_list_and_names();
	test_mail_location();
	tmpdir_remove();
	return done_testing();
}
