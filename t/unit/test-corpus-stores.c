/* test-corpus-stores.c - every message of the shared corpus, and
 * synthesized edge cases, saved through the store interface into a fresh
 * Maildir and a fresh mbox in several chunkings, then listed and read
 * back: byte for byte (mbox: plus the line end it adds to a message that
 * has none), sizes from msg_list equal to the bytes read, and as many
 * messages listed as were saved.
 *
 * The corpus's mbox files are saved as single messages, so their From_
 * lines and unquoted "From " lines go through mboxrd quoting. The
 * synthesized inputs put "From x", ">From x" and ">>From x" lines at
 * every offset modulo the write sizes and across the 4096- and
 * 65536-byte boundaries, and cover CR-only line ends, no final line end
 * and the empty message.
 */
#include "auto-config.h"
#include "t/tap.h"
#include "lib/buf.h"
#include "lib/config.h"
#include "lib/pool.h"
#include "lib/store.h"
#include "lib/xalloc.h"
#include "maildir/maildir.h"
#include "mbox/mbox.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

/* a corpus file is at most 1 MB (corpus README); refuse far more */
#define CORPUS_FILE_MAX (16 * 1024 * 1024)
/* of the corpus files up to this size, one in three gets a CR-only
 * copy and another one in three a copy without its final line end
 * (not all: every save costs two fsyncs) */
#define VARIANT_SRC_MAX (8 * 1024)
/* diagnostics printed per check before the rest are only counted */
#define DIAG_MAX 5

struct input {
	char *name;
	struct buf data;
};

struct round {
	const char *name;
	size_t chunk;		/* bytes per save_write; 0: one write */
	size_t rsize;		/* bytes per reader_read */
	const char *folder;
	const char *sender;
	int give_size;		/* store_save_info.size = the real size */
	unsigned flags;		/* maildir only: mbox adds Status: lines */
};

static const struct round rounds[] = {
	{ "whole", 0, 65536, "INBOX", "", 1, 0 },
	{ "1-byte", 1, 1, "INBOX", "sender@example.org", 0, 0 },
	{ "7-byte", 7, 7, "Archive/Corpus", "a b@example.org", 1,
	  STORE_FLAG_SEEN },
	{ "4096-byte", 4096, 4096, "INBOX", "sender@example.org", 0, 0 },
};

static struct input *inputs;
static size_t n_inputs, cap_inputs;
static size_t n_corpus_files;
static char base_dir[256];
static struct config *cfg;

/* add_input - take a copy of len bytes under name */
static void add_input(const char *name, const void *data, size_t len)
{
	struct input *in;

	if (n_inputs == cap_inputs) {
		cap_inputs = cap_inputs == 0 ? 256 : size_mul(cap_inputs, 2);
		inputs = xreallocarray(inputs, cap_inputs, sizeof(*inputs));
	}
	in = &inputs[n_inputs++];
	in->name = xstrdup(name);
	buf_init(&in->data);
	buf_append(&in->data, data, len);
}

/* read_file - the whole of path into out, at most CORPUS_FILE_MAX */
static int read_file(const char *path, struct buf *out)
{
	char chunk[65536];
	ssize_t n;
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return -1;
	while ((n = read(fd, chunk, sizeof(chunk))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 || out->len + (size_t)n > CORPUS_FILE_MAX) {
			close(fd);
			return -1;
		}
		buf_append(out, chunk, (size_t)n);
	}
	close(fd);
	return 0;
}

/* corpus_skip - the corpus's own files that are not messages (at the
 * top), and dot files such as .gitattributes */
static int corpus_skip(const char *rel, const char *name)
{
	static const char *const top[] = {
		"README.md", "MANIFEST.tsv", "expected.jsonl", "LICENSES",
		"tools",
	};
	size_t i;

	if (name[0] == '.')
		return 1;
	if (*rel != '\0')
		return 0;
	for (i = 0; i < sizeof(top) / sizeof(top[0]); i++)
		if (strcmp(name, top[i]) == 0)
			return 1;
	return 0;
}

