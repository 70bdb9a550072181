/* ldap-db - LDAP user databases as Dovecot reads them: the
 * dovecot-ldap.conf.ext file, filters and DNs %-expanded with every value
 * escaped, the attribute maps (user_attrs, pass_attrs), and one shared
 * connection per file, through OpenLDAP's libldap.
 *
 * The file (Dovecot 2.3's format, read unchanged; the syntax is the one
 * sql.h describes: `key = value`, '#' comments, quotes, '\' continuation,
 * !include / !include_try). Keys and defaults as Dovecot 2.3:
 *   hosts ("host[:port] ..."; ignored when uris is set), uris
 *   ("ldap://h:389 ldaps://h ldapi://%2Frun%2Fslapd%2Fldapi ..."), one of
 *   them required; dn, dnpass (the lookup connection's bind; none:
 *   anonymous); auth_bind (yes/no: passdb checks passwords by binding as
 *   the user); auth_bind_userdn (a DN template for that bind, values
 *   escaped per RFC 4514; set: no search is made for the passdb);
 *   ldap_version (3; 2 allowed without tls); base (required; may hold
 *   %-variables, escaped as DN values); deref (never, searching,
 *   finding, always); scope (base, onelevel, subtree: default subtree);
 *   user_filter and pass_filter (default
 *   "(&(objectClass=posixAccount)(uid=%u))"), iterate_filter
 *   ("(objectClass=posixAccount)"): values escaped per RFC 4515;
 *   user_attrs ("homeDirectory=home,uidNumber=uid,gidNumber=gid"),
 *   pass_attrs ("uid=user,userPassword=password"), iterate_attrs
 *   ("uid=user"); default_pass_scheme (CRYPT); tls (yes: StartTLS),
 *   tls_ca_cert_file, tls_ca_cert_dir, tls_cert_file, tls_key_file,
 *   tls_cipher_suite, tls_require_cert (never, hard, demand, allow,
 *   try); sasl_bind (only "no": SASL binds are not supported), sasl_mech,
 *   sasl_realm, sasl_authz_id (accepted, unused without sasl_bind);
 *   debug_level (libldap's, to stderr); ldaprc_path (LDAPRC for
 *   libldap); userdb_warning_disable, blocking (accepted, ignored). Any
 *   other key is an error naming file and line, as in Dovecot. An empty
 *   value of hosts, uris, auth_bind_userdn, the tls_* and sasl_* keys,
 *   ldaprc_path or default_pass_scheme means "not set" (Dovecot's example
 *   file uncommented as it stands is read).
 *
 * Attribute maps: a comma-separated list of
 *   ldapAttr              the attribute's values as field ldapAttr
 *   ldapAttr=field        the attribute's values as field
 *   ldapAttr=field=tmpl   tmpl expanded, %$ the attribute's (first) value;
 *                         a tmpl without '%' is a prefix (tmpl%$); the
 *                         field is left out when the entry lacks ldapAttr
 *   =field=tmpl           tmpl expanded: %{ldap:attr} and
 *                         %{ldap:attr:default} an attribute's first value,
 *                         %{ldap_dn} the entry's DN, %u %n %d %s ... as
 *                         in filters (not escaped here)
 *   =field                the field, empty
 *   !ldapAttr             asked for (for templates), not a field
 * Dovecot's @field subqueries and %{ldap_ptr:...} are refused
 * (ERR_USAGE). A field name may hold %-variables.
 *
 * libldap is loaded with dlopen() on the first connection, so programs
 * that never use LDAP do not load it. Without libldap at build time the
 * conf is still read, and opening a connection is ERR_USAGE.
 *
 * Connections: ldap_db_open() shares one struct ldap_db per conf file in
 * a process (the userdb and the passdb on one file use one). The lookup
 * connection is made (StartTLS with tls = yes, bound as dn) at the first
 * search and kept; a failure closes it, a search on a connection that
 * had been open is tried once more on a new one. Password binds
 * (auth_bind) use a second connection of their own, so the lookup
 * connection stays bound as dn. Every network step has a timeout
 * (LDAP_DB_CONNECT_TIMEOUT_MS, LDAP_DB_TIMEOUT_MS): a server that is down
 * or hangs is ERR_TEMP within seconds, never "no such user".
 *
 * Cache: ldap_db_search() with a ttl keeps the result of that exact
 * search (base, filter, attributes) for ttl seconds, or ttl/4 (at least
 * 1 s) when it found nothing; errors are never kept. At most
 * LDAP_DB_CACHE_MAX results; when full, expired ones go, then all.
 */
#ifndef SLUICE_LDAP_DB_H
#define SLUICE_LDAP_DB_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "err.h"
#include "pool.h"
#include "sql.h"

