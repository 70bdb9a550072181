/* mime-decode.c - base64 and quoted-printable decoders, charsets to UTF-8 */
#include "auto-config.h"
#include "ascii.h"
#include "utf8.h"
#include "mime-decode.h"
#include "xalloc.h"

#include <ctype.h>
#include <errno.h>
#include <iconv.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* bytes read from the spool per call */
#define DECODE_CHUNK (64 * 1024)
/* longest charset name looked up (IANA names are at most 40) */
#define CHARSET_NAME_MAX 64

enum qp_state {
	QP_NORMAL = 0,
	QP_EQ,		/* after "=" */
	QP_EQ1,		/* after "=" and one hex digit */
	QP_EQ_WS,	/* after "=" and white space */
	QP_SOFT_CR,	/* after "=" [WSP] CR */
};

#define B64_BAD 0xff
#define B64_PAD 0xfe
static const unsigned char b64_table[256] = {
#define X B64_BAD
	X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X,
	X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X,
	X, X, X, X, X, X, X, X, X, X, X, 62, X, X, X, 63,
	52, 53, 54, 55, 56, 57, 58, 59, 60, 61, X, X, X, B64_PAD, X, X,
	X, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14,
	15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, X, X, X, X, X,
	X, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40,
	41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, X, X, X, X, X,
	X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X,
	X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X,
	X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X,
	X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X,
	X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X,
	X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X,
	X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X,
	X, X, X, X, X, X, X, X, X, X, X, X, X, X, X, X,
#undef X
};

enum msg_cte mime_decode_cte(const char *value, size_t len)
{
	size_t i = 0, start;

	while (i < len && (value[i] == ' ' || value[i] == '\t' ||
			   value[i] == '\r' || value[i] == '\n'))
		i++;
	start = i;
	while (i < len && value[i] != ' ' && value[i] != '\t' &&
	       value[i] != ';' && value[i] != '(' && value[i] != '\r' &&
	       value[i] != '\n')
		i++;
	if (i - start == 16 &&
	    strncasecmp(value + start, "quoted-printable", 16) == 0)
		return MSG_CTE_QP;
	if (i - start == 6 && strncasecmp(value + start, "base64", 6) == 0)
		return MSG_CTE_BASE64;
	return MSG_CTE_IDENTITY;
}

void mime_decode_init(struct mime_decoder *d, enum msg_cte cte)
{
	memset(d, 0, sizeof(*d));
	d->cte = cte;
}

/* b64_feed - the lenient base64 state machine (see the header) */
static void b64_feed(struct mime_decoder *d, const unsigned char *s,
		     size_t len, struct buf *out)
{
	unsigned char *o;
	size_t i;

	if (d->state != 0)	/* padding ended the data */
		return;
	buf_reserve(out, len / 4 * 3 + 3);
	o = (unsigned char *)out->data + out->len;
	for (i = 0; i < len; i++) {
		unsigned v = b64_table[s[i]];

		if (v == B64_PAD) {
			if (d->quad_pos >= 2 && d->quad_pos + ++d->pads >= 4) {
				d->state = 1;
				break;
			}
			continue;
		}
		if (v == B64_BAD)
			continue;
		d->pads = 0;
		switch (d->quad_pos) {
		case 0:
			d->leftchar = v;
			d->quad_pos = 1;
			break;
		case 1:
			*o++ = (unsigned char)((d->leftchar << 2) | (v >> 4));
			d->leftchar = v & 0x0f;
			d->quad_pos = 2;
			break;
		case 2:
			*o++ = (unsigned char)((d->leftchar << 4) | (v >> 2));
			d->leftchar = v & 0x03;
			d->quad_pos = 3;
			break;
		default:
			*o++ = (unsigned char)((d->leftchar << 6) | v);
			d->quad_pos = 0;
			break;
		}
	}
	out->len = (size_t)(o - (unsigned char *)out->data);
	out->data[out->len] = '\0';
}

