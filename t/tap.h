/* tap.h - a tiny TAP producer for the C unit tests.
 *
 * plan(n) or done_testing() at the end; ok(), is_int(), is_str(),
 * is_mem() print "ok N - name" or "not ok N - name" with a diagnostic.
 * Header-only, so each test is one .c file linking the real modules.
 */
#ifndef SLUICE_TAP_H
#define SLUICE_TAP_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int tap_n, tap_failed;

static inline void plan(int n) { printf("1..%d\n", n); }

static inline int done_testing(void)
{
	printf("1..%d\n", tap_n);
	return tap_failed ? 1 : 0;
}

static inline void diag(const char *fmt, ...)
	__attribute__((format(printf, 1, 2)));
static inline void diag(const char *fmt, ...)
{
	va_list ap;

	fputs("# ", stdout);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fputc('\n', stdout);
}

static inline int ok_v(int cond, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));
static inline int ok_v(int cond, const char *fmt, va_list ap)
{
	tap_n++;
	printf("%sok %d - ", cond ? "" : "not ", tap_n);
	vprintf(fmt, ap);
	putchar('\n');
	if (!cond)
		tap_failed++;
	fflush(stdout);
	return cond;
}

static inline int ok(int cond, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static inline int ok(int cond, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = ok_v(cond, fmt, ap);
	va_end(ap);
	return r;
}

#define is_int(got, want, ...) do { \
	long long g_ = (long long)(got), w_ = (long long)(want); \
	if (!ok(g_ == w_, __VA_ARGS__)) \
		diag("  got %lld, want %lld", g_, w_); \
} while (0)

#define is_str(got, want, ...) do { \
	const char *g_ = (got), *w_ = (want); \
	int c_ = (g_ == NULL || w_ == NULL) ? g_ == w_ : strcmp(g_, w_) == 0; \
	if (!ok(c_, __VA_ARGS__)) \
		diag("  got '%s', want '%s'", g_ ? g_ : "(null)", \
		     w_ ? w_ : "(null)"); \
} while (0)

#define is_mem(got, gotlen, want, wantlen, ...) do { \
	size_t gl_ = (gotlen), wl_ = (wantlen); \
	if (!ok(gl_ == wl_ && memcmp((got), (want), gl_) == 0, __VA_ARGS__)) \
		diag("  got %zu bytes, want %zu bytes", gl_, wl_); \
} while (0)

/* test_corpus_dir - $SLUICE_CORPUS or NULL */
static inline const char *test_corpus_dir(void)
{
	const char *d = getenv("SLUICE_CORPUS");

	return d != NULL && *d != '\0' ? d : NULL;
}

#endif
