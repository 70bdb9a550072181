/* ext-body.c - the body test (RFC 5173).
 *
 *   body [COMPARATOR] [MATCH-TYPE] [BODY-TRANSFORM] <key-list>
 *   BODY-TRANSFORM = ":raw" / ":content" <content-types> / ":text"
 *
 * The body is everything after the empty line that ends the header; a
 * message (or part) without that line has no body, and then nothing
 * matches, not even "" (5). The transforms, as Pigeonhole has them:
 *  - :raw: the undecoded body as one string (boundaries, part headers
 *    and transfer encodings included);
 *  - :content TYPES: every part (nested ones too) whose type matches
 *    ("" all, "text" text/ANY, "text/plain" exactly; a type with a
 *    leading, trailing or second slash matches nothing): a leaf's
 *    content with its transfer encoding undone and, for text/ parts, its
 *    charset converted to UTF-8; a multipart's preamble and epilogue,
 *    each as one string (never its boundaries); a message/rfc822's
 *    header as one string (CRLF line ends, as Pigeonhole gives it);
 *  - :text (the default): text/ANY and application/xhtml+xml leaves,
 *    decoded, with HTML reduced to its text (multipart preambles are
 *    not text: they are not tested).
 * Each string is one value for the match (so :count counts parts). The
 * body test never sets match variables (RFC 5173 6); the values of an
 * earlier :matches survive it. Decoded content is kept per run (many
 * body tests decode once), bounded by SIEVE_MAX_BODY_SIZE in all.
 */
#include "auto-config.h"
#include "sieve/sieve-ext.h"
#include "sieve/ext-body.h"

#include "lib/mime-decode.h"
#include "lib/utf8.h"

#include <string.h>
#include <strings.h>

enum body_transform { BODY_TEXT, BODY_RAW, BODY_CONTENT };

/* one part's content, decoded (and as text), kept for the run */
struct body_cached {
	struct body_cached *next;
	const struct msg_part *part;
	int text;
	struct sieve_str s;
};

struct body_cache {
	struct body_cached *first;
	size_t used;		/* bytes kept, against SIEVE_MAX_BODY_SIZE */
	int have_raw;
	int raw_present;
	struct sieve_str raw;
};

static const struct sieve_tag_def tag_raw = { .name = "raw" };
static const struct sieve_tag_def tag_content = {
	.name = "content",
	.n_params = 1,
	.params = { SIEVE_T_STRLIST },
};
static const struct sieve_tag_def tag_text = { .name = "text" };

/* ---- reading the spool ---- */

/* body_read - len bytes of the message at off (message offsets) */
static int body_read(struct sieve_run *run, const struct sieve_node *node,
		     uint64_t off, uint64_t len, struct buf *out)
{
	const struct sieve_message *msg = sieve_run_message(run);
	char chunk[8192];
	struct sl_err err;

	while (len > 0) {
		size_t want = len < sizeof(chunk) ? (size_t)len : sizeof(chunk);
		ssize_t n = spool_pread(msg->spool, msg->skip + off, chunk,
					want, &err);

		if (n < 0)
			return sieve_run_temp_error(run, node,
						    "body: cannot read the "
						    "message: %s", err.text);
		if (n == 0)
			break;
		buf_append(out, chunk, (size_t)n);
		off += (uint64_t)n;
		len -= (uint64_t)n;
	}
	return 0;
}

/* ---- HTML to text ---- */

