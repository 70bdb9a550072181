/* base64 - RFC 4648 section 4 (the alphabet SASL exchanges and password
 * hashes use), strict. MIME's lenient decoding is mime_decode_base64. */
#ifndef SLUICE_BASE64_H
#define SLUICE_BASE64_H

#include <stddef.h>

#include "buf.h"

/* base64_encode - data as base64 with padding, appended to out */
void base64_encode(const void *data, size_t len, struct buf *out);
/* base64_decode - strict: only the alphabet, '=' only as the padding of
 * the last group (which may also be left out); appends to out; -1 for
 * anything else (out then holds garbage) */
int base64_decode(const char *s, size_t len, struct buf *out);

#endif
