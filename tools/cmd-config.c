/* cmd-config.c - `sluice config [-n]` */
#include "auto-config.h"
#include "tools.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

int cmd_config(struct tool_ctx *ctx, int argc, char **argv)
{
	int c, nondefault = 0;

	while ((c = getopt(argc, argv, "n")) != -1) {
		if (c != 'n') {
			fprintf(stderr, "usage: sluice config [-n]\n");
			return TOOL_USAGE;
		}
		nondefault = 1;
	}
	if (optind != argc) {
		fprintf(stderr, "usage: sluice config [-n]\n");
		return TOOL_USAGE;
	}
	config_dump(ctx->cfg, stdout, nondefault);
	return TOOL_OK;
}
