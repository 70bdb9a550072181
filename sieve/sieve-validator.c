/* sieve-validator.c - resolve and check the tree against the registry.
 *
 * For each command and test: find its definition among the extensions
 * the script has loaded (require) and the implicit ones, sort its
 * arguments into tags (with their parameters) and positionals, check
 * counts and types, resolve match type, comparator and address part,
 * check sub-tests and block, then call the tags' and the definition's
 * validate hooks. Messages follow Pigeonhole's wording. After this the
 * interpreter never looks at a name. */
#include "auto-config.h"
#include "sieve/sieve-private.h"

#include "lib/buf.h"
#include "lib/config.h"

#include <stddef.h>
#include <string.h>
#include <strings.h>

struct sieve_valctx {
	struct sieve_engine *engine;
	struct pool *pool;
	struct sieve_diags *diags;
	struct sieve_script *script;
	struct sieve_valctx *parent;
	unsigned include_depth;
	const char *reported[32];	/* unknown names already reported */
	unsigned n_reported;
	int seen_command;		/* a command other than require */
};

void sieve_valctx_error(struct sieve_valctx *v, unsigned line, unsigned col,
			const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	sieve_diag_vadd(v->diags, v->script->name, line, col, 0, fmt, ap);
	va_end(ap);
}

void sieve_valctx_warning(struct sieve_valctx *v, unsigned line,
			  unsigned col, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	sieve_diag_vadd(v->diags, v->script->name, line, col, 1, fmt, ap);
	va_end(ap);
}

struct pool *sieve_valctx_pool(struct sieve_valctx *v)
{
	return v->pool;
}

struct sieve_engine *sieve_valctx_engine(struct sieve_valctx *v)
{
	return v->engine;
}

const struct config *sieve_valctx_config(struct sieve_valctx *v)
{
	return v->engine->cfg;
}

const char *sieve_valctx_script_name(struct sieve_valctx *v)
{
	return v->script->name;
}

int sieve_valctx_loaded(struct sieve_valctx *v,
			const struct sieve_extension *ext)
{
	int i = sieve_extension_index(ext);

	return i >= 0 && (v->script->loaded[i] ||
			  (ext->flags & SIEVE_EXT_F_IMPLICIT));
}

void **sieve_valctx_ext_slot(struct sieve_valctx *v,
			     const struct sieve_extension *ext)
{
	int i = sieve_extension_index(ext);

	return i >= 0 ? &v->script->ext_state[i] : NULL;
}

/* load_ext - mark ext (and what it implies) loaded; run its load hook */
static int load_ext(struct sieve_valctx *v, const struct sieve_extension *ext,
		    unsigned depth, unsigned line)
{
	struct sieve_script *s = v->script;
	int i = sieve_extension_index(ext), ret = 0;
	size_t k;

	if (i < 0 || s->loaded[i] || depth > 8)
		return 0;
	s->loaded[i] = 1;
	s->require_line[i] = line;
	s->order[s->n_loaded++] = (unsigned char)i;
	if (ext->expand_string != NULL && s->expander == NULL)
		s->expander = ext;
	if (ext->flags & SIEVE_EXT_F_MATCH_VALUES)
		s->want_match_values = 1;
	for (k = 0; ext->implies != NULL && ext->implies[k] != NULL; k++) {
		const struct sieve_extension *imp =
			sieve_extension_lookup(ext->implies[k]);

		if (imp != NULL && load_ext(v, imp, depth + 1, line) < 0)
			ret = -1;
	}
	if (ext->load != NULL && ext->load(v, ext) < 0)
		ret = -1;
	return ret;
}

int sieve_valctx_require(struct sieve_valctx *v, const char *name,
			 unsigned line, unsigned col)
{
	const struct sieve_extension *ext = sieve_ext_find(v->engine, name);

	if (ext == NULL) {
		sieve_valctx_error(v, line, col, "require command: unknown "
				   "Sieve capability `%s'", name);
		return -1;
	}
	return load_ext(v, ext, 0, line);
}

