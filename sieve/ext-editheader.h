/* ext-editheader - what the result side needs of editheader (RFC 5293).
 *
 * addheader puts into the run's header view (sieve_msg_header_insert)
 * the name in Pigeonhole's capitalisation ("X-Some-Header") and the
 * value as later tests see it (UTF-8, line breaks unfolded). The copy
 * that is stored carries the value RFC 2047-encoded where it is not
 * ASCII and folded, as Pigeonhole stores it: sieve_editheader_stored
 * turns a view value of an added field into that form, for the
 * "headers" of `sluice sieve test --json` and for the delivery that
 * writes the edited header. Fields that came with the message keep their
 * bytes as received.
 */
#ifndef SLUICE_SIEVE_EXT_EDITHEADER_H
#define SLUICE_SIEVE_EXT_EDITHEADER_H

#include <stddef.h>

#include "lib/buf.h"

/* sieve_editheader_stored - append the stored form of an added field's
 * value (name as in the view): encoded-words for non-ASCII words
 * (Dovecot's message_header_encode), folded before 80 columns. With crlf
 * the folds are "\r\n\t" (ready to write), else just "\t" (the value
 * unfolded, as sieve_header_out holds it and JSON shows it). */
void sieve_editheader_stored(const char *name, const char *value, size_t len,
			     int crlf, struct buf *out);

#endif
