/* ext-relational.c - the relational extension (RFC 5231).
 *
 *   MATCH-TYPE =/ ":count" <relational-match: string>
 *               / ":value" <relational-match: string>
 *   relational-match = "gt" / "ge" / "lt" / "le" / "eq" / "ne"
 *
 * :value compares each value with each key through the test's
 * comparator (its ordering: RFC 5231 4.3 requires one, so a comparator
 * without SIEVE_CMP_F_ORDER is refused by the validator through
 * SIEVE_MATCH_F_ORDER). :count compares the number of values the test
 * saw (header fields, addresses, envelope parts), written in decimal,
 * with the keys, also through the comparator (RFC 5231 4.2): with the
 * default i;ascii-casemap "10" sorts before "9", as in Pigeonhole; scripts
 * use :comparator "i;ascii-numeric". The operator must be a constant
 * string (Pigeonhole refuses a variable here too).
 */
#include "auto-config.h"
#include "sieve/sieve-ext.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

enum rel_op { REL_GT, REL_GE, REL_LT, REL_LE, REL_EQ, REL_NE };

static const char *const rel_names[] = { "gt", "ge", "lt", "le", "eq",
					 "ne" };

/* rel_op_parse - the operator named by s (case-insensitive), or -1 */
static int rel_op_parse(const char *s, size_t len)
{
	size_t i;

	if (len != 2)
		return -1;
	for (i = 0; i < sizeof(rel_names) / sizeof(rel_names[0]); i++)
		if (strncasecmp(s, rel_names[i], 2) == 0)
			return (int)i;
	return -1;
}

/* rel_holds - whether the comparison result c (<0, 0, >0) satisfies op */
static int rel_holds(enum rel_op op, int c)
{
	switch (op) {
	case REL_GT:
		return c > 0;
	case REL_GE:
		return c >= 0;
	case REL_LT:
		return c < 0;
	case REL_LE:
		return c <= 0;
	case REL_EQ:
		return c == 0;
	case REL_NE:
		return c != 0;
	}
	return 0;
}

/* rel_validate - the operator is a constant known name: compile it into
 * node->match_data (a pointer to a static enum) */
static int rel_validate(struct sieve_valctx *v, struct sieve_node *node,
			struct sieve_tagval *tv)
{
	static const enum rel_op ops[] = { REL_GT, REL_GE, REL_LT, REL_LE,
					   REL_EQ, REL_NE };
	const struct sieve_arg *a = tv->param[0];
	int op;

	if (a == NULL || a->kind != SIEVE_ARG_STRING || a->n_strs != 1 ||
	    !sieve_string_is_constant(&a->strs[0])) {
		sieve_valctx_error(v, tv->tag->line, tv->tag->col,
				   "the :%s match type requires a constant "
				   "string argument being one of \"gt\", "
				   "\"ge\", \"lt\", \"le\", \"eq\" or \"ne\"",
				   tv->tag->tag);
		return -1;
	}
	op = rel_op_parse(a->strs[0].data, a->strs[0].len);
	if (op < 0) {
		sieve_valctx_error(v, a->line, a->col,
				   "invalid relational match type '%s' for "
				   ":%s (must be one of gt, ge, lt, le, eq "
				   "or ne)", a->strs[0].data, tv->tag->tag);
		return -1;
	}
	node->match_data = &ops[op];
	return 0;
}

/* rel_op_of - the operator validation compiled for m's test */
static enum rel_op rel_op_of(const struct sieve_match *m)
{
	const enum rel_op *op = m->node->match_data;

	return op != NULL ? *op : REL_EQ;
}

/* value_key_match - :value: value OP key under the comparator */
static int value_key_match(struct sieve_match *m, const char *v, size_t vlen,
			   const struct sieve_str *key, size_t i)
{
	(void)i;
	return rel_holds(rel_op_of(m),
			 m->cmp->compare(v, vlen, key->data, key->len));
}

/* count_value - :count: only the number of values matters (the core
 * counts them in m->count); never stop early */
static int count_value(struct sieve_match *m, const char *v, size_t vlen)
{
	(void)m;
	(void)v;
	(void)vlen;
	return 0;
}

/* count_end - the count in decimal OP any key under the comparator */
static int count_end(struct sieve_match *m)
{
	char num[32];
	int len;
	size_t i;

	if (m->error)
		return SIEVE_EXEC_ERROR;
	len = snprintf(num, sizeof(num), "%llu",
		       (unsigned long long)m->count);
	if (len < 0 || (size_t)len >= sizeof(num))
		return SIEVE_EXEC_ERROR;
	for (i = 0; i < m->n_keys; i++)
		if (rel_holds(rel_op_of(m),
			      m->cmp->compare(num, (size_t)len,
					      m->keys[i].data,
					      m->keys[i].len)))
			return 1;
	return 0;
}

static const struct sieve_match_def mcht_value = {
	.name = "value",
	.n_params = 1,
	.params = { SIEVE_T_STRING },
	.flags = SIEVE_MATCH_F_ORDER,
	.validate = rel_validate,
	.key_match = value_key_match,
};

static const struct sieve_match_def mcht_count = {
	.name = "count",
	.n_params = 1,
	.params = { SIEVE_T_STRING },
	.flags = SIEVE_MATCH_F_ORDER,
	.validate = rel_validate,
	.value = count_value,
	.end = count_end,
};

static const struct sieve_match_def *const relational_match_types[] = {
	&mcht_value, &mcht_count, NULL
};

const struct sieve_extension sieve_ext_relational = {
	.name = "relational",
	.match_types = relational_match_types,
};
