/* sieve-private - what the engine's own stages share (not for
 * extensions: they use sieve-ext.h) */
#ifndef SLUICE_SIEVE_PRIVATE_H
#define SLUICE_SIEVE_PRIVATE_H

#include <stdarg.h>

#include "sieve/sieve-ext.h"

enum sieve_extension_index {
#define SIEVE_EXT(id) SIEVE_EXT_IDX_##id,
#include "sieve/sieve-ext-list.h"
#undef SIEVE_EXT
	SIEVE_EXT_COUNT
};

struct sieve_limits {
	uint64_t max_script_size;
	unsigned max_actions;
	unsigned max_redirects;
};

/* the registry index: every name an extension defines, hashed, so the
 * validator resolves a name with one probe instead of a scan */
enum sieve_reg_kind {
	SIEVE_REG_CMD,
	SIEVE_REG_TAG,		/* extension tags for others' commands */
	SIEVE_REG_MATCH,
	SIEVE_REG_CMP,		/* names compared case-insensitively */
	SIEVE_REG_ADDRPART,
};

struct sieve_reg_entry {
	const char *name;
	const void *def;
	uint32_t hash;		/* sieve_hname_hash (case-insensitive) */
	unsigned char kind;	/* enum sieve_reg_kind */
	unsigned char ext;	/* index in sieve_ext_all */
};

#define SIEVE_REG_SLOTS 2048	/* power of two, > 2 x the entries */

struct sieve_engine {
	const struct config *cfg;
	struct sieve_limits limits;
	unsigned char enabled[SIEVE_EXT_COUNT];
	struct sieve_reg_entry *reg;
	size_t n_reg;
	unsigned short slots[SIEVE_REG_SLOTS];	/* entry index + 1 */
};

/* sieve_reg_next - the next entry of kind named name after *pos
 * (start with *pos = -1 ... see sieve-ext.c); NULL at the end */
const struct sieve_reg_entry *sieve_reg_next(const struct sieve_engine *e,
					     unsigned kind, const char *name,
					     uint32_t hash, size_t *pos);
/* sieve_reg_start - the probe position for hash */
size_t sieve_reg_start(uint32_t hash);

/* sieve_extension_index - ext's place in sieve_ext_all, or -1 */
int sieve_extension_index(const struct sieve_extension *ext);
/* sieve_extension_lookup - any built-in extension by require name (enabled or
 * not), or NULL */
const struct sieve_extension *sieve_extension_lookup(const char *name);

struct sieve_script {
	const char *name;
	const char *path;		/* file it came from, or NULL */
	struct sieve_engine *engine;
	struct sieve_node *first;
	unsigned char loaded[SIEVE_EXT_COUNT];
	unsigned char order[SIEVE_EXT_COUNT];	/* indices, load order */
	unsigned require_line[SIEVE_EXT_COUNT];	/* where it was required */
	unsigned n_loaded;
	void *ext_state[SIEVE_EXT_COUNT];
	const struct sieve_extension *expander;	/* has expand_string */
	int want_match_values;
};

/* ---- diagnostics (sieve.c) ---- */
void sieve_diag_add(struct sieve_diags *d, const char *file, unsigned line,
		    unsigned col, int warning, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));
void sieve_diag_vadd(struct sieve_diags *d, const char *file, unsigned line,
		     unsigned col, int warning, const char *fmt, va_list ap)
	__attribute__((format(printf, 6, 0)));

/* ---- validator (sieve-validator.c) ---- */
/* sieve_validate - resolve and check the tree of script (parent: the
 * including validation, or NULL); 0 or -1 (errors in diags) */
int sieve_validate(struct sieve_engine *e, struct pool *pool,
		   struct sieve_script *script, struct sieve_diags *diags,
		   struct sieve_valctx *parent);
/* sieve_compile_data - parse + validate (sieve.c; used by compile_sub) */
struct sieve_script *sieve_compile_data(struct sieve_engine *e,
					struct pool *pool, const char *name,
					const char *path, const char *data,
					size_t len, struct sieve_diags *diags,
					struct sieve_valctx *parent,
					struct sl_err *err);
/* sieve_read_script - read path (at most max bytes) into pool */
int sieve_read_script(struct pool *pool, const char *path, uint64_t max,
		      char **data_r, size_t *len_r, struct sl_err *err);

/* sieve_ast_describe - a test or command on one line (trace) */
void sieve_ast_describe(struct buf *out, const struct sieve_node *n);

/* ---- result (sieve-result.c) ---- */
/* sieve_result_add - append act (duplicates collapsed, conflicts and
 * limits checked); 0, or -1 with *error_r (from the result's pool) */
int sieve_result_add(struct sieve_result *r, struct sieve_action *act,
		     const struct sieve_limits *lim, const char **error_r);
/* sieve_result_set_error - a runtime error: only the implicit keep */
void sieve_result_set_error(struct sieve_result *r, const char *text);
/* sieve_result_set_implicit_keep - the keep performed if not cancelled */
void sieve_result_set_implicit_keep(struct sieve_result *r,
				    struct sieve_action *keep);
void sieve_result_set_headers(struct sieve_result *r,
			      struct sieve_header_out *h, size_t n);
