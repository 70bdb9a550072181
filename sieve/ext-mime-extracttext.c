/* ext-mime-extracttext.c - extracttext (RFC 5703 7).
 *
 *   extracttext [MODIFIER...] [":first" <number>] <varname: string>
 *
 * Sets the variable to the content of the current MIME part of the
 * enclosing foreverypart loop, as Pigeonhole does: a leaf's body with
 * its transfer encoding undone, text/ANY converted to UTF-8 and HTML
 * reduced to its text (as body :text); a multipart or message/rfc822
 * part gives "". :first N keeps the first N octets (as Pigeonhole; a
 * character is never split). The
 * modifiers are those of "set" (RFC 5229 4.1: :lower :upper
 * :lowerfirst :upperfirst :quotewildcard :length), applied by
 * precedence. Compile errors as Pigeonhole: the extension needs
 * variables and foreverypart, and the command must be inside a
 * foreverypart loop.
 */
#include "auto-config.h"
#include "sieve/sieve-ext.h"
#include "sieve/ext-body.h"
#include "sieve/ext-variables.h"

#include "lib/utf8.h"

#include <stdint.h>
#include <string.h>

enum xt_mod {
	XT_LOWER = 0x01, XT_UPPER = 0x02, XT_LOWERFIRST = 0x04,
	XT_UPPERFIRST = 0x08, XT_QUOTEWILDCARD = 0x10, XT_LENGTH = 0x20,
};

struct xt_data {
	const struct ext_var_ref *var;
	unsigned mods;
	uint64_t first;		/* 0: all */
};

static const struct sieve_tag_def tag_lower = { .name = "lower" };
static const struct sieve_tag_def tag_upper = { .name = "upper" };
static const struct sieve_tag_def tag_lowerfirst = { .name = "lowerfirst" };
static const struct sieve_tag_def tag_upperfirst = { .name = "upperfirst" };
static const struct sieve_tag_def tag_quotewildcard = {
	.name = "quotewildcard"
};
static const struct sieve_tag_def tag_length = { .name = "length" };
static const struct sieve_tag_def tag_first = {
	.name = "first",
	.n_params = 1,
	.params = { SIEVE_T_NUMBER },
};

static const struct {
	const struct sieve_tag_def *tag;
	unsigned mod;
	unsigned precedence;
} xt_mods[] = {
	{ &tag_lower, XT_LOWER, 40 }, { &tag_upper, XT_UPPER, 40 },
	{ &tag_lowerfirst, XT_LOWERFIRST, 30 },
	{ &tag_upperfirst, XT_UPPERFIRST, 30 },
	{ &tag_quotewildcard, XT_QUOTEWILDCARD, 20 },
	{ &tag_length, XT_LENGTH, 10 },
};

/* xt_in_loop - is node inside a foreverypart block */
static int xt_in_loop(const struct sieve_node *node)
{
	for (const struct sieve_node *p = node->parent; p != NULL;
	     p = p->parent)
		if (!p->is_test && strcmp(p->name, "foreverypart") == 0)
			return 1;
	return 0;
}

/* xt_mods_of - the modifier set; two of one precedence is an error */
static int xt_mods_of(struct sieve_valctx *v, const struct sieve_node *node,
		      unsigned *mods_r)
{
	unsigned seen[50] = { 0 };

	*mods_r = 0;
	for (unsigned i = 0; i < node->n_tags; i++) {
		for (size_t k = 0; k < sizeof(xt_mods) / sizeof(*xt_mods);
		     k++) {
			if (node->tags[i].def != xt_mods[k].tag)
				continue;
			if (seen[xt_mods[k].precedence]++ > 0) {
				sieve_valctx_error(v, node->tags[i].tag->line,
						   node->tags[i].tag->col,
						   "extracttext: modifiers of "
						   "equal precedence given");
				return -1;
			}
			*mods_r |= xt_mods[k].mod;
		}
	}
	return 0;
}

/* xt_validate - the variable, the loop, :first */
static int xt_validate(struct sieve_valctx *v, struct sieve_node *node)
{
	struct xt_data *d = pool_alloc(sieve_valctx_pool(v), sizeof(*d));
	const struct sieve_tagval *first = sieve_node_tag(node, &tag_first);

	if (!xt_in_loop(node)) {
		sieve_valctx_error(v, node->line, node->col,
				   "the extracttext command is not placed "
				   "inside a foreverypart loop");
		return -1;
	}
	if (xt_mods_of(v, node, &d->mods) < 0)
		return -1;
	if (first != NULL && first->param[0] != NULL)
		d->first = first->param[0]->number;
	d->var = ext_variables_ref_compile(v, &node->pos[0]->strs[0]);
	if (d->var == NULL)
		return -1;
	node->data = d;
	return 0;
}

