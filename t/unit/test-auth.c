/* test-auth.c - sluice-auth's protocol library: base64, MD5 and
 * CRAM-MD5 (RFC 1321 and RFC 2195 vectors, Dovecot's {CRAM-MD5} byte
 * order as `doveadm pw` writes it), the per-IP failure table, and the
 * auth client protocol driven line by line with a password database of
 * the test's own and a clock of its own: handshake, PLAIN, LOGIN,
 * CRAM-MD5, the failure delay, protocol errors, the plaintext rule, the
 * per-IP block, and a whole session fed one byte at a time. */
#include "auto-config.h"
#include "t/tap.h"
#include "auth/auth.h"
#include "lib/xalloc.h"

#include <regex.h>
#include <stdlib.h>
#include <string.h>

static void test_base64(void)
{
	static const char *const enc[][2] = {
		{ "", "" }, { "f", "Zg==" }, { "fo", "Zm8=" }, { "foo", "Zm9v" },
		{ "foob", "Zm9vYg==" }, { "fooba", "Zm9vYmE=" },
		{ "foobar", "Zm9vYmFy" },
	};
	static const char *const bad[] = {
		"Zg=", "Z", "Zm9v!", "Zg==Zg==", "=", "Zm9=v", "Zm 9v", "Zg===",
		"Zm9vY", "Zm9v\n",
	};
	struct buf b = BUF_INIT;
	size_t i;

	for (i = 0; i < sizeof(enc) / sizeof(enc[0]); i++) {
		buf_reset(&b);
		base64_encode(enc[i][0], strlen(enc[i][0]), &b);
		is_str(buf_cstr(&b), enc[i][1], "base64 of \"%s\"", enc[i][0]);
		buf_reset(&b);
		ok(base64_decode(enc[i][1], strlen(enc[i][1]), &b) == 0 &&
		   b.len == strlen(enc[i][0]) &&
		   memcmp(buf_cstr(&b), enc[i][0], b.len) == 0,
		   "decode %s", enc[i][1]);
	}
	buf_reset(&b);
	ok(base64_decode("Zm9vYg", 6, &b) == 0 && b.len == 4 &&
	   memcmp(b.data, "foob", 4) == 0, "unpadded last group decodes");
	buf_reset(&b);
	ok(base64_decode("AGFsaWNlAHM=", 12, &b) == 0 && b.len == 8 &&
	   memcmp(b.data, "\0alice\0s", 8) == 0, "NULs decoded and kept");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		buf_reset(&b);
		ok(base64_decode(bad[i], strlen(bad[i]), &b) < 0,
		   "invalid base64 refused: bad[%zu]", i);
	}
	buf_free(&b);
}

static void md5_hex(const void *data, size_t len, int trickle, char out[33])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char d[MD5_DIGEST_LEN];
	struct md5 m;
	size_t i;

	md5_init(&m);
	if (trickle) {
		for (i = 0; i < len; i++)
			md5_update(&m, (const char *)data + i, 1);
	} else {
		md5_update(&m, data, len);
	}
	md5_final(&m, d);
	for (i = 0; i < MD5_DIGEST_LEN; i++) {
		out[2 * i] = hex[d[i] >> 4];
		out[2 * i + 1] = hex[d[i] & 15];
	}
	out[32] = '\0';
}

static void test_md5(void)
{
	static const char *const v[][2] = {	/* RFC 1321 A.5 */
		{ "", "d41d8cd98f00b204e9800998ecf8427e" },
		{ "a", "0cc175b9c0f1b6a831c399e269772661" },
		{ "abc", "900150983cd24fb0d6963f7d28e17f72" },
		{ "message digest", "f96b697d7cb7938d525a2f31aaf161d0" },
		{ "abcdefghijklmnopqrstuvwxyz", "c3fcd3d76192e4007dfb496cca67e13b" },
		{ "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
		  "d174ab98d277d9f5a5611c2c9f419d9f" },
		{ "1234567890123456789012345678901234567890123456789012345678901234"
		  "5678901234567890", "57edf4a22be3c955ac49da2e2107b67a" },
	};
	char hex[33], ctx[65];
	size_t i;

	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		md5_hex(v[i][0], strlen(v[i][0]), 0, hex);
		is_str(hex, v[i][1], "MD5 of \"%.20s\"", v[i][0]);
		md5_hex(v[i][0], strlen(v[i][0]), 1, hex);
		is_str(hex, v[i][1], "MD5 of \"%.20s\" fed byte by byte", v[i][0]);
	}
	/* RFC 2195's example; contexts as `doveadm pw -s CRAM-MD5` gives */
	md5_cram_contexts("tanstaaftanstaaf", 16, ctx);
	is_str(ctx, "d06d4e1b26fccaa4b0b61801132340a354b21152711fb604ca3e035e7015116b",
	       "CRAM-MD5 contexts in Dovecot's order and byte order");
	md5_cram_contexts("secret", 6, ctx);
	is_str(ctx, "cd3ba7deaad6e5ca23448ba42e379747a9e0f7f1fbc00c8a81bbaac395731b56",
	       "CRAM-MD5 contexts of \"secret\" as doveadm pw");
	ok(md5_cram_response("d06d4e1b26fccaa4b0b61801132340a354b21152711fb604ca3e035e7015116b",
			     "<1896.697170952@postoffice.reston.mci.net>", 42, hex) == 0,
	   "a response from stored contexts");
	is_str(hex, "b913a602c7eda7a495b4e6e7334d3890", "RFC 2195's digest");
	ok(md5_cram_response("d06d", "x", 1, hex) < 0, "short contexts refused");
	ok(md5_cram_response("g06d4e1b26fccaa4b0b61801132340a354b21152711fb604ca3e035e7015116b",
			     "x", 1, hex) < 0, "non-hex contexts refused");
}

