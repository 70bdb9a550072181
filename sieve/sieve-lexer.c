/* sieve-lexer.c - RFC 5228 8.1 tokens.
 *
 * Line ends inside strings come out as CRLF whatever the script used
 * (Pigeonhole does the same: "x<LF>y" equals "x${hex:0d 0a}y"). */
#include "auto-config.h"
#include "sieve/sieve-lexer.h"
#include "sieve/sieve-limits.h"
#include "sieve/sieve-private.h"

#include "lib/buf.h"

#include <string.h>
#include <strings.h>

void sieve_lexer_init(struct sieve_lexer *lx, struct pool *pool,
		      struct sieve_diags *diags, const char *name,
		      const char *data, size_t len)
{
	memset(lx, 0, sizeof(*lx));
	lx->pool = pool;
	lx->diags = diags;
	lx->name = name;
	lx->p = (const unsigned char *)data;
	lx->end = lx->p + len;
	lx->line = 1;
	lx->line_start = lx->p;
}

const char *sieve_tok_describe(enum sieve_tok kind)
{
	static const char *const names[] = {
		[SIEVE_TOK_EOF] = "end of file",
		[SIEVE_TOK_ERROR] = "unknown characters",
		[SIEVE_TOK_IDENT] = "identifier",
		[SIEVE_TOK_TAG] = "tag",
		[SIEVE_TOK_NUMBER] = "number",
		[SIEVE_TOK_STRING] = "string",
		[SIEVE_TOK_MSTRING] = "string",
		[SIEVE_TOK_LBRACKET] = "'['",
		[SIEVE_TOK_RBRACKET] = "']'",
		[SIEVE_TOK_LPAREN] = "'('",
		[SIEVE_TOK_RPAREN] = "')'",
		[SIEVE_TOK_LBRACE] = "'{'",
		[SIEVE_TOK_RBRACE] = "'}'",
		[SIEVE_TOK_COMMA] = "','",
		[SIEVE_TOK_SEMICOLON] = "';'",
	};

	return names[kind];
}

/* lex_col - the column (1-based, in bytes) of p */
static unsigned lex_col(const struct sieve_lexer *lx, const unsigned char *p)
{
	return (unsigned)(p - lx->line_start) + 1;
}

/* lex_error - report once and fail from now on */
__attribute__((format(printf, 4, 5)))
static enum sieve_tok lex_error(struct sieve_lexer *lx, unsigned line,
				unsigned col, const char *fmt, ...)
{
	va_list ap;

	if (!lx->failed) {
		va_start(ap, fmt);
		sieve_diag_vadd(lx->diags, lx->name, line, col, 0, fmt, ap);
		va_end(ap);
	}
	lx->failed = 1;
	return SIEVE_TOK_ERROR;
}

/* lex_newline - p points after a '\n': start a new line */
static void lex_newline(struct sieve_lexer *lx, const unsigned char *p)
{
	lx->line++;
	lx->line_start = p;
}

/* lex_skip - white space and comments; -1 on an unterminated comment */
static int lex_skip(struct sieve_lexer *lx)
{
	const unsigned char *p = lx->p;

	while (p < lx->end) {
		if (*p == ' ' || *p == '\t' || *p == '\r') {
			p++;
		} else if (*p == '\n') {
			lex_newline(lx, ++p);
		} else if (*p == '#') {
			while (p < lx->end && *p != '\n')
				p++;
		} else if (*p == '/' && p + 1 < lx->end && p[1] == '*') {
			unsigned line = lx->line;

			for (p += 2;; p++) {
				if (p + 1 >= lx->end) {
					if (p < lx->end && *p == '\n')
						lex_newline(lx, p + 1);
					lx->p = lx->end;
					lex_error(lx, lx->line,
						  lex_col(lx, lx->end),
						  "end of file before end of "
						  "bracket comment ('/* ... "
						  "*/') started at line %u",
						  line);
					return -1;
				}
				if (*p == '\n')
					lex_newline(lx, p + 1);
				else if (*p == '*' && p[1] == '/')
					break;
			}
			p += 2;
		} else {
			break;
		}
	}
	lx->p = p;
	return 0;
}

