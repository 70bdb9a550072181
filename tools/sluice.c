/* sluice - the admin command: global options, then a command */
#include "auto-config.h"
#include "tools.h"
#include "lib/log.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_OVERRIDES 64

static int cmd_help(struct tool_ctx *ctx, int argc, char **argv);

/* the commands: `sluice help` lists them, `sluice help NAME` shows one */
static const struct tool_command {
	const char *name;
	int (*run)(struct tool_ctx *ctx, int argc, char **argv);
	const char *synopsis;	/* its forms after "sluice ", one a line */
	const char *summary;	/* one line for the list */
	const char *options;	/* for `help NAME`, or NULL */
} tool_commands[] = {
	{ "config", cmd_config, "config [-n]",
	  "print the effective configuration",
	  "  -n   only the keys whose value differs from the built-in default\n" },
	{ "user", cmd_user, "user lookup [--json] USER\n"
	  "user add [--sql-conf FILE] [--password P] [--quota SIZE] [--home DIR] "
	  "[--maildir PATH] [--uid U] [--gid G] [--name NAME] [--scheme S] USER\n"
	  "user del [--sql-conf FILE] USER\n"
	  "user passwd [--sql-conf FILE] [--password P] [--scheme S] USER\n"
	  "user list [--sql-conf FILE] [--json]",
	  "what a delivery to USER would use; manage an SQL userdb's users",
	  "  --json       one JSON object\n"
	  "  --sql-conf   the dovecot-sql.conf.ext (default: userdb's sql:PATH)\n"
	  "  --password   the password (visible to other users: better typed\n"
	  "               at the prompt or given on standard input)\n"
	  "  --quota      a size (500M, 1G) or none\n"
	  "  --scheme     password scheme (default SHA512-CRYPT)\n"
	  "lookup: exit 0 found, 1 no such user, 75 a user database failed\n"
	  "add/del/passwd: exit 0 done, 1 the user exists (add) or not\n" },
	{ "sieve", cmd_sieve,
	  "sieve check [--json] [-x EXTENSIONS] SCRIPT...\n"
	  "sieve test [--json] [-f FROM] [-r RCPT] [-a ORIG] [-x EXTENSIONS] [-t] SCRIPT MESSAGE",
	  "compile Sieve scripts; dry-run one on a message",
	  "  --json          one JSON object\n"
	  "  -f FROM         envelope sender (default: <>)\n"
	  "  -r RCPT         envelope recipient (default: user@localhost)\n"
	  "  -a ORIG         original recipient (default: RCPT)\n"
	  "  -x EXTENSIONS   change the extensions scripts may require\n"
	  "  -t              trace tests and actions\n"
	  "MESSAGE - is standard input\n" },
	{ "userdb", cmd_userdb, "userdb build FILE [DBFILE]\n"
	  "userdb init [--sql-conf FILE] [--vmail DIR] [--uid U] [--gid G] DBFILE",
	  "build a Berkeley DB userdb from a passwd-file; create an SQLite userdb",
	  "build: DBFILE defaults to FILE.db\n"
	  "init: postfixadmin's mailbox and domain tables in DBFILE; with\n"
	  "  --sql-conf, a dovecot-sql.conf.ext for userdb = sql:FILE\n"
	  "  --vmail DIR   where mail goes (default /var/vmail)\n"
	  "  --uid, --gid  the users' uid and gid (default vmail)\n" },
	{ "convert", cmd_convert,
	  "convert [-r [-i INBOX]] [-q] [--json] mbox2maildir MBOX MAILDIR\n"
	  "convert [-r [-i INBOX]] [-q] [--json] maildir2mbox MAILDIR MBOX",
	  "convert a mailbox, flags and dates kept",
	  "  -r        all folders: the mbox side is a directory of mbox files\n"
	  "  -i INBOX  with -r: the mbox INBOX file (default DIR/inbox)\n"
	  "  -q        no progress bar\n"
	  "  --json    the summary as JSON\n" },
	{ "pw", cmd_pw,
	  "pw [-s SCHEME] [-r ROUNDS] [-p PASSWORD]\n"
	  "pw -t HASH [-s SCHEME] [-p PASSWORD]\n"
	  "pw -l",
	  "hash a password for a passwd-file, or verify one",
	  "  -s SCHEME     SHA512-CRYPT (default), SHA256-CRYPT, BLF-CRYPT,\n"
	  "                YESCRYPT (printed as {CRYPT}), ARGON2ID, SSHA512,\n"
	  "                CRAM-MD5... (-l lists them all)\n"
	  "  -r ROUNDS     SHA*-CRYPT rounds, BLF-CRYPT or YESCRYPT cost,\n"
	  "                ARGON2 passes\n"
	  "  -p PASSWORD   the password (visible to other users: better typed\n"
	  "                at the prompt or given on standard input)\n"
	  "  -t HASH       verify the password against {SCHEME}HASH\n"
	  "  -l            list the schemes\n" },
	{ "maildirmake", cmd_maildirmake,
	  "maildirmake [-S] [-q QUOTA] DIR\n"
	  "maildirmake [-S | -s MODE] [-q QUOTA] -f FOLDER DIR",
	  "make a Maildir or a Maildir++ folder, as Courier's maildirmake",
	  "  -q QUOTA    the limit line of maildirsize: NS,MC (bytes,\n"
	  "              messages) as Courier writes it, or a size (1G)\n"
	  "  -f FOLDER   the folder .FOLDER in the existing Maildir DIR\n"
	  "              (modified UTF-7 as Courier's; '.' for hierarchy)\n"
	  "  -F FOLDER   the same with a UTF-8 name\n"
	  "  -S          a sharable Maildir (DIR mode 0755)\n"
	  "  -s MODE     with -f: a public folder, MODE read, write, group\n"
	  "exit 0 made, 1 exists or cannot be made, 64 usage, 75 temporary\n" },
	{ "quota", cmd_quota,
	  "quota get [--json] USER|DIR\n"
	  "quota recalc [--json] USER|DIR\n"
	  "quota set [--json] USER|DIR QUOTA",
	  "a mailbox's quota usage and limit; recount; set the limit",
	  "  --json   one JSON object\n"
	  "USER is looked up in the userdb; an argument with a '/' is a Maildir.\n"
	  "QUOTA: NS,MC (bytes, messages), a size with a unit (512M, 1G),\n"
	  "       combinations (1G,1000C), or none\n"
	  "As root, acts as the user (or the Maildir's owner).\n" },
	{ "help", cmd_help, "help [COMMAND]",
	  "list the commands, or show one command's usage", NULL },
	{ NULL, NULL, NULL, NULL, NULL }
};

