/* ext-duplicate.c - the duplicate test (RFC 7352).
 *
 *   duplicate [:handle string] [:header string / :uniqueid string]
 *             [:seconds number] [:last]
 *
 * True when the message's unique id was seen before under the same
 * handle within the period. The id is :uniqueid's value, else the first
 * field named by :header, else the Message-ID (RFC 7352 3.1); without
 * one (field absent or empty) the test is false and nothing is tracked.
 * The period is :seconds held to sieve_duplicate_max_period, else
 * sieve_duplicate_default_period (Pigeonhole's keys, 12h and 2d).
 *
 * The check is the host's duplicate_check callback (dry run: never
 * seen). Recording is the delivery's job after success (RFC 7352 3.1:
 * "only when the message is delivered successfully"): the test adds a
 * mark to the result (ext-duplicate.h) when the id was not seen, or
 * always with :last (the period then runs from the latest sighting). */
#include "auto-config.h"
#include "sieve/sieve-ext.h"
#include "sieve/ext-duplicate.h"

#include "lib/config.h"

#include <string.h>

#define DUP_DEFAULT_PERIOD (12 * 3600ULL)
#define DUP_MAX_PERIOD (2 * 86400ULL)

static const struct sieve_tag_def tag_handle = {
	.name = "handle", .n_params = 1, .params = { SIEVE_T_STRING },
};
static const struct sieve_tag_def tag_header = {
	.name = "header", .n_params = 1, .params = { SIEVE_T_STRING },
};
static const struct sieve_tag_def tag_uniqueid = {
	.name = "uniqueid", .n_params = 1, .params = { SIEVE_T_STRING },
};
static const struct sieve_tag_def tag_seconds = {
	.name = "seconds", .n_params = 1, .params = { SIEVE_T_NUMBER },
};
static const struct sieve_tag_def tag_last = {
	.name = "last",
};

/* dup_field_name_ok - RFC 5322 2.2 field-name: printable ASCII but ':' */
static int dup_field_name_ok(const char *s, size_t len)
{
	size_t i;

	if (len == 0)
		return 0;
	for (i = 0; i < len; i++)
		if ((unsigned char)s[i] < 33 || (unsigned char)s[i] > 126 ||
		    s[i] == ':')
			return 0;
	return 1;
}

/* duplicate_validate - :header xor :uniqueid; a constant header name
 * must be a field name (prepared for lookups in node->data) */
static int duplicate_validate(struct sieve_valctx *v, struct sieve_node *node)
{
	const struct sieve_tagval *hdr = sieve_node_tag(node, &tag_header);
	const struct sieve_tagval *uid = sieve_node_tag(node, &tag_uniqueid);
	const struct sieve_string *s;
	struct sieve_hname *hn;

	if (hdr != NULL && uid != NULL) {
		sieve_valctx_error(v, node->line, node->col,
				   "conflicting :header and :uniqueid "
				   "arguments specified for the duplicate "
				   "test");
		return -1;
	}
	if (hdr == NULL)
		return 0;
	s = &hdr->param[0]->strs[0];
	if (!sieve_string_is_constant(s))
		return 0;
	if (!dup_field_name_ok(s->data, s->len)) {
		sieve_valctx_error(v, s->line, s->col,
				   "duplicate test: specified header field "
				   "name '%s' is invalid", s->data);
		return -1;
	}
	hn = pool_alloc(sieve_valctx_pool(v), sizeof(*hn));
	sieve_hname_init(hn, sieve_valctx_pool(v), s->data, s->len);
	node->data = hn;
	return 0;
}

struct dup_first {
	struct sieve_run *run;
	const char *v;
	size_t len;
};

/* dup_first_value - keep the first field value, trimmed; stop */
static int dup_first_value(void *ctx, const char *v, size_t len)
{
	struct dup_first *f = ctx;

	while (len > 0 && (*v == ' ' || *v == '\t'))
		v++, len--;
	while (len > 0 && (v[len - 1] == ' ' || v[len - 1] == '\t'))
		len--;
	f->v = pool_strndup(sieve_run_pool(f->run), v, len);
	f->len = len;
	return 1;
}

/* dup_header_id - the first value of the field named by :header (or
 * Message-ID) into *id; 0 (maybe none), or SIEVE_EXEC_ERROR */
static int dup_header_id(struct sieve_run *run, const struct sieve_node *node,
			 const struct sieve_tagval *hdr, struct sieve_str *id)
{
	struct sieve_hname local;
	const struct sieve_hname *hn = node->data;
	struct dup_first f = { run, NULL, 0 };

	if (hdr == NULL || hn == NULL) {
		struct sieve_str name = { "message-id", 10 };

		if (hdr != NULL) {
			if (sieve_run_arg_str(run, hdr->param[0], &name) < 0)
				return SIEVE_EXEC_ERROR;
			if (!dup_field_name_ok(name.data, name.len))
				return sieve_run_error(run, node,
					"duplicate test: specified header "
					"field name '%.*s' is invalid",
					(int)name.len, name.data);
		}
		sieve_hname_init(&local, sieve_run_pool(run), name.data,
				 name.len);
		hn = &local;
	}
	if (sieve_msg_header_values(run, NULL, hn, 0, dup_first_value,
				    &f) < 0)
		return SIEVE_EXEC_ERROR;
	if (f.v == NULL && hdr == NULL) {
		const struct sieve_message *msg = sieve_run_message(run);

		if (msg != NULL && msg->id != NULL) {
			f.v = msg->id;
			f.len = strlen(msg->id);
		}
	}
	id->data = f.v;
	id->len = f.len;
	return 0;
}

