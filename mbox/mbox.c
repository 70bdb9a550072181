/* mbox.c - the mbox store: open, close, paths, and the vfuncs table */
#include "auto-config.h"
#include "mbox/mbox.h"
#include "mbox/mbox-private.h"
#include "lib/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int mbox_path(const struct mbox_store *st, const char *folder, struct buf *path,
	      int *is_inbox_r, struct sl_err *err)
{
	const char *p;

	buf_reset(path);
	*is_inbox_r = store_folder_is_inbox(folder);
	if (*is_inbox_r) {
		buf_append_str(path, st->inbox);
		return 0;
	}
	if (store_folder_name_check(folder, err) < 0)
		return -1;
	buf_append_str(path, st->root);
	buf_append_char(path, '/');
	for (p = folder; *p != '\0'; p++)
		buf_append_char(path, *p == '.' ? '/' : *p);
	return 0;
}

int mbox_mkdirs(const char *dir, struct sl_err *err)
{
	struct buf b = BUF_INIT;
	size_t i;
	int ret = 0;

	buf_append_str(&b, dir);
	for (i = 1; i <= b.len && ret == 0; i++) {
		if (i < b.len && b.data[i] != '/')
			continue;
		b.data[i] = '\0';
		if (mkdir(b.data, 0700) < 0 && errno != EEXIST) {
			ret = err_set_errno(err, errno, "cannot create %s",
					    b.data);
			if (err->cls == ERR_NOTFOUND)
				err->cls = ERR_TEMP;
		}
		if (i < b.len)
			b.data[i] = '/';
	}
	buf_free(&b);
	return ret;
}

/* path_dir - the directory part of file ("." if none) */
static void path_dir(struct buf *dir, const char *file)
{
	const char *slash = strrchr(file, '/');

	buf_reset(dir);
	if (slash == NULL)
		buf_append_char(dir, '.');
	else if (slash == file)
		buf_append_char(dir, '/');
	else
		buf_append(dir, file, (size_t)(slash - file));
}

int mbox_fsync_dir(const char *file, struct sl_err *err)
{
	struct buf dir = BUF_INIT;
	int fd, ret = 0;

	path_dir(&dir, file);
	fd = open(dir.data, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || fsync(fd) < 0) {
		ret = err_set_errno(err, errno, "cannot fsync directory %s",
				    dir.data);
		err->cls = ERR_TEMP;
	}
	if (fd >= 0)
		(void)close(fd);
	buf_free(&dir);
	return ret;
}

void mbox_temp_name(struct buf *out, const char *file, const char *tag,
		    unsigned n)
{
	const char *slash = strrchr(file, '/');
	char host[256];
	size_t i;

	if (gethostname(host, sizeof(host)) < 0)
		host[0] = '\0';
	host[sizeof(host) - 1] = '\0';
	for (i = 0; host[i] != '\0'; i++) {
		if (host[i] == '/' || (unsigned char)host[i] < 0x21)
			host[i] = '_';
	}
	if (slash != NULL)
		buf_append(out, file, (size_t)(slash - file) + 1);
	buf_printf(out, ".%s.%s.%s.%ld.%u", slash != NULL ? slash + 1 : file,
		   tag, host, (long)getpid(), n);
}

int mbox_parse_id(const char *id, uint64_t *off_r)
{
	uint64_t v = 0;
	const char *p;

	if (id == NULL || *id == '\0' || (id[0] == '0' && id[1] != '\0'))
		return -1;
	for (p = id; *p != '\0'; p++) {
		if (*p < '0' || *p > '9' || v > (UINT64_MAX - 9) / 10)
			return -1;
		v = v * 10 + (uint64_t)(*p - '0');
	}
	*off_r = v;
	return 0;
}

/* open_inbox_create - make a missing INBOX file (and its directory when
 * that lies under the root; a system spool directory is never made) */
static int open_inbox_create(const struct mbox_store *st, struct sl_err *err)
{
	struct buf dir = BUF_INIT;
	size_t rl = strlen(st->root);
	int fd, ret = 0;

	if (access(st->inbox, F_OK) == 0)
		return 0;
	path_dir(&dir, st->inbox);
	if (strncmp(dir.data, st->root, rl) == 0 &&
	    (dir.data[rl] == '\0' || dir.data[rl] == '/'))
		ret = mbox_mkdirs(dir.data, err);
	buf_free(&dir);
	if (ret < 0)
		return -1;
	fd = open(st->inbox, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOCTTY,
		  0600);
	if (fd < 0 && errno == EEXIST)
		return 0;
	if (fd < 0) {
		err_set_errno(err, errno, "cannot create INBOX %s", st->inbox);
		err->cls = ERR_TEMP;
		return -1;
	}
	ret = fsync(fd);
	(void)close(fd);
	if (ret < 0) {
		err_set_errno(err, errno, "cannot fsync %s", st->inbox);
		err->cls = ERR_TEMP;
		return -1;
	}
	return mbox_fsync_dir(st->inbox, err);
}

static void mbox_close(struct store **stp)
{
	struct mbox_store *st = (struct mbox_store *)*stp;

	if (st == NULL)
		return;
	free(st->root);
	free(st->inbox);
	free(st);
	*stp = NULL;
}

static int mbox_open(const struct config *cfg, const struct store_location *loc,
		     int create, struct store **st_r, struct sl_err *err)
{
	struct mbox_store *st;
	size_t len;

	*st_r = NULL;
	if (loc->root == NULL || loc->root[0] == '\0')
		return err_set(err, ERR_USAGE, "mbox: no folder directory");
	st = xcalloc(1, sizeof(*st));
	st->store.v = &mbox_store_vfuncs;
	len = strlen(loc->root);
	while (len > 1 && loc->root[len - 1] == '/')
		len--;
	st->root = xstrndup(loc->root, len);
	if (loc->inbox != NULL && loc->inbox[0] != '\0') {
		st->inbox = xstrdup(loc->inbox);
	} else {
		struct buf b = BUF_INIT;

		buf_printf(&b, "%s/inbox", st->root);
		st->inbox = buf_steal(&b);
	}
	if (mbox_lock_settings_parse(&st->locks, cfg, err) < 0 ||
	    (create && open_inbox_create(st, err) < 0)) {
		struct store *s = &st->store;

		mbox_close(&s);
		return -1;
	}
	*st_r = &st->store;
	return 0;
}

const struct store_vfuncs mbox_store_vfuncs = {
    .name = "mbox",
    .open = mbox_open,
    .close = mbox_close,
    .folder_exists = mbox_folder_exists,
    .folder_create = mbox_folder_create,
    .folder_list = mbox_folder_list,
    .save_begin = mbox_save_begin,
    .save_write = mbox_save_write,
    .save_commit = mbox_save_commit,
    .save_abort = mbox_save_abort,
    .msg_list = mbox_read_list,
    .msg_open = mbox_read_open,
    .reader_read = mbox_read_read,
    .reader_close = mbox_read_close,
    .msg_set_flags = mbox_rewrite_flags,
    .expunge = mbox_rewrite_expunge,
};
