/* ext-copy.c - copy (RFC 3894): ":copy" on fileinto and redirect.
 *
 * The tagged command still stores or redirects the message, but it does
 * not cancel the implicit keep (RFC 3894 section 3): the result's
 * reconciliation reads act->copy. Repeats of the same fileinto/redirect
 * with and without :copy collapse into one action whose copy flag is
 * cleared (the core's duplicate rule), as Pigeonhole does. */
#include "auto-config.h"
#include "sieve/sieve-ext.h"

/* copy_on_action - the action being added keeps the implicit keep */
static int copy_on_action(struct sieve_run *run, const struct sieve_node *node,
			  const struct sieve_tagval *tv,
			  struct sieve_action *act)
{
	(void)run;
	(void)node;
	(void)tv;
	act->copy = 1;
	return 0;
}

static const char *const copy_targets[] = { "fileinto", "redirect", NULL };

static const struct sieve_tag_def tag_copy = {
	.name = "copy",
	.targets = copy_targets,
	.on_action = copy_on_action,
};

static const struct sieve_tag_def *const copy_tags[] = { &tag_copy, NULL };

const struct sieve_extension sieve_ext_copy = {
	.name = "copy",
	.tags = copy_tags,
};
