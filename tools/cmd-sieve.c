/* cmd-sieve.c - `sluice sieve check SCRIPT...` and `sluice sieve test`:
 * compile scripts, and dry-run one against a message (the canonical
 * JSON of shared/sieve-json.md with --json) */
#include "auto-config.h"
#include "tools.h"

#include "core/delivery.h"
#include "lib/buf.h"
#include "sieve/sieve.h"

#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define SIEVE_USAGE \
	"usage: sluice sieve check [--json] [-x EXTENSIONS] SCRIPT...\n" \
	"       sluice sieve test [--json] [-f FROM] [-r RCPT] [-a ORIG] " \
	"[-x EXTENSIONS] [-t] SCRIPT MESSAGE\n"

static const struct option sieve_longopts[] = {
	{ "json", no_argument, NULL, 'j' },
	{ NULL, 0, NULL, 0 }
};

/* print_diags - every diagnostic line to out */
static void print_diags(FILE *out, const struct sieve_diags *d)
{
	const struct sieve_diag *g;

	for (g = d->first; g != NULL; g = g->next)
		fprintf(out, "%s\n", g->text);
}

/* check_json - one script's verdict as a JSON object */
static void check_json(struct buf *b, const char *path,
		       const struct sieve_script *s, const char *exts,
		       const struct sieve_diags *d, const char *ioerr)
{
	const struct sieve_diag *g;
	int first = 1;

	buf_append_str(b, "{\"script\": ");
	sieve_json_string(b, path, strlen(path));
	buf_printf(b, ", \"status\": \"%s\"", s != NULL ? "ok" : "error");
	if (s != NULL) {
		const char *p = exts;

		buf_append_str(b, ", \"extensions\": [");
		while (*p != '\0') {
			size_t n = strcspn(p, " ");

			if (!first)
				buf_append_str(b, ", ");
			sieve_json_string(b, p, n);
			first = 0;
			p += n;
			p += *p == ' ';
		}
		buf_append_char(b, ']');
	}
	buf_append_str(b, ", \"errors\": [");
	first = 1;
	if (ioerr != NULL) {
		sieve_json_string(b, ioerr, strlen(ioerr));
		first = 0;
	}
	for (g = d->first; g != NULL; g = g->next) {
		if (!first)
			buf_append_str(b, ", ");
		sieve_json_string(b, g->text, strlen(g->text));
		first = 0;
	}
	buf_append_str(b, "]}");
}

/* sieve_check - compile each script; 0 when all are valid */
static int sieve_check(struct sieve_engine *e, int json, int argc,
		       char **argv)
{
	struct buf b = BUF_INIT;
	int i, ret = TOOL_OK;

	if (json)
		buf_append_str(&b, "{\"scripts\": [");
	for (i = 0; i < argc; i++) {
		struct pool *pool = pool_new(16 * 1024);
		struct sieve_script *s;
		struct sieve_diags d;
		struct sl_err err;
		const char *exts = "";

		sieve_diags_init(&d, pool);
		s = sieve_compile_file(e, pool, argv[i], NULL, &d, &err);
		if (s != NULL)
			exts = sieve_script_extensions(s, pool);
		if (s == NULL)
			ret = err.cls == ERR_TEMP ? TOOL_TEMP : TOOL_FAIL;
		if (json) {
			if (i > 0)
				buf_append_str(&b, ", ");
			check_json(&b, argv[i], s, exts, &d,
				   s == NULL && d.first == NULL ? err.text
								 : NULL);
		} else {
			print_diags(stderr, &d);
			if (s == NULL && d.first == NULL)
				fprintf(stderr, "%s: %s\n", argv[i], err.text);
			else if (s != NULL && *exts != '\0')
				printf("%s: ok (extensions: %s)\n", argv[i],
				       exts);
			else if (s != NULL)
				printf("%s: ok\n", argv[i]);
		}
		pool_free(&pool);
	}
	if (json) {
		buf_append_str(&b, "]}\n");
		fputs(buf_cstr(&b), stdout);
	}
	buf_free(&b);
	return ret;
}

