/* test-mbox.c - the mbox store through struct store_vfuncs */
#include "auto-config.h"
#include "t/tap.h"
#include "lib/buf.h"
#include "lib/config.h"
#include "lib/pool.h"
#include "lib/store.h"
#include "lib/xalloc.h"
#include "mbox/mbox.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdint.h>
#include <strings.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define T_WHEN	1795096981 /* Thu Nov 19 14:03:01 2026 UTC */
#define T_WHEN2 1767604023 /* Mon Jan  5 09:07:03 2026 UTC */

static const struct store_vfuncs *V = &mbox_store_vfuncs;
static char base_dir[256];
static struct config *cfg;
static struct pool *pool;

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

/* path_of - base_dir/rel in one of four static buffers */
static const char *path_of(const char *rel)
{
	static char p[4][1024];
	static int i;

	i = (i + 1) % 4;
	if (snprintf(p[i], sizeof(p[i]), "%s/%s", base_dir, rel) >=
	    (int)sizeof(p[i]))
		abort();
	return p[i];
}

static void set_cfg(const char *key, const char *value)
{
	struct sl_err err;

	if (config_set(cfg, key, value, "test", &err) < 0) {
		diag("config_set %s: %s", key, err.text);
		abort();
	}
}

/* open_store - root and inbox relative to base_dir (inbox NULL: default) */
static struct store *open_store(const char *root, const char *inbox, int create,
				struct sl_err *err)
{
	struct store_location loc;
	struct store *st = NULL;
	char r[1024], in[1024];

	(void)snprintf(r, sizeof(r), "%s", path_of(root));
	if (inbox != NULL)
		(void)snprintf(in, sizeof(in), "%s", path_of(inbox));
	loc.driver = "mbox";
	loc.root = r;
	loc.inbox = inbox != NULL ? in : NULL;
	err_clear(err);
	if (V->open(cfg, &loc, create, &st, err) < 0)
		return NULL;
	return st;
}

/* save_full - save len bytes in chunks of chunk (0: one write); the id
 * in id (if not NULL); 0 or -1 */
static int save_full(struct store *st, const char *folder, const char *sender,
		     time_t when, unsigned flags, const void *data, size_t len,
		     size_t chunk, struct buf *id, struct sl_err *err)
{
	struct store_save_info info;
	struct store_save *save;
	const char *p = data;
	size_t off = 0;

	memset(&info, 0, sizeof(info));
	info.sender = sender;
	info.received = when;
	info.flags = flags;
	info.size = len;
	err_clear(err);
	if (V->save_begin(st, folder, &info, &save, err) < 0)
		return -1;
	if (chunk == 0)
		chunk = len > 0 ? len : 1;
	while (off < len) {
		size_t k = len - off < chunk ? len - off : chunk;

		if (V->save_write(save, p + off, k, err) < 0) {
			V->save_abort(&save);
			return -1;
		}
		off += k;
	}
	return V->save_commit(&save, id, err);
}

/* save_str - save a C string whole into folder; the id, or "" */
static const char *save_str(struct store *st, const char *folder,
			    const char *msg)
{
	static struct buf id = BUF_INIT;
	struct sl_err err;

	if (save_full(st, folder, "sender@example.org", T_WHEN, 0, msg,
		      strlen(msg), 0, &id, &err) < 0) {
		diag("save: %s", err.text);
		return "";
	}
	return pool_strdup(pool, buf_cstr(&id));
}

/* read_msg - the whole message via reads of step bytes; 0 or -1 */
static int read_msg(struct store *st, const char *folder, const char *id,
		    size_t step, struct buf *out, struct sl_err *err)
{
	struct store_reader *r;
	char *block = xmalloc(step);
	ssize_t n;

	buf_reset(out);
	buf_reserve(out, 1); /* data never NULL, for memcmp */
	err_clear(err);
	if (V->msg_open(st, folder, id, &r, err) < 0) {
		free(block);
		return -1;
	}
	while ((n = V->reader_read(r, block, step, err)) > 0)
		buf_append(out, block, (size_t)n);
	V->reader_close(&r);
	free(block);
	return n < 0 ? -1 : 0;
}

/* slurp - a file's bytes; -1 if unreadable */
static int slurp(const char *path, struct buf *b)
{
	char block[8192];
	int fd = open(path, O_RDONLY);
	ssize_t n;

	buf_reset(b);
	buf_reserve(b, 1);
	if (fd < 0)
		return -1;
	while ((n = read(fd, block, sizeof(block))) > 0)
		buf_append(b, block, (size_t)n);
	(void)close(fd);
	return n < 0 ? -1 : 0;
}

static void spit(const char *path, const char *data, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	if (fd < 0 || write(fd, data, len) != (ssize_t)len)
		abort();
	(void)close(fd);
}

/* list - the messages of folder; count, -1 on error */
static long list(struct store *st, const char *folder,
		 struct store_msg_info **msgs)
{
	struct sl_err err;
	size_t n;

	if (V->msg_list(st, folder, pool, msgs, &n, &err) < 0) {
		diag("msg_list %s: %s", folder, err.text);
		return -1;
	}
	return (long)n;
}

static long file_size(const char *path)
{
	struct stat sb;

	return stat(path, &sb) < 0 ? -1 : (long)sb.st_size;
}

static int count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0;

	if (d == NULL)
		return -1;
	while ((de = readdir(d)) != NULL)
		n += strcmp(de->d_name, ".") != 0 &&
		     strcmp(de->d_name, "..") != 0;
	closedir(d);
	return n;
}

