/* quota.c - limits (userdb, maildirsize, config), usage, check and add */
#include "auto-config.h"
#include "quota-private.h"

#include "lib/config.h"
#include "lib/log.h"
#include "lib/store.h"
#include "lib/userdb.h"
#include "lib/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

/* add_rule - parse one rule text into q */
static int add_rule(struct quota *q, const char *text, struct sl_err *err)
{
	if (q->n_rules == QUOTA_RULES_MAX)
		return err_set(err, ERR_USAGE, "more than %d quota rules",
			       QUOTA_RULES_MAX);
	if (quota_rule_parse(text, &q->rules[q->n_rules], err) < 0)
		return -1;
	q->n_rules++;
	return 0;
}

/* rules_from_userdb - quota_rule, quota_rule2, quota_rule3... */
static int rules_from_userdb(struct quota *q, const struct user_record *u,
			     struct sl_err *err)
{
	size_t i;

	if (u->quota_rule != NULL && *u->quota_rule != '\0' &&
	    add_rule(q, u->quota_rule, err) < 0)
		return -1;
	for (i = 0; i < u->n_fields; i++) {
		const char *k = u->fields[i].key;

		if (strncmp(k, "quota_rule", 10) == 0 && k[10] >= '2' &&
		    k[10] <= '9' && *u->fields[i].value != '\0' &&
		    add_rule(q, u->fields[i].value, err) < 0)
			return -1;
	}
	return 0;
}

/* rules_from_config - the comma-separated quota_rule key */
static int rules_from_config(struct quota *q, struct sl_err *err)
{
	char *copy = xstrdup(config_str(q->cfg, "quota_rule")), *p = copy, *item;
	int ret = 0;

	while (ret == 0 && (item = strsep(&p, ",")) != NULL) {
		while (*item == ' ' || *item == '\t')
			item++;
		if (*item != '\0')
			ret = add_rule(q, item, err);
	}
	free(copy);
	return ret;
}

int quota_open(struct quota **q_r, const struct config *cfg,
	       const struct user_record *u, const struct store_location *loc,
	       struct sl_err *err)
{
	struct quota *q = xcalloc(1, sizeof(*q));

	*q_r = NULL;
	q->cfg = cfg;
	q->driver = xstrdup(loc->driver);
	q->root = xstrdup(loc->root);
	q->inbox = loc->inbox != NULL ? xstrdup(loc->inbox) : NULL;
	q->lock_fd = -1;
	if (u != NULL && rules_from_userdb(q, u, err) < 0)
		goto fail;
	if (q->n_rules > 0) {
		q->rules_source = "userdb";
	} else {
		if (rules_from_config(q, err) < 0)
			goto fail;
		if (q->n_rules > 0)
			q->rules_source = "config";
	}
	*q_r = q;
	return 0;
fail:
	quota_close(&q);
	return -1;
}

void quota_close(struct quota **qp)
{
	struct quota *q = *qp;
	size_t i;

	if (q == NULL)
		return;
	for (i = 0; i < q->n_rules; i++)
		quota_rule_free(&q->rules[i]);
	if (q->lock_fd >= 0)
		(void)close(q->lock_fd);
	free(q->driver);
	free(q->root);
	free(q->inbox);
	free(q);
	*qp = NULL;
}

static int is_maildir(const struct quota *q)
{
	return strcmp(q->driver, "maildir") == 0;
}

/* effective_limit - userdb rule, else maildirsize's line, else config */
static void effective_limit(const struct quota *q, const struct maildirsize *m,
			    struct quota_usage *u)
{
	struct quota_limits rl;

	quota_rule_limit(q, &rl);
	if (q->rules_source != NULL && strcmp(q->rules_source, "userdb") == 0 &&
	    (rl.bytes > 0 || rl.messages > 0)) {
		u->limit = rl;
		u->limit_source = "userdb";
	} else if (m != NULL && m->has_limit &&
		   (m->limit.bytes > 0 || m->limit.messages > 0)) {
		u->limit = m->limit;
		u->limit_source = "maildirsize";
	} else if (rl.bytes > 0 || rl.messages > 0) {
		u->limit = rl;
		u->limit_source = q->rules_source;
	} else {
		memset(&u->limit, 0, sizeof(u->limit));
		u->limit_source = "none";
	}
}

static int over(const struct quota_usage *u)
{
	return (u->limit.bytes > 0 && u->bytes > u->limit.bytes) ||
	       (u->limit.messages > 0 && u->messages > u->limit.messages);
}

/* recalc_line - the limit line a recalculation writes: a userdb limit
 * (as Dovecot does, so Courier's tools enforce it too), else the file's
 * own (maildirmake -q); never sluice.conf's default, which would then
 * outlive a change of the config */
static const struct quota_limits *recalc_line(const struct quota *q,
					      const struct maildirsize *m,
					      struct quota_limits *buf)
{
	static const struct quota_limits none;

	quota_rule_limit(q, buf);
	if (q->rules_source != NULL && strcmp(q->rules_source, "userdb") == 0 &&
	    (buf->bytes > 0 || buf->messages > 0))
		return buf;
	return m->has_limit ? &m->limit : &none;
}

