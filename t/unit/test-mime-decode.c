/* test-mime-decode.c - base64 and quoted-printable decoders (whole and
 * in every split), decoding a part from the spool, charsets to UTF-8 */
#include "auto-config.h"
#include "t/tap.h"
#include "lib/buf.h"
#include "lib/message.h"
#include "lib/mime-decode.h"
#include "lib/utf8.h"
#include "lib/spool.h"

struct dcase {
	enum msg_cte cte;
	const char *in, *out;
	const char *name;
};

static const struct dcase cases[] = {
	/* base64: the results of Python's email._encoded_words.decode_b */
	{ MSG_CTE_BASE64, "aGVsbG8=", "hello", "base64" },
	{ MSG_CTE_BASE64, "aGVsbG8", "hello", "base64 missing padding" },
	{ MSG_CTE_BASE64, "aGV sbG8=\r\n", "hello", "base64 white space" },
	{ MSG_CTE_BASE64, "aG!V*sbG8", "hello", "base64 junk skipped" },
	{ MSG_CTE_BASE64, "aGVsbG8=aGVsbG8=", "hello",
	  "base64 stops at the padding" },
	{ MSG_CTE_BASE64, "QQ=x=QUJD", "A\x0c", "base64 lone pad ignored" },
	{ MSG_CTE_BASE64, "aGVsbG8gd29ybGQ", "hello world",
	  "base64 final quantum of 3" },
	{ MSG_CTE_BASE64, "aGVsbA", "hell", "base64 final quantum of 2" },
	{ MSG_CTE_BASE64, "aGVsZ", "hel",
	  "base64 lone last character dropped" },
	{ MSG_CTE_BASE64, "aGVs\nbG8=\n", "hello", "base64 lines" },
	{ MSG_CTE_BASE64, "", "", "base64 empty" },
	/* quoted-printable, RFC 2045 6.7 */
	{ MSG_CTE_QP, "a=3Db", "a=b", "qp =3D" },
	{ MSG_CTE_QP, "a=3db", "a=b", "qp lowercase hex" },
	{ MSG_CTE_QP, "soft=\r\nbreak", "softbreak", "qp soft break CRLF" },
	{ MSG_CTE_QP, "soft=\nbreak", "softbreak", "qp soft break LF" },
	{ MSG_CTE_QP, "soft=\rbreak", "softbreak", "qp soft break CR" },
	{ MSG_CTE_QP, "a= \t\r\nb", "ab", "qp soft break, blanks after =" },
	{ MSG_CTE_QP, "trail  \r\nx", "trail\r\nx",
	  "qp trailing blanks deleted (rule 3)" },
	{ MSG_CTE_QP, "in  side", "in  side", "qp inner blanks kept" },
	{ MSG_CTE_QP, "end  ", "end", "qp blanks at the end deleted" },
	{ MSG_CTE_QP, "bad=ZZ", "bad=ZZ", "qp bad escape kept" },
	{ MSG_CTE_QP, "bad=4Z", "bad=4Z", "qp half escape kept" },
	{ MSG_CTE_QP, "x=4", "x=4", "qp half escape at the end" },
	{ MSG_CTE_QP, "end=", "end", "qp = at the end" },
	{ MSG_CTE_QP, "a= b", "a= b", "qp = blank text" },
	{ MSG_CTE_QP, "caf=C3=A9\n", "caf\xc3\xa9\n", "qp 8-bit" },
	{ MSG_CTE_IDENTITY, "as =3D is", "as =3D is", "identity" },
};

/* decode_split - decode in two pieces split at k */
static void decode_split(const struct dcase *c, size_t k, struct buf *out)
{
	struct mime_decoder d;
	size_t n = strlen(c->in);

	buf_reset(out);
	mime_decode_init(&d, c->cte);
	mime_decode_feed(&d, c->in, k, out);
	mime_decode_feed(&d, c->in + k, n - k, out);
	mime_decode_finish(&d, out);
}

/* decode_bytes - decode one byte at a time */
static void decode_bytes(const struct dcase *c, struct buf *out)
{
	struct mime_decoder d;
	size_t i, n = strlen(c->in);

	buf_reset(out);
	mime_decode_init(&d, c->cte);
	for (i = 0; i < n; i++)
		mime_decode_feed(&d, c->in + i, 1, out);
	mime_decode_finish(&d, out);
}

static void test_cases(void)
{
	struct buf out = BUF_INIT;
	size_t i, k, n;
	int same;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct dcase *c = &cases[i];

		n = strlen(c->in);
		decode_split(c, n, &out);
		is_mem(out.data, out.len, c->out, strlen(c->out), "%s",
		       c->name);
		same = 1;
		for (k = 0; k <= n; k++) {
			decode_split(c, k, &out);
			if (out.len != strlen(c->out) ||
			    memcmp(out.data, c->out, out.len) != 0)
				same = 0;
		}
		decode_bytes(c, &out);
		if (out.len != strlen(c->out) ||
		    memcmp(out.data, c->out, out.len) != 0)
			same = 0;
		ok(same, "%s: same output at every split and byte by byte",
		   c->name);
	}
	buf_free(&out);
}

static void test_long_blanks(void)
{
	struct buf in = BUF_INIT, out = BUF_INIT;
	struct mime_decoder d;
	size_t i;

	for (i = 0; i < 1000; i++)
		buf_append_char(&in, ' ');
	buf_append_str(&in, "x\r\n");
	mime_decode_init(&d, MSG_CTE_QP);
	mime_decode_feed(&d, in.data, in.len, &out);
	mime_decode_finish(&d, &out);
	is_mem(out.data, out.len, in.data, in.len,
	       "qp: a long run of blanks before text is kept whole");
	buf_free(&in);
	buf_free(&out);
}

