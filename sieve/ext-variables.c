/* ext-variables.c - variables (RFC 5229): set, string, "${...}".
 *
 *   set [MODIFIER...] <name: string> <value: string>
 *   string [MATCH-TYPE] [COMPARATOR] <source: string-list>
 *          <key-list: string-list>
 *
 * Every string literal of a script that requires "variables" is scanned
 * at validation: one holding a reference ("${name}", "${N}",
 * "${namespace.name}") is compiled into segments (literal text, a
 * variable, a match value) and marked dynamic; the core then calls
 * vars_expand_string whenever the string is read at run time. Names are
 * resolved at validation to per-script indexes (see ext-variables.h),
 * so running a script never looks a name up. As Pigeonhole: an unknown
 * namespace is a compile error (RFC 5229 3; Pigeonhole 0.5 reports it
 * but still runs a script using one in a string), a match index past
 * SIEVE_MAX_MATCH_INDEX expands to ""; text after "${" that is not a
 * variable name stays as written;
 * values are cut at SIEVE_MAX_VARIABLE_SIZE on a character boundary;
 * :upper/:lower change ASCII letters only, :length counts characters.
 */
#include "auto-config.h"
#include "sieve/ext-variables.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

/* ------------------------------------------------------------------ */
/* names                                                               */

struct ext_var_ref {
	const char *name;	/* lowercase identifier (without "global.") */
	size_t len;
	unsigned index;		/* local: slot in the script's frame */
	unsigned global : 1;	/* lives in the run's global table */
	unsigned ns : 1;	/* written "global.NAME" */
};

/* a parsed variable-name (RFC 5229 3): one element, or a namespace and
 * its sub-elements */
struct vars_name {
	unsigned n;		/* elements */
	const char *el[2];	/* the first two elements */
	size_t el_len[2];
	int el_num[2];		/* element is all digits */
	unsigned long num;	/* n == 1, numeric: the match index
				   (clamped) */
};

