/* ext-date.c - the date extension (RFC 5260 4, 5).
 *
 *   date [":zone" <time-zone: string> / ":originalzone"]
 *        [COMPARATOR] [MATCH-TYPE] <header-name: string>
 *        <date-part: string> <key-list: string-list>
 *   currentdate [":zone" <time-zone: string>]
 *        [COMPARATOR] [MATCH-TYPE] <date-part: string>
 *        <key-list: string-list>
 *
 * date reads the first field named header-name (or the one :index picks,
 * RFC 5260 6), takes the text after its last ';' when there is one (a
 * Received field), parses it as an RFC 5322 date-time as Dovecot does
 * (obsolete forms too), shifts it to the wanted zone and matches
 * the date part's text against the keys. A field that does not parse
 * gives no value (the test is false; :count counts 0). currentdate uses
 * the time the run first asked for it (every test of one run sees the
 * same instant, as Pigeonhole's script start time).
 *
 * Zones: :zone "+hhmm"/"-hhmm"; :originalzone the date-time's own zone;
 * neither: the local zone of the system (RFC 5260 4.1 "MUST"). As in
 * Pigeonhole, an unknown constant date part or an invalid constant zone
 * is a warning, not an error; at run time an unknown part yields no
 * value and an invalid zone falls back to the local zone.
 *
 * Date parts (RFC 5260 4.2): year month day date julian hour minute
 * second time iso8601 std11 zone weekday.
 */
#include "auto-config.h"
#include "sieve/sieve-ext.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define DATE_ZONE_LOCAL 100000		/* outside any +-hhmm offset */
#define DATE_ZONE_ORIGINAL 100001

static const char *const month_names[] = {
	"Jan", "Feb", "Mar", "Apr", "May", "Jun",
	"Jul", "Aug", "Sep", "Oct", "Nov", "Dec"
};
static const char *const weekday_names[] = {
	"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"
};

enum date_part {
	DP_NONE = -1, DP_YEAR, DP_MONTH, DP_DAY, DP_DATE, DP_JULIAN, DP_HOUR,
	DP_MINUTE, DP_SECOND, DP_TIME, DP_ISO8601, DP_STD11, DP_ZONE,
	DP_WEEKDAY
};
static const char *const part_names[] = {
	"year", "month", "day", "date", "julian", "hour", "minute", "second",
	"time", "iso8601", "std11", "zone", "weekday"
};

/* date_part_find - the part named s (case-insensitive), or DP_NONE */
static enum date_part date_part_find(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < sizeof(part_names) / sizeof(part_names[0]); i++)
		if (strlen(part_names[i]) == len &&
		    strncasecmp(s, part_names[i], len) == 0)
			return (enum date_part)i;
	return DP_NONE;
}

/* date_zone_parse - "+hhmm"/"-hhmm" into minutes east of UTC: 0 or -1 */
static int date_zone_parse(const char *s, size_t len, int *off)
{
	int h, m;

	if (len != 5 || (s[0] != '+' && s[0] != '-') ||
	    !isdigit((unsigned char)s[1]) || !isdigit((unsigned char)s[2]) ||
	    !isdigit((unsigned char)s[3]) || !isdigit((unsigned char)s[4]))
		return -1;
	h = (s[1] - '0') * 10 + (s[2] - '0');
	m = (s[3] - '0') * 10 + (s[4] - '0');
	*off = (s[0] == '+' ? 1 : -1) * (h * 60 + m);
	return 0;
}

/* ---- RFC 5322 date-time parsing ----
 *
 * As Dovecot's message_date_parse, which Pigeonhole uses, so the same
 * fields parse the same way: a sequence of atoms separated by white
 * space and comments; [3-letter-weekday ","] d[d] month (first three
 * letters) yy|yyyy h[h] (":"|".") mm [(":"|".") ss] [zone], trailing
 * text ignored. Two-digit years are 1970..2069; four-digit ones from
 * 1900. An impossible date or time ("31 Feb", "24:00") is refused; a
 * leap second reads as :59. Zones: +hhmm/-hhmm, UT, GMT, [ECMP][SD]T,
 * the military letters with their RFC 822 values; an unknown or missing
 * zone is +0000. */

struct dscan {
	const char *p, *end;
};

/* ds_skip - white space and (nested) comments */
static void ds_skip(struct dscan *d)
{
	int depth = 0;

	while (d->p < d->end) {
		char c = *d->p;

		if (c == '(')
			depth++;
		else if (c == ')' && depth > 0)
			depth--;
		else if (c == '\\' && depth > 0 && d->p + 1 < d->end)
			d->p++;
		else if (depth == 0 && c != ' ' && c != '\t' && c != '\r' &&
			 c != '\n')
			break;
		d->p++;
	}
}

