/* ext-vacation.c - vacation (RFC 5230) and vacation-seconds (RFC 6131).
 *
 *   vacation [:days number | :seconds number] [:subject string]
 *            [:from string] [:addresses string-list] [:mime]
 *            [:handle string] <reason: string>
 *
 * The Sieve side only: the command adds a vacation action carrying what
 * the reply needs; core/ decides at delivery whether to send it (RFC 3834
 * and RFC 5230 4.5: never to <> or MAILER-DAEMON, not for list mail or
 * Auto-Submitted mail, only when the user is an addressee, once per
 * sender and handle per period) and builds the reply.
 *
 * The period: :days N is N*86400 seconds, :seconds (vacation-seconds) as
 * given, else sieve_vacation_default_period; the result is held to
 * [sieve_vacation_min_period, sieve_vacation_max_period] (0: no upper
 * bound), Pigeonhole's keys and defaults (1d, 7d, 0). A constant period
 * under the minimum is a warning, as Pigeonhole gives.
 *
 * The handle: :handle as given, else derived from the arguments as
 * written (RFC 5230 4.2), as Pigeonhole does it: reason, subject (or
 * "<default-subject>"), from (or "<default-from>"), "<MIME>" or
 * "<NO-MIME>". act->handle always holds the handle in use; the JSON
 * shows it only when the script gave it (sieve-json.md).
 *
 * A second vacation in one run is a runtime error (RFC 5230 4.7 allows
 * one response; Pigeonhole errors); reject with vacation is handled by
 * ext-reject.c. vacation does not cancel the implicit keep. */
#include "auto-config.h"
#include "sieve/sieve-ext.h"
#include "sieve/ext-fcc.h"

#include "lib/config.h"
#include "lib/utf8.h"

#include <string.h>

#define DAY_SECONDS 86400ULL

/* per command, from validation */
struct vac_data {
	const char *default_handle;
};

/* per action, beyond struct sieve_action's fields */
struct vac_extra {
	int handle_given;	/* :handle was in the script */
};

static const struct sieve_tag_def tag_days = {
	.name = "days", .n_params = 1, .params = { SIEVE_T_NUMBER },
};
static const struct sieve_tag_def tag_subject = {
	.name = "subject", .n_params = 1, .params = { SIEVE_T_STRING },
};
static const struct sieve_tag_def tag_from = {
	.name = "from", .n_params = 1, .params = { SIEVE_T_STRING },
};
static const struct sieve_tag_def tag_addresses = {
	.name = "addresses", .n_params = 1, .params = { SIEVE_T_STRLIST },
};
static const struct sieve_tag_def tag_mime = {
	.name = "mime",
};
static const struct sieve_tag_def tag_handle = {
	.name = "handle", .n_params = 1, .params = { SIEVE_T_STRING },
};

static const char *const seconds_targets[] = { "vacation", NULL };
static const struct sieve_tag_def tag_seconds = {
	.name = "seconds", .n_params = 1, .params = { SIEVE_T_NUMBER },
	.targets = seconds_targets,
};

/* vac_period_key - a period setting, or its default without a config */
static uint64_t vac_period_key(const struct config *cfg, const char *key,
			       uint64_t def)
{
	return cfg != NULL ? config_time(cfg, key) : def;
}

/* vac_limits - min, default and max period (max 0: unbounded) */
static void vac_limits(const struct config *cfg, uint64_t *min_r,
		       uint64_t *def_r, uint64_t *max_r)
{
	*min_r = vac_period_key(cfg, "sieve_vacation_min_period",
				DAY_SECONDS);
	*def_r = vac_period_key(cfg, "sieve_vacation_default_period",
				7 * DAY_SECONDS);
	*max_r = vac_period_key(cfg, "sieve_vacation_max_period", 0);
}

/* vac_clamp - seconds held to the configured bounds */
static uint64_t vac_clamp(uint64_t secs, uint64_t min, uint64_t max)
{
	if (secs < min)
		secs = min;
	if (max > 0 && secs > max)
		secs = max;
	return secs;
}

