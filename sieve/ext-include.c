/* ext-include.c - include (RFC 6609): include, return, global.
 *
 *   include [:personal / :global] [:once] [:optional] <value: string>
 *   return
 *   global <value: string-list>
 *
 * Included scripts are compiled with the includer, at validation, as
 * Pigeonhole does. RFC 6609 3.1 says a missing script and recursive
 * inclusion are errors at execution time and MUST NOT be errors at
 * upload: so they compile and the include, if it is ever executed, is a
 * runtime error (Pigeonhole refuses both when compiling). A missing
 * script with :optional is skipped; a cycle closed by an :once edge is
 * no error at all (that include always finds its script running and
 * does nothing, as in Pigeonhole). An included script that does not
 * compile, nesting deeper than SIEVE_MAX_INCLUDE_DEPTH and more than
 * SIEVE_MAX_INCLUDES distinct scripts per compile are compile errors.
 * Script NAME is the file NAME.sieve in sieve_dir (:personal, the
 * default) or sieve_global_dir (:global); a name is one path element.
 *
 * At run time each included script gets its own local variables
 * (ext_variables_scope_mark/release around sieve_run_include); globals
 * ("global" and the "global." namespace, RFC 6609 3.4-3.5) are shared by
 * the whole run (ext-variables.c). :once skips a script that already ran
 * in this execution.
 */
#include "auto-config.h"
#include "sieve/ext-variables.h"

#include "lib/config.h"
#include "lib/utf8.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

/* longest script name accepted (Pigeonhole: 256 characters) */
#define INCLUDE_MAX_NAME 256

/* the scripts one top-level compile has included (shared through the
 * chain below by every script of the include tree) */
struct inc_cache {
	const char **paths;		/* canonical paths */
	const struct sieve_script **scripts;
	size_t n, cap;
	const char *root;		/* the top-level script's path, or
					   NULL */
};

/* The include chain being compiled: sieve_valctx_compile_sub compiles
 * an included script synchronously, so the frames live on the stack of
 * include_validate calls; the innermost is inc_top (NULL while a
 * top-level script is validated). */
struct inc_frame {
	const char *path;
	struct inc_frame *up;
	struct inc_cache *cache;
	unsigned depth;
};
static struct inc_frame *inc_top;

/* what include's validate leaves in node->data */
struct inc_data {
	const char *name;
	const char *path;
	const struct sieve_script *script;	/* NULL: nothing to run
						   (see error) */
	const char *error;	/* with script NULL: the runtime error
				   (missing, recursive); NULL: skip
				   (optional and missing, :once cycle) */
	int once;
	int global;
};

/* per run: the scripts already included (for :once) */
struct inc_run {
	const char **done;
	size_t n, cap;
};

/* ------------------------------------------------------------------ */
/* validation                                                          */

/* include_name_valid - one path element of UTF-8 without controls */
static int include_name_valid(const char *s, size_t len)
{
	size_t i;

	if (len == 0 || len > INCLUDE_MAX_NAME || !utf8_valid(s, len))
		return 0;
	if ((len == 1 && s[0] == '.') || (len == 2 && memcmp(s, "..", 2) == 0))
		return 0;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '/' || c < 0x20 || c == 0x7f)
			return 0;
	}
	return 1;
}

/* include_dir - the configured directory for the location, "~/"
 * expanded with $HOME; NULL when not configured */
static const char *include_dir(struct sieve_valctx *v, int global)
{
	const struct config *cfg = sieve_valctx_config(v);
	const char *dir, *home;

	if (global)
		dir = cfg != NULL ? config_str(cfg, "sieve_global_dir") : "";
	else
		dir = cfg != NULL ? config_str(cfg, "sieve_dir") : "~/sieve";
	if (dir == NULL || *dir == '\0')
		return NULL;
	if (dir[0] == '~' && (dir[1] == '/' || dir[1] == '\0')) {
		home = getenv("HOME");
		if (home == NULL || *home == '\0')
			return NULL;
		dir = pool_printf(sieve_valctx_pool(v), "%s%s", home, dir + 1);
	}
	return dir;
}

