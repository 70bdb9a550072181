/* fuzz-auth.c - sluice-auth's protocol on arbitrary client bytes. The
 * first byte picks the settings (plaintext rule, realm) and how the rest
 * is cut into reads (1 to 64 bytes, or all at once); between reads the
 * clock moves on 700 ms, so delayed FAILs and expiries run too. The
 * password database accepts alice@example.test with "secret" and knows
 * no one else; failures go to a shared per-IP table as in the daemon. */
#include "auto-config.h"
#include "auth/auth.h"
#include "lib/config.h"
#include "lib/log.h"
#include "lib/xalloc.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* the most input one run takes */
#define FUZZ_AUTH_MAX 65536

static enum passdb_result fz_verify(void *ctx, struct pool *pool,
				    const char *user, const char *password,
				    size_t len, struct passdb_reply *reply,
				    struct sl_err *err)
{
	(void)ctx;
	(void)pool;
	if (strcmp(user, "down@example.test") == 0) {
		err_set(err, ERR_TEMP, "down");
		return PASSDB_TEMPFAIL;
	}
	if (strcmp(user, "alice@example.test") != 0)
		return PASSDB_NOUSER;
	if (len != 6 || memcmp(password, "secret", 6) != 0)
		return PASSDB_MISMATCH;
	reply->user = user;
	return PASSDB_OK;
}

static enum passdb_result fz_credentials(void *ctx, struct pool *pool,
					 const char *user, const char *want,
					 struct buf *out,
					 struct passdb_reply *reply,
					 struct sl_err *err)
{
	char hex[65];

	(void)ctx;
	(void)pool;
	(void)err;
	(void)want;
	if (strcmp(user, "alice@example.test") != 0)
		return PASSDB_NOUSER;
	md5_cram_contexts("secret", 6, hex);
	buf_append_str(out, hex);
	reply->user = user;
	return PASSDB_OK;
}

static struct auth_settings set;
static struct auth_passdb_ops ops = { fz_verify, fz_credentials, NULL };
static struct auth_env env = { &set, &ops, NULL, 1 };

static void setup(void)
{
	const char *chars =
		"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ01234567890.-_@";
	struct config *cfg = config_new();
	struct sl_err err;

	if (config_set(cfg, "log_path", "/dev/null", "fuzz", &err) < 0)
		abort();
	log_open("fuzz-auth", cfg);
	config_free(&cfg);
	set.mechs = AUTH_MECH_PLAIN | AUTH_MECH_LOGIN | AUTH_MECH_CRAM_MD5;
	set.failure_delay_ms = 2000;
	set.max_failures = 3;
	set.block_ms = 5000;
	for (; *chars != '\0'; chars++)
		set.username_chars[(unsigned char)*chars] = 1;
	set.default_realm = xstrdup("");
	set.hostname = xstrdup("fuzz.example");
	env.penalty = penalty_new(&err);
	if (env.penalty == NULL)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint64_t now = 1000000;
	struct auth_client *c;
	size_t off = 1, step, n, len;
	int open = 1;

	if (set.hostname == NULL)
		setup();
	if (size < 1)
		return 0;
	if (size > FUZZ_AUTH_MAX)
		size = FUZZ_AUTH_MAX;
	set.plaintext_disabled = data[0] & 1;
	free(set.default_realm);
	set.default_realm = xstrdup(data[0] & 2 ? "example.test" : "");
	step = (data[0] >> 2) == 0 ? size : (size_t)(data[0] >> 2);
	c = auth_client_new(&env, 1, "fuzz", now);
	while (open && off < size) {
		n = size - off < step ? size - off : step;
		if (auth_client_input(c, data + off, n, now) < 0)
			open = 0;
		off += n;
		(void)auth_client_output(c, &len);
		auth_client_sent(c, len);
		now += 700;
		if (open && auth_client_timers(c, now) < 0)
			open = 0;
		(void)auth_client_next_timer(c);
		(void)auth_client_throttled(c);
	}
	auth_client_flush_delayed(c);
	(void)auth_client_output(c, &len);
	(void)auth_client_idle(c);
	auth_client_free(&c);
	return 0;
}
