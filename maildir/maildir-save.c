/* maildir-save.c - delivery: tmp/ (O_EXCL), write, fsync, link into new/
 * (or cur/ when flags are set), fsync the directory */
#include "auto-config.h"
#include "maildir-private.h"

#include "lib/log.h"
#include "lib/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

struct maildir_save {
	struct maildir_store *st;
	struct buf dir;		/* the folder's directory */
	struct buf tmp_path;	/* dir/tmp/BASE */
	struct buf base;	/* the unique name, later the id */
	int fd;
	int failed;		/* a write failed: only abort is left */
	unsigned flags;
	struct buf kw;		/* keyword letters (a..z) for the name */
	struct store_sync *sync;	/* defer the directory fsync here */
	struct buf *path_r;	/* where the saved file's path goes */
	uint64_t expect, written;
	time_t received, now;
	size_t stage_len;
	char stage[MAILDIR_SAVE_STAGE];
};

/* maildir_save_free - close, remove the tmp/ file if asked, free */
static void maildir_save_free(struct maildir_save *sv, int remove_tmp)
{
	if (sv->fd >= 0)
		(void)close(sv->fd);
	if (remove_tmp && sv->tmp_path.len > 0 &&
	    unlink(sv->tmp_path.data) < 0 && errno != ENOENT)
		log_warning("maildir: cannot remove %s: %s", sv->tmp_path.data,
			    strerror(errno));
	buf_free(&sv->dir);
	buf_free(&sv->tmp_path);
	buf_free(&sv->base);
	buf_free(&sv->kw);
	free(sv);
}

/* maildir_save_create - a fresh name and its O_EXCL file in tmp/,
 * recreating tmp/ new/ cur/ once if they are missing */
static int maildir_save_create(struct maildir_save *sv, struct sl_err *err)
{
	int tries = 0, repaired = 0, e;

	for (;;) {
		buf_reset(&sv->base);
		maildir_uniq_next(&sv->base, sv->st->host, sv->expect,
				  &sv->now);
		buf_reset(&sv->tmp_path);
		buf_printf(&sv->tmp_path, "%s/tmp/%s", sv->dir.data,
			   sv->base.data);
		sv->fd = open(sv->tmp_path.data,
			      O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC,
			      MAILDIR_FILE_MODE);
		if (sv->fd >= 0)
			return 0;
		e = errno;
		if ((e == EEXIST || e == EINTR) && ++tries < MAILDIR_UNIQ_TRIES)
			continue;
		if (e == ENOENT && !repaired) {
			repaired = 1;
			if (maildir_folder_repair(sv->st, sv->dir.data,
						  err) < 0)
				break;
			continue;
		}
		maildir_err(err, e, "create %s", sv->tmp_path.data);
		break;
	}
	buf_reset(&sv->tmp_path);	/* nothing of ours to remove */
	return -1;
}

int maildir_save_begin(struct store *s, const char *folder,
		       const struct store_save_info *info,
		       struct store_save **save_r, struct sl_err *err)
{
	struct maildir_store *st = (struct maildir_store *)s;
	struct maildir_save *sv;

	*save_r = NULL;
	if (st->host == NULL) {
		struct buf host = BUF_INIT;

		if (maildir_uniq_host(st->cfg_host, &host, err) < 0)
			return -1;
		st->host = buf_steal(&host);
	}
	sv = xcalloc(1, sizeof(*sv));
	sv->st = st;
	sv->fd = -1;
	sv->flags = info->flags;
	sv->sync = info->sync;
	sv->path_r = info->path_r;
	sv->expect = info->size;
	sv->received = info->received;
	if (maildir_folder_dir(st, folder, &sv->dir, err) < 0 ||
	    maildir_keywords_letters(sv->dir.data, info->keywords,
				     info->n_keywords, &sv->kw, err) < 0 ||
	    maildir_save_create(sv, err) < 0) {
		maildir_save_free(sv, 1);
		return -1;
	}
	*save_r = (struct store_save *)sv;
	return 0;
}

/* maildir_save_writev - all of iov, through short writes and EINTR */
static int maildir_save_writev(int fd, struct iovec *iov, int cnt)
{
	while (cnt > 0) {
		ssize_t n = writev(fd, iov, cnt);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0)
				errno = EIO;
			return -1;
		}
		while (cnt > 0 && (size_t)n >= iov->iov_len) {
			n -= (ssize_t)iov->iov_len;
			iov++;
			cnt--;
		}
		if (cnt > 0) {
			iov->iov_base = (char *)iov->iov_base + n;
			iov->iov_len -= (size_t)n;
		}
	}
	return 0;
}

/* maildir_save_flush - the staged bytes and data (may be empty) */
static int maildir_save_flush(struct maildir_save *sv, const void *data,
			      size_t len, struct sl_err *err)
{
	struct iovec iov[2];
	int cnt = 0;

	if (sv->stage_len > 0) {
		iov[cnt].iov_base = sv->stage;
		iov[cnt++].iov_len = sv->stage_len;
	}
	if (len > 0) {
		iov[cnt].iov_base = (void *)(uintptr_t)data;
		iov[cnt++].iov_len = len;
	}
	if (maildir_save_writev(sv->fd, iov, cnt) < 0) {
		sv->failed = 1;
		return maildir_err(err, errno, "write %s", sv->tmp_path.data);
	}
	sv->stage_len = 0;
	return 0;
}

