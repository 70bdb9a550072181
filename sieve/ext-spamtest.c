/* ext-spamtest.c - spamtest, spamtestplus and virustest (RFC 5235).
 *
 *   spamtest [":percent"] [COMPARATOR] [MATCH-TYPE] <value: string>
 *   virustest [COMPARATOR] [MATCH-TYPE] <value: string>
 *
 * The three extensions share one reading of the scanner's verdict, so
 * they live in one file. The verdict comes from a header field named by
 * the configuration, with Pigeonhole's setting names and meaning
 * (sieve_spamtest_status_type score/strlen/text,
 * sieve_spamtest_status_header "HEADER[: REGEX]",
 * sieve_spamtest_max_value or sieve_spamtest_max_header,
 * sieve_spamtest_text_value0..10; the same with sieve_virustest_ and
 * text values 0..5). The status is scaled to a ratio of the maximum and
 * the test's value is then, as in Pigeonhole:
 *   spamtest:           "1".."10" (1 + ratio * 9),
 *   spamtest :percent:  "0".."100" (ratio * 100; spamtestplus only),
 *   virustest:          "1".."5" (1 + ratio * 4),
 * and "0" when the message was not tested: no configuration, no such
 * header, the regex does not match or gives no group, a value that does
 * not parse (RFC 5235 3.1 / 3.3). The value is matched against the keys
 * with the test's comparator and match type (default i;ascii-casemap
 * :is; scripts use :value "ge" :comparator "i;ascii-numeric").
 *
 * Pigeonhole leaves them off unless sieve_extensions enables them; here
 * they are on by default, as the other extensions Pigeonhole keeps off
 * (editheader, vacation-seconds) and as the conformance corpus runs
 * Pigeonhole: an unconfigured site then just sees "0" (not tested), and
 * `-x -spamtest` or sieve_extensions turns them off. spamtestplus implies
 * spamtest.
 */
#include "auto-config.h"
#include "sieve/sieve-ext.h"
#include "lib/config.h"

#include <ctype.h>
#include <regex.h>
#include <stdio.h>
#include <string.h>

enum svt_kind { SVT_SPAM, SVT_VIRUS };
enum svt_type { SVT_SCORE, SVT_STRLEN, SVT_TEXT };

/* the verdict of one run, cached per extension */
struct svt_state {
	float ratio;		/* < 0: not tested */
};

/* svt_decimal - Pigeonhole's decimal syntax ("-3.2", "5,0"): 0 or -1 */
static int svt_decimal(const char *s, float *out)
{
	float v = 0, sign = 1, radix = 0.1f;
	int digits = 0;

	if (*s == '\0')
		return -1;
	if (*s == '+' || *s == '-')
		sign = *s++ == '-' ? -1 : 1;
	for (; isdigit((unsigned char)*s); s++) {
		v = v * 10 + (float)(*s - '0');
		if (digits++ > 4)
			return -1;
	}
	if (*s == '.' || *s == ',') {
		s++;
		for (digits = 0; isdigit((unsigned char)*s); s++) {
			v += (float)(*s - '0') * radix;
			if (digits++ > 4)
				return -1;
			radix /= 10;
		}
	}
	if (*s != '\0')
		return -1;
	*out = v * sign;
	return 0;
}

/* svt_strlen - a run of one repeated character: its length, or -1 */
static int svt_strlen(const char *s, float *out)
{
	size_t n = 0;

	while (s[n] != '\0' && s[n] == s[0])
		n++;
	if (s[n] != '\0')
		return -1;
	*out = (float)n;
	return 0;
}

struct svt_first {
	struct pool *pool;
	const char *v;
};

/* svt_first_value - keep the first field's value */
static int svt_first_value(void *ctx, const char *v, size_t len)
{
	struct svt_first *f = ctx;

	f->v = pool_strndup(f->pool, v, len);
	return 1;
}

/* svt_header - the text a "HEADER[: REGEX]" spec selects in the
 * message (run pool), or NULL when the message has none */
