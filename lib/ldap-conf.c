/* ldap-conf.c - dovecot-ldap.conf.ext as Dovecot 2.3 reads it, the
 * attribute maps, escaping for filters and DNs, and mapping an entry's
 * attributes to fields. Nothing here talks to a server.
 *
 * The file syntax is the one sql-conf.c reads; its reader there is
 * static and knows only sql's keys, so the same small reader is here
 * with a key table of its own. The %-expansion is sql_expand's
 * (sql_expand_ext adds %$ and %{ldap:...}). */
#include "auto-config.h"
#include "dovecot-conf.h"
#include "ldap-db.h"
#include "xalloc.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Dovecot 2.3's defaults (db-ldap.c) */
#define LDAP_DEF_USER_ATTRS "homeDirectory=home,uidNumber=uid,gidNumber=gid"
#define LDAP_DEF_USER_FILTER "(&(objectClass=posixAccount)(uid=%u))"
#define LDAP_DEF_PASS_ATTRS "uid=user,userPassword=password"
#define LDAP_DEF_PASS_FILTER "(&(objectClass=posixAccount)(uid=%u))"
#define LDAP_DEF_ITERATE_ATTRS "uid=user"
#define LDAP_DEF_ITERATE_FILTER "(objectClass=posixAccount)"
#define LDAP_DEF_PASS_SCHEME "CRYPT"

#define IS_WHITE(c) ((c) == ' ' || (c) == '\t')

/* ---- keys ---- */

/* K_OPT: a string whose empty value means "not set" (as a line
 * uncommented from Dovecot's example file has it: "tls_key_file =") */
enum key_type { K_STR, K_OPT, K_BOOL, K_UINT, K_SCOPE, K_DEREF, K_CERT };

#define KEY(name, type) { #name, type, offsetof(struct ldap_conf, name) }
static const struct conf_key {
	const char *name;
	enum key_type type;
	size_t off;
} conf_keys[] = {
	KEY(hosts, K_OPT), KEY(uris, K_OPT), KEY(dn, K_STR),
	KEY(dnpass, K_STR), KEY(auth_bind, K_BOOL),
	KEY(auth_bind_userdn, K_OPT), KEY(tls, K_BOOL),
	KEY(sasl_bind, K_BOOL), KEY(sasl_mech, K_OPT),
	KEY(sasl_realm, K_OPT), KEY(sasl_authz_id, K_OPT),
	KEY(tls_ca_cert_file, K_OPT), KEY(tls_ca_cert_dir, K_OPT),
	KEY(tls_cert_file, K_OPT), KEY(tls_key_file, K_OPT),
	KEY(tls_cipher_suite, K_OPT), KEY(tls_require_cert, K_CERT),
	KEY(deref, K_DEREF), KEY(scope, K_SCOPE), KEY(base, K_STR),
	KEY(ldap_version, K_UINT), KEY(debug_level, K_UINT),
	KEY(ldaprc_path, K_OPT), KEY(user_attrs, K_STR),
	KEY(user_filter, K_STR), KEY(pass_attrs, K_STR),
	KEY(pass_filter, K_STR), KEY(iterate_attrs, K_STR),
	KEY(iterate_filter, K_STR), KEY(default_pass_scheme, K_OPT),
	KEY(userdb_warning_disable, K_BOOL), KEY(blocking, K_BOOL),
};

/* conf_word - value's index in words (any case), or -1 */
static int conf_word(const char *value, const char *const *words, int n)
{
	int i;

	for (i = 0; i < n; i++) {
		if (strcasecmp(value, words[i]) == 0)
			return i;
	}
	return -1;
}

/* conf_set_typed - a value that is not a string: boolean, number, or
 * one of a few words (Dovecot's messages) */
static int conf_set_typed(void *slot, enum key_type type, const char *key,
			  const char *value, const char *where,
			  struct sl_err *err)
{
	static const char *const scopes[] = { "base", "onelevel", "subtree" };
	static const char *const derefs[] = { "never", "searching", "finding",
					      "always" };
	static const char *const certs[] = { "never", "hard", "demand",
					     "allow", "try" };
	char *end;
	unsigned long n;
	int i;