/* qp_flush_ws - pending white space turned out not to be trailing */
static unsigned char *qp_flush_ws(struct mime_decoder *d, unsigned char *o)
{
	memcpy(o, d->ws, d->ws_len);
	o += d->ws_len;
	d->ws_len = 0;
	return o;
}

/* qp_feed - the quoted-printable state machine (see the header) */
static void qp_feed(struct mime_decoder *d, const unsigned char *s,
		    size_t len, struct buf *out)
{
	unsigned char *o;
	size_t i;

	/* each input byte gives at most itself plus the held white space
	 * and "=X" held from before */
	buf_reserve(out, size_add(len, sizeof(d->ws) + 4));
	o = (unsigned char *)out->data + out->len;
	for (i = 0; i < len; i++) {
		unsigned char c = s[i];
		int h;

		switch (d->state) {
		case QP_NORMAL:
normal:
			if (c == ' ' || c == '\t') {
				if (d->ws_len == sizeof(d->ws))
					o = qp_flush_ws(d, o);
				d->ws[d->ws_len++] = c;
			} else if (c == '\r' || c == '\n') {
				d->ws_len = 0;	/* trailing: deleted */
				*o++ = c;
			} else {
				if (d->ws_len > 0)
					o = qp_flush_ws(d, o);
				if (c == '=')
					d->state = QP_EQ;
				else
					*o++ = c;
			}
			break;
		case QP_EQ:
			if ((h = ascii_hex_value(c)) >= 0) {
				d->hex = c;
				d->state = QP_EQ1;
			} else if (c == ' ' || c == '\t') {
				d->ws[d->ws_len++] = c;
				d->state = QP_EQ_WS;
			} else if (c == '\r') {
				d->state = QP_SOFT_CR;
			} else if (c == '\n') {
				d->state = QP_NORMAL;
			} else {
				*o++ = '=';
				d->state = QP_NORMAL;
				goto normal;
			}
			break;
		case QP_EQ1:
			d->state = QP_NORMAL;
			if ((h = ascii_hex_value(c)) >= 0) {
				*o++ = (unsigned char)(ascii_hex_value(d->hex) << 4 | h);
				break;
			}
			*o++ = '=';
			*o++ = d->hex;
			goto normal;
		case QP_EQ_WS:
			if ((c == ' ' || c == '\t') && d->ws_len < sizeof(d->ws)) {
				d->ws[d->ws_len++] = c;
				break;
			}
			if (c == '\r' || c == '\n') {
				d->ws_len = 0;
				d->state = c == '\r' ? QP_SOFT_CR : QP_NORMAL;
				break;
			}
			*o++ = '=';
			o = qp_flush_ws(d, o);
			d->state = QP_NORMAL;
			goto normal;
		default:	/* QP_SOFT_CR */
			d->state = QP_NORMAL;
			if (c != '\n')
				goto normal;
			break;
		}
	}
	out->len = (size_t)(o - (unsigned char *)out->data);
	out->data[out->len] = '\0';
}

void mime_decode_feed(struct mime_decoder *d, const void *data, size_t len,
		      struct buf *out)
{
	switch (d->cte) {
	case MSG_CTE_BASE64:
		b64_feed(d, data, len, out);
		break;
	case MSG_CTE_QP:
		qp_feed(d, data, len, out);
		break;
	default:
		buf_append(out, data, len);
		break;
	}
}

void mime_decode_finish(struct mime_decoder *d, struct buf *out)
{
	if (d->cte == MSG_CTE_QP) {
		/* a final "=" or "=" WSP is a soft break, white space at the
		 * end is trailing; "=X" stays as written */
		if (d->state == QP_EQ1) {
			buf_append_char(out, '=');
			buf_append_char(out, (char)d->hex);
		}
	}
	/* base64: a lone final character is dropped */
	d->state = 0;
	d->ws_len = 0;
	d->quad_pos = 0;
	d->pads = 0;
}

