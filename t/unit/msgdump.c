/* msgdump - print our reading of a message file as one JSON line.
 *
 * Usage: msgdump [--mbox] [--chunk N] FILE
 *
 * The shape follows the corpus's expected.jsonl (Python's reading):
 * header_count, subject (RFC 2047 decoded), from/to (every instance of
 * the field), and the MIME tree with content_type, charset, cte,
 * disposition, filename, header_count, decoded_length (leaves only),
 * boundary, preamble_length, epilogue_length, embedded_message and
 * children. --mbox splits the file at From_ lines ("From " sender and
 * an optional date with a time, followed by a header field line: an
 * unquoted "From Russia with love" in a body is not one) and prints
 * one line per message, with "index". --chunk N feeds the parser N bytes
 * at a time (default: the whole file at once). Used by
 * t/message-corpus.t; not a unit test.
 */
#include "auto-config.h"
#include "lib/address.h"
#include "lib/buf.h"
#include "lib/message.h"
#include "lib/mime-decode.h"
#include "lib/utf8.h"
#include "lib/rfc2047.h"
#include "lib/spool.h"
#include "lib/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* decoded bodies larger than this are not measured exactly */
#define DUMP_DECODE_MAX (256 * 1024 * 1024)

static size_t chunk_size;

/* json_str - a JSON string; bytes that are not UTF-8 as "\xNN" text,
 * the way Python's backslashreplace shows them */
static void json_str(struct buf *o, const char *s, size_t len)
{
	size_t i = 0;

	buf_append_char(o, '"');
	while (i < len) {
		unsigned char c = (unsigned char)s[i];
		size_t n = 1;

		if (c >= 0x80) {
			n = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;
			if (i + n <= len && utf8_valid(s + i, n)) {
				buf_append(o, s + i, n);
			} else {
				buf_printf(o, "\\\\x%02x", c);
				n = 1;
			}
			i += n;
			continue;
		}
		if (c == '"' || c == '\\')
			buf_printf(o, "\\%c", c);
		else if (c < 0x20 || c == 0x7f)
			buf_printf(o, "\\u%04x", c);
		else
			buf_append_char(o, (char)c);
		i++;
	}
	buf_append_char(o, '"');
}

static void json_cstr(struct buf *o, const char *s)
{
	if (s == NULL)
		buf_append_str(o, "null");
	else
		json_str(o, s, strlen(s));
}

/* json_addresses - every instance of the field, or null */
static void json_addresses(struct buf *o, struct pool *pool,
			   const struct msg_part *part, const char *field)
{
	const struct msg_header *h;
	const struct address *a;
	size_t i;
	int first = 1;

	if (message_header_find(part, field, 0) == NULL) {
		buf_append_str(o, "null");
		return;
	}
	buf_append_char(o, '[');
	for (i = 0; (h = message_header_find(part, field, i)) != NULL; i++) {
		for (a = address_parse(pool, h->value, h->value_len, NULL);
		     a != NULL; a = a->next) {
			if (!first)
				buf_append_str(o, ", ");
			first = 0;
			buf_append_str(o, "{\"name\": ");
			json_cstr(o, a->name);
			buf_append_str(o, ", \"addr\": ");
			json_cstr(o, a->addr);
			buf_printf(o, ", \"flags\": %u}", a->flags);
		}
	}
	buf_append_char(o, ']');
}

/* json_subject - the first Subject, decoded, or null */
static void json_subject(struct buf *o, const struct msg_part *part)
{
	const struct msg_header *h = message_header_find(part, "Subject", 0);
	struct buf d = BUF_INIT;

	if (h == NULL) {
		buf_append_str(o, "null");
		return;
	}
	rfc2047_decode(h->value, h->value_len, &d);
	json_str(o, d.data != NULL ? d.data : "", d.len);
	buf_free(&d);
}

static void json_part(struct buf *o, struct pool *pool, struct spool *sp,
		      const struct msg_part *x);