/* is_atext - RFC 5322 atext */
static int is_atext(unsigned char c)
{
	return isalnum(c) || (c != '\0' && strchr("!#$%&'*+-/=?^_`{|}~", c));
}

/* ds_atom - the next atom (then white space skipped): 1 with w and n, 0 at
 * the end, -1 when something else stands there */
static int ds_atom(struct dscan *d, const char **w, size_t *n)
{
	const char *s = d->p;

	if (d->p >= d->end)
		return 0;
	while (d->p < d->end && is_atext((unsigned char)*d->p))
		d->p++;
	if (d->p == s)
		return -1;
	*w = s;
	*n = (size_t)(d->p - s);
	ds_skip(d);
	return 1;
}

/* ds_digits - w[0..n) as a number when all digits, else -1 */
static int ds_digits(const char *w, size_t n)
{
	int v = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		if (!isdigit((unsigned char)w[i]))
			return -1;
		v = v * 10 + (w[i] - '0');
	}
	return v;
}

/* date_zone_word - a zone atom in minutes east (Dovecot's reading:
 * unknown words are 0) */
static int date_zone_word(const char *s, size_t n)
{
	int off = 0;
	char c;

	if (n == 5 && date_zone_parse(s, n, &off) == 0)
		return off;
	if (n == 5 && (s[0] == '+' || s[0] == '-'))
		return 0;
	if (n == 1) {
		c = (char)toupper((unsigned char)s[0]);
		if (c < 'J')
			return (s[0] - 'A' + 1) * 60;
		if (c == 'J')
			return 0;
		if (c <= 'M')
			return (s[0] - 'A') * 60;
		if (c < 'Z')
			return ('M' - s[0]) * 60;
		return 0;
	}
	if (n == 3 && s[2] == 'T') {
		switch (toupper((unsigned char)s[0])) {
		case 'E': off = -5 * 60; break;
		case 'C': off = -6 * 60; break;
		case 'M': off = -7 * 60; break;
		case 'P': off = -8 * 60; break;
		default: return 0;
		}
		if (toupper((unsigned char)s[1]) == 'D')
			return off + 60;
		if (toupper((unsigned char)s[1]) == 'S')
			return off;
	}
	return 0;
}

/* date_parse_time - "h[h]:mm[:ss] [zone]" into tm and *zone: 0 or -1 */
static int date_parse_time(struct dscan *d, struct tm *tm, int *zone)
{
	const char *w;
	size_t n;
	int r;

	if (ds_atom(d, &w, &n) <= 0 || n < 1 || n > 2 ||
	    (tm->tm_hour = ds_digits(w, n)) < 0)
		return -1;
	if (d->p >= d->end || (*d->p != ':' && *d->p != '.'))
		return -1;
	d->p++;
	ds_skip(d);
	if (ds_atom(d, &w, &n) <= 0 || n != 2 ||
	    (tm->tm_min = ds_digits(w, n)) < 0)
		return -1;
	if (d->p < d->end && (*d->p == ':' || *d->p == '.')) {
		d->p++;
		ds_skip(d);
		if (ds_atom(d, &w, &n) <= 0 || n != 2 ||
		    (tm->tm_sec = ds_digits(w, n)) < 0)
			return -1;
	}
	r = ds_atom(d, &w, &n);
	if (r < 0)
		return -1;
	*zone = r == 0 ? 0 : date_zone_word(w, n);
	return 0;
}

/* date_mktime - tm (UTC) as an instant, refusing impossible fields */
static int date_mktime(const struct tm *in, time_t *t)
{
	struct tm tm = *in, chk;

	if (tm.tm_sec == 60)
		tm.tm_sec = 59;
	chk = tm;
	*t = timegm(&chk);
	if (*t == (time_t)-1 || chk.tm_year != tm.tm_year ||
	    chk.tm_mon != tm.tm_mon || chk.tm_mday != tm.tm_mday ||
	    chk.tm_hour != tm.tm_hour || chk.tm_min != tm.tm_min ||
	    chk.tm_sec != tm.tm_sec)
		return -1;
	return 0;
}

/* date_parse - an RFC 5322 date-time: the instant and its zone offset
 * (minutes east); 0 or -1 */
