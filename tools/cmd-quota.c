/* cmd-quota.c - `sluice quota get|recalc|set USER|DIR`: a mailbox's
 * usage and limit as a delivery sees them (quota/quota.h), a fresh count,
 * a new maildirsize limit line.
 *
 * A USER is looked up in the userdb like a delivery (mail location,
 * quota_rule); an argument holding a '/' is a Maildir path instead, with
 * the limit from its maildirsize, else sluice.conf's quota_rule. Started
 * as root, the command becomes the user (delivery_switch_user) or the
 * Maildir's owner before touching anything: a maildirsize rewritten as
 * root would lock the owner's deliveries out of it.
 */
#include "auto-config.h"
#include "tools.h"

#include "core/delivery.h"
#include "lib/buf.h"
#include "lib/store.h"
#include "lib/userdb.h"
#include "quota/quota.h"

#include <errno.h>
#include <grp.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#define QUOTA_USAGE \
	"usage: sluice quota get [--json] USER|DIR\n" \
	"       sluice quota recalc [--json] USER|DIR\n" \
	"       sluice quota set [--json] USER|DIR QUOTA\n"

/* what a quota command works on */
struct quota_target {
	struct pool *pool;
	struct userdb *db;
	const struct user_record *u;	/* NULL for a DIR */
	struct store_location loc;
};

int tool_become_owner(const char *dir)
{
	struct stat st;
	gid_t gid;

	if (geteuid() != 0)
		return 0;
	if (stat(dir, &st) < 0) {
		fprintf(stderr, "sluice: %s: %s\n", dir, strerror(errno));
		return -1;
	}
	if (st.st_uid == 0)
		return 0;
	gid = st.st_gid;
	if (setgroups(1, &gid) < 0 || setgid(gid) < 0 ||
	    setuid(st.st_uid) < 0) {
		fprintf(stderr, "sluice: cannot become %s's owner (uid %lu "
			"gid %lu): %s\n", dir, (unsigned long)st.st_uid,
			(unsigned long)gid, strerror(errno));
		return -1;
	}
	if (setuid(0) == 0) {
		fprintf(stderr, "sluice: root privileges could not be "
			"dropped\n");
		return -1;
	}
	return 0;
}

/* unit_size - "512M", "1G", "100B", "10KB" into bytes; -1 if not one */
static int unit_size(const char *tok, size_t len, uint64_t *bytes_r)
{
	uint64_t n = 0, mult;
	size_t i = 0;

	for (; i < len && tok[i] >= '0' && tok[i] <= '9'; i++) {
		if (n > (UINT64_MAX - 9) / 10)
			return -1;
		n = n * 10 + (uint64_t)(tok[i] - '0');
	}
	if (i == 0 || i == len)
		return -1;
	switch (tok[i++]) {
	case 'b': case 'B': mult = 1; break;
	case 'k': case 'K': mult = 1024ULL; break;
	case 'm': case 'M': mult = 1024ULL * 1024; break;
	case 'g': case 'G': mult = 1024ULL * 1024 * 1024; break;
	case 't': case 'T': mult = 1024ULL * 1024 * 1024 * 1024; break;
	default: return -1;
	}
	if (mult > 1 && i < len && (tok[i] == 'b' || tok[i] == 'B'))
		i++;	/* "1GB" */
	if (i != len || n > UINT64_MAX / mult)
		return -1;
	*bytes_r = n * mult;
	return 0;
}

/* courier_token - one "NS" or "MC" item, through the quota module's
 * parser; -1 if tok is not one */
static int courier_token(const char *tok, size_t len, struct quota_limits *l)
{
	struct quota_limits one;
	struct sl_err err;
	char copy[32];

	if (len < 2 || len >= sizeof(copy) ||
	    (tok[len - 1] != 'S' && tok[len - 1] != 'C') ||
	    strspn(tok, "0123456789") != len - 1)
		return -1;
	memcpy(copy, tok, len);
	copy[len] = '\0';
	if (quota_parse_maildir_limit(copy, &one, &err) < 0)
		return -1;
	if (tok[len - 1] == 'S')
		l->bytes = one.bytes;
	else
		l->messages = one.messages;
	return 0;
}

