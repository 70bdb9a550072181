/* cmd-convert.c - `sluice convert mbox2maildir|maildir2mbox SRC DST`
 *
 * Copies a mailbox between the two stores through the store interface
 * (lib/store.h), one message at a time: the source store's reader gives
 * the message's bytes (the mbox store undoes the mboxrd quoting), the
 * destination store's save writes them (the mbox store quotes again).
 * The bytes are kept as they are except for the header fields Status:
 * and X-Status:, which are mbox's way of holding flags: they are
 * removed, and the flags travel in struct store_save_info (Maildir puts
 * them in the file name, mbox writes canonical Status/X-Status lines
 * back). The received time travels the same way (From_ line date <->
 * file mtime); a From_ line without a readable date takes the Date:
 * field's. The mbox envelope sender comes from the message's first
 * Return-Path:, else its From: address (Maildir has no place for one).
 *
 * Resuming: before it writes, a run records what it converts in a state
 * file beside the destination (DST.sluice-convert, held with flock) and
 * refuses a destination that already holds messages without one. Each
 * destination folder then holds exactly the first N messages of its
 * source folder (saves are atomic and in source order), so a restart
 * skips N. An mbox append cut short by a crash can leave a partial last
 * message: a restart compares the destination's last message with its
 * source message and takes a partial one away (expunge) before going
 * on. The state file goes when the conversion is complete.
 */
#include "auto-config.h"
#include "tools.h"
#include "core/delivery.h"
#include "lib/address.h"
#include "lib/buf.h"
#include "lib/pool.h"
#include "lib/store.h"
#include "lib/xalloc.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* bytes asked of a store reader at a time */
#define CONVERT_CHUNK (64 * 1024)
/* header bytes examined for Status:/X-Status: and the fields we read;
 * a longer header is copied on unchanged past this point */
#define CONVERT_HEADER_MAX (1024 * 1024)
/* bytes kept of one Return-Path:, From: or Date: field */
#define CONVERT_FIELD_MAX 4096
/* largest state file read back */
#define CONVERT_STATE_MAX 8192
/* shortest time between two redraws of the progress bar */
#define CONVERT_PROGRESS_NSEC 100000000L
/* width of the progress bar in characters */
#define CONVERT_BAR_WIDTH 24

#define STATE_MAGIC  "sluice-convert-state 1"
#define STATE_SUFFIX ".sluice-convert"

enum convert_mode { TO_MAILDIR, TO_MBOX };

/* how a run ended */
enum convert_status { CONV_DONE, CONV_FAILED, CONV_INTERRUPTED };

struct convert_side {
	const struct store_vfuncs *v;
	struct store *st;
	struct store_location loc;
	char *root, *inbox; /* owned strings behind loc */
	int is_mbox;
};

struct convert_stats {
	uint64_t msgs, resumed, bytes, errors;
	uint64_t date_from_header, undated, junk_bytes, partial_removed;
	uint64_t flags[5]; /* seen answered flagged deleted draft */
	unsigned folders;
};

struct convert {
	const struct config *cfg;
	enum convert_mode mode;
	int recursive, json, quiet, progress;
	const char *src_path, *dst_path, *inbox_path;
	struct convert_side src, dst;
	struct buf state_path;
	int state_fd;
	int resumed; /* a state file was there */
	struct stat src_sb;
	struct convert_stats stats;
	enum convert_status status;
	int exit_code;
	struct buf error; /* the error that stopped the run */
	/* the folder being converted, for the progress bar */
	const char *folder;
	size_t f_done, f_total;
	uint64_t f_bytes, f_bytes_total;
	struct timespec drawn;
	int bar_open; /* a progress line waits for its end */
};

/* The header of one message as read for conversion. */
struct convert_head {
	struct buf raw;	 /* bytes read so far (header, maybe more) */
	size_t examined; /* raw[0, examined) went through the filter */
	struct buf out;	 /* the filtered header */
	/* the first field of each name, unfolded, and whether there is one */
	struct buf return_path, from, date, mozilla;
	int seen[4];
	int eof; /* the reader is at its end */
};

static volatile sig_atomic_t convert_stop;

static void convert_on_signal(int sig)
{
	convert_stop = sig;
}

static const char *mode_name(enum convert_mode m)
{
	return m == TO_MAILDIR ? "mbox2maildir" : "maildir2mbox";
}

/* progress_break - end a progress line before a message of our own */
static void progress_break(struct convert *c)
{
	if (c->bar_open)
		fputc('\n', stderr);
	c->bar_open = 0;
}

/* convert_fail - remember the error that stops the run, print it */
static int convert_fail(struct convert *c, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int convert_fail(struct convert *c, int code, const char *fmt, ...)
{
	va_list ap;

	buf_reset(&c->error);
	va_start(ap, fmt);
	buf_vprintf(&c->error, fmt, ap);
	va_end(ap);
	progress_break(c);
	fprintf(stderr, "sluice convert: %s\n", c->error.data);
	c->status = CONV_FAILED;
	if (c->exit_code == TOOL_OK || code == TOOL_TEMP)
		c->exit_code = code;
	return -1;
}

/* code_of - the exit code for a store error */
static int code_of(const struct sl_err *err)
{
	return err->cls == ERR_TEMP || err->cls == ERR_NOQUOTA ? TOOL_TEMP
							       : TOOL_FAIL;
}

/* ---- dates ---- */

/* date_word - the next word of s (letters, digits, ':' '+' '-'), after
 * white space, commas and (comments); its length, 0 at the end */
static size_t date_word(const char **s, const char *end)
{
	const char *p = *s, *w;
	int depth = 0;

	while (p < end && (depth > 0 || *p == ' ' || *p == '\t' || *p == ',' ||
			   *p == '\r' || *p == '\n' || *p == '(')) {
		if (*p == '(')
			depth++;
		else if (*p == ')' && depth > 0)
			depth--;
		p++;
	}
	w = p;
	while (p < end && (isalnum((unsigned char)*p) || *p == ':' ||
			   *p == '+' || *p == '-'))
		p++;
	*s = w;
	return (size_t)(p - w);
}

/* date_zone - seconds east of UTC for a zone word; 0 for unknown ones
 * (RFC 5322 4.3: treat them as -0000) */
static long date_zone(const char *w, size_t n)
{
	static const char *const names[] = {"EDT", "EST", "CDT", "CST",
					    "MDT", "MST", "PDT", "PST"};
	static const int hours[] = {-4, -5, -5, -6, -6, -7, -7, -8};
	size_t i;

	if (n == 5 && (w[0] == '+' || w[0] == '-') &&
	    isdigit((unsigned char)w[1]) && isdigit((unsigned char)w[2]) &&
	    isdigit((unsigned char)w[3]) && isdigit((unsigned char)w[4])) {
		long v = ((w[1] - '0') * 10 + (w[2] - '0')) * 3600L +
			 ((w[3] - '0') * 10 + (w[4] - '0')) * 60L;

		return w[0] == '-' ? -v : v;
	}
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (n == 3 && strncasecmp(w, names[i], 3) == 0)
			return hours[i] * 3600L;
	}
	return 0;
}

