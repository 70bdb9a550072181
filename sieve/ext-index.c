/* ext-index.c - the index extension (RFC 5260 6).
 *
 *   header / address / date  [":index" <fieldno: number> [":last"]] ...
 *
 * :index N makes the test look only at the N-th field (1-based) of the
 * named header, counted from the top, or from the bottom with :last; an
 * index past the end selects nothing (the test is false). Both are tags
 * on other tests: their on_extract hooks set struct sieve_extract's index
 * and last, which the core's header reading honors (for address, the
 * index picks the field and every address in it is tested, RFC 5260 6).
 * Errors as Pigeonhole: :index 0, and :last without :index.
 */
#include "auto-config.h"
#include "sieve/sieve-ext.h"

static const char *const index_targets[] = { "header", "address", "date",
					     NULL };

/* index_validate - the field number is 1 or more */
static int index_validate(struct sieve_valctx *v, struct sieve_node *node,
			  struct sieve_tagval *tv)
{
	const struct sieve_arg *n = tv->param[0];

	if (n == NULL || n->kind != SIEVE_ARG_NUMBER)
		return -1;	/* the core reported the type */
	if (n->number == 0) {
		sieve_valctx_error(v, n->line, n->col,
				   "the :index tag for the %s test cannot be "
				   "zero", node->name);
		return -1;
	}
	if (n->number > UINT32_MAX) {
		sieve_valctx_error(v, n->line, n->col,
				   "the :index tag for the %s test is too "
				   "large", node->name);
		return -1;
	}
	return 0;
}

/* index_extract - read only field N */
static int index_extract(struct sieve_run *run, const struct sieve_node *node,
			 const struct sieve_tagval *tv, struct sieve_extract *ex)
{
	(void)run;
	(void)node;
	ex->index = (unsigned)tv->param[0]->number;
	return 0;
}

static const struct sieve_tag_def tag_index = {
	.name = "index",
	.n_params = 1,
	.params = { SIEVE_T_NUMBER },
	.targets = index_targets,
	.validate = index_validate,
	.on_extract = index_extract,
};

/* last_validate - :last needs :index */
static int last_validate(struct sieve_valctx *v, struct sieve_node *node,
			 struct sieve_tagval *tv)
{
	if (sieve_node_tag(node, &tag_index) == NULL) {
		sieve_valctx_error(v, tv->tag->line, tv->tag->col,
				   "the :last tag for the %s test cannot be "
				   "specified without the :index tag",
				   node->name);
		return -1;
	}
	return 0;
}

/* last_extract - count from the bottom */
static int last_extract(struct sieve_run *run, const struct sieve_node *node,
			const struct sieve_tagval *tv, struct sieve_extract *ex)
{
	(void)run;
	(void)node;
	(void)tv;
	ex->last = 1;
	return 0;
}

static const struct sieve_tag_def tag_last = {
	.name = "last",
	.targets = index_targets,
	.validate = last_validate,
	.on_extract = last_extract,
};

static const struct sieve_tag_def *const index_tags[] = {
	&tag_index, &tag_last, NULL
};

const struct sieve_extension sieve_ext_index = {
	.name = "index",
	.tags = index_tags,
};
