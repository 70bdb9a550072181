/* listen - a daemon's listening sockets (sluice-lmtpd, sluice-auth).
 *
 * The config keys PREFIX_listen (a comma-separated list of HOST:PORT,
 * [V6]:PORT and unix:PATH; "*" or an empty host: every address),
 * PREFIX_unix_mode (octal), PREFIX_unix_user and PREFIX_unix_group (name
 * or number; empty: the starting user's) say where; when systemd passes
 * sockets (LISTEN_PID is us, LISTEN_FDS of them from fd 3) those are used
 * instead. Sockets are non-blocking and close-on-exec; IPv6 ones take
 * IPv6 only; a UNIX socket's directory is made if missing and a socket
 * file nobody listens on is replaced.
 */
#ifndef SLUICE_LISTEN_H
#define SLUICE_LISTEN_H

#include <stddef.h>

#include "err.h"

struct config;

struct listener {
	int fd;
	char *name;		/* as configured, for the log */
	char *unix_path;	/* a UNIX socket we created (removed at
				   exit), else NULL */
};

struct listeners {
	struct listener *v;
	size_t count;
};

/* listeners_open - the sockets for prefix ("lmtp", "auth"); a bad entry
 * or key is ERR_USAGE, a socket that cannot be bound ERR_TEMP */
int listeners_open(const struct config *cfg, const char *prefix,
		   struct listeners *ls, struct sl_err *err);
/* listeners_close - close all; remove the UNIX sockets we made if asked */
void listeners_close(struct listeners *ls, int remove_unix);

#endif
