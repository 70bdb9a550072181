/* trackdb.c - per-user tracking database (Berkeley DB hash) */
#include "auto-config.h"
#include "trackdb.h"
#include "bdb.h"
#include "xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct trackdb {
	DB *db;
	char *path;
};

int trackdb_open(const char *path, struct trackdb **db_r, struct sl_err *err)
{
	struct trackdb *t;
	int ret;

	t = xcalloc(1, sizeof(*t));
	if (bdb_create(&t->db, err) < 0) {
		free(t);
		return -1;
	}
	ret = t->db->open(t->db, NULL, path, NULL, DB_HASH, DB_CREATE, 0600);
	if (ret != 0) {
		t->db->close(t->db, 0);
		free(t);
		return err_set(err, ERR_TEMP, "tracking database %s: %s", path,
			       bdb_strerror(ret));
	}
	t->path = xstrdup(path);
	*db_r = t;
	return 0;
}

void trackdb_close(struct trackdb **tp)
{
	struct trackdb *t = *tp;

	if (t == NULL)
		return;
	t->db->close(t->db, 0);
	free(t->path);
	free(t);
	*tp = NULL;
}

/* trackdb_lock - serialize deliveries to one user around a lookup+mark */
static int trackdb_lock(struct trackdb *t, int type, struct sl_err *err)
{
	struct flock fl;
	int fd;

	if (t->db->fd(t->db, &fd) != 0)
		return err_set(err, ERR_TEMP, "tracking database %s: no fd",
			       t->path);
	memset(&fl, 0, sizeof(fl));
	fl.l_type = (short)type;
	fl.l_whence = SEEK_SET;
	while (fcntl(fd, F_SETLKW, &fl) < 0) {
		if (errno != EINTR)
			return err_set_errno(err, errno, "locking %s", t->path);
	}
	return 0;
}

int trackdb_seen(struct trackdb *t, const void *key, size_t key_len,
		 time_t now, struct sl_err *err)
{
	DBT k, v;
	int64_t expires;
	int ret;

	memset(&k, 0, sizeof(k));
	memset(&v, 0, sizeof(v));
	k.data = (void *)key;
	k.size = (u_int32_t)key_len;
	if (trackdb_lock(t, F_RDLCK, err) < 0)
		return -1;
	ret = t->db->get(t->db, NULL, &k, &v, 0);
	(void)trackdb_lock(t, F_UNLCK, err);
	if (ret == DB_NOTFOUND)
		return 0;
	if (ret != 0)
		return err_set(err, ERR_TEMP, "tracking database %s: %s",
			       t->path, bdb_strerror(ret));
	if (v.size != sizeof(expires))
		return 0;	/* not ours: treat as absent */
	memcpy(&expires, v.data, sizeof(expires));
	return expires > (int64_t)now ? 1 : 0;
}

int trackdb_mark(struct trackdb *t, const void *key, size_t key_len,
		 time_t expires, struct sl_err *err)
{
	DBT k, v;
	int64_t e = (int64_t)expires;
	int ret;

	memset(&k, 0, sizeof(k));
	memset(&v, 0, sizeof(v));
	k.data = (void *)key;
	k.size = (u_int32_t)key_len;
	v.data = &e;
	v.size = sizeof(e);
	if (trackdb_lock(t, F_WRLCK, err) < 0)
		return -1;
	ret = t->db->put(t->db, NULL, &k, &v, 0);
	if (ret == 0)
		ret = t->db->sync(t->db, 0);
	(void)trackdb_lock(t, F_UNLCK, err);
	if (ret != 0)
		return err_set(err, ERR_TEMP, "tracking database %s: %s",
			       t->path, bdb_strerror(ret));
	return 0;
}

int trackdb_prune(struct trackdb *t, time_t now, struct sl_err *err)
{
	DBC *c;
	DBT k, v;
	int ret, n = 0;

	if (trackdb_lock(t, F_WRLCK, err) < 0)
		return -1;
	ret = t->db->cursor(t->db, NULL, &c, 0);
	if (ret == 0) {
		memset(&k, 0, sizeof(k));
		memset(&v, 0, sizeof(v));
		while ((ret = c->get(c, &k, &v, DB_NEXT)) == 0) {
			int64_t e;

			if (v.size == sizeof(e)) {
				memcpy(&e, v.data, sizeof(e));
				if (e <= (int64_t)now && c->del(c, 0) == 0)
					n++;
			}
		}
		c->close(c);
		if (ret == DB_NOTFOUND)
			ret = t->db->sync(t->db, 0);
	}
	(void)trackdb_lock(t, F_UNLCK, err);
	if (ret != 0)
		return err_set(err, ERR_TEMP, "tracking database %s: %s",
			       t->path, bdb_strerror(ret));
	return n;
}
