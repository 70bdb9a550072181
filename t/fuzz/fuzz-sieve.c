/* fuzz-sieve.c - the Sieve compiler on arbitrary bytes; a script that
 * compiles is executed against a fixed message and its result printed
 * as JSON (every extension enabled) */
#include "auto-config.h"
#include "lib/buf.h"
#include "lib/message.h"
#include "lib/spool.h"
#include "sieve/sieve.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char fuzz_msg[] =
	"From: \"A\" <a@example.com>\r\n"
	"To: b@example.org, =?utf-8?q?C=C3=A9?= <c@example.net>\r\n"
	"Subject: =?utf-8?q?caf=C3=A9?= test\r\n"
	"Message-ID: <1@example.com>\r\n"
	"Date: Mon, 2 Jan 2023 10:00:00 +0100\r\n"
	"X-Spam-Score: 5.0\r\n"
	"MIME-Version: 1.0\r\n"
	"Content-Type: multipart/mixed; boundary=b\r\n"
	"\r\n"
	"--b\r\n"
	"Content-Type: text/plain; charset=utf-8\r\n"
	"\r\n"
	"Hello world\r\n"
	"--b\r\n"
	"Content-Type: text/html\r\n"
	"\r\n"
	"<p>hi</p>\r\n"
	"--b--\r\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct sieve_engine *engine;
	struct pool *pool = pool_new(16 * 1024);
	struct message_limits lim;
	struct sieve_message m;
	struct sieve_exec_params params;
	struct sieve_diags d;
	struct sieve_script *s;
	struct sl_err err;
	struct buf out = BUF_INIT;

	if (engine == NULL)
		engine = sieve_engine_new(NULL, NULL, &err);
	if (engine == NULL)
		abort();
	sieve_diags_init(&d, pool);
	s = sieve_compile_buffer(engine, pool, "fuzz", (const char *)data, size,
				 &d, &err);
	if (s == NULL) {
		if (sieve_diags_first_error(&d) == NULL && d.n_errors > 0 &&
		    d.first == NULL)
			abort();	/* an error count without any text */
		sieve_json_compile_error(&out, &d);
	} else {
		struct sieve_result *r = sieve_result_new(pool);

		message_limits_default(&lim);
		memset(&m, 0, sizeof(m));
		m.spool = spool_new(1024 * 1024, "/tmp");
		if (spool_write(m.spool, fuzz_msg, sizeof(fuzz_msg) - 1,
				&err) < 0)
			abort();
		m.msg = message_parse(pool, &lim, fuzz_msg,
				      sizeof(fuzz_msg) - 1);
		m.size = sizeof(fuzz_msg) - 1;
		m.env_from = "a@example.com";
		m.env_to = "b@example.org";
		m.id = "<1@example.com>";
		memset(&params, 0, sizeof(params));
		params.msg = &m;
		params.dry_run = 1;
		(void)sieve_execute(s, &params, r, &err);
		if (sieve_result_finish(r, &err) < 0)
			abort();
		if (sieve_result_actions(r) == NULL &&
		    !sieve_result_keep_cancelled(r))
			abort();	/* neither an action nor the keep */
		sieve_json_result(&out, r);
		spool_free(&m.spool);
	}
	buf_free(&out);
	pool_free(&pool);
	return 0;
}