/* include_canon - path with symbolic links and ".." resolved when it
 * exists (so one script has one name in cycle checks), else as given */
static const char *include_canon(struct pool *pool, const char *path)
{
	char *rp = realpath(path, NULL);
	const char *r;

	if (rp == NULL)
		return pool_strdup(pool, path);
	r = pool_strdup(pool, rp);
	free(rp);
	return r;
}

/* include_cache - the compile tree's cache (the top-level script's
 * slot when no include is being compiled) */
static struct inc_cache *include_cache(struct sieve_valctx *v)
{
	void **slot;
	struct inc_cache *c;
	const char *root;

	if (inc_top != NULL)
		return inc_top->cache;
	slot = sieve_valctx_ext_slot(v, &sieve_ext_include);
	if (*slot != NULL)
		return *slot;
	c = pool_alloc(sieve_valctx_pool(v), sizeof(*c));
	root = sieve_valctx_script_name(v);
	if (root != NULL && *root != '\0' && strcmp(root, "-") != 0) {
		char *rp = realpath(root, NULL);

		if (rp != NULL) {
			c->root = pool_strdup(sieve_valctx_pool(v), rp);
			free(rp);
		}
	}
	*slot = c;
	return c;
}

/* include_on_chain - path is being compiled (an include cycle) */
static int include_on_chain(const struct inc_cache *c, const char *path)
{
	const struct inc_frame *f;

	if (c->root != NULL && strcmp(c->root, path) == 0)
		return 1;
	for (f = inc_top; f != NULL; f = f->up)
		if (strcmp(f->path, path) == 0)
			return 1;
	return 0;
}

/* include_cached - the compiled script at path, or NULL */
static const struct sieve_script *include_cached(const struct inc_cache *c,
						 const char *path)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		if (strcmp(c->paths[i], path) == 0)
			return c->scripts[i];
	return NULL;
}

static void include_cache_add(struct pool *pool, struct inc_cache *c,
			      const char *path, const struct sieve_script *s)
{
	if (c->n == c->cap) {
		size_t ncap = c->cap == 0 ? 8 : c->cap * 2;
		const char **np = pool_alloc_array(pool, ncap, sizeof(*np));
		const struct sieve_script **ns =
			pool_alloc_array(pool, ncap, sizeof(*ns));

		if (c->n > 0) {
			memcpy(np, c->paths, c->n * sizeof(*np));
			memcpy(ns, c->scripts, c->n * sizeof(*ns));
		}
		c->paths = np;
		c->scripts = ns;
		c->cap = ncap;
	}
	c->paths[c->n] = path;
	c->scripts[c->n++] = s;
}

static const struct sieve_tag_def tag_personal = { .name = "personal" };
static const struct sieve_tag_def tag_global = { .name = "global" };
static const struct sieve_tag_def tag_once = { .name = "once" };
static const struct sieve_tag_def tag_optional = { .name = "optional" };

static const struct sieve_tag_def *const include_tags[] = {
	&tag_personal, &tag_global, &tag_once, &tag_optional, NULL
};

/* include_tags_read - location and flags; -1 for two locations */
static int include_tags_read(struct sieve_valctx *v,
			     const struct sieve_node *node,
			     struct inc_data *d, int *optional)
{
	unsigned i, n_loc = 0;

	for (i = 0; i < node->n_tags; i++) {
		const struct sieve_tag_def *t = node->tags[i].def;

		if (t == &tag_personal || t == &tag_global) {
			d->global = t == &tag_global;
			if (++n_loc > 1) {
				sieve_valctx_error(v, node->tags[i].tag->line,
						   node->tags[i].tag->col,
						   "include: cannot use location "
						   "tags ':personal' and "
						   "':global' multiple times");
				return -1;
			}
		} else if (t == &tag_once) {
			d->once = 1;
		} else if (t == &tag_optional) {
			*optional = 1;
		}
	}
	return 0;
}

/* include_compile - compile the script at d->path (or find it compiled
 * already); 0 with d->script set (NULL: optional and missing), -1 */