/* date_time - "h:mm[:ss]" into tm; -1 if it is not one */
static int date_time(const char *w, size_t n, struct tm *tm)
{
	int v[3] = {0, 0, 0}, k = 0, digits = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		if (w[i] == ':' && digits > 0 && k < 2) {
			k++;
			digits = 0;
		} else if (isdigit((unsigned char)w[i]) && digits < 2) {
			v[k] = v[k] * 10 + (w[i] - '0');
			digits++;
		} else {
			return -1;
		}
	}
	if (k == 0 || digits == 0 || v[0] > 23 || v[1] > 59 || v[2] > 60)
		return -1;
	tm->tm_hour = v[0];
	tm->tm_min = v[1];
	tm->tm_sec = v[2];
	return 0;
}

/* date_number - a word of 1 to 4 digits: its digit count, else 0 */
static int date_number(const char *w, size_t n, int *v_r)
{
	size_t i;
	int v = 0;

	if (n == 0 || n > 4)
		return 0;
	for (i = 0; i < n; i++) {
		if (!isdigit((unsigned char)w[i]))
			return 0;
		v = v * 10 + (w[i] - '0');
	}
	*v_r = v;
	return (int)n;
}

/* date_month - the month a word names (0..11), or -1 */
static int date_month(const char *w, size_t n)
{
	static const char months[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
	int i;

	for (i = 0; n >= 3 && i < 12; i++) {
		if (strncasecmp(w, months + 3 * i, 3) == 0)
			return i;
	}
	return -1;
}

/* date_parse - an RFC 5322 date-time, also in its obsolete forms (two
 * digit years, named zones, comments) and asctime's order, as UTC; 0 if
 * it cannot be read */
static time_t date_parse(const char *s, size_t len)
{
	const char *p = s, *end = s + len;
	struct tm tm;
	int day = -1, mon = -1, year = -1, have_time = 0, v = 0, nd, m;
	long zone = 0;
	size_t n;
	time_t t;

	memset(&tm, 0, sizeof(tm));
	for (; (n = date_word(&p, end)) > 0; p += n) {
		nd = date_number(p, n, &v);
		if (date_time(p, n, &tm) == 0 && !have_time) {
			have_time = 1;
		} else if (mon < 0 && (m = date_month(p, n)) >= 0) {
			mon = m;
		} else if (nd > 0 && nd <= 2 && day < 0 && !have_time) {
			day = v;
		} else if (nd > 0 && year < 0) {
			year = nd == 4	 ? v
			       : nd == 3 ? 1900 + v
			       : v < 50	 ? 2000 + v
					 : 1900 + v;
		} else if (have_time) {
			zone = date_zone(p, n);
			if (year >= 0)
				break;
		}
	}
	if (day < 1 || day > 31 || mon < 0 || year < 1970 || !have_time)
		return 0;
	tm.tm_mday = day;
	tm.tm_mon = mon;
	tm.tm_year = year - 1900;
	t = timegm(&tm);
	return t == (time_t)-1 || t - zone <= 0 ? 0 : t - zone;
}

/* ---- one message's header ---- */

/* field_value - the line p[0, n) starts header field name (RFC 5322
 * name, blanks allowed before the colon, as the mbox store reads it):
 * the offset of its value, else 0 */
static size_t field_value(const char *p, size_t n, const char *name)
{
	size_t k = strlen(name), i;

	if (n <= k || strncasecmp(p, name, k) != 0)
		return 0;
	for (i = k; i < n && (p[i] == ' ' || p[i] == '\t'); i++)
		;
	return i < n && p[i] == ':' ? i + 1 : 0;
}

/* field_keep - append a value part to a noted field, bounded */
static void field_keep(struct buf *b, const char *p, size_t n)
{
	if (b->len + n > CONVERT_FIELD_MAX)
		n = CONVERT_FIELD_MAX - b->len;
	buf_append(b, p, n);
}

static void head_reset(struct convert_head *h)
{
	buf_reset(&h->raw);
	buf_reset(&h->out);
	buf_reset(&h->return_path);
	buf_reset(&h->from);
	buf_reset(&h->date);
	buf_reset(&h->mozilla);
	memset(h->seen, 0, sizeof(h->seen));
	h->examined = 0;
	h->eof = 0;
}

static void head_free(struct convert_head *h)
{
	buf_free(&h->raw);
	buf_free(&h->out);
	buf_free(&h->return_path);
	buf_free(&h->from);
	buf_free(&h->date);
	buf_free(&h->mozilla);
}

/* head_note - the field the line starts, if it is one we read and the
 * first of its name: where its value goes */
static struct buf *head_note(struct convert_head *h, const char *p, size_t n,
			     size_t *off_r)
{
	static const char *const names[] = {"Return-Path", "From", "Date",
					    "X-Mozilla-Status"};
	struct buf *bufs[4];
	int i;

	bufs[0] = &h->return_path;
	bufs[1] = &h->from;
	bufs[2] = &h->date;
	bufs[3] = &h->mozilla;
	for (i = 0; i < 4; i++) {
		if (!h->seen[i] && (*off_r = field_value(p, n, names[i])) > 0) {
			h->seen[i] = 1;
			return bufs[i];
		}
	}
	return NULL;
}

/* head_filter - the header lines of p[0, len) to h->out without their
 * Status: and X-Status: fields (and their continuation lines); the
 * first Return-Path, From, Date and X-Mozilla-Status values noted,
 * unfolded */
static void head_filter(struct convert_head *h, const char *p, size_t len)
{
	const char *end = p + len;
	struct buf *note = NULL;
	int drop = 0;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n =
		    nl != NULL ? (size_t)(nl - p) + 1 : (size_t)(end - p);
		size_t off = 0;

		if (*p != ' ' && *p != '\t') {
			drop = field_value(p, n, "Status") > 0 ||
			       field_value(p, n, "X-Status") > 0;
			note = drop ? NULL : head_note(h, p, n, &off);
		}
		if (note != NULL)
			field_keep(note, p + off, n - off);
		if (!drop)
			buf_append(&h->out, p, n);
		p += n;
	}
}

/* head_end - offset just past the empty line ending the header in
 * p[0, len), 0 while it has not come; *scan (a line start) is where
 * the search goes on */
static size_t head_end(const char *p, size_t len, size_t *scan)
{
	size_t i = *scan;
	const char *nl;

	while (i < len) {
		if (p[i] == '\n')
			return i + 1;
		if (p[i] == '\r' && i + 1 < len && p[i + 1] == '\n')
			return i + 2;
		nl = memchr(p + i, '\n', len - i);
		if (nl == NULL)
			break;
		i = (size_t)(nl - p) + 1;
	}
	*scan = i;
	return 0;
}

/* head_read - read r up to the end of the header (at most
 * CONVERT_HEADER_MAX bytes of it: the rest is copied unexamined) and
 * filter it */
