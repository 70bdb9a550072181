/* test-sieve-relational - relational (RFC 5231), i;ascii-numeric
 * (RFC 4790), i;unicode-casemap (RFC 5051), regex (draft-ietf-sieve-regex),
 * date and index (RFC 5260), spamtest/spamtestplus/virustest (RFC 5235):
 * the comparators directly, everything else through compiled scripts run
 * against small messages. A script says what it found with fileinto, so
 * each case compares the list of actions ("fileinto:yes keep"). */
#include "auto-config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lib/buf.h"
#include "lib/config.h"
#include "lib/message.h"
#include "lib/pool.h"
#include "sieve/sieve-ext.h"
#include "sieve/sieve.h"
#include "t/tap.h"

static const char msg_rfc[] =
	"Received: from a.example by b.example; Mon, 10 Mar 2025 10:00:00 +0000\n"
	"Received: from c.example by a.example (second); "
	"Sun, 9 Mar 2025 23:30:00 -0500\n"
	"Date: Mon, 10 Mar 2025 09:14:58 +0100\n"
	"From: \"Sir Test\" <test@example.org>\n"
	"To: \"Some One\" <one@example.com>\n"
	"Cc: \"Joe\" <joe@example.com>, <mary@example.com>\n"
	"Subject: Zebra crossing 123\n"
	"X-Priority: 1\n"
	"X-Count: 0010\n"
	"X-Uni: Un \xc3\xa9t\xc3\xa9 tr\xc3\xa8s chaud, Stra\xc3\x9f" "e\n"
	"X-Bad-Date: yesterday at noon\n"
	"X-Spam-Score: No, score=3.2 required=5.0\n"
	"X-Spam-Status: Yes\n"
	"X-Spam-Stars: sssssss\n"
	"X-Virus-Scan: Found to be clean.\n"
	"\n"
	"body\n";

static struct config *test_cfg;

/* run - compile script (with the -x list xext) and run it on msg:
 * "compile-error", "runtime-error" or the actions ("fileinto:A keep") */
static const char *run(const char *xext, const char *script, const char *msg)
{
	static char out[1024];
	struct pool *pool = pool_new(0);
	struct sl_err err;
	struct sieve_engine *e = sieve_engine_new(test_cfg, xext, &err);
	struct sieve_diags diags;
	struct sieve_script *s;
	struct sieve_message m;
	struct sieve_exec_params p;
	struct sieve_result *r;
	const struct sieve_action *a;
	struct message_limits lim;
	struct buf b = BUF_INIT;

	out[0] = '\0';
	if (e == NULL) {
		snprintf(out, sizeof(out), "engine: %s", err.text);
		pool_free(&pool);
		return out;
	}
	sieve_diags_init(&diags, pool);
	s = sieve_compile_buffer(e, pool, "test", script, strlen(script),
				 &diags, &err);
	if (s == NULL) {
		const struct sieve_diag *d = sieve_diags_first_error(&diags);

		if (getenv("TEST_VERBOSE") != NULL && d != NULL)
			diag("%s", d->text);
		snprintf(out, sizeof(out), "compile-error");
		goto done;
	}
	message_limits_default(&lim);
	memset(&m, 0, sizeof(m));
	m.msg = message_parse(pool, &lim, msg, strlen(msg));
	m.size = strlen(msg);
	m.env_from = "sender@example.org";
	m.env_to = "user@example.com";
	memset(&p, 0, sizeof(p));
	p.msg = &m;
	p.dry_run = 1;
	r = sieve_result_new(pool);
	if (sieve_execute(s, &p, r, &err) < 0 ||
	    sieve_result_finish(r, &err) < 0) {
		snprintf(out, sizeof(out), "runtime-error");
		goto done;
	}
	for (a = sieve_result_actions(r); a != NULL; a = a->next) {
		if (b.len > 0)
			buf_append_char(&b, ' ');
		buf_append_str(&b, sieve_action_name(a));
		if (a->mailbox != NULL)
			buf_printf(&b, ":%s", a->mailbox);
	}
	snprintf(out, sizeof(out), "%s", b.len ? buf_cstr(&b) : "");
done:
	buf_free(&b);
	sieve_engine_free(&e);
	pool_free(&pool);
	return out;
}

/* yes - script S where the test T decides: "fileinto:yes" or "keep" */
static const char *yes(const char *req, const char *test)
{
	static char script[2048];

	snprintf(script, sizeof(script),
		 "require [\"fileinto\", %s];\n"
		 "if %s { fileinto \"yes\"; }\n", req, test);
	return run(NULL, script, msg_rfc);
}

