/* maildir.c - placeholder until the backend lands */
#include "auto-config.h"
#include "maildir.h"

const struct store_vfuncs maildir_store_vfuncs = { .name = "maildir" };
