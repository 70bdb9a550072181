/* test-sieve-mailbox.c - the mailbox group of Sieve extensions through the
 * engine's API: imap4flags (RFC 5232), copy (RFC 3894), mailbox (RFC
 * 5490), special-use (RFC 8579), mailboxid (RFC 9042), fcc (RFC 8580) and
 * subaddress (RFC 5233), with each RFC's examples and edge cases and the
 * compile errors they require.
 *
 * Each case compiles a script, runs it against a message with a host
 * that knows a few folders, and compares the reconciled result written
 * compactly ("fileinto Spam [\\Seen] copy; keep implicit") with the
 * expected text, so the tests do not depend on the JSON printer. */
#include "auto-config.h"
#include "t/tap.h"
#include "lib/buf.h"
#include "lib/config.h"
#include "lib/err.h"
#include "lib/message.h"
#include "lib/pool.h"
#include "lib/spool.h"
#include "sieve/sieve.h"

#include <string.h>

static const char default_msg[] =
	"Return-Path: <alice+bounces@example.com>\r\n"
	"From: Alice Example <alice+lists@example.com>\r\n"
	"To: bob+sieve-filter@example.net, carol@example.org\r\n"
	"Cc: dave+@example.org\r\n"
	"Subject: quarterly report\r\n"
	"Message-ID: <1234@example.com>\r\n"
	"\r\n"
	"Hello Bob,\r\n";

/* ---- the host: which folders and special-use attributes exist ---- */

static const char *const folders[] = { "INBOX", "Existing", "Junk", "Sent",
				       "Lists/ietf", NULL };

static int host_mailbox_exists(void *ctx, const char *mailbox,
			       struct sl_err *err)
{
	size_t i;

	(void)ctx;
	if (strcmp(mailbox, "TempFail") == 0)
		return err_set(err, ERR_TEMP, "store is locked");
	if (strcmp(mailbox, "Broken") == 0)
		return err_set(err, ERR_PERM, "no permission");
	for (i = 0; folders[i] != NULL; i++)
		if (strcmp(folders[i], mailbox) == 0)
			return 1;
	return 0;
}

static int host_special_use_exists(void *ctx, const char *mailbox,
				   const char *flag, struct sl_err *err)
{
	(void)ctx;
	(void)err;
	if ((mailbox == NULL || strcmp(mailbox, "Junk") == 0) &&
	    strcmp(flag, "\\Junk") == 0)
		return 1;
	if ((mailbox == NULL || strcmp(mailbox, "Sent") == 0) &&
	    strcmp(flag, "\\Sent") == 0)
		return 1;
	return 0;
}

static const struct sieve_host test_host = {
	.mailbox_exists = host_mailbox_exists,
	.special_use_exists = host_special_use_exists,
};

/* ---- running a script ---- */

/* describe_action - one action, compactly */
static void describe_action(struct buf *out, const struct sieve_action *a)
{
	size_t i;

	buf_append_str(out, sieve_action_name(a));
	if (a->kind == SIEVE_ACT_FILEINTO && a->mailbox != NULL)
		buf_printf(out, " %s", a->mailbox);
	if (a->kind == SIEVE_ACT_REDIRECT && a->address != NULL)
		buf_printf(out, " %s", a->address);
	if (a->fcc != NULL)
		buf_printf(out, " fcc=%s", a->fcc);
	if (a->n_flags > 0) {
		buf_append_str(out, " [");
		for (i = 0; i < a->n_flags; i++)
			buf_printf(out, "%s%s", i > 0 ? " " : "", a->flags[i]);
		buf_append_char(out, ']');
	}
	if (a->copy)
		buf_append_str(out, " copy");
	if (a->create)
		buf_append_str(out, " create");
	if (a->special_use != NULL)
		buf_printf(out, " su=%s", a->special_use);
	if (a->mailboxid != NULL)
		buf_printf(out, " id=%s", a->mailboxid);
	if (a->kind == SIEVE_ACT_KEEP && a->implicit)
		buf_append_str(out, " implicit");
}

struct run_opts {
	const char *env_from, *env_to;
	const struct sieve_host *host;	/* NULL: the dry-run defaults */
};

/* run - compile and execute script; the result as text: "COMPILE
 * line N" for a compile error, "TEMP: ..." for a temporary failure,
 * "ERROR: " before the actions after a runtime error */
