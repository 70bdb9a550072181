/* sieve.c - diagnostics and the compile entry points */
#include "auto-config.h"
#include "sieve/sieve-private.h"

#include "lib/buf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void sieve_diags_init(struct sieve_diags *d, struct pool *pool)
{
	memset(d, 0, sizeof(*d));
	d->pool = pool;
}

const struct sieve_diag *sieve_diags_first_error(const struct sieve_diags *d)
{
	const struct sieve_diag *g;

	for (g = d->first; g != NULL; g = g->next) {
		if (!g->warning)
			return g;
	}
	return NULL;
}

void sieve_diag_vadd(struct sieve_diags *d, const char *file, unsigned line,
		     unsigned col, int warning, const char *fmt, va_list ap)
{
	struct sieve_diag *g = pool_alloc(d->pool, sizeof(*g));
	struct buf b = BUF_INIT;
	const char *kind = warning ? "warning: " : "";

	buf_vprintf(&b, fmt, ap);
	g->file = file;
	g->line = line;
	g->col = col;
	g->warning = warning;
	g->message = pool_strndup(d->pool, buf_cstr(&b), b.len);
	if (line > 0 && col > 0)
		g->text = pool_printf(d->pool, "%s:%u:%u: %s%s", file, line,
				      col, kind, g->message);
	else if (line > 0)
		g->text = pool_printf(d->pool, "%s:%u: %s%s", file, line, kind,
				      g->message);
	else
		g->text = pool_printf(d->pool, "%s: %s%s", file, kind,
				      g->message);
	buf_free(&b);
	if (d->last != NULL)
		d->last->next = g;
	else
		d->first = g;
	d->last = g;
	if (warning)
		d->n_warnings++;
	else
		d->n_errors++;
}

void sieve_diag_add(struct sieve_diags *d, const char *file, unsigned line,
		    unsigned col, int warning, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	sieve_diag_vadd(d, file, line, col, warning, fmt, ap);
	va_end(ap);
}

int sieve_read_script(struct pool *pool, const char *path, uint64_t max,
		      char **data_r, size_t *len_r, struct sl_err *err)
{
	struct stat st;
	size_t len = 0;
	char *data;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return err_set_errno(err, errno, "open %s", path);
	if (fstat(fd, &st) < 0) {
		err_set_errno(err, errno, "fstat %s", path);
		close(fd);
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		close(fd);
		return err_set(err, ERR_PERM, "%s: not a regular file", path);
	}
	if ((uint64_t)st.st_size > max) {
		close(fd);
		return err_set(err, ERR_PERM, "%s: script is too large (%llu "
			       "bytes, max %llu: sieve_max_script_size)", path,
			       (unsigned long long)st.st_size,
			       (unsigned long long)max);
	}
	data = pool_alloc(pool, (size_t)st.st_size + 1);
	while (len < (size_t)st.st_size) {
		ssize_t n = read(fd, data + len, (size_t)st.st_size - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err_set_errno(err, errno, "read %s", path);
			close(fd);
			return -1;
		}
		if (n == 0)
			break;	/* shrank meanwhile: take what is there */
		len += (size_t)n;
	}
	close(fd);
	data[len] = '\0';
	*data_r = data;
	*len_r = len;
	return 0;
}

struct sieve_script *sieve_compile_data(struct sieve_engine *e,
					struct pool *pool, const char *name,
					const char *path, const char *data,
					size_t len, struct sieve_diags *diags,
					struct sieve_valctx *parent,
					struct sl_err *err)
{
	struct sieve_script *s = pool_alloc(pool, sizeof(*s));
	unsigned errors = diags->n_errors;

	s->name = pool_strdup(pool, name);
	s->path = path != NULL ? pool_strdup(pool, path) : NULL;
	s->engine = e;
	if (len > e->limits.max_script_size) {
		sieve_diag_add(diags, s->name, 0, 0, 0, "script is too large "
			       "(max %llu bytes: sieve_max_script_size)",
			       (unsigned long long)e->limits.max_script_size);
		err_set(err, ERR_PERM, "%s: script too large", s->name);
		return NULL;
	}
	if (sieve_parse(pool, s->name, data, len, diags, &s->first) < 0 ||
	    diags->n_errors > errors) {
		err_set(err, ERR_PERM, "%s: parse failed", s->name);
		return NULL;
	}
	if (sieve_validate(e, pool, s, diags, parent) < 0 ||
	    diags->n_errors > errors) {
		err_set(err, ERR_PERM, "%s: validation failed", s->name);
		return NULL;
	}
	return s;
}

struct sieve_script *sieve_compile_buffer(struct sieve_engine *e,
					  struct pool *pool, const char *name,
					  const char *data, size_t len,
					  struct sieve_diags *diags,
					  struct sl_err *err)
{
	err_clear(err);
	return sieve_compile_data(e, pool, name != NULL ? name : "-", NULL,
				  data, len, diags, NULL, err);
}

struct sieve_script *sieve_compile_file(struct sieve_engine *e,
					struct pool *pool, const char *path,
					const char *name,
					struct sieve_diags *diags,
					struct sl_err *err)
{
	char *data;
	size_t len;

	err_clear(err);
	if (sieve_read_script(pool, path, e->limits.max_script_size, &data,
			      &len, err) < 0)
		return NULL;
	return sieve_compile_data(e, pool, name != NULL ? name : path, path,
				  data, len, diags, NULL, err);
}

const char *sieve_script_name(const struct sieve_script *s)
{
	return s->name;
}

const char *sieve_script_extensions(const struct sieve_script *s,
				    struct pool *pool)
{
	struct buf b = BUF_INIT;
	const char *ret;
	unsigned i;

	for (i = 0; i < s->n_loaded; i++) {
		const struct sieve_extension *ext = sieve_ext_all[s->order[i]];

		if (b.len > 0)
			buf_append_char(&b, ' ');
		buf_append_str(&b, ext->name);
	}
	ret = pool_strdup(pool, buf_cstr(&b));
	buf_free(&b);
	return ret;
}