static void test_penalty(void)
{
	struct sl_err err;
	struct penalty *p = penalty_new(&err);
	char ip[32];
	int i, started;

	ok(p != NULL, "penalty table mapped");
	if (p == NULL)
		return;
	ok(penalty_failed(p, "192.0.2.1", 3, 60000, 1000) == 0 &&
	   penalty_failed(p, "192.0.2.1", 3, 60000, 2000) == 0,
	   "two failures: no block");
	ok(penalty_blocked(p, "192.0.2.1", 2000) == 0, "not blocked yet");
	ok(penalty_failed(p, "192.0.2.1", 3, 60000, 3000) == 1,
	   "the third within a minute starts a block");
	is_int((int)penalty_blocked(p, "192.0.2.1", 4000), 59000,
	       "blocked, 59 s left");
	is_int((int)penalty_blocked(p, "::ffff:192.0.2.1", 4000), 59000,
	       "the IPv4-mapped spelling is the same address");
	ok(penalty_blocked(p, "192.0.2.2", 4000) == 0, "another address is not");
	ok(penalty_blocked(p, "192.0.2.1", 63000) == 0, "the block ends");
	(void)penalty_failed(p, "2001:db8::1", 3, 60000, 100000);
	(void)penalty_failed(p, "2001:db8::1", 3, 60000, 100000);
	ok(penalty_failed(p, "2001:db8::1", 3, 60000, 170000) == 0,
	   "failures a minute apart do not add up");
	penalty_succeeded(p, "2001:db8::1");
	(void)penalty_failed(p, "2001:db8::1", 3, 60000, 170001);
	ok(penalty_failed(p, "2001:db8:0::1", 3, 60000, 170002) == 0,
	   "a success forgets the failures before it");
	/* many addresses: the table stays bounded and keeps blocks */
	(void)penalty_failed(p, "198.51.100.7", 1, 600000, 200000);
	for (i = 0; i < 3 * AUTH_PENALTY_SLOTS; i++) {
		(void)snprintf(ip, sizeof(ip), "10.%d.%d.%d", i >> 16,
			       (i >> 8) & 255, i & 255);
		(void)penalty_failed(p, ip, 5, 600000, 200001);
	}
	started = penalty_blocked(p, "198.51.100.7", 200002) > 0;
	ok(started, "a block survives %d other addresses", 3 * AUTH_PENALTY_SLOTS);
	penalty_free(&p);
	ok(p == NULL, "penalty_free clears the pointer");
}

/* --- the protocol, with a password database of the test's own --- */

static int nologin_tab;

static enum passdb_result fake_verify(void *ctx, struct pool *pool,
				      const char *user, const char *password,
				      size_t len, struct passdb_reply *reply,
				      struct sl_err *err)
{
	static struct user_field nologin[] = {
		{ "nologin", "" }, { "reason", "Account suspended" },
	};
	static struct user_field nologin2[] = {
		{ "nologin", "" }, { "reason", "tab\there" },
	};
	static struct user_field nodelay[] = { { "nodelay", "" } };

	(void)ctx;
	(void)pool;
	if (strcmp(user, "down@example.test") == 0) {
		err_set(err, ERR_TEMP, "database is down");
		return PASSDB_TEMPFAIL;
	}
	if (strcmp(user, "fast@example.test") == 0) {
		reply->fields = nodelay;
		reply->n_fields = 1;
		return PASSDB_MISMATCH;
	}
	if (strcmp(user, "Alice@Example.Test") == 0)
		user = "alice@example.test";	/* the passdb lowercases */
	if (strcmp(user, "alice@example.test") != 0 &&
	    strcmp(user, "carol@example.test") != 0)
		return PASSDB_NOUSER;
	if (len != 6 || memcmp(password, "secret", 6) != 0)
		return PASSDB_MISMATCH;
	reply->user = strcmp(user, "carol@example.test") == 0 ? user
		: "alice@example.test";
	if (strcmp(user, "carol@example.test") == 0) {
		reply->fields = nologin_tab ? nologin2 : nologin;
		reply->n_fields = 2;
	}
	return PASSDB_OK;
}

