/* userdb-passwd-file.c - Dovecot's passwd-file: entry parsing, the line
 * reader, and the backend (one-shot scan or a cached hash table) */
#include "auto-config.h"
#include "userdb-private.h"
#include "buf.h"
#include "xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- the line reader ---- */

void userdb_line_reader_init(struct userdb_line_reader *r, int fd,
			     const char *path)
{
	memset(r, 0, sizeof(*r));
	r->fd = fd;
	r->path = path;
	/* a full line, its "\n", and room for a NUL after a last line
	 * without one */
	r->buf = xmalloc(USERDB_LINE_MAX + 2);
}

void userdb_line_reader_deinit(struct userdb_line_reader *r)
{
	x_free(&r->buf);
}

/* line_reader_fill - compact and read more; -1 on a read error */
static int line_reader_fill(struct userdb_line_reader *r, struct sl_err *err)
{
	ssize_t n;

	if (r->start > 0) {
		memmove(r->buf, r->buf + r->start, r->end - r->start);
		r->end -= r->start;
		r->start = 0;
	}
	do {
		n = read(r->fd, r->buf + r->end, USERDB_LINE_MAX + 1 - r->end);
	} while (n < 0 && errno == EINTR);
	if (n < 0) {
		userdb_tempfail_errno(err, errno, "read %s", r->path);
		return -1;
	}
	if (n == 0)
		r->eof = 1;
	r->end += (size_t)n;
	return 0;
}

int userdb_line_next(struct userdb_line_reader *r, const char **line_r,
		     size_t *len_r, struct sl_err *err)
{
	char *line, *nl;
	size_t len;

	for (;;) {
		line = r->buf + r->start;
		nl = memchr(line, '\n', r->end - r->start);
		if (nl != NULL || (r->eof && r->start < r->end))
			break;
		if (r->eof)
			return 0;
		if (r->end - r->start > USERDB_LINE_MAX)
			return err_set(err, ERR_PERM, "%s: line %lu longer than "
				       "%d bytes", r->path, r->lineno + 1,
				       USERDB_LINE_MAX);
		if (line_reader_fill(r, err) < 0)
			return -1;
	}
	len = nl != NULL ? (size_t)(nl - line) : r->end - r->start;
	r->start += nl != NULL ? len + 1 : len;
	r->lineno++;
	if (len > USERDB_LINE_MAX)
		return err_set(err, ERR_PERM, "%s: line %lu longer than %d bytes",
			       r->path, r->lineno, USERDB_LINE_MAX);
	if (memchr(line, '\0', len) != NULL)
		return err_set(err, ERR_PERM, "%s: line %lu holds a NUL byte "
			       "(not a text file?)", r->path, r->lineno);
	if (len > 0 && line[len - 1] == '\r')
		len--;
	line[len] = '\0';
	*line_r = line;
	*len_r = len;
	return 1;
}

int userdb_line_is_entry(const char *line, size_t len)
{
	return len > 0 && line[0] != '#' && line[0] != ':';
}

size_t userdb_line_key_len(const char *line, size_t len)
{
	const char *colon = memchr(line, ':', len);

	return colon != NULL ? (size_t)(colon - line) : len;
}

/* ---- one entry: password:uid:gid:gecos:home:shell:extra_fields ---- */

struct entry_fields {
	struct user_field *f;
	unsigned char *is_userdb;
	size_t n, cap;
};

/* entry_split_extra - space-separated key[=value] tokens; password
 * fields are dropped here, before anything can keep them */
