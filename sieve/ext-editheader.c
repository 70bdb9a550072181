/* ext-editheader.c - addheader and deleteheader (RFC 5293).
 *
 *   addheader [":last"] <field-name: string> <value: string>
 *   deleteheader [":index" <fieldno: number> [":last"]]
 *                [COMPARATOR] [MATCH-TYPE]
 *                <field-name: string> [<value-patterns: string-list>]
 *
 * Both edit the run's view of the top-level header
 * (sieve_msg_header_insert/remove): later tests in the script see the
 * edits, and the result's stored header (sieve_result_headers) is the
 * view at the end. addheader adds at the top, or with :last at the
 * bottom; deleteheader removes every field of the name, or the one at
 * :index (from the bottom with :last), and with value patterns only
 * those whose (RFC 2047 decoded) value matches. As Pigeonhole:
 *  - a field name must be RFC 5322 ftext; a constant invalid one is a
 *    compile error, one built at run time a runtime error;
 *  - a value must not hold NUL, nor be longer than
 *    sieve_editheader_max_header_size (default 2048);
 *  - Received and Auto-Submitted are never deleted (RFC 5293 asks to
 *    protect them; adding them is allowed), nor is the
 *    X-Sieve-Redirected-From marker added or deleted; the
 *    sieve_editheader_protected/forbid_add/forbid_delete keys add
 *    fields; Subject is always editable. A refused edit is skipped with
 *    a warning (trace), never an error;
 *  - the added name takes Pigeonhole's capitalisation (X-Some-Header).
 */
#include "auto-config.h"
#include "sieve/sieve-ext.h"
#include "sieve/ext-editheader.h"

#include "lib/config.h"
#include "lib/rfc2047.h"

#include <string.h>
#include <strings.h>

static const struct sieve_tag_def tag_add_last = { .name = "last" };
static const struct sieve_tag_def tag_index = {
	.name = "index",
	.n_params = 1,
	.params = { SIEVE_T_NUMBER },
};
static const struct sieve_tag_def tag_del_last = { .name = "last" };

/* ---- names and policy ---- */

/* eh_name_valid - RFC 5322 field-name: 1*ftext */
static int eh_name_valid(const char *s, size_t len)
{
	if (len == 0)
		return 0;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 33 || c > 126 || c == ':')
			return 0;
	}
	return 1;
}

