/* mbox-folder.c - folders: one mbox file each under the root
 *
 * "Lists/Debian" (or "Lists.Debian") is ROOT/Lists/Debian; the
 * directories between hold folders and are not folders themselves.
 * Names on disk with a '.' can never be folders ('.' separates levels),
 * so dotlocks (NAME.lock) and our temporary files (.NAME.*) are skipped.
 */
#include "auto-config.h"
#include "mbox/mbox-private.h"
#include "lib/xalloc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int mbox_folder_exists(struct store *store, const char *folder,
		       struct sl_err *err)
{
	struct mbox_store *st = (struct mbox_store *)store;
	struct buf path = BUF_INIT;
	struct stat sb;
	int inbox, ret;

	if (mbox_path(st, folder, &path, &inbox, err) < 0) {
		buf_free(&path);
		return -1;
	}
	if (inbox) {
		ret = 1; /* a missing INBOX file is an empty INBOX */
	} else if (stat(path.data, &sb) == 0) {
		ret = S_ISREG(sb.st_mode) ? 1 : 0;
	} else if (errno == ENOENT || errno == ENOTDIR) {
		ret = 0;
	} else {
		ret = err_set_errno(err, errno, "cannot stat %s", path.data);
		err->cls = ERR_TEMP;
	}
	buf_free(&path);
	return ret;
}

/* folder_create_file - the new empty mbox, durable */
static int folder_create_file(const char *path, const char *folder,
			      struct sl_err *err)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOCTTY,
		      0600);
	struct stat sb;

	if (fd < 0 && errno == EEXIST && stat(path, &sb) == 0 &&
	    S_ISDIR(sb.st_mode))
		return err_set(err, ERR_PERM,
			       "folder %s is a directory of "
			       "folders and cannot hold messages",
			       folder);
	if (fd < 0 && errno == EEXIST)
		return err_set(err, ERR_EXISTS, "folder %s already exists",
			       folder);
	if (fd < 0 && errno == ENOTDIR)
		return err_set(err, ERR_PERM,
			       "cannot create folder %s: a "
			       "parent folder is an mbox file",
			       folder);
	if (fd < 0) {
		err_set_errno(err, errno, "cannot create folder %s (%s)",
			      folder, path);
		if (err->cls == ERR_NOTFOUND || err->cls == ERR_EXISTS)
			err->cls = ERR_TEMP;
		return -1;
	}
	if (fsync(fd) < 0) {
		err_set_errno(err, errno, "cannot fsync %s", path);
		err->cls = ERR_TEMP;
		(void)close(fd);
		return -1;
	}
	(void)close(fd);
	return mbox_fsync_dir(path, err);
}

int mbox_folder_create(struct store *store, const char *folder,
		       struct sl_err *err)
{
	struct mbox_store *st = (struct mbox_store *)store;
	struct buf path = BUF_INIT;
	char *slash;
	int inbox, ret = -1;

	if (mbox_path(st, folder, &path, &inbox, err) < 0)
		goto out;
	if (!inbox) {
		slash = strrchr(path.data, '/');
		*slash = '\0';
		ret = mbox_mkdirs(path.data, err);
		*slash = '/';
		if (ret < 0)
			goto out;
	}
	ret = folder_create_file(path.data, folder, err);
out:
	buf_free(&path);
	return ret;
}

struct folder_walk {
	struct pool *pool;
	const char *inbox; /* the INBOX file, never listed as a folder */
	const char **names;
	size_t count, cap;
};

static void walk_add(struct folder_walk *w, const char *name)
{
	if (w->count == w->cap) {
		w->cap = w->cap == 0 ? 16 : size_mul(w->cap, 2);
		w->names = xreallocarray(w->names, w->cap, sizeof(*w->names));
	}
	w->names[w->count++] = pool_strdup(w->pool, name);
}

/* walk_dir - add the mbox files below dir; rel is the folder prefix */
static int walk_dir(struct folder_walk *w, struct buf *dir, struct buf *rel,
		    int depth, struct sl_err *err)
{
	DIR *d;
	struct dirent *de;
	size_t dlen = dir->len, rlen = rel->len;
	int ret = 0;

	d = opendir(dir->data);
	if (d == NULL) {
		if (errno == ENOENT || errno == ENOTDIR)
			return 0;
		err_set_errno(err, errno, "cannot list %s", dir->data);
		err->cls = ERR_TEMP;
		return -1;
	}
	while (ret == 0 && (de = readdir(d)) != NULL) {
		struct stat sb;
		struct sl_err name_err;

		if (strchr(de->d_name, '.') != NULL ||
		    (depth == 0 && store_folder_is_inbox(de->d_name)))
			continue;
		buf_truncate(dir, dlen);
		buf_truncate(rel, rlen);
		buf_printf(dir, "/%s", de->d_name);
		buf_printf(rel, "%s%s", rlen > 0 ? "/" : "", de->d_name);
		if (store_folder_name_check(rel->data, &name_err) < 0 ||
		    strcmp(dir->data, w->inbox) == 0 ||
		    lstat(dir->data, &sb) < 0)
			continue;
		if (S_ISLNK(sb.st_mode) &&
		    (stat(dir->data, &sb) < 0 || !S_ISREG(sb.st_mode)))
			continue; /* no walks through linked dirs */
		if (S_ISREG(sb.st_mode))
			walk_add(w, rel->data);
		else if (S_ISDIR(sb.st_mode) &&
			 depth + 1 < MBOX_FOLDER_DEPTH_MAX)
			ret = walk_dir(w, dir, rel, depth + 1, err);
	}
	(void)closedir(d);
	buf_truncate(dir, dlen);
	buf_truncate(rel, rlen);
	return ret;
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int mbox_folder_list(struct store *store, struct pool *pool,
		     const char ***names_r, size_t *count_r, struct sl_err *err)
{
	struct mbox_store *st = (struct mbox_store *)store;
	struct folder_walk w;
	struct buf dir = BUF_INIT, rel = BUF_INIT;
	int ret;

	memset(&w, 0, sizeof(w));
	w.pool = pool;
	w.inbox = st->inbox;
	walk_add(&w, "INBOX");
	buf_append_str(&dir, st->root);
	buf_append_str(&rel, "");
	ret = walk_dir(&w, &dir, &rel, 0, err);
	if (ret == 0) {
		qsort(w.names + 1, w.count - 1, sizeof(*w.names), name_cmp);
		*names_r =
		    pool_memdup(pool, w.names, w.count * sizeof(*w.names));
		*count_r = w.count;
	}
	free(w.names);
	buf_free(&dir);
	buf_free(&rel);
	return ret;
}
