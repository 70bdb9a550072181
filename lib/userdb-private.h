/* userdb-private - what the userdb backends share; not for other modules.
 *
 * Each backend (userdb-system.c, userdb-passwd-file.c, userdb-bdb.c,
 * userdb-static.c) fills a struct userdb_backend_vfuncs; userdb.c parses
 * the `userdb` key, normalizes the recipient into a struct userdb_query
 * and asks the backends in order.
 */
#ifndef SLUICE_USERDB_PRIVATE_H
#define SLUICE_USERDB_PRIVATE_H

#include <stddef.h>
#include <sys/stat.h>
#include <time.h>

#include "userdb.h"

/* Limits (one place, as sieve-limits.h in Pigeonhole). */
/* longest recipient looked up: RFC 5321 4.5.3.1 allows a 64-octet local
 * part and a 255-octet domain; MTAs accept longer local parts, so we
 * allow some slack before calling a name impossible */
#define USERDB_NAME_MAX 512
/* longest passwd-file line (and bdb value); Dovecot has no limit, but
 * an entry is a few hundred bytes; longer is a corrupt file */
#define USERDB_LINE_MAX 65536
/* extra fields kept per entry */
#define USERDB_FIELDS_MAX 256
/* largest passwd-file that is cached whole in memory; a larger one is
 * scanned line by line on every lookup */
#define USERDB_FILE_CACHE_MAX (256u * 1024 * 1024)

/* The recipient after normalization (see userdb.h): what backends look
 * up. Strings belong to the lookup's pool. */
struct userdb_query {
	const char *user;	/* "local@domain", or "local" if no domain */
	const char *localpart;
	const char *domain;	/* NULL if none */
	const char *detail;	/* NULL if none */
};

struct userdb_backend;

struct userdb_backend_vfuncs {
	const char *name;	/* as in the userdb key: "passwd-file" */
	/* init - args is what follows "name:" (NULL if no ':'); a syntax
	 * error is ERR_USAGE */
	int (*init)(const char *args, struct userdb_backend **be_r,
		    struct sl_err *err);
	void (*deinit)(struct userdb_backend **be);
	/* lookup - USERDB_FOUND with *rec_r from pool (userdb.c fills in
	 * detail and source), NOTFOUND, or TEMPFAIL with err set */
	enum userdb_result (*lookup)(struct userdb_backend *be,
				     struct pool *pool,
				     const struct userdb_query *q,
				     struct user_record **rec_r,
				     struct sl_err *err);
};

/* Backends embed this as their first member. */
struct userdb_backend {
	const struct userdb_backend_vfuncs *v;
};

extern const struct userdb_backend_vfuncs userdb_system;
extern const struct userdb_backend_vfuncs userdb_passwd_file;
extern const struct userdb_backend_vfuncs userdb_bdb;
extern const struct userdb_backend_vfuncs userdb_static;
extern const struct userdb_backend_vfuncs userdb_sql;
extern const struct userdb_backend_vfuncs userdb_ldap;

/* userdb_config - the config userdb_open is reading, for backends'
 * init to take their keys from (NULL at any other time) */
const struct config *userdb_config(void);

/* userdb_file_stamp - what identifies one version of a file: a lookup
 * re-reads (or re-opens) when any of these change. */
struct userdb_file_stamp {
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtime, ctime;
};
void userdb_file_stamp_set(struct userdb_file_stamp *s, const struct stat *st);
int userdb_file_stamp_equal(const struct userdb_file_stamp *s,
			    const struct stat *st);

/* userdb_query_init - name -> query as userdb.h describes it
 * (delimiters: recipient_delimiter, "" for none; lowercase:
 * username_lowercase); 0 when the name can be no user. The passdb
 * (passdb.c) uses it too, without delimiters. */
int userdb_query_init(struct pool *pool, const char *name,
		      const char *delimiters, int lowercase,
		      struct userdb_query *q);

/* A passwd-file or bdb entry as found, before it is parsed: what the
 * userdb and the passdb (passdb-file.c) both read. */
