/* test-sieve-vars - variables (RFC 5229), include (RFC 6609) and ihave
 * (RFC 5463) through compiled scripts run against a small message. A
 * script reports what it found with fileinto, so each case compares the
 * action list ("fileinto:A keep"), "CE:<first compile error>" or
 * "RE:<runtime error>". Included scripts are written to a temporary
 * sieve_dir / sieve_global_dir, removed at the end. */
#include "auto-config.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/buf.h"
#include "lib/config.h"
#include "lib/message.h"
#include "lib/pool.h"
#include "sieve/ext-variables.h"
#include "sieve/sieve-ext.h"
#include "sieve/sieve.h"
#include "t/tap.h"

static const char msg_text[] =
	"From: \"Coyote\" <coyote@example.org>\n"
	"To: user@example.com\n"
	"Subject: [acme-users] [fwd] Re: ACME sales\n"
	"List-ID: ACME users <acme-users@example.org>\n"
	"X-Empty:\n"
	"\n"
	"body\n";

static struct config *test_cfg;
static char tmpdir[] = "/tmp/test-sieve-vars.XXXXXX";
static char personal[256], global[256];

/* run - compile and execute script: its actions, "CE:msg" or "RE:msg" */
static const char *run(const char *script)
{
	static char out[8192];
	struct pool *pool = pool_new(0);
	struct sl_err err;
	struct sieve_engine *e = sieve_engine_new(test_cfg, NULL, &err);
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
	message_limits_default(&lim);
	memset(&m, 0, sizeof(m));
	m.msg = message_parse(pool, &lim, msg_text, strlen(msg_text));
	m.size = strlen(msg_text);
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
	snprintf(out, sizeof(out), "%s", b.len ? buf_cstr(&b) : "");
done:
	buf_free(&b);
	sieve_engine_free(&e);
	pool_free(&pool);
	return out;
}

/* ce - whether script fails to compile with an error containing want */
static int ce(const char *script, const char *want, const char *name)
{
	const char *got = run(script);
	int r = strncmp(got, "CE:", 3) == 0 && strstr(got, want) != NULL;

	if (!r)
		diag("got '%s', want a compile error with '%s'", got, want);
	return ok(r, "%s", name);
}

/* re - whether script ends in a runtime error containing want */
static int re(const char *script, const char *want, const char *name)
{
	const char *got = run(script);
	int r = strncmp(got, "RE:", 3) == 0 && strstr(got, want) != NULL;

	if (!r)
		diag("got '%s', want a runtime error with '%s'", got, want);
	return ok(r, "%s", name);
}

#define V "require [\"variables\", \"fileinto\"];\n"
#define VI "require [\"variables\", \"include\", \"fileinto\"];\n"

static void write_script(const char *dir, const char *name, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s.sieve", dir, name);
	f = fopen(path, "w");
	if (f == NULL) {
		diag("cannot write %s", path);
		return;
	}
	fputs(text, f);
	fclose(f);
}

static void remove_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char path[512];

	if (d == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		unlink(path);
	}
	closedir(d);
	rmdir(dir);
}

static void test_identifiers(void)
{
	ok(ext_variables_is_identifier("a", 1), "identifier: a");
	ok(ext_variables_is_identifier("_x9", 3), "identifier: _x9");
	ok(!ext_variables_is_identifier("9x", 2), "identifier: not 9x");
	ok(!ext_variables_is_identifier("a.b", 3), "identifier: not a.b");
	ok(!ext_variables_is_identifier("", 0), "identifier: not empty");
	ok(ext_variables_is_identifier(
		   "a234567890123456789012345678901234567890123456789012345678901234",
		   64), "identifier: 64 characters");
	ok(!ext_variables_is_identifier(
		   "a2345678901234567890123456789012345678901234567890123456789012345",
		   65), "identifier: not 65 characters");
}

