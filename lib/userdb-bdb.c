/* userdb-bdb.c - a Berkeley DB map of passwd-file entries: the backend
 * (bdb:PATH) and the builder (`sluice userdb build`) */
#include "auto-config.h"
#include "userdb-private.h"
#include "buf.h"
#include "log.h"
#include "xalloc.h"

#include "bdb.h"
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* A key no entry can have (names end at the first ':' and a line
 * starting with ':' is no entry): "yes" if some key holds an '@', so a
 * lookup knows whether the bare-name fallback applies (see userdb.h). A
 * database built by other tools lacks it; then the keys are scanned
 * once per open. */
#define BDB_META_AT_KEYS ":sluice-at-keys"

/* Berkeley DB cache while building a map */
#define BDB_BUILD_CACHE (32u * 1024 * 1024)

struct bdb_backend {
	struct userdb_backend be;
	char *path;
	DB *db;
	struct userdb_file_stamp stamp;
	int has_at;
};

/* Berkeley DB reports details through a callback, not the return code */
static char bdb_errtext[256];

static void bdb_errcall(const DB_ENV *env, const char *pfx, const char *msg)
{
	(void)env;
	(void)pfx;
	(void)snprintf(bdb_errtext, sizeof(bdb_errtext), "%s", msg);
}

/* bdb_errstr - the callback's text if any, else db_strerror */
static const char *bdb_errstr(int ret)
{
	return bdb_errtext[0] != '\0' ? bdb_errtext : bdb_strerror(ret);
}

/* bdb_scan_at - does any key hold an '@'? (databases without the meta
 * key); 1 / 0, -1 on error */
static int bdb_scan_at(DB *db)
{
	DBC *cur = NULL;
	DBT k, v;
	int ret, found = 0;

	if (db->cursor(db, NULL, &cur, 0) != 0)
		return -1;
	memset(&k, 0, sizeof(k));
	memset(&v, 0, sizeof(v));
	while ((ret = cur->get(cur, &k, &v, DB_NEXT)) == 0) {
		if (memchr(k.data, '@', k.size) != NULL) {
			found = 1;
			break;
		}
	}
	(void)cur->close(cur);
	return ret == 0 || ret == DB_NOTFOUND ? found : -1;
}

/* bdb_get - value for key (also tried with a trailing NUL, as postmap
 * writes them): 1 with a pool copy, 0 absent, -1 error (err set) */
static int bdb_get(struct bdb_backend *b, struct pool *pool, const char *key,
		   char **val_r, size_t *len_r, struct sl_err *err)
{
	size_t klen = strlen(key);
	DBT k, v;
	int ret = DB_NOTFOUND, nul;

	for (nul = 0; nul < 2 && ret == DB_NOTFOUND; nul++) {
		memset(&k, 0, sizeof(k));
		memset(&v, 0, sizeof(v));
		k.data = (void *)key;
		k.size = (u_int32_t)(klen + (size_t)nul);
		ret = b->db->get(b->db, NULL, &k, &v, 0);
	}
	if (ret == DB_NOTFOUND)
		return 0;
	if (ret != 0) {
		userdb_tempfail(err, "bdb %s: get %s: %s", b->path, key,
				bdb_errstr(ret));
		return -1;
	}
	*len_r = v.size;
	if (nul == 2 && *len_r > 0 && ((char *)v.data)[*len_r - 1] == '\0')
		(*len_r)--;
	if (*len_r > USERDB_LINE_MAX || memchr(v.data, '\0', *len_r) != NULL ||
	    memchr(v.data, '\n', *len_r) != NULL) {
		userdb_tempfail(err, "bdb %s: corrupt value for %s", b->path, key);
		return -1;
	}
	*val_r = pool_strndup(pool, v.data, *len_r);
	return 1;
}

static void bdb_close_db(struct bdb_backend *b)
{
	if (b->db != NULL)
		(void)b->db->close(b->db, 0);
	b->db = NULL;
}