int maildir_save_write(struct store_save *save, const void *data,
		       size_t len, struct sl_err *err)
{
	struct maildir_save *sv = (struct maildir_save *)save;

	if (sv->failed)
		return err_set(err, ERR_TEMP, "write %s: an earlier write "
			       "failed", sv->tmp_path.data);
	if (len <= MAILDIR_SAVE_STAGE - sv->stage_len) {
		memcpy(sv->stage + sv->stage_len, data, len);
		sv->stage_len += len;
	} else if (maildir_save_flush(sv, data, len, err) < 0) {
		return -1;
	}
	sv->written += len;
	return 0;
}

/* maildir_save_sync - the file's bytes on disk, then close it (NFS
 * reports write errors at close) */
static int maildir_save_sync(struct maildir_save *sv, struct sl_err *err)
{
	int fd = sv->fd;

	if (sv->stage_len > 0 && maildir_save_flush(sv, NULL, 0, err) < 0)
		return -1;
	if (sv->received != 0 && sv->received != sv->now) {
		struct timespec ts[2] = { { sv->received, 0 },
					  { sv->received, 0 } };

		if (futimens(fd, ts) < 0)
			log_warning("maildir: cannot set the time of %s: %s",
				    sv->tmp_path.data, strerror(errno));
	}
	if (fsync(fd) < 0)
		return maildir_err(err, errno, "fsync %s", sv->tmp_path.data);
	sv->fd = -1;
	/* after fsync, EINTR from close (Linux closes anyway) loses nothing */
	if (close(fd) < 0 && errno != EINTR)
		return maildir_err(err, errno, "close %s", sv->tmp_path.data);
	return 0;
}

/* maildir_save_rename - tmp/ file to dest: link + unlink, so an existing
 * dest is never replaced; rename where hard links are not supported */
static int maildir_save_rename(struct maildir_save *sv, const char *dest)
{
	if (!sv->st->no_link) {
		if (link(sv->tmp_path.data, dest) == 0) {
			if (unlink(sv->tmp_path.data) < 0)
				log_warning("maildir: delivered, but cannot "
					    "remove %s: %s", sv->tmp_path.data,
					    strerror(errno));
			return 0;
		}
		if (errno != EPERM && errno != ENOSYS && errno != EOPNOTSUPP &&
		    errno != EMLINK)
			return -1;
		sv->st->no_link = 1;
	}
	return rename(sv->tmp_path.data, dest);
}

/* save_info - ":2,FLAGS" with the keyword letters after the flags (the
 * upper case letters sort first, as Maildir wants), if any */
static void save_info(struct buf *dest, unsigned flags, const struct buf *kw)
{
	if (flags == 0 && kw->len == 0)
		return;
	maildir_uniq_info(dest, flags, NULL);
	buf_append(dest, kw->data, kw->len);
}

/* maildir_save_place - link into new/ (cur/ with flags) under a name
 * nobody has; returns the directory written in sub_r */
static int maildir_save_place(struct maildir_save *sv, struct buf *dest,
			      const char **sub_r, struct sl_err *err)
{
	const char *sub = sv->flags != 0 || sv->kw.len > 0 ? "cur" : "new";
	int tries = 0, repaired = 0;

	if (sv->expect != 0 && sv->written != sv->expect) {
		log_warning("maildir: %s: told %llu bytes, got %llu; the "
			    "name says what was written", sv->tmp_path.data,
			    (unsigned long long)sv->expect,
			    (unsigned long long)sv->written);
		buf_reset(&sv->base);
		maildir_uniq_next(&sv->base, sv->st->host, sv->written,
				  &sv->now);
	}
	for (;;) {
		buf_reset(dest);
		buf_printf(dest, "%s/%s/%s", sv->dir.data, sub, sv->base.data);
		save_info(dest, sv->flags, &sv->kw);
		if (maildir_save_rename(sv, dest->data) == 0)
			break;
		if (errno == ENOENT && !repaired) {
			/* new/ or cur/ is gone: make it again, once */
			repaired = 1;
			if (maildir_folder_repair(sv->st, sv->dir.data,
						  err) < 0)
				return -1;
			continue;
		}
		if (errno != EEXIST || ++tries >= MAILDIR_UNIQ_TRIES)
			return maildir_err(err, errno, "link %s to %s",
					   sv->tmp_path.data, dest->data);
		buf_reset(&sv->base);
		maildir_uniq_next(&sv->base, sv->st->host,
				  sv->expect != 0 ? sv->written : 0, &sv->now);
	}
	*sub_r = sub;
	return 0;
}

int maildir_save_commit(struct store_save **save, struct buf *id_r,
			struct sl_err *err)
{
	struct maildir_save *sv = (struct maildir_save *)*save;
	struct buf dest = BUF_INIT, dir = BUF_INIT;
	const char *sub = NULL;