static const struct {
	const char *name;
	uint32_t cp;
} html_entities[] = {
	{ "amp", '&' }, { "lt", '<' }, { "gt", '>' }, { "quot", '"' },
	{ "apos", '\'' }, { "nbsp", 0xA0 }, { "copy", 0xA9 },
	{ "reg", 0xAE }, { "euro", 0x20AC }, { "mdash", 0x2014 },
	{ "ndash", 0x2013 }, { "hellip", 0x2026 }, { "laquo", 0xAB },
	{ "raquo", 0xBB }, { "lsquo", 0x2018 }, { "rsquo", 0x2019 },
	{ "ldquo", 0x201C }, { "rdquo", 0x201D }, { "bull", 0x2022 },
	{ "middot", 0xB7 }, { "deg", 0xB0 }, { "times", 0xD7 },
	{ "eacute", 0xE9 }, { "egrave", 0xE8 }, { "agrave", 0xE0 },
	{ "aacute", 0xE1 }, { "uuml", 0xFC }, { "ouml", 0xF6 },
	{ "auml", 0xE4 }, { "szlig", 0xDF }, { "ccedil", 0xE7 },
};

/* html_entity - decode "&name;" at p (after the '&'); bytes used after
 * the '&', 0 when it is not an entity (the '&' is then dropped, as
 * Dovecot does with a broken one) */
static size_t html_entity(const char *p, size_t len, struct buf *out)
{
	char name[10];
	size_t i;
	uint32_t cp = 0;

	for (i = 0; i < len && i < sizeof(name) - 1; i++) {
		if (p[i] == ';' || p[i] == ' ' || p[i] == '\t' ||
		    p[i] == '\r' || p[i] == '\n')
			break;
		name[i] = p[i];
	}
	if (i >= len || p[i] != ';')
		return 0;
	name[i] = '\0';
	if (name[0] == '#') {
		const char *d = name + 1;
		int hex = (*d == 'x' || *d == 'X');
		int any = 0;

		for (d += hex; *d != '\0'; d++) {
			int v;

			if (*d >= '0' && *d <= '9')
				v = *d - '0';
			else if (hex && *d >= 'a' && *d <= 'f')
				v = *d - 'a' + 10;
			else if (hex && *d >= 'A' && *d <= 'F')
				v = *d - 'A' + 10;
			else
				return i + 1;
			cp = cp * (hex ? 16 : 10) + (uint32_t)v;
			if (cp > 0x10FFFF)
				return i + 1;
			any = 1;
		}
		if (any && cp != 0 && (cp < 0xD800 || cp > 0xDFFF))
			utf8_append(out, cp);
		return i + 1;
	}
	for (size_t k = 0; k < sizeof(html_entities) / sizeof(*html_entities);
	     k++) {
		if (strcasecmp(html_entities[k].name, name) == 0) {
			utf8_append(out, html_entities[k].cp);
			break;
		}
	}
	return i + 1;
}

/* html_add_space - a space for a tag, unless white space is there */
static void html_add_space(struct buf *out)
{
	char c = out->len > 0 ? out->data[out->len - 1] : ' ';

	if (c != ' ' && c != '\t' && c != '\r' && c != '\n')
		buf_append_char(out, ' ');
}

/* html_skip_to - past the first case-insensitive end after p, or the end */
static size_t html_skip_to(const char *p, size_t len, size_t i,
			   const char *end)
{
	size_t elen = strlen(end);

	for (; i + elen <= len; i++)
		if (strncasecmp(p + i, end, elen) == 0)
			return i + elen;
	return len;
}

/* html_tag_end - past the '>' that closes a tag (quotes respected) */
static size_t html_tag_end(const char *p, size_t len, size_t i)
{
	char q = 0;

	for (; i < len; i++) {
		if (q != 0) {
			if (p[i] == '\\')
				i++;
			else if (p[i] == q)
				q = 0;
		} else if (p[i] == '"' || p[i] == '\'') {
			q = p[i];
		} else if (p[i] == '>') {
			return i + 1;
		}
	}
	return len;
}

static int html_tag_is(const char *p, size_t len, size_t i, const char *name)
{
	size_t n = strlen(name);

	return i + n < len && strncasecmp(p + i, name, n) == 0 &&
	       (p[i + n] == '>' || p[i + n] == ' ' || p[i + n] == '\t' ||
		p[i + n] == '\r' || p[i + n] == '\n');
}

