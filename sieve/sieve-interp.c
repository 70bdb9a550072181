/* sieve-interp.c - execute a validated tree against a message.
 *
 * The interpreter walks the tree the validator completed: every node
 * carries its definition, so executing is calling def->exec; control
 * (if/elsif/else, stop) is the core commands' own exec. String
 * arguments pass the expansion hook only when the validator marked them
 * dynamic. */
#include "auto-config.h"
#include "sieve/sieve-private.h"

#include "lib/buf.h"

#include <stdlib.h>
#include <string.h>

struct pool *sieve_run_pool(struct sieve_run *run)
{
	return run->pool;
}

const struct sieve_message *sieve_run_message(struct sieve_run *run)
{
	return run->msg;
}

const struct sieve_env *sieve_run_env(struct sieve_run *run)
{
	return &run->env;
}

const struct sieve_host *sieve_run_host(struct sieve_run *run)
{
	return &run->host;
}

const struct config *sieve_run_config(struct sieve_run *run)
{
	return run->engine->cfg;
}

struct sieve_result *sieve_run_result(struct sieve_run *run)
{
	return run->result;
}

const struct sieve_script *sieve_run_script(struct sieve_run *run)
{
	return run->script;
}

void *sieve_run_ext_get(struct sieve_run *run,
			const struct sieve_extension *ext)
{
	int i = sieve_extension_index(ext);

	return i >= 0 ? run->ext_state[i] : NULL;
}

void sieve_run_ext_set(struct sieve_run *run,
		       const struct sieve_extension *ext, void *state)
{
	int i = sieve_extension_index(ext);

	if (i >= 0)
		run->ext_state[i] = state;
}

void *sieve_run_script_ext(struct sieve_run *run,
			   const struct sieve_extension *ext)
{
	int i = sieve_extension_index(ext);

	return i >= 0 && run->script != NULL ? run->script->ext_state[i]
					      : NULL;
}

/* run_fail - record the first runtime error */
static int run_fail(struct sieve_run *run, const struct sieve_node *node,
		    enum err_class cls, const char *fmt, va_list ap)
{
	struct buf b = BUF_INIT;

	if (run->failed)
		return SIEVE_EXEC_ERROR;
	if (node != NULL)
		buf_printf(&b, "%s:%u: ", run->script->name, node->line);
	else
		buf_printf(&b, "%s: ", run->script->name);
	buf_vprintf(&b, fmt, ap);
	run->err_text = pool_strdup(run->pool, buf_cstr(&b));
	buf_free(&b);
	run->failed = 1;
	run->err_cls = cls;
	return SIEVE_EXEC_ERROR;
}

int sieve_run_error(struct sieve_run *run, const struct sieve_node *node,
		    const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = run_fail(run, node, ERR_PERM, fmt, ap);
	va_end(ap);
	return ret;
}

int sieve_run_temp_error(struct sieve_run *run, const struct sieve_node *node,
			 const char *fmt, ...)
{
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = run_fail(run, node, ERR_TEMP, fmt, ap);
	va_end(ap);
	return ret;
}

int sieve_run_tracing(const struct sieve_run *run)
{
	return run->params->trace != NULL;
}

void sieve_run_trace(struct sieve_run *run, const struct sieve_node *node,
		     const char *fmt, ...)
{
	struct buf b = BUF_INIT;
	va_list ap;

	if (run->params->trace == NULL)
		return;
	va_start(ap, fmt);
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	run->params->trace(run->params->trace_ctx,
			   node != NULL ? node->line : 0, run->depth,
			   buf_cstr(&b));
	buf_free(&b);
}

/* ---- strings ---- */

int sieve_run_str(struct sieve_run *run, const struct sieve_string *s,
		  struct sieve_str *out)
{
	const struct sieve_extension *ext = run->script->expander;
	struct buf b = BUF_INIT;

	if (sieve_string_is_constant(s) || ext == NULL) {
		out->data = s->data;
		out->len = s->len;
		return 0;
	}
	if (ext->expand_string(run, ext, s, &b) < 0) {
		buf_free(&b);
		return SIEVE_EXEC_ERROR;
	}
	out->data = pool_memdup(run->pool, b.len > 0 ? b.data : "",
				b.len + 1);
	out->len = b.len;
	buf_free(&b);
	return 0;
}

int sieve_run_arg_str(struct sieve_run *run, const struct sieve_arg *a,
		      struct sieve_str *out)
{
	if (a->n_strs == 0) {
		out->data = "";
		out->len = 0;
		return 0;
	}
	return sieve_run_str(run, &a->strs[0], out);
}

