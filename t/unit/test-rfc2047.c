/* test-rfc2047.c - encoded-words in header values */
#include "auto-config.h"
#include "t/tap.h"
#include "lib/buf.h"
#include "lib/rfc2047.h"

static const struct {
	const char *in, *out, *name;
} cases[] = {
	{ "plain text", "plain text", "no encoded-word" },
	{ "=?utf-8?q?caf=C3=A9?=", "caf\xc3\xa9", "Q" },
	{ "=?UTF-8?B?Y2Fmw6k=?=", "caf\xc3\xa9", "B, upper case" },
	{ "=?iso-8859-1?q?a_b?=", "a b", "Q underscore is a space" },
	{ "=?iso-8859-1?q?caf=E9?=", "caf\xc3\xa9", "latin-1 to UTF-8" },
	{ "Re: =?utf-8?q?x?= and =?utf-8?q?y?=", "Re: x and y",
	  "text between words kept" },
	{ "=?utf-8?q?a?= =?utf-8?q?b?=", "ab",
	  "space between encoded-words dropped" },
	{ "=?utf-8?q?a?=\t  =?utf-8?q?b?=", "ab",
	  "folding white space between encoded-words dropped" },
	{ "=?utf-8?b?4oI=?= =?utf-8?b?rA==?=", "\xe2\x82\xac",
	  "a character split over two words comes out whole" },
	{ "=?utf-8?q?a?= =?iso-8859-1?q?=E9?=", "a\xc3\xa9",
	  "adjacent words in different charsets" },
	{ "=?utf-8*en?q?lang?=", "lang", "RFC 2231 language ignored" },
	{ "=?utf-8?B?VEVTVA?=", "TEST", "B without padding" },
	{ "=?NONE?B?VEVTVA=?=", "TEST", "unknown charset, ASCII" },
	{ "=?x-unknown?q?caf=E9?=", "caf\xc3\xa9",
	  "unknown charset, 8-bit: Windows-1252" },
	{ "=?utf-8?x?abc?=", "=?utf-8?x?abc?=", "unknown encoding kept" },
	{ "=?utf-8?q?unterminated", "=?utf-8?q?unterminated",
	  "unterminated word kept" },
	{ "=??q?a?=", "=??q?a?=", "empty charset kept" },
	{ "a =? b ?= c", "a =? b ?= c", "not an encoded-word" },
	{ "=?=?utf-8?q?x?=", "=?x", "a word right after junk" },
	{ "x=?utf-8?q?y?=z", "xyz", "words inside text (lenient)" },
	{ "=?utf-8?q?with space?=", "with space",
	  "space inside the text (lenient)" },
	{ "=?utf-8?q?bad=ZZ?=", "bad=ZZ", "bad Q escape kept" },
	{ "raw \xc3\xa9 =?utf-8?q?x?=", "raw \xc3\xa9 x",
	  "raw UTF-8 around words kept" },
	{ "=?ISO-2022-JP?B?GyRCJUYlOSVIGyhC?=",
	  "\xe3\x83\x86\xe3\x82\xb9\xe3\x83\x88", "ISO-2022-JP" },
	{ "=?utf-8?b?YQ==?=", "a", "padding right before the end" },
	{ "=?a?q?x =?utf-8?q?y?=", "=?a?q?x y",
	  "an unterminated word ends where the next begins" },
	{ "=?utf-8?q?a\r\n b?=", "=?utf-8?q?a\r\n b?=",
	  "no word across a line break" },
	{ "", "", "empty" },
};

/* test_encode - ASCII stays as written; anything else becomes short
 * encoded-words that decode back to the input */
static void test_encode(void)
{
	static const char *const enc_cases[] = {
		"plain ascii subject", "Grüße aus Köln", "日本語のテキストです、とても長い件名で折り返しが必要になります",
		"\xf0\x9f\x98\x80 emoji", "tab\there", NULL };
	size_t i;

	for (i = 0; enc_cases[i] != NULL; i++) {
		struct buf enc = BUF_INIT, dec = BUF_INIT;
		const char *line, *nl;
		int short_lines = 1;

		rfc2047_encode(&enc, enc_cases[i], strlen(enc_cases[i]));
		for (line = buf_cstr(&enc); line != NULL; line = nl != NULL ? nl + 1 : NULL) {
			nl = strchr(line, '\n');
			if ((nl != NULL ? (size_t)(nl - line) : strlen(line)) > 76)
				short_lines = 0;
		}
		(void)rfc2047_decode(buf_cstr(&enc), enc.len, &dec);
		is_str(buf_cstr(&dec), enc_cases[i], "encode round trip %zu", i);
		ok(short_lines, "encoded lines at most 76 characters (%zu)", i);
		buf_free(&enc);
		buf_free(&dec);
	}
}

int main(void)
{
	struct buf out = BUF_INIT;
	struct pool *pool = pool_new(1024);
	size_t i, n, len;
	char *s;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		buf_reset(&out);
		(void)rfc2047_decode(cases[i].in, strlen(cases[i].in), &out);
		is_mem(out.data != NULL ? out.data : "", out.len, cases[i].out,
		       strlen(cases[i].out), "%s", cases[i].name);
	}
	buf_reset(&out);
	n = rfc2047_decode("=?utf-8?q?a?= =?utf-8?q?b?= c", 29, &out);
	is_int(n, 2, "count of decoded words");
	s = rfc2047_decode_pool(pool, "x =?utf-8?q?y?=", 15, &len);
	ok(strcmp(s, "x y") == 0 && len == 3, "pool variant");
	is_int(rfc2047_word_len("=?a?q?b?= c", 11), 9, "word length");
	is_int(rfc2047_word_len("x=?a?q?b?=", 10), 0, "no word at the start");
	ok(rfc2047_has_encoded_word("a =?a?b?YQ==?=", 14) &&
	   !rfc2047_has_encoded_word("a =?a?b?YQ==", 12), "has a word");
	buf_reset(&out);
	{
		/* a long run of words stays linear and whole */
		struct buf in = BUF_INIT;

		for (i = 0; i < 5000; i++)
			buf_append_str(&in, "=?utf-8?q?ab?=\r\n ");
		(void)rfc2047_decode(in.data, in.len, &out);
		ok(out.len == 10000 + 3, "5000 folded words joined, the "
		   "white space after the last one kept");
		buf_free(&in);
	}
	buf_free(&out);
	pool_free(&pool);
	test_encode();
	return done_testing();
}