/* trace_line - -t: one evaluated test or action */
static void trace_line(void *ctx, unsigned line, unsigned depth,
		       const char *text)
{
	fprintf(ctx, "%4u: %*s%s\n", line, (int)(depth > 0 ? depth - 1 : 0) * 2,
		"", text);
}

/* print_action - the readable listing of one action */
static void print_action(const struct sieve_action *a)
{
	size_t i;

	switch (a->kind) {
	case SIEVE_ACT_KEEP:
		printf("  keep%s", a->implicit ? " (implicit)" : "");
		break;
	case SIEVE_ACT_FILEINTO:
		printf("  fileinto \"%s\"%s%s", a->mailbox,
		       a->copy ? " :copy" : "", a->create ? " :create" : "");
		break;
	case SIEVE_ACT_REDIRECT:
		printf("  redirect to <%s>%s", a->address,
		       a->copy ? " :copy" : "");
		break;
	case SIEVE_ACT_REJECT:
		printf("  %s: %s", a->extended ? "ereject" : "reject",
		       a->reason != NULL ? a->reason : "");
		break;
	case SIEVE_ACT_VACATION:
		printf("  vacation to <%s>, every %llus",
		       a->to != NULL ? a->to : "", (unsigned long long)a->seconds);
		break;
	case SIEVE_ACT_NOTIFY:
		printf("  notify %s", a->method != NULL ? a->method : "");
		break;
	default:
		printf("  %s", sieve_action_name(a));
		break;
	}
	for (i = 0; i < a->n_flags; i++)
		printf("%s%s", i == 0 ? " flags: " : " ", a->flags[i]);
	printf("\n");
}

/* print_result - the readable dry-run listing */
static void print_result(const struct sieve_result *r)
{
	const struct sieve_action *a;

	if (sieve_result_status(r) != SIEVE_OK)
		printf("runtime error: %s\n", sieve_result_error(r));
	printf("actions:\n");
	for (a = sieve_result_actions(r); a != NULL; a = a->next)
		print_action(a);	/* side effects too: a listing */
	if (sieve_result_actions(r) == NULL)
		printf("  (none: the message is discarded)\n");
}

struct test_opts {
	const char *from, *rcpt, *orig;
	int json, trace;
};

/* read_message - the message file ("-": stdin) through the delivery
 * reader, as a delivery would see it */
static int read_message(struct tool_ctx *ctx, struct pool *pool,
			const char *path, const char *from,
			struct delivery_message *msg)
{
	struct sl_err err;
	int fd = strcmp(path, "-") == 0 ? 0 : open(path, O_RDONLY | O_CLOEXEC);
	int r;

	if (fd < 0) {
		perror(path);
		return TOOL_FAIL;
	}
	r = delivery_read_fd(ctx->cfg, pool, fd, from, msg, &err);
	if (fd != 0)
		close(fd);
	if (r < 0) {
		fprintf(stderr, "sluice: %s: %s\n", path, err.text);
		return err.cls == ERR_TEMP ? TOOL_TEMP : TOOL_FAIL;
	}
	return TOOL_OK;
}