/* maildir_get - maildirsize read, recalculated when Courier's rules say
 * (missing or corrupt with a limit to keep, over 5120 bytes, over quota
 * and older than 15 minutes) */
static int maildir_get(struct quota *q, struct quota_usage *u, int may_recalc,
		       struct sl_err *err)
{
	struct quota_limits line;
	struct maildirsize m;
	int r, tries;

	for (tries = 0; tries < 2; tries++) {
		if ((r = quota_maildir_read(q, &m, err)) < 0)
			return -1;
		effective_limit(q, r == 0 || m.corrupt ? &m : NULL, u);
		u->bytes = r == 0 && m.bytes > 0 ? (uint64_t)m.bytes : 0;
		u->messages = r == 0 && m.count > 0 ? (uint64_t)m.count : 0;
		if (!may_recalc || tries > 0)
			break;
		if (r == 1 && u->limit.bytes == 0 && u->limit.messages == 0 &&
		    !m.corrupt)
			break;	/* no file and no quota: nothing to keep */
		if (r == 0 && m.size <= QUOTA_RECALC_SIZE &&
		    !(over(u) && time(NULL) - m.mtime > QUOTA_RECALC_AGE))
			break;
		if (quota_maildir_recalc(q, recalc_line(q, &m, &line), err) < 0)
			return -1;
	}
	return 0;
}

int quota_get(struct quota *q, struct quota_usage *u, struct sl_err *err)
{
	memset(u, 0, sizeof(*u));
	if (is_maildir(q))
		return maildir_get(q, u, 1, err);
	effective_limit(q, NULL, u);
	return quota_mbox_usage(q, u, err);
}

int quota_enabled(struct quota *q, struct sl_err *err)
{
	struct quota_usage u;

	if (quota_get(q, &u, err) < 0)
		return -1;
	return u.limit.bytes > 0 || u.limit.messages > 0;
}

int quota_recalc(struct quota *q, struct sl_err *err)
{
	struct quota_limits line;
	struct maildirsize m;
	int r;

	if (!is_maildir(q))
		return 0;	/* mbox usage is always computed afresh */
	if ((r = quota_maildir_read(q, &m, err)) < 0)
		return -1;
	return quota_maildir_recalc(q, recalc_line(q, &m, &line), err);
}

int quota_set_limit(struct quota *q, const struct quota_limits *l,
		    struct sl_err *err)
{
	if (!is_maildir(q))
		return err_set(err, ERR_USAGE, "an mbox quota is set with "
			       "quota_rule (userdb or sluice.conf), not stored");
	return quota_maildir_recalc(q, l, err);
}

/* folder_limit - the whole limit, widened by the folder's rule */
static void folder_limit(const struct quota *q, const char *folder,
			 struct quota_usage *u)
{
	const struct quota_rule *r = quota_rule_find(q, folder);

	if (r == NULL)
		return;
	if (u->limit.bytes > 0) {
		if (r->bytes_pct > 0)
			u->limit.bytes += u->limit.bytes * r->bytes_pct / 100;
		else if (r->bytes_rel)
			u->limit.bytes += r->bytes;
		else if (r->bytes > 0)
			u->limit.bytes = r->bytes;
	}
	if (u->limit.messages > 0) {
		if (r->messages_pct > 0)
			u->limit.messages += u->limit.messages * r->messages_pct / 100;
		else if (r->messages_rel)
			u->limit.messages += r->messages;
		else if (r->messages > 0)
			u->limit.messages = r->messages;
	}
}

int quota_check(struct quota *q, const char *folder, uint64_t size,
		struct sl_err *err)
{
	const struct quota_rule *r = quota_rule_find(q, folder);
	struct quota_usage u;

	if (r != NULL && r->ignore)
		return 0;
	if (quota_get(q, &u, err) < 0)
		return -1;
	folder_limit(q, folder, &u);
	if ((u.limit.bytes > 0 && u.bytes + size > u.limit.bytes) ||
	    (u.limit.messages > 0 && is_maildir(q) &&
	     u.messages + 1 > u.limit.messages)) {
		err_set(err, ERR_NOQUOTA, "Quota exceeded (mailbox for user "
			"is full)");
		return 1;
	}
	return 0;
}

int quota_full(struct quota *q, struct sl_err *err)
{
	struct quota_usage u;

	memset(&u, 0, sizeof(u));
	if (is_maildir(q)) {
		if (maildir_get(q, &u, 0, err) < 0)
			return -1;
	} else if (quota_get(q, &u, err) < 0) {
		return -1;
	}
	if ((u.limit.bytes > 0 && u.bytes >= u.limit.bytes) ||
	    (u.limit.messages > 0 && is_maildir(q) &&
	     u.messages >= u.limit.messages)) {
		err_set(err, ERR_NOQUOTA, "Quota exceeded (mailbox for user "
			"is full)");
		return 1;
	}
	return 0;
}

