/* ext-enotify.c - notifications (RFC 5435) with the mailto method
 * (RFC 5436).
 *
 *   notify [:from string] [:importance <"1" / "2" / "3">]
 *          [:options string-list] [:message string] <method: string>
 *   valid_notify_method <notification-uris: string-list>
 *   notify_method_capability [COMPARATOR] [MATCH-TYPE]
 *          <notification-uri: string> <notification-capability: string>
 *          <key-list: string-list>
 *
 * mailto is the one method (RFC 5435 3.3: an unsupported method in a
 * constant URI is a compile error, at run time a runtime error). A
 * constant URI is parsed at validation (RFC 6068 syntax, recipients must
 * be addresses); no recipients is a warning, as Pigeonhole gives. The
 * notify action does not cancel the implicit keep; the same URI notified
 * twice is one notification (RFC 5435 3.9 lets duplicates collapse).
 * Sending is core/'s job (ext-enotify.h). The capability "online" of a
 * mailto URI is "maybe" (RFC 5436 2.2); other capabilities have no
 * value. The :encodeurl variables modifier (RFC 5435 6) waits for a
 * modifier hook in ext-variables.h (see /work/sieve-api-requests). */
#include "auto-config.h"
#include "sieve/sieve-ext.h"
#include "sieve/ext-enotify.h"
#include "sieve/ext-fcc.h"

#include "lib/ascii.h"

#include <string.h>
#include <strings.h>

/* header fields a mailto URI must not set (RFC 5436 2.7, RFC 6068 6) */
static const char *const mailto_unsafe[] = {
	"from", "sender", "received",
	"return-path", "auto-submitted", "message-id", "date",
	"delivered-to", "bcc", "mime-version", "content-type",
	"content-transfer-encoding", NULL
};

/* mailto_is_unsafe - name is a field the URI may not set */
static int mailto_is_unsafe(const char *name)
{
	size_t i;

	for (i = 0; mailto_unsafe[i] != NULL; i++)
		if (strcasecmp(name, mailto_unsafe[i]) == 0)
			return 1;
	return 0;
}

/* is_alpha, is_alnum - ASCII classes, locale-free */
static int is_alpha(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int is_alnum(char c)
{
	return is_alpha(c) || (c >= '0' && c <= '9');
}

/* pct_decode - s[0, len) with %XX decoded, NUL-terminated, from pool;
 * NULL for a bad escape or a NUL octet */
static char *pct_decode(struct pool *pool, const char *s, size_t len)
{
	char *out = pool_alloc(pool, len + 1);
	size_t i, o = 0;

	for (i = 0; i < len; i++) {
		int hi, lo;

		if (s[i] != '%') {
			if (s[i] == '\0')
				return NULL;
			out[o++] = s[i];
			continue;
		}
		if (i + 2 >= len)
			return NULL;
		hi = ascii_hex_value((unsigned char)s[i + 1]);
		lo = ascii_hex_value((unsigned char)s[i + 2]);
		if (hi < 0 || lo < 0 || (hi == 0 && lo == 0))
			return NULL;
		out[o++] = (char)(hi * 16 + lo);
		i += 2;
	}
	out[o] = '\0';
	return out;
}

/* mailto_addr_ok - one addr-spec (a display name tolerated) */
static int mailto_addr_ok(struct pool *pool, const char *s)
{
	const struct address *a;
	size_t n = 0;

	a = address_parse(pool, s, strlen(s), &n);
	return a != NULL && n == 1 &&
	       (a->flags & (ADDRESS_INVALID | ADDRESS_NO_DOMAIN |
			    ADDRESS_EMPTY_GROUP)) == 0 &&
	       *a->local != '\0' && *a->domain != '\0';
}

/* mailto_add_to - the comma-separated decoded list into m->to */
static int mailto_add_to(struct pool *pool, struct sieve_mailto *m,
			 size_t cap, const char *list)
{
	const char *p = list;

	while (*p != '\0') {
		const char *e = strchr(p, ',');
		size_t len = e != NULL ? (size_t)(e - p) : strlen(p);
		char *one;

		while (len > 0 && (*p == ' ' || *p == '\t'))
			p++, len--;
		while (len > 0 && (p[len - 1] == ' ' || p[len - 1] == '\t'))
			len--;
		if (len > 0) {
			one = pool_strndup(pool, p, len);
			if (!mailto_addr_ok(pool, one) || m->n_to >= cap)
				return -1;
			m->to[m->n_to++] = one;
		}
		if (e == NULL)
			break;
		p = e + 1;
	}
	return 0;
}

/* mailto_field_name_ok - RFC 5322 field-name */
static int mailto_field_name_ok(const char *s)
{
	if (*s == '\0')
		return 0;
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 33 || (unsigned char)*s > 126 ||
		    *s == ':')
			return 0;
	return 1;
}

