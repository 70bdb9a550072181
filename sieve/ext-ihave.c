/* ext-ihave.c - ihave (RFC 5463): test for extensions, and error.
 *
 *   ihave <capabilities: string-list>
 *   error <message: string>
 *
 * ihave is decided at validation, as Pigeonhole does: true when every
 * named extension is known and enabled (they are then loaded, so the
 * block may use them without require); false otherwise, and then the
 * block of the enclosing if/elsif is parsed but not validated (commands
 * of a missing extension there are not compile errors). RFC 5463 4:
 * ihave never enables extensions that change how a script is read
 * (variables, encoded-character): for those it is false. Names given
 * through variables are not constant and make the test false. error
 * ends the script with a runtime error (only the implicit keep stays).
 */
#include "auto-config.h"
#include "sieve/sieve-ext.h"

#include <string.h>
#include <strings.h>

static const int ihave_true = 1;

/* ihave_refused - RFC 5463 4: extensions ihave must never enable */
static int ihave_refused(const char *name, size_t len)
{
	return (len == 9 && strncasecmp(name, "variables", 9) == 0) ||
	       (len == 17 && strncasecmp(name, "encoded-character", 17) == 0);
}

/* ihave_skip_block - a false ihave: the enclosing if/elsif's block is
 * not validated, unless a "not" between them may make the test true */
static void ihave_skip_block(struct sieve_node *node)
{
	struct sieve_node *p;

	for (p = node->parent; p != NULL && p->is_test; p = p->parent)
		if (strcmp(p->name, "not") == 0)
			return;
	if (p != NULL)
		p->skip_block = 1;
}

/* ihave_validate - load the named extensions, or make the test false */
static int ihave_validate(struct sieve_valctx *v, struct sieve_node *node)
{
	const struct sieve_arg *caps = node->pos[0];
	struct sieve_engine *e = sieve_valctx_engine(v);
	size_t i;
	int all = 1;

	for (i = 0; i < caps->n_strs && all; i++) {
		const struct sieve_string *s = &caps->strs[i];

		if (!sieve_string_is_constant(s) ||
		    memchr(s->data, '\0', s->len) != NULL ||
		    ihave_refused(s->data, s->len) ||
		    sieve_ext_find(e, s->data) == NULL)
			all = 0;
	}
	if (!all) {
		node->data = NULL;
		ihave_skip_block(node);
		return 0;
	}
	for (i = 0; i < caps->n_strs; i++) {
		const struct sieve_string *s = &caps->strs[i];

		if (sieve_valctx_require(v, s->data, s->line, s->col) < 0)
			return -1;
	}
	node->data = (void *)&ihave_true;
	return 0;
}

/* ihave_exec - the answer validation found */
static int ihave_exec(struct sieve_run *run, const struct sieve_node *node)
{
	(void)run;
	return node->data != NULL;
}

/* error_exec - RFC 5463 5: end with a runtime error carrying message */
static int error_exec(struct sieve_run *run, const struct sieve_node *node)
{
	struct sieve_str msg;

	if (sieve_run_arg_str(run, node->pos[0], &msg) < 0)
		return SIEVE_EXEC_ERROR;
	return sieve_run_error(run, node, "%.*s", (int)msg.len, msg.data);
}

static const struct sieve_cmd_def tst_ihave = {
	.name = "ihave",
	.is_test = 1,
	.min_pos = 1,
	.n_pos = 1,
	.pos = { SIEVE_T_STRLIST },
	.validate = ihave_validate,
	.exec = ihave_exec,
};

static const struct sieve_cmd_def cmd_error = {
	.name = "error",
	.min_pos = 1,
	.n_pos = 1,
	.pos = { SIEVE_T_STRING },
	.exec = error_exec,
};

static const struct sieve_cmd_def *const ihave_commands[] = {
	&tst_ihave, &cmd_error, NULL
};

const struct sieve_extension sieve_ext_ihave = {
	.name = "ihave",
	.commands = ihave_commands,
};
