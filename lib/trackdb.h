/* trackdb - "have we seen this within a period?" for one user: vacation
 * replies (one per sender and handle per period, RFC 5230) and duplicate
 * detection (RFC 7352), in a Berkeley DB hash of key -> expiry time.
 *
 * Lookups and marks lock the database (fcntl on the file) so concurrent
 * deliveries to the same user agree. A database that cannot be opened is
 * a temporary failure for the caller to weigh: a vacation reply is then
 * skipped (never sent twice), a duplicate test answers "not seen".
 */
#ifndef SLUICE_TRACKDB_H
#define SLUICE_TRACKDB_H

#include <stddef.h>
#include <time.h>

#include "err.h"

struct trackdb;

/* trackdb_open - open or create the database at path (mode 0600) */
int trackdb_open(const char *path, struct trackdb **db_r, struct sl_err *err);
void trackdb_close(struct trackdb **db);
/* trackdb_seen - 1 if key was marked and its period has not run out at
 * now, 0 if not, -1 on error */
int trackdb_seen(struct trackdb *db, const void *key, size_t key_len,
		 time_t now, struct sl_err *err);
/* trackdb_mark - remember key until expires */
int trackdb_mark(struct trackdb *db, const void *key, size_t key_len,
		 time_t expires, struct sl_err *err);
/* trackdb_prune - drop entries expired at now; returns how many */
int trackdb_prune(struct trackdb *db, time_t now, struct sl_err *err);

#endif
