/* test-password.c - password schemes: hashes made by Dovecot's
 * `doveadm pw` (2.3.19, Debian 12) verify; every scheme generates
 * strings that verify (and the unsalted ones equal Dovecot's); wrong
 * passwords, malformed strings, the default scheme, encodings, rounds
 * and the credentials CRAM-MD5 needs */
#include "auto-config.h"
#include "lib/buf.h"
#include "lib/password.h"
#include "t/tap.h"

#include <stdio.h>
#include <string.h>

/* the password every fixed vector hashes: a blank and UTF-8 on purpose */
#define PW "Tr0ub4dor&3 s\xc3\xa9same"
/* differs in the first byte: DES-CRYPT reads only eight */
#define WRONG "tr0ub4dor&3 s\xc3\xa9same"

/* `doveadm pw -s SCHEME -p PW`, captured once on this machine */
static const struct { const char *scheme, *hash; } dovecot[] = {
	{ "PLAIN", "{PLAIN}" PW },
	{ "CLEAR", "{CLEAR}" PW },
	{ "CLEARTEXT", "{CLEARTEXT}" PW },
	{ "PLAIN.HEX",
	  "{PLAIN.HEX}547230756234646f7226332073c3a973616d65" },
	{ "PLAIN.B64", "{PLAIN.B64}VHIwdWI0ZG9yJjMgc8Opc2FtZQ==" },
	{ "CRYPT",
	  "{CRYPT}$2y$05$X/iOucOXQJ9zkXH84jhDrO7s953X1zROZbJlWnW886drCgpD9DxsO" },
	{ "DES-CRYPT", "{DES-CRYPT}xGJTQJT3BCbXg" },
	{ "MD5", "{MD5}$1$XGzTHr1W$WiHsYjRVvQ4gVFhAw8fAh." },
	{ "MD5-CRYPT", "{MD5-CRYPT}$1$cS8MTS6n$M2ixwn2oAFnq2MrziPdZl/" },
	{ "PLAIN-MD5", "{PLAIN-MD5}fcf4f413738bf6c4a334ed4c5cc06d39" },
	{ "LDAP-MD5", "{LDAP-MD5}/PT0E3OL9sSjNO1MXMBtOQ==" },
	{ "SHA", "{SHA}JvAE20rF1Hr3KbrQL+sqUbKT9Rk=" },
	{ "SHA1", "{SHA1}JvAE20rF1Hr3KbrQL+sqUbKT9Rk=" },
	{ "SHA256", "{SHA256}eYD30TilhEwmZFz3WCK6CAoui4FwOjpIWlN115h53Vw=" },
	{ "SHA512",
	  "{SHA512}aStM8mmz+EB91YpTSqkgPIx3+VrPO49sbPFyew/VaFhI4ru8UZ0b8L/nAcYRFPLEyAcbvQFZ4nVwl/HllNXDvw==" },
	{ "SHA256.HEX",
	  "{SHA256.HEX}7980f7d138a5844c26645cf75822ba080a2e8b81703a3a485a5375d79879dd5c" },
	{ "SHA512.HEX",
	  "{SHA512.HEX}692b4cf269b3f8407dd58a534aa9203c8c77f95acf3b8f6c6cf1727b0fd5685848e2bbbc519d1bf0bfe701c61114f2c4c8071bbd0159e2757097f1e594d5c3bf" },
	{ "SHA1.HEX", "{SHA1.HEX}26f004db4ac5d47af729bad02feb2a51b293f519" },
	{ "SSHA", "{SSHA}UgQ5bbpWtpZYKIOMWvwsMZTm0P9XRcjz" },
	{ "SSHA256",
	  "{SSHA256}JuJ5onHbf8uuthgt8zVSpoGeY41lXIX5eVzjMIa5lbN4qVsl" },
	{ "SSHA512",
	  "{SSHA512}AVFsp897vn1yD9bTEELMstJ+kGLx/8hGMU9OUsXre2+NcgDx4jZFYnRYaQU1MfPW+EThtF8QodlI80aUgyK0EGmy01Y=" },
	{ "SSHA.HEX",
	  "{SSHA.HEX}d9aee20598a5d6d76c0f9ee7eaacbfd73cf80c57a1cb2a15" },
	{ "SSHA256.HEX",
	  "{SSHA256.HEX}77cbfd094a09ca1b24d960d251ec63581eb53d75853c744a6e2393897327af6463df32a8" },
	{ "SSHA512.HEX",
	  "{SSHA512.HEX}64ad6230496369285d0b8926b29d13be854aa5e5b56b57de220c0c2f5018235c6a035486df9cc50accb46a14b6734decca60acfd58f8b9db8d73263ad83b70b5beea9ab4" },
	{ "SMD5", "{SMD5}i7j7DZxRcDw3YOeSUHQnJ8HS9LY=" },
	{ "CRAM-MD5",
	  "{CRAM-MD5}40a862c88aefc66fede891a95040ca0f46166be5eb36e713d2b7b8091a0a4726" },
	{ "CRAM-MD5.B64",
	  "{CRAM-MD5.B64}QKhiyIrvxm/t6JGpUEDKD0YWa+XrNucT0re4CRoKRyY=" },
	{ "SHA256-CRYPT",
	  "{SHA256-CRYPT}$5$WmdNJC8/VxjMmuw2$BPtPhehQnsVeKy6CibUJ0cFjZaXHT36Iu4sjkBrlhE." },
	{ "SHA512-CRYPT",
	  "{SHA512-CRYPT}$6$jdJ1of.hVsjzJTkp$zLXpdbWZ5bW6chP.oDhnaVXRnfkfgHoXRU/iusyG5ecMJZybgti0n8WzdQqSvMgCMjdFkjB.Yh.9iudwy5rZo/" },
	{ "BLF-CRYPT",
	  "{BLF-CRYPT}$2y$05$vHl6tLbn9dk5bl3B6z4wN.CLkzEl8aGfBVDXPkmWarAla.3bl/F0y" },
	/* made by libxcrypt (doveadm cannot), verified by doveadm pw -t */
	{ "YESCRYPT",
	  "{CRYPT}$y$j9T$2r6eQX95Is6eakzqLeNq.8I7yKQp2UmcQdHJQNiXqC6$18zIVxlxLnWvzvv99rh61yq1IzSzdSUQ63PRYqvIKR5" },
	{ "PLAIN-MD5.B64", "{PLAIN-MD5.B64}/PT0E3OL9sSjNO1MXMBtOQ==" },
	{ "LDAP-MD5.HEX", "{LDAP-MD5.HEX}fcf4f413738bf6c4a334ed4c5cc06d39" },
#ifdef HAVE_ARGON2
	{ "ARGON2I",
	  "{ARGON2I}$argon2i$v=19$m=32768,t=4,p=1$AN9HdLIVy0qNtMbD4GLWTw$13lI2Ov+EXxxq/bdwuvDSiYwBzkjgU2CRN6Zs6Z4fDs" },
	{ "ARGON2ID",
	  "{ARGON2ID}$argon2id$v=19$m=65536,t=3,p=1$hHH4ie/osyDATLskzd/sWQ$hNkXWWqbkP4zc/axsxbHcEE7xxUbtUk8kkU7+WiLULI" },
#endif
};