/* mailto_hfield - one "name=value" of the query into m */
static int mailto_hfield(struct pool *pool, struct sieve_mailto *m,
			 size_t cap, const char *f, size_t len,
			 const char **error_r)
{
	const char *eq = memchr(f, '=', len);
	char *name, *value;

	if (eq == NULL) {
		*error_r = "header field without '='";
		return -1;
	}
	name = pct_decode(pool, f, (size_t)(eq - f));
	value = pct_decode(pool, eq + 1, len - (size_t)(eq - f) - 1);
	if (name == NULL || value == NULL) {
		*error_r = "invalid percent-encoding";
		return -1;
	}
	if (!mailto_field_name_ok(name)) {
		*error_r = "invalid header field name";
		return -1;
	}
	if (strcasecmp(name, "to") == 0 || strcasecmp(name, "cc") == 0) {
		if (mailto_add_to(pool, m, cap, value) < 0) {
			*error_r = "invalid recipient address";
			return -1;
		}
	} else if (strcasecmp(name, "subject") == 0) {
		m->subject = value;
	} else if (strcasecmp(name, "body") == 0) {
		m->body = value;
	} else if (mailto_is_unsafe(name)) {
		m->n_ignored++;
	} else if (m->n_headers < cap) {
		m->headers[m->n_headers].name = name;
		m->headers[m->n_headers].value = value;
		m->n_headers++;
	}
	return 0;
}

int sieve_mailto_parse(struct pool *pool, const char *uri, size_t len,
		       struct sieve_mailto *out, const char **error_r)
{
	const char *q, *end = uri + len, *p;
	size_t cap = 2, i;
	char *path;

	memset(out, 0, sizeof(*out));
	if (len < 7 || strncasecmp(uri, "mailto:", 7) != 0) {
		*error_r = "not a mailto URI";
		return -1;
	}
	for (i = 7; i < len; i++)
		if (uri[i] == ',' || uri[i] == '&')
			cap++;
	out->to = pool_alloc_array(pool, cap + 1, sizeof(*out->to));
	out->headers = pool_alloc_array(pool, cap, sizeof(*out->headers));
	p = uri + 7;
	q = memchr(p, '?', (size_t)(end - p));
	path = pct_decode(pool, p, (size_t)((q != NULL ? q : end) - p));
	if (path == NULL) {
		*error_r = "invalid percent-encoding";
		return -1;
	}
	if (mailto_add_to(pool, out, cap, path) < 0) {
		*error_r = "invalid recipient address";
		return -1;
	}
	for (p = q != NULL ? q + 1 : end; p < end;) {
		const char *amp = memchr(p, '&', (size_t)(end - p));
		const char *fe = amp != NULL ? amp : end;

		if (fe > p && mailto_hfield(pool, out, cap, p,
					    (size_t)(fe - p), error_r) < 0)
			return -1;
		p = fe + 1;
	}
	out->to[out->n_to] = NULL;
	return 0;
}

/* notify_scheme - the URI's scheme length (RFC 3986 3.1), 0 if none */
static size_t notify_scheme(const char *uri, size_t len)
{
	size_t i;

	if (len == 0 || !is_alpha(uri[0]))
		return 0;
	for (i = 1; i < len; i++) {
		if (uri[i] == ':')
			return i;
		if (!is_alnum(uri[i]) && uri[i] != '+' && uri[i] != '-' &&
		    uri[i] != '.')
			return 0;
	}
	return 0;
}

/* notify_check_uri - NULL when uri is a usable notification URI, else
 * why not (from pool); *n_to_r gets the recipient count */