static enum passdb_result fake_credentials(void *ctx, struct pool *pool,
					   const char *user, const char *want,
					   struct buf *out,
					   struct passdb_reply *reply,
					   struct sl_err *err)
{
	char hex[65];

	(void)ctx;
	(void)pool;
	(void)err;
	if (strcmp(want, "CRAM-MD5") != 0)
		return PASSDB_MISMATCH;
	if (strcmp(user, "hashed@example.test") == 0)
		return PASSDB_MISMATCH;	/* a crypt hash cannot give it */
	if (strcmp(user, "alice@example.test") != 0)
		return PASSDB_NOUSER;
	md5_cram_contexts("secret", 6, hex);
	buf_append_str(out, hex);
	reply->user = user;
	return PASSDB_OK;
}

static struct auth_settings set;
static struct auth_passdb_ops ops = { fake_verify, fake_credentials, NULL };
static struct auth_env env = { &set, &ops, NULL, 4242 };
static uint64_t now = 1000000;

static void setup(void)
{
	const char *chars =
		"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ01234567890.-_@";

	memset(&set, 0, sizeof(set));
	set.mechs = AUTH_MECH_PLAIN | AUTH_MECH_LOGIN | AUTH_MECH_CRAM_MD5;
	set.failure_delay_ms = 2000;
	set.max_failures = 3;
	set.block_ms = 300000;
	for (; *chars != '\0'; chars++)
		set.username_chars[(unsigned char)*chars] = 1;
	set.default_realm = xstrdup("");
	set.hostname = xstrdup("auth.example.test");
}

/* take - the output so far, marked sent (the caller frees it) */
static char *take(struct auth_client *c)
{
	size_t len;
	const char *out = auth_client_output(c, &len);
	char *s = xstrndup(out, len);

	auth_client_sent(c, len);
	return s;
}

static int feed(struct auth_client *c, const char *s)
{
	return auth_client_input(c, s, strlen(s), now);
}

/* expect - feed s; the output must be want */
static void expect(struct auth_client *c, const char *s, const char *want,
		   const char *name)
{
	char *got;
	int r = feed(c, s);

	got = take(c);
	ok(r == 0 && strcmp(got, want) == 0, "%s", name);
	if (r != 0 || strcmp(got, want) != 0)
		diag("  returned %d, got \"%s\", expected \"%s\"", r, got, want);
	free(got);
}

static struct auth_client *client(void)
{
	struct auth_client *c = auth_client_new(&env, 7, "local", now);

	free(take(c));
	if (feed(c, "VERSION\t1\t0\nCPID\t99\n") != 0)
		diag("handshake refused");
	return c;
}

static char *b64(const char *data, size_t len)
{
	struct buf b = BUF_INIT;

	base64_encode(data, len, &b);
	buf_append_str(&b, "");
	return buf_steal(&b);
}

static char *plain_line(unsigned id, const char *extra, const char *user,
			const char *pw)
{
	struct buf raw = BUF_INIT, line = BUF_INIT;
	char *enc;

	buf_append_char(&raw, '\0');
	buf_append_str(&raw, user);
	buf_append_char(&raw, '\0');
	buf_append_str(&raw, pw);
	enc = b64(raw.data, raw.len);
	buf_printf(&line, "AUTH\t%u\tPLAIN\tservice=smtp%s\tresp=%s\n", id, extra,
		   enc);
	free(enc);
	buf_free(&raw);
	return buf_steal(&line);
}