void sieve_body_html2text(const char *p, size_t len, struct buf *out)
{
	size_t i = 0;

	while (i < len) {
		char c = p[i];

		if (c == '&') {
			i += 1 + html_entity(p + i + 1, len - i - 1, out);
		} else if (c != '<') {
			buf_append_char(out, c);
			i++;
		} else if (len - i >= 4 && memcmp(p + i + 1, "!--", 3) == 0) {
			i = html_skip_to(p, len, i + 4, "-->");
		} else if (html_tag_is(p, len, i + 1, "script")) {
			i = html_skip_to(p, len, i + 7, "</script>");
			html_add_space(out);
		} else if (html_tag_is(p, len, i + 1, "style")) {
			i = html_skip_to(p, len, i + 6, "</style>");
			html_add_space(out);
		} else if (len - i >= 9 &&
			   strncasecmp(p + i + 1, "![CDATA[", 8) == 0) {
			size_t s = i + 9, e = html_skip_to(p, len, s, "]]>");

			buf_append(out, p + s, (e == len ? len : e - 3) - s);
			i = e;
		} else {
			i = html_tag_end(p, len, i + 1);
			html_add_space(out);
		}
	}
}

/* ---- one part's content ---- */

static int cte_known(const char *cte)
{
	static const char *const known[] = { "7bit", "8bit", "binary",
		"quoted-printable", "base64", NULL };
	size_t n;

	if (cte == NULL)
		return 1;
	cte += strspn(cte, " \t");
	n = strcspn(cte, " \t;(");
	for (size_t i = 0; known[i] != NULL; i++)
		if (strlen(known[i]) == n && strncmp(known[i], cte, n) == 0)
			return 1;
	return 0;	/* an empty one too, as Dovecot */
}

static int is_html(const char *type)
{
	return strcmp(type, "text/html") == 0 ||
	       strcmp(type, "application/xhtml+xml") == 0;
}

int sieve_body_part_text(struct sieve_run *run, const struct sieve_node *node,
			 const struct msg_part *part, int text, size_t max,
			 struct buf *out)
{
	const struct sieve_message *msg = sieve_run_message(run);
	const char *type = part->content_type != NULL ? part->content_type :
		"text/plain";
	struct buf raw = BUF_INIT, conv = BUF_INIT;
	struct sl_err err;
	int ret;

	if (!cte_known(part->cte))
		return 0;
	ret = mime_decode_part(msg->spool, msg->skip, part, max, &raw, &err);
	if (ret < 0) {
		buf_free(&raw);
		return sieve_run_temp_error(run, node, "body: cannot read the "
					    "message: %s", err.text);
	}
	if (strncmp(type, "text/", 5) == 0 ||
	    strcmp(type, "application/xhtml+xml") == 0) {
		mime_decode_charset(part->charset, raw.data, raw.len, &conv);
		buf_free(&raw);
		raw = conv;
	}
	if (text && is_html(type) && raw.len > 0) {
		struct buf t = BUF_INIT;

		sieve_body_html2text(raw.data, raw.len, &t);
		buf_free(&raw);
		raw = t;
	}
	buf_append(out, raw.data, raw.len < max ? raw.len : max);
	buf_free(&raw);
	return 0;
}

/* ---- the run's cache ---- */

static struct body_cache *body_cache(struct sieve_run *run)
{
	struct body_cache *c = sieve_run_ext_get(run, &sieve_ext_body);

	if (c == NULL) {
		c = pool_alloc(sieve_run_pool(run), sizeof(*c));
		sieve_run_ext_set(run, &sieve_ext_body, c);
	}
	return c;
}

/* body_keep - b's bytes as a run-pool string, within the run's budget */
static void body_keep(struct sieve_run *run, struct body_cache *c,
		      const struct buf *b, struct sieve_str *out)
{
	size_t room = SIEVE_MAX_BODY_SIZE - c->used;
	size_t n = b->len < room ? b->len : room;

	out->data = n > 0 ? pool_memdup(sieve_run_pool(run), b->data, n) : "";
	out->len = n;
	c->used += n;
}