static int is_alpha_(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static int is_digit(int c)
{
	return c >= '0' && c <= '9';
}

/* ext_variables_is_identifier - RFC 5229 identifier of bounded length */
int ext_variables_is_identifier(const char *s, size_t len)
{
	size_t i;

	if (len == 0 || len > SIEVE_MAX_VARIABLE_NAME_LEN || !is_alpha_(s[0]))
		return 0;
	for (i = 1; i < len; i++)
		if (!is_alpha_(s[i]) && !is_digit(s[i]))
			return 0;
	return 1;
}

/* vars_parse_name - s as a variable-name: 1 with *vn, 0 when it is not
 * one (a numeric element may only stand alone or follow a namespace) */
static int vars_parse_name(const char *s, size_t len, struct vars_name *vn)
{
	size_t i = 0, st;
	int digits;

	memset(vn, 0, sizeof(*vn));
	for (;;) {
		st = i;
		if (i < len && is_digit(s[i])) {
			while (i < len && is_digit(s[i]))
				i++;
			digits = 1;
		} else if (i < len && is_alpha_(s[i])) {
			while (i < len && (is_alpha_(s[i]) || is_digit(s[i])))
				i++;
			if (i - st > SIEVE_MAX_VARIABLE_NAME_LEN)
				return 0;
			digits = 0;
		} else {
			return 0;
		}
		if (vn->n < 2) {
			vn->el[vn->n] = s + st;
			vn->el_len[vn->n] = i - st;
			vn->el_num[vn->n] = digits;
		}
		vn->n++;
		if (i == len)
			break;
		if (s[i] != '.')
			return 0;
		i++;
	}
	if (vn->n > 1 && vn->el_num[0])
		return 0;
	if (vn->n == 1 && vn->el_num[0]) {
		for (i = 0; i < vn->el_len[0]; i++) {
			vn->num = vn->num * 10 + (unsigned)(vn->el[0][i] - '0');
			if (vn->num > 1000000)
				vn->num = 1000000;
		}
	}
	return 1;
}

/* ------------------------------------------------------------------ */
/* the script's scope (validation)                                     */

struct vars_scope {
	struct pool *pool;
	struct ext_var_ref **vars;	/* declared names: locals and
					   globals declared by "global" */
	size_t n, cap;
	unsigned n_local;
	struct ext_var_ref **nsg;	/* "global.NAME" references */
	size_t n_nsg, cap_nsg;
	int global_ns;			/* include is loaded */
};

static struct vars_scope *vars_scope(struct sieve_valctx *v)
{
	void **slot = sieve_valctx_ext_slot(v, &sieve_ext_variables);
	struct vars_scope *sc = *slot;

	if (sc == NULL) {
		sc = pool_alloc(sieve_valctx_pool(v), sizeof(*sc));
		sc->pool = sieve_valctx_pool(v);
		*slot = sc;
	}
	return sc;
}

/* vars_find - the declared variable name (any case) in list, or NULL */
static struct ext_var_ref *vars_find(struct ext_var_ref **list, size_t n,
				     const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (list[i]->len == len &&
		    strncasecmp(list[i]->name, name, len) == 0)
			return list[i];
	return NULL;
}

/* vars_push - append ref to a pool-grown array */
static void vars_push(struct pool *pool, struct ext_var_ref ***list,
		      size_t *n, size_t *cap, struct ext_var_ref *ref)
{
	if (*n == *cap) {
		size_t ncap = *cap == 0 ? 16 : *cap * 2;
		struct ext_var_ref **nl = pool_alloc_array(pool, ncap,
							   sizeof(*nl));

		if (*n > 0)
			memcpy(nl, *list, *n * sizeof(*nl));
		*list = nl;
		*cap = ncap;
	}
	(*list)[(*n)++] = ref;
}

static struct ext_var_ref *vars_new_ref(struct pool *pool, const char *name,
					size_t len)
{
	struct ext_var_ref *ref = pool_alloc(pool, sizeof(*ref));
	char *lc = pool_strndup(pool, name, len);
	size_t i;

	for (i = 0; i < len; i++)
		if (lc[i] >= 'A' && lc[i] <= 'Z')
			lc[i] = (char)(lc[i] - 'A' + 'a');
	ref->name = lc;
	ref->len = len;
	return ref;
}

/* vars_declare - name in this script's scope (a new local unless
 * declared already); NULL past the variable limit (reported) */
static const struct ext_var_ref *vars_declare(struct sieve_valctx *v,
					      const char *name, size_t len,
					      unsigned line, unsigned col)
{
	struct vars_scope *sc = vars_scope(v);
	struct ext_var_ref *ref = vars_find(sc->vars, sc->n, name, len);

	if (ref != NULL)
		return ref;
	if (sc->n >= SIEVE_MAX_VARIABLES) {
		sieve_valctx_error(v, line, col,
				   "declaration of new variable '%.*s' exceeds "
				   "the limit (max variables: %u)", (int)len,
				   name, (unsigned)SIEVE_MAX_VARIABLES);
		return NULL;
	}
	ref = vars_new_ref(sc->pool, name, len);
	ref->index = sc->n_local++;
	vars_push(sc->pool, &sc->vars, &sc->n, &sc->cap, ref);
	return ref;
}

/* vars_global_ns - "global.NAME" (RFC 6609 3.5) */
static const struct ext_var_ref *vars_global_ns(struct sieve_valctx *v,
						const char *name, size_t len)
{
	struct vars_scope *sc = vars_scope(v);
	struct ext_var_ref *ref = vars_find(sc->nsg, sc->n_nsg, name, len);

	if (ref == NULL) {
		ref = vars_new_ref(sc->pool, name, len);
		ref->global = 1;
		ref->ns = 1;
		vars_push(sc->pool, &sc->nsg, &sc->n_nsg, &sc->cap_nsg, ref);
	}
	return ref;
}

/* vars_resolve - a parsed name with a namespace or an identifier: its
 * variable (declared on first use), or NULL with the error reported */
static const struct ext_var_ref *vars_resolve(struct sieve_valctx *v,
					      const struct vars_name *vn,
					      unsigned line, unsigned col)
{
	if (vn->n == 1)
		return vars_declare(v, vn->el[0], vn->el_len[0], line, col);
	if (vn->el_len[0] == 6 && strncasecmp(vn->el[0], "global", 6) == 0 &&
	    sieve_valctx_loaded(v, &sieve_ext_include)) {
		if (vn->n != 2) {
			sieve_valctx_error(v, line, col,
					   "invalid variable name within global "
					   "namespace: encountered sub-namespace");
			return NULL;
		}
		if (vn->el_num[1]) {
			sieve_valctx_error(v, line, col,
					   "invalid variable name within global "
					   "namespace: encountered numeric "
					   "variable name");
			return NULL;
		}
		return vars_global_ns(v, vn->el[1], vn->el_len[1]);
	}
	sieve_valctx_error(v, line, col,
			   "referring to variable in unknown namespace '%.*s'",
			   (int)vn->el_len[0], vn->el[0]);
	return NULL;
}

/* vars_name_shown - s for an error message, cut at 80 characters */
static const char *vars_name_shown(struct pool *pool, const char *s,
				   size_t len)
{
	if (len > 80)
		return pool_printf(pool, "%.80s...", s);
	return pool_strndup(pool, s, len);
}

/* ext_variables_ref_compile - a variable to assign, named by s */
const struct ext_var_ref *ext_variables_ref_compile(struct sieve_valctx *v,
						    const struct sieve_string *s)
{
	struct vars_name vn;

	if (!sieve_valctx_loaded(v, &sieve_ext_variables)) {
		sieve_valctx_error(v, s->line, s->col,
				   "variable names require the variables "
				   "extension");
		return NULL;
	}
	if (!sieve_string_is_constant(s) || memchr(s->data, '\0', s->len) ||
	    !vars_parse_name(s->data, s->len, &vn)) {
		sieve_valctx_error(v, s->line, s->col,
				   "invalid variable name '%s'",
				   vars_name_shown(sieve_valctx_pool(v),
						   s->data, s->len));
		return NULL;
	}
	if (vn.n == 1 && vn.el_num[0]) {
		sieve_valctx_error(v, s->line, s->col,
				   "cannot assign to match variable");
		return NULL;
	}
	return vars_resolve(v, &vn, s->line, s->col);
}

const char *ext_variables_ref_name(const struct ext_var_ref *ref)
{
	return ref->name;
}

/* ext_variables_declare_global - include's "global" command */
int ext_variables_declare_global(struct sieve_valctx *v, const char *name,
				 size_t len, unsigned line, unsigned col)
{
	struct vars_scope *sc = vars_scope(v);
	struct ext_var_ref *ref;

	if (!ext_variables_is_identifier(name, len)) {
		sieve_valctx_error(v, line, col,
				   "invalid variable identifier '%s'",
				   vars_name_shown(sc->pool, name, len));
		return -1;
	}
	ref = vars_find(sc->vars, sc->n, name, len);
	if (ref != NULL) {
		if (ref->global)
			return 0;
		sieve_valctx_error(v, line, col,
				   "declaration of new global variable '%.*s' "
				   "conflicts with earlier local use",
				   (int)len, name);
		return -1;
	}
	if (sc->n >= SIEVE_MAX_VARIABLES) {
		sieve_valctx_error(v, line, col,
				   "declaration of new global variable '%.*s' "
				   "exceeds the limit (max variables: %u)",
				   (int)len, name,
				   (unsigned)SIEVE_MAX_VARIABLES);
		return -1;
	}
	ref = vars_new_ref(sc->pool, name, len);
	ref->global = 1;
	vars_push(sc->pool, &sc->vars, &sc->n, &sc->cap, ref);
	return 0;
}

/* ------------------------------------------------------------------ */
/* scanning strings for references                                     */

/* vars_scan_fn - a piece of a string: literal text (vn NULL) or a
 * reference; returns 0 to go on, else stops the scan with that value */
typedef int vars_scan_fn(void *ctx, const char *p, size_t len,
			 const struct vars_name *vn);

/* vars_scan - split s into literal text and "${name}" references
 * (RFC 5229 3: a "${" not starting a valid reference is literal; the
 * scan goes on right after it) */
static int vars_scan(const char *s, size_t len, vars_scan_fn *fn, void *ctx)
{
	size_t i = 0, lit = 0, j;
	struct vars_name vn;
	int r;

	while (i + 1 < len) {
		if (s[i] != '$' || s[i + 1] != '{') {
			i++;
			continue;
		}
		j = i + 2;
		while (j < len && (is_alpha_(s[j]) || is_digit(s[j]) ||
				   s[j] == '.'))
			j++;
		if (j >= len || s[j] != '}' ||
		    !vars_parse_name(s + i + 2, j - i - 2, &vn)) {
			i += 2;
			continue;
		}
		if (i > lit && (r = fn(ctx, s + lit, i - lit, NULL)) != 0)
			return r;
		if ((r = fn(ctx, s + i + 2, j - i - 2, &vn)) != 0)
			return r;
		i = lit = j + 1;
	}
	if (len > lit)
		return fn(ctx, s + lit, len - lit, NULL);
	return 0;
}

/* a compiled dynamic string */
enum vseg_kind { VSEG_TEXT, VSEG_VAR, VSEG_MATCH };

struct vseg {
	enum vseg_kind kind;
	const char *p;			/* TEXT */
	size_t len;
	const struct ext_var_ref *ref;	/* VAR */
	unsigned num;			/* MATCH */
};

struct vstr {
	size_t n;
	struct vseg *seg;
};

struct vcompile {
	struct sieve_valctx *v;
	const struct sieve_string *s;
	struct vseg *seg;
	size_t n, cap;
	size_t n_refs;
};

/* vcompile_piece - one piece of a literal into its segments */
static int vcompile_piece(void *ctx, const char *p, size_t len,
			  const struct vars_name *vn)
{
	struct vcompile *c = ctx;
	struct vseg *sg;

	if (c->n == c->cap) {
		size_t ncap = c->cap == 0 ? 8 : c->cap * 2;
		struct vseg *ns = pool_alloc_array(sieve_valctx_pool(c->v),
						   ncap, sizeof(*ns));

		if (c->n > 0)
			memcpy(ns, c->seg, c->n * sizeof(*ns));
		c->seg = ns;
		c->cap = ncap;
	}
	sg = &c->seg[c->n];
	if (vn == NULL) {
		sg->kind = VSEG_TEXT;
		sg->p = p;
		sg->len = len;
	} else if (vn->n == 1 && vn->el_num[0]) {
		/* an index past SIEVE_MAX_MATCH_INDEX is never set: it
		 * expands to "" (Pigeonhole logs it but compiles) */
		sg->kind = VSEG_MATCH;
		sg->num = (unsigned)vn->num;
		c->n_refs++;
	} else {
		sg->kind = VSEG_VAR;
		sg->ref = vars_resolve(c->v, vn, c->s->line, c->s->col);
		if (sg->ref == NULL)
			return -1;
		c->n_refs++;
	}
	c->n++;
	return 0;
}

/* vars_validate_string - compile a literal holding references */
static int vars_validate_string(struct sieve_valctx *v,
				const struct sieve_extension *ext,
				struct sieve_string *s)
{
	struct vcompile c;
	struct vstr *vs;

	(void)ext;
	if (s->len < 3 || memmem(s->data, s->len, "${", 2) == NULL)
		return 0;
	memset(&c, 0, sizeof(c));
	c.v = v;
	c.s = s;
	if (vars_scan(s->data, s->len, vcompile_piece, &c) < 0)
		return -1;
	if (c.n_refs == 0)
		return 0;
	vs = pool_alloc(sieve_valctx_pool(v), sizeof(*vs));
	vs->n = c.n;
	vs->seg = c.seg;
	s->flags |= SIEVE_STR_DYNAMIC;
	s->compiled = vs;
	return 0;
}

/* ------------------------------------------------------------------ */
/* values (run time)                                                   */

struct vval {
	char *data;
	size_t len, cap;
	int set;
};

struct vframe {
	const struct sieve_script *script;
	const struct vars_scope *scope;
	struct vval *vals;
};

struct vglob {
	const char *name;
	size_t len;
	struct vval val;
};

struct vars_run {
	struct vframe *frames;
	size_t n_frames, cap_frames;
	struct vglob *globs;
	size_t n_globs, cap_globs;
};

static struct vars_run *vars_run(struct sieve_run *run)
{
	struct vars_run *vr = sieve_run_ext_get(run, &sieve_ext_variables);

	if (vr == NULL) {
		vr = pool_alloc(sieve_run_pool(run), sizeof(*vr));
		sieve_run_ext_set(run, &sieve_ext_variables, vr);
	}
	return vr;
}

/* vars_frame - the executing script's locals (a fresh frame when the
 * script was entered since: include) */
static struct vframe *vars_frame(struct sieve_run *run)
{
	struct vars_run *vr = vars_run(run);
	const struct sieve_script *script = sieve_run_script(run);
	const struct vars_scope *sc;
	struct vframe *f;

	if (vr->n_frames > 0 && vr->frames[vr->n_frames - 1].script == script)
		return &vr->frames[vr->n_frames - 1];
	if (vr->n_frames == vr->cap_frames) {
		size_t ncap = vr->cap_frames == 0 ? 4 : vr->cap_frames * 2;
		struct vframe *nf = pool_alloc_array(sieve_run_pool(run), ncap,
						     sizeof(*nf));

		if (vr->n_frames > 0)
			memcpy(nf, vr->frames, vr->n_frames * sizeof(*nf));
		vr->frames = nf;
		vr->cap_frames = ncap;
	}
	sc = sieve_run_script_ext(run, &sieve_ext_variables);
	f = &vr->frames[vr->n_frames++];
	f->script = script;
	f->scope = sc;
	f->vals = pool_alloc_array(sieve_run_pool(run),
				   sc != NULL && sc->n_local > 0 ?
				   sc->n_local : 1, sizeof(*f->vals));
	return f;
}

/* vars_global - the run's global variable name (created unset) */
static struct vval *vars_global(struct sieve_run *run, const char *name,
				size_t len)
{
	struct vars_run *vr = vars_run(run);
	struct vglob *g;
	size_t i;

	for (i = 0; i < vr->n_globs; i++)
		if (vr->globs[i].len == len &&
		    memcmp(vr->globs[i].name, name, len) == 0)
			return &vr->globs[i].val;
	if (vr->n_globs == vr->cap_globs) {
		size_t ncap = vr->cap_globs == 0 ? 8 : vr->cap_globs * 2;
		struct vglob *ng = pool_alloc_array(sieve_run_pool(run), ncap,
						    sizeof(*ng));

		if (vr->n_globs > 0)
			memcpy(ng, vr->globs, vr->n_globs * sizeof(*ng));
		vr->globs = ng;
		vr->cap_globs = ncap;
	}
	g = &vr->globs[vr->n_globs++];
	g->name = name;
	g->len = len;
	return &g->val;
}

/* vars_value - where ref's value lives in this run */
static struct vval *vars_value(struct sieve_run *run,
			       const struct ext_var_ref *ref)
{
	struct vframe *f;

	if (ref->global)
		return vars_global(run, ref->name, ref->len);
	f = vars_frame(run);
	if (f->scope == NULL || ref->index >= f->scope->n_local)
		return NULL;	/* a handle of another script: never */
	return &f->vals[ref->index];
}

int ext_variables_ref_get(struct sieve_run *run, const struct ext_var_ref *ref,
			  struct sieve_str *out)
{
	const struct vval *vv = vars_value(run, ref);

	if (vv == NULL || !vv->set) {
		out->data = "";
		out->len = 0;
		return 0;
	}
	out->data = vv->data;
	out->len = vv->len;
	return 1;
}

/* vars_cut - len cut to the size limit, not inside a UTF-8 sequence */
static size_t vars_cut(const char *s, size_t len)
{
	size_t cut = SIEVE_MAX_VARIABLE_SIZE;

	if (len <= cut)
		return len;
	while (cut > 0 && ((unsigned char)s[cut] & 0xc0) == 0x80)
		cut--;
	return cut;
}

int ext_variables_ref_set(struct sieve_run *run, const struct ext_var_ref *ref,
			  const char *value, size_t len)
{
	struct vval *vv = vars_value(run, ref);

	if (vv == NULL)
		return 0;
	len = vars_cut(value, len);
	if (vv->cap < len + 1) {
		size_t cap = len + 1 < 64 ? 64 : len + 1;
		char *nd = pool_alloc(sieve_run_pool(run), cap);

		memcpy(nd, value, len);
		vv->data = nd;
		vv->cap = cap;
	} else {
		memmove(vv->data, value, len);
	}
	vv->data[len] = '\0';
	vv->len = len;
	vv->set = 1;
	return 0;
}

/* vars_expand_string - the core's hook: a compiled dynamic string */
static int vars_expand_string(struct sieve_run *run,
			      const struct sieve_extension *ext,
			      const struct sieve_string *s, struct buf *out)
{
	const struct vstr *vs = s->compiled;
	struct sieve_str val;
	size_t i;

	(void)ext;
	if (vs == NULL) {
		buf_append(out, s->data, s->len);
		return 0;
	}
	for (i = 0; i < vs->n; i++) {
		const struct vseg *sg = &vs->seg[i];

		switch (sg->kind) {
		case VSEG_TEXT:
			buf_append(out, sg->p, sg->len);
			break;
		case VSEG_VAR:
			(void)ext_variables_ref_get(run, sg->ref, &val);
			buf_append(out, val.data, val.len);
			break;
		case VSEG_MATCH:
			if (sieve_run_match_value(run, sg->num, &val) > 0)
				buf_append(out, val.data, val.len);
			break;
		}
	}
	return 0;
}

struct vexpand {
	struct sieve_run *run;
	struct buf *out;
};

/* vexpand_piece - one piece of run-time text, resolved by name */
static int vexpand_piece(void *ctx, const char *p, size_t len,
			 const struct vars_name *vn)
{
	struct vexpand *e = ctx;
	const struct vframe *f;
	const struct ext_var_ref *ref = NULL;
	struct sieve_str val;

	if (vn == NULL) {
		buf_append(e->out, p, len);
		return 0;
	}
	if (vn->n == 1 && vn->el_num[0]) {
		if (vn->num <= SIEVE_MAX_MATCH_INDEX &&
		    sieve_run_match_value(e->run, vn->num, &val) > 0)
			buf_append(e->out, val.data, val.len);
		return 0;
	}
	f = vars_frame(e->run);
	if (vn->n == 1 && f->scope != NULL)
		ref = vars_find(f->scope->vars, f->scope->n, vn->el[0],
				vn->el_len[0]);
	else if (vn->n == 2 && f->scope != NULL && f->scope->global_ns &&
		 !vn->el_num[1] && vn->el_len[0] == 6 &&
		 strncasecmp(vn->el[0], "global", 6) == 0)
		ref = vars_find(f->scope->nsg, f->scope->n_nsg, vn->el[1],
				vn->el_len[1]);
	if (ref != NULL && ext_variables_ref_get(e->run, ref, &val) > 0)
		buf_append(e->out, val.data, val.len);
	return 0;
}

int ext_variables_expand(struct sieve_run *run, const char *text, size_t len,
			 struct buf *out)
{
	struct vexpand e = { run, out };

	(void)vars_scan(text, len, vexpand_piece, &e);
	return 0;
}

size_t ext_variables_scope_mark(struct sieve_run *run)
{
	struct vars_run *vr = sieve_run_ext_get(run, &sieve_ext_variables);

	return vr != NULL ? vr->n_frames : 0;
}

void ext_variables_scope_release(struct sieve_run *run, size_t mark)
{
	struct vars_run *vr = sieve_run_ext_get(run, &sieve_ext_variables);

	if (vr != NULL && vr->n_frames > mark)
		vr->n_frames = mark;
}

/* ------------------------------------------------------------------ */
/* set and its modifiers                                               */

/* a modifier (RFC 5229 4.1): applied in decreasing precedence; max is
 * the value size limit (only :quotewildcard needs it: it must not cut
 * between a backslash and the character it quotes) */
struct vars_mod {
	const struct sieve_tag_def *tag;
	unsigned prec;
	void (*apply)(const char *in, size_t len, struct buf *out, size_t max);
};

/* mod_case - ASCII case of every letter (first only: just the first
 * octet), as Pigeonhole */
static void mod_case(const char *in, size_t len, struct buf *out, int upper,
		     int first_only)
{
	size_t i;

	buf_append(out, in, len);
	for (i = 0; i < len; i++) {
		char c = out->data[out->len - len + i];

		if (upper && c >= 'a' && c <= 'z')
			c = (char)(c - 'a' + 'A');
		else if (!upper && c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		out->data[out->len - len + i] = c;
		if (first_only)
			break;
	}
}

static void mod_lower(const char *in, size_t len, struct buf *out, size_t max)
{
	(void)max;
	mod_case(in, len, out, 0, 0);
}

static void mod_upper(const char *in, size_t len, struct buf *out, size_t max)
{
	(void)max;
	mod_case(in, len, out, 1, 0);
}

static void mod_lowerfirst(const char *in, size_t len, struct buf *out,
			   size_t max)
{
	(void)max;
	mod_case(in, len, out, 0, 1);
}

static void mod_upperfirst(const char *in, size_t len, struct buf *out,
			   size_t max)
{
	(void)max;
	mod_case(in, len, out, 1, 1);
}

/* mod_quotewildcard - a backslash before "*", "?" and "\" */
static void mod_quotewildcard(const char *in, size_t len, struct buf *out,
			      size_t max)
{
	size_t i, start = out->len;

	for (i = 0; i < len; i++) {
		int q = in[i] == '*' || in[i] == '?' || in[i] == '\\';

		if (out->len - start + (q ? 2u : 1u) > max)
			break;
		if (q)
			buf_append_char(out, '\\');
		buf_append_char(out, in[i]);
	}
}

/* mod_length - the number of characters (UTF-8 lead octets) */
static void mod_length(const char *in, size_t len, struct buf *out, size_t max)
{
	size_t i, n = 0;

	(void)max;
	for (i = 0; i < len; i++)
		if (((unsigned char)in[i] & 0xc0) != 0x80)
			n++;
	buf_printf(out, "%zu", n);
}

/* mod_encodeurl - RFC 5435 7: percent-encode all but RFC 3986
 * unreserved characters */
static void mod_encodeurl(const char *in, size_t len, struct buf *out,
			  size_t max)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t i;

	(void)max;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)in[i];

		if (is_alpha_(c) || is_digit(c) || c == '-' || c == '.' ||
		    c == '~') {
			buf_append_char(out, (char)c);
		} else {
			buf_append_char(out, '%');
			buf_append_char(out, hex[c >> 4]);
			buf_append_char(out, hex[c & 15]);
		}
	}
}

