/* mbox.c - placeholder until the backend lands */
#include "auto-config.h"
#include "mbox.h"

const struct store_vfuncs mbox_store_vfuncs = { .name = "mbox" };
