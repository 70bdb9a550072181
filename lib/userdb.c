/* userdb.c - the userdb list, recipient normalization, %-expansion */
#include "auto-config.h"
#include "userdb-private.h"
#include "buf.h"
#include "config.h"
#include "xalloc.h"

#include <ctype.h>
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* the most backends one userdb key may list */
#define USERDB_BACKENDS_MAX 16

struct userdb {
	struct userdb_backend *backends[USERDB_BACKENDS_MAX];
	size_t n_backends;
	char *delimiters;	/* recipient_delimiter */
	int lowercase;		/* username_lowercase */
};

static const struct userdb_backend_vfuncs *const userdb_drivers[] = {
	&userdb_system, &userdb_passwd_file, &userdb_bdb, &userdb_static,
	&userdb_sql, &userdb_ldap,
};

/* the config being opened, for userdb_config() */
static const struct config *userdb_opening;

const struct config *userdb_config(void)
{
	return userdb_opening;
}

/* userdb_add_backend - one element of the list: "name" or "name:args" */
static int userdb_add_backend(struct userdb *db, const char *spec, size_t len,
			      struct sl_err *err)
{
	char *s = xstrndup(spec, len);
	char *args = strchr(s, ':');
	size_t i;
	int ret = -1;

	if (args != NULL)
		*args++ = '\0';
	for (i = 0; i < sizeof(userdb_drivers) / sizeof(userdb_drivers[0]); i++) {
		const struct userdb_backend_vfuncs *v = userdb_drivers[i];

		if (strcmp(s, v->name) != 0)
			continue;
		if (db->n_backends == USERDB_BACKENDS_MAX) {
			err_set(err, ERR_USAGE, "userdb: more than %d backends",
				USERDB_BACKENDS_MAX);
		} else if (v->init(args, &db->backends[db->n_backends],
				   err) == 0) {
			db->n_backends++;
			ret = 0;
		}
		free(s);
		return ret;
	}
	err_set(err, ERR_USAGE, "userdb: unknown backend '%s' (known: system, "
		"passwd-file:PATH, bdb:PATH, static:ARGS, sql:PATH, ldap:PATH)", s);
	free(s);
	return -1;
}

int userdb_open(struct userdb **db_r, const struct config *cfg,
		struct sl_err *err)
{
	struct userdb *db = xcalloc(1, sizeof(*db));
	const char *p = config_str(cfg, "userdb");

	db->delimiters = xstrdup(config_str(cfg, "recipient_delimiter"));
	db->lowercase = config_bool(cfg, "username_lowercase");
	userdb_opening = cfg;
	while (*p != '\0') {
		const char *end = strchr(p, ',');
		size_t len = end != NULL ? (size_t)(end - p) : strlen(p);

		while (len > 0 && isspace((unsigned char)*p)) {
			p++;
			len--;
		}
		while (len > 0 && isspace((unsigned char)p[len - 1]))
			len--;
		if (len == 0) {
			err_set(err, ERR_USAGE, "userdb: empty element in list");
			goto fail;
		}
		if (userdb_add_backend(db, p, len, err) < 0)
			goto fail;
		if (end == NULL)
			break;
		p = end + 1;
	}
	if (db->n_backends == 0) {
		err_set(err, ERR_USAGE, "userdb: no backend given");
		goto fail;
	}
	userdb_opening = NULL;
	*db_r = db;
	return 0;
fail:
	userdb_opening = NULL;
	userdb_close(&db);
	return -1;
}

void userdb_close(struct userdb **dbp)
{
	struct userdb *db = *dbp;
	size_t i;

	if (db == NULL)
		return;
	for (i = 0; i < db->n_backends; i++)
		db->backends[i]->v->deinit(&db->backends[i]);
	free(db->delimiters);
	x_free(dbp);
}

/* name_is_safe - no control characters, '/' or ':'; not "." or ".." */
static int name_is_safe(const char *s, size_t len)
{
	size_t i;

	if (len == 0 || (len == 1 && s[0] == '.') ||
	    (len == 2 && s[0] == '.' && s[1] == '.'))
		return 0;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x20 || c == 0x7f || c == '/' || c == ':')
			return 0;
	}
	return 1;
}