	switch (type) {
	case K_BOOL:
		if ((i = conf_word(value, (const char *const[]){ "no", "yes" },
				   2)) < 0)
			return err_set(err, ERR_USAGE, "%s: Invalid boolean: %s",
				       where, value);
		*(int *)slot = i;
		return 0;
	case K_UINT:
		if (*value == '\0' && strcmp(key, "debug_level") == 0) {
			*(int *)slot = 0;	/* Dovecot: not a number, no debug */
			return 0;
		}
		errno = 0;
		n = strtoul(value, &end, 10);
		if (*value < '0' || *value > '9' || *end != '\0' || errno != 0 ||
		    n > 1000000)
			return err_set(err, ERR_USAGE, "%s: Invalid number: %s",
				       where, value);
		if (strcmp(key, "debug_level") == 0)
			*(int *)slot = (int)n;
		else
			*(unsigned *)slot = (unsigned)n;
		return 0;
	case K_SCOPE:
		if ((i = conf_word(value, scopes, 3)) < 0)
			return err_set(err, ERR_USAGE, "%s: Unknown scope option "
				       "'%s' (base, onelevel, subtree)", where,
				       value);
		*(enum ldap_scope *)slot = (enum ldap_scope)i;
		return 0;
	case K_DEREF:
		if ((i = conf_word(value, derefs, 4)) < 0)
			return err_set(err, ERR_USAGE, "%s: Unknown deref option "
				       "'%s' (never, searching, finding, always)",
				       where, value);
		*(enum ldap_deref *)slot = (enum ldap_deref)i;
		return 0;
	case K_CERT:
		if (*value == '\0') {
			*(enum ldap_require_cert *)slot = LDAP_CONF_CERT_UNSET;
			return 0;
		}
		if ((i = conf_word(value, certs, 5)) < 0)
			return err_set(err, ERR_USAGE, "%s: Unknown "
				       "tls_require_cert value '%s'", where, value);
		*(enum ldap_require_cert *)slot = (enum ldap_require_cert)(i + 1);
		return 0;
	case K_STR:
	case K_OPT:
		break;
	}
	return 0;
}

/* conf_set - one key = value; an unknown key is an error, as Dovecot's */
static int conf_set(void *ctx, const char *key, const char *value,
		    const char *where, struct sl_err *err)
{
	struct ldap_conf *c = ctx;
	size_t i;

	for (i = 0; i < sizeof(conf_keys) / sizeof(conf_keys[0]); i++) {
		void *slot = (char *)c + conf_keys[i].off;

		if (strcmp(key, conf_keys[i].name) != 0)
			continue;
		if (conf_keys[i].type != K_STR && conf_keys[i].type != K_OPT)
			return conf_set_typed(slot, conf_keys[i].type, key, value,
					      where, err);
		free(*(char **)slot);
		*(char **)slot = conf_keys[i].type == K_OPT && *value == '\0'
			? NULL : xstrdup(value);
		return 0;
	}
	return err_set(err, ERR_USAGE, "%s: Unknown setting: %s", where, key);
}

/* ---- checks and defaults ---- */

/* conf_default - a string key Dovecot gives a default */
static void conf_default(char **slot, const char *value)
{
	if (*slot == NULL)
		*slot = xstrdup(value);
}

/* conf_uri_list - uris as given (each must be an LDAP URI), or hosts
 * ("host[:port] ...") as ldap:// URIs */