#define TRUE_(req, test, name) is_str(yes(req, test), "fileinto:yes", name)
#define FALSE_(req, test, name) is_str(yes(req, test), "keep", name)
#define CERR(req, test, name) is_str(yes(req, test), "compile-error", name)

static int ncmp(const struct sieve_comparator_def *c, const char *a,
		const char *b)
{
	return c->compare(a, strlen(a), b, strlen(b));
}

static void test_numeric_comparator(void)
{
	const struct sieve_comparator_def *c =
		sieve_ext_comparator_i_ascii_numeric.comparators[0];

	is_str(c->name, "i;ascii-numeric", "comparator name");
	ok(ncmp(c, "10", "9") > 0, "numeric: 10 > 9");
	ok(ncmp(c, "9", "10") < 0, "numeric: 9 < 10");
	ok(ncmp(c, "0010", "10") == 0, "numeric: leading zeros ignored");
	ok(ncmp(c, "0", "000") == 0, "numeric: zero equals zeros");
	ok(ncmp(c, "12abc", "12") == 0, "numeric: only leading digits count");
	ok(ncmp(c, "abc", "def") == 0, "numeric: non-numbers are all equal");
	ok(ncmp(c, "abc", "99999999999999999999999") > 0,
	   "numeric: a non-number is greater than any number");
	ok(ncmp(c, "", "5") > 0, "numeric: empty string is infinity");
	ok(ncmp(c, "123456789012345678901234567890",
		"123456789012345678901234567891") < 0,
	   "numeric: numbers past 64 bits compare exactly");
	ok(!(c->flags & SIEVE_CMP_F_SUBSTRING) && (c->flags & SIEVE_CMP_F_ORDER),
	   "numeric: ordering, no substring operations");
}

static void test_unicode_comparator(void)
{
	const struct sieve_comparator_def *c =
		sieve_ext_comparator_i_unicode_casemap.comparators[0];
	struct buf b = BUF_INIT;

	is_str(c->name, "i;unicode-casemap", "comparator name");
	ok(ncmp(c, "Stra\xc3\x9f" "e", "STRASSE") == 0,
	   "unicode: sharp s folds to ss");
	ok(ncmp(c, "\xc3\xa9t\xc3\xa9", "E\xcc\x81T\xc3\x89") == 0,
	   "unicode: precomposed equals decomposed, case-insensitively");
	ok(ncmp(c, "abc", "ABD") < 0, "unicode: ordering after folding");
	ok(ncmp(c, "\xff\xfe" "A", "\xff\xfe" "a") == 0,
	   "unicode: invalid UTF-8 falls back to an ASCII fold");
	c->fold("\xc3\x89T\xc3\x89", 6, &b);
	ok(b.len > 0 && memcmp(b.data, "e\xcc\x81", 3) == 0,
	   "unicode: fold gives NFKD lower case");
	buf_free(&b);
}

