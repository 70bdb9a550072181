/* xalloc.c - allocation wrappers that abort instead of returning NULL */
#include "auto-config.h"
#include "xalloc.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* xalloc_die - the one place an allocation failure ends the process */
static void xalloc_die(size_t size)
{
	fprintf(stderr, "sluice: out of memory (%zu bytes)\n", size);
	abort();
}

size_t size_add(size_t a, size_t b)
{
	if (a > SIZE_MAX - b)
		xalloc_die(SIZE_MAX);
	return a + b;
}

size_t size_mul(size_t a, size_t b)
{
	if (b != 0 && a > SIZE_MAX / b)
		xalloc_die(SIZE_MAX);
	return a * b;
}

void *xmalloc(size_t size)
{
	void *p = malloc(size ? size : 1);

	if (p == NULL)
		xalloc_die(size);
	return p;
}

void *xcalloc(size_t count, size_t size)
{
	void *p = calloc(count ? count : 1, size ? size : 1);

	if (p == NULL)
		xalloc_die(size_mul(count, size));
	return p;
}

void *xrealloc(void *ptr, size_t size)
{
	void *p = realloc(ptr, size ? size : 1);

	if (p == NULL)
		xalloc_die(size);
	return p;
}

void *xreallocarray(void *ptr, size_t count, size_t size)
{
	return xrealloc(ptr, size_mul(count, size));
}

char *xstrdup(const char *s)
{
	return xstrndup(s, strlen(s));
}

char *xstrndup(const char *s, size_t len)
{
	char *p = xmalloc(size_add(len, 1));

	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}
