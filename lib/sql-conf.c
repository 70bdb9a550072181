/* sql-conf.c - dovecot-sql.conf.ext as Dovecot's settings reader takes
 * it, and %-expansion of queries with escaped values */
#include "auto-config.h"
#include "sql.h"
#include "xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

/* Dovecot 2.3's defaults (db-sql.c) */
#define SQL_DEF_PASSWORD_QUERY "SELECT username, domain, password FROM " \
	"users WHERE username = '%n' AND domain = '%d'"
#define SQL_DEF_USER_QUERY "SELECT home, uid, gid FROM users WHERE " \
	"username = '%n' AND domain = '%d'"
#define SQL_DEF_UPDATE_QUERY "UPDATE users SET password = '%w' WHERE " \
	"username = '%n' AND domain = '%d'"
#define SQL_DEF_ITERATE_QUERY "SELECT username, domain FROM users"

#define IS_WHITE(c) ((c) == ' ' || (c) == '\t')

struct conf_parser {
	struct sql_conf *conf;
	size_t total;		/* bytes read, includes too */
	int depth;
};

static int conf_parse_file(struct conf_parser *p, const char *path,
			   int missing_ok, struct sl_err *err);

/* conf_set - one key = value; an unknown key is an error, as Dovecot's */
static int conf_set(struct sql_conf *c, const char *key, const char *value,
		    const char *where, struct sl_err *err)
{
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

/* conf_strip_comment - cut at a '#' outside quotes (quotes may hold
 * backslash-escaped characters), as Dovecot does */
static void conf_strip_comment(char *line)
{
	char *p;

	for (p = line; *p != '\0'; p++) {
		if (*p == '\'' || *p == '"') {
			char quote = *p;

			for (p++; *p != quote && *p != '\0'; p++) {
				if (*p == '\\' && p[1] != '\0')
					p++;
			}
			if (*p == '\0')
				break;
		} else if (*p == '#') {
			*p = '\0';
			break;
		}
	}
}

/* conf_unescape - a quoted value: quotes off, "\x" -> "x" */
static void conf_unescape(char *s)
{
	char *d = s;

	for (; *s != '\0'; s++) {
		if (*s == '\\' && *++s == '\0')
			break;
		*d++ = *s;
	}
	*d = '\0';
}

/* conf_include - !include FILE relative to the including file */
static int conf_include(struct conf_parser *p, const char *from,
			const char *file, int missing_ok, const char *where,
			struct sl_err *err)
{
	const char *slash = strrchr(from, '/');
	char *path;
	int r;

	if (p->depth >= SQL_INCLUDE_DEPTH)
		return err_set(err, ERR_USAGE, "%s: includes nested deeper "
			       "than %d", where, SQL_INCLUDE_DEPTH);
	if (file[0] == '/' || slash == NULL) {
		path = xstrdup(file);
	} else {
		size_t dlen = (size_t)(slash - from) + 1;

		path = xmalloc(size_add(dlen, strlen(file) + 1));
		memcpy(path, from, dlen);
		memcpy(path + dlen, file, strlen(file) + 1);
	}
	p->depth++;
	r = conf_parse_file(p, path, missing_ok, err);
	p->depth--;
	free(path);
	return r;
}

/* conf_statement - a whole (joined) line: key = value or !include */
static int conf_statement(struct conf_parser *p, const char *path,
			  char *line, const char *where, struct sl_err *err)
{
	char *key = line, *value;
	size_t len;

	while (!IS_WHITE(*line) && *line != '\0' && *line != '=')
		line++;
	if (IS_WHITE(*line)) {
		*line++ = '\0';
		while (IS_WHITE(*line))
			line++;
	}
	if (strcmp(key, "!include") == 0 || strcmp(key, "!include_try") == 0)
		return conf_include(p, path, line, key[8] == '_', where, err);
	if (*line != '=')
		return err_set(err, ERR_USAGE, "%s: Expecting '='", where);
	*line++ = '\0';
	while (IS_WHITE(*line))
		line++;
	value = line;
	len = strlen(value);
	if (len > 0 && ((value[0] == '"' && value[len - 1] == '"') ||
			(value[0] == '\'' && value[len - 1] == '\''))) {
		value[len - 1] = '\0';
		value++;
		conf_unescape(value);
	}
	if (*key == '\0')
		return err_set(err, ERR_USAGE, "%s: a value without a key", where);
	return conf_set(p->conf, key, value, where, err);
}

/* conf_line - one physical line; full holds a line being continued */
static int conf_line(struct conf_parser *p, const char *path,
		     unsigned long lineno, char *line, struct buf *full,
		     struct sl_err *err)
{
	char where[300];
	size_t len;
	int r;

	while (IS_WHITE(*line))
		line++;
	if (*line == '#' || *line == '\0')
		return 0;
	conf_strip_comment(line);
	len = strlen(line);
	while (len > 0 && IS_WHITE(line[len - 1]))
		len--;
	line[len] = '\0';
	(void)snprintf(where, sizeof(where), "%s line %lu", path, lineno);
	if (full->len + len > SQL_CONF_LINE_MAX)
		return err_set(err, ERR_USAGE, "%s: line longer than %d bytes",
			       where, SQL_CONF_LINE_MAX);
	if (len > 0 && line[len - 1] == '\\') {
		len--;
		while (len > 0 && IS_WHITE(line[len - 1]))
			len--;
		buf_append(full, line, len);
		buf_append_char(full, ' ');
		return 0;
	}
	if (full->len > 0) {
		buf_append(full, line, len);
		r = conf_statement(p, path, full->data, where, err);
		buf_reset(full);
		return r;
	}
	return conf_statement(p, path, line, where, err);
}

/* conf_parse_text - every line of one file's text */
static int conf_parse_text(struct conf_parser *p, const char *path,
			   const char *text, size_t len, struct sl_err *err)
{
	struct buf full = BUF_INIT, line = BUF_INIT;
	unsigned long lineno = 0;
	size_t pos = 0;
	int r = 0;

	if (memchr(text, '\0', len) != NULL)
		return err_set(err, ERR_USAGE, "%s: holds a NUL byte (not a "
			       "text file?)", path);
	while (pos < len && r == 0) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t llen = nl != NULL ? (size_t)(nl - (text + pos))
			: len - pos;

		lineno++;
		buf_reset(&line);
		buf_append(&line, text + pos, llen);
		if (line.len > 0 && line.data[line.len - 1] == '\r')
			buf_truncate(&line, line.len - 1);
		pos += llen + 1;
		if (line.len > SQL_CONF_LINE_MAX)
			r = err_set(err, ERR_USAGE, "%s line %lu: longer than %d "
				    "bytes", path, lineno, SQL_CONF_LINE_MAX);
		else
			r = conf_line(p, path, lineno, line.data, &full, err);
	}
	/* a last line ending in '\' continues into nothing */
	if (r == 0 && full.len > 0)
		r = conf_statement(p, path, full.data, path, err);
	buf_free(&full);
	buf_free(&line);
	return r;
}