static int entry_split_extra(struct pool *pool, const char *s, size_t len,
			     int force_userdb, struct entry_fields *ef,
			     const char *what, struct sl_err *err)
{
	const char *end = s + len;

	while (s < end) {
		const char *tok, *eq;
		size_t tlen;
		int udb = force_userdb;

		while (s < end && (*s == ' ' || *s == '\t'))
			s++;
		tok = s;
		while (s < end && *s != ' ' && *s != '\t')
			s++;
		if ((tlen = (size_t)(s - tok)) == 0)
			break;
		if (tlen > 7 && strncmp(tok, "userdb_", 7) == 0) {
			tok += 7;
			tlen -= 7;
			udb = 1;
		}
		eq = memchr(tok, '=', tlen);
		if (eq == tok)
			continue;	/* "=value": no key, nothing to keep */
		if (ef->n == ef->cap)
			return err_set(err, ERR_TEMP, "%s: more than %d extra "
				       "fields", what, USERDB_FIELDS_MAX);
		ef->f[ef->n].key = pool_strndup(pool, tok, eq != NULL
						? (size_t)(eq - tok) : tlen);
		if (strcasestr(ef->f[ef->n].key, "pass") != NULL &&
		    strcmp(ef->f[ef->n].key, "nopassword") != 0)
			continue;	/* pass=, password=, master_password= */
		ef->f[ef->n].value = eq == NULL ? ""
			: pool_strndup(pool, eq + 1, (size_t)(tok + tlen - eq - 1));
		ef->is_userdb[ef->n++] = (unsigned char)udb;
	}
	return 0;
}

/* entry_id - set a uid or gid from its text */
static int entry_id(const char *s, size_t len, int is_gid,
		    struct user_record *rec, const char *what,
		    struct sl_err *err)
{
	char tmp[256];
	unsigned long id;
	struct sl_err e;

	if (len >= sizeof(tmp))
		return err_set(err, ERR_TEMP, "%s: %s too long", what,
			       is_gid ? "gid" : "uid");
	memcpy(tmp, s, len);
	tmp[len] = '\0';
	err_clear(&e);
	if (userdb_parse_id(tmp, is_gid, &id, &e) <= 0)
		return err_set(err, ERR_TEMP, "%s: %s", what, e.text);
	if (is_gid) {
		rec->gid = (gid_t)id;
		rec->has_gid = 1;
	} else {
		rec->uid = (uid_t)id;
		rec->has_uid = 1;
	}
	return 0;
}

/* entry_apply_field - one extra field onto the record; userdb_ fields
 * win over plain mail=/quota_rule=/sieve= whatever their order */
static int entry_apply_field(struct pool *pool, struct user_field *f,
			     int is_userdb, unsigned *set_by_userdb,
			     struct user_record *rec, const char *what,
			     struct sl_err *err)
{
	static const char *const keys[] = { "mail", "quota_rule", "sieve" };
	const char **slots[] = { &rec->mail, &rec->quota_rule, &rec->sieve };
	size_t i;

	if (is_userdb && strcmp(f->key, "mail") != 0) {
		struct buf b = BUF_INIT;
		struct sl_err e;

		if (userdb_expand_buf(&b, f->value, strlen(f->value), rec,
				      &e) < 0) {
			buf_free(&b);
			return err_set(err, ERR_TEMP, "%s: field %s: %s", what,
				       f->key, e.text);
		}
		f->value = pool_strndup(pool, buf_cstr(&b), b.len);
		buf_free(&b);
	}
	if (is_userdb && strcmp(f->key, "home") == 0)
		rec->home = *f->value != '\0' ? f->value : NULL;
	if (is_userdb && (strcmp(f->key, "uid") == 0 ||
			  strcmp(f->key, "gid") == 0))
		return entry_id(f->value, strlen(f->value), f->key[0] == 'g',
				rec, what, err);
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		if (strcmp(f->key, keys[i]) != 0)
			continue;
		if (is_userdb || (*set_by_userdb & (1u << i)) == 0)
			*slots[i] = *f->value != '\0' ? f->value : NULL;
		if (is_userdb)
			*set_by_userdb |= 1u << i;
	}
	return 0;
}