/* vac_address_ok - s is one usable mailbox (with or without a name) */
static int vac_address_ok(struct pool *pool, const char *s, size_t len)
{
	const struct address *a;
	size_t n = 0;

	if (memchr(s, '\0', len) != NULL)
		return 0;
	a = address_parse(pool, s, len, &n);
	return a != NULL && n == 1 &&
	       (a->flags & (ADDRESS_INVALID | ADDRESS_NO_DOMAIN |
			    ADDRESS_EMPTY_GROUP)) == 0 &&
	       *a->local != '\0' && *a->domain != '\0';
}

/* vac_tag_str - the first literal of node's tag def, or NULL */
static const struct sieve_string *vac_tag_str(const struct sieve_node *node,
					      const struct sieve_tag_def *def)
{
	const struct sieve_tagval *tv = sieve_node_tag(node, def);

	return tv != NULL ? &tv->param[0]->strs[0] : NULL;
}

/* vac_validate_period - :days/:seconds exclusive, warn under the
 * minimum */
static int vac_validate_period(struct sieve_valctx *v,
			       const struct sieve_node *node)
{
	const struct sieve_tagval *days = sieve_node_tag(node, &tag_days);
	const struct sieve_tagval *secs = sieve_node_tag(node, &tag_seconds);
	uint64_t min, def, max, n;
	const struct sieve_tagval *tv;

	if (days != NULL && secs != NULL) {
		sieve_valctx_error(v, secs->tag->line, secs->tag->col,
				   "vacation: :days and :seconds cannot be "
				   "used together (RFC 6131)");
		return -1;
	}
	tv = days != NULL ? days : secs;
	if (tv == NULL)
		return 0;
	vac_limits(sieve_valctx_config(v), &min, &def, &max);
	n = tv->param[0]->number;
	if (days != NULL)
		n = n > UINT64_MAX / DAY_SECONDS ? UINT64_MAX : n * DAY_SECONDS;
	if (n < min)
		sieve_valctx_warning(v, tv->tag->line, tv->tag->col,
				     "specified :%s value '%llu' is under "
				     "the minimum", tv->def->name,
				     (unsigned long long)tv->param[0]->number);
	else if (max > 0 && n > max)
		sieve_valctx_warning(v, tv->tag->line, tv->tag->col,
				     "specified :%s value '%llu' is over "
				     "the maximum", tv->def->name,
				     (unsigned long long)tv->param[0]->number);
	return 0;
}

/* vac_validate_addresses - :from must be an address; invalid constant
 * :addresses items are warned about and ignored at run time */
static int vac_validate_addresses(struct sieve_valctx *v,
				  const struct sieve_node *node)
{
	struct pool *pool = sieve_valctx_pool(v);
	const struct sieve_string *s = vac_tag_str(node, &tag_from);
	const struct sieve_tagval *tv;
	size_t i;

	if (s != NULL && sieve_string_is_constant(s) &&
	    !vac_address_ok(pool, s->data, s->len)) {
		sieve_valctx_error(v, s->line, s->col,
				   "specified :from address '%s' is invalid "
				   "for vacation action", s->data);
		return -1;
	}
	tv = sieve_node_tag(node, &tag_addresses);
	for (i = 0; tv != NULL && i < tv->param[0]->n_strs; i++) {
		s = &tv->param[0]->strs[i];
		if (sieve_string_is_constant(s) &&
		    !vac_address_ok(pool, s->data, s->len))
			sieve_valctx_warning(v, s->line, s->col,
					     "specified :addresses item '%s' "
					     "is invalid for vacation action "
					     "(ignored)", s->data);
	}
	return 0;
}

