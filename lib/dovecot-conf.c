/* dovecot-conf.c - Dovecot's external settings files, read as its
 * settings parser reads them */
#include "auto-config.h"
#include "dovecot-conf.h"
#include "buf.h"
#include "xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define IS_WHITE(c) ((c) == ' ' || (c) == '\t')

struct dconf_parser {
	dovecot_conf_set_fn *set;
	void *ctx;
	size_t total;		/* bytes read, includes too */
	int depth;
};

static int dconf_parse_file(struct dconf_parser *p, const char *path,
			    int missing_ok, struct sl_err *err);

/* dconf_strip_comment - cut at a '#' outside quotes (quotes may hold
 * backslash-escaped characters), as Dovecot does */
static void dconf_strip_comment(char *line)
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

/* dconf_unescape - a quoted value: quotes off, "\x" -> "x" */
static void dconf_unescape(char *s)
{
	char *d = s;

	for (; *s != '\0'; s++) {
		if (*s == '\\' && *++s == '\0')
			break;
		*d++ = *s;
	}
	*d = '\0';
}

/* dconf_include - !include FILE relative to the including file */
static int dconf_include(struct dconf_parser *p, const char *from,
			const char *file, int missing_ok, const char *where,
			struct sl_err *err)
{
	const char *slash = strrchr(from, '/');
	char *path;
	int r;

	if (p->depth >= DOVECOT_CONF_INCLUDE_DEPTH)
		return err_set(err, ERR_USAGE, "%s: includes nested deeper "
			       "than %d", where, DOVECOT_CONF_INCLUDE_DEPTH);
	if (file[0] == '/' || slash == NULL) {
		path = xstrdup(file);
	} else {
		size_t dlen = (size_t)(slash - from) + 1;

		path = xmalloc(size_add(dlen, strlen(file) + 1));
		memcpy(path, from, dlen);
		memcpy(path + dlen, file, strlen(file) + 1);
	}
	p->depth++;
	r = dconf_parse_file(p, path, missing_ok, err);
	p->depth--;
	free(path);
	return r;
}

/* dconf_statement - a whole (joined) line: key = value or !include */
static int dconf_statement(struct dconf_parser *p, const char *path,
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
		return dconf_include(p, path, line, key[8] == '_', where, err);
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
		dconf_unescape(value);
	}
	if (*key == '\0')
		return err_set(err, ERR_USAGE, "%s: a value without a key", where);
	return p->set(p->ctx, key, value, where, err);
}

/* dconf_line - one physical line; full holds a line being continued */
static int dconf_line(struct dconf_parser *p, const char *path,
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
	dconf_strip_comment(line);
	len = strlen(line);
	while (len > 0 && IS_WHITE(line[len - 1]))
		len--;
	line[len] = '\0';
	(void)snprintf(where, sizeof(where), "%s line %lu", path, lineno);
	if (full->len + len > DOVECOT_CONF_LINE_MAX)
		return err_set(err, ERR_USAGE, "%s: line longer than %d bytes",
			       where, DOVECOT_CONF_LINE_MAX);
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
		r = dconf_statement(p, path, full->data, where, err);
		buf_reset(full);
		return r;
	}
	return dconf_statement(p, path, line, where, err);
}

/* dconf_parse_text - every line of one file's text */
static int dconf_parse_text(struct dconf_parser *p, const char *path,
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
		if (line.len > DOVECOT_CONF_LINE_MAX)
			r = err_set(err, ERR_USAGE, "%s line %lu: longer than %d "
				    "bytes", path, lineno, DOVECOT_CONF_LINE_MAX);
		else
			r = dconf_line(p, path, lineno, line.data, &full, err);
	}
	/* a last line ending in '\' continues into nothing */
	if (r == 0 && full.len > 0)
		r = dconf_statement(p, path, full.data, path, err);
	buf_free(&full);
	buf_free(&line);
	return r;
}

/* dconf_read_all - the file's bytes, bounded by what is left of
 * DOVECOT_CONF_MAX; -1 with err (ERR_TEMP, ERR_NOTFOUND if missing) */
static int dconf_read_all(struct dconf_parser *p, const char *path,
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
		if (p->total + out->len > DOVECOT_CONF_MAX) {
			(void)close(fd);
			return err_set(err, ERR_USAGE, "%s: configuration larger "
				       "than %d bytes", path, DOVECOT_CONF_MAX);
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

static int dconf_parse_file(struct dconf_parser *p, const char *path,
			   int missing_ok, struct sl_err *err)
{
	struct buf text = BUF_INIT;
	int r = dconf_read_all(p, path, &text, err);

	if (r < 0 && missing_ok && err->cls == ERR_NOTFOUND)
		r = 0;
	else if (r < 0 && err->cls == ERR_NOTFOUND)
		err->cls = ERR_TEMP;
	else if (r == 0)
		r = dconf_parse_text(p, path, buf_cstr(&text), text.len, err);
	buf_free(&text);
	return r;
}

int dovecot_conf_read(const char *path, dovecot_conf_set_fn *set, void *ctx,
		      struct sl_err *err)
{
	struct dconf_parser p = { set, ctx, 0, 0 };

	return dconf_parse_file(&p, path, 0, err);
}

int dovecot_conf_parse(const char *path, const char *text, size_t len,
		       dovecot_conf_set_fn *set, void *ctx, struct sl_err *err)
{
	struct dconf_parser p = { set, ctx, len, 0 };

	if (len > DOVECOT_CONF_MAX)
		return err_set(err, ERR_USAGE, "%s: configuration larger than "
			       "%d bytes", path, DOVECOT_CONF_MAX);
	return dconf_parse_text(&p, path, text, len, err);
}