static void test_handshake(void)
{
	struct auth_client *c = auth_client_new(&env, 7, "local", now);
	regex_t re;
	char *out = take(c);

	ok(regcomp(&re, "^VERSION\t1\t2\nMECH\tPLAIN\tplaintext\n"
		   "MECH\tLOGIN\tplaintext\nMECH\tCRAM-MD5\tdictionary\tactive\n"
		   "SPID\t4242\nCUID\t7\nCOOKIE\t[0-9a-f]{32}\nDONE\n$",
		   REG_EXTENDED) == 0, "regex");
	ok(regexec(&re, out, 0, NULL, 0) == 0,
	   "handshake: VERSION 1 2, MECH lines before SPID, CUID, COOKIE, DONE");
	regfree(&re);
	free(out);
	ok(feed(c, "AUTH\t1\tPLAIN\tservice=smtp\n") < 0,
	   "AUTH before VERSION: disconnect");
	auth_client_free(&c);
	c = auth_client_new(&env, 8, "local", now);
	free(take(c));
	ok(feed(c, "VERSION\t2\t0\n") < 0, "major version 2: disconnect");
	auth_client_free(&c);
	c = auth_client_new(&env, 9, "local", now);
	free(take(c));
	ok(feed(c, "VERSION\t1\t1\n") == 0 && feed(c, "CPI") == 0 &&
	   feed(c, "D\t123\r\n") == 0, "VERSION, CPID split over reads, CRLF");
	expect(c, "CANCEL\t5\n", "", "CANCEL of nothing: no reply");
	ok(auth_client_idle(c), "idle after the handshake");
	auth_client_free(&c);
	c = auth_client_new(&env, 10, "local", now);
	free(take(c));
	ok(auth_client_next_timer(c) == now + AUTH_HANDSHAKE_TIMEOUT_MS,
	   "a handshake timer runs");
	ok(auth_client_timers(c, now + AUTH_HANDSHAKE_TIMEOUT_MS) < 0,
	   "no handshake in 30 s: disconnect");
	auth_client_free(&c);
}

static void test_plain(void)
{
	struct auth_client *c = client();
	char *line, *got;

	line = plain_line(1, "\trip=192.0.2.10\tlip=192.0.2.1", "alice@example.test",
			  "secret");
	expect(c, line, "OK\t1\tuser=alice@example.test\n", "PLAIN: OK user=");
	free(line);
	line = plain_line(2, "\trip=192.0.2.10", "Alice@Example.Test", "secret");
	expect(c, line, "OK\t2\tuser=alice@example.test\toriginal_user="
	       "Alice@Example.Test\n", "PLAIN: OK carries the passdb's name, "
	       "and original_user= the name given");
	free(line);
	line = plain_line(3, "\trip=192.0.2.10", "alice@example.test", "wrong");
	expect(c, line, "", "PLAIN wrong password: no reply yet");
	free(line);
	ok(auth_client_next_timer(c) == now + 2000, "the FAIL is due in 2 s");
	ok(auth_client_timers(c, now + 1999) == 0, "timers at 1.999 s");
	got = take(c);
	is_str(got, "", "still nothing at 1.999 s");
	free(got);
	(void)auth_client_timers(c, now + 2000);
	got = take(c);
	is_str(got, "FAIL\t3\tuser=alice@example.test\n", "FAIL user= at 2 s");
	free(got);
	line = plain_line(4, "", "nobody@example.test", "secret");
	(void)feed(c, line);
	auth_client_flush_delayed(c);
	got = take(c);
	is_str(got, "FAIL\t4\tuser=nobody@example.test\n",
	       "unknown user: the same FAIL as a wrong password");
	free(got);
	free(line);
	expect(c, "AUTH\t5\tPLAIN\tservice=smtp\n", "CONT\t5\t\n",
	       "PLAIN without initial response: an empty CONT");
	line = b64("\0alice@example.test\0secret", 26);
	got = xmalloc(strlen(line) + 32);
	(void)snprintf(got, strlen(line) + 32, "CONT\t5\t%s\n", line);
	expect(c, got, "OK\t5\tuser=alice@example.test\n", "PLAIN after CONT: OK");
	free(got);
	free(line);
	line = plain_line(6, "", "alice@example.test", "sec\tret");
	(void)feed(c, line);
	auth_client_flush_delayed(c);
	got = take(c);
	is_str(got, "FAIL\t6\tuser=alice@example.test\n",
	       "a password with TAB: FAIL without a lookup");
	free(got);
	free(line);
	line = plain_line(7, "", "down@example.test", "secret");
	(void)feed(c, line);
	auth_client_flush_delayed(c);
	got = take(c);
	is_str(got, "FAIL\t7\tuser=down@example.test\tcode=temp_fail\ttemp\t"
	       "reason=Temporary authentication failure, try again later\n",
	       "passdb down: FAIL code=temp_fail temp");
	free(got);
	free(line);
	line = plain_line(8, "", "fast@example.test", "x");
	expect(c, line, "FAIL\t8\tuser=fast@example.test\n",
	       "a passdb nodelay field: FAIL at once");
	free(line);
	line = plain_line(9, "", "carol@example.test", "secret");
	(void)feed(c, line);
	auth_client_flush_delayed(c);
	got = take(c);
	is_str(got, "FAIL\t9\tuser=carol@example.test\treason=Account suspended\n",
	       "nologin: FAIL with the passdb's reason");
	free(got);
	nologin_tab = 1;
	(void)feed(c, line);
	auth_client_flush_delayed(c);
	got = take(c);
	is_str(got, "FAIL\t9\tuser=carol@example.test\treason=tab\001there\n",
	       "a reason with TAB is tab-escaped");
	free(got);
	nologin_tab = 0;
	free(line);
	ok(auth_client_idle(c), "idle when all is answered");
	auth_client_free(&c);
}

