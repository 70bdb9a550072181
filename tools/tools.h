/* tools - the `sluice` admin command: one file per command group, a
 * table in sluice.c dispatching to them. */
#ifndef SLUICE_TOOLS_H
#define SLUICE_TOOLS_H

#include "lib/config.h"

/* exit codes of the admin command */
#define TOOL_OK 0
#define TOOL_FAIL 1	/* the thing asked about is bad/absent */
#define TOOL_USAGE 64
#define TOOL_TEMP 75

struct tool_ctx {
	struct config *cfg;
	const char *config_path;	/* -c, or NULL */
};

/* a command: argv[0] is the command's own name */
int cmd_config(struct tool_ctx *ctx, int argc, char **argv);
int cmd_user(struct tool_ctx *ctx, int argc, char **argv);
int cmd_userdb(struct tool_ctx *ctx, int argc, char **argv);
int cmd_sieve(struct tool_ctx *ctx, int argc, char **argv);

/* json_string - print s as a JSON string (UTF-8 kept, controls escaped) */
void json_string(FILE *out, const char *s);

#endif
