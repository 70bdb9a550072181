/* ext-imap4flags.c - imap4flags (RFC 5232): setflag, addflag, removeflag,
 * the hasflag test, ":flags" on keep and fileinto, and the internal flag
 * variable attached to keep/fileinto without :flags and to the implicit
 * keep.
 *
 *   setflag / addflag / removeflag [<variablename: string>]
 *                                  <list-of-flags: string-list>
 *   hasflag [MATCH-TYPE] [COMPARATOR] [<variable-list: string-list>]
 *           <list-of-flags: string-list>
 *   keep / fileinto :flags <list-of-flags: string-list> ...
 *
 * A flag list is a set of case-insensitive words (RFC 5232 section 3):
 * every string splits at spaces, empty items are ignored, a flag that is
 * not an IMAP flag is ignored (section 2: system flags other than
 * \Answered \Flagged \Deleted \Seen \Draft, keywords that are not an
 * atom or not ASCII), repeats collapse into the first. System flags take
 * their canonical case ("\\Seen"), keywords keep the case first written;
 * actions get them sorted (sieve_action_set_flags), as sieve-json.md
 * says. The internal variable starts empty for each execution; keep and
 * fileinto without :flags take its value at the time they run, the
 * implicit keep its value at the end.
 *
 * The forms with a variable name need the variables extension (a
 * compile error without it, RFC 5232 section 3). */
#include "auto-config.h"
#include "sieve/sieve-ext.h"
#include "sieve/ext-fcc.h"
#include "sieve/ext-variables.h"

#include "lib/xalloc.h"

#include <string.h>
#include <strings.h>

/* the most flags one flag list holds; more is a runtime error (RFC 5232
 * sets no limit; a variable holds at most SIEVE_MAX_VARIABLE_SIZE
 * octets, so a list of one-letter flags never reaches this) */
#define IMAP4FLAGS_MAX_FLAGS 1024

/* a normalized flag list */
struct flagset {
	const char **v;
	size_t n, cap;
};

static const char *const system_flags[] = {
	"\\Answered", "\\Deleted", "\\Draft", "\\Flagged", "\\Seen", NULL
};

/* atom_char - RFC 3501 ATOM-CHAR: printable ASCII except atom-specials */
static int atom_char(unsigned char c)
{
	return c > 0x20 && c < 0x7f && strchr("(){\"\\%*]", c) == NULL;
}

/* flag_canon - the flag f[0, len) as stored: a system flag's canonical
 * name, a keyword copied, or NULL when it is not a settable IMAP flag */
static const char *flag_canon(struct pool *pool, const char *f, size_t len)
{
	size_t i;

	if (len == 0)
		return NULL;
	if (f[0] == '\\') {
		for (i = 0; system_flags[i] != NULL; i++)
			if (strlen(system_flags[i]) == len &&
			    strncasecmp(system_flags[i], f, len) == 0)
				return system_flags[i];
		return NULL;
	}
	for (i = 0; i < len; i++)
		if (!atom_char((unsigned char)f[i]))
			return NULL;
	return pool_strndup(pool, f, len);
}

/* flagset_find - index of flag (case-insensitive), or -1 */
static long flagset_find(const struct flagset *fs, const char *f, size_t len)
{
	size_t i;

	for (i = 0; i < fs->n; i++)
		if (strlen(fs->v[i]) == len &&
		    strncasecmp(fs->v[i], f, len) == 0)
			return (long)i;
	return -1;
}

/* flagset_push - append a canonical flag; -1 when the set is full */
static int flagset_push(struct pool *pool, struct flagset *fs, const char *f)
{
	if (fs->n == fs->cap) {
		size_t cap = fs->cap == 0 ? 8 : fs->cap * 2;
		const char **v;

		if (fs->n >= IMAP4FLAGS_MAX_FLAGS)
			return -1;
		v = pool_alloc_array(pool, cap, sizeof(*v));
		if (fs->n > 0)
			memcpy(v, fs->v, fs->n * sizeof(*v));
		fs->v = v;
		fs->cap = cap;
	}
	fs->v[fs->n++] = f;
	return 0;
}

