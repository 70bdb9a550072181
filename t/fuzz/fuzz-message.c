/* fuzz-message.c - the message parser on arbitrary bytes: fed whole and
 * in chunks of random sizes (the trees must be equal), the tree walked,
 * every leaf transfer-decoded from a spool and every part's Subject,
 * From and To decoded; once more with tiny limits */
#include "auto-config.h"
#include "lib/address.h"
#include "lib/buf.h"
#include "lib/message.h"
#include "lib/mime-decode.h"
#include "lib/utf8.h"
#include "lib/rfc2047.h"
#include "lib/spool.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* tree_str - the whole reading as text, to compare two parses */
static void tree_str(const struct message *m, struct buf *out)
{
	const struct msg_part *x;
	size_t i;

	buf_printf(out, "%llu %u %d\n", (unsigned long long)m->size,
		   m->n_parts, m->limits_hit);
	for (x = m->root; x != NULL; x = message_part_next(x)) {
		buf_printf(out, "%u %d %u %s %s %s %s %s %s %llu %llu %llu "
			   "%llu %llu %zu\n", x->depth, (int)x->kind, x->flags,
			   x->content_type, x->charset ? x->charset : "-",
			   x->boundary ? x->boundary : "-",
			   x->cte ? x->cte : "-",
			   x->disposition ? x->disposition : "-",
			   x->filename ? x->filename : "-",
			   (unsigned long long)x->header_offset,
			   (unsigned long long)x->body_offset,
			   (unsigned long long)x->body_end,
			   (unsigned long long)x->preamble_end,
			   (unsigned long long)x->epilogue_offset,
			   x->n_headers);
		for (i = 0; i < x->n_headers; i++) {
			buf_append_str(out, x->headers[i].name);
			buf_append(out, x->headers[i].value,
				   x->headers[i].value_len);
			buf_printf(out, "%llu\n",
				   (unsigned long long)x->headers[i].offset);
		}
	}
}

/* check_part - offsets in order and inside the message */
static void check_part(const struct message *m, const struct msg_part *x)
{
	if (x->header_offset > x->body_offset ||
	    x->body_offset > x->body_end || x->body_end > m->size ||
	    (x->kind == MSG_PART_MULTIPART &&
	     (x->preamble_end < x->body_offset ||
	      x->epilogue_offset > x->body_end ||
	      x->preamble_end > x->epilogue_offset)) ||
	    x->content_type == NULL)
		abort();
	if (x->parent != NULL && (x->header_offset < x->parent->body_offset ||
				  x->body_end > x->parent->body_end))
		abort();
}

/* walk - check, decode and read the fields of every part */
static void walk(struct pool *pool, const struct message *m,
		 struct spool *sp)
{
	static const char *const fields[] = { "Subject", "From", "To" };
	const struct msg_part *x;
	const struct msg_header *h;
	struct buf out = BUF_INIT, conv = BUF_INIT;
	struct sl_err err;
	size_t i;

	for (x = m->root; x != NULL; x = message_part_next(x)) {
		check_part(m, x);
		if (x->kind == MSG_PART_LEAF) {
			buf_reset(&out);
			err_clear(&err);
			if (mime_decode_part(sp, 0, x, 1 << 20, &out, &err) < 0)
				abort();
			buf_reset(&conv);
			(void)mime_decode_charset(x->charset, out.data,
						  out.len, &conv);
			if (!utf8_valid(conv.data, conv.len))
				abort();
		}
		for (i = 0; i < 3; i++) {
			h = message_header_find(x, fields[i], 0);
			if (h == NULL)
				continue;
			buf_reset(&out);
			if (i == 0)
				(void)rfc2047_decode(h->value, h->value_len,
						     &out);
			else
				(void)address_parse(pool, h->value,
						    h->value_len, NULL);
		}
	}
	buf_free(&out);
	buf_free(&conv);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct pool *pool = pool_new(16 * 1024);
	struct message_parser *p;
	struct message *whole, *chunked;
	struct message_limits lim;
	struct spool *sp = spool_new(size + 1, "/tmp");
	struct buf a = BUF_INIT, b = BUF_INIT;
	struct sl_err err;
	uint32_t seed = 2166136261u;
	size_t off = 0, n, i;

	for (i = 0; i < size && i < 64; i++)
		seed = (seed ^ data[i]) * 16777619u;
	err_clear(&err);
	if (spool_write(sp, data, size, &err) < 0)
		abort();
	whole = message_parse(pool, NULL, data, size);
	p = message_parser_new(pool, NULL);
	while (off < size) {
		seed = seed * 1103515245u + 12345u;
		n = 1 + (seed >> 16) % 64;
		if (n > size - off)
			n = size - off;
		message_parser_feed(p, data + off, n);
		off += n;
	}
	chunked = message_parser_finish(&p);
	tree_str(whole, &a);
	tree_str(chunked, &b);
	if (a.len != b.len || memcmp(a.data, b.data, a.len) != 0) {
		fprintf(stderr, "whole and chunked readings differ\n");
		abort();
	}
	walk(pool, whole, sp);

	lim.max_line_length = 1;
	lim.max_header_fields = 3;
	lim.max_field_size = 1;
	lim.max_mime_depth = 2;
	lim.max_mime_parts = 4;
	whole = message_parse(pool, &lim, data, size);
	if (whole->n_parts > 4)
		abort();
	walk(pool, whole, sp);

	buf_free(&a);
	buf_free(&b);
	spool_free(&sp);
	pool_free(&pool);
	return 0;
}