/* RFC 5229 3: the syntax examples */
static void test_syntax(void)
{
	is_str(run(V "set \"company\" \"ACME\";\n"
		   "fileinto \"[${full}]\";\n"
		   "fileinto \"${company}\";\n"
		   "fileinto \"${BAD${Company}\";\n"
		   "fileinto \"${President, ${Company} Inc.}\";\n"),
	       "fileinto:[] fileinto:ACME fileinto:${BADACME "
	       "fileinto:${President, ACME Inc.}", "RFC 5229 3 examples");
	is_str(run(V "fileinto \"&%${}!\"; fileinto \"${doh!}\";\n"
		   "fileinto \"${a\"; fileinto \"${0.s}\"; fileinto \"$\";\n"),
	       "fileinto:&%${}! fileinto:${doh!} fileinto:${a fileinto:${0.s} "
	       "fileinto:$", "not references stay as written");
	is_str(run(V "set \"s\" \"$\"; set \"something\" \"value\";\n"
		   "fileinto \"${s}{something}\";\n"),
	       "fileinto:${something}", "expansion is one pass");
	is_str(run(V "set \"VeRyElAboRATeVaRIABLeName\" \"v\";\n"
		   "fileinto \"${veryelaboratevariablename}\";\n"),
	       "fileinto:v", "names are case-insensitive");
	is_str(run("require \"fileinto\"; fileinto \"${x}\";\n"),
	       "fileinto:${x}", "no expansion without require variables");
	is_str(run(V "set \"honorific\" \"Mr\"; set \"last_name\" \"Coyote\";\n"
		   "set \"vacation\" text:\nDear ${HONORIFIC} ${last_name},\n.\n;\n"
		   "if string :is \"${vacation}\" \"Dear Mr Coyote,\n\" "
		   "{ fileinto \"ok\"; }\n"),
	       "fileinto:ok", "RFC 5229 4 set example with text:");
}

/* RFC 5229 4.1: modifiers and their precedence */
static void test_modifiers(void)
{
	is_str(run(V "set \"a\" \"juMBlEd lETteRS\";\n"
		   "set :length \"b\" \"${a}\"; fileinto \"${b}\";\n"
		   "set :lower \"b\" \"${a}\"; fileinto \"${b}\";\n"
		   "set :upperfirst \"b\" \"${a}\"; fileinto \"${b}\";\n"
		   "set :upperfirst :lower \"b\" \"${a}\"; fileinto \"${b}\";\n"
		   "set :quotewildcard \"b\" \"Rock*\"; fileinto \"${b}\";\n"),
	       "fileinto:15 fileinto:jumbled letters "
	       "fileinto:JuMBlEd lETteRS fileinto:Jumbled letters "
	       "fileinto:Rock\\*", "RFC 5229 4.1 examples");
	is_str(run(V "set :lower :upperfirst \"t\" \"vAlUe\"; fileinto \"${t}\";"
		   "set :upper :lowerfirst \"t\" \"VaLuE\"; fileinto \"1${t}\";"
		   "set :lowerfirst :upper \"t\" \"VaLuE\"; fileinto \"2${t}\";"),
	       "fileinto:Value fileinto:1vALUE fileinto:2vALUE",
	       "precedence does not depend on order");
	is_str(run(V "set :length :quotewildcard \"t\" \"^^***??**^^\";"
		   "fileinto \"${t}\";"),
	       "fileinto:18", ":quotewildcard before :length");
	is_str(run(V "set :quotewildcard \"t\" \"a*b?c\\\\d\"; fileinto \"${t}\";"),
	       "fileinto:a\\*b\\?c\\\\d", ":quotewildcard quotes backslash");
	is_str(run(V "set :upper \"u\" \"h\xc3\xa9llo\"; fileinto \"${u}\";\n"
		   "set :length \"l\" \"h\xc3\xa9llo\"; fileinto \"${l}\";\n"),
	       "fileinto:H\xc3\xa9LLO fileinto:5",
	       ":upper changes ASCII only, :length counts characters");
	ce(V "set :lower :upper \"x\" \"y\";", "equal precedence",
	   ":lower with :upper is an error");
	ce(V "set :upperfirst :lowerfirst \"x\" \"y\";", "equal precedence",
	   ":upperfirst with :lowerfirst is an error");
	ce(V "set :encodeurl \"x\" \"y\";", "encodeurl",
	   ":encodeurl needs enotify");
	is_str(run("require [\"variables\", \"enotify\", \"fileinto\"];\n"
		   "set :encodeurl \"x\" \"a b&c/\xc3\xa9~\"; fileinto \"${x}\";"),
	       "fileinto:a%20b%26c%2F%C3%A9~", ":encodeurl with enotify");
}