int sieve_run_arg_list(struct sieve_run *run, const struct sieve_arg *a,
		       struct sieve_str **items_r, size_t *n_r)
{
	struct sieve_str *items;
	size_t i;

	items = pool_alloc_array(run->pool, a->n_strs + 1, sizeof(*items));
	for (i = 0; i < a->n_strs; i++) {
		if (sieve_run_str(run, &a->strs[i], &items[i]) < 0)
			return SIEVE_EXEC_ERROR;
	}
	*items_r = items;
	*n_r = a->n_strs;
	return 0;
}

const char *sieve_run_cstr(struct sieve_run *run, const struct sieve_str *s)
{
	if (s->data[s->len] == '\0')
		return s->data;
	return pool_strndup(run->pool, s->data, s->len);
}

/* ---- control ---- */

int sieve_run_test(struct sieve_run *run, const struct sieve_node *test)
{
	int r;

	if (test->def == NULL)
		return sieve_run_error(run, test, "unknown test '%s'",
				       test->name);
	r = test->def->exec(run, test);
	if (r >= 0 && run->params->trace != NULL) {
		struct buf b = BUF_INIT;

		sieve_ast_describe(&b, test);
		sieve_run_trace(run, test, "%s -> %s", buf_cstr(&b),
				r > 0 ? "true" : "false");
		buf_free(&b);
	}
	return r;
}

int sieve_run_block(struct sieve_run *run, const struct sieve_node *first)
{
	const struct sieve_node *n;
	int st = SIEVE_EXEC_OK;

	run->depth++;
	for (n = first; n != NULL; n = n->next) {
		if (n->def == NULL) {
			st = sieve_run_error(run, n, "unknown command '%s'",
					     n->name);
			break;
		}
		if (n->def->flags & SIEVE_CMD_F_ELSE)
			continue;	/* run by the if before it */
		st = n->def->exec(run, n);
		if (st != SIEVE_EXEC_OK)
			break;
	}
	run->depth--;
	return st;
}

/* run_script - execute s as the current script */
static int run_script(struct sieve_run *run, const struct sieve_script *s)
{
	const struct sieve_script *prev = run->script;
	int st;

	unsigned i;

	for (i = 0; i < s->n_loaded; i++)
		run->used[s->order[i]] = 1;
	run->script = s;
	run->want_mvals = s->want_match_values;
	st = sieve_run_block(run, s->first);
	run->script = prev;
	if (prev != NULL)
		run->want_mvals = prev->want_match_values;
	return st;
}

int sieve_run_include(struct sieve_run *run, const struct sieve_script *s)
{
	int st;

	if (run->include_depth >= SIEVE_MAX_INCLUDE_DEPTH)
		return sieve_run_error(run, NULL, "include nesting too deep");
	run->include_depth++;
	st = run_script(run, s);
	run->include_depth--;
	return st == SIEVE_EXEC_RETURN ? SIEVE_EXEC_OK : st;
}

/* ---- actions ---- */

struct sieve_action *sieve_action_new(struct sieve_run *run,
				      const struct sieve_action_def *def)
{
	struct sieve_action *a = pool_alloc(run->pool, sizeof(*a));

	a->def = def;
	a->kind = def->kind;
	return a;
}

/* run_action_hooks - tags of node and loaded extensions adjust act */
static int run_action_hooks(struct sieve_run *run,
			    const struct sieve_node *node,
			    struct sieve_action *act)
{
	const struct sieve_script *s = run->script;
	unsigned i;

	for (i = 0; node != NULL && i < node->n_tags; i++) {
		const struct sieve_tagval *tv = &node->tags[i];

		if (tv->def != NULL && tv->def->on_action != NULL &&
		    tv->def->on_action(run, node, tv, act) < 0)
			return SIEVE_EXEC_ERROR;
	}
	for (i = 0; i < s->n_loaded; i++) {
		const struct sieve_extension *ext = sieve_ext_all[s->order[i]];

		if (ext->on_action != NULL &&
		    ext->on_action(run, ext, node, act) < 0)
			return SIEVE_EXEC_ERROR;
	}
	return 0;
}

int sieve_run_add_action(struct sieve_run *run, const struct sieve_node *node,
			 struct sieve_action *act)
{
	const char *error;

	act->script = run->script->name;
	act->line = node != NULL ? node->line : 0;
	if (run_action_hooks(run, node, act) < 0)
		return SIEVE_EXEC_ERROR;
	if (sieve_result_add(run->result, act, &run->engine->limits,
			     &error) < 0)
		return sieve_run_error(run, node, "%s", error);
	return SIEVE_EXEC_OK;
}

