/* sieve-match.c - matching values against keys, and the match types of
 * RFC 5228 2.7.1: :is, :contains, :matches.
 *
 * :matches is iterative (no recursion): on a mismatch it goes back to
 * the last '*' and lets it take one more character. That finds a match
 * whenever one exists, gives each '*' the shortest text left to right
 * (RFC 5229 3.2: "[*] *" on "[a] [b] c" sets ${1} to "a"), and costs at
 * most len(value) * len(pattern) steps, which a run-wide budget bounds
 * (SIEVE_MAX_MATCH_STEPS). '?' is one octet with the octet comparators
 * (as Pigeonhole), one UTF-8 character with comparators that say so.
 * Pigeonhole 2.3 differs on purpose: it lets "a?x*" match "abcdef"
 * (t/unit/test-sieve.c has the case). */
#include "auto-config.h"
#include "sieve/sieve-private.h"

#include <string.h>

int sieve_match_begin(struct sieve_match *m, struct sieve_run *run,
		      const struct sieve_node *node, const struct sieve_arg *keys)
{
	memset(m, 0, sizeof(*m));
	m->run = run;
	m->node = node;
	m->def = node->match != NULL ? node->match : &sieve_mcht_is;
	m->cmp = node->cmp != NULL ? node->cmp : &sieve_cmp_ascii_casemap;
	m->tag = node->match_tag;
	if (keys == NULL)
		return 0;
	if (sieve_run_arg_list(run, keys, &m->keys, &m->n_keys) < 0) {
		m->error = 1;
		return SIEVE_EXEC_ERROR;
	}
	return 0;
}

int sieve_match_key(struct sieve_match *m, const char *v, size_t vlen,
		    const struct sieve_str *key)
{
	const struct sieve_match_def *d = m->def;

	if (d->key_match == NULL)
		d = &sieve_mcht_is;
	return d->key_match(m, v, vlen, key, 0);
}

int sieve_match_value(struct sieve_match *m, const char *v, size_t len)
{
	size_t i;
	int r;

	if (m->error)
		return -1;
	m->count++;
	if (m->def->value != NULL) {
		r = m->def->value(m, v, len);
	} else {
		r = 0;
		for (i = 0; i < m->n_keys && r == 0; i++)
			r = m->def->key_match(m, v, len, &m->keys[i], i);
	}
	if (r > 0)
		m->matched = 1;
	else if (r < 0)
		m->error = 1;
	return r;
}

int sieve_match_end(struct sieve_match *m)
{
	if (m->error)
		return SIEVE_EXEC_ERROR;
	if (m->def->end != NULL)
		return m->def->end(m);
	return m->matched;
}

/* ---- :is ---- */

static int mcht_is(struct sieve_match *m, const char *v, size_t vlen,
		   const struct sieve_str *key, size_t i)
{
	(void)i;
	return m->cmp->compare(v, vlen, key->data, key->len) == 0;
}

/* ---- helpers for substring comparators ---- */

/* fold_both - with a folding comparator: value and key folded (run
 * pool); 1 when folded */
static int fold_both(struct sieve_match *m, const char **v, size_t *vlen,
		     const char **k, size_t *klen)
{
	struct buf b = BUF_INIT;

	if (m->cmp->fold == NULL)
		return 0;
	m->cmp->fold(*v, *vlen, &b);
	*v = pool_memdup(m->run->pool, b.len > 0 ? b.data : "", b.len + 1);
	*vlen = b.len;
	buf_reset(&b);
	m->cmp->fold(*k, *klen, &b);
	*k = pool_memdup(m->run->pool, b.len > 0 ? b.data : "", b.len + 1);
	*klen = b.len;
	buf_free(&b);
	return 1;
}

/* spend - take n steps from the run's budget; -1 when it is spent */
static int spend(struct sieve_match *m, uint64_t n)
{
	if (m->run->match_steps < n) {
		m->run->match_steps = 0;
		sieve_run_error(m->run, m->node, "match too complex: the "
				"match step budget (%u) is spent",
				(unsigned)SIEVE_MAX_MATCH_STEPS);
		return -1;
	}
	m->run->match_steps -= n;
	return 0;
}

/* same_at - k equals v at p under eq (NULL: octets) */
static int same_at(const char *v, const char *k, size_t klen,
		   int (*eq)(unsigned char, unsigned char))
{
	size_t j;

	if (eq == NULL)
		return memcmp(v, k, klen) == 0;
	for (j = 0; j < klen; j++) {
		if (!eq((unsigned char)v[j], (unsigned char)k[j]))
			return 0;
	}
	return 1;
}

