/* test-sieve-vacation - reject/ereject (RFC 5429), vacation (RFC 5230)
 * and vacation-seconds (RFC 6131), enotify with mailto (RFC 5435/5436),
 * duplicate (RFC 7352) and environment (RFC 5183), through the public
 * API: compile a script, run it on a fixed message, look at the actions.
 * Expected values were checked against Pigeonhole's sieve-test where it
 * has the extension. */
#include "auto-config.h"

#include "t/tap.h"

#include "lib/buf.h"
#include "lib/config.h"
#include "lib/message.h"
#include "lib/pool.h"
#include "lib/spool.h"
#include "sieve/sieve.h"
#include "sieve/ext-duplicate.h"
#include "sieve/ext-enotify.h"

#include <string.h>

static const char msg_text[] =
	"Return-Path: <alice@example.com>\n"
	"From: Alice Example <alice@example.com>\n"
	"To: Bob Example <bob@example.org>\n"
	"Subject: Quarterly report for Q1\n"
	"Date: Mon, 10 Mar 2025 09:14:58 +0100\n"
	"Message-ID: <20250310091458.1234@example.com>\n"
	"X-Empty: \n"
	"\n"
	"Hello Bob.\n";

/* the duplicate_check stub: answers dup_answer, remembers its args */
static int dup_answer, dup_calls;
static char dup_handle[256], dup_id[256];
static uint64_t dup_period;

static int dup_check(void *ctx, const char *handle, const char *id,
		     uint64_t period, struct sl_err *err)
{
	(void)ctx;
	dup_calls++;
	snprintf(dup_handle, sizeof(dup_handle), "%s", handle);
	snprintf(dup_id, sizeof(dup_id), "%s", id);
	dup_period = period;
	if (dup_answer < 0)
		return err_set(err, ERR_TEMP, "db locked");
	return dup_answer;
}

struct fixture {
	struct pool *pool;
	struct spool *spool;
	struct message *msg;
	struct config *cfg;
	struct sieve_engine *engine;
	struct sieve_diags diags;
	struct sieve_result *result;
	const char *env_from;
	int exec_ret;
	struct sl_err err;
};

static struct fixture fx;

/* setup - the message, a config, an engine */
static void setup(void)
{
	struct sl_err err;
	struct message_limits lim;

	memset(&fx, 0, sizeof(fx));
	fx.pool = pool_new(8192);
	fx.spool = spool_new(1 << 20, "/tmp");
	if (spool_write(fx.spool, msg_text, sizeof(msg_text) - 1, &err) < 0)
		diag("spool_write: %s", err.text);
	message_limits_default(&lim);
	fx.msg = message_parse(fx.pool, &lim, msg_text, sizeof(msg_text) - 1);
	fx.cfg = config_new();
	fx.engine = sieve_engine_new(fx.cfg, NULL, &err);
	if (fx.engine == NULL)
		diag("engine: %s", err.text);
}

static void teardown(void)
{
	sieve_engine_free(&fx.engine);
	config_free(&fx.cfg);
	spool_free(&fx.spool);
	pool_free(&fx.pool);
}

/* set - a config key (the engine reads it at run time) */
static void set(const char *key, const char *value)
{
	struct sl_err err;

	if (config_set(fx.cfg, key, value, "test", &err) < 0)
		diag("config_set %s: %s", key, err.text);
}

/* run - compile and execute script; returns 0 ok, 1 compile error, 2
 * runtime error. The result is in fx.result. */
static int run(const char *script)
{
	struct sieve_message m;
	struct sieve_env env;
	struct sieve_host host;
	struct sieve_exec_params p;
	struct sieve_script *s;
	struct sl_err err;

	memset(&m, 0, sizeof(m));
	memset(&env, 0, sizeof(env));
	memset(&host, 0, sizeof(host));
	memset(&p, 0, sizeof(p));
	sieve_diags_init(&fx.diags, fx.pool);
	fx.result = NULL;
	s = sieve_compile_buffer(fx.engine, fx.pool, "t", script,
				 strlen(script), &fx.diags, &err);
	if (s == NULL)
		return 1;
	m.msg = fx.msg;
	m.spool = fx.spool;
	m.size = sizeof(msg_text) - 1;
	m.env_from = fx.env_from != NULL ? fx.env_from : "alice@example.com";
	m.env_to = "bob@example.org";
	m.id = "<20250310091458.1234@example.com>";
	env.domain = "example.org";
	env.host = "mx.example.org";
	env.location = "MDA";
	env.phase = "during";
	env.name = "sluice";
	env.version = "1.2.3";
	host.duplicate_check = dup_check;
	p.msg = &m;
	p.env = &env;
	p.host = &host;
	p.dry_run = 1;
	fx.result = sieve_result_new(fx.pool);
	fx.exec_ret = sieve_execute(s, &p, fx.result, &fx.err);
	if (sieve_result_finish(fx.result, &err) < 0 || fx.exec_ret < 0)
		return 2;
	return sieve_result_status(fx.result) == SIEVE_OK ? 0 : 2;
}