struct pool *sieve_result_pool(struct sieve_result *r);

/* ---- message view (sieve-message.c) ---- */
struct sieve_hdr_ent {
	struct sieve_hdr h;
	const struct msg_header *orig;	/* the message's field; NULL when
					   editheader added it */
	const char *dec;		/* decoded and trimmed, lazily */
	size_t dec_len;
	const char *trim;		/* raw value, trailing white space
					   removed */
	size_t trim_len;
};
void sieve_msg_view_export(struct sieve_run *run);

/* ---- matching (sieve-match.c) ---- */
/* sieve_matches_glob - RFC 5228 2.7.1 :matches of value against
 * pattern with char_eq (NULL: octets); captures (if not NULL) get the
 * wildcards' texts (up to max_caps, [0] the whole value); *steps is the
 * work budget (SIEVE_MAX_MATCH_STEPS), decremented. 1, 0, or -1 when the
 * budget ran out */
int sieve_matches_glob(const char *v, size_t vlen, const char *p, size_t plen,
		       int (*char_eq)(unsigned char, unsigned char), int utf8,
		       struct sieve_str *caps, size_t max_caps, size_t *n_caps,
		       uint64_t *steps);

/* ---- interpreter state (sieve-interp.c) ---- */
struct sieve_run {
	struct pool *pool;
	struct sieve_engine *engine;
	const struct sieve_exec_params *params;
	const struct sieve_message *msg;
	struct sieve_env env;
	struct sieve_host host;
	struct sieve_result *result;
	const struct sieve_script *script;	/* executing */
	void *ext_state[SIEVE_EXT_COUNT];
	unsigned depth;
	unsigned include_depth;
	/* the top-level header view */
	struct sieve_hdr_ent *hdrs;
	size_t n_hdrs, cap_hdrs;
	int hdrs_built, hdrs_edited;
	const struct msg_part *part;
	/* match values */
	struct sieve_str *mvals;
	size_t n_mvals;
	int want_mvals;
	uint64_t match_steps;		/* budget left for this run */
	unsigned char used[SIEVE_EXT_COUNT];	/* loaded by any script run */
	/* parsed address lists of header values seen (the values are
	 * stable for the run), most recent last */
	struct {
		const char *v;
		size_t len;
		const struct address *list;
	} acache[8];
	unsigned n_acache;
	/* errors */
	int failed;
	enum err_class err_cls;
	const char *err_text;
};

/* the core's extension pieces (sieve-core.c, cmd-*.c, tst-*.c) */
extern const struct sieve_cmd_def sieve_cmd_require;
extern const struct sieve_cmd_def sieve_cmd_if;
extern const struct sieve_cmd_def sieve_cmd_elsif;
extern const struct sieve_cmd_def sieve_cmd_else;
extern const struct sieve_cmd_def sieve_cmd_stop;
extern const struct sieve_cmd_def sieve_cmd_keep;
extern const struct sieve_cmd_def sieve_cmd_discard;
extern const struct sieve_cmd_def sieve_cmd_redirect;
extern const struct sieve_cmd_def sieve_tst_address;
extern const struct sieve_cmd_def sieve_tst_allof;
extern const struct sieve_cmd_def sieve_tst_anyof;
extern const struct sieve_cmd_def sieve_tst_exists;
extern const struct sieve_cmd_def sieve_tst_false;
extern const struct sieve_cmd_def sieve_tst_header;
extern const struct sieve_cmd_def sieve_tst_not;
extern const struct sieve_cmd_def sieve_tst_size;
extern const struct sieve_cmd_def sieve_tst_true;
extern const struct sieve_match_def sieve_mcht_is;
extern const struct sieve_match_def sieve_mcht_contains;
extern const struct sieve_match_def sieve_mcht_matches;
extern const struct sieve_comparator_def sieve_cmp_octet;
extern const struct sieve_comparator_def sieve_cmp_ascii_casemap;
extern const struct sieve_addrpart_def sieve_addrpart_all;
extern const struct sieve_addrpart_def sieve_addrpart_localpart;
extern const struct sieve_addrpart_def sieve_addrpart_domain;
/* the :comparator tag (a core tag every matching test takes) */
extern const struct sieve_tag_def sieve_tag_comparator;

/* sieve_encoded_character - RFC 5228 2.4.2.4 on s (in place, pool):
 * 0, or -1 with an error reported through v */
int sieve_encoded_character(struct sieve_valctx *v, struct sieve_string *s);

/* sieve_address_valid_redirect - whether text is one address usable
 * for redirect (RFC 5228 4.2: an addr-spec, or "Name <addr-spec>"): 1
 * with the addr-spec in *addr_r (pool), or 0 with *why_r saying why */
int sieve_address_valid_redirect(struct pool *pool, const char *text,
				 size_t len, const char **addr_r,
				 const char **why_r);
/* sieve_address_header_allowed - RFC 5228 5.1: the address test's
 * headers (Pigeonhole's list) */
int sieve_address_header_allowed(const char *name, size_t len);
/* sieve_header_name_valid - RFC 5322 field-name */
int sieve_header_name_valid(const char *name, size_t len);

#endif
