/* test-message.c - the streaming message parser: the MIME tree, offsets,
 * header fields, line endings, chunking and limits */
#include "auto-config.h"
#include "t/tap.h"
#include "lib/buf.h"
#include "lib/config.h"
#include "lib/message.h"
#include "lib/message-limits.h"
#include "lib/mime-decode.h"
#include "lib/spool.h"

/* a message with everything: folded fields, an encoded subject, a
 * preamble, a quoted-printable part holding a line like an inner
 * boundary ("--abcd" inside "--abc"), a nested multipart whose boundary
 * starts with the outer one, an embedded message with its own multipart
 * and an RFC 2231 file name, and an epilogue. Written with LF; the tests
 * make CRLF and CR-only copies. */
static const char tmpl[] =
	"From: \"Joe Q. Public\" <joe@example.com>\n"
	"To: a@example.org,\n"
	" b@example.org\n"
	"Subject: =?utf-8?q?caf=C3=A9?= test\n"
	"MIME-Version: 1.0\n"
	"Content-Type: multipart/mixed;\n"
	"\tboundary=\"abc\"\n"
	"\n"
	"preamble line\n"
	"--abc\n"
	"Content-Type: text/plain; charset=UTF-8\n"
	"Content-Transfer-Encoding: Quoted-Printable\n"
	"\n"
	"Hello=20world=\n"
	"!\n"
	"--abcd\n"
	"not a boundary (similar)\n"
	"--abc \t\n"
	"Content-Type: multipart/alternative; boundary=abcd\n"
	"\n"
	"--abcd\n"
	"Content-Type: text/plain\n"
	"\n"
	"inner one\n"
	"--abcd\n"
	"Content-Type: text/html\n"
	"\n"
	"<p>inner two</p>\n"
	"--abcd--\n"
	"inner epilogue\n"
	"--abc\n"
	"Content-Type: message/rfc822\n"
	"\n"
	"Subject: embedded\n"
	"Content-Type: multipart/mixed; boundary=\"zz\"\n"
	"\n"
	"--zz\n"
	"Content-Type: application/octet-stream;\n"
	" name*0*=utf-8''%E2%82%AC; name*1=\"uro.txt\"\n"
	"Content-Transfer-Encoding: base64\n"
	"\n"
	"aGVs\n"
	"bG8=\n"
	"--zz--\n"
	"--abc--\n"
	"epilogue\n";

/* with_eol - the template with every LF replaced by eol */
static void with_eol(const char *src, const char *eol, struct buf *out)
{
	buf_reset(out);
	for (; *src != '\0'; src++) {
		if (*src == '\n')
			buf_append_str(out, eol);
		else
			buf_append_char(out, *src);
	}
}

/* tree_str - everything the parser found, as text, to compare readings */
static void tree_str(const struct message *m, struct buf *out)
{
	const struct msg_part *x;
	size_t i;

	buf_printf(out, "size=%llu parts=%u limits=%d\n",
		   (unsigned long long)m->size, m->n_parts, m->limits_hit);
	for (x = m->root; x != NULL; x = message_part_next(x)) {
		buf_printf(out, "part depth=%u kind=%d flags=%u type=%s cs=%s "
			   "b=%s cte=%s/%d disp=%s fn=%s n=%u off=%llu,%llu,"
			   "%llu,%llu,%llu\n", x->depth, (int)x->kind, x->flags,
			   x->content_type, x->charset ? x->charset : "-",
			   x->boundary ? x->boundary : "-",
			   x->cte ? x->cte : "-", (int)x->cte_kind,
			   x->disposition ? x->disposition : "-",
			   x->filename ? x->filename : "-", x->n_children,
			   (unsigned long long)x->header_offset,
			   (unsigned long long)x->body_offset,
			   (unsigned long long)x->body_end,
			   (unsigned long long)x->preamble_end,
			   (unsigned long long)x->epilogue_offset);
		for (i = 0; i < x->n_headers; i++) {
			buf_printf(out, "  %s@%llu: ", x->headers[i].name,
				   (unsigned long long)x->headers[i].offset);
			buf_append(out, x->headers[i].value,
				   x->headers[i].value_len);
			buf_append_char(out, '\n');
		}
	}
}

