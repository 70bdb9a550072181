/* test-sieve-body - body (RFC 5173), mime/foreverypart/extracttext
 * (RFC 5703) and editheader (RFC 5293) through compiled scripts run
 * against messages held in a spool: the RFC and Pigeonhole test-suite
 * cases, messages of t/data/sieve-body/ and of the corpus
 * ($SLUICE_CORPUS). A script reports what it found with fileinto, so
 * each case compares the action list ("fileinto:A keep"), "CE:<first
 * compile error>" or "RE:<runtime error>"; editheader cases also compare
 * the stored header ("H:Name=value|..."). The expected results were
 * checked against Pigeonhole's sieve-test where it runs the same case. */
#include "auto-config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/buf.h"
#include "lib/config.h"
#include "lib/message.h"
#include "lib/pool.h"
#include "lib/spool.h"
#include "sieve/ext-body.h"
#include "sieve/ext-editheader.h"
#include "sieve/sieve-ext.h"
#include "sieve/sieve.h"
#include "t/tap.h"

static struct config *test_cfg;

/* run - compile script, execute it on msg: actions, "CE:", "RE:"; with
 * headers, the stored header after " H:" when the script edited it */
static const char *run_msg(const char *script, const char *msg, size_t len,
			   int headers)
{
	static char out[16384];
	struct pool *pool = pool_new(0);
	struct sl_err err;
	struct sieve_engine *e = sieve_engine_new(test_cfg, NULL, &err);
	struct spool *sp = spool_new(1024 * 1024, "/tmp");
	struct sieve_diags diags;
	struct sieve_script *s;
	struct sieve_message m;
	struct sieve_exec_params p;
	struct sieve_result *r;
	const struct sieve_action *a;
	const struct sieve_header_out *h;
	struct message_limits lim;
	struct buf b = BUF_INIT;
	size_t n = 0;

	out[0] = '\0';
	if (e == NULL) {
		snprintf(out, sizeof(out), "engine: %s", err.text);
		goto done;
	}
	err_clear(&err);
	sieve_diags_init(&diags, pool);
	s = sieve_compile_buffer(e, pool, "test", script, strlen(script),
				 &diags, &err);
	if (s == NULL) {
		const struct sieve_diag *d = sieve_diags_first_error(&diags);

		snprintf(out, sizeof(out), "CE:%s",
			 d != NULL ? d->message : err.text);
		goto done;
	}
	if (spool_write(sp, msg, len, &err) < 0) {
		snprintf(out, sizeof(out), "spool: %s", err.text);
		goto done;
	}
	message_limits_default(&lim);
	memset(&m, 0, sizeof(m));
	m.msg = message_parse(pool, &lim, msg, len);
	m.spool = sp;
	m.size = len;
	m.env_from = "sender@example.org";
	m.env_to = "user@example.com";
	memset(&p, 0, sizeof(p));
	p.msg = &m;
	p.dry_run = 1;
	r = sieve_result_new(pool);
	if (sieve_execute(s, &p, r, &err) < 0 ||
	    sieve_result_finish(r, &err) < 0) {
		const char *t = sieve_result_error(r);

		snprintf(out, sizeof(out), "RE:%s", t != NULL ? t : err.text);
		goto done;
	}
	for (a = sieve_result_actions(r); a != NULL; a = a->next) {
		if (b.len > 0)
			buf_append_char(&b, ' ');
		buf_append_str(&b, sieve_action_name(a));
		if (a->mailbox != NULL)
			buf_printf(&b, ":%s", a->mailbox);
	}
	h = sieve_result_headers(r, &n);
	if (headers && h != NULL) {
		buf_append_str(&b, " H:");
		for (size_t i = 0; i < n; i++)
			buf_printf(&b, "%s%s=%.*s", i > 0 ? "|" : "",
				   h[i].name, (int)h[i].value_len,
				   h[i].value);
	}
	snprintf(out, sizeof(out), "%s", b.len ? buf_cstr(&b) : "");
done:
	buf_free(&b);
	spool_free(&sp);
	sieve_engine_free(&e);
	pool_free(&pool);
	return out;
}