static int conf_uri_list(struct ldap_conf *c, struct sl_err *err)
{
	const char *src = c->uris != NULL ? c->uris : c->hosts, *p = src;
	struct buf out = BUF_INIT;

	while (*p != '\0') {
		size_t n;

		p += strspn(p, " \t,");
		if ((n = strcspn(p, " \t,")) == 0)
			break;
		if (c->uris != NULL &&
		    strncasecmp(p, "ldap://", 7) != 0 &&
		    strncasecmp(p, "ldaps://", 8) != 0 &&
		    strncasecmp(p, "ldapi://", 8) != 0) {
			buf_free(&out);
			return err_set(err, ERR_USAGE, "%s: uris: '%.*s' is not "
				       "an ldap://, ldaps:// or ldapi:// URI",
				       c->path, (int)n, p);
		}
		if (c->tls && strncasecmp(p, "ldaps://", 8) == 0) {
			buf_free(&out);
			return err_set(err, ERR_USAGE, "%s: Don't use both "
				       "tls=yes and ldaps URI", c->path);
		}
		buf_printf(&out, "%s%s%.*s", out.len > 0 ? " " : "",
			   c->uris != NULL ? "" : "ldap://", (int)n, p);
		p += n;
	}
	if (out.len == 0)
		return err_set(err, ERR_USAGE, "%s: No uris or hosts set",
			       c->path);
	c->uri_list = buf_steal(&out);
	return 0;
}

/* conf_check_tmpls - the filters' and DNs' variables must be known */
static int conf_check_tmpls(const struct ldap_conf *c, struct sl_err *err)
{
	const struct { const char *key, *tmpl; } tmpls[] = {
		{ "base", c->base }, { "user_filter", c->user_filter },
		{ "pass_filter", c->pass_filter },
		{ "iterate_filter", c->iterate_filter },
		{ "auth_bind_userdn", c->auth_bind_userdn },
	};
	size_t i;

	for (i = 0; i < sizeof(tmpls) / sizeof(tmpls[0]); i++) {
		if (tmpls[i].tmpl != NULL &&
		    sql_template_check(c->path, tmpls[i].key, tmpls[i].tmpl,
				       err) < 0)
			return -1;
	}
	return 0;
}

/* conf_maps - the three attribute lists, parsed */
static int conf_maps(struct ldap_conf *c, struct sl_err *err)
{
	const struct { const char *key, *list; struct ldap_attr_map *map; }
	maps[] = {
		{ "user_attrs", c->user_attrs, &c->user_map },
		{ "pass_attrs", c->pass_attrs, &c->pass_map },
		{ "iterate_attrs", c->iterate_attrs, &c->iterate_map },
	};
	size_t i;
	struct sl_err e;

	for (i = 0; i < sizeof(maps) / sizeof(maps[0]); i++) {
		err_clear(&e);
		if (ldap_conf_map_parse(maps[i].list, maps[i].map, &e) < 0)
			return err_set(err, ERR_USAGE, "%s: %s: %s", c->path,
				       maps[i].key, e.text);
	}
	return 0;
}

/* conf_finish - defaults and the checks Dovecot makes at start-up */
static int conf_finish(struct ldap_conf *c, struct sl_err *err)
{
	if (c->base == NULL)
		return err_set(err, ERR_USAGE, "%s: No base given", c->path);
	if (c->sasl_bind)
		return err_set(err, ERR_USAGE, "%s: sasl_bind = yes is not "
			       "supported by sluice (bind with dn and dnpass, "
			       "or use auth_bind)", c->path);
	if (c->ldap_version == 0)
		c->ldap_version = 3;
	if (c->ldap_version != 2 && c->ldap_version != 3)
		return err_set(err, ERR_USAGE, "%s: ldap_version must be 2 or "
			       "3", c->path);
	if (c->ldap_version < 3 && c->tls)
		return err_set(err, ERR_USAGE, "%s: tls=yes requires "
			       "ldap_version=3", c->path);
	if (c->uris == NULL && c->hosts == NULL)
		return err_set(err, ERR_USAGE, "%s: No uris or hosts set",
			       c->path);
	if (conf_uri_list(c, err) < 0)
		return -1;
	conf_default(&c->user_attrs, LDAP_DEF_USER_ATTRS);
	conf_default(&c->user_filter, LDAP_DEF_USER_FILTER);
	conf_default(&c->pass_attrs, LDAP_DEF_PASS_ATTRS);
	conf_default(&c->pass_filter, LDAP_DEF_PASS_FILTER);
	conf_default(&c->iterate_attrs, LDAP_DEF_ITERATE_ATTRS);
	conf_default(&c->iterate_filter, LDAP_DEF_ITERATE_FILTER);
	conf_default(&c->default_pass_scheme, LDAP_DEF_PASS_SCHEME);
	if (conf_check_tmpls(c, err) < 0)
		return -1;
	return conf_maps(c, err);
}