static void test_cte_names(void)
{
	is_int(mime_decode_cte(" Base64 ", 8), MSG_CTE_BASE64, "cte Base64");
	is_int(mime_decode_cte("quoted-printable;", 17), MSG_CTE_QP,
	       "cte with a stray ;");
	is_int(mime_decode_cte("QUOTED-PRINTABLE (c)", 20), MSG_CTE_QP,
	       "cte with a comment");
	is_int(mime_decode_cte("quoted printable", 16), MSG_CTE_IDENTITY,
	       "cte misspelt: identity");
	is_int(mime_decode_cte("8bit", 4), MSG_CTE_IDENTITY, "cte 8bit");
	is_int(mime_decode_cte("", 0), MSG_CTE_IDENTITY, "cte empty");
}

static void test_part(void)
{
	static const char msg[] = "From envelope\nxxaGVsbG8gd29y\nbGQ=yy";
	struct spool *sp = spool_new(16, "/tmp");	/* moves to a file */
	struct msg_part part;
	struct sl_err err;
	struct buf out = BUF_INIT;

	err_clear(&err);
	ok(spool_write(sp, msg, sizeof(msg) - 1, &err) == 0, "spool written");
	memset(&part, 0, sizeof(part));
	part.cte_kind = MSG_CTE_BASE64;
	part.body_offset = 2;	/* offsets after the 14-byte From_ line */
	part.body_end = 2 + 13 + 4;
	is_int(mime_decode_part(sp, 14, &part, 100, &out, &err), 0,
	       "part decoded from a file spool");
	is_mem(out.data, out.len, "hello world", 11,
	       "body at base + offsets, decoded");
	buf_reset(&out);
	buf_append_str(&out, "keep:");
	is_int(mime_decode_part(sp, 14, &part, 4, &out, &err), 1,
	       "stops at the cap");
	is_mem(out.data, out.len, "keep:hell", 9,
	       "appends, at most max bytes");
	part.body_end = 1000;
	buf_reset(&out);
	is_int(mime_decode_part(sp, 14, &part, 100, &out, &err), 0,
	       "a part past the spool's end reads what there is");
	spool_free(&sp);
	buf_free(&out);
}

static void test_charsets(void)
{
	struct buf out = BUF_INIT;

	is_int(mime_decode_charset("ISO-8859-1", "caf\xe9", 4, &out), 0,
	       "latin-1");
	is_str(out.data, "caf\xc3\xa9", "latin-1 to UTF-8");
	buf_reset(&out);
	is_int(mime_decode_charset("windows-1252", "\x80", 1, &out), 0,
	       "cp1252");
	is_str(out.data, "\xe2\x82\xac", "cp1252 euro sign");
	buf_reset(&out);
	is_int(mime_decode_charset("UTF-8", "a\xffz", 3, &out), 1,
	       "invalid UTF-8 is lossy");
	is_str(out.data, "a\xef\xbf\xbdz", "invalid UTF-8 byte: U+FFFD");
	buf_reset(&out);
	is_int(mime_decode_charset("iso-2022-jp", "\x1b$B%F%9%H\x1b(B", 12,
				   &out), 0, "iso-2022-jp via iconv");
	is_str(out.data, "\xe3\x83\x86\xe3\x82\xb9\xe3\x83\x88",
	       "iso-2022-jp to UTF-8");
	buf_reset(&out);
	is_int(mime_decode_charset("ks_c_5601-1987", "\xb0\xa1", 2, &out), 0,
	       "ks_c_5601-1987 (an alias iconv lacks)");
	is_str(out.data, "\xea\xb0\x80", "ks_c_5601-1987 to UTF-8");
	buf_reset(&out);
	is_int(mime_decode_charset("x-unknown", "ok \xc3\xa9", 5, &out), 1,
	       "unknown charset is a guess");
	is_str(out.data, "ok \xc3\xa9", "unknown charset: valid UTF-8 kept");
	buf_reset(&out);
	(void)mime_decode_charset("NONE", "caf\xe9", 4, &out);
	is_str(out.data, "caf\xc3\xa9", "unknown charset: else Windows-1252");
	buf_reset(&out);
	(void)mime_decode_charset("../../etc/x//TRANSLIT", "ab", 2, &out);
	is_str(out.data, "ab", "a charset name that is no name");
	buf_reset(&out);
	is_int(mime_decode_charset(NULL, "plain", 5, &out), 0, "no charset");
	is_str(out.data, "plain", "US-ASCII");
	buf_reset(&out);
	(void)mime_decode_charset("shift_jis", "\x82\xa0\xff", 3, &out);
	ok(utf8_valid(out.data, out.len) &&
	   strncmp(out.data, "\xe3\x81\x82", 3) == 0,
	   "a byte invalid in the charset gives valid UTF-8 anyway");
	ok(utf8_valid("\xf0\x9f\x98\x80", 4) &&
	   !utf8_valid("\xed\xa0\x80", 3) &&
	   !utf8_valid("\xc0\xaf", 2) &&
	   !utf8_valid("\xe2\x82", 2), "UTF-8 validation");
	buf_free(&out);
}

int main(void)
{
	test_cases();
	test_long_blanks();
	test_cte_names();
	test_part();
	test_charsets();
	return done_testing();
}
