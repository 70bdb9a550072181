/* sieve - the Sieve engine's public face (RFC 5228 and extensions).
 *
 * Three steps, as Pigeonhole's visible pipeline:
 *
 *   engine  = sieve_engine_new(cfg, "-x" list)      once per process
 *   script  = sieve_compile_file(engine, pool, path, &diags)
 *             (lexer -> parser -> AST -> validator: a compact validated
 *             tree, every name resolved to a pointer)
 *   result  = sieve_result_new(pool); sieve_execute(script, &params,
 *             result); sieve_result_finish(result)
 *
 * A script never touches storage or sends mail: execution fills a result,
 * the ordered list of actions (struct sieve_action) the caller (core/ at
 * delivery, tools/ for `sluice sieve test`) carries out. Several scripts
 * (sieve_before, the user's, sieve_after) may execute into one result
 * before it is finished. Everything a compile or run allocates comes from
 * the caller's pool; the engine itself is read-only after creation and
 * may be shared.
 *
 * Errors: compile errors are a list of diagnostics "FILE:LINE:COL:
 * message"; a runtime error (an action conflict such as reject with
 * fileinto, a limit hit) makes sieve_execute return -1, and the result
 * then holds only the implicit keep (the message is never lost).
 */
#ifndef SLUICE_SIEVE_H
#define SLUICE_SIEVE_H

#include <stddef.h>
#include <stdint.h>

#include "lib/err.h"
#include "lib/message.h"
#include "lib/pool.h"
#include "lib/spool.h"

struct config;
struct sieve_engine;
struct sieve_script;
struct sieve_result;

/* ---- diagnostics ---- */

struct sieve_diag {
	struct sieve_diag *next;
	const char *file;	/* script name as given (path or "-") */
	unsigned line, col;	/* 1-based; 0 when not tied to a place */
	int warning;		/* 1: a warning, the script still compiles */
	const char *message;	/* "unknown command 'foo'" */
	const char *text;	/* "FILE:LINE:COL: message" (FILE:LINE: when
				   col is 0, FILE: when line is 0) */
};

struct sieve_diags {
	struct sieve_diag *first, *last;
	unsigned n_errors, n_warnings;
	struct pool *pool;	/* where diagnostics are allocated */
};

/* sieve_diags_init - an empty list allocating from pool */
void sieve_diags_init(struct sieve_diags *d, struct pool *pool);
/* sieve_diags_first_error - the first error (not warning), or NULL */
const struct sieve_diag *sieve_diags_first_error(const struct sieve_diags *d);

/* ---- engine ---- */

/* sieve_engine_new - the registry of every built-in extension, with the
 * set enabled by extensions (NULL: all). extensions is Pigeonhole's
 * sieve_extensions syntax: either a space-separated list of names
 * ("fileinto reject") replacing the default set, or "+name"/"-name"
 * items adding to / removing from it. cfg (may be NULL: defaults) gives
 * the limits (sieve_max_*) and extension settings; it must outlive the
 * engine. Returns NULL with err set (ERR_USAGE) for an unknown name. */
struct sieve_engine *sieve_engine_new(const struct config *cfg,
				      const char *extensions,
				      struct sl_err *err);
void sieve_engine_free(struct sieve_engine **ep);
/* sieve_engine_config - the config given at creation (may be NULL) */
const struct config *sieve_engine_config(const struct sieve_engine *e);
/* sieve_engine_capabilities - the enabled extensions' names,
 * space-separated (the SIEVE capability string), from pool */
const char *sieve_engine_capabilities(const struct sieve_engine *e,
				      struct pool *pool);

/* ---- compile ---- */

/* sieve_compile_file - read (at most sieve_max_script_size bytes) and
 * compile the script at path. name is what diagnostics call the script
 * (NULL: path). Returns the validated script (allocated from pool, valid
 * as long as pool) or NULL: compile errors are in diags (err says
 * "validation failed", class ERR_PERM); an unreadable file is ERR_TEMP
 * or ERR_NOTFOUND in err with no diagnostic. Warnings may be added to
 * diags also on success. */
struct sieve_script *sieve_compile_file(struct sieve_engine *e,
					struct pool *pool, const char *path,
					const char *name,
					struct sieve_diags *diags,
					struct sl_err *err);
/* sieve_compile_buffer - the same for a script held in memory */
struct sieve_script *sieve_compile_buffer(struct sieve_engine *e,
					  struct pool *pool, const char *name,
					  const char *data, size_t len,
					  struct sieve_diags *diags,
					  struct sl_err *err);

