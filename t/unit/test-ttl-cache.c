/* test-ttl-cache.c - the lookup cache of the sql and ldap user databases */
#include "auto-config.h"
#include "t/tap.h"
#include "lib/ttl-cache.h"
#include "lib/xalloc.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

static int freed;

static void count_free(void *value)
{
	freed++;
	free(value);
}

static void *value(const char *s)
{
	return xstrdup(s);
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	(void)nanosleep(&ts, NULL);
}

/* keys are bytes: a NUL inside one is part of it */
static void test_get_put(void)
{
	struct ttl_cache *c = ttl_cache_new(100, count_free);
	const char *v;

	ok(ttl_cache_get(c, "a", 1) == NULL, "an empty cache has nothing");
	ttl_cache_put(c, "a\0b", 3, value("first"), 60000);
	ttl_cache_put(c, "a\0c", 3, value("second"), 60000);
	v = ttl_cache_get(c, "a\0b", 3);
	is_str(v, "first", "a key with a NUL finds its own value");
	v = ttl_cache_get(c, "a\0c", 3);
	is_str(v, "second", "and the other key its own");
	ok(ttl_cache_get(c, "a", 1) == NULL, "a prefix of a key is not the key");
	is_int((int)ttl_cache_count(c), 2, "two entries");
	ttl_cache_clear(c);
	is_int((int)ttl_cache_count(c), 0, "clear: none left");
	is_int(freed, 2, "clear frees both values");
	ttl_cache_free(&c);
	ok(c == NULL, "free sets the pointer to NULL");
}

static void test_expiry(void)
{
	struct ttl_cache *c = ttl_cache_new(100, count_free);

	freed = 0;
	ttl_cache_put(c, "short", 5, value("x"), 20);
	ttl_cache_put(c, "long", 4, value("y"), 60000);
	ok(ttl_cache_get(c, "short", 5) != NULL, "a value within its time");
	sleep_ms(40);
	ok(ttl_cache_get(c, "short", 5) == NULL, "gone after its time");
	is_int(freed, 1, "the expired value was freed when it was asked for");
	ok(ttl_cache_get(c, "long", 4) != NULL, "the other one is still there");
	ttl_cache_free(&c);
	is_int(freed, 2, "free frees what is left");
}

/* when full: the expired go first; if none is, everything goes */
static void test_full(void)
{
	struct ttl_cache *c = ttl_cache_new(3, count_free);
	char key[16];
	int i;

	freed = 0;
	ttl_cache_put(c, "old", 3, value("o"), 10);
	ttl_cache_put(c, "k1", 2, value("1"), 60000);
	ttl_cache_put(c, "k2", 2, value("2"), 60000);
	sleep_ms(30);
	ttl_cache_put(c, "k3", 2, value("3"), 60000);
	ok(ttl_cache_get(c, "k1", 2) != NULL &&
	   ttl_cache_get(c, "k3", 2) != NULL && ttl_cache_count(c) == 3,
	   "full: the expired entry made room, the live ones stay");
	ttl_cache_put(c, "k4", 2, value("4"), 60000);
	ok(ttl_cache_count(c) == 1 && ttl_cache_get(c, "k4", 2) != NULL &&
	   ttl_cache_get(c, "k1", 2) == NULL,
	   "full of live entries: all dropped, the new one kept");
	for (i = 0; i < 50; i++) {
		int n = snprintf(key, sizeof(key), "n%d", i);

		ttl_cache_put(c, key, (size_t)n, value(key), 60000);
		if (ttl_cache_count(c) > 3)
			break;
	}
	ok(i == 50, "never more than the maximum");
	ttl_cache_free(&c);
	is_int(freed, 55, "every value freed once");
}

int main(void)
{
	test_get_put();
	test_expiry();
	test_full();
	return done_testing();
}