/* corpus_walk - every file below root/rel, in name order, as inputs */
static void corpus_walk(const char *root, const char *rel)
{
	struct dirent **ents;
	struct buf path = BUF_INIT, relpath = BUF_INIT, data = BUF_INIT;
	struct stat sb;
	int n, i;

	buf_printf(&path, "%s%s%s", root, *rel ? "/" : "", rel);
	n = scandir(path.data, &ents, NULL, alphasort);
	if (n < 0) {
		ok(0, "read corpus directory %s: %s", path.data,
		   strerror(errno));
		buf_free(&path);
		return;
	}
	for (i = 0; i < n; i++) {
		const char *name = ents[i]->d_name;

		if (!corpus_skip(rel, name)) {
			buf_reset(&path);
			buf_reset(&relpath);
			buf_printf(&relpath, "%s%s%s", rel, *rel ? "/" : "",
				   name);
			buf_printf(&path, "%s/%s", root, relpath.data);
			buf_reset(&data);
			if (stat(path.data, &sb) < 0)
				ok(0, "stat %s: %s", path.data,
				   strerror(errno));
			else if (S_ISDIR(sb.st_mode))
				corpus_walk(root, relpath.data);
			else if (read_file(path.data, &data) < 0)
				ok(0, "read %s", path.data);
			else {
				add_input(relpath.data, data.data, data.len);
				n_corpus_files++;
			}
		}
		free(ents[i]);
	}
	free(ents);
	buf_free(&path);
	buf_free(&relpath);
	buf_free(&data);
}

/* manifest_rows - data rows of MANIFEST.tsv (one per corpus file), or
 * -1 when there is none */
static long manifest_rows(const char *root)
{
	struct buf path = BUF_INIT, data = BUF_INIT;
	long rows = -1;
	size_t i;

	buf_printf(&path, "%s/MANIFEST.tsv", root);
	if (read_file(path.data, &data) == 0) {
		rows = 0;
		for (i = 0; i < data.len; i++)
			if (data.data[i] == '\n')
				rows++;
		if (data.len > 0 && data.data[data.len - 1] != '\n')
			rows++;
		rows--;		/* the header row */
	}
	buf_free(&path);
	buf_free(&data);
	return rows;
}

/* to_cr_only - src with every CRLF and LF turned into CR */
static void to_cr_only(const struct buf *src, struct buf *out)
{
	size_t i;

	for (i = 0; i < src->len; i++) {
		char c = src->data[i];

		if (c == '\r' && i + 1 < src->len && src->data[i + 1] == '\n')
			i++;
		buf_append_char(out, c == '\n' ? '\r' : c);
	}
}

/* to_crlf - src (LF line ends) with every LF turned into CRLF */
static void to_crlf(const char *src, size_t len, struct buf *out)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (src[i] == '\n')
			buf_append_char(out, '\r');
		buf_append_char(out, src[i]);
	}
}

/* add_corpus_variants - CR-only and no-final-newline copies of some of
 * the small corpus files */
static void add_corpus_variants(void)
{
	struct buf v = BUF_INIT, name = BUF_INIT;
	size_t i, len;

	for (i = 0; i < n_corpus_files; i++) {
		const struct buf *d = &inputs[i].data;

		if (d->len == 0 || d->len > VARIANT_SRC_MAX)
			continue;
		buf_reset(&v);
		buf_reset(&name);
		if (i % 3 == 0) {
			to_cr_only(d, &v);
			buf_printf(&name, "%s (CR-only)", inputs[i].name);
			add_input(name.data, v.data, v.len);
		} else if (i % 3 == 1) {
			len = d->len;
			while (len > 0 && (d->data[len - 1] == '\n' ||
					   d->data[len - 1] == '\r'))
				len--;
			if (len == d->len)
				continue;
			buf_printf(&name, "%s (no final newline)",
				   inputs[i].name);
			add_input(name.data, d->data, len);
		}
	}
	buf_free(&v);
	buf_free(&name);
}

