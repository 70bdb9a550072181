/* err.c - classified errors */
#include "auto-config.h"
#include "err.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

void err_clear(struct sl_err *e)
{
	e->cls = ERR_NONE;
	e->text[0] = '\0';
}

int err_set(struct sl_err *e, enum err_class cls, const char *fmt, ...)
{
	va_list ap;

	e->cls = cls;
	va_start(ap, fmt);
	/* a long message is cut: the text is for people, the class decides */
	(void)vsnprintf(e->text, sizeof(e->text), fmt, ap);
	va_end(ap);
	return -1;
}

int err_set_errno(struct sl_err *e, int errnum, const char *fmt, ...)
{
	va_list ap;
	int n;

	e->cls = err_class_from_errno(errnum);
	va_start(ap, fmt);
	n = vsnprintf(e->text, sizeof(e->text), fmt, ap);
	va_end(ap);
	if (n >= 0 && (size_t)n < sizeof(e->text))
		(void)snprintf(e->text + n, sizeof(e->text) - (size_t)n,
			       ": %s", strerror(errnum));
	return -1;
}

enum err_class err_class_from_errno(int errnum)
{
	switch (errnum) {
	case EDQUOT:
		return ERR_NOQUOTA;
	case ENOENT:
		return ERR_NOTFOUND;
	case EEXIST:
		return ERR_EXISTS;
	default:
		return ERR_TEMP;
	}
}

const char *err_class_name(enum err_class cls)
{
	switch (cls) {
	case ERR_NONE: return "none";
	case ERR_TEMP: return "temporary";
	case ERR_PERM: return "permanent";
	case ERR_NOUSER: return "nouser";
	case ERR_NOQUOTA: return "quota";
	case ERR_NOTFOUND: return "notfound";
	case ERR_EXISTS: return "exists";
	case ERR_USAGE: return "usage";
	}
	return "unknown";
}