static char *run(struct sieve_engine *e, const char *script,
		 const struct run_opts *o)
{
	struct pool *pool = pool_new(0);
	struct sieve_diags diags;
	struct sieve_script *s;
	struct sieve_result *res;
	struct sieve_message msg;
	struct sieve_exec_params params;
	struct message_limits limits;
	const struct sieve_action *a;
	struct sl_err err;
	struct buf out = BUF_INIT;
	int r;

	sieve_diags_init(&diags, pool);
	err_clear(&err);
	s = sieve_compile_buffer(e, pool, "test", script, strlen(script),
				 &diags, &err);
	if (s == NULL) {
		const struct sieve_diag *d = sieve_diags_first_error(&diags);

		buf_printf(&out, "COMPILE line %u", d != NULL ? d->line : 0);
		if (d == NULL || getenv("TEST_VERBOSE") != NULL)
			diag("  %s / %s", d != NULL ? d->text : "-", err.text);
		pool_free(&pool);
		return buf_steal(&out);
	}
	message_limits_default(&limits);
	memset(&msg, 0, sizeof(msg));
	msg.msg = message_parse(pool, &limits, default_msg,
				sizeof(default_msg) - 1);
	msg.spool = spool_new(1 << 20, "/tmp");
	if (spool_write(msg.spool, default_msg, sizeof(default_msg) - 1,
			&err) < 0)
		diag("spool_write: %s", err.text);
	msg.size = sizeof(default_msg) - 1;
	msg.env_from = o != NULL && o->env_from != NULL
		? o->env_from : "alice+bounces@example.com";
	msg.env_to = o != NULL && o->env_to != NULL
		? o->env_to : "bob+box@example.net";
	msg.id = "<1234@example.com>";
	memset(&params, 0, sizeof(params));
	params.msg = &msg;
	params.host = o != NULL && o->host != NULL ? o->host : &test_host;
	res = sieve_result_new(pool);
	r = sieve_execute(s, &params, res, &err);
	if (!(r < 0 && err.cls == ERR_TEMP) &&
	    sieve_result_finish(res, &err) < 0)
		r = -1;
	if (r < 0 && err.cls == ERR_TEMP) {
		buf_printf(&out, "TEMP: %s", err.text);
	} else {
		if (r < 0 || sieve_result_status(res) != SIEVE_OK)
			buf_append_str(&out, "ERROR: ");
		for (a = sieve_result_actions(res); a != NULL; a = a->next) {
			describe_action(&out, a);
			if (a->next != NULL)
				buf_append_str(&out, "; ");
		}
	}
	spool_free(&msg.spool);
	pool_free(&pool);
	return buf_steal(&out);
}

struct tcase {
	const char *name;
	const char *script;
	const char *want;
};

/* run_cases - each case against the default message and host */
static void run_cases(struct sieve_engine *e, const struct tcase *tc)
{
	for (; tc->name != NULL; tc++) {
		char *got = run(e, tc->script, NULL);

		is_str(got, tc->want, "%s", tc->name);
		free(got);
	}
}

/* ---- imap4flags (RFC 5232) ---- */

