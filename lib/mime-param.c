/* mime-param.c - parameters of Content-Type and Content-Disposition */
#include "auto-config.h"
#include "mime-param.h"
#include "buf.h"
#include "message-limits.h"
#include "mime-decode.h"
#include "xalloc.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* a parameter as written, before RFC 2231 sections are joined */
struct raw_param {
	const char *name;	/* points into the value */
	size_t name_len;	/* without the RFC 2231 suffix */
	int section;		/* -1: plain; else the section number */
	int encoded;		/* "*" at the end: charset'lang'%XX */
	struct buf value;	/* unquoted */
	size_t idx;		/* position, to keep sorting stable */
};

/* is_token_char - RFC 2045 5.1 token: no tspecials, space, controls */
static int is_token_char(unsigned char c)
{
	if (c <= ' ' || c == 0x7f)
		return 0;
	return strchr("()<>@,;:\\\"/[]?=", c) == NULL;
}

/* skip_cfws - white space and (nested) comments */
static size_t skip_cfws(const char *s, size_t len, size_t i)
{
	unsigned depth = 0;

	while (i < len) {
		char c = s[i];

		if (depth > 0) {
			if (c == '\\' && i + 1 < len)
				i++;
			else if (c == '(')
				depth++;
			else if (c == ')')
				depth--;
		} else if (c == '(') {
			depth = 1;
		} else if (c != ' ' && c != '\t' && c != '\r' && c != '\n') {
			break;
		}
		i++;
	}
	return i;
}

/* token_end - end of the RFC 2045 token at i */
static size_t token_end(const char *s, size_t len, size_t i)
{
	while (i < len && is_token_char((unsigned char)s[i]))
		i++;
	return i;
}

/* lower_dup - lowercased copy in pool */
static char *lower_dup(struct pool *pool, const char *s, size_t len)
{
	char *d = pool_strndup(pool, s, len);
	size_t i;

	for (i = 0; i < len; i++)
		d[i] = (char)tolower((unsigned char)d[i]);
	return d;
}

/* parse_type - "type/subtype" or a bare token; returns where it ends */
static size_t parse_type(struct pool *pool, const char *s, size_t len,
			 struct mime_value *out)
{
	size_t i = skip_cfws(s, len, 0), t0 = i, t1, j, s0, s1;

	t1 = token_end(s, len, i);
	if (t1 == t0)
		return i;
	j = skip_cfws(s, len, t1);
	if (j < len && s[j] == '/') {
		s0 = skip_cfws(s, len, j + 1);
		s1 = token_end(s, len, s0);
		if (s1 > s0) {
			struct buf b = BUF_INIT;

			buf_append(&b, s + t0, t1 - t0);
			buf_append_char(&b, '/');
			buf_append(&b, s + s0, s1 - s0);
			out->type = lower_dup(pool, b.data, b.len);
			out->has_subtype = 1;
			buf_free(&b);
			return s1;
		}
	}
	out->type = lower_dup(pool, s + t0, t1 - t0);
	return t1;
}

/* segment_end - the next ";" outside a quoted string */
static size_t segment_end(const char *s, size_t len, size_t i)
{
	int quoted = 0;

	for (; i < len; i++) {
		if (quoted && s[i] == '\\' && i + 1 < len)
			i++;
		else if (s[i] == '"')
			quoted = !quoted;
		else if (s[i] == ';' && !quoted)
			break;
	}
	return i;
}

/* parse_value - unquote or trim the value in s[i, end) into b */
static void parse_value(const char *s, size_t i, size_t end, struct buf *b)
{
	size_t j;

	while (i < end && (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' ||
			   s[i] == '\n'))
		i++;
	if (i < end && s[i] == '"') {
		for (i++; i < end && s[i] != '"'; i++) {
			if (s[i] == '\\' && i + 1 < end)
				i++;
			if (s[i] != '\r' && s[i] != '\n')
				buf_append_char(b, s[i]);
		}
		return;
	}
	/* an unquoted value: up to a comment after white space */
	for (j = i; j < end; j++) {
		if (s[j] == '(' && (j == i || s[j - 1] == ' ' ||
				    s[j - 1] == '\t'))
			break;
	}
	while (j > i && (s[j - 1] == ' ' || s[j - 1] == '\t' ||
			 s[j - 1] == '\r' || s[j - 1] == '\n'))
		j--;
	buf_append(b, s + i, j - i);
}