/* bdb_check_db - after open: a hash or btree, its stamp, the '@' flag */
static int bdb_check_db(struct bdb_backend *b, struct sl_err *err)
{
	DBTYPE type;
	struct stat st;
	struct pool *tmp;
	char *meta;
	size_t len;
	int fd, r;

	if (b->db->get_type(b->db, &type) != 0 ||
	    (type != DB_HASH && type != DB_BTREE))
		return userdb_tempfail(err, "bdb %s: not a hash or btree "
				       "database", b->path);
	if (b->db->fd(b->db, &fd) != 0 || fstat(fd, &st) < 0)
		return userdb_tempfail(err, "bdb %s: cannot stat the open "
				       "database", b->path);
	userdb_file_stamp_set(&b->stamp, &st);
	tmp = pool_new(256);
	r = bdb_get(b, tmp, BDB_META_AT_KEYS, &meta, &len, err);
	if (r > 0)
		b->has_at = strcmp(meta, "no") != 0;
	pool_free(&tmp);
	if (r < 0)
		return -1;
	if (r == 0 && (b->has_at = bdb_scan_at(b->db)) < 0)
		return userdb_tempfail(err, "bdb %s: cannot read the keys",
				       b->path);
	return 0;
}

/* bdb_reopen - open the database, or reopen it if the file was replaced */
static int bdb_reopen(struct bdb_backend *b, struct sl_err *err)
{
	struct stat st;
	int ret;

	if (stat(b->path, &st) < 0) {
		bdb_close_db(b);
		return userdb_tempfail_errno(err, errno, "bdb %s", b->path);
	}
	if (b->db != NULL && userdb_file_stamp_equal(&b->stamp, &st))
		return 0;
	bdb_close_db(b);
	bdb_errtext[0] = '\0';
	if (bdb_create(&b->db, err) < 0) {
		char why[sizeof(err->text)];

		b->db = NULL;
		(void)snprintf(why, sizeof(why), "%s", err->text);
		return userdb_tempfail(err, "bdb %s: %s", b->path, why);
	}
	b->db->set_errcall(b->db, bdb_errcall);
	ret = b->db->open(b->db, NULL, b->path, NULL, DB_UNKNOWN, DB_RDONLY, 0);
	if (ret != 0) {
		userdb_tempfail(err, "bdb %s: cannot open: %s", b->path,
				ret > 0 ? strerror(ret) : bdb_errstr(ret));
		bdb_close_db(b);
		return -1;
	}
	if (bdb_check_db(b, err) < 0) {
		bdb_close_db(b);
		return -1;
	}
	return 0;
}

enum userdb_result userdb_bdb_find(struct userdb_backend *be,
				   struct pool *pool,
				   const struct userdb_query *q,
				   struct userdb_entry *e, struct sl_err *err)
{
	struct bdb_backend *b = (struct bdb_backend *)be;
	const char *key = q->user;
	char *val;
	size_t len;
	int r;

	if (bdb_reopen(b, err) < 0)
		return USERDB_TEMPFAIL;
	r = bdb_get(b, pool, key, &val, &len, err);
	if (r == 0 && q->domain != NULL && !b->has_at) {
		key = q->localpart;
		r = bdb_get(b, pool, key, &val, &len, err);
	}
	if (r <= 0)
		return r < 0 ? USERDB_TEMPFAIL : USERDB_NOTFOUND;
	e->key = key;
	e->rest = val;
	e->rest_len = len;
	e->lineno = 0;
	return USERDB_FOUND;
}

static enum userdb_result bdb_lookup(struct userdb_backend *be,
				     struct pool *pool,
				     const struct userdb_query *q,
				     struct user_record **rec_r,
				     struct sl_err *err)
{
	struct bdb_backend *b = (struct bdb_backend *)be;
	struct userdb_entry e;
	struct user_record *rec;
	enum userdb_result r = userdb_bdb_find(be, pool, q, &e, err);
	char what[320];