void mime_decode_base64(const void *data, size_t len, struct buf *out)
{
	struct mime_decoder d;

	mime_decode_init(&d, MSG_CTE_BASE64);
	b64_feed(&d, data, len, out);
	mime_decode_finish(&d, out);
}

int mime_decode_part(struct spool *sp, uint64_t base,
		     const struct msg_part *part, size_t max, struct buf *out,
		     struct sl_err *err)
{
	struct mime_decoder d;
	unsigned char *chunk;
	uint64_t off = part->body_offset, end = part->body_end;
	size_t start = out->len;
	int ret = 0;

	mime_decode_init(&d, part->cte_kind);
	chunk = xmalloc(DECODE_CHUNK);
	while (off < end) {
		size_t want = end - off < DECODE_CHUNK ? (size_t)(end - off)
						       : DECODE_CHUNK;
		ssize_t n = spool_pread(sp, base + off, chunk, want, err);

		if (n < 0) {
			ret = -1;
			break;
		}
		if (n == 0)
			break;	/* the spool is shorter: nothing more */
		off += (uint64_t)n;
		mime_decode_feed(&d, chunk, (size_t)n, out);
		if (out->len - start > max) {
			ret = 1;
			break;
		}
	}
	if (ret == 0)
		mime_decode_finish(&d, out);
	if (out->len - start > max) {
		buf_truncate(out, start + max);
		ret = ret < 0 ? ret : 1;
	}
	free(chunk);
	return ret;
}

/* ---- charsets ---- */

/* Windows-1252 0x80-0x9f; 0 where the code page has a hole */
static const uint16_t cp1252_high[32] = {
	0x20ac, 0, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021,
	0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0, 0x017d, 0,
	0, 0x2018, 0x2019, 0x201c, 0x201d, 0x2022, 0x2013, 0x2014,
	0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0, 0x017e, 0x0178,
};

#define REPLACEMENT_CHAR 0xfffd

/* single_byte - Latin-1 (cp1252 = 0) or Windows-1252 to UTF-8 */
static int single_byte(const unsigned char *s, size_t len, int cp1252,
		       struct buf *out)
{
	int lossy = 0;
	size_t i;

	buf_reserve(out, size_mul(len, 2));
	for (i = 0; i < len; i++) {
		unsigned cp = s[i];

		if (cp1252 && cp >= 0x80 && cp < 0xa0) {
			cp = cp1252_high[cp - 0x80];
			if (cp == 0) {
				cp = REPLACEMENT_CHAR;
				lossy = 1;
			}
		}
		utf8_append(out, cp);
	}
	return lossy;
}

/* utf8_lenient - valid UTF-8 copied, anything else Windows-1252 */
static int utf8_lenient(const unsigned char *s, size_t len, struct buf *out)
{
	if (utf8_valid(s, len)) {
		buf_append(out, s, len);
		return 0;
	}
	(void)single_byte(s, len, 1, out);
	return 1;
}

/* utf8_replace - UTF-8 with invalid sequences as U+FFFD */
static int utf8_replace(const unsigned char *s, size_t len, struct buf *out)
{
	size_t i = 0, n, run = 0;
	uint32_t cp;
	int lossy = 0;

	while (i < len) {
		n = s[i] < 0x80 ? 1 : utf8_next(s + i, len - i, &cp);
		if (n > 0) {
			i += n;
			continue;
		}
		buf_append(out, s + run, i - run);
		utf8_append(out, REPLACEMENT_CHAR);
		lossy = 1;
		run = ++i;
	}
	buf_append(out, s + run, len - run);
	return lossy;
}

struct charset_alias {
	const char *name, *iconv_name;
};

/* names seen in mail that iconv does not know, and supersets that
 * senders mean (WHATWG Encoding: gb2312 is GBK, ks_c_5601 is CP949) */
