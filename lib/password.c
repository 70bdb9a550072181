/* password.c - Dovecot's password schemes: "{SCHEME}data" split, decoded
 * (hex or base64, guessed as Dovecot's password_decode does), verified
 * and generated through libxcrypt (the crypt(3) family), libcrypto
 * (digests) and libargon2. Every copy of a password or of a secret
 * derived from it is wiped before it is freed.
 */
#include "auto-config.h"

/* CRAM-MD5 stores MD5's internal state after one block (the HMAC inner
 * and outer contexts, as Dovecot's hmac_md5_get_cram_context); only
 * the low-level MD5 API exposes it, deprecated in OpenSSL 3 but there */
#define OPENSSL_SUPPRESS_DEPRECATED 1

#include "base64.h"
#include "password.h"
#include "xalloc.h"

#include <crypt.h>
#include <errno.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/md5.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#ifdef HAVE_ARGON2
#include <argon2.h>
#endif

_Static_assert(PASSWORD_MAX + 1 == CRYPT_MAX_PASSPHRASE_SIZE,
	       "PASSWORD_MAX follows libxcrypt");

/* Limits (one place). */
#define PW_NAME_MAX 32		/* longest scheme name looked up or shown */
#define PW_SALT_LEN 16		/* salt bytes of SSHA*, SMD5 (Dovecot: 4) */
#define PW_RANDOM_LEN 32	/* crypt_gensalt input; each method takes
				   what it needs */
#define PW_CRAM_LEN 32		/* two MD5 states of four 32-bit words */
#define PW_ARGON2_SALT 16	/* as libsodium's crypto_pwhash_str */
#define PW_ARGON2_HASH 32
/* largest argon2 memory cost (KiB) a stored hash may ask for: 4 GiB
 * (libsodium's "sensitive" is 1 GiB); more is a corrupt entry, not a
 * reason to let one login allocate it */
#define PW_ARGON2_MEM_MAX (4u * 1024 * 1024)

enum pw_kind {
	PW_PLAIN,	/* the password itself */
	PW_CRYPT,	/* crypt(3): the string is the setting */
	PW_MD5,		/* Dovecot's "MD5": MD5-CRYPT or PLAIN-MD5 */
	PW_DIGEST,	/* digest(password) */
	PW_SALTED,	/* digest(password || salt) || salt */
	PW_CRAM,	/* HMAC-MD5 contexts */
	PW_ARGON2,	/* PHC string, $argon2i[d]$v=19$m=,t=,p=$salt$hash */
};

enum pw_enc { PW_ENC_NONE, PW_ENC_HEX, PW_ENC_B64 };

struct pw_scheme {
	const char *name;
	enum pw_kind kind;
	enum pw_enc enc;		/* default encoding */
	size_t raw_len;			/* decoded length; 0: any */
	const EVP_MD *(*md)(void);	/* PW_DIGEST, PW_SALTED */
	const char *gen;		/* crypt prefix or argon2 type; NULL
					   with PW_CRYPT: verify only */
	const char *label;		/* name of generated strings; NULL:
					   name */
	unsigned rmin, rmax;		/* rounds; 0 0: none */
	const char *rwhat;
};

