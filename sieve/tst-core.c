/* tst-core.c - the tests of RFC 5228 section 5 that need no require:
 * address, allof, anyof, exists, false, header, not, size, true
 * (envelope is ext-envelope.c). Header names that are constant are
 * prepared (lowercased, hashed) at validation. */
#include "auto-config.h"
#include "sieve/sieve-private.h"

#include <string.h>

/* prepare_names - node->data: the header names of a (NULL when some
 * name is dynamic: then prepared at run time). warn: invalid names are
 * a warning (header, exists); address also checks its list. */
static int prepare_names(struct sieve_valctx *v, struct sieve_node *n,
			 const struct sieve_arg *a, int address)
{
	struct sieve_hname *names;
	size_t i;

	names = pool_alloc_array(sieve_valctx_pool(v), a->n_strs + 1,
				 sizeof(*names));
	for (i = 0; i < a->n_strs; i++) {
		const struct sieve_string *s = &a->strs[i];

		if (!sieve_string_is_constant(s))
			return 0;
		if (address && !sieve_address_header_allowed(s->data, s->len)) {
			sieve_valctx_error(v, s->line, s->col, "specified header "
					   "'%s' is not allowed for the address "
					   "test", s->data);
			return -1;
		}
		if (!sieve_header_name_valid(s->data, s->len))
			sieve_valctx_warning(v, s->line, s->col, "specified "
					     "header field name '%s' is invalid",
					     s->data);
		sieve_hname_init(&names[i], sieve_valctx_pool(v), s->data,
				 s->len);
	}
	n->data = names;
	return 0;
}

/* get_names - the header names of n, prepared (at validation when
 * constant, else now); 0 or SIEVE_EXEC_ERROR */
static int get_names(struct sieve_run *run, const struct sieve_node *n,
		     const struct sieve_hname **names_r, size_t *count_r)
{
	struct sieve_hname *names;
	struct sieve_str *dyn;
	size_t i, count;

	if (n->data != NULL) {
		*names_r = n->data;
		*count_r = n->pos[0]->n_strs;
		return 0;
	}
	if (sieve_run_arg_list(run, n->pos[0], &dyn, &count) < 0)
		return SIEVE_EXEC_ERROR;
	names = pool_alloc_array(sieve_run_pool(run), count + 1,
				 sizeof(*names));
	for (i = 0; i < count; i++)
		sieve_hname_init(&names[i], sieve_run_pool(run), dyn[i].data,
				 dyn[i].len);
	*names_r = names;
	*count_r = count;
	return 0;
}

static int value_cb(void *ctx, const char *v, size_t len)
{
	return sieve_match_value(ctx, v, len);
}

/* ---- header ---- */

static int header_validate(struct sieve_valctx *v, struct sieve_node *n)
{
	return prepare_names(v, n, n->pos[0], 0);
}

static int header_exec(struct sieve_run *run, const struct sieve_node *n)
{
	const struct sieve_hname *names;
	struct sieve_match m;
	size_t count;
	int r;

	if (get_names(run, n, &names, &count) < 0 ||
	    sieve_match_begin(&m, run, n, n->pos[1]) < 0)
		return SIEVE_EXEC_ERROR;
	r = sieve_msg_headers_values(run, n, names, count, 1, value_cb, &m);
	if (r < 0)
		return SIEVE_EXEC_ERROR;
	return sieve_match_end(&m);
}

/* ---- address ---- */

struct addr_ctx {
	struct sieve_run *run;
	const struct sieve_node *node;
	struct sieve_match *m;
};

static int address_cb(void *ctx, const struct address *a)
{
	struct addr_ctx *c = ctx;
	struct sieve_str v;

	if (sieve_addrpart_get(c->run, c->node, a, &v) <= 0)
		return 0;
	return sieve_match_value(c->m, v.data, v.len);
}

static int address_validate(struct sieve_valctx *v, struct sieve_node *n)
{
	return prepare_names(v, n, n->pos[0], 1);
}

static int address_exec(struct sieve_run *run, const struct sieve_node *n)
{
	const struct sieve_hname *names;
	struct sieve_hname *ok;
	struct sieve_match m;
	struct addr_ctx c = { run, n, &m };
	size_t i, count, n_ok = 0;
	int r;

	if (get_names(run, n, &names, &count) < 0 ||
	    sieve_match_begin(&m, run, n, n->pos[1]) < 0)
		return SIEVE_EXEC_ERROR;
	if (n->data == NULL) {
		/* dynamic names: only the address headers count */
		ok = pool_alloc_array(sieve_run_pool(run), count + 1,
				      sizeof(*ok));
		for (i = 0; i < count; i++) {
			if (sieve_address_header_allowed(names[i].lc,
							 names[i].len))
				ok[n_ok++] = names[i];
		}
		names = ok;
		count = n_ok;
	}
	r = sieve_msg_headers_addresses(run, n, names, count, address_cb, &c);
	if (r < 0)
		return SIEVE_EXEC_ERROR;
	return sieve_match_end(&m);
}

/* ---- exists ---- */

static int found_cb(void *ctx, const char *v, size_t len)
{
	(void)ctx;
	(void)v;
	(void)len;
	return 1;
}

