/* sieve-speed - in-process timing of sluice's Sieve engine: how long a
 * script takes to compile, and how long one execution against a parsed
 * message takes (compile once, execute many times). Built and run by
 * bench/sieve; see bench/README.md.
 *
 *   sieve-speed [-c COMPILES] [-x EXECS] [-r REPEATS] MESSAGE SCRIPT...
 *
 * For each script it prints one line:
 *   SCRIPT compile_us=MEDIAN exec_us=MEDIAN actions=LIST
 * where each median is over REPEATS batches, a batch being COMPILES
 * compiles (a fresh pool each, freed) or EXECS executions (a fresh pool,
 * result, execute, finish, pool freed: what a delivery does) timed
 * together and divided. */
#include "auto-config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lib/buf.h"
#include "lib/err.h"
#include "lib/message.h"
#include "lib/pool.h"
#include "lib/spool.h"
#include "sieve/sieve.h"

#define MAX_REPEATS 101

static double now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* read_file - the whole file, bounded at 16 MiB, or exit */
static char *read_file(const char *path, size_t *len_r)
{
	FILE *f = fopen(path, "rb");
	size_t cap = 1 << 16, len = 0, n;
	char *data;

	if (f == NULL) {
		perror(path);
		exit(2);
	}
	data = malloc(cap + 1);
	if (data == NULL)
		exit(2);
	while ((n = fread(data + len, 1, cap - len, f)) > 0) {
		len += n;
		if (len == cap) {
			if (cap >= (16u << 20)) {
				fprintf(stderr, "%s: too big\n", path);
				exit(2);
			}
			cap *= 2;
			data = realloc(data, cap + 1);
			if (data == NULL)
				exit(2);
		}
	}
	fclose(f);
	data[len] = '\0';
	*len_r = len;
	return data;
}

static struct sieve_script *compile(struct sieve_engine *e, struct pool *p,
				    const char *name, const char *src,
				    size_t len)
{
	struct sieve_diags diags;
	struct sl_err err;
	struct sieve_script *s;

	err_clear(&err);
	sieve_diags_init(&diags, p);
	s = sieve_compile_buffer(e, p, name, src, len, &diags, &err);
	if (s == NULL) {
		const struct sieve_diag *d = sieve_diags_first_error(&diags);

		fprintf(stderr, "%s: %s\n", name,
			d != NULL ? d->text : err.text);
		exit(1);
	}
	return s;
}

/* run_once - one delivery's worth of Sieve: result, execute, finish;
 * actions (optional) gets the action names */
static void run_once(const struct sieve_script *s,
		     const struct sieve_exec_params *params, char *actions,
		     size_t actions_size)
{
	struct pool *p = pool_new(4096);
	struct sieve_result *r = sieve_result_new(p);
	const struct sieve_action *a;
	struct sl_err err;
	size_t used = 0;

	err_clear(&err);
	if (sieve_execute(s, params, r, &err) < 0 ||
	    sieve_result_finish(r, &err) < 0) {
		fprintf(stderr, "execute: %s\n", err.text);
		exit(1);
	}
	if (actions != NULL) {
		actions[0] = '\0';
		for (a = sieve_result_actions(r); a != NULL; a = a->next) {
			int n = snprintf(actions + used, actions_size - used,
					 "%s%s%s%s", used ? "," : "",
					 sieve_action_name(a),
					 a->mailbox ? ":" : "",
					 a->mailbox ? a->mailbox : "");

			if (n < 0 || (size_t)n >= actions_size - used)
				break;
			used += (size_t)n;
		}
	}
	pool_free(&p);
}

static void bench_script(struct sieve_engine *e, const char *path,
			 const struct sieve_exec_params *params,
			 int compiles, int execs, int repeats)
{
	double t[MAX_REPEATS], c_us, x_us;
	char actions[256];
	size_t len;
	char *src = read_file(path, &len);
	struct pool *keep = pool_new(65536);
	struct sieve_script *s;
	int r, i;

	for (r = 0; r < repeats; r++) {
		double t0 = now_us();

		for (i = 0; i < compiles; i++) {
			struct pool *p = pool_new(65536);

			compile(e, p, path, src, len);
			pool_free(&p);
		}
		t[r] = (now_us() - t0) / compiles;
	}
	c_us = median(t, repeats);

	s = compile(e, keep, path, src, len);
	run_once(s, params, actions, sizeof(actions));
	for (r = 0; r < repeats; r++) {
		double t0 = now_us();

		for (i = 0; i < execs; i++)
			run_once(s, params, NULL, 0);
		t[r] = (now_us() - t0) / execs;
	}
	x_us = median(t, repeats);
	printf("%s compile_us=%.2f exec_us=%.3f actions=%s\n", path, c_us,
	       x_us, actions);
	pool_free(&keep);
	free(src);
}

int main(int argc, char **argv)
{
	int compiles = 200, execs = 2000, repeats = 9, c, i;
	struct message_limits limits;
	struct sieve_message smsg;
	struct sieve_env senv;
	struct sieve_exec_params params;
	struct sieve_engine *e;
	struct spool *spool;
	struct pool *mp;
	struct sl_err err;
	size_t mlen;
	char *mdata;

	while ((c = getopt(argc, argv, "c:x:r:")) != -1) {
		switch (c) {
		case 'c': compiles = atoi(optarg); break;
		case 'x': execs = atoi(optarg); break;
		case 'r': repeats = atoi(optarg); break;
		default: goto usage;
		}
	}
	if (argc - optind < 2 || compiles < 1 || execs < 1 || repeats < 1 ||
	    repeats > MAX_REPEATS)
		goto usage;

	err_clear(&err);
	mdata = read_file(argv[optind], &mlen);
	spool = spool_new(1 << 20, "/tmp");
	if (spool_write(spool, mdata, mlen, &err) < 0) {
		fprintf(stderr, "spool: %s\n", err.text);
		return 2;
	}
	mp = pool_new(65536);
	message_limits_default(&limits);
	memset(&smsg, 0, sizeof(smsg));
	smsg.msg = message_parse(mp, &limits, mdata, mlen);
	smsg.spool = spool;
	smsg.size = mlen;
	smsg.env_from = "sender@example.org";
	smsg.env_to = "user@example.com";
	smsg.orig_to = "user@example.com";
	memset(&senv, 0, sizeof(senv));
	senv.domain = "example.com";
	senv.location = "MDA";
	senv.phase = "during";
	senv.name = "sluice";
	memset(&params, 0, sizeof(params));
	params.msg = &smsg;
	params.env = &senv;

	e = sieve_engine_new(NULL, NULL, &err);
	if (e == NULL) {
		fprintf(stderr, "engine: %s\n", err.text);
		return 2;
	}
	for (i = optind + 1; i < argc; i++)
		bench_script(e, argv[i], &params, compiles, execs, repeats);
	sieve_engine_free(&e);
	pool_free(&mp);
	spool_free(&spool);
	free(mdata);
	return 0;
usage:
	fprintf(stderr, "usage: sieve-speed [-c COMPILES] [-x EXECS] "
		"[-r REPEATS] MESSAGE SCRIPT...\n");
	return 2;
}