/* run_test - compile, execute and print */
static int run_test(struct tool_ctx *ctx, struct sieve_engine *e,
		    const struct test_opts *o, const char *script,
		    const struct delivery_message *dm, struct pool *pool)
{
	const char *at = strrchr(o->rcpt, '@');
	struct sieve_message m = {
		.msg = dm->msg, .spool = dm->spool, .skip = dm->skip,
		.size = spool_size(dm->spool) - dm->skip,
		.env_from = o->from, .env_to = o->rcpt, .orig_to = o->orig,
		.id = dm->message_id,
	};
	struct sieve_env env = {
		.domain = at != NULL ? at + 1 : "localhost",
		.host = "localhost", .location = "MDA", .phase = "during",
	};
	struct sieve_exec_params params = {
		.msg = &m, .env = &env, .dry_run = 1,
	};
	struct sieve_result *r;
	struct sieve_script *s;
	struct sieve_diags d;
	struct sl_err err;
	struct buf b = BUF_INIT;

	(void)ctx;
	sieve_diags_init(&d, pool);
	s = sieve_compile_file(e, pool, script, NULL, &d, &err);
	if (s == NULL) {
		if (d.first == NULL) {
			fprintf(stderr, "sluice: %s\n", err.text);
			return err.cls == ERR_TEMP ? TOOL_TEMP : TOOL_FAIL;
		}
		if (!o->json) {
			print_diags(stderr, &d);
			return TOOL_FAIL;
		}
		sieve_json_compile_error(&b, &d);
		fputs(buf_cstr(&b), stdout);
		buf_free(&b);
		return TOOL_OK;
	}
	if (!o->json)
		print_diags(stderr, &d);
	if (o->trace) {
		params.trace = trace_line;
		params.trace_ctx = o->json ? stderr : stdout;
	}
	r = sieve_result_new(pool);
	if (sieve_execute(s, &params, r, &err) < 0 && err.cls == ERR_TEMP) {
		fprintf(stderr, "sluice: %s\n", err.text);
		return TOOL_TEMP;
	}
	sieve_result_finish(r, &err);
	if (o->json) {
		sieve_json_result(&b, r);
		fputs(buf_cstr(&b), stdout);
		buf_free(&b);
	} else {
		print_result(r);
	}
	return TOOL_OK;
}

static int sieve_test(struct tool_ctx *ctx, struct sieve_engine *e,
		      const struct test_opts *o, char **argv)
{
	struct pool *pool = pool_new(64 * 1024);
	struct delivery_message dm;
	int ret;

	memset(&dm, 0, sizeof(dm));
	ret = read_message(ctx, pool, argv[1], o->from, &dm);
	if (ret == TOOL_OK) {
		ret = run_test(ctx, e, o, argv[0], &dm, pool);
		delivery_message_free(&dm);
	}
	pool_free(&pool);
	return ret;
}

int cmd_sieve(struct tool_ctx *ctx, int argc, char **argv)
{
	struct test_opts o = { "", "user@localhost", NULL, 0, 0 };
	const char *sub, *exts = NULL;
	struct sieve_engine *e;
	struct sl_err err;
	int c, ret;

	if (argc < 2) {
		fputs(SIEVE_USAGE, stderr);
		return TOOL_USAGE;
	}
	sub = argv[1];
	argc--;
	argv++;
	while ((c = getopt_long(argc, argv, "f:r:a:x:t", sieve_longopts,
				NULL)) != -1) {
		switch (c) {
		case 'j': o.json = 1; break;
		case 'f': o.from = optarg; break;
		case 'r': o.rcpt = optarg; break;
		case 'a': o.orig = optarg; break;
		case 'x': exts = optarg; break;
		case 't': o.trace = 1; break;
		default:
			fputs(SIEVE_USAGE, stderr);
			return TOOL_USAGE;
		}
	}
	argc -= optind;
	argv += optind;
	if (o.orig == NULL)
		o.orig = o.rcpt;
	if (strcmp(o.from, "<>") == 0)
		o.from = "";
	if ((strcmp(sub, "check") == 0 && argc < 1) ||
	    (strcmp(sub, "test") == 0 && argc != 2) ||
	    (strcmp(sub, "check") != 0 && strcmp(sub, "test") != 0)) {
		fputs(SIEVE_USAGE, stderr);
		return TOOL_USAGE;
	}
	e = sieve_engine_new(ctx->cfg, exts, &err);
	if (e == NULL) {
		fprintf(stderr, "sluice: %s\n", err.text);
		return TOOL_USAGE;
	}
	if (strcmp(sub, "check") == 0)
		ret = sieve_check(e, o.json, argc, argv);
	else
		ret = sieve_test(ctx, e, &o, argv);
	sieve_engine_free(&e);
	return ret;
}
