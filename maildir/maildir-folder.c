/* maildir-folder.c - Maildir++ folders: names on disk, create, list */
#include "auto-config.h"
#include "maildir-private.h"

#include "lib/log.h"
#include "lib/mutf7.h"
#include "lib/xalloc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int maildir_folder_dir(struct maildir_store *st, const char *folder,
		       struct buf *dir, struct sl_err *err)
{
	const char *p = folder, *sep;
	size_t start;

	buf_append_str(dir, st->root);
	if (store_folder_is_inbox(folder))
		return 0;
	if (store_folder_name_check(folder, err) < 0)
		return -1;
	buf_append_char(dir, '/');
	start = dir->len;
	/* "Lists/Debian" and "Lists.Debian" are both ".Lists.Debian" */
	for (;;) {
		sep = p + strcspn(p, "/.");
		buf_append_char(dir, '.');
		if (mutf7_encode(p, (size_t)(sep - p), dir, err) < 0)
			return -1;
		if (*sep == '\0')
			break;
		p = sep + 1;
	}
	if (dir->len - start > MAILDIR_NAME_MAX)
		return err_set(err, ERR_PERM, "folder name '%s' is too long "
			       "once encoded for the file system", folder);
	/* belt and braces: one entry right below the root, never . or .. */
	if (memchr(dir->data + start, '/', dir->len - start) != NULL ||
	    strcmp(dir->data + start, ".") == 0 ||
	    strcmp(dir->data + start, "..") == 0)
		return err_set(err, ERR_PERM, "folder name '%s' refused",
			       folder);
	return 0;
}

/* maildir_mkdir - 1 made, 0 was there, -1 failed (errno) */
static int maildir_mkdir(const char *path)
{
	if (mkdir(path, MAILDIR_DIR_MODE) == 0)
		return 1;
	return errno == EEXIST ? 0 : -1;
}

/* maildir_fsync_parent - make path's own entry durable */
static int maildir_fsync_parent(const char *path, struct sl_err *err)
{
	const char *slash = strrchr(path, '/');
	char *parent;
	int ret;

	if (slash == NULL)
		return maildir_fsync_dir(".", err);
	parent = xstrndup(path, slash == path ? 1 : (size_t)(slash - path));
	ret = maildir_fsync_dir(parent, err);
	free(parent);
	return ret;
}

/* maildir_mkdir_parents - the missing directories above dir */
static int maildir_mkdir_parents(const char *dir, struct sl_err *err)
{
	char *path = xstrdup(dir);
	size_t i;
	int r = 0;

	for (i = 1; path[i] != '\0' && r >= 0; i++) {
		if (path[i] != '/')
			continue;
		path[i] = '\0';
		r = maildir_mkdir(path);
		if (r < 0)
			r = maildir_err(err, errno, "create %s", path);
		else if (r > 0)
			r = maildir_fsync_parent(path, err);
		path[i] = '/';
	}
	free(path);
	return r < 0 ? -1 : 0;
}

int maildir_mkdirs(const char *dir, int parents, struct sl_err *err)
{
	static const char *const subs[] = { "tmp", "new", "cur" };
	struct buf sub = BUF_INIT;
	int made_dir, made_sub = 0, r, ret = -1;
	size_t i;

	made_dir = maildir_mkdir(dir);
	if (made_dir < 0 && errno == ENOENT && parents) {
		if (maildir_mkdir_parents(dir, err) < 0)
			return -1;
		made_dir = maildir_mkdir(dir);
	}
	if (made_dir < 0)
		return maildir_err(err, errno, "create %s", dir);
	/* cur/ last: open() takes an existing cur/ for a whole Maildir */
	for (i = 0; i < sizeof(subs) / sizeof(subs[0]); i++) {
		buf_reset(&sub);
		buf_printf(&sub, "%s/%s", dir, subs[i]);
		r = maildir_mkdir(sub.data);
		if (r < 0) {
			maildir_err(err, errno, "create %s", sub.data);
			goto out;
		}
		made_sub |= r;
	}
	/* a message fsync'd into a folder nobody can find is lost */
	if (made_sub && maildir_fsync_dir(dir, err) < 0)
		goto out;
	if (made_dir && maildir_fsync_parent(dir, err) < 0)
		goto out;
	ret = 0;
out:
	buf_free(&sub);
	return ret;
}

int maildir_folder_repair(struct maildir_store *st, const char *dir,
			  struct sl_err *err)
{
	struct stat sb;

	if (strcmp(dir, st->root) == 0)
		return maildir_mkdirs(dir, 1, err);
	if (stat(dir, &sb) < 0 || !S_ISDIR(sb.st_mode))
		return err_set(err, ERR_NOTFOUND, "folder %s does not exist",
			       dir);
	log_warning("maildir: %s lost its tmp/, new/ or cur/; recreating", dir);
	return maildir_mkdirs(dir, 0, err);
}

int maildir_folder_exists(struct store *s, const char *folder,
			  struct sl_err *err)
{
	struct maildir_store *st = (struct maildir_store *)s;
	struct buf dir = BUF_INIT;
	struct stat sb;
	int ret;