/* parse_name - the name before "=", with its RFC 2231 suffix */
static int parse_name(const char *s, size_t i, size_t eq, struct raw_param *rp)
{
	size_t e = eq, star;

	i = skip_cfws(s, eq, i);
	while (e > i && (s[e - 1] == ' ' || s[e - 1] == '\t' ||
			 s[e - 1] == '\r' || s[e - 1] == '\n'))
		e--;
	if (e == i)
		return -1;
	rp->name = s + i;
	rp->name_len = e - i;
	rp->section = -1;
	rp->encoded = 0;
	star = i;
	while (star < e && s[star] != '*')
		star++;
	if (star == e || star == i)
		return 0;
	/* name* | name*N | name*N* */
	{
		size_t k = star + 1;
		long n = 0;
		int digits = 0;

		while (k < e && isdigit((unsigned char)s[k])) {
			if (n <= MESSAGE_RFC2231_SECTIONS_MAX)
				n = n * 10 + (s[k] - '0');
			digits++;
			k++;
		}
		if (digits == 0) {
			if (k != e)
				return 0;	/* "a*b": a plain name */
			rp->encoded = 1;	/* "name*" */
		} else if (k < e && s[k] == '*') {
			rp->encoded = 1;	/* "name*N*" */
			k++;
		}
		if (k != e)
			return 0;
		if (n > MESSAGE_RFC2231_SECTIONS_MAX)
			return -1;
		rp->section = (int)n;
		rp->name_len = star - i;
	}
	return 0;
}

/* cmp_sections - by name, then section, then position */
static int cmp_sections(const void *a, const void *b)
{
	const struct raw_param *x = a, *y = b;
	size_t n = x->name_len < y->name_len ? x->name_len : y->name_len;
	int c = strncasecmp(x->name, y->name, n);

	if (c != 0)
		return c;
	if (x->name_len != y->name_len)
		return x->name_len < y->name_len ? -1 : 1;
	if (x->section != y->section)
		return x->section < y->section ? -1 : 1;
	return x->idx < y->idx ? -1 : x->idx > y->idx;
}

/* percent_decode - %XX to bytes */
static void percent_decode(const char *s, size_t len, struct buf *out)
{
	size_t i;

	for (i = 0; i < len; i++) {
		int hi, lo;

		if (s[i] == '%' && i + 2 < len &&
		    isxdigit((unsigned char)s[i + 1]) &&
		    isxdigit((unsigned char)s[i + 2])) {
			hi = isdigit((unsigned char)s[i + 1]) ? s[i + 1] - '0'
				: (tolower((unsigned char)s[i + 1]) - 'a' + 10);
			lo = isdigit((unsigned char)s[i + 2]) ? s[i + 2] - '0'
				: (tolower((unsigned char)s[i + 2]) - 'a' + 10);
			buf_append_char(out, (char)(hi << 4 | lo));
			i += 2;
		} else {
			buf_append_char(out, s[i]);
		}
	}
}

/* join_sections - one RFC 2231 parameter from its sorted sections */
static void join_sections(struct pool *pool, struct raw_param *sec, size_t n,
			  struct mime_param *mp)
{
	struct buf bytes = BUF_INIT, utf8 = BUF_INIT;
	char *charset = NULL;
	int any_encoded = 0;
	size_t k;

