/* mutf7 - IMAP modified UTF-7 (RFC 3501 section 5.1.3), the encoding
 * of folder names on disk in Maildir++ and on the wire in IMAP.
 *
 * Printable US-ASCII (0x20-0x7e) stands for itself, '&' is written "&-",
 * everything else is UTF-16 in modified BASE64 ('+' and ',' for 62 and
 * 63, no '=' padding) between '&' and '-'.
 *
 * Both directions are strict, so that one name has exactly one encoding
 * (two spellings on disk would be two folders with one name): the
 * decoder refuses what the encoder would never produce (printable ASCII
 * or raw bytes outside 0x20-0x7e, encoded printable ASCII, non-zero or
 * excess padding bits, an unterminated or empty shift, two adjacent
 * shifts, unpaired surrogates) and U+0000 in either direction.
 */
#ifndef SLUICE_MUTF7_H
#define SLUICE_MUTF7_H

#include <stddef.h>

#include "buf.h"
#include "err.h"

/* mutf7_encode - append the modified UTF-7 form of len bytes of UTF-8
 * at src to out. Returns 0, or -1 (ERR_PERM, out unchanged) when src is
 * not valid UTF-8 or holds a NUL. */
int mutf7_encode(const char *src, size_t len, struct buf *out,
		 struct sl_err *err);
/* mutf7_decode - append the UTF-8 form of len bytes of modified UTF-7
 * at src to out. Returns 0, or -1 (ERR_PERM, out unchanged) when src is
 * not canonical modified UTF-7. */
int mutf7_decode(const char *src, size_t len, struct buf *out,
		 struct sl_err *err);

#endif