static const char *svt_header(struct sieve_run *run, const char *spec)
{
	struct pool *pool = sieve_run_pool(run);
	const char *p = spec, *name_end, *rx = NULL;
	struct sieve_hname h;
	struct svt_first f;
	regmatch_t pm[2];
	regex_t re;
	char *value;
	size_t len;
	int r;

	f.pool = pool;
	f.v = NULL;
	while (*p == ' ' || *p == '\t')
		p++;
	spec = p;
	while (*p != '\0' && *p != ':' && *p != ' ' && *p != '\t')
		p++;
	name_end = p;
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p == ':') {
		p++;
		while (*p == ' ' || *p == '\t')
			p++;
		rx = p;
	} else if (*p != '\0') {
		return NULL;	/* a bad spec: not configured */
	}
	if (name_end == spec)
		return NULL;
	sieve_hname_init(&h, pool, spec, (size_t)(name_end - spec));
	if (sieve_msg_header_values(run, NULL, &h, 1, svt_first_value,
				    &f) < 0 || f.v == NULL)
		return NULL;
	value = (char *)f.v;
	if (rx == NULL || *rx == '\0')
		return value;
	if (strlen(rx) > SIEVE_MAX_REGEX_LEN ||
	    regcomp(&re, rx, REG_EXTENDED | REG_ICASE) != 0)
		return NULL;
	r = regexec(&re, value, 2, pm, 0);
	regfree(&re);
	if (r != 0 || re.re_nsub < 1 || pm[1].rm_so < 0)
		return NULL;
	len = (size_t)(pm[1].rm_eo - pm[1].rm_so);
	return pool_strndup(pool, value + pm[1].rm_so, len);
}

/* svt_key - "sieve_spamtest_" / "sieve_virustest_" + rest */
static const char *svt_key(char *buf, size_t size, enum svt_kind kind,
			   const char *rest)
{
	int n = snprintf(buf, size, "sieve_%s_%s",
			 kind == SVT_VIRUS ? "virustest" : "spamtest", rest);

	return n > 0 && (size_t)n < size ? buf : "";
}

/* svt_max - the maximum score for score/strlen: 0 or -1 (not tested) */
static int svt_max(struct sieve_run *run, const struct config *cfg,
		   enum svt_kind kind, float *max)
{
	char key[64];
	const char *spec, *v;

	spec = config_str(cfg, svt_key(key, sizeof(key), kind, "max_header"));
	if (*spec != '\0') {
		v = svt_header(run, spec);
		if (v == NULL || svt_decimal(v, max) < 0)
			return -1;
	} else {
		v = config_str(cfg, svt_key(key, sizeof(key), kind,
					    "max_value"));
		if (svt_decimal(v, max) < 0)
			return -1;
	}
	return *max == 0 ? -1 : 0;
}

/* svt_ratio - the scanner's verdict as a ratio of its maximum, or -1
 * when the message was not (usably) tested */
static float svt_ratio(struct sieve_run *run, enum svt_kind kind)
{
	const struct config *cfg = sieve_run_config(run);
	char key[64];
	const char *type, *spec, *status;
	float max, value;
	int i, max_text = kind == SVT_VIRUS ? 5 : 10;

	if (cfg == NULL)
		return -1;
	spec = config_str(cfg, svt_key(key, sizeof(key), kind,
				       "status_header"));
	if (*spec == '\0')
		return -1;
	type = config_str(cfg, svt_key(key, sizeof(key), kind,
				       "status_type"));
	if (strcmp(type, "text") == 0)
		max = (float)max_text;
	else if (svt_max(run, cfg, kind, &max) < 0)
		return -1;
	status = svt_header(run, spec);
	if (status == NULL)
		return -1;
	if (strcmp(type, "score") == 0) {
		if (svt_decimal(status, &value) < 0)
			return -1;
	} else if (strcmp(type, "strlen") == 0) {
		if (*status == '\0')
			value = 0;
		else if (svt_strlen(status, &value) < 0)
			return -1;
	} else {
		for (i = 0; i <= max_text; i++) {
			char k[32];
			const char *t;

			snprintf(k, sizeof(k), "text_value%d", i);
			t = config_str(cfg, svt_key(key, sizeof(key), kind, k));
			if (*t != '\0' && strcmp(status, t) == 0)
				break;
		}
		if (i > max_text)
			return -1;
		value = (float)i;
	}
	if (value < 0)
		return 0;
	if (value > max)
		return 1;
	return value / max;
}

