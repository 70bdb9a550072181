/* maildir-msg.c - reading for the access daemons: list, open, read,
 * flags (renames between new/ and cur/), expunge */
#include "auto-config.h"
#include "maildir-private.h"

#include "lib/log.h"
#include "lib/xalloc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct maildir_reader {
	struct store_reader r;
	int fd;
};

/* a growing vector of entries during a scan */
struct maildir_scan {
	struct pool *pool;
	struct maildir_entry *v;
	size_t n, cap;
};

void maildir_msg_forget(struct maildir_store *st)
{
	pool_free(&st->scan_pool);
	free(st->scan);
	st->scan = NULL;
	st->scan_count = 0;
	st->scan_dir = NULL;
}

/* maildir_msg_add - one directory entry of sub/ as a message, if it is a
 * regular file; entries that vanish under us are skipped */
static int maildir_msg_add(struct maildir_scan *sc, DIR *d, const char *sub,
			   const char *name, struct sl_err *err)
{
	struct maildir_entry *e;
	struct stat sb;

	if (fstatat(dirfd(d), name, &sb, 0) < 0) {
		if (errno == ENOENT)
			return 0;
		return maildir_err(err, errno, "stat %s/%s", sub, name);
	}
	if (!S_ISREG(sb.st_mode))
		return 0;
	if (sc->n == sc->cap) {
		sc->cap = sc->cap == 0 ? 64 : size_mul(sc->cap, 2);
		sc->v = xreallocarray(sc->v, sc->cap, sizeof(*sc->v));
	}
	e = &sc->v[sc->n++];
	e->id = pool_strndup(sc->pool, name, strcspn(name, ":"));
	e->file = pool_printf(sc->pool, "%s/%s", sub, name);
	if (!maildir_uniq_size(name, &e->size))
		e->size = (uint64_t)sb.st_size;
	e->flags = maildir_uniq_flags(name);
	e->mtime = sb.st_mtime;
	return 0;
}

/* maildir_msg_scan_sub - every message in dir/sub */
static int maildir_msg_scan_sub(struct maildir_scan *sc, const char *dir,
				const char *sub, struct sl_err *err)
{
	struct buf path = BUF_INIT;
	struct dirent *de;
	struct stat sb;
	int ret = 0;
	DIR *d;

	buf_printf(&path, "%s/%s", dir, sub);
	d = opendir(path.data);
	if (d == NULL) {
		if (errno != ENOENT)
			ret = maildir_err(err, errno, "open %s", path.data);
		else if (stat(dir, &sb) < 0)
			ret = err_set(err, ERR_NOTFOUND,
				      "folder %s does not exist", dir);
		buf_free(&path);
		return ret;	/* a lost new/ or cur/ holds nothing */
	}
	while (ret == 0 && (errno = 0, de = readdir(d)) != NULL) {
		if (de->d_name[0] != '.')
			ret = maildir_msg_add(sc, d, sub, de->d_name, err);
	}
	if (ret == 0 && errno != 0)
		ret = maildir_err(err, errno, "read %s", path.data);
	(void)closedir(d);
	buf_free(&path);
	return ret;
}

/* maildir_msg_cmp - by id; for one id twice (a copy caught mid-move),
 * the cur/ file first */
static int maildir_msg_cmp(const void *a, const void *b)
{
	const struct maildir_entry *x = a, *y = b;
	int c = strcmp(x->id, y->id);

	return c != 0 ? c : -strcmp(x->file, y->file);
}

/* maildir_msg_rescan - read dir's new/ and cur/ into the store's cache */
static int maildir_msg_rescan(struct maildir_store *st, const char *dir,
			      struct sl_err *err)
{
	struct maildir_scan sc = { NULL, NULL, 0, 0 };
	size_t i, n;

	maildir_msg_forget(st);
	sc.pool = pool_new(16384);
	if (maildir_msg_scan_sub(&sc, dir, "new", err) < 0 ||
	    maildir_msg_scan_sub(&sc, dir, "cur", err) < 0) {
		pool_free(&sc.pool);
		free(sc.v);
		return -1;
	}
	if (sc.n > 1)
		qsort(sc.v, sc.n, sizeof(*sc.v), maildir_msg_cmp);
	for (i = n = 0; i < sc.n; i++) {
		if (n > 0 && strcmp(sc.v[n - 1].id, sc.v[i].id) == 0)
			continue;
		sc.v[n++] = sc.v[i];
	}
	st->scan_pool = sc.pool;
	st->scan = sc.v;
	st->scan_count = n;
	st->scan_dir = pool_strdup(sc.pool, dir);
	return 0;
}

