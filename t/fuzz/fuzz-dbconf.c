/* fuzz-dbconf.c - the dovecot-sql.conf.ext and dovecot-ldap.conf.ext
 * readers on arbitrary bytes: the first byte picks the reader (even:
 * sql_conf_parse, odd: ldap_conf_parse), the rest is the file. A conf
 * that parses then has its templates expanded with hostile values, and
 * for LDAP its user_attrs and pass_attrs mapped over a small entry. */
#include "auto-config.h"
#include "lib/ldap-db.h"
#include "lib/sql.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const struct sql_vars vars = { "*)(uid=*\\@x", "*)(uid=*\\", "x",
				      "lda", "/home/%u", "127.0.0.1", "::1" };

/* fuzz_sql - parse, then expand the queries */
static void fuzz_sql(const char *text, size_t len)
{
	struct sql_conf *c = NULL;
	struct buf out = BUF_INIT;
	struct sl_err err;

	err_clear(&err);
	if (sql_conf_parse("/nonexistent/fuzz.conf", text, len, &c, &err) < 0)
		return;
	(void)sql_expand(&out, c->user_query, &vars, sql_escape_sqlite, NULL,
			 &err);
	buf_reset(&out);
	(void)sql_expand(&out, c->password_query, &vars, sql_escape_sqlite,
			 NULL, &err);
	buf_free(&out);
	sql_conf_free(&c);
}

/* fuzz_ldap - parse, expand the filters and DNs, map an entry */
static void fuzz_ldap(const char *text, size_t len)
{
	static const char *v_a[] = { "1000", "2000" };
	static const size_t l_a[] = { 4, 4 };
	struct ldap_db_attr attrs[3] = {
		{ "uid", 2, v_a, l_a }, { "homeDirectory", 2, v_a, l_a },
		{ "userPassword", 2, v_a, l_a },
	};
	struct ldap_db_entry entry = { "uid=x,dc=example", 3, attrs };
	struct ldap_conf *c = NULL;
	struct ldap_mapped *m;
	struct buf out = BUF_INIT;
	struct pool *pool;
	struct sl_err err;
	size_t n;

	err_clear(&err);
	if (ldap_conf_parse("/nonexistent/fuzz.conf", text, len, &c, &err) < 0)
		return;
	(void)ldap_conf_expand_filter(&out, c->user_filter, &vars, &err);
	buf_reset(&out);
	(void)ldap_conf_expand_dn(&out, c->base, &vars, &err);
	if (c->auth_bind_userdn != NULL) {
		buf_reset(&out);
		(void)ldap_conf_expand_dn(&out, c->auth_bind_userdn, &vars, &err);
	}
	buf_free(&out);
	pool = pool_new(1024);
	(void)ldap_conf_map(pool, &c->user_map, &entry, &vars, &m, &n, &err);
	(void)ldap_conf_map(pool, &c->pass_map, &entry, &vars, &m, &n, &err);
	pool_free(&pool);
	ldap_conf_free(&c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	if (data[0] & 1)
		fuzz_ldap((const char *)data + 1, size - 1);
	else
		fuzz_sql((const char *)data + 1, size - 1);
	return 0;
}