static const struct tcase imap4flags_cases[] = {
	{ "setflag: the implicit keep gets the internal flags (3)",
	  "require \"imap4flags\";\n"
	  "if size :over 1 { setflag \"\\\\Deleted\"; }\n",
	  "keep [\\Deleted] implicit" },
	{ "addflag/removeflag: a set of words, lists and strings alike (2)",
	  "require \"imap4flags\";\n"
	  "setflag \"A  B \";\naddflag [\"c\", \"\", \"\\\\Flagged\"];\n"
	  "removeflag \"b\";\n",
	  "keep [A \\Flagged c] implicit" },
	{ "repeats collapse case-insensitively, system flags canonical",
	  "require \"imap4flags\";\n"
	  "setflag \"\\\\SEEN \\\\seen foo FOO\";\naddflag \"Foo\";\n",
	  "keep [\\Seen foo] implicit" },
	{ "invalid flags are ignored (2): \\Recent, 8-bit, atom-specials",
	  "require \"imap4flags\";\n"
	  "setflag \"\\\\Recent b\xc3\xa4r a]b x%y A(b \\\\Bogus ok\";\n",
	  "keep [ok] implicit" },
	{ "removeflag of an unset flag is no error (3.3)",
	  "require \"imap4flags\";\nremoveflag \"nothing\";\n",
	  "keep implicit" },
	{ "setflag replaces the set (3.1)",
	  "require \"imap4flags\";\nsetflag \"a b\";\nsetflag \"c\";\n",
	  "keep [c] implicit" },
	{ "keep/fileinto without :flags take the flags of their time",
	  "require [\"imap4flags\", \"fileinto\"];\n"
	  "setflag \"a\";\nfileinto \"x\";\naddflag \"b\";\n"
	  "fileinto \"y\";\nsetflag \"z\";\n",
	  "fileinto x [a]; fileinto y [a b]" },
	{ ":flags gives exactly its flags (5)",
	  "require [\"imap4flags\", \"fileinto\"];\n"
	  "setflag \"a\";\n"
	  "fileinto :flags \"\\\\Deleted z \\\\recent\" \"x\";\nkeep;\n",
	  "fileinto x [\\Deleted z]; keep [a]" },
	{ ":flags \"\" stores without flags",
	  "require \"imap4flags\";\nsetflag \"a\";\nkeep :flags \"\";\n",
	  "keep" },
	{ "the implicit keep takes the final value",
	  "require [\"imap4flags\", \"fileinto\", \"copy\"];\n"
	  "fileinto :copy \"x\";\nsetflag \"z\";\n"
	  "if true { addflag \"y\"; }\n",
	  "fileinto x copy; keep [y z] implicit" },
	{ "a repeated fileinto: the last flag list wins (3)",
	  "require [\"imap4flags\", \"fileinto\"];\n"
	  "setflag \"a\";\nfileinto \"x\";\nsetflag \"b\";\n"
	  "fileinto \"x\";\n",
	  "fileinto x [b]" },
	{ "flags are sorted as octets",
	  "require \"imap4flags\";\n"
	  "setflag \"Zeta alpha \\\\Seen $x\";\n",
	  "keep [$x Zeta \\Seen alpha] implicit" },
	{ "hasflag :is \"b A\" is two keys (4)",
	  "require [\"imap4flags\", \"fileinto\"];\n"
	  "setflag \"A B\";\n"
	  "if hasflag :is \"b A\" { fileinto \"yes\"; }\n",
	  "fileinto yes [A B]" },
	{ "hasflag [\"b\",\"A\"] (4)",
	  "require [\"imap4flags\", \"fileinto\"];\n"
	  "setflag \"A B\";\n"
	  "if hasflag [\"b\", \"A\"] { fileinto :flags \"\" \"yes\"; }\n",
	  "fileinto yes" },
	{ "hasflag: no such flag",
	  "require \"imap4flags\";\nsetflag \"A\";\n"
	  "if hasflag \"C\" { discard; }\n",
	  "keep [A] implicit" },
	{ "hasflag on the empty internal variable",
	  "require \"imap4flags\";\nif hasflag :contains \"\" { discard; }\n",
	  "keep implicit" },
	{ "hasflag :contains (4)",
	  "require [\"imap4flags\", \"fileinto\"];\n"
	  "setflag \"NonJunk Junk gnus-forward $Forwarded NotJunk\";\n"
	  "if hasflag :contains \"forward\" { fileinto :flags \"\" \"a\"; }\n"
	  "if hasflag :contains [\"label\", \"forward\"] "
	  "{ fileinto :flags \"\" \"b\"; }\n"
	  "if hasflag :contains \"junk forward\" "
	  "{ fileinto :flags \"\" \"c\"; }\n"
	  "if hasflag :contains \"label\" { fileinto :flags \"\" \"d\"; }\n"
	  "if hasflag :contains [\"label1\", \"label2\"] "
	  "{ fileinto :flags \"\" \"e\"; }\n",
	  "fileinto a; fileinto b; fileinto c" },
	{ "hasflag :matches takes the key as written",
	  "require [\"imap4flags\", \"fileinto\"];\n"
	  "setflag \"$Junk other\";\n"
	  "if hasflag :matches \"*junk\" { fileinto :flags \"\" \"m\"; }\n"
	  "if hasflag :matches \"other $junk\" { discard; }\n",
	  "fileinto m" },
	{ "hasflag :count counts flags (4)",
	  "require [\"imap4flags\", \"relational\", "
	  "\"comparator-i;ascii-numeric\"];\n"
	  "setflag \"A B a\";\n"
	  "if hasflag :count \"eq\" :comparator \"i;ascii-numeric\" \"2\" "
	  "{ addflag \"two\"; }\n",
	  "keep [A B two] implicit" },
	{ "hasflag: the default comparator is i;ascii-casemap",
	  "require \"imap4flags\";\nsetflag \"Work\";\n"
	  "if hasflag \"WORK\" { addflag \"yes\"; }\n"
	  "if hasflag :comparator \"i;octet\" \"WORK\" { addflag \"no\"; }\n",
	  "keep [Work yes] implicit" },
	{ "error: setflag without require",
	  "setflag \"a\";\n", "COMPILE line 1" },
	{ "error: a variable name without variables",
	  "require \"imap4flags\";\nsetflag \"v\" \"a\";\n",
	  "COMPILE line 2" },
	{ "error: a variable list in setflag",
	  "require [\"imap4flags\", \"variables\"];\n"
	  "setflag [\"v\", \"w\"] \"a\";\n",
	  "COMPILE line 2" },
	{ "error: a number for flags",
	  "require \"imap4flags\";\naddflag 3;\n", "COMPILE line 2" },
	{ "error: no flags",
	  "require \"imap4flags\";\nremoveflag;\n", "COMPILE line 2" },
	{ "error: three arguments",
	  "require [\"imap4flags\", \"variables\"];\n"
	  "setflag \"v\" \"a\" \"b\";\n", "COMPILE line 2" },
	{ "error: :flags without an argument",
	  "require \"imap4flags\";\nkeep :flags;\n", "COMPILE line 2" },
	{ "error: :flags without require",
	  "require \"fileinto\";\nfileinto :flags \"a\" \"x\";\n",
	  "COMPILE line 2" },
	{ "error: :flags on redirect",
	  "require \"imap4flags\";\nredirect :flags \"a\" \"a@b.c\";\n",
	  "COMPILE line 2" },
	{ "error: hasflag without keys",
	  "require \"imap4flags\";\nif hasflag :is { stop; }\n",
	  "COMPILE line 2" },
	{ NULL, NULL, NULL }
};