/* parse_chunked - parse data fed in chunks (size 0: random sizes) */
static struct message *parse_chunked(struct pool *pool,
				     const struct message_limits *lim,
				     const char *data, size_t len, size_t chunk,
				     unsigned *seed)
{
	struct message_parser *p = message_parser_new(pool, lim);
	size_t off = 0, n;

	while (off < len) {
		n = chunk;
		if (n == 0)
			n = 1 + (size_t)(rand_r(seed) % 17);
		if (n > len - off)
			n = len - off;
		message_parser_feed(p, data + off, n);
		off += n;
	}
	return message_parser_finish(&p);
}

/* body_is - the bytes of [from, to) are want */
static int body_is(const struct buf *msg, uint64_t from, uint64_t to,
		   const char *want)
{
	size_t n = strlen(want);

	return to >= from && to - from == n && to <= msg->len &&
	       memcmp(msg->data + from, want, n) == 0;
}

/* decoded - a part's body decoded through a spool holding msg */
static void decoded(const struct buf *msg, const struct msg_part *x,
		    struct buf *out)
{
	struct spool *sp = spool_new(1 << 20, "/tmp");
	struct sl_err err;

	err_clear(&err);
	buf_reset(out);
	(void)spool_write(sp, msg->data, msg->len, &err);
	(void)mime_decode_part(sp, 0, x, 1 << 20, out, &err);
	spool_free(&sp);
}

/* pos_of - offset of s in msg */
static uint64_t pos_of(const struct buf *msg, const char *s)
{
	const char *p = memmem(msg->data, msg->len, s, strlen(s));

	return p == NULL ? (uint64_t)-1 : (uint64_t)(p - msg->data);
}

