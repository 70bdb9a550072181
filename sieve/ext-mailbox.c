/* ext-mailbox.c - mailbox (RFC 5490 section 3): the mailboxexists test
 * and ":create" on fileinto (and on vacation/notify with :fcc, RFC 8580).
 *
 *   mailboxexists <mailbox-names: string-list>
 *
 * mailboxexists asks the host (core/: the user's store; the dry run
 * answers "no") whether every named folder exists and takes deliveries;
 * INBOX (any case) always exists, as for an IMAP user (RFC 3501 5.1)
 * and in Pigeonhole's sieve-test; an invalid name is simply "no", as in
 * Pigeonhole. :create sets
 * act->create: delivery creates the folder when it is missing. */
#include "auto-config.h"
#include "sieve/sieve-ext.h"
#include "sieve/ext-fcc.h"

#include "lib/utf8.h"

#include <string.h>
#include <strings.h>

/* sieve_mailbox_name_valid - see ext-fcc.h */
int sieve_mailbox_name_valid(const char *name, size_t len)
{
	return len > 0 && memchr(name, '\0', len) == NULL &&
	       utf8_valid(name, len);
}

/* create_validate - :create on vacation/notify needs :fcc */
static int create_validate(struct sieve_valctx *v, struct sieve_node *node,
			   struct sieve_tagval *tv)
{
	return sieve_fcc_companion_check(v, node, tv);
}

/* create_on_action - the folder is created when missing */
static int create_on_action(struct sieve_run *run,
			    const struct sieve_node *node,
			    const struct sieve_tagval *tv,
			    struct sieve_action *act)
{
	(void)run;
	(void)node;
	(void)tv;
	act->create = 1;
	return 0;
}

static const char *const create_targets[] = {
	"fileinto", SIEVE_FCC_TARGETS, NULL
};

static const struct sieve_tag_def tag_create = {
	.name = "create",
	.targets = create_targets,
	.validate = create_validate,
	.on_action = create_on_action,
};

/* mailboxexists_validate - warn about constant names that never exist */
static int mailboxexists_validate(struct sieve_valctx *v,
				  struct sieve_node *node)
{
	const struct sieve_arg *names = node->pos[0];
	size_t i;

	for (i = 0; i < names->n_strs; i++) {
		const struct sieve_string *s = &names->strs[i];

		if (sieve_string_is_constant(s) &&
		    !sieve_mailbox_name_valid(s->data, s->len))
			sieve_valctx_warning(v, s->line, s->col,
					     "mailboxexists: invalid mailbox "
					     "name specified");
	}
	return 0;
}

/* mailbox_exists - ask the host about one name: 1, 0, SIEVE_EXEC_ERROR */
static int mailbox_exists(struct sieve_run *run, const struct sieve_node *node,
			  const struct sieve_str *name)
{
	const struct sieve_host *host = sieve_run_host(run);
	struct sl_err err;
	const char *box;
	int r;

	if (!sieve_mailbox_name_valid(name->data, name->len))
		return 0;
	/* INBOX always exists (RFC 3501 5.1; delivery creates it) */
	if (name->len == 5 && strncasecmp(name->data, "INBOX", 5) == 0)
		return 1;
	if (host->mailbox_exists == NULL)
		return 0;
	box = sieve_run_cstr(run, name);
	err_clear(&err);
	r = host->mailbox_exists(host->ctx, box, &err);
	if (r >= 0)
		return r > 0;
	if (err.cls == ERR_TEMP)
		return sieve_run_temp_error(run, node,
					    "mailboxexists: %s: %s", box,
					    err.text);
	return 0;
}

/* mailboxexists_exec - true when every named folder exists */
static int mailboxexists_exec(struct sieve_run *run,
			      const struct sieve_node *node)
{
	struct sieve_str *names;
	size_t n, i;
	int r;

	if (sieve_run_arg_list(run, node->pos[0], &names, &n) < 0)
		return SIEVE_EXEC_ERROR;
	for (i = 0; i < n; i++) {
		r = mailbox_exists(run, node, &names[i]);
		if (sieve_run_tracing(run))
			sieve_run_trace(run, node, "mailbox \"%s\" %s",
					sieve_run_cstr(run, &names[i]),
					r > 0 ? "exists" : "is unavailable");
		if (r <= 0)
			return r;
	}
	return 1;
}

static const struct sieve_cmd_def tst_mailboxexists = {
	.name = "mailboxexists",
	.is_test = 1,
	.min_pos = 1,
	.n_pos = 1,
	.pos = { SIEVE_T_STRLIST },
	.validate = mailboxexists_validate,
	.exec = mailboxexists_exec,
};

static const struct sieve_cmd_def *const mailbox_commands[] = {
	&tst_mailboxexists, NULL
};

static const struct sieve_tag_def *const mailbox_tags[] = {
	&tag_create, NULL
};

const struct sieve_extension sieve_ext_mailbox = {
	.name = "mailbox",
	.commands = mailbox_commands,
	.tags = mailbox_tags,
};