static const struct tcase imap4flags_var_cases[] = {
	{ "setflag \"flagvar\" then :flags \"${flagvar}\" (3.1)",
	  "require [\"imap4flags\", \"fileinto\", \"variables\"];\n"
	  "if header :contains \"from\" \"alice\" {\n"
	  "  setflag \"flagvar\" \"\\\\Flagged\";\n"
	  "  fileinto :flags \"${flagvar}\" \"INBOX.From Boss\";\n}\n",
	  "fileinto INBOX.From Boss [\\Flagged]" },
	{ "addflag/removeflag on a variable (3.3)",
	  "require [\"imap4flags\", \"fileinto\", \"variables\"];\n"
	  "addflag \"flagvar\" \"$MDNRequired\";\n"
	  "addflag \"flagvar\" [\"\\\\Deleted\", \"\\\\Answered\"];\n"
	  "removeflag \"flagvar\" \"$mdnrequired\";\n"
	  "fileinto :flags \"${flagvar}\" \"INBOX.imap-list\";\n",
	  "fileinto INBOX.imap-list [\\Answered \\Deleted]" },
	{ "a variable's value is the normalized list",
	  "require [\"imap4flags\", \"variables\"];\n"
	  "set \"v\" \"b  a B\";\naddflag \"v\" \"c\";\n"
	  "if string :is \"${v}\" \"b a c\" { setflag \"normalized\"; }\n",
	  "keep [normalized] implicit" },
	{ "variable forms leave the internal variable alone",
	  "require [\"imap4flags\", \"variables\"];\n"
	  "setflag \"x\" \"a\";\n",
	  "keep implicit" },
	{ "hasflag with a variable list (4)",
	  "require [\"imap4flags\", \"variables\"];\n"
	  "set \"MyVar\" \"NonJunk Junk gnus-forward $Forwarded\";\n"
	  "set \"Other\" \"x\";\n"
	  "if hasflag :contains \"MyVar\" \"forward\" { addflag \"a\"; }\n"
	  "if hasflag :is [\"Other\", \"MyVar\"] \"x\" { addflag \"b\"; }\n"
	  "if hasflag \"MyVar\" \"x\" { addflag \"c\"; }\n",
	  "keep [a b] implicit" },
	{ "hasflag :count over variables (4)",
	  "require [\"imap4flags\", \"variables\", \"relational\", "
	  "\"comparator-i;ascii-numeric\"];\n"
	  "set \"MyFlags\" \"A B\";\n"
	  "if hasflag :count \"ge\" :comparator \"i;ascii-numeric\" "
	  "\"MyFlags\" \"2\" { addflag \"yes\"; }\n",
	  "keep [yes] implicit" },
	{ "RFC 5232 section 9: the extended example",
	  "require [\"fileinto\", \"imap4flags\", \"variables\"];\n"
	  "if size :over 1M { addflag \"MyFlags\" \"Big\"; }\n"
	  "if header :contains \"From\" \"alice\" {\n"
	  "  addflag \"MyFlags\" [\"\\\\Answered\", \"$MDNSent\"];\n"
	  "  fileinto :flags \"${MyFlags}\" \"GrandMa\";\n}\n"
	  "if header :is \"Sender\" \"owner@example.org\" { discard; }\n"
	  "elsif address :domain :is [\"From\", \"To\"] \"example.com\" {\n"
	  "  keep :flags \"${MyFlags}\";\n}\n",
	  "fileinto GrandMa [$MDNSent \\Answered]; "
	  "keep [$MDNSent \\Answered]" },
	{ "runtime error: an invalid attribute from a variable",
	  "require [\"fileinto\", \"special-use\", \"variables\"];\n"
	  "set \"f\" \"Junk\";\nfileinto :specialuse \"${f}\" \"Spam\";\n",
	  "ERROR: keep implicit" },
	{ "error: a match variable is not assignable",
	  "require [\"imap4flags\", \"variables\"];\n"
	  "setflag \"1\" \"a\";\n", "COMPILE line 2" },
	{ "error: a variable name that is not an identifier",
	  "require [\"imap4flags\", \"variables\"];\n"
	  "addflag \"a-b\" \"x\";\n", "COMPILE line 2" },
	{ NULL, NULL, NULL }
};

/* ---- copy (RFC 3894) ---- */

