/* err - an error that keeps its class.
 *
 * Functions that can fail return int (0 ok, -1 failed) and fill a
 * struct sl_err: the class says whether retrying may help, the text says
 * what happened for the log and the caller. The class is decided where the
 * failure is known (ENOSPC, EAGAIN, a lock timeout: temporary) and mapped
 * to exit codes or SMTP replies only at the edge (core/result).
 */
#ifndef SLUICE_ERR_H
#define SLUICE_ERR_H

#include <stdarg.h>

enum err_class {
	ERR_NONE = 0,
	ERR_TEMP,	/* may succeed later: storage, locks, databases */
	ERR_PERM,	/* will not succeed: bad data, refused */
	ERR_NOUSER,	/* the recipient does not exist */
	ERR_NOQUOTA,	/* over quota */
	ERR_NOTFOUND,	/* a folder or message does not exist */
	ERR_EXISTS,	/* it already exists */
	ERR_USAGE,	/* bad arguments or configuration */
};

#define SL_ERR_TEXT_MAX 512

struct sl_err {
	enum err_class cls;
	char text[SL_ERR_TEXT_MAX];
};

void err_clear(struct sl_err *e);
/* err_set - set class and formatted text; returns -1 for tail calls. */
int err_set(struct sl_err *e, enum err_class cls, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* err_set_errno - text is "<what>: strerror(errno)", class from errno. */
int err_set_errno(struct sl_err *e, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* err_class_from_errno - ENOSPC, EAGAIN, EIO...: temporary; EDQUOT:
 * quota; ENOENT: not found; EEXIST: exists; anything else temporary (a
 * doubt is a temporary failure). */
enum err_class err_class_from_errno(int errnum);
const char *err_class_name(enum err_class cls);

#endif