static void test_relational(void)
{
	const char *rel = "\"relational\", \"comparator-i;ascii-numeric\"";

	TRUE_(rel, "header :count \"eq\" :comparator \"i;ascii-numeric\" "
	      "\"received\" \"2\"", "count eq: two Received fields");
	FALSE_(rel, "header :count \"eq\" :comparator \"i;ascii-numeric\" "
	       "\"received\" \"3\"", "count eq 3 is false");
	TRUE_(rel, "address :count \"ge\" :comparator \"i;ascii-numeric\" "
	      "[\"to\", \"cc\"] \"3\"", "RFC 5231: address count over To+Cc");
	FALSE_(rel, "address :count \"gt\" :comparator \"i;ascii-numeric\" "
	       "[\"to\", \"cc\"] \"3\"", "address count gt 3 is false");
	TRUE_(rel, "header :count \"eq\" :comparator \"i;ascii-numeric\" "
	      "\"x-missing\" \"0\"", "count of a missing header is 0");
	TRUE_(rel, "header :value \"lt\" :comparator \"i;ascii-numeric\" "
	      "\"x-priority\" \"3\"", "RFC 5231: X-Priority value lt 3");
	FALSE_(rel, "header :value \"gt\" :comparator \"i;ascii-numeric\" "
	       "\"x-priority\" \"3\"", "value gt 3 is false");
	FALSE_(rel, "header :value \"ne\" :comparator \"i;ascii-numeric\" "
	       "\"x-priority\" \"1\"", "value ne is false for equal");
	TRUE_(rel, "header :value \"eq\" :comparator \"i;ascii-numeric\" "
	      "\"x-count\" \"10\"", "value eq: 0010 equals 10");
	TRUE_(rel, "header :value \"ge\" :comparator \"i;ascii-numeric\" "
	      "\"subject\" \"99999\"", "a non-number is infinity (ge)");
	TRUE_(rel, "header :value \"gt\" \"subject\" \"m\"",
	      "value gt under i;ascii-casemap: Zebra > m");
	TRUE_(rel, "header :value \"lt\" :comparator \"i;octet\" "
	      "\"subject\" \"a\"", "value lt under i;octet: Z < a");
	FALSE_(rel, "header :count \"lt\" \"received\" \"10\"",
	       "count under i;ascii-casemap compares text: 2 !< 10");
	TRUE_(rel, "header :value \"GE\" :comparator \"i;ascii-numeric\" "
	      "\"x-priority\" \"1\"", "operator names are case-insensitive");
	TRUE_(rel, "header :value \"lt\" :comparator \"i;ascii-numeric\" "
	      "\"x-priority\" [\"0\", \"2\"]", "any key may satisfy");
	CERR(rel, "header :value \"xx\" \"subject\" \"a\"",
	     "unknown relational operator");
	CERR(rel, "header :count \"subject\" \"a\"",
	     ":count without an operator");
	CERR(rel, "header :value [\"gt\", \"lt\"] \"subject\" \"a\"",
	     "operator must be a single string");
	CERR("\"comparator-i;ascii-numeric\"",
	     "header :value \"gt\" \"subject\" \"a\"",
	     ":value without require relational");
	CERR(rel, "header :value \"gt\" :contains \"subject\" \"a\"",
	     "two match types");
}

static void test_numeric_scripts(void)
{
	TRUE_("\"comparator-i;ascii-numeric\"",
	      "header :is :comparator \"i;ascii-numeric\" \"x-priority\" "
	      "\"001\"", "numeric :is");
	CERR("\"comparator-i;ascii-numeric\"",
	     "header :contains :comparator \"i;ascii-numeric\" \"x-priority\" "
	     "\"1\"", "numeric refuses :contains");
	CERR("\"comparator-i;ascii-numeric\"",
	     "header :matches :comparator \"i;ascii-numeric\" \"x-priority\" "
	     "\"1*\"", "numeric refuses :matches");
	CERR("\"relational\"",
	     "header :is :comparator \"i;ascii-numeric\" \"x-priority\" \"1\"",
	     "numeric without require");
}

static void test_unicode_scripts(void)
{
	const char *req = "\"comparator-i;unicode-casemap\"";

	TRUE_(req, "header :contains :comparator \"i;unicode-casemap\" "
	      "\"x-uni\" \"\xc3\x89T\xc3\x89\"", "unicode :contains");
	TRUE_(req, "header :contains :comparator \"i;unicode-casemap\" "
	      "\"x-uni\" \"STRASSE\"", "unicode :contains across sharp s");
	TRUE_(req, "header :matches :comparator \"i;unicode-casemap\" "
	      "\"x-uni\" \"UN *STRASSE\"", "unicode :matches folds");
	TRUE_("\"comparator-i;unicode-casemap\", \"relational\"",
	      "header :value \"eq\" :comparator \"i;unicode-casemap\" "
	      "\"x-uni\" \"UN \xc3\x89T\xc3\x89 TR\xc3\x88S CHAUD, "
	      "STRASSE\"", "unicode ordering with relational");
	FALSE_(req, "header :contains \"x-uni\" \"\xc3\x89T\xc3\x89\"",
	       "i;ascii-casemap does not fold non-ASCII");
	CERR("\"relational\"", "header :is :comparator \"i;unicode-casemap\" "
	     "\"x-uni\" \"x\"", "unicode without require");
}

