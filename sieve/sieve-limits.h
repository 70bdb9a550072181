/* sieve-limits - every limit of the Sieve engine, in one place.
 *
 * Hard caps are compile-time constants; the ones a site may tune are
 * sluice.conf keys (Pigeonhole's names) whose values the engine clamps to
 * these caps. Where an RFC sets a minimum, it is cited.
 */
#ifndef SLUICE_SIEVE_LIMITS_H
#define SLUICE_SIEVE_LIMITS_H

#include <stdint.h>

/* script size: sieve_max_script_size (Pigeonhole's default 1M) */
#define SIEVE_DEFAULT_MAX_SCRIPT_SIZE (1024 * 1024)
#define SIEVE_MAX_SCRIPT_SIZE_CAP (64 * 1024 * 1024)

/* actions per run: sieve_max_actions (Pigeonhole: 32) */
#define SIEVE_DEFAULT_MAX_ACTIONS 32
#define SIEVE_MAX_ACTIONS_CAP 1024

/* redirects per run: sieve_max_redirects (Pigeonhole: 4; RFC 5228 4.2
 * asks implementations to limit redirects) */
#define SIEVE_DEFAULT_MAX_REDIRECTS 4
#define SIEVE_MAX_REDIRECTS_CAP 64

/* block and test nesting (Pigeonhole: 32 blocks, 32 tests) */
#define SIEVE_MAX_BLOCK_NESTING 32
#define SIEVE_MAX_TEST_NESTING 32

/* arguments of one command, items of one string list */
#define SIEVE_MAX_ARGS 64
#define SIEVE_MAX_STRLIST_ITEMS 10000

/* positional arguments a command definition may declare */
#define SIEVE_MAX_POSITIONAL 8

/* one string literal (Pigeonhole: 1M, the script size) */
#define SIEVE_MAX_STRING_LEN SIEVE_MAX_SCRIPT_SIZE_CAP

/* identifiers: RFC 5228 8.1 gives no limit; Pigeonhole 32 for names of
 * tags and commands is generous */
#define SIEVE_MAX_IDENTIFIER_LEN 128

/* numbers: RFC 5228 2.4.1 asks for at least 2^31 - 1 (after K/M/G); we
 * keep 64 bits, as Pigeonhole, and call a larger value an error */
#define SIEVE_MAX_NUMBER UINT64_MAX

/* matching work per run: :matches and :contains count their steps
 * against this budget (about 0.1 s of CPU); when it is spent the run
 * ends with a runtime error (implicit keep), so a pattern such as
 * "*a*a*a*a*b" against long headers cannot run away (issue 4: "a regex
 * or :matches cannot run away") */
#define SIEVE_MAX_MATCH_STEPS (64ULL * 1024 * 1024)

/* :matches wildcards per key and match values kept (RFC 5229 3.2: at
 * least ${0}..${9} must be supported; Pigeonhole keeps 100) */
#define SIEVE_MAX_MATCH_VALUES 100
/* one match value (RFC 5229 5: at least 4000 octets) */
#define SIEVE_MAX_MATCH_VALUE_LEN 4096

/* regex (draft-ietf-sieve-regex, ext-regex.c): glibc's regexec has no
 * step budget, and its cost grows with the pattern's size times the
 * value's (and much faster with back-references, a GNU extension to ERE
 * that ext-regex.c refuses for that reason). A pattern longer than this
 * is refused (at compile time when constant, else no match at run time),
 * which with SIEVE_MAX_HEADER_VALUE bounds one regexec. */
#define SIEVE_MAX_REGEX_LEN 1024

/* header values examined per test: the message parser already bounds
 * the header count (message_max_header_fields) */

/* bytes of one header value a test compares (the parser's field limit
 * applies first) */
#define SIEVE_MAX_HEADER_VALUE (1024 * 1024)

/* extensions an engine knows and a script may require */
#define SIEVE_MAX_EXTENSIONS 128

/* include (RFC 6609 3.2): nesting depth and scripts per run
 * (Pigeonhole: sieve_include_max_nesting_depth 10,
 * sieve_include_max_includes 255) */
#define SIEVE_MAX_INCLUDE_DEPTH 10
#define SIEVE_MAX_INCLUDES 255

/* variables (RFC 5229 5: at least 128 variables, names of 32 chars,
 * values of 4000 octets; Pigeonhole 255 / 64 / 4096) */
#define SIEVE_MAX_VARIABLES 255
#define SIEVE_MAX_VARIABLE_NAME_LEN 64
#define SIEVE_MAX_VARIABLE_SIZE 4096
/* ${N} match variable references: RFC 5229 3.2 requires ${0}..${9};
 * Pigeonhole refuses an index above 32 at compile time */
#define SIEVE_MAX_MATCH_INDEX 32

/* vacation (RFC 5230 4.1 / RFC 6131): default and bounds of :days /
 * :seconds, Pigeonhole's defaults */
#define SIEVE_VACATION_DEFAULT_PERIOD (7 * 86400)
#define SIEVE_VACATION_MIN_PERIOD 86400
#define SIEVE_VACATION_MAX_PERIOD (60 * 86400)

/* body (RFC 5173) and extracttext (RFC 5703): decoded body bytes one run
 * keeps for body tests; a part or the whole set past it is cut there
 * (neither RFC sets a limit; Pigeonhole has none) */
#define SIEVE_MAX_BODY_SIZE (16 * 1024 * 1024)

/* foreverypart nesting, also through include (RFC 5703 3 leaves it to
 * the implementation; Pigeonhole: 4) */
#define SIEVE_MAX_FOREVERYPART_DEPTH 4

/* editheader (RFC 5293 9 lets sites bound header size): the longest
 * addheader value, sieve_editheader_max_header_size (Pigeonhole's
 * default 2048, at least 1024) */
#define SIEVE_EDITHEADER_DEFAULT_MAX_HEADER_SIZE 2048
#define SIEVE_EDITHEADER_MIN_MAX_HEADER_SIZE 1024

#endif
