/* casefold - Unicode case folding (libunistring), loaded when first used.
 *
 * Only the Sieve comparator i;unicode-casemap needs libunistring, and
 * loading a shared library costs every exec'd delivery agent start-up
 * time; so programs do not link it, and the first casefold_load() or
 * casefold_utf8() dlopen()s UNISTRING_SONAME (see lib/bdb.h for the
 * same with Berkeley DB).
 */
#ifndef SLUICE_CASEFOLD_H
#define SLUICE_CASEFOLD_H

#include <stddef.h>

#include "buf.h"
#include "err.h"

/* casefold_load - load libunistring now (once per process); a library
 * that cannot be loaded is a temporary failure, and each later call
 * fails again with the same text */
int casefold_load(struct sl_err *err);
/* casefold_utf8 - append u8_casefold(in, NFKD) (full case folding,
 * then compatibility decomposition; an ill-formed UTF-8 sequence becomes
 * U+FFFD) to out: 1; 0 when u8_casefold fails (out of memory); -1 when
 * libunistring cannot be loaded. Nothing is appended unless it returns
 * 1. */
int casefold_utf8(const char *in, size_t len, struct buf *out);

#endif