/* big_message - about 1 MiB of lines that test the quoting, with binary */
static void big_message(struct buf *b)
{
	static const char *const lines[] = {
	    "From someone at the start of a line\n",
	    ">From quoted once\n",
	    ">>From quoted twice\n",
	    ">>>>>>>>>>>>>>>>>>>>From deep\n",
	    "From\n",
	    "Fromage\n",
	    ">\n",
	    "\n",
	    "\r\n",
	    "a plain line of text, long enough to "
	    "make the message grow at a good pace\n",
	    " From indented\n",
	};
	uint32_t x = 12345;

	buf_reset(b);
	buf_append_str(b, "Subject: big\nFrom: a@b\n\n");
	while (b->len < 1024 * 1024) {
		x = x * 1103515245u + 12345u;
		if ((x >> 16) % 13 == 12) {
			char bin[3] = {0, (char)0xff, (char)(x >> 24)};

			buf_append(b, bin, sizeof(bin));
		} else {
			buf_append_str(b, lines[(x >> 16) % 13 % 11]);
		}
	}
	buf_truncate(b, 1024 * 1024 - 1);
	buf_append_char(b, '\n');
}

static void test_open(void)
{
	struct sl_err err;
	struct store *st;
	struct stat sb;

	st = open_store("open/mail", NULL, 0, &err);
	ok(st != NULL, "open without create");
	ok(stat(path_of("open/mail/inbox"), &sb) < 0,
	   "open without create makes no INBOX");
	store_close(&st);
	st = open_store("open/mail", NULL, 1, &err);
	ok(st != NULL, "open with create: %s", err.text);
	ok(stat(path_of("open/mail/inbox"), &sb) == 0 && S_ISREG(sb.st_mode) &&
	       (sb.st_mode & 07777) == 0600,
	   "INBOX file made 0600 under root");
	ok(stat(path_of("open/mail"), &sb) == 0 && (sb.st_mode & 07777) == 0700,
	   "its directory made 0700");
	store_close(&st);

	st = open_store("open/home/mail", "open/spool/user", 1, &err);
	ok(st == NULL && err.cls == ERR_TEMP,
	   "INBOX outside root: its missing directory is not made (%s)",
	   err.text);
	ok(stat(path_of("open/spool"), &sb) < 0, "no spool directory made");
	(void)mkdir(path_of("open/spool"), 0700);
	st = open_store("open/home/mail", "open/spool/user", 1, &err);
	ok(st != NULL && stat(path_of("open/spool/user"), &sb) == 0,
	   "INBOX in an existing spool directory is made");
	is_str(save_str(st, "INBOX", "Subject: s\n\nx\n"), "0",
	       "first message's id is 0");
	ok(file_size(path_of("open/spool/user")) > 0,
	   "INBOX save goes to the inbox path");
	store_close(&st);
}

struct rt_case {
	const char *name;
	const char *data;
	size_t len;
	const char *want; /* NULL: data */
};

static void roundtrip_one(struct store *st, const struct rt_case *c,
			  size_t chunk)
{
	struct store_msg_info *msgs;
	struct buf id = BUF_INIT, got = BUF_INIT;
	const char *want = c->want != NULL ? c->want : c->data;
	size_t want_len = c->want != NULL ? strlen(c->want) : c->len;
	struct sl_err err;
	long n, i;
	int found = 0;

	if (save_full(st, "INBOX", "a@b", T_WHEN, 0, c->data, c->len, chunk,
		      &id, &err) < 0) {
		ok(0, "%s (chunk %zu): save: %s", c->name, chunk, err.text);
		return;
	}
	n = list(st, "INBOX", &msgs);
	for (i = 0; i < n; i++) {
		if (strcmp(msgs[i].id, id.data) == 0) {
			found = 1;
			is_int(msgs[i].size, want_len,
			       "%s (chunk %zu): listed "
			       "size is the unquoted size",
			       c->name, chunk);
			is_int(msgs[i].received, T_WHEN,
			       "%s: received from "
			       "the From_ line",
			       c->name);
		}
	}
	ok(found, "%s (chunk %zu): listed under its id %s", c->name, chunk,
	   id.data);
	if (read_msg(st, "INBOX", id.data, 4096, &got, &err) < 0)
		diag("read: %s", err.text);
	is_mem(got.data, got.len, want, want_len,
	       "%s (chunk %zu): read back "
	       "byte for byte",
	       c->name, chunk);
	if (read_msg(st, "INBOX", id.data, 1, &got, &err) < 0)
		diag("read: %s", err.text);
	is_mem(got.data, got.len, want, want_len,
	       "%s: read back one byte "
	       "at a time",
	       c->name);
	buf_free(&id);
	buf_free(&got);
}

static void test_roundtrip(void)
{
	static const char from_lines[] =
	    "From: a@b\nSubject: from lines\n\nFrom here\n>From there\n"
	    ">>From everywhere\nFrom\n>From\n>>>Fromage\n>>>From the end\n";
	struct buf big = BUF_INIT;
	struct rt_case cases[] = {
	    {"plain", "Subject: plain\n\nhello\n", 0, NULL},
	    {"From lines", from_lines, 0, NULL},
	    {"From at the very start", "From me\n>From you\n", 0, NULL},
	    {"no final newline", "Subject: n\n\nno newline", 0,
	     "Subject: n\n\nno newline\n"},
	    {"CRLF", "Subject: c\r\n\r\nFrom x\r\n>From y\r\nend\r\n", 0, NULL},
	    {"CRLF without final line end", "Subject: c\r\n\r\nend", 0,
	     "Subject: c\r\n\r\nend\r\n"},
	    {"empty", "", 0, NULL},
	    {"one newline", "\n", 0, NULL},
	    {"ends with an empty line", "Subject: e\n\nbody\n\n", 0, NULL},
	    {"1 MiB", NULL, 0, NULL},
	};
	size_t i, n = sizeof(cases) / sizeof(cases[0]);
	struct store_msg_info *msgs;
	struct sl_err err;
	struct store *st = open_store("rt", NULL, 1, &err);

	big_message(&big);
	cases[n - 1].data = big.data;
	cases[n - 1].len = big.len;
	for (i = 0; i < n - 1; i++)
		cases[i].len = strlen(cases[i].data);
	for (i = 0; i < n; i++)
		roundtrip_one(st, &cases[i], 0);
	for (i = 0; i < n; i++)
		roundtrip_one(st, &cases[i], 3);
	is_int(list(st, "INBOX", &msgs), 2 * n, "every message listed once");
	store_close(&st);
	buf_free(&big);
}