/* find_sub - the first place k occurs in v under eq, or -1; counts the
 * positions tried against the budget */
static long find_sub(struct sieve_match *m, const char *v, size_t vlen,
		     const char *k, size_t klen,
		     int (*eq)(unsigned char, unsigned char))
{
	const char *hit;
	size_t p;

	if (klen == 0)
		return 0;
	if (klen > vlen)
		return -1;
	if (spend(m, vlen) < 0)
		return -2;
	if (eq == NULL) {
		hit = memmem(v, vlen, k, klen);
		return hit != NULL ? hit - v : -1;
	}
	for (p = 0; p + klen <= vlen; p++) {
		if (eq((unsigned char)v[p], (unsigned char)k[0]) &&
		    same_at(v + p, k, klen, eq))
			return (long)p;
	}
	return -1;
}

/* ---- :contains ---- */

static int mcht_contains(struct sieve_match *m, const char *v, size_t vlen,
			 const struct sieve_str *key, size_t i)
{
	int (*eq)(unsigned char, unsigned char) = m->cmp->char_eq;
	const char *k = key->data;
	size_t klen = key->len;
	long r;

	(void)i;
	if (fold_both(m, &v, &vlen, &k, &klen))
		eq = NULL;
	r = find_sub(m, v, vlen, k, klen, eq);
	return r == -2 ? -1 : r >= 0;
}

/* ---- :matches ---- */

static int octet_eq(unsigned char a, unsigned char b)
{
	return a == b;
}

/* char_len - the length of the character at v (utf8: a whole UTF-8
 * sequence when valid, else one octet) */
static size_t char_len(const char *v, size_t left, int utf8)
{
	unsigned char c = (unsigned char)*v;
	size_t n, i;

	if (!utf8 || c < 0xc0)
		return 1;
	n = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;
	if (n > left)
		return 1;
	for (i = 1; i < n; i++) {
		if (((unsigned char)v[i] & 0xc0) != 0x80)
			return 1;
	}
	return n;
}

/* pat_item - the pattern item at p: '*', '?' or a literal (*lit); its
 * length in the pattern in *n */
static int pat_item(const char *p, size_t left, char *lit, size_t *n)
{
	if (*p == '\\' && left > 1) {
		*lit = p[1];
		*n = 2;
		return 0;
	}
	*n = 1;
	if (*p == '*' || *p == '?')
		return *p;
	*lit = *p;
	return 0;
}

int sieve_matches_glob(const char *v, size_t vlen, const char *p, size_t plen,
		       int (*char_eq)(unsigned char, unsigned char), int utf8,
		       struct sieve_str *caps, size_t max_caps, size_t *n_caps,
		       uint64_t *steps)
{
	size_t vi = 0, pi = 0, star_p = 0, star_v = 0, wc = 0, star_wc = 0;
	int have_star = 0;

	if (char_eq == NULL)
		char_eq = octet_eq;
	if (caps != NULL && max_caps > 0) {
		caps[0].data = v;
		caps[0].len = vlen;
	}
	for (;;) {
		size_t n;
		char lit;
		int it;

		if (*steps == 0)
			return -1;
		(*steps)--;
		if (pi < plen) {
			it = pat_item(p + pi, plen - pi, &lit, &n);
			if (it == '*') {
				have_star = 1;
				star_p = pi + n;
				star_v = vi;
				star_wc = wc;
				if (caps != NULL && wc + 1 < max_caps) {
					caps[wc + 1].data = v + vi;
					caps[wc + 1].len = 0;
				}
				wc++;
				pi += n;
				continue;
			}
			if (vi < vlen) {
				size_t cl = char_len(v + vi, vlen - vi, utf8);

				if (it == '?') {
					if (caps != NULL && wc + 1 < max_caps) {
						caps[wc + 1].data = v + vi;
						caps[wc + 1].len = cl;
					}
					wc++;
					pi += n;
					vi += cl;
					continue;
				}
				if (char_eq((unsigned char)v[vi],
					    (unsigned char)lit)) {
					pi += n;
					vi++;
					continue;
				}
			}
		} else if (vi == vlen) {
			if (n_caps != NULL)
				*n_caps = wc + 1 < max_caps ? wc + 1 : max_caps;
			return 1;
		}
		/* mismatch: the last '*' takes one more character */
		if (!have_star || star_v >= vlen)
			return 0;
		star_v += char_len(v + star_v, vlen - star_v, utf8);
		vi = star_v;
		pi = star_p;
		wc = star_wc + 1;
		if (caps != NULL && star_wc + 1 < max_caps)
			caps[star_wc + 1].len =
				(size_t)(v + star_v - caps[star_wc + 1].data);
	}
}