static const struct charset_alias charset_aliases[] = {
	{ "ks_c_5601-1987", "CP949" },
	{ "ks_c_5601", "CP949" },
	{ "ksc5601", "CP949" },
	{ "euc-kr", "CP949" },
	{ "x-sjis", "SHIFT_JIS" },
	{ "shift-jis", "SHIFT_JIS" },
	{ "gb2312", "GB18030" },
	{ "gbk", "GB18030" },
	{ "x-gbk", "GB18030" },
	{ "iso-8859-8-i", "ISO-8859-8" },
	{ "iso-8859-6-i", "ISO-8859-6" },
	{ "x-mac-roman", "MACINTOSH" },
	{ "unicode-1-1-utf-7", "UTF-7" },
	{ NULL, NULL },
};

/* conv_iconv - convert with iconv; -1 if iconv does not know charset */
static int conv_iconv(const char *name, const unsigned char *s, size_t len,
		      struct buf *out)
{
	iconv_t cd = iconv_open("UTF-8", name);
	char *in = (char *)s, *o;
	size_t inleft = len, oleft, r;
	int lossy = 0;

	if (cd == (iconv_t)-1)
		return -1;
	while (inleft > 0) {
		buf_reserve(out, inleft * 2 + 16);
		o = out->data + out->len;
		oleft = out->cap - out->len - 1;
		r = iconv(cd, &in, &inleft, &o, &oleft);
		out->len = (size_t)(o - out->data);
		out->data[out->len] = '\0';
		if (r != (size_t)-1)
			break;
		if (errno == E2BIG)
			continue;
		/* EILSEQ, or EINVAL: an incomplete sequence at the end */
		utf8_append(out, REPLACEMENT_CHAR);
		lossy = 1;
		in++;
		inleft--;
	}
	/* back to the initial shift state (ISO-2022-JP and the like) */
	buf_reserve(out, 16);
	o = out->data + out->len;
	oleft = out->cap - out->len - 1;
	(void)iconv(cd, NULL, NULL, &o, &oleft);
	out->len = (size_t)(o - out->data);
	out->data[out->len] = '\0';
	iconv_close(cd);
	return lossy;
}

int mime_decode_charset(const char *charset, const void *data, size_t len,
			struct buf *out)
{
	const unsigned char *s = data;
	char name[CHARSET_NAME_MAX + 1];
	const struct charset_alias *a;
	size_t i, n;
	int r;

	if (charset == NULL)
		charset = "us-ascii";
	while (*charset == ' ' || *charset == '\t')
		charset++;
	n = strlen(charset);
	while (n > 0 && (charset[n - 1] == ' ' || charset[n - 1] == '\t'))
		n--;
	if (n == 0 || n > CHARSET_NAME_MAX)
		return utf8_lenient(s, len, out) | (n != 0);
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)charset[i];

		/* a name, not an iconv option or a path */
		if (!isalnum(c) && c != '-' && c != '_' && c != '.' &&
		    c != ':' && c != '+')
			return utf8_lenient(s, len, out) | 1;
		name[i] = (char)tolower(c);
	}
	name[n] = '\0';
	if (strcmp(name, "utf-8") == 0 || strcmp(name, "utf8") == 0)
		return utf8_replace(s, len, out);
	if (strcmp(name, "us-ascii") == 0 || strcmp(name, "ascii") == 0)
		return utf8_lenient(s, len, out);
	if (strcmp(name, "iso-8859-1") == 0 || strcmp(name, "latin1") == 0 ||
	    strcmp(name, "iso8859-1") == 0 || strcmp(name, "latin-1") == 0)
		return single_byte(s, len, 0, out);
	if (strcmp(name, "windows-1252") == 0 || strcmp(name, "cp1252") == 0)
		return single_byte(s, len, 1, out);
	for (a = charset_aliases; a->name != NULL; a++) {
		if (strcmp(name, a->name) == 0) {
			r = conv_iconv(a->iconv_name, s, len, out);
			if (r >= 0)
				return r;
		}
	}
	r = conv_iconv(name, s, len, out);
	if (r >= 0)
		return r;
	(void)utf8_lenient(s, len, out);
	return 1;
}
