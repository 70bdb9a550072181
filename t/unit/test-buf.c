/* test-buf.c - buffers and pools */
#include "auto-config.h"
#include "t/tap.h"
#include "lib/buf.h"
#include "lib/pool.h"

#include <stdint.h>

static void test_buf(void)
{
	struct buf b = BUF_INIT;
	size_t i;

	is_str(buf_cstr(&b), "", "empty buf reads as empty string");
	buf_append(&b, "ab\0cd", 5);
	is_int(b.len, 5, "binary append keeps NUL");
	is_mem(b.data, b.len, "ab\0cd", 5, "binary content kept");
	ok(b.data[5] == '\0', "always NUL-terminated");
	buf_reset(&b);
	for (i = 0; i < 10000; i++)
		buf_append_char(&b, (char)('a' + i % 26));
	is_int(b.len, 10000, "grows across many appends");
	ok(b.data[9999] == 'a' + 9999 % 26, "last byte right");
	buf_reset(&b);
	buf_printf(&b, "%s-%d", "x", 42);
	buf_printf(&b, "%0300d", 7);
	is_int(b.len, 4 + 300, "printf appends without truncation");
	buf_truncate(&b, 2);
	is_str(buf_cstr(&b), "x-", "truncate");
	buf_truncate(&b, 50);
	is_int(b.len, 2, "truncate longer is a no-op");
	{
		char *s = buf_steal(&b);

		is_str(s, "x-", "steal hands over data");
		ok(b.data == NULL && b.len == 0, "steal empties the buf");
		free(s);
	}
	buf_free(&b);
}

static void test_pool(void)
{
	struct pool *p = pool_new(512);
	char *s, *big;
	size_t i;
	int aligned = 1;

	s = pool_strdup(p, "hello");
	is_str(s, "hello", "pool_strdup");
	for (i = 0; i < 1000; i++) {
		void *q = pool_alloc(p, i % 37 + 1);

		if (((uintptr_t)q % sizeof(void *)) != 0)
			aligned = 0;
	}
	ok(aligned, "allocations aligned");
	big = pool_alloc(p, 100000);
	ok(big[0] == 0 && big[99999] == 0, "big allocation zeroed");
	is_str(s, "hello", "earlier allocation intact after big one");
	is_str(pool_printf(p, "%d/%s", 5, "x"), "5/x", "pool_printf");
	is_str(pool_strndup(p, "abcdef", 3), "abc", "pool_strndup");
	ok(pool_used(p) >= 100000, "pool_used counts");
	pool_free(&p);
	ok(p == NULL, "pool_free clears the pointer");
}

int main(void)
{
	test_buf();
	test_pool();
	return done_testing();
}
