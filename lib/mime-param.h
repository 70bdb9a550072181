/* mime-param - Content-Type and Content-Disposition values.
 *
 * "type/subtype; name=value; ..." (RFC 2045 5.1, RFC 2183) with RFC 2231
 * parameter continuations (name*0=, name*1*=) and charsets
 * (name*=utf-8''%E2%82%AC). Lenient as mail needs: comments are skipped,
 * an unquoted value runs to the next ";" (white space and "=" inside are
 * kept, a trailing comment is cut), a quoted value without its closing
 * quote runs to the end, parameters without "=" are ignored.
 */
#ifndef SLUICE_MIME_PARAM_H
#define SLUICE_MIME_PARAM_H

#include <stddef.h>

#include "pool.h"

struct mime_param {
	const char *name;	/* lowercased, RFC 2231 "*N*" removed */
	const char *value;	/* unquoted, NUL-terminated; RFC 2231
				   sections joined, %-decoded and converted
				   from their charset to UTF-8 */
	size_t value_len;
	int extended;		/* written in RFC 2231 form */
};

struct mime_value {
	/* the first token, lowercased: "type/subtype" when the value has a
	 * subtype, else the bare token ("attachment", "application-x-gzip");
	 * NULL when there is no token at all */
	const char *type;
	int has_subtype;
	struct mime_param *params;
	size_t n_params;
};

/* mime_param_parse - parse value into out (strings from pool) */
void mime_param_parse(struct pool *pool, const char *value, size_t len,
		      struct mime_value *out);

/* mime_param_get - the parameter called name (lowercase), or NULL; an
 * RFC 2231 form wins over a plain one of the same name, else the first
 * counts */
const struct mime_param *mime_param_get(const struct mime_value *v,
					const char *name);

#endif