/* svt_value - the test's value ("0".."10", "0".."100", "0".."5") */
static void svt_value(float ratio, enum svt_kind kind, int percent,
		      char *out, size_t size)
{
	int score;

	if (ratio < 0) {
		snprintf(out, size, "0");
		return;
	}
	if (ratio > 1)
		ratio = 1;
	if (percent)
		score = (int)(ratio * 100 + 0.001f);
	else if (kind == SVT_VIRUS)
		score = (int)(ratio * 4 + 1.001f);
	else
		score = (int)(ratio * 9 + 1.001f);
	snprintf(out, size, "%d", score);
}

/* svt_run_ratio - the ratio, computed once per run and kind */
static float svt_run_ratio(struct sieve_run *run, enum svt_kind kind,
			   const struct sieve_extension *ext)
{
	struct svt_state *st = sieve_run_ext_get(run, ext);

	if (st == NULL) {
		st = pool_alloc(sieve_run_pool(run), sizeof(*st));
		st->ratio = svt_ratio(run, kind);
		sieve_run_ext_set(run, ext, st);
	}
	return st->ratio;
}

/* svt_exec - match the value against the keys (the last positional) */
static int svt_exec(struct sieve_run *run, const struct sieve_node *node,
		    enum svt_kind kind, int percent)
{
	const struct sieve_extension *ext = kind == SVT_VIRUS ?
		&sieve_ext_virustest : &sieve_ext_spamtest;
	struct sieve_match m;
	char value[16];
	float ratio = svt_run_ratio(run, kind, ext);

	svt_value(ratio, kind, percent, value, sizeof(value));
	if (sieve_run_tracing(run))
		sieve_run_trace(run, node, "%s value: %s",
				kind == SVT_VIRUS ? "virustest" : "spamtest",
				value);
	if (sieve_match_begin(&m, run, node, node->pos[0]) < 0)
		return SIEVE_EXEC_ERROR;
	if (sieve_match_value(&m, value, strlen(value)) < 0)
		return SIEVE_EXEC_ERROR;
	return sieve_match_end(&m);
}

/* percent_validate - :percent needs spamtestplus (RFC 5235 3.2) */
static int percent_validate(struct sieve_valctx *v, struct sieve_node *node,
			    struct sieve_tagval *tv)
{
	(void)node;
	if (!sieve_valctx_loaded(v, &sieve_ext_spamtestplus)) {
		sieve_valctx_error(v, tv->tag->line, tv->tag->col,
				   "the spamtest test only accepts the "
				   ":percent argument when the spamtestplus "
				   "extension is active");
		return -1;
	}
	return 0;
}

static const struct sieve_tag_def tag_percent = {
	.name = "percent",
	.validate = percent_validate,
};

static const struct sieve_tag_def *const spamtest_tags[] = {
	&tag_percent, NULL
};

static int spamtest_exec(struct sieve_run *run, const struct sieve_node *node)
{
	return svt_exec(run, node, SVT_SPAM,
			sieve_node_tag(node, &tag_percent) != NULL);
}

static int virustest_exec(struct sieve_run *run,
			  const struct sieve_node *node)
{
	return svt_exec(run, node, SVT_VIRUS, 0);
}

static const struct sieve_cmd_def tst_spamtest = {
	.name = "spamtest",
	.is_test = 1,
	.flags = SIEVE_CMD_F_MATCH,
	.min_pos = 1,
	.n_pos = 1,
	.pos = { SIEVE_T_STRLIST },
	.tags = spamtest_tags,
	.exec = spamtest_exec,
};

static const struct sieve_cmd_def tst_virustest = {
	.name = "virustest",
	.is_test = 1,
	.flags = SIEVE_CMD_F_MATCH,
	.min_pos = 1,
	.n_pos = 1,
	.pos = { SIEVE_T_STRLIST },
	.exec = virustest_exec,
};

static const struct sieve_cmd_def *const spamtest_commands[] = {
	&tst_spamtest, NULL
};
static const struct sieve_cmd_def *const virustest_commands[] = {
	&tst_virustest, NULL
};
static const char *const spamtestplus_implies[] = { "spamtest", NULL };

const struct sieve_extension sieve_ext_spamtest = {
	.name = "spamtest",
	.commands = spamtest_commands,
};

const struct sieve_extension sieve_ext_spamtestplus = {
	.name = "spamtestplus",
	.implies = spamtestplus_implies,
};

const struct sieve_extension sieve_ext_virustest = {
	.name = "virustest",
	.commands = virustest_commands,
};