static const char *run_str(const char *script, const char *msg)
{
	return run_msg(script, msg, strlen(msg), 0);
}

/* read_file - a whole file into b; 0 or -1 */
static int read_file(const char *dir, const char *rel, struct buf *b)
{
	char path[1024];
	char chunk[4096];
	FILE *f;
	size_t n;

	if (dir == NULL)
		return -1;
	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	f = fopen(path, "rb");
	if (f == NULL)
		return -1;
	buf_reset(b);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		buf_append(b, chunk, n);
	fclose(f);
	return 0;
}

static const char *srcdir(void)
{
	const char *d = getenv("SLUICE_SRCDIR");

	return d != NULL && *d != '\0' ? d : NULL;
}

/* is_run - run script on msg and compare the outcome */
static void is_run(const char *script, const char *msg, const char *want,
		   const char *name)
{
	const char *got = run_str(script, msg);

	is_str(got, want, "%s", name);
}

/* is_file - the same on a file (dir/rel); skipped when absent */
static void is_file(const char *script, const char *dir, const char *rel,
		    const char *want, const char *name)
{
	struct buf b = BUF_INIT;

	if (read_file(dir, rel, &b) < 0) {
		ok(1, "# SKIP %s (no %s)", name, rel);
		buf_free(&b);
		return;
	}
	is_str(run_msg(script, b.data, b.len, 0), want, "%s", name);
	buf_free(&b);
}

/* ce - script fails to compile with an error containing want */
static void ce(const char *script, const char *want, const char *name)
{
	const char *got = run_str(script, "Subject: x\n\nbody\n");
	int r = strncmp(got, "CE:", 3) == 0 && strstr(got, want) != NULL;

	if (!r)
		diag("got '%s', want a compile error with '%s'", got, want);
	ok(r, "%s", name);
}

/* ---- body ---- */

#define B "require [\"body\", \"fileinto\"];\n"
#define BR "require [\"body\", \"fileinto\", \"relational\", " \
	"\"comparator-i;ascii-numeric\"];\n"

static const char simple[] =
	"From: stephan@example.org\n"
	"To: tss@example.net\n"
	"Subject: Test message.\n"
	"\n"
	"Test!\n"
	"\n";

static const char simple_crlf[] =
	"From: stephan@example.org\r\n"
	"Subject: Test message.\r\n"
	"\r\n"
	"Test!\r\n"
	"\r\n";

static const char headonly[] =
	"From: stephan@example.org\n"
	"Subject: No body is here!\n";

static void test_body_basic(void)
{
	/* RFC 5173 5: the empty line is not part of the body (CRLF: the
	 * lexer, as Pigeonhole's, may make a literal's line ends CRLF) */
	is_run(B "if body :raw :is \"Test!\r\n\r\n\" { fileinto \"A\"; }\n"
	       "if body :raw :is \"\r\nTest!\r\n\r\n\" "
	       "{ fileinto \"B\"; }\n",
	       simple_crlf, "fileinto:A",
	       "body: the empty line is not the body");
	/* defaults: :is and i;ascii-casemap */
	is_run(B "if body :raw \"Test\" { fileinto \"is\"; }\n"
	       "if body :raw :contains \"tesT\" { fileinto \"casemap\"; }\n",
	       simple, "fileinto:casemap", "body: defaults :is, casemap");
	/* a header only: no body, nothing matches, not even "" */
	is_run(B "if body :raw :contains \"\" { fileinto \"A\"; }\n"
	       "if body :raw :matches \"*\" { fileinto \"B\"; }\n"
	       "if body :contains \"\" { fileinto \"C\"; }\n",
	       headonly, "keep", "body: no body matches nothing");
	/* :text default on a plain message */
	is_run(B "if body :contains \"test!\" { fileinto \"A\"; }\n",
	       simple, "fileinto:A", "body: :text is the default");
}