/* nth - the n-th action of the result (0-based), or NULL */
static const struct sieve_action *nth(size_t n)
{
	const struct sieve_action *a = sieve_result_actions(fx.result);

	while (a != NULL && n-- > 0)
		a = a->next;
	return a;
}

static size_t count(void)
{
	const struct sieve_action *a;
	size_t n = 0;

	for (a = sieve_result_actions(fx.result); a != NULL; a = a->next)
		n++;
	return n;
}

/* only_implicit_keep - the result of a runtime error */
static int only_implicit_keep(void)
{
	return count() == 1 && nth(0)->kind == SIEVE_ACT_KEEP &&
	       nth(0)->implicit;
}

/* json - the result as sieve-json.md */
static const char *json(void)
{
	struct buf b = BUF_INIT;
	const char *s;

	sieve_json_result(&b, fx.result);
	s = pool_strdup(fx.pool, buf_cstr(&b));
	buf_free(&b);
	return s;
}

static int has_warning(void)
{
	return fx.diags.n_warnings > 0;
}

static void test_reject(void)
{
	is_int(run("require \"reject\"; reject \"go away\";"), 0, "reject");
	ok(count() == 1 && nth(0)->kind == SIEVE_ACT_REJECT &&
	   strcmp(nth(0)->reason, "go away") == 0 && !nth(0)->extended,
	   "reject: one action, reason, not extended, keep cancelled");
	ok(strstr(json(), "\"reason\":\"go away\",\"extended\":false") != NULL,
	   "reject: JSON fields");
	is_int(run("require \"ereject\"; ereject \"no\";"), 0, "ereject");
	ok(count() == 1 && nth(0)->extended, "ereject: extended");
	ok(strstr(json(), "\"extended\":true") != NULL, "ereject: JSON");

	is_int(run("require [\"reject\",\"fileinto\"]; reject \"a\"; "
		   "fileinto \"x\";"), 2, "reject then fileinto: runtime error");
	ok(only_implicit_keep(), "reject+fileinto: only the implicit keep");
	is_int(run("require [\"reject\",\"fileinto\"]; fileinto \"x\"; "
		   "reject \"a\";"), 2, "fileinto then reject: runtime error");
	is_int(run("require \"reject\"; reject \"a\"; keep;"), 2,
	       "reject with keep: runtime error");
	is_int(run("require \"reject\"; redirect \"a@b.example\"; "
		   "reject \"a\";"), 2, "redirect with reject: runtime error");
	is_int(run("require [\"reject\",\"copy\"]; reject \"a\"; "
		   "redirect :copy \"a@b.example\";"), 2,
	       "reject with redirect :copy: runtime error");
	is_int(run("require \"reject\"; reject \"a\"; reject \"b\";"), 2,
	       "two rejects: runtime error (RFC 5429 2.1)");
	is_int(run("require [\"reject\",\"ereject\"]; reject \"a\"; "
		   "ereject \"b\";"), 2, "reject and ereject: runtime error");
	is_int(run("require [\"reject\",\"vacation\"]; reject \"a\"; "
		   "vacation \"x\";"), 2, "reject then vacation: runtime error");
	is_int(run("require [\"reject\",\"vacation\"]; vacation \"x\"; "
		   "reject \"a\";"), 2, "vacation then reject: runtime error");
	is_int(run("require \"reject\"; reject \"a\"; discard;"), 0,
	       "reject with discard is fine");
	is_int((int)count(), 2, "reject+discard: two actions, no keep");

	is_int(run("reject \"a\";"), 1, "reject without require");
	is_int(run("require \"reject\"; ereject \"a\";"), 1,
	       "ereject needs require \"ereject\"");
	is_int(run("require \"reject\"; reject;"), 1, "reject: no reason");
	is_int(run("require \"reject\"; reject [\"a\",\"b\"];"), 1,
	       "reject: a list is not a string");
	is_int(run("require \"reject\"; reject \"a\" \"b\";"), 1,
	       "reject: two reasons");
	is_int(run("require \"reject\"; reject 5;"), 1, "reject: a number");
}

