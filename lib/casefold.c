/* casefold.c - dlopen() libunistring on first use */
#include "auto-config.h"
#include "casefold.h"

#include <dlfcn.h>
#include <stdint.h>
#include <stdlib.h>
#include <unicase.h>
#include <uninorm.h>

/* the entry point and the NFKD form, typed by libunistring's own
 * header (naming them here links nothing) */
static __typeof__(&u8_casefold) casefold_fn;
static const struct unicode_normalization_form *casefold_nfkd;
/* 0: not tried, 1: loaded, -1: failed with casefold_why */
static int casefold_state;
static struct sl_err casefold_why;

/* casefold_dlopen - resolve u8_casefold and uninorm_nfkd; -1 with
 * casefold_why set */
static int casefold_dlopen(void)
{
	void *h = dlopen(UNISTRING_SONAME, RTLD_NOW | RTLD_LOCAL);

	if (h == NULL)
		return err_set(&casefold_why, ERR_TEMP,
			       "cannot load libunistring (%s): %s",
			       UNISTRING_SONAME, dlerror());
	*(void **)&casefold_fn = dlsym(h, "u8_casefold");
	casefold_nfkd = dlsym(h, "uninorm_nfkd");
	if (casefold_fn == NULL || casefold_nfkd == NULL) {
		casefold_fn = NULL;
		dlclose(h);
		return err_set(&casefold_why, ERR_TEMP,
			       "%s lacks u8_casefold or uninorm_nfkd",
			       UNISTRING_SONAME);
	}
	return 0;
}

/* casefold_try - load once; 1 loaded, -1 not (casefold_why says why) */
static int casefold_try(void)
{
	if (casefold_state == 0)
		casefold_state = casefold_dlopen() < 0 ? -1 : 1;
	return casefold_state;
}

int casefold_load(struct sl_err *err)
{
	if (casefold_try() < 0)
		return err_set(err, casefold_why.cls, "%s", casefold_why.text);
	return 0;
}

int casefold_utf8(const char *in, size_t len, struct buf *out)
{
	uint8_t stackbuf[512];
	size_t n = sizeof(stackbuf);
	uint8_t *r;

	if (casefold_try() < 0)
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
