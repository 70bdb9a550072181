/* mail-location.c - "DRIVER:PATH[:KEY=VALUE...]" (Dovecot's
 * mail_location) expanded for one user into a struct store_location */
#include "auto-config.h"
#include "userdb.h"
#include "buf.h"
#include "store.h"

#include <string.h>
#include <strings.h>

/* mail_location_segment - the next ':'-separated part of s ("::" is a
 * literal ':') into out; returns where the next part starts, or NULL
 * at the end */
static const char *mail_location_segment(const char *s, struct buf *out)
{
	buf_reset(out);
	for (;;) {
		size_t n = strcspn(s, ":");

		buf_append(out, s, n);
		s += n;
		if (*s == '\0')
			return NULL;
		if (s[1] != ':')
			return s + 1;
		buf_append_char(out, ':');
		s += 2;
	}
}

/* mail_location_path - a leading ~ as the home, then %-variables; the
 * result must be absolute */
static int mail_location_path(struct pool *pool, const char *spec,
			      const char *raw, const struct user_record *rec,
			      const char **path_r, struct sl_err *err)
{
	struct buf b = BUF_INIT;
	struct sl_err e;

	if (*raw == '\0')
		return err_set(err, ERR_USAGE, "mail location %s: empty path",
			       spec);
	if (raw[0] == '~') {
		size_t hlen;

		if (raw[1] != '\0' && raw[1] != '/')
			return err_set(err, ERR_USAGE, "mail location %s: only "
				       "~ and ~/ (the user's home) are "
				       "supported", spec);
		if (rec->home == NULL || *rec->home == '\0')
			return err_set(err, ERR_USAGE, "mail location %s uses ~ "
				       "but %s has no home", spec,
				       rec->user != NULL ? rec->user : "the user");
		hlen = strlen(rec->home);
		while (hlen > 1 && rec->home[hlen - 1] == '/')
			hlen--;
		buf_append(&b, rec->home, hlen);
		raw++;
	}
	if (userdb_expand_buf(&b, raw, strlen(raw), rec, &e) < 0) {
		buf_free(&b);
		return err_set(err, ERR_USAGE, "mail location %s: %s", spec,
			       e.text);
	}
	if (b.len == 0 || b.data[0] != '/') {
		err_set(err, ERR_USAGE, "mail location %s: '%s' is not an "
			"absolute path", spec, buf_cstr(&b));
		buf_free(&b);
		return -1;
	}
	*path_r = pool_strndup(pool, b.data, b.len);
	buf_free(&b);
	return 0;
}

/* mail_location_driver - the part before the first ':' */
static int mail_location_driver(struct pool *pool, const char *spec,
				const char **driver_r, const char **rest_r,
				struct sl_err *err)
{
	const char *colon = strchr(spec, ':');
	size_t len = colon != NULL ? (size_t)(colon - spec) : 0;

	if (len == 0 || strspn(spec, "abcdefghijklmnopqrstuvwxyz"
			       "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") != len)
		return err_set(err, ERR_USAGE, "mail location '%s': expected "
			       "DRIVER:PATH, e.g. maildir:~/Maildir", spec);
	*driver_r = pool_strndup(pool, spec, len);
	*rest_r = colon + 1;
	return 0;
}

int mail_location_expand(struct pool *pool, const char *spec,
			 const struct user_record *rec,
			 struct store_location *loc, struct sl_err *err)
{
	struct buf seg = BUF_INIT;
	const char *p = spec, *root = NULL, *inbox = NULL;
	int ret = -1, first = 1;

	memset(loc, 0, sizeof(*loc));
	if (mail_location_driver(pool, spec, &loc->driver, &p, err) < 0)
		return -1;
	do {
		p = mail_location_segment(p, &seg);
		if (first) {
			if (mail_location_path(pool, spec, buf_cstr(&seg), rec,
					       &root, err) < 0)
				goto out;
			first = 0;
		} else if (strncasecmp(buf_cstr(&seg), "INBOX=", 6) == 0) {
			if (mail_location_path(pool, spec, buf_cstr(&seg) + 6,
					       rec, &inbox, err) < 0)
				goto out;
		}
		/* other Dovecot options (LAYOUT=, INDEX=, CONTROL=, ...)
		 * concern Dovecot's own files: accepted, ignored */
	} while (p != NULL);
	loc->root = root;
	loc->inbox = inbox;
	ret = 0;
out:
	buf_free(&seg);
	return ret;
}