/* pad_to - filler body lines up to exactly target bytes */
static void pad_to(struct buf *b, size_t target)
{
	while (b->len < target) {
		size_t k = target - b->len;

		if (k > 72)
			k = 72;
		while (k-- > 1)
			buf_append_char(b, k % 26 == 0 ? ' ' : 'a' + k % 26);
		buf_append_char(b, '\n');
	}
}

static const char from_lines[] = ">>From x\n>From x\nFrom x\n";

/* synth_mod7 - the From lines after fillers of 0..13 bytes, so they
 * start at every offset modulo 7 */
static void synth_mod7(struct buf *b)
{
	size_t p;

	buf_append_str(b, "From x\n>From x\n>>From x\nSubject: mod 7\n\n");
	for (p = 0; p < 14; p++) {
		pad_to(b, b->len + p);
		buf_append_str(b, from_lines);
		buf_append_str(b, "From\n>From\nFrom \n>>>From x\nFromage\n");
	}
}

/* synth_boundary - the From lines at unit*k - d for d in 0..24 step
 * dstep (k counting up), so a unit-sized write or read boundary falls
 * on each of their bytes */
static void synth_boundary(struct buf *b, size_t unit, size_t dstep)
{
	size_t d, k = 1;

	buf_printf(b, "Subject: boundary %zu\n\n", unit);
	for (d = 0; d <= 24; d += dstep, k++) {
		pad_to(b, unit * k - d);
		buf_append_str(b, from_lines);
	}
	buf_append_str(b, "From x");	/* and no final newline */
}

/* add_synth - the hand-made edge cases */
static void add_synth(void)
{
	static const char *const small[][2] = {
		{ "empty", "" },
		{ "LF only", "\n" },
		{ "CRLF only", "\r\n" },
		{ "CR only", "\r" },
		{ "From x, no newline", "From x" },
		{ "From x", "From x\n" },
		{ ">From x", ">From x\n" },
		{ ">>From x CRLF", ">>From x\r\n" },
		{ "From at the end", "Subject: a\n\nbody\nFrom" },
		{ ">Fro at the end", "Subject: a\n\nbody\n>Fro" },
		{ ">>From x at the end", "Subject: a\n\n>>From x" },
		{ "CRLF From x at the end", "Subject: a\r\n\r\nFrom x" },
		{ "CR-only From", "Subject: a\r\rFrom x\r>From y\r" },
		{ "blank lines at the end", "Subject: a\n\nbody\n\n\n" },
		{ "CRLF blank lines at the end", "Subject: a\r\n\r\nb\r\n\r\n" },
		{ "header only", "Subject: a\nTo: b\n" },
		{ "leading blank line", "\nbody\nFrom x\n" },
		{ "From_ line after a blank line",
		  "Subject: a\n\n\nFrom MAILER-DAEMON Thu Nov 19 14:03:01 2026"
		  "\n\nbody\n\n>From MAILER-DAEMON Thu Nov 19 14:03:01 2026"
		  "\n" },
	};
	static const char nul_msg[] = "Subject: a\n\n\0From \0\nFrom \0x\n";
	struct buf b = BUF_INIT, c = BUF_INIT;
	size_t i;

	for (i = 0; i < sizeof(small) / sizeof(small[0]); i++)
		add_input(small[i][0], small[i][1], strlen(small[i][1]));
	add_input("NUL bytes", nul_msg, sizeof(nul_msg) - 1);
	synth_mod7(&b);
	add_input("From lines mod 7", b.data, b.len);
	to_crlf(b.data, b.len, &c);
	add_input("From lines mod 7 (CRLF)", c.data, c.len);
	buf_reset(&c);
	to_cr_only(&b, &c);
	add_input("From lines mod 7 (CR-only)", c.data, c.len);
	buf_reset(&b);
	synth_boundary(&b, 4096, 1);
	add_input("From lines at 4096-byte boundaries", b.data, b.len);
	buf_reset(&b);
	synth_boundary(&b, 65536, 4);
	add_input("From lines at 65536-byte boundaries", b.data, b.len);
	buf_free(&b);
	buf_free(&c);
}

