/* cmd-control.c - control commands of RFC 5228 section 3: require, if,
 * elsif, else, stop */
#include "auto-config.h"
#include "sieve/sieve-private.h"

/* require_validate - load every named extension, in order */
static int require_validate(struct sieve_valctx *v, struct sieve_node *n)
{
	const struct sieve_arg *a = n->pos[0];
	size_t i;
	int ret = 0;

	for (i = 0; i < a->n_strs; i++) {
		const struct sieve_string *s = &a->strs[i];

		if (!sieve_string_is_constant(s)) {
			sieve_valctx_error(v, s->line, s->col, "the require "
					   "command requires constant strings");
			ret = -1;
			continue;
		}
		if (sieve_valctx_require(v, s->data, s->line, s->col) < 0)
			ret = -1;
	}
	return ret;
}

static int nothing_exec(struct sieve_run *run, const struct sieve_node *n)
{
	(void)run;
	(void)n;
	return SIEVE_EXEC_OK;
}

/* if_exec - the first branch of the if/elsif/else chain whose test is
 * true runs its block */
static int if_exec(struct sieve_run *run, const struct sieve_node *n)
{
	const struct sieve_node *c;

	for (c = n; c != NULL; c = c->else_next) {
		int r = 1;

		if (c->def != &sieve_cmd_else) {
			r = sieve_run_test(run, c->tests);
			if (r < 0)
				return SIEVE_EXEC_ERROR;
		}
		if (r > 0)
			return sieve_run_block(run, c->block);
	}
	return SIEVE_EXEC_OK;
}

static int stop_exec(struct sieve_run *run, const struct sieve_node *n)
{
	sieve_run_trace(run, n, "stop");
	return SIEVE_EXEC_STOP;
}

const struct sieve_cmd_def sieve_cmd_require = {
	.name = "require",
	.flags = SIEVE_CMD_F_TOPLEVEL,
	.min_pos = 1, .n_pos = 1,
	.pos = { SIEVE_T_STRLIST }, .pos_names = { "capabilities" },
	.validate = require_validate,
	.exec = nothing_exec,
};

const struct sieve_cmd_def sieve_cmd_if = {
	.name = "if",
	.flags = SIEVE_CMD_F_TEST | SIEVE_CMD_F_BLOCK,
	.exec = if_exec,
};

const struct sieve_cmd_def sieve_cmd_elsif = {
	.name = "elsif",
	.flags = SIEVE_CMD_F_TEST | SIEVE_CMD_F_BLOCK | SIEVE_CMD_F_ELSE,
	.exec = nothing_exec,
};

const struct sieve_cmd_def sieve_cmd_else = {
	.name = "else",
	.flags = SIEVE_CMD_F_BLOCK | SIEVE_CMD_F_ELSE,
	.exec = nothing_exec,
};

const struct sieve_cmd_def sieve_cmd_stop = {
	.name = "stop",
	.exec = stop_exec,
};
