/* mbox-save.c - append one message to an mbox, all or nothing
 *
 * save_begin locks the file and remembers its size; the message goes out
 * as "From SENDER DATE", the bytes with mboxrd quoting (one more '>' on
 * every line matching ^>*From ), a final line ending if the message had
 * none, and one empty line. Added lines use the message's own line
 * ending (CRLF when its first line ends in CRLF). Any failure truncates
 * the file back to the remembered size before the locks go.
 */
#include "auto-config.h"
#include "mbox/mbox-private.h"
#include "lib/log.h"
#include "lib/xalloc.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum quote_state { Q_START, Q_GT, Q_FROM, Q_MID };
enum hdr_state { H_START, H_CR, H_MID, H_DONE };

struct mbox_save {
	struct mbox_store *st;
	char *path;
	struct mbox_lock *lock;
	struct mbox_io_out out;
	uint64_t orig_size; /* the file is cut back to this on failure */
	uint64_t from_off;  /* the new message's From_ line: its id */
	char *sender;
	time_t received;
	unsigned flags;	  /* Status/X-Status added at the header end */
	char *keywords;	  /* X-Keywords value added there, or NULL */
	struct buf first; /* held until the first line ending is seen */
	int eol_known, crlf;
	enum quote_state q;
	size_t q_k; /* Q_FROM: bytes of "From " matched */
	enum hdr_state h;
	uint64_t msg_bytes; /* message bytes fed so far */
	char last;	    /* the last of them */
	int failed;
};

static const char *save_eol(const struct mbox_save *s)
{
	return s->crlf ? "\r\n" : "\n";
}

/* save_sender - the From_ line's address: no blanks or controls, so the
 * line stays parseable; "MAILER-DAEMON" for the null sender */
static char *save_sender(const char *sender)
{
	size_t len, i;
	char *s;

	if (sender == NULL || *sender == '\0')
		return xstrdup("MAILER-DAEMON");
	len = strnlen(sender, MBOX_SENDER_MAX);
	s = xstrndup(sender, len);
	for (i = 0; i < len; i++) {
		if ((unsigned char)s[i] <= 0x20 || s[i] == 0x7f)
			s[i] = '_';
	}
	return s;
}

/* save_from_line - "From SENDER Thu Nov 19 14:03:01 2026", in UTC */
static void save_from_line(struct mbox_save *s)
{
	static const char days[] = "SunMonTueWedThuFriSat";
	static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	struct tm tm;

	if (gmtime_r(&s->received, &tm) == NULL)
		memset(&tm, 0, sizeof(tm));
	buf_printf(&s->out.b, "From %s %.3s %.3s %2d %02d:%02d:%02d %d%s",
		   s->sender, days + 3 * (tm.tm_wday % 7),
		   months + 3 * (tm.tm_mon % 12), tm.tm_mday, tm.tm_hour,
		   tm.tm_min, tm.tm_sec, tm.tm_year + 1900, save_eol(s));
}

/* save_quote - mboxrd quoting; the line-start state carries across
 * calls, so a ">>Fr" + "om " split still gets its '>' */
static void save_quote(struct mbox_save *s, const char *p, size_t n)
{
	struct buf *b = &s->out.b;

	while (n > 0) {
		if (s->q == Q_MID) {
			const char *nl = memchr(p, '\n', n);
			size_t k = nl != NULL ? (size_t)(nl - p) + 1 : n;

			buf_append(b, p, k);
			if (nl != NULL)
				s->q = Q_START;
			p += k;
			n -= k;
			continue;
		}
		if (s->q != Q_FROM && *p == '>') {
			buf_append_char(b, '>');
			s->q = Q_GT;
		} else if (s->q != Q_FROM && *p == 'F') {
			s->q = Q_FROM;
			s->q_k = 1;
		} else if (s->q == Q_FROM && *p == "From "[s->q_k]) {
			if (++s->q_k == 5) {
				buf_append(b, ">From ", 6);
				s->q = Q_MID;
			}
		} else {
			if (s->q == Q_FROM)
				buf_append(b, "From ", s->q_k);
			s->q = Q_MID;
			continue; /* the byte is ordinary text */
		}
		p++;
		n--;
	}
}