/* entry_extra - the extra fields: split, then applied in order */
static int entry_extra(struct pool *pool, const char *s, size_t len,
		       int old_format, struct user_record *rec,
		       const char *what, struct sl_err *err)
{
	struct entry_fields ef;
	unsigned set_by_userdb = 0;
	size_t i;

	/* at most one field per blank-separated token */
	for (i = 0, ef.cap = 1; i < len && ef.cap < USERDB_FIELDS_MAX; i++)
		ef.cap += s[i] == ' ' || s[i] == '\t';
	ef.f = pool_alloc_array(pool, ef.cap, sizeof(*ef.f));
	ef.is_userdb = pool_alloc(pool, ef.cap);
	ef.n = 0;
	if (old_format) {
		/* Dovecot's old format: the rest of the line is the mail
		 * location, colons and spaces included */
		ef.f[0].key = "mail";
		ef.f[0].value = pool_strndup(pool, s, len);
		ef.is_userdb[0] = 1;
		ef.n = 1;
	} else if (entry_split_extra(pool, s, len, 0, &ef, what, err) < 0) {
		return -1;
	}
	for (i = 0; i < ef.n; i++) {
		if (entry_apply_field(pool, &ef.f[i], ef.is_userdb[i],
				      &set_by_userdb, rec, what, err) < 0)
			return -1;
	}
	rec->fields = ef.f;
	rec->n_fields = ef.n;
	return 0;
}

int userdb_entry_parse(struct pool *pool, const char *rest, size_t len,
		       struct user_record *rec, const char *what,
		       struct sl_err *err)
{
	const char *f[6], *p = rest, *end = rest + len, *extra = NULL;
	size_t flen[6] = { 0 }, nf = 0;

	/* password, uid, gid, gecos, home, shell; then everything after
	 * the sixth ':' is the extra fields (they may hold ':') */
	while (nf < 6) {
		const char *c = memchr(p, ':', (size_t)(end - p));

		f[nf] = p;
		flen[nf++] = c != NULL ? (size_t)(c - p) : (size_t)(end - p);
		if (c == NULL)
			break;
		p = c + 1;
		if (nf == 6)
			extra = p;
	}
	if (nf > 1 && flen[1] > 0 && entry_id(f[1], flen[1], 0, rec, what,
					      err) < 0)
		return -1;
	if (nf > 2 && flen[2] > 0 && entry_id(f[2], flen[2], 1, rec, what,
					      err) < 0)
		return -1;
	if (nf > 4 && flen[4] > 0)
		rec->home = pool_strndup(pool, f[4], flen[4]);
	if (extra == NULL)
		return 0;
	if (extra == end || *extra == ':') {
		/* empty 7th field: the old format, mail location follows */
		if (extra + 1 >= end)
			return 0;
		return entry_extra(pool, extra + 1, (size_t)(end - extra - 1),
				   1, rec, what, err);
	}
	return entry_extra(pool, extra, (size_t)(end - extra), 0, rec, what,
			   err);
}

/* ---- the backend ---- */

struct pf_slot {
	const char *key;	/* NULL: empty slot */
	size_t klen;
	const char *rest;	/* after "key:", NUL-terminated */
	size_t rest_len;
	unsigned long lineno;
};

/* the whole file, parsed into lines and hashed by user name */
struct pf_table {
	char *data;
	struct pf_slot *slots;
	size_t mask;		/* slot count - 1 (a power of two) */
	int has_at;		/* some key holds an '@' */
	struct userdb_file_stamp stamp;
};

struct pf_backend {
	struct userdb_backend be;
	char *path;
	unsigned long lookups;
	struct pf_table *table;
};

/* pf_hash - FNV-1a */
static uint32_t pf_hash(const char *s, size_t len)
{
	uint32_t h = 2166136261u;
	size_t i;

	for (i = 0; i < len; i++) {
		h ^= (unsigned char)s[i];
		h *= 16777619u;
	}
	return h;
}

static void pf_table_free(struct pf_table **tp)
{
	if (*tp == NULL)
		return;
	free((*tp)->data);
	free((*tp)->slots);
	x_free(tp);
}

