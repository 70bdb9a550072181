/* ext-mailboxid.c - mailboxid (RFC 9042): ":mailboxid" on fileinto (and
 * on vacation/notify with :fcc) and the mailboxidexists test.
 *
 *   fileinto :mailboxid <mailboxid: string> <mailbox: string>
 *   mailboxidexists <mailbox-objectids: string-list>
 *
 * Our stores have no mailbox ids (RFC 8474 OBJECTID) yet. RFC 9042
 * section 4: when no folder has the id, fileinto delivers as if
 * :mailboxid were not given (into the named folder, :create applying);
 * section 6: mailboxidexists is false unless every id names an existing
 * folder. So the action records the id (act->mailboxid, for a store that
 * will know ids) and delivery goes by name; mailboxidexists is false for
 * every id, and for an id that is not a valid objectid
 * (1*255(ALPHA / DIGIT / "-" / "_")) in any case. */
#include "auto-config.h"
#include "sieve/sieve-ext.h"
#include "sieve/ext-fcc.h"

/* RFC 8474 section 4: objectid = 1*255(ALPHA / DIGIT / "-" / "_") */
#define MAILBOXID_MAX_LEN 255

/* objectid_valid - RFC 8474 objectid syntax */
static int objectid_valid(const char *s, size_t len)
{
	size_t i;

	if (len == 0 || len > MAILBOXID_MAX_LEN)
		return 0;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		      (c >= '0' && c <= '9') || c == '-' || c == '_'))
			return 0;
	}
	return 1;
}

/* warn_const_id - a constant id that can never match */
static void warn_const_id(struct sieve_valctx *v, const char *what,
			  const struct sieve_string *s)
{
	if (sieve_string_is_constant(s) && !objectid_valid(s->data, s->len))
		sieve_valctx_warning(v, s->line, s->col,
				     "%s: invalid mailbox id '%.64s' "
				     "specified", what, s->data);
}

/* mailboxid_validate - :mailboxid on vacation/notify needs :fcc */
static int mailboxid_validate(struct sieve_valctx *v, struct sieve_node *node,
			      struct sieve_tagval *tv)
{
	warn_const_id(v, "mailboxid tag", &tv->param[0]->strs[0]);
	return sieve_fcc_companion_check(v, node, tv);
}

/* mailboxid_on_action - record the id; delivery falls back to the name
 * while no store knows ids (RFC 9042 section 4) */
static int mailboxid_on_action(struct sieve_run *run,
			       const struct sieve_node *node,
			       const struct sieve_tagval *tv,
			       struct sieve_action *act)
{
	struct sieve_str id;

	(void)node;
	if (sieve_run_arg_str(run, tv->param[0], &id) < 0)
		return SIEVE_EXEC_ERROR;
	act->mailboxid = sieve_run_cstr(run, &id);
	return 0;
}

static const char *const mailboxid_targets[] = {
	"fileinto", SIEVE_FCC_TARGETS, NULL
};

static const struct sieve_tag_def tag_mailboxid = {
	.name = "mailboxid",
	.n_params = 1,
	.params = { SIEVE_T_STRING },
	.targets = mailboxid_targets,
	.validate = mailboxid_validate,
	.on_action = mailboxid_on_action,
};

/* mboxidexists_validate - warn about constant ids that cannot match */
static int mboxidexists_validate(struct sieve_valctx *v,
				 struct sieve_node *node)
{
	const struct sieve_arg *ids = node->pos[0];
	size_t i;

	for (i = 0; i < ids->n_strs; i++)
		warn_const_id(v, "mailboxidexists test", &ids->strs[i]);
	return 0;
}

/* mboxidexists_exec - false: no folder of ours has an id (RFC 9042 6) */
static int mboxidexists_exec(struct sieve_run *run,
			     const struct sieve_node *node)
{
	struct sieve_str *ids;
	size_t n;

	if (sieve_run_arg_list(run, node->pos[0], &ids, &n) < 0)
		return SIEVE_EXEC_ERROR;
	if (sieve_run_tracing(run))
		sieve_run_trace(run, node, "the mail store has no mailbox "
				"ids: no id exists");
	return 0;
}

static const struct sieve_cmd_def tst_mailboxidexists = {
	.name = "mailboxidexists",
	.is_test = 1,
	.min_pos = 1,
	.n_pos = 1,
	.pos = { SIEVE_T_STRLIST },
	.validate = mboxidexists_validate,
	.exec = mboxidexists_exec,
};

static const struct sieve_cmd_def *const mailboxid_commands[] = {
	&tst_mailboxidexists, NULL
};

static const struct sieve_tag_def *const mailboxid_tags[] = {
	&tag_mailboxid, NULL
};

const struct sieve_extension sieve_ext_mailboxid = {
	.name = "mailboxid",
	.commands = mailboxid_commands,
	.tags = mailboxid_tags,
};