static void test_regex(void)
{
	const char *rx = "\"regex\"";
	char longpat[SIEVE_MAX_REGEX_LEN + 64];
	char script[SIEVE_MAX_REGEX_LEN + 256];

	TRUE_(rx, "header :regex \"subject\" \"^zebra [a-z]+ [0-9]{3}$\"",
	      "regex: ERE, case-insensitive by default");
	FALSE_(rx, "header :regex :comparator \"i;octet\" \"subject\" "
	       "\"^zebra\"", "regex: i;octet is case-sensitive");
	TRUE_(rx, "header :regex :comparator \"i;octet\" \"subject\" "
	      "\"^Zebra\"", "regex: i;octet exact case matches");
	TRUE_(rx, "address :regex :domain \"cc\" \"^example\\\\.(com|net)$\"",
	      "regex on an address part");
	FALSE_(rx, "header :regex \"subject\" \"^[0-9]+$\"", "regex no match");
	TRUE_(rx, "header :regex \"subject\" [\"^x\", \"cross\"]",
	      "regex: second key matches");
	is_str(run(NULL, "require [\"regex\", \"variables\", \"fileinto\"];\n"
		   "if header :regex \"from\" \"([a-z]+)@([a-z.]+)\" {\n"
		   "  fileinto \"${2}/${1}/${0}\"; }\n", msg_rfc),
	       "fileinto:example.org/test/test@example.org",
	       "regex match values ${0} ${1} ${2}");
	is_str(run(NULL, "require [\"regex\", \"variables\", \"fileinto\"];\n"
		   "set \"p\" \"^(zebra) (x)?\";\n"
		   "if header :regex \"subject\" \"${p}\" {\n"
		   "  fileinto \"[${1}][${2}]\"; }\n", msg_rfc),
	       "fileinto:[Zebra][]",
	       "regex from a variable; an unmatched group is empty");
	CERR(rx, "header :regex \"subject\" \"(\"", "invalid regex");
	CERR(rx, "header :regex \"subject\" \"(a)\\\\1\"",
	     "back-references refused");
	CERR(rx, "header :regex :comparator \"i;ascii-numeric\" \"subject\" "
	     "\"a\"", "regex refuses i;ascii-numeric");
	CERR("\"relational\"", "header :regex \"subject\" \"a\"",
	     "regex without require");
	memset(longpat, 'a', sizeof(longpat) - 1);
	longpat[sizeof(longpat) - 1] = '\0';
	snprintf(script, sizeof(script), "require \"regex\";\n"
		 "if header :regex \"subject\" \"%s\" { discard; }\n", longpat);
	is_str(run(NULL, script, msg_rfc), "compile-error",
	       "regex over SIEVE_MAX_REGEX_LEN refused");
	TRUE_(rx, "header :regex \"subject\" \"[\\\\1]|[[:digit:]]{3}\"",
	      "a bracket \\1 is not a back-reference");
}

static void test_date(void)
{
	const char *d = "\"date\", \"relational\", "
			"\"comparator-i;ascii-numeric\"";
	char buf[256], want[64];
	time_t now = time(NULL);
	struct tm tm;

	TRUE_(d, "date :originalzone \"date\" \"date\" \"2025-03-10\"",
	      "date part in the original zone");
	TRUE_(d, "date :originalzone \"date\" \"std11\" "
	      "\"Mon, 10 Mar 2025 09:14:58 +0100\"", "std11 part");
	TRUE_(d, "date :originalzone \"date\" \"julian\" \"60744\"",
	      "julian part (Modified Julian Day)");
	TRUE_(d, "date :originalzone \"date\" \"weekday\" \"1\"",
	      "weekday part (Monday)");
	TRUE_(d, "date :originalzone \"date\" \"iso8601\" "
	      "\"2025-03-10T09:14:58+01:00\"", "iso8601 with offset");
	TRUE_(d, "date :zone \"+0000\" \"date\" \"iso8601\" "
	      "\"2025-03-10T08:14:58Z\"", "iso8601 in UTC ends in Z");
	TRUE_(d, "date :zone \"-0500\" \"date\" \"time\" \"03:14:58\"",
	      ":zone shifts the time");
	TRUE_(d, "date :zone \"-0930\" \"date\" \"date\" \"2025-03-09\"",
	      ":zone moves the day back");
	TRUE_(d, "date :zone \"-0930\" \"date\" \"zone\" \"-0930\"",
	      "zone part is the :zone");
	TRUE_(d, "allof(date :originalzone \"date\" \"hour\" \"09\", "
	      "date :originalzone \"date\" \"minute\" \"14\", "
	      "date :originalzone \"date\" \"second\" \"58\", "
	      "date :originalzone \"date\" \"year\" \"2025\", "
	      "date :originalzone \"date\" \"month\" \"03\", "
	      "date :originalzone \"date\" \"day\" \"10\")",
	      "hour minute second year month day parts");
	TRUE_(d, "date :value \"ge\" :originalzone \"date\" \"date\" "
	      "\"2025-01-01\"", "date with :value ge");
	TRUE_(d, "date :originalzone \"received\" \"zone\" \"+0000\"",
	      "Received: the date after the semicolon, first field");
	FALSE_(d, "date \"x-bad-date\" \"year\" \"2025\"",
	       "a field that is no date gives no value");
	TRUE_(d, "date :count \"eq\" :comparator \"i;ascii-numeric\" "
	      "\"x-bad-date\" \"year\" \"0\"", "count of an invalid date is 0");
	TRUE_(d, "date :count \"eq\" :comparator \"i;ascii-numeric\" "
	      "\"received\" \"year\" \"1\"", "date reads only one field");
	FALSE_(d, "date \"date\" \"century\" \"21\"",
	       "unknown date part: a warning, then no value");
	TRUE_(d, "currentdate :value \"ge\" \"date\" \"2024-01-01\"",
	      "currentdate is now");
	gmtime_r(&now, &tm);
	strftime(want, sizeof(want), "%Y", &tm);
	snprintf(buf, sizeof(buf), "currentdate :zone \"+0000\" :matches "
		 "\"year\" [\"%s\", \"%04d\"]", want, tm.tm_year + 1900 + 1);
	TRUE_(d, buf, "currentdate :zone year");
	TRUE_(d, "currentdate :zone \"+0000\" \"zone\" \"+0000\"",
	      "currentdate zone part");
	CERR(d, "date :zone \"+0100\" :originalzone \"date\" \"year\" \"1\"",
	     ":zone with :originalzone");
	CERR(d, "currentdate :originalzone \"year\" \"2025\"",
	     "currentdate has no :originalzone");
	CERR(d, "date \"date\" \"year\"", "date needs a key list");
	CERR(d, "date :zone 5 \"date\" \"year\" \"1\"",
	     ":zone takes a string");
	CERR("\"relational\"", "date \"date\" \"year\" \"2025\"",
	     "date without require");
	TRUE_(d, "date :zone \"bogus\" \"date\" \"year\" \"2025\"",
	      "an invalid constant zone is a warning only");
}