static void test_format(void)
{
	static const char want[] =
	    "From a@b Thu Nov 19 14:03:01 2026\n"
	    "Subject: hi\n\n>From me\n>>From you\nFromage\n\n"
	    "From MAILER-DAEMON Mon Jan  5 09:07:03 2026\n"
	    "Subject: bounce\n\nno newline\n\n"
	    "From odd_sender@x Thu Nov 19 14:03:01 2026\n\n"
	    "From c@d Thu Nov 19 14:03:01 2026\r\n"
	    "Subject: crlf\r\n\r\n>From x\r\nend\r\n\r\n";
	static const char *const msgs[][2] = {
	    {"a@b", "Subject: hi\n\nFrom me\n>From you\nFromage\n"},
	    {"", "Subject: bounce\n\nno newline"},
	    {"odd sender@x", ""},
	    {"c@d", "Subject: crlf\r\n\r\nFrom x\r\nend\r\n"},
	};
	struct buf file = BUF_INIT, id = BUF_INIT;
	struct sl_err err;
	struct store *st = open_store("fmt", NULL, 1, &err);
	size_t i;

	for (i = 0; i < 4; i++) {
		if (save_full(st, "INBOX", msgs[i][0],
			      i == 1 ? T_WHEN2 : T_WHEN, 0, msgs[i][1],
			      strlen(msgs[i][1]), 0, &id, &err) < 0)
			diag("save %zu: %s", i, err.text);
	}
	ok(slurp(path_of("fmt/inbox"), &file) == 0, "mbox file readable");
	is_mem(file.data, file.len, want, strlen(want),
	       "the file on disk is exactly the mboxrd format");
	if (file.len != strlen(want) || memcmp(file.data, want, file.len) != 0)
		diag("got:\n%s", buf_cstr(&file));
	is_str(id.data, "193", "id of the last message is its From_ offset");
	buf_free(&file);
	buf_free(&id);
	store_close(&st);
}

static void test_trickle(void)
{
	static const char *const msgs[] = {
	    "From start\n>>From a\n>From\n>>>>From  b\nFrFrom c\n>F\nFro",
	    "Subject: t\r\n\r\n>From x\r\nFrom y\r\n>>From\r\n",
	    ">>>>>>>>",
	};
	struct buf whole = BUF_INIT, trickled = BUF_INIT, got = BUF_INIT;
	struct buf id = BUF_INIT;
	struct sl_err err;
	struct store *a = open_store("trickle/a", NULL, 1, &err);
	struct store *b = open_store("trickle/b", NULL, 1, &err);
	size_t i;

	for (i = 0; i < 3; i++) {
		(void)save_full(a, "INBOX", "x@y", T_WHEN, 0, msgs[i],
				strlen(msgs[i]), 0, NULL, &err);
		if (save_full(b, "INBOX", "x@y", T_WHEN, 0, msgs[i],
			      strlen(msgs[i]), 1, &id, &err) < 0)
			diag("save: %s", err.text);
		(void)read_msg(b, "INBOX", id.data, 2, &got, &err);
		if (i == 1)
			is_mem(got.data, got.len, msgs[i], strlen(msgs[i]),
			       "fed one byte at a time: read back exact");
	}
	(void)slurp(path_of("trickle/a/inbox"), &whole);
	(void)slurp(path_of("trickle/b/inbox"), &trickled);
	is_mem(trickled.data, trickled.len, whole.data, whole.len,
	       "fed one byte at a time: same file as fed whole");
	ok(strstr(whole.data, "\n>From start\n>>>From a\n>From\n"
			      ">>>>>From  b\nFrFrom c\n>F\nFro\n\n") != NULL,
	   "quoting across every chunk boundary");
	store_close(&a);
	store_close(&b);
	buf_free(&whole);
	buf_free(&trickled);
	buf_free(&got);
	buf_free(&id);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* hold_lock - a child holding a classic fcntl write lock (or an
 * exclusive flock) on path */
static pid_t hold_lock(const char *path, int use_flock)
{
	int fds[2];
	char c;
	pid_t pid;

	if (pipe(fds) < 0)
		abort();
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		struct flock fl;
		int fd = open(path, O_RDWR);

		memset(&fl, 0, sizeof(fl));
		fl.l_type = F_WRLCK;
		fl.l_whence = SEEK_SET;
		if (fd < 0 || (use_flock ? flock(fd, LOCK_EX | LOCK_NB)
					 : fcntl(fd, F_SETLK, &fl)) < 0)
			_exit(1);
		if (write(fds[1], "r", 1) != 1)
			_exit(1);
		for (;;)
			pause();
	}
	(void)close(fds[1]);
	if (read(fds[0], &c, 1) != 1)
		diag("lock holder did not start");
	(void)close(fds[0]);
	return pid;
}

static void stop_child(pid_t pid)
{
	int status;

	(void)kill(pid, SIGTERM);
	(void)waitpid(pid, &status, 0);
}