/* verify - password_verify on a NUL-terminated password */
static int verify(const char *stored, const char *dflt, const char *pw,
		  struct sl_err *err)
{
	err_clear(err);
	return password_verify(stored, dflt, pw, strlen(pw), err);
}

static void test_dovecot_vectors(void)
{
	struct sl_err err;
	size_t i;

	for (i = 0; i < sizeof(dovecot) / sizeof(dovecot[0]); i++) {
		int r = verify(dovecot[i].hash, NULL, PW, &err);

		if (!ok(r == 1, "doveadm's %s verifies", dovecot[i].scheme))
			diag("  %d: %s", r, err.text);
		is_int(verify(dovecot[i].hash, NULL, WRONG, &err), 0,
		       "doveadm's %s refuses a wrong password",
		       dovecot[i].scheme);
		is_int(verify(dovecot[i].hash, NULL, "", &err), 0,
		       "doveadm's %s refuses an empty password",
		       dovecot[i].scheme);
	}
}

/* schemes password_generate makes, and what their strings start with;
 * exact: unsalted, so the string must be doveadm's */
static const struct { const char *scheme, *start; int exact; } made[] = {
	{ "SHA512-CRYPT", "{SHA512-CRYPT}$6$", 0 },
	{ "SHA256-CRYPT", "{SHA256-CRYPT}$5$", 0 },
	{ "BLF-CRYPT", "{BLF-CRYPT}$2y$05$", 0 },
	{ "YESCRYPT", "{CRYPT}$y$", 0 },
	{ "CRYPT", "{CRYPT}$2y$05$", 0 },
	{ "MD5-CRYPT", "{MD5-CRYPT}$1$", 0 },
	{ "MD5", "{MD5}$1$", 0 },
	{ "SSHA", "{SSHA}", 0 },
	{ "SSHA256", "{SSHA256}", 0 },
	{ "SSHA512", "{SSHA512}", 0 },
	{ "SSHA512.HEX", "{SSHA512.HEX}", 0 },
	{ "SMD5", "{SMD5}", 0 },
#ifdef HAVE_ARGON2
	{ "ARGON2I", "{ARGON2I}$argon2i$v=19$m=32768,t=4,p=1$", 0 },
	{ "ARGON2ID", "{ARGON2ID}$argon2id$v=19$m=65536,t=3,p=1$", 0 },
#endif
	{ "PLAIN", "{PLAIN}" PW, 1 },
	{ "PLAIN.HEX", NULL, 1 },
	{ "PLAIN.B64", NULL, 1 },
	{ "SHA", NULL, 1 },
	{ "SHA1", NULL, 1 },
	{ "SHA256", NULL, 1 },
	{ "SHA512", NULL, 1 },
	{ "SHA256.HEX", NULL, 1 },
	{ "SHA512.HEX", NULL, 1 },
	{ "SHA1.HEX", NULL, 1 },
	{ "PLAIN-MD5", NULL, 1 },
	{ "LDAP-MD5", NULL, 1 },
	{ "PLAIN-MD5.B64", NULL, 1 },
	{ "LDAP-MD5.HEX", NULL, 1 },
	{ "CRAM-MD5", NULL, 1 },
	{ "CRAM-MD5.B64", NULL, 1 },
};

