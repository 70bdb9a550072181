/* mbox-scan.c - find the messages of an mbox file
 *
 * A message starts at a line beginning "From " (every such line inside a
 * message was quoted to ">From " when it was written) and runs to the
 * next one or the end of the file. Its last line, when empty, is the
 * separator the writer added and not part of the message. Flags come
 * from the header's last Status: (R seen, O old) and X-Status: (A
 * answered, F flagged, T draft, D deleted) lines.
 */
#include "auto-config.h"
#include "mbox/mbox-private.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

/* scan_number - digits (min..max of them) at *p */
static int scan_number(const char **p, const char *end, int min, int max,
		       int *v_r)
{
	int n = 0, v = 0;

	while (*p < end && n < max && isdigit((unsigned char)**p)) {
		v = v * 10 + (**p - '0');
		(*p)++;
		n++;
	}
	*v_r = v;
	return n >= min ? 0 : -1;
}

/* scan_word - one of words (3 letters each) at *p: its index or -1 */
static int scan_word(const char **p, const char *end, const char *words)
{
	size_t i;

	if (end - *p < 3)
		return -1;
	for (i = 0; words[i] != '\0'; i += 3) {
		if (strncmp(*p, words + i, 3) == 0) {
			*p += 3;
			return (int)(i / 3);
		}
	}
	return -1;
}

/* scan_asctime - "Www Mmm dd hh:mm:ss [zone ]yyyy" at p, as UTC */
static time_t scan_asctime(const char *p, const char *end)
{
	struct tm tm;
	int mon, v;

	memset(&tm, 0, sizeof(tm));
	if (scan_word(&p, end, "SunMonTueWedThuFriSat") < 0 || p >= end ||
	    *p++ != ' ' ||
	    (mon = scan_word(&p, end, "JanFebMarAprMayJunJulAugSepOctNovDec")) <
		0)
		return -1;
	tm.tm_mon = mon;
	while (p < end && *p == ' ')
		p++;
	if (scan_number(&p, end, 1, 2, &tm.tm_mday) < 0 || p >= end ||
	    *p++ != ' ' || scan_number(&p, end, 2, 2, &tm.tm_hour) < 0 ||
	    p >= end || *p++ != ':' ||
	    scan_number(&p, end, 2, 2, &tm.tm_min) < 0)
		return -1;
	if (p < end && *p == ':' &&
	    (p++, scan_number(&p, end, 2, 2, &tm.tm_sec) < 0))
		return -1;
	if (p >= end || *p++ != ' ')
		return -1;
	if (scan_number(&p, end, 4, 4, &v) < 0) {
		/* a zone before the year: skip one word */
		while (p < end && *p != ' ')
			p++;
		if (p >= end || *p++ != ' ' ||
		    scan_number(&p, end, 4, 4, &v) < 0)
			return -1;
	}
	tm.tm_year = v - 1900;
	return timegm(&tm);
}

/* scan_from_date - the date of a From_ line's text (without "From ") */
static time_t scan_from_date(const char *p, const char *end)
{
	const char *q;
	time_t t;

	for (q = p; q + 16 <= end; q++) {
		if (q > p && q[-1] == ' ' && (t = scan_asctime(q, end)) != -1)
			return t;
	}
	return 0;
}

int mbox_scan_header_name(const char *p, size_t avail, const char *name)
{
	size_t n = strlen(name), i;

	if (avail < n + 1 || strncasecmp(p, name, n) != 0)
		return 0;
	for (i = n; i < avail && (p[i] == ' ' || p[i] == '\t'); i++)
		;
	return i < avail && p[i] == ':';
}

/* scan_status - flags from the letters of a Status/X-Status line */
static unsigned scan_status(const char *p, size_t avail, int x)
{
	const char *end = memchr(p, '\n', avail);
	const char *c = memchr(p, ':', avail);
	unsigned flags = 0;

	if (end == NULL)
		end = p + avail;
	for (c = c + 1; c < end; c++) {
		switch (*c) {
		case 'R':
			flags |= x ? 0 : STORE_FLAG_SEEN;
			break;
		case 'A':
			flags |= x ? STORE_FLAG_ANSWERED : 0;
			break;
		case 'F':
			flags |= x ? STORE_FLAG_FLAGGED : 0;
			break;
		case 'T':
			flags |= x ? STORE_FLAG_DRAFT : 0;
			break;
		case 'D':
			flags |= x ? STORE_FLAG_DELETED : 0;
			break;
		default:
			break;
		}
	}
	return flags;
}

int mbox_scan_first(struct mbox_io_in *in, struct sl_err *err)
{
	for (;;) {
		size_t avail;
		const char *p = mbox_io_peek(in, 5, &avail, err);
		int r;

		if (p == NULL)
			return -1;
		if (avail >= 5 && memcmp(p, "From ", 5) == 0)
			return 1;
		if ((r = mbox_io_skip_line(in, err)) <= 0)
			return r;
	}
}