/* lock_open - maildirsize for appending, flocked; -1 with lock_fd -1
 * when it does not exist (the caller recalculates instead) */
static int lock_open(struct quota *q, struct sl_err *err)
{
	struct buf path = BUF_INIT;

	buf_printf(&path, "%s/%s", q->root, QUOTA_MAILDIRSIZE);
	q->lock_fd = open(path.data, O_WRONLY | O_APPEND | O_CLOEXEC);
	if (q->lock_fd < 0) {
		int e = errno;

		buf_free(&path);
		if (e == ENOENT)
			return 0;
		err_set_errno(err, e, "quota: open %s", path.data);
		err->cls = ERR_TEMP;
		return -1;
	}
	buf_free(&path);
	if (flock(q->lock_fd, LOCK_EX) < 0)
		log_warning("quota: flock %s/%s: %s", q->root,
			    QUOTA_MAILDIRSIZE, strerror(errno));
	return 0;
}

static void lock_close(struct quota *q)
{
	if (q->lock_fd >= 0)
		(void)close(q->lock_fd);
	q->lock_fd = -1;
}

/* shift - u moved by a change */
static void shift(struct quota_usage *u, int64_t bytes, int64_t count)
{
	u->bytes = bytes < 0 && (uint64_t)-bytes > u->bytes ? 0
		   : (uint64_t)((int64_t)u->bytes + bytes);
	u->messages = count < 0 && (uint64_t)-count > u->messages ? 0
		      : (uint64_t)((int64_t)u->messages + count);
}

int quota_add(struct quota *q, const char *folder, int64_t bytes,
	      int64_t count, struct quota_usage *before_r,
	      struct quota_usage *after_r, struct sl_err *err)
{
	const struct quota_rule *r = quota_rule_find(q, folder);
	struct quota_usage before, after;
	int ret = 0;

	memset(&before, 0, sizeof(before));
	if (r != NULL && r->ignore) {
		if (quota_get(q, &before, err) < 0)
			return -1;
		after = before;
	} else if (!is_maildir(q)) {
		/* the file has grown already: usage now is "after" */
		if (quota_get(q, &after, err) < 0)
			return -1;
		before = after;
		shift(&before, -bytes, -count);
	} else {
		if (lock_open(q, err) < 0)
			return -1;
		if (maildir_get(q, &before, q->lock_fd < 0, err) < 0) {
			lock_close(q);
			return -1;
		}
		after = before;
		if (q->lock_fd >= 0) {
			ret = quota_maildir_append(q, bytes, count, err);
			shift(&after, bytes, count);
		} else {
			/* no file: the recalculation counted the change */
			shift(&before, -bytes, -count);
		}
		lock_close(q);
	}
	if (before_r != NULL)
		*before_r = before;
	if (after_r != NULL)
		*after_r = after;
	return ret < 0 ? -1 : 0;
}

unsigned quota_percent(const struct quota_usage *u)
{
	unsigned pb = 0, pm = 0;

	if (u->limit.bytes > 0)
		pb = (unsigned)(u->bytes * 100 / u->limit.bytes);
	if (u->limit.messages > 0)
		pm = (unsigned)(u->messages * 100 / u->limit.messages);
	return pb > pm ? pb : pm;
}

/* the largest warning template read */
#define QUOTA_TEMPLATE_MAX 65536

int quota_template_read(const char *path, struct buf *out, struct sl_err *err)
{
	char block[4096];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return err_set_errno(err, errno, "open %s", path);
	while ((n = read(fd, block, sizeof(block))) > 0) {
		if (out->len + (size_t)n > QUOTA_TEMPLATE_MAX) {
			(void)close(fd);
			return err_set(err, ERR_USAGE, "%s is larger than %d "
				       "bytes", path, QUOTA_TEMPLATE_MAX);
		}
		buf_append(out, block, (size_t)n);
	}
	(void)close(fd);
	if (n < 0)
		return err_set_errno(err, errno, "read %s", path);
	return 0;
}

void quota_template_expand(struct buf *out, const struct buf *tpl,
			   const char *user, unsigned pct,
			   const struct quota_usage *u)
{
	size_t i;

	for (i = 0; i < tpl->len; i++) {
		char c = tpl->data[i];

		if (c != '%' || i + 1 == tpl->len) {
			buf_append_char(out, c);
			continue;
		}
		switch (tpl->data[++i]) {
		case 'u': buf_append_str(out, user); break;
		case 'p': buf_printf(out, "%u", pct); break;
		case 'b': buf_printf(out, "%llu", (unsigned long long)(u->bytes / 1024)); break;
		case 'B': buf_printf(out, "%llu", (unsigned long long)(u->limit.bytes / 1024)); break;
		case 'c': buf_printf(out, "%llu", (unsigned long long)u->messages); break;
		case 'C': buf_printf(out, "%llu", (unsigned long long)u->limit.messages); break;
		case '%': buf_append_char(out, '%'); break;
		default:
			buf_append_char(out, '%');
			buf_append_char(out, tpl->data[i]);
			break;
		}
	}
}