static void test_lock_timeout(void)
{
	struct sl_err err;
	struct store *st = open_store("lock", NULL, 1, &err);
	const char *inbox = path_of("lock/inbox");
	struct buf before = BUF_INIT, after = BUF_INIT;
	struct store_msg_info *msgs;
	struct timeval tv[2];
	double t0;
	size_t n;
	pid_t pid;
	int r;

	(void)save_str(st, "INBOX", "Subject: first\n\nx\n");
	(void)slurp(inbox, &before);
	pid = hold_lock(inbox, 0);
	t0 = now_s();
	r = save_full(st, "INBOX", "a@b", T_WHEN, 0, "S: x\n\n", 6, 0, NULL,
		      &err);
	ok(r < 0 && err.cls == ERR_TEMP && strstr(err.text, "lock timeout"),
	   "fcntl lock held by another process: ERR_TEMP lock timeout (%s)",
	   err.text);
	ok(now_s() - t0 >= 0.9 && now_s() - t0 < 10,
	   "waited about mbox_lock_timeout (%.2fs)", now_s() - t0);
	stop_child(pid);
	(void)slurp(inbox, &after);
	is_mem(after.data, after.len, before.data, before.len,
	       "nothing written while locked out");
	ok(save_full(st, "INBOX", "a@b", T_WHEN, 0, "S: x\n\n", 6, 0, NULL,
		     &err) == 0,
	   "saves again once the holder is gone");

	spit(path_of("lock/inbox.lock"), "1\n", 2);
	r = save_full(st, "INBOX", "a@b", T_WHEN, 0, "S: y\n\n", 6, 0, NULL,
		      &err);
	ok(r < 0 && err.cls == ERR_TEMP && strstr(err.text, "lock timeout"),
	   "fresh dotlock: ERR_TEMP lock timeout (%s)", err.text);
	ok(file_size(path_of("lock/inbox.lock")) == 2,
	   "a fresh dotlock is left alone");
	ok(V->msg_list(st, "INBOX", pool, &msgs, &n, &err) < 0 &&
	       err.cls == ERR_TEMP,
	   "listing waits for a held dotlock too");

	/* a dotlock from an hour ago is stale (mbox_dotlock_stale = 5m) */
	gettimeofday(&tv[0], NULL);
	tv[0].tv_sec -= 3600;
	tv[1] = tv[0];
	(void)utimes(path_of("lock/inbox.lock"), tv);
	ok(save_full(st, "INBOX", "a@b", T_WHEN, 0, "S: z\n\n", 6, 0, NULL,
		     &err) == 0,
	   "stale dotlock removed, message saved (%s)", err.text);
	ok(access(path_of("lock/inbox.lock"), F_OK) < 0,
	   "no dotlock left behind");
	is_int(count_entries(path_of("lock")), 1, "no temporary files left");
	store_close(&st);
	buf_free(&before);
	buf_free(&after);
}

static void test_lock_methods(void)
{
	struct sl_err err;
	struct store *st;
	pid_t pid;
	int r;

	set_cfg("mbox_lock", "flock");
	st = open_store("methods", NULL, 1, &err);
	pid = hold_lock(path_of("methods/inbox"), 1);
	r = save_full(st, "INBOX", "a@b", T_WHEN, 0, "S: x\n\n", 6, 0, NULL,
		      &err);
	ok(r < 0 && err.cls == ERR_TEMP && strstr(err.text, "flock"),
	   "mbox_lock = flock: a held flock times out (%s)", err.text);
	stop_child(pid);
	ok(save_full(st, "INBOX", "a@b", T_WHEN, 0, "S: x\n\n", 6, 0, NULL,
		     &err) == 0,
	   "and saves once it is gone");
	store_close(&st);
	set_cfg("mbox_lock", "dotlock");
	st = open_store("methods", NULL, 1, &err);
	pid = hold_lock(path_of("methods/inbox"), 0);
	ok(save_full(st, "INBOX", "a@b", T_WHEN, 0, "S: x\n\n", 6, 0, NULL,
		     &err) == 0,
	   "mbox_lock = dotlock ignores fcntl locks");
	stop_child(pid);
	store_close(&st);
	set_cfg("mbox_lock", "fcntl, lockf");
	st = open_store("methods", NULL, 1, &err);
	ok(st == NULL && err.cls == ERR_USAGE, "unknown lock method: %s",
	   err.text);
	set_cfg("mbox_lock", " , ");
	st = open_store("methods", NULL, 1, &err);
	ok(st == NULL && err.cls == ERR_USAGE, "empty lock list refused: %s",
	   err.text);
	set_cfg("mbox_lock", "fcntl, dotlock");
}

/* save_limited - in a child with a file size limit: 0 if the save failed
 * with ERR_TEMP */
static int save_limited(struct store *st, rlim_t limit, const char *data,
			size_t len, size_t chunk)
{
	pid_t pid;
	int status;

	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		struct rlimit rl = {limit, limit};
		struct sl_err err;

		(void)signal(SIGXFSZ, SIG_IGN);
		if (setrlimit(RLIMIT_FSIZE, &rl) < 0)
			_exit(2);
		if (save_full(st, "INBOX", "a@b", T_WHEN, 0, data, len, chunk,
			      NULL, &err) == 0)
			_exit(3);
		_exit(err.cls == ERR_TEMP ? 0 : 4);
	}
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