/* sieve_script_name - the name diagnostics use */
const char *sieve_script_name(const struct sieve_script *s);
/* sieve_script_extensions - the extensions the script requires
 * (explicitly or implied), space-separated, in require order, from pool
 * (for `sluice sieve check`) */
const char *sieve_script_extensions(const struct sieve_script *s,
				    struct pool *pool);

/* ---- the message and its environment ---- */

/* What the caller knows about the message and its envelope. Strings are
 * NUL-terminated; NULL means unknown/absent. */
struct sieve_message {
	const struct message *msg;	/* parsed headers and MIME tree */
	struct spool *spool;	/* the bytes, for body tests */
	uint64_t skip;		/* bytes before the message proper in the
				   spool (an mbox From_ line) */
	uint64_t size;		/* RFC 5228 5.9: the message size */
	const char *env_from;	/* envelope sender; "" for <> */
	const char *env_to;	/* envelope recipient */
	const char *orig_to;	/* original recipient (-a / ORCPT) */
	const char *auth;	/* authenticated sender, or NULL */
	const char *id;		/* Message-ID for duplicate, or NULL */
};

/* The environment (RFC 5183 names); NULL members are unknown. */
struct sieve_env {
	const char *domain;	/* "domain" */
	const char *host;	/* "host" */
	const char *location;	/* "MDA", "MTA", "MS", "MUA" */
	const char *phase;	/* "pre", "during", "post" */
	const char *remote_host, *remote_ip;
	const char *name;	/* "sluice" */
	const char *version;	/* PACKAGE_VERSION */
};

/* What the caller answers at run time; any member may be NULL (the
 * default then is the dry-run answer given with each). */
struct sieve_host {
	void *ctx;
	/* mailbox_exists - 1 if the folder exists, 0 if not, -1 with err
	 * (mailboxexists, RFC 5490; fileinto :create). Default: 0 */
	int (*mailbox_exists)(void *ctx, const char *mailbox,
			      struct sl_err *err);
	/* special_use_exists - 1 if a folder has the special-use flag
	 * (RFC 8579). Default: 0 */
	int (*special_use_exists)(void *ctx, const char *mailbox,
				  const char *flag, struct sl_err *err);
	/* duplicate_check - 1 if id under handle was seen within period
	 * seconds (RFC 7352); marking happens when the caller carries out
	 * the result. Default: 0 */
	int (*duplicate_check)(void *ctx, const char *handle, const char *id,
			       uint64_t period, struct sl_err *err);
	/* metadata - a mailbox or server annotation, or NULL (RFC 5490);
	 * Default: NULL */
	const char *(*metadata)(void *ctx, struct pool *pool,
				const char *mailbox, const char *name);
};

/* trace (-t): one line per test evaluated and action taken, depth is
 * the block nesting ("header :contains "subject" "x" -> true") */
typedef void sieve_trace_fn(void *ctx, unsigned line, unsigned depth,
			    const char *text);

struct sieve_exec_params {
	const struct sieve_message *msg;
	const struct sieve_env *env;	/* NULL: all unknown */
	const struct sieve_host *host;	/* NULL: dry-run defaults */
	sieve_trace_fn *trace;		/* NULL: no trace */
	void *trace_ctx;
	int dry_run;	/* 1 for `sluice sieve test` (informational) */
};

/* ---- the result ---- */

/* The actions of RFC 5228 and the extensions of sieve-json.md. A kind
 * an extension adds beyond these uses SIEVE_ACT_OTHER with def->name. */
enum sieve_action_kind {
	SIEVE_ACT_KEEP,
	SIEVE_ACT_FILEINTO,
	SIEVE_ACT_REDIRECT,
	SIEVE_ACT_DISCARD,
	SIEVE_ACT_REJECT,	/* reject and ereject (extended = 1) */
	SIEVE_ACT_VACATION,
	SIEVE_ACT_NOTIFY,
	SIEVE_ACT_ADDHEADER,
	SIEVE_ACT_DELETEHEADER,
	SIEVE_ACT_OTHER,
};

struct sieve_action_def;	/* sieve-ext.h: name, duplicate/conflict
				   rules, JSON printer */

