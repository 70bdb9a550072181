/* ext-comparator-unicode.c - the i;unicode-casemap comparator (RFC 5051).
 *
 * RFC 5051 2: each string is mapped to titlecase and then to Unicode
 * normalization form KD; two strings are equal when the results are the
 * same octets, and order is the octet order of the results. We use
 * libunistring's u8_casefold with UNINORM_NFKD (full case folding; for
 * comparison purposes it equals the titlecase mapping except for a few
 * characters RFC 5051 itself calls out as unimportant). In input that
 * is not valid UTF-8, libunistring turns each ill-formed sequence into
 * U+FFFD (so "\xff" and "\xfe" compare equal); only when it fails
 * outright (out of memory) does the text get an ASCII case fold.
 *
 * Substring matches (:contains, :matches) run on the folded text, where
 * "?" stands for one UTF-8 character (SIEVE_CMP_F_UTF8).
 *
 * libunistring is not linked but loaded (lib/casefold.h) when a script
 * requires this comparator, so deliveries without it never load it; a
 * library that cannot be loaded makes that require a compile error.
 */
#include "auto-config.h"
#include "sieve/sieve-ext.h"

#include <string.h>

#include "lib/casefold.h"

/* ascii_fold - append in with A-Z lowered */
static void ascii_fold(const char *in, size_t len, struct buf *out)
{
	size_t i;

	buf_reserve(out, len);
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)in[i];

		buf_append_char(out, (char)(c >= 'A' && c <= 'Z' ?
					    c + ('a' - 'A') : c));
	}
}

/* unicode_fold - append the RFC 5051 canonical form of in to out; an
 * ASCII fold if libunistring fails, or cannot be loaded (which
 * unicode_load has reported for any script requiring the comparator) */
static void unicode_fold(const char *in, size_t len, struct buf *out)
{
	if (casefold_utf8(in, len, out) <= 0)
		ascii_fold(in, len, out);
}

/* unicode_compare - octet order of the folded forms */
static int unicode_compare(const char *a, size_t alen, const char *b,
			   size_t blen)
{
	struct buf fa = BUF_INIT, fb = BUF_INIT;
	size_t n;
	int c;

	unicode_fold(a, alen, &fa);
	unicode_fold(b, blen, &fb);
	n = fa.len < fb.len ? fa.len : fb.len;
	c = n > 0 ? memcmp(fa.data, fb.data, n) : 0;
	if (c == 0 && fa.len != fb.len)
		c = fa.len < fb.len ? -1 : 1;
	buf_free(&fa);
	buf_free(&fb);
	return c < 0 ? -1 : c > 0;
}

static const struct sieve_comparator_def cmp_unicode_casemap = {
	.name = "i;unicode-casemap",
	.flags = SIEVE_CMP_F_SUBSTRING | SIEVE_CMP_F_ORDER | SIEVE_CMP_F_UTF8,
	.compare = unicode_compare,
	.fold = unicode_fold,
};

static const struct sieve_comparator_def *const unicode_comparators[] = {
	&cmp_unicode_casemap, NULL
};

/* unicode_load - a script requires the comparator: load libunistring
 * now, so a missing library is a compile error at the require, not a
 * silently different match at run time */
static int unicode_load(struct sieve_valctx *v,
			const struct sieve_extension *ext)
{
	struct sl_err err;

	if (casefold_load(&err) == 0)
		return 0;
	sieve_valctx_error(v, sieve_valctx_require_line(v, ext), 0,
			   "%s unavailable: %s", ext->name, err.text);
	return -1;
}

const struct sieve_extension sieve_ext_comparator_i_unicode_casemap = {
	.name = "comparator-i;unicode-casemap",
	.comparators = unicode_comparators,
	.load = unicode_load,
};
