/* sieve-comparator.c - the comparators every script has (RFC 5228
 * 2.7.3, RFC 4790 9.3 and 9.2): i;octet and i;ascii-casemap. Both work
 * on octets; ordering is by octet value (casemap: after mapping a-z to
 * A-Z), a shorter string first when it is a prefix. */
#include "auto-config.h"
#include "sieve/sieve-private.h"

#include <string.h>

static int octet_compare(const char *a, size_t alen, const char *b,
			 size_t blen)
{
	int r = memcmp(a, b, alen < blen ? alen : blen);

	if (r != 0)
		return r;
	return alen < blen ? -1 : alen > blen ? 1 : 0;
}

static unsigned char upper(unsigned char c)
{
	return c >= 'a' && c <= 'z' ? (unsigned char)(c - 'a' + 'A') : c;
}

static int casemap_compare(const char *a, size_t alen, const char *b,
			   size_t blen)
{
	size_t i, n = alen < blen ? alen : blen;

	for (i = 0; i < n; i++) {
		unsigned char x = upper((unsigned char)a[i]);
		unsigned char y = upper((unsigned char)b[i]);

		if (x != y)
			return x < y ? -1 : 1;
	}
	return alen < blen ? -1 : alen > blen ? 1 : 0;
}

static int casemap_char_eq(unsigned char a, unsigned char b)
{
	return upper(a) == upper(b);
}

const struct sieve_comparator_def sieve_cmp_octet = {
	.name = "i;octet",
	.flags = SIEVE_CMP_F_SUBSTRING | SIEVE_CMP_F_ORDER,
	.compare = octet_compare,
};

const struct sieve_comparator_def sieve_cmp_ascii_casemap = {
	.name = "i;ascii-casemap",
	.flags = SIEVE_CMP_F_SUBSTRING | SIEVE_CMP_F_ORDER,
	.compare = casemap_compare,
	.char_eq = casemap_char_eq,
};