/* dovecot_hash - the fixed vector of a scheme */
static const char *dovecot_hash(const char *scheme)
{
	size_t i;

	for (i = 0; i < sizeof(dovecot) / sizeof(dovecot[0]); i++) {
		if (strcmp(dovecot[i].scheme, scheme) == 0)
			return dovecot[i].hash;
	}
	return NULL;
}

static void test_generate(void)
{
	struct sl_err err;
	size_t i;

	for (i = 0; i < sizeof(made) / sizeof(made[0]); i++) {
		struct buf a = BUF_INIT, b = BUF_INIT;
		const char *want = made[i].exact ? dovecot_hash(made[i].scheme)
			: made[i].start;
		int ra, rb;

		err_clear(&err);
		ra = password_generate(made[i].scheme, PW, strlen(PW), 0, &a,
				       &err);
		rb = password_generate(made[i].scheme, PW, strlen(PW), 0, &b,
				       &err);
		if (!ok(ra == 0 && rb == 0, "%s: generated", made[i].scheme))
			diag("  %s", err.text);
		if (made[i].exact)
			is_str(buf_cstr(&a), want, "%s: the same string as "
			       "doveadm pw", made[i].scheme);
		else
			ok(strncmp(buf_cstr(&a), want, strlen(want)) == 0 &&
			   strcmp(buf_cstr(&a), buf_cstr(&b)) != 0,
			   "%s: starts %s, salted afresh each time",
			   made[i].scheme, want);
		is_int(verify(buf_cstr(&a), NULL, PW, &err), 1,
		       "%s: the generated string verifies", made[i].scheme);
		is_int(verify(buf_cstr(&a), NULL, WRONG, &err), 0,
		       "%s: ... and refuses a wrong password", made[i].scheme);
		buf_free(&a);
		buf_free(&b);
	}
}