static size_t body_room(const struct body_cache *c)
{
	return SIEVE_MAX_BODY_SIZE - c->used;
}

/* body_leaf - a leaf's content (cached) */
static int body_leaf(struct sieve_run *run, const struct sieve_node *node,
		     const struct msg_part *part, int text,
		     struct sieve_str *out)
{
	struct body_cache *c = body_cache(run);
	struct body_cached *e;
	struct buf b = BUF_INIT;

	text = text && is_html(part->content_type != NULL ?
			       part->content_type : "");
	for (e = c->first; e != NULL; e = e->next) {
		if (e->part == part && e->text == text) {
			*out = e->s;
			return 0;
		}
	}
	if (sieve_body_part_text(run, node, part, text, body_room(c), &b) < 0) {
		buf_free(&b);
		return SIEVE_EXEC_ERROR;
	}
	e = pool_alloc(sieve_run_pool(run), sizeof(*e));
	e->part = part;
	e->text = text;
	body_keep(run, c, &b, &e->s);
	buf_free(&b);
	e->next = c->first;
	c->first = e;
	*out = e->s;
	return 0;
}

/* body_range - the bytes [from, to) of the message (not cached: small) */
static int body_range(struct sieve_run *run, const struct sieve_node *node,
		      uint64_t from, uint64_t to, struct buf *out)
{
	uint64_t room = body_room(body_cache(run));
	uint64_t len = to > from ? to - from : 0;

	return body_read(run, node, from, len < room ? len : room, out);
}

/* body_crlf - in with every line ending made CRLF, the final empty line
 * (the end of a header) dropped */
static void body_crlf(const struct buf *in, struct buf *out)
{
	size_t i = 0;

	while (i < in->len) {
		size_t s = i;

		while (i < in->len && in->data[i] != '\r' && in->data[i] != '\n')
			i++;
		if (i == s && i < in->len)	/* the empty line */
			break;
		buf_append(out, in->data + s, i - s);
		buf_append(out, "\r\n", 2);
		if (i < in->len && in->data[i] == '\r') {
			i++;
			if (i < in->len && in->data[i] == '\n')
				i++;
		} else if (i < in->len) {
			i++;
		}
	}
}

/* ---- matching ---- */

/* ct_skip - past white space and (nested) comments */
static size_t ct_skip(const char *v, size_t len, size_t i)
{
	unsigned depth = 0;

	for (; i < len; i++) {
		if (depth > 0) {
			if (v[i] == '\\')
				i++;
			else if (v[i] == '(')
				depth++;
			else if (v[i] == ')')
				depth--;
		} else if (v[i] == '(') {
			depth++;
		} else if (v[i] != ' ' && v[i] != '\t' && v[i] != '\r' &&
			   v[i] != '\n') {
			break;
		}
	}
	return i;
}

/* ct_token - past an RFC 2045 token at i (i itself when none) */
static size_t ct_token(const char *v, size_t len, size_t i)
{
	while (i < len && (unsigned char)v[i] > ' ' &&
	       (unsigned char)v[i] < 127 &&
	       strchr("()<>@,;:\\\"/[]?=", v[i]) == NULL)
		i++;
	return i;
}

/* part_type - the type body tests see: the parser's, or "" when the
 * Content-Type field is there but is no "type/subtype" followed by the
 * end or ";" (Pigeonhole then matches the part only with "") */
static const char *part_type(const struct msg_part *p)
{
	const struct msg_header *h = message_header_find(p, "content-type",
							 0);
	size_t i, t;

	if (h != NULL) {
		i = ct_skip(h->value, h->value_len, 0);
		t = ct_token(h->value, h->value_len, i);
		if (t == i || t >= h->value_len || h->value[t] != '/')
			return "";
		i = ct_token(h->value, h->value_len, t + 1);
		if (i == t + 1)
			return "";
		i = ct_skip(h->value, h->value_len, i);
		if (i < h->value_len && h->value[i] != ';')
			return "";
	}
	return p->content_type != NULL ? p->content_type : "text/plain";
}