static int head_read(const struct convert_side *side, struct store_reader *r,
		     struct convert_head *h, struct sl_err *err)
{
	size_t scan = 0, end = 0;
	ssize_t n;

	head_reset(h);
	while (end == 0 && h->raw.len < CONVERT_HEADER_MAX) {
		buf_reserve(&h->raw, CONVERT_CHUNK);
		n = side->v->reader_read(r, h->raw.data + h->raw.len,
					 CONVERT_CHUNK, err);
		if (n < 0)
			return -1;
		if (n == 0) {
			h->eof = 1;
			break;
		}
		h->raw.len += (size_t)n;
		end = head_end(h->raw.data, h->raw.len, &scan);
	}
	if (end == 0) /* no empty line: every whole line read is header */
		end = h->eof ? h->raw.len : scan;
	h->examined = end;
	head_filter(h, h->raw.data, end);
	return 0;
}

/* ---- where the bytes go: a save, or a digest ---- */

typedef int convert_sink_fn(void *ctx, const void *data, size_t len,
			    struct sl_err *err);

struct save_sink {
	const struct store_vfuncs *v;
	struct store_save *save;
};

static int save_sink(void *ctx, const void *data, size_t len,
		     struct sl_err *err)
{
	struct save_sink *s = ctx;

	return len == 0 ? 0 : s->v->save_write(s->save, data, len, err);
}

/* a message's filtered bytes, compared without keeping them: length,
 * FNV-1a 64, last byte */
struct digest {
	uint64_t len, hash;
	char last;
};

static void digest_init(struct digest *d)
{
	d->len = 0;
	d->hash = 0xcbf29ce484222325ULL; /* the FNV-1a 64 offset basis */
	d->last = '\n';
}

static void digest_add(struct digest *d, const void *data, size_t len)
{
	const unsigned char *p = data;
	size_t i;

	for (i = 0; i < len; i++) {
		d->hash ^= p[i];
		d->hash *= 0x100000001b3ULL;
	}
	d->len += len;
	if (len > 0)
		d->last = (char)p[len - 1];
}

static int digest_sink(void *ctx, const void *data, size_t len,
		       struct sl_err *err)
{
	(void)err;
	digest_add(ctx, data, len);
	return 0;
}

/* msg_pump - the filtered header, then the rest of the message, into
 * sink; stops at a signal (ERR_TEMP "interrupted") */
static int msg_pump(const struct convert_side *side, struct store_reader *r,
		    struct convert_head *h, convert_sink_fn *sink, void *ctx,
		    uint64_t *bytes_r, struct sl_err *err)
{
	ssize_t n;

	*bytes_r = h->out.len + (h->raw.len - h->examined);
	if (sink(ctx, h->out.data, h->out.len, err) < 0 ||
	    sink(ctx, h->raw.data + h->examined, h->raw.len - h->examined,
		 err) < 0)
		return -1;
	while (!h->eof) {
		if (convert_stop)
			return err_set(err, ERR_TEMP, "interrupted");
		buf_reset(&h->raw);
		buf_reserve(&h->raw, CONVERT_CHUNK);
		n = side->v->reader_read(r, h->raw.data, CONVERT_CHUNK, err);
		if (n < 0)
			return -1;
		if (n == 0)
			break;
		*bytes_r += (uint64_t)n;
		if (sink(ctx, h->raw.data, (size_t)n, err) < 0)
			return -1;
	}
	return 0;
}

/* msg_digest - the digest of a message as it would be converted */
static int msg_digest(const struct convert_side *side, const char *folder,
		      const char *id, struct convert_head *h, struct digest *d,
		      struct sl_err *err)
{
	struct store_reader *r = NULL;
	uint64_t bytes;
	int ret;

	if (side->v->msg_open(side->st, folder, id, &r, err) < 0)
		return -1;
	ret = head_read(side, r, h, err);
	if (ret == 0)
		ret = msg_pump(side, r, h, digest_sink, d, &bytes, err);
	side->v->reader_close(&r);
	return ret;
}

/* ---- the two stores ---- */

/* path_strip - path without trailing '/' (but "/" stays) */
static char *path_strip(const char *path)
{
	size_t len = strlen(path);

	while (len > 1 && path[len - 1] == '/')
		len--;
	return xstrndup(path, len);
}

/* side_init - where a side's store lives: a Maildir; one mbox file
 * (its directory is the store's root); or, recursive, a directory of
 * mbox folders with its INBOX file */
static void side_init(struct convert_side *s, int is_mbox, const char *path,
		      int recursive, const char *inbox)
{
	memset(s, 0, sizeof(*s));
	s->is_mbox = is_mbox;
	s->v = delivery_store_driver(is_mbox ? "mbox" : "maildir");
	s->root = path_strip(path);
	if (is_mbox && recursive) {
		s->inbox = inbox != NULL ? xstrdup(inbox) : NULL;
	} else if (is_mbox) {
		char *slash = strrchr(s->root, '/');

		s->inbox = s->root;
		s->root = slash == NULL ? xstrdup(".")
			  : slash == s->inbox
			      ? xstrdup("/")
			      : xstrndup(s->inbox, (size_t)(slash - s->inbox));
	}
	s->loc.driver = s->v->name;
	s->loc.root = s->root;
	s->loc.inbox = s->inbox;
}

static void side_free(struct convert_side *s)
{
	store_close(&s->st);
	free(s->root);
	free(s->inbox);
}

/* side_path - the file of an mbox folder (mbox.h: ROOT/NAME, the INBOX
 * its own file) */
static void side_path(const struct convert_side *s, const char *folder,
		      struct buf *out)
{
	int inbox = store_folder_is_inbox(folder);

	buf_reset(out);
	if (inbox && s->inbox != NULL)
		buf_append_str(out, s->inbox);
	else
		buf_printf(out, "%s/%s", s->root, inbox ? "inbox" : folder);
}

/* mbox_scan_junk - bytes of file before offset end (or all of it when
 * end is UINT64_MAX) that are not white space: text that is no message;
 * -1 if the file cannot be read */
