/* userdb-system.c - system users through getpwnam_r(3) */
#include "auto-config.h"
#include "userdb-private.h"
#include "xalloc.h"

#include <errno.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>

/* the largest getpw* buffer we try before calling the entry corrupt */
#define SYSTEM_PWBUF_MAX (1024 * 1024)

/* system_getpw - 1 found (strings copied to pool), 0 no such user, -1
 * the name service failed */
static int system_getpw(struct pool *pool, const char *name,
			struct user_record *rec, struct sl_err *err)
{
	struct passwd pw, *res = NULL;
	size_t size = 1024;
	char *mem = NULL;
	int r;

	for (;;) {
		mem = xrealloc(mem, size);
		r = getpwnam_r(name, &pw, mem, size, &res);
		if (r != ERANGE || size >= SYSTEM_PWBUF_MAX)
			break;
		size *= 4;
	}
	if (r == 0 && res != NULL) {
		rec->home = *pw.pw_dir != '\0' ? pool_strdup(pool, pw.pw_dir)
			: NULL;
		rec->uid = pw.pw_uid;
		rec->gid = pw.pw_gid;
		rec->has_uid = rec->has_gid = 1;
		r = 1;
	} else if (r == 0 || r == ENOENT || r == ESRCH || r == EBADF ||
		   r == EPERM) {
		r = 0;	/* the "not found" codes getpwnam(3) lists */
	} else {
		userdb_tempfail_errno(err, r, "getpwnam(%s)", name);
		r = -1;
	}
	free(mem);
	return r;
}

/* system_lookup - user@domain, then the bare local part */
static enum userdb_result system_lookup(struct userdb_backend *be,
					struct pool *pool,
					const struct userdb_query *q,
					struct user_record **rec_r,
					struct sl_err *err)
{
	const char *names[2] = { q->user, q->localpart };
	size_t i, n = q->domain != NULL ? 2 : 1;

	(void)be;
	for (i = 0; i < n; i++) {
		struct user_record *rec = userdb_record_new(pool, q, names[i]);
		int r = system_getpw(pool, names[i], rec, err);

		if (r < 0)
			return USERDB_TEMPFAIL;
		if (r > 0) {
			rec->source = "system";
			*rec_r = rec;
			return USERDB_FOUND;
		}
	}
	return USERDB_NOTFOUND;
}

static int system_init(const char *args, struct userdb_backend **be_r,
		       struct sl_err *err)
{
	struct userdb_backend *be;

	if (args != NULL && *args != '\0')
		return err_set(err, ERR_USAGE, "userdb: system takes no "
			       "arguments (got '%s')", args);
	be = xcalloc(1, sizeof(*be));
	be->v = &userdb_system;
	*be_r = be;
	return 0;
}

static void system_deinit(struct userdb_backend **be)
{
	x_free(be);
}

const struct userdb_backend_vfuncs userdb_system = {
	"system", system_init, system_deinit, system_lookup,
};