/* vac_default_handle - RFC 5230 4.2, from the arguments as written */
static const char *vac_default_handle(struct pool *pool,
				      const struct sieve_node *node)
{
	const struct sieve_string *reason = &node->pos[0]->strs[0];
	const struct sieve_string *subj = vac_tag_str(node, &tag_subject);
	const struct sieve_string *from = vac_tag_str(node, &tag_from);
	struct buf b = BUF_INIT;
	const char *h;

	buf_append(&b, reason->data, reason->len);
	if (subj != NULL)
		buf_append(&b, subj->data, subj->len);
	else
		buf_append_str(&b, "<default-subject>");
	if (from != NULL)
		buf_append(&b, from->data, from->len);
	else
		buf_append_str(&b, "<default-from>");
	buf_append_str(&b, sieve_node_tag(node, &tag_mime) != NULL ?
			   "<MIME>" : "<NO-MIME>");
	h = pool_memdup(pool, b.data, b.len + 1);
	buf_free(&b);
	return h;
}

/* vacation_validate - period, addresses, a text reason (not :mime) in
 * UTF-8 (RFC 5230 4.7), the default handle */
static int vacation_validate(struct sieve_valctx *v, struct sieve_node *node)
{
	const struct sieve_string *reason = &node->pos[0]->strs[0];
	struct vac_data *d;

	if (vac_validate_period(v, node) < 0 ||
	    vac_validate_addresses(v, node) < 0)
		return -1;
	if (sieve_string_is_constant(reason) &&
	    sieve_node_tag(node, &tag_mime) == NULL &&
	    !utf8_valid(reason->data, reason->len)) {
		sieve_valctx_error(v, reason->line, reason->col,
				   "vacation: the reason is not valid UTF-8");
		return -1;
	}
	d = pool_alloc(sieve_valctx_pool(v), sizeof(*d));
	d->default_handle = vac_default_handle(sieve_valctx_pool(v), node);
	node->data = d;
	return 0;
}

/* vac_period - the reply period of this vacation command, in seconds */
static uint64_t vac_period(struct sieve_run *run,
			   const struct sieve_node *node)
{
	const struct sieve_tagval *days = sieve_node_tag(node, &tag_days);
	const struct sieve_tagval *secs = sieve_node_tag(node, &tag_seconds);
	uint64_t min, def, max, n = 0;

	vac_limits(sieve_run_config(run), &min, &def, &max);
	if (days != NULL) {
		n = days->param[0]->number;
		n = n > UINT64_MAX / DAY_SECONDS ? UINT64_MAX : n * DAY_SECONDS;
	} else if (secs != NULL) {
		n = secs->param[0]->number;
	} else {
		n = def;
	}
	return vac_clamp(n, min, max);
}

/* vac_opt_str - the expanded string of node's tag def into *out (NULL
 * when absent); 0 or SIEVE_EXEC_ERROR */
static int vac_opt_str(struct sieve_run *run, const struct sieve_node *node,
		       const struct sieve_tag_def *def, const char **out)
{
	const struct sieve_tagval *tv = sieve_node_tag(node, def);
	struct sieve_str s;

	*out = NULL;
	if (tv == NULL)
		return 0;
	if (sieve_run_arg_str(run, tv->param[0], &s) < 0)
		return SIEVE_EXEC_ERROR;
	*out = sieve_run_cstr(run, &s);
	return 0;
}

/* vac_addresses - the valid :addresses items into act */
static int vac_addresses(struct sieve_run *run, const struct sieve_node *node,
			 struct sieve_action *act)
{
	const struct sieve_tagval *tv = sieve_node_tag(node, &tag_addresses);
	struct sieve_str *items;
	size_t n, i;

	if (tv == NULL)
		return 0;
	if (sieve_run_arg_list(run, tv->param[0], &items, &n) < 0)
		return SIEVE_EXEC_ERROR;
	act->addresses = pool_alloc_array(sieve_run_pool(run), n + 1,
					  sizeof(*act->addresses));
	for (i = 0; i < n; i++) {
		if (!vac_address_ok(sieve_run_pool(run), items[i].data,
				    items[i].len))
			continue;
		act->addresses[act->n_addresses++] =
			sieve_run_cstr(run, &items[i]);
	}
	act->addresses[act->n_addresses] = NULL;
	return 0;
}

/* vacation_conflict - one vacation per run (RFC 5230 4.7) */
static const char *vacation_conflict(struct pool *pool,
				     const struct sieve_action *a,
				     const struct sieve_action *b)
{
	if (a->kind == SIEVE_ACT_VACATION && b->kind == SIEVE_ACT_VACATION)
		return pool_printf(pool, "duplicate vacation action not "
				   "allowed (previously triggered one was at "
				   "line %u)", a->line);
	return NULL;
}

