/* ext-fcc.c - fcc (RFC 8580): ":fcc" on vacation and notify.
 *
 *   vacation :fcc <mailbox: string> [:create] [:flags <list-of-flags>]
 *            [:specialuse <attr>] [:mailboxid <id>] ... <reason>
 *   notify   :fcc <mailbox: string> [same companions] ... <method>
 *
 * The message the action generates is also filed into the mailbox
 * (act->fcc on the vacation/notify action; the companions' fields
 * create, flags, special_use, mailboxid of that action describe the
 * copy: see ext-fcc.h). The vacation and notify commands are another
 * extension's; this one only attaches the tag. A constant mailbox name
 * that is not usable is a compile error; one built at run time drops
 * the copy, never the message (RFC 8580 section 3: failing to file the
 * copy must not fail the action). The internal flags of imap4flags do
 * not apply to the copy (RFC 5232 section 6: another message). */
#include "auto-config.h"
#include "sieve/sieve-ext.h"
#include "sieve/ext-fcc.h"

#include <string.h>

/* fcc_validate - a constant folder name must be usable */
static int fcc_validate(struct sieve_valctx *v, struct sieve_node *node,
			struct sieve_tagval *tv)
{
	const struct sieve_string *s = &tv->param[0]->strs[0];

	(void)node;
	if (!sieve_string_is_constant(s) ||
	    sieve_mailbox_name_valid(s->data, s->len))
		return 0;
	sieve_valctx_error(v, s->line, s->col,
			   "fcc tag: invalid mailbox name '%.64s' specified",
			   s->data);
	return -1;
}

/* fcc_on_action - the generated message is also filed into the folder */
static int fcc_on_action(struct sieve_run *run, const struct sieve_node *node,
			 const struct sieve_tagval *tv,
			 struct sieve_action *act)
{
	struct sieve_str box;

	if (sieve_run_arg_str(run, tv->param[0], &box) < 0)
		return SIEVE_EXEC_ERROR;
	if (!sieve_mailbox_name_valid(box.data, box.len)) {
		if (sieve_run_tracing(run))
			sieve_run_trace(run, node, "fcc: invalid mailbox "
					"name: no copy is filed");
		return 0;
	}
	act->fcc = sieve_run_cstr(run, &box);
	return 0;
}

static const char *const fcc_targets[] = { SIEVE_FCC_TARGETS, NULL };

static const struct sieve_tag_def tag_fcc = {
	.name = "fcc",
	.n_params = 1,
	.params = { SIEVE_T_STRING },
	.targets = fcc_targets,
	.validate = fcc_validate,
	.on_action = fcc_on_action,
};

/* sieve_fcc_companion_check - see ext-fcc.h */
int sieve_fcc_companion_check(struct sieve_valctx *v,
			      const struct sieve_node *node,
			      const struct sieve_tagval *tv)
{
	static const char *const fcc_cmds[] = { SIEVE_FCC_TARGETS, NULL };
	size_t i;

	for (i = 0; fcc_cmds[i] != NULL; i++)
		if (strcmp(node->name, fcc_cmds[i]) == 0)
			break;
	if (fcc_cmds[i] == NULL)
		return 0;
	for (i = 0; i < node->n_tags; i++)
		if (node->tags[i].def == &tag_fcc)
			return 0;
	sieve_valctx_error(v, tv->tag->line, tv->tag->col,
			   "the :%s tag of the %s command requires the :fcc "
			   "tag (RFC 8580)", tv->def->name, node->name);
	return -1;
}

static const struct sieve_tag_def *const fcc_tags[] = { &tag_fcc, NULL };

const struct sieve_extension sieve_ext_fcc = {
	.name = "fcc",
	.tags = fcc_tags,
};

/* sieve_fcc_json - the Fcc copy's fields of a vacation/notify action */
void sieve_fcc_json(struct buf *out, const struct sieve_action *a)
{
	size_t i;

	if (a->fcc == NULL)
		return;
	buf_append_str(out, ",\"fcc\":");
	sieve_json_string(out, a->fcc, strlen(a->fcc));
	if (a->create)
		buf_append_str(out, ",\"create\":true");
	if (a->n_flags > 0) {
		buf_append_str(out, ",\"flags\":[");
		for (i = 0; i < a->n_flags; i++) {
			if (i > 0)
				buf_append_char(out, ',');
			sieve_json_string(out, a->flags[i], strlen(a->flags[i]));
		}
		buf_append_char(out, ']');
	}
	if (a->special_use != NULL) {
		buf_append_str(out, ",\"specialuse\":");
		sieve_json_string(out, a->special_use, strlen(a->special_use));
	}
	if (a->mailboxid != NULL) {
		buf_append_str(out, ",\"mailboxid\":");
		sieve_json_string(out, a->mailboxid, strlen(a->mailboxid));
	}
}