unsigned sieve_valctx_require_line(struct sieve_valctx *v,
				   const struct sieve_extension *ext)
{
	int i = sieve_extension_index(ext);

	return i >= 0 && v->script->loaded[i] ? v->script->require_line[i] : 0;
}

struct sieve_script *sieve_valctx_compile_sub(struct sieve_valctx *v,
					      const char *path,
					      const char *name,
					      struct sl_err *err)
{
	struct sieve_valctx *p;
	char *data;
	size_t len;

	if (v->include_depth + 1 > SIEVE_MAX_INCLUDE_DEPTH) {
		err_set(err, ERR_PERM, "include nesting too deep (max %u)",
			SIEVE_MAX_INCLUDE_DEPTH);
		return NULL;
	}
	for (p = v; p != NULL; p = p->parent) {
		if (p->script->path != NULL && strcmp(p->script->path, path) == 0) {
			err_set(err, ERR_PERM, "circular include of %s", path);
			return NULL;
		}
	}
	if (sieve_read_script(v->pool, path, v->engine->limits.max_script_size,
			      &data, &len, err) < 0)
		return NULL;
	return sieve_compile_data(v->engine, v->pool,
				  name != NULL ? name : path, path, data, len,
				  v->diags, v, err);
}

int sieve_arg_is_constant(const struct sieve_arg *a)
{
	size_t i;

	for (i = 0; i < a->n_strs; i++) {
		if (!sieve_string_is_constant(&a->strs[i]))
			return 0;
	}
	return 1;
}

const struct sieve_tagval *sieve_node_tag(const struct sieve_node *node,
					  const struct sieve_tag_def *def)
{
	unsigned i;

	for (i = 0; i < node->n_tags; i++) {
		if (node->tags[i].def == def)
			return &node->tags[i];
	}
	return NULL;
}

/* ext_available - whether extension i may be used by the script */
static int ext_available(const struct sieve_valctx *v, int i)
{
	return i == 0 || v->script->loaded[i] ||
	       ((sieve_ext_all[i]->flags & SIEVE_EXT_F_IMPLICIT) &&
		v->engine->enabled[i]);
}

/* find_cmd - the definition named name among the available extensions;
 * *other_r gets one of the other kind (test vs command) if found */
static const struct sieve_cmd_def *
find_cmd(struct sieve_valctx *v, const char *name, int is_test,
	 const struct sieve_extension **ext_r,
	 const struct sieve_cmd_def **other_r)
{
	uint32_t h = sieve_hname_hash(name, strlen(name));
	size_t pos = sieve_reg_start(h);
	const struct sieve_reg_entry *r;

	*other_r = NULL;
	while ((r = sieve_reg_next(v->engine, SIEVE_REG_CMD, name, h,
				   &pos)) != NULL) {
		const struct sieve_cmd_def *d = r->def;

		if (!ext_available(v, r->ext))
			continue;
		if ((d->is_test != 0) == (is_test != 0)) {
			*ext_r = sieve_ext_all[r->ext];
			return d;
		}
		*other_r = d;
	}
	return NULL;
}

/* report_once - whether name has not been reported yet (and mark it) */
static int report_once(struct sieve_valctx *v, const char *name)
{
	unsigned i;

	for (i = 0; i < v->n_reported; i++) {
		if (strcmp(v->reported[i], name) == 0)
			return 0;
	}
	if (v->n_reported < sizeof(v->reported) / sizeof(v->reported[0]))
		v->reported[v->n_reported++] = name;
	return 1;
}

static const char *kind_of(const struct sieve_node *n)
{
	return n->is_test ? "test" : "command";
}

static const char *type_name(unsigned t)
{
	switch (t) {
	case SIEVE_T_STRING: return "a string";
	case SIEVE_T_STRLIST: return "a string list";
	case SIEVE_T_NUMBER: return "a number";
	default: return "nothing";
	}
}