static const struct pw_scheme pw_schemes[] = {
	{ "SHA512-CRYPT", PW_CRYPT, PW_ENC_NONE, 0, NULL, "$6$", NULL,
	  1000, 999999999, "rounds" },
	{ "SHA256-CRYPT", PW_CRYPT, PW_ENC_NONE, 0, NULL, "$5$", NULL,
	  1000, 999999999, "rounds" },
	{ "BLF-CRYPT", PW_CRYPT, PW_ENC_NONE, 0, NULL, "$2y$", NULL,
	  4, 31, "cost (log2)" },
	/* Dovecot 2.3 has no name for yescrypt; its CRYPT verifies $y$ */
	{ "YESCRYPT", PW_CRYPT, PW_ENC_NONE, 0, NULL, "$y$", "CRYPT",
	  1, 11, "cost" },
	{ "MD5-CRYPT", PW_CRYPT, PW_ENC_NONE, 0, NULL, "$1$", NULL, 0, 0,
	  NULL },
	/* any crypt(3) string; made as Dovecot 2.3 makes it: bcrypt */
	{ "CRYPT", PW_CRYPT, PW_ENC_NONE, 0, NULL, "$2y$", NULL,
	  4, 31, "cost (log2)" },
	/* DES: the first 8 bytes of the password only; verified, not made */
	{ "DES-CRYPT", PW_CRYPT, PW_ENC_NONE, 0, NULL, NULL, NULL, 0, 0,
	  NULL },
	{ "ARGON2ID", PW_ARGON2, PW_ENC_NONE, 0, NULL, "id", NULL,
	  1, 64, "time cost (passes)" },
	{ "ARGON2I", PW_ARGON2, PW_ENC_NONE, 0, NULL, "i", NULL,
	  3, 64, "time cost (passes)" },
	{ "SSHA512", PW_SALTED, PW_ENC_B64, 0, EVP_sha512, NULL, NULL, 0, 0,
	  NULL },
	{ "SSHA256", PW_SALTED, PW_ENC_B64, 0, EVP_sha256, NULL, NULL, 0, 0,
	  NULL },
	{ "SSHA", PW_SALTED, PW_ENC_B64, 0, EVP_sha1, NULL, NULL, 0, 0, NULL },
	{ "SMD5", PW_SALTED, PW_ENC_B64, 0, EVP_md5, NULL, NULL, 0, 0, NULL },
	{ "SHA512", PW_DIGEST, PW_ENC_B64, 64, EVP_sha512, NULL, NULL, 0, 0,
	  NULL },
	{ "SHA256", PW_DIGEST, PW_ENC_B64, 32, EVP_sha256, NULL, NULL, 0, 0,
	  NULL },
	{ "SHA1", PW_DIGEST, PW_ENC_B64, 20, EVP_sha1, NULL, NULL, 0, 0, NULL },
	{ "SHA", PW_DIGEST, PW_ENC_B64, 20, EVP_sha1, NULL, NULL, 0, 0, NULL },
	{ "PLAIN-MD5", PW_DIGEST, PW_ENC_HEX, 16, EVP_md5, NULL, NULL, 0, 0,
	  NULL },
	{ "LDAP-MD5", PW_DIGEST, PW_ENC_B64, 16, EVP_md5, NULL, NULL, 0, 0,
	  NULL },
	/* made as MD5-CRYPT, verifies MD5-CRYPT or PLAIN-MD5 */
	{ "MD5", PW_MD5, PW_ENC_NONE, 0, EVP_md5, "$1$", NULL, 0, 0, NULL },
	{ "CRAM-MD5", PW_CRAM, PW_ENC_HEX, PW_CRAM_LEN, NULL, NULL, NULL,
	  0, 0, NULL },
	{ "PLAIN", PW_PLAIN, PW_ENC_NONE, 0, NULL, NULL, NULL, 0, 0, NULL },
	{ "CLEAR", PW_PLAIN, PW_ENC_NONE, 0, NULL, NULL, NULL, 0, 0, NULL },
	{ "CLEARTEXT", PW_PLAIN, PW_ENC_NONE, 0, NULL, NULL, NULL, 0, 0,
	  NULL },
};
#define PW_N_SCHEMES (sizeof(pw_schemes) / sizeof(pw_schemes[0]))

/* a scheme as named: the table entry and the encoding ("SHA256.HEX") */
struct pw_named {
	const struct pw_scheme *s;
	enum pw_enc enc;
	int explicit_enc;	/* a suffix chose it */
	const char *suffix;	/* "HEX", "B64", "BASE64" or NULL */
};

/* ---- small helpers ---- */

/* pw_wipe - erase and free a buffer that held a secret */
static void pw_wipe(struct buf *b)
{
	if (b->data != NULL)
		explicit_bzero(b->data, b->cap);
	buf_free(b);
}

/* pw_equal - 1 when equal; the time depends on the lengths only */
static int pw_equal(const void *a, size_t alen, const void *b, size_t blen)
{
	if (alen != blen)
		return 0;
	return CRYPTO_memcmp(a, b, alen) == 0;
}