/* save_status - the Status/X-Status lines for flags given at save */
static void save_status(struct mbox_save *s)
{
	struct buf lines = BUF_INIT;

	mbox_scan_status_lines(&lines, s->flags, 0, save_eol(s), 1, 1);
	if (s->keywords != NULL)
		buf_printf(&lines, "X-Keywords: %s%s", s->keywords, save_eol(s));
	save_quote(s, lines.data, lines.len);
	buf_free(&lines);
}

/* save_header - find the header's end to add the flags there */
static void save_header(struct mbox_save *s, const char *p, size_t n)
{
	while (n > 0 && s->h != H_DONE) {
		const char *nl;
		size_t k;

		switch (s->h) {
		case H_MID:
			nl = memchr(p, '\n', n);
			k = nl != NULL ? (size_t)(nl - p) + 1 : n;
			save_quote(s, p, k);
			if (nl != NULL)
				s->h = H_START;
			p += k;
			n -= k;
			continue;
		case H_START:
			if (*p == '\r') {
				s->h = H_CR;
				p++;
				n--;
				continue;
			}
			break;
		case H_CR:
			if (*p != '\n')
				save_quote(s, "\r", 1);
			break;
		case H_DONE:
			break;
		}
		if (*p == '\n') {
			save_status(s);
			save_quote(s, s->h == H_CR ? "\r\n" : "\n",
				   s->h == H_CR ? 2 : 1);
			s->h = H_DONE;
			p++;
			n--;
		} else {
			s->h = H_MID;
		}
	}
	if (n > 0)
		save_quote(s, p, n);
}

/* save_fail - cut the file back to where it was, then unlock */
static int save_fail(struct mbox_save *s)
{
	int fd = s->lock->fd;

	if (ftruncate(fd, (off_t)s->orig_size) < 0 || fsync(fd) < 0)
		log_error("mbox %s: cannot truncate back to %llu bytes after a "
			  "failed append: %s",
			  s->path, (unsigned long long)s->orig_size,
			  strerror(errno));
	mbox_lock_close(&s->lock);
	s->failed = 1;
	return -1;
}

/* save_feed - message bytes through the pipeline, flushed per block */
static int save_feed(struct mbox_save *s, const char *p, size_t n,
		     struct sl_err *err)
{
	while (n > 0) {
		size_t k = n < MBOX_IO_CHUNK ? n : MBOX_IO_CHUNK;

		s->msg_bytes += k;
		s->last = p[k - 1];
		save_header(s, p, k);
		if (s->out.b.len >= MBOX_IO_CHUNK &&
		    mbox_io_flush(&s->out, err) < 0)
			return save_fail(s);
		p += k;
		n -= k;
	}
	return 0;
}

/* save_first_line - the line ending is known: From_ line, held bytes */
static int save_first_line(struct mbox_save *s, struct sl_err *err)
{
	int ret;

	s->eol_known = 1;
	save_from_line(s);
	ret = save_feed(s, s->first.data, s->first.len, err);
	buf_free(&s->first);
	return ret;
}

/* save_open - lock the folder's file and note where the message goes */
static int save_open(struct mbox_save *s, const char *folder,
		     struct sl_err *err)
{
	struct buf path = BUF_INIT;
	struct stat sb;
	char c = '\n';
	int inbox;

	if (mbox_path(s->st, folder, &path, &inbox, err) < 0) {
		buf_free(&path);
		return -1;
	}
	s->path = buf_steal(&path);
	if (mbox_lock_open(&s->st->locks, s->path,
			   MBOX_OPEN_WRITE | (inbox ? MBOX_OPEN_CREATE : 0),
			   &s->lock, err) < 0) {
		if (err->cls == ERR_NOTFOUND)
			err_set(err, inbox ? ERR_TEMP : ERR_NOTFOUND,
				"%s %s does not exist",
				inbox ? "the INBOX "
					"directory of"
				      : "folder",
				inbox ? s->path : folder);
		return -1;
	}
	if (fstat(s->lock->fd, &sb) < 0 ||
	    (sb.st_size > 0 &&
	     pread(s->lock->fd, &c, 1, sb.st_size - 1) != 1)) {
		err_set_errno(err, errno, "cannot read %s", s->path);
		err->cls = ERR_TEMP;
		return -1;
	}
	s->orig_size = (uint64_t)sb.st_size;
	mbox_io_out_init(&s->out, s->lock->fd, s->orig_size, s->lock);
	if (c != '\n') /* the last message lacks its line end */
		buf_append_char(&s->out.b, '\n');
	s->from_off = s->orig_size + s->out.b.len;
	return 0;
}

