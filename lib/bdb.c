/* bdb.c - dlopen() Berkeley DB on first use */
#include "auto-config.h"
#include "bdb.h"

#include <stddef.h>
#include <string.h>

#include "dynlib.h"

static int (*bdb_db_create)(DB **, DB_ENV *, u_int32_t);
static char *(*bdb_db_strerror)(int);
static const struct dynlib_sym bdb_syms[] = {
	DYNLIB_SYM("db_create", bdb_db_create),
	DYNLIB_SYM("db_strerror", bdb_db_strerror),
};
static struct dynlib bdb_lib = DYNLIB_INIT("Berkeley DB", DB_SONAME, bdb_syms);

int bdb_create(DB **db_r, struct sl_err *err)
{
	int ret;

	if (dynlib_load(&bdb_lib, err) < 0)
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