/* maildir_msg_lookup - id in the cache, or NULL */
static struct maildir_entry *maildir_msg_lookup(struct maildir_store *st,
						const char *id)
{
	size_t lo = 0, hi = st->scan_count;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(id, st->scan[mid].id);

		if (c == 0)
			return &st->scan[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return NULL;
}

/* an operation on one message file: 0 done, -1 failed (errno) */
typedef int maildir_msg_op(const char *dir, const char *file, void *ctx);

/* maildir_msg_try - op on dir/file; 1 done, 0 no such file, -1 error */
static int maildir_msg_try(const char *dir, const char *file,
			   maildir_msg_op *op, void *ctx, struct sl_err *err)
{
	if (op(dir, file, ctx) == 0)
		return 1;
	if (errno == ENOENT)
		return 0;
	return maildir_err(err, errno, "%s/%s", dir, file);
}

/* maildir_msg_apply - op on message id wherever it is: new/ID first (a
 * fresh delivery), then the name a scan found; a file that is gone means
 * someone else moved it, so rescan once. 1 done, 0 not found, -1 error */
static int maildir_msg_apply(struct maildir_store *st, const char *dir,
			     const char *id, maildir_msg_op *op, void *ctx,
			     struct sl_err *err)
{
	struct buf file = BUF_INIT;
	struct maildir_entry *e;
	int r, rescanned = 0;

	buf_printf(&file, "new/%s", id);
	r = maildir_msg_try(dir, file.data, op, ctx, err);
	if (r != 0)
		goto out;
	if (st->scan_dir == NULL || strcmp(st->scan_dir, dir) != 0) {
		if ((r = maildir_msg_rescan(st, dir, err)) < 0)
			goto out;
		rescanned = 1;
	}
	for (;;) {
		e = maildir_msg_lookup(st, id);
		if (e != NULL && strcmp(e->file, file.data) != 0 &&
		    (r = maildir_msg_try(dir, e->file, op, ctx, err)) != 0)
			goto out;
		r = 0;
		if (rescanned || (r = maildir_msg_rescan(st, dir, err)) < 0)
			goto out;
		rescanned = 1;
	}
out:
	buf_free(&file);
	return r;
}

/* maildir_msg_dir - the folder's directory, with the id checked too */
static int maildir_msg_dir(struct maildir_store *st, const char *folder,
			   const char *id, struct buf *dir, struct sl_err *err)
{
	if (maildir_folder_dir(st, folder, dir, err) < 0)
		return -1;
	return id != NULL ? maildir_uniq_id_check(id, err) : 0;
}

int maildir_msg_list(struct store *s, const char *folder, struct pool *pool,
		     struct store_msg_info **msgs_r, size_t *count_r,
		     struct sl_err *err)
{
	struct maildir_store *st = (struct maildir_store *)s;
	struct buf dir = BUF_INIT;
	struct store_msg_info *msgs;
	size_t i;

	if (maildir_msg_dir(st, folder, NULL, &dir, err) < 0 ||
	    maildir_msg_rescan(st, dir.data, err) < 0) {
		buf_free(&dir);
		return -1;
	}
	buf_free(&dir);
	msgs = pool_alloc_array(pool, st->scan_count > 0 ? st->scan_count : 1,
				sizeof(*msgs));
	for (i = 0; i < st->scan_count; i++) {
		msgs[i].id = pool_strdup(pool, st->scan[i].id);
		msgs[i].size = st->scan[i].size;
		msgs[i].flags = st->scan[i].flags;
		msgs[i].received = st->scan[i].mtime;
	}
	*msgs_r = msgs;
	*count_r = st->scan_count;
	return 0;
}

/* maildir_msg_op_open - open for reading; ctx is the int fd */
static int maildir_msg_op_open(const char *dir, const char *file, void *ctx)
{
	struct buf path = BUF_INIT;
	int *fd = ctx;

	buf_printf(&path, "%s/%s", dir, file);
	*fd = open(path.data, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	buf_free(&path);
	return *fd < 0 ? -1 : 0;
}

int maildir_msg_open(struct store *s, const char *folder, const char *id,
		     struct store_reader **reader_r, struct sl_err *err)
{
	struct maildir_store *st = (struct maildir_store *)s;
	struct maildir_reader *rd;
	struct buf dir = BUF_INIT;
	int fd = -1, r;

	*reader_r = NULL;
	r = maildir_msg_dir(st, folder, id, &dir, err);
	if (r == 0)
		r = maildir_msg_apply(st, dir.data, id, maildir_msg_op_open,
				      &fd, err);
	if (r == 0)
		err_set(err, ERR_NOTFOUND, "no message %s in %s", id, folder);
	buf_free(&dir);
	if (r <= 0)
		return -1;
	rd = xcalloc(1, sizeof(*rd));
	rd->r.v = st->st.v;
	rd->fd = fd;
	*reader_r = &rd->r;
	return 0;
}

ssize_t maildir_msg_read(struct store_reader *r, void *data, size_t len,
			 struct sl_err *err)
{
	struct maildir_reader *rd = (struct maildir_reader *)r;
	ssize_t n;

	do {
		n = read(rd->fd, data, len);
	} while (n < 0 && errno == EINTR);
	if (n < 0)
		return maildir_err(err, errno, "read message");
	return n;
}

void maildir_msg_close(struct store_reader **r)
{
	struct maildir_reader *rd = (struct maildir_reader *)*r;

	if (rd == NULL)
		return;
	(void)close(rd->fd);
	free(rd);
	*r = NULL;
}

struct maildir_flags_ctx {
	const char *id;
	unsigned flags;
	struct buf to;		/* the new name, "cur/ID:2,LETTERS" */
};

/* maildir_msg_op_flags - rename to cur/ with the new info part */
static int maildir_msg_op_flags(const char *dir, const char *file, void *ctx)
{
	struct maildir_flags_ctx *fc = ctx;
	struct buf from = BUF_INIT, to = BUF_INIT;
	int r = 0;

	buf_reset(&fc->to);
	buf_printf(&fc->to, "cur/%s", fc->id);
	maildir_uniq_info(&fc->to, fc->flags, file);
	if (strcmp(fc->to.data, file) != 0) {
		buf_printf(&from, "%s/%s", dir, file);
		buf_printf(&to, "%s/%s", dir, fc->to.data);
		r = rename(from.data, to.data);
		buf_free(&from);
		buf_free(&to);
	}
	return r;
}

int maildir_msg_set_flags(struct store *s, const char *folder,
			  const char *id, unsigned flags, struct sl_err *err)
{
	struct maildir_store *st = (struct maildir_store *)s;
	struct maildir_flags_ctx fc = { id, flags, BUF_INIT };
	struct maildir_entry *e;
	struct buf dir = BUF_INIT;
	int r;

	r = maildir_msg_dir(st, folder, id, &dir, err);
	if (r == 0)
		r = maildir_msg_apply(st, dir.data, id, maildir_msg_op_flags,
				      &fc, err);
	if (r == 0)
		err_set(err, ERR_NOTFOUND, "no message %s in %s", id, folder);
	if (r > 0 && st->scan_dir != NULL &&
	    strcmp(st->scan_dir, dir.data) == 0 &&
	    (e = maildir_msg_lookup(st, id)) != NULL) {
		e->file = pool_strdup(st->scan_pool, fc.to.data);
		e->flags = flags;
	}
	buf_free(&fc.to);
	buf_free(&dir);
	return r > 0 ? 0 : -1;
}

/* maildir_msg_op_unlink - remove the file */
static int maildir_msg_op_unlink(const char *dir, const char *file,
				 void *ctx)
{
	struct buf path = BUF_INIT;
	int r;

	(void)ctx;
	buf_printf(&path, "%s/%s", dir, file);
	r = unlink(path.data);
	buf_free(&path);
	return r;
}

int maildir_msg_expunge(struct store *s, const char *folder,
			const char *const *ids, size_t count,
			struct sl_err *err)
{
	struct maildir_store *st = (struct maildir_store *)s;
	struct buf dir = BUF_INIT;
	size_t i;
	int ret = 0;

	if (maildir_folder_dir(st, folder, &dir, err) < 0) {
		buf_free(&dir);
		return -1;
	}
	for (i = 0; i < count && ret == 0; i++) {
		/* one already gone was expunged by someone else: fine */
		if (maildir_uniq_id_check(ids[i], err) < 0 ||
		    maildir_msg_apply(st, dir.data, ids[i],
				      maildir_msg_op_unlink, NULL, err) < 0)
			ret = -1;
	}
	buf_free(&dir);
	return ret;
}