static int date_parse(const char *s, size_t len, time_t *t, int *zone)
{
	struct dscan d = { s, s + len };
	struct tm tm;
	const char *w;
	size_t n, i;

	memset(&tm, 0, sizeof(tm));
	ds_skip(&d);
	if (ds_atom(&d, &w, &n) <= 0)
		return -1;
	if (n == 3) {		/* day-of-week */
		if (d.p >= d.end || *d.p != ',')
			return -1;
		d.p++;
		ds_skip(&d);
		if (ds_atom(&d, &w, &n) <= 0)
			return -1;
	}
	if (n < 1 || n > 2 || (tm.tm_mday = ds_digits(w, n)) < 0)
		return -1;
	if (ds_atom(&d, &w, &n) <= 0 || n < 3)
		return -1;
	tm.tm_mon = -1;
	for (i = 0; i < 12 && tm.tm_mon < 0; i++)
		if (strncasecmp(w, month_names[i], 3) == 0)
			tm.tm_mon = (int)i;
	if (tm.tm_mon < 0)
		return -1;
	if (ds_atom(&d, &w, &n) <= 0 || (n != 2 && n != 4) ||
	    (tm.tm_year = ds_digits(w, n)) < 0)
		return -1;
	if (n == 2)
		tm.tm_year += tm.tm_year < 70 ? 100 : 0;
	else if (tm.tm_year < 1900)
		return -1;
	else
		tm.tm_year -= 1900;
	if (date_parse_time(&d, &tm, zone) < 0 || date_mktime(&tm, t) < 0)
		return -1;
	*t -= (time_t)*zone * 60;
	return 0;
}

/* ---- date parts ---- */

/* date_julian - the Modified Julian Day of tm's date (RFC 5260
 * appendix A with its erratum, as Pigeonhole) */
static long date_julian(const struct tm *tm)
{
	long year = tm->tm_year + 1900, month = tm->tm_mon + 1;
	long day = tm->tm_mday, c, ya;

	if (month > 2) {
		month -= 3;
	} else {
		month += 9;
		year--;
	}
	c = year / 100;
	ya = year - c * 100;
	return c * 146097 / 4 + ya * 1461 / 4 + (month * 153 + 2) / 5 + day +
	       1721119 - 2400001;
}

/* date_zone_text - "+hhmm"/"-hhmm" (zero is "+0000") */
static void date_zone_text(char *out, size_t size, int zone)
{
	int a = zone < 0 ? -zone : zone;

	snprintf(out, size, "%c%02d%02d", zone < 0 ? '-' : '+', a / 60,
		 a % 60);
}

/* date_part_text - the text of part for the instant t seen in zone */
static int date_part_text(enum date_part part, time_t t, int zone,
			  char *out, size_t size)
{
	time_t lt = t + (time_t)zone * 60;
	struct tm tm;
	char z[16];
	int a = zone < 0 ? -zone : zone;

	if (gmtime_r(&lt, &tm) == NULL)
		return -1;
	switch (part) {
	case DP_YEAR:
		return snprintf(out, size, "%04d", tm.tm_year + 1900);
	case DP_MONTH:
		return snprintf(out, size, "%02d", tm.tm_mon + 1);
	case DP_DAY:
		return snprintf(out, size, "%02d", tm.tm_mday);
	case DP_DATE:
		return snprintf(out, size, "%04d-%02d-%02d", tm.tm_year + 1900,
				tm.tm_mon + 1, tm.tm_mday);
	case DP_JULIAN:
		return snprintf(out, size, "%ld", date_julian(&tm));
	case DP_HOUR:
		return snprintf(out, size, "%02d", tm.tm_hour);
	case DP_MINUTE:
		return snprintf(out, size, "%02d", tm.tm_min);
	case DP_SECOND:
		return snprintf(out, size, "%02d", tm.tm_sec);
	case DP_TIME:
		return snprintf(out, size, "%02d:%02d:%02d", tm.tm_hour,
				tm.tm_min, tm.tm_sec);
	case DP_ISO8601:	/* RFC 5260 4.2: zero offset is "Z" */
		if (zone == 0)
			return snprintf(out, size,
					"%04d-%02d-%02dT%02d:%02d:%02dZ",
					tm.tm_year + 1900, tm.tm_mon + 1,
					tm.tm_mday, tm.tm_hour, tm.tm_min,
					tm.tm_sec);
		return snprintf(out, size,
				"%04d-%02d-%02dT%02d:%02d:%02d%c%02d:%02d",
				tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
				tm.tm_hour, tm.tm_min, tm.tm_sec,
				zone < 0 ? '-' : '+', a / 60, a % 60);
	case DP_STD11:
		date_zone_text(z, sizeof(z), zone);
		return snprintf(out, size, "%s, %02d %s %04d %02d:%02d:%02d %s",
				weekday_names[tm.tm_wday], tm.tm_mday,
				month_names[tm.tm_mon], tm.tm_year + 1900,
				tm.tm_hour, tm.tm_min, tm.tm_sec, z);
	case DP_ZONE:
		date_zone_text(out, size, zone);
		return (int)strlen(out);
	case DP_WEEKDAY:
		return snprintf(out, size, "%d", tm.tm_wday);
	default:
		return -1;
	}
}