static int64_t mbox_scan_junk(const char *file, uint64_t end)
{
	char b[CONVERT_CHUNK];
	uint64_t off = 0;
	int64_t junk = 0;
	int fd = open(file, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	ssize_t n, i;

	if (fd < 0)
		return errno == ENOENT ? 0 : -1;
	while (off < end && (n = read(fd, b, sizeof(b))) > 0) {
		if ((uint64_t)n > end - off)
			n = (ssize_t)(end - off);
		for (i = 0; i < n; i++)
			junk += !isspace((unsigned char)b[i]);
		off += (uint64_t)n;
	}
	(void)close(fd);
	return junk > 0 ? (int64_t)off : 0;
}

/* mbox_has_from - the file is empty or has a line starting "From " */
static int mbox_has_from(const char *file)
{
	char b[CONVERT_CHUNK + 6];
	size_t keep = 1;
	ssize_t n;
	int fd = open(file, O_RDONLY | O_CLOEXEC | O_NOCTTY), found = 0;

	if (fd < 0)
		return 1; /* the store will say why */
	b[0] = '\n';	  /* the file's start is a line start */
	while (!found && (n = read(fd, b + keep, CONVERT_CHUNK)) > 0) {
		size_t len = keep + (size_t)n, i;

		for (i = 0; !found && i + 6 <= len; i++)
			found =
			    b[i] == '\n' && memcmp(b + i + 1, "From ", 5) == 0;
		keep = len < 5 ? len : 5;
		memmove(b, b + len - keep, keep);
	}
	if (!found && lseek(fd, 0, SEEK_END) == 0)
		found = 1; /* empty */
	(void)close(fd);
	return found;
}

/* check_source - SRC is what the mode reads, before anything is made */
static int check_source(struct convert *c)
{
	const char *what = c->mode == TO_MBOX ? "Maildir"
			   : c->recursive     ? "directory of mbox folders"
					      : "mbox file";
	int want_dir = c->mode == TO_MBOX || c->recursive;

	if (stat(c->src_path, &c->src_sb) < 0)
		return convert_fail(c, errno == ENOENT ? TOOL_FAIL : TOOL_TEMP,
				    "%s: %s (the %s to convert)", c->src_path,
				    strerror(errno), what);
	if (want_dir && !S_ISDIR(c->src_sb.st_mode))
		return convert_fail(c, TOOL_FAIL,
				    "%s is not a directory, "
				    "not a %s",
				    c->src_path, what);
	if (!want_dir && S_ISDIR(c->src_sb.st_mode))
		return convert_fail(
		    c, TOOL_FAIL,
		    "%s is a directory, not an "
		    "mbox file (-r converts a directory of mbox "
		    "folders)",
		    c->src_path);
	if (!want_dir && !S_ISREG(c->src_sb.st_mode))
		return convert_fail(c, TOOL_FAIL, "%s is not a regular file",
				    c->src_path);
	if (!want_dir && !mbox_has_from(c->src_path))
		return convert_fail(c, TOOL_FAIL,
				    "%s is not an mbox file: no "
				    "line begins with \"From \"",
				    c->src_path);
	return 0;
}

/* check_mbox_file - an existing mbox destination: empty or "From " */
static int check_mbox_file(struct convert *c, const char *path)
{
	char b[5];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);

	if (fd < 0)
		return convert_fail(c, TOOL_TEMP, "%s: %s", path,
				    strerror(errno));
	n = read(fd, b, sizeof(b));
	(void)close(fd);
	if (n != 0 && (n != 5 || memcmp(b, "From ", 5) != 0))
		return convert_fail(c, TOOL_FAIL,
				    "%s exists and is not an "
				    "mbox file (it does not begin with \"From "
				    "\"); give a new or empty one",
				    path);
	return 0;
}

/* dir_is_empty - path is a directory with no entries */
static int dir_is_empty(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *de;
	int empty = 1;

	if (d == NULL)
		return 0;
	while (empty && (de = readdir(d)) != NULL)
		empty = strcmp(de->d_name, ".") == 0 ||
			strcmp(de->d_name, "..") == 0;
	(void)closedir(d);
	return empty;
}

/* check_maildir_dir - an existing Maildir destination: a Maildir or an
 * empty directory */
static int check_maildir_dir(struct convert *c, const char *path)
{
	struct buf cur = BUF_INIT;
	struct stat sb;
	int is_maildir;

	buf_printf(&cur, "%s/cur", path);
	is_maildir = stat(cur.data, &sb) == 0 && S_ISDIR(sb.st_mode);
	buf_free(&cur);
	if (is_maildir || dir_is_empty(path))
		return 0;
	return convert_fail(c, TOOL_FAIL,
			    "%s exists and is not a Maildir "
			    "(no cur/ directory) nor an empty directory",
			    path);
}

/* check_dest - DST can take the conversion: absent, or of the right
 * kind (whether it is empty is known once the stores are open) */
static int check_dest(struct convert *c)
{
	struct stat sb;

	if (stat(c->dst_path, &sb) < 0) {
		if (errno == ENOENT)
			return 0;
		return convert_fail(c, TOOL_TEMP, "%s: %s", c->dst_path,
				    strerror(errno));
	}
	if (c->mode == TO_MAILDIR || c->recursive) {
		if (!S_ISDIR(sb.st_mode))
			return convert_fail(c, TOOL_FAIL,
					    "%s exists and is "
					    "not a directory",
					    c->dst_path);
		return c->mode == TO_MAILDIR ? check_maildir_dir(c, c->dst_path)
					     : 0;
	}
	if (S_ISDIR(sb.st_mode))
		return convert_fail(c, TOOL_FAIL,
				    "%s is a directory: give the "
				    "mbox file to write (-r writes a directory "
				    "of mbox folders)",
				    c->dst_path);
	if (!S_ISREG(sb.st_mode))
		return convert_fail(c, TOOL_FAIL,
				    "%s exists and is not a "
				    "regular file",
				    c->dst_path);
	return check_mbox_file(c, c->dst_path);
}

/* open_side - a side's store; a failure to open is the tool's error */
static int open_side(struct convert *c, struct convert_side *s, int create,
		     const char *path)
{
	struct sl_err err;

	err_clear(&err);
	if (s->v->open(c->cfg, &s->loc, create, &s->st, &err) == 0)
		return 0;
	if (!create && !s->is_mbox && err.cls == ERR_NOTFOUND)
		return convert_fail(c, TOOL_FAIL,
				    "%s is not a Maildir (it has "
				    "no cur/ directory)",
				    path);
	return convert_fail(c, code_of(&err), "%s: %s", path, err.text);
}

/* ---- the state file ---- */

/* state_ident - what a state file must say to be this conversion's */
static void state_ident(const struct convert *c, struct buf *out)
{
	buf_printf(out,
		   "%s\nmode %s\nrecursive %d\nsource-device %llu\n"
		   "source-inode %llu\n",
		   STATE_MAGIC, mode_name(c->mode), c->recursive,
		   (unsigned long long)c->src_sb.st_dev,
		   (unsigned long long)c->src_sb.st_ino);
}

/* state_lock - hold the state file for the run; 0, or -1 (told) */
static int state_lock(struct convert *c, int fd)
{
	if (flock(fd, LOCK_EX | LOCK_NB) == 0) {
		c->state_fd = fd;
		return 0;
	}
	(void)close(fd);
	return convert_fail(c, TOOL_TEMP,
			    "another sluice convert is working "
			    "on %s (%s is locked)",
			    c->dst_path, c->state_path.data);
}

/* state_check - an existing state file: ours to continue? */
static int state_check(struct convert *c, int fd)
{
	struct buf want = BUF_INIT;
	char text[CONVERT_STATE_MAX];
	ssize_t n = read(fd, text, sizeof(text) - 1);
	int ret = 0;

	state_ident(c, &want);
	if (n < 0) {
		ret = convert_fail(c, TOOL_TEMP, "cannot read %s: %s",
				   c->state_path.data, strerror(errno));
	} else if ((size_t)n < want.len ||
		   memcmp(text, want.data, want.len) != 0) {
		text[n] = '\0';
		ret =
		    convert_fail(c, TOOL_FAIL,
				 "%s does not record this "
				 "conversion of %s (the source was replaced, "
				 "or it is another conversion's, or it is "
				 "damaged); remove it and %s to start over",
				 c->state_path.data, c->src_path, c->dst_path);
	}
	buf_free(&want);
	return ret;
}