int mbox_save_begin(struct store *store, const char *folder,
		    const struct store_save_info *info,
		    struct store_save **save_r, struct sl_err *err)
{
	struct mbox_save *s = xcalloc(1, sizeof(*s));
	struct store_save *save;

	s->st = (struct mbox_store *)store;
	buf_init(&s->out.b);
	buf_init(&s->first);
	s->sender = save_sender(info->sender);
	s->received = info->received != 0 ? info->received : time(NULL);
	s->flags = info->flags;
	if (info->n_keywords > 0) {
		/* X-Keywords as Dovecot writes it: names separated by spaces */
		struct buf kw = BUF_INIT;
		size_t i;

		for (i = 0; i < info->n_keywords; i++)
			buf_printf(&kw, "%s%s", i > 0 ? " " : "",
				   info->keywords[i]);
		s->keywords = buf_steal(&kw);
	}
	s->q = Q_START;
	s->h = s->flags != 0 || s->keywords != NULL ? H_START : H_DONE;
	s->last = '\n';
	*save_r = NULL;
	save = (struct store_save *)s;
	if (save_open(s, folder, err) < 0) {
		mbox_save_abort(&save);
		return -1;
	}
	*save_r = save;
	return 0;
}

int mbox_save_write(struct store_save *save, const void *data, size_t len,
		    struct sl_err *err)
{
	struct mbox_save *s = (struct mbox_save *)save;
	const char *p = data, *nl;

	if (s->failed)
		return err_set(err, ERR_TEMP, "the mbox append already failed");
	if (len == 0)
		return 0;
	if (!s->eol_known) {
		nl = memchr(p, '\n', len);
		if (nl == NULL && s->first.len + len < MBOX_FIRST_LINE_MAX) {
			buf_append(&s->first, p, len);
			return 0;
		}
		if (nl != NULL && nl > p)
			s->crlf = nl[-1] == '\r';
		else if (nl != NULL && s->first.len > 0)
			s->crlf = s->first.data[s->first.len - 1] == '\r';
		if (save_first_line(s, err) < 0)
			return -1;
	}
	return save_feed(s, p, len, err);
}

/* save_finish - the message's end: line end, flags, separator line */
static void save_finish(struct mbox_save *s)
{
	const char *eol = save_eol(s);

	if (s->h == H_CR) {
		save_quote(s, "\r", 1);
		s->h = H_MID;
	}
	if (s->msg_bytes > 0 && s->last != '\n')
		save_quote(s, eol, strlen(eol));
	if (s->h != H_DONE)
		save_status(s); /* a message that is all header */
	save_quote(s, eol, strlen(eol));
}

int mbox_save_commit(struct store_save **savep, struct buf *id_r,
		     struct sl_err *err)
{
	struct mbox_save *s = (struct mbox_save *)*savep;
	int ret = -1;

	if (s->failed) {
		err_set(err, ERR_TEMP, "the mbox append already failed");
		goto out;
	}
	if (!s->eol_known && save_first_line(s, err) < 0)
		goto out;
	save_finish(s);
	if (mbox_io_flush(&s->out, err) < 0) {
		save_fail(s);
		goto out;
	}
	if (fsync(s->lock->fd) < 0) {
		err_set_errno(err, errno, "cannot fsync %s", s->path);
		err->cls = ERR_TEMP;
		save_fail(s);
		goto out;
	}
	if (s->lock->created && mbox_fsync_dir(s->path, err) < 0) {
		save_fail(s);
		goto out;
	}
	if (id_r != NULL) {
		buf_reset(id_r);
		buf_printf(id_r, "%llu", (unsigned long long)s->from_off);
	}
	mbox_lock_close(&s->lock); /* durable: nothing to take back */
	ret = 0;
out:
	mbox_save_abort(savep);
	return ret;
}

void mbox_save_abort(struct store_save **savep)
{
	struct mbox_save *s = (struct mbox_save *)*savep;

	if (s == NULL)
		return;
	if (s->lock != NULL && s->out.off > s->orig_size)
		(void)save_fail(s); /* bytes went out: take them back */
	mbox_lock_close(&s->lock);
	mbox_io_out_free(&s->out);
	buf_free(&s->first);
	free(s->sender);
	free(s->keywords);
	free(s->path);
	free(s);
	*savep = NULL;
}