/* Limits */
#define LDAP_MAP_FIELDS_MAX 256		/* entries in one attribute map */
#define LDAP_ENTRY_ATTRS_MAX 256	/* attributes kept per entry */
#define LDAP_ATTR_VALUES_MAX 1024	/* values kept per attribute */
#define LDAP_VALUE_MAX (1024 * 1024)	/* largest value kept */
#define LDAP_DB_CACHE_MAX 10000		/* cached results per conf file */
/* a TCP connect to a server that does not answer gives up after this
 * long (LDAP_OPT_NETWORK_TIMEOUT) */
#define LDAP_DB_CONNECT_TIMEOUT_MS 3000
/* StartTLS, a bind or a search gives up after this long */
#define LDAP_DB_TIMEOUT_MS 5000
/* filters, DNs and templates expand through sql_expand, bounded by
 * SQL_QUERY_MAX (sql.h) */

/* One element of an attribute map. */
struct ldap_field {
	char *attr;	/* LDAP attribute; "" for a template-only field */
	char *name;	/* the field: home, uid, password...; may hold %vars */
	char *tmpl;	/* NULL: the attribute's values as they are */
	int skip;	/* !attr: asked for, not a field */
};

struct ldap_attr_map {
	size_t n_fields;
	struct ldap_field *fields;
	/* the attributes a search asks for (those of the map and of its
	 * templates' %{ldap:...}), NULL-terminated; { NULL } when none */
	char **attrs;
	size_t n_attrs;
};

enum ldap_scope { LDAP_CONF_SCOPE_BASE, LDAP_CONF_SCOPE_ONELEVEL,
		  LDAP_CONF_SCOPE_SUBTREE };
enum ldap_deref { LDAP_CONF_DEREF_NEVER, LDAP_CONF_DEREF_SEARCHING,
		  LDAP_CONF_DEREF_FINDING, LDAP_CONF_DEREF_ALWAYS };
enum ldap_require_cert { LDAP_CONF_CERT_UNSET, LDAP_CONF_CERT_NEVER,
			 LDAP_CONF_CERT_HARD, LDAP_CONF_CERT_DEMAND,
			 LDAP_CONF_CERT_ALLOW, LDAP_CONF_CERT_TRY };

struct ldap_conf {
	char *path;
	char *hosts, *uris;
	char *uri_list;		/* what the connection uses: uris, or hosts
				   as "ldap://host:port ..." */
	char *dn, *dnpass;	/* NULL: anonymous */
	int auth_bind;
	char *auth_bind_userdn;	/* NULL: found by pass_filter */
	unsigned ldap_version;
	char *base;
	enum ldap_deref deref;
	enum ldap_scope scope;
	char *user_attrs, *user_filter;
	char *pass_attrs, *pass_filter;
	char *iterate_attrs, *iterate_filter;
	char *default_pass_scheme;
	int tls;
	char *tls_ca_cert_file, *tls_ca_cert_dir, *tls_cert_file;
	char *tls_key_file, *tls_cipher_suite;
	enum ldap_require_cert tls_require_cert;
	int sasl_bind;
	char *sasl_mech, *sasl_realm, *sasl_authz_id;
	int debug_level;
	char *ldaprc_path;
	int userdb_warning_disable, blocking;
	/* the attribute lists, parsed */
	struct ldap_attr_map user_map, pass_map, iterate_map;
};

/* ldap_conf_read - read and check a dovecot-ldap.conf.ext. Errors: the
 * file (or an include) cannot be read: ERR_TEMP; a syntax error, an
 * unknown key, a bad value (scope, deref, boolean, number), no base, no
 * hosts or uris, sasl_bind = yes, a template with an unknown %-variable,
 * a bad attribute map: ERR_USAGE, naming the file (and the line where
 * there is one). *conf_r is malloc'd; free with ldap_conf_free. */
int ldap_conf_read(const char *path, struct ldap_conf **conf_r,
		   struct sl_err *err);
/* ldap_conf_parse - the same for text already read (path names it in
 * errors and is the base of relative includes) */
int ldap_conf_parse(const char *path, const char *text, size_t len,
		    struct ldap_conf **conf_r, struct sl_err *err);
void ldap_conf_free(struct ldap_conf **conf);

/* ldap_conf_map_parse - an attribute list (user_attrs syntax above) into
 * map; ERR_USAGE for a bad element. Free with ldap_conf_map_free. */
int ldap_conf_map_parse(const char *list, struct ldap_attr_map *map,
			struct sl_err *err);
void ldap_conf_map_free(struct ldap_attr_map *map);

/* ldap_conf_escape_filter - RFC 4515: '*', '(', ')', '\' and NUL as
 * \2a \28 \29 \5c \00, bytes over 0x7f as \xx too (as Dovecot), the
 * rest as it is (an sql_escape_fn; never fails) */
int ldap_conf_escape_filter(void *ctx, struct buf *out, const char *s,
			    size_t len);
/* ldap_conf_escape_dn - RFC 4514 for an attribute value in a DN: '"' '+'
 * ',' ';' '<' '>' '\' '=' with a backslash before them, a leading '#' or
 * space and a trailing space too, NUL and bytes over 0x7f as \xx
 * (never fails) */