static const char *arg_kind_name(const struct sieve_arg *a)
{
	switch (a->kind) {
	case SIEVE_ARG_STRING: return "a string";
	case SIEVE_ARG_STRLIST: return "a string list";
	case SIEVE_ARG_NUMBER: return "a number";
	default: return "a tag";
	}
}

/* arg_fits - whether a is of type t (a string stands for a list) */
static int arg_fits(const struct sieve_arg *a, unsigned t)
{
	switch (t) {
	case SIEVE_T_STRING: return a->kind == SIEVE_ARG_STRING;
	case SIEVE_T_STRLIST: return sieve_arg_is_strlist(a);
	case SIEVE_T_NUMBER: return a->kind == SIEVE_ARG_NUMBER;
	default: return 0;
	}
}

/* process_strings - encoded-character and the extensions' string hooks
 * on every string of a */
static int process_strings(struct sieve_valctx *v, struct sieve_arg *a)
{
	struct sieve_script *s = v->script;
	size_t i;
	unsigned k;
	int ret = 0;

	for (i = 0; i < a->n_strs; i++) {
		struct sieve_string *str = &a->strs[i];

		if (s->loaded[SIEVE_EXT_IDX_encoded_character] &&
		    sieve_encoded_character(v, str) < 0)
			ret = -1;
		for (k = 0; k < s->n_loaded; k++) {
			const struct sieve_extension *ext =
				sieve_ext_all[s->order[k]];

			if (ext->validate_string != NULL &&
			    ext->validate_string(v, ext, str) < 0)
				ret = -1;
		}
	}
	return ret;
}

/* find_obj - a match type, comparator or address part by name among
 * the available extensions */
static const void *find_obj(struct sieve_valctx *v, unsigned kind,
			    const char *name)
{
	uint32_t h = sieve_hname_hash(name, strlen(name));
	size_t pos = sieve_reg_start(h);
	const struct sieve_reg_entry *r;

	while ((r = sieve_reg_next(v->engine, kind, name, h, &pos)) != NULL) {
		if (ext_available(v, r->ext))
			return r->def;
	}
	return NULL;
}

/* find_ext_tag - an extension's tag for command name */
static const struct sieve_tag_def *find_ext_tag(struct sieve_valctx *v,
						const char *tag,
						const char *cmd)
{
	uint32_t h = sieve_hname_hash(tag, strlen(tag));
	size_t pos = sieve_reg_start(h), t;
	const struct sieve_reg_entry *r;

	while ((r = sieve_reg_next(v->engine, SIEVE_REG_TAG, tag, h,
				   &pos)) != NULL) {
		const struct sieve_tag_def *d = r->def;

		if (!ext_available(v, r->ext) || d->targets == NULL)
			continue;
		for (t = 0; d->targets[t] != NULL; t++) {
			if (strcmp(d->targets[t], cmd) == 0)
				return d;
		}
	}
	return NULL;
}

enum tag_class { TAG_PLAIN, TAG_MATCH, TAG_COMPARATOR, TAG_ADDRPART };

struct tag_found {
	enum tag_class cls;
	const void *def;
	unsigned n_params;
	const unsigned char *params;
};

/* resolve_tag - what :name means on node n */
static int resolve_tag(struct sieve_valctx *v, struct sieve_node *n,
		       const char *name, struct tag_found *f)
{
	const struct sieve_cmd_def *d = n->def;
	size_t k;

	memset(f, 0, sizeof(*f));
	for (k = 0; d->tags != NULL && d->tags[k] != NULL; k++) {
		if (strcmp(d->tags[k]->name, name) == 0) {
			f->def = d->tags[k];
			break;
		}
	}
	if (f->def == NULL)
		f->def = find_ext_tag(v, name, d->name);
	if (f->def != NULL) {
		const struct sieve_tag_def *t = f->def;

		f->cls = TAG_PLAIN;
		f->n_params = t->n_params;
		f->params = t->params;
		return 0;
	}
	if (d->flags & SIEVE_CMD_F_MATCH) {
		const struct sieve_match_def *m;

		if (strcmp(name, "comparator") == 0) {
			f->cls = TAG_COMPARATOR;
			f->def = &sieve_tag_comparator;
			f->n_params = 1;
			f->params = sieve_tag_comparator.params;
			return 0;
		}
		m = find_obj(v, SIEVE_REG_MATCH, name);
		if (m != NULL) {
			f->cls = TAG_MATCH;
			f->def = m;
			f->n_params = m->n_params;
			f->params = m->params;
			return 0;
		}
	}
	if (d->flags & SIEVE_CMD_F_ADDRPART) {
		f->def = find_obj(v, SIEVE_REG_ADDRPART, name);
		if (f->def != NULL) {
			f->cls = TAG_ADDRPART;
			return 0;
		}
	}
	return -1;
}

