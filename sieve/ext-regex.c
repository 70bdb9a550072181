/* ext-regex.c - the :regex match type (draft-ietf-sieve-regex-01).
 *
 *   MATCH-TYPE =/ ":regex"
 *
 * Keys are POSIX extended regular expressions (regcomp REG_EXTENDED);
 * a value matches when the expression matches anywhere in it. The
 * comparator decides case: i;octet is case-sensitive, i;ascii-casemap
 * and i;unicode-casemap give REG_ICASE (Pigeonhole 0.5 allows only the
 * first two; newer Pigeonhole all three); any other comparator is a
 * compile error. regcomp runs in the process's locale (C for sluice), so
 * REG_ICASE folds ASCII letters only, also under i;unicode-casemap. When an extension wants match values (variables), a
 * match sets ${0} to the matched text and ${1}..${9} to the groups
 * (an unmatched group is empty), as Pigeonhole does.
 *
 * Run time is bounded: patterns over SIEVE_MAX_REGEX_LEN octets and
 * patterns with back-references ("\1".."\9", a GNU extension to ERE that
 * makes glibc's matcher backtrack exponentially) are refused, at compile
 * time for constant keys and as a non-match (traced) for keys built at
 * run time. An invalid constant expression is a compile error; an
 * invalid run-time one never matches.
 */
#include "auto-config.h"
#include "sieve/sieve-ext.h"

#include <regex.h>
#include <stdio.h>
#include <string.h>

/* match values a regex match sets: ${0}..${9} (RFC 5229 3.2 minimum) */
#define REGEX_MATCH_VALUES 10

/* regex_has_backref - whether pattern uses \1..\9 outside brackets */
static int regex_has_backref(const char *p, size_t len)
{
	size_t i = 0;

	while (i < len) {
		if (p[i] == '\\' && i + 1 < len) {
			if (p[i + 1] >= '1' && p[i + 1] <= '9')
				return 1;
			i += 2;
		} else if (p[i] == '[') {
			/* skip the bracket expression: "[]...]", "[^]...]",
			 * classes "[:alpha:]" inside */
			i++;
			if (i < len && p[i] == '^')
				i++;
			if (i < len && p[i] == ']')
				i++;
			while (i < len && p[i] != ']') {
				if (p[i] == '[' && i + 1 < len &&
				    (p[i + 1] == ':' || p[i + 1] == '.' ||
				     p[i + 1] == '=')) {
					char end = p[i + 1];

					i += 2;
					while (i + 1 < len &&
					       !(p[i] == end && p[i + 1] == ']'))
						i++;
					i += 2;
				} else {
					i++;
				}
			}
			i++;
		} else {
			i++;
		}
	}
	return 0;
}

/* regex_cflags - regcomp flags for cmp, or -1 when cmp cannot be used */
static int regex_cflags(const struct sieve_comparator_def *cmp)
{
	if (cmp == NULL || strcmp(cmp->name, "i;ascii-casemap") == 0 ||
	    strcmp(cmp->name, "i;unicode-casemap") == 0)
		return REG_EXTENDED | REG_ICASE;
	if (strcmp(cmp->name, "i;octet") == 0)
		return REG_EXTENDED;
	return -1;
}

/* regex_compile - compile pattern (len octets, NUL-terminated) into re:
 * 0, or -1 with the reason in why */
static int regex_compile(regex_t *re, const char *pattern, size_t len,
			 int cflags, char *why, size_t why_size)
{
	int r;

	if (len > SIEVE_MAX_REGEX_LEN) {
		snprintf(why, why_size, "longer than %d octets",
			 SIEVE_MAX_REGEX_LEN);
		return -1;
	}
	if (memchr(pattern, '\0', len) != NULL) {
		snprintf(why, why_size, "contains a NUL character");
		return -1;
	}
	if (regex_has_backref(pattern, len)) {
		snprintf(why, why_size, "back-references are not supported");
		return -1;
	}
	r = regcomp(re, pattern, cflags);
	if (r != 0) {
		regerror(r, re, why, why_size);
		regfree(re);
		return -1;
	}
	return 0;
}

/* regex_validate - the comparator suits :regex and every constant key
 * compiles */
static int regex_validate(struct sieve_valctx *v, struct sieve_node *node,
			  struct sieve_tagval *tv)
{
	const struct sieve_arg *keys;
	int cflags = regex_cflags(node->cmp);
	char why[256];
	size_t i;
	int ret = 0;

	if (cflags < 0) {
		sieve_valctx_error(v, tv->tag->line, tv->tag->col,
				   "regex match type only supports i;octet, "
				   "i;ascii-casemap and i;unicode-casemap "
				   "comparators");
		return -1;
	}
	if (node->n_pos == 0)
		return 0;
	keys = node->pos[node->n_pos - 1];
	for (i = 0; i < keys->n_strs; i++) {
		const struct sieve_string *s = &keys->strs[i];
		regex_t re;

		if (!sieve_string_is_constant(s))
			continue;
		if (regex_compile(&re, s->data, s->len, cflags | REG_NOSUB,
				  why, sizeof(why)) < 0) {
			sieve_valctx_error(v, s->line, s->col,
					   "invalid regular expression '%.128s' "
					   "for regex match: %s", s->data, why);
			ret = -1;
			continue;
		}
		regfree(&re);
	}
	return ret;
}