/* vacation_json - to, from, subject, handle when given, seconds */
static void vacation_json(struct buf *out, const struct sieve_action *a)
{
	const struct vac_extra *x = a->data;

	if (a->to != NULL && *a->to != '\0') {
		buf_append_str(out, ",\"to\":");
		sieve_json_string(out, a->to, strlen(a->to));
	}
	if (a->from != NULL) {
		buf_append_str(out, ",\"from\":");
		sieve_json_string(out, a->from, strlen(a->from));
	}
	if (a->subject != NULL) {
		buf_append_str(out, ",\"subject\":");
		sieve_json_string(out, a->subject, strlen(a->subject));
	}
	if (a->handle != NULL && x != NULL && x->handle_given) {
		buf_append_str(out, ",\"handle\":");
		sieve_json_string(out, a->handle, strlen(a->handle));
	}
	buf_printf(out, ",\"seconds\":%llu", (unsigned long long)a->seconds);
	sieve_fcc_json(out, a);
}

static const struct sieve_action_def sieve_act_vacation = {
	.name = "vacation",
	.kind = SIEVE_ACT_VACATION,
	.flags = SIEVE_ACTF_SENDS,
	.conflict = vacation_conflict,
	.json = vacation_json,
};

/* vacation_exec - add the vacation action with every field filled */
static int vacation_exec(struct sieve_run *run, const struct sieve_node *node)
{
	const struct vac_data *d = node->data;
	const struct sieve_message *msg = sieve_run_message(run);
	struct sieve_action *act = sieve_action_new(run, &sieve_act_vacation);
	struct vac_extra *x = pool_alloc(sieve_run_pool(run), sizeof(*x));
	struct sieve_str reason;

	memset(x, 0, sizeof(*x));
	if (sieve_run_arg_str(run, node->pos[0], &reason) < 0 ||
	    vac_opt_str(run, node, &tag_subject, &act->subject) < 0 ||
	    vac_opt_str(run, node, &tag_from, &act->from) < 0 ||
	    vac_opt_str(run, node, &tag_handle, &act->handle) < 0 ||
	    vac_addresses(run, node, act) < 0)
		return SIEVE_EXEC_ERROR;
	act->reason = sieve_run_cstr(run, &reason);
	x->handle_given = act->handle != NULL;
	if (act->handle == NULL)
		act->handle = d->default_handle;
	act->mime = sieve_node_tag(node, &tag_mime) != NULL;
	act->seconds = vac_period(run, node);
	act->to = msg != NULL ? msg->env_from : NULL;
	act->data = x;
	if (sieve_run_tracing(run))
		sieve_run_trace(run, node, "vacation (period %llus, handle "
				"\"%s\")", (unsigned long long)act->seconds,
				act->handle);
	return sieve_run_add_action(run, node, act);
}

static const struct sieve_tag_def *const vacation_tags[] = {
	&tag_days, &tag_subject, &tag_from, &tag_addresses, &tag_mime,
	&tag_handle, NULL
};

static const struct sieve_cmd_def cmd_vacation = {
	.name = "vacation",
	.min_pos = 1,
	.n_pos = 1,
	.pos = { SIEVE_T_STRING },
	.tags = vacation_tags,
	.validate = vacation_validate,
	.exec = vacation_exec,
};

static const struct sieve_cmd_def *const vacation_commands[] = {
	&cmd_vacation, NULL
};

const struct sieve_extension sieve_ext_vacation = {
	.name = "vacation",
	.commands = vacation_commands,
};

static const struct sieve_tag_def *const vacation_seconds_tags[] = {
	&tag_seconds, NULL
};

static const char *const vacation_seconds_implies[] = { "vacation", NULL };

const struct sieve_extension sieve_ext_vacation_seconds = {
	.name = "vacation-seconds",
	.implies = vacation_seconds_implies,
	.tags = vacation_seconds_tags,
};