int ldap_conf_escape_dn(void *ctx, struct buf *out, const char *s,
			size_t len);

/* ldap_conf_expand_filter - tmpl (a filter) with the %-variables of
 * sql_expand, every value escaped per RFC 4515 (and bytes over 0x7f as
 * \xx); ldap_conf_expand_dn - the same for a DN (base,
 * auth_bind_userdn), values escaped per RFC 4514. -1 with err: ERR_USAGE
 * for a bad template, ERR_NOUSER for a result over SQL_QUERY_MAX (a name
 * no entry can have). */
int ldap_conf_expand_filter(struct buf *out, const char *tmpl,
			    const struct sql_vars *v, struct sl_err *err);
int ldap_conf_expand_dn(struct buf *out, const char *tmpl,
			const struct sql_vars *v, struct sl_err *err);

/* An LDAP search result: entries with their attributes. */
struct ldap_db_attr {
	const char *name;
	size_t n_values;
	const char **values;	/* NUL-terminated copies */
	const size_t *lens;	/* their lengths (a value may hold NULs) */
};
struct ldap_db_entry {
	const char *dn;
	size_t n_attrs;
	const struct ldap_db_attr *attrs;
};
struct ldap_db_result {
	size_t n_entries;
	struct ldap_db_entry *entries;
	int more;		/* there were more entries than asked for */
	struct pool *pool;	/* everything above */
};
void ldap_db_result_free(struct ldap_db_result **res);
/* ldap_db_entry_attr - the entry's attribute name (ASCII case
 * insensitive), or NULL */
const struct ldap_db_attr *ldap_db_entry_attr(const struct ldap_db_entry *e,
					      const char *name);

/* One mapped field: name and its values (at least one). */
struct ldap_mapped {
	const char *name;
	size_t n_values;
	const char *const *values;
};
/* ldap_conf_map - entry's fields by map into *fields_r (n_fields_r),
 * strings from pool; v gives the %-variables of templates and names.
 * A field whose attribute the entry lacks is left out. -1 with err
 * (ERR_TEMP) for a value holding a NUL byte or a template that does not
 * expand. */
int ldap_conf_map(struct pool *pool, const struct ldap_attr_map *map,
		  const struct ldap_db_entry *entry, const struct sql_vars *v,
		  struct ldap_mapped **fields_r, size_t *n_fields_r,
		  struct sl_err *err);

struct ldap_db;

struct ldap_db_settings {
	unsigned connect_timeout_ms;	/* 0: LDAP_DB_CONNECT_TIMEOUT_MS */
	unsigned timeout_ms;		/* 0: LDAP_DB_TIMEOUT_MS */
};

/* ldap_db_open - the shared database for conf path (reads the conf on
 * the first open in a process; errors as ldap_conf_read; set only
 * counts on that first open and may be NULL). No connection is made
 * here. Release with ldap_db_close. */
int ldap_db_open(const char *path, const struct ldap_db_settings *set,
		 struct ldap_db **db_r, struct sl_err *err);
void ldap_db_close(struct ldap_db **db);
const struct ldap_conf *ldap_db_conf(const struct ldap_db *db);

/* ldap_db_search - search base (already expanded) with the conf's scope
 * and deref for filter (already expanded), asking for attrs
 * (NULL-terminated), keeping at most max_entries entries (0: all; more
 * sets res->more); with ttl_secs > 0 the answer may come from, and goes
 * to, the cache. A base that does not exist is no entries when
 * base_is_template (a per-user base), else ERR_TEMP. 0 with *res_r (free
 * it), or -1 with err (ERR_TEMP: no connection, a timeout, the server
 * refused the search). */
int ldap_db_search(struct ldap_db *db, const char *base, const char *filter,
		   char *const *attrs, size_t max_entries, uint64_t ttl_secs,
		   int base_is_template, struct ldap_db_result **res_r,
		   struct sl_err *err);

/* ldap_db_find - the one entry for a user: base and filter_tmpl
 * expanded with v (escaped for DNs and filters), map's attributes.
 * 1 with *res_r holding exactly one entry (free it), 0 no such user (no
 * entry, or a name no entry can have: too long), -1 with err (ERR_TEMP:
 * the search failed, or the filter matched more than one entry). */
int ldap_db_find(struct ldap_db *db, const char *filter_tmpl,
		 const struct ldap_attr_map *map, const struct sql_vars *v,
		 uint64_t ttl_secs, struct ldap_db_result **res_r,
		 struct sl_err *err);

/* ldap_db_bind_check - is password right for dn: a simple bind on the
 * database's password connection (never the lookup one). 1 right, 0
 * wrong (invalidCredentials: also an unknown DN; an empty password is
 * always wrong, it would be an anonymous bind), -1 with err (ERR_TEMP:
 * the server cannot be reached or answered something else). The
 * password is never logged or put into err. */
int ldap_db_bind_check(struct ldap_db *db, const char *dn,
		       const char *password, size_t len, struct sl_err *err);

#endif
