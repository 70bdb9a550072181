/* message - the message parser: one streaming pass over the message.
 *
 * The caller feeds the bytes in chunks of any size (the spool is written
 * at the same time), then finishes the parse. The result holds the header
 * fields of every entity (unfolded), the MIME tree with byte offsets into
 * the original message, and nothing of the bodies: decoders read the
 * bodies back from the spool by offset (mime-decode.h). Line endings may
 * be CRLF, LF or stray CR (each ends a line). Limits (line length, header
 * count, field size, MIME depth and part count; message-limits.h) bound
 * memory; past a limit the parser stops looking deeper and marks the
 * message, and the message is still delivered as it is. The parser never
 * fails: any byte sequence gives a result, and feeding the same bytes in
 * chunks of any sizes gives the same result.
 *
 * How the bytes are read (RFC 5322, RFC 2045-2049, lenient where real
 * mail is broken):
 * - a UTF-8 byte order mark before the first header is skipped;
 * - a header block ends at an empty line, or at the first line that is
 *   neither a field ("name:" with RFC 5322 ftext in the name, white space
 *   allowed before the colon as in obs-optional) nor a continuation; that
 *   line is the first line of the body. Lines starting with "From " (mbox
 *   envelope lines) in a header block are skipped, as is a continuation
 *   line before any field;
 * - multipart bodies are split at "--boundary" lines (trailing white
 *   space allowed) of the multipart or of any enclosing one (RFC 2046
 *   5.1.2), the innermost first (an inner multipart that reuses its
 *   parent's boundary, which RFC 2046 forbids, gets the line); the line
 *   ending before a boundary line belongs to the boundary, also at the
 *   end of input inside a multipart; repeated separator lines make no
 *   empty parts; an empty boundary parameter is taken as written;
 * - message/rfc822, message/global and message/news bodies are parsed as
 *   messages; other message/ types (delivery-status, partial...) are leaf
 *   parts;
 * - a missing Content-Type is text/plain (message/rfc822 inside
 *   multipart/digest); an unparsable one is text/plain (RFC 2045 5.2); a
 *   type without a subtype ("application-x-gzip") is
 *   application/octet-stream (text/plain for "text");
 * - the first of several Content-Type (or -Transfer-Encoding,
 *   -Disposition) fields counts.
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

/* message_limits_from_config - the message_max_* keys, clamped to the
 * caps of message-limits.h */
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
	MSG_PART_OPAQUE = 0x04,	/* depth/part limit, or a boundary longer
				   than MESSAGE_BOUNDARY_MAX: not parsed
				   further */
	MSG_PART_NO_START_BOUNDARY = 0x08, /* multipart: boundary never seen,
					      the whole body is preamble */
	MSG_PART_NO_BOUNDARY = 0x10, /* multipart without a boundary
					parameter: parsed as a leaf */
	MSG_PART_NO_HEADER_END = 0x20, /* the header did not end with an
					  empty line */
};

/* how the parser read a part's body */
enum msg_part_kind {
	MSG_PART_LEAF = 0,	/* body is data (also opaque containers) */
	MSG_PART_MULTIPART,	/* children are the body parts */
	MSG_PART_MESSAGE,	/* one child: the embedded message */
};

/* the transfer encoding to undo (RFC 2045 6); anything unknown is taken
 * as identity */
enum msg_cte {
	MSG_CTE_IDENTITY = 0,	/* none, 7bit, 8bit, binary or unknown */
	MSG_CTE_QP,
	MSG_CTE_BASE64,
};

struct msg_part {
	struct msg_part *parent, *children, *next;
	struct msg_header *headers;
	size_t n_headers;
	uint64_t header_offset;	/* first byte of the part's header */
	uint64_t body_offset;	/* first byte after the blank line */
	uint64_t body_end;	/* one past the last body byte */
	/* multipart: the preamble is [body_offset, preamble_end), the
	 * epilogue [epilogue_offset, body_end); both empty otherwise */
	uint64_t preamble_end;
	uint64_t epilogue_offset;
	const char *content_type;	/* effective, lowercased type/subtype */
	const char *charset;		/* lowercased, or NULL */
	const char *boundary;		/* multipart only */
	const char *cte;		/* lowercased, or NULL */
	const char *disposition;	/* lowercased token, "" if the field
					   has none, NULL without the field */
	const char *filename;		/* decoded (RFC 2231/2047), or NULL */
	unsigned depth;
	unsigned flags;			/* enum msg_part_flag */
	enum msg_part_kind kind;
	enum msg_cte cte_kind;		/* from cte */
	unsigned n_children;
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

/* message_parse - parse a message held in memory (feed + finish) */
struct message *message_parse(struct pool *pool,
			      const struct message_limits *limits,
			      const void *data, size_t len);

/* message_header_find - the first field named name (case-insensitive) in
 * part's header, or NULL; with index n the n-th (0-based) */
const struct msg_header *message_header_find(const struct msg_part *part,
					     const char *name, size_t n);

/* message_part_next - the part after part in a depth-first walk of the
 * tree (root first), or NULL at the end */
struct msg_part *message_part_next(const struct msg_part *part);

#endif