static void test_plain_data(void)
{
	static const struct { const char *raw; size_t len; const char *why; } bad[] = {
		{ "alice@example.test\0secret", 25, "one NUL" },
		{ "\0alice@example.test\0secret\0x", 28, "three NULs" },
		{ "", 0, "empty" },
		{ "\0\0secret", 8, "empty user" },
		{ "\0al ice@example.test\0secret", 27, "a blank in the name" },
	};
	struct auth_client *c = client();
	struct buf line = BUF_INIT;
	char *enc, *got;
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		buf_reset(&line);
		enc = b64(bad[i].raw, bad[i].len);
		buf_printf(&line, "AUTH\t%zu\tPLAIN\tservice=smtp\tresp=%s\n",
			   i + 1, *enc ? enc : "=");
		free(enc);
		(void)feed(c, buf_cstr(&line));
		got = take(c);
		is_str(got, "", "PLAIN %s: no reply before the delay", bad[i].why);
		free(got);
		auth_client_flush_delayed(c);
		got = take(c);
		buf_reset(&line);
		if (strstr(bad[i].why, "blank") != NULL)
			buf_printf(&line, "FAIL\t%zu\tuser=al ice@example.test\t"
				   "original_user=al ice@example.test\n", i + 1);
		else
			buf_printf(&line, "FAIL\t%zu\n", i + 1);
		is_str(got, buf_cstr(&line), "PLAIN %s: FAIL", bad[i].why);
		free(got);
	}
	enc = b64("bob\0alice@example.test\0secret", 29);
	buf_reset(&line);
	buf_printf(&line, "AUTH\t20\tPLAIN\tservice=smtp\tresp=%s\n", enc);
	free(enc);
	(void)feed(c, buf_cstr(&line));
	auth_client_flush_delayed(c);
	got = take(c);
	is_str(got, "FAIL\t20\tuser=alice@example.test\n",
	       "an authzid other than the user: FAIL (as Dovecot without "
	       "master users)");
	free(got);
	enc = b64("alice@example.test\0alice@example.test\0secret", 44);
	buf_reset(&line);
	buf_printf(&line, "AUTH\t21\tPLAIN\tservice=smtp\tresp=%s\n", enc);
	free(enc);
	expect(c, buf_cstr(&line), "OK\t21\tuser=alice@example.test\n",
	       "an authzid equal to the user: OK");
	expect(c, "AUTH\t22\tPLAIN\tservice=smtp\tresp=AGFsaWNl!\n",
	       "FAIL\t22\tcode=invalid_base64\treason=Invalid base64 data in "
	       "initial response\n", "bad base64: FAIL code=invalid_base64 at once");
	expect(c, "AUTH\t23\tPLAIN\tservice=smtp\n", "CONT\t23\t\n", "CONT asked");
	expect(c, "CONT\t23\t%%%\n", "FAIL\t23\tcode=invalid_base64\treason="
	       "Invalid base64 data in continued response\n",
	       "bad base64 in CONT: FAIL at once");
	expect(c, "CONT\t23\tAA==\n", "FAIL\t23\treason=Authentication request "
	       "timed out\n", "CONT for a finished request: FAIL timed out");
	expect(c, "AUTH\t24\tDIGEST-MD5\tservice=smtp\n",
	       "FAIL\t24\treason=Unsupported authentication mechanism\n",
	       "unknown mechanism: FAIL at once");
	expect(c, "AUTH\t25\tplain\tservice=smtp\tresp=\n", "CONT\t25\t\n",
	       "mechanism names in any case; an empty resp= is none before 1.2");
	expect(c, "AUTH\t26\tLOGIN\tservice=x\tservice=smtp\trip=1.2.3.4\t"
	       "rip=192.0.2.9\tlip=a\tlip=b\n", "CONT\t26\tVXNlcm5hbWU6\n",
	       "fields given twice: the last counts (nothing leaks)");
	buf_free(&line);
	auth_client_free(&c);
}