/* RFC 5229 3.2 match variables, 5 string test */
static void test_match_and_string(void)
{
	is_str(run(V "if header :matches \"List-ID\" \"*<*@*\" {\n"
		   "  fileinto \"INBOX.lists.${2}\"; stop; }\n"),
	       "fileinto:INBOX.lists.acme-users", "RFC 5229 3.2 List-ID");
	is_str(run(V "if header :matches \"Subject\" \"[*] *\" {\n"
		   "  fileinto \"INBOX.lists.${1}\"; }\n"
		   "fileinto \"${0}|${2}|${3}\";\n"),
	       "fileinto:INBOX.lists.acme-users "
	       "fileinto:[acme-users] [fwd] Re: ACME sales|"
	       "[fwd] Re: ACME sales|", "RFC 5229 3.2 Subject and ${0}");
	is_str(run(V "if header :matches \"Subject\" \"*\" { }\n"
		   "if header :matches \"Subject\" \"nomatch*\" { }\n"
		   "fileinto \"${1}\";\n"),
	       "fileinto:[acme-users] [fwd] Re: ACME sales",
	       "a failed :matches keeps the earlier values");
	is_str(run(V "set \"state\" \"a\";\n"
		   "set \"state\" \"${state} pending\";\n"
		   "if string :matches \" ${state} \" \"* pending *\" {\n"
		   "  fileinto \"${1}\"; }\n"),
	       "fileinto: a", "RFC 5229 5 string example");
	is_str(run("require [\"variables\", \"fileinto\", \"relational\"];\n"
		   "if string :count \"eq\" [\"a\", \"\", \"b\"] \"2\" "
		   "{ fileinto \"two\"; }\n"
		   "if string :count \"eq\" [\"\", \"\"] \"0\" "
		   "{ fileinto \"zero\"; }\n"),
	       "fileinto:two fileinto:zero",
	       "string :count counts non-empty strings");
	is_str(run(V "if string :contains \"abc\" \"B\" { fileinto \"no\"; }\n"
		   "if string :is :comparator \"i;ascii-casemap\" \"abc\" "
		   "\"ABC\" { fileinto \"casemap\"; }\n"
		   "if string :matches \"abc\" \"A*\" { fileinto \"no2\"; }\n"),
	       "fileinto:casemap", "string compares with i;octet by default "
	       "(as Pigeonhole)");
	is_str(run(V "if string :contains [\"x\", \"abc\"] \"b\" "
		   "{ fileinto \"yes\"; }\n"
		   "if string \"${undefined}\" \"\" { fileinto \"empty\"; }\n"),
	       "fileinto:yes fileinto:empty", "string :contains, unset var");
	is_str(run(V "if string :matches \"a*b?c\" \"a\\\\*b\\\\?c\" "
		   "{ fileinto \"q\"; }\n"),
	       "fileinto:q", "escaped wildcards in string :matches");
	is_str(run(V "fileinto \"[${32}][${0001}]\";"), "fileinto:[][]",
	       "unset match values are empty");
	is_str(run(V "if header :matches \"Subject\" \"*\" { }\n"
		   "fileinto \"[${33}]\";"), "fileinto:[]",
	       "a match index above 32 is never set");
}

