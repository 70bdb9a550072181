/* rfc2047.c - decode encoded-words in header values */
#include "auto-config.h"
#include "ascii.h"
#include "rfc2047.h"
#include "message-limits.h"
#include "mime-decode.h"

#include <string.h>
#include <strings.h>

/* longest charset name kept (IANA names are at most 40 characters) */
#define EW_CHARSET_MAX 64

struct ew {
	size_t end;		/* one past "?=" */
	const char *charset;	/* without an RFC 2231 "*lang" */
	size_t charset_len;
	char enc;		/* 'b' or 'q' */
	const char *text;
	size_t text_len;
};

/* parse_ew - the encoded-word starting at in[i] ("=?"), or -1 */
static int parse_ew(const char *in, size_t len, size_t i, struct ew *w)
{
	size_t max = len - i < MESSAGE_ENCODED_WORD_MAX
		? len : i + MESSAGE_ENCODED_WORD_MAX;
	size_t j = i + 2, cs, k;
	const char *star;

	if (i + 2 > len || in[i] != '=' || in[i + 1] != '?')
		return -1;
	cs = j;
	while (j < max && in[j] != '?') {
		unsigned char c = (unsigned char)in[j];

		if (c <= ' ' || c == 0x7f)
			return -1;
		j++;
	}
	if (j == cs || j - cs > EW_CHARSET_MAX || j + 3 > max)
		return -1;
	w->charset = in + cs;
	w->charset_len = j - cs;
	star = memchr(w->charset, '*', w->charset_len);
	if (star != NULL)
		w->charset_len = (size_t)(star - w->charset);
	if (w->charset_len == 0)
		return -1;
	j++;
	if (in[j] == 'B' || in[j] == 'b')
		w->enc = 'b';
	else if (in[j] == 'Q' || in[j] == 'q')
		w->enc = 'q';
	else
		return -1;
	if (in[j + 1] != '?')
		return -1;
	j += 2;
	/* the text ends at "?="; the start of another word ("=?", not the
	 * "=?=" of padding before the end) or a line break means this one
	 * is unterminated. Stopping there also keeps the whole decode
	 * linear: no byte is scanned for two words. */
	for (k = j; k + 1 < max; k++) {
		if (in[k] == '?' && in[k + 1] == '=') {
			w->text = in + j;
			w->text_len = k - j;
			w->end = k + 2;
			return 0;
		}
		if (in[k] == '\r' || in[k] == '\n' ||
		    (in[k] == '=' && in[k + 1] == '?' &&
		     (k + 2 >= len || in[k + 2] != '=')))
			return -1;
	}
	return -1;
}

/* decode_text - the bytes of one encoded-word, appended to raw */
static void decode_text(const struct ew *w, struct buf *raw)
{
	size_t k;

	if (w->enc == 'b') {
		mime_decode_base64(w->text, w->text_len, raw);
		return;
	}
	for (k = 0; k < w->text_len; k++) {
		unsigned char c = (unsigned char)w->text[k];
		int hi, lo;

		if (c == '_') {
			buf_append_char(raw, ' ');
		} else if (c == '=' && k + 2 < w->text_len &&
			   (hi = ascii_hex_value((unsigned char)w->text[k + 1])) >= 0 &&
			   (lo = ascii_hex_value((unsigned char)w->text[k + 2])) >= 0) {
			buf_append_char(raw, (char)(hi << 4 | lo));
			k += 2;
		} else {
			buf_append_char(raw, (char)c);
		}
	}
}

/* flush_run - convert the joined bytes of a run of encoded-words */
static void flush_run(const struct ew *first, struct buf *raw,
		      struct buf *out)
{
	char cs[EW_CHARSET_MAX + 1];

	memcpy(cs, first->charset, first->charset_len);
	cs[first->charset_len] = '\0';
	(void)mime_decode_charset(cs, raw->data, raw->len, out);
	buf_reset(raw);
}

/* is_ws - white space between encoded-words */
static int is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

