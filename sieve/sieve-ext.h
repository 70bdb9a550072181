/* sieve-ext - the extension registry and the API extensions code against.
 *
 * The core language and every extension are described the same way: a
 * const struct sieve_extension naming what it adds (commands, tests,
 * tagged arguments on other commands, match types, comparators, address
 * parts, actions) and its hooks. One file per extension,
 * sieve/ext-NAME.c, defines `const struct sieve_extension
 * sieve_ext_NAME` and is listed once in sieve/sieve-ext-list.h and
 * sieve/local.mk. See /work/sieve-api-ready and sieve/ext-envelope.c.
 *
 * Life of a script:
 *  - validation (compile time): the validator resolves every command,
 *    test and tag of a required extension, checks positional argument
 *    types and counts against the definition, groups tag parameters,
 *    then calls the tags' validate hooks and the command's validate
 *    (which may store a compiled form in node->data). Every string
 *    literal passes the validate_string hook of the extensions that
 *    have one (variables marks "${...}" strings SIEVE_STR_DYNAMIC).
 *  - execution: the interpreter calls def->exec for each command and
 *    test. Extensions read arguments with sieve_run_arg_* (every string
 *    passes the expand_string hook when dynamic), read the message with
 *    sieve_msg_*, match with sieve_match_*, and add actions with
 *    sieve_run_add_action (which applies the tags' on_action hooks and
 *    the extensions' on_action hooks: imap4flags attaches flags, copy
 *    sets act->copy).
 */
#ifndef SLUICE_SIEVE_EXT_H
#define SLUICE_SIEVE_EXT_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include "lib/address.h"
#include "lib/buf.h"
#include "lib/err.h"
#include "lib/message.h"
#include "lib/pool.h"
#include "sieve/sieve.h"
#include "sieve/sieve-ast.h"
#include "sieve/sieve-limits.h"

struct sieve_valctx;	/* one validation (one script) */
struct sieve_run;	/* one execution */

/* a string value at run time (not necessarily NUL-terminated) */
struct sieve_str {
	const char *data;
	size_t len;
};

/* ------------------------------------------------------------------ */
/* definitions                                                         */

/* argument types in signatures */
enum sieve_arg_type {
	SIEVE_T_NONE = 0,
	SIEVE_T_STRING,		/* one string */
	SIEVE_T_STRLIST,	/* a string list (a single string allowed) */
	SIEVE_T_NUMBER,
};

/* status of a command's exec (tests return 1 true / 0 false / ERROR) */
enum sieve_exec_status {
	SIEVE_EXEC_ERROR = -1,	/* runtime error: sieve_run_error was
				   called; execution ends, implicit keep */
	SIEVE_EXEC_OK = 0,
	SIEVE_EXEC_STOP = 1,	/* stop: end all execution */
	SIEVE_EXEC_BREAK = 2,	/* break (foreverypart): the extension
				   unwinds to its loop */
	SIEVE_EXEC_RETURN = 3,	/* return (include): end this script */
};

enum sieve_cmd_flag {
	SIEVE_CMD_F_BLOCK = 0x01,	/* a block is required */
	SIEVE_CMD_F_TEST = 0x02,	/* exactly one test (if, not) */
	SIEVE_CMD_F_TESTLIST = 0x04,	/* a test list (allof, anyof) */
	SIEVE_CMD_F_MATCH = 0x08,	/* accepts :comparator and a match
					   type (default :is,
					   i;ascii-casemap) */
	SIEVE_CMD_F_ADDRPART = 0x10,	/* accepts an address part (default
					   :all) */
	SIEVE_CMD_F_TOPLEVEL = 0x20,	/* only before other commands, at
					   the top (require) */
	SIEVE_CMD_F_ELSE = 0x40,	/* elsif/else: must follow if or
					   elsif (the core's own) */
};

/* A command or test. Commands' exec returns enum sieve_exec_status;
 * tests' exec returns 1 (true), 0 (false) or SIEVE_EXEC_ERROR. */
struct sieve_cmd_def {
	const char *name;		/* lowercase identifier */
	int is_test;			/* 1: a test, 0: a command */
	unsigned flags;			/* enum sieve_cmd_flag */
	unsigned char min_pos;		/* positional arguments: at least */
	unsigned char n_pos;		/* ... and at most this many, */
	unsigned char pos[SIEVE_MAX_POSITIONAL]; /* of these types */
	const char *pos_names[SIEVE_MAX_POSITIONAL]; /* for messages ("key
						       list"); may be NULL */
	const struct sieve_tag_def *const *tags; /* its own tagged
						    arguments, NULL-ended */
	/* validate - after the core checks: node->pos, tags, match are
	 * set. Report errors with sieve_valctx_error; return 0 or -1. */
	int (*validate)(struct sieve_valctx *v, struct sieve_node *node);
	int (*exec)(struct sieve_run *run, const struct sieve_node *node);
};