/* pw_random - n unpredictable bytes from the kernel */
static int pw_random(unsigned char *out, size_t n, struct sl_err *err)
{
	size_t got = 0;
	ssize_t r;

	while (got < n) {
		r = getrandom(out + got, n - got, 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return err_set_errno(err, errno, "getrandom");
		got += (size_t)r;
	}
	return 0;
}

/* pw_available - built in (argon2 needs libargon2) */
static int pw_available(const struct pw_scheme *s)
{
#ifdef HAVE_ARGON2
	(void)s;
	return 1;
#else
	return s->kind != PW_ARGON2;
#endif
}

/* pw_lookup - "NAME[.HEX|.B64|.BASE64]" (len bytes, any case): 1 with
 * *n filled, 0 unknown, -1 known but not built in (err says so) */
static int pw_lookup(const char *name, size_t len, struct pw_named *n,
		     struct sl_err *err)
{
	const char *dot = memchr(name, '.', len);
	size_t nlen = dot != NULL ? (size_t)(dot - name) : len, i;

	memset(n, 0, sizeof(*n));
	for (i = 0; i < PW_N_SCHEMES; i++) {
		if (strlen(pw_schemes[i].name) == nlen &&
		    strncasecmp(pw_schemes[i].name, name, nlen) == 0)
			break;
	}
	if (i == PW_N_SCHEMES)
		return 0;
	n->s = &pw_schemes[i];
	n->enc = n->s->enc;
	if (dot != NULL) {
		const char *suf = dot + 1;
		size_t slen = len - nlen - 1;

		n->explicit_enc = 1;
		if (slen == 3 && strncasecmp(suf, "HEX", 3) == 0) {
			n->enc = PW_ENC_HEX;
			n->suffix = "HEX";
		} else if (slen == 3 && strncasecmp(suf, "B64", 3) == 0) {
			n->enc = PW_ENC_B64;
			n->suffix = "B64";
		} else if (slen == 6 && strncasecmp(suf, "BASE64", 6) == 0) {
			n->enc = PW_ENC_B64;
			n->suffix = "BASE64";
		} else {
			return 0;
		}
	}
	if (!pw_available(n->s))
		return err_set(err, ERR_PERM, "unknown scheme %s: sluice was "
			       "built without libargon2 (install "
			       "libargon2-dev and rebuild)", n->s->name);
	return 1;
}

/* pw_find - pw_lookup with the "unknown scheme" error; 0 or -1 */
static int pw_find(const char *name, size_t len, struct pw_named *n,
		   struct sl_err *err)
{
	int r = pw_lookup(name, len, n, err);

	if (r == 0)
		err_set(err, ERR_PERM, "unknown scheme {%.*s}",
			len > PW_NAME_MAX ? PW_NAME_MAX : (int)len, name);
	return r > 0 ? 0 : -1;
}

/* ---- encodings ---- */

/* pw_hex_encode - lowercase hex appended to out */
static void pw_hex_encode(const unsigned char *in, size_t n, struct buf *out)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	buf_reserve(out, size_mul(n, 2));
	for (i = 0; i < n; i++) {
		buf_append_char(out, digits[in[i] >> 4]);
		buf_append_char(out, digits[in[i] & 15]);
	}
}

static int pw_hex_value(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* pw_hex_decode - hex (either case, even length) appended to out */
static int pw_hex_decode(const char *in, size_t len, struct buf *out)
{
	size_t i;

	if (len % 2 != 0)
		return -1;
	buf_reserve(out, len / 2);
	for (i = 0; i < len; i += 2) {
		int hi = pw_hex_value(in[i]), lo = pw_hex_value(in[i + 1]);

		if (hi < 0 || lo < 0)
			return -1;
		buf_append_char(out, (char)(hi << 4 | lo));
	}
	return 0;
}

/* pw_encode - raw in the named encoding, appended to out */
static void pw_encode(enum pw_enc enc, const unsigned char *raw, size_t len,
		      struct buf *out)
{
	if (enc == PW_ENC_HEX)
		pw_hex_encode(raw, len, out);
	else if (enc == PW_ENC_B64)
		base64_encode(raw, len, out);
	else
		buf_append(out, raw, len);
}

/* pw_decode - the stored data as bytes into raw, as Dovecot's
 * password_decode: without a suffix, a fixed-length scheme's encoding
 * is guessed from the length (hex is twice the raw length; a string
 * that is no hex after all is tried as base64); then the raw length
 * must be right. 0, or -1 with err (never the data). */
static int pw_decode(const struct pw_named *n, const char *data, size_t len,
		     struct buf *raw, struct sl_err *err)
{
	enum pw_enc enc = n->enc;
	int guessed = 0;

	if (enc != PW_ENC_NONE && n->s->raw_len != 0 && !n->explicit_enc) {
		enc = len == n->s->raw_len * 2 ? PW_ENC_HEX : PW_ENC_B64;
		guessed = 1;
	}
	switch (enc) {
	case PW_ENC_NONE:
		buf_append(raw, data, len);
		break;
	case PW_ENC_HEX:
		if (pw_hex_decode(data, len, raw) == 0)
			break;
		if (!guessed)
			return err_set(err, ERR_PERM, "%s: the stored hash is "
				       "not valid hex", n->s->name);
		pw_wipe(raw);
		/* base64 may have the same length */
		/* fall through */
	case PW_ENC_B64:
		if (base64_decode(data, len, raw) < 0)
			return err_set(err, ERR_PERM, "%s: the stored hash is "
				       "not valid base64", n->s->name);
		break;
	}
	if (n->s->raw_len != 0 && raw->len != n->s->raw_len)
		return err_set(err, ERR_PERM, "%s: the stored hash has %zu "
			       "bytes instead of %zu", n->s->name, raw->len,
			       n->s->raw_len);
	return 0;
}

/* ---- digests ---- */

/* pw_digest - md(a || b) into out (EVP_MAX_MD_SIZE); its length, or -1 */
static int pw_digest(const EVP_MD *md, const void *a, size_t alen,
		     const void *b, size_t blen, unsigned char *out,
		     struct sl_err *err)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	unsigned int len = 0;
	int ok;

	ok = ctx != NULL && EVP_DigestInit_ex(ctx, md, NULL) == 1 &&
		EVP_DigestUpdate(ctx, a, alen) == 1 &&
		(blen == 0 || EVP_DigestUpdate(ctx, b, blen) == 1) &&
		EVP_DigestFinal_ex(ctx, out, &len) == 1;
	EVP_MD_CTX_free(ctx);
	if (!ok)
		return err_set(err, ERR_TEMP, "OpenSSL %s failed",
			       EVP_MD_name(md));
	return (int)len;
}

