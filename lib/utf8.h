/* utf8 - strict UTF-8: no overlong forms, no surrogates, nothing above
 * U+10FFFF. Used wherever names and text from outside are checked or
 * converted (folder names, modified UTF-7, headers). */
#ifndef SLUICE_UTF8_H
#define SLUICE_UTF8_H

#include <stddef.h>
#include <stdint.h>

struct buf;

/* utf8_next - decode the sequence at s (len bytes available): its length
 * with *cp_r set, or 0 if it is not valid UTF-8 */
size_t utf8_next(const unsigned char *s, size_t len, uint32_t *cp_r);
/* utf8_valid - the whole of s is valid UTF-8 */
int utf8_valid(const void *s, size_t len);
/* utf8_append - append code point cp (a valid scalar value) */
void utf8_append(struct buf *out, uint32_t cp);

#endif