	*save = NULL;
	if (sv->failed) {
		err_set(err, ERR_TEMP, "save into %s: an earlier write failed",
			sv->dir.data);
		goto fail;
	}
	if (maildir_save_sync(sv, err) < 0 ||
	    maildir_save_place(sv, &dest, &sub, err) < 0)
		goto fail;
	buf_printf(&dir, "%s/%s", sv->dir.data, sub);
	if (sv->sync != NULL) {
		store_sync_add(sv->sync, dir.data);
	} else if (maildir_fsync_dir(dir.data, err) < 0) {
		/* not durable: take it back, the MTA will retry */
		if (unlink(dest.data) < 0 && errno != ENOENT)
			log_error("maildir: %s may be delivered twice: cannot "
				  "remove it: %s", dest.data, strerror(errno));
		goto fail;
	}
	if (id_r != NULL) {
		buf_reset(id_r);
		buf_append(id_r, sv->base.data, sv->base.len);
	}
	if (sv->path_r != NULL) {
		buf_reset(sv->path_r);
		buf_append(sv->path_r, dest.data, dest.len);
	}
	buf_free(&dest);
	buf_free(&dir);
	maildir_save_free(sv, 0);
	return 0;
fail:
	buf_free(&dest);
	buf_free(&dir);
	maildir_save_free(sv, 1);
	return -1;
}

void maildir_save_abort(struct store_save **save)
{
	struct maildir_save *sv = (struct maildir_save *)*save;

	if (sv == NULL)
		return;
	*save = NULL;
	maildir_save_free(sv, 1);
}

/* link_usable - src can be shared with this save: it exists, it is ours
 * (a copy owned by another user would not be readable, or charged to the
 * wrong user) and it has the size the caller expects */
static int link_usable(const char *src, const struct store_save_info *info,
		       uint64_t *size_r)
{
	struct stat sb;

	if (stat(src, &sb) < 0 || !S_ISREG(sb.st_mode) ||
	    sb.st_uid != geteuid())
		return 0;
	if (info->size != 0 && (uint64_t)sb.st_size != info->size)
		return 0;
	*size_r = (uint64_t)sb.st_size;
	return 1;
}

int maildir_save_link(struct store *s, const char *folder,
		      const struct store_save_info *info, const char *src,
		      struct buf *id_r, struct sl_err *err)
{
	struct maildir_store *st = (struct maildir_store *)s;
	struct buf dir = BUF_INIT, base = BUF_INIT, dest = BUF_INIT, kw = BUF_INIT;
	const char *sub;
	uint64_t size = 0;
	time_t now = 0;
	int tries = 0, repaired = 0, ret = -1;

	if (st->no_link || !link_usable(src, info, &size))
		return 0;
	if (st->host == NULL) {
		struct buf host = BUF_INIT;

		if (maildir_uniq_host(st->cfg_host, &host, err) < 0)
			return -1;
		st->host = buf_steal(&host);
	}
	if (maildir_folder_dir(st, folder, &dir, err) < 0 ||
	    maildir_keywords_letters(dir.data, info->keywords,
				     info->n_keywords, &kw, err) < 0)
		goto out;
	sub = info->flags != 0 || kw.len > 0 ? "cur" : "new";
	for (;;) {
		buf_reset(&base);
		maildir_uniq_next(&base, st->host, size, &now);
		buf_reset(&dest);
		buf_printf(&dest, "%s/%s/%s", dir.data, sub, base.data);
		save_info(&dest, info->flags, &kw);
		if (link(src, dest.data) == 0)
			break;
		if (errno == EEXIST && ++tries < MAILDIR_UNIQ_TRIES)
			continue;
		if (errno == ENOENT && !repaired && access(src, F_OK) == 0) {
			repaired = 1;
			if (maildir_folder_repair(st, dir.data, err) < 0)
				goto out;
			continue;
		}
		/* another filesystem, no hard links, src gone, a link limit:
		   the caller writes a copy */
		ret = 0;
		goto out;
	}
	buf_reset(&dir);
	buf_append(&dir, dest.data, dest.len);
	*strrchr(dir.data, '/') = '\0';
	dir.len = strlen(dir.data);
	if (info->sync != NULL) {
		store_sync_add(info->sync, dir.data);
	} else if (maildir_fsync_dir(dir.data, err) < 0) {
		if (unlink(dest.data) < 0 && errno != ENOENT)
			log_error("maildir: %s may be delivered twice: cannot "
				  "remove it: %s", dest.data, strerror(errno));
		goto out;
	}
	if (id_r != NULL) {
		buf_reset(id_r);
		buf_append(id_r, base.data, base.len);
	}
	if (info->path_r != NULL) {
		buf_reset(info->path_r);
		buf_append(info->path_r, dest.data, dest.len);
	}
	ret = 1;
out:
	buf_free(&dir);
	buf_free(&base);
	buf_free(&dest);
	buf_free(&kw);
	return ret;
}
