/* test-passdb.c - the passdb: passwd-file (scan and cached table), bdb
 * and static backends; right and wrong passwords, unknown users, a
 * missing file (temporary failure), the default scheme, nopassword, the
 * list order, login-name normalization, and the credentials PLAIN and
 * CRAM-MD5 mechanisms need */
#include "auto-config.h"
#include "lib/buf.h"
#include "lib/config.h"
#include "lib/passdb.h"
#include "lib/password.h"
#include "lib/userdb.h"
#include "t/tap.h"
#include "t/tmpdir.h"

#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* "Tr0ub4dor&3 sésame" in doveadm's SHA512-CRYPT and PLAIN-MD5 */
#define PW "Tr0ub4dor&3 s\xc3\xa9same"
#define PW_SHA512_CRYPT "$6$jdJ1of.hVsjzJTkp$zLXpdbWZ5bW6chP.oDhnaVXRnfkfgHoXRU/iusyG5ecMJZybgti0n8WzdQqSvMgCMjdFkjB.Yh.9iudwy5rZo/"
#define PW_PLAIN_MD5 "fcf4f413738bf6c4a334ed4c5cc06d39"
#define PW_CRAM "40a862c88aefc66fede891a95040ca0f46166be5eb36e713d2b7b8091a0a4726"

static const char users_text[] =
	"# Dovecot passwd-file\n"
	"bob@example.com:{PLAIN}bobsecret:1001:1001::/home/bob::nodelay userdb_quota_rule=*:storage=1G pass=proxysecret\n"
	"alice@example.com:{SHA512-CRYPT}" PW_SHA512_CRYPT ":1002:1002::/home/alice\n"
	"carl@example.com:" PW_SHA512_CRYPT ":1003:1003\n"
	"dave@example.com:" PW_PLAIN_MD5 "\n"
	"cram@example.com:{CRAM-MD5}" PW_CRAM ":1004:1004\n"
	"nopw@example.com::1005:1005::/x::nopassword\n"
	"empty@example.com::1006:1006::/x\n"
	"np2@example.com:{PLAIN}x:1007:1007::/x::nopassword\n"
	"bad@example.com:{NOSUCH}whatever:1008:1008\n"
	"old@example.com:{PLAIN}oldpw:1009:1009::/home/old:/bin/false::maildir:/var/mail/old\n"
	"bob@example.com:{PLAIN}duplicate:2001:2001\n";

/* open_db - a passdb from "key=value" settings (NULL-terminated) */
static struct passdb *open_db(const char *passdb, const char *const *sets,
			      struct sl_err *err)
{
	struct config *cfg = config_new();
	struct passdb *db = NULL;

	err_clear(err);
	if (config_set(cfg, "passdb", passdb, "test", err) < 0)
		goto out;
	for (; sets != NULL && *sets != NULL; sets += 2) {
		if (config_set(cfg, sets[0], sets[1], "test", err) < 0)
			goto out;
	}
	if (passdb_open(&db, cfg, err) < 0)
		db = NULL;
out:
	config_free(&cfg);
	return db;
}

/* check - one verification through db */
static enum passdb_result check(struct passdb *db, struct pool *pool,
				const char *user, const char *pw,
				struct passdb_reply *reply, struct sl_err *err)
{
	err_clear(err);
	return passdb_verify(db, pool, user, pw, strlen(pw), reply, err);
}

static const char *field(const struct passdb_reply *r, const char *key)
{
	size_t i;

	for (i = 0; i < r->n_fields; i++) {
		if (strcmp(r->fields[i].key, key) == 0)
			return r->fields[i].value;
	}
	return NULL;
}

/* check_file_users - the passwd-file entries, through db (a passwd-file
 * or a bdb of the same lines); run twice for passwd-file: the first
 * lookups scan, later ones use the cached table */
