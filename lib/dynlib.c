/* dynlib.c - dlopen() a client library on first use */
#include "auto-config.h"
#include "dynlib.h"

#include <dlfcn.h>

/* dynlib_open - resolve into a scratch table first, so a library that
 * lacks one entry point leaves every slot NULL */
static int dynlib_open(struct dynlib *lib)
{
	void *h = dlopen(lib->soname, RTLD_NOW | RTLD_LOCAL);
	void *found[64];
	size_t i;

	if (h == NULL)
		return err_set(&lib->why, ERR_TEMP, "cannot load %s (%s): %s",
			       lib->what, lib->soname, dlerror());
	if (lib->n_syms > sizeof(found) / sizeof(found[0])) {
		dlclose(h);
		return err_set(&lib->why, ERR_TEMP, "%s: too many entry points",
			       lib->what);
	}
	for (i = 0; i < lib->n_syms; i++) {
		found[i] = dlsym(h, lib->syms[i].name);
		if (found[i] == NULL) {
			dlclose(h);
			return err_set(&lib->why, ERR_TEMP, "%s lacks %s",
				       lib->soname, lib->syms[i].name);
		}
	}
	for (i = 0; i < lib->n_syms; i++)
		*lib->syms[i].slot = found[i];
	return 0;
}

int dynlib_load(struct dynlib *lib, struct sl_err *err)
{
	if (lib->state == 0)
		lib->state = dynlib_open(lib) < 0 ? -1 : 1;
	if (lib->state < 0)
		return err == NULL ? -1
			: err_set(err, lib->why.cls, "%s", lib->why.text);
	return 0;
}