struct backend {
	const char *name;
	const struct store_vfuncs *v;
	int is_mbox;
};

static const struct backend backends[] = {
	{ "maildir", &maildir_store_vfuncs, 0 },
	{ "mbox", &mbox_store_vfuncs, 1 },
};

/* expected - what a reader must return for in: its bytes; mbox adds a
 * line end to a non-empty message that has none, CRLF when the first
 * line ends in CRLF (mbox/mbox.h) */
static void expected(const struct input *in, int is_mbox, struct buf *out)
{
	const struct buf *d = &in->data;
	const char *nl;

	buf_reset(out);
	buf_append(out, d->data, d->len);
	if (!is_mbox || d->len == 0 || d->data[d->len - 1] == '\n')
		return;
	nl = memchr(d->data, '\n', d->len);
	buf_append_str(out, nl != NULL && nl > d->data && nl[-1] == '\r' ?
		       "\r\n" : "\n");
}

/* save_one - in through save_begin, save_write in r's chunks (one call
 * for "whole", even for an empty message) and save_commit */
static int save_one(struct store *st, const struct round *r,
		    const struct input *in, size_t seq, struct buf *id,
		    struct sl_err *err)
{
	struct store_save_info info;
	struct store_save *sv;
	size_t off = 0, k;

	memset(&info, 0, sizeof(info));
	info.sender = r->sender;
	info.received = (time_t)(1700000000 + seq);
	info.flags = st->v == &mbox_store_vfuncs ? 0 : r->flags;
	info.size = r->give_size ? in->data.len : 0;
	if (st->v->save_begin(st, r->folder, &info, &sv, err) < 0)
		return -1;
	do {
		k = in->data.len - off;
		if (r->chunk != 0 && k > r->chunk)
			k = r->chunk;
		if (st->v->save_write(sv, in->data.data + off, k, err) < 0) {
			st->v->save_abort(&sv);
			return -1;
		}
		off += k;
	} while (off < in->data.len);
	return st->v->save_commit(&sv, id, err);
}

/* read_one - message id of folder into out, rsize bytes per read, at
 * most limit bytes */
static int read_one(struct store *st, const char *folder, const char *id,
		    size_t rsize, size_t limit, struct buf *out,
		    struct sl_err *err)
{
	struct store_reader *rd;
	char *tmp;
	ssize_t n;
	int ret = 0;

	buf_reset(out);
	if (st->v->msg_open(st, folder, id, &rd, err) < 0)
		return -1;
	tmp = xmalloc(rsize);
	while ((n = rd->v->reader_read(rd, tmp, rsize, err)) > 0) {
		if ((size_t)n > rsize || out->len + (size_t)n > limit) {
			ret = err_set(err, ERR_PERM, "read past %zu bytes "
				      "(%zd for %zu)", limit, n, rsize);
			break;
		}
		buf_append(out, tmp, (size_t)n);
	}
	if (n < 0)
		ret = -1;
	else if (ret == 0 && rd->v->reader_read(rd, tmp, rsize, err) != 0)
		ret = err_set(err, ERR_PERM, "read after the end is not 0");
	free(tmp);
	rd->v->reader_close(&rd);
	return ret;
}

/* first_diff - offset of the first differing byte of a and b */
static size_t first_diff(const struct buf *a, const struct buf *b)
{
	size_t i, n = a->len < b->len ? a->len : b->len;

	for (i = 0; i < n && a->data[i] == b->data[i]; i++)
		;
	return i;
}

/* find_msg - index of id in msgs, or count */
static size_t find_msg(const struct store_msg_info *msgs, size_t count,
		       const char *id)
{
	size_t j;

	for (j = 0; j < count; j++)
		if (strcmp(msgs[j].id, id) == 0)
			break;
	return j;
}

struct tally {
	size_t missing, mismatch, badsize, badflags;
};

