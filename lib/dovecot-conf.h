/* dovecot-conf - Dovecot's external settings files (dovecot-sql.conf.ext,
 * dovecot-ldap.conf.ext), read unchanged: `key = value` lines, '#'
 * comments (also after a value, outside quotes), a value in "..." or
 * '...' has its quotes removed and backslash escapes undone, a line
 * ending in '\' continues on the next (joined with one space),
 * `!include FILE` / `!include_try FILE` (relative to the including
 * file's folder), CRLF line ends. What the keys mean is the caller's: a
 * function gets each key and value in order. */
#ifndef SLUICE_DOVECOT_CONF_H
#define SLUICE_DOVECOT_CONF_H

#include <stddef.h>

#include "err.h"

/* Limits */
#define DOVECOT_CONF_MAX (1024 * 1024)	/* a file and its includes */
#define DOVECOT_CONF_LINE_MAX 65536	/* longest (joined) line */
#define DOVECOT_CONF_INCLUDE_DEPTH 8	/* nested !include */

/* dovecot_conf_set_fn - one setting; where is "FILE line N" for
 * errors; 0, or -1 with err (an unknown key: ERR_USAGE, "Unknown
 * setting", as Dovecot says it) */
typedef int dovecot_conf_set_fn(void *ctx, const char *key, const char *value,
				const char *where, struct sl_err *err);

/* dovecot_conf_read - the file at path. Errors: the file (or an
 * include) cannot be read: ERR_TEMP; a syntax error, a file over the
 * limits, what set refuses: ERR_USAGE, naming file and line. */
int dovecot_conf_read(const char *path, dovecot_conf_set_fn *set, void *ctx,
		      struct sl_err *err);
/* dovecot_conf_parse - the same for text already read (path names it
 * in errors and is the base of relative includes) */
int dovecot_conf_parse(const char *path, const char *text, size_t len,
		       dovecot_conf_set_fn *set, void *ctx, struct sl_err *err);

#endif