/* conf_new - an empty conf with Dovecot's non-string defaults */
static struct ldap_conf *conf_new(const char *path)
{
	struct ldap_conf *c = xcalloc(1, sizeof(*c));

	c->path = xstrdup(path);
	c->scope = LDAP_CONF_SCOPE_SUBTREE;
	c->deref = LDAP_CONF_DEREF_NEVER;
	return c;
}

int ldap_conf_parse(const char *path, const char *text, size_t len,
		    struct ldap_conf **conf_r, struct sl_err *err)
{
	struct ldap_conf *c = conf_new(path);

	if (dovecot_conf_parse(path, text, len, conf_set, c, err) < 0 ||
	    conf_finish(c, err) < 0) {
		ldap_conf_free(&c);
		return -1;
	}
	*conf_r = c;
	return 0;
}

int ldap_conf_read(const char *path, struct ldap_conf **conf_r,
		   struct sl_err *err)
{
	struct ldap_conf *c = conf_new(path);

	if (dovecot_conf_read(path, conf_set, c, err) < 0 ||
	    conf_finish(c, err) < 0) {
		ldap_conf_free(&c);
		return -1;
	}
	*conf_r = c;
	return 0;
}

void ldap_conf_free(struct ldap_conf **cp)
{
	struct ldap_conf *c = *cp;
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < sizeof(conf_keys) / sizeof(conf_keys[0]); i++) {
		if (conf_keys[i].type == K_STR || conf_keys[i].type == K_OPT)
			free(*(char **)(void *)((char *)c + conf_keys[i].off));
	}
	free(c->path);
	free(c->uri_list);
	ldap_conf_map_free(&c->user_map);
	ldap_conf_map_free(&c->pass_map);
	ldap_conf_map_free(&c->iterate_map);
	x_free(cp);
}

/* ---- escaping ---- */

/* escape_hex - "\xx" for one byte */
static void escape_hex(struct buf *out, unsigned char c)
{
	static const char hex[] = "0123456789abcdef";
	char s[3] = { '\\', hex[c >> 4], hex[c & 15] };

	buf_append(out, s, 3);
}

int ldap_conf_escape_filter(void *ctx, struct buf *out, const char *s,
			    size_t len)
{
	size_t i;

	(void)ctx;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '*' || c == '(' || c == ')' || c == '\\' || c == '\0' ||
		    c >= 0x80)
			escape_hex(out, c);
		else
			buf_append_char(out, (char)c);
	}
	return 0;
}

int ldap_conf_escape_dn(void *ctx, struct buf *out, const char *s,
			size_t len)
{
	size_t i;

	(void)ctx;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '\0' || c >= 0x80) {
			escape_hex(out, c);
			continue;
		}
		if (strchr("\"+,;<>\\=", c) != NULL ||
		    (i == 0 && (c == '#' || c == ' ')) ||
		    (i == len - 1 && c == ' '))
			buf_append_char(out, '\\');
		buf_append_char(out, (char)c);
	}
	return 0;
}

int ldap_conf_expand_filter(struct buf *out, const char *tmpl,
			    const struct sql_vars *v, struct sl_err *err)
{
	return sql_expand(out, tmpl, v, ldap_conf_escape_filter, NULL, err);
}

int ldap_conf_expand_dn(struct buf *out, const char *tmpl,
			const struct sql_vars *v, struct sl_err *err)
{
	return sql_expand(out, tmpl, v, ldap_conf_escape_dn, NULL, err);
}

/* ---- attribute maps ---- */

