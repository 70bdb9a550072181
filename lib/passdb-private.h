/* passdb-private - what the passdb backends share; not for other modules.
 *
 * Each backend (passdb-file.c: passwd-file and bdb; passdb-static.c;
 * sql in passdb-sql.c) fills a struct passdb_backend_vfuncs and is
 * listed in passdb.c's passdb_drivers[]. passdb.c parses the `passdb`
 * key, normalizes the login name into a struct userdb_query (as the
 * userdb does, without recipient_delimiter), asks the backends in order
 * for the stored password and checks it (password.h).
 */
#ifndef SLUICE_PASSDB_PRIVATE_H
#define SLUICE_PASSDB_PRIVATE_H

#include "passdb.h"
#include "userdb-private.h"

/* the most backends one passdb key may list */
#define PASSDB_BACKENDS_MAX 16

/* What a backend found for a user. Strings belong to the lookup's pool. */
struct passdb_entry {
	const char *user;	/* the name found (canonical) */
	const char *password;	/* "{SCHEME}data" as stored (no prefix:
				   default_scheme); NULL or "": none */
	const char *default_scheme;	/* NULL: the default_pass_scheme key */
	int nopassword;		/* Dovecot's nopassword: with no password
				   stored, any password is right */
	const struct user_field *fields;	/* never a password */
	size_t n_fields;
};

struct passdb_backend;

struct passdb_backend_vfuncs {
	const char *name;	/* as in the passdb key: "passwd-file" */
	/* init - args is what follows "name:" (NULL if no ':'); cfg is
	 * the config being opened (valid during init only); a syntax error
	 * is ERR_USAGE */
	int (*init)(const char *args, const struct config *cfg,
		    struct passdb_backend **be_r, struct sl_err *err);
	void (*deinit)(struct passdb_backend **be);
	/* lookup - PASSDB_OK with *e filled from pool, PASSDB_NOUSER, or
	 * PASSDB_TEMPFAIL with err set; passdb.c checks the password */
	enum passdb_result (*lookup)(struct passdb_backend *be,
				     struct pool *pool,
				     const struct userdb_query *q,
				     struct passdb_entry *e,
				     struct sl_err *err);
	/* verify - NULL for backends that hand over the stored password;
	 * set by those that check it themselves (LDAP auth_bind): any
	 * passdb_result, *e filled for PASSDB_OK */
	enum passdb_result (*verify)(struct passdb_backend *be,
				     struct pool *pool,
				     const struct userdb_query *q,
				     const char *password, size_t len,
				     struct passdb_entry *e,
				     struct sl_err *err);
};

/* Backends embed this as their first member. */
struct passdb_backend {
	const struct passdb_backend_vfuncs *v;
};

extern const struct passdb_backend_vfuncs passdb_passwd_file;
extern const struct passdb_backend_vfuncs passdb_bdb;
extern const struct passdb_backend_vfuncs passdb_static;
#ifdef HAVE_SQL_PASSDB
extern const struct passdb_backend_vfuncs passdb_sql;
#endif
#ifdef HAVE_LDAP_PASSDB
extern const struct passdb_backend_vfuncs passdb_ldap;
#endif

/* passdb_entry_check - the password given against the one e holds, as
 * Dovecot checks it: with none stored only a nopassword entry passes;
 * the entry's default scheme, else default_scheme, for a hash without
 * a {SCHEME}; a stored string that cannot be checked is a mismatch and
 * a warning naming backend; ERR_TEMP failures are PASSDB_TEMPFAIL. */
enum passdb_result passdb_entry_check(const char *backend,
				      const struct passdb_entry *e,
				      const char *default_scheme,
				      const char *password, size_t len,
				      struct sl_err *err);

/* passdb_fields_parse - space-separated "key[=value]" tokens (the extra
 * fields of a passwd-file line, static's arguments) into e->fields,
 * keys as written (userdb_ prefix kept); fields that hold passwords
 * (a key containing "pass" but "nopassword") are dropped, nopassword
 * sets e->nopassword. At most USERDB_FIELDS_MAX fields: more is -1
 * with err (ERR_TEMP; what names the entry). */
int passdb_fields_parse(struct pool *pool, const char *s, size_t len,
			struct passdb_entry *e, const char *what,
			struct sl_err *err);

/* passdb_entry_parse - e from a passwd-file line after "user:"
 * (password:uid:gid:gecos:home:shell:extra_fields): the password and the
 * extra fields; an old-format line (empty 7th field, a mail location)
 * has none. */
int passdb_entry_parse(struct pool *pool, const char *rest, size_t len,
		       struct passdb_entry *e, const char *what,
		       struct sl_err *err);

#endif