static void test_vacation_basic(void)
{
	const struct sieve_action *a;

	is_int(run("require \"vacation\"; vacation \"I am away\";"), 0,
	       "vacation");
	is_int((int)count(), 2, "vacation keeps the implicit keep");
	a = nth(0);
	ok(a != NULL && a->kind == SIEVE_ACT_VACATION, "vacation action");
	if (a == NULL)
		return;
	is_int((int)a->seconds, 7 * 86400, "default period 7d");
	is_str(a->handle, "I am away<default-subject><default-from><NO-MIME>",
	       "default handle from the arguments (RFC 5230 4.2)");
	is_str(a->to, "alice@example.com", "reply goes to the envelope sender");
	is_str(a->reason, "I am away", "reason");
	ok(a->subject == NULL && a->from == NULL && !a->mime,
	   "no subject/from/mime given");
	ok(nth(1)->kind == SIEVE_ACT_KEEP && nth(1)->implicit,
	   "implicit keep last");
	ok(strstr(json(), "\"handle\"") == NULL,
	   "JSON: default handle not shown");
	ok(strstr(json(), "\"seconds\":604800") != NULL, "JSON: seconds");

	is_int(run("require \"vacation\"; vacation :days 23 :subject \"Gone\" "
		   ":from \"Bob <bob@example.org>\" :handle \"h1\" :mime "
		   ":addresses [\"bob@example.org\", \"not an address\", "
		   "\"b@example.net\"] \"Content-Type: text/plain\r\n\r\nx\";"),
	       0, "vacation with every tag");
	a = nth(0);
	if (a == NULL)
		return;
	is_int((int)a->seconds, 23 * 86400, ":days 23");
	is_str(a->subject, "Gone", ":subject");
	is_str(a->from, "Bob <bob@example.org>", ":from");
	is_str(a->handle, "h1", ":handle");
	ok(a->mime, ":mime");
	is_int((int)a->n_addresses, 2, ":addresses: invalid item dropped");
	ok(a->n_addresses == 2 && strcmp(a->addresses[1], "b@example.net") == 0,
	   ":addresses kept in order");
	ok(has_warning(), "invalid constant :addresses item: a warning");
	ok(strstr(json(), "\"handle\":\"h1\"") != NULL &&
	   strstr(json(), "\"subject\":\"Gone\"") != NULL,
	   "JSON: given handle and subject shown");

	is_int(run("require \"vacation\"; vacation :subject \"S\" "
		   ":from \"me@example.org\" :mime \"R\";"), 0,
	       "default handle with subject, from, mime");
	if (nth(0) != NULL)
		is_str(nth(0)->handle, "RSme@example.org<MIME>",
		       "default handle: reason subject from <MIME>");
}