static void test_login_cram(void)
{
	struct auth_client *c = client();
	struct buf line = BUF_INIT;
	char *got, *user, *pw, *p, want[33], ctx[65];

	user = b64("alice@example.test", 18);
	pw = b64("secret", 6);
	expect(c, "AUTH\t1\tLOGIN\tservice=smtp\n", "CONT\t1\tVXNlcm5hbWU6\n",
	       "LOGIN: CONT Username:");
	buf_printf(&line, "CONT\t1\t%s\n", user);
	expect(c, buf_cstr(&line), "CONT\t1\tUGFzc3dvcmQ6\n", "LOGIN: CONT Password:");
	buf_reset(&line);
	buf_printf(&line, "CONT\t1\t%s\n", pw);
	expect(c, buf_cstr(&line), "OK\t1\tuser=alice@example.test\n", "LOGIN: OK");
	buf_reset(&line);
	buf_printf(&line, "AUTH\t2\tLOGIN\tservice=smtp\tresp=%s\n", user);
	expect(c, buf_cstr(&line), "CONT\t2\tUGFzc3dvcmQ6\n",
	       "LOGIN with the name as initial response: CONT Password:");
	expect(c, "CONT\t2\td3Jvbmc=\n", "", "LOGIN wrong password: delayed");
	(void)auth_client_timers(c, now + 2000);
	got = take(c);
	is_str(got, "FAIL\t2\tuser=alice@example.test\n", "LOGIN: FAIL user=");
	free(got);
	expect(c, "AUTH\t3\tLOGIN\tservice=smtp\n", "CONT\t3\tVXNlcm5hbWU6\n", "again");
	ok(auth_client_next_timer(c) == now + AUTH_REQUEST_TIMEOUT_MS,
	   "a request waiting for CONT expires");
	(void)auth_client_timers(c, now + AUTH_REQUEST_TIMEOUT_MS);
	got = take(c);
	is_str(got, "", "an expired request is dropped silently");
	free(got);
	buf_reset(&line);
	buf_printf(&line, "CONT\t3\t%s\n", user);
	expect(c, buf_cstr(&line), "FAIL\t3\treason=Authentication request timed "
	       "out\n", "its late CONT: FAIL timed out");
	expect(c, "AUTH\t4\tLOGIN\tservice=smtp\n", "CONT\t4\tVXNlcm5hbWU6\n", "LOGIN");
	expect(c, "CANCEL\t4\n", "", "CANCEL: no reply");
	expect(c, "CONT\t4\tAA==\n", "FAIL\t4\treason=Authentication request "
	       "timed out\n", "CONT after CANCEL: timed out");

	/* CRAM-MD5 */
	ok(feed(c, "AUTH\t5\tCRAM-MD5\tservice=smtp\n") == 0, "CRAM-MD5 AUTH");
	got = take(c);
	ok(strncmp(got, "CONT\t5\t", 7) == 0, "CRAM-MD5: CONT challenge");
	buf_reset(&line);
	got[strlen(got) - 1] = '\0';
	ok(base64_decode(got + 7, strlen(got + 7), &line) == 0 &&
	   line.len > 20 && line.data[0] == '<' &&
	   strstr(buf_cstr(&line), "@auth.example.test>") != NULL,
	   "the challenge is <digits.time@host>: %s", buf_cstr(&line));
	md5_cram_contexts("secret", 6, ctx);
	(void)md5_cram_response(ctx, line.data, line.len, want);
	free(got);
	buf_reset(&line);
	buf_printf(&line, "alice@example.test %s", want);
	p = b64(line.data, line.len);
	buf_reset(&line);
	buf_printf(&line, "CONT\t5\t%s\n", p);
	free(p);
	expect(c, buf_cstr(&line), "OK\t5\tuser=alice@example.test\n",
	       "CRAM-MD5 right digest: OK");
	(void)feed(c, "AUTH\t6\tCRAM-MD5\tservice=smtp\n");
	free(take(c));
	p = b64("alice@example.test 0123456789abcdef0123456789abcdef", 51);
	buf_reset(&line);
	buf_printf(&line, "CONT\t6\t%s\n", p);
	free(p);
	(void)feed(c, buf_cstr(&line));
	auth_client_flush_delayed(c);
	got = take(c);
	is_str(got, "FAIL\t6\tuser=alice@example.test\n", "CRAM-MD5 wrong: FAIL");
	free(got);
	(void)feed(c, "AUTH\t7\tCRAM-MD5\tservice=smtp\n");
	free(take(c));
	p = b64("hashed@example.test 0123456789abcdef0123456789abcdef", 52);
	buf_reset(&line);
	buf_printf(&line, "CONT\t7\t%s\n", p);
	free(p);
	(void)feed(c, buf_cstr(&line));
	auth_client_flush_delayed(c);
	got = take(c);
	is_str(got, "FAIL\t7\tuser=hashed@example.test\n",
	       "CRAM-MD5 for a hashed password: FAIL");
	free(got);
	free(user);
	free(pw);
	buf_free(&line);
	auth_client_free(&c);
}