/* check_tree - the template's tree, whatever the line ending */
static void check_tree(const char *what, const char *eol,
		       const struct buf *msg, const struct message *m)
{
	const struct msg_part *r = m->root, *text, *alt, *rfc, *emb, *att;
	const struct msg_header *h;
	struct buf want = BUF_INIT, got = BUF_INIT;

	is_int(m->n_parts, 8, "%s: 8 parts", what);
	is_int(m->size, msg->len, "%s: size", what);
	ok(!m->limits_hit, "%s: no limit hit", what);
	is_str(r->content_type, "multipart/mixed", "%s: root type", what);
	is_str(r->boundary, "abc", "%s: boundary from a folded field", what);
	is_int(r->kind, MSG_PART_MULTIPART, "%s: root is a multipart", what);
	is_int(r->n_headers, 5, "%s: root header count", what);
	is_int(r->n_children, 3, "%s: root has 3 parts", what);
	h = message_header_find(r, "to", 0);
	ok(h != NULL && h->value_len == 28 &&
	   memcmp(h->value, "a@example.org, b@example.org", 28) == 0,
	   "%s: To unfolded", what);
	with_eol("From: \"Joe Q. Public\" <joe@example.com>\n", eol, &want);
	ok(h != NULL && h->offset == want.len, "%s: To's offset", what);
	with_eol("preamble line", eol, &want);
	ok(body_is(msg, r->body_offset, r->preamble_end, want.data),
	   "%s: preamble without the boundary's line ending", what);
	with_eol("epilogue\n", eol, &want);
	ok(body_is(msg, r->epilogue_offset, r->body_end, want.data),
	   "%s: epilogue", what);
	ok(r->body_end == msg->len, "%s: root ends at the end", what);

	text = r->children;
	is_str(text->content_type, "text/plain", "%s: part 1 type", what);
	is_str(text->charset, "utf-8", "%s: charset lowercased", what);
	is_str(text->cte, "quoted-printable", "%s: cte lowercased", what);
	is_int(text->cte_kind, MSG_CTE_QP, "%s: cte kind", what);
	with_eol("Hello=20world=\n!\n--abcd\nnot a boundary (similar)", eol,
		 &want);
	ok(body_is(msg, text->body_offset, text->body_end, want.data),
	   "%s: part 1 body up to the boundary's line ending; a longer "
	   "boundary is not ours", what);
	decoded(msg, text, &got);
	with_eol("Hello world!\n--abcd\nnot a boundary (similar)", eol, &want);
	is_mem(got.data, got.len, want.data, want.len,
	       "%s: part 1 decoded (soft break, =20)", what);

	alt = text->next;
	is_str(alt->content_type, "multipart/alternative",
	       "%s: part 2 after a boundary with trailing blanks", what);
	is_str(alt->boundary, "abcd", "%s: inner boundary", what);
	is_int(alt->n_children, 2, "%s: inner parts", what);
	is_int(alt->depth, 1, "%s: inner depth", what);
	ok(alt->children != NULL &&
	   body_is(msg, alt->children->body_offset, alt->children->body_end,
		   "inner one"), "%s: inner part 1 body", what);
	ok(alt->children != NULL && alt->children->next != NULL &&
	   body_is(msg, alt->children->next->body_offset,
		   alt->children->next->body_end, "<p>inner two</p>"),
	   "%s: inner part 2 body", what);
	ok(body_is(msg, alt->epilogue_offset, alt->body_end,
		   "inner epilogue"), "%s: inner epilogue", what);
	ok(!(alt->flags & MSG_PART_NO_END_BOUNDARY), "%s: inner closed",
	   what);

	rfc = alt->next;
	is_str(rfc->content_type, "message/rfc822", "%s: part 3 type", what);
	is_int(rfc->kind, MSG_PART_MESSAGE, "%s: part 3 is a message", what);
	emb = rfc->children;
	ok(emb != NULL && emb->next == NULL && emb->depth == 2,
	   "%s: one embedded message", what);
	if (emb == NULL)
		goto out;
	ok(emb->header_offset == rfc->body_offset,
	   "%s: embedded header starts the rfc822 body", what);
	h = message_header_find(emb, "SUBJECT", 0);
	ok(h != NULL && strcmp(h->value, "embedded") == 0,
	   "%s: embedded Subject", what);
	is_str(emb->content_type, "multipart/mixed", "%s: embedded type", what);
	att = emb->children;
	ok(att != NULL && att->depth == 3, "%s: embedded part", what);
	if (att == NULL)
		goto out;
	is_str(att->filename, "\xe2\x82\xac" "uro.txt",
	       "%s: RFC 2231 file name joined and decoded", what);
	is_int(att->cte_kind, MSG_CTE_BASE64, "%s: base64", what);
	decoded(msg, att, &got);
	is_mem(got.data, got.len, "hello", 5, "%s: base64 decoded", what);
	ok(emb->body_end == rfc->body_end,
	   "%s: the embedded message ends with the rfc822 part", what);
	with_eol("\n--abc--", eol, &want);
	ok(rfc->body_end == pos_of(msg, want.data),
	   "%s: part 3 ends before the close delimiter's line", what);
	with_eol("\n--zz--", eol, &want);
	ok(att->body_end == pos_of(msg, want.data),
	   "%s: the embedded part ends before its close delimiter", what);
out:
	buf_free(&want);
	buf_free(&got);
}