static void test_vacation_period(void)
{
	is_int(run("require \"vacation\"; vacation :days 0 \"x\";"), 0,
	       ":days 0 compiles");
	ok(has_warning(), ":days 0: warning, under the minimum");
	if (nth(0) != NULL)
		is_int((int)nth(0)->seconds, 86400, ":days 0 -> 1 day");
	is_int(run("require \"vacation\"; vacation :days 1000 \"x\";"), 0,
	       ":days 1000");
	if (nth(0) != NULL)
		ok(nth(0)->seconds == 1000ULL * 86400,
		   "no maximum by default (Pigeonhole: max_period 0)");
	set("sieve_vacation_max_period", "30d");
	is_int(run("require \"vacation\"; vacation :days 100 \"x\";"), 0,
	       ":days 100 with max 30d");
	if (nth(0) != NULL)
		is_int((int)nth(0)->seconds, 30 * 86400, "held to the maximum");
	set("sieve_vacation_max_period", "0");
	set("sieve_vacation_default_period", "2d");
	run("require \"vacation\"; vacation \"x\";");
	if (nth(0) != NULL)
		is_int((int)nth(0)->seconds, 2 * 86400,
		       "sieve_vacation_default_period");
	set("sieve_vacation_default_period", "7d");

	is_int(run("require \"vacation-seconds\"; vacation :seconds 100 "
		   "\"x\";"), 0, "vacation-seconds implies vacation");
	if (nth(0) != NULL)
		is_int((int)nth(0)->seconds, 86400,
		       ":seconds 100 raised to the 1d minimum");
	set("sieve_vacation_min_period", "0");
	run("require [\"vacation\",\"vacation-seconds\"]; "
	    "vacation :seconds 0 \"x\";");
	if (nth(0) != NULL)
		is_int((int)nth(0)->seconds, 0,
		       ":seconds 0 with min 0: reply every time (RFC 6131)");
	run("require [\"vacation\",\"vacation-seconds\"]; "
	    "vacation :seconds 300 \"x\";");
	if (nth(0) != NULL)
		is_int((int)nth(0)->seconds, 300, ":seconds 300");
	set("sieve_vacation_min_period", "1d");

	is_int(run("require \"vacation\"; vacation :seconds 5 \"x\";"), 1,
	       ":seconds needs vacation-seconds");
	is_int(run("require \"vacation-seconds\"; vacation :days 1 "
		   ":seconds 5 \"x\";"), 1, ":days with :seconds: error");
	is_int(run("require \"vacation\"; vacation :days \"1\" \"x\";"), 1,
	       ":days takes a number");
	is_int(run("require \"vacation\"; vacation :days 2 :days 3 \"x\";"),
	       1, "duplicate :days");
}

static void test_vacation_errors(void)
{
	is_int(run("vacation \"x\";"), 1, "vacation without require");
	is_int(run("require \"vacation\"; vacation;"), 1, "no reason");
	is_int(run("require \"vacation\"; vacation :subject [\"a\",\"b\"] "
		   "\"x\";"), 1, ":subject takes a string");
	is_int(run("require \"vacation\"; vacation :from \"not an address\" "
		   "\"x\";"), 1, "invalid :from");
	is_int(run("require \"vacation\"; vacation :handle \"x\";"), 1,
	       ":handle without a reason");
	is_int(run("require \"vacation\"; vacation :bogus \"x\";"), 1,
	       "unknown tag");
	is_int(run("require \"vacation\"; vacation \"a\"; vacation \"b\";"),
	       2, "two vacations: runtime error");
	ok(only_implicit_keep(), "two vacations: only the implicit keep");
	is_int(run("require [\"vacation\",\"fileinto\"]; vacation \"x\"; "
		   "fileinto \"f\";"), 0, "vacation with fileinto");
	is_int((int)count(), 2, "vacation + fileinto, keep cancelled");

	fx.env_from = "";
	is_int(run("require \"vacation\"; vacation \"x\";"), 0,
	       "vacation with the null sender still compiles and runs");
	ok(nth(0) != NULL && strstr(json(), "\"to\"") == NULL,
	   "null sender: no \"to\" (core/ sends nothing)");
	fx.env_from = NULL;
}

static void test_mailto(void)
{
	struct sieve_mailto m;
	const char *why = NULL;
	const char *u = "mailto:a@example.com,%62@example.net?cc=c@example.org"
			"&subject=Hi%20there&body=line&from=evil@x.example"
			"&X-Tag=yes";

	is_int(sieve_mailto_parse(fx.pool, u, strlen(u), &m, &why), 0,
	       "mailto parses");
	is_int((int)m.n_to, 3, "three recipients (path and cc)");
	ok(m.n_to == 3 && strcmp(m.to[1], "b@example.net") == 0,
	   "percent-decoded recipient");
	is_str(m.subject, "Hi there", "subject");
	is_str(m.body, "line", "body");
	ok(m.n_headers == 1 && strcmp(m.headers[0].name, "X-Tag") == 0,
	   "other fields kept");
	is_int((int)m.n_ignored, 1, "From in the URI is ignored");
	u = "MAILTO:a@example.com?subject=%zz";
	is_int(sieve_mailto_parse(fx.pool, u, strlen(u), &m, &why), -1,
	       "bad percent escape");
	u = "mailto:nobody";
	is_int(sieve_mailto_parse(fx.pool, u, strlen(u), &m, &why), -1,
	       "recipient without domain");
	u = "mailto:";
	is_int(sieve_mailto_parse(fx.pool, u, strlen(u), &m, &why), 0,
	       "empty mailto parses");
	is_int((int)m.n_to, 0, "with no recipients");
}