static void check_file_users(struct passdb *db, const char *src,
			     const char *how)
{
	struct pool *pool = pool_new(4096);
	struct passdb_reply r;
	struct sl_err err;
	size_t i;
	int leak = 0;

	is_int(check(db, pool, "bob@example.com", "bobsecret", &r, &err),
	       PASSDB_OK, "%s: PLAIN, right password", how);
	is_str(r.user, "bob@example.com", "%s: reply user", how);
	is_str(r.source, src, "%s: reply source", how);
	is_str(field(&r, "nodelay"), "", "%s: extra field nodelay", how);
	is_str(field(&r, "userdb_quota_rule"), "*:storage=1G",
	       "%s: userdb_ fields keep their prefix", how);
	for (i = 0; i < r.n_fields; i++)
		leak |= strstr(r.fields[i].key, "pass") != NULL ||
			strstr(r.fields[i].value, "secret") != NULL;
	ok(!leak && r.n_fields == 2, "%s: no password among the fields", how);
	is_int(check(db, pool, "bob@example.com", "bobsecreT", &r, &err),
	       PASSDB_MISMATCH, "%s: PLAIN, wrong password", how);
	is_int(check(db, pool, "bob@example.com", "duplicate", &r, &err),
	       PASSDB_MISMATCH, "%s: the first line for a name wins", how);
	is_int(check(db, pool, "BOB@Example.COM", "bobsecret", &r, &err),
	       PASSDB_OK, "%s: the login name is lowercased", how);
	is_int(check(db, pool, "bob+x@example.com", "bobsecret", &r, &err),
	       PASSDB_NOUSER, "%s: no recipient_delimiter for logins", how);
	is_int(check(db, pool, "bob@example.com", "", &r, &err),
	       PASSDB_MISMATCH, "%s: an empty password is refused", how);
	is_int(check(db, pool, "alice@example.com", PW, &r, &err), PASSDB_OK,
	       "%s: SHA512-CRYPT (doveadm's), right password", how);
	is_int(check(db, pool, "alice@example.com", "x", &r, &err),
	       PASSDB_MISMATCH, "%s: SHA512-CRYPT, wrong password", how);
	is_int(check(db, pool, "carl@example.com", PW, &r, &err), PASSDB_OK,
	       "%s: no {SCHEME}: default_pass_scheme CRYPT takes $6$", how);
	is_int(check(db, pool, "cram@example.com", PW, &r, &err), PASSDB_OK,
	       "%s: CRAM-MD5 store, right password", how);
	is_int(check(db, pool, "cram@example.com", "x", &r, &err),
	       PASSDB_MISMATCH, "%s: CRAM-MD5 store, wrong password", how);
	is_int(check(db, pool, "nopw@example.com", "anything", &r, &err),
	       PASSDB_OK, "%s: nopassword with none stored: any password", how);
	is_int(check(db, pool, "nopw@example.com", "", &r, &err),
	       PASSDB_MISMATCH, "%s: ... but not an empty one", how);
	is_int(check(db, pool, "np2@example.com", "y", &r, &err),
	       PASSDB_MISMATCH, "%s: nopassword with a password stored: the "
	       "password counts (as Dovecot)", how);
	is_int(check(db, pool, "empty@example.com", "", &r, &err),
	       PASSDB_MISMATCH, "%s: no password stored: nothing matches", how);
	is_int(check(db, pool, "bad@example.com", "whatever", &r, &err),
	       PASSDB_MISMATCH, "%s: an unknown stored scheme is a mismatch "
	       "(and a warning)", how);
	is_int(check(db, pool, "old@example.com", "oldpw", &r, &err),
	       PASSDB_OK, "%s: old-format line", how);
	is_int(r.n_fields, 0, "%s: ... its mail location is no field", how);
	is_int(check(db, pool, "nobody@example.com", "x", &r, &err),
	       PASSDB_NOUSER, "%s: unknown user", how);
	is_int(check(db, pool, "a/b@example.com", "x", &r, &err),
	       PASSDB_NOUSER, "%s: a name with '/' is no user", how);
	pool_free(&pool);
}