static const struct tcase copy_cases[] = {
	{ "fileinto :copy keeps the implicit keep (3)",
	  "require [\"copy\", \"fileinto\"];\nfileinto :copy \"x\";\n",
	  "fileinto x copy; keep implicit" },
	{ "redirect :copy keeps the implicit keep (3)",
	  "require \"copy\";\nredirect :copy \"a@example.net\";\n",
	  "redirect a@example.net copy; keep implicit" },
	{ ":copy with another action that cancels",
	  "require [\"copy\", \"fileinto\"];\n"
	  "redirect :copy \"a@example.net\";\nfileinto \"y\";\n",
	  "redirect a@example.net copy; fileinto y" },
	{ "error: :copy without require",
	  "require \"fileinto\";\nfileinto :copy \"x\";\n",
	  "COMPILE line 2" },
	{ "error: :copy on keep",
	  "require \"copy\";\nkeep :copy;\n", "COMPILE line 2" },
	{ "error: :copy takes no argument",
	  "require [\"copy\", \"fileinto\"];\nfileinto :copy \"x\" \"y\";\n",
	  "COMPILE line 2" },
	{ NULL, NULL, NULL }
};

/* ---- :copy into INBOX: listed twice, as Pigeonhole lists it (the
 * delivery side stores one copy per folder) ---- */

static void run_todo(struct sieve_engine *e)
{
	char *got = run(e, "require [\"copy\", \"fileinto\"];\nfileinto :copy \"INBOX\";\n", NULL);

	is_str(got, "fileinto INBOX copy; keep implicit",
	       ":copy into INBOX: fileinto and the implicit keep both listed");
	free(got);
}

/* ---- mailbox (RFC 5490) ---- */

static const struct tcase mailbox_cases[] = {
	{ "mailboxexists: an existing folder",
	  "require [\"mailbox\", \"fileinto\"];\n"
	  "if mailboxexists \"Existing\" { fileinto \"Existing\"; }\n",
	  "fileinto Existing" },
	{ "mailboxexists: every folder must exist (3.1)",
	  "require [\"mailbox\", \"fileinto\"];\n"
	  "if mailboxexists [\"Existing\", \"Missing\"] "
	  "{ fileinto \"a\"; }\n"
	  "if mailboxexists [\"Lists/ietf\", \"INBOX\"] "
	  "{ fileinto \"b\"; }\n",
	  "fileinto b" },
	{ "mailboxexists: an invalid name does not exist",
	  "require [\"mailbox\", \"fileinto\"];\n"
	  "if mailboxexists \"\" { fileinto \"a\"; }\n",
	  "keep implicit" },
	{ "mailboxexists: a permanent host error is \"no\"",
	  "require [\"mailbox\", \"fileinto\"];\n"
	  "if mailboxexists \"Broken\" { fileinto \"a\"; }\n",
	  "keep implicit" },
	{ "RFC 5490 3.1 example",
	  "require [\"fileinto\", \"mailbox\"];\n"
	  "if mailboxexists \"Lists/ietf\" {\n"
	  "  fileinto :create \"Lists/ietf\";\n} else { discard; }\n",
	  "fileinto Lists/ietf create" },
	{ "fileinto :create (3.2)",
	  "require [\"fileinto\", \"mailbox\"];\n"
	  "fileinto :create \"New/Folder\";\n",
	  "fileinto New/Folder create" },
	{ "error: mailboxexists without require",
	  "if mailboxexists \"x\" { stop; }\n", "COMPILE line 1" },
	{ "error: :create without require mailbox",
	  "require \"fileinto\";\nfileinto :create \"x\";\n",
	  "COMPILE line 2" },
	{ "error: :create on redirect",
	  "require \"mailbox\";\nredirect :create \"a@b.example\";\n",
	  "COMPILE line 2" },
	{ "error: mailboxexists with a number",
	  "require \"mailbox\";\nif mailboxexists 1 { stop; }\n",
	  "COMPILE line 2" },
	{ "error: mailboxexists without argument",
	  "require \"mailbox\";\nif mailboxexists { stop; }\n",
	  "COMPILE line 2" },
	{ NULL, NULL, NULL }
};

/* ---- special-use (RFC 8579) ---- */

