/* mbox-lock.c - open an mbox and lock it: fcntl, flock, dotlock
 *
 * The methods are taken in the configured order, each retried until one
 * shared deadline. fcntl locks are open-file-description locks where the
 * kernel has them (they conflict with classic POSIX locks held by other
 * programs, but closing another descriptor of the same file in this
 * process does not drop them). Dotlocks are made the NFS-safe way: a
 * unique file is linked to PATH.lock and the link count decides.
 */
#include "auto-config.h"
#include "mbox/mbox-private.h"
#include "lib/config.h"
#include "lib/log.h"
#include "lib/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

static const char *const lock_names[MBOX_LOCK_METHOD_COUNT] = {"fcntl", "flock",
							       "dotlock"};

/* settings_add - one word of the mbox_lock list */
static int settings_add(struct mbox_lock_settings *s, const char *w, size_t len,
			struct sl_err *err)
{
	size_t i, k;

	for (i = 0; i < MBOX_LOCK_METHOD_COUNT; i++) {
		if (strlen(lock_names[i]) == len &&
		    strncmp(lock_names[i], w, len) == 0)
			break;
	}
	if (i == MBOX_LOCK_METHOD_COUNT)
		return err_set(err, ERR_USAGE,
			       "mbox_lock: unknown lock method '%.*s' "
			       "(use fcntl, flock, dotlock)",
			       (int)len, w);
	for (k = 0; k < s->count; k++) {
		if (s->methods[k] == (enum mbox_lock_method)i)
			return 0;
	}
	s->methods[s->count++] = (enum mbox_lock_method)i;
	return 0;
}

int mbox_lock_settings_parse(struct mbox_lock_settings *s,
			     const struct config *cfg, struct sl_err *err)
{
	const char *p =
	    cfg != NULL ? config_str(cfg, "mbox_lock") : "fcntl, dotlock";

	memset(s, 0, sizeof(*s));
	s->timeout = cfg != NULL ? config_time(cfg, "mbox_lock_timeout") : 30;
	s->stale = cfg != NULL ? config_time(cfg, "mbox_dotlock_stale") : 300;
	while (*p != '\0') {
		size_t len;

		p += strspn(p, ", \t");
		len = strcspn(p, ", \t");
		if (len > 0 && settings_add(s, p, len, err) < 0)
			return -1;
		p += len;
	}
	if (s->count == 0)
		return err_set(err, ERR_USAGE,
			       "mbox_lock is empty: concurrent writers would "
			       "corrupt the mbox (use fcntl, flock, dotlock)");
	return 0;
}