static void test_errors(void)
{
	ce("set \"a\" \"b\";", "set", "set without require");
	ce("require \"fileinto\"; if string \"a\" \"a\" { keep; }", "string",
	   "string without require");
	ce(V "set \"a\" \"b\" \"c\";", "set", "set with three strings");
	ce(V "set \"a\";", "set", "set with one string");
	ce(V "set \"a\" 5;", "set", "set with a number");
	ce(V "set \"${x}\" \"v\";", "invalid variable name", "dynamic name");
	ce(V "set \"....\" \"v\";", "invalid variable name", "dots name");
	ce(V "set \"name.\" \"v\";", "invalid variable name", "trailing dot");
	ce(V "set \"0\" \"v\";", "match variable", "assign to ${0}");
	ce(V "set \"namespace.sub.variable\" \"v\";", "unknown namespace",
	   "unknown namespace in set");
	ce(V "fileinto \"${foo.bar}\";", "unknown namespace",
	   "unknown namespace in a string (RFC 5229 3)");
	ce(V "set \"global.x\" \"v\";", "unknown namespace",
	   "global namespace needs include");
	ce(V "set \"v1234567890123456789012345678901234567890123456789012345"
	   "67890123456789\" \"v\";", "invalid variable name",
	   "name longer than 64");
	is_str(run(V "set \"\\n\\a\\m\\e\" \"x\"; fileinto \"${name}\";"),
	       "fileinto:x", "escapes in the name are removed first");
}

static void test_limits(void)
{
	struct buf b = BUF_INIT;
	char line[64];
	int i;

	buf_append_str(&b, V);
	for (i = 0; i < SIEVE_MAX_VARIABLES; i++) {
		snprintf(line, sizeof(line), "set \"v%d\" \"x\";\n", i);
		buf_append_str(&b, line);
	}
	is_str(run(buf_cstr(&b)), "keep", "255 variables compile");
	buf_append_str(&b, "set \"one_more\" \"x\";\n");
	ce(buf_cstr(&b), "exceeds the limit", "the 256th variable is refused");
	buf_reset(&b);

	/* 4095 ASCII octets then a 2-octet character: cut before it */
	buf_append_str(&b, V "set \"a\" \"");
	for (i = 0; i < 4095; i++)
		buf_append_char(&b, 'x');
	buf_append_str(&b, "\xc3\xa9\";\n"
		       "set :length \"n\" \"${a}\"; fileinto \"${n}\";\n"
		       "set \"a\" \"${a}${a}\";\n"
		       "set :length \"n\" \"${a}\"; fileinto \"${n}\";\n");
	is_str(run(buf_cstr(&b)), "fileinto:4095 fileinto:4096",
	       "values cut at 4096 octets on a character boundary");
	buf_reset(&b);

	buf_append_str(&b, V "set \"c\" \"0");
	for (i = 0; i < 4095; i++)
		buf_append_char(&b, '*');
	buf_append_str(&b, "\";\nset :quotewildcard \"c\" \"${c}\";\n"
		       "set :length \"n\" \"${c}\"; fileinto \"${n}\";\n");
	is_str(run(buf_cstr(&b)), "fileinto:4095",
	       ":quotewildcard never cuts an escape in half");
	buf_free(&b);
}