/* test_template - the template with each line ending, whole and chunked */
static void test_template(void)
{
	static const char *const eols[] = { "\n", "\r\n", "\r" };
	static const char *const names[] = { "LF", "CRLF", "CR" };
	struct buf msg = BUF_INIT, a = BUF_INIT, b = BUF_INIT;
	unsigned seed = 42, i, k;

	for (i = 0; i < 3; i++) {
		struct pool *pool = pool_new(4096);
		struct message *m;

		with_eol(tmpl, eols[i], &msg);
		m = message_parse(pool, NULL, msg.data, msg.len);
		check_tree(names[i], eols[i], &msg, m);
		buf_reset(&a);
		tree_str(m, &a);
		m = parse_chunked(pool, NULL, msg.data, msg.len, 1, &seed);
		buf_reset(&b);
		tree_str(m, &b);
		ok(a.len == b.len && memcmp(a.data, b.data, a.len) == 0,
		   "%s: byte by byte gives the same tree", names[i]);
		if (a.len != b.len || memcmp(a.data, b.data, a.len) != 0)
			diag("whole:\n%s\nbytewise:\n%s", a.data, b.data);
		for (k = 0; k < 20; k++) {
			m = parse_chunked(pool, NULL, msg.data, msg.len, 0,
					  &seed);
			buf_reset(&b);
			tree_str(m, &b);
			if (a.len != b.len || memcmp(a.data, b.data, a.len))
				break;
		}
		ok(k == 20, "%s: 20 random chunkings give the same tree",
		   names[i]);
		pool_free(&pool);
	}
	buf_free(&msg);
	buf_free(&a);
	buf_free(&b);
}

/* parse_str - parse a C string */
static struct message *parse_str(struct pool *pool,
				 const struct message_limits *lim,
				 const char *s)
{
	return message_parse(pool, lim, s, strlen(s));
}

/* test_headers - fields, continuations, odd lines, BOM, finding */
static void test_headers(void)
{
	static const char hdrs[] = "Received: a\nreceived: b\nX:  c \n"
				   "\tfolded\nSubject :obs\n\nbody\n";
	struct buf hb = { (char *)hdrs, sizeof(hdrs) - 1, 0 };
	struct pool *pool = pool_new(4096);
	const struct msg_header *h;
	struct message *m;
	const char *s;

	m = parse_str(pool, NULL, hdrs);
	is_int(m->root->n_headers, 4, "four fields");
	h = message_header_find(m->root, "RECEIVED", 1);
	ok(h != NULL && strcmp(h->value, "b") == 0,
	   "second field by index, any case");
	ok(message_header_find(m->root, "received", 2) == NULL,
	   "no third Received");
	h = message_header_find(m->root, "x", 0);
	ok(h != NULL && strcmp(h->value, "c \tfolded") == 0,
	   "leading blanks stripped, folding line break removed");
	h = message_header_find(m->root, "subject", 0);
	ok(h != NULL && strcmp(h->name, "Subject") == 0 &&
	   strcmp(h->value, "obs") == 0, "white space before the colon "
	   "(obs-optional)");
	ok(body_is(&hb, m->root->body_offset, m->root->body_end, "body\n"),
	   "body after the blank line");

	s = "\xef\xbb\xbf" "From: a@b\n\nx";
	m = parse_str(pool, NULL, s);
	ok(message_header_find(m->root, "from", 0) != NULL &&
	   m->root->header_offset == 3, "a byte order mark is skipped");
	m = parse_str(pool, NULL, "\xef\xbb" "From: a@b\n\nx");
	is_int(m->root->n_headers, 0, "half a byte order mark is data");

	s = "From sender@x Mon Jan  1 00:00:00 2024\nFrom: a@b\n"
	    "Subject: no end\nthis is body\n";
	m = parse_str(pool, NULL, s);
	is_int(m->root->n_headers, 2, "a From_ line is not a field");
	ok(m->root->flags & MSG_PART_NO_HEADER_END,
	   "header ended by a non-field line");
	ok(m->root->body_offset == strlen(s) - 13,
	   "the non-field line starts the body");

	s = "  lead\nA: 1\n:noname\nB: 2";
	m = parse_str(pool, NULL, s);
	is_int(m->root->n_headers, 2, "continuation before any field and a "
	       "field without a name are dropped");
	h = message_header_find(m->root, "b", 0);
	ok(h != NULL && h->value_len == 1 && m->root->body_offset == strlen(s),
	   "last field without a line ending");

	m = parse_str(pool, NULL, "A: 1\rB: 2\r\rbody");
	is_int(m->root->n_headers, 2, "CR-only header");
	is_int(m->root->body_offset, 11, "CR-only blank line");
	m = parse_str(pool, NULL, "A: x\ry\r\nB: z\r\n\r\n");
	h = message_header_find(m->root, "a", 0);
	ok(h != NULL && strcmp(h->value, "x") == 0 && m->root->n_headers == 1,
	   "a stray CR ends the line (the rest is body)");

	m = parse_str(pool, NULL, "A: 1\0two\n\n");
	h = message_header_find(m->root, "a", 0);
	ok(h != NULL && h->value_len == 1, "C string cut at NUL by "
	   "parse_str (sanity)");
	m = message_parse(pool, NULL, "A: 1\0two\n\n", 11);
	h = message_header_find(m->root, "a", 0);
	ok(h != NULL && h->value_len == 5 && memcmp(h->value, "1\0two", 5) == 0,
	   "NUL kept in a value");
	m = message_parse(pool, NULL, "", 0);
	ok(m->root->n_headers == 0 && m->size == 0 &&
	   strcmp(m->root->content_type, "text/plain") == 0,
	   "empty input: one text/plain part");
	pool_free(&pool);
}