/* map_attr_ok - an attribute description: a name or OID with options */
static int map_attr_ok(const char *s, size_t len)
{
	size_t i;

	if (len == 0)
		return 0;
	for (i = 0; i < len; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '-' || c == ';' ||
		      c == '.'))
			return 0;
	}
	return 1;
}

/* map_want - add an attribute to ask for, once (any case) */
static int map_want(struct ldap_attr_map *map, const char *name, size_t len,
		    struct sl_err *err)
{
	size_t i;

	if (!map_attr_ok(name, len))
		return err_set(err, ERR_USAGE, "'%.*s' is not an LDAP "
			       "attribute name", (int)len, name);
	for (i = 0; i < map->n_attrs; i++) {
		if (strlen(map->attrs[i]) == len &&
		    strncasecmp(map->attrs[i], name, len) == 0)
			return 0;
	}
	if (map->n_attrs >= LDAP_ENTRY_ATTRS_MAX)
		return err_set(err, ERR_USAGE, "more than %d attributes",
			       LDAP_ENTRY_ATTRS_MAX);
	map->attrs = xreallocarray(map->attrs, map->n_attrs + 2,
				   sizeof(*map->attrs));
	map->attrs[map->n_attrs++] = xstrndup(name, len);
	map->attrs[map->n_attrs] = NULL;
	return 0;
}

/* map_tmpl_var - the variables templates add to sql_expand's: %$,
 * %{ldap:attr[:default]}, %{ldap_dn}; at parse time each %{ldap:attr}
 * joins the attributes asked for */
static int map_tmpl_var(void *ctx, const char *name, size_t len, int braced,
			const char **value_r, struct sl_err *err)
{
	struct ldap_attr_map *map = ctx;
	const char *colon;

	*value_r = "";
	if (!braced)
		return len == 1 && name[0] == '$';
	if (len == 7 && memcmp(name, "ldap_dn", 7) == 0)
		return 1;
	if (len > 9 && memcmp(name, "ldap_ptr:", 9) == 0)
		return err_set(err, ERR_USAGE, "%%{ldap_ptr:...} is not "
			       "supported");
	if (len < 6 || memcmp(name, "ldap:", 5) != 0)
		return 0;
	colon = memchr(name + 5, ':', len - 5);
	return map_want(map, name + 5, colon != NULL
			? (size_t)(colon - (name + 5)) : len - 5, err) < 0
		? -1 : 1;
}

/* map_check_tmpl - a template's (or a name's) variables, collecting the
 * attributes it uses */
static int map_check_tmpl(struct ldap_attr_map *map, const char *tmpl,
			  struct sl_err *err)
{
	static const struct sql_vars dummy = { "u@d", "u", "d", "s", "/h",
					       "127.0.0.1", "127.0.0.1" };
	struct buf out = BUF_INIT;
	int r;

	r = sql_expand_ext(&out, tmpl, &dummy, NULL, NULL, map_tmpl_var, map,
			   err);
	buf_free(&out);
	if (r < 0 && err->cls != ERR_USAGE)
		r = 0;		/* only too long for the dummy values */
	return r;
}

/* map_template - the tmpl of "attr=name=tmpl": as written, or, for one
 * without '%' after an attribute, Dovecot's prefix form tmpl%$ */
static char *map_template(const char *attr, const char *t)
{
	size_t n = strlen(t);
	char *s;

	if (strchr(t, '%') != NULL || attr[0] == '\0')
		return xstrdup(t);
	s = xmalloc(size_add(n, 3));
	memcpy(s, t, n);
	memcpy(s + n, "%$", 3);
	return s;
}