/* flag_cmp - qsort order of flag names */
static int flag_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

void sieve_action_set_flags(struct sieve_run *run, struct sieve_action *act,
			    const char *const *flags, size_t n)
{
	const char **out = pool_alloc_array(run->pool, n + 1, sizeof(*out));
	size_t i, k = 0;

	for (i = 0; i < n; i++)
		out[i] = flags[i];
	qsort(out, n, sizeof(*out), flag_cmp);
	for (i = 0; i < n; i++) {
		if (k == 0 || strcmp(out[k - 1], out[i]) != 0)
			out[k++] = out[i];
	}
	act->flags = out;
	act->n_flags = k;
}

/* ---- match values ---- */

void sieve_run_set_match_values(struct sieve_run *run,
				const struct sieve_str *vals, size_t n)
{
	size_t i;

	if (n > SIEVE_MAX_MATCH_VALUES)
		n = SIEVE_MAX_MATCH_VALUES;
	if (run->mvals == NULL)
		run->mvals = pool_alloc_array(run->pool, SIEVE_MAX_MATCH_VALUES,
					      sizeof(*run->mvals));
	for (i = 0; i < n; i++) {
		size_t len = vals[i].len;

		if (len > SIEVE_MAX_MATCH_VALUE_LEN)
			len = SIEVE_MAX_MATCH_VALUE_LEN;
		run->mvals[i].data = pool_strndup(run->pool, vals[i].data, len);
		run->mvals[i].len = len;
	}
	run->n_mvals = n;
}

int sieve_run_match_value(struct sieve_run *run, size_t i,
			  struct sieve_str *out)
{
	if (i >= run->n_mvals) {
		out->data = "";
		out->len = 0;
		return 0;
	}
	*out = run->mvals[i];
	return 1;
}

int sieve_run_wants_match_values(const struct sieve_run *run)
{
	return run->want_mvals;
}

/* ---- execute ---- */

/* run_init - the run state for one execution */
static void run_init(struct sieve_run *run, const struct sieve_script *script,
		     const struct sieve_exec_params *params,
		     struct sieve_result *result)
{
	static const struct sieve_message no_msg = { .env_from = "" };

	memset(run, 0, sizeof(*run));
	run->pool = sieve_result_pool(result);
	run->engine = script->engine;
	run->params = params;
	run->msg = params->msg != NULL ? params->msg : &no_msg;
	if (params->env != NULL)
		run->env = *params->env;
	if (run->env.name == NULL)
		run->env.name = "sluice";
	if (run->env.version == NULL)
		run->env.version = PACKAGE_VERSION;
	if (params->host != NULL)
		run->host = *params->host;
	run->result = result;
	run->match_steps = SIEVE_MAX_MATCH_STEPS;
}

/* run_finish_keep - the implicit keep as the extensions see it: the
 * hooks of every extension loaded by a script of this run (an included
 * script's imap4flags sets the flags of the implicit keep) */
static void run_finish_keep(struct sieve_run *run)
{
	struct sieve_action *keep = sieve_action_new(run, &sieve_act_keep);
	int i;

	keep->implicit = 1;
	keep->script = run->script->name;
	for (i = 0; i < SIEVE_EXT_COUNT; i++) {
		const struct sieve_extension *ext = sieve_ext_all[i];

		if (run->used[i] && ext->on_action != NULL &&
		    ext->on_action(run, ext, NULL, keep) < 0)
			return;
	}
	sieve_result_set_implicit_keep(run->result, keep);
}

int sieve_execute(const struct sieve_script *script,
		  const struct sieve_exec_params *params,
		  struct sieve_result *result, struct sl_err *err)
{
	struct sieve_run run;
	unsigned i;
	int st = SIEVE_EXEC_OK;

	err_clear(err);
	run_init(&run, script, params, result);
	run.script = script;
	for (i = 0; i < script->n_loaded; i++) {
		const struct sieve_extension *ext =
			sieve_ext_all[script->order[i]];

		if (ext->run_start != NULL && ext->run_start(&run, ext) < 0) {
			st = SIEVE_EXEC_ERROR;
			break;
		}
	}
	run.script = NULL;
	if (st == SIEVE_EXEC_OK)
		st = run_script(&run, script);
	run.script = script;
	if (st == SIEVE_EXEC_ERROR || run.failed) {
		if (!run.failed)
			sieve_run_error(&run, NULL, "runtime error");
		sieve_result_set_error(result, run.err_text);
		return err_set(err, run.err_cls, "%s", run.err_text);
	}
	run_finish_keep(&run);
	if (run.hdrs_edited)
		sieve_msg_view_export(&run);
	return 0;
}