int tool_quota_parse(const char *s, struct quota_limits *l,
		     struct sl_err *err)
{
	const char *p = s;
	size_t len, items = 0;

	memset(l, 0, sizeof(*l));
	if (strcasecmp(s, "none") == 0)
		return 0;
	for (;;) {
		p += strspn(p, ", ");
		if (*p == '\0')
			break;
		len = strcspn(p, ", ");
		if (courier_token(p, len, l) < 0 &&
		    unit_size(p, len, &l->bytes) < 0) {
			memset(l, 0, sizeof(*l));
			return err_set(err, ERR_USAGE, "quota '%s': not NS,MC "
				       "(bytes, messages), a size with a unit "
				       "(512M, 1G) or none", s);
		}
		items++;
		p += len;
	}
	if (items == 0)
		return err_set(err, ERR_USAGE, "quota '%s': empty", s);
	return 0;
}

/* exit_for - the exit code for an error's class */
static int exit_for(const struct sl_err *err)
{
	switch (err->cls) {
	case ERR_TEMP:
		return TOOL_TEMP;
	case ERR_USAGE:
		return TOOL_USAGE;
	default:
		return TOOL_FAIL;
	}
}

/* is_maildir - dir/cur is a directory */
static int is_maildir(const char *dir)
{
	struct buf path = BUF_INIT;
	struct stat st;
	int ret;

	buf_printf(&path, "%s/cur", dir);
	ret = stat(path.data, &st) == 0 && S_ISDIR(st.st_mode);
	buf_free(&path);
	return ret;
}

/* target_dir - a Maildir given by path: its owner's, no userdb */
static int target_dir(struct quota_target *t, const char *arg)
{
	size_t len = strlen(arg);

	while (len > 1 && arg[len - 1] == '/')
		len--;
	t->loc.driver = "maildir";
	t->loc.root = pool_strndup(t->pool, arg, len);
	t->loc.inbox = NULL;
	if (!is_maildir(t->loc.root)) {
		fprintf(stderr, "sluice quota: %s is not a Maildir (no %s/cur)\n",
			t->loc.root, t->loc.root);
		return TOOL_FAIL;
	}
	if (tool_become_owner(t->loc.root) < 0)
		return TOOL_TEMP;
	return TOOL_OK;
}

/* target_user - the user's store as a delivery finds it, acting as the
 * user from here on when root */
static int target_user(struct tool_ctx *ctx, struct quota_target *t,
		       const char *name)
{
	struct user_record *u = NULL;
	struct delivery_env env;
	struct delivery_rcpt rcpt;
	struct delivery_result res;
	struct sl_err err;
	const char *spec;

	err_clear(&err);
	if (userdb_open(&t->db, ctx->cfg, &err) < 0) {
		fprintf(stderr, "sluice quota: userdb: %s\n", err.text);
		return TOOL_USAGE;
	}
	switch (userdb_lookup(t->db, t->pool, name, &u, &err)) {
	case USERDB_FOUND:
		break;
	case USERDB_NOTFOUND:
		fprintf(stderr, "sluice quota: no such user: %s\n", name);
		return TOOL_FAIL;
	case USERDB_TEMPFAIL:
		fprintf(stderr, "sluice quota: lookup failed (temporary): %s\n",
			err.text);
		return TOOL_TEMP;
	}
	t->u = u;
	spec = u->mail != NULL ? u->mail : config_str(ctx->cfg, "mail_location");
	if (mail_location_expand(t->pool, spec, u, &t->loc, &err) < 0) {
		fprintf(stderr, "sluice quota: mail location %s: %s\n", spec,
			err.text);
		return TOOL_USAGE;
	}
	if (strcmp(t->loc.driver, "maildir") != 0 &&
	    strcmp(t->loc.driver, "mbox") != 0) {
		fprintf(stderr, "sluice quota: %s: unknown mail store '%s'\n",
			u->user, t->loc.driver);
		return TOOL_USAGE;
	}
	memset(&env, 0, sizeof(env));
	memset(&rcpt, 0, sizeof(rcpt));
	memset(&res, 0, sizeof(res));
	env.cfg = ctx->cfg;
	rcpt.address = name;
	rcpt.user = u;
	if (delivery_switch_user(&env, &rcpt, &res) < 0) {
		fprintf(stderr, "sluice quota: %s\n", res.text);
		return TOOL_TEMP;
	}
	if (strcmp(t->loc.driver, "maildir") == 0 && !is_maildir(t->loc.root)) {
		fprintf(stderr, "sluice quota: %s has no Maildir at %s yet (the "
			"first delivery makes it)\n", u->user, t->loc.root);
		return TOOL_FAIL;
	}
	return TOOL_OK;
}