/* pw_md5_state - MD5's four state words after one 64-byte block, as
 * little-endian bytes */
static void pw_md5_state(const unsigned char block[64], unsigned char *out)
{
	MD5_CTX ctx;
	MD5_LONG w[4];
	size_t i;

	MD5_Init(&ctx);
	MD5_Update(&ctx, block, 64);
	w[0] = ctx.A;
	w[1] = ctx.B;
	w[2] = ctx.C;
	w[3] = ctx.D;
	for (i = 0; i < 4; i++) {
		out[i * 4] = (unsigned char)(w[i] & 0xff);
		out[i * 4 + 1] = (unsigned char)(w[i] >> 8 & 0xff);
		out[i * 4 + 2] = (unsigned char)(w[i] >> 16 & 0xff);
		out[i * 4 + 3] = (unsigned char)(w[i] >> 24 & 0xff);
	}
	explicit_bzero(&ctx, sizeof(ctx));
	explicit_bzero(w, sizeof(w));
}

/* pw_cram_context - CRAM-MD5's stored secret: the MD5 states after the
 * HMAC outer pad block, then after the inner one (RFC 2195 section 3,
 * Dovecot's hmac_md5_get_cram_context) */
static int pw_cram_context(const char *plain, size_t len,
			   unsigned char out[PW_CRAM_LEN], struct sl_err *err)
{
	unsigned char key[64], pad[64];
	size_t i;

	memset(key, 0, sizeof(key));
	if (len > sizeof(key)) {
		if (pw_digest(EVP_md5(), plain, len, NULL, 0, key, err) < 0)
			return -1;
	} else if (len > 0) {
		memcpy(key, plain, len);
	}
	for (i = 0; i < 64; i++)
		pad[i] = key[i] ^ 0x5c;
	pw_md5_state(pad, out);
	for (i = 0; i < 64; i++)
		pad[i] = key[i] ^ 0x36;
	pw_md5_state(pad, out + 16);
	explicit_bzero(key, sizeof(key));
	explicit_bzero(pad, sizeof(pad));
	return 0;
}

/* ---- crypt(3) ---- */

/* pw_cstring - the password NUL-terminated in s, for crypt(3); 0 when
 * it cannot be one (a NUL inside, or longer than PASSWORD_MAX) */
static int pw_cstring(const char *plain, size_t len, struct buf *s)
{
	if (len > PASSWORD_MAX || memchr(plain, '\0', len) != NULL)
		return 0;
	buf_reserve(s, len);
	buf_append(s, plain, len);
	return 1;
}

/* pw_crypt_verify - 1 when plain hashes to hash (a NUL-terminated
 * crypt(3) string), 0 when not, -1 when the hash is no crypt string */
static int pw_crypt_verify(const char *hash, const char *plain, size_t len,
			   struct sl_err *err)
{
	struct crypt_data *cd;
	struct buf s = BUF_INIT;
	int ret;