static void test_bugs(void)
{
	static const char *const bugs[][2] = {
		{ "HELLO\n", "unknown command" },
		{ "AUTH\t0\tPLAIN\tservice=smtp\n", "id 0" },
		{ "AUTH\tx\tPLAIN\tservice=smtp\n", "id not a number" },
		{ "AUTH\t1\tPLAIN\n", "no service" },
		{ "AUTH\t1\n", "no mechanism" },
		{ "AUTH\t1\tPLAIN\tservice=smtp\tresp=AA==\trip=1.2.3.4\n",
		  "a field after resp" },
		{ "AUTH\t1\tLOGIN\tservice=smtp\nAUTH\t1\tLOGIN\tservice=smtp\n",
		  "a duplicate id" },
		{ "CONT\t1\n", "CONT without data" },
		{ "CANCEL\tx\n", "CANCEL of no number" },
		{ "AUTH\t1\tPLAIN\tservice=smtp\0\n", "a NUL" },
	};
	struct auth_client *c;
	char *big;
	size_t i;

	for (i = 0; i < sizeof(bugs) / sizeof(bugs[0]); i++) {
		c = client();
		ok(auth_client_input(c, bugs[i][0], strlen(bugs[i][0]) +
				     (strstr(bugs[i][1], "NUL") ? 2 : 0), now) < 0,
		   "%s: disconnect", bugs[i][1]);
		auth_client_free(&c);
	}
	c = client();
	big = xmalloc(AUTH_LINE_MAX + 10);
	memset(big, 'A', AUTH_LINE_MAX + 9);
	big[AUTH_LINE_MAX + 9] = '\0';
	ok(feed(c, big) < 0, "a line over 16384 bytes: disconnect");
	auth_client_free(&c);
	c = client();
	memcpy(big, "AUTH\t1\tPLAIN\tservice=smtp\tresp=", 31);
	big[AUTH_LINE_MAX - 1] = '\n';
	big[AUTH_LINE_MAX] = '\0';
	ok(feed(c, big) == 0, "a line of 16383 bytes is taken");
	free(big);
	auth_client_flush_delayed(c);
	big = take(c);
	ok(strncmp(big, "FAIL\t1\n", 7) == 0, "and answered: %s", big);
	free(big);
	auth_client_free(&c);
}

static void test_plaintext_rule(void)
{
	struct auth_client *c;
	char *line;

	set.plaintext_disabled = 1;
	c = client();
	line = plain_line(1, "\trip=192.0.2.10\tlip=192.0.2.1", "alice@example.test",
			  "secret");
	expect(c, line, "FAIL\t1\tcode=auth_mech_ssl_required\treason=Plaintext "
	       "authentication disallowed on non-secure (SSL/TLS) connections.\n",
	       "auth_disable_plaintext_auth: PLAIN without TLS refused at once");
	free(line);
	expect(c, "AUTH\t2\tLOGIN\tservice=smtp\trip=192.0.2.10\n",
	       "FAIL\t2\tcode=auth_mech_ssl_required\treason=Plaintext "
	       "authentication disallowed on non-secure (SSL/TLS) connections.\n",
	       "and LOGIN");
	line = plain_line(3, "\trip=192.0.2.10\tsecured", "alice@example.test",
			  "secret");
	expect(c, line, "OK\t3\tuser=alice@example.test\n", "secured: OK");
	free(line);
	line = plain_line(4, "\trip=192.0.2.1\tlip=192.0.2.1", "alice@example.test",
			  "secret");
	expect(c, line, "OK\t4\tuser=alice@example.test\n", "rip = lip: OK");
	free(line);
	line = plain_line(5, "\trip=::1", "alice@example.test", "secret");
	expect(c, line, "OK\t5\tuser=alice@example.test\n", "loopback: OK");
	free(line);
	ok(feed(c, "AUTH\t6\tCRAM-MD5\tservice=smtp\trip=192.0.2.10\n") == 0,
	   "CRAM-MD5 AUTH");
	line = take(c);
	ok(strncmp(line, "CONT\t6\t", 7) == 0,
	   "CRAM-MD5 is not plaintext: its challenge comes");
	free(line);
	auth_client_free(&c);
	set.plaintext_disabled = 0;
}

static void test_realm_chars(void)
{
	struct auth_client *c = client();
	char *line, *got;

	free(set.default_realm);
	set.default_realm = xstrdup("example.test");
	line = plain_line(1, "", "alice", "secret");
	expect(c, line, "OK\t1\tuser=alice@example.test\toriginal_user=alice\n",
	       "auth_default_realm added to a bare name");
	free(line);
	free(set.default_realm);
	set.default_realm = xstrdup("");
	line = plain_line(2, "", "alice+x@example.test", "secret");
	(void)feed(c, line);
	auth_client_flush_delayed(c);
	got = take(c);
	is_str(got, "FAIL\t2\tuser=alice+x@example.test\toriginal_user="
	       "alice+x@example.test\n", "a name with '+' (not in "
	       "auth_username_chars): FAIL naming it twice, as Dovecot");
	free(got);
	free(line);
	auth_client_free(&c);
}