/* record_rename - the database's "user" field names the user */
static int record_rename(struct pool *pool, struct user_record *rec,
			 const char *v, struct sl_err *err)
{
	const char *at = strrchr(v, '@');
	size_t llen = at != NULL ? (size_t)(at - v) : strlen(v);

	if (!name_is_safe(v, llen) ||
	    (at != NULL && !name_is_safe(at + 1, strlen(at + 1))))
		return err_set(err, ERR_TEMP, "bad user name '%s'", v);
	rec->user = v;
	rec->localpart = pool_strndup(pool, v, llen);
	rec->domain = at != NULL ? at + 1 : NULL;
	return 0;
}

int userdb_record_field(struct pool *pool, struct user_record *rec,
			const char *key, const char *v, struct sl_err *err)
{
	unsigned long id;
	struct sl_err e;

	if (strcmp(key, "user") == 0)
		return record_rename(pool, rec, v, err) < 0 ? -1 : 0;
	if (strstr(key, "pass") != NULL && strcmp(key, "nopassword") != 0)
		return 0;	/* password, pass (proxy): never kept */
	if (strcmp(key, "uid") == 0 || strcmp(key, "gid") == 0) {
		err_clear(&e);
		if (userdb_parse_id(v, key[0] == 'g', &id, &e) <= 0)
			return err_set(err, ERR_TEMP, "%s", e.text);
		if (key[0] == 'g') {
			rec->gid = (gid_t)id;
			rec->has_gid = 1;
		} else {
			rec->uid = (uid_t)id;
			rec->has_uid = 1;
		}
	} else if (strcmp(key, "home") == 0) {
		rec->home = *v != '\0' ? v : NULL;
	} else if (strcmp(key, "mail") == 0) {
		rec->mail = *v != '\0' ? v : NULL;
	} else if (strcmp(key, "quota_rule") == 0) {
		rec->quota_rule = *v != '\0' ? v : NULL;
	} else if (strcmp(key, "sieve") == 0) {
		rec->sieve = *v != '\0' ? v : NULL;
	}
	return 1;
}

/* ascii_lower - lowercase in place, leaving UTF-8 bytes alone */
static void ascii_lower(char *s)
{
	for (; *s != '\0'; s++) {
		if (*s >= 'A' && *s <= 'Z')
			*s = (char)(*s - 'A' + 'a');
	}
}

int userdb_query_init(struct pool *pool, const char *rcpt,
		      const char *delimiters, int lowercase,
		      struct userdb_query *q)
{
	size_t len = strlen(rcpt), llen, cut;
	const char *at = strrchr(rcpt, '@');
	char *local, *domain = NULL;

	memset(q, 0, sizeof(*q));
	if (len == 0 || len > USERDB_NAME_MAX)
		return 0;
	llen = at != NULL ? (size_t)(at - rcpt) : len;
	if (at != NULL) {
		if (!name_is_safe(at + 1, strlen(at + 1)))
			return 0;
		domain = pool_strdup(pool, at + 1);
		ascii_lower(domain);
	}
	cut = delimiters[0] == '\0' ? llen : strcspn(rcpt, delimiters);
	if (cut > 0 && cut < llen) {
		if (cut + 1 < llen)	/* "user+@d": no detail */
			q->detail = pool_strndup(pool, rcpt + cut + 1,
						 llen - cut - 1);
		llen = cut;
	}
	if (!name_is_safe(rcpt, llen))
		return 0;
	local = pool_strndup(pool, rcpt, llen);
	if (lowercase)
		ascii_lower(local);
	q->localpart = local;
	q->domain = domain;
	q->user = domain == NULL ? local
		: pool_printf(pool, "%s@%s", local, domain);
	return 1;
}

enum userdb_result userdb_lookup(struct userdb *db, struct pool *pool,
				 const char *recipient,
				 struct user_record **rec_r,
				 struct sl_err *err)
{
	struct userdb_query q;
	size_t i;

	*rec_r = NULL;
	if (!userdb_query_init(pool, recipient, db->delimiters, db->lowercase,
			       &q))
		return USERDB_NOTFOUND;
	for (i = 0; i < db->n_backends; i++) {
		struct userdb_backend *be = db->backends[i];
		enum userdb_result r = be->v->lookup(be, pool, &q, rec_r, err);

		if (r == USERDB_NOTFOUND)
			continue;
		if (r == USERDB_FOUND) {
			(*rec_r)->detail = q.detail;
			if ((*rec_r)->source == NULL)
				(*rec_r)->source = be->v->name;
		} else {
			*rec_r = NULL;
			err->cls = ERR_TEMP;
		}
		return r;
	}
	return USERDB_NOTFOUND;
}

