/* ext-variables - what other extensions use of "variables" (RFC 5229).
 *
 * Variables are resolved at validation: every name a script assigns or
 * references is declared in the script's scope (a compile error past
 * SIEVE_MAX_VARIABLES), and each reference becomes a handle
 * (struct ext_var_ref). At run time each executing script has its own
 * local values (an included script does not see its includer's locals,
 * RFC 6609 3.4); global variables (include's "global" command and the
 * "global." namespace) are shared by every script of the run.
 *
 * imap4flags: validate the variable-name argument of setflag/addflag/
 * removeflag/hasflag with ext_variables_ref_compile (it must be a
 * constant string naming a variable the script may assign), keep the
 * handle in node->data, then read and write the value with
 * ext_variables_ref_get/set at run time. Other string arguments are
 * expanded by the core (sieve_run_arg_str) through this extension's
 * expand_string hook; ext_variables_expand expands any text.
 */
#ifndef SLUICE_SIEVE_EXT_VARIABLES_H
#define SLUICE_SIEVE_EXT_VARIABLES_H

#include <stddef.h>

#include "sieve/sieve-ext.h"

struct ext_var_ref;	/* a resolved variable (local or global) */

/* ext_variables_is_identifier - RFC 5229 3: (ALPHA / "_") *(ALPHA /
 * DIGIT / "_"), at most SIEVE_MAX_VARIABLE_NAME_LEN octets */
int ext_variables_is_identifier(const char *s, size_t len);

/* ext_variables_ref_compile - at validation: the constant string s
 * names a variable to assign ("name", "global.name" when include is
 * loaded); declares it in the script's scope. Reports the error (at s)
 * and returns NULL for an invalid or match-variable name, an unknown
 * namespace, a non-constant string or when variables is not loaded. */
const struct ext_var_ref *ext_variables_ref_compile(struct sieve_valctx *v,
						    const struct sieve_string *s);
/* ext_variables_ref_name - the variable's name (lowercase) */
const char *ext_variables_ref_name(const struct ext_var_ref *ref);

/* ext_variables_ref_get - the current value ("" when never set: *out is
 * then empty and 0 returned; 1 when set). The value stays valid until
 * the variable is next assigned. */
int ext_variables_ref_get(struct sieve_run *run, const struct ext_var_ref *ref,
			  struct sieve_str *out);
/* ext_variables_ref_set - assign (truncated to the size limit at a
 * UTF-8 character boundary); 0 */
int ext_variables_ref_set(struct sieve_run *run, const struct ext_var_ref *ref,
			  const char *value, size_t len);

/* ext_variables_declare_global - include's "global" command: name is
 * global in this script from here on. Errors (reported at line:col,
 * returns -1): invalid identifier, earlier local use of the name, the
 * variable limit. */
int ext_variables_declare_global(struct sieve_valctx *v, const char *name,
				 size_t len, unsigned line, unsigned col);

/* ext_variables_expand - expand "${...}" references in text as a string
 * of the executing script would be (for text built at run time, e.g.
 * read from a header); appends to out. 0 or SIEVE_EXEC_ERROR. Only
 * references to variables the script declared resolve; others expand
 * to "" as an unset variable does. */
int ext_variables_expand(struct sieve_run *run, const char *text, size_t len,
			 struct buf *out);

/* Scopes across include (RFC 6609 3.4): the include command brackets
 * sieve_run_include with these so the included script starts with
 * empty locals and the includer's locals are intact afterwards. */
size_t ext_variables_scope_mark(struct sieve_run *run);
void ext_variables_scope_release(struct sieve_run *run, size_t mark);

#endif