/* check_msg - input i, saved as id, against its listing entry m */
static void check_msg(const struct backend *be, struct store *st,
		      const struct round *r, size_t i,
		      const struct store_msg_info *m, struct tally *t)
{
	struct buf want = BUF_INIT, got = BUF_INIT;
	struct sl_err err;

	err_clear(&err);
	expected(&inputs[i], be->is_mbox, &want);
	if (read_one(st, r->folder, m->id, r->rsize, want.len + 65536, &got,
		     &err) < 0) {
		if (t->mismatch++ < DIAG_MAX)
			diag("  %s: read: %s", inputs[i].name, err.text);
	} else if (got.len != want.len || (want.len > 0 &&
		   memcmp(got.data, want.data, want.len) != 0)) {
		if (t->mismatch++ < DIAG_MAX)
			diag("  %s: got %zu bytes, want %zu, first "
			     "difference at %zu", inputs[i].name, got.len,
			     want.len, first_diff(&got, &want));
	}
	if (m->size != got.len && t->badsize++ < DIAG_MAX)
		diag("  %s: listed size %llu, read %zu bytes", inputs[i].name,
		     (unsigned long long)m->size, got.len);
	if (!be->is_mbox && m->flags != r->flags && t->badflags++ < DIAG_MAX)
		diag("  %s: flags 0x%x, saved with 0x%x", inputs[i].name,
		     m->flags, r->flags);
	buf_free(&want);
	buf_free(&got);
}

/* check_listing - list the folder and read every saved message back */
static void check_listing(const struct backend *be, struct store *st,
			  const struct round *r, char *const *ids,
			  size_t saved)
{
	struct pool *pool = pool_new(0);
	struct store_msg_info *msgs = NULL;
	struct tally t = { 0, 0, 0, 0 };
	struct sl_err err;
	size_t count = 0, i, j;

	err_clear(&err);
	if (st->v->msg_list(st, r->folder, pool, &msgs, &count, &err) < 0) {
		ok(0, "%s %s: msg_list: %s", be->name, r->name, err.text);
		pool_free(&pool);
		return;
	}
	is_int(count, saved, "%s %s: msg_list lists as many messages as "
	       "were saved", be->name, r->name);
	for (i = 0; i < n_inputs; i++) {
		if (ids[i] == NULL)
			continue;
		j = find_msg(msgs, count, ids[i]);
		if (j == count) {
			if (t.missing++ < DIAG_MAX)
				diag("  %s: id %s not listed", inputs[i].name,
				     ids[i]);
			continue;
		}
		check_msg(be, st, r, i, &msgs[j], &t);
	}
	is_int(t.missing, 0, "%s %s: every saved id is listed", be->name,
	       r->name);
	is_int(t.mismatch, 0, "%s %s: every message reads back byte for "
	       "byte", be->name, r->name);
	is_int(t.badsize, 0, "%s %s: listed sizes equal the bytes read",
	       be->name, r->name);
	if (!be->is_mbox)
		is_int(t.badflags, 0, "%s %s: listed flags are the saved ones",
		       be->name, r->name);
	pool_free(&pool);
}

/* open_fresh - a new store of be in base_dir/NAME-ROUND (mbox: root
 * that directory, INBOX the file inbox in it) */
static struct store *open_fresh(const struct backend *be,
				const struct round *r, struct sl_err *err)
{
	struct store_location loc = { NULL, NULL, NULL };
	struct store *st = NULL;
	char dir[512], inbox[600];

	if (snprintf(dir, sizeof(dir), "%s/%s-%s", base_dir, be->name,
		     r->name) >= (int)sizeof(dir) ||
	    snprintf(inbox, sizeof(inbox), "%s/inbox", dir) >=
	    (int)sizeof(inbox))
		abort();
	loc.driver = be->name;
	loc.root = dir;
	loc.inbox = be->is_mbox ? inbox : NULL;
	if (be->v->open(cfg, &loc, 1, &st, err) < 0)
		return NULL;
	if (!store_folder_is_inbox(r->folder) &&
	    st->v->folder_create(st, r->folder, err) < 0)
		store_close(&st);
	return st;
}

/* check_mbox_file - every line of the folder's file that begins with
 * "From " is a From_ line: as many as messages saved, so the quoting
 * hid the rest from any mbox reader (Python's mailbox, mutt) */
