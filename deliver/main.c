/* sluice-deliver - the local delivery agent a pipe transport runs.
 *
 * Options and exit codes follow dovecot-lda (see sluice-deliver(1)):
 * read the message, look the recipient up, become the recipient when
 * started as root, store, and exit 0 only once the message is durable.
 */
#include "auto-config.h"
#include "core/delivery.h"
#include "core/result.h"
#include "lib/config.h"
#include "lib/log.h"
#include "lib/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#define MAX_OVERRIDES 64

struct deliver_opts {
	const char *user, *sender, *orig_rcpt, *mailbox, *config, *path;
	char *overrides[MAX_OVERRIDES];
	size_t n_overrides;
	int reject_to_stderr;
};

static void usage(void)
{
	fprintf(stderr,
		"usage: sluice-deliver [-d USER] [-f SENDER] [-a ORIGINAL_RCPT] "
		"[-m MAILBOX]\n"
		"                      [-c CONFIG] [-o KEY=VALUE]... [-p FILE] [-e]\n");
}

/* parse_opts - 0, or EX_USAGE after saying what is wrong */
static int parse_opts(int argc, char **argv, struct deliver_opts *o)
{
	int c;

	memset(o, 0, sizeof(*o));
	while ((c = getopt(argc, argv, "d:f:a:r:m:c:o:p:e")) != -1) {
		switch (c) {
		case 'd': o->user = optarg; break;
		case 'f': o->sender = optarg; break;
		case 'a': o->orig_rcpt = optarg; break;
		case 'r': /* final recipient (dovecot-lda): same as -d here */
			if (o->user == NULL)
				o->user = optarg;
			break;
		case 'm': o->mailbox = optarg; break;
		case 'c': o->config = optarg; break;
		case 'p': o->path = optarg; break;
		case 'e': o->reject_to_stderr = 1; break;
		case 'o':
			if (o->n_overrides == MAX_OVERRIDES) {
				fprintf(stderr, "sluice-deliver: too many -o options\n");
				return EX_USAGE;
			}
			o->overrides[o->n_overrides++] = optarg;
			break;
		default:
			usage();
			return EX_USAGE;
		}
	}
	if (optind != argc) {
		usage();
		return EX_USAGE;
	}
	return 0;
}

static double ms_since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) * 1000.0 +
	       (double)(t1.tv_nsec - t0->tv_nsec) / 1e6;
}

/* invoking_user - the -d default: the user running us */
static const char *invoking_user(struct pool *pool)
{
	struct passwd *pw = getpwuid(getuid());

	return pw != NULL ? pool_strdup(pool, pw->pw_name) : NULL;
}

/* finish - log, tell the MTA on stderr, and give the exit code */
static int finish(const struct delivery_env *env,
		  const struct delivery_message *msg,
		  const struct delivery_rcpt *rcpt,
		  const struct delivery_result *res,
		  const struct timespec *t0)
{
	delivery_log(env, msg, rcpt, res, ms_since(t0));
	if (res->status != DELIVERY_OK)
		fprintf(stderr, "%s %s\n", result_enhanced_code(res->status),
			res->text);
	return result_exit_code(res->status);
}

/* open_input - stdin or the -p file */
static int open_input(const char *path, struct sl_err *err)
{
	int fd;

	if (path == NULL)
		return 0;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return err_set_errno(err, errno, "cannot open %s", path);
	return fd;
}

int main(int argc, char **argv)
{
	struct deliver_opts o;
	struct config *cfg = NULL;
	struct userdb *udb = NULL;
	struct pool *pool;
	struct delivery_env env;
	struct delivery_message msg;
	struct delivery_rcpt rcpt;
	struct delivery_result res;
	struct timespec t0;
	struct sl_err err;
	char session[16];
	int fd, code;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	/* a file size limit must give EFBIG, so the store can cut an mbox
	   back, not kill us mid-append; a closed stderr must not kill us
	   after the message is safe */
	signal(SIGXFSZ, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
	if ((code = parse_opts(argc, argv, &o)) != 0)
		return code;
	err_clear(&err);
	if (config_open(&cfg, o.config, o.overrides, o.n_overrides, &err) < 0) {
		fprintf(stderr, "sluice-deliver: %s\n", err.text);
		/* a broken config must not bounce mail: the MTA retries */
		return EX_TEMPFAIL;
	}
	log_open("sluice-deliver", cfg);
	pool = pool_new(16384);
	memset(&env, 0, sizeof(env));
	memset(&rcpt, 0, sizeof(rcpt));
	memset(&res, 0, sizeof(res));
	env.cfg = cfg;
	env.reject_as_result = o.reject_to_stderr;
	env.session = log_session_id(session, sizeof(session));
	rcpt.address = o.user != NULL ? o.user : invoking_user(pool);
	rcpt.orig_rcpt = o.orig_rcpt;
	rcpt.mailbox = o.mailbox;
	if (rcpt.address == NULL) {
		fprintf(stderr, "sluice-deliver: no -d USER and the invoking "
			"uid has no name\n");
		return EX_USAGE;
	}

	fd = open_input(o.path, &err);
	if (fd < 0 || delivery_read_fd(cfg, pool, fd, o.sender, &msg, &err) < 0) {
		result_from_err(&res, &err);
		if (res.status != DELIVERY_TEMPFAIL)
			res.status = DELIVERY_TEMPFAIL;
		return finish(&env, NULL, &rcpt, &res, &t0);
	}
	if (userdb_open(&udb, cfg, &err) < 0) {
		result_set(&res, DELIVERY_TEMPFAIL, "userdb: %s", err.text);
		code = finish(&env, &msg, &rcpt, &res, &t0);
	} else {
		env.userdb = udb;
		if (delivery_lookup(&env, pool, &rcpt, &res) == 0 &&
		    delivery_switch_user(&env, &rcpt, &res) == 0)
			(void)delivery_deliver(&env, pool, &msg, &rcpt, &res);
		code = finish(&env, &msg, &rcpt, &res, &t0);
	}
	userdb_close(&udb);
	delivery_message_free(&msg);
	pool_free(&pool);
	config_free(&cfg);
	log_close();
	return code;
}