	/* some crypt(3)s answer "" for "": an empty hash matches nothing */
	if (*hash == '\0' || !pw_cstring(plain, len, &s))
		return 0;
	cd = xcalloc(1, sizeof(*cd));
	errno = 0;
	if (crypt_rn(buf_cstr(&s), hash, cd, (int)sizeof(*cd)) == NULL ||
	    cd->output[0] == '*')
		ret = err_set(err, ERR_PERM, "the stored hash is no crypt(3) "
			      "string this system knows");
	else
		ret = pw_equal(cd->output, strlen(cd->output), hash,
			       strlen(hash));
	explicit_bzero(cd, sizeof(*cd));
	free(cd);
	pw_wipe(&s);
	return ret;
}

/* pw_crypt_err - libxcrypt's errno: EINVAL/ERANGE mean bad input */
static int pw_crypt_err(struct sl_err *err, int errnum, const char *what)
{
	if (errnum == EINVAL || errnum == ERANGE || errnum == 0)
		return err_set(err, ERR_USAGE, "%s: %s", what,
			       errnum == 0 ? "failed" : strerror(errnum));
	return err_set_errno(err, errnum, "%s", what);
}

/* pw_crypt_generate - a new crypt(3) string with the prefix's method */
static int pw_crypt_generate(const char *prefix, unsigned rounds,
			     const char *plain, size_t len, struct buf *out,
			     struct sl_err *err)
{
	unsigned char rbytes[PW_RANDOM_LEN];
	char setting[CRYPT_GENSALT_OUTPUT_SIZE];
	struct crypt_data *cd;
	struct buf s = BUF_INIT;
	int ret = 0;

	if (!pw_cstring(plain, len, &s))
		return err_set(err, ERR_USAGE, "crypt(3) schemes take no "
			       "password longer than %d bytes or holding a "
			       "NUL byte", PASSWORD_MAX);
	if (pw_random(rbytes, sizeof(rbytes), err) < 0) {
		pw_wipe(&s);
		return -1;
	}
	errno = 0;
	if (crypt_gensalt_rn(prefix, rounds, (const char *)rbytes,
			     (int)sizeof(rbytes), setting,
			     (int)sizeof(setting)) == NULL) {
		explicit_bzero(rbytes, sizeof(rbytes));
		pw_wipe(&s);
		return pw_crypt_err(err, errno, "making a salt");
	}
	explicit_bzero(rbytes, sizeof(rbytes));
	cd = xcalloc(1, sizeof(*cd));
	errno = 0;
	if (crypt_rn(buf_cstr(&s), setting, cd, (int)sizeof(*cd)) == NULL ||
	    cd->output[0] == '*')
		ret = pw_crypt_err(err, errno, "crypt");
	else
		buf_append_str(out, cd->output);
	explicit_bzero(cd, sizeof(*cd));
	free(cd);
	pw_wipe(&s);
	return ret;
}

/* ---- argon2 ---- */

#ifdef HAVE_ARGON2
/* pw_argon2_type - from the PHC string's prefix; -1 if none */
static int pw_argon2_type(const char *hash, argon2_type *type_r)
{
	if (strncmp(hash, "$argon2id$", 10) == 0)
		*type_r = Argon2_id;
	else if (strncmp(hash, "$argon2i$", 9) == 0)
		*type_r = Argon2_i;
	else
		return -1;
	return 0;
}

/* pw_argon2_mem - the m= cost of a PHC string (KiB), 0 if unreadable */
static unsigned long pw_argon2_mem(const char *hash)
{
	const char *m = strstr(hash, "$m=");

	if (m == NULL || m[3] < '0' || m[3] > '9')
		return 0;
	return strtoul(m + 3, NULL, 10);
}

/* pw_argon2_verify - libargon2 reads the parameters from the string and
 * compares in constant time */
static int pw_argon2_verify(const char *hash, const char *plain, size_t len,
			    struct sl_err *err)
{
	argon2_type type;
	unsigned long mem;
	int r;

	if (pw_argon2_type(hash, &type) < 0)
		return err_set(err, ERR_PERM, "the stored hash is no argon2 "
			       "string ($argon2i$ or $argon2id$)");
	mem = pw_argon2_mem(hash);
	if (mem == 0 || mem > PW_ARGON2_MEM_MAX)
		return err_set(err, ERR_PERM, "the stored argon2 hash asks "
			       "for %lu KiB of memory (at most %u)", mem,
			       PW_ARGON2_MEM_MAX);
	r = argon2_verify(hash, plain, len, type);
	if (r == ARGON2_OK)
		return 1;
	if (r == ARGON2_VERIFY_MISMATCH)
		return 0;
	if (r == ARGON2_MEMORY_ALLOCATION_ERROR)
		return err_set(err, ERR_TEMP, "argon2: %s",
			       argon2_error_message(r));
	return err_set(err, ERR_PERM, "the stored argon2 hash cannot be "
		       "checked: %s", argon2_error_message(r));
}