/* test_mime_odd - MIME edge cases */
static void test_mime_odd(void)
{
	struct pool *pool = pool_new(4096);
	const struct msg_part *x;
	struct message *m;
	const char *s;

	s = "Content-Type: multipart/mixed; boundary=b\n\nno parts here\n";
	m = parse_str(pool, NULL, s);
	ok(m->root->kind == MSG_PART_MULTIPART && m->root->n_children == 0 &&
	   (m->root->flags & MSG_PART_NO_START_BOUNDARY) &&
	   m->root->preamble_end == strlen(s),
	   "boundary never found: all preamble, flagged");

	s = "Content-Type: multipart/mixed; boundary=b\n\n--b\n\nlast\n";
	m = parse_str(pool, NULL, s);
	x = m->root->children;
	ok((m->root->flags & MSG_PART_NO_END_BOUNDARY) && x != NULL &&
	   x->body_end == strlen(s) - 1, "no close delimiter: the last part "
	   "ends before the final line ending");

	s = "Content-Type: multipart/mixed\n\n--b\n\nx\n";
	m = parse_str(pool, NULL, s);
	ok(m->root->kind == MSG_PART_LEAF &&
	   (m->root->flags & MSG_PART_NO_BOUNDARY),
	   "multipart without a boundary is a leaf");

	s = "Content-Type: multipart/mixed; boundary=b\n\n--b\n--b\n--b\n"
	    "\nonly\n--b--\n";
	m = parse_str(pool, NULL, s);
	ok(m->root->n_children == 1 &&
	   m->root->children->header_offset ==
	   (uint64_t)(strstr(s, "\nonly") - s),
	   "repeated separators make no empty parts");

	s = "Content-Type: multipart/mixed; boundary=b\n\n--b\n--b--\n";
	m = parse_str(pool, NULL, s);
	ok(m->root->n_children == 1 &&
	   m->root->children->body_end == m->root->children->header_offset,
	   "separator then close: one empty part");

	s = "Content-Type: multipart/digest; boundary=d\n\n--d\n\n"
	    "Subject: in digest\n\nbody\n--d--\n";
	m = parse_str(pool, NULL, s);
	x = m->root->children;
	ok(x != NULL && strcmp(x->content_type, "message/rfc822") == 0 &&
	   x->kind == MSG_PART_MESSAGE && x->children != NULL &&
	   message_header_find(x->children, "subject", 0) != NULL,
	   "a digest part is a message by default");

	m = parse_str(pool, NULL, "Content-Type: application-x-gzip; "
		      "name=\"a.gz\"\n\nx");
	is_str(m->root->content_type, "application/octet-stream",
	       "type without subtype is opaque data");
	is_str(m->root->filename, "a.gz", "name parameter as file name");
	m = parse_str(pool, NULL, "Content-Type: Text\n\nx");
	is_str(m->root->content_type, "text/plain", "\"text\" alone");
	m = parse_str(pool, NULL, "Content-Type: ;;\n\nx");
	is_str(m->root->content_type, "text/plain", "garbage type");
	m = parse_str(pool, NULL, "Content-Type: Text/HTML (comment) ; "
		      "Charset = \"ISO-8859-1\" (c)\nContent-Type: image/gif\n"
		      "Content-Disposition: ATTACHMENT; filename=\"=?utf-8?q?"
		      "r=C3=A9sum=C3=A9?=.pdf\"\n\nx");
	is_str(m->root->content_type, "text/html", "comments, case");
	is_str(m->root->charset, "iso-8859-1", "quoted charset");
	is_str(m->root->disposition, "attachment", "disposition");
	is_str(m->root->filename, "r\xc3\xa9sum\xc3\xa9.pdf",
	       "RFC 2047 file name decoded");

	m = parse_str(pool, NULL, "Content-Disposition: attachment; "
		      "filename=\"plain.txt\"; filename*=iso-8859-1'fr'caf%E9.txt"
		      "\nContent-Type: text/plain; name*1=\"b\"; name*0=a; "
		      "charset=\"us-ascii\" (Plain text)\n\nx");
	is_str(m->root->filename, "caf\xc3\xa9.txt",
	       "RFC 2231 charset; the extended form wins");
	is_str(m->root->charset, "us-ascii", "comment after a value cut");
	m = parse_str(pool, NULL, "Content-Type: text/plain; name*1=\"b\"; "
		      "name*0=a;name*x=no\n\nx");
	is_str(m->root->filename, "ab", "sections joined in order");

	s = "Content-Type: message/rfc822\n\nnot a header\nSubject: body\n";
	m = parse_str(pool, NULL, s);
	x = m->root->children;
	ok(x != NULL && x->n_headers == 0 && x->body_offset == 30 &&
	   (x->flags & MSG_PART_NO_HEADER_END),
	   "embedded message starting with a non-field line");

	s = "Content-Type: multipart/mixed; boundary=\"\"\n\n--\nA: 1\n\nx\n"
	    "----\n";
	m = parse_str(pool, NULL, s);
	ok(m->root->n_children == 1 && m->root->epilogue_offset == strlen(s),
	   "an empty boundary is taken as written");
	pool_free(&pool);
}