struct user_record *userdb_record_new(struct pool *pool,
				      const struct userdb_query *q,
				      const char *key)
{
	struct user_record *rec = pool_alloc(pool, sizeof(*rec));

	rec->user = key;
	rec->localpart = q->localpart;
	rec->domain = strcmp(key, q->user) == 0 ? q->domain : NULL;
	rec->detail = q->detail;
	return rec;
}

enum userdb_result userdb_tempfail(struct sl_err *err, const char *fmt, ...)
{
	va_list ap;

	err->cls = ERR_TEMP;
	va_start(ap, fmt);
	(void)vsnprintf(err->text, sizeof(err->text), fmt, ap);
	va_end(ap);
	return USERDB_TEMPFAIL;
}

enum userdb_result userdb_tempfail_errno(struct sl_err *err, int errnum,
					 const char *fmt, ...)
{
	va_list ap;
	int n;

	err->cls = ERR_TEMP;
	va_start(ap, fmt);
	n = vsnprintf(err->text, sizeof(err->text), fmt, ap);
	va_end(ap);
	if (n >= 0 && (size_t)n < sizeof(err->text))
		(void)snprintf(err->text + n, sizeof(err->text) - (size_t)n,
			       ": %s", strerror(errnum));
	return USERDB_TEMPFAIL;
}

void userdb_file_stamp_set(struct userdb_file_stamp *s, const struct stat *st)
{
	s->dev = st->st_dev;
	s->ino = st->st_ino;
	s->size = st->st_size;
	s->mtime = st->st_mtim;
	s->ctime = st->st_ctim;
}

int userdb_file_stamp_equal(const struct userdb_file_stamp *s,
			    const struct stat *st)
{
	return s->dev == st->st_dev && s->ino == st->st_ino &&
		s->size == st->st_size &&
		s->mtime.tv_sec == st->st_mtim.tv_sec &&
		s->mtime.tv_nsec == st->st_mtim.tv_nsec &&
		s->ctime.tv_sec == st->st_ctim.tv_sec &&
		s->ctime.tv_nsec == st->st_ctim.tv_nsec;
}

/* id_by_name - getpwnam_r/getgrnam_r: 1 found, 0 no such name, -1 the
 * name service failed (errno-like code in *errnum_r) */
static int id_by_name(const char *name, int is_gid, unsigned long *id_r,
		      int *errnum_r)
{
	size_t size = 1024;
	char *mem = NULL;
	int ret;

	for (;;) {
		struct passwd pw, *pwp = NULL;
		struct group gr, *grp = NULL;

		mem = xrealloc(mem, size);
		ret = is_gid ? getgrnam_r(name, &gr, mem, size, &grp)
			: getpwnam_r(name, &pw, mem, size, &pwp);
		if (ret == ERANGE && size < 1024 * 1024) {
			size *= 4;
			continue;
		}
		if (ret == 0 && (is_gid ? grp != NULL : pwp != NULL)) {
			*id_r = is_gid ? (unsigned long)grp->gr_gid
				: (unsigned long)pwp->pw_uid;
			ret = 1;
		} else if (ret == 0 || ret == ENOENT || ret == ESRCH ||
			   ret == EBADF || ret == EPERM) {
			ret = 0;	/* "not found", as getpwnam(3) lists */
		} else {
			*errnum_r = ret;
			ret = -1;
		}
		free(mem);
		return ret;
	}
}

int userdb_parse_id(const char *s, int is_gid, unsigned long *id_r,
		    struct sl_err *err)
{
	const char *what = is_gid ? "gid" : "uid";
	int errnum = 0, r;

	if (*s != '\0' && s[strspn(s, "0123456789")] == '\0') {
		char *end;

		errno = 0;
		*id_r = strtoul(s, &end, 10);
		if (*end != '\0' || errno != 0 ||
		    *id_r >= (unsigned long)(is_gid ? (gid_t)-1 : (uid_t)-1)) {
			err_set(err, ERR_TEMP, "bad %s '%s'", what, s);
			return 0;
		}
		return 1;
	}
	if (*s == '\0') {
		err_set(err, ERR_TEMP, "empty %s", what);
		return 0;
	}
	r = id_by_name(s, is_gid, id_r, &errnum);
	if (r == 0)
		err_set(err, ERR_TEMP, "%s '%s': no such %s", what, s,
			is_gid ? "group" : "user");
	else if (r < 0)
		userdb_tempfail_errno(err, errnum, "%s '%s': lookup failed",
				      what, s);
	return r;
}