static void test_body_nested(void)
{
	const char *d = srcdir();
	char dir[1024];

	if (d == NULL) {
		ok(1, "# SKIP no SLUICE_SRCDIR");
		return;
	}
	snprintf(dir, sizeof(dir), "%s/t/data/sieve-body", d);
	is_file(B "if body :text :contains \"Hello & bye\" { fileinto \"A\"; }\n"
		"if body :text :contains [\"<p>\", \"body\"] { fileinto \"B\"; }\n"
		"if body :text :contains [\"Hidden\", \"Secret\"] "
		"{ fileinto \"C\"; }\n",
		dir, "nested.eml", "fileinto:A",
		"body :text: HTML reduced to its text");
	is_file(B "if body :text :contains \"Please say Hello\" { fileinto \"A\"; }\n"
		"if body :text :contains \"MIME\" { fileinto \"B\"; }\n"
		"if body :text :contains \"Caf\xc3\xa9 near\" { fileinto \"C\"; }\n"
		"if body :text :contains \"never matched\" { fileinto \"D\"; }\n",
		dir, "nested.eml", "fileinto:A fileinto:C",
		"body :text: nested message, charset, no preamble, bad CTE");
	is_file(BR "if body :content \"text\" :count \"eq\" "
		":comparator \"i;ascii-numeric\" \"5\" { fileinto \"A\"; }\n"
		"if body :content \"multipart\" :count \"eq\" "
		":comparator \"i;ascii-numeric\" \"4\" { fileinto \"B\"; }\n"
		"if body :content \"\" :count \"eq\" "
		":comparator \"i;ascii-numeric\" \"11\" { fileinto \"C\"; }\n",
		dir, "nested.eml", "fileinto:A fileinto:B fileinto:C",
		"body :content: one value per part (as Pigeonhole)");
	is_file(B "if body :content \"multipart\" :contains "
		"\"end of the outer\" { fileinto \"A\"; }\n"
		"if body :content \"multipart\" :contains \"--inner\" "
		"{ fileinto \"B\"; }\n"
		"if body :content \"application/pdf\" :contains \"treasure\" "
		"{ fileinto \"C\"; }\n"
		"if body :content \"message/rfc822\" :contains \"already!\" "
		"{ fileinto \"D\"; }\n"
		"if body :content \"message\" :contains \"Please say\" "
		"{ fileinto \"E\"; }\n"
		"if body :content \"text/html\" :contains \"<p>\" "
		"{ fileinto \"F\"; }\n"
		"if body :raw :contains \"Caf=E9\" { fileinto \"G\"; }\n"
		"if body :content [\"/plain\", \"text/\", \"text/plain/x\"] "
		":contains \"\" { fileinto \"H\"; }\n",
		dir, "nested.eml",
		"fileinto:A fileinto:C fileinto:D fileinto:F fileinto:G",
		"body :content: preamble/epilogue, base64, rfc822 header");
	is_file(B "if body :content \"message/rfc822\" :is "
		"\"From: Someone Else\r\nSubject: Hello, this is an elaborate "
		"request for you to finally say hello\r\n already!\r\n\" "
		"{ fileinto \"A\"; }\n",
		dir, "nested.eml", "fileinto:A",
		"body :content message/rfc822: the header, CRLF lines");
}

static const char dslash[] =
	"From: justin@example.com\n"
	"Subject: Frop\n"
	"Content-Type: multipart/mixed; boundary=donkey\n"
	"\n"
	"--donkey\n"
	"Content-Type: text/plain\n"
	"\n"
	"Plain Text\n"
	"\n"
	"--donkey\n"
	"Content-Type: text/plain/stupid\n"
	"\n"
	"Plain Stupid Text\n"
	"\n"
	"--donkey--\n";

/* test_body_bad_type - a Content-Type that does not parse matches only
 * :content "" (Pigeonhole's text.svtest "Double Slash") */
