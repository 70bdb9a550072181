/* test-address.c - RFC 5322 address lists, tricky ones in a table */
#include "auto-config.h"
#include "t/tap.h"
#include "lib/address.h"
#include "lib/buf.h"

/* expected entries: "name|addr|flags" joined by "; " */
static const struct {
	const char *in, *want, *name;
} cases[] = {
	{ "a@example.com", "|a@example.com|0", "addr-spec" },
	{ "John Doe <jdoe@machine.example>", "John Doe|jdoe@machine.example|0",
	  "name-addr" },
	{ "\"Joe Q. Public\" <john.q.public@example.com>",
	  "Joe Q. Public|john.q.public@example.com|0", "quoted name" },
	{ "Joe Q. Public <john.q.public@example.com>",
	  "Joe Q. Public|john.q.public@example.com|0", "obs-phrase with '.'" },
	{ "Mary Smith <mary@x.test>, jdoe@example.org, Who? <one@y.test>",
	  "Mary Smith|mary@x.test|0; |jdoe@example.org|0; Who?|one@y.test|0",
	  "list" },
	{ "<boss@nil.test>, \"Giant; \\\"Big\\\" Box\" <sysservices@example.net>",
	  "|boss@nil.test|0; Giant; \"Big\" Box|sysservices@example.net|0",
	  "specials and escapes in a quoted name" },
	{ "A Group:Ed Jones <c@a.test>,joe@where.test,John <jdoe@one.test>;",
	  "Ed Jones|c@a.test|0 [A Group]; |joe@where.test|0 [A Group]; "
	  "John|jdoe@one.test|0 [A Group]", "group" },
	{ "undisclosed-recipients:;", "||1 [undisclosed-recipients]",
	  "empty group" },
	{ "Undisclosed recipients: ; x@y", "||1 [Undisclosed recipients]; "
	  "|x@y|0", "empty group with space, then a mailbox" },
	{ "g: a@b", "|a@b|0 [g]", "group without ';'" },
	{ "Pete(A nice \\) chap) <pete(his account)@silly.test(his host)>",
	  "Pete|pete@silly.test|0", "comments everywhere (RFC 5322 A.5)" },
	{ "a@b (Comment (nested) here)", "Comment nested here|a@b|0",
	  "nested comment as display name" },
	{ "((((((((((((deep)))))))))))) a@b", "deep|a@b|0",
	  "deeply nested comment" },
	{ "John Doe <jdoe@machine(comment).  example>",
	  "John Doe|jdoe@machine.example|0", "CFWS in the domain" },
	{ "\"quoted local\"@example.com",
	  "|\"quoted local\"@example.com|0", "quoted local part" },
	{ "\"a\\\"b\"@x", "|\"a\\\"b\"@x|0", "escaped quote in local part" },
	{ "<@route1,@route2:user@host>", "|user@host|0", "obs-route" },
	{ "Name <@a.test:user@host>", "Name|user@host|0",
	  "obs-route with a name" },
	{ "user@[192.0.2.1]", "|user@[192.0.2.1]|0", "domain literal" },
	{ "J\xc3\xb6rg <j\xc3\xb6rg@ex\xc3\xa4mple.de>",
	  "J\xc3\xb6rg|j\xc3\xb6rg@ex\xc3\xa4mple.de|0", "RFC 6532 UTF-8" },
	{ "=?utf-8?q?J=C3=B6rg?= <j@x>", "J\xc3\xb6rg|j@x|0",
	  "RFC 2047 display name" },
	{ "\"=?utf-8?q?J=C3=B6rg?=\" <j@x>", "J\xc3\xb6rg|j@x|0",
	  "RFC 2047 inside quotes (lenient)" },
	{ "=?utf-8?q?Doe,_John?= <j@x>", "Doe, John|j@x|0",
	  "comma inside an encoded-word" },
	{ "john@work <j@x>", "john@work|j@x|0", "'@' in a display name" },
	{ "\"john@work\" <j@x>", "john@work|j@x|0", "'@' in a quoted name" },
	{ "joe@@example.com", "|joe@@example.com|4", "double '@'" },
	{ "a@b@c, d@e", "|a@b@c|4; |d@e|0", "double '@' then a mailbox" },
	{ "Name <a@b> Other <c@d>", "Name|a@b|0; Other|c@d|0",
	  "missing comma between name-addrs" },
	{ "a@b c@d", "|a@b|0; |c@d|0", "missing comma between addr-specs" },
	{ "Big Bug bb@bug.com", "Big Bug|bb@bug.com|0",
	  "name without angle brackets" },
	{ "Mary Smith <mary@x.test>, , jdoe@example.org",
	  "Mary Smith|mary@x.test|0; |jdoe@example.org|0",
	  "empty list element" },
	{ "postmaster", "|postmaster|2", "local part alone" },
	{ "<postmaster>", "|postmaster|2", "angle local part alone" },
	{ "<>", "||0", "null address" },
	{ "Name <a@b", "Name|a@b|0", "missing '>'" },
	{ "a@b; c@d", "|a@b|0; |c@d|0", "stray ';'" },
	{ "a@b>, c@d", "|a@b|0; |c@d|0", "stray '>'" },
	{ "a . b @ c . d", "|a.b@c.d|0", "obs-local-part and CFWS" },
	{ "", "", "empty" },
	{ " , ,\t", "", "only commas" },
	{ "\"unterminated <a@b>", "|unterminated <a@b>|2",
	  "unterminated quote" },
	{ "(unterminated a@b", "", "unterminated comment" },
	{ "x@", "|x@|4", "no domain after '@'" },
	{ "@d", "|@d|4", "no local part" },
};