/* tag_encodeurl_validate - :encodeurl exists only with enotify */
static int tag_encodeurl_validate(struct sieve_valctx *v,
				  struct sieve_node *node,
				  struct sieve_tagval *tv)
{
	const struct sieve_extension *en =
		sieve_ext_find(sieve_valctx_engine(v), "enotify");

	(void)node;
	if (en == NULL || !sieve_valctx_loaded(v, en)) {
		sieve_valctx_error(v, tv->tag->line, tv->tag->col,
				   "unknown tagged argument ':encodeurl' for "
				   "the set command");
		return -1;
	}
	return 0;
}

static const struct sieve_tag_def tag_lower = { .name = "lower" };
static const struct sieve_tag_def tag_upper = { .name = "upper" };
static const struct sieve_tag_def tag_lowerfirst = { .name = "lowerfirst" };
static const struct sieve_tag_def tag_upperfirst = { .name = "upperfirst" };
static const struct sieve_tag_def tag_quotewildcard = {
	.name = "quotewildcard"
};
static const struct sieve_tag_def tag_length = { .name = "length" };
static const struct sieve_tag_def tag_encodeurl = {
	.name = "encodeurl",
	.validate = tag_encodeurl_validate,
};

static const struct sieve_tag_def *const set_tags[] = {
	&tag_lower, &tag_upper, &tag_lowerfirst, &tag_upperfirst,
	&tag_quotewildcard, &tag_length, &tag_encodeurl, NULL
};