static void test_body_bad_type(void)
{
	is_run(B "if body :text :contains \"Plain Text\" { fileinto \"A\"; }\n"
	       "if body :text :contains \"Stupid\" { fileinto \"B\"; }\n"
	       "if body :content \"text/plain/stupid\" :contains \"\" "
	       "{ fileinto \"C\"; }\n"
	       "if body :content \"\" :contains \"Stupid\" { fileinto \"D\"; }\n",
	       dslash, "fileinto:A fileinto:D",
	       "body: an unparsable Content-Type matches only \"\"");
}

static void test_body_values(void)
{
	/* RFC 5173 6: body never sets match variables; earlier ones stay */
	is_run("require [\"body\", \"variables\", \"fileinto\"];\n"
	       "if header :matches \"from\" \"*@*\" {}\n"
	       "if body :raw :matches \"T*!*\" { fileinto \"m\"; }\n"
	       "fileinto \"${1}-${2}\";\n",
	       simple, "fileinto:m fileinto:stephan-example.org",
	       "body: match values untouched");
}

static void test_body_corpus(void)
{
	const char *c = test_corpus_dir();
	const char *s1 = B
		"if body :text :contains \"Newt-thought\" { fileinto \"t\"; }\n"
		"if body :content \"multipart\" :contains \"Newt-thought\" "
		"{ fileinto \"mp\"; }\n"
		"if body :text :contains \"NEXTSTEP\" { fileinto \"text\"; }\n"
		"if body :content \"application\" :contains \"\" "
		"{ fileinto \"app\"; }\n";
	const char *s2 = B
		"if body :text :contains \"embedded message body\" "
		"{ fileinto \"body\"; }\n"
		"if body :content \"message/rfc822\" :contains "
		"\"Subject: embedded message\" { fileinto \"hdr\"; }\n"
		"if body :text :contains \"Subject: embedded\" "
		"{ fileinto \"text-hdr\"; }\n";
	const char *s3 = B
		"if body :text :contains \"\xe3\x81\x99\xe3\x81\xbf\xe3\x81\xbe"
		"\xe3\x81\x9b\xe3\x82\x93\" { fileinto \"jp\"; }\n"
		"if body :raw :contains \"$B$9$_\" { fileinto \"raw\"; }\n";

	is_file(s1, c, "mimekit/messages/epilogue.txt",
		"fileinto:mp fileinto:text fileinto:app",
		"corpus epilogue.txt: epilogue only via :content multipart");
	is_file(s2, c, "mimekit/messages/simple-embedded-message.eml",
		"fileinto:body fileinto:hdr",
		"corpus simple-embedded-message: nested body and header");
	is_file(s3, c, "mail-gem/emails/multi_charset/japanese_iso_2022.eml",
		"fileinto:jp fileinto:raw",
		"corpus japanese_iso_2022: charset to UTF-8, :raw untouched");
}

/* test_body_limit - a run examines at most SIEVE_MAX_BODY_SIZE bytes */
static void test_body_limit(void)
{
	size_t n = SIEVE_MAX_BODY_SIZE + 4096;
	struct buf m = BUF_INIT;
	char *fill = malloc(n);

	if (fill == NULL) {
		ok(0, "body limit: no memory");
		return;
	}
	memset(fill, 'a', n);
	buf_append_str(&m, "Subject: big\n\nSTART ");
	buf_append(&m, fill, n);
	buf_append_str(&m, " NEEDLE\n");
	is_str(run_msg(B "if body :raw :contains \"START\" "
		       "{ fileinto \"start\"; }\n"
		       "if body :raw :contains \"NEEDLE\" "
		       "{ fileinto \"end\"; }\n",
		       m.data, m.len, 0), "fileinto:start",
	       "body: bytes past SIEVE_MAX_BODY_SIZE are not examined");
	buf_free(&m);
	free(fill);
}

static void test_body_errors(void)
{
	ce("if body :contains \"x\" { keep; }", "body",
	   "body: without require");
	ce(B "if body :raw :text :contains \"x\" { keep; }", "transform",
	   "body: two transforms");
	ce(B "if body :content :contains \"x\" { keep; }", "",
	   "body: :content without its list");
	ce(B "if body :contains 13 { keep; }", "",
	   "body: a number as key list");
}

