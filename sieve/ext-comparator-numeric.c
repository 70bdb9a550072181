/* ext-comparator-numeric.c - the i;ascii-numeric comparator (RFC 4790
 * 9.1, registered for Sieve by RFC 2244 / RFC 5228 2.7.3).
 *
 * A string's value is the number its leading US-ASCII digits spell; a
 * string that does not start with a digit is "positive infinity": equal
 * to every other such string and greater than every number. Numbers of
 * any length compare exactly (leading zeros skipped, then length, then
 * digits), so "0010" equals "10" and a 40-digit value does not overflow.
 * The comparator offers equality and ordering only: :contains and
 * :matches with it are compile errors (no SIEVE_CMP_F_SUBSTRING), as
 * RFC 4790 says and Pigeonhole does.
 */
#include "auto-config.h"
#include "sieve/sieve-ext.h"

#include <string.h>

/* num_span - the digits at the start of s: *start after leading zeros,
 * their count in *n; returns 0 when s does not start with a digit */
static int num_span(const char *s, size_t len, const char **start, size_t *n)
{
	size_t i = 0, end;

	if (len == 0 || s[0] < '0' || s[0] > '9')
		return 0;
	while (i + 1 < len && s[i] == '0' && s[i + 1] >= '0' &&
	       s[i + 1] <= '9')
		i++;
	end = i;
	while (end < len && s[end] >= '0' && s[end] <= '9')
		end++;
	*start = s + i;
	*n = end - i;
	return 1;
}

/* numeric_compare - RFC 4790 9.1.1 ordering, infinity for non-numbers */
static int numeric_compare(const char *a, size_t alen, const char *b,
			   size_t blen)
{
	const char *da = NULL, *db = NULL;
	size_t na = 0, nb = 0;
	int ha = num_span(a, alen, &da, &na);
	int hb = num_span(b, blen, &db, &nb);
	int c;

	if (!ha || !hb)
		return ha == hb ? 0 : (ha ? -1 : 1);
	if (na != nb)
		return na < nb ? -1 : 1;
	c = memcmp(da, db, na);
	return c < 0 ? -1 : c > 0;
}

static const struct sieve_comparator_def cmp_ascii_numeric = {
	.name = "i;ascii-numeric",
	.flags = SIEVE_CMP_F_ORDER,
	.compare = numeric_compare,
};

static const struct sieve_comparator_def *const numeric_comparators[] = {
	&cmp_ascii_numeric, NULL
};

const struct sieve_extension sieve_ext_comparator_i_ascii_numeric = {
	.name = "comparator-i;ascii-numeric",
	.comparators = numeric_comparators,
};