/* take_params - the parameters of a tag from *ap on; 0 or -1 */
static int take_params(struct sieve_valctx *v, struct sieve_node *n,
		       const struct sieve_arg *tag, const struct tag_found *f,
		       struct sieve_arg **ap, struct sieve_tagval *tv)
{
	unsigned i;

	for (i = 0; i < f->n_params; i++) {
		struct sieve_arg *a = *ap;

		if (a == NULL || a->kind == SIEVE_ARG_TAG) {
			sieve_valctx_error(v, tag->line, tag->col,
					   "the :%s tag for the %s %s requires "
					   "%s as parameter, but %s", tag->tag,
					   n->name, kind_of(n),
					   type_name(f->params[i]),
					   a == NULL ? "no parameters were found"
						     : "a tag was found");
			return -1;
		}
		if (!arg_fits(a, f->params[i])) {
			sieve_valctx_error(v, a->line, a->col,
					   "the :%s tag for the %s %s requires "
					   "%s as parameter, but %s was found",
					   tag->tag, n->name, kind_of(n),
					   type_name(f->params[i]),
					   arg_kind_name(a));
			return -1;
		}
		tv->param[i] = a;
		*ap = a->next;
	}
	tv->n_params = f->n_params;
	return 0;
}

/* dup_error - a second match type, address part or plain tag */
static int dup_error(struct sieve_valctx *v, const struct sieve_node *n,
		     const struct sieve_arg *tag, const char *what)
{
	if (what != NULL)
		sieve_valctx_error(v, tag->line, tag->col, "encountered "
				   "duplicate %s argument (:%s) for the %s %s",
				   what, tag->tag, n->name, kind_of(n));
	else
		sieve_valctx_error(v, tag->line, tag->col, "encountered "
				   "duplicate :%s argument for the %s %s",
				   tag->tag, n->name, kind_of(n));
	return -1;
}

/* set_comparator - :comparator "name" */
static int set_comparator(struct sieve_valctx *v, struct sieve_node *n,
			  const struct sieve_arg *tag,
			  const struct sieve_tagval *tv)
{
	const struct sieve_string *s = &tv->param[0]->strs[0];

	if (n->cmp != NULL)
		return dup_error(v, n, tag, NULL);
	if (!sieve_string_is_constant(s)) {
		sieve_valctx_error(v, s->line, s->col, "the :comparator tag "
				   "for the %s %s requires a constant string",
				   n->name, kind_of(n));
		return -1;
	}
	n->cmp = find_obj(v, SIEVE_REG_CMP, s->data);
	if (n->cmp == NULL) {
		sieve_valctx_error(v, s->line, s->col,
				   "unknown comparator '%s'", s->data);
		return -1;
	}
	return 0;
}