static const char *notify_check_uri(struct pool *pool, const char *uri,
				    size_t len, size_t *n_to_r)
{
	struct sieve_mailto m;
	const char *why = NULL;
	size_t sl = notify_scheme(uri, len);

	*n_to_r = 0;
	if (sl == 0)
		return "invalid URI";
	if (sl != 6 || strncasecmp(uri, "mailto", 6) != 0)
		return pool_printf(pool, "invalid method '%.*s'", (int)sl, uri);
	if (memchr(uri, '\0', len) != NULL)
		return "mailto URI: NUL octet";
	if (sieve_mailto_parse(pool, uri, len, &m, &why) < 0)
		return pool_printf(pool, "mailto URI: %s", why);
	*n_to_r = m.n_to;
	return NULL;
}

static const struct sieve_tag_def tag_from = {
	.name = "from", .n_params = 1, .params = { SIEVE_T_STRING },
};
static const struct sieve_tag_def tag_importance = {
	.name = "importance", .n_params = 1, .params = { SIEVE_T_STRING },
};
static const struct sieve_tag_def tag_options = {
	.name = "options", .n_params = 1, .params = { SIEVE_T_STRLIST },
};
static const struct sieve_tag_def tag_message = {
	.name = "message", .n_params = 1, .params = { SIEVE_T_STRING },
};

/* notify_importance_ok - "1", "2" or "3" (RFC 5435 3.6) */
static int notify_importance_ok(const char *s, size_t len)
{
	return len == 1 && s[0] >= '1' && s[0] <= '3';
}

/* notify_option_ok - "name=value" (RFC 5435 3.7): name starts with an
 * alphanumeric, then alphanumerics, '-', '_' and '.'; the value has no
 * CR or LF */
static int notify_option_ok(const char *s, size_t len)
{
	size_t i;

	if (len == 0 || !is_alnum(s[0]))
		return 0;
	for (i = 1; i < len && s[i] != '='; i++)
		if (!is_alnum(s[i]) && s[i] != '-' && s[i] != '_' &&
		    s[i] != '.')
			return 0;
	if (i == len)
		return 0;
	for (; i < len; i++)
		if (s[i] == '\r' || s[i] == '\n' || s[i] == '\0')
			return 0;
	return 1;
}

/* notify_validate_tags - constant :importance, :options, :from */
static int notify_validate_tags(struct sieve_valctx *v,
				const struct sieve_node *node)
{
	const struct sieve_tagval *tv;
	size_t i;

	tv = sieve_node_tag(node, &tag_importance);
	if (tv != NULL && sieve_arg_is_constant(tv->param[0]) &&
	    !notify_importance_ok(tv->param[0]->strs[0].data,
				  tv->param[0]->strs[0].len)) {
		sieve_valctx_error(v, tv->tag->line, tv->tag->col,
				   "invalid :importance value for notify "
				   "command: %s", tv->param[0]->strs[0].data);
		return -1;
	}
	tv = sieve_node_tag(node, &tag_options);
	for (i = 0; tv != NULL && i < tv->param[0]->n_strs; i++) {
		const struct sieve_string *s = &tv->param[0]->strs[i];

		if (sieve_string_is_constant(s) &&
		    !notify_option_ok(s->data, s->len)) {
			sieve_valctx_error(v, s->line, s->col,
					   "notify command: invalid option "
					   "'%s' (expected name=value)",
					   s->data);
			return -1;
		}
	}
	tv = sieve_node_tag(node, &tag_from);
	if (tv != NULL && sieve_arg_is_constant(tv->param[0]) &&
	    !mailto_addr_ok(sieve_valctx_pool(v), tv->param[0]->strs[0].data)) {
		sieve_valctx_error(v, tv->tag->line, tv->tag->col,
				   "notify command: :from address '%s' is "
				   "invalid", tv->param[0]->strs[0].data);
		return -1;
	}
	return 0;
}

