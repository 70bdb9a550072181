/* ext-reject.c - reject and ereject (RFC 5429).
 *
 *   reject <reason: string>        (extension "reject")
 *   ereject <reason: string>       (extension "ereject")
 *
 * Both refuse the message with a reason: reject by a DSN/MDN after
 * acceptance, ereject preferably at the protocol level (LMTP/SMTP 5xx)
 * when the delivery side can, else like reject. Both cancel the implicit
 * keep. Conflicts follow RFC 5429 2.1-2.2 the way Pigeonhole applies
 * them, as runtime errors (the message is then kept):
 *  - a second reject or ereject in the same run;
 *  - reject together with an action that delivers the message: keep,
 *    fileinto, redirect (also with :copy);
 *  - reject together with vacation (both respond to the sender).
 * discard, notify and addheader/deleteheader go with reject.
 *
 * Delivery (core/) sends the rejection; it must not send one to the
 * null reverse path (the message is then just discarded). */
#include "auto-config.h"
#include "sieve/sieve-ext.h"

#include "lib/utf8.h"

#include <string.h>

/* reject_other_name - the action name of a, for error texts */
static const char *reject_other_name(const struct sieve_action *a)
{
	if (a->kind == SIEVE_ACT_KEEP)
		return "keep";
	return sieve_action_name(a);
}

/* reject_conflict - RFC 5429 2.1/2.2: one reject per run, none with a
 * delivering action or vacation; asked with either order of a and b */
static const char *reject_conflict(struct pool *pool,
				   const struct sieve_action *a,
				   const struct sieve_action *b)
{
	const struct sieve_action *rej, *other;

	if (a->kind == SIEVE_ACT_REJECT) {
		rej = a;
		other = b;
	} else {
		rej = b;
		other = a;
	}
	switch (other->kind) {
	case SIEVE_ACT_REJECT:
		return pool_printf(pool, "duplicate reject/ereject action not "
				   "allowed (previously triggered one was at "
				   "line %u)", a->line);
	case SIEVE_ACT_KEEP:
		if (other->implicit)
			return NULL;
		/* fall through */
	case SIEVE_ACT_FILEINTO:
	case SIEVE_ACT_REDIRECT:
		return pool_printf(pool, "reject/ereject action conflicts with "
				   "other action: the %s action (line %u) "
				   "tries to deliver the message",
				   reject_other_name(other), other->line);
	case SIEVE_ACT_VACATION:
		return pool_printf(pool, "%s action conflicts with other "
				   "action: the %s action (line %u) also "
				   "sends a response to the sender",
				   b == rej ? "reject/ereject" : "vacation",
				   sieve_action_name(a), a->line);
	default:
		return NULL;
	}
}

/* reject_json - ,"reason":"...","extended":bool */
static void reject_json(struct buf *out, const struct sieve_action *a)
{
	const char *r = a->reason != NULL ? a->reason : "";

	buf_append_str(out, ",\"reason\":");
	sieve_json_string(out, r, strlen(r));
	buf_append_str(out, a->extended ? ",\"extended\":true"
				       : ",\"extended\":false");
}

static const struct sieve_action_def act_reject = {
	.name = "reject",
	.kind = SIEVE_ACT_REJECT,
	.flags = SIEVE_ACTF_CANCELS_KEEP | SIEVE_ACTF_SENDS,
	.conflict = reject_conflict,
	.json = reject_json,
};

/* reject_validate - a constant reason must be UTF-8 (RFC 5429 2.1) */
static int reject_validate(struct sieve_valctx *v, struct sieve_node *node)
{
	const struct sieve_string *s = &node->pos[0]->strs[0];

	if (!sieve_string_is_constant(s))
		return 0;
	if (!utf8_valid(s->data, s->len)) {
		sieve_valctx_error(v, s->line, s->col,
				   "%s: the reason is not valid UTF-8",
				   node->name);
		return -1;
	}
	return 0;
}

/* reject_exec - add the reject action (extended for ereject) */
static int reject_exec(struct sieve_run *run, const struct sieve_node *node)
{
	struct sieve_action *act;
	struct sieve_str reason;

	if (sieve_run_arg_str(run, node->pos[0], &reason) < 0)
		return SIEVE_EXEC_ERROR;
	act = sieve_action_new(run, &act_reject);
	act->reason = sieve_run_cstr(run, &reason);
	act->extended = strcmp(node->def->name, "ereject") == 0;
	if (sieve_run_tracing(run))
		sieve_run_trace(run, node, "%s \"%s\"", node->def->name,
				act->reason);
	return sieve_run_add_action(run, node, act);
}

static const struct sieve_cmd_def cmd_reject = {
	.name = "reject",
	.min_pos = 1,
	.n_pos = 1,
	.pos = { SIEVE_T_STRING },
	.validate = reject_validate,
	.exec = reject_exec,
};

static const struct sieve_cmd_def cmd_ereject = {
	.name = "ereject",
	.min_pos = 1,
	.n_pos = 1,
	.pos = { SIEVE_T_STRING },
	.validate = reject_validate,
	.exec = reject_exec,
};

static const struct sieve_cmd_def *const reject_commands[] = {
	&cmd_reject, NULL
};

static const struct sieve_cmd_def *const ereject_commands[] = {
	&cmd_ereject, NULL
};

const struct sieve_extension sieve_ext_reject = {
	.name = "reject",
	.commands = reject_commands,
};

const struct sieve_extension sieve_ext_ereject = {
	.name = "ereject",
	.commands = ereject_commands,
};
