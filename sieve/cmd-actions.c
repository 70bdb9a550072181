/* cmd-actions.c - the actions of RFC 5228 section 4 that need no
 * require: keep, discard, redirect (fileinto is ext-fileinto.c) */
#include "auto-config.h"
#include "sieve/sieve-private.h"

static int keep_exec(struct sieve_run *run, const struct sieve_node *n)
{
	sieve_run_trace(run, n, "keep");
	return sieve_run_add_action(run, n,
				    sieve_action_new(run, &sieve_act_keep));
}

static int discard_exec(struct sieve_run *run, const struct sieve_node *n)
{
	sieve_run_trace(run, n, "discard");
	return sieve_run_add_action(run, n,
				    sieve_action_new(run, &sieve_act_discard));
}

/* redirect_validate - a constant address must be valid (RFC 5228 4.2) */
static int redirect_validate(struct sieve_valctx *v, struct sieve_node *n)
{
	const struct sieve_string *s = &n->pos[0]->strs[0];
	const char *addr, *why;

	if (!sieve_string_is_constant(s) ||
	    sieve_address_valid_redirect(sieve_valctx_pool(v), s->data, s->len,
					 &addr, &why))
		return 0;
	sieve_valctx_error(v, s->line, s->col, "specified redirect address "
			   "'%s' is invalid: %s", s->data, why);
	return -1;
}

static int redirect_exec(struct sieve_run *run, const struct sieve_node *n)
{
	struct sieve_action *act;
	struct sieve_str s;
	const char *addr, *why;

	if (sieve_run_arg_str(run, n->pos[0], &s) < 0)
		return SIEVE_EXEC_ERROR;
	if (!sieve_address_valid_redirect(sieve_run_pool(run), s.data, s.len,
					  &addr, &why))
		return sieve_run_error(run, n, "specified redirect address "
				       "'%s' is invalid: %s",
				       sieve_run_cstr(run, &s), why);
	act = sieve_action_new(run, &sieve_act_redirect);
	act->address = addr;
	sieve_run_trace(run, n, "redirect \"%s\"", addr);
	return sieve_run_add_action(run, n, act);
}

const struct sieve_cmd_def sieve_cmd_keep = {
	.name = "keep",
	.exec = keep_exec,
};

const struct sieve_cmd_def sieve_cmd_discard = {
	.name = "discard",
	.exec = discard_exec,
};

const struct sieve_cmd_def sieve_cmd_redirect = {
	.name = "redirect",
	.min_pos = 1, .n_pos = 1,
	.pos = { SIEVE_T_STRING }, .pos_names = { "address" },
	.validate = redirect_validate,
	.exec = redirect_exec,
};
