/* daemon - what sluice's daemons (sluice-lmtpd, sluice-auth) share at
 * start and stop: a pid file that is also a lock against a second
 * instance, and going into the background so the starting process exits
 * only once the daemon is ready (or with the reason it is not). */
#ifndef SLUICE_DAEMON_H
#define SLUICE_DAEMON_H

#include "err.h"

#include <sys/types.h>

struct pidfile {
	int fd;			/* -1: none */
	char *path;
};

/* pidfile_lock - create path (and its directory) and flock it; taken
 * before anything else so a second instance stops there, touching
 * nothing. An empty path: no pid file. The lock survives the fork into
 * the background. what names the program in the error. */
int pidfile_lock(struct pidfile *pf, const char *path, const char *what,
		 struct sl_err *err);
/* pidfile_write - our pid into it (after going into the background) */
int pidfile_write(struct pidfile *pf, struct sl_err *err);
/* pidfile_remove - unlink and close (at a clean stop) */
void pidfile_remove(struct pidfile *pf);
/* pidfile_close_fd - close it in a child that must not hold it */
void pidfile_close_fd(struct pidfile *pf);

/* daemonize - into the background: the parent waits for the child's
 * daemon_ready and exits with the code it sends; the child gets a new
 * session, / as its directory and /dev/null as stdio. 0 in the child
 * (*ready_fd to pass to daemon_ready), -1 on failure. */
int daemonize(int *ready_fd);
/* daemon_ready - tell the waiting parent the exit code (0: running) */
void daemon_ready(int *ready_fd, char code);

/* daemon_fork - fork() for a master starting a worker: the child starts
 * with SIGTERM, SIGINT, SIGHUP and SIGUSR1 blocked, so a stop or retire
 * signal the master sends before the worker has set its own handlers
 * stays pending for them (Linux keeps a blocked signal pending even
 * while its action is to ignore it) instead of being lost or running
 * the master's handler in the child. The worker unblocks them. The
 * parent's mask is unchanged. */
pid_t daemon_fork(void);

#endif
