/* bdb - Berkeley DB, loaded when first used.
 *
 * Most deliveries never open a Berkeley DB, and loading libdb costs a
 * pipe-invoked delivery agent about a tenth of its time; so programs do
 * not link it, and the first bdb_create() dlopen()s it. Everything after
 * db_create goes through the DB handle's own method pointers.
 */
#ifndef SLUICE_BDB_H
#define SLUICE_BDB_H

#include <db.h>

#include "err.h"

/* bdb_create - db_create(), loading libdb first; a library that cannot
 * be loaded is a temporary failure */
int bdb_create(DB **db_r, struct sl_err *err);
/* bdb_strerror - db_strerror() (libdb is loaded when ret came from it) */
const char *bdb_strerror(int ret);

#endif