/* conf_read_all - the file's bytes, bounded by what is left of
 * SQL_CONF_MAX; -1 with err (ERR_TEMP, ERR_NOTFOUND if missing) */
static int conf_read_all(struct conf_parser *p, const char *path,
			 struct buf *out, struct sl_err *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	struct stat st;
	ssize_t n;

	if (fd < 0)
		return err_set(err, errno == ENOENT ? ERR_NOTFOUND : ERR_TEMP,
			       "%s: %s", path, strerror(errno));
	if (fstat(fd, &st) < 0) {
		int e = errno;

		(void)close(fd);
		return err_set(err, ERR_TEMP, "fstat %s: %s", path, strerror(e));
	}
	if (!S_ISREG(st.st_mode)) {
		(void)close(fd);
		return err_set(err, ERR_TEMP, "%s: not a regular file", path);
	}
	for (;;) {
		buf_reserve(out, 16384);
		n = read(fd, out->data + out->len, out->cap - out->len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		out->len += (size_t)n;
		if (p->total + out->len > SQL_CONF_MAX) {
			(void)close(fd);
			return err_set(err, ERR_USAGE, "%s: configuration larger "
				       "than %d bytes", path, SQL_CONF_MAX);
		}
	}
	if (n < 0) {
		int e = errno;

		(void)close(fd);
		return err_set(err, ERR_TEMP, "read %s: %s", path, strerror(e));
	}
	(void)close(fd);
	p->total += out->len;
	return 0;
}

static int conf_parse_file(struct conf_parser *p, const char *path,
			   int missing_ok, struct sl_err *err)
{
	struct buf text = BUF_INIT;
	int r = conf_read_all(p, path, &text, err);

	if (r < 0 && missing_ok && err->cls == ERR_NOTFOUND)
		r = 0;
	else if (r < 0 && err->cls == ERR_NOTFOUND)
		err->cls = ERR_TEMP;
	else if (r == 0)
		r = conf_parse_text(p, path, buf_cstr(&text), text.len, err);
	buf_free(&text);
	return r;
}

/* conf_check_query - a query's variables must all be known */
static int conf_check_query(const struct sql_conf *c, const char *key,
			    const char *q, struct sl_err *err)
{
	static const struct sql_vars dummy = { "u@d", "u", "d", "s", "/h",
					       "127.0.0.1", "127.0.0.1" };
	struct buf out = BUF_INIT;
	struct sl_err e;
	int r;

	err_clear(&e);
	r = sql_expand(&out, q, &dummy, NULL, NULL, &e);
	buf_free(&out);
	if (r < 0 && e.cls == ERR_USAGE)
		return err_set(err, ERR_USAGE, "%s: %s: %s", c->path, key,
			       e.text);
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
	if (conf_check_query(c, "password_query", c->password_query, err) < 0 ||
	    conf_check_query(c, "user_query", c->user_query, err) < 0 ||
	    conf_check_query(c, "iterate_query", c->iterate_query, err) < 0)
		return -1;
	return 0;
}

int sql_conf_parse(const char *path, const char *text, size_t len,
		   struct sql_conf **conf_r, struct sl_err *err)
{
	struct conf_parser p;

	memset(&p, 0, sizeof(p));
	p.conf = xcalloc(1, sizeof(*p.conf));
	p.conf->path = xstrdup(path);
	if (len > SQL_CONF_MAX) {
		err_set(err, ERR_USAGE, "%s: configuration larger than %d "
			"bytes", path, SQL_CONF_MAX);
		sql_conf_free(&p.conf);
		return -1;
	}
	p.total = len;
	if (conf_parse_text(&p, path, text, len, err) < 0 ||
	    conf_finish(p.conf, err) < 0) {
		sql_conf_free(&p.conf);
		return -1;
	}
	*conf_r = p.conf;
	return 0;
}

int sql_conf_read(const char *path, struct sql_conf **conf_r,
		  struct sl_err *err)
{
	struct conf_parser p;

	memset(&p, 0, sizeof(p));
	p.conf = xcalloc(1, sizeof(*p.conf));
	p.conf->path = xstrdup(path);
	if (conf_parse_file(&p, path, 0, err) < 0 ||
	    conf_finish(p.conf, err) < 0) {
		sql_conf_free(&p.conf);
		return -1;
	}
	*conf_r = p.conf;
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
	size_t start = out->len, len = strlen(tmpl), i = 0;
	char pidbuf[32];

	while (i < len) {
		const char *pct = memchr(tmpl + i, '%', len - i), *name;
		size_t j, nlen, next;
		enum sql_var var;
		int mod = 0, braced = 0;

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
		if ((var = expand_var(name, nlen, braced)) == V_UNKNOWN)
			return err_set(err, ERR_USAGE, "unknown variable %.*s",
				       (int)(tmpl + next - pct), pct);
		if (expand_append(out, expand_value(var, v, pidbuf,
						    sizeof(pidbuf)),
				  mod, escape, ctx, err) < 0)
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