/* dup_period - :seconds held to the maximum, or the default period */
static uint64_t dup_period(struct sieve_run *run,
			   const struct sieve_node *node)
{
	const struct config *cfg = sieve_run_config(run);
	const struct sieve_tagval *secs = sieve_node_tag(node, &tag_seconds);
	uint64_t def = DUP_DEFAULT_PERIOD, max = DUP_MAX_PERIOD, n;

	if (cfg != NULL) {
		def = config_time(cfg, "sieve_duplicate_default_period");
		max = config_time(cfg, "sieve_duplicate_max_period");
	}
	n = secs != NULL ? secs->param[0]->number : def;
	if (max > 0 && n > max)
		n = max;
	return n;
}

/* dup_mark_duplicate - the same handle and id: keep one mark (the
 * longer period, :last if either asked) */
static int dup_mark_duplicate(struct sieve_action *a,
			      const struct sieve_action *b)
{
	struct sieve_duplicate_mark *ma = a->data;
	const struct sieve_duplicate_mark *mb = b->data;

	if (strcmp(ma->handle, mb->handle) != 0 || ma->id_len != mb->id_len ||
	    memcmp(ma->id, mb->id, ma->id_len) != 0)
		return 0;
	if (mb->seconds > ma->seconds)
		ma->seconds = a->seconds = mb->seconds;
	ma->last |= mb->last;
	return 1;
}

/* dup_mark_json - the mark's fields (only seen while sieve-json.c lists
 * bookkeeping actions) */
static void dup_mark_json(struct buf *out, const struct sieve_action *a)
{
	const struct sieve_duplicate_mark *m = a->data;

	buf_append_str(out, ",\"handle\":");
	sieve_json_string(out, m->handle, strlen(m->handle));
	buf_append_str(out, ",\"id\":");
	sieve_json_string(out, m->id, m->id_len);
	buf_printf(out, ",\"seconds\":%llu,\"last\":%s",
		   (unsigned long long)m->seconds, m->last ? "true" : "false");
}

const struct sieve_action_def sieve_act_duplicate_mark = {
	.name = "duplicate",
	.kind = SIEVE_ACT_OTHER,
	.flags = 0,
	.duplicate = dup_mark_duplicate,
	.json = dup_mark_json,
};

/* dup_add_mark - record (handle, id, period) for after delivery */
static int dup_add_mark(struct sieve_run *run, const struct sieve_node *node,
			const char *handle, const struct sieve_str *id,
			uint64_t period, int last)
{
	struct sieve_action *act = sieve_action_new(run,
						    &sieve_act_duplicate_mark);
	struct sieve_duplicate_mark *m = pool_alloc(sieve_run_pool(run),
						    sizeof(*m));

	m->handle = handle;
	m->id = id->data;
	m->id_len = id->len;
	m->seconds = period;
	m->last = last;
	act->handle = handle;
	act->message = id->data;
	act->seconds = period;
	act->data = m;
	return sieve_run_add_action(run, node, act);
}

/* duplicate_exec - was this id seen under this handle within the
 * period? */
static int duplicate_exec(struct sieve_run *run, const struct sieve_node *node)
{
	const struct sieve_tagval *hdr = sieve_node_tag(node, &tag_header);
	const struct sieve_tagval *uid = sieve_node_tag(node, &tag_uniqueid);
	const struct sieve_tagval *htv = sieve_node_tag(node, &tag_handle);
	const struct sieve_host *host = sieve_run_host(run);
	int last = sieve_node_tag(node, &tag_last) != NULL;
	struct sieve_str id = { NULL, 0 }, hs = { "", 0 };
	const char *handle;
	uint64_t period;
	struct sl_err err = { 0 };
	int seen = 0;

	if (htv != NULL && sieve_run_arg_str(run, htv->param[0], &hs) < 0)
		return SIEVE_EXEC_ERROR;
	if (uid != NULL) {
		if (sieve_run_arg_str(run, uid->param[0], &id) < 0)
			return SIEVE_EXEC_ERROR;
		id.data = sieve_run_cstr(run, &id);
	} else if (dup_header_id(run, node, hdr, &id) < 0) {
		return SIEVE_EXEC_ERROR;
	}
	if (id.data == NULL || id.len == 0) {
		if (sieve_run_tracing(run))
			sieve_run_trace(run, node, "duplicate: no unique id");
		return 0;
	}
	handle = sieve_run_cstr(run, &hs);
	period = dup_period(run, node);
	if (host->duplicate_check != NULL) {
		seen = host->duplicate_check(host->ctx, handle, id.data,
					     period, &err);
		if (seen < 0)
			return sieve_run_temp_error(run, node,
				"duplicate test: %s",
				err.text[0] != '\0' ? err.text :
				"tracking database failed");
	}
	if (sieve_run_tracing(run))
		sieve_run_trace(run, node, "duplicate id \"%.*s\" handle "
				"\"%s\": %s", (int)id.len, id.data, handle,
				seen ? "seen" : "new");
	if ((!seen || last) &&
	    dup_add_mark(run, node, handle, &id, period, last) < 0)
		return SIEVE_EXEC_ERROR;
	return seen ? 1 : 0;
}

static const struct sieve_tag_def *const duplicate_tags[] = {
	&tag_handle, &tag_header, &tag_uniqueid, &tag_seconds, &tag_last,
	NULL
};

static const struct sieve_cmd_def tst_duplicate = {
	.name = "duplicate",
	.is_test = 1,
	.tags = duplicate_tags,
	.validate = duplicate_validate,
	.exec = duplicate_exec,
};

static const struct sieve_cmd_def *const duplicate_commands[] = {
	&tst_duplicate, NULL
};

const struct sieve_extension sieve_ext_duplicate = {
	.name = "duplicate",
	.commands = duplicate_commands,
};