struct sieve_action {
	struct sieve_action *next;
	enum sieve_action_kind kind;
	const struct sieve_action_def *def;
	const char *script;	/* name of the script that took it */
	unsigned line;		/* where (0 for the implicit keep) */
	int implicit;		/* keep: the implicit keep */
	int copy;		/* :copy (RFC 3894): does not cancel the
				   implicit keep */
	int create;		/* fileinto :create (RFC 5490) */
	int extended;		/* reject: ereject */
	const char *mailbox;	/* fileinto: as written after expansion,
				   '/' separated; keep: NULL (INBOX) */
	const char *mailboxid;	/* fileinto :mailboxid (RFC 9042) */
	const char *special_use; /* fileinto :specialuse (RFC 8579) */
	const char *address;	/* redirect */
	const char **flags;	/* keep/fileinto (RFC 5232), sorted */
	size_t n_flags;
	const char *reason;	/* reject, vacation */
	/* vacation (RFC 5230/6131) */
	const char *to, *from, *subject, *handle;
	const char **addresses;	/* :addresses */
	size_t n_addresses;
	uint64_t seconds;
	int mime;		/* vacation :mime */
	/* notify (RFC 5435) */
	const char *method, *importance, *message;
	const char **options;
	size_t n_options;
	/* fcc (RFC 8580) on vacation/notify */
	const char *fcc;
	void *data;		/* extension's own fields (def knows) */
};

/* an edited header field (editheader): the stored copy's header */
struct sieve_header_out {
	const char *name;
	const char *value;	/* unfolded, as it will be stored */
	size_t value_len;
	/* the message's own field (its bytes are stored unchanged), or
	   NULL for a field editheader added */
	const struct msg_header *orig;
};

enum sieve_status {
	SIEVE_OK = 0,
	SIEVE_RUNTIME_ERROR,	/* result is the implicit keep only */
};

/* sieve_result_new - an empty result (the implicit keep pending) */
struct sieve_result *sieve_result_new(struct pool *pool);

/* sieve_execute - run script against params->msg, adding its actions to
 * result. Returns 0, or -1 with err set (ERR_PERM for a script's runtime
 * error, ERR_TEMP when the spool or a host callback failed temporarily)
 * and a diagnostic "FILE:LINE: message" in err->text; the result is then
 * in SIEVE_RUNTIME_ERROR state. */
int sieve_execute(const struct sieve_script *script,
		  const struct sieve_exec_params *params,
		  struct sieve_result *result, struct sl_err *err);

/* sieve_result_finish - reconcile (RFC 5228 2.10: duplicates collapsed
 * keeping the first place, the implicit keep appended unless cancelled,
 * conflicts checked); idempotent. Returns 0, or -1 with err set when the
 * actions conflict (the result then holds only the implicit keep). */
int sieve_result_finish(struct sieve_result *result, struct sl_err *err);

enum sieve_status sieve_result_status(const struct sieve_result *result);
/* sieve_result_actions - the first action (after finish: the final
 * list, in execution order, implicit keep last); follow ->next */
const struct sieve_action *sieve_result_actions(const struct sieve_result *r);
/* sieve_result_keep_cancelled - whether the implicit keep is cancelled */
int sieve_result_keep_cancelled(const struct sieve_result *r);
/* sieve_result_headers - the stored header when the script used
 * editheader (n in *n_r), else NULL */
const struct sieve_header_out *
sieve_result_headers(const struct sieve_result *r, size_t *n_r);
/* A point in a result to come back to: a script that fails after others
 * ran leaves their actions in place (as Pigeonhole, which has carried
 * them out by then) and only its own are dropped. */
struct sieve_result_mark {
	struct sieve_action *first, *last;
	unsigned n_actions, n_redirects;
	int keep_cancelled;
	struct sieve_action *implicit_keep;
};
void sieve_result_mark(const struct sieve_result *r,
		       struct sieve_result_mark *m);
/* sieve_result_rollback - back to m: later actions dropped, no error */
void sieve_result_rollback(struct sieve_result *r,
			   const struct sieve_result_mark *m);
/* sieve_result_error - the runtime error text, or NULL */
const char *sieve_result_error(const struct sieve_result *r);
/* sieve_action_name - "keep", "fileinto", ... (def->name) */
const char *sieve_action_name(const struct sieve_action *a);

/* ---- JSON (sieve-json.c): shared/sieve-json.md ---- */

struct buf;
/* sieve_json_result - {"status":"ok"|"runtime-error","actions":[..]} */
void sieve_json_result(struct buf *out, const struct sieve_result *r);
/* sieve_json_compile_error - {"status":"compile-error",...} */
void sieve_json_compile_error(struct buf *out, const struct sieve_diags *d);
/* sieve_json_string - s as a JSON string */
void sieve_json_string(struct buf *out, const char *s, size_t len);

#endif
