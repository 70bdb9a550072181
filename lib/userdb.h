/* userdb - who a recipient is and where their mail goes.
 *
 * Backends, tried in the order of the `userdb` key: system (getpwnam),
 * passwd-file:PATH (Dovecot's format), bdb:PATH (a Berkeley DB hash built
 * by `sluice userdb build`), static:ARGS. A backend that cannot answer
 * (file missing, corrupt, unreadable) is a temporary failure, never "no
 * such user".
 *
 * Address handling, before any backend is asked: the recipient may be
 * user@domain or a bare user; the first character of recipient_delimiter
 * found in the local part splits off a detail (user+detail -> user, detail
 * kept); with username_lowercase the local part is lowercased; domains are
 * always lowercased. Backends are asked for user@domain, then (for
 * system) the bare local part.
 */
#ifndef SLUICE_USERDB_H
#define SLUICE_USERDB_H

#include <sys/types.h>

#include "err.h"
#include "pool.h"

struct config;

struct user_field {
	const char *key;
	const char *value;
};

struct user_record {
	const char *user;	/* the name as found: user@domain or user (%u) */
	const char *localpart;	/* %n */
	const char *domain;	/* %d; NULL if none */
	const char *detail;	/* +detail; NULL if none */
	const char *home;	/* %h; NULL if none */
	const char *mail;	/* mail location as given by the userdb, or
				   NULL to use mail_location */
	uid_t uid;
	gid_t gid;
	int has_uid, has_gid;
	const char *quota_rule;	/* e.g. "*:storage=1G"; NULL if none */
	const char *sieve;	/* Sieve script path; NULL if none */
	const char *source;	/* backend that answered, e.g. "passwd-file" */
	/* every extra field as given (userdb_ prefix removed) */
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
 * then, not here. */
int userdb_open(struct userdb **db_r, const struct config *cfg,
		struct sl_err *err);
void userdb_close(struct userdb **db);
/* userdb_lookup - USERDB_FOUND with *rec_r allocated from pool,
 * USERDB_NOTFOUND, or USERDB_TEMPFAIL with err set. */
enum userdb_result userdb_lookup(struct userdb *db, struct pool *pool,
				 const char *recipient,
				 struct user_record **rec_r,
				 struct sl_err *err);

/* userdb_build - `sluice userdb build`: read a passwd-file format text
 * file and write a Berkeley DB hash to dbpath (via a temp file and
 * rename, so lookups never see half a database). */
int userdb_build(const char *textpath, const char *dbpath,
		 struct sl_err *err);

/* mail_location_expand - expand %u %n %d %h %% and a leading ~ in spec
 * for rec and split it into a store location: "maildir:PATH",
 * "mbox:PATH[:INBOX=PATH]". Strings come from pool. */
struct store_location;
int mail_location_expand(struct pool *pool, const char *spec,
			 const struct user_record *rec,
			 struct store_location *loc, struct sl_err *err);
/* userdb_expand - expand %u %n %d %h %% in a template for rec */
char *userdb_expand(struct pool *pool, const char *tmpl,
		    const struct user_record *rec);

#endif
