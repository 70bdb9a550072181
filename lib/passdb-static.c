/* passdb-static.c - static:password=P [key=value...]: every user, one
 * password (Dovecot's static passdb: P may carry a {SCHEME}, PLAIN
 * without one); "nopassword" instead accepts any password */
#include "auto-config.h"
#include "passdb-private.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>

struct static_backend {
	struct passdb_backend be;
	struct pool *pool;	/* the parsed arguments */
	char *password;		/* NULL with nopassword */
	struct passdb_entry fields;	/* the other arguments */
};

/* static_password - take and drop the password= token from args: it
 * must not land among the reply's fields */
static char *static_password(const char *args, struct buf *rest)
{
	const char *p = args;
	char *password = NULL;

	while (*p != '\0') {
		size_t len;

		p += strspn(p, " \t");
		len = strcspn(p, " \t");
		if (len > 9 && strncmp(p, "password=", 9) == 0 &&
		    password == NULL)
			password = xstrndup(p + 9, len - 9);
		else if (len > 0) {
			buf_append(rest, p, len);
			buf_append_char(rest, ' ');
		}
		p += len;
	}
	return password;
}

static int static_init(const char *args, const struct config *cfg,
		       struct passdb_backend **be_r, struct sl_err *err)
{
	struct static_backend *sb = xcalloc(1, sizeof(*sb));
	struct buf rest = BUF_INIT;
	int r;

	sb->be.v = &passdb_static;
	sb->pool = pool_new(1024);
	sb->password = static_password(args != NULL ? args : "", &rest);
	r = passdb_fields_parse(sb->pool, buf_cstr(&rest), rest.len,
				&sb->fields, "passdb static", err);
	buf_free(&rest);
	if (r == 0 && (sb->password == NULL) == !sb->fields.nopassword)
		r = err_set(err, ERR_USAGE, "passdb: static needs either "
			    "password=P or nopassword: static:password=P");
	if (r < 0) {
		if (sb->password != NULL)
			explicit_bzero(sb->password, strlen(sb->password));
		free(sb->password);
		pool_free(&sb->pool);
		free(sb);
		return -1;
	}
	*be_r = &sb->be;
	return 0;
}

static void static_deinit(struct passdb_backend **be)
{
	struct static_backend *sb = (struct static_backend *)*be;

	if (sb->password != NULL)
		explicit_bzero(sb->password, strlen(sb->password));
	free(sb->password);
	pool_free(&sb->pool);
	free(sb);
	*be = NULL;
}

/* static_lookup - every (safe, normalized) name is a user */
static enum passdb_result static_lookup(struct passdb_backend *be,
					struct pool *pool,
					const struct userdb_query *q,
					struct passdb_entry *e,
					struct sl_err *err)
{
	struct static_backend *sb = (struct static_backend *)be;
	struct user_field *f;
	size_t i;

	e->user = q->user;
	e->password = sb->password != NULL
		? pool_strdup(pool, sb->password) : NULL;
	e->default_scheme = "PLAIN";
	e->nopassword = sb->fields.nopassword;
	/* the reply outlives this backend: copy into its pool */
	f = pool_alloc_array(pool, sb->fields.n_fields + 1, sizeof(*f));
	for (i = 0; i < sb->fields.n_fields; i++) {
		f[i].key = pool_strdup(pool, sb->fields.fields[i].key);
		f[i].value = pool_strdup(pool, sb->fields.fields[i].value);
	}
	e->fields = f;
	e->n_fields = sb->fields.n_fields;
	return PASSDB_OK;
}

const struct passdb_backend_vfuncs passdb_static = {
	"static", static_init, static_deinit, static_lookup, NULL,
};
