/* ext-enotify - the mailto notification method (RFC 5436) for delivery.
 *
 * The notify command (RFC 5435) adds an action of kind SIEVE_ACT_NOTIFY
 * with act->method (the URI after variable expansion), act->from (:from
 * or NULL), act->importance ("1", "2" or "3"; "2" by default),
 * act->options / n_options (:options "name=value" items) and act->message
 * (:message or NULL). core/ parses the URI with sieve_mailto_parse to
 * send the notification (what it must do: see the function's comment).
 */
#ifndef SLUICE_SIEVE_EXT_ENOTIFY_H
#define SLUICE_SIEVE_EXT_ENOTIFY_H

#include <stddef.h>

#include "lib/pool.h"

struct sieve_mailto_header {
	const char *name;	/* as written in the URI, percent-decoded */
	const char *value;	/* percent-decoded */
};

/* a parsed mailto: URI (RFC 6068) */
struct sieve_mailto {
	const char **to;	/* recipients: the path, to= and cc= fields */
	size_t n_to;
	const char *subject;	/* subject= or NULL */
	const char *body;	/* body= or NULL */
	/* other header fields the URI sets, minus those RFC 5436 2.7 says
	 * to ignore (From, Sender, Received, Return-Path, Auto-Submitted,
	 * Message-ID, Date, Delivered-To, bcc...) */
	struct sieve_mailto_header *headers;
	size_t n_headers;
	size_t n_ignored;	/* fields dropped as unsafe */
};

/* sieve_mailto_parse - uri[0, len) ("mailto:..."; the scheme in any
 * case) into *out, from pool. Returns 0, or -1 with *error_r (static
 * text) for a URI that is not a usable mailto URI: bad percent escape,
 * an invalid recipient address or header field name, NUL octets. No
 * recipients is not an error here (n_to 0: the notify has no effect). */
int sieve_mailto_parse(struct pool *pool, const char *uri, size_t len,
		       struct sieve_mailto *out, const char **error_r);

#endif
