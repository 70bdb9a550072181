/* test-maildir.c - the Maildir/Maildir++ store through struct store_vfuncs */
#include "auto-config.h"
#include "t/tap.h"
#include "lib/config.h"
#include "lib/store.h"
#include "lib/xalloc.h"
#include "maildir/maildir.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <grp.h>
#include <signal.h>
#include <stdint.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static const struct store_vfuncs *V = &maildir_store_vfuncs;
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

/* path_of - base_dir/a followed by b (may be NULL), in a static buffer
 * (one use at a time) */
static const char *path_of(const char *a, const char *b)
{
	static char p[1024];

	if (snprintf(p, sizeof(p), "%s/%s%s", base_dir, a, b ? b : "") >=
	    (int)sizeof(p))
		abort();
	return p;
}

/* count_dir - entries of dir other than . and ..; -1 if it cannot be read */
static int count_dir(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0;

	if (d == NULL)
		return -1;
	while ((de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") != 0 &&
		    strcmp(de->d_name, "..") != 0)
			n++;
	closedir(d);
	return n;
}

/* only_entry - the one entry of dir (static), or NULL */
static const char *only_entry(const char *dir)
{
	static char name[512];
	DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0;

	if (d == NULL)
		return NULL;
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		(void)snprintf(name, sizeof(name), "%s", de->d_name);
		n++;
	}
	closedir(d);
	return n == 1 ? name : NULL;
}

static int is_dir_mode(const char *path, mode_t mode)
{
	struct stat sb;

	return stat(path, &sb) == 0 && S_ISDIR(sb.st_mode) &&
	       (sb.st_mode & 07777) == mode;
}

static struct store *open_store(const char *rel, int create, struct sl_err *err)
{
	struct store_location loc = {"maildir", NULL, NULL};
	struct store *st = NULL;
	char root[1024];

	(void)snprintf(root, sizeof(root), "%s/%s", base_dir, rel);
	loc.root = root;
	if (V->open(cfg, &loc, create, &st, err) < 0)
		return NULL;
	return st;
}

/* save - one message in chunks of chunk bytes (0: one write); the id
 * goes to id_r. size_hint (uint64_t)-1 means "the real size". */
static int save(struct store *st, const char *folder, const void *data,
		size_t len, size_t chunk, uint64_t size_hint, unsigned flags,
		struct buf *id_r, struct sl_err *err)
{
	struct store_save_info info = { .sender = "", .received = 0, .flags = flags, .size = 0 };
	struct store_save *sv;
	size_t off = 0;

	info.size = size_hint == (uint64_t)-1 ? len : size_hint;
	if (V->save_begin(st, folder, &info, &sv, err) < 0)
		return -1;
	while (off < len) {
		size_t n = chunk == 0 || len - off < chunk ? len - off : chunk;

		if (V->save_write(sv, (const char *)data + off, n, err) < 0) {
			V->save_abort(&sv);
			return -1;
		}
		off += n;
	}
	return V->save_commit(&sv, id_r, err);
}

/* read_back - the message through msg_open/reader_read, read in odd
 * sized pieces */
static int read_back(struct store *st, const char *folder, const char *id,
		     struct buf *out)
{
	struct store_reader *r;
	struct sl_err err;
	char piece[7777];
	ssize_t n;

	buf_reset(out);
	if (V->msg_open(st, folder, id, &r, &err) < 0) {
		diag("msg_open %s: %s", id, err.text);
		return -1;
	}
	while ((n = V->reader_read(r, piece, sizeof(piece), &err)) > 0)
		buf_append(out, piece, (size_t)n);
	V->reader_close(&r);
	return n < 0 ? -1 : 0;
}

/* name_ok - TIME.MusecPpidQn.HOST,S=size as the requirements say */
static int name_ok(const char *name, const char *host, uint64_t size)
{
	char want[600];
	unsigned long long t, q;
	unsigned us;
	long pid;
	int used = 0;

	if (sscanf(name, "%llu.M%6uP%ldQ%llu.%n", &t, &us, &pid, &q, &used) !=
		4 ||
	    used == 0 || pid != (long)getpid() || t < 1600000000ULL)
		return 0;
	if (size != 0)
		(void)snprintf(want, sizeof(want), "%s,S=%llu", host,
			       (unsigned long long)size);
	else
		(void)snprintf(want, sizeof(want), "%s", host);
	return strcmp(name + used, want) == 0;
}

