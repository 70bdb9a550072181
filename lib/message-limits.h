/* message-limits - every limit of the message parser in one place.
 *
 * The configurable limits (message_max_* in sluice.conf) have defaults
 * and hard caps here: a configured value above its cap is lowered to the
 * cap, a line length or field size below an RFC 5322 line (1000 octets)
 * is raised to it, and the part count is at least 1 (the message
 * itself). The other limits are fixed. Each says where it comes from. Past a limit the parser marks the message
 * (message.limits_hit, a part flag) and stops looking deeper; the message
 * is still delivered byte for byte.
 */
#ifndef SLUICE_MESSAGE_LIMITS_H
#define SLUICE_MESSAGE_LIMITS_H

/* RFC 5322 2.1.1: a line is at most 998 characters plus CRLF. Real mail
 * breaks this (base64 without line breaks, long HTML lines), so the
 * parser examines lines up to message_max_line_length (default 1 MiB)
 * and only stores what is past it unexamined. */
#define MESSAGE_RFC5322_LINE_MAX	998
#define MESSAGE_LINE_LENGTH_MIN		(MESSAGE_RFC5322_LINE_MAX + 2)
#define MESSAGE_LINE_LENGTH_DEFAULT	(1024 * 1024)
#define MESSAGE_LINE_LENGTH_CAP		(64 * 1024 * 1024)

/* RFC 5322 3.6 sets no count of header fields; 10000 is far above real
 * mail (a few hundred Received: fields at most). */
#define MESSAGE_HEADER_FIELDS_DEFAULT	10000
#define MESSAGE_HEADER_FIELDS_CAP	1000000

/* RFC 5322 2.2.3: a field may be folded over any number of lines, so an
 * unfolded field has no size limit in the standard; we keep up to this
 * much of each and mark the part when a field was cut. */
#define MESSAGE_FIELD_SIZE_DEFAULT	(1024 * 1024)
#define MESSAGE_FIELD_SIZE_CAP		(64 * 1024 * 1024)

/* all header fields of all parts kept in the pool: bounds memory however
 * the fields are spread over parts (not in any RFC) */
#define MESSAGE_HEADER_BYTES_CAP	(128 * 1024 * 1024)

/* RFC 2046 5.1 allows multiparts inside multiparts without a limit;
 * the defaults follow common MTAs (Dovecot, Postfix's 20 levels for
 * nesting of message/rfc822 and multipart, raised). */
#define MESSAGE_MIME_DEPTH_DEFAULT	32
#define MESSAGE_MIME_DEPTH_CAP		1024
#define MESSAGE_MIME_PARTS_DEFAULT	10000
#define MESSAGE_MIME_PARTS_CAP		1000000

/* RFC 2046 5.1.1: a boundary is 1 to 70 characters. Longer boundaries
 * seen in the wild are accepted up to the RFC 5322 line length; a
 * longer one makes the multipart opaque. */
#define MESSAGE_RFC2046_BOUNDARY_MAX	70
#define MESSAGE_BOUNDARY_MAX		MESSAGE_RFC5322_LINE_MAX

/* RFC 2231 3: parameter continuations name*0, name*1, ...; no limit in
 * the RFC, we join at most this many sections of one parameter. */
#define MESSAGE_RFC2231_SECTIONS_MAX	1000

/* RFC 2047 2: an encoded-word is at most 75 characters; decoders are
 * lenient about longer ones, up to this (a longer one is left as it is
 * written). */
#define MESSAGE_RFC2047_WORD_MAX	75
#define MESSAGE_ENCODED_WORD_MAX	4096

/* RFC 5322 3.2.2: comments nest. The address parser counts nesting
 * without recursion; deeper comments than this are still skipped but
 * not kept as display-name fallback text. */
#define MESSAGE_COMMENT_DEPTH_MAX	64

/* RFC 2045 6.7 rule 3: trailing white space on a quoted-printable line
 * is deleted; the decoder holds at most this much pending white space
 * (a line has at most 76 characters, RFC 2045 6.7 rule 5) and keeps a
 * longer run as data. */
#define MESSAGE_QP_PENDING_WS_MAX	256

#endif