static const struct tcase special_use_cases[] = {
	{ "specialuse_exists without a mailbox: any folder (3)",
	  "require [\"special-use\", \"fileinto\"];\n"
	  "if specialuse_exists \"\\\\Junk\" { fileinto \"a\"; }\n"
	  "if specialuse_exists [\"\\\\Junk\", \"\\\\Sent\"] "
	  "{ fileinto \"b\"; }\n"
	  "if specialuse_exists [\"\\\\Junk\", \"\\\\Trash\"] "
	  "{ fileinto \"c\"; }\n",
	  "fileinto a; fileinto b" },
	{ "specialuse_exists with a mailbox (3)",
	  "require [\"special-use\", \"fileinto\"];\n"
	  "if specialuse_exists \"Junk\" \"\\\\Junk\" { fileinto \"a\"; }\n"
	  "if specialuse_exists \"INBOX\" \"\\\\Junk\" { fileinto \"b\"; }\n"
	  "if specialuse_exists \"Missing\" \"\\\\Junk\" "
	  "{ fileinto \"c\"; }\n",
	  "fileinto a" },
	{ "fileinto :specialuse (4)",
	  "require [\"fileinto\", \"special-use\"];\n"
	  "fileinto :specialuse \"\\\\Junk\" \"Spam\";\n",
	  "fileinto Spam su=\\Junk" },
	{ "RFC 8579 section 4 example, with :create",
	  "require [\"fileinto\", \"special-use\", \"mailbox\"];\n"
	  "fileinto :specialuse \"\\\\Junk\" :create \"Spam\";\n",
	  "fileinto Spam create su=\\Junk" },
	{ "error: an invalid attribute in specialuse_exists",
	  "require \"special-use\";\n"
	  "if specialuse_exists \"Junk\" { stop; }\n", "COMPILE line 2" },
	{ "error: an invalid attribute in :specialuse",
	  "require [\"fileinto\", \"special-use\"];\n"
	  "fileinto :specialuse \"Junk\" \"Spam\";\n", "COMPILE line 2" },
	{ "error: a list where the mailbox goes",
	  "require \"special-use\";\n"
	  "if specialuse_exists [\"a\", \"b\"] \"\\\\Junk\" { stop; }\n",
	  "COMPILE line 2" },
	{ "error: :specialuse without require",
	  "require \"fileinto\";\n"
	  "fileinto :specialuse \"\\\\Junk\" \"Spam\";\n", "COMPILE line 2" },
	{ "error: :specialuse without its attribute",
	  "require [\"fileinto\", \"special-use\"];\n"
	  "fileinto :specialuse \"Spam\";\n", "COMPILE line 2" },
	{ NULL, NULL, NULL }
};

/* ---- mailboxid (RFC 9042) ---- */

static const struct tcase mailboxid_cases[] = {
	{ "fileinto :mailboxid: no store id, the name is used (4)",
	  "require \"fileinto\";\nrequire \"mailboxid\";\n"
	  "if header :contains [\"from\"] \"alice\" {\n"
	  "  fileinto :mailboxid \"F6352ae03-b7f5-463c-896f-d8b48ee3\"\n"
	  "           \"INBOX.harassment\";\n}\n",
	  "fileinto INBOX.harassment id=F6352ae03-b7f5-463c-896f-d8b48ee3" },
	{ ":mailboxid with :create (5)",
	  "require [\"fileinto\", \"mailboxid\", \"mailbox\"];\n"
	  "fileinto :mailboxid \"Fnosuch\" :create \"Box\";\n",
	  "fileinto Box create id=Fnosuch" },
	{ "mailboxidexists: no folder has an id (6)",
	  "require [\"fileinto\", \"mailboxid\"];\n"
	  "if mailboxidexists \"F6352ae03-b7f5-463c-896f-d8b48ee3\" "
	  "{ fileinto \"a\"; }\n"
	  "if not mailboxidexists [\"Fx\", \"bad id\"] { fileinto \"b\"; }\n",
	  "fileinto b" },
	{ "error: mailboxidexists without require",
	  "if mailboxidexists \"F1\" { stop; }\n", "COMPILE line 1" },
	{ "error: :mailboxid without its id",
	  "require [\"fileinto\", \"mailboxid\"];\n"
	  "fileinto :mailboxid \"Box\";\n", "COMPILE line 2" },
	{ "error: :mailboxid on redirect",
	  "require \"mailboxid\";\n"
	  "redirect :mailboxid \"F1\" \"a@b.example\";\n", "COMPILE line 2" },
	{ NULL, NULL, NULL }
};

/* ---- fcc (RFC 8580) ---- */

static const struct tcase fcc_cases[] = {
	{ "vacation :fcc (4)",
	  "require [\"vacation\", \"fcc\"];\n"
	  "vacation :days 7 :fcc \"INBOX.Sent\" \"I'm away\";\n",
	  "vacation fcc=INBOX.Sent; keep implicit" },
	{ "vacation :fcc with :create :flags :specialuse :mailboxid",
	  "require [\"vacation\", \"fcc\", \"mailbox\", \"imap4flags\", "
	  "\"special-use\", \"mailboxid\"];\n"
	  "setflag \"internal\";\n"
	  "vacation :fcc \"Sent\" :create :flags \"\\\\Seen\" "
	  ":specialuse \"\\\\Sent\" :mailboxid \"F1\" \"away\";\n",
	  "vacation fcc=Sent [\\Seen] create su=\\Sent id=F1; "
	  "keep [internal] implicit" },
	{ "error: :fcc without require",
	  "require \"vacation\";\nvacation :fcc \"Sent\" \"away\";\n",
	  "COMPILE line 2" },
	{ "error: :create on vacation without :fcc",
	  "require [\"vacation\", \"fcc\", \"mailbox\"];\n"
	  "vacation :create \"away\";\n", "COMPILE line 2" },
	{ "error: :flags on vacation without :fcc",
	  "require [\"vacation\", \"fcc\", \"imap4flags\"];\n"
	  "vacation :flags \"\\\\Seen\" \"away\";\n", "COMPILE line 2" },
	{ "error: an empty :fcc folder",
	  "require [\"vacation\", \"fcc\"];\n"
	  "vacation :fcc \"\" \"away\";\n", "COMPILE line 2" },
	{ "error: :fcc on fileinto",
	  "require [\"fileinto\", \"fcc\"];\n"
	  "fileinto :fcc \"Sent\" \"x\";\n", "COMPILE line 2" },
	{ NULL, NULL, NULL }
};