	for (k = 0; k < n; k++) {
		const char *v = sec[k].value.data != NULL ? sec[k].value.data
							  : "";
		size_t vlen = sec[k].value.len;

		if (!sec[k].encoded) {
			buf_append(&bytes, v, vlen);
			continue;
		}
		if (k == 0 && sec[k].section == 0) {
			/* charset'language'text */
			const char *t1 = memchr(v, '\'', vlen), *t2;

			t2 = t1 == NULL ? NULL
				: memchr(t1 + 1, '\'', vlen - (size_t)(t1 + 1 - v));
			if (t2 != NULL) {
				if (t1 > v)
					charset = xstrndup(v, (size_t)(t1 - v));
				vlen -= (size_t)(t2 + 1 - v);
				v = t2 + 1;
			}
		}
		any_encoded = 1;
		percent_decode(v, vlen, &bytes);
	}
	mp->name = lower_dup(pool, sec[0].name, sec[0].name_len);
	mp->extended = 1;
	if (any_encoded) {
		(void)mime_decode_charset(charset, bytes.data, bytes.len, &utf8);
		mp->value = pool_strndup(pool, utf8.data != NULL ? utf8.data
						  : "", utf8.len);
		mp->value_len = utf8.len;
	} else {
		mp->value = pool_strndup(pool, bytes.data != NULL ? bytes.data
						   : "", bytes.len);
		mp->value_len = bytes.len;
	}
	free(charset);
	buf_free(&bytes);
	buf_free(&utf8);
}

/* collect - the raw parameters after the type */
static size_t collect(const char *s, size_t len, size_t i,
		      struct raw_param **raw_r)
{
	struct raw_param *raw = NULL;
	size_t n = 0, cap = 0;

	while (i < len) {
		size_t end, eq;
		struct raw_param rp;

		if (s[i] != ';') {
			/* junk after the type: skip to the next ";" */
			i = segment_end(s, len, i);
			continue;
		}
		i++;
		end = segment_end(s, len, i);
		eq = i;
		while (eq < end && s[eq] != '=')
			eq++;
		if (eq < end && parse_name(s, i, eq, &rp) == 0) {
			buf_init(&rp.value);
			parse_value(s, eq + 1, end, &rp.value);
			rp.idx = n;
			if (n == cap) {
				cap = cap == 0 ? 4 : size_mul(cap, 2);
				raw = xreallocarray(raw, cap, sizeof(*raw));
			}
			raw[n++] = rp;
		}
		i = end;
	}
	*raw_r = raw;
	return n;
}

void mime_param_parse(struct pool *pool, const char *value, size_t len,
		      struct mime_value *out)
{
	struct raw_param *raw, *ext;
	size_t n, n_ext = 0, k, j, o = 0;

	memset(out, 0, sizeof(*out));
	n = collect(value, len, parse_type(pool, value, len, out), &raw);
	if (n == 0) {
		free(raw);
		return;
	}
	out->params = pool_alloc_array(pool, n, sizeof(*out->params));
	ext = xreallocarray(NULL, n, sizeof(*ext));
	for (k = 0; k < n; k++) {
		if (raw[k].section >= 0) {
			ext[n_ext++] = raw[k];
			continue;
		}
		out->params[o].name = lower_dup(pool, raw[k].name,
						raw[k].name_len);
		out->params[o].value = pool_strndup(pool,
			raw[k].value.data != NULL ? raw[k].value.data : "",
			raw[k].value.len);
		out->params[o].value_len = raw[k].value.len;
		o++;
	}
	qsort(ext, n_ext, sizeof(*ext), cmp_sections);
	for (k = 0; k < n_ext; k = j) {
		for (j = k + 1; j < n_ext; j++)
			if (ext[j].name_len != ext[k].name_len ||
			    strncasecmp(ext[j].name, ext[k].name,
					ext[k].name_len) != 0)
				break;
		join_sections(pool, ext + k, j - k, &out->params[o++]);
	}
	out->n_params = o;
	for (k = 0; k < n; k++)
		buf_free(&raw[k].value);
	free(raw);
	free(ext);
}

const struct mime_param *mime_param_get(const struct mime_value *v,
					const char *name)
{
	const struct mime_param *plain = NULL;
	size_t k;

	for (k = 0; k < v->n_params; k++) {
		if (strcmp(v->params[k].name, name) != 0)
			continue;
		if (v->params[k].extended)
			return &v->params[k];
		if (plain == NULL)
			plain = &v->params[k];
	}
	return plain;
}
