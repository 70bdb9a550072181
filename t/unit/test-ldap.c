/* test-ldap.c - LDAP user databases without a server:
 * dovecot-ldap.conf.ext parsing (keys, defaults, errors with file and
 * line, includes), RFC 4515 / RFC 4514 escaping and expansion with
 * hostile names, attribute maps and mapping an entry (templates,
 * multiple values, missing attributes, NUL bytes), and what a server
 * that is down or silent gives: a temporary failure within the timeout,
 * never "no such user". t/userdb-ldap.t runs against a real slapd. */
#include "auto-config.h"
#include "lib/config.h"
#include "lib/dovecot-conf.h"
#include "lib/ldap-db.h"
#include "lib/passdb.h"
#include "lib/userdb.h"
#include "lib/xalloc.h"
#include "t/tap.h"
#include "t/tmpdir.h"

#include <arpa/inet.h>
#include <errno.h>
#include <ftw.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static double now_s(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* ---- the conf file ---- */

static const char conf_text[] =
	"# dovecot-ldap.conf.ext as a site has it\n"
	"hosts = ldap1.example.com ldap2.example.com:3389   # two\n"
	"dn = cn=dovecot,dc=example,dc=com\n"
	"dnpass = 'se#cret \\' x'\n"
	"auth_bind = yes\n"
	"auth_bind_userdn = uid=%n,ou=people,dc=example,dc=com\n"
	"ldap_version = 3\n"
	"base = ou=people, \\\n"
	"       dc=example,dc=com\n"
	"deref = Searching\n"
	"scope = onelevel\n"
	"user_attrs = homeDirectory=home, uidNumber=uid, gidNumber=gid, "
	"=mail=maildir:%{ldap:homeDirectory}/Maildir\n"
	"user_filter = (&(objectClass=posixAccount)(mail=%u))\r\n"
	"pass_attrs = mail=user, userPassword=password\n"
	"pass_filter = \"(&(objectClass=posixAccount)(mail=%u))\"\n"
	"default_pass_scheme = SSHA\n"
	"tls = yes\n"
	"tls_ca_cert_file = /etc/ssl/ca.pem\n"
	"tls_require_cert = demand\n"
	"sasl_bind = no\n"
	"sasl_mech = gssapi\n"
	"debug_level = 0\n"
	"blocking = yes\n";

static void test_conf_parse(void)
{
	struct ldap_conf *c = NULL;
	struct sl_err err;

	err_clear(&err);
	ok(ldap_conf_parse("/etc/x.conf", conf_text, strlen(conf_text), &c,
			   &err) == 0, "a Dovecot conf parses (%s)", err.text);
	if (c == NULL)
		return;
	is_str(c->uri_list, "ldap://ldap1.example.com "
	       "ldap://ldap2.example.com:3389", "hosts as ldap:// URIs");
	is_str(c->dn, "cn=dovecot,dc=example,dc=com", "dn");
	is_str(c->dnpass, "se#cret ' x", "dnpass: quotes off, # kept, \\' "
	       "unescaped");
	ok(c->auth_bind, "auth_bind = yes");
	is_str(c->auth_bind_userdn, "uid=%n,ou=people,dc=example,dc=com",
	       "auth_bind_userdn kept as a template");
	is_str(c->base, "ou=people, dc=example,dc=com",
	       "a continued line joined with one space");
	is_int(c->deref, LDAP_CONF_DEREF_SEARCHING, "deref, any case");
	is_int(c->scope, LDAP_CONF_SCOPE_ONELEVEL, "scope");
	is_str(c->user_filter, "(&(objectClass=posixAccount)(mail=%u))",
	       "CRLF line end");
	is_str(c->pass_filter, "(&(objectClass=posixAccount)(mail=%u))",
	       "double-quoted value");
	is_str(c->default_pass_scheme, "SSHA", "default_pass_scheme");
	ok(c->tls && c->tls_require_cert == LDAP_CONF_CERT_DEMAND,
	   "tls and tls_require_cert");
	is_str(c->tls_ca_cert_file, "/etc/ssl/ca.pem", "tls_ca_cert_file");
	is_str(c->iterate_filter, "(objectClass=posixAccount)",
	       "iterate_filter: Dovecot's default");
	is_int(c->ldap_version, 3, "ldap_version");
	is_int((long)c->user_map.n_fields, 4, "user_attrs: four fields");
	is_int((long)c->user_map.n_attrs, 3, "... asking for three attributes "
	       "(homeDirectory once)");
	ldap_conf_free(&c);
	ok(c == NULL, "ldap_conf_free clears the pointer");

	err_clear(&err);
	ok(ldap_conf_parse("d.conf", "uris = ldapi://%2Frun%2Fslapd%2Fldapi "
			   "ldap://h\nbase = dc=x\n", 59, &c, &err) == 0,
	   "a minimal conf (%s)", err.text);
	if (c == NULL)
		return;
	is_str(c->uri_list, "ldapi://%2Frun%2Fslapd%2Fldapi ldap://h",
	       "uris kept as given");
	is_str(c->user_filter, "(&(objectClass=posixAccount)(uid=%u))",
	       "default user_filter");
	is_str(c->pass_filter, "(&(objectClass=posixAccount)(uid=%u))",
	       "default pass_filter");
	is_str(c->user_attrs, "homeDirectory=home,uidNumber=uid,gidNumber=gid",
	       "default user_attrs");
	is_str(c->pass_attrs, "uid=user,userPassword=password",
	       "default pass_attrs");
	is_str(c->default_pass_scheme, "CRYPT", "default scheme CRYPT");
	is_int(c->scope, LDAP_CONF_SCOPE_SUBTREE, "default scope subtree");
	is_int(c->deref, LDAP_CONF_DEREF_NEVER, "default deref never");
	ok(!c->auth_bind && !c->tls && c->dn == NULL, "no auth_bind, tls, dn");
	is_int(c->ldap_version, 3, "default ldap_version 3");
	ldap_conf_free(&c);
}

