/* test-sieve-lexer.c - RFC 5228 8.1 tokens in a table, and where the
 * lexer and the parser put their errors (LINE:COL) */
#include "auto-config.h"
#include "t/tap.h"
#include "lib/buf.h"
#include "sieve/sieve-lexer.h"
#include "sieve/sieve.h"
#include "sieve/sieve-ast.h"

#include <string.h>

/* tokens - input as a line of tokens: I(x) T(x) N(n) S(text) [ ] ( ) {
 * } , ; and E for an error; string bytes < 0x20 as \xNN */
static void tokens(const char *in, size_t len, struct buf *out,
		   struct sieve_diags *d, struct pool *pool)
{
	struct sieve_lexer lx;
	struct sieve_token t;
	size_t i;

	sieve_lexer_init(&lx, pool, d, "t", in, len);
	for (;;) {
		enum sieve_tok k = sieve_lexer_next(&lx, &t);

		if (out->len > 0 && k != SIEVE_TOK_EOF)
			buf_append_char(out, ' ');
		switch (k) {
		case SIEVE_TOK_EOF: return;
		case SIEVE_TOK_ERROR: buf_append_str(out, "E"); return;
		case SIEVE_TOK_IDENT:
			buf_printf(out, "I(%.*s)", (int)t.len, t.text);
			break;
		case SIEVE_TOK_TAG:
			buf_printf(out, "T(%.*s)", (int)t.len, t.text);
			break;
		case SIEVE_TOK_NUMBER:
			buf_printf(out, "N(%llu)", (unsigned long long)t.number);
			break;
		case SIEVE_TOK_STRING:
		case SIEVE_TOK_MSTRING:
			buf_append_str(out, k == SIEVE_TOK_STRING ? "S(" : "M(");
			for (i = 0; i < t.len; i++) {
				unsigned char c = (unsigned char)t.text[i];

				if (c < 0x20)
					buf_printf(out, "\\x%02x", c);
				else
					buf_append_char(out, (char)c);
			}
			buf_append_char(out, ')');
			break;
		default:
			buf_append_str(out, sieve_tok_describe(k));
			break;
		}
	}
}

static const struct {
	const char *in, *want, *name;
} cases[] = {
	{ "if header :is \"a\" \"b\" { keep; }",
	  "I(if) I(header) T(is) S(a) S(b) '{' I(keep) ';' '}'", "a rule" },
	{ "IF Header :IS", "I(IF) I(Header) T(IS)", "case kept in tokens" },
	{ "_a1 :_b2", "I(_a1) T(_b2)", "underscores and digits" },
	{ "1 10K 2m 3G 0", "N(1) N(10240) N(2097152) N(3221225472) N(0)",
	  "numbers with quantifiers, either case" },
	{ "18446744073709551615", "N(18446744073709551615)", "largest number" },
	{ "[\"a\", \"b\"] (x, y)", "'[' S(a) ',' S(b) ']' '(' I(x) ',' I(y) ')'",
	  "lists" },
	{ "\"a\\\"b\\\\c\\d\"", "S(a\"b\\cd)", "escapes: \\\" \\\\ and others "
	  "dropped" },
	{ "\"x\ny\"", "S(x\\x0d\\x0ay)", "LF in a quoted string becomes CRLF" },
	{ "\"x\r\ny\"", "S(x\\x0d\\x0ay)", "CRLF in a quoted string kept" },
	{ "\"\"", "S()", "empty string" },
	{ "text:\nline 1\n..dot\n.\n", "M(line 1\\x0d\\x0a.dot\\x0d\\x0a)",
	  "multi-line with dot-stuffing" },
	{ "text: # comment\r\nx\r\n.\r\n;", "M(x\\x0d\\x0a) ';'",
	  "multi-line with a hash comment, CRLF" },
	{ "TEXT:\n.\n", "M()", "empty multi-line, case-insensitive text:" },
	{ "text:\n.x\n.\n", "M(x\\x0d\\x0a)", "leading dot removed" },
	{ "text:\n.. \n.\n", "M(. \\x0d\\x0a)", "dot-stuffed line with space" },
	{ "keep; # hash comment\nstop;", "I(keep) ';' I(stop) ';'",
	  "hash comment" },
	{ "keep /* a\n * b */ ;", "I(keep) ';'", "bracket comment over lines" },
	{ "/**/keep", "I(keep)", "empty bracket comment" },
	{ "a/* x */b", "I(a) I(b)", "comment separates identifiers" },
	{ "text: x", "E", "text: followed by junk" },
	{ "keep = 1", "I(keep) E", "stray character" },
	{ ":", "E", "lone colon" },
	{ ": x", "E", "colon then space" },
	{ "99999999999999999999", "E", "number too large" },
	{ "18446744073709551615K", "E", "quantifier overflows" },
};