/* ---- tags ---- */

/* zone_validate - one zone tag only; a constant zone should be valid */
static int zone_validate(struct sieve_valctx *v, struct sieve_node *node,
			 struct sieve_tagval *tv);

static const struct sieve_tag_def tag_zone = {
	.name = "zone",
	.n_params = 1,
	.params = { SIEVE_T_STRING },
	.validate = zone_validate,
};
static const struct sieve_tag_def tag_originalzone = {
	.name = "originalzone",
	.validate = zone_validate,
};

static int zone_validate(struct sieve_valctx *v, struct sieve_node *node,
			 struct sieve_tagval *tv)
{
	const struct sieve_arg *a = tv->param[0];
	unsigned i, n = 0;
	int off;

	for (i = 0; i < node->n_tags; i++)
		if (node->tags[i].def == &tag_zone ||
		    node->tags[i].def == &tag_originalzone)
			n++;
	if (n > 1 && tv == &node->tags[0]) {
		sieve_valctx_error(v, tv->tag->line, tv->tag->col,
				   "multiple :zone or :originalzone arguments "
				   "specified for the %s test", node->name);
		return -1;
	}
	if (tv->def == &tag_zone && a != NULL && a->n_strs == 1 &&
	    sieve_string_is_constant(&a->strs[0]) &&
	    date_zone_parse(a->strs[0].data, a->strs[0].len, &off) < 0)
		sieve_valctx_warning(v, a->line, a->col,
				     "specified :zone argument '%.40s' is not "
				     "a valid timezone", a->strs[0].data);
	return n > 1 ? -1 : 0;
}

/* ---- tests ---- */

/* date_validate_part - warn about an unknown constant date part;
 * remember the header name when constant */
static int date_validate(struct sieve_valctx *v, struct sieve_node *node)
{
	const struct sieve_arg *part = node->pos[node->n_pos - 2];

	if (part->n_strs == 1 && sieve_string_is_constant(&part->strs[0]) &&
	    date_part_find(part->strs[0].data, part->strs[0].len) == DP_NONE)
		sieve_valctx_warning(v, part->line, part->col,
				     "specified date part '%.80s' is not known",
				     part->strs[0].data);
	if (node->n_pos == 3 && sieve_arg_is_constant(node->pos[0])) {
		struct sieve_hname *h =
			pool_alloc(sieve_valctx_pool(v), sizeof(*h));

		sieve_hname_init(h, sieve_valctx_pool(v),
				 node->pos[0]->strs[0].data,
				 node->pos[0]->strs[0].len);
		node->data = h;
	}
	return 0;
}

/* per-run: the instant currentdate sees and the local zone */
struct date_now {
	time_t now;
	int local_zone;
};

static const struct sieve_extension *date_ext(void);

/* date_now_get - the run's "now", fixed at first use */
static const struct date_now *date_now_get(struct sieve_run *run)
{
	struct date_now *dn = sieve_run_ext_get(run, date_ext());
	struct tm tm;

	if (dn != NULL)
		return dn;
	dn = pool_alloc(sieve_run_pool(run), sizeof(*dn));
	dn->now = time(NULL);
	dn->local_zone = 0;
	if (localtime_r(&dn->now, &tm) != NULL)
		dn->local_zone = (int)(tm.tm_gmtoff / 60);
	sieve_run_ext_set(run, date_ext(), dn);
	return dn;
}

/* date_wanted_zone - the zone the test asks for (LOCAL/ORIGINAL or an
 * offset); -1 on an expansion error */
static int date_wanted_zone(struct sieve_run *run,
			    const struct sieve_node *node, int *zone)
{
	const struct sieve_tagval *tv;
	struct sieve_str s;

	*zone = DATE_ZONE_LOCAL;
	if (sieve_node_tag(node, &tag_originalzone) != NULL) {
		*zone = DATE_ZONE_ORIGINAL;
	} else if ((tv = sieve_node_tag(node, &tag_zone)) != NULL) {
		if (sieve_run_arg_str(run, tv->param[0], &s) < 0)
			return -1;
		if (date_zone_parse(s.data, s.len, zone) < 0) {
			if (sieve_run_tracing(run))
				sieve_run_trace(run, node, "specified :zone "
						"argument '%.40s' is not a "
						"valid timezone (using local "
						"zone)",
						sieve_run_cstr(run, &s));
			*zone = DATE_ZONE_LOCAL;
		}
	}
	return 0;
}