/* next_word - the next space-separated word of s[*pos, len): 1 with
 * the word in *w, *wlen; 0 at the end */
static int next_word(const char *s, size_t len, size_t *pos, const char **w,
		     size_t *wlen)
{
	size_t i = *pos, start;

	while (i < len && s[i] == ' ')
		i++;
	if (i == len) {
		*pos = i;
		return 0;
	}
	start = i;
	while (i < len && s[i] != ' ')
		i++;
	*w = s + start;
	*wlen = i - start;
	*pos = i;
	return 1;
}

/* flagset_add - add the valid flags of s that are not there yet; -1 when
 * the set would grow past IMAP4FLAGS_MAX_FLAGS */
static int flagset_add(struct pool *pool, struct flagset *fs, const char *s,
		       size_t len)
{
	const char *w, *f;
	size_t pos = 0, wlen;

	while (next_word(s, len, &pos, &w, &wlen)) {
		if (flagset_find(fs, w, wlen) >= 0)
			continue;
		f = flag_canon(pool, w, wlen);
		if (f != NULL && flagset_push(pool, fs, f) < 0)
			return -1;
	}
	return 0;
}

/* flagset_remove - remove every flag named in s */
static void flagset_remove(struct flagset *fs, const char *s, size_t len)
{
	const char *w;
	size_t pos = 0, wlen;
	long i;

	while (next_word(s, len, &pos, &w, &wlen)) {
		i = flagset_find(fs, w, wlen);
		if (i < 0)
			continue;
		memmove(&fs->v[i], &fs->v[i + 1],
			(fs->n - (size_t)i - 1) * sizeof(*fs->v));
		fs->n--;
	}
}

/* flagset_add_list - flagset_add for each string; runtime error when too
 * many */
static int flagset_add_list(struct sieve_run *run,
			    const struct sieve_node *node, struct flagset *fs,
			    const struct sieve_str *items, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (flagset_add(sieve_run_pool(run), fs, items[i].data,
				items[i].len) < 0)
			return sieve_run_error(run, node, "too many IMAP "
					       "flags (at most %d)",
					       IMAP4FLAGS_MAX_FLAGS);
	return 0;
}

/* flagset_string - the set as "A B C" (for a variable's value) */
static void flagset_string(const struct flagset *fs, struct buf *out)
{
	size_t i;

	for (i = 0; i < fs->n; i++) {
		if (i > 0)
			buf_append_char(out, ' ');
		buf_append_str(out, fs->v[i]);
	}
}

/* ------------------------------------------------------------------ */
/* the internal variable                                               */

/* internal_flags - this execution's internal variable (empty at start,
 * RFC 5232 section 3) */
static struct flagset *internal_flags(struct sieve_run *run)
{
	struct flagset *fs = sieve_run_ext_get(run, &sieve_ext_imap4flags);

	if (fs == NULL) {
		fs = pool_alloc(sieve_run_pool(run), sizeof(*fs));
		memset(fs, 0, sizeof(*fs));
		sieve_run_ext_set(run, &sieve_ext_imap4flags, fs);
	}
	return fs;
}

/* imap4flags_run_start - a new execution starts with no flags */
static int imap4flags_run_start(struct sieve_run *run,
				const struct sieve_extension *ext)
{
	(void)ext;
	sieve_run_ext_set(run, &sieve_ext_imap4flags, NULL);
	return 0;
}

/* ------------------------------------------------------------------ */
/* variables (the optional variable-name arguments)                    */

/* variables_loaded - whether the script has the variables extension */
static int variables_loaded(struct sieve_valctx *v)
{
	const struct sieve_extension *var =
		sieve_ext_find(sieve_valctx_engine(v), "variables");

	return var != NULL && sieve_valctx_loaded(v, var);
}

/* the variables named by a command (node->data) */
struct flag_vars {
	const struct ext_var_ref **refs;
	size_t n;
};