static int include_compile(struct sieve_valctx *v, const struct sieve_node *node,
			   struct inc_cache *c, struct inc_data *d,
			   int optional)
{
	const char *loc = d->global ? "global" : "personal";
	struct inc_frame frame;
	struct sl_err err;
	const struct sieve_script *s;

	s = include_cached(c, d->path);
	if (s != NULL) {
		d->script = s;
		return 0;
	}
	if (c->n >= SIEVE_MAX_INCLUDES) {
		sieve_valctx_error(v, node->line, node->col,
				   "include: too many included scripts "
				   "(max %u)", (unsigned)SIEVE_MAX_INCLUDES);
		return -1;
	}
	frame.depth = inc_top != NULL ? inc_top->depth + 1 : 1;
	if (frame.depth > SIEVE_MAX_INCLUDE_DEPTH) {
		sieve_valctx_error(v, node->line, node->col,
				   "include: nesting too deep: script '%s' "
				   "would be at depth %u (max %u)", d->name,
				   frame.depth, (unsigned)SIEVE_MAX_INCLUDE_DEPTH);
		return -1;
	}
	frame.path = d->path;
	frame.up = inc_top;
	frame.cache = c;
	err_clear(&err);
	inc_top = &frame;
	s = sieve_valctx_compile_sub(v, d->path, d->name, &err);
	inc_top = frame.up;
	if (s == NULL) {
		if (err.cls == ERR_NOTFOUND) {
			if (!optional)
				d->error = pool_printf(
					sieve_valctx_pool(v), "included %s "
					"script '%s' does not exist", loc,
					d->name);
			return 0;
		}
		if (err.text[0] != '\0')
			sieve_valctx_error(v, node->line, node->col,
					   "failed to compile included %s "
					   "script '%s': %s", loc, d->name,
					   err.text);
		else
			sieve_valctx_error(v, node->line, node->col,
					   "failed to compile included %s "
					   "script '%s'", loc, d->name);
		return -1;
	}
	include_cache_add(sieve_valctx_pool(v), c, d->path, s);
	d->script = s;
	return 0;
}

/* include_validate - resolve and compile the included script */
static int include_validate(struct sieve_valctx *v, struct sieve_node *node)
{
	struct pool *pool = sieve_valctx_pool(v);
	const struct sieve_string *s = &node->pos[0]->strs[0];
	struct inc_data *d = pool_alloc(pool, sizeof(*d));
	struct inc_cache *c;
	const char *dir;
	int optional = 0;

	if (include_tags_read(v, node, d, &optional) < 0)
		return -1;
	if (!sieve_string_is_constant(s)) {
		sieve_valctx_error(v, s->line, s->col,
				   "the include command requires a constant "
				   "string for its value argument");
		return -1;
	}
	if (memchr(s->data, '\0', s->len) != NULL ||
	    !include_name_valid(s->data, s->len)) {
		sieve_valctx_error(v, s->line, s->col,
				   "include: invalid script name '%.*s'",
				   (int)(s->len > 80 ? 80 : s->len), s->data);
		return -1;
	}
	d->name = s->data;
	dir = include_dir(v, d->global);
	if (dir == NULL) {
		sieve_valctx_error(v, node->line, node->col,
				   "include: %s script location (%s) is not "
				   "configured", d->global ? "global" : "personal",
				   d->global ? "sieve_global_dir" : "sieve_dir");
		return -1;
	}
	c = include_cache(v);
	d->path = include_canon(pool, pool_printf(pool, "%s/%s.sieve", dir,
						  d->name));
	node->data = d;
	if (include_on_chain(c, d->path)) {
		if (!d->once)	/* else always running already: skipped */
			d->error = pool_printf(pool, "circular include of "
					       "script '%s'", d->name);
		return 0;
	}
	return include_compile(v, node, c, d, optional);
}

/* ------------------------------------------------------------------ */
/* execution                                                           */