/* pw_argon2_generate - as Dovecot (libsodium's crypto_pwhash_str):
 * argon2i t=4 m=32 MiB, argon2id t=3 m=64 MiB, p=1; rounds sets t */
static int pw_argon2_generate(const char *gen, unsigned rounds,
			      const char *plain, size_t len, struct buf *out,
			      struct sl_err *err)
{
	int id = strcmp(gen, "id") == 0;
	uint32_t t = rounds != 0 ? rounds : id ? 3 : 4;
	uint32_t m = id ? 65536 : 32768;
	argon2_type type = id ? Argon2_id : Argon2_i;
	unsigned char salt[PW_ARGON2_SALT];
	size_t elen = argon2_encodedlen(t, m, 1, sizeof(salt), PW_ARGON2_HASH,
					type);
	char *enc;
	int r;

	if (pw_random(salt, sizeof(salt), err) < 0)
		return -1;
	enc = xcalloc(1, elen + 1);
	r = (id ? argon2id_hash_encoded : argon2i_hash_encoded)
		(t, m, 1, plain, len, salt, sizeof(salt), PW_ARGON2_HASH, enc,
		 elen + 1);
	if (r == ARGON2_OK)
		buf_append_str(out, enc);
	free(enc);
	if (r != ARGON2_OK)
		return err_set(err, r == ARGON2_MEMORY_ALLOCATION_ERROR ?
			       ERR_TEMP : ERR_USAGE, "argon2: %s",
			       argon2_error_message(r));
	return 0;
}
#else
/* without libargon2, pw_lookup never hands out an ARGON2 scheme */
static int pw_argon2_verify(const char *hash, const char *plain, size_t len,
			    struct sl_err *err)
{
	return err_set(err, ERR_PERM, "argon2 is not built in");
}

static int pw_argon2_generate(const char *gen, unsigned rounds,
			      const char *plain, size_t len, struct buf *out,
			      struct sl_err *err)
{
	return err_set(err, ERR_PERM, "argon2 is not built in");
}
#endif

/* ---- verify ---- */

/* pw_split - the scheme of stored and where its data starts, as
 * Dovecot's password_get_scheme: "{SCHEME}data"; else a "$1$salt$hash"
 * string is MD5-CRYPT (*len_r ends it after the hash); else the
 * default scheme. */
static int pw_split(const char *stored, const char *dflt, struct pw_named *n,
		    const char **data_r, size_t *len_r, struct sl_err *err)
{
	const char *close;

	if (stored[0] == '{' && (close = strchr(stored, '}')) != NULL) {
		*data_r = close + 1;
		*len_r = strlen(close + 1);
		return pw_find(stored + 1, (size_t)(close - stored - 1), n,
			       err);
	}
	*data_r = stored;
	*len_r = strlen(stored);
	if (strncmp(stored, "$1$", 3) == 0 &&
	    (close = strchr(stored + 3, '$')) != NULL) {
		/* $1$<salt>$<hash>[$<ignored>] */
		if ((close = strchr(close + 1, '$')) != NULL)
			*len_r = (size_t)(close - stored);
		return pw_find("MD5-CRYPT", 9, n, err);
	}
	if (dflt == NULL || *dflt == '\0')
		return err_set(err, ERR_USAGE, "the stored password has no "
			       "{SCHEME} prefix and no default scheme is given");
	return pw_find(dflt, strlen(dflt), n, err);
}

/* pw_md5_verify - Dovecot's MD5: an MD5-CRYPT string, else PLAIN-MD5 in
 * hex or base64 */
static int pw_md5_verify(const struct buf *raw, const char *plain,
			 size_t len, struct sl_err *err)
{
	struct pw_named pm;
	struct buf md5 = BUF_INIT;
	unsigned char md[EVP_MAX_MD_SIZE];
	int r;

	if (strncmp(buf_cstr(raw), "$1$", 3) == 0)
		return pw_crypt_verify(buf_cstr(raw), plain, len, err);
	if (pw_find("PLAIN-MD5", 9, &pm, err) < 0)
		return -1;
	if (pw_decode(&pm, raw->data, raw->len, &md5, err) < 0) {
		buf_free(&md5);
		return err_set(err, ERR_PERM, "MD5: the stored hash is no "
			       "MD5-CRYPT nor PLAIN-MD5 string");
	}
	r = pw_digest(EVP_md5(), plain, len, NULL, 0, md, err);
	if (r >= 0)
		r = pw_equal(md, (size_t)r, md5.data, md5.len);
	buf_free(&md5);
	explicit_bzero(md, sizeof(md));
	return r;
}

