/* sieve-lexer - the tokens of RFC 5228 section 8.1, with FILE:LINE:COL.
 *
 * Comments (hash to end of line, bracket comments) and white space are
 * skipped. Quoted strings undo "\\x" escapes (the backslash is dropped
 * before any character); multi-line strings ("text:" to a line holding
 * only ".") undo dot-stuffing; numbers take a K/M/G quantifier (either
 * case). Line ends may be CRLF or LF. An error is reported to the
 * diagnostics once and gives SIEVE_TOK_ERROR from then on.
 */
#ifndef SLUICE_SIEVE_LEXER_H
#define SLUICE_SIEVE_LEXER_H

#include <stddef.h>
#include <stdint.h>

#include "lib/pool.h"

struct sieve_diags;

enum sieve_tok {
	SIEVE_TOK_EOF = 0,
	SIEVE_TOK_ERROR,
	SIEVE_TOK_IDENT,	/* text/len: the identifier */
	SIEVE_TOK_TAG,		/* text/len: without the ':' */
	SIEVE_TOK_NUMBER,	/* number */
	SIEVE_TOK_STRING,	/* text/len: the value (pool, NUL-ended) */
	SIEVE_TOK_MSTRING,	/* multi-line string: the same */
	SIEVE_TOK_LBRACKET,	/* [ */
	SIEVE_TOK_RBRACKET,	/* ] */
	SIEVE_TOK_LPAREN,	/* ( */
	SIEVE_TOK_RPAREN,	/* ) */
	SIEVE_TOK_LBRACE,	/* { */
	SIEVE_TOK_RBRACE,	/* } */
	SIEVE_TOK_COMMA,
	SIEVE_TOK_SEMICOLON,
};

struct sieve_token {
	enum sieve_tok kind;
	unsigned line, col;	/* of the first character */
	const char *text;
	size_t len;
	uint64_t number;
};

struct sieve_lexer {
	struct pool *pool;
	struct sieve_diags *diags;
	const char *name;
	const unsigned char *p, *end;
	unsigned line;
	const unsigned char *line_start;
	int failed;
};

void sieve_lexer_init(struct sieve_lexer *lx, struct pool *pool,
		      struct sieve_diags *diags, const char *name,
		      const char *data, size_t len);
/* sieve_lexer_next - the next token into *tok; returns its kind */
enum sieve_tok sieve_lexer_next(struct sieve_lexer *lx,
				struct sieve_token *tok);
/* sieve_tok_describe - "string", "end of file", "'{'"... for messages */
const char *sieve_tok_describe(enum sieve_tok kind);

#endif
