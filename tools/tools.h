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
int cmd_convert(struct tool_ctx *ctx, int argc, char **argv);
int cmd_pw(struct tool_ctx *ctx, int argc, char **argv);
int cmd_maildirmake(struct tool_ctx *ctx, int argc, char **argv);
int cmd_quota(struct tool_ctx *ctx, int argc, char **argv);

/* json_string - print s as a JSON string (UTF-8 kept, controls escaped) */
void json_string(FILE *out, const char *s);

/* tool_become_owner - when running as root, become dir's owner (uid,
 * gid, no other groups) for good, so files made in it stay the owner's;
 * a root-owned dir, or not root: nothing to do. 0, or -1 with a
 * message on stderr (cmd-quota.c) */
int tool_become_owner(const char *dir);
/* tool_quota_parse - a quota argument: Courier's "NS,MC" (maildirmake
 * -q) or sizes with a unit ("1G", "512M,1000C"), "none" for no limit
 * (cmd-quota.c); 0 or -1 with err set (ERR_USAGE) */
struct quota_limits;
struct sl_err;
int tool_quota_parse(const char *s, struct quota_limits *l,
		     struct sl_err *err);

#endif
