/* fuzz-mutf7.c - modified UTF-7 (lib/mutf7.c) on arbitrary bytes.
 *
 * The bytes are decoded as modified UTF-7: what decodes must be strict
 * UTF-8 without NUL and re-encode to exactly the input (one name, one
 * spelling). The same bytes are encoded as UTF-8: the encoder must
 * accept exactly the strict UTF-8 without NUL (checked against a second,
 * independent validator below), write only printable ASCII, and decode
 * back to the input. A refusal is ERR_PERM and leaves the output buffer
 * as it was. Any violation aborts, so libFuzzer reports it.
 */
#include "auto-config.h"
#include "lib/buf.h"
#include "lib/err.h"
#include "lib/mutf7.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* the caller's bytes already in the output buffer, which a call must
 * keep (and, on a refusal, leave alone entirely) */
static const char prefix[] = "pre";
#define PREFIX_LEN (sizeof(prefix) - 1)

/* utf8_ok - strict UTF-8 without NUL, after the well-formed byte
 * sequences table of the Unicode standard (3.9, table 3-7) */
static int utf8_ok(const uint8_t *s, size_t len)
{
	size_t i = 0;

	while (i < len) {
		uint8_t c = s[i];
		uint8_t lo = 0x80, hi = 0xbf;
		size_t n, k;

		if (c == 0)
			return 0;
		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf)
			n = 1;
		else if (c >= 0xe0 && c <= 0xef)
			n = 2;
		else if (c >= 0xf0 && c <= 0xf4)
			n = 3;
		else
			return 0;
		if (c == 0xe0)
			lo = 0xa0;
		else if (c == 0xed)
			hi = 0x9f;
		else if (c == 0xf0)
			lo = 0x90;
		else if (c == 0xf4)
			hi = 0x8f;
		if (len - i <= n || s[i + 1] < lo || s[i + 1] > hi)
			return 0;
		for (k = 2; k <= n; k++)
			if (s[i + k] < 0x80 || s[i + k] > 0xbf)
				return 0;
		i += n + 1;
	}
	return 1;
}

/* printable_ascii - what the encoder may write */
static int printable_ascii(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7e)
			return 0;
	return 1;
}

/* fresh - an output buffer holding only the prefix */
static void fresh(struct buf *b)
{
	buf_reset(b);
	buf_append(b, prefix, PREFIX_LEN);
}

/* check_refusal - a refusal must be ERR_PERM with the buffer untouched */
static void check_refusal(const struct buf *b, const struct sl_err *err)
{
	if (err->cls != ERR_PERM || err->text[0] == '\0' ||
	    b->len != PREFIX_LEN || memcmp(b->data, prefix, PREFIX_LEN) != 0)
		abort();
}

/* same - b is the prefix followed by exactly len bytes of s */
static int same(const struct buf *b, const void *s, size_t len)
{
	return b->len == PREFIX_LEN + len &&
	       memcmp(b->data, prefix, PREFIX_LEN) == 0 &&
	       memcmp(b->data + PREFIX_LEN, s, len) == 0;
}

/* as_mutf7 - decode; a success must re-encode to the very input */
static void as_mutf7(const uint8_t *data, size_t size, struct buf *a,
		     struct buf *b)
{
	struct sl_err err;

	err_clear(&err);
	fresh(a);
	if (mutf7_decode((const char *)data, size, a, &err) < 0) {
		check_refusal(a, &err);
		return;
	}
	if (!utf8_ok((const uint8_t *)a->data + PREFIX_LEN,
		     a->len - PREFIX_LEN))
		abort();
	fresh(b);
	if (mutf7_encode(a->data + PREFIX_LEN, a->len - PREFIX_LEN, b,
			 &err) < 0 || !same(b, data, size))
		abort();
}

/* as_utf8 - encode; accepted iff strict UTF-8, and decodes back */
static void as_utf8(const uint8_t *data, size_t size, struct buf *a,
		    struct buf *b)
{
	struct sl_err err;
	int valid = utf8_ok(data, size);

	err_clear(&err);
	fresh(a);
	if (mutf7_encode((const char *)data, size, a, &err) < 0) {
		if (valid)
			abort();
		check_refusal(a, &err);
		return;
	}
	if (!valid || !printable_ascii(a->data + PREFIX_LEN,
				       a->len - PREFIX_LEN))
		abort();
	fresh(b);
	if (mutf7_decode(a->data + PREFIX_LEN, a->len - PREFIX_LEN, b,
			 &err) < 0 || !same(b, data, size))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct buf a = BUF_INIT, b = BUF_INIT;

	as_mutf7(data, size, &a, &b);
	as_utf8(data, size, &a, &b);
	buf_free(&a);
	buf_free(&b);
	return 0;
}