static void target_close(struct quota_target *t)
{
	userdb_close(&t->db);
	pool_free(&t->pool);
}

/* human_size - 1536 -> "1.5 KiB" */
static const char *human_size(uint64_t n, char *out, size_t size)
{
	static const char *const units[] = { "KiB", "MiB", "GiB", "TiB", "PiB" };
	double v = (double)n;
	size_t i = 0;

	if (n < 1024) {
		(void)snprintf(out, size, "%" PRIu64 " B", n);
		return out;
	}
	v /= 1024;
	while (v >= 1024 && i + 1 < sizeof(units) / sizeof(units[0])) {
		v /= 1024;
		i++;
	}
	(void)snprintf(out, size, "%.1f %s", v, units[i]);
	return out;
}

static unsigned pct(uint64_t used, uint64_t limit)
{
	return limit == 0 ? 0 : (unsigned)(used * 100 / limit);
}

/* source_text - where the limit comes from, for people */
static const char *source_text(const char *source)
{
	if (strcmp(source, "userdb") == 0)
		return "userdb (the user's quota_rule)";
	if (strcmp(source, "maildirsize") == 0)
		return "maildirsize (its limit line)";
	if (strcmp(source, "config") == 0)
		return "config (quota_rule in sluice.conf)";
	return "none (no quota)";
}

static void print_human(const struct quota_target *t,
			const struct quota_usage *u)
{
	char a[32], b[32];
	int mbox = strcmp(t->loc.driver, "mbox") == 0;

	if (t->u != NULL)
		printf("user        %s\n", t->u->user);
	printf("location    %s:%s\n", t->loc.driver, t->loc.root);
	if (t->loc.inbox != NULL)
		printf("inbox       %s\n", t->loc.inbox);
	if (u->limit.bytes > 0)
		printf("storage     %" PRIu64 " of %" PRIu64 " bytes, %u%% "
		       "(%s of %s)\n", u->bytes, u->limit.bytes,
		       pct(u->bytes, u->limit.bytes),
		       human_size(u->bytes, a, sizeof(a)),
		       human_size(u->limit.bytes, b, sizeof(b)));
	else
		printf("storage     %" PRIu64 " bytes (%s), no limit\n",
		       u->bytes, human_size(u->bytes, a, sizeof(a)));
	if (mbox)
		printf("messages    not counted (mbox)\n");
	else if (u->limit.messages > 0)
		printf("messages    %" PRIu64 " of %" PRIu64 ", %u%%\n",
		       u->messages, u->limit.messages,
		       pct(u->messages, u->limit.messages));
	else
		printf("messages    %" PRIu64 ", no limit\n", u->messages);
	if (u->limit.bytes > 0 || u->limit.messages > 0)
		printf("percent     %u%%\n", quota_percent(u));
	printf("limit from  %s\n", source_text(u->limit_source));
}

static void json_u64_or_null(const char *key, uint64_t v)
{
	if (v > 0)
		printf(",\"%s\":%" PRIu64, key, v);
	else
		printf(",\"%s\":null", key);
}

