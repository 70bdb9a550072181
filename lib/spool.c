/* spool.c - message spool: memory first, then an unlinked temp file */
#include "auto-config.h"
#include "spool.h"
#include "buf.h"
#include "xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct spool {
	struct buf mem;
	size_t mem_max;
	char *tmp_dir;
	int fd;			/* -1 while in memory */
	uint64_t size;
};

struct spool *spool_new(size_t mem_max, const char *tmp_dir)
{
	struct spool *sp = xcalloc(1, sizeof(*sp));

	buf_init(&sp->mem);
	sp->mem_max = mem_max;
	sp->tmp_dir = xstrdup(tmp_dir);
	sp->fd = -1;
	return sp;
}

void spool_free(struct spool **spp)
{
	struct spool *sp = *spp;

	if (sp == NULL)
		return;
	if (sp->fd >= 0)
		close(sp->fd);
	buf_free(&sp->mem);
	free(sp->tmp_dir);
	free(sp);
	*spp = NULL;
}

/* write_all - write len bytes or fail with errno */
static int write_all(int fd, const void *data, size_t len)
{
	const char *p = data;

	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* spool_to_file - move the in-memory part to a new unlinked temp file */
static int spool_to_file(struct spool *sp, struct sl_err *err)
{
	int fd;

#ifdef O_TMPFILE
	fd = open(sp->tmp_dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	if (fd < 0)
#endif
	{
		struct buf path = BUF_INIT;

		buf_printf(&path, "%s/sluice-spool.XXXXXX", sp->tmp_dir);
		fd = mkostemp(path.data, O_CLOEXEC);
		if (fd >= 0)
			(void)unlink(path.data);
		else
			err_set_errno(err, errno, "spool file in %s",
				      sp->tmp_dir);
		buf_free(&path);
		if (fd < 0) {
			err->cls = ERR_TEMP;
			return -1;
		}
	}
	if (write_all(fd, sp->mem.data, sp->mem.len) < 0) {
		err_set_errno(err, errno, "writing spool file in %s",
			      sp->tmp_dir);
		err->cls = ERR_TEMP;
		close(fd);
		return -1;
	}
	sp->fd = fd;
	buf_free(&sp->mem);
	return 0;
}

int spool_write(struct spool *sp, const void *data, size_t len,
		struct sl_err *err)
{
	if (sp->fd < 0 && sp->mem.len + len > sp->mem_max) {
		if (spool_to_file(sp, err) < 0)
			return -1;
	}
	if (sp->fd < 0) {
		buf_append(&sp->mem, data, len);
	} else if (write_all(sp->fd, data, len) < 0) {
		err_set_errno(err, errno, "writing spool file in %s",
			      sp->tmp_dir);
		err->cls = ERR_TEMP;
		return -1;
	}
	sp->size += len;
	return 0;
}

uint64_t spool_size(const struct spool *sp)
{
	return sp->size;
}

ssize_t spool_pread(struct spool *sp, uint64_t off, void *data, size_t len,
		    struct sl_err *err)
{
	ssize_t n;

	if (off >= sp->size)
		return 0;
	if (len > sp->size - off)
		len = (size_t)(sp->size - off);
	if (sp->fd < 0) {
		memcpy(data, sp->mem.data + off, len);
		return (ssize_t)len;
	}
	do {
		n = pread(sp->fd, data, len, (off_t)off);
	} while (n < 0 && errno == EINTR);
	if (n < 0) {
		err_set_errno(err, errno, "reading spool file");
		err->cls = ERR_TEMP;
	}
	return n;
}

const unsigned char *spool_in_memory(const struct spool *sp)
{
	if (sp->fd >= 0)
		return NULL;
	return sp->mem.data != NULL ? (const unsigned char *)sp->mem.data
				    : (const unsigned char *)"";
}
