/* ext-fileinto.c - fileinto (RFC 5228 4.1): store into a named folder.
 *
 * The smallest extension: one command, one positional string, an
 * action. The folder name is taken as written (after variable
 * expansion); core/ maps it onto the store and keeps it inside the mail
 * root. :copy, :flags, :create are other extensions' tags that attach
 * to this command by name. */
#include "auto-config.h"
#include "sieve/sieve-ext.h"

#include "lib/utf8.h"

#include <string.h>

/* fileinto_validate - a constant name must be usable: not empty, UTF-8 */
static int fileinto_validate(struct sieve_valctx *v, struct sieve_node *node)
{
	const struct sieve_string *s = &node->pos[0]->strs[0];

	if (!sieve_string_is_constant(s))
		return 0;
	if (!utf8_valid(s->data, s->len) || memchr(s->data, '\0', s->len)) {
		sieve_valctx_error(v, s->line, s->col,
				   "fileinto: invalid folder name: "
				   "not valid UTF-8");
		return -1;
	}
	return 0;
}

/* fileinto_exec - add the fileinto action */
static int fileinto_exec(struct sieve_run *run, const struct sieve_node *node)
{
	struct sieve_action *act;
	struct sieve_str box;

	if (sieve_run_arg_str(run, node->pos[0], &box) < 0)
		return SIEVE_EXEC_ERROR;
	act = sieve_action_new(run, &sieve_act_fileinto);
	act->mailbox = sieve_run_cstr(run, &box);
	if (sieve_run_tracing(run))
		sieve_run_trace(run, node, "fileinto \"%s\"", act->mailbox);
	return sieve_run_add_action(run, node, act);
}

static const struct sieve_cmd_def cmd_fileinto = {
	.name = "fileinto",
	.min_pos = 1,
	.n_pos = 1,
	.pos = { SIEVE_T_STRING },
	.pos_names = { "folder" },
	.validate = fileinto_validate,
	.exec = fileinto_exec,
};

static const struct sieve_cmd_def *const fileinto_commands[] = {
	&cmd_fileinto, NULL
};

const struct sieve_extension sieve_ext_fileinto = {
	.name = "fileinto",
	.commands = fileinto_commands,
};