/* map_element - one element of the list (trimmed, not empty) */
static int map_element(struct ldap_attr_map *map, const char *el,
		       size_t len, struct sl_err *err)
{
	char *s = xstrndup(el, len), *eq = strchr(s, '='), *t;
	struct ldap_field *f = &map->fields[map->n_fields];

	memset(f, 0, sizeof(*f));
	if (s[0] == '@' || (eq != NULL && eq[1] == '@')) {
		free(s);
		return err_set(err, ERR_USAGE, "%.*s: @ subqueries are not "
			       "supported", (int)len, el);
	}
	if (eq == NULL) {
		f->skip = s[0] == '!';
		f->attr = xstrdup(s + f->skip);
		f->name = xstrdup(f->skip ? "" : s);
	} else {
		*eq++ = '\0';
		if ((t = strchr(eq, '=')) != NULL) {
			*t++ = '\0';
			f->tmpl = map_template(s, t);
		} else if (s[0] == '\0') {
			f->tmpl = xstrdup("");	/* =field: empty */
		}
		f->attr = xstrdup(s);
		f->name = xstrdup(eq);
	}
	free(s);
	map->n_fields++;	/* from here on ldap_conf_map_free frees it */
	if ((f->name[0] == '\0' && !f->skip) ||
	    (f->skip && f->attr[0] == '\0'))
		return err_set(err, ERR_USAGE, "Invalid attrs entry: %.*s",
			       (int)len, el);
	if (f->attr[0] != '\0' &&
	    map_want(map, f->attr, strlen(f->attr), err) < 0)
		return -1;
	if (f->tmpl != NULL && map_check_tmpl(map, f->tmpl, err) < 0)
		return -1;
	return map_check_tmpl(map, f->name, err);
}

int ldap_conf_map_parse(const char *list, struct ldap_attr_map *map,
			struct sl_err *err)
{
	const char *p = list;

	memset(map, 0, sizeof(*map));
	map->attrs = xcalloc(1, sizeof(*map->attrs));
	while (*p != '\0') {
		size_t n = strcspn(p, ","), start = 0;

		while (start < n && IS_WHITE(p[start]))
			start++;
		while (n > start && IS_WHITE(p[n - 1]))
			n--;
		if (n > start) {
			if (map->n_fields == LDAP_MAP_FIELDS_MAX) {
				err_set(err, ERR_USAGE, "more than %d entries",
					LDAP_MAP_FIELDS_MAX);
				goto fail;
			}
			map->fields = xreallocarray(map->fields,
						    map->n_fields + 1,
						    sizeof(*map->fields));
			if (map_element(map, p + start, n - start, err) < 0)
				goto fail;
		}
		p += strcspn(p, ",");
		if (*p == ',')
			p++;
	}
	return 0;
fail:
	ldap_conf_map_free(map);
	return -1;
}

void ldap_conf_map_free(struct ldap_attr_map *map)
{
	size_t i;

	for (i = 0; i < map->n_fields; i++) {
		free(map->fields[i].attr);
		free(map->fields[i].name);
		free(map->fields[i].tmpl);
	}
	for (i = 0; i < map->n_attrs; i++)
		free(map->attrs[i]);
	free(map->fields);
	free(map->attrs);
	memset(map, 0, sizeof(*map));
}

/* ---- mapping an entry ---- */

struct map_ctx {
	struct pool *pool;
	const struct ldap_db_entry *entry;
	const char *dollar;	/* %$: the field's attribute's first value */
};

/* entry_attr - the entry's attribute name (len bytes, any case) */
static const struct ldap_db_attr *entry_attr(const struct ldap_db_entry *e,
					     const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < e->n_attrs; i++) {
		if (strlen(e->attrs[i].name) == len &&
		    strncasecmp(e->attrs[i].name, name, len) == 0)
			return &e->attrs[i];
	}
	return NULL;
}

/* value_ok - a value a field may hold: no NUL byte */
static int value_ok(const struct ldap_db_attr *a, size_t i,
		    struct sl_err *err)
{
	if (memchr(a->values[i], '\0', a->lens[i]) != NULL)
		return err_set(err, ERR_TEMP, "attribute %s holds a NUL byte",
			       a->name);
	return 0;
}

/* map_entry_var - %$, %{ldap:attr[:default]} and %{ldap_dn} of the
 * entry being mapped */