struct sieve_extract;

/* A tagged argument (":copy", ":days 5", ":flags [..]"). A command's
 * own tags are listed in its def; an extension's tags for others'
 * commands (":copy" on fileinto and redirect) name them in targets. */
struct sieve_tag_def {
	const char *name;		/* without ':', lowercase */
	unsigned char n_params;		/* parameters that follow it */
	unsigned char params[SIEVE_TAG_MAX_PARAMS]; /* enum sieve_arg_type */
	const char *const *targets;	/* extension tags: commands/tests it
					   may go on (NULL-ended); NULL for
					   a command's own tags */
	/* validate - the tag on node (all arguments resolved); 0 or -1 */
	int (*validate)(struct sieve_valctx *v, struct sieve_node *node,
			struct sieve_tagval *tv);
	/* on_action - node's exec is adding act (see
	 * sieve_run_add_action): adjust it (act->copy = 1, flags...) */
	int (*on_action)(struct sieve_run *run, const struct sieve_node *node,
			 const struct sieve_tagval *tv,
			 struct sieve_action *act);
	/* on_extract - node (header, address, exists...) is about to read
	 * header fields: adjust what it reads (:index, :mime) */
	int (*on_extract)(struct sieve_run *run,
			  const struct sieve_node *node,
			  const struct sieve_tagval *tv,
			  struct sieve_extract *ex);
};

struct sieve_match;

enum sieve_match_flag {
	SIEVE_MATCH_F_SUBSTRING = 0x01,	/* needs a comparator with
					   SIEVE_CMP_F_SUBSTRING */
	SIEVE_MATCH_F_ORDER = 0x02,	/* needs SIEVE_CMP_F_ORDER */
};

/* A match type (":is", ":contains", ":value \"gt\""). */
struct sieve_match_def {
	const char *name;		/* without ':' */
	unsigned char n_params;
	unsigned char params[SIEVE_TAG_MAX_PARAMS];
	unsigned flags;			/* enum sieve_match_flag */
	int (*validate)(struct sieve_valctx *v, struct sieve_node *node,
			struct sieve_tagval *tv);
	/* key_match - does value match key (key number i)? 1, 0, or -1
	 * (runtime error). Called for each key until one matches. */
	int (*key_match)(struct sieve_match *m, const char *v, size_t vlen,
			 const struct sieve_str *key, size_t i);
	/* value - when set, replaces the per-key loop for each value
	 * (:count counts); returns 1 to stop early, 0, -1 */
	int (*value)(struct sieve_match *m, const char *v, size_t vlen);
	/* end - the verdict when set (:count compares m->count), else
	 * whether any value matched; 1, 0, -1 */
	int (*end)(struct sieve_match *m);
};

enum sieve_cmp_flag {
	SIEVE_CMP_F_SUBSTRING = 0x01,	/* :contains and :matches allowed */
	SIEVE_CMP_F_ORDER = 0x02,	/* ordering (relational) allowed */
	SIEVE_CMP_F_UTF8 = 0x04,	/* "?" matches one UTF-8 character
					   after fold */
};

/* A comparator (RFC 4790): "i;octet". */
struct sieve_comparator_def {
	const char *name;
	unsigned flags;			/* enum sieve_cmp_flag */
	/* compare - equality and ordering: <0, 0, >0 */
	int (*compare)(const char *a, size_t alen, const char *b,
		       size_t blen);
	/* substring operations compare folded text octet by octet when
	 * fold is set, else character by character with char_eq (NULL:
	 * octets) */
	int (*char_eq)(unsigned char a, unsigned char b);
	void (*fold)(const char *in, size_t len, struct buf *out);
};

/* An address part (":localpart"). */
struct sieve_addrpart_def {
	const char *name;		/* without ':' */
	/* extract - a's part: 1 with *out set, 0 when a has none (the
	 * address then matches nothing) */
	int (*extract)(struct sieve_run *run, const struct address *a,
		       struct sieve_str *out);
};