/* include_ran - whether path already ran in this execution; marks it */
static int include_ran(struct sieve_run *run, const char *path)
{
	struct inc_run *ir = sieve_run_ext_get(run, &sieve_ext_include);
	size_t i;

	if (ir == NULL) {
		ir = pool_alloc(sieve_run_pool(run), sizeof(*ir));
		sieve_run_ext_set(run, &sieve_ext_include, ir);
	}
	for (i = 0; i < ir->n; i++)
		if (strcmp(ir->done[i], path) == 0)
			return 1;
	if (ir->n == ir->cap) {
		size_t ncap = ir->cap == 0 ? 8 : ir->cap * 2;
		const char **nd = pool_alloc_array(sieve_run_pool(run), ncap,
						   sizeof(*nd));

		if (ir->n > 0)
			memcpy(nd, ir->done, ir->n * sizeof(*nd));
		ir->done = nd;
		ir->cap = ncap;
	}
	ir->done[ir->n++] = path;
	return 0;
}

/* include_exec - run the included script with fresh local variables */
static int include_exec(struct sieve_run *run, const struct sieve_node *node)
{
	const struct inc_data *d = node->data;
	size_t mark;
	int ran, st;

	if (d->script == NULL && d->error != NULL)
		return sieve_run_error(run, node, "%s", d->error);
	if (d->script == NULL) {
		if (sieve_run_tracing(run))
			sieve_run_trace(run, node, d->once ?
					"include: skipped script '%s'; "
					"already running" : "include: optional "
					"script '%s' does not exist", d->name);
		return SIEVE_EXEC_OK;
	}
	ran = include_ran(run, d->path);
	if (ran && d->once) {
		if (sieve_run_tracing(run))
			sieve_run_trace(run, node, "include: skipped script "
					"'%s'; already run once", d->name);
		return SIEVE_EXEC_OK;
	}
	if (sieve_run_tracing(run))
		sieve_run_trace(run, node, "include: start script '%s'",
				d->name);
	mark = ext_variables_scope_mark(run);
	st = sieve_run_include(run, d->script);
	ext_variables_scope_release(run, mark);
	if (sieve_run_tracing(run) && st == SIEVE_EXEC_OK)
		sieve_run_trace(run, node, "include: script '%s' ended",
				d->name);
	return st;
}

/* return_exec - end the current script (RFC 6609 3.3) */
static int return_exec(struct sieve_run *run, const struct sieve_node *node)
{
	(void)run;
	(void)node;
	return SIEVE_EXEC_RETURN;
}

/* global_validate - RFC 6609 3.4: names become global in this script */
static int global_validate(struct sieve_valctx *v, struct sieve_node *node)
{
	const struct sieve_arg *names = node->pos[0];
	size_t i;

	if (!sieve_valctx_loaded(v, &sieve_ext_variables)) {
		sieve_valctx_error(v, node->line, node->col,
				   "global command requires that variables "
				   "extension is active");
		return -1;
	}
	for (i = 0; i < names->n_strs; i++) {
		const struct sieve_string *s = &names->strs[i];

		if (!sieve_string_is_constant(s)) {
			sieve_valctx_error(v, s->line, s->col,
					   "invalid variable identifier '%s'",
					   s->data);
			return -1;
		}
		if (ext_variables_declare_global(v, s->data, s->len, s->line,
						 s->col) < 0)
			return -1;
	}
	return 0;
}

/* global_exec - nothing left to do at run time */
static int global_exec(struct sieve_run *run, const struct sieve_node *node)
{
	(void)run;
	(void)node;
	return SIEVE_EXEC_OK;
}

static const struct sieve_cmd_def cmd_include = {
	.name = "include",
	.min_pos = 1,
	.n_pos = 1,
	.pos = { SIEVE_T_STRING },
	.tags = include_tags,
	.validate = include_validate,
	.exec = include_exec,
};

static const struct sieve_cmd_def cmd_return = {
	.name = "return",
	.exec = return_exec,
};

static const struct sieve_cmd_def cmd_global = {
	.name = "global",
	.min_pos = 1,
	.n_pos = 1,
	.pos = { SIEVE_T_STRLIST },
	.validate = global_validate,
	.exec = global_exec,
};

static const struct sieve_cmd_def *const include_commands[] = {
	&cmd_include, &cmd_return, &cmd_global, NULL
};

const struct sieve_extension sieve_ext_include = {
	.name = "include",
	.commands = include_commands,
};
