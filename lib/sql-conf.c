/* sql-conf.c - dovecot-sql.conf.ext as Dovecot's settings reader takes
 * it, and %-expansion of queries with escaped values */
#include "auto-config.h"
#include "dovecot-conf.h"
#include "sql.h"
#include "xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

/* Dovecot 2.3's defaults (db-sql.c) */
#define SQL_DEF_PASSWORD_QUERY "SELECT username, domain, password FROM " \
	"users WHERE username = '%n' AND domain = '%d'"
#define SQL_DEF_USER_QUERY "SELECT home, uid, gid FROM users WHERE " \
	"username = '%n' AND domain = '%d'"
#define SQL_DEF_UPDATE_QUERY "UPDATE users SET password = '%w' WHERE " \
	"username = '%n' AND domain = '%d'"
#define SQL_DEF_ITERATE_QUERY "SELECT username, domain FROM users"

/* conf_set - one key = value; an unknown key is an error, as Dovecot's */
static int conf_set(void *ctx, const char *key, const char *value,
		    const char *where, struct sl_err *err)
{
	struct sql_conf *c = ctx;
	static const struct { const char *key; size_t off; } keys[] = {
		{ "driver", offsetof(struct sql_conf, driver) },
		{ "connect", offsetof(struct sql_conf, connect) },
		{ "password_query", offsetof(struct sql_conf, password_query) },
		{ "user_query", offsetof(struct sql_conf, user_query) },
		{ "update_query", offsetof(struct sql_conf, update_query) },
		{ "iterate_query", offsetof(struct sql_conf, iterate_query) },
		{ "default_pass_scheme",
		  offsetof(struct sql_conf, default_pass_scheme) },
	};
	size_t i;

	if (strcmp(key, "userdb_warning_disable") == 0) {
		if (strcasecmp(value, "yes") != 0 && strcasecmp(value, "no") != 0)
			return err_set(err, ERR_USAGE, "%s: Invalid boolean: %s",
				       where, value);
		c->userdb_warning_disable = strcasecmp(value, "yes") == 0;
		return 0;
	}
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		char **slot = (char **)(void *)((char *)c + keys[i].off);

		if (strcmp(key, keys[i].key) != 0)
			continue;
		free(*slot);
		*slot = xstrdup(value);
		return 0;
	}
	return err_set(err, ERR_USAGE, "%s: Unknown setting: %s", where, key);
}

int sql_template_check(const char *path, const char *key, const char *tmpl,
		       struct sl_err *err)
{
	static const struct sql_vars dummy = { "u@d", "u", "d", "s", "/h",
					       "127.0.0.1", "127.0.0.1" };
	struct buf out = BUF_INIT;
	struct sl_err e;
	int r;

	err_clear(&e);
	r = sql_expand(&out, tmpl, &dummy, NULL, NULL, &e);
	buf_free(&out);
	if (r < 0 && e.cls == ERR_USAGE)
		return err_set(err, ERR_USAGE, "%s: %s: %s", path, key, e.text);
	return 0;
}

/* conf_finish - defaults and the checks Dovecot makes at start-up */
static int conf_finish(struct sql_conf *c, struct sl_err *err)
{
	static const char *const drivers[] = { "sqlite", "mysql", "pgsql" };
	size_t i;

	if (c->driver == NULL || *c->driver == '\0')
		return err_set(err, ERR_USAGE, "%s: driver not set", c->path);
	for (i = 0; i < sizeof(drivers) / sizeof(drivers[0]); i++) {
		if (strcmp(c->driver, drivers[i]) == 0)
			break;
	}
	if (i == sizeof(drivers) / sizeof(drivers[0]))
		return err_set(err, ERR_USAGE, "%s: unknown driver '%s' "
			       "(sqlite, mysql or pgsql)", c->path, c->driver);
	if (c->connect == NULL || *c->connect == '\0')
		return err_set(err, ERR_USAGE, "%s: connect not set", c->path);
	if (c->password_query == NULL)
		c->password_query = xstrdup(SQL_DEF_PASSWORD_QUERY);
	if (c->user_query == NULL)
		c->user_query = xstrdup(SQL_DEF_USER_QUERY);
	if (c->update_query == NULL)
		c->update_query = xstrdup(SQL_DEF_UPDATE_QUERY);
	if (c->iterate_query == NULL)
		c->iterate_query = xstrdup(SQL_DEF_ITERATE_QUERY);
	if (c->default_pass_scheme == NULL)
		c->default_pass_scheme = xstrdup("MD5");
	if (sql_template_check(c->path, "password_query", c->password_query,
			       err) < 0 ||
	    sql_template_check(c->path, "user_query", c->user_query, err) < 0 ||
	    sql_template_check(c->path, "iterate_query", c->iterate_query,
			       err) < 0)
		return -1;
	return 0;
}