/* every key of Dovecot 2.3's example dovecot-ldap.conf.ext, uncommented
 * as it stands (most of them empty) */
static const char stock_text[] =
	"hosts = 127.0.0.1:1\nuris = \ndn = \ndnpass = \nsasl_bind = no\n"
	"sasl_mech =\nsasl_realm =\nsasl_authz_id =\ntls = no\n"
	"tls_ca_cert_file =\ntls_ca_cert_dir =\ntls_cipher_suite =\n"
	"tls_cert_file =\ntls_key_file =\ntls_require_cert =\n"
	"ldaprc_path =\ndebug_level = 0\nauth_bind = no\n"
	"auth_bind_userdn =\nldap_version = 3\nbase = \nderef = never\n"
	"scope = subtree\n"
	"user_attrs = homeDirectory=home,uidNumber=uid,gidNumber=gid\n"
	"user_filter = (&(objectClass=posixAccount)(uid=%u))\n"
	"pass_attrs = uid=user,userPassword=password\n"
	"pass_filter = (&(objectClass=posixAccount)(uid=%u))\n"
	"iterate_attrs = uid=user\n"
	"iterate_filter = (objectClass=posixAccount)\n"
	"default_pass_scheme = CRYPT\nblocking = no\n";

static void test_conf_stock(void)
{
	struct ldap_conf *c = NULL;
	struct sl_err err;

	err_clear(&err);
	ok(ldap_conf_parse("stock.conf", stock_text, strlen(stock_text), &c,
			   &err) == 0, "Dovecot's example file, every key "
	   "uncommented, parses (%s)", err.text);
	if (c == NULL)
		return;
	is_str(c->uri_list, "ldap://127.0.0.1:1", "an empty uris: hosts count");
	ok(c->auth_bind_userdn == NULL, "an empty auth_bind_userdn is not set "
	   "(never an empty DN to bind as)");
	ok(c->tls_require_cert == LDAP_CONF_CERT_UNSET &&
	   c->tls_ca_cert_file == NULL && c->tls_key_file == NULL,
	   "empty tls_* keys are not set");
	is_str(c->base, "", "base = (empty): the root");
	is_str(c->dn, "", "dn = (empty): anonymous");
	ldap_conf_free(&c);
}

static void conf_error(const char *text, enum err_class cls,
		       const char *needle, const char *name)
{
	struct ldap_conf *c = NULL;
	struct sl_err err;
	int r;

	err_clear(&err);
	r = ldap_conf_parse("bad.conf", text, strlen(text), &c, &err);
	ok(r < 0 && c == NULL && err.cls == cls &&
	   strstr(err.text, needle) != NULL, "%s (%s)", name, err.text);
	ldap_conf_free(&c);
}

