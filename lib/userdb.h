/* userdb - who a recipient is and where their mail goes.
 *
 * Backends, tried in the order of the `userdb` key (a comma-separated
 * list):
 *   system             getpwnam(3)
 *   passwd-file:PATH   Dovecot's passwd-file format:
 *                      user:{SCHEME}hash:uid:gid:gecos:home:shell:extra
 *                      (fields may be empty or missing, '#' comments;
 *                      uid/gid numbers or names; extra fields are
 *                      space-separated key=value, userdb_KEY marks a
 *                      userdb field, plain mail=, quota_rule= and sieve=
 *                      count too when no userdb_ twin is given; Dovecot's
 *                      old format, an empty 8th field then the mail
 *                      location, is read as userdb_mail)
 *   bdb:PATH           a Berkeley DB hash (or btree) built by
 *                      `sluice userdb build` from that text format: key
 *                      the user name, value the rest of the line
 *   static:ARGS        accepts every user: "uid=U gid=G home=TEMPLATE
 *                      [mail=LOCATION] [key=value...]"
 *   sql:PATH           Dovecot's dovecot-sql.conf.ext: its user_query's
 *                      first row (sql.h, userdb-sql.c); answers cached
 *                      per process for userdb_cache_ttl
 *   ldap:PATH          Dovecot's dovecot-ldap.conf.ext: the one entry
 *                      its user_filter finds, mapped by user_attrs
 *                      (ldap-db.h, userdb-ldap.c); cached as sql's
 * The first backend that finds the user answers. A backend that cannot
 * answer (file missing, unreadable or corrupt, name service down, a uid
 * name that does not resolve) makes the whole lookup a temporary failure,
 * never "no such user": later backends are not asked, since the user may
 * live in the one that failed.
 *
 * Address handling, before any backend is asked: the recipient may be
 * user@domain (split at the last '@') or a bare user; the first
 * character of the local part that is one of recipient_delimiter's
 * characters splits off a detail (user+detail -> user, detail kept as
 * written), unless it is the first character; with username_lowercase
 * (default) the local part is lowercased; domains are always lowercased
 * (ASCII only). Names that are empty, longer than 512 bytes, hold
 * control characters, '/' or ':', or have "." or ".." as local part or
 * domain are no user at all (USERDB_NOTFOUND): they could never be a
 * safe path component for a static home.
 *
 * Which key each backend is asked for:
 *   system: "user@domain", then the bare "user" (system users have no
 *     domain; a match on it gives a record without domain).
 *   passwd-file, bdb: keys are matched exactly as written in the file
 *     (as Dovecot does; write them in lowercase when username_lowercase
 *     is on). A bare recipient matches only a bare key. user@domain
 *     matches the key "user@domain"; only if the file has no key with
 *     an '@' at all (a file of plain user names) is the bare "user" then
 *     tried, and a match gives a record without domain. The first line
 *     for a name wins; later duplicates are ignored.
 *   static: every name, as normalized.
 *
 * passwd-file caching: a process's first lookup scans the file line by
 * line and stops at the answer (fastest for sluice-deliver's single
 * lookup); from the second lookup on, the file is read whole into a hash
 * table kept in the struct userdb and re-read only when its inode, size,
 * mtime or ctime change (checked with one stat per lookup). bdb keeps the
 * database open and re-opens it when the file is replaced.
 */
#ifndef SLUICE_USERDB_H
#define SLUICE_USERDB_H

#include <sys/types.h>

#include "err.h"
#include "pool.h"

struct buf;
struct config;

struct user_field {
	const char *key;
	const char *value;	/* "" for a key given without '=' */
};

