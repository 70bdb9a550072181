/* delivery-sieve - Sieve at delivery, inside core/ (not a public face:
 * front ends call delivery_deliver, which calls these). */
#ifndef SLUICE_DELIVERY_SIEVE_H
#define SLUICE_DELIVERY_SIEVE_H

#include "core/delivery.h"
#include "lib/store.h"

struct sieve_result;

/* delivery_sieve_run - run the user's scripts; *result_r is NULL when
 * there was no script or it failed (then: implicit keep). Never fails
 * the delivery for a script's fault. */
int delivery_sieve_run(const struct delivery_env *env, struct pool *pool,
		       const struct delivery_message *msg,
		       const struct delivery_rcpt *rcpt, struct store *st,
		       struct sieve_result **result_r);
/* delivery_sieve_apply - carry result out as one transaction; 0 with res
 * DELIVERY_OK (or DELIVERY_REJECTED when env->reject_as_result), -1 with
 * res set and every copy saved so far expunged */
int delivery_sieve_apply(const struct delivery_env *env, struct pool *pool,
			 const struct delivery_message *msg,
			 const struct delivery_rcpt *rcpt, struct store *st,
			 const struct sieve_result *result,
			 struct delivery_result *res);

/* shared with delivery.c */
const char *delivery_choose_folder(const struct delivery_env *env,
				   struct store *st, const char *want,
				   int create);
/* delivery_save - store prefix (trace headers, or trace headers and an
 * edited header) and then the spooled message from offset from */
/* what a copy is saved with: system flags and keywords */
struct delivery_flags {
	unsigned flags;		/* enum store_flag */
	const char *const *keywords;
	size_t n_keywords;
};

int delivery_save(const struct delivery_env *env, struct store *st,
		  const char *folder, const struct delivery_flags *fl,
		  const struct delivery_message *msg, const struct buf *trace,
		  uint64_t from, struct buf *id, struct sl_err *err);
void delivery_trace_headers(const struct delivery_env *env, struct buf *b,
			    const struct delivery_message *msg,
			    const struct delivery_rcpt *rcpt);

/* delivery_sendmail - sendmail_path -oi -f SENDER -- RCPT, head then
 * the message (msg may be NULL) on its stdin; flushes env->batch first */
int delivery_sendmail(const struct delivery_env *env, const char *sender,
		      const char *rcpt, const struct buf *head,
		      const struct delivery_message *msg, struct sl_err *err);
/* delivery_reject_notice - the sender is told the message was refused
 * (by a Sieve reject, or quota: the mailbox is full); never to <> */
int delivery_reject_notice(const struct delivery_env *env,
			   const struct delivery_message *msg,
			   const struct delivery_rcpt *rcpt, int quota,
			   const char *reason, struct sl_err *err);

#endif