static const struct vars_mod set_mods[] = {
	{ &tag_lower, 40, mod_lower },
	{ &tag_upper, 40, mod_upper },
	{ &tag_lowerfirst, 30, mod_lowerfirst },
	{ &tag_upperfirst, 30, mod_upperfirst },
	{ &tag_quotewildcard, 20, mod_quotewildcard },
	{ &tag_encodeurl, 15, mod_encodeurl },
	{ &tag_length, 10, mod_length },
};
#define N_SET_MODS (sizeof(set_mods) / sizeof(set_mods[0]))

/* what set's validate leaves in node->data */
struct set_data {
	const struct ext_var_ref *ref;
	const struct vars_mod *mods[N_SET_MODS];	/* by precedence */
	size_t n_mods;
};

static const struct vars_mod *set_mod_of(const struct sieve_tag_def *def)
{
	size_t i;

	for (i = 0; i < N_SET_MODS; i++)
		if (set_mods[i].tag == def)
			return &set_mods[i];
	return NULL;
}

/* set_validate - the name is a variable; modifiers of equal precedence
 * conflict (RFC 5229 4.1) */
static int set_validate(struct sieve_valctx *v, struct sieve_node *node)
{
	struct set_data *sd = pool_alloc(sieve_valctx_pool(v), sizeof(*sd));
	const struct vars_mod *seen[N_SET_MODS];
	const struct sieve_tagval *tseen[N_SET_MODS];
	size_t n_seen = 0, i, j;

	for (i = 0; i < node->n_tags; i++) {
		const struct vars_mod *m = set_mod_of(node->tags[i].def);

		if (m == NULL)
			continue;
		for (j = 0; j < n_seen; j++) {
			if (seen[j]->prec != m->prec)
				continue;
			sieve_valctx_error(v, node->tags[i].tag->line,
					   node->tags[i].tag->col,
					   "modifiers :%s and :%s specified for "
					   "the set command conflict having "
					   "equal precedence",
					   tseen[j]->def->name, m->tag->name);
			return -1;
		}
		if (n_seen < N_SET_MODS) {
			tseen[n_seen] = &node->tags[i];
			seen[n_seen++] = m;
		}
	}
	/* highest precedence first */
	for (i = 0; i < N_SET_MODS; i++)
		for (j = 0; j < n_seen; j++)
			if (seen[j] == &set_mods[i])
				sd->mods[sd->n_mods++] = seen[j];
	for (i = 1; i < sd->n_mods; i++)
		for (j = i; j > 0 && sd->mods[j]->prec > sd->mods[j - 1]->prec;
		     j--) {
			const struct vars_mod *t = sd->mods[j];

			sd->mods[j] = sd->mods[j - 1];
			sd->mods[j - 1] = t;
		}
	sd->ref = ext_variables_ref_compile(v, &node->pos[0]->strs[0]);
	if (sd->ref == NULL)
		return -1;
	node->data = sd;
	return 0;
}

