/* sieve-parser.c - tokens -> tree (RFC 5228 8.2 grammar).
 *
 *   commands  = *command
 *   command   = identifier arguments (";" / block)
 *   block     = "{" commands "}"
 *   arguments = *argument [ test / test-list ]
 *   argument  = string-list / number / tag
 *   test      = identifier arguments
 *   test-list = "(" test *("," test) ")"
 *
 * Recursive descent bounded by the nesting limits of sieve-limits.h; the
 * first error ends the parse (its message follows Pigeonhole's wording). */
#include "auto-config.h"
#include "sieve/sieve-ast.h"
#include "sieve/sieve-lexer.h"
#include "sieve/sieve-limits.h"
#include "sieve/sieve-private.h"

#include <string.h>

struct parser {
	struct sieve_lexer lx;
	struct sieve_token tok;		/* the lookahead */
	struct pool *pool;
	struct sieve_diags *diags;
	const char *name;
	int failed;
};

static void advance(struct parser *p)
{
	sieve_lexer_next(&p->lx, &p->tok);
}

/* parse_error - report at the lookahead, unless the lexer or the parser
 * has already reported; returns -1 */
__attribute__((format(printf, 2, 3)))
static int parse_error(struct parser *p, const char *fmt, ...)
{
	va_list ap;

	if (p->tok.kind == SIEVE_TOK_ERROR || p->failed)
		return -1;
	va_start(ap, fmt);
	sieve_diag_vadd(p->diags, p->name, p->tok.line, p->tok.col, 0, fmt,
			ap);
	va_end(ap);
	p->failed = 1;
	return -1;
}

/* found - how the lookahead is described in messages */
static const char *found(const struct parser *p)
{
	return sieve_tok_describe(p->tok.kind);
}

static int is_string_tok(const struct parser *p)
{
	return p->tok.kind == SIEVE_TOK_STRING ||
	       p->tok.kind == SIEVE_TOK_MSTRING;
}

/* set_string - s from the string token */
static void set_string(struct parser *p, struct sieve_string *s)
{
	s->data = p->tok.text;
	s->len = p->tok.len;
	s->line = p->tok.line;
	s->col = p->tok.col;
}

/* parse_string_list - "[" string *("," string) "]", lookahead at '[' */
static int parse_string_list(struct parser *p, struct sieve_arg *a)
{
	size_t cap = 4;

	a->strs = pool_alloc_array(p->pool, cap, sizeof(*a->strs));
	advance(p);
	if (!is_string_tok(p))
		return parse_error(p, "expecting string after '[' in string "
				   "list, but found %s", found(p));
	for (;;) {
		if (a->n_strs == SIEVE_MAX_STRLIST_ITEMS)
			return parse_error(p, "string list has too many items "
					   "(max %u)", SIEVE_MAX_STRLIST_ITEMS);
		if (a->n_strs == cap) {
			struct sieve_string *n;

			n = pool_alloc_array(p->pool, cap * 2, sizeof(*n));
			memcpy(n, a->strs, cap * sizeof(*n));
			a->strs = n;
			cap *= 2;
		}
		set_string(p, &a->strs[a->n_strs++]);
		advance(p);
		if (p->tok.kind == SIEVE_TOK_RBRACKET)
			break;
		if (p->tok.kind != SIEVE_TOK_COMMA)
			return parse_error(p, "expecting ',' or end of string "
					   "list ']', but found %s", found(p));
		advance(p);
		if (!is_string_tok(p))
			return parse_error(p, "expecting string after ',' in "
					   "string list, but found %s",
					   found(p));
	}
	advance(p);
	return 0;
}

static int parse_test(struct parser *p, struct sieve_node *parent,
		      unsigned depth, struct sieve_node **test_r);

/* parse_test_list - "(" test *("," test) ")", lookahead at '(' */
static int parse_test_list(struct parser *p, struct sieve_node *n,
			   unsigned depth)
{
	struct sieve_node **tail = &n->tests;

	n->test_list = 1;
	advance(p);
	if (p->tok.kind != SIEVE_TOK_IDENT)
		return parse_error(p, "expecting test identifier after '(' in "
				   "test list, but found %s", found(p));
	for (;;) {
		if (parse_test(p, n, depth + 1, tail) < 0)
			return -1;
		tail = &(*tail)->next;
		n->n_tests++;
		if (p->tok.kind == SIEVE_TOK_RPAREN)
			break;
		if (p->tok.kind != SIEVE_TOK_COMMA)
			return parse_error(p, "expecting ',' or end of test "
					   "list ')', but found %s", found(p));
		advance(p);
		if (p->tok.kind != SIEVE_TOK_IDENT)
			return parse_error(p, "expecting test identifier after "
					   "',' in test list, but found %s",
					   found(p));
	}
	advance(p);
	return 0;
}