static void check_credentials(struct passdb *db, const char *how)
{
	struct pool *pool = pool_new(4096);
	struct passdb_reply r;
	struct buf out = BUF_INIT, want = BUF_INIT;
	struct sl_err err;

	err_clear(&err);
	is_int(passdb_credentials(db, pool, "bob@example.com", "PLAIN", &out,
				  &r, &err), PASSDB_OK,
	       "%s: PLAIN credentials of a PLAIN store", how);
	is_str(buf_cstr(&out), "bobsecret", "%s: ... the password", how);
	is_str(r.user, "bob@example.com", "%s: ... reply user", how);
	buf_reset(&out);
	(void)password_credentials("{PLAIN}bobsecret", NULL, "CRAM-MD5", &want,
				   &err);
	is_int(passdb_credentials(db, pool, "bob@example.com", "CRAM-MD5",
				  &out, &r, &err), PASSDB_OK,
	       "%s: CRAM-MD5 credentials of a PLAIN store", how);
	ok(out.len == 64 && strcmp(buf_cstr(&out), buf_cstr(&want)) == 0,
	   "%s: ... 64 hex digits, the HMAC-MD5 contexts", how);
	buf_reset(&out);
	is_int(passdb_credentials(db, pool, "cram@example.com", "CRAM-MD5",
				  &out, &r, &err), PASSDB_OK,
	       "%s: CRAM-MD5 credentials of a CRAM-MD5 store", how);
	is_str(buf_cstr(&out), PW_CRAM, "%s: ... as stored", how);
	buf_reset(&out);
	is_int(passdb_credentials(db, pool, "cram@example.com", "PLAIN", &out,
				  &r, &err), PASSDB_MISMATCH,
	       "%s: a CRAM-MD5 store has no PLAIN", how);
	is_int(passdb_credentials(db, pool, "alice@example.com", "CRAM-MD5",
				  &out, &r, &err), PASSDB_MISMATCH,
	       "%s: a SHA512-CRYPT store has no CRAM-MD5", how);
	is_int(passdb_credentials(db, pool, "nopw@example.com", "PLAIN", &out,
				  &r, &err), PASSDB_MISMATCH,
	       "%s: nopassword gives no credentials", how);
	is_int(out.len, 0, "%s: ... nothing written for them", how);
	is_int(passdb_credentials(db, pool, "nobody@example.com", "PLAIN",
				  &out, &r, &err), PASSDB_NOUSER,
	       "%s: credentials of an unknown user", how);
	buf_free(&out);
	buf_free(&want);
	pool_free(&pool);
}

static void test_passwd_file(void)
{
	struct sl_err err;
	struct passdb *db;
	struct pool *pool = pool_new(1024);
	struct passdb_reply r;
	char spec[400];
	static const char *const md5_default[] = {
		"default_pass_scheme", "PLAIN-MD5", NULL
	};
	static const char *const no_lower[] = {
		"username_lowercase", "no", NULL
	};

	write_str(path_in("users"), users_text);
	(void)snprintf(spec, sizeof(spec), "passwd-file:%s", path_in("users"));
	db = open_db(spec, NULL, &err);
	if (!ok(db != NULL, "open %s", spec)) {
		diag("  %s", err.text);
		return;
	}
	check_file_users(db, "passwd-file", "passwd-file (scan)");
	check_file_users(db, "passwd-file", "passwd-file (cached)");
	check_credentials(db, "passwd-file");
	is_int(check(db, pool, "dave@example.com", PW, &r, &err),
	       PASSDB_MISMATCH, "a PLAIN-MD5 digest under default CRYPT: "
	       "mismatch");
	/* a changed file is read again */
	write_str(path_in("users"), "new@example.com:{PLAIN}newpw\n");
	is_int(check(db, pool, "new@example.com", "newpw", &r, &err),
	       PASSDB_OK, "a replaced file is read again");
	is_int(check(db, pool, "bob@example.com", "bobsecret", &r, &err),
	       PASSDB_NOUSER, "... and users gone from it are gone");
	(void)unlink(path_in("users"));
	is_int(check(db, pool, "new@example.com", "newpw", &r, &err),
	       PASSDB_TEMPFAIL, "a file removed under the cache: tempfail");
	passdb_close(&db);
	ok(db == NULL, "passdb_close clears the pointer");

	/* a fresh passdb on a missing file: the scan path */
	db = open_db(spec, NULL, &err);
	is_int(check(db, pool, "bob@example.com", "bobsecret", &r, &err),
	       PASSDB_TEMPFAIL, "missing passwd-file: tempfail, not no user");
	is_int(err.cls, ERR_TEMP, "... class ERR_TEMP");
	ok(strstr(err.text, path_in("users")) != NULL, "... naming the file: "
	   "%s", err.text);
	passdb_close(&db);

	write_str(path_in("users"), users_text);
	db = open_db(spec, md5_default, &err);
	is_int(check(db, pool, "dave@example.com", PW, &r, &err), PASSDB_OK,
	       "default_pass_scheme = PLAIN-MD5: a bare digest verifies");
	is_int(check(db, pool, "dave@example.com", "x", &r, &err),
	       PASSDB_MISMATCH, "... and refuses a wrong password");
	passdb_close(&db);

	db = open_db(spec, no_lower, &err);
	is_int(check(db, pool, "BOB@example.com", "bobsecret", &r, &err),
	       PASSDB_NOUSER, "username_lowercase = no: BOB is not bob");
	is_int(check(db, pool, "bob@EXAMPLE.com", "bobsecret", &r, &err),
	       PASSDB_OK, "... but domains are always lowercased");
	passdb_close(&db);

	/* a file of bare names: user@domain falls back to the local part */
	write_str(path_in("bare"), "root:{PLAIN}rootpw:0:0\n");
	(void)snprintf(spec, sizeof(spec), "passwd-file:%s", path_in("bare"));
	db = open_db(spec, NULL, &err);
	is_int(check(db, pool, "root@example.com", "rootpw", &r, &err),
	       PASSDB_OK, "a file without '@' keys: the bare name matches");
	is_str(r.user, "root", "... and is the reply's user");
	passdb_close(&db);
	pool_free(&pool);
}