/* set_exec - expand the value, apply the modifiers, assign */
static int set_exec(struct sieve_run *run, const struct sieve_node *node)
{
	const struct set_data *sd = node->data;
	struct buf a = BUF_INIT, b = BUF_INIT, t;
	struct sieve_str val;
	const char *p;
	size_t len, i;

	if (sieve_run_arg_str(run, node->pos[1], &val) < 0)
		return SIEVE_EXEC_ERROR;
	p = val.data;
	len = val.len;
	for (i = 0; i < sd->n_mods; i++) {
		buf_reset(&b);
		sd->mods[i]->apply(p, len, &b, SIEVE_MAX_VARIABLE_SIZE);
		t = a;
		a = b;
		b = t;
		p = a.data != NULL ? a.data : "";
		len = a.len;
	}
	(void)ext_variables_ref_set(run, sd->ref, p, len);
	if (sieve_run_tracing(run)) {
		struct sieve_str now;

		(void)ext_variables_ref_get(run, sd->ref, &now);
		sieve_run_trace(run, node, "set \"%s%s\" = \"%.*s\"",
				sd->ref->ns ? "global." : "", sd->ref->name,
				(int)now.len, now.data);
	}
	buf_free(&a);
	buf_free(&b);
	return SIEVE_EXEC_OK;
}