size_t rfc2047_decode(const char *in, size_t len, struct buf *out)
{
	struct buf raw = BUF_INIT;
	struct ew run, w, next;
	size_t i = 0, plain = 0, count = 0, j;
	const char *p;

	buf_reserve(out, len);
	while (i + 1 < len) {
		p = memchr(in + i, '=', len - i - 1);
		if (p == NULL)
			break;
		i = (size_t)(p - in);
		if (in[i + 1] != '?' || parse_ew(in, len, i, &w) < 0) {
			i++;
			continue;
		}
		buf_append(out, in + plain, i - plain);
		run = w;
		decode_text(&w, &raw);
		count++;
		for (;;) {
			j = w.end;
			while (j < len && is_ws(in[j]))
				j++;
			if (j + 1 >= len || in[j] != '=' ||
			    parse_ew(in, len, j, &next) < 0)
				break;
			w = next;
			if (w.charset_len != run.charset_len ||
			    strncasecmp(w.charset, run.charset,
					w.charset_len) != 0) {
				flush_run(&run, &raw, out);
				run = w;
			}
			decode_text(&w, &raw);
			count++;
		}
		flush_run(&run, &raw, out);
		i = plain = w.end;
	}
	buf_append(out, in + plain, len - plain);
	buf_free(&raw);
	return count;
}

char *rfc2047_decode_pool(struct pool *pool, const char *in, size_t len,
			  size_t *len_r)
{
	struct buf b = BUF_INIT;
	char *ret;

	(void)rfc2047_decode(in, len, &b);
	ret = pool_strndup(pool, b.data != NULL ? b.data : "", b.len);
	if (len_r != NULL)
		*len_r = b.len;
	buf_free(&b);
	return ret;
}

size_t rfc2047_word_len(const char *in, size_t len)
{
	struct ew w;

	if (len < 2 || in[0] != '=' || in[1] != '?' ||
	    parse_ew(in, len, 0, &w) < 0)
		return 0;
	return w.end;
}

int rfc2047_has_encoded_word(const char *in, size_t len)
{
	struct ew w;
	size_t i;

	for (i = 0; i + 1 < len; i++)
		if (in[i] == '=' && in[i + 1] == '?' &&
		    parse_ew(in, len, i, &w) == 0)
			return 1;
	return 0;
}

/* rfc2047_encode_word - one =?utf-8?b?...?= of up to 45 input bytes */
static void rfc2047_encode_word(struct buf *out, const unsigned char *p,
				size_t n)
{
	static const char b64[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t i;

	buf_append_str(out, "=?utf-8?b?");
	for (i = 0; i + 2 < n; i += 3) {
		unsigned v = (unsigned)p[i] << 16 | (unsigned)p[i + 1] << 8 | p[i + 2];

		buf_append_char(out, b64[v >> 18]);
		buf_append_char(out, b64[(v >> 12) & 63]);
		buf_append_char(out, b64[(v >> 6) & 63]);
		buf_append_char(out, b64[v & 63]);
	}
	if (i < n) {
		unsigned v = (unsigned)p[i] << 16 | (i + 1 < n ? (unsigned)p[i + 1] << 8 : 0);

		buf_append_char(out, b64[v >> 18]);
		buf_append_char(out, b64[(v >> 12) & 63]);
		buf_append_char(out, i + 1 < n ? b64[(v >> 6) & 63] : '=');
		buf_append_char(out, '=');
	}
	buf_append_str(out, "?=");
}

void rfc2047_encode(struct buf *out, const char *value, size_t len)
{
	const unsigned char *p = (const unsigned char *)value;
	size_t i, start = 0;

	for (i = 0; i < len && p[i] < 0x80 && p[i] >= 0x20; i++)
		;
	if (i == len) {
		buf_append(out, value, len);
		return;
	}
	while (start < len) {
		/* 45 bytes make 60 base64 characters: a 72-character word;
		   never split a UTF-8 sequence */
		size_t n = len - start > 45 ? 45 : len - start;

		while (n > 0 && start + n < len && (p[start + n] & 0xc0) == 0x80)
			n--;
		if (n == 0)
			n = len - start > 45 ? 45 : len - start;
		if (start > 0)
			buf_append_str(out, "\n ");
		rfc2047_encode_word(out, p + start, n);
		start += n;
	}
}