/* now_ms - monotonic milliseconds */
static int64_t now_ms(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(int64_t ms)
{
	struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000};

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* fcntl_set - set or clear the whole-file lock; -1 with errno */
static int fcntl_set(int fd, short type)
{
	struct flock fl;
	int r;

	memset(&fl, 0, sizeof(fl));
	fl.l_type = type;
	fl.l_whence = SEEK_SET;
#ifdef F_OFD_SETLK
	do {
		r = fcntl(fd, F_OFD_SETLK, &fl);
	} while (r < 0 && errno == EINTR);
	if (r == 0 || errno != EINVAL)
		return r;
#endif
	do {
		r = fcntl(fd, F_SETLK, &fl);
	} while (r < 0 && errno == EINTR);
	return r;
}

/* dotlock_temp - create our unique file beside the lock; fd or -1 */
static int dotlock_temp(const char *path, struct buf *tmp)
{
	unsigned n;
	int fd = -1;

	for (n = 0; n < MBOX_TEMP_TRIES && fd < 0; n++) {
		buf_reset(tmp);
		mbox_temp_name(tmp, path, "lk", n);
		fd = open(tmp->data,
			  O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
			  0600);
		if (fd < 0 && errno != EEXIST)
			break;
	}
	return fd;
}

/* dotlock_stale - remove the lock if it is older than the stale limit:
 * 1 removed */
static int dotlock_stale(const struct mbox_lock_settings *s,
			 const char *lockpath)
{
	struct stat st;
	time_t now = time(NULL);

	if (s->stale == 0 || lstat(lockpath, &st) < 0 ||
	    now - st.st_mtime <= (time_t)s->stale)
		return 0;
	if (unlink(lockpath) < 0)
		return 0;
	log_warning("mbox: removed stale dotlock %s (%lds old)", lockpath,
		    (long)(now - st.st_mtime));
	return 1;
}

/* dotlock_try - 1 acquired, 0 busy, 2 skipped (shared, not allowed to
 * create it), -1 error */
static int dotlock_try(struct mbox_lock *l, const struct mbox_lock_settings *s,
		       const char *path, int shared, struct sl_err *err)
{
	struct buf tmp = BUF_INIT, lockpath = BUF_INIT;
	struct stat st;
	int fd, link_errno = 0, got = 0, ret, tries;

	buf_printf(&lockpath, "%s.lock", path);
	fd = dotlock_temp(path, &tmp);
	if (fd < 0) {
		int e = errno;

		ret = 2;
		if (!shared || (e != EACCES && e != EROFS && e != EPERM)) {
			err_set_errno(err, e, "cannot create dotlock %s",
				      lockpath.data);
			err->cls = ERR_TEMP;
			ret = -1;
		}
		goto out;
	}
	(void)close(fd);
	for (tries = 0; tries < 2 && !got; tries++) {
		link_errno = link(tmp.data, lockpath.data) < 0 ? errno : 0;
		/* NFS: link() may report failure for a link that was made */
		got = stat(tmp.data, &st) == 0 && st.st_nlink == 2;
		if (got || link_errno != EEXIST ||
		    !dotlock_stale(s, lockpath.data))
			break;
	}
	(void)unlink(tmp.data);
	if (got) {
		l->dotlock = buf_steal(&lockpath);
		l->touched = time(NULL);
		ret = 1;
	} else if (link_errno != 0 && link_errno != EEXIST) {
		err_set_errno(err, link_errno, "cannot create dotlock %s",
			      lockpath.data);
		err->cls = ERR_TEMP;
		ret = -1;
	} else {
		ret = 0;
	}
out:
	buf_free(&tmp);
	buf_free(&lockpath);
	return ret;
}

/* lock_try - one attempt at one method: 1 held, 0 busy, 2 skipped, -1 */
static int lock_try(struct mbox_lock *l, const struct mbox_lock_settings *s,
		    enum mbox_lock_method m, const char *path, int shared,
		    struct sl_err *err)
{
	switch (m) {
	case MBOX_LOCK_FCNTL:
		if (fcntl_set(l->fd, shared ? F_RDLCK : F_WRLCK) == 0)
			return 1;
		if (errno == EACCES || errno == EAGAIN)
			return 0;
		break;
	case MBOX_LOCK_FLOCK:
		if (flock(l->fd, (shared ? LOCK_SH : LOCK_EX) | LOCK_NB) == 0)
			return 1;
		if (errno == EWOULDBLOCK || errno == EINTR)
			return 0;
		break;
	case MBOX_LOCK_DOTLOCK:
		return dotlock_try(l, s, path, shared, err);
	case MBOX_LOCK_METHOD_COUNT:
		break;
	}
	err_set_errno(err, errno, "cannot %s-lock %s", lock_names[m], path);
	err->cls = ERR_TEMP;
	return -1;
}

/* lock_wait - take one method, polling until the deadline */
static int lock_wait(struct mbox_lock *l, const struct mbox_lock_settings *s,
		     enum mbox_lock_method m, const char *path, int shared,
		     int64_t deadline, struct sl_err *err)
{
	int64_t delay = MBOX_LOCK_POLL_MIN_MS, now;
	int r;

	for (;;) {
		r = lock_try(l, s, m, path, shared, err);
		if (r < 0)
			return -1;
		if (r == 1)
			l->held |= 1u << m;
		if (r > 0)
			return 0;
		now = now_ms();
		if (now >= deadline)
			return err_set(err, ERR_TEMP,
				       "lock timeout: %s is locked by another "
				       "process (%s lock, waited %llus)",
				       path, lock_names[m],
				       (unsigned long long)s->timeout);
		sleep_ms(delay < deadline - now ? delay : deadline - now);
		if (delay < MBOX_LOCK_POLL_MAX_MS)
			delay *= 2;
	}
}

/* lock_release - drop every lock held, keep the file open */
static void lock_release(struct mbox_lock *l)
{
	if (l->held & (1u << MBOX_LOCK_DOTLOCK)) {
		if (unlink(l->dotlock) < 0 && errno != ENOENT)
			log_warning("mbox: cannot remove dotlock %s: %s",
				    l->dotlock, strerror(errno));
		x_free(&l->dotlock);
	}
	if (l->held & (1u << MBOX_LOCK_FLOCK))
		(void)flock(l->fd, LOCK_UN);
	if (l->held & (1u << MBOX_LOCK_FCNTL))
		(void)fcntl_set(l->fd, F_UNLCK);
	l->held = 0;
}

/* lock_open_file - the descriptor for one attempt */
static int lock_open_file(struct mbox_lock *l, const char *path, unsigned flags,
			  struct sl_err *err)
{
	int oflags = ((flags & MBOX_OPEN_WRITE) ? O_RDWR : O_RDONLY) |
		     O_CLOEXEC | O_NOCTTY | O_NONBLOCK;
	struct stat st;

	l->fd = open(path, oflags);
	if (l->fd < 0 && errno == ENOENT && (flags & MBOX_OPEN_CREATE)) {
		l->fd = open(path, oflags | O_CREAT | O_EXCL, 0600);
		if (l->fd >= 0)
			l->created = 1;
		else if (errno == EEXIST)
			l->fd = open(path, oflags);
	}
	if (l->fd < 0)
		return err_set_errno(err, errno, "cannot open mbox %s", path);
	if (fstat(l->fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		(void)close(l->fd);
		l->fd = -1;
		return err_set(err, ERR_TEMP, "mbox %s is not a regular file",
			       path);
	}
	/* O_NONBLOCK only guarded the open against a FIFO */
	(void)fcntl(l->fd, F_SETFL, fcntl(l->fd, F_GETFL) & ~O_NONBLOCK);
	return 0;
}

/* lock_same_file - is path still the file we locked? */
static int lock_same_file(int fd, const char *path)
{
	struct stat a, b;

	return fstat(fd, &a) == 0 && stat(path, &b) == 0 &&
	       a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

int mbox_lock_open(const struct mbox_lock_settings *s, const char *path,
		   unsigned flags, struct mbox_lock **lock_r,
		   struct sl_err *err)
{
	struct mbox_lock *l = xcalloc(1, sizeof(*l));
	int64_t deadline = now_ms() + (int64_t)s->timeout * 1000;
	int shared = !(flags & MBOX_OPEN_WRITE);
	size_t i;

	for (;;) {
		if (lock_open_file(l, path, flags, err) < 0)
			break;
		for (i = 0; i < s->count; i++) {
			if (lock_wait(l, s, s->methods[i], path, shared,
				      deadline, err) < 0)
				break;
		}
		if (i == s->count && lock_same_file(l->fd, path)) {
			*lock_r = l;
			return 0;
		}
		lock_release(l);
		(void)close(l->fd);
		l->fd = -1;
		if (i < s->count)
			break;
		/* replaced by a rewrite while we waited: lock the new one */
		if (now_ms() >= deadline) {
			err_set(err, ERR_TEMP,
				"lock timeout: %s keeps being "
				"replaced",
				path);
			break;
		}
	}
	free(l);
	*lock_r = NULL;
	return -1;
}

void mbox_lock_touch(struct mbox_lock *l)
{
	time_t now;

	if (l->dotlock == NULL)
		return;
	now = time(NULL);
	if (now - l->touched < MBOX_DOTLOCK_TOUCH_SECS)
		return;
	l->touched = now;
	(void)utimes(l->dotlock, NULL);
}

void mbox_lock_close(struct mbox_lock **lp)
{
	struct mbox_lock *l = *lp;

	if (l == NULL)
		return;
	lock_release(l);
	if (l->fd >= 0)
		(void)close(l->fd);
	free(l);
	*lp = NULL;
}