#define MIN_CONF "hosts = localhost\nbase = dc=x\n"

static void test_conf_errors(void)
{
	struct ldap_conf *c = NULL;
	struct sl_err err;
	char big[DOVECOT_CONF_LINE_MAX + 100];

	conf_error(MIN_CONF "user_filtr = (uid=%u)\n", ERR_USAGE,
		   "bad.conf line 3: Unknown setting: user_filtr",
		   "an unknown key names file and line");
	conf_error(MIN_CONF "user_global_uid = 1\n", ERR_USAGE,
		   "Unknown setting: user_global_uid",
		   "a key Dovecot 2.3 no longer has");
	conf_error("hosts = localhost\n", ERR_USAGE, "No base given", "no base");
	conf_error("base = dc=x\n", ERR_USAGE, "No uris or hosts set",
		   "no hosts or uris");
	conf_error(MIN_CONF "scope = sub\n", ERR_USAGE,
		   "line 3: Unknown scope option 'sub'", "a bad scope");
	conf_error(MIN_CONF "deref = maybe\n", ERR_USAGE,
		   "Unknown deref option", "a bad deref");
	conf_error(MIN_CONF "auth_bind = true\n", ERR_USAGE,
		   "line 3: Invalid boolean: true", "a bad boolean");
	conf_error(MIN_CONF "ldap_version = three\n", ERR_USAGE,
		   "Invalid number: three", "a bad number");
	conf_error(MIN_CONF "ldap_version = 4\n", ERR_USAGE, "2 or 3",
		   "ldap_version 4");
	conf_error(MIN_CONF "tls_require_cert = always\n", ERR_USAGE,
		   "tls_require_cert value 'always'", "a bad tls_require_cert");
	conf_error(MIN_CONF "sasl_bind = yes\n", ERR_USAGE,
		   "sasl_bind = yes is not supported", "sasl_bind = yes: a "
		   "clear error");
	conf_error("uris = ldaps://h\nbase = dc=x\ntls = yes\n", ERR_USAGE,
		   "Don't use both tls=yes and ldaps", "tls with ldaps://");
	conf_error("uris = http://h\nbase = dc=x\n", ERR_USAGE,
		   "'http://h' is not an ldap://", "uris that are no LDAP URI");
	conf_error(MIN_CONF "ldap_version = 2\ntls = yes\n", ERR_USAGE,
		   "requires ldap_version=3", "tls with LDAPv2");
	conf_error(MIN_CONF "user_filter = (uid=%z)\n", ERR_USAGE,
		   "user_filter: unknown variable %z",
		   "an unknown variable in a filter");
	conf_error(MIN_CONF "auth_bind_userdn = uid=%{nope}\n", ERR_USAGE,
		   "auth_bind_userdn: unknown variable %{nope}",
		   "an unknown variable in auth_bind_userdn");
	conf_error("hosts = h\nbase = uid=%u%\n", ERR_USAGE, "base",
		   "a lone %% in base");
	conf_error(MIN_CONF "user_attrs = uid=user, @mail=mailRef\n",
		   ERR_USAGE, "@ subqueries are not supported",
		   "Dovecot's @subqueries refused");
	conf_error(MIN_CONF "user_attrs = =home=%{ldap_ptr:x}\n", ERR_USAGE,
		   "ldap_ptr", "%%{ldap_ptr:...} refused");
	conf_error(MIN_CONF "user_attrs = home(x)=home\n", ERR_USAGE,
		   "not an LDAP attribute name", "a bad attribute name");
	conf_error(MIN_CONF "pass_attrs = uid=\n", ERR_USAGE,
		   "Invalid attrs entry", "an attribute with no field name");
	conf_error(MIN_CONF "user_attrs = =home=%{ldap:bad name}\n", ERR_USAGE,
		   "not an LDAP attribute name", "a bad name in %%{ldap:...}");
	conf_error(MIN_CONF "user_attrs = =home=/x/%q\n", ERR_USAGE,
		   "unknown variable %q", "an unknown variable in a template");
	conf_error(MIN_CONF "base\n", ERR_USAGE, "line 3: Expecting '='",
		   "a line without '='");
	err_clear(&err);
	ok(ldap_conf_parse("nul.conf", "base = x\0\nhosts = h\n", 20, &c,
			   &err) < 0 && strstr(err.text, "NUL") != NULL,
	   "a NUL byte in the file (%s)", err.text);
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	memcpy(big, "base = ", 7);
	conf_error(big, ERR_USAGE, "longer than", "an over-long line");
	err_clear(&err);
	ok(ldap_conf_read(path_in("missing.conf"), &c, &err) < 0 &&
	   err.cls == ERR_TEMP && strstr(err.text, "missing.conf") != NULL,
	   "a missing file is a temporary failure (%s)", err.text);
}