/* apply_tag - record a resolved tag on n */
static int apply_tag(struct sieve_valctx *v, struct sieve_node *n,
		     const struct tag_found *f, struct sieve_tagval *tv)
{
	const struct sieve_arg *tag = tv->tag;

	switch (f->cls) {
	case TAG_COMPARATOR:
		return set_comparator(v, n, tag, tv);
	case TAG_MATCH:
		if (n->match != NULL)
			return dup_error(v, n, tag, "MATCH-TYPE");
		n->match = f->def;
		tv->def = NULL;
		n->tags[n->n_tags] = *tv;	/* kept for its params */
		n->match_tag = &n->tags[n->n_tags++];
		return 0;
	case TAG_ADDRPART:
		if (n->addrpart != NULL)
			return dup_error(v, n, tag, "ADDRESS-PART");
		n->addrpart = f->def;
		return 0;
	case TAG_PLAIN:
		tv->def = f->def;
		if (sieve_node_tag(n, tv->def) != NULL)
			return dup_error(v, n, tag, NULL);
		n->tags[n->n_tags++] = *tv;
		return 0;
	}
	return -1;
}

/* take_tags - the tagged arguments before the positionals */
static int take_tags(struct sieve_valctx *v, struct sieve_node *n,
		     struct sieve_arg **ap)
{
	while (*ap != NULL && (*ap)->kind == SIEVE_ARG_TAG) {
		struct sieve_arg *tag = *ap;
		struct sieve_tagval tv;
		struct tag_found f;
		unsigned i;

		if (resolve_tag(v, n, tag->tag, &f) < 0) {
			if (report_once(v, pool_printf(v->pool, ":%s",
						       tag->tag)))
				sieve_valctx_error(v, tag->line, tag->col,
						   "unknown tagged argument "
						   "':%s' for the %s %s "
						   "(reported only once at "
						   "first occurrence)",
						   tag->tag, n->name,
						   kind_of(n));
			return -1;
		}
		*ap = tag->next;
		memset(&tv, 0, sizeof(tv));
		tv.tag = tag;
		if (take_params(v, n, tag, &f, ap, &tv) < 0)
			return -1;
		for (i = 0; i < tv.n_params; i++) {
			if (process_strings(v, (struct sieve_arg *)tv.param[i]) < 0)
				return -1;
		}
		if (apply_tag(v, n, &f, &tv) < 0)
			return -1;
	}
	return 0;
}

/* take_positionals - the rest: count and types */
static int take_positionals(struct sieve_valctx *v, struct sieve_node *n,
			    struct sieve_arg *a)
{
	const struct sieve_cmd_def *d = n->def;
	unsigned i;

	for (; a != NULL; a = a->next) {
		if (a->kind == SIEVE_ARG_TAG) {
			sieve_valctx_error(v, a->line, a->col, "encountered an "
					   "unexpected tagged argument ':%s' "
					   "while validating positional "
					   "arguments for the %s %s", a->tag,
					   n->name, kind_of(n));
			return -1;
		}
		n->pos[n->n_pos++] = a;
	}
	if (n->n_pos < d->min_pos || n->n_pos > d->n_pos) {
		if (d->min_pos == d->n_pos)
			sieve_valctx_error(v, n->line, n->col, "the %s %s "
					   "requires %u positional argument(s), "
					   "but %u is/are specified", n->name,
					   kind_of(n), d->n_pos, n->n_pos);
		else
			sieve_valctx_error(v, n->line, n->col, "the %s %s "
					   "requires %u to %u positional "
					   "argument(s), but %u is/are "
					   "specified", n->name, kind_of(n),
					   d->min_pos, d->n_pos, n->n_pos);
		return -1;
	}
	for (i = 0; i < n->n_pos; i++) {
		const struct sieve_arg *p = n->pos[i];

		if (arg_fits(p, d->pos[i]))
			continue;
		if (d->pos_names[i] != NULL)
			sieve_valctx_error(v, p->line, p->col, "the %s %s "
					   "expects %s as argument %u (%s), but "
					   "%s was found", n->name, kind_of(n),
					   type_name(d->pos[i]), i + 1,
					   d->pos_names[i], arg_kind_name(p));
		else
			sieve_valctx_error(v, p->line, p->col, "the %s %s "
					   "expects %s as argument %u, but %s "
					   "was found", n->name, kind_of(n),
					   type_name(d->pos[i]), i + 1,
					   arg_kind_name(p));
		return -1;
	}
	for (i = 0; i < n->n_pos; i++) {
		if (process_strings(v, (struct sieve_arg *)n->pos[i]) < 0)
			return -1;
	}
	return 0;
}