	if (store_folder_is_inbox(folder))
		return 1;
	if (maildir_folder_dir(st, folder, &dir, err) < 0)
		ret = -1;
	else if (stat(dir.data, &sb) == 0)
		ret = S_ISDIR(sb.st_mode) ? 1 : 0;
	else if (errno == ENOENT || errno == ENOTDIR)
		ret = 0;
	else
		ret = maildir_err(err, errno, "stat %s", dir.data);
	buf_free(&dir);
	return ret;
}

/* maildir_folder_mark - the "maildirfolder" file Maildir++ readers
 * (and quota tools) look for */
static int maildir_folder_mark(const char *dir, struct sl_err *err)
{
	struct buf path = BUF_INIT;
	int fd;

	buf_printf(&path, "%s/maildirfolder", dir);
	fd = open(path.data, O_CREAT | O_WRONLY | O_CLOEXEC | O_NOFOLLOW,
		  MAILDIR_FILE_MODE);
	if (fd < 0) {
		maildir_err(err, errno, "create %s", path.data);
		buf_free(&path);
		return -1;
	}
	buf_free(&path);
	if (close(fd) < 0)
		return maildir_err(err, errno, "create %s/maildirfolder", dir);
	return 0;
}

int maildir_folder_create(struct store *s, const char *folder,
			  struct sl_err *err)
{
	struct maildir_store *st = (struct maildir_store *)s;
	struct buf dir = BUF_INIT;
	int made, ret = -1;

	if (maildir_folder_dir(st, folder, &dir, err) < 0)
		goto out;
	made = maildir_mkdir(dir.data);
	if (made < 0 && errno == ENOENT) {
		/* the root went away: make it again, then the folder */
		if (maildir_mkdirs(st->root, 1, err) < 0)
			goto out;
		made = strcmp(dir.data, st->root) == 0 ? 1 :
		       maildir_mkdir(dir.data);
	}
	if (made < 0) {
		maildir_err(err, errno, "create folder %s (%s)", folder,
			    dir.data);
		goto out;
	}
	/* EEXIST-safe all along: a racing creator finishes the same job */
	if (maildir_mkdirs(dir.data, 0, err) < 0)
		goto out;
	if (strcmp(dir.data, st->root) != 0 &&
	    maildir_folder_mark(dir.data, err) < 0)
		goto out;
	if (made > 0 && maildir_fsync_parent(dir.data, err) < 0)
		goto out;
	if (made == 0) {
		err_set(err, ERR_EXISTS, "folder %s already exists", folder);
		goto out;
	}
	ret = 0;
out:
	buf_free(&dir);
	return ret;
}

/* maildir_folder_decode - ".A.B" on disk to "A/B"; -1 if it is not a
 * name we could have written */
static int maildir_folder_decode(const char *entry, struct buf *name)
{
	const char *p = entry + 1, *sep;
	struct sl_err err;

	for (;;) {
		sep = strchr(p, '.');
		if (sep == NULL)
			sep = p + strlen(p);
		if (mutf7_decode(p, (size_t)(sep - p), name, &err) < 0)
			return -1;
		if (*sep == '\0')
			break;
		buf_append_char(name, '/');
		p = sep + 1;
	}
	if (store_folder_name_check(name->data, &err) < 0 ||
	    store_folder_is_inbox(name->data))
		return -1;
	return 0;
}

/* maildir_folder_is_dir - a directory, following symlinks */
static int maildir_folder_is_dir(DIR *d, const struct dirent *de)
{
	struct stat sb;

	if (de->d_type == DT_DIR)
		return 1;
	if (de->d_type != DT_UNKNOWN && de->d_type != DT_LNK)
		return 0;
	return fstatat(dirfd(d), de->d_name, &sb, 0) == 0 &&
	       S_ISDIR(sb.st_mode);
}

static int maildir_folder_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int maildir_folder_list(struct store *s, struct pool *pool,
			const char ***names_r, size_t *count_r,
			struct sl_err *err)
{
	struct maildir_store *st = (struct maildir_store *)s;
	struct buf name = BUF_INIT;
	const char **names = NULL, **out;
	size_t n = 1, cap = 0;
	struct dirent *de;
	DIR *d;

	d = opendir(st->root);
	if (d == NULL)
		return maildir_err(err, errno, "open %s", st->root);
	while ((errno = 0, de = readdir(d)) != NULL) {
		if (de->d_name[0] != '.' || strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0 ||
		    !maildir_folder_is_dir(d, de))
			continue;
		buf_reset(&name);
		if (maildir_folder_decode(de->d_name, &name) < 0) {
			log_debug("maildir: %s/%s is not a folder name we "
				  "know; not listed", st->root, de->d_name);
			continue;
		}
		if (n == cap || names == NULL) {
			cap = cap == 0 ? 16 : size_mul(cap, 2);
			names = xreallocarray(names, cap, sizeof(*names));
		}
		names[n++] = pool_strdup(pool, name.data);
	}
	if (errno != 0) {
		maildir_err(err, errno, "read %s", st->root);
		(void)closedir(d);
		free(names);
		buf_free(&name);
		return -1;
	}
	(void)closedir(d);
	buf_free(&name);
	if (n > 2)
		qsort(names + 1, n - 1, sizeof(*names), maildir_folder_cmp);
	out = pool_alloc_array(pool, n, sizeof(*out));
	out[0] = pool_strdup(pool, "INBOX");
	if (n > 1)
		memcpy(out + 1, names + 1, (n - 1) * sizeof(*out));
	free(names);
	*names_r = out;
	*count_r = n;
	return 0;
}