static void test_conf_include(void)
{
	struct ldap_conf *c = NULL;
	struct sl_err err;

	write_str(path_in("inc-secret.conf"), "dn = cn=x\ndnpass = s3\n");
	write_str(path_in("inc-main.conf"),
		  "hosts = h\nbase = dc=x\n"
		  "!include inc-secret.conf\n"
		  "!include_try inc-absent.conf\n");
	err_clear(&err);
	ok(ldap_conf_read(path_in("inc-main.conf"), &c, &err) == 0,
	   "!include relative to the file, !include_try of a missing file "
	   "(%s)", err.text);
	if (c != NULL)
		is_str(c->dnpass, "s3", "an included key");
	ldap_conf_free(&c);
	write_str(path_in("inc-loop.conf"), "!include inc-loop.conf\n");
	err_clear(&err);
	ok(ldap_conf_read(path_in("inc-loop.conf"), &c, &err) < 0 &&
	   err.cls == ERR_USAGE && strstr(err.text, "nested") != NULL,
	   "an include loop stops (%s)", err.text);
	write_str(path_in("inc-bad.conf"), "!include no-such.conf\n");
	err_clear(&err);
	ok(ldap_conf_read(path_in("inc-bad.conf"), &c, &err) < 0 &&
	   err.cls == ERR_TEMP, "a missing !include is a read failure");
	write_str(path_in("inc-line.conf"), "hosts = h\nbase = dc=x\n\n"
		  "bogus = 1\n");
	err_clear(&err);
	ok(ldap_conf_read(path_in("inc-line.conf"), &c, &err) < 0 &&
	   strstr(err.text, "inc-line.conf line 4: Unknown setting: bogus") !=
	   NULL, "an error in a file read from disk: path and line (%s)",
	   err.text);
}

/* ---- escaping ---- */

static void escaped(sql_escape_fn *fn, const char *in, size_t len,
		    const char *want, const char *name)
{
	struct buf out = BUF_INIT;

	ok(fn(NULL, &out, in, len) == 0, "%s: escapes", name);
	is_mem(out.data != NULL ? out.data : "", out.len, want, strlen(want),
	       "%s: %s", name, buf_cstr(&out));
	buf_free(&out);
}

