/* rfc2047 - encoded-words in header values (=?charset?B|Q?text?=).
 *
 * Decoding gives UTF-8 for every encoded-word and leaves the rest of the
 * value as it is (raw bytes: RFC 6532 UTF-8, or whatever the sender
 * wrote). Lenient like common readers: encoded-words are found anywhere,
 * not only between white space; their text may hold any characters up
 * to "?=" (MESSAGE_ENCODED_WORD_MAX in all); white space between two
 * encoded-words is dropped; consecutive encoded-words in one charset are
 * joined before conversion, so a character split over two words comes
 * out whole; an RFC 2231 language ("utf-8*en") is ignored; an unknown
 * charset is read as UTF-8 if valid, else Windows-1252
 * (mime_decode_charset); base64 is decoded leniently (missing padding,
 * junk). What does not parse as an encoded-word is left as written.
 */
#ifndef SLUICE_RFC2047_H
#define SLUICE_RFC2047_H

#include <stddef.h>

#include "buf.h"
#include "pool.h"

/* rfc2047_decode - append in, decoded, to out; returns the number of
 * encoded-words decoded */
size_t rfc2047_decode(const char *in, size_t len, struct buf *out);

/* rfc2047_decode_pool - the same as a NUL-terminated string in pool;
 * *len_r (if not NULL) gets its length */
char *rfc2047_decode_pool(struct pool *pool, const char *in, size_t len,
			  size_t *len_r);

/* rfc2047_word_len - the length of the encoded-word at the start of in,
 * or 0 if none starts there */
size_t rfc2047_word_len(const char *in, size_t len);

/* rfc2047_has_encoded_word - whether in holds something that decodes */
int rfc2047_has_encoded_word(const char *in, size_t len);

/* rfc2047_encode - value as written when it is ASCII; else UTF-8
 * encoded-words (B encoding, each at most 75 characters, RFC 2047 2),
 * separated by a folding "\n " so no line grows past 78 */
void rfc2047_encode(struct buf *out, const char *value, size_t len);

#endif
