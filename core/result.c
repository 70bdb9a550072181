/* result.c - the one table from delivery results to exit codes and replies */
#include "auto-config.h"
#include "result.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sysexits.h>

static const struct result_row {
	const char *name;
	int exit_code;		/* sysexits, as dovecot-lda */
	int smtp_code;
	const char *enhanced;	/* RFC 3463 */
} result_table[DELIVERY_STATUS_COUNT] = {
	[DELIVERY_OK] =		{ "ok",		EX_OK,		250, "2.0.0" },
	[DELIVERY_TEMPFAIL] =	{ "tempfail",	EX_TEMPFAIL,	451, "4.3.0" },
	[DELIVERY_NOUSER] =	{ "nouser",	EX_NOUSER,	550, "5.1.1" },
	[DELIVERY_QUOTA_TEMP] =	{ "overquota",	EX_TEMPFAIL,	452, "4.2.2" },
	[DELIVERY_QUOTA_PERM] =	{ "overquota",	EX_NOPERM,	552, "5.2.2" },
	[DELIVERY_REJECTED] =	{ "rejected",	EX_NOPERM,	550, "5.7.1" },
	[DELIVERY_DATAERR] =	{ "dataerr",	EX_DATAERR,	554, "5.6.0" },
	[DELIVERY_PERMFAIL] =	{ "permfail",	EX_NOPERM,	550, "5.0.0" },
};

int result_set(struct delivery_result *res, enum delivery_status status,
	       const char *fmt, ...)
{
	va_list ap;

	res->status = status;
	va_start(ap, fmt);
	(void)vsnprintf(res->text, sizeof(res->text), fmt, ap);
	va_end(ap);
	return status == DELIVERY_OK ? 0 : -1;
}

int result_from_err(struct delivery_result *res, const struct sl_err *err)
{
	enum delivery_status st;

	switch (err->cls) {
	case ERR_NONE:
		st = DELIVERY_OK;
		break;
	case ERR_NOUSER:
		st = DELIVERY_NOUSER;
		break;
	case ERR_NOQUOTA:
		st = DELIVERY_QUOTA_TEMP;
		break;
	case ERR_PERM:
		st = DELIVERY_PERMFAIL;
		break;
	default:
		/* temporary, usage (config), not found, exists: a doubt is
		   a temporary failure, so the MTA keeps the message */
		st = DELIVERY_TEMPFAIL;
		break;
	}
	return result_set(res, st, "%s", err->text);
}

int result_exit_code(enum delivery_status status)
{
	return result_table[status].exit_code;
}

int result_smtp_code(enum delivery_status status)
{
	return result_table[status].smtp_code;
}

const char *result_enhanced_code(enum delivery_status status)
{
	return result_table[status].enhanced;
}

const char *result_name(enum delivery_status status)
{
	return result_table[status].name;
}
