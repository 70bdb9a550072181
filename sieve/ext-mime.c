/* ext-mime.c - the mime extension (RFC 5703 4): MIME-aware header,
 * address and exists tests.
 *
 *   header  [":mime"] [":anychild"] [MIME-OPTS] [COMPARATOR] [MATCH-TYPE]
 *           <header-names> <key-list>
 *   address [":mime"] [":anychild"] ...   exists [":mime"] [":anychild"]
 *   MIME-OPTS = ":type" / ":subtype" / ":contenttype" /
 *               ":param" <param-list: string-list>
 *
 * :mime reads the header of the current MIME part (inside foreverypart;
 * outside it the top-level message); :anychild also reads every part
 * below it (outside foreverypart: every part of the message). The
 * MIME-OPTS (header test only) replace the value of a Content-Type or
 * Content-Disposition field by its type ("text"; the disposition token
 * for Content-Disposition), its subtype ("plain"; "" for a disposition),
 * both ("text/plain"), or the values of the named parameters (RFC 2231
 * decoded); any other field yields "". Errors as Pigeonhole: :anychild
 * or an option without :mime, an option on address or exists, two
 * options on one test.
 */
#include "auto-config.h"
#include "sieve/sieve-ext.h"

#include "lib/mime-param.h"

#include <string.h>
#include <strings.h>

enum mime_opt { MIME_NONE, MIME_TYPE, MIME_SUBTYPE, MIME_CONTENTTYPE,
		MIME_PARAM };

static const char *const mime_targets[] = { "header", "address", "exists",
					    NULL };

static int mime_extract(struct sieve_run *run, const struct sieve_node *node,
			const struct sieve_tagval *tv,
			struct sieve_extract *ex);
static int option_validate(struct sieve_valctx *v, struct sieve_node *node,
			   struct sieve_tagval *tv);
static int anychild_validate(struct sieve_valctx *v, struct sieve_node *node,
			     struct sieve_tagval *tv);

static const struct sieve_tag_def tag_mime = {
	.name = "mime",
	.targets = mime_targets,
	.on_extract = mime_extract,
};
static const struct sieve_tag_def tag_anychild = {
	.name = "anychild",
	.targets = mime_targets,
	.validate = anychild_validate,
};
static const struct sieve_tag_def tag_type = {
	.name = "type",
	.targets = mime_targets,
	.validate = option_validate,
};
static const struct sieve_tag_def tag_subtype = {
	.name = "subtype",
	.targets = mime_targets,
	.validate = option_validate,
};
static const struct sieve_tag_def tag_contenttype = {
	.name = "contenttype",
	.targets = mime_targets,
	.validate = option_validate,
};
static const struct sieve_tag_def tag_param = {
	.name = "param",
	.n_params = 1,
	.params = { SIEVE_T_STRLIST },
	.targets = mime_targets,
	.validate = option_validate,
};

/* anychild_validate - only with :mime */
static int anychild_validate(struct sieve_valctx *v, struct sieve_node *node,
			     struct sieve_tagval *tv)
{
	if (sieve_node_tag(node, &tag_mime) != NULL)
		return 0;
	sieve_valctx_error(v, tv->tag->line, tv->tag->col,
			   "the :anychild tag of the %s test needs the :mime "
			   "tag", node->name);
	return -1;
}

/* option_validate - with :mime, on header, one of them */
static int option_validate(struct sieve_valctx *v, struct sieve_node *node,
			   struct sieve_tagval *tv)
{
	const struct sieve_arg *first = NULL;
	const char *tag = tv->def->name;
	unsigned line = tv->tag->line, col = tv->tag->col;

	if (strcmp(node->name, "header") != 0) {
		sieve_valctx_error(v, line, col, "the :%s tag cannot be used "
				   "with the %s test", tag, node->name);
		return -1;
	}
	if (sieve_node_tag(node, &tag_mime) == NULL) {
		sieve_valctx_error(v, line, col, "the :%s tag of the %s test "
				   "needs the :mime tag", tag, node->name);
		return -1;
	}
	for (unsigned i = 0; i < node->n_tags; i++) {
		const struct sieve_tag_def *d = node->tags[i].def;

		if (d != &tag_type && d != &tag_subtype &&
		    d != &tag_contenttype && d != &tag_param)
			continue;
		if (first == NULL) {
			first = node->tags[i].tag;
		} else if (node->tags[i].tag == tv->tag) {
			sieve_valctx_error(v, line, col, "the :%s tag of the %s "
					   "test conflicts with an earlier MIME "
					   "option", tag, node->name);
			return -1;
		}
	}
	return 0;
}

