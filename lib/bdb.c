/* bdb.c - dlopen() Berkeley DB on first use */
#include "auto-config.h"
#include "bdb.h"

#include <dlfcn.h>
#include <stddef.h>
#include <string.h>

static int (*bdb_db_create)(DB **, DB_ENV *, u_int32_t);
static char *(*bdb_db_strerror)(int);

/* bdb_load - resolve the two entry points once */
static int bdb_load(struct sl_err *err)
{
	void *h;

	if (bdb_db_create != NULL)
		return 0;
	h = dlopen(DB_SONAME, RTLD_NOW | RTLD_LOCAL);
	if (h == NULL)
		return err_set(err, ERR_TEMP, "cannot load Berkeley DB (%s): %s",
			       DB_SONAME, dlerror());
	*(void **)&bdb_db_strerror = dlsym(h, "db_strerror");
	*(void **)&bdb_db_create = dlsym(h, "db_create");
	if (bdb_db_create == NULL || bdb_db_strerror == NULL) {
		bdb_db_create = NULL;
		return err_set(err, ERR_TEMP, "%s lacks db_create", DB_SONAME);
	}
	return 0;
}

int bdb_create(DB **db_r, struct sl_err *err)
{
	int ret;

	if (bdb_load(err) < 0)
		return -1;
	ret = bdb_db_create(db_r, NULL, 0);
	if (ret != 0)
		return err_set(err, ERR_TEMP, "db_create: %s",
			       bdb_strerror(ret));
	return 0;
}

const char *bdb_strerror(int ret)
{
	if (bdb_db_strerror == NULL)
		return ret > 0 ? strerror(ret) : "Berkeley DB error";
	return bdb_db_strerror(ret);
}
