/* sieve-ast - the script as a tree: commands, tests and their arguments.
 *
 * The parser builds it (sieve_parse), the validator completes it: every
 * node gets its definition (def), its positional arguments in pos[], its
 * tagged arguments with their parameters in tags[], and for tests that
 * match the resolved match type, comparator and address part. The
 * interpreter then walks the tree without looking at a name again.
 * Everything is allocated from the compile pool and read-only at run
 * time (a compiled script may be executed by many runs).
 */
#ifndef SLUICE_SIEVE_AST_H
#define SLUICE_SIEVE_AST_H

#include <stddef.h>
#include <stdint.h>

#include "lib/pool.h"

struct sieve_cmd_def;
struct sieve_tag_def;
struct sieve_match_def;
struct sieve_comparator_def;
struct sieve_addrpart_def;
struct sieve_extension;
struct sieve_diags;

/* a string literal (one item of a string list) */
enum sieve_string_flag {
	SIEVE_STR_DYNAMIC = 0x01,	/* must pass the expansion hook at run
					   time (set by an extension's
					   validate_string, e.g. variables
					   for "${...}") */
};

struct sieve_string {
	const char *data;	/* NUL-terminated (may hold NULs from
				   encoded-character: use len) */
	size_t len;
	unsigned line, col;	/* where the literal starts */
	unsigned flags;		/* enum sieve_string_flag */
	const void *compiled;	/* the expansion hook's parsed form */
};

enum sieve_arg_kind {
	SIEVE_ARG_STRING,	/* one string: strs[0] */
	SIEVE_ARG_STRLIST,	/* [ "a", "b" ]: strs[0..n_strs) */
	SIEVE_ARG_NUMBER,	/* number (K/M/G applied) */
	SIEVE_ARG_TAG,		/* :name; tag holds "name" lowercased */
};

struct sieve_arg {
	struct sieve_arg *next;		/* in parse order */
	enum sieve_arg_kind kind;
	unsigned line, col;
	struct sieve_string *strs;	/* STRING (1) and STRLIST (n) */
	size_t n_strs;
	uint64_t number;		/* NUMBER */
	const char *tag;		/* TAG: without the ':' */
};

/* sieve_arg_is_strlist - a string list, or a single string standing for
 * one (RFC 5228 2.4.2.1; never the other way round) */
static inline int sieve_arg_is_strlist(const struct sieve_arg *a)
{
	return a->kind == SIEVE_ARG_STRING || a->kind == SIEVE_ARG_STRLIST;
}

/* the most parameters a tag takes (":comparator" 1, ":value" 1,
 * ":index" 1, ":days" 1...) */
#define SIEVE_TAG_MAX_PARAMS 2

/* a tagged argument as the validator resolved it */
struct sieve_tagval {
	const struct sieve_tag_def *def;
	const struct sieve_arg *tag;	/* the tag as written */
	const struct sieve_arg *param[SIEVE_TAG_MAX_PARAMS];
	unsigned n_params;
};

/* a command or a test */
struct sieve_node {
	struct sieve_node *next;	/* next command in the block, or
					   next test in a test list */
	const char *name;		/* identifier, lowercased */
	unsigned line, col;
	unsigned is_test : 1;		/* parsed where a test stands */
	unsigned has_block : 1;		/* "{ ... }" followed (may be empty) */
	unsigned test_list : 1;		/* tests given as "( ... )" */
	struct sieve_arg *args;		/* all arguments in parse order */
	unsigned n_args;
	struct sieve_node *tests;	/* the test (if, not) or test list
					   (allof, anyof): linked by next */
	unsigned n_tests;
	struct sieve_node *block;	/* first command of the block */
	struct sieve_node *parent;	/* enclosing command or test */

	/* filled by the validator */
	const struct sieve_cmd_def *def;
	const struct sieve_extension *ext;	/* def belongs to it */
	const struct sieve_arg **pos;		/* positional arguments */
	unsigned n_pos;
	struct sieve_tagval *tags;		/* tagged arguments */
	unsigned n_tags;
	const struct sieve_match_def *match;	/* SIEVE_CMD_F_MATCH:
						   default :is */
	const struct sieve_tagval *match_tag;	/* its tag and parameters
						   (NULL: the default) */
	const struct sieve_comparator_def *cmp;	/* default
						   i;ascii-casemap */
	const struct sieve_addrpart_def *addrpart; /* default :all */
	struct sieve_node *else_next;	/* if/elsif: the elsif or else
					   that follows, or NULL */
	unsigned depth;			/* block nesting */
	unsigned skip_block : 1;	/* set on an if/elsif by its test's
					   validate (ihave with a missing
					   extension): the block is parsed
					   but not validated; an unresolved
					   command there is a runtime error
					   if ever reached */
	void *data;			/* the command's own compiled form
					   (set by its validate) */
	const void *match_data;		/* the match type's compiled keys
					   (set by its validate; the key list
					   is always the last positional
					   argument) */
};

/* sieve_ast_new_node - a node allocated from pool, name copied and
 * lowercased */
struct sieve_node *sieve_ast_new_node(struct pool *pool, const char *name,
				      size_t name_len, unsigned line,
				      unsigned col);
/* sieve_ast_new_arg - an argument of kind, zeroed */
struct sieve_arg *sieve_ast_new_arg(struct pool *pool,
				    enum sieve_arg_kind kind, unsigned line,
				    unsigned col);
/* sieve_ast_dump - the tree as indented text, for tests and -t */
struct buf;
void sieve_ast_dump(struct buf *out, const struct sieve_node *first);

/* sieve_parse - tokens of data -> the list of top-level commands (NULL
 * for an empty script, also on error: then diags has the errors). name
 * is the script name for diagnostics. Block and test nesting are bounded
 * by sieve-limits.h. Returns 0 or -1. */
int sieve_parse(struct pool *pool, const char *name, const char *data,
		size_t len, struct sieve_diags *diags,
		struct sieve_node **first_r);

#endif
