/* userdb-stub.c - placeholder: system users only, until lib/userdb.c lands */
#include "auto-config.h"
#include "userdb.h"
#include "store.h"
#include "xalloc.h"

#include <pwd.h>
#include <stdlib.h>
#include <string.h>

struct userdb { int dummy; };

int userdb_open(struct userdb **db_r, const struct config *cfg, struct sl_err *err)
{
	(void)cfg; (void)err;
	*db_r = xcalloc(1, sizeof(**db_r));
	return 0;
}

void userdb_close(struct userdb **db) { x_free(db); }

enum userdb_result userdb_lookup(struct userdb *db, struct pool *pool, const char *rcpt,
				 struct user_record **rec_r, struct sl_err *err)
{
	struct passwd *pw = getpwnam(rcpt);
	struct user_record *r;
	(void)db; (void)err;
	if (pw == NULL)
		return USERDB_NOTFOUND;
	r = pool_alloc(pool, sizeof(*r));
	r->user = r->localpart = pool_strdup(pool, rcpt);
	r->home = pool_strdup(pool, pw->pw_dir);
	r->uid = pw->pw_uid; r->gid = pw->pw_gid; r->has_uid = r->has_gid = 1;
	r->source = "system";
	*rec_r = r;
	return USERDB_FOUND;
}

int userdb_build(const char *t, const char *d, struct sl_err *err)
{
	(void)t; (void)d;
	return err_set(err, ERR_USAGE, "not implemented");
}

int mail_location_expand(struct pool *pool, const char *spec, const struct user_record *rec,
			 struct store_location *loc, struct sl_err *err)
{
	const char *colon = strchr(spec, ':');
	const char *path;
	if (colon == NULL)
		return err_set(err, ERR_USAGE, "bad mail location");
	loc->driver = pool_strndup(pool, spec, (size_t)(colon - spec));
	path = colon + 1;
	loc->root = path[0] == '~' ? pool_printf(pool, "%s%s", rec->home, path + 1) : pool_strdup(pool, path);
	loc->inbox = NULL;
	return 0;
}

char *userdb_expand(struct pool *pool, const char *tmpl, const struct user_record *rec)
{
	(void)rec;
	return pool_strdup(pool, tmpl);
}