static void test_penalty_protocol(void)
{
	struct sl_err err;
	struct auth_client *c;
	char *line, *got;
	int i;

	env.penalty = penalty_new(&err);
	c = client();
	for (i = 1; i <= 3; i++) {
		line = plain_line((unsigned)i, "\trip=192.0.2.50", "alice@example.test",
				  "wrong");
		(void)feed(c, line);
		free(line);
	}
	auth_client_flush_delayed(c);
	free(take(c));
	line = plain_line(4, "\trip=192.0.2.50", "alice@example.test", "secret");
	(void)feed(c, line);
	auth_client_flush_delayed(c);
	got = take(c);
	is_str(got, "FAIL\t4\tuser=alice@example.test\treason=Too many failed "
	       "authentications from your address, try again later\n",
	       "after 3 failures the address is blocked, even with the right "
	       "password");
	free(got);
	free(line);
	line = plain_line(5, "\trip=192.0.2.51", "alice@example.test", "secret");
	expect(c, line, "OK\t5\tuser=alice@example.test\n", "another address: OK");
	free(line);
	line = plain_line(6, "\trip=192.0.2.50\tno-penalty", "alice@example.test",
			  "secret");
	expect(c, line, "OK\t6\tuser=alice@example.test\n",
	       "no-penalty from the client skips the block");
	free(line);
	now += 300000;
	line = plain_line(7, "\trip=192.0.2.50", "alice@example.test", "secret");
	expect(c, line, "OK\t7\tuser=alice@example.test\n", "after the block: OK");
	free(line);
	auth_client_free(&c);
	penalty_free(&env.penalty);
}

/* run_session - a fixed session fed in pieces of step bytes; its output */
static char *run_session(size_t step)
{
	static const char session[] =
		"VERSION\t1\t2\nCPID\t77\n"
		"AUTH\t1\tPLAIN\tservice=smtp\tresp=AGFsaWNlQGV4YW1wbGUudGVzdABzZWNyZXQ=\n"
		"AUTH\t2\tLOGIN\tservice=smtp\r\n"
		"CONT\t2\tYWxpY2VAZXhhbXBsZS50ZXN0\n"
		"CONT\t2\tc2VjcmV0\n"
		"AUTH\t3\tPLAIN\tservice=imap\tresp=AGFsaWNlQGV4YW1wbGUudGVzdAB4\n"
		"AUTH\t4\tPLAIN\tservice=smtp\n"
		"CONT\t4\tAGFsaWNlQGV4YW1wbGUudGVzdABzZWNyZXQ=\n";
	struct auth_client *c = auth_client_new(&env, 1, "local", now);
	struct buf all = BUF_INIT;
	size_t i, n, len;
	const char *out;

	for (i = 0; i < sizeof(session) - 1; i += step) {
		n = sizeof(session) - 1 - i < step ? sizeof(session) - 1 - i : step;
		if (auth_client_input(c, session + i, n, now) < 0)
			buf_append_str(&all, "[closed]");
		out = auth_client_output(c, &len);
		buf_append(&all, out, len);
		auth_client_sent(c, len);
	}
	auth_client_flush_delayed(c);
	out = auth_client_output(c, &len);
	buf_append(&all, out, len);
	auth_client_free(&c);
	buf_append_str(&all, "");
	return buf_steal(&all);
}

static void test_trickle(void)
{
	char *whole = run_session(100000), *bytes = run_session(1);
	const char *tail = strstr(whole, "DONE\n");

	ok(tail != NULL && strcmp(tail, "DONE\nOK\t1\tuser=alice@example.test\n"
	   "CONT\t2\tVXNlcm5hbWU6\nCONT\t2\tUGFzc3dvcmQ6\n"
	   "OK\t2\tuser=alice@example.test\nCONT\t4\t\n"
	   "OK\t4\tuser=alice@example.test\nFAIL\t3\tuser=alice@example.test\n")
	   == 0, "a whole session at once: the expected replies");
	ok(strcmp(strstr(bytes, "DONE\n"), tail) == 0,
	   "the same session fed one byte at a time: the same replies");
	free(whole);
	free(bytes);
}

int main(void)
{
	setup();
	test_base64();
	test_md5();
	test_penalty();
	test_handshake();
	test_plain();
	test_plain_data();
	test_login_cram();
	test_bugs();
	test_plaintext_rule();
	test_realm_chars();
	test_penalty_protocol();
	test_trickle();
	auth_settings_free(&set);
	return done_testing();
}