static void test_truncate(void)
{
	struct sl_err err;
	struct store *st = open_store("trunc", NULL, 1, &err);
	const char *inbox = path_of("trunc/inbox");
	struct buf before = BUF_INIT, after = BUF_INIT, big = BUF_INIT;
	struct store_msg_info *msgs;
	struct store_save_info info;
	struct store_save *save;
	long size;

	(void)save_str(st, "INBOX", "Subject: one\n\nfirst\n");
	(void)save_str(st, "INBOX", "Subject: two\n\nsecond\n");
	(void)slurp(inbox, &before);
	size = file_size(inbox);
	big_message(&big);
	is_int(save_limited(st, (rlim_t)size + 1000, big.data, big.len, 4096),
	       0, "write error in the middle (file size limit): ERR_TEMP");
	(void)slurp(inbox, &after);
	is_mem(after.data, after.len, before.data, before.len,
	       "truncated back to the original size and bytes");
	is_int(save_limited(st, (rlim_t)size + 100,
			    "Subject: small\n\n"
			    "0123456789012345678901234567890123456789"
			    "0123456789012345678901234567890123456789\n",
			    97, 0),
	       0, "write error at commit: ERR_TEMP");
	is_int(file_size(inbox), size, "truncated back after a commit failure");
	is_int(list(st, "INBOX", &msgs), 2, "the earlier messages remain");
	ok(save_str(st, "INBOX", "Subject: three\n\nthird\n")[0] != '\0',
	   "the next save works");

	/* abort after a flush leaves nothing */
	size = file_size(inbox);
	memset(&info, 0, sizeof(info));
	info.sender = "a@b";
	if (V->save_begin(st, "INBOX", &info, &save, &err) == 0) {
		(void)V->save_write(save, big.data, 300000, &err);
		V->save_abort(&save);
	}
	is_int(file_size(inbox), size,
	       "save_abort after 300 kB truncates back");
	ok(access(path_of("trunc/inbox.lock"), F_OK) < 0,
	   "and releases the dotlock");
	store_close(&st);
	buf_free(&before);
	buf_free(&after);
	buf_free(&big);
}

/* segment - bytes [from, to) of the file */
static void segment(const struct buf *file, const char *from_id,
		    const char *to_id, struct buf *out)
{
	size_t a = strtoul(from_id, NULL, 10);
	size_t b = to_id != NULL ? strtoul(to_id, NULL, 10) : file->len;

	buf_reset(out);
	buf_append(out, file->data + a, b - a);
}

static void expect_msg(struct store *st, const char *id, const char *want,
		       const char *name)
{
	struct buf got = BUF_INIT;
	struct sl_err err;

	if (read_msg(st, "INBOX", id, 4096, &got, &err) < 0)
		diag("read %s: %s", id, err.text);
	is_mem(got.data, got.len, want, strlen(want), "%s", name);
	if (got.len != strlen(want) || memcmp(got.data, want, got.len) != 0)
		diag("got: %s", buf_cstr(&got));
	buf_free(&got);
}

static void test_flags(void)
{
	static const char m1[] = "Subject: one\n\nbody one\nFrom inside\n";
	static const char m2[] = "Subject: two\nStatus: O\nX-Status: A\n"
				 "X-Other: y\n\nbody two\n";
	static const char m3[] = "Subject: three\r\n\r\nbody three\r\n";
	static const char m4[] = "Subject: d\nStatus: R\nX-Status: F\n"
				 "Status: O\n  continued\n\nbody\n";
	struct sl_err err;
	struct store *st = open_store("flags", NULL, 1, &err);
	const char *inbox = path_of("flags/inbox");
	struct buf before = BUF_INIT, after = BUF_INIT, s1 = BUF_INIT,
		   s2 = BUF_INIT;
	struct store_msg_info *msgs;
	const char *id1, *id2, *id3, *id4;
	struct stat sa, sb;
	char fl[8];

	id1 = save_str(st, "INBOX", m1);
	id2 = save_str(st, "INBOX", m2);
	id3 = save_str(st, "INBOX", m3);
	id4 = save_str(st, "INBOX", m4);
	(void)chmod(inbox, 0640);
	if (list(st, "INBOX", &msgs) == 4) {
		is_int(msgs[0].flags, 0, "no Status header: no flags");
		is_int(msgs[1].flags, STORE_FLAG_ANSWERED,
		       "X-Status A: answered");
		is_int(msgs[3].flags, STORE_FLAG_FLAGGED,
		       "the last Status/X-Status lines count");
	}
	(void)slurp(inbox, &before);
	ok(V->msg_set_flags(st, "INBOX", id2,
			    STORE_FLAG_SEEN | STORE_FLAG_FLAGGED, &err) == 0,
	   "set_flags: %s", err.text);
	(void)slurp(inbox, &after);
	ok(after.len == before.len + 1 &&
	       memcmp(after.data, before.data, strtoul(id2, NULL, 10)) == 0,
	   "bytes before the changed message unchanged");
	segment(&before, id3, NULL, &s1);
	ok(after.len >= s1.len &&
	       memcmp(after.data + after.len - s1.len, s1.data, s1.len) == 0,
	   "bytes after the changed message unchanged");
	expect_msg(st, id2,
		   "Subject: two\nStatus: RO\nX-Status: F\n"
		   "X-Other: y\n\nbody two\n",
		   "Status/X-Status updated in place");
	expect_msg(st, id1, m1, "message before read back exactly");
	if (list(st, "INBOX", &msgs) == 4) {
		is_int(msgs[1].flags, STORE_FLAG_SEEN | STORE_FLAG_FLAGGED,
		       "listed flags %s",
		       store_flags_to_string(msgs[1].flags, fl));
		expect_msg(st, msgs[2].id, m3,
			   "message after (id moved) "
			   "read back exactly");
		id3 = msgs[2].id;
		id4 = msgs[3].id;
	}
	ok(stat(inbox, &sb) == 0 && (sb.st_mode & 07777) == 0640,
	   "file mode kept over the rewrite");

	ok(V->msg_set_flags(st, "INBOX", id3, STORE_FLAG_SEEN, &err) == 0,
	   "set_flags on a CRLF message");
	expect_msg(st, id3,
		   "Subject: three\r\nStatus: RO\r\n\r\nbody three\r\n",
		   "Status added with the message's CRLF");
	ok(V->msg_set_flags(st, "INBOX", id1,
			    STORE_FLAG_DELETED | STORE_FLAG_DRAFT, &err) == 0,
	   "set_flags first");
	expect_msg(st, id1,
		   "Subject: one\nStatus: O\nX-Status: TD\n\nbody one\n"
		   "From inside\n",
		   "headers added at the header's end");
	(void)list(st, "INBOX", &msgs);
	id4 = msgs[3].id;
	ok(V->msg_set_flags(st, "INBOX", id4, STORE_FLAG_SEEN, &err) == 0,
	   "set_flags on a message with duplicate headers");
	expect_msg(
	    st, id4, "Subject: d\nStatus: RO\n\nbody\n",
	    "last Status replaced, duplicates and empty X-Status dropped");

	(void)stat(inbox, &sa);
	(void)slurp(inbox, &before);
	ok(V->msg_set_flags(st, "INBOX", id4, STORE_FLAG_SEEN, &err) == 0,
	   "set_flags with the same flags");
	(void)stat(inbox, &sb);
	(void)slurp(inbox, &after);
	ok(sa.st_ino == sb.st_ino && after.len == before.len,
	   "same flags: no rewrite");
	ok(V->msg_set_flags(st, "INBOX", "5", STORE_FLAG_SEEN, &err) < 0 &&
	       err.cls == ERR_NOTFOUND,
	   "id not at a From_ line: ERR_NOTFOUND");
	ok(V->msg_set_flags(st, "INBOX", "x1", STORE_FLAG_SEEN, &err) < 0 &&
	       err.cls == ERR_NOTFOUND,
	   "malformed id: ERR_NOTFOUND");
	ok(V->msg_set_flags(st, "INBOX", "99999", STORE_FLAG_SEEN, &err) < 0 &&
	       err.cls == ERR_NOTFOUND,
	   "id past the end: ERR_NOTFOUND");
	is_int(count_entries(path_of("flags")), 1, "no temporary files left");
	store_close(&st);
	buf_free(&before);
	buf_free(&after);
	buf_free(&s1);
	buf_free(&s2);
}