struct mime_xform {
	enum mime_opt opt;
	struct sieve_str *params;
	size_t n_params;
};

/* emit_type - :type/:subtype/:contenttype of a parsed value */
static int emit_type(const struct mime_xform *x, int is_ctype,
		     const char *type,
		     int (*emit)(void *ectx, const char *v, size_t len),
		     void *ectx)
{
	const char *slash = strchr(type, '/');

	switch (x->opt) {
	case MIME_TYPE:
		return emit(ectx, type, slash != NULL && is_ctype ?
			    (size_t)(slash - type) : strlen(type));
	case MIME_SUBTYPE:
		if (slash == NULL || !is_ctype)
			return emit(ectx, "", 0);
		return emit(ectx, slash + 1, strlen(slash + 1));
	default:
		return emit(ectx, type, strlen(type));
	}
}

/* mime_transform - a Content-Type/-Disposition field's part or params */
static int mime_transform(struct sieve_run *run, void *ctx,
			  const struct msg_part *part,
			  const struct sieve_hdr *h,
			  int (*emit)(void *ectx, const char *v, size_t len),
			  void *ectx)
{
	const struct mime_xform *x = ctx;
	struct mime_value mv;
	int is_ctype = strcasecmp(h->name, "content-type") == 0;
	int found = 0, r;

	(void)part;
	if (!is_ctype && strcasecmp(h->name, "content-disposition") != 0)
		return emit(ectx, "", 0);
	mime_param_parse(sieve_run_pool(run), h->value, h->value_len, &mv);
	if (x->opt != MIME_PARAM)
		return emit_type(x, is_ctype, mv.type != NULL ? mv.type : "",
				 emit, ectx);
	for (size_t i = 0; i < x->n_params; i++) {
		for (size_t k = 0; k < mv.n_params; k++) {
			const struct mime_param *p = &mv.params[k];

			if (strlen(p->name) != x->params[i].len ||
			    strncasecmp(p->name, x->params[i].data,
					x->params[i].len) != 0)
				continue;
			found = 1;
			r = emit(ectx, p->value, p->value_len);
			if (r != 0)
				return r;
		}
	}
	return found ? 0 : emit(ectx, "", 0);
}

/* mime_extract - read the current part (and children); options */
static int mime_extract(struct sieve_run *run, const struct sieve_node *node,
			const struct sieve_tagval *tv, struct sieve_extract *ex)
{
	static const struct {
		const struct sieve_tag_def *tag;
		enum mime_opt opt;
	} opts[] = {
		{ &tag_type, MIME_TYPE }, { &tag_subtype, MIME_SUBTYPE },
		{ &tag_contenttype, MIME_CONTENTTYPE },
		{ &tag_param, MIME_PARAM },
	};
	const struct sieve_message *msg = sieve_run_message(run);

	(void)tv;
	ex->part = sieve_run_part(run);
	if (sieve_node_tag(node, &tag_anychild) != NULL) {
		ex->any_child = 1;
		if (ex->part == NULL && msg->msg != NULL)
			ex->part = msg->msg->root;
	}
	for (size_t i = 0; i < sizeof(opts) / sizeof(*opts); i++) {
		const struct sieve_tagval *o = sieve_node_tag(node,
							      opts[i].tag);
		struct mime_xform *x;

		if (o == NULL)
			continue;
		x = pool_alloc(sieve_run_pool(run), sizeof(*x));
		x->opt = opts[i].opt;
		if (x->opt == MIME_PARAM &&
		    sieve_run_arg_list(run, o->param[0], &x->params,
				       &x->n_params) < 0)
			return SIEVE_EXEC_ERROR;
		ex->transform = mime_transform;
		ex->transform_ctx = x;
		break;
	}
	return 0;
}

static const struct sieve_tag_def *const mime_tags[] = {
	&tag_mime, &tag_anychild, &tag_type, &tag_subtype, &tag_contenttype,
	&tag_param, NULL
};

const struct sieve_extension sieve_ext_mime = {
	.name = "mime",
	.tags = mime_tags,
};