static const struct sieve_cmd_def cmd_set = {
	.name = "set",
	.min_pos = 2,
	.n_pos = 2,
	.pos = { SIEVE_T_STRING, SIEVE_T_STRING },
	.tags = set_tags,
	.validate = set_validate,
	.exec = set_exec,
};

/* ------------------------------------------------------------------ */
/* string test (RFC 5229 5)                                            */

/* string_exec - match every source string against the keys; :count
 * counts only non-empty strings */
static int string_exec(struct sieve_run *run, const struct sieve_node *node)
{
	struct sieve_match m;
	struct sieve_str *src;
	size_t n, i;
	int count = node->match != NULL && strcmp(node->match->name,
						  "count") == 0;
	int ret = 0;

	if (sieve_run_arg_list(run, node->pos[0], &src, &n) < 0 ||
	    sieve_match_begin(&m, run, node, node->pos[1]) < 0)
		return SIEVE_EXEC_ERROR;
	for (i = 0; i < n && ret == 0; i++) {
		if (count && src[i].len == 0)
			continue;
		ret = sieve_match_value(&m, src[i].data, src[i].len);
	}
	if (ret < 0)
		return SIEVE_EXEC_ERROR;
	return sieve_match_end(&m);
}

/* string_validate - Pigeonhole's string test compares with i;octet
 * unless a :comparator is given (its other tests use i;ascii-casemap,
 * RFC 5228 2.7.3); we do the same so scripts behave as they do there */