static void test_default_scheme(void)
{
	struct sl_err err;

	is_int(verify("$6$jdJ1of.hVsjzJTkp$zLXpdbWZ5bW6chP.oDhnaVXRnfkfgHoXRU/iusyG5ecMJZybgti0n8WzdQqSvMgCMjdFkjB.Yh.9iudwy5rZo/",
		      "CRYPT", PW, &err), 1,
	       "no prefix: the default scheme (CRYPT) checks a $6$ string");
	is_int(verify("fcf4f413738bf6c4a334ed4c5cc06d39", "PLAIN-MD5", PW,
		      &err), 1, "no prefix: default PLAIN-MD5");
	is_int(verify("fcf4f413738bf6c4a334ed4c5cc06d39", "plain-md5", WRONG,
		      &err), 0, "no prefix: default plain-md5 (any case), "
	       "wrong password");
	is_int(verify(PW, "PLAIN", PW, &err), 1, "no prefix: default PLAIN");
	is_int(verify("$2y$05$vHl6tLbn9dk5bl3B6z4wN.CLkzEl8aGfBVDXPkmWarAla.3bl/F0y",
		      NULL, PW, &err), -1,
	       "no prefix and no default scheme: cannot be checked");
	is_int(err.cls, ERR_USAGE, "... a usage error");
	ok(strstr(err.text, "prefix") != NULL, "... saying so: %s", err.text);
	is_int(verify("$1$cS8MTS6n$M2ixwn2oAFnq2MrziPdZl/", "PLAIN", PW, &err),
	       1, "no prefix: a $1$ string is MD5-CRYPT whatever the default "
	       "(as Dovecot)");
	is_int(verify("$1$cS8MTS6n$M2ixwn2oAFnq2MrziPdZl/$ignored", NULL, PW,
		      &err), 1, "... text after its hash is ignored");
	is_int(verify("{SHA256" PW, "PLAIN", "{SHA256" PW, &err), 1,
	       "'{' without '}': the whole string under the default scheme");
	is_int(verify("{sha256}eYD30TilhEwmZFz3WCK6CAoui4FwOjpIWlN115h53Vw=",
		      NULL, PW, &err), 1, "scheme names are case-blind");
}

static void test_encodings(void)
{
	struct sl_err err;

	is_int(verify("{SHA256}7980f7d138a5844c26645cf75822ba080a2e8b81703a3a485a5375d79879dd5c",
		      NULL, PW, &err), 1,
	       "SHA256 without suffix: hex guessed from the length");
	is_int(verify("{SHA256.hex}7980F7D138A5844C26645CF75822BA080A2E8B81703A3A485A5375D79879DD5C",
		      NULL, PW, &err), 1, "upper-case hex, .hex suffix");
	is_int(verify("{SHA256.BASE64}eYD30TilhEwmZFz3WCK6CAoui4FwOjpIWlN115h53Vw=",
		      NULL, PW, &err), 1, ".BASE64 suffix");
	is_int(verify("{PLAIN-MD5}/PT0E3OL9sSjNO1MXMBtOQ==", NULL, PW, &err), 1,
	       "PLAIN-MD5 in base64: guessed");
	is_int(verify("{MD5}fcf4f413738bf6c4a334ed4c5cc06d39", NULL, PW, &err),
	       1, "MD5 holding a PLAIN-MD5 hex digest");
	is_int(verify("{MD5}/PT0E3OL9sSjNO1MXMBtOQ==", NULL, PW, &err), 1,
	       "MD5 holding a PLAIN-MD5 base64 digest");
	is_int(verify("{CRAM-MD5}QKhiyIrvxm/t6JGpUEDKD0YWa+XrNucT0re4CRoKRyY=",
		      NULL, PW, &err), 1, "CRAM-MD5 in base64: guessed");
	/* salted schemes have no fixed length: no guess, as Dovecot */
	is_int(verify("{SSHA}d9aee20598a5d6d76c0f9ee7eaacbfd73cf80c57a1cb2a15",
		      NULL, PW, &err), 0,
	       "SSHA hex without .HEX is read as base64 (a mismatch, as in "
	       "Dovecot)");
	is_int(verify("{PLAIN.HEX}610062", NULL, "a\0b", &err), 0,
	       "strlen stops a C string at the NUL (sanity)");
	err_clear(&err);
	is_int(password_verify("{PLAIN.HEX}610062", NULL, "a\0b", 3, &err), 1,
	       "PLAIN compares bytes: a NUL inside counts");
}

