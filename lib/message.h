/* message - the message parser: one streaming pass over the message.
 *
 * The caller feeds the bytes in chunks of any size (the spool is written
 * at the same time), then finishes the parse. The result holds the header
 * fields of every entity (unfolded), the MIME tree with byte offsets into
 * the original message, and nothing of the bodies: decoders read the
 * bodies back from the spool by offset. Line endings may be CRLF, LF or
 * stray CR. Limits (line length, header count, field size, MIME depth and
 * part count) bound memory; past a limit the parser stops looking deeper
 * and marks the message, and the message is still delivered as it is.
 * The parser never fails: any byte sequence gives a result.
 */
#ifndef SLUICE_MESSAGE_H
#define SLUICE_MESSAGE_H

#include <stddef.h>
#include <stdint.h>

#include "pool.h"

struct config;

struct message_limits {
	size_t max_line_length;
	unsigned max_header_fields;
	size_t max_field_size;
	unsigned max_mime_depth;
	unsigned max_mime_parts;
};

/* message_limits_from_config - the message_max_* keys */
void message_limits_from_config(struct message_limits *limits,
				const struct config *cfg);
/* message_limits_default - the built-in defaults */
void message_limits_default(struct message_limits *limits);

struct msg_header {
	const char *name;	/* as written, NUL-terminated */
	const char *value;	/* unfolded (CRLF/LF before WSP removed),
				   leading blanks stripped, raw bytes */
	size_t value_len;	/* may hold NULs */
	uint64_t offset;	/* of the field's first byte in the message */
};

enum msg_part_flag {
	MSG_PART_TRUNCATED_HEADERS = 0x01, /* a header limit was hit */
	MSG_PART_NO_END_BOUNDARY = 0x02,
	MSG_PART_OPAQUE = 0x04,	/* depth/part limit: not parsed further */
};

struct msg_part {
	struct msg_part *parent, *children, *next;
	struct msg_header *headers;
	size_t n_headers;
	uint64_t header_offset;	/* first byte of the part's header */
	uint64_t body_offset;	/* first byte after the blank line */
	uint64_t body_end;	/* one past the last body byte */
	const char *content_type;	/* effective, lowercased type/subtype */
	const char *charset;		/* lowercased, or NULL */
	const char *boundary;		/* multipart only */
	const char *cte;		/* lowercased, or NULL */
	const char *disposition;	/* lowercased, or NULL */
	const char *filename;		/* decoded (RFC 2231/2047), or NULL */
	unsigned depth;
	unsigned flags;			/* enum msg_part_flag */
};

struct message {
	struct msg_part *root;
	uint64_t size;
	unsigned n_parts;
	int limits_hit;		/* some limit stopped the parse somewhere */
};

struct message_parser;

/* message_parser_new - a parser whose results live in pool */
struct message_parser *message_parser_new(struct pool *pool,
					  const struct message_limits *limits);
void message_parser_feed(struct message_parser *parser, const void *data,
			 size_t len);
/* message_parser_finish - the parsed message (from the pool); frees the
 * parser */
struct message *message_parser_finish(struct message_parser **parser);

/* message_header_find - the first field named name (case-insensitive) in
 * part's header, or NULL; with index n the n-th (0-based) */
const struct msg_header *message_header_find(const struct msg_part *part,
					     const char *name, size_t n);

#endif