static void test_html2text(void)
{
	struct buf b = BUF_INIT;
	const char *h = "<html><head><style>p {x}</style></head><body>"
		"A&lt;b&gt; &#233;&#x41;<br>c<!-- no -->d"
		"<![CDATA[raw<]]>&bogus; e</body></html>";

	sieve_body_html2text(h, strlen(h), &b);
	is_str(buf_cstr(&b), "A<b> \xc3\xa9" "A cdraw< e ",
	       "html2text: tags, entities, comments, style, CDATA");
	buf_free(&b);
}

/* ---- mime, foreverypart, extracttext ---- */

#define M "require [\"mime\", \"foreverypart\", \"variables\", " \
	"\"fileinto\", \"relational\", \"extracttext\"];\n"

static const char loopmsg[] =
	"From: Hendrik <hendrik@example.com>\n"
	"Subject: Harrie\n"
	"Content-Type: multipart/mixed; boundary=AA\n"
	"X-Test: AA\n"
	"\n"
	"This is a multi-part message in MIME format.\n"
	"--AA\n"
	"Content-Type: multipart/mixed; boundary=BB\n"
	"X-Test: BB\n"
	"\n"
	"preamble\n"
	"--BB\n"
	"Content-Type: text/plain; charset=\"us-ascii\"\n"
	"X-Test: CC\n"
	"\n"
	"Hello\n"
	"\n"
	"--BB\n"
	"Content-Type: text/plain; charset=\"us-ascii\"\n"
	"X-Test: DD\n"
	"\n"
	"Hello again\n"
	"\n"
	"--BB--\n"
	"This is the end of MIME multipart.\n"
	"\n"
	"--AA\n"
	"Content-Type: text/html; charset=\"us-ascii\"\n"
	"X-Test: EE\n"
	"\n"
	"<html><body>And <b>again</b></body></html>\n"
	"\n"
	"--AA--\n";

static void test_foreverypart(void)
{
	is_run(M "set \"s\" \"\";\n"
	       "foreverypart { if header :mime :matches \"X-Test\" \"*\" "
	       "{ set \"s\" \"${s}${1}\"; } }\n"
	       "fileinto \"${s}\";\n",
	       loopmsg, "fileinto:AABBCCDDEE",
	       "foreverypart: every part, depth first, message first");
	is_run(M "set \"s\" \"\";\n"
	       "foreverypart { if header :mime :matches \"X-Test\" \"*\" "
	       "{ set \"o\" \"${1}\"; }\n"
	       "  foreverypart { if header :mime :matches \"X-Test\" \"*\" "
	       "{ set \"s\" \"${s}${o}${1} \"; } } }\n"
	       "fileinto \"${s}\";\n",
	       loopmsg, "fileinto:AABB AACC AADD AAEE BBCC BBDD ",
	       "foreverypart: a nested loop walks the parts below");
	is_run(M "set \"s\" \"\";\n"
	       "foreverypart :name \"out\" { foreverypart { "
	       "if header :mime :is \"X-Test\" \"DD\" { break :name \"out\"; }\n"
	       "if header :mime :matches \"X-Test\" \"*\" "
	       "{ set \"s\" \"${s}${1}\"; } } }\n"
	       "fileinto \"x${s}\";\n",
	       loopmsg, "fileinto:xBBCC", "break :name ends the outer loop");
	is_run(M "set \"s\" \"\";\n"
	       "foreverypart { if header :mime :is \"X-Test\" \"CC\" "
	       "{ break; }\n"
	       "if header :mime :matches \"X-Test\" \"*\" "
	       "{ set \"s\" \"${s}${1}\"; } }\n"
	       "fileinto \"x${s}\";\n",
	       loopmsg, "fileinto:xAABB", "break ends the innermost loop");
	is_run(M "foreverypart { extracttext \"t\";\n"
	       "if header :mime :is \"X-Test\" \"CC\" { fileinto \"c-${t}\"; }\n"
	       "if header :mime :is \"X-Test\" \"EE\" { fileinto \"e-${t}\"; }\n"
	       "if header :mime :is \"X-Test\" \"AA\" { fileinto \"a-${t}\"; }"
	       " }\n",
	       loopmsg, "fileinto:a- fileinto:c-Hello\n fileinto:e-And again \n",
	       "extracttext: the part's text, HTML as text");
	is_run(M "foreverypart { extracttext :first 3 :upper \"t\";\n"
	       "extracttext :length \"n\";\n"
	       "if header :mime :is \"X-Test\" \"DD\" "
	       "{ fileinto \"${t}-${n}\"; } }\n",
	       loopmsg, "fileinto:HEL-12", "extracttext :first, modifiers");
}