static void test_malformed(void)
{
	static const struct { const char *stored, *what; } bad[] = {
		{ "{NOSUCH}abc", "an unknown scheme" },
		{ "{SHA256.XYZ}abc", "an unknown encoding suffix" },
		{ "{}abc", "an empty scheme name" },
		{ "{SHA256}!!!!", "SHA256 that is no base64" },
		{ "{SHA256}AAAA", "SHA256 of the wrong length" },
		{ "{SHA256.HEX}7980f7", "SHA256.HEX of the wrong length" },
		{ "{SHA256.HEX}zz80f7d138a5844c26645cf75822ba080a2e8b81703a3a485a5375d79879dd5c",
		  "SHA256.HEX that is no hex" },
		{ "{SSHA}JvAE20rF1Hr3KbrQL+sqUbKT9Rk=", "SSHA without salt" },
		{ "{SSHA512}not base64!", "SSHA512 that is no base64" },
		{ "{CRAM-MD5}40a862", "CRAM-MD5 too short" },
		{ "{CRYPT}*", "a crypt string libxcrypt refuses" },
		{ "{MD5}xyz", "MD5 that is neither $1$ nor a digest" },
#ifdef HAVE_ARGON2
		{ "{ARGON2ID}$argon2id$v=19$m=65536,t=3,p=1$bad",
		  "a truncated argon2 string" },
		{ "{ARGON2I}$6$salt$hash", "ARGON2I holding no argon2 string" },
		{ "{ARGON2ID}$argon2id$v=19$m=99999999,t=3,p=1$hHH4ie/osyDATLskzd/sWQ$hNkXWWqbkP4zc/axsxbHcEE7xxUbtUk8kkU7+WiLULI",
		  "argon2 asking for 95 GiB" },
#endif
	};
	struct sl_err err;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int r = verify(bad[i].stored, NULL, PW, &err);

		if (!ok(r == -1 && err.cls == ERR_PERM && err.text[0] != '\0' &&
			strstr(err.text, PW) == NULL,
			"%s cannot be checked (-1, ERR_PERM, no password in "
			"the text)", bad[i].what))
			diag("  %d %d: %s", r, err.cls, err.text);
	}
	verify("{NOSUCH}abc", NULL, PW, &err);
	ok(strstr(err.text, "unknown scheme") != NULL &&
	   strstr(err.text, "NOSUCH") != NULL, "the error names the scheme: %s",
	   err.text);
	is_int(verify(dovecot_hash("DES-CRYPT"), NULL, "Tr0ub4do", &err), 1,
	       "DES-CRYPT reads only the first 8 bytes (why it is not made)");
	is_int(verify("{CRYPT}", NULL, PW, &err), 0,
	       "an empty crypt string matches nothing (not even \"\")");
	is_int(verify("{CRYPT}", NULL, "", &err), 0, "... not even \"\"");
#ifndef HAVE_ARGON2
	is_int(verify("{ARGON2ID}$argon2id$v=19$m=65536,t=3,p=1$a$b", NULL, PW,
		      &err), -1, "without libargon2, ARGON2ID is unknown");
	ok(strstr(err.text, "unknown scheme") != NULL &&
	   strstr(err.text, "libargon2") != NULL, "... saying why: %s",
	   err.text);
#endif
}