/* xt_validate_end - variables and foreverypart are required with it */
static int xt_validate_end(struct sieve_valctx *v,
			   const struct sieve_extension *ext)
{
	unsigned line = sieve_valctx_require_line(v, ext);
	int ret = 0;

	if (!sieve_valctx_loaded(v, &sieve_ext_variables)) {
		sieve_valctx_error(v, line, 0, "the extracttext extension cannot "
				   "be used without the variables extension");
		ret = -1;
	}
	if (!sieve_valctx_loaded(v, &sieve_ext_foreverypart)) {
		sieve_valctx_error(v, line, 0, "the extracttext extension cannot "
				   "be used without the foreverypart "
				   "extension");
		ret = -1;
	}
	return ret;
}

/* xt_char_len - the bytes of the character at s: a valid UTF-8
 * sequence, else one byte (a stray byte counts as one character, as
 * Dovecot's uni_utf8_strlen) */
static size_t xt_char_len(const char *s, size_t len)
{
	uint32_t cp;
	size_t n = utf8_next((const unsigned char *)s, len, &cp);

	return n > 0 ? n : 1;
}

/* xt_case - ASCII case of the whole (first) or the first character */
static void xt_case(struct buf *b, int upper, int first_only)
{
	for (size_t i = 0; i < b->len; i++) {
		char c = b->data[i];

		if (upper && c >= 'a' && c <= 'z')
			b->data[i] = (char)(c - 'a' + 'A');
		else if (!upper && c >= 'A' && c <= 'Z')
			b->data[i] = (char)(c - 'A' + 'a');
		if (first_only)
			break;
	}
}

/* xt_apply - the modifiers, by decreasing precedence */
static void xt_apply(unsigned mods, struct buf *b)
{
	if (mods & (XT_LOWER | XT_UPPER))
		xt_case(b, (mods & XT_UPPER) != 0, 0);
	if (mods & (XT_LOWERFIRST | XT_UPPERFIRST))
		xt_case(b, (mods & XT_UPPERFIRST) != 0, 1);
	if (mods & XT_QUOTEWILDCARD) {
		struct buf q = BUF_INIT;

		for (size_t i = 0; i < b->len; i++) {
			if (b->data[i] == '*' || b->data[i] == '?' ||
			    b->data[i] == '\\')
				buf_append_char(&q, '\\');
			buf_append_char(&q, b->data[i]);
		}
		buf_free(b);
		*b = q;
	}
	if (mods & XT_LENGTH) {
		size_t n = 0;

		for (size_t i = 0; i < b->len; n++)
			i += xt_char_len(b->data + i, b->len - i);
		buf_reset(b);
		buf_printf(b, "%zu", n);
	}
}

/* xt_cut - keep at most max bytes (:first counts octets, as
 * Pigeonhole; the variable size limit too), never splitting a character */
static void xt_cut(struct buf *b, uint64_t max)
{
	size_t i = 0;

	while (i < b->len) {
		size_t l = xt_char_len(b->data + i, b->len - i);

		if (i + l > max)
			break;
		i += l;
	}
	buf_truncate(b, i);
}

/* xt_exec - the current part's text into the variable */
static int xt_exec(struct sieve_run *run, const struct sieve_node *node)
{
	const struct xt_data *d = node->data;
	const struct msg_part *part = sieve_run_part(run);
	struct buf b = BUF_INIT;
	int ret = 0;

	if (part == NULL) {
		const struct sieve_message *msg = sieve_run_message(run);

		part = msg->msg != NULL ? msg->msg->root : NULL;
	}
	if (part != NULL && sieve_body_present(part) &&
	    (part->kind == MSG_PART_LEAF || part->children == NULL))
		ret = sieve_body_part_text(run, node, part, 1,
					   SIEVE_MAX_BODY_SIZE, &b);
	if (ret == 0) {
		xt_cut(&b, d->first > 0 && d->first < SIEVE_MAX_VARIABLE_SIZE ?
		       d->first : SIEVE_MAX_VARIABLE_SIZE);
		xt_apply(d->mods, &b);
		if (sieve_run_tracing(run))
			sieve_run_trace(run, node, "extracttext: %zu bytes into "
					"\"%s\"", b.len,
					ext_variables_ref_name(d->var));
		ret = ext_variables_ref_set(run, d->var, b.data != NULL ?
					    b.data : "", b.len);
	}
	buf_free(&b);
	return ret < 0 ? SIEVE_EXEC_ERROR : SIEVE_EXEC_OK;
}

static const struct sieve_tag_def *const xt_tags[] = {
	&tag_lower, &tag_upper, &tag_lowerfirst, &tag_upperfirst,
	&tag_quotewildcard, &tag_length, &tag_first, NULL
};

static const struct sieve_cmd_def cmd_extracttext = {
	.name = "extracttext",
	.min_pos = 1,
	.n_pos = 1,
	.pos = { SIEVE_T_STRING },
	.tags = xt_tags,
	.validate = xt_validate,
	.exec = xt_exec,
};

static const struct sieve_cmd_def *const xt_commands[] = {
	&cmd_extracttext, NULL
};

const struct sieve_extension sieve_ext_extracttext = {
	.name = "extracttext",
	.commands = xt_commands,
	.validate_end = xt_validate_end,
};
