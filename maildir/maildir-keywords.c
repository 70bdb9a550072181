/* maildir-keywords.c - IMAP keywords in Maildir file names, as Dovecot
 * keeps them: the letters a..z after the flags in ":2,FLAGS" stand for
 * keywords 0..25 of the folder's dovecot-keywords file, one "N name"
 * line each. A keyword not in the file yet gets the first free number;
 * the file is rewritten under its dotlock (dovecot-keywords.lock, written
 * and renamed over the file), so Dovecot and sluice can share it. */
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
#include <time.h>
#include <unistd.h>

#define KEYWORDS_FILE "dovecot-keywords"
/* letters a..z */
#define KEYWORDS_MAX 26
/* the file is small; more than this is not ours to parse */
#define KEYWORDS_FILE_MAX 65536
/* waiting for another writer's lock, in 10 ms steps */
#define KEYWORDS_LOCK_WAIT_MS 2000
/* a lock older than this was left by a crashed writer */
#define KEYWORDS_LOCK_STALE_SECS 30

struct keywords {
	char *name[KEYWORDS_MAX];
};

static void keywords_free(struct keywords *k)
{
	size_t i;

	for (i = 0; i < KEYWORDS_MAX; i++)
		free(k->name[i]);
	memset(k, 0, sizeof(*k));
}

/* keywords_read - the file's names by number; a missing file is empty */
static int keywords_read(const char *path, struct keywords *k,
			 struct sl_err *err)
{
	char *data = xmalloc(KEYWORDS_FILE_MAX + 1), *line, *next;
	ssize_t n;
	int fd;

	memset(k, 0, sizeof(*k));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		free(data);
		if (errno == ENOENT)
			return 0;
		return maildir_err(err, errno, "open %s", path);
	}
	n = read(fd, data, KEYWORDS_FILE_MAX);
	(void)close(fd);
	if (n < 0) {
		free(data);
		return maildir_err(err, errno, "read %s", path);
	}
	data[n] = '\0';
	for (line = data; line != NULL && *line != '\0'; line = next) {
		char *end;
		long num;

		next = strchr(line, '\n');
		if (next != NULL)
			*next++ = '\0';
		num = strtol(line, &end, 10);
		if (end == line || *end != ' ' || num < 0 ||
		    num >= KEYWORDS_MAX || end[1] == '\0')
			continue;	/* not a line we know: skip it */
		free(k->name[num]);
		k->name[num] = xstrdup(end + 1);
	}
	free(data);
	return 0;
}

/* keywords_find - the number of name, or -1 */
static int keywords_find(const struct keywords *k, const char *name)
{
	int i;

	for (i = 0; i < KEYWORDS_MAX; i++) {
		if (k->name[i] != NULL && strcmp(k->name[i], name) == 0)
			return i;
	}
	return -1;
}

/* lock_take - create dir/dovecot-keywords.lock exclusively */
static int lock_take(const char *lock, struct sl_err *err)
{
	int waited = 0;

	for (;;) {
		struct stat st;
		int fd = open(lock, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
			      0600);

		if (fd >= 0)
			return fd;
		if (errno != EEXIST)
			return maildir_err(err, errno, "create %s", lock);
		if (stat(lock, &st) == 0 &&
		    time(NULL) - st.st_mtime > KEYWORDS_LOCK_STALE_SECS) {
			log_warning("maildir: removing stale %s", lock);
			(void)unlink(lock);
			continue;
		}
		if (waited >= KEYWORDS_LOCK_WAIT_MS)
			return err_set(err, ERR_TEMP, "%s is held by another "
				       "process", lock);
		(void)usleep(10000);
		waited += 10;
	}
}

/* keywords_add - give the missing names numbers and write the file */
static int keywords_add(const char *dir, const char *path, struct keywords *k,
			const char *const *kw, size_t n, struct sl_err *err)
{
	struct buf lock = BUF_INIT, out = BUF_INIT;
	size_t i;
	int fd, j, ret = -1;

	buf_printf(&lock, "%s/%s.lock", dir, KEYWORDS_FILE);
	if ((fd = lock_take(lock.data, err)) < 0)
		goto done;
	/* another writer may have added some meanwhile */
	keywords_free(k);
	if (keywords_read(path, k, err) < 0)
		goto unlock;
	for (i = 0; i < n; i++) {
		if (keywords_find(k, kw[i]) >= 0)
			continue;
		for (j = 0; j < KEYWORDS_MAX && k->name[j] != NULL; j++)
			;
		if (j == KEYWORDS_MAX) {
			log_warning("maildir: %s: no room for keyword %s (%d "
				    "at most)", dir, kw[i], KEYWORDS_MAX);
			continue;
		}
		k->name[j] = xstrdup(kw[i]);
	}
	for (j = 0; j < KEYWORDS_MAX; j++) {
		if (k->name[j] != NULL)
			buf_printf(&out, "%d %s\n", j, k->name[j]);
	}
	if (write(fd, out.data, out.len) != (ssize_t)out.len || fsync(fd) < 0) {
		maildir_err(err, errno, "write %s", lock.data);
		goto unlock;
	}
	(void)close(fd);
	fd = -1;
	if (rename(lock.data, path) < 0) {
		maildir_err(err, errno, "rename %s", lock.data);
		goto unlock;
	}
	ret = 0;
	goto done;
unlock:
	if (fd >= 0)
		(void)close(fd);
	(void)unlink(lock.data);
done:
	buf_free(&lock);
	buf_free(&out);
	return ret;
}

int maildir_keywords_letters(const char *dir, const char *const *kw,
			     size_t n, struct buf *letters, struct sl_err *err)
{
	struct buf path = BUF_INIT;
	struct keywords k;
	char have[KEYWORDS_MAX];
	size_t i;
	int ret = -1, missing = 0;

	buf_reset(letters);
	if (n == 0)
		return 0;
	buf_printf(&path, "%s/%s", dir, KEYWORDS_FILE);
	if (keywords_read(path.data, &k, err) < 0)
		goto out;
	for (i = 0; i < n; i++)
		missing |= keywords_find(&k, kw[i]) < 0;
	if (missing && keywords_add(dir, path.data, &k, kw, n, err) < 0)
		goto out;
	memset(have, 0, sizeof(have));
	for (i = 0; i < n; i++) {
		int j = keywords_find(&k, kw[i]);

		if (j >= 0)
			have[j] = 1;
	}
	for (i = 0; i < KEYWORDS_MAX; i++) {
		if (have[i])
			buf_append_char(letters, (char)('a' + i));
	}
	ret = 0;
out:
	keywords_free(&k);
	buf_free(&path);
	return ret;
}