static void test_long_and_nul(void)
{
	char big[600];
	struct buf out = BUF_INIT;
	struct sl_err err;

	memset(big, 'x', sizeof(big));
	err_clear(&err);
	is_int(password_generate("SHA512-CRYPT", big, sizeof(big), 0, &out,
				 &err), -1, "crypt schemes refuse 600 bytes");
	is_int(err.cls, ERR_USAGE, "... a usage error");
	is_int(password_generate("SHA512-CRYPT", "a\0b", 3, 0, &out, &err), -1,
	       "crypt schemes refuse a NUL byte");
	is_int(password_verify(dovecot_hash("SHA512-CRYPT"), NULL, big,
			       sizeof(big), &err), 0,
	       "600 bytes never match a crypt string");
	is_int(password_verify(dovecot_hash("SHA512-CRYPT"), NULL, PW "\0",
			       strlen(PW) + 1, &err), 0,
	       "the password and a NUL never match a crypt string");
	is_int(password_generate("SSHA512", big, sizeof(big), 0, &out, &err), 0,
	       "digest schemes take 600 bytes");
	is_int(password_verify(buf_cstr(&out), NULL, big, sizeof(big), &err), 1,
	       "... and verify them");
	buf_reset(&out);
	is_int(password_generate("CRAM-MD5", big, sizeof(big), 0, &out, &err),
	       0, "CRAM-MD5 of a password longer than a block (hashed first)");
	is_int(password_verify(buf_cstr(&out), NULL, big, sizeof(big), &err), 1,
	       "... verifies");
	buf_free(&out);
}

static void test_rounds(void)
{
	static const struct {
		const char *scheme;
		unsigned rounds;
		const char *start;	/* NULL: refused */
	} cases[] = {
		{ "SHA512-CRYPT", 10000, "{SHA512-CRYPT}$6$rounds=10000$" },
		{ "SHA256-CRYPT", 2000, "{SHA256-CRYPT}$5$rounds=2000$" },
		{ "BLF-CRYPT", 6, "{BLF-CRYPT}$2y$06$" },
		{ "CRYPT", 4, "{CRYPT}$2y$04$" },
		{ "YESCRYPT", 3, "{CRYPT}$y$" },
#ifdef HAVE_ARGON2
		{ "ARGON2ID", 1, "{ARGON2ID}$argon2id$v=19$m=65536,t=1,p=1$" },
		{ "ARGON2I", 3, "{ARGON2I}$argon2i$v=19$m=32768,t=3,p=1$" },
		{ "ARGON2I", 2, NULL },
#endif
		{ "BLF-CRYPT", 32, NULL },
		{ "BLF-CRYPT", 3, NULL },
		{ "SHA512-CRYPT", 999, NULL },
		{ "YESCRYPT", 12, NULL },
		{ "SSHA512", 5, NULL },
		{ "SHA256", 1, NULL },
		{ "DES-CRYPT", 0, NULL },
		{ "NOSUCH", 0, NULL },
	};
	struct sl_err err;
	size_t i;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct buf out = BUF_INIT;
		int r;

		err_clear(&err);
		r = password_generate(cases[i].scheme, PW, strlen(PW),
				      cases[i].rounds, &out, &err);
		if (cases[i].start == NULL) {
			ok(r == -1 && err.cls == ERR_USAGE && out.len == 0 &&
			   password_generate_check(cases[i].scheme,
						   cases[i].rounds, &err) == -1,
			   "%s rounds %u: refused (%s)", cases[i].scheme,
			   cases[i].rounds, err.text);
		} else {
			ok(r == 0 && strncmp(buf_cstr(&out), cases[i].start,
					     strlen(cases[i].start)) == 0 &&
			   verify(buf_cstr(&out), NULL, PW, &err) == 1,
			   "%s rounds %u: %s... verifies", cases[i].scheme,
			   cases[i].rounds, cases[i].start);
		}
		buf_free(&out);
	}
}