static void test_include(void)
{
	write_script(personal, "sub", VI
		     "global \"g\";\n"
		     "set \"l\" \"sub-local\";\n"
		     "fileinto \"sub:${g}:${l}:${global.h}\";\n"
		     "set \"g\" \"changed\";\n"
		     "set \"global.h\" \"hchanged\";\n"
		     "return;\n"
		     "fileinto \"notreached\";\n");
	write_script(personal, "persist", VI
		     "fileinto \"persist:${l}\";\nset \"l\" \"set\";\n");
	write_script(personal, "plain", "keep;\n");
	write_script(personal, "loop1", "require \"include\";\n"
		     "include \"loop2\";\n");
	write_script(personal, "loop2", "require \"include\";\n"
		     "include \"loop1\";\n");
	write_script(personal, "oloop1", "require \"include\";\n"
		     "include :once \"oloop2\";\nkeep;\n");
	write_script(personal, "oloop2", "require [\"include\", \"fileinto\"];\n"
		     "include :once \"oloop1\";\nfileinto \"o2\";\n");
	write_script(personal, "bad", "frobnicate;\n");
	write_script(global, "gs", "require \"fileinto\";\n"
		     "fileinto \"global-script\";\n");

	is_str(run(VI "global \"g\";\n"
		   "set \"g\" \"G1\";\nset \"global.h\" \"H1\";\n"
		   "set \"l\" \"main-local\";\n"
		   "include \"sub\";\ninclude :personal \"sub\";\n"
		   "include :once \"sub\";\ninclude :global \"gs\";\n"
		   "include :optional \"missing\";\n"
		   "fileinto \"main:${g}:${l}:${global.h}\";\n"),
	       "fileinto:sub:G1:sub-local:H1 "
	       "fileinto:sub:changed:sub-local:hchanged "
	       "fileinto:global-script fileinto:main:changed:main-local:hchanged",
	       "include: globals shared, locals not, :once, :global, "
	       ":optional, return");
	is_str(run(VI "include \"persist\";\ninclude \"persist\";\n"),
	       "fileinto:persist:", "an included script starts with empty "
	       "locals each time");
	is_str(run("require [\"include\", \"fileinto\"];\n"
		   "fileinto \"a\";\nreturn;\nfileinto \"b\";\n"),
	       "fileinto:a", "return at top level ends the script");
	is_str(run("require \"include\";\ninclude \"oloop1\";\n"),
	       "fileinto:o2 keep", "a cycle closed by :once compiles");
	re("require \"include\";\ninclude \"loop1\";\n", "circular",
	   "an include cycle is a runtime error (RFC 6609 3.1)");
	re("require \"include\";\ninclude \"missing\";\n", "does not exist",
	   "a missing script is a runtime error (RFC 6609 3.1)");
	re("require \"include\";\ninclude :global \"sub\";\n",
	   "does not exist", ":global looks in sieve_global_dir");
	is_str(run("require \"include\";\nif false { include \"missing\"; }\n"),
	       "keep", "a missing script never included is no error");
	ce("require \"include\";\ninclude \"bad\";\n", "frobnicate",
	   "a script that does not compile");
	ce("require \"include\";\ninclude \"sub/x\";\n", "invalid script name",
	   "a name with a slash");
	ce("require \"include\";\ninclude \"\";\n", "invalid script name",
	   "an empty name");
	ce("require \"include\";\ninclude :global :personal \"x\";\n",
	   "location", "two locations");
	ce("require [\"include\", \"variables\"];\nset \"n\" \"plain\";\n"
	   "include \"${n}\";\n", "constant", "a name from a variable");
	ce("require \"include\";\nglobal \"g\";\n", "variables",
	   "global without variables");
	ce("require \"variables\";\nglobal \"g\";\n", "global",
	   "global without include");
	ce(VI "set \"g\" \"x\";\nglobal \"g\";\n", "earlier local use",
	   "global after local use");
	ce(VI "global \"1\";\n", "invalid variable identifier",
	   "global of a match variable");
	ce(VI "global \"a.b\";\n", "invalid variable identifier",
	   "global of a namespaced name");
	ce(VI "set \"global.a.b\" \"x\";\n", "sub-namespace",
	   "set global.a.b");
	ce(VI "set \"global.1\" \"x\";\n", "numeric", "set global.1");
	ce(VI "fileinto \"${global.a.b}\";\n", "sub-namespace",
	   "global.a.b in a string");
	ce("include \"plain\";\n", "include", "include without require");
	ce("require \"include\";\nreturn \"x\";\n", "return",
	   "return takes no argument");
}