static void test_mime_tests(void)
{
	const char *d = srcdir();
	char dir[1024];

	is_run(M "if header :mime :anychild \"X-Test\" \"DD\" "
	       "{ fileinto \"any\"; }\n"
	       "if header :mime \"X-Test\" \"DD\" { fileinto \"top\"; }\n"
	       "if exists :mime :anychild \"X-Test\" { fileinto \"ex\"; }\n"
	       "if address :mime :anychild :localpart \"from\" \"hendrik\" "
	       "{ fileinto \"addr\"; }\n",
	       loopmsg, "fileinto:any fileinto:ex fileinto:addr",
	       "mime: :anychild reads every part");
	if (d == NULL) {
		ok(1, "# SKIP no SLUICE_SRCDIR");
		return;
	}
	snprintf(dir, sizeof(dir), "%s/t/data/sieve-body", d);
	is_file(M "foreverypart { if allof(\n"
		"  header :mime :count \"eq\" \"Content-Type\" \"1\",\n"
		"  header :mime :contenttype \"Content-Type\" \"text/calendar\",\n"
		"  header :mime :type \"Content-Type\" \"text\",\n"
		"  header :mime :subtype \"Content-Type\" \"CALENDAR\",\n"
		"  header :mime :param \"method\" :matches \"Content-Type\" \"*\",\n"
		"  header :mime :param \"charset\" :is \"Content-Type\" \"UTF-8\")"
		" { fileinto \"ical-${1}\"; break; } }\n"
		"foreverypart { if header :mime :type \"content-disposition\" "
		"\"attachment\" { fileinto \"disp\"; }\n"
		"if header :mime :param \"title\" \"content-disposition\" "
		"\"This is fun\" { fileinto \"rfc2231\"; }\n"
		"if header :mime :count \"eq\" :param [\"filename\", \"title\"] "
		"\"content-disposition\" \"2\" { fileinto \"two\"; }\n"
		"if header :mime :subtype \"content-disposition\" \"\" "
		"{ fileinto \"nosub\"; } }\n",
		dir, "calendar.eml",
		"fileinto:ical-REQUEST fileinto:disp fileinto:rfc2231 "
		"fileinto:two fileinto:nosub",
		"mime: :type :subtype :contenttype :param (RFC 6047 example)");
}

static void test_mime_errors(void)
{
	ce("require \"mime\"; if header :anychild \"To\" \"x\" { keep; }",
	   "anychild", "mime: bare :anychild");
	ce("require \"mime\"; if header :type \"Content-Type\" \"x\" { keep; }",
	   ":mime", "mime: bare :type");
	ce("require \"mime\"; if header :mime :type :subtype "
	   "\"Content-Type\" \"x\" { keep; }", "conflicts",
	   "mime: two options");
	ce("require \"mime\"; if address :mime :type \"To\" \"x\" { keep; }",
	   "cannot be used", "mime: option on address");
	ce("require \"mime\"; if exists :mime :param \"a\" \"To\" { keep; }",
	   "cannot be used", "mime: option on exists");
	ce("require \"foreverypart\"; foreverypart;", "",
	   "foreverypart: needs a block");
	ce("require \"foreverypart\"; break;", "not placed inside",
	   "break outside a loop");
	ce("require \"foreverypart\"; foreverypart :name \"a\" "
	   "{ break :name \"b\"; }", "named 'b'", "break naming no loop");
	ce("require \"foreverypart\"; foreverypart { foreverypart { "
	   "foreverypart { foreverypart { foreverypart { keep; } } } } }",
	   "nesting", "foreverypart: nesting limit");
	ce("require [\"extracttext\", \"variables\", \"foreverypart\"];\n"
	   "extracttext \"x\";", "not placed inside",
	   "extracttext outside foreverypart");
	ce("require [\"extracttext\", \"foreverypart\"];\n"
	   "foreverypart { extracttext \"x\"; }", "variables",
	   "extracttext without variables");
	ce("require [\"extracttext\", \"variables\"];\nkeep;",
	   "foreverypart", "extracttext without foreverypart");
	ce("require [\"extracttext\", \"variables\", \"foreverypart\"];\n"
	   "foreverypart { extracttext :first \"x\" \"y\"; }", "",
	   "extracttext :first needs a number");
}

