/* store-sync.c - deferred directory fsyncs for many saves of one message */
#include "auto-config.h"
#include "store.h"
#include "xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct store_sync {
	char **dirs;
	size_t count, alloc;
};

struct store_sync *store_sync_new(void)
{
	return xcalloc(1, sizeof(struct store_sync));
}

void store_sync_add(struct store_sync *s, const char *dir)
{
	size_t i;

	for (i = 0; i < s->count; i++) {
		if (strcmp(s->dirs[i], dir) == 0)
			return;
	}
	if (s->count == s->alloc) {
		s->alloc = s->alloc == 0 ? 8 : s->alloc * 2;
		s->dirs = xreallocarray(s->dirs, s->alloc, sizeof(*s->dirs));
	}
	s->dirs[s->count++] = xstrdup(dir);
}

/* sync_dir - fsync one directory (its entries become durable) */
static int sync_dir(const char *dir, struct sl_err *err)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		return err_set_errno(err, errno, "open %s", dir);
	if (fsync(fd) < 0) {
		int e = errno;

		(void)close(fd);
		err_set_errno(err, e, "fsync %s", dir);
		err->cls = ERR_TEMP;
		return -1;
	}
	(void)close(fd);
	return 0;
}

int store_sync_flush(struct store_sync *s, struct sl_err *err)
{
	struct sl_err e;
	size_t i;
	int ret = 0;

	for (i = 0; i < s->count; i++) {
		err_clear(&e);
		if (sync_dir(s->dirs[i], &e) < 0 && ret == 0) {
			*err = e;
			err->cls = ERR_TEMP;
			ret = -1;
		}
		free(s->dirs[i]);
	}
	s->count = 0;
	return ret;
}

void store_sync_free(struct store_sync **sp)
{
	struct store_sync *s = *sp;
	size_t i;

	if (s == NULL)
		return;
	for (i = 0; i < s->count; i++)
		free(s->dirs[i]);
	free(s->dirs);
	free(s);
	*sp = NULL;
}