static void test_escape(void)
{
	struct sql_vars v;
	struct buf out = BUF_INIT;
	struct sl_err err;
	char *huge;

	escaped(ldap_conf_escape_filter, "a*b(c)d\\e", 9,
		"a\\2ab\\28c\\29d\\5ce", "filter: * ( ) \\");
	escaped(ldap_conf_escape_filter, "x\0y", 3, "x\\00y",
		"filter: NUL as \\00");
	escaped(ldap_conf_escape_filter, "j\xc3\xa9r\xff", 5,
		"j\\c3\\a9r\\ff", "filter: bytes over 0x7f as hex");
	escaped(ldap_conf_escape_filter, "plain.user-1@x.example_+=,;", 27,
		"plain.user-1@x.example_+=,;", "filter: the rest as it is");
	escaped(ldap_conf_escape_dn, "a,b+c\"d\\e<f>g;h=i", 17,
		"a\\,b\\+c\\\"d\\\\e\\<f\\>g\\;h\\=i", "DN: the specials");
	escaped(ldap_conf_escape_dn, "#x y ", 5, "\\#x y\\ ",
		"DN: a leading # and a trailing space");
	escaped(ldap_conf_escape_dn, " x", 2, "\\ x", "DN: a leading space");
	escaped(ldap_conf_escape_dn, "a\0b", 3, "a\\00b", "DN: NUL as \\00");
	escaped(ldap_conf_escape_dn, "x#*()", 5, "x#*()",
		"DN: # inside and filter specials as they are");

	memset(&v, 0, sizeof(v));
	v.user = "*)(uid=*))(|(uid=*";
	v.username = "*";
	v.domain = "d";
	err_clear(&err);
	ok(ldap_conf_expand_filter(&out, "(&(objectClass=posixAccount)"
				   "(uid=%u))", &v, &err) == 0,
	   "a filter breakout attempt expands");
	is_str(buf_cstr(&out), "(&(objectClass=posixAccount)(uid=\\2a\\29\\28"
	       "uid=\\2a\\29\\29\\28|\\28uid=\\2a))",
	       "... into one escaped assertion value");
	buf_reset(&out);
	v.user = "100%u%d";
	ok(ldap_conf_expand_filter(&out, "(mail=%u)(x=%Ln)", &v, &err) == 0 &&
	   strcmp(buf_cstr(&out), "(mail=100%u%d)(x=\\2a)") == 0,
	   "a value's %% is not expanded again (%s)", buf_cstr(&out));
	buf_reset(&out);
	v.username = "a,b=c";
	ok(ldap_conf_expand_dn(&out, "uid=%n,ou=people,dc=x", &v, &err) == 0,
	   "a DN template expands");
	is_str(buf_cstr(&out), "uid=a\\,b\\=c,ou=people,dc=x",
	       "... the value cannot add an RDN");
	buf_reset(&out);
	huge = xmalloc(SQL_QUERY_MAX + 10);
	memset(huge, '*', SQL_QUERY_MAX + 9);
	huge[SQL_QUERY_MAX + 9] = '\0';
	v.user = huge;
	err_clear(&err);
	ok(ldap_conf_expand_filter(&out, "(uid=%u)", &v, &err) < 0 &&
	   err.cls == ERR_NOUSER, "a filter over SQL_QUERY_MAX: no such user "
	   "(%s)", err.text);
	free(huge);
	buf_free(&out);
}

/* ---- attribute maps and mapping ---- */

static const char *field_named(const struct ldap_mapped *m, size_t n,
			       const char *name, size_t *n_values)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (strcmp(m[i].name, name) == 0) {
			if (n_values != NULL)
				*n_values = m[i].n_values;
			return m[i].values[0];
		}
	}
	return NULL;
}

static int map_has_attr(const struct ldap_attr_map *map, const char *a)
{
	size_t i;

	for (i = 0; i < map->n_attrs; i++) {
		if (strcmp(map->attrs[i], a) == 0)
			return 1;
	}
	return 0;
}

static void test_map_parse(void)
{
	struct ldap_attr_map map;
	struct sl_err err;

	err_clear(&err);
	ok(ldap_conf_map_parse(" uid=user , userPassword=password,,"
			       "=home=/var/vmail/%d/%{ldap:uid}, "
			       "description=quota_rule=*:bytes=, !objectClass,"
			       " mailAlias, UID=uid2", &map, &err) == 0,
	   "an attribute list parses (%s)", err.text);
	is_int((long)map.n_fields, 7L, "seven entries (an empty one skipped)");
	if (map.n_fields == 7) {
		is_str(map.fields[0].attr, "uid", "attr=field: attribute");
		is_str(map.fields[0].name, "user", "attr=field: field");
		ok(map.fields[0].tmpl == NULL, "attr=field: no template");
		is_str(map.fields[2].attr, "", "=field=tmpl: no attribute");
		is_str(map.fields[2].tmpl, "/var/vmail/%d/%{ldap:uid}",
		       "=field=tmpl: the template");
		is_str(map.fields[3].tmpl, "*:bytes=%$",
		       "attr=field=prefix: Dovecot's prefix form, tmpl%%$");
		ok(map.fields[4].skip &&
		   strcmp(map.fields[4].attr, "objectClass") == 0,
		   "!attr: asked for, not a field");
		is_str(map.fields[5].name, "mailAlias",
		       "a bare attribute is its own field");
	}
	ok(map_has_attr(&map, "uid") && map_has_attr(&map, "userPassword") &&
	   map_has_attr(&map, "description") &&
	   map_has_attr(&map, "objectClass") && map_has_attr(&map, "mailAlias"),
	   "the attributes asked for");
	is_int((long)map.n_attrs, 5L, "... each once (uid, {ldap:uid} and UID "
	       "are one)");
	ok(map.attrs[map.n_attrs] == NULL, "... NULL-terminated");
	ldap_conf_map_free(&map);

	ok(ldap_conf_map_parse("", &map, &err) == 0 && map.n_fields == 0 &&
	   map.attrs[0] == NULL, "an empty list: nothing, attrs { NULL }");
	ldap_conf_map_free(&map);
	ok(ldap_conf_map_parse("=nologin,=reason=disabled %u", &map,
			       &err) == 0 && map.n_attrs == 0 &&
	   map.fields[0].tmpl != NULL && map.fields[0].tmpl[0] == '\0' &&
	   strcmp(map.fields[1].tmpl, "disabled %u") == 0,
	   "=field and =field=text: static fields, no attribute");
	ldap_conf_map_free(&map);
}

