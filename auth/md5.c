/* md5.c - MD5 (RFC 1321) for CRAM-MD5 (RFC 2195).
 *
 * Our own because Dovecot's {CRAM-MD5} passwords store the HMAC-MD5
 * state after the key block (the compression function's four words for
 * the outer and the inner hash), and finishing an HMAC from such a state
 * needs an MD5 whose state can be set, which libcrypto no longer offers
 * without deprecated interfaces.
 */
#include "auto-config.h"
#include "auth.h"

#include "lib/ascii.h"

#include <string.h>

static const uint32_t md5_k[64] = {
	0xd76aa478, 0xe8c7b756, 0x242070db, 0xc1bdceee, 0xf57c0faf, 0x4787c62a,
	0xa8304613, 0xfd469501, 0x698098d8, 0x8b44f7af, 0xffff5bb1, 0x895cd7be,
	0x6b901122, 0xfd987193, 0xa679438e, 0x49b40821, 0xf61e2562, 0xc040b340,
	0x265e5a51, 0xe9b6c7aa, 0xd62f105d, 0x02441453, 0xd8a1e681, 0xe7d3fbc8,
	0x21e1cde6, 0xc33707d6, 0xf4d50d87, 0x455a14ed, 0xa9e3e905, 0xfcefa3f8,
	0x676f02d9, 0x8d2a4c8a, 0xfffa3942, 0x8771f681, 0x6d9d6122, 0xfde5380c,
	0xa4beea44, 0x4bdecfa9, 0xf6bb4b60, 0xbebfbc70, 0x289b7ec6, 0xeaa127fa,
	0xd4ef3085, 0x04881d05, 0xd9d4d039, 0xe6db99e5, 0x1fa27cf8, 0xc4ac5665,
	0xf4292244, 0x432aff97, 0xab9423a7, 0xfc93a039, 0x655b59c3, 0x8f0ccc92,
	0xffeff47d, 0x85845dd1, 0x6fa87e4f, 0xfe2ce6e0, 0xa3014314, 0x4e0811a1,
	0xf7537e82, 0xbd3af235, 0x2ad7d2bb, 0xeb86d391,
};

static const unsigned char md5_r[64] = {
	7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22,
	5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20,
	4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23,
	6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21,
};

static uint32_t le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static void put_le32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
	p[2] = (unsigned char)(v >> 16);
	p[3] = (unsigned char)(v >> 24);
}

/* md5_block - the compression function over one 64-byte block */
static void md5_block(uint32_t h[4], const unsigned char *block)
{
	uint32_t w[16], a = h[0], b = h[1], c = h[2], d = h[3], f, t;
	unsigned i, g;

	for (i = 0; i < 16; i++)
		w[i] = le32(block + 4 * i);
	for (i = 0; i < 64; i++) {
		if (i < 16) {
			f = (b & c) | (~b & d);
			g = i;
		} else if (i < 32) {
			f = (d & b) | (~d & c);
			g = (5 * i + 1) & 15;
		} else if (i < 48) {
			f = b ^ c ^ d;
			g = (3 * i + 5) & 15;
		} else {
			f = c ^ (b | ~d);
			g = (7 * i) & 15;
		}
		t = d;
		d = c;
		c = b;
		f += a + md5_k[i] + w[g];
		b += (f << md5_r[i]) | (f >> (32 - md5_r[i]));
		a = t;
	}
	h[0] += a;
	h[1] += b;
	h[2] += c;
	h[3] += d;
}

void md5_init(struct md5 *m)
{
	memset(m, 0, sizeof(*m));
	m->h[0] = 0x67452301;
	m->h[1] = 0xefcdab89;
	m->h[2] = 0x98badcfe;
	m->h[3] = 0x10325476;
}

void md5_update(struct md5 *m, const void *data, size_t len)
{
	const unsigned char *p = data;
	size_t take;

	m->total += len;
	while (len > 0) {
		take = sizeof(m->block) - m->fill;
		if (take > len)
			take = len;
		memcpy(m->block + m->fill, p, take);
		m->fill += take;
		p += take;
		len -= take;
		if (m->fill == sizeof(m->block)) {
			md5_block(m->h, m->block);
			m->fill = 0;
		}
	}
}

void md5_final(struct md5 *m, unsigned char digest[MD5_DIGEST_LEN])
{
	static const unsigned char pad[64] = { 0x80 };
	unsigned char bits[8];
	uint64_t total_bits = m->total * 8;
	unsigned i;

	for (i = 0; i < 8; i++)
		bits[i] = (unsigned char)(total_bits >> (8 * i));
	md5_update(m, pad, m->fill < 56 ? 56 - m->fill : 120 - m->fill);
	md5_update(m, bits, 8);
	for (i = 0; i < 4; i++)
		put_le32(digest + 4 * i, m->h[i]);
	explicit_bzero(m, sizeof(*m));
}

static void hex_encode(const unsigned char *p, size_t len, char *out)
{
	static const char hex[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < len; i++) {
		out[2 * i] = hex[p[i] >> 4];
		out[2 * i + 1] = hex[p[i] & 15];
	}
	out[2 * len] = '\0';
}

/* md5_after_key - an MD5 state that has hashed one 64-byte block */
static void md5_after_key(struct md5 *m, const unsigned char *words)
{
	unsigned i;

	md5_init(m);
	for (i = 0; i < 4; i++)
		m->h[i] = le32(words + 4 * i);
	m->total = 64;
}

int md5_cram_response(const char *contexts, const char *challenge,
		      size_t challenge_len, char hex_out[33])
{
	unsigned char ctx[32], inner[MD5_DIGEST_LEN], digest[MD5_DIGEST_LEN];
	struct md5 m;
	unsigned i;
	int hi, lo;

	if (strlen(contexts) != 64)
		return -1;
	for (i = 0; i < 32; i++) {
		hi = ascii_hex_value((unsigned char)contexts[2 * i]);
		lo = ascii_hex_value((unsigned char)contexts[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return -1;
		ctx[i] = (unsigned char)(hi << 4 | lo);
	}
	/* Dovecot's order: the outer state, then the inner one */
	md5_after_key(&m, ctx + 16);
	md5_update(&m, challenge, challenge_len);
	md5_final(&m, inner);
	md5_after_key(&m, ctx);
	md5_update(&m, inner, sizeof(inner));
	md5_final(&m, digest);
	hex_encode(digest, sizeof(digest), hex_out);
	explicit_bzero(ctx, sizeof(ctx));
	explicit_bzero(inner, sizeof(inner));
	return 0;
}

void md5_cram_contexts(const void *password, size_t len, char hex_out[65])
{
	unsigned char key[64], block[64], words[32];
	struct md5 m;
	unsigned i;

	memset(key, 0, sizeof(key));
	if (len > sizeof(key)) {
		md5_init(&m);
		md5_update(&m, password, len);
		md5_final(&m, key);
	} else {
		memcpy(key, password, len);
	}
	for (i = 0; i < 64; i++)
		block[i] = key[i] ^ 0x5c;
	md5_init(&m);
	md5_block(m.h, block);
	for (i = 0; i < 4; i++)
		put_le32(words + 4 * i, m.h[i]);
	for (i = 0; i < 64; i++)
		block[i] = key[i] ^ 0x36;
	md5_init(&m);
	md5_block(m.h, block);
	for (i = 0; i < 4; i++)
		put_le32(words + 16 + 4 * i, m.h[i]);
	hex_encode(words, sizeof(words), hex_out);
	explicit_bzero(key, sizeof(key));
	explicit_bzero(block, sizeof(block));
}
