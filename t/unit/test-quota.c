/* test-quota.c - quota/: rules, maildirsize arithmetic and its
 * recalculation triggers, check/full/add, folder rules, mbox usage */
#include "auto-config.h"
#include "t/tap.h"
#include "lib/buf.h"
#include "lib/config.h"
#include "lib/store.h"
#include "lib/userdb.h"
#include "quota/quota.h"
#include "quota/quota-private.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdint.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <utime.h>

static char base_dir[256];
static struct config *cfg;

static int rm_one(const char *path, const struct stat *sb, int flag,
		  struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void rm_rf(const char *path)
{
	(void)nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* path_of - base_dir/a/b in a rotating static buffer (4 at a time) */
static const char *path_of(const char *a, const char *b)
{
	static char p[4][1024];
	static unsigned k;
	char *out = p[k++ % 4];

	if (snprintf(out, sizeof(p[0]), "%s/%s%s%s", base_dir, a,
		     b != NULL ? "/" : "", b != NULL ? b : "") >=
	    (int)sizeof(p[0]))
		abort();
	return out;
}

static void write_file(const char *path, const char *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	if (fd < 0 || write(fd, data, len) != (ssize_t)len) {
		perror(path);
		abort();
	}
	(void)close(fd);
}

static void write_str(const char *path, const char *s)
{
	write_file(path, s, strlen(s));
}

/* write_size - a file of n bytes of 'x' */
static void write_size(const char *path, size_t n)
{
	char *data = malloc(n + 1);

	if (data == NULL)
		abort();
	memset(data, 'x', n);
	write_file(path, data, n);
	free(data);
}

/* read_file - the whole (small) file as a string, static; "" if none */
static const char *read_file(const char *path)
{
	static char data[65536];
	int fd = open(path, O_RDONLY);
	ssize_t n;

	data[0] = '\0';
	if (fd < 0)
		return data;
	n = read(fd, data, sizeof(data) - 1);
	(void)close(fd);
	data[n < 0 ? 0 : n] = '\0';
	return data;
}

static void mkdir_p(const char *path)
{
	if (mkdir(path, 0700) < 0 && errno != EEXIST) {
		perror(path);
		abort();
	}
}

/* make_maildir - a fresh Maildir at base_dir/name with new cur tmp and
 * the given Maildir++ folders (".Trash" etc.) */
static const char *make_maildir(const char *name, const char *const *folders)
{
	static char root[512];
	const char *sub[] = { "new", "cur", "tmp" };
	size_t i;

	rm_rf(path_of(name, NULL));
	mkdir_p(path_of(name, NULL));
	snprintf(root, sizeof(root), "%s", path_of(name, NULL));
	for (i = 0; i < 3; i++)
		mkdir_p(path_of(name, sub[i]));
	for (; folders != NULL && *folders != NULL; folders++) {
		char dir[600];

		snprintf(dir, sizeof(dir), "%s/%s", name, *folders);
		mkdir_p(path_of(dir, NULL));
		for (i = 0; i < 3; i++)
			mkdir_p(path_of(dir, sub[i]));
	}
	return root;
}

/* add_msg - a message file of n bytes in root/dir (e.g. "new",
 * ".Trash/cur"), named with ,S=n when named_size, else without a size */
static void add_msg(const char *root, const char *dir, size_t n,
		    int named_size)
{
	static unsigned seq;
	char path[1024], size[32] = "";

	if (named_size)
		snprintf(size, sizeof(size), ",S=%zu", n);
	if (snprintf(path, sizeof(path), "%s/%s/%ld.M%uP%d.test%s%s", root,
		     dir, (long)time(NULL), seq++, (int)getpid(), size,
		     strstr(dir, "cur") != NULL ? ":2," : "") >=
	    (int)sizeof(path))
		abort();
	write_size(path, n);
}

static const char *msize(const char *root)
{
	static char p[600];

	snprintf(p, sizeof(p), "%s/maildirsize", root);
	return p;
}

/* user - a userdb record with quota_rule and extra fields (k=v pairs) */
static struct user_record *user(const char *rule, const char *rule2,
				const char *rule3)
{
	static struct user_record u;
	static struct user_field f[2];

	memset(&u, 0, sizeof(u));
	u.user = "alice@example.test";
	u.localpart = "alice";
	u.domain = "example.test";
	u.quota_rule = rule;
	u.fields = f;
	f[0].key = "quota_rule2";
	f[0].value = rule2 != NULL ? rule2 : "";
	f[1].key = "quota_rule3";
	f[1].value = rule3 != NULL ? rule3 : "";
	u.n_fields = 2;
	return &u;
}

/* qopen - a quota on a Maildir root (or mbox dir root with inbox) */
static struct quota *qopen(const char *driver, const char *root,
			   const char *inbox, const struct user_record *u)
{
	struct store_location loc = { driver, root, inbox };
	struct quota *q = NULL;
	struct sl_err err;

	err_clear(&err);
	if (quota_open(&q, cfg, u, &loc, &err) < 0) {
		diag("quota_open: %s", err.text);
		return NULL;
	}
	return q;
}

static struct quota_usage get(struct quota *q)
{
	struct quota_usage u;
	struct sl_err err;

	err_clear(&err);
	if (quota_get(q, &u, &err) < 0) {
		diag("quota_get: %s", err.text);
		memset(&u, 0xff, sizeof(u));
	}
	return u;
}

/* --- rules ------------------------------------------------------------ */

struct rule_case {
	const char *text;
	const char *folder;
	uint64_t bytes, messages;
	int bytes_rel;
	unsigned bytes_pct;
	int ignore;
};

static const struct rule_case good_rules[] = {
	{ "*:storage=100", "*", 100 * 1024, 0, 0, 0, 0 },
	{ "*:storage=10B", "*", 10, 0, 0, 0, 0 },
	{ "*:storage=2K", "*", 2048, 0, 0, 0, 0 },
	{ "*:storage=3k", "*", 3072, 0, 0, 0, 0 },
	{ "*:storage=5M", "*", 5ULL << 20, 0, 0, 0, 0 },
	{ "*:storage=1G", "*", 1ULL << 30, 0, 0, 0, 0 },
	{ "*:storage=1GB", "*", 1ULL << 30, 0, 0, 0, 0 },
	{ "*:storage=2T", "*", 2ULL << 40, 0, 0, 0, 0 },
	{ "*:bytes=5000", "*", 5000, 0, 0, 0, 0 },
	{ "*:bytes=1K", "*", 1024, 0, 0, 0, 0 },
	{ "*:messages=100", "*", 0, 100, 0, 0, 0 },
	{ "*:storage=1M:messages=10", "*", 1ULL << 20, 10, 0, 0, 0 },
	{ "*:messages=7:storage=1", "*", 1024, 7, 0, 0, 0 },
	{ "*:storage=1G:backend=fs", "*", 1ULL << 30, 0, 0, 0, 0 },
	{ "Trash:storage=+10%", "Trash", 0, 0, 1, 10, 0 },
	{ "Trash:storage=+100M", "Trash", 100ULL << 20, 0, 1, 0, 0 },
	{ "Trash:storage=+50", "Trash", 50 * 1024, 0, 1, 0, 0 },
	{ "Sent:storage=20%", "Sent", 0, 0, 0, 20, 0 },
	{ "Spam:ignore", "Spam", 0, 0, 0, 0, 1 },
	{ "INBOX/Sub:storage=1", "INBOX/Sub", 1024, 0, 0, 0, 0 },
};

static const char *const bad_rules[] = {
	"storage=1G",			/* no folder */
	":storage=1G",			/* empty folder */
	"*:storage=abc",
	"*:storage=",
	"*:storage=10X",		/* unknown unit */
	"*:storage=10KX",
	"*:storage=-5",
	"*:storage",			/* not KEY=VALUE */
	"*:frobs=1",			/* unknown key */
	"*:storage=+10%",		/* * needs absolute limits */
	"*:storage=+1G",
	"*:messages=10%",
	"*:storage=99999999999999999999999",	/* strtoull overflow */
	"*:storage=20000000000T",	/* overflows when multiplied */
	"Trash:storage=1001%",
};

static void test_rules(void)
{
	size_t i;

	for (i = 0; i < sizeof(good_rules) / sizeof(good_rules[0]); i++) {
		const struct rule_case *c = &good_rules[i];
		struct quota_rule r;
		struct sl_err err;

		err_clear(&err);
		if (!ok(quota_rule_parse(c->text, &r, &err) == 0,
			"rule '%s' parses", c->text)) {
			diag("  %s", err.text);
			continue;
		}
		if (!ok(strcmp(r.folder, c->folder) == 0 && r.bytes == c->bytes &&
		   r.messages == c->messages && r.bytes_rel == c->bytes_rel &&
		   r.bytes_pct == c->bytes_pct && r.ignore == c->ignore,
		   "rule '%s': folder %s bytes %llu messages %llu rel %d pct %u "
		   "ignore %d", c->text, c->folder,
		   (unsigned long long)c->bytes,
		   (unsigned long long)c->messages, c->bytes_rel, c->bytes_pct,
		   c->ignore))
			diag("  got folder %s bytes %llu messages %llu rel %d "
			     "pct %u ignore %d", r.folder,
			     (unsigned long long)r.bytes,
			     (unsigned long long)r.messages, r.bytes_rel,
			     r.bytes_pct, r.ignore);
		quota_rule_free(&r);
	}
	for (i = 0; i < sizeof(bad_rules) / sizeof(bad_rules[0]); i++) {
		struct quota_rule r;
		struct sl_err err;
		int ret;

		err_clear(&err);
		ret = quota_rule_parse(bad_rules[i], &r, &err);
		ok(ret < 0 && err.cls == ERR_USAGE && err.text[0] != '\0',
		   "rule '%s' is refused (ERR_USAGE: %s)", bad_rules[i],
		   err.text);
	}
}

/* test_rule_sources - userdb quota_rule/2/3, config, a bad rule */
static void test_rule_sources(void)
{
	const char *root = make_maildir("src", NULL);
	struct store_location loc = { "maildir", root, NULL };
	struct quota_usage u;
	struct quota *q;
	struct sl_err err;

	q = qopen("maildir", root, NULL,
		  user("*:storage=2K", "Trash:storage=+10%", "Spam:ignore"));
	u = get(q);
	ok(q != NULL && q->n_rules == 3 && u.limit.bytes == 2048 &&
	   strcmp(u.limit_source, "userdb") == 0,
	   "userdb quota_rule + quota_rule2 + quota_rule3: 3 rules, limit "
	   "2048 from userdb");
	quota_close(&q);
	ok(q == NULL, "quota_close sets the pointer to NULL");

	ok(config_set(cfg, "quota_rule", "*:storage=4K:messages=9, Spam:ignore",
		      "test", &err) == 0, "config quota_rule set");
	root = make_maildir("src", NULL);	/* no maildirsize yet */
	q = qopen("maildir", root, NULL, user(NULL, NULL, NULL));
	u = get(q);
	if (!ok(q != NULL && q->n_rules == 2 && u.limit.bytes == 4096 &&
		u.limit.messages == 9,
		"sluice.conf quota_rule (a list): limit 4096 bytes 9 messages"))
		diag("  got %zu rules, limit %llu bytes %llu messages from %s",
		     q != NULL ? q->n_rules : 0,
		     (unsigned long long)u.limit.bytes,
		     (unsigned long long)u.limit.messages, u.limit_source);
	is_str(u.limit_source, "config",
	       "... and quota_get says it comes from config");
	quota_close(&q);
	q = qopen("maildir", root, NULL, user("*:storage=1K", NULL, NULL));
	u = get(q);
	ok(u.limit.bytes == 1024 && u.limit.messages == 0 &&
	   strcmp(u.limit_source, "userdb") == 0,
	   "a userdb rule wins over sluice.conf's");
	quota_close(&q);

	/* the site changes its quota_rule: an existing mailbox whose
	 * maildirsize sluice wrote from the old rule gets the new one */
	root = make_maildir("src", NULL);
	q = qopen("maildir", root, NULL, user(NULL, NULL, NULL));
	u = get(q);	/* writes maildirsize with 4096S,9C */
	quota_close(&q);
	(void)config_set(cfg, "quota_rule", "*:storage=8K", "test", &err);
	q = qopen("maildir", root, NULL, user(NULL, NULL, NULL));
	u = get(q);
	if (!ok(u.limit.bytes == 8192 && u.limit.messages == 0,
		"sluice.conf quota_rule raised to 8K: the mailbox gets 8K"))
		diag("  got %llu bytes %llu messages from %s (maildirsize: "
		     "%s)", (unsigned long long)u.limit.bytes,
		     (unsigned long long)u.limit.messages, u.limit_source,
		     read_file(msize(root)));
	quota_close(&q);
	(void)config_set(cfg, "quota_rule", "", "test", &err);

	err_clear(&err);
	q = (struct quota *)1;
	ok(quota_open(&q, cfg, user("*:storage=lots", NULL, NULL), &loc,
		      &err) < 0 && err.cls == ERR_USAGE && q == NULL,
	   "a bad userdb rule: quota_open fails with ERR_USAGE (%s)",
	   err.text);
	err_clear(&err);
	ok(quota_open(&q, cfg, user("*:storage=1K", "Trash:", NULL), &loc,
		      &err) < 0 && err.cls == ERR_USAGE,
	   "a bad quota_rule2: ERR_USAGE (%s)", err.text);
}

/* --- maildirsize --------------------------------------------------------- */

static void test_maildir_limit_line(void)
{
	struct quota_limits l;
	struct sl_err err;
	struct buf b = BUF_INIT;

	ok(quota_parse_maildir_limit("10000000S,1000C", &l, &err) == 0 &&
	   l.bytes == 10000000 && l.messages == 1000,
	   "limit line 10000000S,1000C");
	ok(quota_parse_maildir_limit("1000C", &l, &err) == 0 &&
	   l.bytes == 0 && l.messages == 1000, "limit line 1000C");
	ok(quota_parse_maildir_limit("5000S", &l, &err) == 0 &&
	   l.bytes == 5000 && l.messages == 0, "limit line 5000S");
	ok(quota_parse_maildir_limit("", &l, &err) == 0 && l.bytes == 0 &&
	   l.messages == 0, "empty limit line: no limit");
	ok(quota_parse_maildir_limit("100X", &l, &err) < 0,
	   "limit line 100X is refused");
	ok(quota_parse_maildir_limit("S", &l, &err) < 0,
	   "limit line S (no number) is refused");
	l.bytes = 123;
	l.messages = 45;
	quota_limit_line(&b, &l);
	is_str(buf_cstr(&b), "123S,45C", "quota_limit_line writes NS,MC");
	buf_free(&b);
}

static void test_maildirsize_sums(void)
{
	const char *root = make_maildir("sums", NULL);
	struct quota_usage u;
	struct quota *q;

	/* no message files at all: only the file's arithmetic counts */
	write_str(msize(root), "10000S,10C\n100 1\n250 2\n-50 -1\n");
	q = qopen("maildir", root, NULL, NULL);
	u = get(q);
	is_int(u.bytes, 300, "maildirsize sum: 100 + 250 - 50 = 300 bytes");
	is_int(u.messages, 2, "maildirsize sum: 1 + 2 - 1 = 2 messages");
	ok(u.limit.bytes == 10000 && u.limit.messages == 10 &&
	   strcmp(u.limit_source, "maildirsize") == 0,
	   "no rule: the limit line 10000S,10C applies (source maildirsize)");
	is_str(read_file(msize(root)), "10000S,10C\n100 1\n250 2\n-50 -1\n",
	       "a small, sane maildirsize is not recalculated");
	quota_close(&q);

	write_str(msize(root), "10000S\n100 1\n-500 -5\n");
	q = qopen("maildir", root, NULL, NULL);
	u = get(q);
	ok(u.bytes == 0 && u.messages == 0,
	   "a sum below zero counts as 0 (got %llu bytes %llu messages)",
	   (unsigned long long)u.bytes, (unsigned long long)u.messages);
	quota_close(&q);

	write_str(msize(root), "10000S\n  70   3  \n");
	q = qopen("maildir", root, NULL, NULL);
	u = get(q);
	ok(u.bytes == 70 && u.messages == 3,
	   "lines with extra blanks (Courier pads them) are read");
	quota_close(&q);

	write_str(msize(root), "10000S\n70 3\n");
	q = qopen("maildir", root, NULL, user("*:storage=20K", NULL, NULL));
	u = get(q);
	ok(u.limit.bytes == 20480 && strcmp(u.limit_source, "userdb") == 0 &&
	   u.bytes == 70,
	   "a userdb rule wins over the limit line; the sum is still read");
	quota_close(&q);
}

/* count files: the usage of root as a recalculation must find it */
static void test_recalc_triggers(void)
{
	const char *const folders[] = { ".Sent", NULL };
	const char *root = make_maildir("recalc", folders);
	struct quota_usage u;
	struct utimbuf ut;
	struct stat st;
	struct quota *q;
	char big[6000];
	size_t i;

	add_msg(root, "new", 100, 1);
	add_msg(root, "cur", 200, 1);
	add_msg(root, "cur", 33, 0);		/* no ,S=: stat */
	add_msg(root, ".Sent/cur", 400, 1);
	/* 733 bytes in 4 messages */

	q = qopen("maildir", root, NULL, user("*:storage=10K", NULL, NULL));
	u = get(q);
	ok(u.bytes == 733 && u.messages == 4,
	   "missing maildirsize with a limit: recalculated from the folders "
	   "(733 bytes 4 messages, ,S= and stat sizes), got %llu %llu",
	   (unsigned long long)u.bytes, (unsigned long long)u.messages);
	is_str(read_file(msize(root)), "10240S\n733 4\n",
	       "the recalculated maildirsize holds the limit line and the sum");
	quota_close(&q);

	/* a corrupt line: recalculated; the limit line is kept */
	write_str(msize(root), "5000S,50C\n10 1\nnot numbers\n");
	q = qopen("maildir", root, NULL, NULL);
	u = get(q);
	ok(u.bytes == 733 && u.messages == 4, "corrupt line: recalculated "
	   "(got %llu bytes %llu messages)", (unsigned long long)u.bytes,
	   (unsigned long long)u.messages);
	ok(u.limit.bytes == 5000 && u.limit.messages == 50,
	   "corrupt line: the limit line 5000S,50C still applies (got %llu "
	   "bytes %llu messages, from %s)", (unsigned long long)u.limit.bytes,
	   (unsigned long long)u.limit.messages, u.limit_source);
	is_str(read_file(msize(root)), "5000S,50C\n733 4\n",
	       "corrupt line: the file is rewritten with its limit line");
	quota_close(&q);
	write_str(msize(root), "5000S,50C\n10 1\nnot numbers\n");
	q = qopen("maildir", root, NULL, NULL);
	ok(quota_recalc(q, NULL) == 0, "quota_recalc of a corrupt file");
	is_str(read_file(msize(root)), "5000S,50C\n733 4\n",
	       "quota_recalc of a corrupt file keeps its limit line");
	quota_close(&q);

	/* a half-written last line (no newline) is corrupt too */
	write_str(msize(root), "10240S\n10 1\n20");
	q = qopen("maildir", root, NULL, user("*:storage=10K", NULL, NULL));
	u = get(q);
	ok(u.bytes == 733 && u.messages == 4,
	   "a last line without newline: recalculated");
	quota_close(&q);

	/* larger than 5120 bytes: recalculated */
	memset(big, 0, sizeof(big));
	strcpy(big, "10240S\n");
	for (i = strlen(big); i + 4 < 5200; i += 4)
		memcpy(big + i, "1 0\n", 4);
	write_str(msize(root), big);
	ok(strlen(big) > 5120, "a maildirsize of %zu bytes", strlen(big));
	q = qopen("maildir", root, NULL, user("*:storage=10K", NULL, NULL));
	u = get(q);
	ok(u.bytes == 733 && u.messages == 4,
	   "maildirsize > 5120 bytes: recalculated (got %llu bytes)",
	   (unsigned long long)u.bytes);
	memset(&st, 0, sizeof(st));
	(void)stat(msize(root), &st);
	ok(st.st_size > 0 && st.st_size < 100,
	   "... and written small again (%lld bytes)", (long long)st.st_size);
	quota_close(&q);

	/* exactly 5120 bytes: left as it is (the last line padded with
	 * blanks to make the length) */
	memset(big, 0, sizeof(big));
	strcpy(big, "10240S\n");
	for (i = strlen(big); i + 4 <= 5120 - 8; i += 4)
		memcpy(big + i, "1 0\n", 4);
	big[strlen(big) - 1] = ' ';
	while (strlen(big) < 5119)
		strcat(big, " ");
	strcat(big, "\n");
	write_str(msize(root), big);
	q = qopen("maildir", root, NULL, user("*:storage=10K", NULL, NULL));
	u = get(q);
	ok(strlen(big) == 5120 && stat(msize(root), &st) == 0 &&
	   st.st_size == 5120 && u.bytes != 733,
	   "maildirsize of exactly 5120 bytes: not recalculated");
	quota_close(&q);

	/* over quota and older than 15 minutes: recalculated */
	write_str(msize(root), "1000S\n5000 9\n");
	ut.actime = ut.modtime = time(NULL) - 16 * 60;
	(void)utime(msize(root), &ut);
	q = qopen("maildir", root, NULL, NULL);
	u = get(q);
	ok(u.bytes == 733 && u.messages == 4 && u.limit.bytes == 1000,
	   "over quota and 16 minutes old: recalculated, limit kept (got "
	   "%llu bytes, limit %llu)", (unsigned long long)u.bytes,
	   (unsigned long long)u.limit.bytes);
	quota_close(&q);

	write_str(msize(root), "1000S\n5000 9\n");
	ut.actime = ut.modtime = time(NULL) - 10 * 60;
	(void)utime(msize(root), &ut);
	q = qopen("maildir", root, NULL, NULL);
	u = get(q);
	ok(u.bytes == 5000 && u.messages == 9,
	   "over quota but 10 minutes old: not recalculated");
	quota_close(&q);

	write_str(msize(root), "100000S\n5000 9\n");
	ut.actime = ut.modtime = time(NULL) - 60 * 60;
	(void)utime(msize(root), &ut);
	q = qopen("maildir", root, NULL, NULL);
	u = get(q);
	ok(u.bytes == 5000 && u.messages == 9,
	   "an hour old but under quota: not recalculated");
	quota_close(&q);

	/* quota_recalc on demand */
	q = qopen("maildir", root, NULL, NULL);
	ok(quota_recalc(q, NULL) == 0, "quota_recalc");
	is_str(read_file(msize(root)), "100000S\n733 4\n",
	       "quota_recalc rewrites the sum and keeps the limit line");
	quota_close(&q);
}

static void test_no_quota(void)
{
	const char *root = make_maildir("noquota", NULL);
	struct quota_usage u;
	struct quota *q;
	struct sl_err err;

	add_msg(root, "new", 500, 1);
	q = qopen("maildir", root, NULL, NULL);
	u = get(q);
	ok(u.limit.bytes == 0 && u.limit.messages == 0 &&
	   strcmp(u.limit_source, "none") == 0, "no rule, no file: no limit "
	   "(source none)");
	ok(access(msize(root), F_OK) < 0 && errno == ENOENT,
	   "no quota at all: quota_get writes no maildirsize");
	is_int(quota_enabled(q, &err), 0, "quota_enabled is 0");
	is_int(quota_check(q, "INBOX", 1ULL << 40, &err), 0,
	       "quota_check: anything fits");
	is_int(quota_full(q, &err), 0, "quota_full: 0");
	ok(quota_add(q, "INBOX", 500, 1, NULL, NULL, &err) == 0 &&
	   access(msize(root), F_OK) < 0,
	   "quota_add without a quota writes no maildirsize either");
	quota_close(&q);

	write_str(msize(root), "\n100 1\n");
	q = qopen("maildir", root, NULL, NULL);
	is_int(quota_enabled(q, &err), 0,
	       "a maildirsize with an empty limit line: quota_enabled 0");
	quota_close(&q);
	write_str(msize(root), "20000S\n100 1\n");
	q = qopen("maildir", root, NULL, NULL);
	is_int(quota_enabled(q, &err), 1,
	       "a maildirsize limit line alone enables the quota");
	quota_close(&q);
}

static void test_check_full_add(void)
{
	const char *root = make_maildir("cfa", NULL);
	struct quota_usage before, after;
	struct quota *q;
	struct sl_err err;

	write_str(msize(root), "1000S\n");
	q = qopen("maildir", root, NULL, NULL);
	err_clear(&err);
	is_int(quota_check(q, "INBOX", 1000, &err), 0,
	       "quota_check: 1000 bytes into an empty 1000S mailbox fit");
	err_clear(&err);
	ok(quota_check(q, "INBOX", 1001, &err) == 1 &&
	   err.cls == ERR_NOQUOTA && strstr(err.text, "Quota") != NULL,
	   "quota_check: 1001 bytes are over (1, ERR_NOQUOTA: %s)", err.text);
	ok(quota_add(q, "INBOX", 600, 1, &before, &after, &err) == 0 &&
	   before.bytes == 0 && after.bytes == 600 && after.messages == 1,
	   "quota_add 600: usage 0 -> 600");
	is_str(read_file(msize(root)), "1000S\n600 1\n",
	       "quota_add appends one \"600 1\" line");
	is_int(quota_full(q, &err), 0, "quota_full at 600 of 1000: 0");
	is_int(quota_check(q, "INBOX", 401, &err), 1,
	       "quota_check 401 more: over");
	is_int(quota_check(q, "INBOX", 400, &err), 0,
	       "quota_check 400 more: fits exactly");
	ok(quota_add(q, "INBOX", 400, 1, &before, &after, &err) == 0 &&
	   before.bytes == 600 && after.bytes == 1000,
	   "quota_add 400: 600 -> 1000");
	err_clear(&err);
	ok(quota_full(q, &err) == 1 && err.cls == ERR_NOQUOTA,
	   "quota_full at 1000 of 1000: 1, ERR_NOQUOTA");
	is_int(quota_check(q, "INBOX", 1, &err), 1,
	       "quota_check one byte more: over");
	ok(quota_add(q, "INBOX", -600, -1, &before, &after, &err) == 0 &&
	   before.bytes == 1000 && after.bytes == 400 && after.messages == 1,
	   "quota_add -600 -1: 1000 -> 400, one message");
	is_str(read_file(msize(root)), "1000S\n600 1\n400 1\n-600 -1\n",
	       "a removal is a negative line");
	is_int(quota_full(q, &err), 0, "quota_full after the removal: 0");
	ok(quota_percent(&after) == 40, "quota_percent: 40 (got %u)",
	   quota_percent(&after));
	quota_close(&q);

	/* messages limit */
	write_str(msize(root), "0S,2C\n");
	q = qopen("maildir", root, NULL, user("*:messages=2", NULL, NULL));
	is_int(quota_check(q, "INBOX", 1, &err), 0, "messages=2: 1st fits");
	(void)quota_add(q, "INBOX", 10, 1, NULL, NULL, &err);
	is_int(quota_check(q, "INBOX", 1, &err), 0, "messages=2: 2nd fits");
	(void)quota_add(q, "INBOX", 10, 1, NULL, NULL, &err);
	is_int(quota_check(q, "INBOX", 1, &err), 1, "messages=2: 3rd is over");
	is_int(quota_full(q, &err), 1, "messages=2 at 2: full");
	quota_close(&q);

	/* quota_add with no maildirsize: the recalculation counts the new
	 * message (already in new/), so "before" is without it */
	unlink(msize(root));
	add_msg(root, "new", 300, 1);
	add_msg(root, "new", 200, 1);
	q = qopen("maildir", root, NULL, user("*:storage=1K", NULL, NULL));
	ok(quota_add(q, "INBOX", 200, 1, &before, &after, &err) == 0 &&
	   before.bytes == 300 && after.bytes == 500 && after.messages == 2,
	   "quota_add with no maildirsize: recalculated, before 300 after 500 "
	   "(got %llu %llu)", (unsigned long long)before.bytes,
	   (unsigned long long)after.bytes);
	is_str(read_file(msize(root)), "1024S\n500 2\n",
	       "... and the new file is not counted twice");
	quota_close(&q);
}

static void test_folder_rules(void)
{
	const char *const folders[] = { ".Trash", ".Spam", ".Lists.Debian",
					NULL };
	const char *root = make_maildir("folders", folders);
	struct quota_usage u, before, after;
	struct quota *q;
	struct sl_err err;

	add_msg(root, "new", 1000, 1);
	add_msg(root, ".Spam/new", 5000, 1);
	add_msg(root, ".Spam/cur", 7000, 0);
	add_msg(root, ".Lists.Debian/cur", 10, 1);
	q = qopen("maildir", root, NULL,
		  user("*:storage=1K", "Trash:storage=+10%", "Spam:ignore"));
	u = get(q);
	ok(u.bytes == 1010 && u.messages == 2,
	   "Spam:ignore: its 12000 bytes are not counted (got %llu bytes %llu "
	   "messages)", (unsigned long long)u.bytes,
	   (unsigned long long)u.messages);
	is_str(read_file(msize(root)), "1024S\n1010 2\n",
	       "the recalculation leaves Spam out");
	err_clear(&err);
	is_int(quota_check(q, "INBOX", 14, &err), 0, "INBOX: 14 more fit (1024)");
	is_int(quota_check(q, "INBOX", 15, &err), 1, "INBOX: 15 more are over");
	is_int(quota_check(q, "Lists/Debian", 15, &err), 1,
	       "a folder without a rule has the * limit");
	is_int(quota_check(q, "Trash", 116, &err), 0,
	       "Trash:storage=+10%%: 116 more fit (1024 + 102)");
	is_int(quota_check(q, "Trash", 117, &err), 1,
	       "Trash:storage=+10%%: 117 more are over");
	is_int(quota_check(q, "Spam", 1ULL << 30, &err), 0,
	       "Spam:ignore: a 1 GiB message fits");
	ok(quota_add(q, "Spam", 1 << 20, 1, &before, &after, &err) == 0 &&
	   after.bytes == 1010, "quota_add to Spam changes nothing");
	is_str(read_file(msize(root)), "1024S\n1010 2\n",
	       "... and appends nothing");
	quota_close(&q);

	q = qopen("maildir", root, NULL,
		  user("*:storage=1K", "Trash:storage=+1", NULL));
	is_int(quota_check(q, "Trash", 1038, &err), 0,
	       "Trash:storage=+1 (KiB): 1038 more fit (1024 + 1024)");
	is_int(quota_check(q, "Trash", 1039, &err), 1,
	       "Trash:storage=+1: 1039 more are over");
	quota_close(&q);

	/* without the ignore rule Spam counts */
	unlink(msize(root));
	q = qopen("maildir", root, NULL, user("*:storage=100K", NULL, NULL));
	u = get(q);
	ok(u.bytes == 13010 && u.messages == 4,
	   "without Spam:ignore every folder counts (got %llu)",
	   (unsigned long long)u.bytes);
	quota_close(&q);
}

static void test_mbox(void)
{
	char inbox[600], dir[600];
	struct quota_usage u, before, after;
	struct quota *q;
	struct sl_err err;

	rm_rf(path_of("mbox", NULL));
	mkdir_p(path_of("mbox", NULL));
	mkdir_p(path_of("mbox", "mail"));
	mkdir_p(path_of("mbox", "mail/sub"));
	snprintf(inbox, sizeof(inbox), "%s", path_of("mbox", "inbox"));
	snprintf(dir, sizeof(dir), "%s", path_of("mbox", "mail"));
	write_size(inbox, 300);
	write_size(path_of("mbox", "mail/Sent"), 200);
	write_size(path_of("mbox", "mail/sub/Old"), 100);
	write_size(path_of("mbox", "mail/.imap-index"), 5000);

	q = qopen("mbox", dir, inbox, user("*:bytes=1000:messages=1", NULL,
					   NULL));
	u = get(q);
	ok(u.bytes == 600 && u.limit.bytes == 1000,
	   "mbox usage: INBOX 300 + Sent 200 + sub/Old 100, dot files "
	   "skipped (got %llu)", (unsigned long long)u.bytes);
	is_int(quota_check(q, "INBOX", 400, &err), 0, "mbox: 400 more fit");
	err_clear(&err);
	ok(quota_check(q, "INBOX", 401, &err) == 1 && err.cls == ERR_NOQUOTA,
	   "mbox: 401 more are over");
	is_int(quota_check(q, "Sent", 401, &err), 1,
	       "mbox: the same limit for a folder");
	is_int(quota_full(q, &err), 0,
	       "mbox: messages= does not apply (no count), not full");
	write_size(inbox, 700);
	u = get(q);
	ok(u.bytes == 1000, "mbox usage follows the file size (1000)");
	is_int(quota_full(q, &err), 1, "mbox at 1000 of 1000: full");
	ok(quota_add(q, "INBOX", 100, 1, &before, &after, &err) == 0 &&
	   after.bytes == 1000 && before.bytes == 900,
	   "mbox quota_add: after is the file size now, before 100 less");
	ok(access(path_of("mbox", "maildirsize"), F_OK) < 0 &&
	   access(path_of("mbox", "mail/maildirsize"), F_OK) < 0,
	   "mbox: no maildirsize written");
	ok(quota_set_limit(q, &u.limit, &err) < 0 && err.cls == ERR_USAGE,
	   "mbox: quota_set_limit is refused");
	quota_close(&q);
}

static void test_template(void)
{
	struct buf tpl = BUF_INIT, out = BUF_INIT;
	struct quota_usage u;
	struct sl_err err;
	char path[600];

	memset(&u, 0, sizeof(u));
	u.bytes = 85 * 1024 + 1000;
	u.messages = 12;
	u.limit.bytes = 100 * 1024;
	u.limit.messages = 20;
	is_int(quota_percent(&u), 85, "quota_percent: the bytes (85%%)");
	u.messages = 19;
	is_int(quota_percent(&u), 95, "quota_percent: the tighter one (95%%)");
	u.messages = 12;
	snprintf(path, sizeof(path), "%s", path_of("template", NULL));
	write_str(path, "Subject: %u is at %p%%\n\n%b of %B KiB, %c of %C "
		  "messages %x%\n");
	ok(quota_template_read(path, &tpl, &err) == 0,
	   "quota_template_read");
	quota_template_expand(&out, &tpl, "alice@example.test", 85, &u);
	is_str(buf_cstr(&out), "Subject: alice@example.test is at 85%\n\n85 of "
	       "100 KiB, 12 of 20 messages %x%\n",
	       "quota_template_expand: %%u %%p %%b %%B %%c %%C %%%%, "
	       "unknown kept");
	unlink(path);
	buf_reset(&tpl);
	ok(quota_template_read(path, &tpl, &err) < 0,
	   "quota_template_read: a missing file is an error");
	buf_free(&tpl);
	buf_free(&out);
}

/* test_huge_file - a maildirsize far past the rebuild size (more than we
 * read) is rebuilt, and its limit line survives */
static void test_huge_file(void)
{
	const char *const folders[] = { NULL };
	const char *root = make_maildir("huge", folders);
	struct quota_usage u;
	struct quota *q;
	FILE *f;
	int i;

	add_msg(root, "new", 100, 1);
	f = fopen(msize(root), "w");
	if (f == NULL) {
		ok(0, "write a huge maildirsize");
		return;
	}
	fputs("5000S\n", f);
	for (i = 0; i < 40000; i++)
		fputs("10 1\n", f);
	fclose(f);
	q = qopen("maildir", root, NULL, NULL);
	u = get(q);
	ok(u.bytes == 100 && u.messages == 1 && u.limit.bytes == 5000,
	   "a maildirsize over 256 KiB is rebuilt with its limit line (got %llu %llu limit %llu)",
	   (unsigned long long)u.bytes, (unsigned long long)u.messages,
	   (unsigned long long)u.limit.bytes);
	is_str(read_file(msize(root)), "5000S\n100 1\n", "... and written anew");
	quota_close(&q);
}

int main(void)
{
	struct sl_err err;

	snprintf(base_dir, sizeof(base_dir), "/tmp/test-quota.XXXXXX");
	if (mkdtemp(base_dir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	cfg = config_new();
	err_clear(&err);
	test_rules();
	test_rule_sources();
	test_maildir_limit_line();
	test_maildirsize_sums();
	test_recalc_triggers();
	test_huge_file();
	test_no_quota();
	test_check_full_add();
	test_folder_rules();
	test_mbox();
	test_template();
	config_free(&cfg);
	if (getenv("SLUICE_KEEP_TMP") == NULL)
		rm_rf(base_dir);
	return done_testing();
}