struct date_ctx {
	struct sieve_match *m;
	enum date_part part;
	int zone;
	int local_zone;
	int seen;
};

/* date_match_instant - match the part's text of t (original zone oz) */
static int date_match_instant(struct date_ctx *c, time_t t, int oz)
{
	char text[64];
	int zone = c->zone, n;

	if (zone == DATE_ZONE_LOCAL)
		zone = c->local_zone;
	else if (zone == DATE_ZONE_ORIGINAL)
		zone = oz;
	n = date_part_text(c->part, t, zone, text, sizeof(text));
	if (n < 0 || (size_t)n >= sizeof(text))
		return 0;
	return sieve_match_value(c->m, text, (size_t)n);
}

/* date_field - one header value: only the first field counts */
static int date_field(void *ctx, const char *v, size_t len)
{
	struct date_ctx *c = ctx;
	const char *semi = NULL, *p;
	time_t t;
	int oz, r;

	if (c->seen)
		return 1;
	c->seen = 1;
	for (p = v; p < v + len; p++)
		if (*p == ';')
			semi = p;
	if (semi != NULL) {
		len -= (size_t)(semi + 1 - v);
		v = semi + 1;
	}
	if (date_parse(v, len, &t, &oz) < 0)
		return 1;
	r = date_match_instant(c, t, oz);
	return r < 0 ? -1 : 1;
}

/* date_common - the shared body of date and currentdate */
static int date_common(struct sieve_run *run, const struct sieve_node *node,
		       int is_current)
{
	const struct date_now *dn = date_now_get(run);
	struct date_ctx c;
	struct sieve_match m;
	struct sieve_str part;
	int r = 0;

	memset(&c, 0, sizeof(c));
	if (sieve_run_arg_str(run, node->pos[node->n_pos - 2], &part) < 0 ||
	    date_wanted_zone(run, node, &c.zone) < 0 ||
	    sieve_match_begin(&m, run, node, node->pos[node->n_pos - 1]) < 0)
		return SIEVE_EXEC_ERROR;
	c.m = &m;
	c.part = date_part_find(part.data, part.len);
	c.local_zone = dn->local_zone;
	if (c.part == DP_NONE) {
		/* unknown part: no value */
	} else if (is_current) {
		r = date_match_instant(&c, dn->now, dn->local_zone);
	} else {
		const struct sieve_hname *h = node->data;
		struct sieve_hname hn;
		struct sieve_str name;

		if (h == NULL) {
			if (sieve_run_arg_str(run, node->pos[0], &name) < 0)
				return SIEVE_EXEC_ERROR;
			sieve_hname_init(&hn, sieve_run_pool(run), name.data,
					 name.len);
			h = &hn;
		}
		r = sieve_msg_header_values(run, node, h, 1, date_field, &c);
	}
	if (r < 0)
		return SIEVE_EXEC_ERROR;
	return sieve_match_end(&m);
}

static int date_exec(struct sieve_run *run, const struct sieve_node *node)
{
	return date_common(run, node, 0);
}

static int currentdate_exec(struct sieve_run *run,
			    const struct sieve_node *node)
{
	return date_common(run, node, 1);
}

static const struct sieve_tag_def *const date_tags[] = {
	&tag_zone, &tag_originalzone, NULL
};
static const struct sieve_tag_def *const currentdate_tags[] = {
	&tag_zone, NULL
};

static const struct sieve_cmd_def tst_date = {
	.name = "date",
	.is_test = 1,
	.flags = SIEVE_CMD_F_MATCH,
	.min_pos = 3,
	.n_pos = 3,
	.pos = { SIEVE_T_STRING, SIEVE_T_STRING, SIEVE_T_STRLIST },
	.tags = date_tags,
	.validate = date_validate,
	.exec = date_exec,
};

static const struct sieve_cmd_def tst_currentdate = {
	.name = "currentdate",
	.is_test = 1,
	.flags = SIEVE_CMD_F_MATCH,
	.min_pos = 2,
	.n_pos = 2,
	.pos = { SIEVE_T_STRING, SIEVE_T_STRLIST },
	.tags = currentdate_tags,
	.validate = date_validate,
	.exec = currentdate_exec,
};

static const struct sieve_cmd_def *const date_commands[] = {
	&tst_date, &tst_currentdate, NULL
};

const struct sieve_extension sieve_ext_date = {
	.name = "date",
	.commands = date_commands,
};

/* date_ext - this extension, for per-run state */
static const struct sieve_extension *date_ext(void)
{
	return &sieve_ext_date;
}