static void test_expunge(void)
{
	struct sl_err err;
	struct store *st = open_store("exp", NULL, 1, &err);
	const char *inbox = path_of("exp/inbox");
	struct buf before = BUF_INIT, after = BUF_INIT, want = BUF_INIT,
		   seg = BUF_INIT;
	struct store_msg_info *msgs;
	const char *id[4];
	const char *bad[2];
	const char *del[3];

	id[0] = save_str(st, "INBOX", "Subject: 0\n\nFrom zero\n");
	id[1] = save_str(st, "INBOX", "Subject: 1\n\none");
	id[2] = save_str(st, "INBOX", "Subject: 2\r\n\r\n>From two\r\n");
	id[3] = save_str(st, "INBOX", "Subject: 3\n\nthree\n");
	(void)slurp(inbox, &before);
	bad[0] = id[1];
	bad[1] = "7";
	ok(V->expunge(st, "INBOX", bad, 2, &err) < 0 && err.cls == ERR_NOTFOUND,
	   "expunge with an unknown id: ERR_NOTFOUND");
	(void)slurp(inbox, &after);
	is_mem(after.data, after.len, before.data, before.len,
	       "and nothing removed");
	del[0] = id[3];
	del[1] = id[1];
	del[2] = id[3];
	err_clear(&err);
	ok(V->expunge(st, "INBOX", del, 3, &err) == 0, "expunge two %s",
	   err.text);
	segment(&before, id[0], id[1], &want);
	segment(&before, id[2], id[3], &seg);
	buf_append(&want, seg.data, seg.len);
	(void)slurp(inbox, &after);
	is_mem(after.data, after.len, want.data, want.len,
	       "the others kept byte for byte");
	if (list(st, "INBOX", &msgs) == 2) {
		expect_msg(st, msgs[0].id, "Subject: 0\n\nFrom zero\n",
			   "first remaining message reads back");
		expect_msg(st, msgs[1].id, "Subject: 2\r\n\r\n>From two\r\n",
			   "second remaining message reads back");
		del[0] = msgs[0].id;
		del[1] = msgs[1].id;
		ok(V->expunge(st, "INBOX", del, 2, &err) == 0, "expunge all");
		is_int(file_size(inbox), 0, "empty mbox left");
	} else {
		ok(0, "two messages left");
	}
	is_int(count_entries(path_of("exp")), 1, "no temporary files left");
	store_close(&st);
	buf_free(&before);
	buf_free(&after);
	buf_free(&want);
	buf_free(&seg);
}