/* check_matching - defaults and match type / comparator compatibility */
static int check_matching(struct sieve_valctx *v, struct sieve_node *n)
{
	if (n->def->flags & SIEVE_CMD_F_ADDRPART && n->addrpart == NULL)
		n->addrpart = &sieve_addrpart_all;
	if (!(n->def->flags & SIEVE_CMD_F_MATCH))
		return 0;
	if (n->match == NULL)
		n->match = &sieve_mcht_is;
	if (n->cmp == NULL)
		n->cmp = &sieve_cmp_ascii_casemap;
	if ((n->match->flags & SIEVE_MATCH_F_SUBSTRING) &&
	    !(n->cmp->flags & SIEVE_CMP_F_SUBSTRING)) {
		sieve_valctx_error(v, n->line, n->col, "the specified %s "
				   "comparator does not support sub-string "
				   "matching as required by the :%s match type",
				   n->cmp->name, n->match->name);
		return -1;
	}
	if ((n->match->flags & SIEVE_MATCH_F_ORDER) &&
	    !(n->cmp->flags & SIEVE_CMP_F_ORDER)) {
		sieve_valctx_error(v, n->line, n->col, "the specified %s "
				   "comparator does not support ordering as "
				   "required by the :%s match type",
				   n->cmp->name, n->match->name);
		return -1;
	}
	if (n->match->validate != NULL &&
	    n->match->validate(v, n, (struct sieve_tagval *)n->match_tag) < 0)
		return -1;
	return 0;
}

/* check_structure - sub-tests and block as the definition wants */
static int check_structure(struct sieve_valctx *v, struct sieve_node *n)
{
	unsigned f = n->def->flags;

	if (f & SIEVE_CMD_F_TEST) {
		if (n->n_tests == 0 || n->test_list) {
			sieve_valctx_error(v, n->line, n->col, "the %s %s "
					   "requires one sub-test, but %s",
					   n->name, kind_of(n),
					   n->n_tests == 0 ? "none is specified"
					   : "a list of tests is specified");
			return -1;
		}
	} else if (f & SIEVE_CMD_F_TESTLIST) {
		if (!n->test_list) {
			sieve_valctx_error(v, n->line, n->col, "the %s %s "
					   "requires a list of sub-tests, but %s",
					   n->name, kind_of(n),
					   n->n_tests == 0 ? "none is specified"
					   : "a single test is specified");
			return -1;
		}
	} else if (n->n_tests > 0) {
		sieve_valctx_error(v, n->line, n->col, "the %s %s accepts no "
				   "sub-tests, but tests are specified",
				   n->name, kind_of(n));
		return -1;
	}
	if (n->is_test)
		return 0;
	if ((f & SIEVE_CMD_F_BLOCK) && !n->has_block) {
		sieve_valctx_error(v, n->line, n->col, "the %s command requires "
				   "a command block, but it is missing",
				   n->name);
		return -1;
	}
	if (!(f & SIEVE_CMD_F_BLOCK) && n->has_block) {
		sieve_valctx_error(v, n->line, n->col, "the %s command does not "
				   "accept a command block, but one is "
				   "specified anyway", n->name);
		return -1;
	}
	return 0;
}

static int validate_block(struct sieve_valctx *v, struct sieve_node *first);

/* resolve - find n's definition; report an unknown name once */
static int resolve(struct sieve_valctx *v, struct sieve_node *n)
{
	const struct sieve_cmd_def *other;

	n->def = find_cmd(v, n->name, n->is_test, &n->ext, &other);
	if (n->def != NULL)
		return 0;
	if (other != NULL)
		sieve_valctx_error(v, n->line, n->col, "attempted to use %s "
				   "'%s' as %s", other->is_test ? "test" :
				   "command", n->name, kind_of(n));
	else if (report_once(v, n->name))
		sieve_valctx_error(v, n->line, n->col, "unknown %s '%s' (only "
				   "reported once at first occurrence)",
				   kind_of(n), n->name);
	else
		v->diags->n_errors++;	/* still an error, not repeated */
	return -1;
}

