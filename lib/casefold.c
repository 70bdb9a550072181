/* casefold.c - dlopen() libunistring on first use */
#include "auto-config.h"
#include "casefold.h"

#include <stdint.h>
#include <stdlib.h>
#include <unicase.h>
#include <uninorm.h>

#include "dynlib.h"

/* the entry point and the NFKD form, typed by libunistring's own
 * header (naming them here links nothing) */
static __typeof__(&u8_casefold) casefold_fn;
static const struct unicode_normalization_form *casefold_nfkd;
static const struct dynlib_sym casefold_syms[] = {
	DYNLIB_SYM("u8_casefold", casefold_fn),
	DYNLIB_SYM("uninorm_nfkd", casefold_nfkd),
};
static struct dynlib casefold_lib = DYNLIB_INIT("libunistring",
						UNISTRING_SONAME, casefold_syms);

int casefold_load(struct sl_err *err)
{
	return dynlib_load(&casefold_lib, err);
}

int casefold_utf8(const char *in, size_t len, struct buf *out)
{
	uint8_t stackbuf[512];
	size_t n = sizeof(stackbuf);
	uint8_t *r;

	if (dynlib_load(&casefold_lib, NULL) < 0)
		return -1;
	r = casefold_fn((const uint8_t *)in, len, NULL, casefold_nfkd, stackbuf,
			&n);
	if (r == NULL)
		return 0;
	buf_append(out, r, n);
	if (r != stackbuf)
		free(r);
	return 1;
}
