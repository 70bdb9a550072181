/* dynlib - client libraries sluice loads with dlopen() on first use
 * (Berkeley DB, libunistring, the SQL and LDAP clients), so a program
 * that never needs one does not load it at start.
 *
 * A library is a static struct dynlib naming its soname and the entry
 * points to resolve into slots typed by the library's own header:
 *
 *	static __typeof__(&sqlite3_open_v2) sq_open_v2;
 *	static const struct dynlib_sym sq_syms[] = {
 *		DYNLIB_SYM("sqlite3_open_v2", sq_open_v2), ...
 *	};
 *	static struct dynlib sq_lib = DYNLIB_INIT("SQLite",
 *		SQLITE3_SONAME, sq_syms);
 *	...
 *	if (dynlib_load(&sq_lib, err) < 0) return -1;
 */
#ifndef SLUICE_DYNLIB_H
#define SLUICE_DYNLIB_H

#include <stddef.h>

#include "err.h"

struct dynlib_sym {
	const char *name;
	void **slot;
};

struct dynlib {
	const char *what;	/* for messages: "SQLite" */
	const char *soname;
	const struct dynlib_sym *syms;
	size_t n_syms;
	int state;		/* 0 not tried, 1 loaded, -1 failed (why) */
	struct sl_err why;
};

#define DYNLIB_SYM(name, slot) { (name), (void **)&(slot) }
#define DYNLIB_INIT(what, soname, syms) \
	{ (what), (soname), (syms), sizeof(syms) / sizeof((syms)[0]), 0, \
	  { 0 } }

/* dynlib_load - load the library and resolve every entry point, once
 * per process; later calls give the first answer again. 0, or -1 with
 * err (ERR_TEMP: "cannot load SQLite (libsqlite3.so.0): ..." or "...
 * lacks NAME"; no slot is set then; err may be NULL). */
int dynlib_load(struct dynlib *lib, struct sl_err *err);

#endif