static void test_index(void)
{
	const char *ix = "\"index\", \"date\"";

	TRUE_(ix, "header :index 2 :contains \"received\" \"second\"",
	      ":index 2 picks the second field");
	FALSE_(ix, "header :index 1 :contains \"received\" \"second\"",
	       ":index 1 is the first field");
	TRUE_(ix, "header :index 1 :last :contains \"received\" \"second\"",
	      ":last counts from the bottom");
	FALSE_(ix, "header :index 3 :contains \"received\" \"example\"",
	       "an index past the end matches nothing");
	TRUE_(ix, "address :index 1 :localpart \"cc\" \"mary\"",
	      "address :index picks a field; all its addresses count");
	FALSE_(ix, "address :index 2 :localpart \"cc\" \"mary\"",
	       "address :index counts fields, not addresses");
	TRUE_(ix, "date :index 2 :originalzone \"received\" \"zone\" "
	      "\"-0500\"", "date :index reads the second Received");
	TRUE_(ix, "date :index 1 :last :zone \"+0000\" \"received\" \"date\" "
	      "\"2025-03-10\"", "date :index :last");
	CERR(ix, "header :last :contains \"received\" \"x\"",
	     ":last without :index");
	CERR(ix, "header :index 0 :contains \"received\" \"x\"",
	     ":index 0");
	CERR(ix, "header :index \"1\" :contains \"received\" \"x\"",
	     ":index takes a number");
	CERR("\"date\"", "header :index 1 \"received\" \"x\"",
	     ":index without require");
}

/* spam - run spamtest script text with the given settings */
static const char *spam(const char *const *settings, const char *test)
{
	static char script[1024];
	struct sl_err err;
	size_t i;
	const char *r;

	test_cfg = config_new();
	for (i = 0; settings[i] != NULL; i += 2)
		if (config_set(test_cfg, settings[i], settings[i + 1], "test",
			       &err) < 0)
			diag("config %s: %s", settings[i], err.text);
	snprintf(script, sizeof(script),
		 "require [\"fileinto\", \"relational\", "
		 "\"comparator-i;ascii-numeric\", \"spamtestplus\", "
		 "\"virustest\"];\nif %s { fileinto \"yes\"; }\n", test);
	r = run("+spamtest +spamtestplus +virustest", script, msg_rfc);
	config_free(&test_cfg);
	return r;
}