/* pw_check - the decoded stored secret against plain: 1, 0 or -1 */
static int pw_check(const struct pw_scheme *s, const struct buf *raw,
		    const char *plain, size_t len, struct sl_err *err)
{
	unsigned char md[EVP_MAX_MD_SIZE + PW_CRAM_LEN];
	int r = -1, mdlen;

	switch (s->kind) {
	case PW_PLAIN:
		return pw_equal(raw->data != NULL ? raw->data : "", raw->len,
				plain, len);
	case PW_CRYPT:
		return pw_crypt_verify(buf_cstr(raw), plain, len, err);
	case PW_MD5:
		return pw_md5_verify(raw, plain, len, err);
	case PW_ARGON2:
		return pw_argon2_verify(buf_cstr(raw), plain, len, err);
	case PW_DIGEST:
		if ((r = pw_digest(s->md(), plain, len, NULL, 0, md, err)) >= 0)
			r = pw_equal(md, (size_t)r, raw->data, raw->len);
		break;
	case PW_SALTED:
		mdlen = EVP_MD_size(s->md());
		if (mdlen <= 0 || raw->len <= (size_t)mdlen)
			return err_set(err, ERR_PERM, "%s: the stored hash is "
				       "too short", s->name);
		r = pw_digest(s->md(), plain, len, raw->data + mdlen,
			      raw->len - (size_t)mdlen, md, err);
		if (r >= 0)
			r = pw_equal(md, (size_t)r, raw->data, (size_t)mdlen);
		break;
	case PW_CRAM:
		if ((r = pw_cram_context(plain, len, md, err)) == 0)
			r = pw_equal(md, PW_CRAM_LEN, raw->data, raw->len);
		break;
	}
	explicit_bzero(md, sizeof(md));
	return r;
}

int password_verify(const char *stored, const char *default_scheme,
		    const char *plain, size_t plain_len, struct sl_err *err)
{
	struct pw_named n;
	struct buf raw = BUF_INIT;
	const char *data;
	size_t len;
	int r;

	if (pw_split(stored, default_scheme, &n, &data, &len, err) < 0)
		return -1;
	r = pw_decode(&n, data, len, &raw, err);
	if (r == 0)
		r = pw_check(n.s, &raw, plain, plain_len, err);
	pw_wipe(&raw);
	return r;
}

/* ---- generate ---- */

/* pw_check_rounds - rounds against the scheme's range */
static int pw_check_rounds(const struct pw_scheme *s, unsigned rounds,
			   struct sl_err *err)
{
	if (rounds == 0)
		return 0;
	if (s->rmax == 0)
		return err_set(err, ERR_USAGE, "%s takes no rounds", s->name);
	if (rounds < s->rmin || rounds > s->rmax)
		return err_set(err, ERR_USAGE, "%s %s must be %u to %u",
			       s->name, s->rwhat, s->rmin, s->rmax);
	return 0;
}

int password_generate_check(const char *scheme, unsigned rounds,
			    struct sl_err *err)
{
	struct pw_named n;

	if (pw_find(scheme, strlen(scheme), &n, err) < 0) {
		err->cls = ERR_USAGE;
		return -1;
	}
	if ((n.s->kind == PW_CRYPT || n.s->kind == PW_MD5) && n.s->gen == NULL)
		return err_set(err, ERR_USAGE, "%s hashes can be verified but "
			       "not made (they use the first 8 bytes of a "
			       "password only)", n.s->name);
	return pw_check_rounds(n.s, rounds, err);
}

/* pw_make - the scheme's raw secret for plain into raw */
static int pw_make(const struct pw_scheme *s, unsigned rounds,
		   const char *plain, size_t len, struct buf *raw,
		   struct sl_err *err)
{
	unsigned char md[EVP_MAX_MD_SIZE + PW_SALT_LEN];
	int r = 0;

