/* sluice - the admin command: global options, then a command */
#include "auto-config.h"
#include "tools.h"
#include "lib/log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_OVERRIDES 64

static const struct tool_command {
	const char *name;
	int (*run)(struct tool_ctx *ctx, int argc, char **argv);
	const char *usage;
} tool_commands[] = {
	{ "config", cmd_config, "config [-n]          print the effective configuration" },
	{ "user", cmd_user, "user lookup [--json] USER   what a delivery to USER would use" },
	{ "sieve", cmd_sieve, "sieve check|test ...        compile Sieve scripts; dry-run one on a message" },
	{ "userdb", cmd_userdb, "userdb build FILE [DB]      build a Berkeley DB userdb from a passwd-file" },
	{ NULL, NULL, NULL }
};

static void usage(FILE *out)
{
	size_t i;

	fprintf(out, "usage: sluice [-c CONFIG] [-o KEY=VALUE]... COMMAND [ARGS]\n"
		"commands:\n");
	for (i = 0; tool_commands[i].name != NULL; i++)
		fprintf(out, "  %s\n", tool_commands[i].usage);
}

void json_string(FILE *out, const char *s)
{
	const unsigned char *p;

	fputc('"', out);
	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(out, "\\%c", *p);
		else if (*p == '\n')
			fputs("\\n", out);
		else if (*p < 0x20 || *p == 0x7f)
			fprintf(out, "\\u%04x", *p);
		else
			fputc(*p, out);
	}
	fputc('"', out);
}

int main(int argc, char **argv)
{
	char *overrides[MAX_OVERRIDES];
	size_t n_overrides = 0, i;
	struct tool_ctx ctx;
	struct sl_err err;
	int c, ret;

	memset(&ctx, 0, sizeof(ctx));
	/* '+': global options stop at the command name */
	while ((c = getopt(argc, argv, "+c:o:h")) != -1) {
		switch (c) {
		case 'c':
			ctx.config_path = optarg;
			break;
		case 'o':
			if (n_overrides == MAX_OVERRIDES) {
				fprintf(stderr, "sluice: too many -o options\n");
				return TOOL_USAGE;
			}
			overrides[n_overrides++] = optarg;
			break;
		case 'h':
			usage(stdout);
			return TOOL_OK;
		default:
			usage(stderr);
			return TOOL_USAGE;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return TOOL_USAGE;
	}
	err_clear(&err);
	if (config_open(&ctx.cfg, ctx.config_path, overrides, n_overrides,
			&err) < 0) {
		fprintf(stderr, "sluice: %s\n", err.text);
		return TOOL_USAGE;
	}
	log_open_stderr("sluice");
	for (i = 0; tool_commands[i].name != NULL; i++) {
		if (strcmp(tool_commands[i].name, argv[optind]) == 0)
			break;
	}
	if (tool_commands[i].name == NULL) {
		fprintf(stderr, "sluice: unknown command '%s'\n", argv[optind]);
		usage(stderr);
		config_free(&ctx.cfg);
		return TOOL_USAGE;
	}
	{
		int cmd = optind;

		optind = 0;	/* GNU getopt: start afresh for the command */
		ret = tool_commands[i].run(&ctx, argc - cmd, argv + cmd);
	}
	config_free(&ctx.cfg);
	return ret;
}