static void test_spamtest(void)
{
	static const char *const score[] = {
		"sieve_spamtest_status_type", "score",
		"sieve_spamtest_status_header",
		"X-Spam-Score: [[:alnum:]]+, score=(-?[[:digit:]]+\\.[[:digit:]])",
		"sieve_spamtest_max_value", "5.0", NULL
	};
	static const char *const maxhdr[] = {
		"sieve_spamtest_status_type", "score",
		"sieve_spamtest_status_header",
		"X-Spam-Score: score=(-?[[:digit:]]+\\.[[:digit:]])",
		"sieve_spamtest_max_header",
		"X-Spam-Score: required=([[:digit:]]+\\.[[:digit:]])", NULL
	};
	static const char *const text[] = {
		"sieve_spamtest_status_type", "text",
		"sieve_spamtest_status_header", "X-Spam-Status",
		"sieve_spamtest_text_value1", "No",
		"sieve_spamtest_text_value10", "Yes",
		"sieve_virustest_status_type", "text",
		"sieve_virustest_status_header",
		"X-Virus-Scan: Found to be (.+)\\.",
		"sieve_virustest_text_value1", "clean",
		"sieve_virustest_text_value5", "infected", NULL
	};
	static const char *const stars[] = {
		"sieve_spamtest_status_type", "strlen",
		"sieve_spamtest_status_header", "X-Spam-Stars",
		"sieve_spamtest_max_value", "5", NULL
	};
	static const char *const missing[] = {
		"sieve_spamtest_status_header", "X-No-Such-Header",
		"sieve_spamtest_max_value", "5", NULL
	};
	static const char *const none[] = { NULL };

	/* 3.2 of 5.0 is 64%: 1 + 0.64 * 9 = 6.76 -> 6 */
	is_str(spam(score, "spamtest :value \"eq\" :comparator "
		    "\"i;ascii-numeric\" \"6\""), "fileinto:yes",
	       "spamtest score scaled to 1..10");
	is_str(spam(score, "spamtest :percent :value \"eq\" :comparator "
		    "\"i;ascii-numeric\" \"64\""), "fileinto:yes",
	       "spamtestplus :percent");
	is_str(spam(score, "spamtest :value \"ge\" :comparator "
		    "\"i;ascii-numeric\" \"7\""), "keep", "spamtest ge 7 false");
	is_str(spam(maxhdr, "spamtest :percent :value \"eq\" :comparator "
		    "\"i;ascii-numeric\" \"64\""), "fileinto:yes",
	       "maximum from sieve_spamtest_max_header");
	is_str(spam(text, "spamtest \"10\""), "fileinto:yes",
	       "spamtest text Yes is 10");
	is_str(spam(text, "virustest \"1\""), "fileinto:yes",
	       "virustest text clean is 1");
	is_str(spam(stars, "spamtest :percent \"100\""), "fileinto:yes",
	       "strlen over the maximum is 100 percent");
	is_str(spam(missing, "spamtest \"0\""), "fileinto:yes",
	       "no status header in the message: 0");
	is_str(spam(none, "allof(spamtest \"0\", virustest \"0\")"),
	       "fileinto:yes", "not configured: 0");
	test_cfg = NULL;
	is_str(run("-spamtest", "require \"spamtest\";\n"
		   "if spamtest \"0\" { discard; }\n", msg_rfc),
	       "compile-error", "-x -spamtest turns spamtest off");
	is_str(run(NULL, "require \"virustest\";\n"
		   "if virustest \"0\" { discard; }\n", msg_rfc),
	       "discard", "virustest is on by default; unconfigured it is 0");
	is_str(run("+spamtest", "require \"spamtest\";\n"
		   "if spamtest :percent \"0\" { discard; }\n", msg_rfc),
	       "compile-error", ":percent needs spamtestplus");
	is_str(run("+spamtest +spamtestplus", "require \"spamtestplus\";\n"
		   "if spamtest :percent \"0\" { discard; }\n", msg_rfc),
	       "discard", "spamtestplus implies spamtest");
	is_str(run("+virustest", "require \"virustest\";\n"
		   "if virustest :percent \"0\" { discard; }\n", msg_rfc),
	       "compile-error", "virustest has no :percent");
}

int main(void)
{
	test_numeric_comparator();
	test_unicode_comparator();
	test_relational();
	test_numeric_scripts();
	test_unicode_scripts();
	test_regex();
	test_date();
	test_index();
	test_spamtest();
	return done_testing();
}