/* expand_value - one variable's value: 1 with *v_r (may be NULL for
 * none), 0 unknown */
static int expand_value(const char *name, size_t len,
			const struct user_record *rec, const char **v_r)
{
	static const struct { const char *shortname, *longname; } vars[] = {
		{ "u", "user" }, { "n", "username" }, { "d", "domain" },
		{ "h", "home" },
	};
	size_t i;

	for (i = 0; i < sizeof(vars) / sizeof(vars[0]); i++) {
		if ((len == 1 && name[0] == vars[i].shortname[0]) ||
		    (len == strlen(vars[i].longname) &&
		     memcmp(name, vars[i].longname, len) == 0))
			break;
	}
	switch (i) {
	case 0: *v_r = rec->user != NULL ? rec->user : ""; return 1;
	case 1: *v_r = rec->localpart != NULL ? rec->localpart : ""; return 1;
	case 2: *v_r = rec->domain != NULL ? rec->domain : ""; return 1;
	case 3: *v_r = rec->home; return 1;
	default: return 0;
	}
}

/* expand_append - value with the case modifier applied */
static void expand_append(struct buf *out, const char *v, int mod)
{
	size_t start = out->len, i;

	buf_append_str(out, v);
	for (i = start; i < out->len && mod != 0; i++) {
		unsigned char c = (unsigned char)out->data[i];

		if (mod == 'L' && c >= 'A' && c <= 'Z')
			out->data[i] = (char)(c - 'A' + 'a');
		else if (mod == 'U' && c >= 'a' && c <= 'z')
			out->data[i] = (char)(c - 'a' + 'A');
	}
}

int userdb_expand_buf(struct buf *out, const char *tmpl, size_t len,
		      const struct user_record *rec, struct sl_err *err)
{
	size_t i = 0;

	while (i < len) {
		const char *pct = memchr(tmpl + i, '%', len - i);
		const char *name, *v = NULL;
		size_t nlen, j, next;
		int mod = 0;

		if (pct == NULL) {
			buf_append(out, tmpl + i, len - i);
			break;
		}
		buf_append(out, tmpl + i, (size_t)(pct - (tmpl + i)));
		j = (size_t)(pct - tmpl) + 1;
		while (j < len && (tmpl[j] == 'L' || tmpl[j] == 'U'))
			mod = tmpl[j++];
		if (j == len)
			return err_set(err, ERR_USAGE, "'%%' at the end of %.*s",
				       (int)len, tmpl);
		if (tmpl[j] == '%' && mod == 0) {
			buf_append_char(out, '%');
			i = j + 1;
			continue;
		}
		name = tmpl + j;
		nlen = 1;
		next = j + 1;
		if (tmpl[j] == '{') {
			const char *close = memchr(tmpl + j, '}', len - j);

			if (close == NULL)
				return err_set(err, ERR_USAGE, "unclosed %%{ in %.*s",
					       (int)len, tmpl);
			name = tmpl + j + 1;
			nlen = (size_t)(close - name);
			next = (size_t)(close - tmpl) + 1;
		}
		if (!expand_value(name, nlen, rec, &v))
			return err_set(err, ERR_USAGE,
				       "unknown variable %.*s in %.*s",
				       (int)(tmpl + next - pct), pct,
				       (int)len, tmpl);
		if (v == NULL)
			return err_set(err, ERR_USAGE,
				       "%.*s uses the home, but %s has none",
				       (int)len, tmpl,
				       rec->user != NULL ? rec->user : "the user");
		expand_append(out, v, mod);
		i = next;
	}
	return 0;
}

char *userdb_expand(struct pool *pool, const char *tmpl,
		    const struct user_record *rec)
{
	struct buf out = BUF_INIT;
	struct sl_err err;
	char *ret = NULL;

	if (userdb_expand_buf(&out, tmpl, strlen(tmpl), rec, &err) == 0)
		ret = pool_strndup(pool, buf_cstr(&out), out.len);
	buf_free(&out);
	return ret;
}
