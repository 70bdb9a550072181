/* ext-special-use.c - special-use (RFC 8579): the specialuse_exists test
 * and ":specialuse" on fileinto (and on vacation/notify with :fcc, RFC
 * 8580).
 *
 *   specialuse_exists [<mailbox: string>]
 *                     <special-use-attrs: string-list>
 *   fileinto :specialuse <special-use-attr: string> <mailbox: string>
 *
 * A special-use attribute is "\" atom (RFC 6154 section 6); a constant
 * one that is not is a compile error, one built at run time a runtime
 * error (RFC 8579 sections 3 and 4). The host answers whether a folder
 * (or, without a mailbox, any folder) has the attribute; fileinto
 * :specialuse stores into the folder that has it when one exists, else
 * into the named folder (delivery's job: act->special_use). */
#include "auto-config.h"
#include "sieve/sieve-ext.h"
#include "sieve/ext-fcc.h"

#include <string.h>

/* atom_char - RFC 3501 ATOM-CHAR: printable ASCII except atom-specials */
static int atom_char(unsigned char c)
{
	return c > 0x20 && c < 0x7f && strchr("(){\"\\%*]", c) == NULL;
}

/* special_use_valid - "\" atom */
static int special_use_valid(const char *s, size_t len)
{
	size_t i;

	if (len < 2 || s[0] != '\\')
		return 0;
	for (i = 1; i < len; i++)
		if (!atom_char((unsigned char)s[i]))
			return 0;
	return 1;
}

/* check_const_flag - a constant attribute must be valid (compile error) */
static int check_const_flag(struct sieve_valctx *v, const char *what,
			    const struct sieve_string *s)
{
	if (!sieve_string_is_constant(s) || special_use_valid(s->data, s->len))
		return 0;
	sieve_valctx_error(v, s->line, s->col,
			   "%s: invalid special-use flag '%.64s' specified",
			   what, s->data);
	return -1;
}

/* specialuse_validate - :specialuse: a valid attribute; with :fcc only on
 * vacation/notify */
static int specialuse_validate(struct sieve_valctx *v, struct sieve_node *node,
			       struct sieve_tagval *tv)
{
	if (check_const_flag(v, "specialuse tag", &tv->param[0]->strs[0]) < 0)
		return -1;
	return sieve_fcc_companion_check(v, node, tv);
}

/* specialuse_on_action - the folder with the attribute is preferred */
static int specialuse_on_action(struct sieve_run *run,
				const struct sieve_node *node,
				const struct sieve_tagval *tv,
				struct sieve_action *act)
{
	struct sieve_str flag;

	if (sieve_run_arg_str(run, tv->param[0], &flag) < 0)
		return SIEVE_EXEC_ERROR;
	if (!special_use_valid(flag.data, flag.len))
		return sieve_run_error(run, node, "specialuse tag: invalid "
				       "special-use flag '%.64s' specified",
				       sieve_run_cstr(run, &flag));
	act->special_use = sieve_run_cstr(run, &flag);
	return 0;
}

static const char *const specialuse_targets[] = {
	"fileinto", SIEVE_FCC_TARGETS, NULL
};

static const struct sieve_tag_def tag_specialuse = {
	.name = "specialuse",
	.n_params = 1,
	.params = { SIEVE_T_STRING },
	.targets = specialuse_targets,
	.validate = specialuse_validate,
	.on_action = specialuse_on_action,
};

/* suexists_validate - [mailbox: string] flags: constant flags valid */
static int suexists_validate(struct sieve_valctx *v, struct sieve_node *node)
{
	const struct sieve_arg *flags = node->pos[node->n_pos - 1];
	size_t i;
	int ret = 0;

	if (node->n_pos == 2) {
		const struct sieve_arg *box = node->pos[0];

		if (box->kind != SIEVE_ARG_STRING) {
			sieve_valctx_error(v, box->line, box->col,
					   "if a second argument is specified "
					   "for the specialuse_exists test, "
					   "the first must be a string "
					   "(mailbox), but a string list was "
					   "found");
			return -1;
		}
		if (sieve_string_is_constant(&box->strs[0]) &&
		    !sieve_mailbox_name_valid(box->strs[0].data,
					      box->strs[0].len))
			sieve_valctx_warning(v, box->line, box->col,
					     "specialuse_exists test: invalid "
					     "mailbox name specified");
	}
	for (i = 0; i < flags->n_strs; i++)
		if (check_const_flag(v, "specialuse_exists test",
				     &flags->strs[i]) < 0)
			ret = -1;
	return ret;
}

/* suexists_one - does box (NULL: any folder) have flag? 1, 0, ERROR */
static int suexists_one(struct sieve_run *run, const struct sieve_node *node,
			const char *box, const struct sieve_str *flag)
{
	const struct sieve_host *host = sieve_run_host(run);
	struct sl_err err;
	const char *f = sieve_run_cstr(run, flag);
	int r;

	if (!special_use_valid(flag->data, flag->len))
		return sieve_run_error(run, node, "specialuse_exists test: "
				       "invalid special-use flag '%.64s' "
				       "specified", f);
	if (host->special_use_exists == NULL)
		return 0;
	err_clear(&err);
	r = host->special_use_exists(host->ctx, box, f, &err);
	if (r >= 0)
		return r > 0;
	if (err.cls == ERR_TEMP)
		return sieve_run_temp_error(run, node,
					    "specialuse_exists test: %s",
					    err.text);
	return 0;
}

/* suexists_exec - true when every attribute exists (on the folder) */
static int suexists_exec(struct sieve_run *run, const struct sieve_node *node)
{
	struct sieve_str *flags, mbox;
	const char *box = NULL;
	size_t n, i;
	int r;

	if (node->n_pos == 2) {
		if (sieve_run_arg_str(run, node->pos[0], &mbox) < 0)
			return SIEVE_EXEC_ERROR;
		/* an invalid name is a folder that does not exist */
		if (!sieve_mailbox_name_valid(mbox.data, mbox.len))
			return 0;
		box = sieve_run_cstr(run, &mbox);
	}
	if (sieve_run_arg_list(run, node->pos[node->n_pos - 1], &flags,
			       &n) < 0)
		return SIEVE_EXEC_ERROR;
	for (i = 0; i < n; i++) {
		r = suexists_one(run, node, box, &flags[i]);
		if (r <= 0)
			return r;
	}
	return 1;
}

static const struct sieve_cmd_def tst_specialuse_exists = {
	.name = "specialuse_exists",
	.is_test = 1,
	.min_pos = 1,
	.n_pos = 2,
	.pos = { SIEVE_T_STRLIST, SIEVE_T_STRLIST },
	.validate = suexists_validate,
	.exec = suexists_exec,
};

static const struct sieve_cmd_def *const special_use_commands[] = {
	&tst_specialuse_exists, NULL
};

static const struct sieve_tag_def *const special_use_tags[] = {
	&tag_specialuse, NULL
};

const struct sieve_extension sieve_ext_special_use = {
	.name = "special-use",
	.commands = special_use_commands,
	.tags = special_use_tags,
};