/* command_find - the table entry for name, or NULL */
static const struct tool_command *command_find(const char *name)
{
	size_t i;

	for (i = 0; tool_commands[i].name != NULL; i++) {
		if (strcmp(tool_commands[i].name, name) == 0)
			return &tool_commands[i];
	}
	return NULL;
}

/* print_synopsis - "usage: sluice FORM", then each further form aligned */
static void print_synopsis(FILE *out, const char *synopsis)
{
	const char *lead = "usage: sluice ", *p = synopsis, *nl;

	for (;;) {
		nl = strchr(p, '\n');
		fprintf(out, "%s%.*s\n", lead,
			(int)(nl != NULL ? (size_t)(nl - p) : strlen(p)), p);
		if (nl == NULL)
			break;
		lead = "       sluice ";
		p = nl + 1;
	}
}

static void usage(FILE *out)
{
	size_t i;

	fprintf(out, "usage: sluice [-c CONFIG] [-o KEY=VALUE]... COMMAND [ARGS]\n"
		"       sluice help [COMMAND]\n"
		"  -c CONFIG      the configuration file\n"
		"  -o KEY=VALUE   set a configuration key (may be repeated)\n"
		"commands:\n");
	for (i = 0; tool_commands[i].name != NULL; i++)
		fprintf(out, "  %-11s %s\n", tool_commands[i].name,
			tool_commands[i].summary);
}

/* command_help - one command's usage, what it does and its options */
static void command_help(FILE *out, const struct tool_command *cmd)
{
	print_synopsis(out, cmd->synopsis);
	fprintf(out, "%s\n", cmd->summary);
	if (cmd->options != NULL)
		fprintf(out, "%s", cmd->options);
}

/* cmd_help - `sluice help [COMMAND]`; needs no configuration */
static int cmd_help(struct tool_ctx *ctx, int argc, char **argv)
{
	const struct tool_command *cmd;

	(void)ctx;
	if (argc == 1) {
		usage(stdout);
		return TOOL_OK;
	}
	if (argc > 2) {
		print_synopsis(stderr, command_find("help")->synopsis);
		return TOOL_USAGE;
	}
	cmd = command_find(argv[1]);
	if (cmd == NULL) {
		fprintf(stderr, "sluice: unknown command '%s'\n", argv[1]);
		usage(stderr);
		return TOOL_USAGE;
	}
	command_help(stdout, cmd);
	return TOOL_OK;
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
	static const struct option longopts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	char *overrides[MAX_OVERRIDES];
	size_t n_overrides = 0;
	const struct tool_command *cmd;
	struct tool_ctx ctx;
	struct sl_err err;
	int c, ret;

	memset(&ctx, 0, sizeof(ctx));
	/* '+': global options stop at the command name */
	while ((c = getopt_long(argc, argv, "+c:o:h", longopts, NULL)) != -1) {
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
	cmd = command_find(argv[optind]);
	if (cmd == NULL) {
		fprintf(stderr, "sluice: unknown command '%s'\n", argv[optind]);
		usage(stderr);
		return TOOL_USAGE;
	}
	/* help needs no configuration: a broken file must not hide it */
	if (optind + 1 < argc && strcmp(argv[optind + 1], "--help") == 0) {
		command_help(stdout, cmd);
		return TOOL_OK;
	}
	if (cmd->run == cmd_help)
		return cmd_help(NULL, argc - optind, argv + optind);
	err_clear(&err);
	if (config_open(&ctx.cfg, ctx.config_path, overrides, n_overrides,
			&err) < 0) {
		fprintf(stderr, "sluice: %s\n", err.text);
		return TOOL_USAGE;
	}
	log_open_stderr("sluice");
	{
		int first = optind;

		optind = 0;	/* GNU getopt: start afresh for the command */
		ret = cmd->run(&ctx, argc - first, argv + first);
	}
	config_free(&ctx.cfg);
	return ret;
}