	if (r != USERDB_FOUND)
		return r;
	rec = userdb_record_new(pool, q, e.key);
	(void)snprintf(what, sizeof(what), "bdb %s (%s)", b->path, e.key);
	if (userdb_entry_parse(pool, e.rest, e.rest_len, rec, what, err) < 0)
		return USERDB_TEMPFAIL;
	rec->source = "bdb";
	*rec_r = rec;
	return USERDB_FOUND;
}

static int bdb_init(const char *args, struct userdb_backend **be_r,
		    struct sl_err *err)
{
	struct bdb_backend *b;

	if (args == NULL || *args == '\0')
		return err_set(err, ERR_USAGE, "userdb: bdb needs a path: "
			       "bdb:PATH");
	b = xcalloc(1, sizeof(*b));
	b->be.v = &userdb_bdb;
	b->path = xstrdup(args);
	*be_r = &b->be;
	return 0;
}

static void bdb_deinit(struct userdb_backend **be)
{
	struct bdb_backend *b = (struct bdb_backend *)*be;

	bdb_close_db(b);
	free(b->path);
	free(b);
	*be = NULL;
}

const struct userdb_backend_vfuncs userdb_bdb = {
	"bdb", bdb_init, bdb_deinit, bdb_lookup,
};

/* ---- userdb_build ---- */

struct bdb_build {
	const char *textpath, *tmppath;
	DB *db;
	int has_at;
};

/* build_put - one key/value; DB_NOOVERWRITE keeps the first entry */
static int build_put(struct bdb_build *bb, const char *key, size_t klen,
		     const char *val, size_t vlen, unsigned long lineno,
		     struct sl_err *err)
{
	DBT k, v;
	int ret;

	memset(&k, 0, sizeof(k));
	memset(&v, 0, sizeof(v));
	k.data = (void *)key;
	k.size = (u_int32_t)klen;
	v.data = (void *)val;
	v.size = (u_int32_t)vlen;
	ret = bb->db->put(bb->db, NULL, &k, &v, DB_NOOVERWRITE);
	if (ret == DB_KEYEXIST) {
		log_warning("userdb build: %s line %lu: user %.*s exists more "
			    "than once; the first entry is kept", bb->textpath,
			    lineno, (int)klen, key);
		return 0;
	}
	if (ret != 0)
		return err_set(err, ERR_TEMP, "%s: write: %s", bb->tmppath,
			       bdb_errstr(ret));
	return 0;
}

/* build_fill - every entry of the text file into the database */
static int build_fill(struct bdb_build *bb, int fd, struct sl_err *err)
{
	struct userdb_line_reader r;
	const char *line;
	size_t len, klen;
	int n;

	userdb_line_reader_init(&r, fd, bb->textpath);
	while ((n = userdb_line_next(&r, &line, &len, err)) > 0) {
		if (!userdb_line_is_entry(line, len))
			continue;
		klen = userdb_line_key_len(line, len);
		if (memchr(line, '@', klen) != NULL)
			bb->has_at = 1;
		if (build_put(bb, line, klen, line + klen + (klen < len),
			      len - klen - (klen < len), r.lineno, err) < 0) {
			n = -1;
			break;
		}
	}
	userdb_line_reader_deinit(&r);
	if (n < 0)
		return -1;
	return build_put(bb, BDB_META_AT_KEYS, strlen(BDB_META_AT_KEYS),
			 bb->has_at ? "yes" : "no", bb->has_at ? 3 : 2, 0, err);
}

/* build_create - the temp database, with the text file's mode (and
 * owner, as root): it holds the password hashes too */
static int build_create(struct bdb_build *bb, const struct stat *st,
			struct sl_err *err)
{
	int ret, fd;