/* scan_from_line - the From_ line at the current position */
static int scan_from_line(struct mbox_io_in *in, struct mbox_msg *m,
			  struct sl_err *err)
{
	size_t avail;
	const char *p = mbox_io_peek(in, MBOX_FROM_LINE_PEEK, &avail, err);
	const char *nl;

	if (p == NULL)
		return -1;
	nl = memchr(p, '\n', avail);
	m->from_off = mbox_io_tell(in);
	m->crlf = nl != NULL && nl > p && nl[-1] == '\r';
	m->received =
	    scan_from_date(p + 5, nl != NULL ? nl - m->crlf : p + avail);
	return mbox_io_skip_line(in, err) < 0 ? -1 : 0;
}

/* scan_header_line - note Status/X-Status; 1 when the header ends */
static int scan_header_line(struct mbox_msg *m, uint64_t start, const char *p,
			    size_t avail, int empty, unsigned *st_flags,
			    unsigned *x_flags)
{
	if (empty) {
		m->hdr_end = start;
		return 1;
	}
	if (mbox_scan_header_name(p, avail, "Status")) {
		m->status_off = start;
		*st_flags = scan_status(p, avail, 0);
	} else if (mbox_scan_header_name(p, avail, "X-Status")) {
		m->xstatus_off = start;
		*x_flags = scan_status(p, avail, 1);
	}
	return 0;
}

int mbox_scan_msg(struct mbox_io_in *in, struct mbox_msg *m, struct sl_err *err)
{
	uint64_t quoted = 0, start, last_start = 0;
	unsigned st_flags = 0, x_flags = 0;
	int in_header = 1, last_empty = 0, r = 1;
	size_t avail;
	const char *p = mbox_io_peek(in, 5, &avail, err);

	if (p == NULL)
		return -1;
	if (avail < 5 || memcmp(p, "From ", 5) != 0)
		return 0;
	memset(m, 0, sizeof(*m));
	m->status_off = m->xstatus_off = UINT64_MAX;
	if (scan_from_line(in, m, err) < 0)
		return -1;
	m->hdr_off = mbox_io_tell(in);
	while (r == 1) {
		int empty;

		start = mbox_io_tell(in);
		p = mbox_io_peek(in, MBOX_STATUS_PEEK, &avail, err);
		if (p == NULL)
			return -1;
		if (avail == 0 || (avail >= 5 && memcmp(p, "From ", 5) == 0))
			break;
		empty = p[0] == '\n' ||
			(avail >= 2 && p[0] == '\r' && p[1] == '\n');
		if (in_header && scan_header_line(m, start, p, avail, empty,
						  &st_flags, &x_flags))
			in_header = 0;
		if (p[0] == '>') {
			if ((r = mbox_io_gt_from(in, err)) < 0)
				return -1;
			quoted += (uint64_t)r;
		}
		if ((r = mbox_io_skip_line(in, err)) < 0)
			return -1;
		last_start = start;
		last_empty = empty;
	}
	m->end = mbox_io_tell(in);
	m->content_end = last_empty ? last_start : m->end;
	if (in_header)
		m->hdr_end = m->content_end;
	m->size = m->content_end - m->hdr_off - quoted;
	m->ends_nl = last_empty || r == 1 || m->content_end == m->hdr_off;
	m->flags = st_flags | x_flags;
	return 1;
}

int mbox_scan_at(struct mbox_io_in *in, uint64_t off, struct mbox_msg *m,
		 struct sl_err *err)
{
	size_t avail;
	const char *p;

	if (off >= in->limit)
		return 0;
	if (off > 0) {
		mbox_io_seek(in, off - 1);
		p = mbox_io_peek(in, 1, &avail, err);
		if (p == NULL)
			return -1;
		if (avail < 1 || p[0] != '\n')
			return 0;
	}
	mbox_io_seek(in, off);
	return mbox_scan_msg(in, m, err);
}

void mbox_scan_status_lines(struct buf *b, unsigned flags, int old,
			    const char *eol, int want_status, int want_xstatus)
{
	char s[4], x[8];
	size_t sn = 0, xn = 0;

	if (flags & STORE_FLAG_SEEN)
		s[sn++] = 'R';
	if (old)
		s[sn++] = 'O';
	if (flags & STORE_FLAG_ANSWERED)
		x[xn++] = 'A';
	if (flags & STORE_FLAG_FLAGGED)
		x[xn++] = 'F';
	if (flags & STORE_FLAG_DRAFT)
		x[xn++] = 'T';
	if (flags & STORE_FLAG_DELETED)
		x[xn++] = 'D';
	if (want_status && sn > 0)
		buf_printf(b, "Status: %.*s%s", (int)sn, s, eol);
	if (want_xstatus && xn > 0)
		buf_printf(b, "X-Status: %.*s%s", (int)xn, x, eol);
}
