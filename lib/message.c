/* message.c - the streaming message parser: header fields and MIME tree
 *
 * The input is cut into lines (CRLF, LF or a lone CR ends one) without
 * copying bodies: a body line is scanned with memchr for its end, and
 * only its first bytes are kept when it may be a boundary ("--"). Header
 * lines are kept (up to the line limit) and joined into fields. Once a
 * leaf body is reached with no multipart open, nothing more can change
 * the tree and the rest of the input is only counted.
 */
#include "auto-config.h"
#include "message.h"
#include "buf.h"
#include "config.h"
#include "message-limits.h"
#include "mime-decode.h"
#include "mime-param.h"
#include "rfc2047.h"
#include "xalloc.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* the start of a line kept for boundary checks: "--" boundary "--" */
#define BLINE_CAP (MESSAGE_BOUNDARY_MAX + 4)

/* an open multipart: its boundary ends the parts inside it */
struct mp_level {
	struct msg_part *part;
	const char *boundary;
	size_t len;
	struct msg_part *last;	/* its last child */
	int in_preamble;
	int full;		/* the part limit was hit: no more children */
};

enum parse_state {
	PS_HEADER,	/* reading cur's header */
	PS_BODY,	/* in cur's body (a multipart's preamble/epilogue) */
	PS_PENDING,	/* after a separator line: a part starts at
			   pending_off unless another separator follows */
};

struct message_parser {
	struct pool *pool;
	struct message_limits lim;
	struct message *msg;
	uint64_t off;		/* offset of the next byte */
	size_t bom_len;		/* bytes of a byte order mark seen */
	int started;		/* past the byte order mark check */

	/* the current line */
	int mid_line, cr_pending;
	uint64_t line_start, line_len;
	unsigned prev_eol;	/* line ending length of the line before */
	unsigned last_eol;	/* ... of the last line that ended */
	unsigned char bline[BLINE_CAP];
	size_t bline_len;
	int bline_no;		/* the line cannot be a boundary */
	struct buf hline;	/* a header line, up to max_line_length */
	int hline_over;

	enum parse_state state;
	struct msg_part *cur;	/* the innermost open part */
	int skip_all;		/* nothing left to parse: count bytes */
	struct mp_level *levels;
	unsigned n_levels, cap_levels;
	uint64_t pending_off;

	/* the header being read */
	struct buf field;
	uint64_t field_off;
	int have_field;
	struct msg_header *hdrs;
	size_t n_hdrs, cap_hdrs;
	size_t header_bytes;	/* kept in the pool so far */
};

static const unsigned char utf8_bom[3] = { 0xef, 0xbb, 0xbf };

static void header_line(struct message_parser *p);

/* ---- limits ---- */

/* clamp_limits - keep configured limits between their floors and caps */
static void clamp_limits(struct message_limits *l)
{
	if (l->max_line_length > MESSAGE_LINE_LENGTH_CAP)
		l->max_line_length = MESSAGE_LINE_LENGTH_CAP;
	if (l->max_line_length < MESSAGE_LINE_LENGTH_MIN)
		l->max_line_length = MESSAGE_LINE_LENGTH_MIN;
	if (l->max_field_size > MESSAGE_FIELD_SIZE_CAP)
		l->max_field_size = MESSAGE_FIELD_SIZE_CAP;
	if (l->max_field_size < MESSAGE_LINE_LENGTH_MIN)
		l->max_field_size = MESSAGE_LINE_LENGTH_MIN;
	if (l->max_header_fields > MESSAGE_HEADER_FIELDS_CAP)
		l->max_header_fields = MESSAGE_HEADER_FIELDS_CAP;
	if (l->max_mime_depth > MESSAGE_MIME_DEPTH_CAP)
		l->max_mime_depth = MESSAGE_MIME_DEPTH_CAP;
	if (l->max_mime_parts > MESSAGE_MIME_PARTS_CAP)
		l->max_mime_parts = MESSAGE_MIME_PARTS_CAP;
	if (l->max_mime_parts < 1)
		l->max_mime_parts = 1;
}