/* pf_table_find - the slot for key, or NULL */
static const struct pf_slot *pf_table_find(const struct pf_table *t,
					   const char *key, size_t klen)
{
	size_t i = pf_hash(key, klen) & t->mask;

	for (; t->slots[i].key != NULL; i = (i + 1) & t->mask) {
		if (t->slots[i].klen == klen &&
		    memcmp(t->slots[i].key, key, klen) == 0)
			return &t->slots[i];
	}
	return NULL;
}

/* pf_table_add - a line into the table; the first entry for a name wins
 * (Dovecot logs later ones as duplicates and ignores them) */
static void pf_table_add(struct pf_table *t, char *line, size_t len,
			 unsigned long lineno)
{
	size_t klen = userdb_line_key_len(line, len), i;

	if (memchr(line, '@', klen) != NULL)
		t->has_at = 1;
	i = pf_hash(line, klen) & t->mask;
	for (; t->slots[i].key != NULL; i = (i + 1) & t->mask) {
		if (t->slots[i].klen == klen &&
		    memcmp(t->slots[i].key, line, klen) == 0)
			return;
	}
	t->slots[i].key = line;
	t->slots[i].klen = klen;
	t->slots[i].rest = klen < len ? line + klen + 1 : line + len;
	t->slots[i].rest_len = klen < len ? len - klen - 1 : 0;
	t->slots[i].lineno = lineno;
}

/* pf_read_all - the whole file into out; 0, or -1 (tempfail) */
static int pf_read_all(int fd, const char *path, struct buf *out,
		       struct sl_err *err)
{
	for (;;) {
		ssize_t n;

		if (out->len > USERDB_FILE_CACHE_MAX)
			return userdb_tempfail(err, "%s: grew past %u bytes "
					       "while read", path,
					       USERDB_FILE_CACHE_MAX);
		buf_reserve(out, 65536);
		n = read(fd, out->data + out->len, out->cap - out->len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return userdb_tempfail_errno(err, errno, "read %s", path);
		if (n == 0)
			break;
		out->len += (size_t)n;
	}
	out->data[out->len] = '\0';
	return 0;
}

/* pf_table_index - split data into lines and hash them */
static int pf_table_index(struct pf_table *t, size_t size, const char *path,
			  struct sl_err *err)
{
	size_t nlines = 1, nslots = 16, pos = 0;
	unsigned long lineno = 0;
	char *p;

	for (p = t->data; (p = memchr(p, '\n', size - (size_t)(p - t->data)))
	     != NULL; p++)
		nlines++;
	while (nslots < nlines * 2)
		nslots = size_mul(nslots, 2);
	t->slots = xcalloc(nslots, sizeof(*t->slots));
	t->mask = nslots - 1;
	while (pos < size) {
		char *line = t->data + pos, *nl = memchr(line, '\n', size - pos);
		size_t len = nl != NULL ? (size_t)(nl - line) : size - pos;

		pos += len + 1;
		lineno++;
		if (len > USERDB_LINE_MAX)
			return userdb_tempfail(err, "%s: line %lu longer than %d "
					       "bytes", path, lineno,
					       USERDB_LINE_MAX);
		if (memchr(line, '\0', len) != NULL)
			return userdb_tempfail(err, "%s: line %lu holds a NUL "
					       "byte (not a text file?)", path,
					       lineno);
		if (len > 0 && line[len - 1] == '\r')
			len--;
		line[len] = '\0';
		if (userdb_line_is_entry(line, len))
			pf_table_add(t, line, len, lineno);
	}
	return 0;
}

/* pf_open - open the file for reading: a regular file or tempfail */
static int pf_open(const char *path, struct stat *st, struct sl_err *err)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);

	if (fd < 0) {
		userdb_tempfail_errno(err, errno, "passwd-file %s", path);
		return -1;
	}
	if (fstat(fd, st) < 0) {
		userdb_tempfail_errno(err, errno, "fstat %s", path);
		(void)close(fd);
		return -1;
	}
	if (!S_ISREG(st->st_mode)) {
		userdb_tempfail(err, "passwd-file %s: not a regular file", path);
		(void)close(fd);
		return -1;
	}
	return fd;
}