static void test_bdb(void)
{
	struct sl_err err;
	struct passdb *db;
	struct pool *pool = pool_new(1024);
	struct passdb_reply r;
	char spec[400];

	write_str(path_in("db.txt"), users_text);
	err_clear(&err);
	if (!ok(userdb_build(path_in("db.txt"), path_in("users.db"), &err) == 0,
		"userdb_build"))
		diag("  %s", err.text);
	(void)snprintf(spec, sizeof(spec), "bdb:%s", path_in("users.db"));
	db = open_db(spec, NULL, &err);
	if (!ok(db != NULL, "open %s", spec)) {
		diag("  %s", err.text);
		pool_free(&pool);
		return;
	}
	check_file_users(db, "bdb", "bdb");
	check_credentials(db, "bdb");
	passdb_close(&db);
	(void)snprintf(spec, sizeof(spec), "bdb:%s", path_in("missing.db"));
	db = open_db(spec, NULL, &err);
	is_int(check(db, pool, "bob@example.com", "bobsecret", &r, &err),
	       PASSDB_TEMPFAIL, "missing bdb: tempfail");
	is_int(err.cls, ERR_TEMP, "... class ERR_TEMP");
	passdb_close(&db);
	write_str(path_in("corrupt.db"), "this is no Berkeley DB\n");
	(void)snprintf(spec, sizeof(spec), "bdb:%s", path_in("corrupt.db"));
	db = open_db(spec, NULL, &err);
	is_int(check(db, pool, "bob@example.com", "bobsecret", &r, &err),
	       PASSDB_TEMPFAIL, "corrupt bdb: tempfail");
	passdb_close(&db);
	pool_free(&pool);
}

