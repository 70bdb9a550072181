/* xalloc - allocation that never returns NULL.
 *
 * Every function aborts the process with a message on stderr when memory
 * cannot be had: callers never check for NULL. Size arithmetic is checked
 * for overflow before it reaches malloc.
 */
#ifndef SLUICE_XALLOC_H
#define SLUICE_XALLOC_H

#include <stddef.h>

void *xmalloc(size_t size);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *ptr, size_t size);
/* xreallocarray - resize to count*size bytes, aborting on overflow. */
void *xreallocarray(void *ptr, size_t count, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t len);
/* x_free - free *pp and set it to NULL. */
#define x_free(pp) do { free(*(pp)); *(pp) = NULL; } while (0)

/* size_add/size_mul - checked arithmetic: abort on overflow. */
size_t size_add(size_t a, size_t b);
size_t size_mul(size_t a, size_t b);

#endif
