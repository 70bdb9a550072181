/* quota-maildir.c - Courier's maildirsize: a limit line, then one
 * "BYTES COUNT" line per change; recalculated from the folders when it is
 * missing, corrupt, larger than 5120 bytes, or over quota and older than
 * 15 minutes (Courier's README.maildirquota rules, as Dovecot follows) */
#include "auto-config.h"
#include "quota-private.h"

#include "lib/log.h"
#include "lib/mutf7.h"
#include "lib/xalloc.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

void quota_limit_line(struct buf *b, const struct quota_limits *l)
{
	if (l->bytes > 0)
		buf_printf(b, "%" PRIu64 "S", l->bytes);
	if (l->messages > 0)
		buf_printf(b, "%s%" PRIu64 "C", l->bytes > 0 ? "," : "",
			   l->messages);
}

int quota_parse_maildir_limit(const char *s, struct quota_limits *l,
			      struct sl_err *err)
{
	memset(l, 0, sizeof(*l));
	while (*s != '\0') {
		char *end;
		unsigned long long n;

		while (*s == ',' || *s == ' ')
			s++;
		if (*s == '\0')
			break;
		if (*s < '0' || *s > '9')
			return err_set(err, ERR_PERM, "quota '%s': not NS,MC", s);
		errno = 0;
		n = strtoull(s, &end, 10);
		if (errno != 0)
			return err_set(err, ERR_PERM, "quota '%s': too big", s);
		if (*end == 'S')
			l->bytes = n;
		else if (*end == 'C')
			l->messages = n;
		else
			return err_set(err, ERR_PERM, "quota '%s': a number needs "
				       "S (bytes) or C (messages)", s);
		s = end + 1;
	}
	return 0;
}

/* name_size - ",S=NNN" in a Maildir file name, or -1 */
static int64_t name_size(const char *name)
{
	const char *p = strstr(name, ",S=");
	char *end;
	long long n;

	if (p == NULL)
		return -1;
	n = strtoll(p + 3, &end, 10);
	if (end == p + 3 || n < 0 || (*end != '\0' && *end != ',' && *end != ':'))
		return -1;
	return n;
}

/* count_dir - the messages in dir (new/ or cur/) */
static void count_dir(const char *dir, uint64_t *bytes, uint64_t *count)
{
	DIR *d = opendir(dir);
	struct dirent *de;

	if (d == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		int64_t sz;

		if (de->d_name[0] == '.')
			continue;
		sz = name_size(de->d_name);
		if (sz < 0) {
			struct stat st;
			struct buf path = BUF_INIT;

			buf_printf(&path, "%s/%s", dir, de->d_name);
			if (stat(path.data, &st) < 0 || !S_ISREG(st.st_mode)) {
				buf_free(&path);
				continue;	/* gone meanwhile */
			}
			sz = (int64_t)st.st_size;
			buf_free(&path);
		}
		*bytes += (uint64_t)sz;
		(*count)++;
	}
	(void)closedir(d);
}

/* folder_name - the folder a Maildir++ directory ".A.B" holds ("A/B") */
static void folder_name(const char *dirname, struct buf *out)
{
	struct sl_err err;
	size_t i;

	buf_reset(out);
	if (mutf7_decode(dirname + 1, strlen(dirname + 1), out, &err) < 0) {
		buf_reset(out);
		buf_append_str(out, dirname + 1);
	}
	for (i = 0; i < out->len; i++) {
		if (out->data[i] == '.')
			out->data[i] = '/';
	}
}

/* count_folder - one folder's new/ and cur/, unless a rule ignores it */
static void count_folder(const struct quota *q, const char *dir,
			 const char *folder, uint64_t *bytes, uint64_t *count)
{
	const struct quota_rule *r = quota_rule_find(q, folder);
	struct buf sub = BUF_INIT;

	if (r != NULL && r->ignore)
		return;
	buf_printf(&sub, "%s/new", dir);
	count_dir(sub.data, bytes, count);
	buf_reset(&sub);
	buf_printf(&sub, "%s/cur", dir);
	count_dir(sub.data, bytes, count);
	buf_free(&sub);
}

