/* session.h - one LMTP connection's state, shared by session.c (commands)
 * and transaction.c (message data and delivery) */
#ifndef SLUICE_LMTPD_SESSION_H
#define SLUICE_LMTPD_SESSION_H

#include "lmtpd.h"
#include "core/delivery.h"
#include "core/result.h"
#include "lib/pool.h"

#include <time.h>

struct rcpt_entry {
	struct delivery_rcpt rcpt;
	struct delivery_result res;
	double ms;		/* time its delivery took */
};

/* message bytes as they arrive (DATA with dot-stuffing, or BDAT chunks),
 * CRLF turned into LF, into the delivery core's reader */
struct data_in;

struct session {
	const struct session_env *env;
	struct conn *conn;
	char id[16];
	const char *peer_name, *peer_addr;
	struct buf line;
	char *lhlo;		/* the client's LHLO name (cleaned) */
	unsigned errors;
	int closing;		/* 421 sent or QUIT: stop reading */
	time_t stop_deadline;	/* SIGTERM seen: finish by then */

	/* the transaction */
	struct pool *pool;
	int have_mail;
	int smtputf8;		/* MAIL had SMTPUTF8 */
	const char *sender;
	uint64_t declared_size;
	struct rcpt_entry *rcpts;
	size_t n_rcpts, alloc_rcpts;
	struct data_in *bdat;	/* BDAT chunks so far */
	int bdat_refused;	/* a BDAT was refused: the rest are too */
};

/* session_error - a protocol error reply; counts towards lmtp_max_errors */
void session_error(struct session *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* session_stopping - a SIGTERM arrived and the grace time is over */
int session_stopping(struct session *s);
void session_reset(struct session *s);

/* transaction.c */
void transaction_data(struct session *s);
void transaction_bdat(struct session *s, const char *args);
void transaction_abort(struct session *s);

#endif