/* pf_table_build - read and index the file; 1 built, 0 too large to
 * cache (scan instead), -1 tempfail */
static int pf_table_build(struct pf_backend *pf, struct sl_err *err)
{
	struct buf data = BUF_INIT;
	struct pf_table *t;
	struct stat st;
	size_t size;
	int fd = pf_open(pf->path, &st, err);

	if (fd < 0)
		return -1;
	if ((uint64_t)st.st_size > USERDB_FILE_CACHE_MAX) {
		(void)close(fd);
		return 0;
	}
	if (pf_read_all(fd, pf->path, &data, err) < 0) {
		(void)close(fd);
		buf_free(&data);
		return -1;
	}
	(void)close(fd);
	t = xcalloc(1, sizeof(*t));
	userdb_file_stamp_set(&t->stamp, &st);
	size = data.len;
	t->data = buf_steal(&data);
	if (pf_table_index(t, size, pf->path, err) < 0) {
		pf_table_free(&t);
		return -1;
	}
	pf->table = t;
	return 1;
}

/* pf_entry - the entry under key; its text is copied into pool when
 * it lives in the line reader's buffer (pool != NULL), not when it
 * lives in the table */
static enum userdb_result pf_entry(struct pool *pool, const char *key,
				   const char *rest, size_t rest_len,
				   unsigned long lineno, struct userdb_entry *e)
{
	e->key = key;
	e->rest = pool != NULL ? pool_strndup(pool, rest, rest_len) : rest;
	e->rest_len = rest_len;
	e->lineno = lineno;
	return USERDB_FOUND;
}

/* pf_table_lookup - the answer from the cached table */
static enum userdb_result pf_table_lookup(struct pf_backend *pf,
					  const struct userdb_query *q,
					  struct userdb_entry *e)
{
	const struct pf_table *t = pf->table;
	const struct pf_slot *s = pf_table_find(t, q->user, strlen(q->user));
	const char *key = q->user;

	if (s == NULL && q->domain != NULL && !t->has_at) {
		key = q->localpart;
		s = pf_table_find(t, key, strlen(key));
	}
	if (s == NULL)
		return USERDB_NOTFOUND;
	return pf_entry(NULL, key, s->rest, s->rest_len, s->lineno, e);
}

/* scan state: the bare entry seen so far, for the no-'@' fallback */
struct pf_scan {
	int has_at;
	char *bare_rest;
	size_t bare_len;
	unsigned long bare_lineno;
};

/* pf_scan_lookup - one pass over the file, no table: stops at the
 * user@domain entry, else reads to the end (to know whether any key has
 * an '@') */
static enum userdb_result pf_scan_lookup(struct pf_backend *pf,
					 struct pool *pool,
					 const struct userdb_query *q,
					 struct userdb_entry *e,
					 struct sl_err *err)
{
	size_t ulen = strlen(q->user), llen = strlen(q->localpart), len, klen;
	struct pf_scan sc = { 0, NULL, 0, 0 };
	struct userdb_line_reader r;
	enum userdb_result ret = USERDB_NOTFOUND;
	const char *line;
	struct stat st;
	int fd = pf_open(pf->path, &st, err), n;