static void check_mbox_file(const struct round *r, size_t saved)
{
	struct buf path = BUF_INIT, data = BUF_INIT;
	size_t i, n_from = 0;

	buf_printf(&path, "%s/mbox-%s/%s", base_dir, r->name,
		   store_folder_is_inbox(r->folder) ? "inbox" : r->folder);
	if (!ok(read_file(path.data, &data) == 0, "mbox %s: read the "
		"folder's file", r->name)) {
		diag("  cannot read %s", path.data);
		goto out;
	}
	for (i = 0; i + 5 <= data.len; i++) {
		if ((i == 0 || data.data[i - 1] == '\n') &&
		    memcmp(data.data + i, "From ", 5) == 0)
			n_from++;
	}
	is_int(n_from, saved, "mbox %s: only the From_ lines begin with "
	       "\"From \" in the file", r->name);
out:
	buf_free(&path);
	buf_free(&data);
}

/* run_round - every input into a fresh store of be, then read back */
static void run_round(const struct backend *be, const struct round *r)
{
	char **ids = xcalloc(n_inputs, sizeof(*ids));
	struct buf id = BUF_INIT;
	struct store *st;
	struct sl_err err;
	size_t i, saved = 0;

	err_clear(&err);
	st = open_fresh(be, r, &err);
	if (!ok(st != NULL, "%s %s: open a fresh store with folder %s",
		be->name, r->name, r->folder)) {
		diag("  %s", err.text);
		free(ids);
		return;
	}
	for (i = 0; i < n_inputs; i++) {
		err_clear(&err);
		if (save_one(st, r, &inputs[i], i, &id, &err) == 0) {
			ids[i] = xstrdup(buf_cstr(&id));
			saved++;
		} else if (i - saved < DIAG_MAX) {
			diag("  save %s: %s", inputs[i].name, err.text);
		}
	}
	is_int(saved, n_inputs, "%s %s: every message saved", be->name,
	       r->name);
	check_listing(be, st, r, ids, saved);
	if (be->is_mbox)
		check_mbox_file(r, saved);
	store_close(&st);
	for (i = 0; i < n_inputs; i++)
		free(ids[i]);
	free(ids);
	buf_free(&id);
}

static int rm_one(const char *path, const struct stat *sb, int flag,
		  struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(path);
}

int main(void)
{
	const char *corpus = test_corpus_dir();
	const char *tmp = getenv("TMPDIR");
	long rows;
	size_t b, r, i;

	if (corpus == NULL) {
		printf("1..0 # SKIP SLUICE_CORPUS is not set\n");
		return 0;
	}
	(void)signal(SIGXFSZ, SIG_IGN);
	(void)snprintf(base_dir, sizeof(base_dir), "%s/test-corpus.XXXXXX",
		       tmp != NULL && *tmp != '\0' ? tmp : "/tmp");
	if (mkdtemp(base_dir) == NULL) {
		printf("Bail out! mkdtemp: %s\n", strerror(errno));
		return 1;
	}
	cfg = config_new();
	corpus_walk(corpus, "");
	ok(n_corpus_files > 0, "corpus: %zu files read from %s",
	   n_corpus_files, corpus);
	rows = manifest_rows(corpus);
	if (rows >= 0)
		is_int(n_corpus_files, rows, "corpus: as many files as "
		       "MANIFEST.tsv lists");
	add_corpus_variants();
	add_synth();
	diag("%zu inputs (%zu corpus files)", n_inputs, n_corpus_files);
	for (b = 0; b < sizeof(backends) / sizeof(backends[0]); b++)
		for (r = 0; r < sizeof(rounds) / sizeof(rounds[0]); r++)
			run_round(&backends[b], &rounds[r]);
	for (i = 0; i < n_inputs; i++) {
		free(inputs[i].name);
		buf_free(&inputs[i].data);
	}
	free(inputs);
	config_free(&cfg);
	(void)nftw(base_dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	return done_testing();
}