static void test_static(void)
{
	struct sl_err err;
	struct passdb *db;
	struct pool *pool = pool_new(1024);
	struct passdb_reply r;
	struct buf out = BUF_INIT;
	char spec[400];

	db = open_db("static:password=s3cret nodelay=yes", NULL, &err);
	if (!ok(db != NULL, "open static:password=s3cret nodelay=yes")) {
		diag("  %s", err.text);
		pool_free(&pool);
		return;
	}
	is_int(check(db, pool, "anyone@example.com", "s3cret", &r, &err),
	       PASSDB_OK, "static: any user, the password");
	is_str(r.user, "anyone@example.com", "static: reply user");
	is_str(r.source, "static", "static: reply source");
	ok(r.n_fields == 1 && strcmp(r.fields[0].key, "nodelay") == 0 &&
	   strcmp(r.fields[0].value, "yes") == 0,
	   "static: the other arguments are the reply's fields, without "
	   "the password");
	is_int(check(db, pool, "anyone@example.com", "s3creT", &r, &err),
	       PASSDB_MISMATCH, "static: a wrong password");
	is_int(check(db, pool, "", "s3cret", &r, &err), PASSDB_NOUSER,
	       "static: an empty name is no user");
	is_int(passdb_credentials(db, pool, "x@y", "PLAIN", &out, &r, &err),
	       PASSDB_OK, "static: PLAIN credentials");
	is_str(buf_cstr(&out), "s3cret", "... the password (PLAIN default)");
	buf_free(&out);
	passdb_close(&db);

	(void)snprintf(spec, sizeof(spec), "static:password={SHA512-CRYPT}%s",
		       PW_SHA512_CRYPT);
	db = open_db(spec, NULL, &err);
	is_int(check(db, pool, "u", PW, &r, &err), PASSDB_OK,
	       "static: password={SHA512-CRYPT}...");
	is_int(check(db, pool, "u", "x", &r, &err), PASSDB_MISMATCH,
	       "... wrong password");
	passdb_close(&db);

	db = open_db("static:nopassword", NULL, &err);
	is_int(check(db, pool, "u@d", "whatever", &r, &err), PASSDB_OK,
	       "static:nopassword: any password");
	passdb_close(&db);

	ok(open_db("static:", NULL, &err) == NULL && err.cls == ERR_USAGE,
	   "static without a password: usage error (%s)", err.text);
	ok(open_db("static:password=a nopassword", NULL, &err) == NULL &&
	   err.cls == ERR_USAGE, "static with both: usage error");
	pool_free(&pool);
}

static void test_list(void)
{
	struct sl_err err;
	struct passdb *db;
	struct pool *pool = pool_new(1024);
	struct passdb_reply r;
	char spec[800];

	write_str(path_in("users"), users_text);
	(void)snprintf(spec, sizeof(spec), "passwd-file:%s, static:password=fb",
		       path_in("users"));
	db = open_db(spec, NULL, &err);
	is_int(check(db, pool, "bob@example.com", "fb", &r, &err),
	       PASSDB_MISMATCH, "list: the first backend that knows the user "
	       "answers (a mismatch is final)");
	is_int(check(db, pool, "zed@example.com", "fb", &r, &err), PASSDB_OK,
	       "list: an unknown user goes on to the next backend");
	is_str(r.source, "static", "... which answers");
	passdb_close(&db);
	(void)snprintf(spec, sizeof(spec), "passwd-file:%s, static:password=fb",
		       path_in("nonexistent"));
	db = open_db(spec, NULL, &err);
	is_int(check(db, pool, "zed@example.com", "fb", &r, &err),
	       PASSDB_TEMPFAIL, "list: a backend that cannot answer stops "
	       "the lookup (tempfail)");
	passdb_close(&db);
	pool_free(&pool);
}

static void test_open_errors(void)
{
	static const struct { const char *passdb, *want; } bad[] = {
		{ "", "no backend" },
		{ "nosuch:/x", "unknown backend" },
		{ "ldap", "needs the path" },
		{ "passwd-file", "needs a path" },
		{ "bdb:", "needs a path" },
		{ "passwd-file:/a,,static:password=x", "empty element" },
	};
	static const char *const bad_scheme[] = {
		"default_pass_scheme", "NOSUCH", NULL
	};
	struct sl_err err;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct passdb *db = open_db(bad[i].passdb, NULL, &err);

		ok(db == NULL && err.cls == ERR_USAGE &&
		   strstr(err.text, bad[i].want) != NULL,
		   "passdb = '%s': usage error (%s)", bad[i].passdb, err.text);
		passdb_close(&db);
	}
	ok(open_db("static:password=x", bad_scheme, &err) == NULL &&
	   err.cls == ERR_USAGE && strstr(err.text, "NOSUCH") != NULL,
	   "default_pass_scheme = NOSUCH: usage error (%s)", err.text);
}

int main(void)
{
	tmpdir_make("test-passdb");
	test_passwd_file();
	test_bdb();
	test_static();
	test_list();
	test_open_errors();
	tmpdir_remove();
	return done_testing();
}