	if (fd < 0)
		return USERDB_TEMPFAIL;
	userdb_line_reader_init(&r, fd, pf->path);
	while ((n = userdb_line_next(&r, &line, &len, err)) > 0) {
		if (!userdb_line_is_entry(line, len))
			continue;
		klen = userdb_line_key_len(line, len);
		if (klen == ulen && memcmp(line, q->user, ulen) == 0) {
			ret = pf_entry(pool, q->user, line + klen + (klen < len),
				       len - klen - (klen < len), r.lineno, e);
			break;
		}
		if (!sc.has_at && memchr(line, '@', klen) != NULL)
			sc.has_at = 1;
		if (q->domain != NULL && !sc.has_at && sc.bare_rest == NULL &&
		    klen == llen && memcmp(line, q->localpart, llen) == 0) {
			sc.bare_len = len - klen - (klen < len);
			sc.bare_rest = pool_strndup(pool, line + klen +
						    (klen < len), sc.bare_len);
			sc.bare_lineno = r.lineno;
		}
	}
	userdb_line_reader_deinit(&r);
	(void)close(fd);
	if (n < 0)
		return USERDB_TEMPFAIL;
	if (ret == USERDB_NOTFOUND && !sc.has_at && sc.bare_rest != NULL) {
		e->key = q->localpart;
		e->rest = sc.bare_rest;
		e->rest_len = sc.bare_len;
		e->lineno = sc.bare_lineno;
		ret = USERDB_FOUND;
	}
	return ret;
}

/* userdb_passwd_file_find - the first lookup in a process scans; later
 * ones use the table, rebuilt when the file's stamp changes */
enum userdb_result userdb_passwd_file_find(struct userdb_backend *be,
					   struct pool *pool,
					   const struct userdb_query *q,
					   struct userdb_entry *e,
					   struct sl_err *err)
{
	struct pf_backend *pf = (struct pf_backend *)be;
	struct stat st;
	int r;

	pf->lookups++;
	if (pf->table != NULL) {
		if (stat(pf->path, &st) < 0) {
			pf_table_free(&pf->table);
			return userdb_tempfail_errno(err, errno, "passwd-file %s",
						     pf->path);
		}
		if (userdb_file_stamp_equal(&pf->table->stamp, &st))
			return pf_table_lookup(pf, q, e);
		pf_table_free(&pf->table);
	}
	if (pf->lookups > 1) {
		if ((r = pf_table_build(pf, err)) < 0)
			return USERDB_TEMPFAIL;
		if (r > 0)
			return pf_table_lookup(pf, q, e);
	}
	return pf_scan_lookup(pf, pool, q, e, err);
}

/* pf_lookup - the entry, parsed into a record */
static enum userdb_result pf_lookup(struct userdb_backend *be,
				    struct pool *pool,
				    const struct userdb_query *q,
				    struct user_record **rec_r,
				    struct sl_err *err)
{
	struct pf_backend *pf = (struct pf_backend *)be;
	struct userdb_entry e;
	struct user_record *rec;
	enum userdb_result r = userdb_passwd_file_find(be, pool, q, &e, err);
	char what[320];

	if (r != USERDB_FOUND)
		return r;
	rec = userdb_record_new(pool, q, e.key);
	(void)snprintf(what, sizeof(what), "passwd-file %s line %lu (%s)",
		       pf->path, e.lineno, e.key);
	if (userdb_entry_parse(pool, e.rest, e.rest_len, rec, what, err) < 0)
		return USERDB_TEMPFAIL;
	rec->source = "passwd-file";
	*rec_r = rec;
	return USERDB_FOUND;
}

static int pf_init(const char *args, struct userdb_backend **be_r,
		   struct sl_err *err)
{
	struct pf_backend *pf;

	if (args == NULL || *args == '\0')
		return err_set(err, ERR_USAGE, "userdb: passwd-file needs a "
			       "path: passwd-file:PATH");
	pf = xcalloc(1, sizeof(*pf));
	pf->be.v = &userdb_passwd_file;
	pf->path = xstrdup(args);
	*be_r = &pf->be;
	return 0;
}

static void pf_deinit(struct userdb_backend **be)
{
	struct pf_backend *pf = (struct pf_backend *)*be;

	pf_table_free(&pf->table);
	free(pf->path);
	free(pf);
	*be = NULL;
}

const struct userdb_backend_vfuncs userdb_passwd_file = {
	"passwd-file", pf_init, pf_deinit, pf_lookup,
};
