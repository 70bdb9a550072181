/* daemon - what sluice's daemons (sluice-lmtpd, sluice-auth) share: the
 * command line (-F, -c, -o), the start sequence (config, log, a pid file
 * that is also a lock against a second instance, listeners, going into
 * the background so the starting process exits only once the daemon is
 * ready or with the reason it is not), the master's signals, and
 * starting workers. */
#ifndef SLUICE_DAEMON_H
#define SLUICE_DAEMON_H

#include "err.h"

#include <signal.h>
#include <sys/types.h>
#include <time.h>

struct config;
struct listeners;

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

/* ---- the command line ---- */

#define DAEMON_MAX_OVERRIDES 64

struct daemon_opts {
	const char *config;	/* -c, made absolute */
	char *config_abs;	/* (what config points to when it was made
				   absolute; freed by daemon_opts_free) */
	char *overrides[DAEMON_MAX_OVERRIDES];	/* -o KEY=VALUE */
	size_t n_overrides;
	int foreground;		/* -F */
};

/* daemon_parse_opts - -F, -c CONFIG and -o KEY=VALUE, nothing else. A
 * relative -c is made absolute: the background master works from / and
 * a reload must find the file. 0, or EX_USAGE after printing the usage
 * of prog. */
int daemon_parse_opts(const char *prog, int argc, char **argv,
		      struct daemon_opts *o);
void daemon_opts_free(struct daemon_opts *o);

/* daemon_open_log - -F logs to stderr unless log_path names a file */
void daemon_open_log(const char *prog, const struct daemon_opts *o,
		     const struct config *cfg);

/* ---- the master's signals ---- */

/* Set by the handlers; the master clears what it has handled. */
struct daemon_signals {
	volatile sig_atomic_t term;	/* SIGTERM or SIGINT */
	volatile sig_atomic_t hup;
	volatile sig_atomic_t chld;
};
extern struct daemon_signals daemon_sig;

/* daemon_master_signals - SIGTERM, SIGINT, SIGHUP and SIGCHLD set their
 * flag and wake the master's poll (daemon_signal_fd); SIGPIPE and
 * SIGUSR1 (the workers' retire signal) are ignored */
void daemon_master_signals(void);
/* daemon_signal_fd - what the master polls (made by daemon_start) */
int daemon_signal_fd(void);
/* daemon_signal_drain - empty it after a wake-up */
void daemon_signal_drain(void);
/* daemon_signal_close - in a worker: the pipe is the master's */
void daemon_signal_close(void);

/* a worker that dies sooner than this after its start delays the next */
#define DAEMON_RESPAWN_THROTTLE_SECS 1

/* daemon_worker_exited - log a worker that was killed or exited with a
 * failure; if that came within a second of its start, *throttle_until
 * is set to keep the master from starting the next one at once */
void daemon_worker_exited(pid_t pid, int status, time_t started,
			  time_t *throttle_until);

/* daemon_worker_signals - a worker's: on_term for SIGTERM and SIGINT,
 * on_retire for SIGUSR1 (leave when idle), SIGHUP, SIGPIPE and SIGXFSZ
 * ignored (a write error instead), SIGCHLD by default (the worker waits
 * for its own children). The three stay blocked except while the worker
 * waits with *wait_mask (ppoll), so none is lost between a check of the
 * flags and a wait. */
void daemon_worker_signals(void (*on_term)(int), void (*on_retire)(int),
			   sigset_t *wait_mask);

/* ---- the start ---- */

struct daemon_start {
	const char *prog;	/* "sluice-auth": messages, log, pid lock */
	const char *prefix;	/* "auth": auth_listen, auth_pid_file, ... */
	/* check - refuse a configuration before anything is opened (may
	 * be NULL): ERR_TEMP exits 75, anything else 78 */
	int (*check)(void *ctx, const struct config *cfg, struct sl_err *err);
	/* prepare - after the listeners, before going into the background
	 * (may be NULL); a failure exits 71 */
	int (*prepare)(void *ctx, const struct config *cfg,
		       struct sl_err *err);
	void *ctx;
};

/* daemon_start - read the configuration, open the log, lock the pid
 * file, open the listeners, go into the background (unless -F), write
 * the pid, make the signal pipe. 0, or the exit code to give (the
 * reason on stderr and in the log); the caller then passes the code to
 * daemon_ready. *cfg_r is set as soon as it is read. */
int daemon_start(const struct daemon_start *ds, const struct daemon_opts *o,
		 struct config **cfg_r, struct pidfile *pf,
		 struct listeners *ls, int *ready_fd);
/* daemon_log_started - "started, pid N, listening on A, B" */
void daemon_log_started(const struct listeners *ls);

#endif