/* ---- editheader ---- */

#define E "require [\"editheader\", \"fileinto\", \"variables\", " \
	"\"index\"];\n"

static const char ehmsg[] =
	"Received: from a\n"
	"Received: from b\n"
	"Auto-Submitted: yes\n"
	"From: x@example.com\n"
	"To: a@example.com\n"
	"To: b@example.com\n"
	"X-A: Dit is een klein verhaaltje\n"
	"X-A: zien dat het allemaal werkt\n"
	"Subject:         Help\n"
	"\n"
	"body\n";

static void is_eh(const char *script, const char *want, const char *name)
{
	is_str(run_msg(script, ehmsg, strlen(ehmsg), 1), want, "%s", name);
}

static void test_editheader(void)
{
	is_eh(E "addheader \"X-Some-HEADER\" \"Header content\";\n"
	      "addheader :last \"x-last\" \"at the end\";\n"
	      "if header :is \"x-some-header\" \"Header content\" "
	      "{ fileinto \"seen\"; }\n",
	      "fileinto:seen H:X-Some-Header=Header content|"
	      "Received=from a|Received=from b|Auto-Submitted=yes|"
	      "From=x@example.com|To=a@example.com|To=b@example.com|"
	      "X-A=Dit is een klein verhaaltje|"
	      "X-A=zien dat het allemaal werkt|Subject=Help|"
	      "X-Last=at the end",
	      "addheader: top, :last bottom, later tests see it");
	is_eh(E "deleteheader \"received\";\ndeleteheader \"auto-submitted\";\n"
	      "deleteheader :index 1 :last \"to\";\n"
	      "deleteheader :matches \"x-a\" \"*klein*\";\n"
	      "deleteheader :is \"subject\" \"Help\";\n"
	      "if not exists \"subject\" { fileinto \"nosubj\"; }\n"
	      "if header :is \"to\" \"a@example.com\" { fileinto \"to-a\"; }\n",
	      "fileinto:nosubj fileinto:to-a H:Received=from a|"
	      "Received=from b|Auto-Submitted=yes|From=x@example.com|"
	      "To=a@example.com|X-A=zien dat het allemaal werkt",
	      "deleteheader: protected fields, :index :last, patterns");
	is_eh(E "deleteheader :index 2 \"received\";\n"
	      "deleteheader :index 3 \"to\";\n"
	      "deleteheader :index 2 \"x-a\";\nkeep;\n",
	      "keep H:Received=from a|Received=from b|Auto-Submitted=yes|"
	      "From=x@example.com|To=a@example.com|To=b@example.com|"
	      "X-A=Dit is een klein verhaaltje|Subject=Help",
	      "deleteheader :index past the end deletes nothing");
	is_eh(E "set \"h\" \"X-field:\";\naddheader \"${h}\" \"Frop\";\n",
	      "RE:test:3: addheader action: specified field name "
	      "'X-field:' is invalid", "addheader: invalid name at run time");
	is_eh(E "addheader \"X-NL\" \"line one\n line two\nthree\r\n\";\n"
	      "if header :is \"x-nl\" \"line one line two three\" "
	      "{ fileinto \"unfolded\"; }\n",
	      "fileinto:unfolded H:X-Nl=line one line two three|"
	      "Received=from a|Received=from b|Auto-Submitted=yes|"
	      "From=x@example.com|To=a@example.com|To=b@example.com|"
	      "X-A=Dit is een klein verhaaltje|"
	      "X-A=zien dat het allemaal werkt|Subject=Help",
	      "addheader: line breaks unfolded");
}