/* matches_simple - patterns that are a literal with '*' at either end
 * ("*lit*", "lit*", "*lit", "lit"; most real ones) without the general
 * matcher: 1, 0, -1; -3 when the pattern is not that simple. Captures
 * as the general matcher would give them (the first '*' shortest). */
static int matches_simple(struct sieve_match *m, const char *v, size_t vlen,
			  const char *k, size_t klen,
			  int (*eq)(unsigned char, unsigned char),
			  struct sieve_str *caps, size_t *n_caps)
{
	int lead = klen > 0 && k[0] == '*';
	int trail = klen > (size_t)lead && k[klen - 1] == '*';
	size_t j, llen;
	const char *lit;
	long at;

	lit = k + lead;
	llen = klen - (size_t)lead - (size_t)trail;
	if (trail && llen > 0 && lit[llen - 1] == '\\')
		return -3;	/* "\\*" at the end: an escaped star */
	for (j = 0; j < llen; j++) {
		if (lit[j] == '*' || lit[j] == '?' || lit[j] == '\\')
			return -3;
	}
	*n_caps = 1;
	if (caps != NULL) {
		caps[0].data = v;
		caps[0].len = vlen;
	}
	if (llen > vlen)
		return 0;
	if (!lead && !trail) {
		at = llen == vlen && same_at(v, lit, llen, eq) ? 0 : -1;
	} else if (!lead) {
		at = same_at(v, lit, llen, eq) ? 0 : -1;
	} else if (!trail) {
		at = same_at(v + vlen - llen, lit, llen, eq)
			? (long)(vlen - llen) : -1;
	} else {
		at = find_sub(m, v, vlen, lit, llen, eq);
		if (at == -2)
			return -1;
	}
	if (at < 0)
		return 0;
	if (caps != NULL && lead) {
		caps[*n_caps].data = v;
		caps[(*n_caps)++].len = (size_t)at;
	}
	if (caps != NULL && trail) {
		caps[*n_caps].data = v + at + llen;
		caps[(*n_caps)++].len = vlen - (size_t)at - llen;
	}
	return 1;
}

static int mcht_matches(struct sieve_match *m, const char *v, size_t vlen,
			const struct sieve_str *key, size_t i)
{
	struct sieve_str caps[SIEVE_MAX_MATCH_VALUES];
	int (*eq)(unsigned char, unsigned char) = m->cmp->char_eq;
	const char *k = key->data;
	size_t klen = key->len, n_caps = 0;
	int want = sieve_run_wants_match_values(m->run), r;

	(void)i;
	if (fold_both(m, &v, &vlen, &k, &klen))
		eq = NULL;
	if (!(m->cmp->flags & SIEVE_CMP_F_UTF8)) {
		r = matches_simple(m, v, vlen, k, klen, eq,
				   want ? caps : NULL, &n_caps);
		if (r == -1)
			return -1;
		if (r != -3) {
			if (r > 0 && want)
				sieve_run_set_match_values(m->run, caps,
							   n_caps);
			return r;
		}
	}
	r = sieve_matches_glob(v, vlen, k, klen, eq,
			       (m->cmp->flags & SIEVE_CMP_F_UTF8) != 0,
			       want ? caps : NULL,
			       want ? SIEVE_MAX_MATCH_VALUES : 0, &n_caps,
			       &m->run->match_steps);
	if (r < 0) {
		sieve_run_error(m->run, m->node, "match too complex: the "
				"match step budget (%u) is spent",
				(unsigned)SIEVE_MAX_MATCH_STEPS);
		return -1;
	}
	if (r > 0 && want)
		sieve_run_set_match_values(m->run, caps, n_caps);
	return r;
}

const struct sieve_match_def sieve_mcht_is = {
	.name = "is",
	.key_match = mcht_is,
};

const struct sieve_match_def sieve_mcht_contains = {
	.name = "contains",
	.flags = SIEVE_MATCH_F_SUBSTRING,
	.key_match = mcht_contains,
};

const struct sieve_match_def sieve_mcht_matches = {
	.name = "matches",
	.flags = SIEVE_MATCH_F_SUBSTRING,
	.key_match = mcht_matches,
};