/* vars_compile - resolve the variable names of list into node->data */
static int vars_compile(struct sieve_valctx *v, struct sieve_node *node,
			const struct sieve_arg *list)
{
	struct pool *pool = sieve_valctx_pool(v);
	struct flag_vars *fv = pool_alloc(pool, sizeof(*fv));
	size_t i;

	fv->n = list->n_strs;
	fv->refs = pool_alloc_array(pool, fv->n, sizeof(*fv->refs));
	for (i = 0; i < fv->n; i++) {
		fv->refs[i] = ext_variables_ref_compile(v, &list->strs[i]);
		if (fv->refs[i] == NULL)
			return -1;
	}
	node->data = fv;
	return 0;
}

/* var_read - the flags of variable ref into fs; 0 or ERROR */
static int var_read(struct sieve_run *run, const struct sieve_node *node,
		    const struct ext_var_ref *ref, struct flagset *fs)
{
	struct sieve_str val;

	ext_variables_ref_get(run, ref, &val);
	return flagset_add_list(run, node, fs, &val, 1);
}

/* var_write - store fs as the value of variable ref ("A B C") */
static int var_write(struct sieve_run *run, const struct ext_var_ref *ref,
		     const struct flagset *fs)
{
	struct buf b = BUF_INIT;

	flagset_string(fs, &b);
	ext_variables_ref_set(run, ref, b.data != NULL ? b.data : "", b.len);
	buf_free(&b);
	return 0;
}

/* ------------------------------------------------------------------ */
/* setflag, addflag, removeflag                                         */

/* warn_invalid - warn about the first constant flag that is ignored */
static void warn_invalid(struct sieve_valctx *v, const struct sieve_node *node,
			 const struct sieve_arg *list)
{
	struct pool *pool = sieve_valctx_pool(v);
	const char *w;
	size_t i, pos, wlen;

	for (i = 0; i < list->n_strs; i++) {
		const struct sieve_string *s = &list->strs[i];

		if (!sieve_string_is_constant(s))
			continue;
		pos = 0;
		while (next_word(s->data, s->len, &pos, &w, &wlen)) {
			if (flag_canon(pool, w, wlen) != NULL)
				continue;
			sieve_valctx_warning(v, s->line, s->col,
					     "IMAP flag '%.*s' specified for "
					     "the %s command is invalid and "
					     "will be ignored", (int)(wlen > 64
					     ? 64 : wlen), w, node->name);
			return;
		}
	}
}

/* flagcmd_validate - [variable name] flags: a name needs variables */
static int flagcmd_validate(struct sieve_valctx *v, struct sieve_node *node)
{
	if (node->n_pos == 2) {
		const struct sieve_arg *name = node->pos[0];

		if (!node->def->is_test && name->kind != SIEVE_ARG_STRING) {
			sieve_valctx_error(v, name->line, name->col,
					   "if a second argument is specified "
					   "for the %s command, the first must "
					   "be a string (variable name), but a "
					   "string list was found",
					   node->name);
			return -1;
		}
		if (!variables_loaded(v)) {
			sieve_valctx_error(v, name->line, name->col,
					   "the %s %s only allows for the "
					   "specification of a variable name "
					   "when the variables extension is "
					   "active", node->name,
					   node->def->is_test ? "test"
							      : "command");
			return -1;
		}
		if (vars_compile(v, node, name) < 0)
			return -1;
	}
	if (!node->def->is_test)
		warn_invalid(v, node, node->pos[node->n_pos - 1]);
	return 0;
}

enum flag_op { FLAG_SET, FLAG_ADD, FLAG_REMOVE };

/* flag_apply - op with the flag strings items on fs */
static int flag_apply(struct sieve_run *run, const struct sieve_node *node,
		      enum flag_op op, struct flagset *fs,
		      const struct sieve_str *items, size_t n)
{
	size_t i;

	if (op == FLAG_SET)
		fs->n = 0;
	if (op != FLAG_REMOVE)
		return flagset_add_list(run, node, fs, items, n);
	for (i = 0; i < n; i++)
		flagset_remove(fs, items[i].data, items[i].len);
	return 0;
}

