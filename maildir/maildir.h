/* maildir - the maildir store backend (see lib/store.h) */
#ifndef SLUICE_MAILDIR_H
#define SLUICE_MAILDIR_H

#include "lib/store.h"

extern const struct store_vfuncs maildir_store_vfuncs;

#endif