enum sieve_action_flag {
	SIEVE_ACTF_CANCELS_KEEP = 0x01,	/* cancels the implicit keep unless
					   act->copy (fileinto, redirect,
					   discard, reject) */
	SIEVE_ACTF_STORES = 0x02,	/* stores the message (keep,
					   fileinto) */
	SIEVE_ACTF_SENDS = 0x04,	/* sends mail (redirect, vacation,
					   notify, reject) */
	SIEVE_ACTF_SIDE_EFFECT = 0x08,	/* bookkeeping for the caller
					   (duplicate marks its id): not in
					   the JSON result, not counted
					   against sieve_max_actions */
};

/* An action kind: how it collapses with repeats and conflicts. */
struct sieve_action_def {
	const char *name;		/* the JSON "action" */
	enum sieve_action_kind kind;
	unsigned flags;			/* enum sieve_action_flag */
	/* duplicate - 1 if b repeats a (b is dropped, a may absorb it:
	 * flags merged, copy cleared); NULL: never */
	int (*duplicate)(struct sieve_action *a, const struct sieve_action *b);
	/* conflict - error text (from pool) when b cannot be performed
	 * with the earlier a, else NULL; asked both ways round (a->def's
	 * and b->def's) */
	const char *(*conflict)(struct pool *pool, const struct sieve_action *a,
				const struct sieve_action *b);
	/* json - append the fields after "action" (",\"reason\":..."); NULL:
	 * the generic printer of sieve-json.c for kind */
	void (*json)(struct buf *out, const struct sieve_action *a);
};

/* the core's actions (sieve-result.c) */
extern const struct sieve_action_def sieve_act_keep;
extern const struct sieve_action_def sieve_act_fileinto;
extern const struct sieve_action_def sieve_act_redirect;
extern const struct sieve_action_def sieve_act_discard;

enum sieve_ext_flag {
	SIEVE_EXT_F_IMPLICIT = 0x01,	/* always loaded (the core language,
					   comparator-i;octet); require of it
					   is allowed and does nothing */
	SIEVE_EXT_F_MATCH_VALUES = 0x02, /* wants :matches to record match
					    values (variables) */
	SIEVE_EXT_F_NOT_DEFAULT = 0x04,	/* known but off unless enabled
					   (-x +name / sieve_extensions) */
};

struct sieve_extension {
	const char *name;		/* as in require ("fileinto") */
	unsigned flags;			/* enum sieve_ext_flag */
	const char *const *implies;	/* extensions loaded with it
					   (NULL-ended) */
	const struct sieve_cmd_def *const *commands;	/* and tests */
	const struct sieve_tag_def *const *tags;	/* on others'
							   commands */
	const struct sieve_match_def *const *match_types;
	const struct sieve_comparator_def *const *comparators;
	const struct sieve_addrpart_def *const *address_parts;

	/* available - when set, the extension is in the default set only
	 * if this says 1 for the engine's config (cfg may be NULL), as
	 * Pigeonhole offers spamtest only when it is configured */
	int (*available)(const struct config *cfg);
	/* load - the script requires it (once per script); 0 or -1 */
	int (*load)(struct sieve_valctx *v, const struct sieve_extension *ext);
	/* validate_end - the whole script is validated; 0 or -1 */
	int (*validate_end)(struct sieve_valctx *v,
			    const struct sieve_extension *ext);
	/* validate_string - every string literal of a script that loaded
	 * the extension (encoded-character already applied); may set
	 * s->flags SIEVE_STR_DYNAMIC and s->compiled; 0 or -1 */
	int (*validate_string)(struct sieve_valctx *v,
			       const struct sieve_extension *ext,
			       struct sieve_string *s);
	/* expand_string - a SIEVE_STR_DYNAMIC string at run time: append
	 * its value to out; 0 or SIEVE_EXEC_ERROR */
	int (*expand_string)(struct sieve_run *run,
			     const struct sieve_extension *ext,
			     const struct sieve_string *s, struct buf *out);
	/* run_start - an execution of a script that loaded it begins */
	int (*run_start)(struct sieve_run *run,
			 const struct sieve_extension *ext);
	/* on_action - any action is being added (also the implicit keep,
	 * with node NULL, at the end of each execution): imap4flags
	 * attaches its internal flags to keep/fileinto without :flags */
	int (*on_action)(struct sieve_run *run,
			 const struct sieve_extension *ext,
			 const struct sieve_node *node,
			 struct sieve_action *act);
};