int sql_conf_parse(const char *path, const char *text, size_t len,
		   struct sql_conf **conf_r, struct sl_err *err)
{
	struct sql_conf *c = xcalloc(1, sizeof(*c));

	c->path = xstrdup(path);
	if (dovecot_conf_parse(path, text, len, conf_set, c, err) < 0 ||
	    conf_finish(c, err) < 0) {
		sql_conf_free(&c);
		return -1;
	}
	*conf_r = c;
	return 0;
}

int sql_conf_read(const char *path, struct sql_conf **conf_r,
		  struct sl_err *err)
{
	struct sql_conf *c = xcalloc(1, sizeof(*c));

	c->path = xstrdup(path);
	if (dovecot_conf_read(path, conf_set, c, err) < 0 ||
	    conf_finish(c, err) < 0) {
		sql_conf_free(&c);
		return -1;
	}
	*conf_r = c;
	return 0;
}

void sql_conf_free(struct sql_conf **cp)
{
	struct sql_conf *c = *cp;

	if (c == NULL)
		return;
	free(c->path);
	free(c->driver);
	free(c->connect);
	free(c->password_query);
	free(c->user_query);
	free(c->update_query);
	free(c->iterate_query);
	free(c->default_pass_scheme);
	x_free(cp);
}

/* ---- %-expansion ---- */

enum sql_var { V_USER, V_USERNAME, V_DOMAIN, V_SERVICE, V_HOME, V_LIP,
	       V_RIP, V_PID, V_UNKNOWN };

/* expand_var - which variable a name (one letter or {long}) is */
static enum sql_var expand_var(const char *name, size_t len, int braced)
{
	static const struct { char c; const char *name; enum sql_var v; }
	vars[] = {
		{ 'u', "user", V_USER }, { 'n', "username", V_USERNAME },
		{ 'd', "domain", V_DOMAIN }, { 's', "service", V_SERVICE },
		{ 'h', "home", V_HOME }, { 'l', "lip", V_LIP },
		{ 'r', "rip", V_RIP }, { 'p', "pid", V_PID },
		{ 0, "orig_user", V_USER }, { 0, "orig_username", V_USERNAME },
		{ 0, "orig_domain", V_DOMAIN },
	};
	size_t i;

	for (i = 0; i < sizeof(vars) / sizeof(vars[0]); i++) {
		if (!braced && len == 1 && vars[i].c != 0 && name[0] == vars[i].c)
			return vars[i].v;
		if (braced && len == strlen(vars[i].name) &&
		    memcmp(name, vars[i].name, len) == 0)
			return vars[i].v;
	}
	return V_UNKNOWN;
}

/* expand_value - the text of a variable ("" when not known) */
static const char *expand_value(enum sql_var var, const struct sql_vars *v,
				char *pidbuf, size_t pidsize)
{
	const char *s = NULL;

	switch (var) {
	case V_USER: s = v->user; break;
	case V_USERNAME: s = v->username; break;
	case V_DOMAIN: s = v->domain; break;
	case V_SERVICE: s = v->service; break;
	case V_HOME: s = v->home; break;
	case V_LIP: s = v->lip; break;
	case V_RIP: s = v->rip; break;
	case V_PID:
		(void)snprintf(pidbuf, pidsize, "%ld", (long)getpid());
		s = pidbuf;
		break;
	case V_UNKNOWN: break;
	}
	return s != NULL ? s : "";
}

