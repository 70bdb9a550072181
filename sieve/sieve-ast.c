/* sieve-ast.c - tree nodes and a text dump of the tree */
#include "auto-config.h"
#include "sieve/sieve-private.h"

#include "lib/buf.h"

#include <string.h>

struct sieve_node *sieve_ast_new_node(struct pool *pool, const char *name,
				      size_t name_len, unsigned line,
				      unsigned col)
{
	struct sieve_node *n = pool_alloc(pool, sizeof(*n));
	char *lc = pool_strndup(pool, name, name_len);
	size_t i;

	for (i = 0; i < name_len; i++) {
		if (lc[i] >= 'A' && lc[i] <= 'Z')
			lc[i] = (char)(lc[i] - 'A' + 'a');
	}
	n->name = lc;
	n->line = line;
	n->col = col;
	return n;
}

struct sieve_arg *sieve_ast_new_arg(struct pool *pool,
				    enum sieve_arg_kind kind, unsigned line,
				    unsigned col)
{
	struct sieve_arg *a = pool_alloc(pool, sizeof(*a));

	a->kind = kind;
	a->line = line;
	a->col = col;
	return a;
}

/* dump_string - s quoted, escaping '"', '\\' and controls */
static void dump_string(struct buf *out, const struct sieve_string *s)
{
	size_t i;

	buf_append_char(out, '"');
	for (i = 0; i < s->len; i++) {
		unsigned char c = (unsigned char)s->data[i];

		if (c == '"' || c == '\\')
			buf_printf(out, "\\%c", c);
		else if (c < 0x20 || c == 0x7f)
			buf_printf(out, "\\x%02x", c);
		else
			buf_append_char(out, (char)c);
	}
	buf_append_char(out, '"');
}

/* sieve_ast_dump_args - the arguments of n, one line */
static void dump_args(struct buf *out, const struct sieve_node *n)
{
	const struct sieve_arg *a;
	size_t i;

	for (a = n->args; a != NULL; a = a->next) {
		buf_append_char(out, ' ');
		switch (a->kind) {
		case SIEVE_ARG_TAG:
			buf_printf(out, ":%s", a->tag);
			break;
		case SIEVE_ARG_NUMBER:
			buf_printf(out, "%llu", (unsigned long long)a->number);
			break;
		case SIEVE_ARG_STRING:
			dump_string(out, &a->strs[0]);
			break;
		case SIEVE_ARG_STRLIST:
			buf_append_char(out, '[');
			for (i = 0; i < a->n_strs; i++) {
				if (i > 0)
					buf_append_str(out, ", ");
				dump_string(out, &a->strs[i]);
			}
			buf_append_char(out, ']');
			break;
		}
	}
}

/* dump_test - a test and its sub-tests, inline */
static void dump_test(struct buf *out, const struct sieve_node *t)
{
	const struct sieve_node *s;

	buf_append_str(out, t->name);
	dump_args(out, t);
	if (t->tests == NULL)
		return;
	buf_append_str(out, t->test_list ? " (" : " ");
	for (s = t->tests; s != NULL; s = s->next) {
		dump_test(out, s);
		if (s->next != NULL)
			buf_append_str(out, ", ");
	}
	if (t->test_list)
		buf_append_char(out, ')');
}

static void dump_block(struct buf *out, const struct sieve_node *n,
		       unsigned depth)
{
	unsigned i;

	for (; n != NULL; n = n->next) {
		for (i = 0; i < depth; i++)
			buf_append_str(out, "  ");
		dump_test(out, n);
		if (!n->has_block) {
			buf_append_str(out, ";\n");
			continue;
		}
		buf_append_str(out, " {\n");
		dump_block(out, n->block, depth + 1);
		for (i = 0; i < depth; i++)
			buf_append_str(out, "  ");
		buf_append_str(out, "}\n");
	}
}

void sieve_ast_dump(struct buf *out, const struct sieve_node *first)
{
	dump_block(out, first, 0);
}

void sieve_ast_describe(struct buf *out, const struct sieve_node *n)
{
	dump_test(out, n);
}