static int map_entry_var(void *ctx, const char *name, size_t len,
			 int braced, const char **value_r, struct sl_err *err)
{
	struct map_ctx *m = ctx;
	const struct ldap_db_attr *a;
	const char *colon;
	size_t alen;

	if (!braced) {
		*value_r = m->dollar;
		return len == 1 && name[0] == '$';
	}
	if (len == 7 && memcmp(name, "ldap_dn", 7) == 0) {
		*value_r = m->entry->dn;
		return 1;
	}
	if (len < 6 || memcmp(name, "ldap:", 5) != 0)
		return 0;
	colon = memchr(name + 5, ':', len - 5);
	alen = colon != NULL ? (size_t)(colon - (name + 5)) : len - 5;
	a = entry_attr(m->entry, name + 5, alen);
	if (a != NULL && a->n_values > 0) {
		if (value_ok(a, 0, err) < 0)
			return -1;
		*value_r = a->values[0];
	} else {
		*value_r = colon == NULL ? "" : pool_strndup(m->pool, colon + 1,
			(size_t)(name + len - colon - 1));
	}
	return 1;
}

/* map_expand - a template or a field name with the entry's variables;
 * NULL with err (ERR_TEMP) when it does not expand */
static const char *map_expand(struct map_ctx *m, const char *tmpl,
			      const struct sql_vars *v, struct sl_err *err)
{
	struct buf out = BUF_INIT;
	struct sl_err e;
	const char *s = NULL;

	err_clear(&e);
	if (sql_expand_ext(&out, tmpl, v, NULL, NULL, map_entry_var, m,
			   &e) == 0)
		s = pool_strndup(m->pool, buf_cstr(&out), out.len);
	else
		err_set(err, ERR_TEMP, "template %s: %s", tmpl, e.text);
	buf_free(&out);
	return s;
}

/* map_field - one field of the map onto out; 1 set, 0 left out (the
 * entry lacks its attribute), -1 error */
static int map_field(struct map_ctx *m, const struct ldap_field *f,
		     const struct sql_vars *v, struct ldap_mapped *out,
		     struct sl_err *err)
{
	const struct ldap_db_attr *a = NULL;
	const char **one;
	size_t i;

	if (f->attr[0] != '\0') {
		a = entry_attr(m->entry, f->attr, strlen(f->attr));
		if (a == NULL || a->n_values == 0)
			return 0;
		for (i = 0; i < a->n_values; i++) {
			if (value_ok(a, i, err) < 0)
				return -1;
		}
	}
	m->dollar = a != NULL ? a->values[0] : NULL;
	out->name = strchr(f->name, '%') == NULL ? pool_strdup(m->pool, f->name)
		: map_expand(m, f->name, v, err);
	if (out->name == NULL)
		return -1;
	if (f->tmpl == NULL) {
		one = pool_alloc_array(m->pool, a->n_values + 1, sizeof(*one));
		for (i = 0; i < a->n_values; i++)
			one[i] = pool_strndup(m->pool, a->values[i], a->lens[i]);
		out->n_values = a->n_values;
		out->values = one;
		return 1;
	}
	one = pool_alloc_array(m->pool, 2, sizeof(*one));
	if ((one[0] = map_expand(m, f->tmpl, v, err)) == NULL)
		return -1;
	out->n_values = 1;
	out->values = one;
	return 1;
}

int ldap_conf_map(struct pool *pool, const struct ldap_attr_map *map,
		  const struct ldap_db_entry *entry, const struct sql_vars *v,
		  struct ldap_mapped **fields_r, size_t *n_fields_r,
		  struct sl_err *err)
{
	struct ldap_mapped *out;
	struct map_ctx m;
	size_t i, n = 0;
	int r;

	m.pool = pool;
	m.entry = entry;
	m.dollar = NULL;
	out = pool_alloc_array(pool, map->n_fields + 1, sizeof(*out));
	for (i = 0; i < map->n_fields; i++) {
		if (map->fields[i].skip)
			continue;
		if ((r = map_field(&m, &map->fields[i], v, &out[n], err)) < 0)
			return -1;
		n += (size_t)r;
	}
	*fields_r = out;
	*n_fields_r = n;
	return 0;
}