static void test_include_depth(void)
{
	char name[32], text[128];
	int i;

	for (i = 0; i < SIEVE_MAX_INCLUDE_DEPTH + 2; i++) {
		snprintf(name, sizeof(name), "d%d", i);
		snprintf(text, sizeof(text),
			 "require \"include\";\ninclude \"d%d\";\n", i + 1);
		write_script(personal, name, text);
	}
	snprintf(name, sizeof(name), "d%d", SIEVE_MAX_INCLUDE_DEPTH + 2);
	write_script(personal, name, "keep;\n");
	ce("require \"include\";\ninclude \"d0\";\n", "",
	   "nesting deeper than the limit is an error");
	is_str(run("require \"include\";\ninclude \"d4\";\n"), "keep",
	       "nesting within the limit runs");
}

static void test_ihave(void)
{
	is_str(run("require \"ihave\";\n"
		   "if ihave \"fileinto\" { fileinto \"yes\"; }\n"),
	       "fileinto:yes", "ihave loads the extension for its block");
	is_str(run("require \"ihave\";\n"
		   "if ihave \"nonexistent\" { frobnicate \"x\"; } "
		   "else { keep; }\n"),
	       "keep", "ihave of a missing extension: block not validated");
	is_str(run("require \"ihave\";\n"
		   "if ihave [\"fileinto\", \"nonexistent\"] { frob; }\n"),
	       "keep", "ihave is false unless all are there");
	is_str(run("require \"ihave\";\n"
		   "if anyof(ihave \"nonexistent\", false) { frob; }\n"),
	       "keep", "ihave inside anyof");
	is_str(run("require \"ihave\";\n"
		   "if ihave \"variables\" { set \"a\" \"b\"; }\n"),
	       "keep", "ihave never enables variables (RFC 5463 4)");
	is_str(run("require \"ihave\";\n"
		   "if ihave \"encoded-character\" { keep; }\n"), "keep",
	       "ihave never enables encoded-character");
	is_str(run("require \"ihave\";\n"
		   "if not ihave \"nonexistent\" { discard; }\n"), "discard",
	       "not ihave of a missing extension");
	ce("require \"ihave\";\n"
	   "if ihave \"nonexistent\" { keep; } elsif true { frob; }\n",
	   "frob", "elsif after a false ihave is validated");
	ce("if ihave \"fileinto\" { keep; }\n", "ihave",
	   "ihave without require");
	re("require \"ihave\";\nerror \"my ${x} message\";\n",
	   "test:2: my ${x} message", "error: a runtime error");
	re("require [\"ihave\", \"variables\"];\nset \"x\" \"big\";\n"
	   "error \"my ${x} message\";\n", "my big message",
	   "error message is expanded");
	ce("require \"ihave\";\nerror;\n", "error", "error needs a message");
}

int main(void)
{
	struct sl_err err;

	if (mkdtemp(tmpdir) == NULL) {
		diag("mkdtemp failed");
		return 1;
	}
	snprintf(personal, sizeof(personal), "%s/personal", tmpdir);
	snprintf(global, sizeof(global), "%s/global", tmpdir);
	if (mkdir(personal, 0700) < 0 || mkdir(global, 0700) < 0)
		diag("mkdir failed");
	test_cfg = config_new();
	if (config_set(test_cfg, "sieve_dir", personal, "test", &err) < 0 ||
	    config_set(test_cfg, "sieve_global_dir", global, "test", &err) < 0)
		diag("config: %s", err.text);

	test_identifiers();
	test_syntax();
	test_modifiers();
	test_match_and_string();
	test_errors();
	test_limits();
	test_include();
	test_include_depth();
	test_ihave();

	config_free(&test_cfg);
	remove_dir(personal);
	remove_dir(global);
	rmdir(tmpdir);
	return done_testing();
}