static void test_folders(void)
{
	struct sl_err err;
	struct store *st = open_store("fold/mail", NULL, 1, &err);
	const char **names;
	size_t n, i;
	struct stat sb;
	struct buf got = BUF_INIT;
	const char *id;
	int saw_debian = 0, saw_archive = 0, saw_junk = 0;

	is_int(V->folder_exists(st, "Lists/Debian", &err), 0,
	       "folder does not exist yet");
	ok(V->folder_create(st, "Lists/Debian", &err) == 0, "folder_create: %s",
	   err.text);
	ok(stat(path_of("fold/mail/Lists"), &sb) == 0 && S_ISDIR(sb.st_mode) &&
	       (sb.st_mode & 07777) == 0700,
	   "intermediate directory made 0700");
	ok(stat(path_of("fold/mail/Lists/Debian"), &sb) == 0 &&
	       S_ISREG(sb.st_mode) && (sb.st_mode & 07777) == 0600 &&
	       sb.st_size == 0,
	   "folder is an empty 0600 file");
	is_int(V->folder_exists(st, "Lists/Debian", &err), 1, "it exists");
	is_int(V->folder_exists(st, "Lists.Debian", &err), 1,
	       "'.' names the same folder");
	is_int(V->folder_exists(st, "Lists", &err), 0,
	       "a directory of folders is not a folder");
	ok(V->folder_create(st, "Lists.Debian", &err) < 0 &&
	       err.cls == ERR_EXISTS,
	   "creating it again: ERR_EXISTS");
	ok(V->folder_create(st, "Lists", &err) < 0 && err.cls == ERR_PERM,
	   "a folder over a directory: ERR_PERM");
	ok(V->folder_create(st, "../escape", &err) < 0 && err.cls == ERR_PERM,
	   "'..' refused");
	ok(V->folder_exists(st, "a//b", &err) < 0 && err.cls == ERR_PERM,
	   "empty component refused");
	ok(access(path_of("fold/escape"), F_OK) < 0, "nothing made outside");
	is_int(V->folder_exists(st, "inbox", &err), 1, "INBOX in any case");
	ok(V->folder_create(st, "Archive", &err) == 0, "folder_create Archive");
	spit(path_of("fold/mail/Archive.lock"), "", 0);
	spit(path_of("fold/mail/.Archive.rw.host.1.0"), "", 0);

	id = save_str(st, "Lists/Debian", "Subject: deb\n\nFrom debian\n");
	ok(read_msg(st, "Lists.Debian", id, 100, &got, &err) == 0 &&
	       got.len == 26,
	   "save into a folder and read it back");
	ok(save_full(st, "Nope", "a@b", T_WHEN, 0, "x\n", 2, 0, NULL, &err) <
		   0 &&
	       err.cls == ERR_NOTFOUND,
	   "save to a missing folder: ERR_NOTFOUND");
	ok(access(path_of("fold/mail/Nope"), F_OK) < 0,
	   "and the folder is not made");

	if (V->folder_list(st, pool, &names, &n, &err) < 0) {
		ok(0, "folder_list: %s", err.text);
		n = 0;
	}
	ok(n > 0 && strcmp(names[0], "INBOX") == 0, "INBOX listed first");
	for (i = 1; i < n; i++) {
		saw_debian += strcmp(names[i], "Lists/Debian") == 0;
		saw_archive += strcmp(names[i], "Archive") == 0;
		saw_junk += strchr(names[i], '.') != NULL ||
			    strcasecmp(names[i], "inbox") == 0 ||
			    strcmp(names[i], "Lists") == 0;
	}
	ok(n == 3 && saw_debian == 1 && saw_archive == 1 && saw_junk == 0,
	   "folder_list: INBOX, Archive, Lists/Debian (no lock or temp files)");
	store_close(&st);

	st = open_store("fold2/mail", "fold2/mail/Spool", 1, &err);
	ok(st != NULL && V->folder_list(st, pool, &names, &n, &err) == 0 &&
	       n == 1 && strcmp(names[0], "INBOX") == 0,
	   "an INBOX file under the root is not listed as a folder");
	store_close(&st);
	buf_free(&got);
}

static void test_foreign(void)
{
	static const char file[] =
	    "leading junk\n"
	    "From a@b Thu Nov 19 14:03:01 2026\nSubject: 1\nStatus: RO\n\n"
	    "x\nFrom b@c Mon Jan  5 09:07:03 2026 +0000\nSubject: 2";
	struct sl_err err;
	struct store *st = open_store("foreign", NULL, 1, &err);
	struct store_msg_info *msgs;
	struct store_reader *r;
	struct buf all = BUF_INIT;
	const char *id;

	spit(path_of("foreign/inbox"), file, strlen(file));
	if (list(st, "INBOX", &msgs) == 2) {
		is_str(msgs[0].id, "13", "id is the From_ line offset");
		is_int(msgs[0].flags, STORE_FLAG_SEEN, "Status RO: seen");
		is_int(msgs[1].received, T_WHEN2, "date with a zone parsed");
		expect_msg(st, "13", "Subject: 1\nStatus: RO\n\nx\n",
			   "message without separator line read whole");
		expect_msg(st, msgs[1].id, "Subject: 2",
			   "last message without a line end");
		ok(V->msg_set_flags(st, "INBOX", msgs[1].id, STORE_FLAG_FLAGGED,
				    &err) == 0,
		   "set_flags on it");
		expect_msg(st, msgs[1].id,
			   "Subject: 2\nStatus: O\n"
			   "X-Status: F\n",
			   "line end added before the flags");
	} else {
		ok(0, "two messages in a foreign mbox");
	}
	ok(V->msg_open(st, "INBOX", "0", &r, &err) < 0 &&
	       err.cls == ERR_NOTFOUND,
	   "junk before the first From_ is no message");
	spit(path_of("foreign/inbox"), "From a b\n\nno end", 16);
	id = save_str(st, "INBOX", "Subject: after\n\n");
	is_str(id, "17",
	       "append after a message without line end: From_ "
	       "on a new line");
	(void)slurp(path_of("foreign/inbox"), &all);
	is_int(list(st, "INBOX", &msgs), 2, "both messages listed");
	store_close(&st);
	buf_free(&all);
}

