/* userdb-ldap.c - ldap:PATH, Dovecot's dovecot-ldap.conf.ext: the one
 * entry user_filter finds under base, its attributes mapped by
 * user_attrs to the user's fields */
#include "auto-config.h"
#include "userdb-private.h"
#include "config.h"
#include "ldap-db.h"
#include "log.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>

struct uldap_backend {
	struct userdb_backend be;
	char *path;
	struct ldap_db *db;	/* NULL until the conf file could be read */
	uint64_t ttl;		/* userdb_cache_ttl */
};

static int uldap_init(const char *args, struct userdb_backend **be_r,
		      struct sl_err *err)
{
	const struct config *cfg = userdb_config();
	struct uldap_backend *lb;
	struct sl_err e;

	if (args == NULL || *args == '\0')
		return err_set(err, ERR_USAGE, "userdb: ldap needs the path of "
			       "a dovecot-ldap.conf.ext: ldap:PATH");
	lb = xcalloc(1, sizeof(*lb));
	lb->be.v = &userdb_ldap;
	lb->path = xstrdup(args);
	if (cfg != NULL)
		lb->ttl = config_time(cfg, "userdb_cache_ttl");
	/* a conf that cannot be read now is a temporary failure at
	 * lookup time; one that is wrong is an error now */
	err_clear(&e);
	if (ldap_db_open(lb->path, NULL, &lb->db, &e) < 0 &&
	    e.cls == ERR_USAGE) {
		err_set(err, ERR_USAGE, "userdb: ldap: %s", e.text);
		free(lb->path);
		free(lb);
		return -1;
	}
	*be_r = &lb->be;
	return 0;
}

static void uldap_deinit(struct userdb_backend **be)
{
	struct uldap_backend *lb = (struct uldap_backend *)*be;

	ldap_db_close(&lb->db);
	free(lb->path);
	free(lb);
	*be = NULL;
}

/* uldap_is_special - a field the record holds once */
static int uldap_is_special(const char *key)
{
	static const char *const keys[] = { "user", "uid", "gid", "home",
					     "mail", "quota_rule", "sieve" };
	size_t i;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		if (strcmp(key, keys[i]) == 0)
			return 1;
	}
	return 0;
}

/* uldap_record - the mapped fields as a record: the record's own fields
 * take the first value (as Dovecot; more are logged), any other field
 * is kept once per value; password fields are never kept */
static enum userdb_result uldap_record(struct uldap_backend *lb,
				       struct pool *pool,
				       const struct userdb_query *q,
				       const struct ldap_mapped *m, size_t n,
				       struct user_record **rec_r,
				       struct sl_err *err)
{
	struct user_record *rec = userdb_record_new(pool, q, q->user);
	struct user_field *fields;
	size_t i, j, total = 0, k = 0;
	struct sl_err e;
	int r;

	for (i = 0; i < n; i++)
		total += m[i].n_values;
	fields = pool_alloc_array(pool, total + 1, sizeof(*fields));
	for (i = 0; i < n; i++) {
		const char *key = m[i].name;

		if (strncmp(key, "userdb_", 7) == 0 && key[7] != '\0')
			key += 7;
		if (strstr(key, "pass") != NULL && strcmp(key, "nopassword") != 0)
			continue;	/* password, pass (proxy): never kept */
		key = pool_strdup(pool, key);
		if (!uldap_is_special(key)) {
			for (j = 0; j < m[i].n_values; j++) {
				fields[k].key = key;
				fields[k++].value = pool_strdup(pool, m[i].values[j]);
			}
			continue;
		}
		if (m[i].n_values > 1)
			log_warning("userdb ldap %s: %s: %zu values for %s, "
				    "using the first", lb->path, q->user,
				    m[i].n_values, key);
		err_clear(&e);
		r = userdb_record_field(pool, rec, key,
					pool_strdup(pool, m[i].values[0]), &e);
		if (r < 0)
			return userdb_tempfail(err, "userdb ldap %s: %s: %s",
					       lb->path, q->user, e.text);
		if (r > 0) {
			fields[k].key = key;
			fields[k++].value = pool_strdup(pool, m[i].values[0]);
		}
	}
	rec->fields = fields;
	rec->n_fields = k;
	rec->source = "ldap";
	*rec_r = rec;
	return USERDB_FOUND;
}

/* uldap_lookup - user_filter with the name's parts escaped; the answer
 * may come from the per-process cache (userdb_cache_ttl) */
static enum userdb_result uldap_lookup(struct userdb_backend *be,
				       struct pool *pool,
				       const struct userdb_query *q,
				       struct user_record **rec_r,
				       struct sl_err *err)
{
	struct uldap_backend *lb = (struct uldap_backend *)be;
	const struct ldap_conf *conf;
	struct ldap_db_result *res = NULL;
	struct ldap_mapped *m;
	struct sql_vars vars;
	enum userdb_result ret;
	struct sl_err e;
	size_t n;
	int r;

	err_clear(&e);
	if (lb->db == NULL && ldap_db_open(lb->path, NULL, &lb->db, &e) < 0)
		return userdb_tempfail(err, "userdb ldap: %s", e.text);
	conf = ldap_db_conf(lb->db);
	memset(&vars, 0, sizeof(vars));
	vars.user = q->user;
	vars.username = q->localpart;
	vars.domain = q->domain;
	vars.service = sql_service();
	r = ldap_db_find(lb->db, conf->user_filter, &conf->user_map, &vars,
			 lb->ttl, &res, &e);
	if (r < 0)
		return userdb_tempfail(err, "userdb ldap: %s", e.text);
	if (r == 0)
		return USERDB_NOTFOUND;
	if (ldap_conf_map(pool, &conf->user_map, &res->entries[0], &vars, &m,
			  &n, &e) < 0)
		ret = userdb_tempfail(err, "userdb ldap %s: %s: %s", lb->path,
				      q->user, e.text);
	else
		ret = uldap_record(lb, pool, q, m, n, rec_r, err);
	ldap_db_result_free(&res);
	return ret;
}

const struct userdb_backend_vfuncs userdb_ldap = {
	"ldap", uldap_init, uldap_deinit, uldap_lookup,
};