int sieve_body_present(const struct msg_part *p)
{
	return (p->flags & MSG_PART_NO_HEADER_END) == 0 ||
	       p->body_end > p->body_offset;
}

/* type_wanted - does part type t match one of the :content types */
static int type_wanted(const char *t, const struct sieve_str *types, size_t n)
{
	const char *slash = strchr(t, '/');
	size_t tlen = slash != NULL ? (size_t)(slash - t) : strlen(t);

	for (size_t i = 0; i < n; i++) {
		const char *w = types[i].data;
		size_t wl = types[i].len;
		const char *ws = memchr(w, '/', wl);

		if (wl == 0)
			return 1;
		if (ws == NULL) {
			if (wl == tlen && strncasecmp(w, t, tlen) == 0)
				return 1;
		} else if (ws != w && ws != w + wl - 1 &&
			   memchr(ws + 1, '/', wl - (size_t)(ws - w) - 1) ==
				   NULL) {
			if (wl == strlen(t) && strncasecmp(w, t, wl) == 0)
				return 1;
		}
	}
	return 0;
}

struct body_walk {
	struct sieve_run *run;
	const struct sieve_node *node;
	struct sieve_match *m;
	const struct sieve_str *types;	/* NULL: :text */
	size_t n_types;
};

/* walk_value - one string to the match; 1 stop, 0 go on, -1 error */
static int walk_value(struct body_walk *w, const char *v, size_t len)
{
	int r = sieve_match_value(w->m, v, len);

	return r < 0 ? -1 : r;
}

/* walk_range - a raw range as one value */
static int walk_range(struct body_walk *w, uint64_t from, uint64_t to,
		      int header)
{
	struct buf b = BUF_INIT, h = BUF_INIT;
	int r;

	if (body_range(w->run, w->node, from, to, &b) < 0) {
		buf_free(&b);
		return -1;
	}
	if (header) {
		body_crlf(&b, &h);
		r = walk_value(w, h.data != NULL ? h.data : "", h.len);
	} else {
		r = walk_value(w, b.data != NULL ? b.data : "", b.len);
	}
	buf_free(&b);
	buf_free(&h);
	return r;
}

/* walk_part - part's strings for :content / :text */
static int walk_part(struct body_walk *w, const struct msg_part *p)
{
	const char *t = part_type(p);
	struct sieve_str s;

	if (!sieve_body_present(p))
		return 0;		/* no body (RFC 5173 5) */
	if (w->types == NULL) {
		if (p->kind != MSG_PART_LEAF ||
		    (strncmp(t, "text/", 5) != 0 &&
		     strcmp(t, "application/xhtml+xml") != 0))
			return 0;
	} else if (!type_wanted(t, w->types, w->n_types)) {
		return 0;
	}
	if (p->kind == MSG_PART_MULTIPART) {
		int r = walk_range(w, p->body_offset, p->preamble_end, 0);

		if (r != 0 || p->epilogue_offset >= p->body_end)
			return r;
		return walk_range(w, p->epilogue_offset, p->body_end, 0);
	}
	if (p->kind == MSG_PART_MESSAGE && p->children != NULL)
		return walk_range(w, p->children->header_offset,
				  p->children->body_offset, 1);
	if (body_leaf(w->run, w->node, p, w->types == NULL, &s) < 0)
		return -1;
	return walk_value(w, s.data, s.len);
}

