/* sieve-result.c - the action list and its reconciliation (RFC 5228
 * 2.10).
 *
 * Actions are appended in the order the script performs them. A repeat
 * with the same effect (keep twice, fileinto the same folder, keep and
 * fileinto "INBOX", redirect to the same address, discard twice)
 * collapses into the first occurrence (2.10.3), taking the later flag
 * list (RFC 5232 2). Every action whose
 * definition says so cancels the implicit keep unless it carries :copy;
 * conflicts (reject with fileinto...) are the definitions' own rules
 * and make a runtime error. The implicit keep, unless cancelled, comes
 * last. After a runtime error the result is the implicit keep alone, so
 * the message is never lost. */
#include "auto-config.h"
#include "sieve/sieve-private.h"

#include <string.h>
#include <strings.h>

struct sieve_result {
	struct pool *pool;
	struct sieve_action *first, *last;
	unsigned n_actions, n_redirects;
	int keep_cancelled;
	struct sieve_action *implicit_keep;	/* candidate, from the last
						   execution */
	enum sieve_status status;
	const char *error;
	int finished;
	struct sieve_header_out *headers;
	size_t n_headers;
	int headers_set;
};

struct sieve_result *sieve_result_new(struct pool *pool)
{
	struct sieve_result *r = pool_alloc(pool, sizeof(*r));

	r->pool = pool;
	return r;
}

struct pool *sieve_result_pool(struct sieve_result *r)
{
	return r->pool;
}

/* mailbox_is_inbox - NULL (keep) or "INBOX" in any case */
static int mailbox_same(const char *a, const char *b)
{
	if (a == NULL)
		a = "INBOX";
	if (b == NULL)
		b = "INBOX";
	if (strcasecmp(a, "INBOX") == 0 && strcasecmp(b, "INBOX") == 0)
		return 1;
	return strcmp(a, b) == 0;
}

/* store_duplicate - keep/fileinto into the same folder */
static int store_duplicate(struct sieve_action *a,
			   const struct sieve_action *b)
{
	if (!mailbox_same(a->mailbox, b->mailbox))
		return 0;
	a->copy = a->copy && b->copy;
	a->create = a->create || b->create;
	return 1;
}

/* same_address - local parts exact, domains in any case (RFC 5321
 * 2.4) */
static int same_address(const char *a, const char *b)
{
	const char *at_a = strrchr(a, '@'), *at_b = strrchr(b, '@');

	if (at_a == NULL || at_b == NULL)
		return strcmp(a, b) == 0;
	return at_a - a == at_b - b && memcmp(a, b, (size_t)(at_a - a)) == 0 &&
	       strcasecmp(at_a, at_b) == 0;
}

static int redirect_duplicate(struct sieve_action *a,
			      const struct sieve_action *b)
{
	if (!same_address(a->address, b->address))
		return 0;
	a->copy = a->copy && b->copy;
	return 1;
}

static int discard_duplicate(struct sieve_action *a,
			     const struct sieve_action *b)
{
	(void)a;
	(void)b;
	return 1;
}

const struct sieve_action_def sieve_act_keep = {
	.name = "keep",
	.kind = SIEVE_ACT_KEEP,
	.flags = SIEVE_ACTF_CANCELS_KEEP | SIEVE_ACTF_STORES,
	.duplicate = store_duplicate,
};

const struct sieve_action_def sieve_act_fileinto = {
	.name = "fileinto",
	.kind = SIEVE_ACT_FILEINTO,
	.flags = SIEVE_ACTF_CANCELS_KEEP | SIEVE_ACTF_STORES,
	.duplicate = store_duplicate,
};

const struct sieve_action_def sieve_act_redirect = {
	.name = "redirect",
	.kind = SIEVE_ACT_REDIRECT,
	.flags = SIEVE_ACTF_CANCELS_KEEP | SIEVE_ACTF_SENDS,
	.duplicate = redirect_duplicate,
};

const struct sieve_action_def sieve_act_discard = {
	.name = "discard",
	.kind = SIEVE_ACT_DISCARD,
	.flags = SIEVE_ACTF_CANCELS_KEEP,
	.duplicate = discard_duplicate,
};

/* find_duplicate - the earlier action act repeats, or NULL */
static struct sieve_action *find_duplicate(struct sieve_result *r,
					   const struct sieve_action *act)
{
	struct sieve_action *a;

	for (a = r->first; a != NULL; a = a->next) {
		int same = a->def == act->def ||
			   (a->def->flags & act->def->flags &
			    SIEVE_ACTF_STORES);

		if (same && a->def->duplicate != NULL &&
		    a->def->duplicate(a, act)) {
			/* RFC 5232 2: the last flag list wins */
			a->flags = act->flags;
			a->n_flags = act->n_flags;
			return a;
		}
	}
	return NULL;
}

