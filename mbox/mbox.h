/* mbox - the mbox store backend (see lib/store.h) */
#ifndef SLUICE_MBOX_H
#define SLUICE_MBOX_H

#include "lib/store.h"

extern const struct store_vfuncs mbox_store_vfuncs;

#endif