static const struct tcase fcc_notify_cases[] = {
	{ "notify :fcc (5)",
	  "require [\"enotify\", \"fcc\", \"mailbox\"];\n"
	  "notify :fcc \"Sent\" :create \"mailto:a@example.net\";\n",
	  "notify fcc=Sent create; keep implicit" },
	{ "error: :specialuse on notify without :fcc",
	  "require [\"enotify\", \"fcc\", \"special-use\"];\n"
	  "notify :specialuse \"\\\\Sent\" \"mailto:a@example.net\";\n",
	  "COMPILE line 2" },
	{ NULL, NULL, NULL }
};

/* ---- subaddress (RFC 5233) ---- */

static const struct tcase subaddress_cases[] = {
	{ ":user and :detail of a header address (4)",
	  "require [\"subaddress\", \"fileinto\"];\n"
	  "if address :user \"to\" \"bob\" { fileinto \"u\"; }\n"
	  "if address :detail \"to\" \"sieve-filter\" { fileinto \"d\"; }\n",
	  "fileinto u; fileinto d" },
	{ "no delimiter: :user is the local part, :detail matches nothing",
	  "require [\"subaddress\", \"fileinto\"];\n"
	  "if address :user \"to\" \"carol\" { fileinto \"u\"; }\n"
	  "if address :detail :is \"to\" \"\" { fileinto \"d\"; }\n",
	  "fileinto u" },
	{ "an empty detail matches \"\" (4)",
	  "require [\"subaddress\", \"fileinto\"];\n"
	  "if address :detail \"cc\" \"\" { fileinto \"empty\"; }\n"
	  "if address :user \"cc\" \"dave\" { fileinto \"user\"; }\n",
	  "fileinto empty; fileinto user" },
	{ ":detail of an address without one never matches",
	  "require [\"subaddress\", \"fileinto\"];\n"
	  "if address :detail :matches \"from\" \"*\" { fileinto \"f\"; }\n"
	  "if address :detail :is \"cc\" \"*\" { fileinto \"g\"; }\n"
	  "if not address :detail :contains \"to\" \"\" "
	  "{ fileinto \"h\"; }\n",
	  "fileinto f" },
	{ "envelope :detail and :user (RFC 5233 6)",
	  "require [\"envelope\", \"subaddress\", \"fileinto\"];\n"
	  "if envelope :detail \"to\" \"box\" { fileinto \"to\"; }\n"
	  "if envelope :user \"from\" \"alice\" { fileinto \"from\"; }\n"
	  "if envelope :detail :is \"from\" \"bounces\" "
	  "{ fileinto \"detail\"; }\n",
	  "fileinto to; fileinto from; fileinto detail" },
	{ "the RFC 5233 section 6 example (mailing lists by detail)",
	  "require [\"envelope\", \"subaddress\", \"fileinto\"];\n"
	  "if envelope :user \"to\" \"bob\" {\n"
	  "  if envelope :detail \"to\" \"mta-filters\" "
	  "{ fileinto \"inbox.ietf-mta-filters\"; }\n"
	  "  elsif envelope :detail \"to\" \"box\" "
	  "{ fileinto \"inbox.box\"; }\n}\n",
	  "fileinto inbox.box" },
	{ "error: :user without require",
	  "if address :user \"to\" \"bob\" { stop; }\n", "COMPILE line 1" },
	{ "error: two address parts",
	  "require \"subaddress\";\n"
	  "if address :user :detail \"to\" \"bob\" { stop; }\n",
	  "COMPILE line 2" },
	{ NULL, NULL, NULL }
};

/* test_host_errors - a temporary host failure is a temporary failure;
 * without callbacks the dry run answers "no" */
