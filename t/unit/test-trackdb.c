/* test-trackdb.c - the per-user tracking database */
#include "auto-config.h"
#include "t/tap.h"
#include "lib/trackdb.h"

#include <unistd.h>

int main(void)
{
	char dir[] = "/tmp/sluice-test-trackdb.XXXXXX", path[256];
	struct trackdb *db = NULL;
	struct sl_err err;
	time_t now = 1800000000;

	if (mkdtemp(dir) == NULL)
		return 1;
	snprintf(path, sizeof(path), "%s/track.db", dir);
	err_clear(&err);
	ok(trackdb_open(path, &db, &err) == 0, "create: %s", err.text);
	is_int(trackdb_seen(db, "a", 1, now, &err), 0, "unknown key not seen");
	ok(trackdb_mark(db, "a", 1, now + 100, &err) == 0, "mark");
	is_int(trackdb_seen(db, "a", 1, now, &err), 1, "marked key seen within its period");
	is_int(trackdb_seen(db, "a", 1, now + 100, &err), 0, "not seen once the period ran out");
	is_int(trackdb_seen(db, "ab", 2, now, &err), 0, "keys are exact (length counts)");
	ok(trackdb_mark(db, "b\0x", 3, now - 1, &err) == 0, "binary key, already expired");
	trackdb_close(&db);
	ok(db == NULL, "close clears");
	ok(trackdb_open(path, &db, &err) == 0, "reopen");
	is_int(trackdb_seen(db, "a", 1, now, &err), 1, "marks survive a reopen");
	is_int(trackdb_prune(db, now, &err), 1, "prune drops the expired entry only");
	is_int(trackdb_seen(db, "a", 1, now, &err), 1, "live entry kept by prune");
	trackdb_close(&db);
	ok(trackdb_open("/nonexistent-dir/x.db", &db, &err) < 0 && err.cls == ERR_TEMP,
	   "unopenable database is a temporary failure: %s", err.text);
	unlink(path);
	rmdir(dir);
	return done_testing();
}
