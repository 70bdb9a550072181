/* result - what one delivery to one recipient came to, and the one table
 * that maps it to a sysexits code (sluice-deliver) and an SMTP reply
 * (LMTP, milter). */
#ifndef SLUICE_RESULT_H
#define SLUICE_RESULT_H

#include "lib/err.h"

enum delivery_status {
	DELIVERY_OK = 0,
	DELIVERY_TEMPFAIL,	/* storage, locks, databases, internal */
	DELIVERY_NOUSER,	/* no such recipient */
	DELIVERY_QUOTA_TEMP,	/* over quota, retry later */
	DELIVERY_QUOTA_PERM,	/* over quota, bounce */
	DELIVERY_REJECTED,	/* refused by the rules (Sieve reject) */
	DELIVERY_DATAERR,	/* the message itself cannot be taken */
	DELIVERY_PERMFAIL,	/* any other permanent refusal */
	DELIVERY_STATUS_COUNT
};

struct delivery_result {
	enum delivery_status status;
	char text[512];		/* reason for people (log, stderr, reply) */
	char folder[256];	/* where the message went */
	char id[256];		/* the saved message's id */
};

/* result_set - fill status and a formatted reason; returns -1 */
int result_set(struct delivery_result *res, enum delivery_status status,
	       const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* result_from_err - the status an error's class calls for */
int result_from_err(struct delivery_result *res, const struct sl_err *err);

int result_exit_code(enum delivery_status status);
int result_smtp_code(enum delivery_status status);
/* result_enhanced_code - "2.0.0", "4.2.2", ... (RFC 3463) */
const char *result_enhanced_code(enum delivery_status status);
/* result_name - short word for logs: ok, tempfail, nouser, ... */
const char *result_name(enum delivery_status status);

#endif