void message_limits_default(struct message_limits *l)
{
	l->max_line_length = MESSAGE_LINE_LENGTH_DEFAULT;
	l->max_header_fields = MESSAGE_HEADER_FIELDS_DEFAULT;
	l->max_field_size = MESSAGE_FIELD_SIZE_DEFAULT;
	l->max_mime_depth = MESSAGE_MIME_DEPTH_DEFAULT;
	l->max_mime_parts = MESSAGE_MIME_PARTS_DEFAULT;
}

/* cap_u64 - a config number as unsigned, saturating */
static unsigned cap_u64(uint64_t v)
{
	return v > 0xffffffffu ? 0xffffffffu : (unsigned)v;
}

void message_limits_from_config(struct message_limits *l,
				const struct config *cfg)
{
	uint64_t v;

	v = config_size(cfg, "message_max_line_length");
	l->max_line_length = v > SIZE_MAX ? SIZE_MAX : (size_t)v;
	l->max_header_fields = cap_u64(config_uint(cfg,
					"message_max_header_fields"));
	v = config_size(cfg, "message_max_field_size");
	l->max_field_size = v > SIZE_MAX ? SIZE_MAX : (size_t)v;
	l->max_mime_depth = cap_u64(config_uint(cfg, "message_max_mime_depth"));
	l->max_mime_parts = cap_u64(config_uint(cfg, "message_max_mime_parts"));
	clamp_limits(l);
}

/* limit_hit - a limit stopped the parse at part x */
static void limit_hit(struct message_parser *p, struct msg_part *x,
		      unsigned flag)
{
	x->flags |= flag;
	p->msg->limits_hit = 1;
}

/* ---- parts ---- */

/* new_part - a child of parent starting at off, or NULL past the part
 * limit; level is parent's multipart level (NULL for a message) */
static struct msg_part *new_part(struct message_parser *p,
				 struct msg_part *parent, uint64_t off,
				 struct mp_level *level)
{
	struct msg_part *c;

	if (p->msg->n_parts >= p->lim.max_mime_parts)
		return NULL;
	c = pool_alloc(p->pool, sizeof(*c));
	c->parent = parent;
	c->depth = parent->depth + 1;
	c->header_offset = c->body_offset = c->body_end = off;
	c->preamble_end = c->epilogue_offset = off;
	if (level != NULL && level->last != NULL)
		level->last->next = c;
	else
		parent->children = c;
	if (level != NULL)
		level->last = c;
	parent->n_children++;
	p->msg->n_parts++;
	return c;
}

/* is_embedded_type - message types whose body is a message */
static int is_embedded_type(const char *type)
{
	return strcmp(type, "message/rfc822") == 0 ||
	       strcmp(type, "message/global") == 0 ||
	       strcmp(type, "message/news") == 0;
}

/* lower_trim_dup - a value trimmed and lowercased, in the pool */
static const char *lower_trim_dup(struct pool *pool, const char *s,
				  size_t len)
{
	char *d;
	size_t i;

	while (len > 0 && (*s == ' ' || *s == '\t')) {
		s++;
		len--;
	}
	while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		len--;
	d = pool_strndup(pool, s, len);
	for (i = 0; i < len; i++)
		d[i] = (char)tolower((unsigned char)d[i]);
	return d;
}

/* default_type - RFC 2046 5.1.5: parts of a digest are messages */
static const char *default_type(const struct msg_part *x)
{
	if (x->parent != NULL && x->parent->kind == MSG_PART_MULTIPART &&
	    strcmp(x->parent->content_type, "multipart/digest") == 0)
		return "message/rfc822";
	return "text/plain";
}

/* type_info - content type, charset, boundary and name parameter */
static const struct mime_param *type_info(struct message_parser *p,
					  struct msg_part *x)
{
	const struct msg_header *h = message_header_find(x, "Content-Type", 0);
	const struct mime_param *mp;
	struct mime_value mv;

