/* fuzz-address.c - the address-list parser and the RFC 2047 decoder on
 * arbitrary bytes: every entry must be well formed */
#include "auto-config.h"
#include "lib/address.h"
#include "lib/buf.h"
#include "lib/rfc2047.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pool *pool = pool_new(16 * 1024);
	const struct address *a;
	struct buf out = BUF_INIT;
	size_t n = 0, count;

	for (a = address_parse(pool, (const char *)data, size, &count);
	     a != NULL; a = a->next) {
		if (a->name == NULL || a->local == NULL || a->domain == NULL ||
		    a->addr == NULL)
			abort();
		if (strlen(a->addr) > size + 2 * strlen(a->local) + 2)
			abort();	/* requoting at most doubles */
		n++;
	}
	if (n != count || count > size)
		abort();
	(void)rfc2047_decode((const char *)data, size, &out);
	buf_free(&out);
	pool_free(&pool);
	return 0;
}
