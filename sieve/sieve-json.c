/* sieve-json.c - a result or a compile failure as the canonical JSON of
 * shared/sieve-json.md (`sluice sieve test --json`) */
#include "auto-config.h"
#include "sieve/sieve-private.h"

#include "lib/buf.h"
#include "lib/utf8.h"

#include <string.h>

void sieve_json_string(struct buf *out, const char *s, size_t len)
{
	size_t i;

	buf_append_char(out, '"');
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c >= 0x80) {
			/* JSON is UTF-8: a byte that is not becomes U+FFFD */
			uint32_t cp;
			size_t n = utf8_next((const unsigned char *)s + i,
					     len - i, &cp);

			if (n == 0) {
				buf_append_str(out, "\\ufffd");
			} else {
				buf_append(out, s + i, n);
				i += n - 1;
			}
		} else if (c == '"' || c == '\\')
			buf_printf(out, "\\%c", c);
		else if (c == '\n')
			buf_append_str(out, "\\n");
		else if (c == '\r')
			buf_append_str(out, "\\r");
		else if (c == '\t')
			buf_append_str(out, "\\t");
		else if (c < 0x20 || c == 0x7f)
			buf_printf(out, "\\u%04x", c);
		else
			buf_append_char(out, (char)c);
	}
	buf_append_char(out, '"');
}

static void field_str(struct buf *out, const char *name, const char *v)
{
	if (v == NULL)
		return;
	buf_printf(out, ", \"%s\": ", name);
	sieve_json_string(out, v, strlen(v));
}

static void field_bool(struct buf *out, const char *name, int v)
{
	buf_printf(out, ", \"%s\": %s", name, v ? "true" : "false");
}

static void field_list(struct buf *out, const char *name,
		       const char *const *v, size_t n)
{
	size_t i;

	buf_printf(out, ", \"%s\": [", name);
	for (i = 0; i < n; i++) {
		if (i > 0)
			buf_append_str(out, ", ");
		sieve_json_string(out, v[i], strlen(v[i]));
	}
	buf_append_char(out, ']');
}

/* json_fields - the fields of a by kind */
static void json_fields(struct buf *out, const struct sieve_action *a)
{
	switch (a->kind) {
	case SIEVE_ACT_KEEP:
		field_list(out, "flags", a->flags, a->n_flags);
		field_bool(out, "implicit", a->implicit);
		break;
	case SIEVE_ACT_FILEINTO:
		field_str(out, "mailbox", a->mailbox);
		field_list(out, "flags", a->flags, a->n_flags);
		field_bool(out, "copy", a->copy);
		field_bool(out, "create", a->create);
		field_str(out, "mailboxid", a->mailboxid);
		field_str(out, "specialuse", a->special_use);
		break;
	case SIEVE_ACT_REDIRECT:
		field_str(out, "address", a->address);
		field_bool(out, "copy", a->copy);
		break;
	case SIEVE_ACT_DISCARD:
		break;
	case SIEVE_ACT_REJECT:
		field_str(out, "reason", a->reason);
		field_bool(out, "extended", a->extended);
		break;
	case SIEVE_ACT_VACATION:
		field_str(out, "to", a->to);
		field_str(out, "from", a->from);
		field_str(out, "subject", a->subject);
		field_str(out, "handle", a->handle);
		buf_printf(out, ", \"seconds\": %llu",
			   (unsigned long long)a->seconds);
		break;
	case SIEVE_ACT_NOTIFY:
		field_str(out, "method", a->method);
		break;
	default:
		break;
	}
}

/* json_action - one action object */
static void json_action(struct buf *out, const struct sieve_action *a)
{
	buf_append_str(out, "{\"action\": ");
	sieve_json_string(out, a->def->name, strlen(a->def->name));
	if (a->def->json != NULL)
		a->def->json(out, a);
	else
		json_fields(out, a);
	buf_append_char(out, '}');
}

void sieve_json_result(struct buf *out, const struct sieve_result *r)
{
	const struct sieve_header_out *h;
	const struct sieve_action *a;
	const char *err = sieve_result_error(r);
	size_t n, i;
	int any = 0;

	buf_printf(out, "{\"status\": \"%s\"",
		   sieve_result_status(r) == SIEVE_OK ? "ok" : "runtime-error");
	if (err != NULL) {
		buf_append_str(out, ", \"errors\": [");
		sieve_json_string(out, err, strlen(err));
		buf_append_char(out, ']');
	}
	buf_append_str(out, ", \"actions\": [");
	for (a = sieve_result_actions(r); a != NULL; a = a->next) {
		if (a->def->flags & SIEVE_ACTF_SIDE_EFFECT)
			continue;
		if (any)
			buf_append_str(out, ", ");
		json_action(out, a);
		any = 1;
	}
	buf_append_char(out, ']');
	h = sieve_result_headers(r, &n);
	if (h != NULL && sieve_result_status(r) == SIEVE_OK) {
		buf_append_str(out, ", \"headers\": [");
		for (i = 0; i < n; i++) {
			if (i > 0)
				buf_append_str(out, ", ");
			buf_append_char(out, '[');
			sieve_json_string(out, h[i].name, strlen(h[i].name));
			buf_append_str(out, ", ");
			sieve_json_string(out, h[i].value, h[i].value_len);
			buf_append_char(out, ']');
		}
		buf_append_char(out, ']');
	}
	buf_append_str(out, "}\n");
}

void sieve_json_compile_error(struct buf *out, const struct sieve_diags *d)
{
	const struct sieve_diag *first = sieve_diags_first_error(d);
	const struct sieve_diag *g;
	int any = 0;

	buf_append_str(out, "{\"status\": \"compile-error\"");
	buf_printf(out, ", \"error_line\": %u",
		   first != NULL ? first->line : 0);
	buf_append_str(out, ", \"errors\": [");
	for (g = d->first; g != NULL; g = g->next) {
		if (g->warning)
			continue;
		if (any)
			buf_append_str(out, ", ");
		sieve_json_string(out, g->text, strlen(g->text));
		any = 1;
	}
	buf_append_str(out, "], \"actions\": []}\n");
}