static void test_enotify(void)
{
	const struct sieve_action *a;

	is_int(run("require \"enotify\"; notify :importance \"1\" :message "
		   "\"This is probably very important\" "
		   "\"mailto:alice@example.com\";"), 0, "RFC 5435 example");
	a = nth(0);
	ok(a != NULL && a->kind == SIEVE_ACT_NOTIFY, "notify action");
	if (a == NULL)
		return;
	is_str(a->method, "mailto:alice@example.com", "method");
	is_str(a->importance, "1", ":importance");
	is_str(a->message, "This is probably very important", ":message");
	is_int((int)count(), 2, "notify keeps the implicit keep");
	ok(strstr(json(), "\"method\":\"mailto:alice@example.com\"") != NULL,
	   "JSON method");
	run("require \"enotify\"; notify :from \"me@example.org\" "
	    ":options [\"k=v\"] \"mailto:a@example.com\";");
	a = nth(0);
	ok(a != NULL && strcmp(a->importance, "2") == 0 &&
	   strcmp(a->from, "me@example.org") == 0 && a->n_options == 1,
	   "default importance 2, :from, :options");
	is_int(run("require \"enotify\"; notify \"mailto:a@example.com\"; "
		   "notify \"mailto:a@example.com\";"), 0, "notify twice");
	is_int((int)count(), 2, "the same notification once");
	is_int(run("require \"enotify\"; notify \"mailto:\";"), 0,
	       "mailto without recipients compiles");
	ok(has_warning(), "... with a warning");

	is_int(run("require \"enotify\"; notify \"xmpp:a@example.com\";"), 1,
	       "unsupported method: compile error");
	is_int(run("require \"enotify\"; notify \"no scheme\";"), 1,
	       "not a URI");
	is_int(run("require \"enotify\"; notify :importance \"4\" "
		   "\"mailto:a@example.com\";"), 1, ":importance 4");
	is_int(run("require \"enotify\"; notify :options [\"a\"] "
		   "\"mailto:a@example.com\";"), 1, "option without =");
	is_int(run("require \"enotify\"; notify :from \"x\" "
		   "\"mailto:a@example.com\";"), 1, "invalid :from");
	is_int(run("notify \"mailto:a@example.com\";"), 1,
	       "notify without require");
	is_int(run("require \"enotify\"; notify;"), 1, "notify without URI");

	run("require \"enotify\"; if valid_notify_method "
	    "[\"mailto:a@example.com\", \"MAILTO:b@example.com\"] "
	    "{ discard; }");
	ok(nth(0) != NULL && nth(0)->kind == SIEVE_ACT_DISCARD,
	   "valid_notify_method: mailto URIs are valid");
	run("require \"enotify\"; if valid_notify_method "
	    "[\"mailto:a@example.com\", \"xmpp:b@example.com\"] "
	    "{ discard; }");
	ok(nth(0) != NULL && nth(0)->kind == SIEVE_ACT_KEEP,
	   "valid_notify_method: false when one is unsupported");
	run("require \"enotify\"; if notify_method_capability "
	    "\"mailto:a@example.com\" \"Online\" \"maybe\" { discard; }");
	ok(nth(0) != NULL && nth(0)->kind == SIEVE_ACT_DISCARD,
	   "notify_method_capability online = maybe");
	run("require \"enotify\"; if notify_method_capability "
	    "\"mailto:a@example.com\" \"online\" [\"yes\",\"no\"] "
	    "{ discard; }");
	ok(nth(0) != NULL && nth(0)->kind == SIEVE_ACT_KEEP,
	   "notify_method_capability: not yes/no");
	run("require \"enotify\"; if notify_method_capability "
	    "\"xmpp:a@example.com\" \"online\" \"maybe\" { discard; }");
	ok(nth(0) != NULL && nth(0)->kind == SIEVE_ACT_KEEP,
	   "notify_method_capability: unsupported URI is false");
	is_int(run("require \"enotify\"; if notify_method_capability "
		   "\"mailto:a@example.com\" \"online\" { discard; }"), 1,
	       "notify_method_capability: missing key list");
}

