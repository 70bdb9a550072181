/* fuzz-lmtp.c - sluice-lmtpd's protocol on arbitrary client bytes: the
 * input is what a client sends (commands, DATA, BDAT chunks) into one end
 * of a socket pair while session_run serves the other; replies are read
 * and dropped. Every user exists (a static userdb) but no mailbox can be
 * opened (mail under /dev/null), so deliveries are tried and answered 4xx
 * without leaving files behind; messages over 4 KiB are refused. */
#include "auto-config.h"
#include "lmtpd/lmtpd.h"
#include "lib/config.h"
#include "lib/log.h"
#include "lib/userdb.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* the most input one run takes (socket buffers hold it all) */
#define FUZZ_LMTP_MAX 65536

static struct config *cfg;
static struct userdb *udb;

struct server_arg {
	struct session_env env;
	int fd;
};

static void *serve(void *p)
{
	struct server_arg *a = p;

	session_run(&a->env, a->fd, "[127.0.0.1]", "127.0.0.1");
	return NULL;
}

/* drain - read and drop replies so the server never blocks writing */
static void *drain(void *p)
{
	int fd = *(int *)p;
	char sink[4096];

	while (read(fd, sink, sizeof(sink)) > 0)
		;
	return NULL;
}

static void setup(void)
{
	static const char *const settings[][2] = {
		{ "userdb", "static:uid=65534 gid=65534 home=/dev/null/%u" },
		{ "mail_location", "maildir:/dev/null/%u/Maildir" },
		{ "sieve", "" },
		{ "lmtp_timeout", "2s" },
		{ "lmtp_max_errors", "20" },
		{ "lmtp_max_recipients", "8" },
		{ "lmtp_message_size_max", "4k" },
		{ "lmtp_vrfy", "yes" },
		{ "log_path", "/dev/null" },
		{ "first_valid_uid", "1" },
	};
	struct sl_err err;
	size_t i;

	cfg = config_new();
	for (i = 0; i < sizeof(settings) / sizeof(settings[0]); i++) {
		if (config_set(cfg, settings[i][0], settings[i][1], "fuzz",
			       &err) < 0) {
			fprintf(stderr, "fuzz-lmtp: %s\n", err.text);
			abort();
		}
	}
	log_open("fuzz-lmtp", cfg);
	if (userdb_open(&udb, cfg, &err) < 0) {
		fprintf(stderr, "fuzz-lmtp: userdb: %s\n", err.text);
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct server_arg a;
	pthread_t th, dr;
	int sv[2];
	size_t off = 0;

	if (cfg == NULL)
		setup();
	if (size > FUZZ_LMTP_MAX)
		size = FUZZ_LMTP_MAX;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		abort();
	memset(&a, 0, sizeof(a));
	a.env.cfg = cfg;
	a.env.userdb = udb;
	a.env.hostname = "fuzz.example";
	a.fd = sv[0];
	if (pthread_create(&th, NULL, serve, &a) != 0 ||
	    pthread_create(&dr, NULL, drain, &sv[1]) != 0)
		abort();
	while (off < size) {
		ssize_t n = send(sv[1], data + off, size - off, MSG_NOSIGNAL);

		if (n <= 0)
			break;	/* the server closed (QUIT, 421) */
		off += (size_t)n;
	}
	(void)shutdown(sv[1], SHUT_WR);
	(void)pthread_join(th, NULL);
	(void)pthread_join(dr, NULL);
	(void)close(sv[1]);
	return 0;
}