struct user_record {
	const char *user;	/* the name as found: user@domain or user (%u) */
	const char *localpart;	/* %n */
	const char *domain;	/* %d; NULL if none */
	const char *detail;	/* +detail; NULL if none */
	const char *home;	/* %h; NULL if none */
	const char *mail;	/* mail location as given by the userdb (a
				   template for mail_location_expand), or
				   NULL to use mail_location */
	uid_t uid;
	gid_t gid;
	int has_uid, has_gid;
	const char *quota_rule;	/* e.g. "*:storage=1G"; NULL if none */
	const char *sieve;	/* Sieve script path; NULL if none */
	const char *source;	/* backend that answered, e.g. "passwd-file" */
	/* every extra field as given (userdb_ prefix removed), in file
	 * order, except fields that hold passwords (any key containing
	 * "pass" but "nopassword", e.g. Dovecot's proxy pass=), which are
	 * never kept. Values
	 * of userdb_ fields other than mail are %-expanded (userdb_expand);
	 * others are kept as written. */
	const struct user_field *fields;
	size_t n_fields;
};

enum userdb_result {
	USERDB_TEMPFAIL = -1,
	USERDB_NOTFOUND = 0,
	USERDB_FOUND = 1,
};

struct userdb;

/* userdb_open - parse the userdb key; a syntax error is ERR_USAGE. Files
 * are opened at lookup time, so a missing file is a temporary failure
 * then, not here. recipient_delimiter and username_lowercase are read
 * here too. */
int userdb_open(struct userdb **db_r, const struct config *cfg,
		struct sl_err *err);
void userdb_close(struct userdb **db);
/* userdb_lookup - USERDB_FOUND with *rec_r allocated from pool,
 * USERDB_NOTFOUND, or USERDB_TEMPFAIL with err set (class ERR_TEMP).
 * The record never holds the password. */
enum userdb_result userdb_lookup(struct userdb *db, struct pool *pool,
				 const char *recipient,
				 struct user_record **rec_r,
				 struct sl_err *err);

/* userdb_build - `sluice userdb build`: read a passwd-file format text
 * file and write a Berkeley DB hash to dbpath (via a temp file and
 * rename, so lookups never see half a database). The database gets the
 * text file's permission bits (it holds the password hashes too) and,
 * when run as root, its owner. Errors: the text file missing
 * (ERR_NOTFOUND), a corrupt text file (ERR_PERM), anything else ERR_TEMP.
 * Duplicate names keep the first entry and are logged as warnings. */
int userdb_build(const char *textpath, const char *dbpath,
		 struct sl_err *err);

/* mail_location_expand - split spec "DRIVER:PATH[:KEY=VALUE...]" into a
 * store location and expand it for rec: "maildir:~/Maildir",
 * "maildir:/var/vmail/%d/%n", "mbox:~/mail:INBOX=/var/mail/%u". The
 * driver is the part before the first ':'; "::" stands for a literal ':'
 * in the path or an option; options INBOX=PATH (mbox inbox) is used,
 * other Dovecot options (LAYOUT=, INDEX=, CONTROL=...) are accepted and
 * ignored. In PATH and INBOX= a leading "~" or "~/" is rec->home (an
 * error if the user has none); then %-variables as userdb_expand. The
 * result must be an absolute path. Strings come from pool; errors are
 * ERR_USAGE (a configuration or userdb problem). */
struct store_location;
int mail_location_expand(struct pool *pool, const char *spec,
			 const struct user_record *rec,
			 struct store_location *loc, struct sl_err *err);

/* userdb_expand_buf - append tmpl (len bytes) to out with Dovecot's
 * variables expanded: %u user, %n localpart, %d domain ("" if none),
 * %h home (an error if none), %% a '%'; long forms %{user} %{username}
 * %{domain} %{home}; modifiers before the letter: L lowercase, U
 * uppercase (%Ln, %Ld). An unknown variable, or a '%' at the end, is an
 * error (ERR_USAGE). Returns 0 or -1. */
int userdb_expand_buf(struct buf *out, const char *tmpl, size_t len,
		      const struct user_record *rec, struct sl_err *err);
/* userdb_expand - the same for a whole template, result from pool;
 * NULL if the template is bad (see userdb_expand_buf). */
char *userdb_expand(struct pool *pool, const char *tmpl,
		    const struct user_record *rec);

#endif