/* notify_validate - a constant method must be a usable mailto URI */
static int notify_validate(struct sieve_valctx *v, struct sieve_node *node)
{
	const struct sieve_string *s = &node->pos[0]->strs[0];
	const char *why;
	size_t n_to;

	if (notify_validate_tags(v, node) < 0)
		return -1;
	if (!sieve_string_is_constant(s))
		return 0;
	why = notify_check_uri(sieve_valctx_pool(v), s->data, s->len, &n_to);
	if (why != NULL) {
		sieve_valctx_error(v, s->line, s->col, "notify command: %s",
				   why);
		return -1;
	}
	if (n_to == 0)
		sieve_valctx_warning(v, s->line, s->col,
				     "notify command: mailto URI: "
				     "notification URI specifies no "
				     "recipients");
	return 0;
}

/* notify_duplicate - the same URI twice is one notification */
static int notify_duplicate(struct sieve_action *a,
			    const struct sieve_action *b)
{
	return a->method != NULL && b->method != NULL &&
	       strcmp(a->method, b->method) == 0;
}

/* notify_json - method, importance, and from/message/options if set */
static void notify_json(struct buf *out, const struct sieve_action *a)
{
	size_t i;

	buf_append_str(out, ",\"method\":");
	sieve_json_string(out, a->method, strlen(a->method));
	buf_append_str(out, ",\"importance\":");
	sieve_json_string(out, a->importance, strlen(a->importance));
	if (a->from != NULL) {
		buf_append_str(out, ",\"from\":");
		sieve_json_string(out, a->from, strlen(a->from));
	}
	if (a->message != NULL) {
		buf_append_str(out, ",\"message\":");
		sieve_json_string(out, a->message, strlen(a->message));
	}
	if (a->n_options > 0) {
		buf_append_str(out, ",\"options\":[");
		for (i = 0; i < a->n_options; i++) {
			if (i > 0)
				buf_append_char(out, ',');
			sieve_json_string(out, a->options[i],
					  strlen(a->options[i]));
		}
		buf_append_char(out, ']');
	}
	sieve_fcc_json(out, a);
}

static const struct sieve_action_def act_notify = {
	.name = "notify",
	.kind = SIEVE_ACT_NOTIFY,
	.flags = SIEVE_ACTF_SENDS,
	.duplicate = notify_duplicate,
	.json = notify_json,
};

/* notify_opt_str - node's tag def expanded into *out (NULL if absent) */
static int notify_opt_str(struct sieve_run *run, const struct sieve_node *node,
			  const struct sieve_tag_def *def, struct sieve_str *s,
			  const char **out)
{
	const struct sieve_tagval *tv = sieve_node_tag(node, def);

	*out = NULL;
	if (tv == NULL)
		return 0;
	if (sieve_run_arg_str(run, tv->param[0], s) < 0)
		return SIEVE_EXEC_ERROR;
	*out = sieve_run_cstr(run, s);
	return 0;
}

/* notify_options - :options into act, each checked */
static int notify_options(struct sieve_run *run, const struct sieve_node *node,
			  struct sieve_action *act)
{
	const struct sieve_tagval *tv = sieve_node_tag(node, &tag_options);
	struct sieve_str *items;
	size_t n, i;

	if (tv == NULL)
		return 0;
	if (sieve_run_arg_list(run, tv->param[0], &items, &n) < 0)
		return SIEVE_EXEC_ERROR;
	act->options = pool_alloc_array(sieve_run_pool(run), n + 1,
					sizeof(*act->options));
	for (i = 0; i < n; i++) {
		if (!notify_option_ok(items[i].data, items[i].len))
			return sieve_run_error(run, node, "notify action: "
					       "invalid option '%.*s'",
					       (int)items[i].len,
					       items[i].data);
		act->options[act->n_options++] = sieve_run_cstr(run,
								 &items[i]);
	}
	act->options[act->n_options] = NULL;
	return 0;
}

