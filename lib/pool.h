/* pool - a memory arena with one lifetime.
 *
 * A pool is made per delivery, per connection or per command; everything
 * allocated from it is released by one pool_free(). Allocations never
 * return NULL. Individual allocations are not freed.
 */
#ifndef SLUICE_POOL_H
#define SLUICE_POOL_H

#include <stdarg.h>
#include <stddef.h>

struct pool;

struct pool *pool_new(size_t block_size);
/* pool_free - release the pool and all it holds; sets *pp to NULL. */
void pool_free(struct pool **pp);
/* pool_alloc - zeroed memory aligned for any type. */
void *pool_alloc(struct pool *p, size_t size);
void *pool_alloc_array(struct pool *p, size_t count, size_t size);
char *pool_strdup(struct pool *p, const char *s);
char *pool_strndup(struct pool *p, const char *s, size_t len);
void *pool_memdup(struct pool *p, const void *data, size_t len);
char *pool_printf(struct pool *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* pool_used - bytes handed out so far (for limits and tests). */
size_t pool_used(const struct pool *p);

#endif