/* validate_node - one command or test with its sub-tests */
static int validate_node(struct sieve_valctx *v, struct sieve_node *n)
{
	struct sieve_node *t;
	struct sieve_arg *a;
	unsigned i;
	int ret = 0;

	if (resolve(v, n) < 0)
		return -1;
	n->pos = pool_alloc_array(v->pool, n->n_args + 1, sizeof(*n->pos));
	n->tags = pool_alloc_array(v->pool, n->n_args + 1, sizeof(*n->tags));
	a = n->args;
	if (take_tags(v, n, &a) < 0 || take_positionals(v, n, a) < 0 ||
	    check_matching(v, n) < 0 || check_structure(v, n) < 0)
		return -1;
	for (t = n->tests; t != NULL; t = t->next) {
		if (validate_node(v, t) < 0)
			ret = -1;
	}
	if (ret < 0)
		return -1;
	for (i = 0; i < n->n_tags; i++) {
		struct sieve_tagval *tv = &n->tags[i];

		if (tv->def != NULL && tv->def->validate != NULL &&
		    tv->def->validate(v, n, tv) < 0)
			return -1;
	}
	if (n->def->validate != NULL && n->def->validate(v, n) < 0)
		return -1;
	return 0;
}

/* chain_else - link elsif/else n to the if/elsif before it */
static int chain_else(struct sieve_valctx *v, struct sieve_node *prev,
		      struct sieve_node *n)
{
	if (prev == NULL || prev->def == NULL ||
	    (prev->def != &sieve_cmd_if && prev->def != &sieve_cmd_elsif)) {
		sieve_valctx_error(v, n->line, n->col, "the %s command must "
				   "follow an if or elseif command", n->name);
		return -1;
	}
	prev->else_next = n;
	return 0;
}

/* validate_block - commands of one block, in order */
static int validate_block(struct sieve_valctx *v, struct sieve_node *first)
{
	struct sieve_node *n, *prev = NULL;
	int ret = 0;

	for (n = first; n != NULL; prev = n, n = n->next) {
		if (validate_node(v, n) < 0) {
			ret = -1;
			if (n->def == NULL || !n->has_block)
				continue;
		}
		if (n->def != NULL && (n->def->flags & SIEVE_CMD_F_TOPLEVEL)) {
			if (n->depth > 0 || v->seen_command) {
				sieve_valctx_error(v, n->line, n->col,
						   "%s commands can only be "
						   "placed at top level at the "
						   "beginning of the file",
						   n->name);
				ret = -1;
			}
		} else {
			v->seen_command = 1;
		}
		if (n->def != NULL && (n->def->flags & SIEVE_CMD_F_ELSE) &&
		    chain_else(v, prev, n) < 0)
			ret = -1;
		if (n->has_block && !n->skip_block &&
		    validate_block(v, n->block) < 0)
			ret = -1;
	}
	return ret;
}

int sieve_validate(struct sieve_engine *e, struct pool *pool,
		   struct sieve_script *script, struct sieve_diags *diags,
		   struct sieve_valctx *parent)
{
	struct sieve_valctx v;
	unsigned errors = diags->n_errors, k;
	int ret;

	memset(&v, 0, sizeof(v));
	v.engine = e;
	v.pool = pool;
	v.diags = diags;
	v.script = script;
	v.parent = parent;
	v.include_depth = parent != NULL ? parent->include_depth + 1 : 0;
	ret = validate_block(&v, script->first);
	for (k = 0; k < script->n_loaded; k++) {
		const struct sieve_extension *ext =
			sieve_ext_all[script->order[k]];

		if (ext->validate_end != NULL && ext->validate_end(&v, ext) < 0)
			ret = -1;
	}
	return ret < 0 || diags->n_errors > errors ? -1 : 0;
}