struct userdb_entry {
	const char *key;	/* q->user, or q->localpart for a bare match */
	const char *rest;	/* the line after "key:", NUL-terminated,
				   valid until the backend's next lookup */
	size_t rest_len;
	unsigned long lineno;	/* passwd-file line; 0 for bdb */
};
/* userdb_passwd_file_find, userdb_bdb_find - the entry for q in a
 * backend made by that driver's init, with the key rules and caching of
 * userdb.h: USERDB_FOUND with *e, USERDB_NOTFOUND, USERDB_TEMPFAIL */
enum userdb_result userdb_passwd_file_find(struct userdb_backend *be,
					   struct pool *pool,
					   const struct userdb_query *q,
					   struct userdb_entry *e,
					   struct sl_err *err);
enum userdb_result userdb_bdb_find(struct userdb_backend *be,
				   struct pool *pool,
				   const struct userdb_query *q,
				   struct userdb_entry *e, struct sl_err *err);

/* userdb_tempfail - err_set with class ERR_TEMP; returns USERDB_TEMPFAIL */
enum userdb_result userdb_tempfail(struct sl_err *err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* userdb_tempfail_errno - "<what>: strerror", class ERR_TEMP whatever
 * the errno (a missing file is a temporary failure here) */
enum userdb_result userdb_tempfail_errno(struct sl_err *err, int errnum,
					 const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* userdb_parse_id - a uid or gid given as a number (all digits) or a
 * name (anything else, as Dovecot's userdb_parse_uid). Returns 1
 * with *id_r set, 0 for an unknown name or a bad number (err says
 * which), -1 when the name service failed (err set). */
int userdb_parse_id(const char *s, int is_gid, unsigned long *id_r,
		    struct sl_err *err);

/* userdb_record_new - a record for q found under key (key is q->user or
 * q->localpart; the record's user/localpart/domain follow the key) */
struct user_record *userdb_record_new(struct pool *pool,
				      const struct userdb_query *q,
				      const char *key);

/* userdb_record_field - one field a database gave (an sql column, an
 * ldap attribute; any userdb_ prefix already off) onto rec: "user"
 * renames the user (a name that is safe in a path, else ERR_TEMP),
 * uid and gid (numbers or names), home, mail, quota_rule and sieve set
 * the record's own (empty: unset); a password field is never kept.
 * 1: keep it as an extra field too, 0: not, -1 with err (ERR_TEMP).
 * v must live as long as rec (it is not copied). */
int userdb_record_field(struct pool *pool, struct user_record *rec,
			const char *key, const char *v, struct sl_err *err);

/* userdb_entry_parse - fill rec from the part of a passwd-file line
 * after "user:" (password:uid:gid:gecos:home:shell:extra_fields; fields
 * may be missing or empty). The password is skipped and never copied.
 * Returns 0, or -1 with err (class ERR_TEMP) for a bad uid/gid or a bad
 * template in a userdb_ field. what names the entry in errors. */
int userdb_entry_parse(struct pool *pool, const char *rest, size_t len,
		       struct user_record *rec, const char *what,
		       struct sl_err *err);

/* A bounded line reader over a file descriptor (passwd-file text). */
struct userdb_line_reader {
	int fd;
	const char *path;
	char *buf;
	size_t start, end;
	unsigned long lineno;
	int eof;
};
void userdb_line_reader_init(struct userdb_line_reader *r, int fd,
			     const char *path);
void userdb_line_reader_deinit(struct userdb_line_reader *r);
/* userdb_line_next - the next line without its "\n" or "\r\n", NUL
 * terminated: 1 with *line_r and *len_r (valid until the next call), 0 at
 * the end, -1 with err: ERR_TEMP for a read error, ERR_PERM for a line
 * over USERDB_LINE_MAX or a NUL byte (a corrupt file; lookups turn it
 * into a temporary failure). */
int userdb_line_next(struct userdb_line_reader *r, const char **line_r,
		     size_t *len_r, struct sl_err *err);
/* userdb_line_is_entry - not empty, not a comment, has a user name
 * (Dovecot skips lines starting with '#' or ':') */
int userdb_line_is_entry(const char *line, size_t len);
/* userdb_line_key_len - length of the user name: up to the first ':' */
size_t userdb_line_key_len(const char *line, size_t len);

#endif