static void test_host_errors(struct sieve_engine *e)
{
	static const struct sieve_host no_host = { 0 };
	struct run_opts o = { .host = &no_host };
	char *got;

	got = run(e, "require \"mailbox\";\n"
		  "if mailboxexists \"TempFail\" { discard; }\n", NULL);
	ok(strncmp(got, "TEMP: ", 6) == 0,
	   "mailboxexists: a temporary host error fails temporarily");
	if (strncmp(got, "TEMP: ", 6) != 0)
		diag("  got '%s'", got);
	free(got);
	got = run(e, "require [\"mailbox\", \"special-use\"];\n"
		  "if anyof (mailboxexists \"Existing\", "
		  "specialuse_exists \"\\\\Junk\") { discard; }\n", &o);
	is_str(got, "keep implicit",
	       "without host callbacks nothing exists (dry run)");
	free(got);
	got = run(e, "require [\"mailbox\", \"fileinto\"];\n"
		  "if mailboxexists [\"INBOX\", \"inbox\"] "
		  "{ fileinto \"yes\"; }\n", &o);
	is_str(got, "fileinto yes", "INBOX always exists (RFC 3501 5.1)");
	free(got);
}

/* test_delimiter - recipient_delimiter is a set of characters; the
 * first one present splits */
static void test_delimiter(void)
{
	static const char script[] =
		"require [\"subaddress\", \"fileinto\", \"envelope\"];\n"
		"if envelope :user \"to\" \"bob+sieve\" { fileinto \"a\"; }\n"
		"if envelope :detail \"to\" \"filter\" { fileinto \"b\"; }\n"
		"if envelope :user \"to\" \"bob\" { fileinto \"c\"; }\n"
		"if envelope :detail \"to\" \"sieve-filter\" "
		"{ fileinto \"d\"; }\n";
	struct run_opts o = { .env_to = "bob+sieve-filter@example.net" };
	const char *const delims[] = { "-", "+-", "", NULL };
	const char *const want[] = { "fileinto a; fileinto b",
				     "fileinto c; fileinto d",
				     "keep implicit" };
	struct sl_err err;
	size_t i;

	for (i = 0; delims[i] != NULL; i++) {
		struct config *cfg = config_new();
		struct sieve_engine *e;
		char *got;

		err_clear(&err);
		if (config_set(cfg, "recipient_delimiter", delims[i], "test",
			       &err) < 0)
			diag("config_set: %s", err.text);
		e = sieve_engine_new(cfg, NULL, &err);
		got = e != NULL ? run(e, script, &o) : NULL;
		is_str(got, want[i], "recipient_delimiter \"%s\"", delims[i]);
		free(got);
		sieve_engine_free(&e);
		config_free(&cfg);
	}
}

/* test_capabilities - every extension of the group is announced */
static void test_capabilities(struct sieve_engine *e)
{
	static const char *const names[] = {
		"imap4flags", "copy", "mailbox", "special-use", "mailboxid",
		"fcc", "subaddress", NULL
	};
	struct pool *pool = pool_new(0);
	const char *caps = sieve_engine_capabilities(e, pool);
	size_t i;

	for (i = 0; names[i] != NULL; i++) {
		const char *p = caps != NULL ? strstr(caps, names[i]) : NULL;
		size_t len = strlen(names[i]);

		ok(p != NULL && (p == caps || p[-1] == ' ') &&
		   (p[len] == ' ' || p[len] == '\0'),
		   "capability %s", names[i]);
	}
	pool_free(&pool);
}

/* have - whether the engine has extension name (cases that need another
 * helper's extension are skipped until it lands) */
static int have(struct sieve_engine *e, const char *name)
{
	struct pool *pool = pool_new(0);
	const char *caps = sieve_engine_capabilities(e, pool);
	size_t len = strlen(name);
	const char *p = caps;
	int found = 0;

	while (p != NULL && (p = strstr(p, name)) != NULL) {
		if ((p == caps || p[-1] == ' ') &&
		    (p[len] == ' ' || p[len] == '\0')) {
			found = 1;
			break;
		}
		p += len;
	}
	pool_free(&pool);
	return found;
}

int main(void)
{
	struct sieve_engine *e;
	struct sl_err err;

	err_clear(&err);
	e = sieve_engine_new(NULL, NULL, &err);
	if (e == NULL) {
		ok(0, "sieve_engine_new: %s", err.text);
		return done_testing();
	}
	test_capabilities(e);
	run_cases(e, imap4flags_cases);
	if (have(e, "variables"))
		run_cases(e, imap4flags_var_cases);
	else
		diag("variables not built: its imap4flags cases skipped");
	run_cases(e, copy_cases);
	run_cases(e, mailbox_cases);
	run_cases(e, special_use_cases);
	run_cases(e, mailboxid_cases);
	if (have(e, "vacation"))
		run_cases(e, fcc_cases);
	else
		diag("vacation not built: the fcc cases skipped");
	if (have(e, "enotify"))
		run_cases(e, fcc_notify_cases);
	else
		diag("enotify not built: the notify :fcc cases skipped");
	run_cases(e, subaddress_cases);
	test_host_errors(e);
	test_delimiter();
	run_todo(e);
	sieve_engine_free(&e);
	return done_testing();
}