/* maildir_count - every folder's messages */
static int maildir_count(const struct quota *q, uint64_t *bytes,
			 uint64_t *count, struct sl_err *err)
{
	DIR *d = opendir(q->root);
	struct dirent *de;
	struct buf dir = BUF_INIT, name = BUF_INIT;

	*bytes = *count = 0;
	if (d == NULL)
		return err_set_errno(err, errno, "quota: open %s", q->root);
	count_folder(q, q->root, "INBOX", bytes, count);
	while ((de = readdir(d)) != NULL) {
		struct stat st;

		if (de->d_name[0] != '.' || strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		buf_reset(&dir);
		buf_printf(&dir, "%s/%s", q->root, de->d_name);
		if (stat(dir.data, &st) < 0 || !S_ISDIR(st.st_mode))
			continue;
		folder_name(de->d_name, &name);
		count_folder(q, dir.data, name.data, bytes, count);
	}
	(void)closedir(d);
	buf_free(&dir);
	buf_free(&name);
	return 0;
}

int quota_maildir_recalc(struct quota *q, const struct quota_limits *line,
			 struct sl_err *err)
{
	struct buf tmp = BUF_INIT, path = BUF_INIT, text = BUF_INIT;
	uint64_t bytes, count;
	int fd, ret = -1;

	if (maildir_count(q, &bytes, &count, err) < 0)
		return -1;
	quota_limit_line(&text, line);
	buf_printf(&text, "\n%" PRIu64 " %" PRIu64 "\n", bytes, count);
	buf_printf(&path, "%s/%s", q->root, QUOTA_MAILDIRSIZE);
	buf_printf(&tmp, "%s/tmp/%lld.%ld.maildirsize", q->root,
		   (long long)time(NULL), (long)getpid());
	fd = open(tmp.data, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0) {
		err_set_errno(err, errno, "quota: create %s", tmp.data);
		err->cls = ERR_TEMP;
		goto out;
	}
	if (write(fd, text.data, text.len) != (ssize_t)text.len) {
		err_set_errno(err, errno, "quota: write %s", tmp.data);
		err->cls = ERR_TEMP;
		(void)close(fd);
		(void)unlink(tmp.data);
		goto out;
	}
	(void)close(fd);
	/* a new inode: whoever holds the old one's lock must reopen */
	if (rename(tmp.data, path.data) < 0) {
		err_set_errno(err, errno, "quota: rename to %s", path.data);
		err->cls = ERR_TEMP;
		(void)unlink(tmp.data);
		goto out;
	}
	ret = 0;
out:
	buf_free(&tmp);
	buf_free(&path);
	buf_free(&text);
	return ret;
}

/* parse_file - limit line and sum; -1 if a line is not two integers */
static int parse_file(char *data, struct quota_limits *limit, int *has_limit,
		      int64_t *bytes, int64_t *count, size_t *lines)
{
	char *line = data, *next;
	struct sl_err err;

	*bytes = *count = 0;
	*lines = 0;
	next = strchr(line, '\n');
	if (next == NULL)
		return -1;
	*next++ = '\0';
	*has_limit = *line != '\0' &&
		     quota_parse_maildir_limit(line, limit, &err) == 0;
	if (*line != '\0' && !*has_limit)
		return -1;
	for (line = next; *line != '\0'; line = next) {
		char *end;
		long long b, c;

		next = strchr(line, '\n');
		if (next == NULL)
			return -1;	/* a half-written last line */
		*next++ = '\0';
		b = strtoll(line, &end, 10);
		if (end == line)
			return -1;
		line = end;
		c = strtoll(line, &end, 10);
		if (end == line)
			return -1;
		while (*end == ' ')
			end++;
		if (*end != '\0')
			return -1;
		*bytes += b;
		*count += c;
		(*lines)++;
	}
	return 0;
}

int quota_maildir_read(struct quota *q, struct maildirsize *m,
		       struct sl_err *err)
{
	struct buf path = BUF_INIT;
	char *data = NULL;
	struct stat st;
	size_t lines;
	ssize_t n;
	int fd, ret = 1;

	memset(m, 0, sizeof(*m));
	buf_printf(&path, "%s/%s", q->root, QUOTA_MAILDIRSIZE);
	fd = open(path.data, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno != ENOENT) {
			err_set_errno(err, errno, "quota: open %s", path.data);
			err->cls = ERR_TEMP;
			ret = -1;
		}
		goto out;	/* missing: recalculate */
	}
	if (fstat(fd, &st) < 0) {
		(void)close(fd);
		goto out;
	}
	if (st.st_size > QUOTA_FILE_MAX) {
		/* far past the 5120 bytes that call for a rebuild: only its
		   limit line is worth keeping */
		char head[256], *nl;
		ssize_t k = read(fd, head, sizeof(head) - 1);

		(void)close(fd);
		if (k > 0) {
			head[k] = '\0';
			if ((nl = strchr(head, '\n')) != NULL) {
				struct sl_err e;

				*nl = '\0';
				m->has_limit = head[0] != '\0' &&
					quota_parse_maildir_limit(head, &m->limit, &e) == 0;
			}
		}
		m->corrupt = 1;	/* read as "recalculate, keep the line" */
		goto out;
	}
	data = xmalloc((size_t)st.st_size + 1);
	n = read(fd, data, (size_t)st.st_size);
	(void)close(fd);
	if (n < 0) {
		err_set_errno(err, errno, "quota: read %s", path.data);
		err->cls = ERR_TEMP;
		ret = -1;
		goto out;
	}
	data[n] = '\0';
	m->mtime = st.st_mtime;
	m->size = (uint64_t)n;
	if (parse_file(data, &m->limit, &m->has_limit, &m->bytes, &m->count,
		       &lines) < 0) {
		log_warning("quota: %s is corrupt; recalculating", path.data);
		m->corrupt = 1;
		goto out;
	}
	ret = 0;
out:
	free(data);
	buf_free(&path);
	return ret;
}

int quota_maildir_append(struct quota *q, int64_t bytes, int64_t count,
			 struct sl_err *err)
{
	char line[64];
	int n;

	if (q->lock_fd < 0)
		return 1;	/* no file: the next read recalculates */
	n = snprintf(line, sizeof(line), "%" PRId64 " %" PRId64 "\n", bytes,
		     count);
	/* one write with O_APPEND: concurrent writers never interleave */
	if (write(q->lock_fd, line, (size_t)n) != n) {
		err_set_errno(err, errno, "quota: append to %s/%s", q->root,
			      QUOTA_MAILDIRSIZE);
		err->cls = ERR_TEMP;
		return -1;
	}
	return 0;
}