/* find_conflict - the error text of a conflict with an earlier action */
static const char *find_conflict(struct sieve_result *r,
				 const struct sieve_action *act)
{
	const struct sieve_action *a;
	const char *e;

	for (a = r->first; a != NULL; a = a->next) {
		if (a->def->conflict != NULL &&
		    (e = a->def->conflict(r->pool, a, act)) != NULL)
			return e;
		if (act->def->conflict != NULL &&
		    (e = act->def->conflict(r->pool, act, a)) != NULL)
			return e;
	}
	return NULL;
}

static void note_cancel(struct sieve_result *r, const struct sieve_action *a)
{
	if ((a->def->flags & SIEVE_ACTF_CANCELS_KEEP) && !a->copy)
		r->keep_cancelled = 1;
}

int sieve_result_add(struct sieve_result *r, struct sieve_action *act,
		     const struct sieve_limits *lim, const char **error_r)
{
	struct sieve_action *dup;

	if ((*error_r = find_conflict(r, act)) != NULL)
		return -1;
	dup = find_duplicate(r, act);
	if (dup != NULL) {
		note_cancel(r, dup);
		return 0;
	}
	if (act->kind == SIEVE_ACT_REDIRECT &&
	    ++r->n_redirects > lim->max_redirects) {
		*error_r = pool_printf(r->pool, "number of redirect actions "
				       "exceeds policy limit (%u > %u)",
				       r->n_redirects, lim->max_redirects);
		return -1;
	}
	if (!(act->def->flags & SIEVE_ACTF_SIDE_EFFECT) &&
	    ++r->n_actions > lim->max_actions) {
		*error_r = pool_printf(r->pool, "total number of actions "
				       "exceeds policy limit (%u > %u)",
				       r->n_actions, lim->max_actions);
		return -1;
	}
	if (r->last != NULL)
		r->last->next = act;
	else
		r->first = act;
	r->last = act;
	act->next = NULL;
	note_cancel(r, act);
	r->finished = 0;
	return 0;
}

void sieve_result_set_error(struct sieve_result *r, const char *text)
{
	r->status = SIEVE_RUNTIME_ERROR;
	r->error = text;
	r->first = r->last = NULL;
	r->implicit_keep = NULL;
	r->keep_cancelled = 0;
	r->finished = 0;
}

void sieve_result_mark(const struct sieve_result *r,
		       struct sieve_result_mark *m)
{
	m->first = r->first;
	m->last = r->last;
	m->n_actions = r->n_actions;
	m->n_redirects = r->n_redirects;
	m->keep_cancelled = r->keep_cancelled;
	m->implicit_keep = r->implicit_keep;
}

void sieve_result_rollback(struct sieve_result *r,
			   const struct sieve_result_mark *m)
{
	r->first = m->first;
	r->last = m->last;
	if (r->last != NULL)
		r->last->next = NULL;
	r->n_actions = m->n_actions;
	r->n_redirects = m->n_redirects;
	r->keep_cancelled = m->keep_cancelled;
	r->implicit_keep = m->implicit_keep;
	r->status = SIEVE_OK;
	r->error = NULL;
	r->finished = 0;
}

void sieve_result_set_implicit_keep(struct sieve_result *r,
				    struct sieve_action *keep)
{
	r->implicit_keep = keep;
}

void sieve_result_set_headers(struct sieve_result *r,
			      struct sieve_header_out *h, size_t n)
{
	r->headers = h;
	r->n_headers = n;
	r->headers_set = 1;
}

int sieve_result_finish(struct sieve_result *r, struct sl_err *err)
{
	struct sieve_action *keep = r->implicit_keep;

	err_clear(err);
	if (r->finished)
		return 0;
	r->finished = 1;
	if (r->status == SIEVE_RUNTIME_ERROR || keep == NULL) {
		keep = pool_alloc(r->pool, sizeof(*keep));
		keep->def = &sieve_act_keep;
		keep->kind = SIEVE_ACT_KEEP;
		keep->implicit = 1;
	}
	if (r->status != SIEVE_RUNTIME_ERROR && r->keep_cancelled)
		return 0;
	/* listed also after a fileinto :copy "INBOX", as Pigeonhole does;
	 * whoever stores the result stores INBOX once */
	keep->next = NULL;
	if (r->last != NULL)
		r->last->next = keep;
	else
		r->first = keep;
	r->last = keep;
	return 0;
}

enum sieve_status sieve_result_status(const struct sieve_result *r)
{
	return r->status;
}

const struct sieve_action *sieve_result_actions(const struct sieve_result *r)
{
	return r->first;
}

int sieve_result_keep_cancelled(const struct sieve_result *r)
{
	return r->keep_cancelled;
}

const struct sieve_header_out *
sieve_result_headers(const struct sieve_result *r, size_t *n_r)
{
	*n_r = r->n_headers;
	return r->headers_set ? r->headers : NULL;
}

const char *sieve_result_error(const struct sieve_result *r)
{
	return r->error;
}

const char *sieve_action_name(const struct sieve_action *a)
{
	return a->def->name;
}