	bdb_errtext[0] = '\0';
	if (bdb_create(&bb->db, err) < 0) {
		bb->db = NULL;
		return -1;
	}
	bb->db->set_errcall(bb->db, bdb_errcall);
	/* a cache big enough that a large map is not written out page by
	 * page while it is built (the default is 256K) */
	(void)bb->db->set_cachesize(bb->db, 0, BDB_BUILD_CACHE, 1);
	ret = bb->db->open(bb->db, NULL, bb->tmppath, NULL, DB_HASH,
			   DB_CREATE | DB_EXCL, 0600);
	if (ret != 0)
		return err_set(err, ERR_TEMP, "create %s: %s", bb->tmppath,
			       ret > 0 ? strerror(ret) : bdb_errstr(ret));
	if (bb->db->fd(bb->db, &fd) != 0)
		return err_set(err, ERR_TEMP, "%s: no file descriptor",
			       bb->tmppath);
	if (geteuid() == 0 && fchown(fd, st->st_uid, st->st_gid) < 0)
		return err_set_errno(err, errno, "chown %s", bb->tmppath);
	if (fchmod(fd, st->st_mode & 0666) < 0)
		return err_set_errno(err, errno, "chmod %s", bb->tmppath);
	return 0;
}

/* build_commit - close (flushes), fsync, rename into place, fsync the
 * directory */
static int build_commit(struct bdb_build *bb, const char *dbpath,
			struct sl_err *err)
{
	const char *slash = strrchr(dbpath, '/');
	char *dir;
	int ret, fd;

	ret = bb->db->close(bb->db, 0);
	bb->db = NULL;
	if (ret != 0)
		return err_set(err, ERR_TEMP, "close %s: %s", bb->tmppath,
			       bdb_errstr(ret));
	if ((fd = open(bb->tmppath, O_RDONLY | O_CLOEXEC)) < 0 ||
	    fsync(fd) < 0) {
		err_set_errno(err, errno, "fsync %s", bb->tmppath);
		if (fd >= 0)
			(void)close(fd);
		return -1;
	}
	(void)close(fd);
	if (rename(bb->tmppath, dbpath) < 0)
		return err_set_errno(err, errno, "rename %s to %s", bb->tmppath,
				     dbpath);
	dir = slash == NULL ? xstrdup(".")
		: xstrndup(dbpath, slash == dbpath ? 1 : (size_t)(slash - dbpath));
	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
		if (fsync(fd) < 0)
			ret = err_set_errno(err, errno, "fsync %s", dir);
		(void)close(fd);
	}
	free(dir);
	return ret;
}

int userdb_build(const char *textpath, const char *dbpath,
		 struct sl_err *err)
{
	struct bdb_build bb;
	struct buf tmp = BUF_INIT;
	struct stat st;
	int fd, ret = -1;

	memset(&bb, 0, sizeof(bb));
	bb.textpath = textpath;
	if ((fd = open(textpath, O_RDONLY | O_CLOEXEC | O_NOCTTY)) < 0)
		return err_set_errno(err, errno, "open %s", textpath);
	if (fstat(fd, &st) < 0) {
		err_set_errno(err, errno, "fstat %s", textpath);
		(void)close(fd);
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		err_set(err, ERR_PERM, "%s: not a regular file", textpath);
		(void)close(fd);
		return -1;
	}
	buf_printf(&tmp, "%s.tmp.%ld", dbpath, (long)getpid());
	bb.tmppath = buf_cstr(&tmp);
	if (unlink(bb.tmppath) < 0 && errno != ENOENT) {
		err_set_errno(err, errno, "unlink stale %s", bb.tmppath);
	} else if (build_create(&bb, &st, err) == 0 &&
		   build_fill(&bb, fd, err) == 0 &&
		   build_commit(&bb, dbpath, err) == 0) {
		ret = 0;
	}
	(void)close(fd);
	if (ret < 0) {
		if (bb.db != NULL)
			(void)bb.db->close(bb.db, 0);
		(void)unlink(bb.tmppath);
	}
	buf_free(&tmp);
	return ret;
}
