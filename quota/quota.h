/* quota - mailbox quotas: Maildir++ (Courier's maildirsize, shared with
 * deliverquota, maildrop and Dovecot's quota = maildir) and mbox by file
 * size, with Dovecot-style rules.
 *
 * Limits, first found wins: the userdb's quota_rule (and quota_rule2,
 * quota_rule3, ...), else the limit line of maildirsize (maildirmake -q),
 * else the quota_rule key of sluice.conf. A rule is
 *   FOLDER:storage=SIZE[:messages=N]   SIZE in KiB unless a suffix
 *                                       (B K M G T, or %  of the * rule)
 *   FOLDER:bytes=N                      bytes
 *   FOLDER:storage=+SIZE / +N%          more room when saving there
 *   FOLDER:ignore                       not counted at all
 * with FOLDER "*" for the whole mailbox (e.g. "*:storage=1G",
 * "Trash:storage=+10%%", "Spam:ignore"), as Dovecot's quota_rule.
 *
 * Maildir++ usage is the first line's limits and the sum of the other
 * lines ("BYTES COUNT", one per change, appended with one O_APPEND write);
 * the file is recalculated from the folders (sizes from ",S=" in the
 * names, else stat) when it is missing or corrupt, grew past 5120 bytes,
 * or is over quota and older than 15 minutes. sluice processes take an
 * flock on it around each read-and-append, so warnings see every
 * crossing exactly once; other writers (Courier, Dovecot) need no lock.
 */
#ifndef SLUICE_QUOTA_H
#define SLUICE_QUOTA_H

#include <stdint.h>

#include "lib/err.h"
#include "lib/pool.h"

struct config;
struct user_record;
struct store_location;

struct quota_limits {
	uint64_t bytes;		/* 0: no limit */
	uint64_t messages;	/* 0: no limit */
};

struct quota_usage {
	uint64_t bytes, messages;	/* counted (ignored folders not) */
	struct quota_limits limit;	/* the whole mailbox's */
	const char *limit_source;	/* "userdb", "maildirsize", "config"
					   or "none" */
};

struct quota;

/* quota_open - the quota of one user's store at loc (driver maildir or
 * mbox); rules from u and cfg. A bad rule is ERR_USAGE. */
int quota_open(struct quota **q_r, const struct config *cfg,
	       const struct user_record *u, const struct store_location *loc,
	       struct sl_err *err);
void quota_close(struct quota **q);

/* quota_enabled - any limit at all (else nothing needs checking) */
int quota_enabled(struct quota *q, struct sl_err *err);

/* quota_get - usage now (maildirsize read, recalculated if it must be) */
int quota_get(struct quota *q, struct quota_usage *u, struct sl_err *err);
/* quota_recalc - rebuild maildirsize from the folders */
int quota_recalc(struct quota *q, struct sl_err *err);
/* quota_set_limit - write a new limit line into maildirsize (recalculated
 * at the same time); Maildir only */
int quota_set_limit(struct quota *q, const struct quota_limits *l,
		    struct sl_err *err);

/* quota_check - would one more message of size bytes in folder go over?
 * 0 fits, 1 over (why in err->text, class ERR_NOQUOTA), -1 error */
int quota_check(struct quota *q, const char *folder, uint64_t size,
		struct sl_err *err);
/* quota_full - already at or over the limit (LMTP's RCPT check). It
 * only reads (maildirsize as it is, never rebuilt), so it may run as
 * root; a missing or corrupt file is "not full" (the delivery decides). */
int quota_full(struct quota *q, struct sl_err *err);
/* quota_add - record that a message of size bytes was saved in (or,
 * negative, removed from) folder; before_r/after_r get the usage around
 * the change (for warnings; NULL: not wanted) */
int quota_add(struct quota *q, const char *folder, int64_t bytes,
	      int64_t count, struct quota_usage *before_r,
	      struct quota_usage *after_r, struct sl_err *err);

/* quota_template_read - a quota_warning_template file (at most 64 KiB) */
struct buf;
int quota_template_read(const char *path, struct buf *out, struct sl_err *err);
/* quota_template_expand - append tpl with %u (user), %p (percent), %b and
 * %B (usage and limit in KiB), %c and %C (messages, their limit), %% */
void quota_template_expand(struct buf *out, const struct buf *tpl,
			   const char *user, unsigned pct,
			   const struct quota_usage *u);
/* quota_parse_maildir_limit - "10000000S,1000C" (maildirmake -q) */
int quota_parse_maildir_limit(const char *s, struct quota_limits *l,
			      struct sl_err *err);
/* quota_percent - usage as a percentage of its tightest limit (0 when
 * unlimited) */
unsigned quota_percent(const struct quota_usage *u);

#endif