	if (h == NULL) {
		x->content_type = default_type(x);
		return NULL;
	}
	mime_param_parse(p->pool, h->value, h->value_len, &mv);
	if (mv.type == NULL)
		x->content_type = "text/plain";
	else if (mv.has_subtype)
		x->content_type = mv.type;
	else if (strcmp(mv.type, "text") == 0)
		x->content_type = "text/plain";
	else
		x->content_type = "application/octet-stream";
	mp = mime_param_get(&mv, "charset");
	if (mp != NULL && mp->value_len > 0)
		x->charset = lower_trim_dup(p->pool, mp->value, mp->value_len);
	mp = mime_param_get(&mv, "boundary");
	if (mp != NULL && strncmp(x->content_type, "multipart/", 10) == 0) {
		size_t n = mp->value_len;

		while (n > 0 && (mp->value[n - 1] == ' ' ||
				 mp->value[n - 1] == '\t'))
			n--;
		/* RFC 2046 wants 1 to 70 characters; an empty boundary is
		 * still meant as one ("--" lines) */
		x->boundary = pool_strndup(p->pool, mp->value, n);
	}
	return mime_param_get(&mv, "name");
}

/* set_filename - the decoded, trimmed file name */
static void set_filename(struct message_parser *p, struct msg_part *x,
			 const struct mime_param *mp)
{
	const char *s = mp->value;
	size_t n = mp->value_len;

	while (n > 0 && isspace((unsigned char)*s)) {
		s++;
		n--;
	}
	while (n > 0 && isspace((unsigned char)s[n - 1]))
		n--;
	if (rfc2047_has_encoded_word(s, n))
		x->filename = rfc2047_decode_pool(p->pool, s, n, NULL);
	else
		x->filename = pool_strndup(p->pool, s, n);
}

/* part_info - what the part's MIME fields say about it */
static void part_info(struct message_parser *p, struct msg_part *x)
{
	const struct mime_param *name = type_info(p, x), *fn = NULL;
	const struct msg_header *h;
	struct mime_value mv;

	h = message_header_find(x, "Content-Transfer-Encoding", 0);
	if (h != NULL) {
		x->cte = lower_trim_dup(p->pool, h->value, h->value_len);
		x->cte_kind = mime_decode_cte(h->value, h->value_len);
	}
	h = message_header_find(x, "Content-Disposition", 0);
	if (h != NULL) {
		mime_param_parse(p->pool, h->value, h->value_len, &mv);
		x->disposition = mv.type != NULL ? mv.type : "";
		fn = mime_param_get(&mv, "filename");
	}
	if (fn == NULL)
		fn = name;
	if (fn != NULL)
		set_filename(p, x, fn);
}

/* ---- header fields ---- */

/* finish_field - store the field read so far */
static void finish_field(struct message_parser *p)
{
	struct msg_header *h;
	const char *s = p->field.data, *c;
	size_t n = p->field.len, colon, name_end, v;

	if (!p->have_field)
		return;
	p->have_field = 0;
	if (p->n_hdrs >= p->lim.max_header_fields ||
	    p->header_bytes + n > MESSAGE_HEADER_BYTES_CAP) {
		limit_hit(p, p->cur, MSG_PART_TRUNCATED_HEADERS);
		return;
	}
	c = memchr(s, ':', n);
	if (c == NULL) {
		/* the name alone was longer than max_field_size */
		limit_hit(p, p->cur, MSG_PART_TRUNCATED_HEADERS);
		return;
	}
	colon = (size_t)(c - s);
	name_end = colon;
	while (name_end > 0 && (s[name_end - 1] == ' ' ||
				s[name_end - 1] == '\t'))
		name_end--;
	v = colon + 1;
	while (v < n && (s[v] == ' ' || s[v] == '\t'))
		v++;
	if (p->n_hdrs == p->cap_hdrs) {
		p->cap_hdrs = p->cap_hdrs == 0 ? 16 : size_mul(p->cap_hdrs, 2);
		p->hdrs = xreallocarray(p->hdrs, p->cap_hdrs, sizeof(*p->hdrs));
	}
	h = &p->hdrs[p->n_hdrs++];
	h->name = pool_strndup(p->pool, s, name_end);
	h->value = pool_strndup(p->pool, s + v, n - v);
	h->value_len = n - v;
	h->offset = p->field_off;
	p->header_bytes += n;
}