static void test_credentials(void)
{
	static const char cram[] =
		"40a862c88aefc66fede891a95040ca0f46166be5eb36e713d2b7b8091a0a4726";
	struct buf out = BUF_INIT;
	struct sl_err err;

	err_clear(&err);
	is_int(password_credentials("{PLAIN}" PW, NULL, "PLAIN", &out, &err), 1,
	       "PLAIN store gives PLAIN");
	is_str(buf_cstr(&out), PW, "... the password itself");
	buf_reset(&out);
	is_int(password_credentials("{PLAIN.HEX}547230756234646f7226332073c3a973616d65",
				    NULL, "PLAIN", &out, &err), 1,
	       "PLAIN.HEX store gives PLAIN");
	is_str(buf_cstr(&out), PW, "... decoded");
	buf_reset(&out);
	is_int(password_credentials(PW, "CLEAR", "PLAIN", &out, &err), 1,
	       "no prefix, default CLEAR: gives PLAIN");
	buf_reset(&out);
	is_int(password_credentials("{PLAIN}" PW, NULL, "CRAM-MD5", &out, &err),
	       1, "PLAIN store gives CRAM-MD5");
	is_str(buf_cstr(&out), cram, "... Dovecot's CRAM-MD5 context");
	buf_reset(&out);
	is_int(password_credentials(dovecot_hash("CRAM-MD5.B64"), NULL,
				    "cram-md5", &out, &err), 1,
	       "CRAM-MD5.B64 store gives CRAM-MD5");
	is_str(buf_cstr(&out), cram, "... as 64 hex digits");
	buf_reset(&out);
	is_int(password_credentials(dovecot_hash("CRAM-MD5"), NULL, "PLAIN",
				    &out, &err), 0,
	       "CRAM-MD5 store cannot give PLAIN");
	is_int(password_credentials(dovecot_hash("SHA512-CRYPT"), NULL,
				    "CRAM-MD5", &out, &err), 0,
	       "SHA512-CRYPT store cannot give CRAM-MD5");
	is_int(password_credentials(dovecot_hash("SHA256"), NULL, "PLAIN",
				    &out, &err), 0,
	       "SHA256 store cannot give PLAIN");
	is_int(out.len, 0, "... and nothing was written");
	is_int(password_credentials("{CRAM-MD5}40a862", NULL, "CRAM-MD5", &out,
				    &err), -1, "a malformed CRAM-MD5 store: -1");
	is_int(password_credentials("{NOSUCH}x", NULL, "PLAIN", &out, &err), -1,
	       "an unknown scheme: -1");
	is_int(password_credentials("{PLAIN}x", NULL, "DIGEST-MD5", &out, &err),
	       -1, "an unsupported mechanism: -1");
	buf_free(&out);
}

static void test_scheme_info(void)
{
	const char *name, *label = NULL;
	size_t i;
	int seen_yes = 0, seen_sha = 0;

	ok(password_scheme_known("sha256.hex") &&
	   password_scheme_known("SSHA512") && password_scheme_known("CRYPT"),
	   "known: sha256.hex, SSHA512, CRYPT");
	ok(!password_scheme_known("NOSUCH") &&
	   !password_scheme_known("SHA256.XX") && !password_scheme_known(""),
	   "unknown: NOSUCH, SHA256.XX, \"\"");
#ifdef HAVE_ARGON2
	ok(password_scheme_known("argon2id"), "known: argon2id (libargon2)");
#else
	ok(!password_scheme_known("ARGON2ID"), "unknown without libargon2: "
	   "ARGON2ID");
#endif
	is_int(password_scheme_flags("PLAIN"),
	       PASSWORD_SCHEME_PLAINTEXT | PASSWORD_SCHEME_GENERATE,
	       "PLAIN: plaintext");
	is_int(password_scheme_flags("des-crypt"), 0, "DES-CRYPT: verify only");
	is_int(password_scheme_flags("BLF-CRYPT"),
	       PASSWORD_SCHEME_GENERATE | PASSWORD_SCHEME_ROUNDS,
	       "BLF-CRYPT: made, with rounds");
	is_int(password_scheme_flags("NOSUCH"), -1, "NOSUCH: -1");
	for (i = 0; (name = password_scheme_name(i, &label)) != NULL; i++) {
		if (strcmp(name, "YESCRYPT") == 0 && strcmp(label, "CRYPT") == 0)
			seen_yes = 1;
		if (strcmp(name, "SHA512-CRYPT") == 0 &&
		    strcmp(label, "SHA512-CRYPT") == 0)
			seen_sha = 1;
	}
	ok(i > 20 && seen_yes && seen_sha,
	   "the list: %zu schemes, YESCRYPT labelled CRYPT", i);
}

int main(void)
{
	test_dovecot_vectors();
	test_generate();
	test_default_scheme();
	test_encodings();
	test_malformed();
	test_long_and_nul();
	test_rounds();
	test_credentials();
	test_scheme_info();
	return done_testing();
}