static const char *v_uid[] = { "jdoe" };
static const size_t l_uid[] = { 4 };
static const char *v_home[] = { "/home/jdoe" };
static const size_t l_home[] = { 10 };
static const char *v_desc[] = { "1048576", "2097152" };
static const size_t l_desc[] = { 7, 7 };
static const char *v_alias[] = { "a@x", "b@x", "c@x" };
static const size_t l_alias[] = { 3, 3, 3 };
static const char *v_nul[] = { "se\0cret" };
static const size_t l_nul[] = { 7 };

static const struct ldap_db_attr entry_attrs[] = {
	{ "uid", 1, v_uid, l_uid },
	{ "homeDirectory", 1, v_home, l_home },
	{ "description", 2, v_desc, l_desc },
	{ "mailAlias", 3, v_alias, l_alias },
	{ "binary", 1, v_nul, l_nul },
};
static const struct ldap_db_entry entry = {
	"uid=jdoe,ou=people,dc=example,dc=test",
	sizeof(entry_attrs) / sizeof(entry_attrs[0]), entry_attrs,
};

/* map_entry - map list over the test entry; -1 when it does not parse
 * or map */
static int map_entry(struct pool *pool, const char *list,
		     struct ldap_mapped **m, size_t *n, struct sl_err *err)
{
	static const struct sql_vars v = { "jdoe@example.test", "jdoe",
					   "example.test", "lda", NULL,
					   NULL, NULL };
	struct ldap_attr_map map;
	int r;

	err_clear(err);
	if (ldap_conf_map_parse(list, &map, err) < 0)
		return -1;
	r = ldap_conf_map(pool, &map, &entry, &v, m, n, err);
	ldap_conf_map_free(&map);
	return r;
}

static void test_map_entry(void)
{
	struct pool *pool = pool_new(4096);
	struct ldap_mapped *m = NULL;
	struct sl_err err;
	size_t n = 0, nv = 0;

	ok(map_entry(pool, "homeDirectory=home, UIDNUMBER=uid, uid=user, "
		     "description=quota_rule=*:bytes=, "
		     "=mail=maildir:%{ldap:homeDirectory}/Maildir, "
		     "=sieve=/s/%d/%n/%{ldap:missing:none}.sieve, "
		     "=dn=%{ldap_dn}, mailAlias=alias, "
		     "missing=gone, missing=gone2=x%$, !uid, "
		     "=userdb_%{ldap:uid}=yes", &m, &n, &err) == 0,
	   "an entry maps (%s)", err.text);
	is_int((long)n, 8L, "eight fields (missing attributes and !uid left out)");
	is_str(field_named(m, n, "home", NULL), "/home/jdoe", "attr=field");
	is_str(field_named(m, n, "user", NULL), "jdoe", "uid=user");
	ok(field_named(m, n, "uid", NULL) == NULL,
	   "an attribute the entry lacks: no field");
	is_str(field_named(m, n, "quota_rule", &nv), "*:bytes=1048576",
	       "prefix template: the first of two values");
	is_int((long)nv, 1L, "... one value");
	is_str(field_named(m, n, "mail", NULL), "maildir:/home/jdoe/Maildir",
	       "%%{ldap:attr} in a template");
	is_str(field_named(m, n, "sieve", NULL),
	       "/s/example.test/jdoe/none.sieve",
	       "%%d %%n and %%{ldap:missing:default}");
	is_str(field_named(m, n, "dn", NULL),
	       "uid=jdoe,ou=people,dc=example,dc=test", "%%{ldap_dn}");
	is_str(field_named(m, n, "alias", &nv), "a@x",
	       "a multi-valued attribute");
	is_int((long)nv, 3L, "... keeps all three values");
	ok(field_named(m, n, "gone", NULL) == NULL &&
	   field_named(m, n, "gone2", NULL) == NULL,
	   "missing attribute, with or without a template: no field");
	is_str(field_named(m, n, "userdb_jdoe", NULL), "yes",
	       "a field name with variables");

	err_clear(&err);
	ok(map_entry(pool, "binary=password", &m, &n, &err) < 0 &&
	   err.cls == ERR_TEMP && strstr(err.text, "NUL") != NULL &&
	   strstr(err.text, "cret") == NULL,
	   "a value with a NUL byte: temporary failure, value not shown (%s)",
	   err.text);
	ok(map_entry(pool, "=x=%{ldap:binary}", &m, &n, &err) < 0 &&
	   err.cls == ERR_TEMP, "... also through %%{ldap:...}");
	ok(map_entry(pool, "description", &m, &n, &err) == 0 && n == 1 &&
	   m[0].n_values == 2 && strcmp(m[0].values[1], "2097152") == 0,
	   "a bare multi-valued attribute: every value, in order");
	pool_free(&pool);
}

