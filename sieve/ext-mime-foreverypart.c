/* ext-mime-foreverypart.c - foreverypart and break (RFC 5703 3).
 *
 *   foreverypart [":name" <name: string>] <block>
 *   break [":name" <name: string>]
 *
 * The loop runs its block once per MIME part, depth first, with the part
 * as the current one (header :mime, extracttext, body tests read it). At
 * the top it visits every part of the message, the message itself
 * first, as Pigeonhole does; nested in another loop it visits the parts
 * below the outer loop's current part. break ends the innermost loop, or
 * the enclosing loop of that :name; break outside a loop, or naming no
 * enclosing loop, is a compile error. Loops nest at most
 * SIEVE_MAX_FOREVERYPART_DEPTH deep (checked at compile time, and at run
 * time for loops reached through include).
 */
#include "auto-config.h"
#include "sieve/sieve-ext.h"

#include <string.h>

struct fep_run {
	unsigned depth;				/* loops running */
	const struct sieve_node *break_to;	/* the loop a break ends */
};

static const struct sieve_tag_def tag_name = {
	.name = "name",
	.n_params = 1,
	.params = { SIEVE_T_STRING },
};

/* fep_name - a loop's :name, or NULL */
static const struct sieve_string *fep_name(const struct sieve_node *loop)
{
	const struct sieve_tagval *tv = sieve_node_tag(loop, &tag_name);

	if (tv == NULL || tv->param[0] == NULL || tv->param[0]->n_strs == 0)
		return NULL;
	return &tv->param[0]->strs[0];
}

static int is_loop(const struct sieve_node *n)
{
	return !n->is_test && strcmp(n->name, "foreverypart") == 0;
}

/* fep_validate - the nesting limit */
static int fep_validate(struct sieve_valctx *v, struct sieve_node *node)
{
	unsigned depth = 1;

	for (const struct sieve_node *p = node->parent; p != NULL;
	     p = p->parent)
		if (is_loop(p))
			depth++;
	if (depth <= SIEVE_MAX_FOREVERYPART_DEPTH)
		return 0;
	sieve_valctx_error(v, node->line, node->col,
			   "the nested foreverypart loop exceeds the nesting "
			   "limit (max %u levels)", SIEVE_MAX_FOREVERYPART_DEPTH);
	return -1;
}

/* break_validate - find the loop it ends (node->data) */
static int break_validate(struct sieve_valctx *v, struct sieve_node *node)
{
	const struct sieve_tagval *tv = sieve_node_tag(node, &tag_name);
	const struct sieve_string *want = NULL;

	if (tv != NULL && tv->param[0] != NULL && tv->param[0]->n_strs > 0)
		want = &tv->param[0]->strs[0];
	for (struct sieve_node *p = node->parent; p != NULL; p = p->parent) {
		const struct sieve_string *name;

		if (!is_loop(p))
			continue;
		name = fep_name(p);
		if (want == NULL || (name != NULL && name->len == want->len &&
				     memcmp(name->data, want->data,
					    want->len) == 0)) {
			node->data = p;
			return 0;
		}
	}
	if (want == NULL)
		sieve_valctx_error(v, node->line, node->col,
				   "the break command is not placed inside "
				   "a foreverypart loop");
	else
		sieve_valctx_error(v, node->line, node->col,
				   "the break command is not placed inside "
				   "a foreverypart loop named '%s'",
				   want->data);
	return -1;
}

static struct fep_run *fep_state(struct sieve_run *run)
{
	struct fep_run *st = sieve_run_ext_get(run, &sieve_ext_foreverypart);

	if (st == NULL) {
		st = pool_alloc(sieve_run_pool(run), sizeof(*st));
		sieve_run_ext_set(run, &sieve_ext_foreverypart, st);
	}
	return st;
}

/* subtree_end - the part after cur's subtree in a depth-first walk */
static const struct msg_part *subtree_end(const struct msg_part *cur)
{
	for (; cur != NULL; cur = cur->parent)
		if (cur->next != NULL)
			return cur->next;
	return NULL;
}

/* fep_loop - the block for each part from first up to end */
static int fep_loop(struct sieve_run *run, const struct sieve_node *node,
		    struct fep_run *st, const struct msg_part *first,
		    const struct msg_part *end)
{
	int ret = SIEVE_EXEC_OK;

	for (const struct msg_part *p = first; p != NULL && p != end;
	     p = message_part_next(p)) {
		sieve_run_set_part(run, p);
		if (sieve_run_tracing(run))
			sieve_run_trace(run, node, "foreverypart: part %s",
					p->content_type != NULL ?
					p->content_type : "text/plain");
		ret = sieve_run_block(run, node->block);
		if (ret == SIEVE_EXEC_BREAK && st->break_to == node) {
			st->break_to = NULL;
			ret = SIEVE_EXEC_OK;
			break;
		}
		if (ret != SIEVE_EXEC_OK)
			break;
	}
	return ret;
}

/* fep_exec - run the block per part, then restore the current part */
static int fep_exec(struct sieve_run *run, const struct sieve_node *node)
{
	const struct sieve_message *msg = sieve_run_message(run);
	const struct msg_part *cur = sieve_run_part(run);
	struct fep_run *st = fep_state(run);
	const struct msg_part *first, *end;
	int ret;

	if (st->depth >= SIEVE_MAX_FOREVERYPART_DEPTH)
		return sieve_run_error(run, node, "foreverypart: loops nested "
				       "deeper than %u levels",
				       SIEVE_MAX_FOREVERYPART_DEPTH);
	if (msg->msg == NULL || msg->msg->root == NULL)
		return SIEVE_EXEC_OK;
	if (st->depth == 0) {
		/* the outermost loop: every part, the message first (the
		 * current part is the root here, or NULL) */
		first = msg->msg->root;
		end = NULL;
	} else {
		first = message_part_next(cur);
		end = subtree_end(cur);
	}
	st->depth++;
	ret = fep_loop(run, node, st, first, end);
	st->depth--;
	sieve_run_set_part(run, cur);
	return ret;
}

/* break_exec - unwind to the loop found at validation */
static int break_exec(struct sieve_run *run, const struct sieve_node *node)
{
	fep_state(run)->break_to = node->data;
	if (sieve_run_tracing(run))
		sieve_run_trace(run, node, "break");
	return SIEVE_EXEC_BREAK;
}

static const struct sieve_tag_def *const name_tags[] = { &tag_name, NULL };

static const struct sieve_cmd_def cmd_foreverypart = {
	.name = "foreverypart",
	.flags = SIEVE_CMD_F_BLOCK,
	.tags = name_tags,
	.validate = fep_validate,
	.exec = fep_exec,
};

static const struct sieve_cmd_def cmd_break = {
	.name = "break",
	.tags = name_tags,
	.validate = break_validate,
	.exec = break_exec,
};

static const struct sieve_cmd_def *const fep_commands[] = {
	&cmd_foreverypart, &cmd_break, NULL
};

const struct sieve_extension sieve_ext_foreverypart = {
	.name = "foreverypart",
	.commands = fep_commands,
};
