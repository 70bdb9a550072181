/* userdb-static.c - static:uid=U gid=G home=TEMPLATE [mail=...]: every
 * user exists, with the same ids and a home made from their name */
#include "auto-config.h"
#include "userdb-private.h"
#include "buf.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>

struct static_backend {
	struct userdb_backend be;
	struct pool *pool;	/* the parsed arguments */
	struct user_field *args;
	size_t n_args;
	/* resolved on the first lookup (names need the name service) */
	int ids_done;
	unsigned long uid, gid;
	int has_uid, has_gid;
};

/* static_check_template - catch unknown variables at open, not at the
 * first delivery */
static int static_check_template(const struct user_field *f,
				 struct sl_err *err)
{
	struct user_record dummy;
	struct buf b = BUF_INIT;
	struct sl_err e;
	int r;

	if (strcmp(f->key, "mail") == 0 || strcmp(f->key, "uid") == 0 ||
	    strcmp(f->key, "gid") == 0)
		return 0;
	memset(&dummy, 0, sizeof(dummy));
	dummy.user = "user@domain";
	dummy.home = strcmp(f->key, "home") == 0 ? NULL : "/home";
	r = userdb_expand_buf(&b, f->value, strlen(f->value), &dummy, &e);
	buf_free(&b);
	if (r < 0)
		return err_set(err, ERR_USAGE, "userdb: static %s=%s: %s",
			       f->key, f->value, e.text);
	return 0;
}

/* static_parse - "key=value key=value..." into sb->args */
static int static_parse(struct static_backend *sb, const char *args,
			struct sl_err *err)
{
	const char *p = args;

	sb->args = pool_alloc_array(sb->pool, USERDB_FIELDS_MAX,
				    sizeof(*sb->args));
	while (*p != '\0') {
		const char *tok, *eq;
		size_t len;
		struct user_field *f;

		p += strspn(p, " \t");
		tok = p;
		len = strcspn(p, " \t");
		p += len;
		if (len == 0)
			break;
		if (len > 7 && strncmp(tok, "userdb_", 7) == 0) {
			tok += 7;
			len -= 7;
		}
		eq = memchr(tok, '=', len);
		if (eq == NULL || eq == tok)
			return err_set(err, ERR_USAGE, "userdb: static: expected "
				       "key=value, got '%.*s'", (int)len, tok);
		if (sb->n_args == USERDB_FIELDS_MAX)
			return err_set(err, ERR_USAGE, "userdb: static: more "
				       "than %d fields", USERDB_FIELDS_MAX);
		f = &sb->args[sb->n_args++];
		f->key = pool_strndup(sb->pool, tok, (size_t)(eq - tok));
		f->value = pool_strndup(sb->pool, eq + 1,
					(size_t)(tok + len - eq - 1));
		if (static_check_template(f, err) < 0)
			return -1;
	}
	return 0;
}

/* static_check_ids - numbers must be valid now; names wait for lookup */
static int static_check_ids(const struct static_backend *sb,
			    struct sl_err *err)
{
	size_t i;

	for (i = 0; i < sb->n_args; i++) {
		const char *k = sb->args[i].key, *v = sb->args[i].value;
		unsigned long id;
		struct sl_err e;

		if (strcmp(k, "uid") != 0 && strcmp(k, "gid") != 0)
			continue;
		if (*v == '\0' || (v[strspn(v, "0123456789")] == '\0' &&
				   userdb_parse_id(v, k[0] == 'g', &id, &e) <= 0))
			return err_set(err, ERR_USAGE, "userdb: static: bad "
				       "%s '%s'", k, v);
	}
	return 0;
}

static int static_init(const char *args, struct userdb_backend **be_r,
		       struct sl_err *err)
{
	struct static_backend *sb = xcalloc(1, sizeof(*sb));

	sb->be.v = &userdb_static;
	sb->pool = pool_new(1024);
	if (static_parse(sb, args != NULL ? args : "", err) < 0 ||
	    static_check_ids(sb, err) < 0) {
		pool_free(&sb->pool);
		free(sb);
		return -1;
	}
	*be_r = &sb->be;
	return 0;
}

static void static_deinit(struct userdb_backend **be)
{
	struct static_backend *sb = (struct static_backend *)*be;

	pool_free(&sb->pool);
	free(sb);
	*be = NULL;
}

/* static_resolve_ids - uid=/gid= names through the name service, once */
static int static_resolve_ids(struct static_backend *sb, struct sl_err *err)
{
	size_t i;

	for (i = 0; i < sb->n_args && !sb->ids_done; i++) {
		const char *k = sb->args[i].key;
		int is_gid = strcmp(k, "gid") == 0;
		struct sl_err e;

		if (!is_gid && strcmp(k, "uid") != 0)
			continue;
		err_clear(&e);
		if (userdb_parse_id(sb->args[i].value, is_gid,
				    is_gid ? &sb->gid : &sb->uid, &e) <= 0)
			return userdb_tempfail(err, "userdb static: %s", e.text);
		if (is_gid)
			sb->has_gid = 1;
		else
			sb->has_uid = 1;
	}
	sb->ids_done = 1;
	return 0;
}

/* static_lookup - every (safe, normalized) name is a user */
static enum userdb_result static_lookup(struct userdb_backend *be,
					struct pool *pool,
					const struct userdb_query *q,
					struct user_record **rec_r,
					struct sl_err *err)
{
	struct static_backend *sb = (struct static_backend *)be;
	struct user_record *rec = userdb_record_new(pool, q, q->user);
	struct user_field *fields;
	size_t i;

	if (static_resolve_ids(sb, err) < 0)
		return USERDB_TEMPFAIL;
	rec->uid = (uid_t)sb->uid;
	rec->gid = (gid_t)sb->gid;
	rec->has_uid = sb->has_uid;
	rec->has_gid = sb->has_gid;
	fields = pool_alloc_array(pool, sb->n_args + 1, sizeof(*fields));
	/* home first: the other templates may use %h */
	for (i = 0; i < sb->n_args; i++) {
		if (strcmp(sb->args[i].key, "home") == 0 &&
		    (rec->home = userdb_expand(pool, sb->args[i].value,
					       rec)) == NULL)
			return userdb_tempfail(err, "userdb static: bad home "
					       "template %s", sb->args[i].value);
		if (rec->home != NULL && *rec->home == '\0')
			rec->home = NULL;
	}
	for (i = 0; i < sb->n_args; i++) {
		/* the record outlives this backend: copy into its pool */
		const char *k = pool_strdup(pool, sb->args[i].key);
		const char *v = sb->args[i].value;

		fields[i].key = k;
		if (strcmp(k, "mail") == 0) {
			fields[i].value = v = pool_strdup(pool, v);
			rec->mail = *v != '\0' ? v : NULL;
		} else if (strcmp(k, "home") == 0) {
			fields[i].value = rec->home != NULL ? rec->home : "";
		} else if ((fields[i].value = userdb_expand(pool, v,
							    rec)) == NULL) {
			return userdb_tempfail(err, "userdb static: bad %s "
					       "template %s", k, v);
		}
		if (strcmp(k, "quota_rule") == 0)
			rec->quota_rule = fields[i].value;
		else if (strcmp(k, "sieve") == 0)
			rec->sieve = fields[i].value;
	}
	rec->fields = fields;
	rec->n_fields = sb->n_args;
	rec->source = "static";
	*rec_r = rec;
	return USERDB_FOUND;
}

const struct userdb_backend_vfuncs userdb_static = {
	"static", static_init, static_deinit, static_lookup,
};