/* flagcmd_exec - op on the internal variable or the named variable */
static int flagcmd_exec(struct sieve_run *run, const struct sieve_node *node,
			enum flag_op op)
{
	static const char *const op_names[] = { "set", "add", "remove" };
	const struct flag_vars *fv = node->data;
	struct sieve_str *items;
	struct flagset tmp, *fs;
	size_t n;

	if (sieve_run_arg_list(run, node->pos[node->n_pos - 1], &items,
			       &n) < 0)
		return SIEVE_EXEC_ERROR;
	if (node->n_pos == 1) {
		fs = internal_flags(run);
	} else {
		memset(&tmp, 0, sizeof(tmp));
		fs = &tmp;
		if (op != FLAG_SET && var_read(run, node, fv->refs[0], fs) < 0)
			return SIEVE_EXEC_ERROR;
	}
	if (flag_apply(run, node, op, fs, items, n) < 0)
		return SIEVE_EXEC_ERROR;
	if (sieve_run_tracing(run)) {
		struct buf b = BUF_INIT;

		flagset_string(fs, &b);
		sieve_run_trace(run, node, "%s flags: now \"%s\"",
				op_names[op], buf_cstr(&b));
		buf_free(&b);
	}
	if (node->n_pos == 2)
		var_write(run, fv->refs[0], fs);
	return SIEVE_EXEC_OK;
}

static int setflag_exec(struct sieve_run *run, const struct sieve_node *node)
{
	return flagcmd_exec(run, node, FLAG_SET);
}

static int addflag_exec(struct sieve_run *run, const struct sieve_node *node)
{
	return flagcmd_exec(run, node, FLAG_ADD);
}

static int removeflag_exec(struct sieve_run *run,
			   const struct sieve_node *node)
{
	return flagcmd_exec(run, node, FLAG_REMOVE);
}

#define FLAG_CMD(id, fn) { \
	.name = id, .min_pos = 1, .n_pos = 2, \
	.pos = { SIEVE_T_STRLIST, SIEVE_T_STRLIST }, \
	.validate = flagcmd_validate, .exec = fn }

static const struct sieve_cmd_def cmd_setflag = FLAG_CMD("setflag",
							 setflag_exec);
static const struct sieve_cmd_def cmd_addflag = FLAG_CMD("addflag",
							 addflag_exec);
static const struct sieve_cmd_def cmd_removeflag = FLAG_CMD("removeflag",
							    removeflag_exec);

/* ------------------------------------------------------------------ */
/* hasflag                                                              */

/* flags_as_keys - :is and :contains compare flag by flag (RFC 5232
 * section 4: "b A" is two keys); other match types (:matches, :count,
 * :value) take the keys as written, as Pigeonhole does */
static int flags_as_keys(const struct sieve_node *node)
{
	const char *m = node->match != NULL ? node->match->name : "is";

	return strcmp(m, "is") == 0 || strcmp(m, "contains") == 0;
}

/* hasflag_feed - each flag of fs as a value; the first nonzero result */
static int hasflag_feed(struct sieve_match *m, const struct flagset *fs)
{
	size_t i;
	int r;

	for (i = 0; i < fs->n; i++) {
		r = sieve_match_value(m, fs->v[i], strlen(fs->v[i]));
		if (r != 0)
			return r;
	}
	return 0;
}

/* hasflag_keys - split the keys into single flags (see flags_as_keys) */
static int hasflag_keys(struct sieve_run *run, const struct sieve_node *node,
			struct sieve_match *m)
{
	struct flagset keys;
	size_t i;

	memset(&keys, 0, sizeof(keys));
	if (flagset_add_list(run, node, &keys, m->keys, m->n_keys) < 0)
		return SIEVE_EXEC_ERROR;
	m->keys = pool_alloc_array(sieve_run_pool(run), keys.n + 1,
				   sizeof(*m->keys));
	for (i = 0; i < keys.n; i++) {
		m->keys[i].data = keys.v[i];
		m->keys[i].len = strlen(keys.v[i]);
	}
	m->n_keys = keys.n;
	return 0;
}