/* render - "name|addr|flags [group]" for each entry */
static void render(const struct address *a, struct buf *out)
{
	buf_reset(out);
	for (; a != NULL; a = a->next) {
		if (out->len > 0)
			buf_append_str(out, "; ");
		buf_printf(out, "%s|%s|%u", a->name, a->addr, a->flags);
		if (a->group != NULL)
			buf_printf(out, " [%s]", a->group);
	}
}

int main(void)
{
	struct pool *pool = pool_new(4096);
	struct buf got = BUF_INIT, in = BUF_INIT;
	const struct address *a;
	size_t i, n;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		a = address_parse(pool, cases[i].in, strlen(cases[i].in), &n);
		render(a, &got);
		is_str(buf_cstr(&got), cases[i].want, "%s: %s", cases[i].name,
		       cases[i].in);
	}

	a = address_parse(pool, "\"a b\"@x.test", 12, NULL);
	ok(a != NULL && strcmp(a->local, "a b") == 0 &&
	   strcmp(a->domain, "x.test") == 0, "local part unquoted, domain");
	a = address_parse(pool, "A <a@b>,\r\n B <c@d>", 18, &n);
	ok(n == 2 && a != NULL && a->next != NULL &&
	   strcmp(a->next->name, "B") == 0, "folded value, count");
	a = address_parse(pool, "a@b\0c@d", 7, &n);
	ok(n >= 1 && strcmp(a->addr, "a@b") == 0, "a NUL in the value");

	/* long inputs stay linear and bounded */
	for (i = 0; i < 100000; i++)
		buf_append_char(&in, '(');
	a = address_parse(pool, in.data, in.len, &n);
	ok(n == 0, "100000 open comments");
	buf_reset(&in);
	for (i = 0; i < 20000; i++)
		buf_printf(&in, "u%zu@example.com, ", i);
	a = address_parse(pool, in.data, in.len, &n);
	ok(n == 20000, "20000 addresses");
	buf_reset(&in);
	for (i = 0; i < 20000; i++)
		buf_append_str(&in, "\t=?utf-8?Q?date=3E2017-08-20T10:08:28?=\r\n");
	a = address_parse(pool, in.data, in.len, &n);
	ok(n == 1 && a->flags == ADDRESS_NO_DOMAIN,
	   "20000 folded encoded-words with ':' are one phrase");
	buf_free(&in);
	buf_free(&got);
	pool_free(&pool);
	return done_testing();
}
