/* sieve-message.c - what tests read of the message: header fields
 * (unfolded, RFC 2047 decoded, trimmed), addresses, and the top-level
 * header view editheader changes. Header lookups compare a precomputed
 * hash of the lowercased name before the name itself. */
#include "auto-config.h"
#include "sieve/sieve-private.h"

#include "lib/rfc2047.h"

#include <string.h>
#include <strings.h>

uint32_t sieve_hname_hash(const char *name, size_t len)
{
	uint32_t h = 2166136261u;
	size_t i;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)name[i];

		if (c >= 'A' && c <= 'Z')
			c = (unsigned char)(c - 'A' + 'a');
		h = (h ^ c) * 16777619u;
	}
	return h;
}

void sieve_hname_init(struct sieve_hname *h, struct pool *pool,
		      const char *name, size_t len)
{
	char *lc = pool_strndup(pool, name, len);
	size_t i;

	for (i = 0; i < len; i++) {
		if (lc[i] >= 'A' && lc[i] <= 'Z')
			lc[i] = (char)(lc[i] - 'A' + 'a');
	}
	h->lc = lc;
	h->len = len;
	h->hash = sieve_hname_hash(name, len);
}

/* view_build - the top-level header view, on first use */
static void view_build(struct sieve_run *run)
{
	const struct msg_part *root =
		run->msg->msg != NULL ? run->msg->msg->root : NULL;
	size_t i, n = root != NULL ? root->n_headers : 0;

	run->hdrs_built = 1;
	run->cap_hdrs = n + 4;
	run->hdrs = pool_alloc_array(run->pool, run->cap_hdrs,
				     sizeof(*run->hdrs));
	for (i = 0; i < n; i++) {
		struct sieve_hdr *h = &run->hdrs[i].h;
		const struct msg_header *mh = &root->headers[i];

		run->hdrs[i].orig = mh;
		h->name = mh->name;
		h->value = mh->value;
		h->value_len = mh->value_len;
		h->hash = sieve_hname_hash(mh->name, strlen(mh->name));
	}
	run->n_hdrs = n;
}