/* json_children - the child nodes */
static void json_children(struct buf *o, struct pool *pool,
			  struct spool *sp, const struct msg_part *x)
{
	const struct msg_part *c;

	buf_append_str(o, ", \"children\": [");
	for (c = x->children; c != NULL; c = c->next) {
		if (c != x->children)
			buf_append_str(o, ", ");
		json_part(o, pool, sp, c);
	}
	buf_append_char(o, ']');
}

/* json_part - one node of the MIME tree */
static void json_part(struct buf *o, struct pool *pool, struct spool *sp,
		      const struct msg_part *x)
{
	struct sl_err err;
	struct buf dec = BUF_INIT;

	buf_append_str(o, "{\"content_type\": ");
	json_cstr(o, x->content_type);
	buf_append_str(o, ", \"charset\": ");
	json_cstr(o, x->charset);
	buf_append_str(o, ", \"cte\": ");
	json_cstr(o, x->cte);
	buf_append_str(o, ", \"disposition\": ");
	json_cstr(o, x->disposition);
	buf_append_str(o, ", \"filename\": ");
	json_cstr(o, x->filename);
	buf_printf(o, ", \"header_count\": %zu, \"flags\": %u", x->n_headers,
		   x->flags);
	buf_printf(o, ", \"offsets\": [%llu, %llu, %llu]",
		   (unsigned long long)x->header_offset,
		   (unsigned long long)x->body_offset,
		   (unsigned long long)x->body_end);
	if (x->kind == MSG_PART_LEAF) {
		err_clear(&err);
		if (mime_decode_part(sp, 0, x, DUMP_DECODE_MAX, &dec, &err) < 0)
			buf_printf(o, ", \"decoded_length\": \"error: %s\"",
				   err.text);
		else
			buf_printf(o, ", \"decoded_length\": %zu", dec.len);
		buf_free(&dec);
	} else {
		buf_append_str(o, ", \"decoded_length\": null");
	}
	if (x->kind == MSG_PART_MULTIPART) {
		buf_append_str(o, ", \"boundary\": ");
		json_cstr(o, x->boundary);
		buf_printf(o, ", \"preamble_length\": %llu, "
			   "\"epilogue_length\": %llu",
			   (unsigned long long)(x->preamble_end - x->body_offset),
			   (unsigned long long)(x->body_end -
						x->epilogue_offset));
	}
	if (x->parent != NULL && x->parent->kind == MSG_PART_MESSAGE) {
		buf_append_str(o, ", \"embedded_message\": {\"subject\": ");
		json_subject(o, x);
		buf_append_str(o, ", \"from\": ");
		json_addresses(o, pool, x, "From");
		buf_append_char(o, '}');
	}
	json_children(o, pool, sp, x);
	buf_append_char(o, '}');
}

/* dump_message - parse data and print its JSON line */
static void dump_message(const unsigned char *data, size_t len, long index)
{
	struct pool *pool = pool_new(64 * 1024);
	struct message_parser *mp = message_parser_new(pool, NULL);
	struct spool *sp = spool_new(len + 1, "/tmp");
	struct message *msg;
	struct sl_err err;
	struct buf o = BUF_INIT;
	size_t off = 0, n;

	err_clear(&err);
	if (spool_write(sp, data, len, &err) < 0) {
		fprintf(stderr, "msgdump: %s\n", err.text);
		exit(1);
	}
	while (off < len) {
		n = chunk_size == 0 || len - off < chunk_size ? len - off
							       : chunk_size;
		message_parser_feed(mp, data + off, n);
		off += n;
	}
	msg = message_parser_finish(&mp);
	buf_append_char(&o, '{');
	if (index >= 0)
		buf_printf(&o, "\"index\": %ld, ", index);
	buf_printf(&o, "\"size\": %llu, \"n_parts\": %u, \"limits_hit\": %d, "
		   "\"header_count\": %zu, \"subject\": ",
		   (unsigned long long)msg->size, msg->n_parts,
		   msg->limits_hit, msg->root->n_headers);
	json_subject(&o, msg->root);
	buf_append_str(&o, ", \"from\": ");
	json_addresses(&o, pool, msg->root, "From");
	buf_append_str(&o, ", \"to\": ");
	json_addresses(&o, pool, msg->root, "To");
	buf_append_str(&o, ", \"mime\": ");
	json_part(&o, pool, sp, msg->root);
	buf_append_str(&o, "}\n");
	fwrite(o.data, 1, o.len, stdout);
	buf_free(&o);
	spool_free(&sp);
	pool_free(&pool);
}

