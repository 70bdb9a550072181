/* mime-decode - undo transfer encodings and convert charsets to UTF-8.
 *
 * The decoders are streaming: feed them the encoded body in chunks of any
 * size (one byte at a time gives the same output) and finish. They never
 * fail; bad input is decoded leniently:
 * - base64 (RFC 2045 6.8): characters outside the alphabet (line breaks,
 *   spaces, junk) are skipped; decoding stops at the padding that ends a
 *   quantum; a final quantum of 2 or 3 characters gives its 1 or 2 bytes
 *   without padding; a single stray final character is dropped. This is
 *   Python's lenient decoding (email._encoded_words.decode_b), except for
 *   that last case, where Python gives back the encoded text;
 * - quoted-printable (RFC 2045 6.7): "=XX" (either case) is the byte, "="
 *   with optional trailing white space before a line break is a soft line
 *   break, white space at the end of a line is deleted (rule 3), and an
 *   "=" that starts nothing valid is kept as it is. Line breaks (CRLF, LF
 *   or CR) are kept as written.
 */
#ifndef SLUICE_MIME_DECODE_H
#define SLUICE_MIME_DECODE_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "err.h"
#include "message.h"
#include "message-limits.h"
#include "spool.h"

struct mime_decoder {
	enum msg_cte cte;
	unsigned state;
	unsigned quad_pos, leftchar, pads;	/* base64 */
	unsigned char hex;			/* quoted-printable */
	size_t ws_len;
	unsigned char ws[MESSAGE_QP_PENDING_WS_MAX];
};

/* mime_decode_cte - the encoding named by a Content-Transfer-Encoding
 * value (its first token, any case); unknown names are identity */
enum msg_cte mime_decode_cte(const char *value, size_t len);

void mime_decode_init(struct mime_decoder *d, enum msg_cte cte);
/* mime_decode_feed - decode len bytes, appending the output to out */
void mime_decode_feed(struct mime_decoder *d, const void *data, size_t len,
		      struct buf *out);
/* mime_decode_finish - flush what the end of input decides */
void mime_decode_finish(struct mime_decoder *d, struct buf *out);

/* mime_decode_base64 - decode a whole base64 string (as above) */
void mime_decode_base64(const void *data, size_t len, struct buf *out);

/* mime_decode_part - the body of part (a leaf), transfer-decoded,
 * appended to out. The part's offsets are relative to the parser's
 * input; base is where that input starts in the spool (the length of a
 * From_ line the caller kept out of the parser, else 0). At most max
 * decoded bytes are appended. Returns 0 when the whole body was decoded,
 * 1 when it stopped at max, -1 with err set (temporary) when the spool
 * could not be read. */
int mime_decode_part(struct spool *sp, uint64_t base,
		     const struct msg_part *part, size_t max, struct buf *out,
		     struct sl_err *err);

/* mime_decode_charset - append len bytes of text in charset (any case,
 * NULL for US-ASCII) to out as UTF-8. The output is always valid UTF-8:
 * bytes the charset does not allow become U+FFFD; an unknown charset (or
 * US-ASCII with 8-bit bytes) is read as UTF-8 when the bytes are valid
 * UTF-8, else as Windows-1252. Returns 0 for a clean conversion, 1 when
 * anything was replaced or guessed. */
int mime_decode_charset(const char *charset, const void *data, size_t len,
			struct buf *out);


#endif