/* mark - the duplicate mark in the result, or NULL */
static const struct sieve_duplicate_mark *mark(void)
{
	const struct sieve_action *a;

	for (a = sieve_result_actions(fx.result); a != NULL; a = a->next)
		if (sieve_duplicate_mark_of(a) != NULL)
			return sieve_duplicate_mark_of(a);
	return NULL;
}

static void test_duplicate(void)
{
	const struct sieve_duplicate_mark *m;

	dup_answer = 0;
	dup_calls = 0;
	is_int(run("require \"duplicate\"; if duplicate { discard; }"), 0,
	       "duplicate");
	is_int(dup_calls, 1, "duplicate_check called");
	is_str(dup_id, "<20250310091458.1234@example.com>",
	       "default id: the Message-ID");
	is_str(dup_handle, "", "no handle: \"\"");
	is_int((int)dup_period, 12 * 3600, "default period 12h");
	m = mark();
	ok(m != NULL && strcmp(m->id, dup_id) == 0 && !m->last &&
	   m->seconds == 12 * 3600, "new id: marked for after delivery");
	ok(nth(0)->kind == SIEVE_ACT_KEEP || sieve_duplicate_mark_of(nth(0)),
	   "not a duplicate: the message is kept");
	ok(!sieve_result_keep_cancelled(fx.result),
	   "the mark does not cancel the implicit keep");

	dup_answer = 1;
	run("require \"duplicate\"; if duplicate { discard; }");
	ok(nth(0) != NULL && nth(0)->kind == SIEVE_ACT_DISCARD,
	   "seen: duplicate is true");
	ok(mark() == NULL, "seen without :last: not marked again");
	run("require \"duplicate\"; if duplicate :last { discard; }");
	m = mark();
	ok(m != NULL && m->last, "seen with :last: marked again");

	dup_answer = 0;
	run("require \"duplicate\"; if duplicate :header \"subject\" "
	    ":handle \"h\" :seconds 10 { discard; }");
	is_str(dup_id, "Quarterly report for Q1", ":header value is the id");
	is_str(dup_handle, "h", ":handle");
	is_int((int)dup_period, 10, ":seconds");
	run("require \"duplicate\"; if duplicate :uniqueid \"abc\" "
	    ":seconds 1000000 { discard; }");
	is_str(dup_id, "abc", ":uniqueid");
	is_int((int)dup_period, 2 * 86400, ":seconds held to 2d");
	dup_calls = 0;
	run("require \"duplicate\"; if duplicate :header \"x-missing\" "
	    "{ discard; }");
	ok(dup_calls == 0 && nth(0)->kind == SIEVE_ACT_KEEP && mark() == NULL,
	   "absent header: false, nothing tracked");
	run("require \"duplicate\"; if duplicate :header \"x-empty\" "
	    "{ discard; }");
	ok(dup_calls == 0 && mark() == NULL, "empty header: false");
	run("require \"duplicate\"; if duplicate { keep; } "
	    "if duplicate { keep; }");
	is_int((int)count(), 2, "two identical tests: one mark, one keep");

	dup_answer = -1;
	is_int(run("require \"duplicate\"; if duplicate { discard; }"), 2,
	       "a failing database: an error");
	is_int(fx.err.cls, ERR_TEMP, "... temporary");
	dup_answer = 0;

	is_int(run("require \"duplicate\"; if duplicate :header \"subject\" "
		   ":uniqueid \"x\" { discard; }"), 1,
	       ":header with :uniqueid: error");
	is_int(run("require \"duplicate\"; if duplicate :header \"a b\" "
		   "{ discard; }"), 1, "invalid header name");
	is_int(run("require \"duplicate\"; if duplicate :seconds \"1\" "
		   "{ discard; }"), 1, ":seconds takes a number");
	is_int(run("require \"duplicate\"; if duplicate \"x\" { discard; }"),
	       1, "no positional arguments");
	is_int(run("if duplicate { discard; }"), 1,
	       "duplicate without require");
}