/* deep - n multiparts nested, each with a different boundary */
static void deep(struct buf *b, unsigned n)
{
	unsigned i;

	buf_reset(b);
	for (i = 0; i < n; i++)
		buf_printf(b, "Content-Type: multipart/mixed; boundary=b%u\n\n"
			   "--b%u\n", i, i);
	buf_append_str(b, "Content-Type: text/plain\n\nleaf\n");
	for (i = n; i-- > 0;)
		buf_printf(b, "--b%u--\n", i);
}

/* test_limits - every limit marks the message and bounds the tree */
static void test_limits(void)
{
	struct pool *pool = pool_new(4096);
	struct message_limits lim;
	struct message *m;
	const struct msg_part *x;
	struct config *cfg = config_new();
	struct sl_err err;
	struct buf b = BUF_INIT;
	unsigned i, depth;

	message_limits_default(&lim);
	lim.max_header_fields = 2;
	m = parse_str(pool, &lim, "A: 1\nB: 2\nC: 3\nD: 4\n\nbody");
	ok(m->root->n_headers == 2 && m->limits_hit &&
	   (m->root->flags & MSG_PART_TRUNCATED_HEADERS) &&
	   m->root->body_offset == 21, "header count limit");

	message_limits_default(&lim);
	lim.max_field_size = 10;	/* raised to the floor */
	buf_reset(&b);
	buf_append_str(&b, "Subject: ");
	for (i = 0; i < 3000; i++)
		buf_append_char(&b, 'x');
	buf_append_str(&b, "\n\nbody");
	m = message_parse(pool, &lim, b.data, b.len);
	ok(message_header_find(m->root, "subject", 0) != NULL &&
	   message_header_find(m->root, "subject", 0)->value_len ==
	   MESSAGE_LINE_LENGTH_MIN - 9 && m->limits_hit &&
	   m->root->body_offset == b.len - 4, "field size limit (floor)");

	message_limits_default(&lim);
	lim.max_line_length = 2000;
	lim.max_field_size = 100000;
	m = message_parse(pool, &lim, b.data, b.len);
	ok(message_header_find(m->root, "subject", 0)->value_len == 2000 - 9 &&
	   m->limits_hit, "line length limit");

	message_limits_default(&lim);
	lim.max_mime_depth = 3;
	deep(&b, 50);
	m = message_parse(pool, &lim, b.data, b.len);
	depth = 0;
	i = 0;
	for (x = m->root; x != NULL; x = message_part_next(x)) {
		if (x->depth > depth)
			depth = x->depth;
		if ((x->flags & MSG_PART_OPAQUE) && x->depth == 3 &&
		    x->kind == MSG_PART_LEAF &&
		    strcmp(x->content_type, "multipart/mixed") == 0)
			i++;
	}
	ok(depth == 3 && m->n_parts == 4 && m->limits_hit && i == 1,
	   "depth limit: the multipart at depth 3 is opaque");
	ok(m->root->body_end == b.len, "still reads to the end");

	message_limits_default(&lim);
	deep(&b, 20000);
	m = message_parse(pool, &lim, b.data, b.len);
	ok(m->n_parts == MESSAGE_MIME_DEPTH_DEFAULT + 1 && m->limits_hit,
	   "20000 nested multiparts: bounded by the default depth");

	message_limits_default(&lim);
	lim.max_mime_parts = 3;
	buf_reset(&b);
	buf_append_str(&b, "Content-Type: multipart/mixed; boundary=b\n\n");
	for (i = 0; i < 10; i++)
		buf_printf(&b, "--b\n\npart %u\n", i);
	buf_append_str(&b, "--b--\nepilogue\n");
	m = message_parse(pool, &lim, b.data, b.len);
	ok(m->n_parts == 3 && m->root->n_children == 2 &&
	   (m->root->flags & MSG_PART_OPAQUE) && m->limits_hit,
	   "part count limit");
	ok(m->root->epilogue_offset == b.len - 9,
	   "the close delimiter is still found past the part limit");

	err_clear(&err);
	ok(config_set(cfg, "message_max_mime_depth", "99999999", "test",
		      &err) == 0 &&
	   config_set(cfg, "message_max_header_fields", "7", "test",
		      &err) == 0 &&
	   config_set(cfg, "message_max_line_length", "1", "test", &err) == 0,
	   "config values set");
	message_limits_from_config(&lim, cfg);
	ok(lim.max_mime_depth == MESSAGE_MIME_DEPTH_CAP &&
	   lim.max_header_fields == 7 &&
	   lim.max_line_length == MESSAGE_LINE_LENGTH_MIN,
	   "limits from config, clamped to the caps and floors");
	config_free(&cfg);
	buf_free(&b);
	pool_free(&pool);
}

/* test_long_lines - a long body line and binary data keep the tree */
static void test_long_lines(void)
{
	struct pool *pool = pool_new(4096);
	struct buf b = BUF_INIT;
	struct message *m;
	size_t i;

	buf_append_str(&b, "Content-Type: multipart/mixed; boundary=b\n\n--b\n"
		       "\n");
	for (i = 0; i < 3 * 1024 * 1024; i++)
		buf_append_char(&b, (char)(i % 251 == 0 ? '-' : 'a' + i % 26));
	buf_append_str(&b, "\n--b          \t      \n\n");
	for (i = 0; i < 2000; i++)
		buf_append_char(&b, ' ');
	buf_append_str(&b, "\n--b--\n");
	m = message_parse(pool, NULL, b.data, b.len);
	ok(m->root->n_children == 2 && !m->limits_hit &&
	   m->root->children->body_end - m->root->children->body_offset ==
	   3 * 1024 * 1024, "a 3 MiB body line is skipped, not limited");
	buf_free(&b);
	pool_free(&pool);
}

int main(void)
{
	test_template();
	test_headers();
	test_mime_odd();
	test_limits();
	test_long_lines();
	return done_testing();
}