/* state_open - take up the state file of an interrupted run, if any */
static int state_open(struct convert *c)
{
	int fd;
	char *dst = path_strip(c->dst_path);

	buf_printf(&c->state_path, "%s%s", dst, STATE_SUFFIX);
	free(dst);
	fd = open(c->state_path.data, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0 && errno == ENOENT)
		return 0;
	if (fd < 0)
		return convert_fail(c, TOOL_TEMP, "cannot open %s: %s",
				    c->state_path.data, strerror(errno));
	if (state_lock(c, fd) < 0 || state_check(c, fd) < 0)
		return -1;
	c->resumed = 1;
	return 0;
}

/* dir_sync - make the entries of file's directory durable */
static int dir_sync(const char *file)
{
	const char *slash = strrchr(file, '/');
	char *dir = slash == NULL   ? xstrdup(".")
		    : slash == file ? xstrdup("/")
				    : xstrndup(file, (size_t)(slash - file));
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC), ret = -1;

	if (fd >= 0) {
		ret = fsync(fd);
		(void)close(fd);
	}
	free(dir);
	return ret;
}

/* write_all - len bytes to fd through short writes and EINTR */
static int write_all(int fd, const char *p, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* state_create - record this conversion before writing anything: a
 * temporary file, synced, linked into place (so two runs starting
 * together cannot both have it), then held */
static int state_create(struct convert *c)
{
	struct buf text = BUF_INIT, tmp = BUF_INIT;
	int fd, ret = -1;

	state_ident(c, &text);
	buf_printf(&text, "source %s\ndestination %s\n", c->src_path,
		   c->dst_path);
	buf_printf(&tmp, "%s.%ld.tmp", c->state_path.data, (long)getpid());
	fd = open(tmp.data,
		  O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0 || write_all(fd, text.data, text.len) < 0 || fsync(fd) < 0) {
		convert_fail(c, TOOL_TEMP, "cannot write %s: %s", tmp.data,
			     strerror(errno));
	} else if (link(tmp.data, c->state_path.data) < 0) {
		if (errno == EEXIST)
			convert_fail(c, TOOL_TEMP,
				     "another sluice convert "
				     "started on %s at the same time",
				     c->dst_path);
		else
			convert_fail(c, TOOL_TEMP, "cannot create %s: %s",
				     c->state_path.data, strerror(errno));
	} else if (dir_sync(c->state_path.data) < 0) {
		convert_fail(c, TOOL_TEMP,
			     "cannot sync the directory of %s: "
			     "%s",
			     c->state_path.data, strerror(errno));
	} else {
		ret = 0;
	}
	if (fd >= 0)
		(void)close(fd);
	(void)unlink(tmp.data);
	buf_free(&text);
	buf_free(&tmp);
	if (ret == 0 && (fd = open(c->state_path.data,
				   O_RDONLY | O_CLOEXEC | O_NOFOLLOW)) < 0)
		ret = convert_fail(c, TOOL_TEMP, "cannot open %s: %s",
				   c->state_path.data, strerror(errno));
	return ret < 0 ? -1 : state_lock(c, fd);
}

/* state_remove - the conversion is complete */
static void state_remove(struct convert *c)
{
	if (unlink(c->state_path.data) < 0 || dir_sync(c->state_path.data) < 0)
		fprintf(stderr,
			"sluice convert: warning: cannot remove %s: "
			"%s\n",
			c->state_path.data, strerror(errno));
}

/* ---- folders ---- */

/* dst_count - messages the destination folder holds (0 if it is not
 * there) */
static int dst_count(struct convert *c, const char *folder, struct pool *pool,
		     struct store_msg_info **msgs_r, size_t *count_r,
		     struct sl_err *err)
{
	int r;

	*msgs_r = NULL;
	*count_r = 0;
	if (!store_folder_is_inbox(folder) &&
	    (r = c->dst.v->folder_exists(c->dst.st, folder, err)) <= 0)
		return r;
	if (c->dst.v->msg_list(c->dst.st, folder, pool, msgs_r, count_r, err) ==
	    0)
		return 0;
	if (err->cls != ERR_NOTFOUND)
		return -1;
	err_clear(err);
	return 0;
}

/* dst_precheck - a new conversion writes only into empty folders: a
 * destination that already holds mail with no state file is not one
 * this command was converting, and resuming could not tell its
 * messages from ours */
static int dst_precheck(struct convert *c, const char *const *folders, size_t n)
{
	struct pool *pool = pool_new(4096);
	struct store_msg_info *msgs;
	struct sl_err err;
	size_t i, count = 0;
	int ret = 0;

	err_clear(&err);
	for (i = 0; ret == 0 && i < n; i++) {
		if (dst_count(c, folders[i], pool, &msgs, &count, &err) < 0)
			ret = convert_fail(c, code_of(&err), "%s: %s",
					   c->dst_path, err.text);
		else if (count > 0)
			ret = convert_fail(c, TOOL_FAIL,
					   "%s already holds %zu "
					   "message%s in %s and no conversion "
					   "of it was interrupted (no %s): "
					   "convert into a new or empty "
					   "mailbox",
					   c->dst_path, count,
					   count == 1 ? "" : "s", folders[i],
					   c->state_path.data);
	}
	pool_free(&pool);
	return ret;
}

/* dst_folder - make the destination folder; 1 made or there, 0 it
 * cannot be (told, counted), -1 error */
static int dst_folder(struct convert *c, const char *folder, struct sl_err *err)
{
	int r;

	if (store_folder_is_inbox(folder))
		return 1;
	r = c->dst.v->folder_exists(c->dst.st, folder, err);
	if (r != 0)
		return r;
	if (c->dst.v->folder_create(c->dst.st, folder, err) == 0 ||
	    err->cls == ERR_EXISTS) {
		err_clear(err);
		return 1;
	}
	if (err->cls == ERR_TEMP)
		return -1;
	progress_break(c);
	fprintf(stderr, "sluice convert: folder %s not converted: %s\n", folder,
		err->text);
	c->stats.errors++;
	err_clear(err);
	return 0;
}

/* dst_done - how many of the folder's messages an earlier run
 * converted: the destination's count, once a partial last mbox message
 * (an append cut short by a crash) is taken away */
static int dst_done(struct convert *c, const char *folder,
		    const struct store_msg_info *src, size_t n,
		    struct convert_head *h, size_t *done_r, struct sl_err *err)
{
	struct pool *pool = pool_new(4096);
	struct store_msg_info *dst;
	struct digest ds, dd, lf, crlf;
	size_t dn;
	int ret = -1;

	digest_init(&ds);
	digest_init(&dd);
	if (dst_count(c, folder, pool, &dst, &dn, err) < 0)
		goto out;
	if (dn > n) {
		ret = err_set(err, ERR_PERM,
			      "%s holds %zu messages in %s, "
			      "more than the source's %zu: it is not this "
			      "conversion's",
			      c->dst_path, dn, folder, n);
		goto out;
	}
	if (c->dst.is_mbox && dn > 0 &&
	    (msg_digest(&c->src, folder, src[dn - 1].id, h, &ds, err) < 0 ||
	     msg_digest(&c->dst, folder, dst[dn - 1].id, h, &dd, err) < 0))
		goto out;
	lf = crlf = ds;
	digest_add(&lf, "\n", 1);
	digest_add(&crlf, "\r\n", 2);
	if (c->dst.is_mbox && dn > 0 &&
	    !(dd.len == ds.len && dd.hash == ds.hash) &&
	    !(ds.last != '\n' &&
	      ((dd.len == lf.len && dd.hash == lf.hash) ||
	       (dd.len == crlf.len && dd.hash == crlf.hash)))) {
		const char *id = dst[dn - 1].id;

		if (c->dst.v->expunge(c->dst.st, folder, &id, 1, err) < 0)
			goto out;
		progress_break(c);
		fprintf(stderr,
			"sluice convert: %s: removed the last message "
			"of %s, cut short when the conversion was "
			"interrupted; converting it again\n",
			c->dst_path, folder);
		c->stats.partial_removed++;
		dn--;
	}
	*done_r = dn;
	ret = 0;
out:
	pool_free(&pool);
	return ret;
}

/* ---- progress ---- */

/* progress - the bar for the folder being converted, on a terminal,
 * redrawn at most every CONVERT_PROGRESS_NSEC; final ends the line */
static void progress(struct convert *c, int final)
{
	char bar[CONVERT_BAR_WIDTH + 1];
	struct timespec now;
	unsigned pct, i, fill;
	long ns;

	if (!c->progress)
		return;
	(void)clock_gettime(CLOCK_MONOTONIC, &now);
	ns = (long)(now.tv_sec - c->drawn.tv_sec) * 1000000000L +
	     (now.tv_nsec - c->drawn.tv_nsec);
	if (!final && c->drawn.tv_sec != 0 && ns < CONVERT_PROGRESS_NSEC)
		return;
	c->drawn = now;
	pct = c->f_bytes_total > 0
		  ? (unsigned)(c->f_bytes * 100 / c->f_bytes_total)
	      : c->f_total > 0 ? (unsigned)(c->f_done * 100 / c->f_total)
			       : 100;
	if (pct > 100)
		pct = 100;
	fill = pct * CONVERT_BAR_WIDTH / 100;
	for (i = 0; i < CONVERT_BAR_WIDTH; i++)
		bar[i] = i < fill ? '#' : '.';
	bar[CONVERT_BAR_WIDTH] = '\0';
	fprintf(stderr, "\r%-20.20s [%s] %3u%%  %zu/%zu messages  %.1f MB%s",
		c->folder, bar, pct, c->f_done, c->f_total,
		(double)c->f_bytes / 1e6, final ? "\n" : "");
	fflush(stderr);
	c->bar_open = !final;
}

/* ---- messages ---- */

/* msg_received - the message's delivery time: the source's (From_
 * line, mtime), else its Date: field, else 0 (the store's "now") */
static time_t msg_received(struct convert *c, const struct store_msg_info *mi,
			   const struct convert_head *h)
{
	time_t t;

	if (mi->received > 0)
		return mi->received;
	t = h->seen[2] ? date_parse(h->date.data, h->date.len) : 0;
	if (t > 0)
		c->stats.date_from_header++;
	else
		c->stats.undated++;
	return t;
}

/* msg_sender - the envelope sender an mbox From_ line gets: the first
 * Return-Path (its "<>" is the null sender), else the From: address,
 * else the null sender (MAILER-DAEMON) */
static const char *msg_sender(const struct convert_head *h, struct pool *pool)
{
	struct address *a;

	if (h->seen[0]) {
		a = address_parse(pool, h->return_path.data, h->return_path.len,
				  NULL);
		if (a != NULL && !(a->flags & ADDRESS_INVALID))
			return a->addr;
		if (a == NULL)
			return "";
	}
	if (!h->seen[1])
		return "";
	for (a = address_parse(pool, h->from.data, h->from.len, NULL);
	     a != NULL; a = a->next) {
		if (a->addr[0] != '\0' && !(a->flags & ADDRESS_INVALID))
			return a->addr;
	}
	return "";
}

/* msg_mozilla - the flags of Thunderbird's X-Mozilla-Status (hex:
 * 1 read, 2 replied, 4 marked, 8 expunged), which Netscape-style mboxes
 * hold instead of Status: */
static unsigned msg_mozilla(const struct convert_head *h)
{
	unsigned long v;
	char *end;

	if (!h->seen[3])
		return 0;
	v = strtoul(h->mozilla.data, &end, 16);
	if (end == h->mozilla.data)
		return 0;
	return ((v & 1) ? STORE_FLAG_SEEN : 0) |
	       ((v & 2) ? STORE_FLAG_ANSWERED : 0) |
	       ((v & 4) ? STORE_FLAG_FLAGGED : 0) |
	       ((v & 8) ? STORE_FLAG_DELETED : 0);
}

/* msg_stats - count a converted message */
static void msg_stats(struct convert *c, unsigned flags, uint64_t bytes)
{
	static const unsigned bits[5] = {STORE_FLAG_SEEN, STORE_FLAG_ANSWERED,
					 STORE_FLAG_FLAGGED, STORE_FLAG_DELETED,
					 STORE_FLAG_DRAFT};
	size_t i;

	c->stats.msgs++;
	c->stats.bytes += bytes;
	for (i = 0; i < 5; i++)
		c->stats.flags[i] += (flags & bits[i]) != 0;
}

/* convert_msg - one message from the source folder into the
 * destination's, committed (durable) before it returns 0 */
static int convert_msg(struct convert *c, const char *folder,
		       const struct store_msg_info *mi, struct convert_head *h,
		       struct sl_err *err)
{
	struct store_reader *r = NULL;
	struct save_sink sink = {c->dst.v, NULL};
	struct store_save_info info;
	struct pool *pool = pool_new(1024);
	uint64_t bytes, removed;
	int ret = -1;

	if (c->src.v->msg_open(c->src.st, folder, mi->id, &r, err) < 0 ||
	    head_read(&c->src, r, h, err) < 0)
		goto out;
	removed = h->examined - h->out.len;
	memset(&info, 0, sizeof(info));
	info.flags = mi->flags | (c->src.is_mbox ? msg_mozilla(h) : 0);
	info.received = msg_received(c, mi, h);
	info.sender = c->dst.is_mbox ? msg_sender(h, pool) : NULL;
	info.size =
	    !c->dst.is_mbox && mi->size > removed ? mi->size - removed : 0;
	if (c->dst.v->save_begin(c->dst.st, folder, &info, &sink.save, err) < 0)
		goto out;
	if (msg_pump(&c->src, r, h, save_sink, &sink, &bytes, err) < 0) {
		c->dst.v->save_abort(&sink.save);
		goto out;
	}
	if (c->dst.v->save_commit(&sink.save, NULL, err) < 0)
		goto out;
	msg_stats(c, info.flags, bytes);
	ret = 0;
out:
	if (r != NULL)
		c->src.v->reader_close(&r);
	pool_free(&pool);
	return ret;
}

/* folder_junk - text before an mbox folder's first From_ line is no
 * message and is not converted: say so and count it */
static int64_t folder_junk(struct convert *c, const char *folder,
			   const struct store_msg_info *msgs, size_t n)
{
	struct buf path = BUF_INIT;
	uint64_t first = UINT64_MAX;
	int64_t junk;

	if (n > 0)
		first = strtoull(msgs[0].id, NULL, 10);
	if (first == 0)
		return 0;
	side_path(&c->src, folder, &path);
	junk = mbox_scan_junk(path.data, first);
	if (junk != 0)
		progress_break(c);
	if (junk < 0)
		fprintf(stderr,
			"sluice convert: %s: cannot read it to check "
			"for text before its first \"From \" line: %s\n",
			path.data, strerror(errno));
	else if (junk > 0)
		fprintf(stderr,
			"sluice convert: %s: %lld bytes before the "
			"first \"From \" line are no message and were not "
			"converted\n",
			path.data, (long long)junk);
	if (junk != 0)
		c->stats.errors++;
	if (junk > 0)
		c->stats.junk_bytes += (uint64_t)junk;
	buf_free(&path);
	return junk;
}

/* folder_msgs - convert messages done..n of the folder, drawing progress */
static int folder_msgs(struct convert *c, const char *folder,
		       const struct store_msg_info *msgs, size_t n,
		       struct convert_head *h, struct sl_err *err)
{
	size_t i;

	for (i = c->f_done; i < n; i++) {
		if (convert_stop)
			return err_set(err, ERR_TEMP, "interrupted");
		if (convert_msg(c, folder, &msgs[i], h, err) < 0)
			return -1;
		c->f_done++;
		c->f_bytes += msgs[i].size;
		progress(c, 0);
	}
	return 0;
}

/* convert_folder - one folder, continuing where an earlier run
 * stopped; -1 when the run must stop (c told) */
static int convert_folder(struct convert *c, const char *folder,
			  struct convert_head *h)
{
	struct pool *pool = pool_new(64 * 1024);
	struct store_msg_info *msgs;
	struct sl_err err;
	size_t n, i, done = 0;
	int r, ret = -1;

	err_clear(&err);
	if (c->src.v->msg_list(c->src.st, folder, pool, &msgs, &n, &err) < 0)
		goto fail;
	if (c->src.is_mbox && folder_junk(c, folder, msgs, n) != 0 && n == 0 &&
	    !store_folder_is_inbox(folder)) {
		ret = 0; /* not an mbox file: nothing to make of it */
		goto out;
	}
	if ((r = dst_folder(c, folder, &err)) <= 0) {
		ret = r == 0 ? 0 : -1;
		if (r < 0)
			goto fail;
		goto out;
	}
	if (dst_done(c, folder, msgs, n, h, &done, &err) < 0)
		goto fail;
	c->stats.folders++;
	c->stats.resumed += done;
	c->folder = folder;
	c->f_done = done;
	c->f_total = n;
	c->f_bytes = c->f_bytes_total = 0;
	for (i = 0; i < n; i++) {
		c->f_bytes_total += msgs[i].size;
		c->f_bytes += i < done ? msgs[i].size : 0;
	}
	memset(&c->drawn, 0, sizeof(c->drawn));
	progress(c, 0);
	r = folder_msgs(c, folder, msgs, n, h, &err);
	progress(c, 1);
	if (r < 0)
		goto fail;
	ret = 0;
	goto out;
fail:
	if (convert_stop) {
		c->status = CONV_INTERRUPTED;
		c->exit_code = TOOL_TEMP;
		progress_break(c);
		fprintf(stderr,
			"sluice convert: interrupted (signal %d); run "
			"the same command again to go on where it stopped\n",
			(int)convert_stop);
	} else {
		convert_fail(c, code_of(&err), "%s: %s", folder, err.text);
	}
out:
	pool_free(&pool);
	return ret;
}

/* ---- the run ---- */

/* source_folders - the folders to convert: INBOX, or with -r all */
static int source_folders(struct convert *c, struct pool *pool,
			  const char ***names_r, size_t *n_r)
{
	static const char *inbox[] = {"INBOX"};
	struct sl_err err;

	if (!c->recursive) {
		*names_r = inbox;
		*n_r = 1;
		return 0;
	}
	err_clear(&err);
	if (c->src.v->folder_list(c->src.st, pool, names_r, n_r, &err) < 0)
		return convert_fail(c, code_of(&err), "%s: %s", c->src_path,
				    err.text);
	return 0;
}

/* convert_prepare - check both sides, take up or write the state,
 * open the stores */
static int convert_prepare(struct convert *c, struct pool *pool,
			   const char ***folders_r, size_t *n_r)
{
	struct stat sb;

	if (check_source(c) < 0 || check_dest(c) < 0 ||
	    open_side(c, &c->src, 0, c->src_path) < 0 ||
	    source_folders(c, pool, folders_r, n_r) < 0 || state_open(c) < 0)
		return -1;
	if (!c->resumed && stat(c->dst_path, &sb) == 0 &&
	    (c->dst.is_mbox || !dir_is_empty(c->dst_path))) {
		if (open_side(c, &c->dst, 0, c->dst_path) < 0 ||
		    dst_precheck(c, *folders_r, *n_r) < 0)
			return -1;
		store_close(&c->dst.st);
	}
	if (!c->resumed && state_create(c) < 0)
		return -1;
	return open_side(c, &c->dst, 1, c->dst_path);
}

/* convert_run - the whole conversion; c->status and exit_code say how
 * it ended */
static void convert_run(struct convert *c)
{
	struct pool *pool = pool_new(4096);
	struct convert_head h;
	const char **folders;
	size_t n, i;

	memset(&h, 0, sizeof(h));
	if (convert_prepare(c, pool, &folders, &n) < 0) {
		pool_free(&pool);
		return;
	}
	for (i = 0; i < n && c->status == CONV_DONE; i++)
		(void)convert_folder(c, folders[i], &h);
	if (c->status == CONV_DONE) {
		state_remove(c);
		if (c->stats.errors > 0)
			c->exit_code = TOOL_FAIL;
	}
	head_free(&h);
	pool_free(&pool);
}

static const char *status_name(enum convert_status s)
{
	return s == CONV_DONE	       ? "complete"
	       : s == CONV_INTERRUPTED ? "interrupted"
				       : "failed";
}

/* summary_json - the summary as one JSON object */
static void summary_json(const struct convert *c)
{
	const struct convert_stats *s = &c->stats;

	printf("{\"mode\":\"%s\",\"source\":", mode_name(c->mode));
	json_string(stdout, c->src_path);
	printf(",\"destination\":");
	json_string(stdout, c->dst_path);
	printf(",\"status\":\"%s\",\"folders\":%u,\"messages\":%llu,"
	       "\"resumed\":%llu,\"bytes\":%llu,\"flags\":{\"seen\":%llu,"
	       "\"answered\":%llu,\"flagged\":%llu,\"deleted\":%llu,"
	       "\"draft\":%llu},\"date_from_header\":%llu,\"undated\":%llu,"
	       "\"skipped_bytes\":%llu,\"partial_removed\":%llu,"
	       "\"errors\":%llu,\"error\":",
	       status_name(c->status), s->folders, (unsigned long long)s->msgs,
	       (unsigned long long)s->resumed, (unsigned long long)s->bytes,
	       (unsigned long long)s->flags[0], (unsigned long long)s->flags[1],
	       (unsigned long long)s->flags[2], (unsigned long long)s->flags[3],
	       (unsigned long long)s->flags[4],
	       (unsigned long long)s->date_from_header,
	       (unsigned long long)s->undated,
	       (unsigned long long)s->junk_bytes,
	       (unsigned long long)s->partial_removed,
	       (unsigned long long)s->errors);
	if (c->error.len > 0)
		json_string(stdout, c->error.data);
	else
		printf("null");
	printf("}\n");
}

/* summary - what was done, for people */
static void summary(const struct convert *c)
{
	const struct convert_stats *s = &c->stats;

	printf("%s %s -> %s: %s\n", mode_name(c->mode), c->src_path,
	       c->dst_path, status_name(c->status));
	printf("  folders   %u\n", s->folders);
	printf("  messages  %llu converted, %llu by an earlier run\n",
	       (unsigned long long)s->msgs, (unsigned long long)s->resumed);
	printf("  bytes     %llu\n", (unsigned long long)s->bytes);
	printf("  flags     seen %llu, answered %llu, flagged %llu, deleted "
	       "%llu, draft %llu\n",
	       (unsigned long long)s->flags[0], (unsigned long long)s->flags[1],
	       (unsigned long long)s->flags[2], (unsigned long long)s->flags[3],
	       (unsigned long long)s->flags[4]);
	if (s->date_from_header > 0 || s->undated > 0)
		printf("  dates     %llu from the Date: field, %llu unknown "
		       "(the time of the conversion)\n",
		       (unsigned long long)s->date_from_header,
		       (unsigned long long)s->undated);
	if (s->junk_bytes > 0)
		printf("  skipped   %llu bytes that were no message\n",
		       (unsigned long long)s->junk_bytes);
	if (s->partial_removed > 0)
		printf("  repaired  %llu partial message%s of the interrupted "
		       "run removed\n",
		       (unsigned long long)s->partial_removed,
		       s->partial_removed == 1 ? "" : "s");
	printf("  errors    %llu\n", (unsigned long long)s->errors);
}

static void convert_usage(FILE *out)
{
	fprintf(out,
		"usage: sluice convert [-r [-i INBOX]] [-q] [--json] "
		"mbox2maildir MBOX MAILDIR\n"
		"       sluice convert [-r [-i INBOX]] [-q] [--json] "
		"maildir2mbox MAILDIR MBOX\n"
		"  -r        all folders: the mbox side is a directory of mbox "
		"files\n"
		"  -i INBOX  with -r: the mbox INBOX file (default DIR/inbox)\n"
		"  -q        no progress bar\n"
		"  --json    the summary as JSON\n");
}

/* convert_args - options and operands into c: 0 to go on, else -1
 * with the exit code in *exit_r (usage error, or --help done) */
static int convert_args(struct convert *c, int argc, char **argv, int *exit_r)
{
	static const struct option opts[] = {
	    {"json", no_argument, NULL, 'j'},
	    {"recursive", no_argument, NULL, 'r'},
	    {"inbox", required_argument, NULL, 'i'},
	    {"quiet", no_argument, NULL, 'q'},
	    {"help", no_argument, NULL, 'h'},
	    {NULL, 0, NULL, 0}};
	int o;

	*exit_r = TOOL_USAGE;
	while ((o = getopt_long(argc, argv, "ri:qh", opts, NULL)) != -1) {
		if (o == 'j') {
			c->json = 1;
		} else if (o == 'r') {
			c->recursive = 1;
		} else if (o == 'i') {
			c->inbox_path = optarg;
		} else if (o == 'q') {
			c->quiet = 1;
		} else if (o == 'h') {
			*exit_r = TOOL_OK;
			convert_usage(stdout);
			return -1;
		} else {
			convert_usage(stderr);
			return -1;
		}
	}
	if (argc - optind != 3 || (c->inbox_path != NULL && !c->recursive)) {
		convert_usage(stderr);
		return -1;
	}
	c->mode =
	    strcmp(argv[optind], "maildir2mbox") == 0 ? TO_MBOX : TO_MAILDIR;
	c->src_path = argv[optind + 1];
	c->dst_path = argv[optind + 2];
	if ((c->mode == TO_MAILDIR &&
	     strcmp(argv[optind], "mbox2maildir") != 0) ||
	    c->src_path[0] == '\0' || c->dst_path[0] == '\0') {
		convert_usage(stderr);
		return -1;
	}
	return 0;
}

/* convert_signals - a signal stops the run between two writes; an mbox
 * over the file size limit fails its append instead of killing us */
static void convert_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = convert_on_signal;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	(void)sigaction(SIGINT, &sa, NULL);
	(void)sigaction(SIGTERM, &sa, NULL);
	(void)sigaction(SIGHUP, &sa, NULL);
	(void)signal(SIGXFSZ, SIG_IGN);
	(void)signal(SIGPIPE, SIG_IGN);
}

int cmd_convert(struct tool_ctx *ctx, int argc, char **argv)
{
	struct convert c;
	int ret;

	memset(&c, 0, sizeof(c));
	c.cfg = ctx->cfg;
	c.state_fd = -1;
	buf_init(&c.state_path);
	buf_init(&c.error);
	if (convert_args(&c, argc, argv, &ret) < 0)
		return ret;
	c.progress = !c.quiet && isatty(STDERR_FILENO);
	side_init(&c.src, c.mode == TO_MAILDIR, c.src_path, c.recursive,
		  c.inbox_path);
	side_init(&c.dst, c.mode == TO_MBOX, c.dst_path, c.recursive,
		  c.inbox_path);
	convert_signals();
	convert_run(&c);
	if (c.json)
		summary_json(&c);
	else if (c.status != CONV_FAILED || c.stats.msgs > 0)
		summary(&c);
	if (c.status == CONV_INTERRUPTED)
		c.exit_code = TOOL_TEMP;
	side_free(&c.src);
	side_free(&c.dst);
	if (c.state_fd >= 0)
		(void)close(c.state_fd);
	buf_free(&c.state_path);
	buf_free(&c.error);
	fflush(stdout);
	return c.exit_code;
}