static int exists_validate(struct sieve_valctx *v, struct sieve_node *n)
{
	return prepare_names(v, n, n->pos[0], 0);
}

/* exists_exec - true when every named field is present */
static int exists_exec(struct sieve_run *run, const struct sieve_node *n)
{
	const struct sieve_hname *names;
	size_t i, count;
	int r;

	if (get_names(run, n, &names, &count) < 0)
		return SIEVE_EXEC_ERROR;
	for (i = 0; i < count; i++) {
		r = sieve_msg_header_values(run, n, &names[i], 0, found_cb,
					    NULL);
		if (r <= 0)
			return r < 0 ? SIEVE_EXEC_ERROR : 0;
	}
	return 1;
}

/* ---- size ---- */

static const struct sieve_tag_def tag_over = { .name = "over" };
static const struct sieve_tag_def tag_under = { .name = "under" };
static const struct sieve_tag_def *const size_tags[] = {
	&tag_over, &tag_under, NULL
};

static int size_validate(struct sieve_valctx *v, struct sieve_node *n)
{
	int over = sieve_node_tag(n, &tag_over) != NULL;
	int under = sieve_node_tag(n, &tag_under) != NULL;

	if (over == under) {
		sieve_valctx_error(v, n->line, n->col, over ?
				   "the size test requires either the :under "
				   "or the :over tag to be specified, not both"
				   : "the size test requires either the :under "
				   "or the :over tag to be specified");
		return -1;
	}
	return 0;
}

static int size_exec(struct sieve_run *run, const struct sieve_node *n)
{
	uint64_t size = sieve_run_message(run)->size;
	uint64_t limit = n->pos[0]->number;

	if (sieve_node_tag(n, &tag_over) != NULL)
		return size > limit;
	return size < limit;
}

/* ---- allof, anyof, not, true, false ---- */

static int allof_exec(struct sieve_run *run, const struct sieve_node *n)
{
	const struct sieve_node *t;

	for (t = n->tests; t != NULL; t = t->next) {
		int r = sieve_run_test(run, t);

		if (r <= 0)
			return r;
	}
	return 1;
}

static int anyof_exec(struct sieve_run *run, const struct sieve_node *n)
{
	const struct sieve_node *t;

	for (t = n->tests; t != NULL; t = t->next) {
		int r = sieve_run_test(run, t);

		if (r != 0)
			return r;
	}
	return 0;
}

static int not_exec(struct sieve_run *run, const struct sieve_node *n)
{
	int r = sieve_run_test(run, n->tests);

	return r < 0 ? r : !r;
}

static int true_exec(struct sieve_run *run, const struct sieve_node *n)
{
	(void)run;
	(void)n;
	return 1;
}

static int false_exec(struct sieve_run *run, const struct sieve_node *n)
{
	(void)run;
	(void)n;
	return 0;
}

const struct sieve_cmd_def sieve_tst_address = {
	.name = "address", .is_test = 1,
	.flags = SIEVE_CMD_F_MATCH | SIEVE_CMD_F_ADDRPART,
	.min_pos = 2, .n_pos = 2,
	.pos = { SIEVE_T_STRLIST, SIEVE_T_STRLIST },
	.pos_names = { "header list", "key list" },
	.validate = address_validate,
	.exec = address_exec,
};

const struct sieve_cmd_def sieve_tst_header = {
	.name = "header", .is_test = 1,
	.flags = SIEVE_CMD_F_MATCH,
	.min_pos = 2, .n_pos = 2,
	.pos = { SIEVE_T_STRLIST, SIEVE_T_STRLIST },
	.pos_names = { "header names", "key list" },
	.validate = header_validate,
	.exec = header_exec,
};

const struct sieve_cmd_def sieve_tst_exists = {
	.name = "exists", .is_test = 1,
	.min_pos = 1, .n_pos = 1,
	.pos = { SIEVE_T_STRLIST }, .pos_names = { "header names" },
	.validate = exists_validate,
	.exec = exists_exec,
};

const struct sieve_cmd_def sieve_tst_size = {
	.name = "size", .is_test = 1,
	.min_pos = 1, .n_pos = 1,
	.pos = { SIEVE_T_NUMBER }, .pos_names = { "limit" },
	.tags = size_tags,
	.validate = size_validate,
	.exec = size_exec,
};

const struct sieve_cmd_def sieve_tst_allof = {
	.name = "allof", .is_test = 1,
	.flags = SIEVE_CMD_F_TESTLIST,
	.exec = allof_exec,
};

const struct sieve_cmd_def sieve_tst_anyof = {
	.name = "anyof", .is_test = 1,
	.flags = SIEVE_CMD_F_TESTLIST,
	.exec = anyof_exec,
};

const struct sieve_cmd_def sieve_tst_not = {
	.name = "not", .is_test = 1,
	.flags = SIEVE_CMD_F_TEST,
	.exec = not_exec,
};

const struct sieve_cmd_def sieve_tst_true = {
	.name = "true", .is_test = 1,
	.exec = true_exec,
};

const struct sieve_cmd_def sieve_tst_false = {
	.name = "false", .is_test = 1,
	.exec = false_exec,
};