/* body_raw - the undecoded body as one value (none without a body) */
static int body_raw(struct body_walk *w, const struct msg_part *root)
{
	struct body_cache *c = body_cache(w->run);

	if (!c->have_raw) {
		struct buf b = BUF_INIT;

		if (sieve_body_present(root) && root->body_end > root->body_offset) {
			if (body_range(w->run, w->node, root->body_offset,
				       root->body_end, &b) < 0) {
				buf_free(&b);
				return -1;
			}
			body_keep(w->run, c, &b, &c->raw);
			c->raw_present = 1;
		}
		buf_free(&b);
		c->have_raw = 1;
	}
	if (!c->raw_present)
		return 0;
	return walk_value(w, c->raw.data, c->raw.len);
}

/* body_match - feed the transform's strings to m */
static int body_match(struct sieve_run *run, const struct sieve_node *node,
		      struct sieve_match *m)
{
	const struct sieve_message *msg = sieve_run_message(run);
	const struct sieve_tagval *tv;
	struct body_walk w = { run, node, m, NULL, 0 };
	const struct msg_part *p;
	struct sieve_str *types;
	int r = 0;

	if (msg->msg == NULL || msg->msg->root == NULL)
		return 0;
	if (sieve_node_tag(node, &tag_raw) != NULL)
		return body_raw(&w, msg->msg->root);
	tv = sieve_node_tag(node, &tag_content);
	if (tv != NULL) {
		if (sieve_run_arg_list(run, tv->param[0], &types,
				       &w.n_types) < 0)
			return -1;
		w.types = types;
	}
	for (p = msg->msg->root; p != NULL && r == 0; p = message_part_next(p))
		r = walk_part(&w, p);
	return r;
}

/* body_exec - match the body; earlier match values are kept (6) */
static int body_exec(struct sieve_run *run, const struct sieve_node *node)
{
	struct sieve_str saved[SIEVE_MAX_MATCH_VALUES];
	size_t n_saved = 0;
	int keep_values = sieve_run_wants_match_values(run);
	struct sieve_match m;
	int r;

	if (keep_values) {
		struct sieve_str v;

		while (n_saved < SIEVE_MAX_MATCH_VALUES &&
		       sieve_run_match_value(run, n_saved, &v) > 0) {
			saved[n_saved].data = pool_memdup(sieve_run_pool(run),
							  v.data, v.len + 1);
			saved[n_saved].len = v.len;
			n_saved++;
		}
	}
	if (sieve_match_begin(&m, run, node, node->pos[0]) < 0)
		return SIEVE_EXEC_ERROR;
	r = body_match(run, node, &m);
	r = r < 0 ? SIEVE_EXEC_ERROR : sieve_match_end(&m);
	if (keep_values)
		sieve_run_set_match_values(run, n_saved > 0 ? saved : NULL,
					   n_saved);
	return r;
}

/* body_validate - one transform at most */
static int body_validate(struct sieve_valctx *v, struct sieve_node *node)
{
	unsigned n = 0;

	for (unsigned i = 0; i < node->n_tags; i++) {
		const struct sieve_tag_def *d = node->tags[i].def;

		if (d == &tag_raw || d == &tag_content || d == &tag_text) {
			if (++n > 1) {
				sieve_valctx_error(v, node->tags[i].tag->line,
						   node->tags[i].tag->col,
						   "body test: only one body "
						   "transform may be given");
				return -1;
			}
		}
	}
	return 0;
}

static const struct sieve_tag_def *const body_tags[] = {
	&tag_raw, &tag_content, &tag_text, NULL
};

static const struct sieve_cmd_def tst_body = {
	.name = "body",
	.is_test = 1,
	.flags = SIEVE_CMD_F_MATCH,
	.min_pos = 1,
	.n_pos = 1,
	.pos = { SIEVE_T_STRLIST },
	.tags = body_tags,
	.validate = body_validate,
	.exec = body_exec,
};

static const struct sieve_cmd_def *const body_commands[] = {
	&tst_body, NULL
};

const struct sieve_extension sieve_ext_body = {
	.name = "body",
	.commands = body_commands,
};