/* field_append - add to the field, up to max_field_size */
static void field_append(struct message_parser *p, const char *s, size_t n)
{
	size_t room = p->lim.max_field_size - p->field.len;

	if (n > room) {
		n = room;
		limit_hit(p, p->cur, MSG_PART_TRUNCATED_HEADERS);
	}
	buf_append(&p->field, s, n);
}

/* store_headers - the header fields read become cur's */
static void store_headers(struct message_parser *p, struct msg_part *x)
{
	finish_field(p);
	if (p->n_hdrs > 0) {
		x->headers = pool_alloc_array(p->pool, p->n_hdrs,
					      sizeof(*x->headers));
		memcpy(x->headers, p->hdrs, p->n_hdrs * sizeof(*x->headers));
	}
	x->n_headers = p->n_hdrs;
	p->n_hdrs = 0;
	part_info(p, x);
}

/* push_level - x's boundary ends the parts in it from now on */
static void push_level(struct message_parser *p, struct msg_part *x)
{
	struct mp_level *l;

	if (p->n_levels == p->cap_levels) {
		p->cap_levels = p->cap_levels == 0 ? 4 : p->cap_levels * 2;
		p->levels = xreallocarray(p->levels, p->cap_levels,
					  sizeof(*p->levels));
	}
	l = &p->levels[p->n_levels++];
	memset(l, 0, sizeof(*l));
	l->part = x;
	l->boundary = x->boundary;
	l->len = strlen(x->boundary);
	l->in_preamble = 1;
	x->kind = MSG_PART_MULTIPART;
	x->preamble_end = x->body_offset;
}

/* dispatch - after x's header: how to read its body */
static void dispatch(struct message_parser *p, struct msg_part *x)
{
	struct msg_part *e;

	if (strncmp(x->content_type, "multipart/", 10) == 0) {
		if (x->boundary == NULL) {
			x->flags |= MSG_PART_NO_BOUNDARY;
		} else if (strlen(x->boundary) > MESSAGE_BOUNDARY_MAX ||
			   x->depth >= p->lim.max_mime_depth) {
			limit_hit(p, x, MSG_PART_OPAQUE);
		} else {
			push_level(p, x);
			p->state = PS_BODY;
			return;
		}
	} else if (is_embedded_type(x->content_type)) {
		if (x->depth >= p->lim.max_mime_depth ||
		    (e = new_part(p, x, x->body_offset, NULL)) == NULL) {
			limit_hit(p, x, MSG_PART_OPAQUE);
		} else {
			x->kind = MSG_PART_MESSAGE;
			p->cur = e;
			p->state = PS_HEADER;
			return;
		}
	}
	p->state = PS_BODY;
	if (p->n_levels == 0)
		p->skip_all = 1;
}

/* end_header - cur's header ended; its body starts at body_off */
static void end_header(struct message_parser *p, uint64_t body_off,
		       int blank_line)
{
	struct msg_part *x = p->cur;

	store_headers(p, x);
	x->body_offset = x->body_end = body_off;
	if (!blank_line)
		x->flags |= MSG_PART_NO_HEADER_END;
	dispatch(p, x);
}

/* field_colon - the ':' of a field line, 0 for ":..." (no name), or -1
 * when the line is not a field: RFC 5322 ftext, then optional WSP
 * (obs-optional), then ':' */
static long field_colon(const char *s, size_t n)
{
	size_t i = 0, j;

	while (i < n && s[i] != ':' && (unsigned char)s[i] > ' ' &&
	       (unsigned char)s[i] < 127)
		i++;
	if (i < n && s[i] == ':')
		return (long)i;
	j = i;
	while (j < n && (s[j] == ' ' || s[j] == '\t'))
		j++;
	if (i > 0 && j > i && j < n && s[j] == ':')
		return (long)j;
	return -1;
}