static int is_alpha_(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static int is_digit(unsigned char c)
{
	return c >= '0' && c <= '9';
}

/* lex_identifier - [A-Za-z_][A-Za-z0-9_]* at lx->p */
static size_t lex_identifier(struct sieve_lexer *lx, const unsigned char *p)
{
	const unsigned char *s = p;

	while (p < lx->end && (is_alpha_(*p) || is_digit(*p)))
		p++;
	return (size_t)(p - s);
}

/* lex_number - digits and an optional quantifier */
static enum sieve_tok lex_number(struct sieve_lexer *lx,
				 struct sieve_token *tok)
{
	const unsigned char *p = lx->p;
	uint64_t n = 0, mul = 1;

	for (; p < lx->end && is_digit(*p); p++) {
		unsigned d = *p - '0';

		if (n > (SIEVE_MAX_NUMBER - d) / 10)
			goto too_large;
		n = n * 10 + d;
	}
	if (p < lx->end) {
		switch (*p) {
		case 'K': case 'k':
			mul = 1024;
			break;
		case 'M': case 'm':
			mul = 1024 * 1024;
			break;
		case 'G': case 'g':
			mul = 1024 * 1024 * 1024;
			break;
		}
		if (mul > 1) {
			p++;
			if (n > SIEVE_MAX_NUMBER / mul)
				goto too_large;
			n *= mul;
		}
	}
	lx->p = p;
	tok->number = n;
	return tok->kind = SIEVE_TOK_NUMBER;
too_large:
	return lex_error(lx, tok->line, tok->col,
			 "number exceeds integer limits (max %llu)",
			 (unsigned long long)SIEVE_MAX_NUMBER);
}

/* lex_finish_string - hand out the buffered value from the pool */
static enum sieve_tok lex_finish_string(struct sieve_lexer *lx,
					struct sieve_token *tok, struct buf *b,
					enum sieve_tok kind)
{
	if (b->len > SIEVE_MAX_STRING_LEN) {
		buf_free(b);
		return lex_error(lx, tok->line, tok->col, "string too long");
	}
	tok->text = pool_memdup(lx->pool, b->len > 0 ? b->data : "",
				b->len + 1);
	tok->len = b->len;
	buf_free(b);
	return tok->kind = kind;
}

/* lex_quoted - a quoted string from lx->p (after the '"') */
static enum sieve_tok lex_quoted(struct sieve_lexer *lx,
				 struct sieve_token *tok)
{
	const unsigned char *p = lx->p, *run = p, *q;
	struct buf b = BUF_INIT;

	/* the common case: nothing to undo, copy once */
	for (q = p; q < lx->end && *q != '"' && *q != '\\' && *q != '\n'; q++)
		;
	if (q < lx->end && *q == '"' && (size_t)(q - p) <= SIEVE_MAX_STRING_LEN) {
		tok->text = pool_strndup(lx->pool, (const char *)p,
					 (size_t)(q - p));
		tok->len = (size_t)(q - p);
		lx->p = q + 1;
		return tok->kind = SIEVE_TOK_STRING;
	}
	for (;;) {
		if (p >= lx->end) {
			buf_free(&b);
			lx->p = p;
			return lex_error(lx, lx->line, lex_col(lx, p),
					 "end of file before end of quoted "
					 "string started at line %u",
					 tok->line);
		}
		if (*p == '"')
			break;
		if (*p == '\\' && p + 1 < lx->end) {
			buf_append(&b, run, (size_t)(p - run));
			p++;
			run = p;
			if (*p == '\n' || *p == '\r') {
				continue;	/* escaped line end: as is */
			}
			p++;
			continue;
		}
		if (*p == '\n') {
			/* bare LF (or CRLF) -> CRLF */
			const unsigned char *e = p;

			if (e > run && e[-1] == '\r')
				e--;
			buf_append(&b, run, (size_t)(e - run));
			buf_append(&b, "\r\n", 2);
			lex_newline(lx, ++p);
			run = p;
			continue;
		}
		p++;
	}
	buf_append(&b, run, (size_t)(p - run));
	lx->p = p + 1;
	return lex_finish_string(lx, tok, &b, SIEVE_TOK_STRING);
}

/* lex_multiline - "text:" was seen (p after the ':') */
static enum sieve_tok lex_multiline(struct sieve_lexer *lx,
				    struct sieve_token *tok,
				    const unsigned char *p)
{
	struct buf b = BUF_INIT;

	while (p < lx->end && (*p == ' ' || *p == '\t'))
		p++;
	if (p < lx->end && *p == '#') {
		while (p < lx->end && *p != '\n')
			p++;
	} else if (p < lx->end && *p == '\r' && p + 1 < lx->end &&
		   p[1] == '\n') {
		p++;
	} else if (p < lx->end && *p != '\n') {
		lx->p = p;
		return lex_error(lx, lx->line, lex_col(lx, p),
				 "invalid character '%c' after 'text:' in "
				 "multiline string", *p);
	}
	if (p >= lx->end)
		goto eof;
	lex_newline(lx, ++p);	/* after the LF */
	for (;;) {
		const unsigned char *nl, *e;

		if (p >= lx->end)
			goto eof;
		nl = memchr(p, '\n', (size_t)(lx->end - p));
		e = nl != NULL ? nl : lx->end;
		if (e > p && e[-1] == '\r')
			e--;
		if (*p == '.') {
			if (e == p + 1 && nl != NULL) {	/* the end line */
				lex_newline(lx, nl + 1);
				lx->p = nl + 1;
				return lex_finish_string(lx, tok, &b,
							 SIEVE_TOK_MSTRING);
			}
			p++;	/* dot-stuffing: ".." -> "." */
		}
		if (nl == NULL)
			goto eof;
		buf_append(&b, p, (size_t)(e - p));
		buf_append(&b, "\r\n", 2);
		p = nl + 1;
		lex_newline(lx, p);
	}
eof:
	buf_free(&b);
	lx->p = lx->end;
	return lex_error(lx, lx->line, lex_col(lx, lx->end),
			 "end of file before end of multi-line string");
}

/* lex_next - the token at lx->p */
static enum sieve_tok lex_next(struct sieve_lexer *lx, struct sieve_token *tok)
{
	const unsigned char *p;
	size_t n;

	memset(tok, 0, sizeof(*tok));
	if (lx->failed || lex_skip(lx) < 0)
		return tok->kind = SIEVE_TOK_ERROR;
	p = lx->p;
	tok->line = lx->line;
	tok->col = lex_col(lx, p);
	if (p >= lx->end)
		return tok->kind = SIEVE_TOK_EOF;
	switch (*p) {
	case '[': lx->p++; return tok->kind = SIEVE_TOK_LBRACKET;
	case ']': lx->p++; return tok->kind = SIEVE_TOK_RBRACKET;
	case '(': lx->p++; return tok->kind = SIEVE_TOK_LPAREN;
	case ')': lx->p++; return tok->kind = SIEVE_TOK_RPAREN;
	case '{': lx->p++; return tok->kind = SIEVE_TOK_LBRACE;
	case '}': lx->p++; return tok->kind = SIEVE_TOK_RBRACE;
	case ',': lx->p++; return tok->kind = SIEVE_TOK_COMMA;
	case ';': lx->p++; return tok->kind = SIEVE_TOK_SEMICOLON;
	case '"':
		lx->p++;
		return lex_quoted(lx, tok);
	case ':':
		n = lex_identifier(lx, p + 1);
		if (n == 0 || !is_alpha_(p[1]))
			return lex_error(lx, tok->line, tok->col,
					 "unexpected character(s) starting "
					 "with ':'");
		if (n > SIEVE_MAX_IDENTIFIER_LEN)
			return lex_error(lx, tok->line, tok->col,
					 "tag is too long");
		tok->text = (const char *)p + 1;
		tok->len = n;
		lx->p = p + 1 + n;
		return tok->kind = SIEVE_TOK_TAG;
	}
	if (is_digit(*p))
		return lex_number(lx, tok);
	if (is_alpha_(*p)) {
		n = lex_identifier(lx, p);
		if (n == 4 && p + 4 < lx->end && p[4] == ':' &&
		    strncasecmp((const char *)p, "text", 4) == 0)
			return lex_multiline(lx, tok, p + 5);
		if (n > SIEVE_MAX_IDENTIFIER_LEN)
			return lex_error(lx, tok->line, tok->col,
					 "identifier is too long");
		tok->text = (const char *)p;
		tok->len = n;
		lx->p = p + n;
		return tok->kind = SIEVE_TOK_IDENT;
	}
	if (*p == '\0')
		return lex_error(lx, tok->line, tok->col,
				 "NUL character in script");
	if (*p >= 0x21 && *p < 0x7f)
		return lex_error(lx, tok->line, tok->col,
				 "unexpected character(s) starting with '%c'",
				 *p);
	return lex_error(lx, tok->line, tok->col,
			 "unexpected character(s) starting with 0x%02x", *p);
}

enum sieve_tok sieve_lexer_next(struct sieve_lexer *lx,
				struct sieve_token *tok)
{
	enum sieve_tok kind = lex_next(lx, tok);

	tok->kind = kind;
	return kind;
}