/* ---- servers that are down or silent ---- */

/* listener - a TCP socket on 127.0.0.1 that listens and never answers
 * (connections wait in the backlog); its port in *port */
static int listener(int *port)
{
	struct sockaddr_in sa;
	socklen_t len = sizeof(sa);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(fd, 16) < 0 ||
	    getsockname(fd, (struct sockaddr *)&sa, &len) < 0) {
		printf("Bail out! listener: %s\n", strerror(errno));
		exit(1);
	}
	*port = ntohs(sa.sin_port);
	return fd;
}

/* closed_port - a port nobody listens on (bound, then closed) */
static int closed_port(void)
{
	int port, fd = listener(&port);

	(void)close(fd);
	return port;
}

static struct userdb *open_userdb(const char *spec, struct sl_err *err)
{
	struct config *cfg = config_new();
	struct userdb *db = NULL;

	err_clear(err);
	if (config_set(cfg, "userdb", spec, "test", err) < 0 ||
	    userdb_open(&db, cfg, err) < 0)
		db = NULL;
	config_free(&cfg);
	return db;
}

static struct passdb *open_passdb(const char *spec, struct sl_err *err)
{
	struct config *cfg = config_new();
	struct passdb *db = NULL;

	err_clear(err);
	if (config_set(cfg, "passdb", spec, "test", err) < 0 ||
	    passdb_open(&db, cfg, err) < 0)
		db = NULL;
	config_free(&cfg);
	return db;
}

static void test_down(void)
{
	const char *conf = path_in("down.conf"), *bconf = path_in("bind.conf");
	struct pool *pool = pool_new(4096);
	struct user_record *u = NULL;
	struct passdb_reply reply;
	struct userdb *udb;
	struct passdb *pdb;
	struct sl_err err;
	char text[512], spec[400];
	double t0;

	(void)snprintf(text, sizeof(text), "uris = ldap://127.0.0.1:%d\n"
		       "base = dc=example,dc=test\n", closed_port());
	write_str(conf, text);
	(void)snprintf(spec, sizeof(spec), "ldap:%s", conf);
	udb = open_userdb(spec, &err);
	ok(udb != NULL, "userdb ldap:PATH opens without a server (%s)",
	   err.text);
	t0 = now_s();
	err_clear(&err);
	is_int(udb != NULL ? userdb_lookup(udb, pool, "jdoe@example.test", &u,
					   &err) : -2,
	       USERDB_TEMPFAIL, "server down: temporary failure (%s)",
	       err.text);
	ok(now_s() - t0 < 3.0, "... at once (%.2fs)", now_s() - t0);
	is_int(udb != NULL ? userdb_lookup(udb, pool, "*", &u, &err) : -2,
	       USERDB_TEMPFAIL, "... for any name, never no such user");
	userdb_close(&udb);

	(void)snprintf(spec, sizeof(spec), "ldap:%s", conf);
	pdb = open_passdb(spec, &err);
	ok(pdb != NULL, "passdb ldap:PATH opens (%s)", err.text);
	err_clear(&err);
	is_int(pdb != NULL ? passdb_verify(pdb, pool, "jdoe", "Pa55-Secret-Xyz",
					   15, &reply, &err) : -2,
	       PASSDB_TEMPFAIL, "passdb, server down: temporary failure (%s)",
	       err.text);
	ok(strstr(err.text, "Secret") == NULL,
	   "... the error does not hold the password");
	passdb_close(&pdb);

	(void)snprintf(text, sizeof(text), "uris = ldap://127.0.0.1:%d\n"
		       "base = dc=example,dc=test\nauth_bind = yes\n"
		       "auth_bind_userdn = uid=%%n,dc=example,dc=test\n",
		       closed_port());
	write_str(bconf, text);
	(void)snprintf(spec, sizeof(spec), "ldap:%s", bconf);
	pdb = open_passdb(spec, &err);
	err_clear(&err);
	is_int(pdb != NULL ? passdb_verify(pdb, pool, "jdoe", "pw", 2, &reply,
					   &err) : -2,
	       PASSDB_TEMPFAIL, "auth_bind, server down: temporary failure "
	       "(%s)", err.text);
	passdb_close(&pdb);
	pool_free(&pool);
}