/* expand_append - value with its case modifier, escaped */
static int expand_append(struct buf *out, const char *value, int mod,
			 sql_escape_fn *escape, void *ctx, struct sl_err *err)
{
	struct buf tmp = BUF_INIT;
	size_t i;
	int r = 0;

	buf_append_str(&tmp, value);
	for (i = 0; i < tmp.len && mod != 0; i++) {
		char c = tmp.data[i];

		if (mod == 'L' && c >= 'A' && c <= 'Z')
			tmp.data[i] = (char)(c - 'A' + 'a');
		else if (mod == 'U' && c >= 'a' && c <= 'z')
			tmp.data[i] = (char)(c - 'a' + 'A');
	}
	if (escape == NULL)
		buf_append(out, tmp.data, tmp.len);
	else if (escape(ctx, out, buf_cstr(&tmp), tmp.len) < 0)
		r = err_set(err, ERR_NOUSER, "a value cannot be escaped for "
			    "the query");
	buf_free(&tmp);
	return r;
}

int sql_expand(struct buf *out, const char *tmpl, const struct sql_vars *v,
	       sql_escape_fn *escape, void *ctx, struct sl_err *err)
{
	return sql_expand_ext(out, tmpl, v, escape, ctx, NULL, NULL, err);
}

/* expand_other - a variable the table lacks, asked of the caller's var:
 * 1 with *value_r, 0 unknown, -1 error */
static int expand_other(sql_var_fn *var, void *var_ctx, const char *name,
			size_t len, int braced, const char **value_r,
			struct sl_err *err)
{
	int r;

	*value_r = NULL;
	if (var == NULL)
		return 0;
	r = var(var_ctx, name, len, braced, value_r, err);
	if (r > 0 && *value_r == NULL)
		*value_r = "";
	return r;
}

int sql_expand_ext(struct buf *out, const char *tmpl,
		   const struct sql_vars *v, sql_escape_fn *escape, void *ctx,
		   sql_var_fn *var_fn, void *var_ctx, struct sl_err *err)
{
	size_t start = out->len, len = strlen(tmpl), i = 0;
	char pidbuf[32];

	while (i < len) {
		const char *pct = memchr(tmpl + i, '%', len - i), *name;
		const char *value;
		size_t j, nlen, next;
		enum sql_var var;
		int mod = 0, braced = 0, r;

		if (pct == NULL) {
			buf_append(out, tmpl + i, len - i);
			break;
		}
		buf_append(out, tmpl + i, (size_t)(pct - (tmpl + i)));
		j = (size_t)(pct - tmpl) + 1;
		while (j < len && (tmpl[j] == 'L' || tmpl[j] == 'U'))
			mod = tmpl[j++];
		if (j == len)
			return err_set(err, ERR_USAGE, "'%%' at the end of the "
				       "query");
		if (tmpl[j] == '%' && mod == 0) {
			buf_append_char(out, '%');
			i = j + 1;
			continue;
		}
		name = tmpl + j;
		nlen = 1;
		next = j + 1;
		if (tmpl[j] == '{') {
			const char *close = memchr(tmpl + j, '}', len - j);

			if (close == NULL)
				return err_set(err, ERR_USAGE, "unclosed %%{ in "
					       "the query");
			braced = 1;
			name = tmpl + j + 1;
			nlen = (size_t)(close - name);
			next = (size_t)(close - tmpl) + 1;
		}
		if ((var = expand_var(name, nlen, braced)) != V_UNKNOWN) {
			value = expand_value(var, v, pidbuf, sizeof(pidbuf));
		} else {
			r = expand_other(var_fn, var_ctx, name, nlen, braced,
					 &value, err);
			if (r < 0)
				return -1;
			if (r == 0)
				return err_set(err, ERR_USAGE, "unknown variable "
					       "%.*s", (int)(tmpl + next - pct),
					       pct);
		}
		if (expand_append(out, value, mod, escape, ctx, err) < 0)
			return -1;
		if (out->len - start > SQL_QUERY_MAX)
			return err_set(err, ERR_NOUSER, "query longer than %d "
				       "bytes", SQL_QUERY_MAX);
		i = next;
	}
	if (out->len - start > SQL_QUERY_MAX)
		return err_set(err, ERR_NOUSER, "query longer than %d bytes",
			       SQL_QUERY_MAX);
	return 0;
}
