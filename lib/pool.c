/* pool.c - arena allocator: blocks chained, freed together */
#include "auto-config.h"
#include "pool.h"
#include "buf.h"
#include "xalloc.h"

#include <stdalign.h>
#include <stdlib.h>
#include <string.h>

struct pool_block {
	struct pool_block *next;
	size_t size;
	size_t used;
	alignas(max_align_t) unsigned char data[];
};

struct pool {
	struct pool_block *blocks;
	size_t block_size;
	size_t total;
};

#define POOL_ALIGN (alignof(max_align_t))

/* pool_block_new - one block of at least size usable bytes */
static struct pool_block *pool_block_new(size_t size)
{
	struct pool_block *b;

	b = xmalloc(size_add(sizeof(*b), size));
	b->next = NULL;
	b->size = size;
	b->used = 0;
	return b;
}

struct pool *pool_new(size_t block_size)
{
	struct pool *p = xcalloc(1, sizeof(*p));

	p->block_size = block_size < 256 ? 256 : block_size;
	return p;
}

void pool_free(struct pool **pp)
{
	struct pool_block *b, *next;

	if (*pp == NULL)
		return;
	for (b = (*pp)->blocks; b != NULL; b = next) {
		next = b->next;
		free(b);
	}
	free(*pp);
	*pp = NULL;
}

void *pool_alloc(struct pool *p, size_t size)
{
	struct pool_block *b = p->blocks;
	size_t aligned = size_add(size, POOL_ALIGN - 1) & ~(POOL_ALIGN - 1);
	void *ret;

	if (aligned == 0)
		aligned = POOL_ALIGN;
	if (b == NULL || b->size - b->used < aligned) {
		if (aligned > p->block_size / 4) {
			/* big allocation: own block, kept behind the current one */
			struct pool_block *big = pool_block_new(aligned);

			big->used = aligned;
			if (b != NULL) {
				big->next = b->next;
				b->next = big;
			} else {
				p->blocks = big;
			}
			p->total += aligned;
			memset(big->data, 0, aligned);
			return big->data;
		}
		b = pool_block_new(p->block_size);
		b->next = p->blocks;
		p->blocks = b;
	}
	ret = b->data + b->used;
	b->used += aligned;
	p->total += aligned;
	memset(ret, 0, aligned);
	return ret;
}

void *pool_alloc_array(struct pool *p, size_t count, size_t size)
{
	return pool_alloc(p, size_mul(count, size));
}

char *pool_strndup(struct pool *p, const char *s, size_t len)
{
	char *d = pool_alloc(p, size_add(len, 1));

	memcpy(d, s, len);
	d[len] = '\0';
	return d;
}

char *pool_strdup(struct pool *p, const char *s)
{
	return s == NULL ? NULL : pool_strndup(p, s, strlen(s));
}

void *pool_memdup(struct pool *p, const void *data, size_t len)
{
	void *d = pool_alloc(p, len);

	if (len > 0)
		memcpy(d, data, len);
	return d;
}

char *pool_printf(struct pool *p, const char *fmt, ...)
{
	struct buf b = BUF_INIT;
	va_list ap;
	char *ret;

	va_start(ap, fmt);
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	ret = pool_strndup(p, buf_cstr(&b), b.len);
	buf_free(&b);
	return ret;
}

size_t pool_used(const struct pool *p)
{
	return p->total;
}