static void test_silent(void)
{
	const char *conf = path_in("silent.conf");
	struct ldap_db_settings set = { 300, 400 };
	struct ldap_db_result *res = NULL;
	struct ldap_db *db = NULL;
	struct sl_err err;
	char text[256];
	double t0;
	int port, fd = listener(&port);
	char *attrs[] = { NULL };

	(void)snprintf(text, sizeof(text), "uris = ldap://127.0.0.1:%d\n"
		       "base = dc=example,dc=test\n", port);
	write_str(conf, text);
	err_clear(&err);
	ok(ldap_db_open(conf, &set, &db, &err) == 0, "open (%s)", err.text);
	t0 = now_s();
	err_clear(&err);
	ok(db != NULL && ldap_db_search(db, "dc=example,dc=test", "(uid=x)",
					attrs, 2, 0, 0, &res, &err) < 0 &&
	   err.cls == ERR_TEMP && strstr(err.text, "no answer") != NULL,
	   "a server that accepts and never answers: temporary failure (%s)",
	   err.text);
	ok(now_s() - t0 < 2.0, "... after the timeout (%.2fs)", now_s() - t0);
	ok(db != NULL && ldap_db_bind_check(db, "uid=x,dc=example,dc=test",
					    "", 0, &err) == 0,
	   "an empty password never binds (no server asked)");
	ldap_db_close(&db);
	(void)close(fd);
}

static void test_open_errors(void)
{
	struct userdb *udb;
	struct passdb *pdb;
	struct sl_err err;
	char spec[400];

	udb = open_userdb("ldap:/nonexistent/dovecot-ldap.conf.ext", &err);
	ok(udb != NULL, "an unreadable conf does not stop userdb_open");
	userdb_close(&udb);
	write_str(path_in("sasl.conf"), "hosts = h\nbase = dc=x\n"
		  "sasl_bind = yes\n");
	(void)snprintf(spec, sizeof(spec), "ldap:%s", path_in("sasl.conf"));
	udb = open_userdb(spec, &err);
	ok(udb == NULL && err.cls == ERR_USAGE &&
	   strstr(err.text, "sasl_bind") != NULL,
	   "userdb: a conf with sasl_bind = yes fails at open (%s)", err.text);
	pdb = open_passdb(spec, &err);
	ok(pdb == NULL && strstr(err.text, "sasl_bind") != NULL,
	   "passdb: the same (%s)", err.text);
	pdb = open_passdb("ldap", &err);
	ok(pdb == NULL && strstr(err.text, "ldap:PATH") != NULL,
	   "passdb ldap without a path (%s)", err.text);
	udb = open_userdb("ldap:", &err);
	ok(udb == NULL && strstr(err.text, "ldap:PATH") != NULL,
	   "userdb ldap without a path (%s)", err.text);
}

int main(void)
{
	tmpdir_make("test-ldap");
	test_conf_parse();
	test_conf_stock();
	test_conf_errors();
	test_conf_include();
	test_escape();
	test_map_parse();
	test_map_entry();
	test_open_errors();
#ifdef HAVE_LDAP
	test_down();
	test_silent();
#else
	diag("built without libldap: connection tests skipped");
#endif
	tmpdir_remove();
	return done_testing();
}