static void test_open(void)
{
	struct sl_err err;
	struct store *st;
	mode_t mask = umask(022);

	st = open_store("nope/Maildir", 0, &err);
	ok(st == NULL && err.cls == ERR_NOTFOUND,
	   "open without create: "
	   "a missing Maildir is not found (%s)",
	   err.text);
	ok(count_dir(base_dir) == 0, "... and nothing was created");
	st = open_store("deep/er/Maildir", 1, &err);
	ok(st != NULL, "open with create makes the Maildir and its parents");
	ok(is_dir_mode(path_of("deep/er/Maildir/tmp", NULL), 0700) &&
	       is_dir_mode(path_of("deep/er/Maildir/new", NULL), 0700) &&
	       is_dir_mode(path_of("deep/er/Maildir/cur", NULL), 0700),
	   "tmp/ new/ cur/ are 0700");
	store_close(&st);
	umask(077);
	st = open_store("deep/er/Maildir", 0, &err);
	ok(st != NULL, "reopened without create");
	store_close(&st);
	umask(mask);
}

/* check_saved - byte-exact through the reader and on disk, in new/, a
 * well-formed name with the right ,S= */
static void check_saved(struct store *st, const char *what, const void *data,
			size_t len, const char *host)
{
	struct buf id = BUF_INIT, got = BUF_INIT;
	struct sl_err err;
	const char *name;
	struct stat sb;

	rm_rf(path_of("M/new", NULL));
	mkdir(path_of("M/new", NULL), 0700);
	ok(save(st, "INBOX", data, len, 65536, (uint64_t)-1, 0, &id, &err) == 0,
	   "%s: saved", what);
	name = only_entry(path_of("M/new", NULL));
	is_str(name, id.data, "%s: new/ holds the file named by the id", what);
	ok(name != NULL && name_ok(name, host, len) &&
	       strchr(name, ':') == NULL,
	   "%s: name %s is TIME.MusecPpidQn.host,S=%zu, no info", what,
	   name ? name : "-", len);
	ok(stat(path_of("M/new/", id.data), &sb) == 0 &&
	       (sb.st_mode & 0777) == 0600 && (uint64_t)sb.st_size == len,
	   "%s: file is 0600 and %zu bytes", what, len);
	ok(read_back(st, "INBOX", id.data, &got) == 0, "%s: read back", what);
	is_mem(buf_cstr(&got), got.len, data, len, "%s: byte for byte", what);
	is_int(count_dir(path_of("M/tmp", NULL)), 0, "%s: tmp/ empty", what);
	buf_free(&id);
	buf_free(&got);
}

static void test_save_read(struct store *st)
{
	static const char small[] = "Subject: hi\n\nbody\n";
	static const char crlf[] =
	    "From: a@b\r\nSubject: x\r\n\r\nline\r\n.\r\n";
	size_t big = 1024 * 1024, i;
	unsigned char *mib = xmalloc(big), bin[1024];
	char host[256];

	(void)gethostname(host, sizeof(host));
	host[sizeof(host) - 1] = '\0';
	for (i = 0; i < big; i++)
		mib[i] = (unsigned char)(i * 2654435761u >> 13);
	for (i = 0; i < sizeof(bin); i++)
		bin[i] = (unsigned char)(i % 7 == 0 ? 0 : i);
	check_saved(st, "small", small, strlen(small), host);
	check_saved(st, "empty", "", 0, host);
	check_saved(st, "1 MiB", mib, big, host);
	check_saved(st, "binary with NULs", bin, sizeof(bin), host);
	check_saved(st, "CRLF", crlf, strlen(crlf), host);
	free(mib);
}

/* test_chunks - many tiny writes, then a write bigger than any buffer,
 * come out in order */