static int is_wsp(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* trim - [s, s+len) without leading and trailing white space */
static const char *trim(const char *s, size_t *len)
{
	size_t n = *len;

	while (n > 0 && is_wsp(*s)) {
		s++;
		n--;
	}
	while (n > 0 && is_wsp(s[n - 1]))
		n--;
	*len = n;
	return s;
}

/* ent_value - the value of a view entry as tests compare it */
static void ent_value(struct sieve_run *run, struct sieve_hdr_ent *e,
		      int decode, const char **v, size_t *len)
{
	if (e->trim == NULL) {
		size_t n = e->h.value_len;

		e->trim = trim(e->h.value, &n);
		e->trim_len = n;
	}
	if (!decode) {
		*v = e->trim;
		*len = e->trim_len;
		return;
	}
	if (e->dec == NULL) {
		if (memmem(e->trim, e->trim_len, "=?", 2) != NULL) {
			size_t n;
			const char *d = rfc2047_decode_pool(run->pool, e->trim,
							    e->trim_len, &n);

			e->dec = trim(d, &n);
			e->dec_len = n;
		} else {
			e->dec = e->trim;
			e->dec_len = e->trim_len;
		}
	}
	*v = e->dec;
	*len = e->dec_len;
}

size_t sieve_msg_header_count(struct sieve_run *run)
{
	if (!run->hdrs_built)
		view_build(run);
	return run->n_hdrs;
}

const struct sieve_hdr *sieve_msg_header_at(struct sieve_run *run, size_t i)
{
	if (!run->hdrs_built)
		view_build(run);
	return i < run->n_hdrs ? &run->hdrs[i].h : NULL;
}

void sieve_msg_header_insert(struct sieve_run *run, int at_end,
			     const char *name, const char *value,
			     size_t value_len)
{
	struct sieve_hdr_ent *e;

	if (!run->hdrs_built)
		view_build(run);
	if (run->n_hdrs == run->cap_hdrs) {
		struct sieve_hdr_ent *n;

		n = pool_alloc_array(run->pool, run->cap_hdrs * 2 + 4,
				     sizeof(*n));
		memcpy(n, run->hdrs, run->n_hdrs * sizeof(*n));
		run->hdrs = n;
		run->cap_hdrs = run->cap_hdrs * 2 + 4;
	}
	if (at_end) {
		e = &run->hdrs[run->n_hdrs];
	} else {
		memmove(run->hdrs + 1, run->hdrs,
			run->n_hdrs * sizeof(*run->hdrs));
		e = &run->hdrs[0];
	}
	memset(e, 0, sizeof(*e));
	e->h.name = pool_strdup(run->pool, name);
	e->h.value = pool_strndup(run->pool, value, value_len);
	e->h.value_len = value_len;
	e->h.hash = sieve_hname_hash(name, strlen(name));
	run->n_hdrs++;
	run->hdrs_edited = 1;
}

void sieve_msg_header_remove(struct sieve_run *run, size_t i)
{
	if (!run->hdrs_built)
		view_build(run);
	if (i >= run->n_hdrs)
		return;
	memmove(run->hdrs + i, run->hdrs + i + 1,
		(run->n_hdrs - i - 1) * sizeof(*run->hdrs));
	run->n_hdrs--;
	run->hdrs_edited = 1;
}

void sieve_msg_view_export(struct sieve_run *run)
{
	struct sieve_header_out *out;
	size_t i;

	out = pool_alloc_array(run->pool, run->n_hdrs + 1, sizeof(*out));
	for (i = 0; i < run->n_hdrs; i++) {
		out[i].name = run->hdrs[i].h.name;
		out[i].value = run->hdrs[i].h.value;
		out[i].value_len = run->hdrs[i].h.value_len;
		out[i].orig = run->hdrs[i].orig;
	}
	sieve_result_set_headers(run->result, out, run->n_hdrs);
}

const struct msg_part *sieve_run_part(struct sieve_run *run)
{
	if (run->part != NULL)
		return run->part;
	return run->msg->msg != NULL ? run->msg->msg->root : NULL;
}

void sieve_run_set_part(struct sieve_run *run, const struct msg_part *part)
{
	run->part = part;
}

/* name_is - whether header name n matches hn */
static int name_is(const struct sieve_hname *hn, uint32_t hash, const char *n)
{
	return hash == hn->hash && strncasecmp(n, hn->lc, hn->len) == 0 &&
	       n[hn->len] == '\0';
}

/* emit - one field's value through the transform or to fn */
static int emit(struct sieve_run *run, const struct sieve_extract *ex,
		const struct msg_part *part, const struct sieve_hdr *h,
		const char *v, size_t len, sieve_value_fn *fn, void *ctx)
{
	if (ex->transform != NULL)
		return ex->transform(run, ex->transform_ctx, part, h, fn, ctx);
	return fn(ctx, v, len);
}

/* the fields to pick (:index counts over all names, in order) */
struct pick_state {
	const struct sieve_extract *ex;
	size_t k, total;
};

/* pick - whether the next matching field is wanted */
static int pick(struct pick_state *ps)
{
	size_t k = ps->k++;

	if (ps->ex->index == 0)
		return 1;
	if (ps->ex->last)
		return ps->total - k == ps->ex->index;
	return k + 1 == ps->ex->index;
}

/* view_values - fields of the top-level view named hn */
static int view_values(struct sieve_run *run, struct pick_state *ps,
		       const struct sieve_hname *hn, int decode,
		       sieve_value_fn *fn, void *ctx)
{
	const struct msg_part *root =
		run->msg->msg != NULL ? run->msg->msg->root : NULL;
	size_t i;
	int r;

	if (!run->hdrs_built)
		view_build(run);
	for (i = 0; i < run->n_hdrs; i++) {
		struct sieve_hdr_ent *e = &run->hdrs[i];
		const char *v;
		size_t len;

		if (!name_is(hn, e->h.hash, e->h.name) || !pick(ps))
			continue;
		ent_value(run, e, decode, &v, &len);
		r = emit(run, ps->ex, root, &e->h, v, len, fn, ctx);
		if (r != 0)
			return r;
	}
	return 0;
}

/* part_values - fields named hn in part's own header */
static int part_values(struct sieve_run *run, struct pick_state *ps,
		       const struct msg_part *part,
		       const struct sieve_hname *hn, int decode,
		       sieve_value_fn *fn, void *ctx)
{
	size_t i;
	int r;

	for (i = 0; i < part->n_headers; i++) {
		const struct msg_header *mh = &part->headers[i];
		struct sieve_hdr_ent e;
		const char *v;
		size_t len;

		if (strcasecmp(mh->name, hn->lc) != 0 || !pick(ps))
			continue;
		memset(&e, 0, sizeof(e));
		e.h.name = mh->name;
		e.h.value = mh->value;
		e.h.value_len = mh->value_len;
		e.h.hash = hn->hash;
		ent_value(run, &e, decode, &v, &len);
		r = emit(run, ps->ex, part, &e.h, v, len, fn, ctx);
		if (r != 0)
			return r;
	}
	return 0;
}

/* count_fields - how many fields of part (NULL: the view) have a name
 * among names */
static size_t count_fields(struct sieve_run *run, const struct msg_part *part,
			   const struct sieve_hname *names, size_t n_names)
{
	size_t i, j, n = 0;

	if (!run->hdrs_built)
		view_build(run);
	for (j = 0; j < n_names; j++) {
		if (part == NULL) {
			for (i = 0; i < run->n_hdrs; i++)
				n += name_is(&names[j], run->hdrs[i].h.hash,
					     run->hdrs[i].h.name);
		} else {
			for (i = 0; i < part->n_headers; i++)
				n += strcasecmp(part->headers[i].name,
						names[j].lc) == 0;
		}
	}
	return n;
}

/* part_all_names - every name's fields of one part (NULL: the view) */
static int part_all_names(struct sieve_run *run,
			  const struct sieve_extract *ex,
			  const struct msg_part *part,
			  const struct sieve_hname *names, size_t n_names,
			  int decode, sieve_value_fn *fn, void *ctx)
{
	struct pick_state ps = { ex, 0, 0 };
	size_t j;
	int r;

	if (ex->index != 0 && ex->last)
		ps.total = count_fields(run, part, names, n_names);
	for (j = 0; j < n_names; j++) {
		r = part == NULL
			? view_values(run, &ps, &names[j], decode, fn, ctx)
			: part_values(run, &ps, part, &names[j], decode, fn,
				      ctx);
		if (r != 0)
			return r;
	}
	return 0;
}

int sieve_msg_headers_values(struct sieve_run *run,
			     const struct sieve_node *node,
			     const struct sieve_hname *names, size_t n_names,
			     int decode, sieve_value_fn *fn, void *ctx)
{
	struct sieve_extract ex;
	const struct msg_part *root, *p, *q;
	unsigned i;
	int r;

	memset(&ex, 0, sizeof(ex));
	for (i = 0; node != NULL && i < node->n_tags; i++) {
		const struct sieve_tagval *tv = &node->tags[i];

		if (tv->def != NULL && tv->def->on_extract != NULL &&
		    tv->def->on_extract(run, node, tv, &ex) < 0)
			return -1;
	}
	root = run->msg->msg != NULL ? run->msg->msg->root : NULL;
	p = ex.part != NULL ? ex.part : root;
	r = part_all_names(run, &ex, p == root ? NULL : p, names, n_names,
			   decode, fn, ctx);
	if (r != 0 || !ex.any_child || p == NULL)
		return r;
	/* the descendants of p: a depth-first walk until it leaves p's
	 * subtree */
	for (q = message_part_next(p); q != NULL && q->depth > p->depth;
	     q = message_part_next(q)) {
		r = part_all_names(run, &ex, q, names, n_names, decode, fn,
				   ctx);
		if (r != 0)
			return r;
	}
	return 0;
}

int sieve_msg_header_values(struct sieve_run *run,
			    const struct sieve_node *node,
			    const struct sieve_hname *name, int decode,
			    sieve_value_fn *fn, void *ctx)
{
	return sieve_msg_headers_values(run, node, name, 1, decode, fn, ctx);
}

/* ---- addresses ---- */

struct addr_walk {
	struct sieve_run *run;
	sieve_address_fn *fn;
	void *ctx;
};

static int usable(const struct address *a)
{
	return !(a->flags & (ADDRESS_INVALID | ADDRESS_EMPTY_GROUP |
			     ADDRESS_NO_DOMAIN));
}

/* addr_list - the parsed address list of a header value, cached for
 * the run (fifty address tests on From parse it once) */
static const struct address *addr_list(struct sieve_run *run, const char *v,
				       size_t len)
{
	const unsigned max = sizeof(run->acache) / sizeof(run->acache[0]);
	const struct address *list;
	unsigned i;

	for (i = 0; i < run->n_acache; i++) {
		if (run->acache[i].v == v && run->acache[i].len == len)
			return run->acache[i].list;
	}
	list = address_parse(run->pool, v, len, NULL);
	i = run->n_acache < max ? run->n_acache++ : (unsigned)(len % max);
	run->acache[i].v = v;
	run->acache[i].len = len;
	run->acache[i].list = list;
	return list;
}

/* addr_value - the addresses of one field: the usable mailboxes; when
 * there is none but something that is not an address ("foo",
 * "a@@b"), the whole value as one invalid address matched by :all only,
 * as Pigeonhole does. Empty groups are no addresses (RFC 5322 3.4;
 * Pigeonhole takes a lone "undisclosed-recipients:;" for invalid text,
 * t/sieve/NOTES.md) */
static int addr_value(void *ctx, const char *v, size_t len)
{
	struct addr_walk *w = ctx;
	const struct address *list, *a;
	struct address *raw;
	int r, any = 0, only_groups = 1;

	list = addr_list(w->run, v, len);
	for (a = list; a != NULL; a = a->next) {
		if (!(a->flags & ADDRESS_EMPTY_GROUP))
			only_groups = 0;
		if (!usable(a))
			continue;
		any = 1;
		r = w->fn(w->ctx, a);
		if (r != 0)
			return r;
	}
	if (any || only_groups)
		return 0;	/* RFC 5322 3.4: "undisclosed:;" has none */
	raw = pool_alloc(w->run->pool, sizeof(*raw));
	raw->name = raw->local = raw->domain = "";
	raw->addr = pool_strndup(w->run->pool, v, len);
	raw->flags = ADDRESS_INVALID;
	return w->fn(w->ctx, raw);
}

int sieve_msg_headers_addresses(struct sieve_run *run,
				const struct sieve_node *node,
				const struct sieve_hname *names, size_t n_names,
				sieve_address_fn *fn, void *ctx)
{
	struct addr_walk w = { run, fn, ctx };

	return sieve_msg_headers_values(run, node, names, n_names, 0,
					addr_value, &w);
}

int sieve_msg_header_addresses(struct sieve_run *run,
			       const struct sieve_node *node,
			       const struct sieve_hname *name,
			       sieve_address_fn *fn, void *ctx)
{
	return sieve_msg_headers_addresses(run, node, name, 1, fn, ctx);
}

int sieve_addrpart_get(struct sieve_run *run, const struct sieve_node *node,
		       const struct address *a, struct sieve_str *out)
{
	const struct sieve_addrpart_def *d =
		node != NULL && node->addrpart != NULL ? node->addrpart
						       : &sieve_addrpart_all;

	if (a->flags & ADDRESS_INVALID) {
		if (d != &sieve_addrpart_all)
			return 0;
		out->data = a->addr;
		out->len = strlen(a->addr);
		return 1;
	}
	return d->extract(run, a, out);
}

const struct address *sieve_run_parse_address(struct sieve_run *run,
					      const char *addr)
{
	const struct address *a;
	size_t count;

	if (addr == NULL)
		return NULL;
	a = address_parse(run->pool, addr, strlen(addr), &count);
	if (a == NULL || count != 1 ||
	    (a->flags & (ADDRESS_INVALID | ADDRESS_EMPTY_GROUP)))
		return NULL;
	return a;
}