/* hasflag_exec - does any flag of the variables match any key? */
static int hasflag_exec(struct sieve_run *run, const struct sieve_node *node)
{
	const struct flag_vars *fv = node->data;
	struct sieve_match m;
	struct flagset fs;
	size_t i;
	int r = 0;

	if (sieve_match_begin(&m, run, node, node->pos[node->n_pos - 1]) < 0)
		return SIEVE_EXEC_ERROR;
	if (flags_as_keys(node) && hasflag_keys(run, node, &m) < 0)
		return SIEVE_EXEC_ERROR;
	if (node->n_pos == 1) {
		r = hasflag_feed(&m, internal_flags(run));
	} else {
		for (i = 0; i < fv->n && r == 0; i++) {
			memset(&fs, 0, sizeof(fs));
			if (var_read(run, node, fv->refs[i], &fs) < 0)
				return SIEVE_EXEC_ERROR;
			r = hasflag_feed(&m, &fs);
		}
	}
	if (r < 0)
		return SIEVE_EXEC_ERROR;
	return sieve_match_end(&m);
}

static const struct sieve_cmd_def tst_hasflag = {
	.name = "hasflag",
	.is_test = 1,
	.flags = SIEVE_CMD_F_MATCH,
	.min_pos = 1,
	.n_pos = 2,
	.pos = { SIEVE_T_STRLIST, SIEVE_T_STRLIST },
	.validate = flagcmd_validate,
	.exec = hasflag_exec,
};

/* ------------------------------------------------------------------ */
/* :flags and the internal flags on keep/fileinto                       */

/* flags_validate - warn about ignored constant flags; on vacation/notify
 * only with :fcc (RFC 8580) */
static int flags_validate(struct sieve_valctx *v, struct sieve_node *node,
			  struct sieve_tagval *tv)
{
	warn_invalid(v, node, tv->param[0]);
	return sieve_fcc_companion_check(v, node, tv);
}

/* flags_on_action - the action gets exactly these flags (RFC 5232 5) */
static int flags_on_action(struct sieve_run *run,
			   const struct sieve_node *node,
			   const struct sieve_tagval *tv,
			   struct sieve_action *act)
{
	struct sieve_str *items;
	struct flagset fs;
	size_t n;

	memset(&fs, 0, sizeof(fs));
	if (sieve_run_arg_list(run, tv->param[0], &items, &n) < 0 ||
	    flagset_add_list(run, node, &fs, items, n) < 0)
		return SIEVE_EXEC_ERROR;
	sieve_action_set_flags(run, act, fs.v, fs.n);
	return 0;
}

static const char *const flags_targets[] = {
	"keep", "fileinto", SIEVE_FCC_TARGETS, NULL
};

static const struct sieve_tag_def tag_flags = {
	.name = "flags",
	.n_params = 1,
	.params = { SIEVE_T_STRLIST },
	.targets = flags_targets,
	.validate = flags_validate,
	.on_action = flags_on_action,
};

/* imap4flags_on_action - keep/fileinto without :flags, and the implicit
 * keep, store with the internal variable's current flags (RFC 5232 3) */
static int imap4flags_on_action(struct sieve_run *run,
				const struct sieve_extension *ext,
				const struct sieve_node *node,
				struct sieve_action *act)
{
	const struct flagset *fs;

	(void)ext;
	if (act->kind != SIEVE_ACT_KEEP && act->kind != SIEVE_ACT_FILEINTO)
		return 0;
	if (node != NULL && sieve_node_tag(node, &tag_flags) != NULL)
		return 0;
	fs = internal_flags(run);
	sieve_action_set_flags(run, act, fs->v, fs->n);
	return 0;
}

static const struct sieve_cmd_def *const imap4flags_commands[] = {
	&cmd_setflag, &cmd_addflag, &cmd_removeflag, &tst_hasflag, NULL
};

static const struct sieve_tag_def *const imap4flags_tags[] = {
	&tag_flags, NULL
};

const struct sieve_extension sieve_ext_imap4flags = {
	.name = "imap4flags",
	.commands = imap4flags_commands,
	.tags = imap4flags_tags,
	.run_start = imap4flags_run_start,
	.on_action = imap4flags_on_action,
};