/* header_line - one line of cur's header */
static void header_line(struct message_parser *p)
{
	const char *s = p->hline.data;
	size_t n = p->hline.len;
	long colon;

	if (p->line_len == 0) {
		end_header(p, p->off, 1);
		return;
	}
	if (p->hline_over)
		limit_hit(p, p->cur, MSG_PART_TRUNCATED_HEADERS);
	if (s[0] == ' ' || s[0] == '\t') {
		/* a continuation; before any field it is dropped */
		if (p->have_field)
			field_append(p, s, n);
		return;
	}
	colon = field_colon(s, n);
	if (colon == 0)
		return;		/* no name: dropped */
	if (colon < 0 && n >= 5 && memcmp(s, "From ", 5) == 0)
		return;		/* an mbox envelope line */
	if (colon > 0) {
		finish_field(p);
		buf_reset(&p->field);
		field_append(p, s, n);
		p->field_off = p->line_start;
		p->have_field = 1;
		return;
	}
	/* not a field: the body starts with this line; an embedded message
	 * takes it as its own first line */
	end_header(p, p->line_start, 0);
	if (p->state == PS_HEADER)
		header_line(p);
}

/* ---- boundaries ---- */

/* match_boundary - the line is "--b" or "--b--" of an open multipart
 * (innermost first), white space after it allowed */
static int match_boundary(const struct message_parser *p, unsigned *lv_r,
			  int *close_r)
{
	unsigned lv;
	size_t i;

	for (lv = p->n_levels; lv-- > 0;) {
		const struct mp_level *l = &p->levels[lv];

		if (p->line_len < 2 + l->len ||
		    memcmp(p->bline + 2, l->boundary, l->len) != 0)
			continue;
		i = 2 + l->len;
		*close_r = i + 1 < p->bline_len && p->bline[i] == '-' &&
			   p->bline[i + 1] == '-';
		if (*close_r)
			i += 2;
		while (i < p->bline_len &&
		       (p->bline[i] == ' ' || p->bline[i] == '\t'))
			i++;
		if (i == p->bline_len) {
			*lv_r = lv;
			return 1;
		}
	}
	return 0;
}

/* start_child - the part announced by a separator line begins */
static int start_child(struct message_parser *p)
{
	struct mp_level *l = &p->levels[p->n_levels - 1];
	struct msg_part *c = new_part(p, l->part, p->pending_off, l);

	if (c == NULL) {
		l->full = 1;
		limit_hit(p, l->part, MSG_PART_OPAQUE);
		p->cur = l->part;
		p->state = PS_BODY;
		return 0;
	}
	p->cur = c;
	p->state = PS_HEADER;
	return 1;
}

/* close_part - x ends at end (before the line ending that belongs to
 * the boundary, or at the end of input). Parts that began on the
 * boundary line itself (nothing in them) and a blank line right before
 * it are pulled back to end, so that every part stays inside its parent */
static void close_part(struct message_parser *p, struct msg_part *x,
		       uint64_t end)
{
	if (x->header_offset > end)
		x->header_offset = end;
	if (x == p->cur && p->state == PS_HEADER) {
		store_headers(p, x);
		x->flags |= MSG_PART_NO_HEADER_END;
		x->body_offset = end;
		p->state = PS_BODY;
	}
	if (x->body_offset > end)
		x->body_offset = end;
	x->body_end = end;
	if (x->preamble_end > end)
		x->preamble_end = end;
	if (x->epilogue_offset > end)
		x->epilogue_offset = end;
	if (p->n_levels > 0 && p->levels[p->n_levels - 1].part == x) {
		/* a multipart without its close delimiter */
		x->flags |= MSG_PART_NO_END_BOUNDARY;
		if (p->levels[p->n_levels - 1].in_preamble) {
			x->flags |= MSG_PART_NO_START_BOUNDARY;
			x->preamble_end = end;
		}
		x->epilogue_offset = end;
		p->n_levels--;
	}
	if (x->kind != MSG_PART_MULTIPART) {
		x->preamble_end = x->body_offset;
		x->epilogue_offset = x->body_end;
	}
}

