/* ttl-cache - answers kept for a while, found by the bytes of their
 * question: the per-process lookup cache of the sql and ldap user
 * databases. The values are opaque and owned by the cache (it frees
 * them with the function it was made with). At most max entries: when
 * full, the expired ones go, then all. Time is CLOCK_MONOTONIC. */
#ifndef SLUICE_TTL_CACHE_H
#define SLUICE_TTL_CACHE_H

#include <stddef.h>
#include <stdint.h>

struct ttl_cache;

struct ttl_cache *ttl_cache_new(size_t max, void (*free_value)(void *value));
void ttl_cache_free(struct ttl_cache **cache);
/* ttl_cache_get - the live value kept for key, or NULL (an expired one
 * is dropped on the way) */
const void *ttl_cache_get(struct ttl_cache *cache, const void *key,
			  size_t len);
/* ttl_cache_put - keep value (taken) for key, ttl_ms from now */
void ttl_cache_put(struct ttl_cache *cache, const void *key, size_t len,
		   void *value, uint64_t ttl_ms);
/* ttl_cache_clear - drop every entry */
void ttl_cache_clear(struct ttl_cache *cache);
/* ttl_cache_count - entries kept (live or not yet dropped) */
size_t ttl_cache_count(const struct ttl_cache *cache);

#endif