static void test_editheader_errors(void)
{
	ce("require \"editheader\"; addheader \"X-field:\" \"Frop\";",
	   "field name 'X-field:' is invalid", "addheader: ':' in name");
	ce("require \"editheader\"; addheader \"X field\" \"Frop\";",
	   "invalid", "addheader: space in name");
	ce("require \"editheader\"; deleteheader \"X field\";",
	   "invalid", "deleteheader: space in name");
	ce("require [\"editheader\", \"encoded-character\"];\n"
	   "addheader \"X-field\" \"Woah${hex:00}!\";", "NUL",
	   "addheader: NUL in value");
	ce("require \"editheader\"; addheader \"x-frop\";", "",
	   "addheader: missing value");
	ce("require \"editheader\"; addheader \"x-frop\" [\"frop\"];", "",
	   "addheader: value a list");
	ce("require \"editheader\"; deleteheader :last \"x-frop\";",
	   ":index", "deleteheader: :last without :index");
	ce("require \"editheader\"; deleteheader :index \"frop\" \"x\";", "",
	   "deleteheader: :index needs a number");
	ce("addheader \"x\" \"y\";", "addheader", "addheader: without require");
}

/* test_stored - the stored (encoded, folded) form, as Pigeonhole stores */
static void test_stored(void)
{
	struct buf b = BUF_INIT;
	const char *lng = "This is very long header content, folded to fit "
		"inside multiple header lines. This may cause problems, so "
		"that is why it is tested here.";

	const char *utf = "\xd0\xad\xd1\x82\xd0\xbe \xd1\x82\xd0\xb5\xd1\x81"
		"\xd1\x82!";
	const char *mix = "plain then Caf\xc3\xa9 and more words after it";

	sieve_editheader_stored("X-Utf", utf, strlen(utf), 0, &b);
	is_str(buf_cstr(&b), "=?utf-8?b?0K3RgtC+INGC0LXRgdGCIQ==?=",
	       "stored: all non-ASCII -> B encoding");
	buf_reset(&b);
	sieve_editheader_stored("X-Mix2", mix, strlen(mix), 0, &b);
	is_str(buf_cstr(&b), "plain then =?utf-8?q?Caf=C3=A9?= and more "
	       "words after it", "stored: one word -> Q encoding");
	buf_reset(&b);
	sieve_editheader_stored("X-Long", lng, strlen(lng), 0, &b);
	is_str(buf_cstr(&b), "This is very long header content, folded to "
	       "fit inside multiple header\tlines. This may cause problems, "
	       "so that is why it is tested here.",
	       "stored: folded before 80 columns (unfolded view: a TAB)");
	buf_reset(&b);
	sieve_editheader_stored("X-Long", lng, strlen(lng), 1, &b);
	ok(strstr(buf_cstr(&b), "header\r\n\tlines") != NULL,
	   "stored: with crlf the fold is CRLF TAB");
	buf_free(&b);
}

int main(void)
{
	struct sl_err err;

	test_cfg = config_new();
	if (config_set(test_cfg, "sieve_editheader_protected", "x-frop",
		       "test", &err) < 0)
		diag("config: %s", err.text);
	test_body_basic();
	test_body_nested();
	test_body_bad_type();
	test_body_values();
	test_body_corpus();
	test_body_limit();
	test_body_errors();
	test_html2text();
	test_foreverypart();
	test_mime_tests();
	test_mime_errors();
	test_editheader();
	test_editheader_errors();
	test_stored();
	is_eh(E "addheader \"X-Frop\" \"no\";\nkeep;\n",
	      "keep", "addheader: a protected field is not added (config)");
	config_free(&test_cfg);
	return done_testing();
}
