/* quota-store - the quota as a store around the user's store: the
 * delivery core wraps the store it opened, and every save through it is
 * checked and counted (see quota.h for the rules). */
#ifndef SLUICE_QUOTA_STORE_H
#define SLUICE_QUOTA_STORE_H

#include "quota/quota.h"

struct store;

/* quota_store_wrap - when the user has a quota, replace *st by a store
 * that enforces it (closing it closes the original): 1 wrapped, 0 no
 * quota (*st unchanged), -1 error */
int quota_store_wrap(const struct config *cfg, const struct user_record *u,
		     const struct store_location *loc, struct store **st,
		     struct sl_err *err);
/* quota_store_warning - the highest quota_warning percentage the saves
 * through st crossed upward (0: none), with the usage now in u */
int quota_store_warning(struct store *st, struct quota_usage *u,
			struct sl_err *err);

#endif
