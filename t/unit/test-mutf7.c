/* test-mutf7.c - IMAP modified UTF-7 (RFC 3501 section 5.1.3) */
#include "auto-config.h"
#include "t/tap.h"
#include "lib/mutf7.h"

#include <stdint.h>

struct pair {
	const char *utf8;
	const char *mutf7;
};

/* both directions, from RFC 3501 5.1.3 and the Maildir++ folders we write */
static const struct pair pairs[] = {
    {"", ""},
    {"INBOX", "INBOX"},
    {"~peter/mail/\xe5\x8f\xb0\xe5\x8c\x97/"
     "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e",
     "~peter/mail/&U,BTFw-/&ZeVnLIqe-"},
    {"\xe2\x98\xba!", "&Jjo-!"},
    {"\xe5\x8f\xb0\xe5\x8c\x97\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e",
     "&U,BTF2XlZyyKng-"},
    {"Entw\xc3\xbcrfe", "Entw&APw-rfe"},
    {"&", "&-"},
    {"a&b&&", "a&-b&-&-"},
    {"\xc3\xa4&", "&AOQ-&-"},
    {"Sent Items", "Sent Items"},
    {"\xc3\xa4\xc3\xb6\xc3\xbc", "&AOQA9gD8-"},
    {"\xf0\x9f\x98\x80", "&2D3eAA-"}, /* U+1F600: a pair */
    {"x\ty", "x&AAk-y"},	      /* controls are encoded */
    {"~!\"#$%'()*+,-./:;<=>?@[\\]^_`{|}", "~!\"#$%'()*+,-./:;<=>?@[\\]^_`{|}"},
    {NULL, NULL}};

/* refused by the decoder: each is something the encoder never writes */
static const char *const bad_mutf7[] = {
    "&Jjo!",		  /* RFC 3501: no shift back before '!' */
    "&U,BTFw-&ZeVnLIqe-", /* RFC 3501: superfluous shift */
    "&",		  /* unterminated */
    "abc&AOQ",		  /* unterminated */
    "&AGE-",		  /* 'a' encoded */
    "&ACY-",		  /* '&' encoded */
    "&AOR-",		  /* non-zero padding bits */
    "&AOQA-",		  /* a spare BASE64 character */
    "&A-",		  /* too few bits for one unit */
    "&2D0-",		  /* lone high surrogate */
    "&3gA-",		  /* lone low surrogate */
    "&2D3YPQ-",		  /* high surrogate then high surrogate */
    "&AAA-",		  /* U+0000 */
    "&*-",		  /* not BASE64 */
    "&AO=-",		  /* '=' padding is not used */
    "&AOQ/-",		  /* '/' is ',' in modified BASE64 */
    "tab\there",	  /* raw control character */
    "caf\xc3\xa9",	  /* raw 8-bit */
    "\x7f",
    NULL};

static const char *const bad_utf8[] = {"\xff",	       "\xc3",
				       "\xc0\xaf",     "\xe0\x80\xaf",
				       "\xed\xa0\x80", "\xf4\x90\x80\x80",
				       "ok\x80",       NULL};

/* utf8_put - encode cp as UTF-8 into s, returning the length */
static size_t utf8_put(char *s, uint32_t cp)
{
	if (cp < 0x80) {
		s[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		s[0] = (char)(0xc0 | (cp >> 6));
		s[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		s[0] = (char)(0xe0 | (cp >> 12));
		s[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		s[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	s[0] = (char)(0xf0 | (cp >> 18));
	s[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	s[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	s[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/* round_trip - encode then decode s; 1 if it comes back unchanged and
 * the encoding is printable ASCII */
static int round_trip(const char *s, size_t len)
{
	struct buf enc = BUF_INIT, dec = BUF_INIT;
	struct sl_err err;
	size_t i;
	int good;

	good = mutf7_encode(s, len, &enc, &err) == 0 &&
	       mutf7_decode(enc.data, enc.len, &dec, &err) == 0 &&
	       dec.len == len && memcmp(dec.data, s, len) == 0;
	for (i = 0; good && i < enc.len; i++)
		good = enc.data[i] >= 0x20 && enc.data[i] <= 0x7e;
	buf_free(&enc);
	buf_free(&dec);
	return good;
}

static void test_pairs(void)
{
	struct buf b = BUF_INIT;
	struct sl_err err;
	size_t i;

	for (i = 0; pairs[i].utf8 != NULL; i++) {
		buf_reset(&b);
		ok(mutf7_encode(pairs[i].utf8, strlen(pairs[i].utf8), &b,
				&err) == 0,
		   "encode #%zu", i);
		is_str(buf_cstr(&b), pairs[i].mutf7, "encode #%zu gives %s", i,
		       pairs[i].mutf7);
		buf_reset(&b);
		ok(mutf7_decode(pairs[i].mutf7, strlen(pairs[i].mutf7), &b,
				&err) == 0,
		   "decode %s", pairs[i].mutf7);
		is_str(buf_cstr(&b), pairs[i].utf8, "decode %s gives #%zu",
		       pairs[i].mutf7, i);
	}
	buf_free(&b);
}

static void test_refusals(void)
{
	struct buf b = BUF_INIT;
	struct sl_err err;
	size_t i;

	buf_append_str(&b, "keep");
	for (i = 0; bad_mutf7[i] != NULL; i++) {
		err_clear(&err);
		ok(mutf7_decode(bad_mutf7[i], strlen(bad_mutf7[i]), &b, &err) <
			   0 &&
		       err.cls == ERR_PERM && b.len == 4,
		   "decode refuses bad #%zu (%s)", i, err.text);
	}
	for (i = 0; bad_utf8[i] != NULL; i++) {
		err_clear(&err);
		ok(mutf7_encode(bad_utf8[i], strlen(bad_utf8[i]), &b, &err) <
			   0 &&
		       err.cls == ERR_PERM && b.len == 4,
		   "encode refuses invalid UTF-8 #%zu (%s)", i, err.text);
	}
	ok(mutf7_encode("a\0b", 3, &b, &err) < 0 && b.len == 4,
	   "encode refuses a NUL");
	is_str(buf_cstr(&b), "keep", "output untouched by refusals");
	buf_free(&b);
}

/* test_round_trips - every BMP scalar value and a spread of the rest,
 * alone, between ASCII and next to each other (shift boundaries) */
static void test_round_trips(void)
{
	char s[32];
	uint32_t cp;
	size_t n, bad = 0, tried = 0;

	for (cp = 1; cp <= 0x10ffff; cp += cp < 0x10000 ? 1 : 97) {
		if (cp >= 0xd800 && cp <= 0xdfff)
			continue;
		n = utf8_put(s, cp);
		n += utf8_put(s + n, 'x');
		n += utf8_put(s + n, cp);
		n += utf8_put(s + n, cp);
		n += utf8_put(s + n, cp ^ 1 ? cp ^ 1 : 2);
		n += utf8_put(s + n, '&');
		tried++;
		if (!round_trip(s, n) ||
		    !round_trip(s, 1 + (cp >= 0x80) + (cp >= 0x800) +
				       (cp >= 0x10000))) {
			if (bad++ < 5)
				diag("round trip failed for U+%04X",
				     (unsigned)cp);
		}
	}
	is_int(bad, 0, "%zu strings survive encode+decode", tried);
}

int main(void)
{
	test_pairs();
	test_refusals();
	test_round_trips();
	return done_testing();
}
