/* passdb-file.c - passwd-file:PATH and bdb:PATH as a passdb: the same
 * entries the userdb reads (its backends find them, with their caching),
 * here for their second field, the stored password, and the extra
 * fields */
#include "auto-config.h"
#include "passdb-private.h"
#include "xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef enum userdb_result
file_find_fn(struct userdb_backend *be, struct pool *pool,
	     const struct userdb_query *q, struct userdb_entry *e,
	     struct sl_err *err);

struct file_backend {
	struct passdb_backend be;
	struct userdb_backend *udb;	/* the userdb backend over the file */
	file_find_fn *find;
	char *path;
};

/* file_init - a userdb backend of the same driver does the reading */
static int file_init(const char *args, const struct passdb_backend_vfuncs *v,
		     const struct userdb_backend_vfuncs *uv, file_find_fn *find,
		     struct passdb_backend **be_r, struct sl_err *err)
{
	struct file_backend *fb;

	if (args == NULL || *args == '\0')
		return err_set(err, ERR_USAGE, "passdb: %s needs a path: "
			       "%s:PATH", v->name, v->name);
	fb = xcalloc(1, sizeof(*fb));
	if (uv->init(args, &fb->udb, err) < 0) {
		free(fb);
		return -1;
	}
	fb->be.v = v;
	fb->find = find;
	fb->path = xstrdup(args);
	*be_r = &fb->be;
	return 0;
}

static void file_deinit(struct passdb_backend **be)
{
	struct file_backend *fb = (struct file_backend *)*be;

	fb->udb->v->deinit(&fb->udb);
	free(fb->path);
	free(fb);
	*be = NULL;
}

/* file_lookup - the entry, its password and extra fields */
static enum passdb_result file_lookup(struct passdb_backend *be,
				      struct pool *pool,
				      const struct userdb_query *q,
				      struct passdb_entry *e,
				      struct sl_err *err)
{
	struct file_backend *fb = (struct file_backend *)be;
	struct userdb_entry ue;
	char what[320];

	switch (fb->find(fb->udb, pool, q, &ue, err)) {
	case USERDB_NOTFOUND:
		return PASSDB_NOUSER;
	case USERDB_TEMPFAIL:
		return PASSDB_TEMPFAIL;
	case USERDB_FOUND:
		break;
	}
	if (ue.lineno > 0)
		(void)snprintf(what, sizeof(what), "%s %s line %lu (%s)",
			       be->v->name, fb->path, ue.lineno, ue.key);
	else
		(void)snprintf(what, sizeof(what), "%s %s (%s)", be->v->name,
			       fb->path, ue.key);
	e->user = ue.key;
	if (passdb_entry_parse(pool, ue.rest, ue.rest_len, e, what, err) < 0)
		return PASSDB_TEMPFAIL;
	return PASSDB_OK;
}

static int pf_init(const char *args, const struct config *cfg,
		   struct passdb_backend **be_r, struct sl_err *err)
{
	return file_init(args, &passdb_passwd_file, &userdb_passwd_file,
			 userdb_passwd_file_find, be_r, err);
}

static int bdb_init(const char *args, const struct config *cfg,
		    struct passdb_backend **be_r, struct sl_err *err)
{
	return file_init(args, &passdb_bdb, &userdb_bdb, userdb_bdb_find,
			 be_r, err);
}

const struct passdb_backend_vfuncs passdb_passwd_file = {
	"passwd-file", pf_init, file_deinit, file_lookup, NULL,
};

const struct passdb_backend_vfuncs passdb_bdb = {
	"bdb", bdb_init, file_deinit, file_lookup, NULL,
};