/* boundary_line - a boundary of level lv: end the parts inside it */
static void boundary_line(struct message_parser *p, unsigned lv, int close)
{
	struct mp_level *l = &p->levels[lv];
	struct msg_part *m = l->part, *x;
	uint64_t end = p->line_start - p->prev_eol;

	if (p->state == PS_PENDING && lv == p->n_levels - 1 && !close) {
		/* repeated separators make no empty parts */
		p->pending_off = p->off;
		return;
	}
	if (p->state == PS_PENDING)
		(void)start_child(p);
	for (x = p->cur; x != m; x = x->parent)
		close_part(p, x, end);
	p->n_levels = lv + 1;
	if (l->in_preamble) {
		m->preamble_end = end > m->body_offset ? end : m->body_offset;
		l->in_preamble = 0;
	}
	p->cur = m;
	if (close) {
		m->epilogue_offset = p->off;
		p->n_levels = lv;
		p->state = PS_BODY;
		if (p->n_levels == 0)
			p->skip_all = 1;
	} else if (l->full) {
		p->state = PS_BODY;
	} else {
		p->state = PS_PENDING;
		p->pending_off = p->off;
	}
}

/* ---- lines ---- */

/* line_begin - a line starts at the current offset */
static void line_begin(struct message_parser *p)
{
	p->mid_line = 1;
	p->line_start = p->off;
	p->line_len = 0;
	p->bline_len = 0;
	p->bline_no = p->n_levels == 0;
	buf_reset(&p->hline);
	p->hline_over = 0;
}

/* line_data - n more bytes of the current line */
static void line_data(struct message_parser *p, const unsigned char *s,
		      size_t n)
{
	if (!p->bline_no) {
		size_t room = BLINE_CAP - p->bline_len, k = n < room ? n : room;
		size_t i;

		memcpy(p->bline + p->bline_len, s, k);
		p->bline_len += k;
		if (p->bline[0] != '-' ||
		    (p->bline_len > 1 && p->bline[1] != '-')) {
			p->bline_no = 1;
		} else {
			for (i = k; i < n; i++) {
				if (s[i] != ' ' && s[i] != '\t') {
					p->bline_no = 1;
					break;
				}
			}
		}
	}
	if (p->state != PS_BODY && !p->hline_over) {
		size_t room = p->lim.max_line_length - p->hline.len;

		if (n > room)
			p->hline_over = 1;
		buf_append(&p->hline, s, n > room ? room : n);
	}
	p->line_len += n;
}

/* line_end - the current line ended with eol line-ending bytes */
static void line_end(struct message_parser *p, unsigned eol)
{
	unsigned lv;
	int close;

	p->mid_line = 0;
	p->last_eol = eol;
	if (!p->bline_no && p->line_len >= 2 &&
	    match_boundary(p, &lv, &close)) {
		boundary_line(p, lv, close);
	} else if (p->state == PS_HEADER) {
		header_line(p);
	} else if (p->state == PS_PENDING) {
		if (start_child(p))
			header_line(p);
	}
	p->prev_eol = eol;
}

/* find_eol - the first CR or LF in [s, end), or end */
static const unsigned char *find_eol(const unsigned char *s,
				     const unsigned char *end)
{
	const unsigned char *lf = memchr(s, '\n', (size_t)(end - s));
	const unsigned char *cr = memchr(s, '\r',
					 (size_t)((lf != NULL ? lf : end) - s));

	return cr != NULL ? cr : lf != NULL ? lf : end;
}

