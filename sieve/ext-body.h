/* ext-body - what the body extension (RFC 5173) shares with extracttext
 * (RFC 5703): the content of one MIME part as body tests see it. */
#ifndef SLUICE_SIEVE_EXT_BODY_H
#define SLUICE_SIEVE_EXT_BODY_H

#include "sieve/sieve-ext.h"

/* sieve_body_part_text - the content of part (a leaf): transfer encoding
 * undone, text/ parts converted to UTF-8 and, with text set, HTML
 * (text/html, application/xhtml+xml) reduced to its text; at most max
 * bytes, appended to out. A part whose transfer encoding is unknown has
 * no content (Pigeonhole skips it). 0, or SIEVE_EXEC_ERROR after
 * sieve_run_temp_error when the spool cannot be read. */
int sieve_body_part_text(struct sieve_run *run, const struct sieve_node *node,
			 const struct msg_part *part, int text, size_t max,
			 struct buf *out);

/* sieve_body_present - whether part has a body: the empty line that
 * ends its header, or (a header cut short by a line that is no field,
 * which the parser makes the first body line) some bytes after it. A
 * header alone has none, and then no body test matches (RFC 5173 5). */
int sieve_body_present(const struct msg_part *part);

/* sieve_body_html2text - the text of HTML (as Dovecot's mail-html2text:
 * tags become one space, comments, scripts and styles dropped, entities
 * decoded), appended to out */
void sieve_body_html2text(const char *html, size_t len, struct buf *out);

#endif