static void print_json(const struct quota_target *t,
		       const struct quota_usage *u)
{
	printf("{\"user\":");
	if (t->u != NULL)
		json_string(stdout, t->u->user);
	else
		printf("null");
	printf(",\"location\":");
	json_string(stdout, t->loc.root);
	printf(",\"driver\":");
	json_string(stdout, t->loc.driver);
	printf(",\"inbox\":");
	if (t->loc.inbox != NULL)
		json_string(stdout, t->loc.inbox);
	else
		printf("null");
	printf(",\"bytes\":%" PRIu64, u->bytes);
	if (strcmp(t->loc.driver, "mbox") == 0)
		printf(",\"messages\":null");
	else
		printf(",\"messages\":%" PRIu64, u->messages);
	json_u64_or_null("limit_bytes", u->limit.bytes);
	json_u64_or_null("limit_messages", u->limit.messages);
	printf(",\"limit_source\":");
	json_string(stdout, u->limit_source);
	printf(",\"percent\":%u}\n", quota_percent(u));
}

/* quota_run - the subcommand on an opened quota; prints the usage after */
static int quota_run(struct quota *q, const struct quota_target *t,
		     const char *sub, const struct quota_limits *newl,
		     int json)
{
	struct quota_usage u;
	struct sl_err err;

	err_clear(&err);
	if (strcmp(sub, "recalc") == 0 && quota_recalc(q, &err) < 0)
		goto fail;
	if (strcmp(sub, "set") == 0) {
		if (strcmp(t->loc.driver, "maildir") != 0) {
			fprintf(stderr, "sluice quota: an mbox quota is not "
				"stored in the mailbox: set quota_rule in the "
				"userdb or sluice.conf\n");
			return TOOL_FAIL;
		}
		if (quota_get(q, &u, &err) < 0)
			goto fail;
		if (strcmp(u.limit_source, "userdb") == 0) {
			fprintf(stderr, "sluice quota: %s's limit comes from "
				"the userdb's quota_rule (%s), which overrides "
				"maildirsize: change it there\n", t->u->user,
				t->u->quota_rule != NULL ? t->u->quota_rule
							 : "quota_rule2...");
			return TOOL_FAIL;
		}
		if (quota_set_limit(q, newl, &err) < 0)
			goto fail;
	}
	if (quota_get(q, &u, &err) < 0)
		goto fail;
	if (json)
		print_json(t, &u);
	else
		print_human(t, &u);
	return TOOL_OK;
fail:
	fprintf(stderr, "sluice quota: %s\n", err.text);
	return exit_for(&err);
}

int cmd_quota(struct tool_ctx *ctx, int argc, char **argv)
{
	struct quota_target t;
	struct quota_limits newl;
	struct quota *q = NULL;
	const char *sub, *args[2] = { NULL, NULL };
	struct sl_err err;
	int json = 0, i, n = 0, want, ret;

	if (argc < 2)
		goto usage;
	sub = argv[1];
	if (strcmp(sub, "get") == 0 || strcmp(sub, "recalc") == 0)
		want = 1;
	else if (strcmp(sub, "set") == 0)
		want = 2;
	else
		goto usage;
	for (i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			json = 1;
		else if (n < 2)
			args[n++] = argv[i];
		else
			goto usage;
	}
	if (n != want)
		goto usage;
	err_clear(&err);
	memset(&newl, 0, sizeof(newl));
	if (want == 2 && tool_quota_parse(args[1], &newl, &err) < 0) {
		fprintf(stderr, "sluice quota: %s\n", err.text);
		return TOOL_USAGE;
	}
	memset(&t, 0, sizeof(t));
	t.pool = pool_new(4096);
	ret = strchr(args[0], '/') != NULL ? target_dir(&t, args[0])
					    : target_user(ctx, &t, args[0]);
	if (ret == TOOL_OK) {
		if (quota_open(&q, ctx->cfg, t.u, &t.loc, &err) < 0) {
			fprintf(stderr, "sluice quota: %s\n", err.text);
			ret = exit_for(&err);
		} else {
			ret = quota_run(q, &t, sub, &newl, json);
			quota_close(&q);
		}
	}
	target_close(&t);
	return ret;
usage:
	fputs(QUOTA_USAGE, stderr);
	return TOOL_USAGE;
}
