/* quota-mbox.c - mbox usage: the bytes of the INBOX file and of every
 * folder file under the mbox directory (messages are not counted: an
 * mbox has no cheap count, so messages= limits do not apply to mbox) */
#include "auto-config.h"
#include "quota-private.h"

#include <dirent.h>
#include <errno.h>
#include <string.h>
#include <sys/stat.h>

/* nesting followed below the mbox directory */
#define QUOTA_MBOX_DEPTH 16

static void mbox_dir_usage(const char *dir, const char *inbox, unsigned depth,
			   uint64_t *bytes)
{
	DIR *d;
	struct dirent *de;
	struct buf path = BUF_INIT;

	if (depth > QUOTA_MBOX_DEPTH || (d = opendir(dir)) == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		struct stat st;

		if (de->d_name[0] == '.')
			continue;	/* ., .., index dirs, dotlocks */
		buf_reset(&path);
		buf_printf(&path, "%s/%s", dir, de->d_name);
		if (lstat(path.data, &st) < 0)
			continue;
		if (S_ISDIR(st.st_mode))
			mbox_dir_usage(path.data, inbox, depth + 1, bytes);
		else if (S_ISREG(st.st_mode) &&
			 (inbox == NULL || strcmp(path.data, inbox) != 0))
			*bytes += (uint64_t)st.st_size;
	}
	(void)closedir(d);
	buf_free(&path);
}

int quota_mbox_usage(struct quota *q, struct quota_usage *u,
		     struct sl_err *err)
{
	struct stat st;

	u->bytes = 0;
	u->messages = 0;
	if (q->inbox != NULL) {
		if (stat(q->inbox, &st) == 0)
			u->bytes += (uint64_t)st.st_size;
		else if (errno != ENOENT)
			return err_set_errno(err, errno, "quota: stat %s",
					     q->inbox);
	}
	mbox_dir_usage(q->root, q->inbox, 0, &u->bytes);
	return 0;
}