static void test_environment(void)
{
	run("require \"environment\"; if environment \"name\" \"sluice\" "
	    "{ discard; }");
	ok(nth(0)->kind == SIEVE_ACT_DISCARD, "environment name");
	run("require \"environment\"; if environment :matches \"version\" "
	    "\"1.*\" { discard; }");
	ok(nth(0)->kind == SIEVE_ACT_DISCARD, "environment version :matches");
	run("require \"environment\"; if allof (environment \"domain\" "
	    "\"EXAMPLE.org\", environment \"host\" \"mx.example.org\", "
	    "environment \"location\" \"MDA\", environment \"phase\" "
	    "\"during\") { discard; }");
	ok(nth(0)->kind == SIEVE_ACT_DISCARD,
	   "domain (case-insensitive match), host, location, phase");
	run("require \"environment\"; if environment :contains "
	    "\"remote-ip\" \"\" { discard; }");
	ok(nth(0)->kind == SIEVE_ACT_KEEP, "unknown remote-ip: false");
	run("require \"environment\"; if environment :contains \"foo\" \"\" "
	    "{ discard; }");
	ok(nth(0)->kind == SIEVE_ACT_KEEP, "unknown item: false");
	is_int(run("if environment \"name\" \"x\" { discard; }"), 1,
	       "environment without require");
	is_int(run("require \"environment\"; if environment \"name\" "
		   "{ discard; }"), 1, "environment without keys");
}


/* test_with_variables - dynamic arguments (RFC 5229 with each RFC) */
static void test_with_variables(void)
{
	run("require [\"vacation\",\"variables\"]; "
	    "if header :matches \"subject\" \"*\" { "
	    "vacation :subject \"Automatic response to: ${1}\" "
	    "\"I'm away\"; }");
	ok(nth(0) != NULL && nth(0)->subject != NULL &&
	   strcmp(nth(0)->subject,
		  "Automatic response to: Quarterly report for Q1") == 0,
	   "RFC 5230 4.3 example: :subject from a match variable");
	ok(nth(0) != NULL && strcmp(nth(0)->handle, "I'm away"
		"Automatic response to: ${1}<default-from><NO-MIME>") == 0,
	   "default handle from the arguments as written (Pigeonhole)");
	is_int(run("require [\"enotify\",\"variables\"]; set \"m\" "
		   "\"xmpp:a@example.com\"; notify \"${m}\";"), 2,
	       "notify: unsupported method at run time: runtime error");
	is_int(run("require [\"enotify\",\"variables\"]; set \"i\" \"7\"; "
		   "notify :importance \"${i}\" \"mailto:a@example.com\";"),
	       2, "notify: bad :importance at run time: runtime error");
	is_int(run("require [\"enotify\",\"variables\"]; set :encodeurl "
		   "\"b\" \"a b&c\"; notify \"mailto:a@example.com?body=${b}\";"),
	       0, ":encodeurl with enotify");
	ok(nth(0) != NULL && nth(0)->method != NULL &&
	   strcmp(nth(0)->method, "mailto:a@example.com?body=a%20b%26c") == 0,
	   ":encodeurl percent-encodes the value (RFC 5435 6)");
	dup_answer = 0;
	run("require [\"duplicate\",\"variables\"]; set \"u\" \"id-42\"; "
	    "if duplicate :uniqueid \"${u}\" :handle \"${u}h\" { discard; }");
	ok(strcmp(dup_id, "id-42") == 0 && strcmp(dup_handle, "id-42h") == 0,
	   "duplicate: expanded :uniqueid and :handle");
	run("require [\"environment\",\"variables\",\"fileinto\"]; "
	    "if environment :matches \"version\" \"*.*\" { "
	    "fileinto \"v${1}\"; }");
	ok(nth(0) != NULL && nth(0)->mailbox != NULL &&
	   strcmp(nth(0)->mailbox, "v1") == 0, "environment sets match values");
}

int main(void)
{
	setup();
	if (fx.engine == NULL) {
		ok(0, "engine");
		return done_testing();
	}
	test_reject();
	test_vacation_basic();
	test_vacation_period();
	test_vacation_errors();
	test_mailto();
	test_enotify();
	test_duplicate();
	test_environment();
	test_with_variables();
	teardown();
	return done_testing();
}