static int string_validate(struct sieve_valctx *v, struct sieve_node *node)
{
	const struct sieve_comparator_def *const *c;
	const struct sieve_arg *a;

	for (a = node->args; a != NULL; a = a->next)
		if (a->kind == SIEVE_ARG_TAG && strcmp(a->tag, "comparator") == 0)
			return 0;
	for (c = sieve_ext_core.comparators; c != NULL && *c != NULL; c++) {
		if (strcmp((*c)->name, "i;octet") != 0 || node->cmp == *c)
			continue;
		node->cmp = *c;
		if (node->match != NULL && node->match->validate != NULL)
			return node->match->validate(
				v, node, (struct sieve_tagval *)node->match_tag);
	}
	return 0;
}

static const struct sieve_cmd_def tst_string = {
	.name = "string",
	.is_test = 1,
	.flags = SIEVE_CMD_F_MATCH,
	.min_pos = 2,
	.n_pos = 2,
	.pos = { SIEVE_T_STRLIST, SIEVE_T_STRLIST },
	.validate = string_validate,
	.exec = string_exec,
};

static const struct sieve_cmd_def *const vars_commands[] = {
	&cmd_set, &tst_string, NULL
};

/* vars_load - the script's scope */
static int vars_load(struct sieve_valctx *v, const struct sieve_extension *ext)
{
	(void)ext;
	(void)vars_scope(v);
	return 0;
}

/* vars_validate_end - remember whether "global." may be used at run
 * time (ext_variables_expand) */
static int vars_validate_end(struct sieve_valctx *v,
			     const struct sieve_extension *ext)
{
	(void)ext;
	vars_scope(v)->global_ns = sieve_valctx_loaded(v, &sieve_ext_include);
	return 0;
}

const struct sieve_extension sieve_ext_variables = {
	.name = "variables",
	.flags = SIEVE_EXT_F_MATCH_VALUES,
	.commands = vars_commands,
	.load = vars_load,
	.validate_end = vars_validate_end,
	.validate_string = vars_validate_string,
	.expand_string = vars_expand_string,
};
