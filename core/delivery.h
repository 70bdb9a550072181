/* delivery - the delivery core every front end shares.
 *
 * A front end (sluice-deliver, sluice-lmtpd) spools and parses the
 * message once (delivery_message_*), then for each recipient looks the
 * user up (delivery_lookup), switches to the user's uid/gid if it runs as
 * root (delivery_switch_user for sluice-deliver; the LMTP server acts as
 * each recipient in turn with delivery_user_enter/leave), and delivers
 * (delivery_deliver): the store, wrapped by the quota, and the Sieve
 * scripts. Each step fills one struct
 * delivery_result; result.h maps it to exit codes and SMTP replies.
 */
#ifndef SLUICE_DELIVERY_H
#define SLUICE_DELIVERY_H

#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "lib/message.h"
#include "lib/pool.h"
#include "lib/spool.h"
#include "lib/userdb.h"
#include "core/result.h"

struct config;

/* One message, shared by all its recipients. */
struct delivery_message {
	struct spool *spool;
	struct message *msg;
	const char *sender;	/* envelope sender; "" for <> */
	uint64_t skip;		/* leading bytes not stored (an mbox From_
				   line handed over by the MTA) */
	int crlf;		/* the message's header uses CRLF */
	time_t received;
	const char *message_id;	/* for the log; NULL if none */
	const char *queue_id;	/* the MTA's queue id from the topmost
				   Received field ("id X"), for the log */
};

/* The per-message reader: feeds spool and parser as bytes arrive. */
struct delivery_reader;

struct delivery_reader *delivery_reader_new(const struct config *cfg,
					    struct pool *pool);
int delivery_reader_feed(struct delivery_reader *r, const void *data,
			 size_t len, struct sl_err *err);
/* delivery_reader_finish - fill msg; sender is the envelope sender (NULL:
 * take it from a leading From_ line, else <>). Frees the reader. */
int delivery_reader_finish(struct delivery_reader **r, const char *sender,
			   struct delivery_message *msg, struct sl_err *err);
/* delivery_read_fd - read all of fd (stdin) through a reader */
int delivery_read_fd(const struct config *cfg, struct pool *pool, int fd,
		     const char *sender, struct delivery_message *msg,
		     struct sl_err *err);
void delivery_message_free(struct delivery_message *msg);

/* One recipient. */
struct delivery_rcpt {
	const char *address;	/* as the MTA gave it (-d, RCPT TO) */
	const char *orig_rcpt;	/* -a / ORCPT, or NULL */
	const char *mailbox;	/* -m folder for keep, or NULL for INBOX */
	struct user_record *user;	/* from delivery_lookup */
};

/* One message to several recipients (LMTP): the directory fsyncs of all
 * their copies are deferred and done together (delivery_batch_sync), and a
 * copy whose bytes equal an earlier one's is a hard link of that file
 * (single-instance storage) where the store, filesystem and owner allow. */
struct delivery_batch;

struct delivery_batch *delivery_batch_new(void);
/* delivery_batch_sync - make every copy saved in the batch durable; call
 * before acknowledging any of them */
int delivery_batch_sync(struct delivery_batch *b, struct sl_err *err);
void delivery_batch_free(struct delivery_batch **b);

struct delivery_env {
	const struct config *cfg;
	struct userdb *userdb;
	const char *session;	/* session id for the log */
	int reject_as_result;	/* a Sieve reject is DELIVERY_REJECTED for
				   the front end to answer (-e, LMTP); else
				   the core sends the rejection notice */
	int no_delivered_to;	/* store no Delivered-To field (LMTP with
				   several recipients: one shared copy) */
	const char *received;	/* a Received field to store after the
				   trace fields (LF-terminated), or NULL */
	struct delivery_batch *batch;	/* NULL: each copy durable on its own */
};

/* delivery_lookup - find the recipient; on failure res says why
 * (DELIVERY_NOUSER, DELIVERY_TEMPFAIL). */
int delivery_lookup(const struct delivery_env *env, struct pool *pool,
		    struct delivery_rcpt *rcpt, struct delivery_result *res);
/* delivery_switch_user - when running as root, become the recipient's
 * uid/gid (from the userdb, else mail_uid/mail_gid) for good; refuses
 * uids below first_valid_uid and root. Not root: nothing to do. */
int delivery_switch_user(const struct delivery_env *env,
			 const struct delivery_rcpt *rcpt,
			 struct delivery_result *res);
/* delivery_user_enter - when running as root, act as the recipient
 * (effective uid/gid and groups, HOME) until delivery_user_leave; the
 * same checks as delivery_switch_user. For servers that deliver to many
 * users in one process. Not root: nothing to do. */
int delivery_user_enter(const struct delivery_env *env,
			const struct delivery_rcpt *rcpt,
			struct delivery_result *res);
/* delivery_user_leave - back to root; -1 if that fails (the process must
 * then stop serving) */
int delivery_user_leave(void);
/* delivery_deliver - store msg for rcpt; 0 when delivered and durable
 * (with env->batch: once delivery_batch_sync succeeds) */
int delivery_deliver(const struct delivery_env *env, struct pool *pool,
		     const struct delivery_message *msg,
		     const struct delivery_rcpt *rcpt,
		     struct delivery_result *res);
/* delivery_quota_full - the recipient's mailbox is at or over its quota
 * already: 1 with res DELIVERY_QUOTA_TEMP/_PERM (quota_exceeded), else 0
 * (LMTP asks at RCPT; it only reads, so it may run as root) */
int delivery_quota_full(const struct delivery_env *env, struct pool *pool,
			const struct delivery_rcpt *rcpt,
			struct delivery_result *res);
/* delivery_log - the one log line per delivery (key=value) */
void delivery_log(const struct delivery_env *env,
		  const struct delivery_message *msg,
		  const struct delivery_rcpt *rcpt,
		  const struct delivery_result *res, double elapsed_ms);

/* delivery_store_driver - the store backend named "maildir" or "mbox" */
const struct store_vfuncs *delivery_store_driver(const char *name);

#endif