/* notify_exec - check the URI and add the notify action */
static int notify_exec(struct sieve_run *run, const struct sieve_node *node)
{
	struct sieve_action *act = sieve_action_new(run, &act_notify);
	struct sieve_str method, imp, tmp;
	const char *why;
	size_t n_to;

	if (sieve_run_arg_str(run, node->pos[0], &method) < 0 ||
	    notify_opt_str(run, node, &tag_importance, &imp,
			   &act->importance) < 0 ||
	    notify_opt_str(run, node, &tag_from, &tmp, &act->from) < 0 ||
	    notify_opt_str(run, node, &tag_message, &tmp, &act->message) < 0 ||
	    notify_options(run, node, act) < 0)
		return SIEVE_EXEC_ERROR;
	why = notify_check_uri(sieve_run_pool(run), method.data, method.len,
			       &n_to);
	if (why != NULL)
		return sieve_run_error(run, node, "notify action: %s", why);
	if (act->importance == NULL)
		act->importance = "2";
	else if (!notify_importance_ok(imp.data, imp.len))
		return sieve_run_error(run, node, "notify action: invalid "
				       ":importance value '%s'",
				       act->importance);
	if (act->from != NULL &&
	    !mailto_addr_ok(sieve_run_pool(run), act->from))
		return sieve_run_error(run, node, "notify action: :from "
				       "address '%s' is invalid", act->from);
	act->method = sieve_run_cstr(run, &method);
	if (sieve_run_tracing(run))
		sieve_run_trace(run, node, "notify \"%s\" (%zu recipient%s)",
				act->method, n_to, n_to == 1 ? "" : "s");
	return sieve_run_add_action(run, node, act);
}

/* valid_notify_method_exec - every URI is usable (RFC 5435 5) */
static int valid_notify_method_exec(struct sieve_run *run,
				    const struct sieve_node *node)
{
	struct sieve_str *uris;
	size_t n, i, n_to;

	if (sieve_run_arg_list(run, node->pos[0], &uris, &n) < 0)
		return SIEVE_EXEC_ERROR;
	if (n == 0)
		return 0;
	for (i = 0; i < n; i++)
		if (notify_check_uri(sieve_run_pool(run), uris[i].data,
				     uris[i].len, &n_to) != NULL)
			return 0;
	return 1;
}

/* notify_method_capability_exec - RFC 5435 4: a usable URI's
 * capability value ("online": "maybe" for mailto) against the keys */
static int notify_method_capability_exec(struct sieve_run *run,
					 const struct sieve_node *node)
{
	struct sieve_str uri, cap;
	struct sieve_match m;
	size_t n_to;
	int ret = 0;

	if (sieve_run_arg_str(run, node->pos[0], &uri) < 0 ||
	    sieve_run_arg_str(run, node->pos[1], &cap) < 0 ||
	    sieve_match_begin(&m, run, node, node->pos[2]) < 0)
		return SIEVE_EXEC_ERROR;
	if (notify_check_uri(sieve_run_pool(run), uri.data, uri.len,
			     &n_to) == NULL &&
	    cap.len == 6 && strncasecmp(cap.data, "online", 6) == 0)
		ret = sieve_match_value(&m, "maybe", 5);
	if (ret < 0)
		return SIEVE_EXEC_ERROR;
	return sieve_match_end(&m);
}

static const struct sieve_tag_def *const notify_tags[] = {
	&tag_from, &tag_importance, &tag_options, &tag_message, NULL
};

static const struct sieve_cmd_def cmd_notify = {
	.name = "notify",
	.min_pos = 1,
	.n_pos = 1,
	.pos = { SIEVE_T_STRING },
	.tags = notify_tags,
	.validate = notify_validate,
	.exec = notify_exec,
};

static const struct sieve_cmd_def tst_valid_notify_method = {
	.name = "valid_notify_method",
	.is_test = 1,
	.min_pos = 1,
	.n_pos = 1,
	.pos = { SIEVE_T_STRLIST },
	.exec = valid_notify_method_exec,
};

static const struct sieve_cmd_def tst_notify_method_capability = {
	.name = "notify_method_capability",
	.is_test = 1,
	.flags = SIEVE_CMD_F_MATCH,
	.min_pos = 3,
	.n_pos = 3,
	.pos = { SIEVE_T_STRING, SIEVE_T_STRING, SIEVE_T_STRLIST },
	.exec = notify_method_capability_exec,
};

static const struct sieve_cmd_def *const enotify_commands[] = {
	&cmd_notify, &tst_valid_notify_method, &tst_notify_method_capability,
	NULL
};

const struct sieve_extension sieve_ext_enotify = {
	.name = "enotify",
	.commands = enotify_commands,
};