/* parse_arguments - *argument [test / test-list] into n */
static int parse_arguments(struct parser *p, struct sieve_node *n,
			   unsigned depth)
{
	struct sieve_arg **tail = &n->args, *a;

	for (;;) {
		const struct sieve_token *t = &p->tok;

		if (is_string_tok(p)) {
			a = sieve_ast_new_arg(p->pool, SIEVE_ARG_STRING,
					      t->line, t->col);
			a->strs = pool_alloc(p->pool, sizeof(*a->strs));
			a->n_strs = 1;
			set_string(p, &a->strs[0]);
			advance(p);
		} else if (t->kind == SIEVE_TOK_LBRACKET) {
			a = sieve_ast_new_arg(p->pool, SIEVE_ARG_STRLIST,
					      t->line, t->col);
			if (parse_string_list(p, a) < 0)
				return -1;
		} else if (t->kind == SIEVE_TOK_NUMBER) {
			a = sieve_ast_new_arg(p->pool, SIEVE_ARG_NUMBER,
					      t->line, t->col);
			a->number = t->number;
			advance(p);
		} else if (t->kind == SIEVE_TOK_TAG) {
			char *lc = pool_strndup(p->pool, t->text, t->len);
			size_t i;

			for (i = 0; i < t->len; i++) {
				if (lc[i] >= 'A' && lc[i] <= 'Z')
					lc[i] = (char)(lc[i] - 'A' + 'a');
			}
			a = sieve_ast_new_arg(p->pool, SIEVE_ARG_TAG,
					      t->line, t->col);
			a->tag = lc;
			advance(p);
		} else {
			break;
		}
		if (n->n_args == SIEVE_MAX_ARGS)
			return parse_error(p, "too many arguments for command "
					   "'%s' (max %u)", n->name,
					   SIEVE_MAX_ARGS);
		*tail = a;
		tail = &a->next;
		n->n_args++;
	}
	if (p->tok.kind == SIEVE_TOK_IDENT) {
		n->n_tests = 1;
		return parse_test(p, n, depth + 1, &n->tests);
	}
	if (p->tok.kind == SIEVE_TOK_LPAREN)
		return parse_test_list(p, n, depth);
	return p->tok.kind == SIEVE_TOK_ERROR ? -1 : 0;
}

/* parse_test - identifier arguments, lookahead at the identifier */
static int parse_test(struct parser *p, struct sieve_node *parent,
		      unsigned depth, struct sieve_node **test_r)
{
	struct sieve_node *t;

	if (depth > SIEVE_MAX_TEST_NESTING)
		return parse_error(p, "cannot nest tests deeper than %u levels",
				   SIEVE_MAX_TEST_NESTING);
	t = sieve_ast_new_node(p->pool, p->tok.text, p->tok.len, p->tok.line,
			       p->tok.col);
	t->is_test = 1;
	t->parent = parent;
	t->depth = parent->depth;
	*test_r = t;
	advance(p);
	return parse_arguments(p, t, depth);
}

static int parse_commands(struct parser *p, struct sieve_node *parent,
			  unsigned depth, struct sieve_node **first_r);

/* parse_command - identifier arguments (";" / block) */
static int parse_command(struct parser *p, struct sieve_node *parent,
			 unsigned depth, struct sieve_node **cmd_r)
{
	struct sieve_node *c;

	c = sieve_ast_new_node(p->pool, p->tok.text, p->tok.len, p->tok.line,
			       p->tok.col);
	c->parent = parent;
	c->depth = depth;
	*cmd_r = c;
	advance(p);
	if (parse_arguments(p, c, 0) < 0)
		return -1;
	if (p->tok.kind == SIEVE_TOK_SEMICOLON) {
		advance(p);
		return 0;
	}
	if (p->tok.kind != SIEVE_TOK_LBRACE)
		return parse_error(p, "expected end of command ';' or the "
				   "beginning of a compound block '{', but "
				   "found %s", found(p));
	if (depth + 1 > SIEVE_MAX_BLOCK_NESTING)
		return parse_error(p, "cannot nest command blocks deeper than "
				   "%u levels", SIEVE_MAX_BLOCK_NESTING);
	c->has_block = 1;
	advance(p);
	if (parse_commands(p, c, depth + 1, &c->block) < 0)
		return -1;
	if (p->tok.kind != SIEVE_TOK_RBRACE)
		return parse_error(p, "expected end of compound block '}', but "
				   "found %s", found(p));
	advance(p);
	return 0;
}

/* parse_commands - commands up to '}' or the end */
static int parse_commands(struct parser *p, struct sieve_node *parent,
			  unsigned depth, struct sieve_node **first_r)
{
	struct sieve_node **tail = first_r;

	while (p->tok.kind == SIEVE_TOK_IDENT) {
		if (parse_command(p, parent, depth, tail) < 0)
			return -1;
		tail = &(*tail)->next;
	}
	return p->tok.kind == SIEVE_TOK_ERROR ? -1 : 0;
}

int sieve_parse(struct pool *pool, const char *name, const char *data,
		size_t len, struct sieve_diags *diags,
		struct sieve_node **first_r)
{
	struct parser p;

	memset(&p, 0, sizeof(p));
	p.pool = pool;
	p.diags = diags;
	p.name = name;
	*first_r = NULL;
	sieve_lexer_init(&p.lx, pool, diags, name, data, len);
	advance(&p);
	if (parse_commands(&p, NULL, 0, first_r) < 0)
		goto fail;
	if (p.tok.kind != SIEVE_TOK_EOF) {
		parse_error(&p, "unexpected %s found at (the presumed) end of "
			    "file", found(&p));
		goto fail;
	}
	return 0;
fail:
	*first_r = NULL;
	return -1;
}