	switch (s->kind) {
	case PW_PLAIN:
		buf_append(raw, plain, len);
		break;
	case PW_CRYPT:
	case PW_MD5:
		return pw_crypt_generate(s->gen, rounds, plain, len, raw, err);
	case PW_ARGON2:
		return pw_argon2_generate(s->gen, rounds, plain, len, raw, err);
	case PW_DIGEST:
		if ((r = pw_digest(s->md(), plain, len, NULL, 0, md, err)) > 0)
			buf_append(raw, md, (size_t)r);
		break;
	case PW_SALTED: {
		unsigned char salt[PW_SALT_LEN];

		if (pw_random(salt, sizeof(salt), err) < 0)
			return -1;
		r = pw_digest(s->md(), plain, len, salt, sizeof(salt), md, err);
		if (r > 0) {
			memcpy(md + r, salt, sizeof(salt));
			buf_append(raw, md, (size_t)r + sizeof(salt));
		}
		break;
	}
	case PW_CRAM:
		if ((r = pw_cram_context(plain, len, md, err)) == 0)
			buf_append(raw, md, PW_CRAM_LEN);
		break;
	}
	explicit_bzero(md, sizeof(md));
	return r < 0 ? -1 : 0;
}

int password_generate(const char *scheme, const char *plain,
		      size_t plain_len, unsigned rounds, struct buf *out,
		      struct sl_err *err)
{
	struct pw_named n;
	struct buf raw = BUF_INIT;

	if (password_generate_check(scheme, rounds, err) < 0 ||
	    pw_find(scheme, strlen(scheme), &n, err) < 0)
		return -1;
	buf_reserve(&raw, plain_len + 256);
	if (pw_make(n.s, rounds, plain, plain_len, &raw, err) < 0) {
		pw_wipe(&raw);
		return -1;
	}
	buf_printf(out, "{%s%s%s}", n.s->label != NULL ? n.s->label
		   : n.s->name, n.suffix != NULL ? "." : "",
		   n.suffix != NULL ? n.suffix : "");
	pw_encode(n.enc, (const unsigned char *)raw.data, raw.len, out);
	pw_wipe(&raw);
	return 0;
}

/* ---- credentials ---- */

int password_credentials(const char *stored, const char *default_scheme,
			 const char *want, struct buf *out, struct sl_err *err)
{
	struct pw_named n;
	struct buf raw = BUF_INIT;
	unsigned char ctx[PW_CRAM_LEN];
	const char *data;
	size_t len;
	int r, want_cram = strcasecmp(want, "CRAM-MD5") == 0;

	if (!want_cram && strcasecmp(want, "PLAIN") != 0)
		return err_set(err, ERR_USAGE, "credentials of scheme %.*s "
			       "cannot be given (only PLAIN, CRAM-MD5)",
			       PW_NAME_MAX, want);
	if (pw_split(stored, default_scheme, &n, &data, &len, err) < 0)
		return -1;
	if (n.s->kind != PW_PLAIN && !(want_cram && n.s->kind == PW_CRAM))
		return 0;
	if (pw_decode(&n, data, len, &raw, err) < 0) {
		pw_wipe(&raw);
		return -1;
	}
	r = 1;
	if (!want_cram) {
		buf_append(out, raw.data != NULL ? raw.data : "", raw.len);
	} else if (n.s->kind == PW_CRAM) {
		pw_hex_encode((const unsigned char *)raw.data, raw.len, out);
	} else if ((r = pw_cram_context(raw.data != NULL ? raw.data : "",
					raw.len, ctx, err)) == 0) {
		pw_hex_encode(ctx, sizeof(ctx), out);
		r = 1;
	}
	explicit_bzero(ctx, sizeof(ctx));
	pw_wipe(&raw);
	return r;
}

/* ---- scheme information ---- */

int password_scheme_known(const char *scheme)
{
	struct pw_named n;
	struct sl_err e;

	return pw_lookup(scheme, strlen(scheme), &n, &e) > 0;
}

int password_scheme_flags(const char *scheme)
{
	struct pw_named n;
	struct sl_err e;
	int flags = 0;

	if (pw_lookup(scheme, strlen(scheme), &n, &e) <= 0)
		return -1;
	if (n.s->kind == PW_PLAIN)
		flags |= PASSWORD_SCHEME_PLAINTEXT;
	if (!((n.s->kind == PW_CRYPT || n.s->kind == PW_MD5) &&
	      n.s->gen == NULL))
		flags |= PASSWORD_SCHEME_GENERATE;
	if (n.s->rmax != 0)
		flags |= PASSWORD_SCHEME_ROUNDS;
	return flags;
}

const char *password_scheme_name(size_t i, const char **label_r)
{
	size_t k;

	for (k = 0; k < PW_N_SCHEMES; k++) {
		if (!pw_available(&pw_schemes[k]) || i-- > 0)
			continue;
		if (label_r != NULL)
			*label_r = pw_schemes[k].label != NULL
				? pw_schemes[k].label : pw_schemes[k].name;
		return pw_schemes[k].name;
	}
	return NULL;
}
