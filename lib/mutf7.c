/* mutf7.c - IMAP modified UTF-7 (RFC 3501 section 5.1.3) */
#include "auto-config.h"
#include "mutf7.h"
#include "utf8.h"

#include <stdint.h>

static const char mutf7_b64enc[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+,";

/* mutf7_b64val - the 6-bit value of a modified BASE64 character, or -1 */
static int mutf7_b64val(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == ',')
		return 63;
	return -1;
}

static int mutf7_printable(uint32_t cp)
{
	return cp >= 0x20 && cp <= 0x7e;
}

struct mutf7_bits {
	uint32_t acc;
	unsigned nbits;
};

/* mutf7_put_unit - push one UTF-16 unit, emitting whole 6-bit groups */
static void mutf7_put_unit(struct buf *out, struct mutf7_bits *b,
			   uint32_t unit)
{
	b->acc = (b->acc << 16) | unit;
	b->nbits += 16;
	while (b->nbits >= 6) {
		b->nbits -= 6;
		buf_append_char(out, mutf7_b64enc[(b->acc >> b->nbits) & 0x3f]);
	}
	b->acc &= (1u << b->nbits) - 1;
}

/* mutf7_end_shift - pad the last group with zero bits and close with '-' */
static void mutf7_end_shift(struct buf *out, struct mutf7_bits *b)
{
	if (b->nbits > 0) {
		uint32_t last = (b->acc << (6 - b->nbits)) & 0x3f;

		buf_append_char(out, mutf7_b64enc[last]);
	}
	buf_append_char(out, '-');
	b->acc = 0;
	b->nbits = 0;
}

int mutf7_encode(const char *src, size_t len, struct buf *out,
		 struct sl_err *err)
{
	const unsigned char *s = (const unsigned char *)src;
	size_t start = out->len, i = 0;
	struct mutf7_bits b = { 0, 0 };
	int shifted = 0;

	while (i < len) {
		uint32_t cp;
		size_t n = utf8_next(s + i, len - i, &cp);

		if (n == 0 || cp == 0) {
			buf_truncate(out, start);
			return err_set(err, ERR_PERM, "%s at byte %zu",
				       n == 0 ? "invalid UTF-8" : "NUL", i);
		}
		i += n;
		if (mutf7_printable(cp)) {
			if (shifted)
				mutf7_end_shift(out, &b);
			shifted = 0;
			buf_append_char(out, (char)cp);
			if (cp == '&')
				buf_append_char(out, '-');
			continue;
		}
		if (!shifted)
			buf_append_char(out, '&');
		shifted = 1;
		if (cp >= 0x10000) {
			cp -= 0x10000;
			mutf7_put_unit(out, &b, 0xd800 | (cp >> 10));
			mutf7_put_unit(out, &b, 0xdc00 | (cp & 0x3ff));
		} else {
			mutf7_put_unit(out, &b, cp);
		}
	}
	if (shifted)
		mutf7_end_shift(out, &b);
	return 0;
}

/* mutf7_decode_shift - decode the BASE64 run at s (after '&') up to and
 * including its '-'; returns the bytes consumed, or 0 if invalid */
static size_t mutf7_decode_shift(const unsigned char *s, size_t len,
				 struct buf *out)
{
	uint32_t acc = 0, high = 0;
	unsigned nbits = 0, units = 0;
	size_t i;

	for (i = 0; i < len && s[i] != '-'; i++) {
		int v = mutf7_b64val(s[i]);
		uint32_t unit, cp;

		if (v < 0)
			return 0;
		acc = (acc << 6) | (uint32_t)v;
		nbits += 6;
		if (nbits < 16)
			continue;
		nbits -= 16;
		unit = (acc >> nbits) & 0xffff;
		acc &= (1u << nbits) - 1;
		units++;
		if (high != 0) {
			if (unit < 0xdc00 || unit > 0xdfff)
				return 0;
			cp = 0x10000 + ((high - 0xd800) << 10) +
			     (unit - 0xdc00);
			high = 0;
		} else if (unit >= 0xd800 && unit <= 0xdbff) {
			high = unit;
			continue;
		} else if (unit >= 0xdc00 && unit <= 0xdfff) {
			return 0;
		} else {
			cp = unit;
		}
		if (cp == 0 || mutf7_printable(cp))
			return 0;
		utf8_append(out, cp);
	}
	/* unterminated, empty, a dangling surrogate, or padding that the
	   encoder would not write */
	if (i == len || units == 0 || high != 0 || nbits >= 6 || acc != 0)
		return 0;
	return i + 1;
}

int mutf7_decode(const char *src, size_t len, struct buf *out,
		 struct sl_err *err)
{
	const unsigned char *s = (const unsigned char *)src;
	size_t start = out->len, i = 0, n;

	while (i < len) {
		unsigned char c = s[i];

		if (c < 0x20 || c > 0x7e) {
			buf_truncate(out, start);
			return err_set(err, ERR_PERM,
				       "modified UTF-7: byte 0x%02x at %zu is "
				       "not printable ASCII", c, i);
		}
		if (c != '&') {
			buf_append_char(out, (char)c);
			i++;
			continue;
		}
		if (i + 1 < len && s[i + 1] == '-') {
			buf_append_char(out, '&');
			i += 2;
			continue;
		}
		n = mutf7_decode_shift(s + i + 1, len - i - 1, out);
		/* "&A-&B-" is the encoder's "&AB-" spelled twice */
		if (n == 0 || (i + 1 + n + 1 < len && s[i + 1 + n] == '&' &&
			       s[i + 1 + n + 1] != '-')) {
			buf_truncate(out, start);
			return err_set(err, ERR_PERM,
				       "modified UTF-7: invalid encoded "
				       "sequence at %zu", i);
		}
		i += 1 + n;
	}
	return 0;
}