/* is_field_line - s starts with "name:" */
static int is_field_line(const unsigned char *s, size_t len)
{
	size_t i = 0;

	while (i < len && s[i] > ' ' && s[i] < 127 && s[i] != ':')
		i++;
	return i > 0 && i < len && s[i] == ':';
}

/* has_time - s holds "h:mm" */
static int has_time(const unsigned char *s, size_t len)
{
	size_t i;

	for (i = 1; i + 2 < len; i++)
		if (s[i] == ':' && s[i - 1] >= '0' && s[i - 1] <= '9' &&
		    s[i + 1] >= '0' && s[i + 1] <= '9' && s[i + 2] >= '0' &&
		    s[i + 2] <= '9')
			return 1;
	return 0;
}

/* from_line_at - a From_ line starts at data[i] */
static int from_line_at(const unsigned char *d, size_t len, size_t i)
{
	const unsigned char *nl;
	size_t j;

	if (len - i < 5 || memcmp(d + i, "From ", 5) != 0)
		return 0;
	nl = memchr(d + i, '\n', len - i);
	if (nl == NULL)
		return 0;
	/* "From " sender [date]: the date, if any, has a time in it */
	for (j = i + 5; d + j < nl && d[j] != ' ' && d[j] != '\r'; j++)
		;
	for (; d + j < nl && (d[j] == ' ' || d[j] == '\r'); j++)
		;
	if (d + j < nl && !has_time(d + j, (size_t)(nl - (d + j))))
		return 0;
	j = (size_t)(nl - d) + 1;
	return is_field_line(d + j, len - j);
}

/* dump_mbox - split at From_ lines and dump each message */
static void dump_mbox(const unsigned char *d, size_t len)
{
	size_t start = 0, i, msg_start;
	long index = 0;

	if (len >= 3 && memcmp(d, "\xef\xbb\xbf", 3) == 0)
		start = 3;
	msg_start = start;
	for (i = start; i < len; i++) {
		if ((i == start || d[i - 1] == '\n') &&
		    from_line_at(d, len, i) && i > msg_start) {
			dump_message(d + msg_start, i - msg_start, index++);
			msg_start = i;
		}
	}
	if (msg_start < len)
		dump_message(d + msg_start, len - msg_start, index);
}

int main(int argc, char **argv)
{
	int mbox = 0, i;
	const char *path = NULL;
	struct buf data = BUF_INIT;
	char block[65536];
	FILE *f;
	size_t n;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--mbox") == 0)
			mbox = 1;
		else if (strcmp(argv[i], "--chunk") == 0 && i + 1 < argc)
			chunk_size = (size_t)strtoul(argv[++i], NULL, 10);
		else
			path = argv[i];
	}
	if (path == NULL) {
		fprintf(stderr, "usage: msgdump [--mbox] [--chunk N] FILE\n");
		return 64;
	}
	f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
	if (f == NULL) {
		perror(path);
		return 66;
	}
	while ((n = fread(block, 1, sizeof(block), f)) > 0)
		buf_append(&data, block, n);
	if (f != stdin)
		fclose(f);
	if (mbox)
		dump_mbox((const unsigned char *)data.data, data.len);
	else
		dump_message((const unsigned char *)(data.data != NULL
						    ? data.data : ""),
			     data.len, -1);
	buf_free(&data);
	return 0;
}