static const struct {
	const char *script, *want, *name;
} errors[] = {
	{ "keep;\n/* never\nclosed\n", "4:1: end of file before end of "
	  "bracket comment", "unterminated comment: at the end of the file" },
	{ "keep;\nredirect \"a\n", "3:1: end of file before end of quoted",
	  "unterminated string" },
	{ "if true {\n  keep;\n", "3:1: expected end of compound block '}', "
	  "but found end of file", "unclosed block" },
	{ "keep;\n  keep\n", "3:1: expected end of command ';' or the "
	  "beginning of a compound block '{', but found end of file",
	  "missing semicolon at the end" },
	{ "keep;\n}\n", "2:1: unexpected '}' found at (the presumed) end of "
	  "file", "stray closing brace" },
	{ "if header :is [\"a\" \"b\"] \"c\" {}", "1:20: expecting ',' or end "
	  "of string list ']', but found string", "list without comma" },
	{ "if header :is [] \"c\" {}", "1:16: expecting string after '[' in "
	  "string list, but found ']'", "empty list" },
	{ "if header :is [\"a\",] \"c\" {}", "1:20: expecting string after ',' "
	  "in string list, but found ']'", "trailing comma" },
	{ "if allof() {}", "1:10: expecting test identifier after '(' in "
	  "test list, but found ')'", "empty test list" },
	{ "if anyof(true; false) {}", "1:14: expecting ',' or end of test list "
	  "')', but found ';'", "test list without comma" },
	{ "if anyof(true, 1) {}", "1:16: expecting test identifier after ',' "
	  "in test list, but found number", "number in a test list" },
	{ "\n\n   x = 1;", "3:6: unexpected character(s) starting with '='",
	  "column of a bad character" },
	{ "text:\nfoo\n", "3:1: end of file before end of multi-line string",
	  "unterminated multi-line" },
};

int main(void)
{
	size_t i;
	char deep[400];

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct pool *pool = pool_new(1024);
		struct sieve_diags d;
		struct buf out = BUF_INIT;

		sieve_diags_init(&d, pool);
		tokens(cases[i].in, strlen(cases[i].in), &out, &d, pool);
		is_str(buf_cstr(&out), cases[i].want, "%s", cases[i].name);
		ok((d.n_errors > 0) == (strchr(cases[i].want, 'E') != NULL &&
					cases[i].want[strlen(cases[i].want) - 1] ==
					'E'),
		   "%s: error reported iff E", cases[i].name);
		buf_free(&out);
		pool_free(&pool);
	}
	for (i = 0; i < sizeof(errors) / sizeof(errors[0]); i++) {
		struct pool *pool = pool_new(1024);
		struct sieve_diags d;
		struct sieve_node *first;
		const struct sieve_diag *g;
		char got[256];
		int r;

		sieve_diags_init(&d, pool);
		r = sieve_parse(pool, "t", errors[i].script,
				strlen(errors[i].script), &d, &first);
		g = sieve_diags_first_error(&d);
		ok(r < 0 && g != NULL, "%s: parse fails", errors[i].name);
		snprintf(got, sizeof(got), "%u:%u: %s", g ? g->line : 0,
			 g ? g->col : 0, g ? g->message : "");
		ok(strncmp(got, errors[i].want, strlen(errors[i].want)) == 0,
		   "%s: %s", errors[i].name, got);
		ok(g == NULL || strncmp(g->text, "t:", 2) == 0,
		   "%s: text starts with the script name", errors[i].name);
		pool_free(&pool);
	}
	/* nesting beyond the limit is an error, not a stack overflow */
	{
		struct pool *pool = pool_new(1024);
		struct sieve_diags d;
		struct sieve_node *first;
		size_t n = 0;

		for (i = 0; i < 100 && n + 12 < sizeof(deep); i++)
			n += (size_t)snprintf(deep + n, sizeof(deep) - n, "not ");
		snprintf(deep + n, sizeof(deep) - n, "true");
		sieve_diags_init(&d, pool);
		{
			struct buf s = BUF_INIT;

			buf_printf(&s, "if %s {}", deep);
			ok(sieve_parse(pool, "t", s.data, s.len, &d, &first) < 0,
			   "100 nested tests refused");
			buf_free(&s);
		}
		pool_free(&pool);
	}
	return done_testing();
}