/* the registry: every built-in extension (sieve-ext-list.h) */
#define SIEVE_EXT(id) extern const struct sieve_extension sieve_ext_##id;
#include "sieve/sieve-ext-list.h"
#undef SIEVE_EXT

/* sieve_ext_find - an extension the engine has enabled, by name */
const struct sieve_extension *sieve_ext_find(const struct sieve_engine *e,
					     const char *name);
/* sieve_ext_registered - every built-in extension, NULL-ended */
extern const struct sieve_extension *const sieve_ext_all[];

/* ------------------------------------------------------------------ */
/* validation                                                          */

/* sieve_valctx_error - "SCRIPT:LINE:COL: text" into the diagnostics */
void sieve_valctx_error(struct sieve_valctx *v, unsigned line, unsigned col,
			const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
void sieve_valctx_warning(struct sieve_valctx *v, unsigned line,
			  unsigned col, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
struct pool *sieve_valctx_pool(struct sieve_valctx *v);
struct sieve_engine *sieve_valctx_engine(struct sieve_valctx *v);
const struct config *sieve_valctx_config(struct sieve_valctx *v);
const char *sieve_valctx_script_name(struct sieve_valctx *v);
/* sieve_valctx_require - load the extension named name as require
 * does (errors at line:col); 0 or -1 */
int sieve_valctx_require(struct sieve_valctx *v, const char *name,
			 unsigned line, unsigned col);
/* sieve_valctx_require_line - the line of the require that loaded ext
 * (0 if it is not loaded) */
unsigned sieve_valctx_require_line(struct sieve_valctx *v,
				   const struct sieve_extension *ext);
/* sieve_valctx_loaded - whether ext is loaded in this script */
int sieve_valctx_loaded(struct sieve_valctx *v,
			const struct sieve_extension *ext);
/* sieve_valctx_ext_slot - the extension's per-script state (NULL at
 * first); it stays with the compiled script: sieve_run_script_ext */
void **sieve_valctx_ext_slot(struct sieve_valctx *v,
			     const struct sieve_extension *ext);
/* sieve_valctx_compile_sub - compile another script (include) with the
 * same engine, pool and diagnostics, refusing nesting deeper than
 * SIEVE_MAX_INCLUDE_DEPTH and cycles; NULL on error (diags or err) */
struct sieve_script *sieve_valctx_compile_sub(struct sieve_valctx *v,
					      const char *path,
					      const char *name,
					      struct sl_err *err);

/* sieve_string_is_constant - no expansion happens at run time */
static inline int sieve_string_is_constant(const struct sieve_string *s)
{
	return (s->flags & SIEVE_STR_DYNAMIC) == 0;
}
/* sieve_arg_is_constant - every string of a (string/list) is constant */
int sieve_arg_is_constant(const struct sieve_arg *a);
/* sieve_node_tag - node's tag of definition def, or NULL */
const struct sieve_tagval *sieve_node_tag(const struct sieve_node *node,
					  const struct sieve_tag_def *def);

/* ------------------------------------------------------------------ */
/* execution                                                           */

struct pool *sieve_run_pool(struct sieve_run *run);	/* freed with the
							   caller's pool */
const struct sieve_message *sieve_run_message(struct sieve_run *run);
const struct sieve_env *sieve_run_env(struct sieve_run *run); /* never
								 NULL */
const struct sieve_host *sieve_run_host(struct sieve_run *run); /* never
								   NULL */
const struct config *sieve_run_config(struct sieve_run *run); /* may be
								 NULL */
struct sieve_result *sieve_run_result(struct sieve_run *run);
const struct sieve_script *sieve_run_script(struct sieve_run *run);

/* sieve_run_ext_get/set - the extension's per-run state */
void *sieve_run_ext_get(struct sieve_run *run,
			const struct sieve_extension *ext);
void sieve_run_ext_set(struct sieve_run *run,
		       const struct sieve_extension *ext, void *state);
/* sieve_run_script_ext - the per-script state validation left in
 * sieve_valctx_ext_slot, for the executing script */
void *sieve_run_script_ext(struct sieve_run *run,
			   const struct sieve_extension *ext);

/* Arguments. Strings pass the expansion hook when dynamic; constant
 * strings come back without copying. 0 or SIEVE_EXEC_ERROR. */
int sieve_run_str(struct sieve_run *run, const struct sieve_string *s,
		  struct sieve_str *out);
/* sieve_run_arg_str - the (first) string of a */
int sieve_run_arg_str(struct sieve_run *run, const struct sieve_arg *a,
		      struct sieve_str *out);
/* sieve_run_arg_list - every string of a, in a run-pool array */
int sieve_run_arg_list(struct sieve_run *run, const struct sieve_arg *a,
		       struct sieve_str **items_r, size_t *n_r);
/* sieve_run_cstr - s as a NUL-terminated run-pool string */
const char *sieve_run_cstr(struct sieve_run *run, const struct sieve_str *s);

/* Control. */
/* sieve_run_block - execute the commands from first on; returns the
 * status that ended the block (OK at its end, STOP, BREAK, RETURN,
 * ERROR) */
int sieve_run_block(struct sieve_run *run, const struct sieve_node *first);
/* sieve_run_test - evaluate a test (traced): 1, 0 or SIEVE_EXEC_ERROR */
int sieve_run_test(struct sieve_run *run, const struct sieve_node *test);
/* sieve_run_include - execute another compiled script within this run
 * (include, RFC 6609); returns its status with RETURN turned into OK */
int sieve_run_include(struct sieve_run *run, const struct sieve_script *s);
/* sieve_run_error - a runtime error at node: recorded, returns
 * SIEVE_EXEC_ERROR for tail calls */
int sieve_run_error(struct sieve_run *run, const struct sieve_node *node,
		    const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* sieve_run_temp_error - the same for a temporary failure (spool read,
 * host callback): the delivery is retried */
int sieve_run_temp_error(struct sieve_run *run, const struct sieve_node *node,
			 const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* sieve_run_tracing - whether -t trace is on (skip building text) */
int sieve_run_tracing(const struct sieve_run *run);
/* sieve_run_trace - one trace line at node's line and depth */
void sieve_run_trace(struct sieve_run *run, const struct sieve_node *node,
		     const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Actions. */
/* sieve_action_new - a zeroed action of def, from the run pool */
struct sieve_action *sieve_action_new(struct sieve_run *run,
				      const struct sieve_action_def *def);
/* sieve_run_add_action - node (may be NULL) performs act: its tags'
 * on_action hooks and the loaded extensions' on_action hooks run, the
 * limits (sieve_max_actions, sieve_max_redirects) and conflicts are
 * checked, a duplicate collapses into the earlier action. 0 or
 * SIEVE_EXEC_ERROR (sieve_run_error already called). */
int sieve_run_add_action(struct sieve_run *run, const struct sieve_node *node,
			 struct sieve_action *act);
/* sieve_action_set_flags - copy, sort and deduplicate flags (IMAP flag
 * names, as given) into act */
void sieve_action_set_flags(struct sieve_run *run, struct sieve_action *act,
			    const char *const *flags, size_t n);

/* Matching: for a test with SIEVE_CMD_F_MATCH,
 *     sieve_match_begin(&m, run, node, keys);
 *     for each value: r = sieve_match_value(&m, v, len); stop if r != 0
 *     r = sieve_match_end(&m);      1 true, 0 false, SIEVE_EXEC_ERROR
 * A successful :matches records the match values (${0}..) when a loaded
 * extension asked for them. */
struct sieve_match {
	struct sieve_run *run;
	const struct sieve_node *node;
	const struct sieve_match_def *def;
	const struct sieve_comparator_def *cmp;
	const struct sieve_tagval *tag;	/* match type tag and params, or
					   NULL for the default :is */
	struct sieve_str *keys;		/* expanded */
	size_t n_keys;
	uint64_t count;			/* values seen */
	int matched;			/* a value matched */
	int error;
	void *state;			/* the match type's own */
};
int sieve_match_begin(struct sieve_match *m, struct sieve_run *run,
		      const struct sieve_node *node, const struct sieve_arg *keys);
int sieve_match_value(struct sieve_match *m, const char *v, size_t len);
int sieve_match_end(struct sieve_match *m);
/* sieve_match_string - one value against one key with node's comparator
 * and the plain match types (:is :contains :matches) semantics, for
 * extensions that match outside a header (string test): 1, 0, -1 */
int sieve_match_key(struct sieve_match *m, const char *v, size_t vlen,
		    const struct sieve_str *key);

/* match values (RFC 5229 3.2) */
void sieve_run_set_match_values(struct sieve_run *run,
				const struct sieve_str *vals, size_t n);
/* sieve_run_match_value - ${i}: 1 with *out set, 0 when unset ("") */
int sieve_run_match_value(struct sieve_run *run, size_t i,
			  struct sieve_str *out);
/* sieve_run_wants_match_values - a loaded extension asked for them */
int sieve_run_wants_match_values(const struct sieve_run *run);

/* The message. The top-level header is a view the run owns (editheader
 * edits it; later tests see the edits); parts' headers come from the
 * parsed message. */
struct sieve_hdr {
	const char *name;	/* as written */
	const char *value;	/* unfolded, raw (not RFC 2047 decoded) */
	size_t value_len;
	uint32_t hash;		/* sieve_hname_hash of the lowercased name */
};

/* a header name prepared for lookups (lowercased, hashed) */
struct sieve_hname {
	const char *lc;
	size_t len;
	uint32_t hash;
};
/* sieve_hname_init - prepare name (from pool: validation or run) */
void sieve_hname_init(struct sieve_hname *h, struct pool *pool,
		      const char *name, size_t len);
uint32_t sieve_hname_hash(const char *name, size_t len); /* ASCII case-
							   insensitive */

/* What a header-reading test reads; the tags' on_extract hooks adjust
 * it before the fields are read. */
struct sieve_extract {
	const struct msg_part *part;	/* NULL: the top-level message (with
					   editheader's edits) */
	int any_child;		/* part and every part below it */
	unsigned index;		/* :index N (1-based), 0: every field */
	int last;		/* :last: index counts from the end */
	/* transform - replaces the value read from field h of part (ext
	 * mime :type/:param): call emit for each value, return its first
	 * nonzero result or 0 */
	int (*transform)(struct sieve_run *run, void *ctx,
			 const struct msg_part *part, const struct sieve_hdr *h,
			 int (*emit)(void *ectx, const char *v, size_t len),
			 void *ectx);
	void *transform_ctx;
};

typedef int sieve_value_fn(void *ctx, const char *v, size_t len);
typedef int sieve_address_fn(void *ctx, const struct address *a);

/* sieve_msg_header_values - fn for each field named name, as node's
 * tags direct (:index, :mime), value unfolded and, with decode, RFC 2047
 * decoded (RFC 5228 2.7.2) with leading and trailing white space
 * removed. Returns fn's first nonzero result (1: stop, -1: error) or
 * 0. node may be NULL (no tags). */
int sieve_msg_header_values(struct sieve_run *run,
			    const struct sieve_node *node,
			    const struct sieve_hname *name, int decode,
			    sieve_value_fn *fn, void *ctx);
/* sieve_msg_headers_values - the same for a list of names: the fields
 * of the first name, then of the second... (:index counts over all of
 * them in that order, RFC 5260 6) */
int sieve_msg_headers_values(struct sieve_run *run,
			     const struct sieve_node *node,
			     const struct sieve_hname *names, size_t n_names,
			     int decode, sieve_value_fn *fn, void *ctx);
/* sieve_msg_header_addresses - fn for each address in the fields named
 * name (RFC 5228 5.1: group names and invalid addresses as Pigeonhole
 * treats them) */
int sieve_msg_header_addresses(struct sieve_run *run,
			       const struct sieve_node *node,
			       const struct sieve_hname *name,
			       sieve_address_fn *fn, void *ctx);
int sieve_msg_headers_addresses(struct sieve_run *run,
				const struct sieve_node *node,
				const struct sieve_hname *names, size_t n_names,
				sieve_address_fn *fn, void *ctx);
/* sieve_addrpart_get - node's address part of a: 1 with *out, 0 none */
int sieve_addrpart_get(struct sieve_run *run, const struct sieve_node *node,
		       const struct address *a, struct sieve_str *out);
/* sieve_run_parse_address - one envelope-style address ("" for <>):
 * the parsed address, or NULL when it does not parse */
const struct address *sieve_run_parse_address(struct sieve_run *run,
					      const char *addr);

/* the top-level header view (editheader) */
size_t sieve_msg_header_count(struct sieve_run *run);
const struct sieve_hdr *sieve_msg_header_at(struct sieve_run *run, size_t i);
/* sieve_msg_header_insert - add a field at the top (at_end: bottom) */
void sieve_msg_header_insert(struct sieve_run *run, int at_end,
			     const char *name, const char *value,
			     size_t value_len);
/* sieve_msg_header_remove - delete the i-th field of the view */
void sieve_msg_header_remove(struct sieve_run *run, size_t i);

/* the part body tests look at (foreverypart sets it; NULL: the root) */
const struct msg_part *sieve_run_part(struct sieve_run *run);
void sieve_run_set_part(struct sieve_run *run, const struct msg_part *part);

#endif
