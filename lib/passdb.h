/* passdb - who may log in: the stored password of a user, checked
 * against what a client sent (SMTP AUTH through sluice-auth; later the
 * access daemons). The userdb (userdb.h) says where mail goes; the
 * passdb says who is who. Both read the same files and databases.
 *
 * Backends, tried in the order of the `passdb` key (comma-separated):
 *   passwd-file:PATH   Dovecot's passwd-file: the second field,
 *                      "{SCHEME}hash" (default scheme: default_pass_scheme,
 *                      CRYPT as in Dovecot)
 *   bdb:PATH           the same entries in a Berkeley DB built by
 *                      `sluice userdb build`
 *   sql:PATH           dovecot-sql.conf.ext's password_query (driver
 *                      sqlite, mysql, pgsql; its default_pass_scheme)
 *   ldap:PATH          dovecot-ldap.conf.ext (pass_attrs/pass_filter, or
 *                      auth_bind)
 *   static:password=P  every user, one password (tests, proxies)
 * The user name is normalized as the userdb does it (username_lowercase,
 * recipient_delimiter is NOT applied: a login name is taken as given,
 * lowercased). The first backend that knows the user answers; one that
 * cannot answer (a database down) makes the result PASSDB_TEMPFAIL,
 * never "no such user".
 */
#ifndef SLUICE_PASSDB_H
#define SLUICE_PASSDB_H

#include "buf.h"
#include "err.h"
#include "pool.h"
#include "userdb.h"

struct config;

enum passdb_result {
	PASSDB_TEMPFAIL = -1,	/* cannot tell now (err says why) */
	PASSDB_NOUSER = 0,	/* no such user */
	PASSDB_MISMATCH = 1,	/* the user exists, the password is wrong
				   (or the stored hash cannot be checked) */
	PASSDB_OK = 2,
};

struct passdb_reply {
	const char *user;	/* the name the backend found (canonical) */
	const char *source;	/* backend that answered */
	/* extra fields the backend returned (nologin, nodelay, reason,
	 * userdb_* for prefetch), in order; never a password */
	const struct user_field *fields;
	size_t n_fields;
};

struct passdb;

/* passdb_open - parse the passdb key; a syntax error is ERR_USAGE */
int passdb_open(struct passdb **db_r, const struct config *cfg,
		struct sl_err *err);
void passdb_close(struct passdb **db);

/* passdb_verify - check password for user; PASSDB_OK with reply filled
 * from pool, PASSDB_MISMATCH, PASSDB_NOUSER, PASSDB_TEMPFAIL with err.
 * An empty password is always PASSDB_MISMATCH (no backend is asked). */
enum passdb_result passdb_verify(struct passdb *db, struct pool *pool,
				 const char *user, const char *password,
				 size_t password_len,
				 struct passdb_reply *reply,
				 struct sl_err *err);

/* passdb_credentials - the secret a challenge-response mechanism needs
 * ("PLAIN", "CRAM-MD5": see password_credentials) into out: PASSDB_OK,
 * PASSDB_MISMATCH when the stored scheme cannot give it, PASSDB_NOUSER,
 * PASSDB_TEMPFAIL */
enum passdb_result passdb_credentials(struct passdb *db, struct pool *pool,
				      const char *user, const char *want,
				      struct buf *out,
				      struct passdb_reply *reply,
				      struct sl_err *err);

#endif