/* per-match state: the keys compiled as they are first used */
struct regex_state {
	regex_t *re;
	signed char *status;	/* 0 not yet, 1 compiled, -1 unusable */
	size_t n;
	int values;		/* record match values */
	int matched;
	struct buf tmp;		/* the value, NUL-terminated */
};

/* regex_state_get - m's state, created on first use */
static struct regex_state *regex_state_get(struct sieve_match *m)
{
	struct regex_state *st = m->state;
	struct pool *pool;

	if (st != NULL)
		return st;
	pool = sieve_run_pool(m->run);
	st = pool_alloc(pool, sizeof(*st));
	memset(st, 0, sizeof(*st));
	st->n = m->n_keys;
	st->re = pool_alloc_array(pool, st->n ? st->n : 1, sizeof(regex_t));
	st->status = pool_alloc_array(pool, st->n ? st->n : 1, 1);
	memset(st->status, 0, st->n ? st->n : 1);
	st->values = sieve_run_wants_match_values(m->run);
	buf_init(&st->tmp);
	m->state = st;
	return st;
}

/* regex_key_re - key i compiled, or NULL when it cannot be used */
static regex_t *regex_key_re(struct sieve_match *m, struct regex_state *st,
			     const struct sieve_str *key, size_t i)
{
	char why[256];
	const char *pat;
	int cflags;

	if (i >= st->n || key != &m->keys[i])
		return NULL;	/* not one of m's keys: regex_key_match
				   compiles it for this call only */
	if (st->status[i] == 0) {
		cflags = regex_cflags(m->cmp);
		if (cflags < 0)
			cflags = REG_EXTENDED | REG_ICASE;
		if (!st->values)
			cflags |= REG_NOSUB;
		pat = sieve_run_cstr(m->run, key);
		if (regex_compile(&st->re[i], pat, key->len, cflags, why,
				  sizeof(why)) < 0) {
			st->status[i] = -1;
			if (sieve_run_tracing(m->run))
				sieve_run_trace(m->run, m->node,
						"invalid regular expression "
						"'%.80s' for regex match: %s",
						pat, why);
		} else {
			st->status[i] = 1;
		}
	}
	return st->status[i] > 0 ? &st->re[i] : NULL;
}

/* regex_set_values - ${0}..${9} from pm for the value in st->tmp */
static void regex_set_values(struct sieve_match *m, struct regex_state *st,
			     const regex_t *re, const regmatch_t *pm)
{
	struct sieve_str vals[REGEX_MATCH_VALUES];
	size_t n = re->re_nsub + 1, i;
	struct pool *pool = sieve_run_pool(m->run);

	if (n > REGEX_MATCH_VALUES)
		n = REGEX_MATCH_VALUES;
	for (i = 0; i < n; i++) {
		if (pm[i].rm_so < 0 || pm[i].rm_eo < pm[i].rm_so) {
			vals[i].data = "";
			vals[i].len = 0;
			continue;
		}
		vals[i].len = (size_t)(pm[i].rm_eo - pm[i].rm_so);
		vals[i].data = pool_strndup(pool, st->tmp.data + pm[i].rm_so,
					    vals[i].len);
	}
	sieve_run_set_match_values(m->run, vals, n);
}

/* regex_key_match - does key i match anywhere in v? */
static int regex_key_match(struct sieve_match *m, const char *v, size_t vlen,
			   const struct sieve_str *key, size_t i)
{
	struct regex_state *st = regex_state_get(m);
	regmatch_t pm[REGEX_MATCH_VALUES];
	regex_t *re = regex_key_re(m, st, key, i);
	regex_t once;
	char why[256];
	int cflags, r;

	if (re == NULL && (i >= st->n || key != &m->keys[i])) {
		/* a key from sieve_match_key: compiled for this call */
		cflags = regex_cflags(m->cmp);
		if (cflags < 0)
			cflags = REG_EXTENDED | REG_ICASE;
		if (regex_compile(&once, sieve_run_cstr(m->run, key), key->len,
				  cflags | (st->values ? 0 : REG_NOSUB), why,
				  sizeof(why)) < 0)
			return 0;
		re = &once;
	}
	if (re == NULL)
		return 0;
	buf_reset(&st->tmp);
	buf_append(&st->tmp, v, vlen);
	buf_append_char(&st->tmp, '\0');
	r = regexec(re, st->tmp.data, st->values ? REGEX_MATCH_VALUES : 0,
		    st->values ? pm : NULL, 0);
	if (r == 0 && st->values)
		regex_set_values(m, st, re, pm);
	if (re == &once)
		regfree(&once);
	if (r != 0)
		return 0;
	st->matched = 1;
	return 1;
}

/* regex_end - free the compiled keys; the verdict */
static int regex_end(struct sieve_match *m)
{
	struct regex_state *st = m->state;
	size_t i;
	int matched = m->matched;

	if (st != NULL) {
		for (i = 0; i < st->n; i++)
			if (st->status[i] > 0)
				regfree(&st->re[i]);
		buf_free(&st->tmp);
		matched |= st->matched;
		m->state = NULL;
	}
	if (m->error)
		return SIEVE_EXEC_ERROR;
	return matched ? 1 : 0;
}

static const struct sieve_match_def mcht_regex = {
	.name = "regex",
	.validate = regex_validate,
	.key_match = regex_key_match,
	.end = regex_end,
};

static const struct sieve_match_def *const regex_match_types[] = {
	&mcht_regex, NULL
};

const struct sieve_extension sieve_ext_regex = {
	.name = "regex",
	.match_types = regex_match_types,
};
