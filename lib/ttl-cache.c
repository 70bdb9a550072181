/* ttl-cache.c - a hash table of values that expire */
#include "auto-config.h"
#include "ttl-cache.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#define TTL_CACHE_BUCKETS 1024	/* a power of two */

struct ttl_entry {
	struct ttl_entry *next;
	char *key;
	size_t len;
	uint32_t hash;
	uint64_t expires_ms;
	void *value;
};

struct ttl_cache {
	struct ttl_entry *bucket[TTL_CACHE_BUCKETS];
	size_t count, max;
	void (*free_value)(void *value);
};

static uint64_t now_ms(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* ttl_hash - FNV-1a */
static uint32_t ttl_hash(const void *key, size_t len)
{
	const unsigned char *p = key;
	uint32_t h = 2166136261u;
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= p[i];
		h *= 16777619u;
	}
	return h;
}

struct ttl_cache *ttl_cache_new(size_t max, void (*free_value)(void *value))
{
	struct ttl_cache *c = xcalloc(1, sizeof(*c));

	c->max = max;
	c->free_value = free_value;
	return c;
}

/* ttl_unlink - drop the entry *ep points to */
static void ttl_unlink(struct ttl_cache *c, struct ttl_entry **ep)
{
	struct ttl_entry *e = *ep;

	*ep = e->next;
	c->free_value(e->value);
	free(e->key);
	free(e);
	c->count--;
}

/* ttl_prune - drop the expired entries, or all of them */
static void ttl_prune(struct ttl_cache *c, int all)
{
	uint64_t now = now_ms();
	size_t b;

	for (b = 0; b < TTL_CACHE_BUCKETS && c->count > 0; b++) {
		struct ttl_entry **ep = &c->bucket[b];

		while (*ep != NULL) {
			if (all || (*ep)->expires_ms <= now)
				ttl_unlink(c, ep);
			else
				ep = &(*ep)->next;
		}
	}
}

void ttl_cache_clear(struct ttl_cache *c)
{
	ttl_prune(c, 1);
}

void ttl_cache_free(struct ttl_cache **cp)
{
	if (*cp == NULL)
		return;
	ttl_prune(*cp, 1);
	x_free(cp);
}

const void *ttl_cache_get(struct ttl_cache *c, const void *key, size_t len)
{
	uint32_t h = ttl_hash(key, len);
	struct ttl_entry **ep = &c->bucket[h & (TTL_CACHE_BUCKETS - 1)];

	for (; *ep != NULL; ep = &(*ep)->next) {
		struct ttl_entry *e = *ep;

		if (e->hash != h || e->len != len || memcmp(e->key, key, len) != 0)
			continue;
		if (e->expires_ms > now_ms())
			return e->value;
		ttl_unlink(c, ep);
		return NULL;
	}
	return NULL;
}

void ttl_cache_put(struct ttl_cache *c, const void *key, size_t len,
		   void *value, uint64_t ttl_ms)
{
	uint32_t h = ttl_hash(key, len);
	struct ttl_entry *e;
	size_t b = h & (TTL_CACHE_BUCKETS - 1);

	if (c->count >= c->max)
		ttl_prune(c, 0);
	if (c->count >= c->max)
		ttl_prune(c, 1);
	e = xcalloc(1, sizeof(*e));
	e->key = xmalloc(size_add(len, 1));
	memcpy(e->key, key, len);
	e->key[len] = '\0';
	e->len = len;
	e->hash = h;
	e->expires_ms = now_ms() + ttl_ms;
	e->value = value;
	e->next = c->bucket[b];
	c->bucket[b] = e;
	c->count++;
}

size_t ttl_cache_count(const struct ttl_cache *c)
{
	return c->count;
}
