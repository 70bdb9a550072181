/* buf - the one string type: a length-counted, growable, binary-safe buffer.
 *
 * The data is always NUL-terminated (not counted in len) so it can be
 * handed to C string functions when it holds text, but embedded NULs are
 * kept. A buf owns its memory; buf_free() releases it.
 */
#ifndef SLUICE_BUF_H
#define SLUICE_BUF_H

#include <stdarg.h>
#include <stddef.h>

struct buf {
	char *data;
	size_t len;
	size_t cap;
};

#define BUF_INIT { NULL, 0, 0 }

void buf_init(struct buf *b);
void buf_free(struct buf *b);
/* buf_reset - empty the buffer, keeping its memory. */
void buf_reset(struct buf *b);
/* buf_reserve - make room for extra more bytes (plus the NUL). */
void buf_reserve(struct buf *b, size_t extra);
void buf_append(struct buf *b, const void *data, size_t len);
void buf_append_str(struct buf *b, const char *s);
void buf_append_char(struct buf *b, char c);
/* buf_printf - append formatted text; never truncates. */
void buf_printf(struct buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void buf_vprintf(struct buf *b, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));
/* buf_truncate - shorten to len bytes (no-op if already shorter). */
void buf_truncate(struct buf *b, size_t len);
/* buf_cstr - the contents as a C string ("" for an empty buffer). */
const char *buf_cstr(const struct buf *b);
/* buf_steal - hand the malloc'd data to the caller; b becomes empty. */
char *buf_steal(struct buf *b);

#endif