/* parse - cut the input into lines */
static void parse(struct message_parser *p, const unsigned char *s,
		  size_t n)
{
	const unsigned char *end = s + n, *q;

	while (s < end) {
		if (p->skip_all) {
			p->off += (uint64_t)(end - s);
			return;
		}
		if (p->cr_pending) {
			p->cr_pending = 0;
			if (*s == '\n') {
				s++;
				p->off++;
				line_end(p, 2);
				continue;
			}
			line_end(p, 1);
			continue;
		}
		if (!p->mid_line)
			line_begin(p);
		q = find_eol(s, end);
		if (q > s)
			line_data(p, s, (size_t)(q - s));
		p->off += (uint64_t)(q - s);
		if (q == end)
			return;
		p->off++;
		s = q + 1;
		if (*q == '\n')
			line_end(p, 1);
		else
			p->cr_pending = 1;
	}
}

/* ---- the interface ---- */

struct message_parser *message_parser_new(struct pool *pool,
					  const struct message_limits *limits)
{
	struct message_parser *p = xcalloc(1, sizeof(*p));

	p->pool = pool;
	if (limits != NULL)
		p->lim = *limits;
	else
		message_limits_default(&p->lim);
	clamp_limits(&p->lim);
	p->msg = pool_alloc(pool, sizeof(*p->msg));
	p->msg->root = pool_alloc(pool, sizeof(*p->msg->root));
	p->msg->n_parts = 1;
	p->cur = p->msg->root;
	p->state = PS_HEADER;
	buf_init(&p->hline);
	buf_init(&p->field);
	return p;
}

void message_parser_feed(struct message_parser *p, const void *data,
			 size_t len)
{
	const unsigned char *s = data;

	if (!p->started) {
		while (len > 0 && p->bom_len < 3 && *s == utf8_bom[p->bom_len]) {
			p->bom_len++;
			s++;
			len--;
		}
		if (p->bom_len == 3) {
			p->started = 1;
			p->off = 3;
			p->msg->root->header_offset = 3;
		} else if (len > 0) {
			p->started = 1;
			parse(p, utf8_bom, p->bom_len);
		} else {
			return;
		}
	}
	parse(p, s, len);
}

struct message *message_parser_finish(struct message_parser **pp)
{
	struct message_parser *p = *pp;
	struct message *msg = p->msg;
	struct msg_part *x;
	uint64_t end;

	if (!p->started) {
		p->started = 1;
		parse(p, utf8_bom, p->bom_len);
	}
	if (!p->skip_all) {
		if (p->cr_pending) {
			p->cr_pending = 0;
			line_end(p, 1);
		} else if (p->mid_line) {
			line_end(p, 0);
		}
		if (p->state == PS_PENDING)
			(void)start_child(p);
	}
	/* RFC 2046 5.1.1: inside a multipart, the last line ending belongs
	 * to the (missing) boundary */
	end = p->n_levels > 0 && p->off >= p->last_eol ? p->off - p->last_eol
						       : p->off;
	for (x = p->cur; x != NULL; x = x->parent)
		close_part(p, x, x->parent == NULL ? p->off : end);
	msg->size = p->off;
	buf_free(&p->hline);
	buf_free(&p->field);
	free(p->hdrs);
	free(p->levels);
	free(p);
	*pp = NULL;
	return msg;
}

struct message *message_parse(struct pool *pool,
			      const struct message_limits *limits,
			      const void *data, size_t len)
{
	struct message_parser *p = message_parser_new(pool, limits);

	message_parser_feed(p, data, len);
	return message_parser_finish(&p);
}

const struct msg_header *message_header_find(const struct msg_part *part,
					     const char *name, size_t n)
{
	size_t i;

	if (part == NULL)
		return NULL;
	for (i = 0; i < part->n_headers; i++) {
		if (strcasecmp(part->headers[i].name, name) == 0 && n-- == 0)
			return &part->headers[i];
	}
	return NULL;
}

struct msg_part *message_part_next(const struct msg_part *part)
{
	if (part->children != NULL)
		return part->children;
	while (part != NULL) {
		if (part->next != NULL)
			return part->next;
		part = part->parent;
	}
	return NULL;
}
