/* test-casefold.c - lib/casefold: libunistring's u8_casefold (NFKD),
 * loaded only when first used */
#include "auto-config.h"
#include "t/tap.h"
#include "lib/casefold.h"

#include <dlfcn.h>
#include <string.h>

/* loaded - is libunistring mapped into this process? */
static int loaded(void)
{
	void *h = dlopen(UNISTRING_SONAME, RTLD_LAZY | RTLD_NOLOAD);

	if (h == NULL)
		return 0;
	dlclose(h);
	return 1;
}

/* fold_is - casefold_utf8(in) returns 1 and appends exactly want */
static void fold_is(const char *in, const char *want, const char *name)
{
	struct buf b = BUF_INIT;
	int r = casefold_utf8(in, strlen(in), &b);

	ok(r == 1, "%s: folded", name);
	is_mem(b.data, b.len, want, strlen(want), "%s: result", name);
	buf_free(&b);
}

static void test_fold(void)
{
	struct buf b = BUF_INIT, big = BUF_INIT, want = BUF_INIT;
	struct sl_err err;
	int i;

	ok(!loaded(), "libunistring is not loaded at start-up");
	fold_is("Stra\xc3\x9f" "e", "strasse", "sharp s folds to ss");
	ok(loaded(), "the first fold loaded libunistring");
	is_int(casefold_load(&err), 0, "casefold_load once loaded");
	fold_is("\xc3\x89T\xc3\x89", "e\xcc\x81te\xcc\x81",
		"precomposed capitals: lower case, decomposed (NFKD)");
	fold_is("GR\xc3\x9c\xc3\x9f" "E AUS M\xc3\x9cNCHEN",
		"gru\xcc\x88sse aus mu\xcc\x88nchen", "a whole subject");
	fold_is("\xef\xac\x81", "fi", "compatibility ligature fi (NFKD)");
	fold_is("\xce\xa3\xce\x9f\xce\xa6\xce\x8f\xce\xa3",
		"\xcf\x83\xce\xbf\xcf\x86\xcf\x89\xcc\x81\xcf\x83",
		"Greek capitals fold to small letters");
	fold_is("Hello, World 123", "hello, world 123", "ASCII lower-cased");
	fold_is("", "", "empty string");

	/* libunistring does not fail on ill-formed input: each bad
	 * sequence becomes U+FFFD (the comparator has always behaved so) */
	fold_is("\xff" "A\xc3", "\xef\xbf\xbd" "a\xef\xbf\xbd",
		"ill-formed UTF-8: U+FFFD for each bad sequence");
	buf_append_str(&b, "x:");
	ok(casefold_utf8("AB", 2, &b) == 1 && b.len == 4 &&
	   memcmp(b.data, "x:ab", 4) == 0, "appends to what out holds");

	/* more than the 512-octet stack buffer: u8_casefold allocates */
	for (i = 0; i < 400; i++) {
		buf_append(&big, "\xc3\x9f", 2);
		buf_append(&want, "ss", 2);
	}
	buf_reset(&b);
	ok(casefold_utf8(big.data, big.len, &b) == 1 && b.len == want.len &&
	   memcmp(b.data, want.data, b.len) == 0,
	   "a long string (800 octets folding to 800) comes back whole");
	buf_free(&b);
	buf_free(&big);
	buf_free(&want);
}

int main(void)
{
	test_fold();
	return done_testing();
}