/* eh_name_sanitize - "x-some-HEADER" -> "X-Some-Header" (Pigeonhole) */
static char *eh_name_sanitize(struct pool *pool, const char *s, size_t len)
{
	char *r = pool_strndup(pool, s, len);
	int up = 1;

	for (char *p = r; *p != '\0'; p++) {
		if (up && *p >= 'a' && *p <= 'z')
			*p = (char)(*p - 'a' + 'A');
		else if (!up && *p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
		up = *p == '-';
	}
	return r;
}

/* eh_listed - is name in the space-separated list of config key */
static int eh_listed(const struct config *cfg, const char *key,
		     const char *name, size_t len)
{
	const char *l = cfg != NULL ? config_str(cfg, key) : NULL;

	while (l != NULL && *l != '\0') {
		size_t n;

		l += strspn(l, " \t,");
		n = strcspn(l, " \t,");
		if (n == len && n > 0 && strncasecmp(l, name, n) == 0)
			return 1;
		l += n;
	}
	return 0;
}

static int eh_is(const char *name, size_t len, const char *what)
{
	return strlen(what) == len && strncasecmp(name, what, len) == 0;
}

/* eh_allow - may a script add (del 0) / delete (del 1) this field */
static int eh_allow(const struct config *cfg, const char *name, size_t len,
		    int del)
{
	if (eh_is(name, len, "subject"))
		return 1;
	if (eh_is(name, len, "x-sieve-redirected-from"))
		return 0;
	if (del && (eh_is(name, len, "received") ||
		    eh_is(name, len, "auto-submitted")))
		return 0;
	if (eh_listed(cfg, "sieve_editheader_protected", name, len))
		return 0;
	return !eh_listed(cfg, del ? "sieve_editheader_forbid_delete" :
			  "sieve_editheader_forbid_add", name, len);
}

/* eh_max_size - sieve_editheader_max_header_size, at least the minimum */
static uint64_t eh_max_size(const struct config *cfg)
{
	uint64_t n = cfg != NULL ?
		config_size(cfg, "sieve_editheader_max_header_size") : 0;

	return n >= SIEVE_EDITHEADER_MIN_MAX_HEADER_SIZE ? n :
		SIEVE_EDITHEADER_DEFAULT_MAX_HEADER_SIZE;
}

/* ---- validation ---- */

/* eh_check_name - a constant field name (what: "addheader"...) */
static int eh_check_name(struct sieve_valctx *v, const struct sieve_string *s,
			 const char *what, int del)
{
	if (!sieve_string_is_constant(s))
		return 0;
	if (!eh_name_valid(s->data, s->len)) {
		sieve_valctx_error(v, s->line, s->col, "%s command: specified "
				   "field name '%s' is invalid", what,
				   s->data);
		return -1;
	}
	if (!eh_allow(sieve_valctx_config(v), s->data, s->len, del))
		sieve_valctx_warning(v, s->line, s->col, "%s command: %s "
				     "specified header field '%s' is "
				     "forbidden; modification will be denied",
				     what, del ? "deleting" : "adding",
				     s->data);
	return 0;
}

static int addheader_validate(struct sieve_valctx *v, struct sieve_node *node)
{
	const struct sieve_string *val = &node->pos[1]->strs[0];

	if (eh_check_name(v, &node->pos[0]->strs[0], "addheader", 0) < 0)
		return -1;
	if (!sieve_string_is_constant(val))
		return 0;
	if (memchr(val->data, '\0', val->len) != NULL) {
		sieve_valctx_error(v, val->line, val->col, "addheader command: "
				   "specified value is invalid (contains NUL "
				   "character)");
		return -1;
	}
	if (val->len > eh_max_size(sieve_valctx_config(v))) {
		sieve_valctx_error(v, val->line, val->col, "addheader command: "
				   "specified header value is too large (%zu "
				   "bytes)", val->len);
		return -1;
	}
	return 0;
}

static int deleteheader_validate(struct sieve_valctx *v,
				 struct sieve_node *node)
{
	const struct sieve_tagval *last = sieve_node_tag(node, &tag_del_last);
	const struct sieve_tagval *idx = sieve_node_tag(node, &tag_index);

	if (last != NULL && idx == NULL) {
		sieve_valctx_error(v, last->tag->line, last->tag->col,
				   "the :last tag for the deleteheader command "
				   "cannot be specified without the :index "
				   "tag");
		return -1;
	}
	if (idx != NULL && idx->param[0] != NULL &&
	    idx->param[0]->number > INT32_MAX) {
		sieve_valctx_error(v, idx->param[0]->line, idx->param[0]->col,
				   "the :index tag for the deleteheader "
				   "command is too large");
		return -1;
	}
	return eh_check_name(v, &node->pos[0]->strs[0], "deleteheader", 1);
}

/* ---- addheader ---- */

/* eh_unfold - the value as tests see it: CR dropped, a line break before
 * white space removed, any other line break (and a trailing one) made a
 * space or dropped */
static char *eh_unfold(struct pool *pool, const char *v, size_t len,
		       size_t *len_r)
{
	char *r = pool_alloc(pool, len + 1);
	size_t n = 0;

	for (size_t i = 0; i < len; i++) {
		if (v[i] == '\r')
			continue;
		if (v[i] == '\n') {
			size_t k = i + 1;

			while (k < len && v[k] == '\r')
				k++;
			if (k < len && v[k] != ' ' && v[k] != '\t' &&
			    v[k] != '\n')
				r[n++] = ' ';
			continue;
		}
		r[n++] = v[i];
	}
	r[n] = '\0';
	*len_r = n;
	return r;
}

static int addheader_exec(struct sieve_run *run, const struct sieve_node *node)
{
	const struct config *cfg = sieve_run_config(run);
	struct sieve_str name, value;
	const char *vv;
	size_t vlen;

	if (sieve_run_arg_str(run, node->pos[0], &name) < 0 ||
	    sieve_run_arg_str(run, node->pos[1], &value) < 0)
		return SIEVE_EXEC_ERROR;
	if (!eh_name_valid(name.data, name.len))
		return sieve_run_error(run, node, "addheader action: specified "
				       "field name '%s' is invalid",
				       sieve_run_cstr(run, &name));
	if (!eh_allow(cfg, name.data, name.len, 0)) {
		if (sieve_run_tracing(run))
			sieve_run_trace(run, node, "addheader: adding header "
					"field '%s' is forbidden; modification "
					"denied", sieve_run_cstr(run, &name));
		return SIEVE_EXEC_OK;
	}
	if (memchr(value.data, '\0', value.len) != NULL)
		return sieve_run_error(run, node, "addheader action: specified "
				       "value is invalid (contains NUL "
				       "character)");
	if (value.len > eh_max_size(cfg))
		return sieve_run_error(run, node, "addheader action: specified "
				       "header value is too large (%zu bytes)",
				       value.len);
	vv = eh_unfold(sieve_run_pool(run), value.data, value.len, &vlen);
	while (vlen > 0 && (*vv == ' ' || *vv == '\t')) {
		vv++;	/* not kept in a stored field either */
		vlen--;
	}
	if (sieve_run_tracing(run))
		sieve_run_trace(run, node, "addheader \"%s: %s\"",
				sieve_run_cstr(run, &name), vv);
	sieve_msg_header_insert(run, sieve_node_tag(node, &tag_add_last) !=
				NULL, eh_name_sanitize(sieve_run_pool(run),
						       name.data, name.len),
				vv, vlen);
	return SIEVE_EXEC_OK;
}

/* ---- deleteheader ---- */

/* eh_value_matches - does field h's decoded value match the patterns */
static int eh_value_matches(struct sieve_run *run,
			    const struct sieve_node *node,
			    const struct sieve_hdr *h)
{
	struct sieve_match m;
	size_t len;
	char *v = rfc2047_decode_pool(sieve_run_pool(run), h->value,
				      h->value_len, &len);
	int r;

	while (len > 0 && (v[len - 1] == ' ' || v[len - 1] == '\t'))
		len--;
	while (len > 0 && (*v == ' ' || *v == '\t')) {
		v++;
		len--;
	}
	if (sieve_match_begin(&m, run, node, node->pos[1]) < 0)
		return -1;
	r = sieve_match_value(&m, v, len);
	if (r < 0)
		return -1;
	return sieve_match_end(&m);
}

/* eh_collect - the view positions of the fields named name */
static size_t *eh_collect(struct sieve_run *run, const struct sieve_str *name,
			  size_t *n_r)
{
	size_t count = sieve_msg_header_count(run), n = 0;
	size_t *pos = pool_alloc_array(sieve_run_pool(run), count + 1,
				       sizeof(*pos));
	uint32_t hash = sieve_hname_hash(name->data, name->len);

	for (size_t i = 0; i < count; i++) {
		const struct sieve_hdr *h = sieve_msg_header_at(run, i);

		if (h != NULL && h->hash == hash &&
		    strlen(h->name) == name->len &&
		    strncasecmp(h->name, name->data, name->len) == 0)
			pos[n++] = i;
	}
	*n_r = n;
	return pos;
}

static int deleteheader_exec(struct sieve_run *run,
			     const struct sieve_node *node)
{
	const struct sieve_tagval *idx = sieve_node_tag(node, &tag_index);
	int last = sieve_node_tag(node, &tag_del_last) != NULL;
	struct sieve_str name;
	size_t *pos, n, from = 0, to, deleted = 0;

	if (sieve_run_arg_str(run, node->pos[0], &name) < 0)
		return SIEVE_EXEC_ERROR;
	if (!eh_name_valid(name.data, name.len))
		return sieve_run_error(run, node, "deleteheader action: "
				       "specified field name '%s' is invalid",
				       sieve_run_cstr(run, &name));
	if (!eh_allow(sieve_run_config(run), name.data, name.len, 1)) {
		if (sieve_run_tracing(run))
			sieve_run_trace(run, node, "deleteheader: deleting "
					"header field '%s' is forbidden; "
					"modification denied",
					sieve_run_cstr(run, &name));
		return SIEVE_EXEC_OK;
	}
	pos = eh_collect(run, &name, &n);
	to = n;
	if (idx != NULL && idx->param[0]->number > 0) {
		uint64_t k = idx->param[0]->number;

		if (k > n)
			return SIEVE_EXEC_OK;
		from = last ? n - (size_t)k : (size_t)k - 1;
		to = from + 1;
	}
	/* from the bottom, so the positions below stay valid */
	for (size_t i = to; i-- > from;) {
		if (node->n_pos > 1) {
			int r = eh_value_matches(run, node,
						 sieve_msg_header_at(run,
								     pos[i]));

			if (r < 0)
				return SIEVE_EXEC_ERROR;
			if (r == 0)
				continue;
		}
		sieve_msg_header_remove(run, pos[i]);
		deleted++;
	}
	if (sieve_run_tracing(run))
		sieve_run_trace(run, node, "deleteheader \"%s\": %zu deleted",
				sieve_run_cstr(run, &name), deleted);
	return SIEVE_EXEC_OK;
}

/* ---- the stored form (Dovecot's message_header_encode, Pigeonhole's
 * rfc2822_header_append) ---- */

#define EH_WRAP_LEN 12		/* strlen("=?utf-8?q?" "?=") */
#define EH_MAX_LINE 76		/* encoded-word lines */
#define EH_FOLD_AT 80		/* folding */

static int eh_lwsp(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n';
}

/* eh_need_enc - must the byte at i be encoded */
static int eh_need_enc(const unsigned char *in, size_t i, size_t len)
{
	switch (in[i]) {
	case '\r':
		if (i + 1 == len || in[i + 1] != '\n')
			return 1;
		i++;
		/* the LF after it */
		/* fall through */
	case '\n':
		return i + 1 == len || (in[i + 1] != '\t' && in[i + 1] != ' ');
	case '\t':
		return 0;
	case '=':
		return (i == 0 || eh_lwsp(in[i - 1])) && i + 2 <= len &&
		       in[i + 1] == '?';
	default:
		return (in[i] & 0x80) != 0 || in[i] < 32;
	}
}

static void eh_b64(const unsigned char *in, size_t len, struct buf *out)
{
	static const char a[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
				"abcdefghijklmnopqrstuvwxyz0123456789+/";

	for (size_t i = 0; i < len; i += 3) {
		unsigned v = (unsigned)in[i] << 16;

		if (i + 1 < len)
			v |= (unsigned)in[i + 1] << 8;
		if (i + 2 < len)
			v |= in[i + 2];
		buf_append_char(out, a[(v >> 18) & 63]);
		buf_append_char(out, a[(v >> 12) & 63]);
		buf_append_char(out, i + 1 < len ? a[(v >> 6) & 63] : '=');
		buf_append_char(out, i + 2 < len ? a[v & 63] : '=');
	}
}

static void eh_encode_q(const unsigned char *in, size_t len, struct buf *out,
			size_t first_line_len)
{
	size_t left = EH_MAX_LINE - EH_WRAP_LEN;

	if (first_line_len >= EH_MAX_LINE - EH_WRAP_LEN - 3) {
		buf_append_str(out, "\n\t");
		left--;
	} else {
		left -= first_line_len;
	}
	buf_append_str(out, "=?utf-8?q?");
	for (size_t i = 0; i < len; i++) {
		if (left < 3) {
			while (i > 0 && (in[i] & 0xc0) == 0x80) {
				buf_truncate(out, out->len - 3);
				i--;
			}
			buf_append_str(out, "?=\n\t=?utf-8?q?");
			left = EH_MAX_LINE - EH_WRAP_LEN - 1;
		}
		if (in[i] == ' ') {
			buf_append_char(out, '_');
		} else if (in[i] == '=' || in[i] == '?' || in[i] == '_' ||
			   in[i] < 32 || (in[i] & 0x80) != 0) {
			left -= 2;
			buf_printf(out, "=%02X", in[i]);
		} else {
			buf_append_char(out, (char)in[i]);
		}
		left--;
	}
	buf_append_str(out, "?=");
}

static void eh_encode_b(const unsigned char *in, size_t len, struct buf *out,
			size_t first_line_len)
{
	size_t line_len = first_line_len;

	if (line_len >= EH_MAX_LINE - EH_WRAP_LEN) {
		buf_append_str(out, "\n\t");
		line_len = 1;
	}
	for (;;) {
		size_t left = EH_MAX_LINE - EH_WRAP_LEN - line_len;
		size_t max = left / 4 * 3;

		do {
			max--;
			if (max > len) {
				max = len;
			} else {
				while (max > 0 && (in[max] & 0xc0) == 0x80)
					max--;
			}
		} while ((max + 2) / 3 * 4 > left && max > 0);
		if (max > 0) {
			buf_append_str(out, "=?utf-8?b?");
			eh_b64(in, max, out);
			buf_append_str(out, "?=");
		}
		in += max;
		len -= max;
		if (len == 0)
			break;
		buf_append_str(out, "\n\t");
		line_len = 1;
	}
}

/* eh_encode - encoded-words for what needs them, line by line */
static void eh_encode(const unsigned char *in, size_t len, struct buf *out)
{
	size_t i, j, first_line_len, last_idx = 0, enc_chars = 0, next_len = 0;
	const unsigned char *next = NULL;

	for (i = 0; i < len && !eh_need_enc(in, i, len); i++)
		;
	if (i == len) {
		buf_append(out, in, len);
		return;
	}
	if (in[i] != '\r' && in[i] != '\n')
		while (i > 0 && !eh_lwsp(in[i - 1]))
			i--;
	buf_append(out, in, i);
	first_line_len = j = i;
	while (j > 0 && in[j - 1] != '\n')
		j--;
	if (j != 0)
		first_line_len = j;
	in += i;
	len -= i;
	next = memchr(in, '\n', len);
	if (next != NULL) {
		if (next != in && next[-1] == '\r')
			next--;
		next_len = len - (size_t)(next - in);
		len = (size_t)(next - in);
	}
	for (i = 0; i < len; i++) {
		if (eh_need_enc(in, i, len)) {
			last_idx = i + 1;
			enc_chars++;
		}
	}
	while (last_idx < len && !eh_lwsp(in[last_idx]))
		last_idx++;
	if (last_idx > 0) {
		size_t b64_len = (last_idx + 2) / 3 * 4;
		size_t q_len = last_idx + enc_chars * 3;

		if (q_len * 2 / 3 <= b64_len)
			eh_encode_q(in, last_idx, out, first_line_len);
		else
			eh_encode_b(in, last_idx, out, first_line_len);
	}
	buf_append(out, in + last_idx, len - last_idx);
	if (next == NULL)
		return;
	i = next[0] == '\r' ? 1 : 0;
	if (++i == next_len)
		return;		/* a trailing line break is dropped */
	if (next[0] == '\r')
		buf_append_char(out, '\r');
	buf_append_char(out, '\n');
	if (next[i] == ' ' || next[i] == '\t')
		buf_append_char(out, (char)next[i++]);
	else
		buf_append_char(out, '\t');
	eh_encode(next + i, next_len - i, out);
}

/* eh_fold - fold body (NUL-terminated) as a field after "name: " */
static void eh_fold(size_t name_len, const char *body, int crlf,
		    struct buf *out)
{
	const char *bp = body, *sp = body, *wp = NULL, *nlp = NULL;
	size_t line_len = name_len + 2;
	unsigned lines = 0;

	while (*bp != '\0') {
		int ws_first = 1;

		while (*bp != '\0' && nlp == NULL &&
		       (wp == NULL || line_len < EH_FOLD_AT)) {
			if (*bp == ' ' || *bp == '\t') {
				if (ws_first)
					wp = bp;
				ws_first = 0;
			} else if (*bp == '\r' || *bp == '\n') {
				nlp = ws_first ? bp : wp;
				break;
			} else {
				ws_first = 1;
			}
			bp++;
			line_len++;
		}
		if (*bp == '\0')
			break;
		if (nlp != NULL) {
			while (*bp == ' ' || *bp == '\t' || *bp == '\r' ||
			       *bp == '\n')
				bp++;
			buf_append(out, sp, (size_t)(nlp - sp));
			if (*bp != '\0') {
				if (crlf)
					buf_append_str(out, "\r\n");
				buf_append_char(out, '\t');
			}
			sp = bp;
		} else {
			buf_append(out, sp, (size_t)(wp - sp));
			while (*wp == ' ' || *wp == '\t')
				wp++;
			if (crlf)
				buf_append_str(out, "\r\n");
			buf_append_char(out, '\t');
			sp = wp;
			if (sp > bp)
				bp = sp;
		}
		lines++;
		line_len = (size_t)(bp - sp);
		wp = NULL;
		nlp = NULL;
	}
	if (bp != sp || lines == 0)
		buf_append(out, sp, (size_t)(bp - sp));
}

void sieve_editheader_stored(const char *name, const char *value, size_t len,
			     int crlf, struct buf *out)
{
	struct buf enc = BUF_INIT;

	while (len > 0 && (*value == ' ' || *value == '\t')) {
		value++;	/* "Name: " has the space */
		len--;
	}
	eh_encode((const unsigned char *)value, len, &enc);
	eh_fold(strlen(name), buf_cstr(&enc), crlf, out);
	buf_free(&enc);
}

/* ---- definitions ---- */

static const struct sieve_tag_def *const addheader_tags[] = {
	&tag_add_last, NULL
};
static const struct sieve_tag_def *const deleteheader_tags[] = {
	&tag_index, &tag_del_last, NULL
};

static const struct sieve_cmd_def cmd_addheader = {
	.name = "addheader",
	.min_pos = 2,
	.n_pos = 2,
	.pos = { SIEVE_T_STRING, SIEVE_T_STRING },
	.tags = addheader_tags,
	.validate = addheader_validate,
	.exec = addheader_exec,
};

static const struct sieve_cmd_def cmd_deleteheader = {
	.name = "deleteheader",
	.flags = SIEVE_CMD_F_MATCH,
	.min_pos = 1,
	.n_pos = 2,
	.pos = { SIEVE_T_STRING, SIEVE_T_STRLIST },
	.tags = deleteheader_tags,
	.validate = deleteheader_validate,
	.exec = deleteheader_exec,
};

static const struct sieve_cmd_def *const editheader_commands[] = {
	&cmd_addheader, &cmd_deleteheader, NULL
};

const struct sieve_extension sieve_ext_editheader = {
	.name = "editheader",
	.commands = editheader_commands,
};