static void test_save_flags(void)
{
	struct sl_err err;
	struct store *st = open_store("sflags", NULL, 1, &err);
	struct store_msg_info *msgs;
	struct buf id = BUF_INIT;

	ok(save_full(st, "INBOX", "a@b", T_WHEN,
		     STORE_FLAG_SEEN | STORE_FLAG_ANSWERED,
		     "Subject: f\r\n\r\nbody\r\n", 20, 1, &id, &err) == 0,
	   "save with flags");
	expect_msg(st, id.data,
		   "Subject: f\r\nStatus: R\r\nX-Status: A\r\n"
		   "\r\nbody\r\n",
		   "flags added as headers at the header end");
	ok(save_full(st, "INBOX", "a@b", T_WHEN, STORE_FLAG_FLAGGED,
		     "Subject: only header", 20, 0, &id, &err) == 0,
	   "save header-only message with flags");
	expect_msg(st, id.data, "Subject: only header\nX-Status: F\n",
		   "flags after the header that has no end");
	if (list(st, "INBOX", &msgs) == 2) {
		is_int(msgs[0].flags, STORE_FLAG_SEEN | STORE_FLAG_ANSWERED,
		       "listed with its flags");
		is_int(msgs[1].flags, STORE_FLAG_FLAGGED, "listed with F");
	}
	{
		static const char *const kw[] = { "$Junk", "NonJunk" };
		static const char m[] = "Subject: k\n\nbody\n";
		struct store_save_info info;
		struct store_save *save;

		memset(&info, 0, sizeof(info));
		info.sender = "a@b";
		info.received = T_WHEN;
		info.keywords = kw;
		info.n_keywords = 2;
		ok(V->save_begin(st, "INBOX", &info, &save, &err) == 0 &&
		   V->save_write(save, m, sizeof(m) - 1, &err) == 0 &&
		   V->save_commit(&save, &id, &err) == 0, "save with keywords");
		expect_msg(st, id.data,
			   "Subject: k\nX-Keywords: $Junk NonJunk\n\nbody\n",
			   "keywords as X-Keywords at the header end");
	}
	store_close(&st);
	buf_free(&id);
}

/* writer_child - save count messages, each one tagged with who/i */
static void writer_child(struct store *st, int who, int count)
{
	char msg[256];
	struct sl_err err;
	int i, n;

	for (i = 0; i < count; i++) {
		n = snprintf(msg, sizeof(msg),
			     "Subject: c%d-%d\n\nFrom line\n"
			     ">From quoted\nbody %d %d\n",
			     who, i, who, i);
		if (save_full(st, "INBOX", "a@b", T_WHEN, 0, msg, (size_t)n, 7,
			      NULL, &err) < 0)
			_exit(1);
	}
	_exit(0);
}

/* flagger_child - rewrite the mbox repeatedly while the writers work */
static void flagger_child(struct store *st, int count)
{
	struct sl_err err;
	int i;

	for (i = 0; i < count; i++) {
		if (V->msg_set_flags(
			st, "INBOX", "0",
			i % 2 ? STORE_FLAG_SEEN : STORE_FLAG_FLAGGED, &err) < 0)
			_exit(1);
		usleep(2000);
	}
	_exit(0);
}

static void test_concurrency(void)
{
	enum { WRITERS = 4, EACH = 25 };
	struct sl_err err;
	struct store *st;
	struct store_msg_info *msgs;
	struct buf got = BUF_INIT, want = BUF_INIT;
	pid_t pids[WRITERS + 1];
	int i, status, failed = 0, bad = 0;
	char seen[WRITERS][EACH];
	long n, k;

	set_cfg("mbox_lock_timeout", "30");
	st = open_store("conc", NULL, 1, &err);
	(void)save_str(st, "INBOX", "Subject: first\n\nflag me\n");
	fflush(stdout);
	for (i = 0; i <= WRITERS; i++) {
		pids[i] = fork();
		if (pids[i] == 0) {
			if (i == WRITERS)
				flagger_child(st, 40);
			writer_child(st, i, EACH);
		}
	}
	for (i = 0; i <= WRITERS; i++) {
		if (waitpid(pids[i], &status, 0) < 0 || !WIFEXITED(status) ||
		    WEXITSTATUS(status) != 0)
			failed++;
	}
	is_int(failed, 0, "4 writers and 1 rewriter at once all succeed");
	memset(seen, 0, sizeof(seen));
	n = list(st, "INBOX", &msgs);
	is_int(n, 1 + WRITERS * EACH, "every message is there");
	for (k = 1; k < n; k++) {
		int who = -1, idx = -1;

		if (read_msg(st, "INBOX", msgs[k].id, 4096, &got, &err) < 0 ||
		    sscanf(got.data, "Subject: c%d-%d", &who, &idx) != 2 ||
		    who < 0 || who >= WRITERS || idx < 0 || idx >= EACH) {
			bad++;
			continue;
		}
		buf_reset(&want);
		buf_printf(&want,
			   "Subject: c%d-%d\n\nFrom line\n>From quoted\n"
			   "body %d %d\n",
			   who, idx, who, idx);
		if (got.len != want.len ||
		    memcmp(got.data, want.data, got.len) != 0 || seen[who][idx])
			bad++;
		seen[who][idx] = 1;
	}
	is_int(bad, 0, "each message intact and present once");
	set_cfg("mbox_lock_timeout", "1");
	store_close(&st);
	buf_free(&got);
	buf_free(&want);
}

int main(void)
{
	const char *tmp = getenv("TMPDIR");

	if (snprintf(base_dir, sizeof(base_dir), "%s/test-mbox.XXXXXX",
		     tmp != NULL && *tmp != '\0' ? tmp : "/tmp") >=
		(int)sizeof(base_dir) ||
	    mkdtemp(base_dir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	cfg = config_new();
	pool = pool_new(0);
	set_cfg("mbox_lock_timeout", "1");
	umask(022);

	test_open();
	test_roundtrip();
	test_format();
	test_trickle();
	test_lock_timeout();
	test_lock_methods();
	test_truncate();
	test_flags();
	test_expunge();
	test_folders();
	test_foreign();
	test_save_flags();
	test_concurrency();

	pool_free(&pool);
	config_free(&cfg);
	rm_rf(base_dir);
	return done_testing();
}
