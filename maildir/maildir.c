/* maildir.c - the Maildir/Maildir++ store: open, close, shared helpers */
#include "auto-config.h"
#include "maildir.h"
#include "maildir-private.h"

#include "lib/config.h"
#include "lib/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int maildir_err(struct sl_err *err, int errnum, const char *fmt, ...)
{
	const char *hint = "";
	va_list ap;
	int n;

	switch (errnum) {
	case EACCES:
	case EPERM:
		hint = " (check the owner and modes of the mail store)";
		break;
	case ENOSPC:
		hint = " (the file system is full)";
		break;
	case EDQUOT:
		hint = " (the file system quota is exceeded)";
		break;
	case EROFS:
		hint = " (the file system is read-only)";
		break;
	}
	err->cls = errnum == EDQUOT ? ERR_NOQUOTA : ERR_TEMP;
	va_start(ap, fmt);
	n = vsnprintf(err->text, sizeof(err->text), fmt, ap);
	va_end(ap);
	if (n >= 0 && (size_t)n < sizeof(err->text))
		(void)snprintf(err->text + n, sizeof(err->text) - (size_t)n,
			       ": %s%s", strerror(errnum), hint);
	return -1;
}

int maildir_fsync_dir(const char *dir, struct sl_err *err)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		return maildir_err(err, errno, "open %s", dir);
	if (fsync(fd) < 0) {
		int e = errno;

		(void)close(fd);
		return maildir_err(err, e, "fsync %s", dir);
	}
	(void)close(fd);
	return 0;
}

/* maildir_open_check - create: one mkdir of cur/ tells whether the
 * INBOX exists (EEXIST), else make it; otherwise stat cur/ */
static int maildir_open_check(const char *root, int create,
			      struct sl_err *err)
{
	struct buf cur = BUF_INIT;
	struct stat sb;
	int ret = 0;

	buf_printf(&cur, "%s/cur", root);
	if (create) {
		if (mkdir(cur.data, MAILDIR_DIR_MODE) == 0 || errno == ENOENT)
			ret = maildir_mkdirs(root, 1, err);
		else if (errno != EEXIST)
			ret = maildir_err(err, errno, "create Maildir %s",
					  root);
	} else if (stat(cur.data, &sb) < 0) {
		if (errno == ENOENT)
			ret = err_set(err, ERR_NOTFOUND, "no Maildir at %s",
				      root);
		else
			ret = maildir_err(err, errno, "stat %s", cur.data);
	} else if (!S_ISDIR(sb.st_mode)) {
		ret = err_set(err, ERR_TEMP, "%s is not a directory", cur.data);
	}
	buf_free(&cur);
	return ret;
}

static int maildir_open(const struct config *cfg,
			const struct store_location *loc, int create,
			struct store **st_r, struct sl_err *err)
{
	struct maildir_store *st;
	size_t len;

	*st_r = NULL;
	if (loc->root == NULL || loc->root[0] == '\0')
		return err_set(err, ERR_USAGE, "maildir: no path given");
	len = strlen(loc->root);
	while (len > 1 && loc->root[len - 1] == '/')
		len--;
	st = xcalloc(1, sizeof(*st));
	st->st.v = &maildir_store_vfuncs;
	st->root = xstrndup(loc->root, len);
	st->cfg_host = xstrdup(cfg != NULL ? config_str(cfg, "hostname") : "");
	if (maildir_open_check(st->root, create, err) < 0) {
		struct store *s = &st->st;

		st->st.v->close(&s);
		return -1;
	}
	*st_r = &st->st;
	return 0;
}

static void maildir_close(struct store **stp)
{
	struct maildir_store *st = (struct maildir_store *)*stp;

	if (st == NULL)
		return;
	maildir_msg_forget(st);
	free(st->root);
	free(st->host);
	free(st->cfg_host);
	free(st);
	*stp = NULL;
}

const struct store_vfuncs maildir_store_vfuncs = {
	.name = "maildir",
	.open = maildir_open,
	.close = maildir_close,
	.folder_exists = maildir_folder_exists,
	.folder_create = maildir_folder_create,
	.folder_list = maildir_folder_list,
	.save_begin = maildir_save_begin,
	.save_write = maildir_save_write,
	.save_commit = maildir_save_commit,
	.save_abort = maildir_save_abort,
	.save_link = maildir_save_link,
	.msg_list = maildir_msg_list,
	.msg_open = maildir_msg_open,
	.reader_read = maildir_msg_read,
	.reader_close = maildir_msg_close,
	.msg_set_flags = maildir_msg_set_flags,
	.expunge = maildir_msg_expunge,
};