static void test_chunks(struct store *st)
{
	struct buf msg = BUF_INIT, id = BUF_INIT, got = BUF_INIT;
	struct store_save_info info = { .sender = "", .received = 0, .flags = 0, .size = 0 };
	struct store_save *sv;
	struct sl_err err;
	size_t i;
	int bad = 0;

	for (i = 0; i < 300000; i++)
		buf_append_char(&msg, (char)('a' + i % 26 + (i % 1000 == 0)));
	info.size = msg.len;
	ok(V->save_begin(st, "INBOX", &info, &sv, &err) == 0, "chunks: begin");
	for (i = 0; i < 20000; i++)
		bad |= V->save_write(sv, msg.data + i, 1, &err);
	bad |= V->save_write(sv, msg.data + 20000, 5000, &err);
	bad |= V->save_write(sv, msg.data + 25000, msg.len - 25000, &err);
	ok(bad == 0 && V->save_commit(&sv, &id, &err) == 0,
	   "chunks: 1-byte, mid and big writes committed");
	ok(read_back(st, "INBOX", id.data, &got) == 0, "chunks: read back");
	is_mem(got.data, got.len, msg.data, msg.len, "chunks: in order");
	buf_free(&msg);
	buf_free(&id);
	buf_free(&got);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void test_unique(struct store *st)
{
	enum { N = 500 };
	char *ids[N];
	struct buf id = BUF_INIT;
	struct sl_err err;
	int i, fails = 0, dups = 0, before;

	before = count_dir(path_of("M/new", NULL));
	for (i = 0; i < N; i++) {
		fails += save(st, "INBOX", "x\n", 2, 0, (uint64_t)-1, 0, &id,
			      &err) < 0;
		ids[i] = xstrdup(buf_cstr(&id));
	}
	qsort(ids, N, sizeof(ids[0]), cmp_str);
	for (i = 1; i < N; i++)
		dups += strcmp(ids[i - 1], ids[i]) == 0;
	is_int(fails, 0, "%d quick saves succeed", N);
	is_int(dups, 0, "%d quick saves get %d different names", N, N);
	is_int(count_dir(path_of("M/new", NULL)) - before, N,
	       "... and %d files", N);
	for (i = 0; i < N; i++)
		free(ids[i]);
	buf_free(&id);
}

/* test_size_field - ,S= is what was written; no ,S= without a size */
static void test_size_field(struct store *st)
{
	struct buf id = BUF_INIT;
	struct sl_err err;
	int r;

	r = save(st, "INBOX", "12345", 5, 0, 4312, 0, &id, &err);
	ok(r == 0 && strstr(id.data, ",S=5") != NULL &&
	       strstr(id.data, "4312") == NULL,
	   "a wrong size hint: ,S= says the bytes written (%s)", buf_cstr(&id));
	r = save(st, "INBOX", "12345", 5, 0, 0, 0, &id, &err);
	ok(r == 0 && strstr(id.data, ",S=") == NULL,
	   "no size given: no ,S= (%s)", buf_cstr(&id));
	buf_free(&id);
}

static void test_hostname(void)
{
	struct buf id = BUF_INIT;
	struct sl_err err;
	struct store *st;

	ok(config_set(cfg, "hostname", "mx/1:a", "test", &err) == 0,
	   "hostname set in the config");
	st = open_store("H", 1, &err);
	ok(st != NULL && save(st, "INBOX", "x", 1, 0, 1, 0, &id, &err) == 0,
	   "saved with a configured hostname");
	ok(name_ok(id.data, "mx\\0571\\072a", 1),
	   "'/' and ':' in the hostname are \\057 and \\072 (%s)", id.data);
	store_close(&st);
	(void)config_set(cfg, "hostname", "", "test", &err);
	buf_free(&id);
}

static void test_abort(struct store *st)
{
	struct store_save_info info = { .sender = "", .received = 0, .flags = 0, .size = 3 };
	struct store_save *sv;
	struct sl_err err;
	int before = count_dir(path_of("M/new", NULL));

	ok(V->save_begin(st, "INBOX", &info, &sv, &err) == 0 &&
	       V->save_write(sv, "abc", 3, &err) == 0 &&
	       count_dir(path_of("M/tmp", NULL)) == 1,
	   "a save in progress has its file in tmp/");
	V->save_abort(&sv);
	ok(sv == NULL, "abort clears the handle");
	is_int(count_dir(path_of("M/tmp", NULL)), 0, "abort leaves tmp/ empty");
	is_int(count_dir(path_of("M/new", NULL)), before,
	       "abort puts nothing in new/");
}

/* test_write_error - a write that fails (file size limit: EFBIG, as
 * ENOSPC would) is a temporary failure and leaves nothing behind */
static void test_write_error(struct store *st)
{
	struct buf id = BUF_INIT;
	struct sl_err err;
	struct rlimit old, lim;
	char *big = xcalloc(1, 200000);
	int before = count_dir(path_of("M/new", NULL)), r;

	if (getrlimit(RLIMIT_FSIZE, &old) < 0) {
		ok(1, "# SKIP getrlimit");
		free(big);
		return;
	}
	signal(SIGXFSZ, SIG_IGN);
	lim = old;
	lim.rlim_cur = 100000;
	(void)setrlimit(RLIMIT_FSIZE, &lim);
	r = save(st, "INBOX", big, 200000, 65536, (uint64_t)-1, 0, &id, &err);
	(void)setrlimit(RLIMIT_FSIZE, &old);
	signal(SIGXFSZ, SIG_DFL);
	ok(r < 0 && err.cls == ERR_TEMP, "a failed write: temporary (%s)",
	   err.text);
	is_int(count_dir(path_of("M/tmp", NULL)), 0, "... tmp/ empty");
	is_int(count_dir(path_of("M/new", NULL)), before, "... new/ unchanged");
	free(big);
	buf_free(&id);
}

/* test_repair - a Maildir that lost tmp/ still takes mail */
static void test_repair(struct store *st)
{
	struct buf id = BUF_INIT;
	struct sl_err err;

	rm_rf(path_of("M/tmp", NULL));
	ok(save(st, "INBOX", "x", 1, 0, 1, 0, &id, &err) == 0 &&
	       is_dir_mode(path_of("M/tmp", NULL), 0700),
	   "tmp/ removed behind our back is recreated");
	rm_rf(path_of("M/new", NULL));
	ok(save(st, "INBOX", "x", 1, 0, 1, 0, &id, &err) == 0 &&
	       count_dir(path_of("M/new", NULL)) == 1,
	   "new/ removed behind our back is recreated, message in it");
	buf_free(&id);
}

/* test_folders - Maildir++ directories with mUTF-7 names, listed back
 * in UTF-8 with '/' separators */
static void test_folders(struct store *st)
{
	struct pool *pool = pool_new(4096);
	struct buf id = BUF_INIT, got = BUF_INIT;
	const char **names = NULL;
	size_t count = 0, i;
	struct sl_err err;
	int r;

	is_int(V->folder_exists(st, "Lists/Debian", &err), 0,
	       "Lists/Debian does not exist yet");
	ok(V->folder_create(st, "Lists/Debian", &err) == 0,
	   "create Lists/Debian");
	ok(is_dir_mode(path_of("M/.Lists.Debian", NULL), 0700) &&
	       is_dir_mode(path_of("M/.Lists.Debian/tmp", NULL), 0700) &&
	       is_dir_mode(path_of("M/.Lists.Debian/new", NULL), 0700) &&
	       is_dir_mode(path_of("M/.Lists.Debian/cur", NULL), 0700),
	   "it is .Lists.Debian with tmp/ new/ cur/");
	ok(access(path_of("M/.Lists.Debian/maildirfolder", NULL), F_OK) == 0,
	   "with a maildirfolder file");
	is_int(V->folder_exists(st, "Lists.Debian", &err), 1,
	       "Lists.Debian is the same folder");
	r = V->folder_create(st, "Lists.Debian", &err);
	ok(r < 0 && err.cls == ERR_EXISTS, "creating it again: exists (%s)",
	   err.text);
	ok(V->folder_create(st, "Entw\xc3\xbcrfe", &err) == 0,
	   "create Entwürfe");
	ok(is_dir_mode(path_of("M/.Entw&APw-rfe", NULL), 0700),
	   "Entwürfe is .Entw&APw-rfe on disk");
	ok(V->folder_create(st, "a&b/\xe5\x8f\xb0\xe5\x8c\x97", &err) == 0 &&
	       is_dir_mode(path_of("M/.a&-b.&U,BTFw-", NULL), 0700),
	   "a&b/台北 is .a&-b.&U,BTFw-");
	is_int(V->folder_exists(st, "INBOX", &err), 1, "INBOX exists");
	r = V->folder_create(st, "inbox", &err);
	ok(r < 0 && err.cls == ERR_EXISTS, "INBOX cannot be created again");
	/* not ours to list: not a directory, not valid mUTF-7, INBOX */
	close(open(path_of("M/.file", NULL), O_CREAT | O_WRONLY, 0600));
	mkdir(path_of("M/.&Jjo!", NULL), 0700);
	mkdir(path_of("M/.INBOX", NULL), 0700);
	mkdir(path_of("M/..dots", NULL), 0700);
	ok(V->folder_list(st, pool, &names, &count, &err) == 0, "folder_list");
	is_int(count, 4, "four folders listed");
	if (count == 4) {
		is_str(names[0], "INBOX", "INBOX first");
		is_str(names[1], "Entw\xc3\xbcrfe", "then Entwürfe, decoded");
		is_str(names[2], "Lists/Debian", "then Lists/Debian with '/'");
		is_str(names[3], "a&b/\xe5\x8f\xb0\xe5\x8c\x97",
		       "then a&b/台北");
	}
	for (i = 0; i < count; i++)
		diag("listed: %s", names[i]);
	r = save(st, "Lists.Debian", "hello\n", 6, 0, 6, 0, &id, &err);
	ok(r == 0 && count_dir(path_of("M/.Lists.Debian/new", NULL)) == 1,
	   "saved into Lists.Debian: its new/ has it");
	ok(r == 0 && read_back(st, "Lists/Debian", buf_cstr(&id), &got) == 0 &&
	       got.len == 6 && memcmp(got.data, "hello\n", 6) == 0,
	   "read back from Lists/Debian");
	r = save(st, "Missing", "x", 1, 0, 1, 0, &id, &err);
	ok(r < 0 && err.cls == ERR_NOTFOUND &&
	       access(path_of("M/.Missing", NULL), F_OK) < 0,
	   "saving into a missing folder: not found, nothing made (%s)",
	   err.text);
	{
		struct store_msg_info *msgs;

		r = V->msg_list(st, "Missing", pool, &msgs, &count, &err);
		ok(r < 0 && err.cls == ERR_NOTFOUND,
		   "listing a missing folder: not found");
	}
	pool_free(&pool);
	buf_free(&id);
	buf_free(&got);
}

/* test_refusals - names that could leave the mail root never reach disk */
static void test_refusals(struct store *st)
{
	static const char *const bad[] = {"../x",
					  ".",
					  "..",
					  "a/../b",
					  "a/./b",
					  "/etc",
					  "x/",
					  "a//b",
					  "tab\there",
					  "nl\nx",
					  "esc\x1b",
					  "back\\slash",
					  "../../../tmp",
					  "\xc0\xae\xc0\xae/x",
					  "",
					  NULL};
	struct pool *pool = pool_new(1024);
	struct store_msg_info *msgs;
	struct store_save_info info = { .sender = "", .received = 0, .flags = 0, .size = 1 };
	struct store_save *sv;
	struct store_reader *rd;
	struct sl_err err;
	size_t i, n;
	int before_root = count_dir(path_of("M", NULL));
	int before_base = count_dir(base_dir);

	for (i = 0; bad[i] != NULL; i++) {
		int r1, r2, r3, r4, r5;

		r1 = V->folder_create(st, bad[i], &err);
		r1 = r1 < 0 && err.cls == ERR_PERM;
		r2 = V->folder_exists(st, bad[i], &err);
		r2 = r2 < 0 && err.cls == ERR_PERM;
		r3 = V->save_begin(st, bad[i], &info, &sv, &err);
		r3 = r3 < 0 && err.cls == ERR_PERM && sv == NULL;
		r4 = V->msg_list(st, bad[i], pool, &msgs, &n, &err);
		r4 = r4 < 0 && err.cls == ERR_PERM;
		r5 = V->msg_open(st, bad[i], "1.x", &rd, &err);
		r5 = r5 < 0 && err.cls == ERR_PERM;
		ok(r1 && r2 && r3 && r4 && r5,
		   "refused everywhere: bad name #%zu", i);
	}
	is_int(count_dir(path_of("M", NULL)), before_root,
	       "nothing new in the root");
	is_int(count_dir(base_dir), before_base, "nothing new beside it");
	ok(V->msg_open(st, "INBOX", "../../etc/passwd", &rd, &err) < 0 &&
	       err.cls == ERR_PERM,
	   "a message id with '/' is refused");
	ok(V->msg_open(st, "INBOX", ".hidden", &rd, &err) < 0 &&
	       err.cls == ERR_PERM,
	   "a message id starting with '.' is refused");
	pool_free(&pool);
}

/* find_msg - the entry for id in a fresh msg_list, or NULL */
static const struct store_msg_info *find_msg(struct store *st,
					     struct pool *pool,
					     const char *folder, const char *id,
					     size_t *count_r)
{
	struct store_msg_info *msgs;
	struct sl_err err;
	size_t n, i;

	if (V->msg_list(st, folder, pool, &msgs, &n, &err) < 0) {
		diag("msg_list: %s", err.text);
		return NULL;
	}
	if (count_r != NULL)
		*count_r = n;
	for (i = 0; i < n; i++)
		if (strcmp(msgs[i].id, id) == 0)
			return &msgs[i];
	return NULL;
}

/* test_flags - flags live in cur/ names, sorted; others' letters stay */
static void test_flags(struct store *st)
{
	struct pool *pool = pool_new(4096);
	const struct store_msg_info *m;
	struct buf id = BUF_INIT, got = BUF_INIT;
	struct store_save_info info = { .sender = "", .received = 1000000000, .flags = STORE_FLAG_SEEN, .size = 4 };
	struct store_save *sv;
	struct sl_err err;
	char from[1024];
	int r;

	ok(V->folder_create(st, "F", &err) == 0, "flags: folder F");
	r = save(st, "F", "msg\n", 4, 0, 4, 0, &id, &err);
	ok(r == 0 && access(path_of("M/.F/new/", id.data), F_OK) == 0,
	   "delivered to new/");
	m = find_msg(st, pool, "F", id.data, NULL);
	ok(m != NULL && m->flags == 0 && m->size == 4,
	   "listed: no flags, 4 bytes");
	ok(V->msg_set_flags(st, "F", id.data,
			    STORE_FLAG_SEEN | STORE_FLAG_FLAGGED, &err) == 0,
	   "set \\Seen \\Flagged");
	ok(only_entry(path_of("M/.F/new", NULL)) == NULL &&
	       access(path_of("M/.F/cur/", buf_cstr(&id)), F_OK) < 0,
	   "gone from new/");
	buf_append_str(&id, ":2,FS");
	ok(access(path_of("M/.F/cur/", id.data), F_OK) == 0, "now cur/ID:2,FS");
	buf_truncate(&id, id.len - 5);
	ok(V->msg_set_flags(st, "F", id.data,
			    STORE_FLAG_SEEN | STORE_FLAG_DRAFT |
				STORE_FLAG_ANSWERED | STORE_FLAG_DELETED |
				STORE_FLAG_FLAGGED,
			    &err) == 0,
	   "set all five");
	is_str(only_entry(path_of("M/.F/cur", NULL)),
	       pool_printf(pool, "%s:2,DFRST", id.data),
	       "letters sorted: DFRST");
	/* another program renames it, adding P: we find it and keep P */
	(void)snprintf(
	    from, sizeof(from), "%s",
	    path_of("M/.F/cur/", pool_printf(pool, "%s:2,DFRST", id.data)));
	(void)rename(
	    from, path_of("M/.F/cur/", pool_printf(pool, "%s:2,PS", id.data)));
	ok(V->msg_set_flags(st, "F", id.data,
			    STORE_FLAG_SEEN | STORE_FLAG_DRAFT, &err) == 0,
	   "moved by someone else: found after a rescan");
	is_str(only_entry(path_of("M/.F/cur", NULL)),
	       pool_printf(pool, "%s:2,DPS", id.data), "P kept: DPS");
	m = find_msg(st, pool, "F", id.data, NULL);
	ok(m != NULL && m->flags == (STORE_FLAG_SEEN | STORE_FLAG_DRAFT) &&
	       m->size == 4,
	   "listed with Seen+Draft, size from ,S=");
	ok(read_back(st, "F", id.data, &got) == 0 && got.len == 4,
	   "still readable from cur/");
	r = V->msg_set_flags(st, "F", "123.nosuch", STORE_FLAG_SEEN, &err);
	ok(r < 0 && err.cls == ERR_NOTFOUND, "an unknown id: not found");

	r = V->save_begin(st, "F", &info, &sv, &err);
	ok(r == 0 && V->save_write(sv, "seen", 4, &err) == 0 &&
	       V->save_commit(&sv, &id, &err) == 0,
	   "saved with \\Seen given");
	ok(access(path_of("M/.F/cur/", pool_printf(pool, "%s:2,S", id.data)),
		  F_OK) == 0,
	   "flags at save: straight to cur/ID:2,S");
	m = find_msg(st, pool, "F", id.data, NULL);
	ok(m != NULL && m->received == 1000000000 &&
	       m->flags == STORE_FLAG_SEEN,
	   "received time is the mtime, as given");

	/* a file from elsewhere, without ,S=: size from stat */
	close(open(path_of("M/.F/cur/1234.other:2,RS", NULL),
		   O_CREAT | O_WRONLY, 0600));
	truncate(path_of("M/.F/cur/1234.other:2,RS", NULL), 7);
	m = find_msg(st, pool, "F", "1234.other", NULL);
	ok(m != NULL && m->size == 7 &&
	       m->flags == (STORE_FLAG_SEEN | STORE_FLAG_ANSWERED),
	   "no ,S=: size from stat; flags from the info");
	pool_free(&pool);
	buf_free(&id);
	buf_free(&got);
}

static void test_expunge(struct store *st)
{
	struct pool *pool = pool_new(4096);
	struct buf a = BUF_INIT, b = BUF_INIT, c = BUF_INIT;
	const char *ids[3];
	struct sl_err err;
	size_t n = 0;
	int r;

	ok(V->folder_create(st, "X", &err) == 0, "expunge: folder X");
	r = save(st, "X", "a", 1, 0, 1, 0, &a, &err);
	r |= save(st, "X", "b", 1, 0, 1, 0, &b, &err);
	r |= save(st, "X", "c", 1, 0, 1, 0, &c, &err);
	ok(r == 0 &&
	       V->msg_set_flags(st, "X", b.data, STORE_FLAG_DELETED, &err) == 0,
	   "three saved, one flagged");
	ids[0] = a.data;
	ids[1] = b.data;
	ok(V->expunge(st, "X", ids, 2, &err) == 0, "expunge two");
	ok(find_msg(st, pool, "X", c.data, &n) != NULL && n == 1,
	   "one left, the right one");
	is_int(count_dir(path_of("M/.X/new", NULL)) +
		   count_dir(path_of("M/.X/cur", NULL)),
	       1, "one file on disk");
	ok(V->expunge(st, "X", ids, 2, &err) == 0,
	   "expunging what is gone already is fine");
	ids[0] = "../c";
	r = V->expunge(st, "X", ids, 1, &err);
	ok(r < 0 && err.cls == ERR_PERM, "a bad id is refused");
	pool_free(&pool);
	buf_free(&a);
	buf_free(&b);
	buf_free(&c);
}

/* unwritable_try - save into U with new/ (then tmp/) unwritable; a bit
 * per expectation met, as an exit code for the root case */
static int unwritable_try(void)
{
	struct sl_err err;
	struct store *st = open_store("U", 1, &err);
	struct buf id = BUF_INIT;
	int bits = 0, r;

	if (st == NULL)
		return 0;
	bits |= 1;
	r = save(st, "INBOX", "data\n", 5, 0, 5, 0, &id, &err);
	if (r < 0 && err.cls == ERR_TEMP)
		bits |= 2;
	if (strstr(err.text, "new") != NULL)
		bits |= 4;
	(void)chmod(path_of("U/new", NULL), 0700);
	(void)chmod(path_of("U/tmp", NULL), 0500);
	r = save(st, "INBOX", "data\n", 5, 0, 5, 0, &id, &err);
	if (r < 0 && err.cls == ERR_TEMP)
		bits |= 8;
	store_close(&st);
	buf_free(&id);
	return bits;
}

/* test_unwritable - the store refuses writes: a temporary failure (an
 * admin can fix modes; the MTA retries) and nothing left behind. As
 * root, modes do not bind, so a child does it as nobody. */
/* test_link_and_sync - single-instance saves: a second copy is a hard
 * link of the first (same inode, its own name and flags); with a sync set
 * the directory fsync is deferred (the directory is recorded, the flush
 * succeeds); a source that is gone or not the same size gives 0 (the
 * caller writes a copy) */
static void test_link_and_sync(struct store *st)
{
	static const char msg[] = "Subject: link\n\nsame bytes\n";
	struct store_sync *sync = store_sync_new();
	struct store_save_info info = { .sender = "", .size = sizeof(msg) - 1 };
	struct buf path = BUF_INIT, path2 = BUF_INIT, id = BUF_INIT;
	struct store_save *sv;
	struct stat a, b;
	struct sl_err err;
	int r;

	info.sync = sync;
	info.path_r = &path;
	ok(V->save_begin(st, "INBOX", &info, &sv, &err) == 0 &&
	   V->save_write(sv, msg, sizeof(msg) - 1, &err) == 0 &&
	   V->save_commit(&sv, &id, &err) == 0, "save with a sync set");
	ok(path.len > 0 && strstr(path.data, "/new/") != NULL,
	   "commit reports the saved file's path (%s)", buf_cstr(&path));
	info.path_r = &path2;
	info.flags = STORE_FLAG_SEEN;
	r = V->save_link(st, "Links", &info, path.data, &id, &err);
	ok(r < 0, "link into a missing folder fails as a save would (%s)",
	   err.text);
	ok(V->folder_create(st, "Links", &err) == 0, "create Links");
	r = V->save_link(st, "Links", &info, path.data, &id, &err);
	is_int(r, 1, "save_link into another folder");
	ok(stat(path.data, &a) == 0 && stat(path2.data, &b) == 0 &&
	   a.st_ino == b.st_ino && a.st_nlink == 2,
	   "the copy is a hard link of the first (nlink %lu)",
	   (unsigned long)a.st_nlink);
	ok(strstr(path2.data, "/cur/") != NULL &&
	   strstr(path2.data, ":2,S") != NULL, "with its own flags: %s",
	   buf_cstr(&path2));
	ok(strcmp(path.data, path2.data) != 0, "and its own name");
	ok(store_sync_flush(sync, &err) == 0, "deferred directory fsyncs");
	info.size = 3;
	is_int(V->save_link(st, "INBOX", &info, path.data, &id, &err), 0,
	       "a source of another size is not linked");
	info.size = 0;
	is_int(V->save_link(st, "INBOX", &info, "/nonexistent/x", &id, &err), 0,
	       "a missing source is not linked");
	store_sync_free(&sync);
	buf_free(&path);
	buf_free(&path2);
	buf_free(&id);
}

static void test_unwritable(void)
{
	struct sl_err err;
	struct store *st = open_store("U", 1, &err);
	int bits = -1, status;
	pid_t pid;

	store_close(&st);
	(void)chmod(path_of("U/new", NULL), 0500);
	if (geteuid() != 0) {
		bits = unwritable_try();
	} else {
		const char *own[] = {"U", "U/tmp", "U/new", "U/cur"};
		size_t i;

		(void)chmod(base_dir, 0711);
		for (i = 0; i < 4; i++)
			(void)chown(path_of(own[i], NULL), 65534, 65534);
		fflush(stdout);
		pid = fork();
		if (pid == 0) {
			if (setgroups(0, NULL) < 0 || setgid(65534) < 0 ||
			    setuid(65534) < 0)
				_exit(100);
			_exit(unwritable_try());
		}
		if (pid > 0 && waitpid(pid, &status, 0) == pid &&
		    WIFEXITED(status))
			bits = WEXITSTATUS(status);
		(void)chmod(base_dir, 0700);
	}
	if (bits == 100 || bits < 0) {
		ok(1, "# SKIP cannot become nobody to test modes as root");
		return;
	}
	ok(bits & 1, "store with read-only new/ opens");
	ok(bits & 2, "save into a read-only new/: temporary failure");
	ok(bits & 4, "... naming new/");
	ok(bits & 8, "save with a read-only tmp/: temporary failure");
	is_int(count_dir(path_of("U/tmp", NULL)), 0, "nothing left in tmp/");
	is_int(count_dir(path_of("U/new", NULL)), 0, "nothing left in new/");
	(void)chmod(path_of("U/tmp", NULL), 0700);
	(void)chmod(path_of("U/new", NULL), 0700);
}

int main(void)
{
	struct sl_err err;
	struct store *st;
	const char *tmp = getenv("TMPDIR");

	(void)snprintf(base_dir, sizeof(base_dir), "%s/test-maildir.XXXXXX",
		       tmp != NULL && *tmp != '\0' ? tmp : "/tmp");
	if (mkdtemp(base_dir) == NULL) {
		printf("Bail out! mkdtemp: %s\n", strerror(errno));
		return 1;
	}
	cfg = config_new();
	test_open();
	st = open_store("M", 1, &err);
	ok(st != NULL, "open M");
	if (st != NULL) {
		test_save_read(st);
		test_chunks(st);
		test_unique(st);
		test_size_field(st);
		test_abort(st);
		test_repair(st);
		test_write_error(st);
		test_folders(st);
		test_refusals(st);
		test_flags(st);
		test_expunge(st);
		test_link_and_sync(st);
		store_close(&st);
	}
	test_hostname();
	test_unwritable();
	config_free(&cfg);
	rm_rf(base_dir);
	return done_testing();
}
