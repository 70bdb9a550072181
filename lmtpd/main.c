/* sluice-lmtpd - the LMTP server (RFC 2033) on sluice's delivery core.
 *
 * This is the master: it opens the listeners (or takes systemd's), holds
 * the pid file, and keeps lmtp_workers worker processes, adding more up
 * to lmtp_max_connections while all are busy. SIGHUP re-reads the config
 * and replaces the workers as they become idle; SIGTERM lets every
 * transaction in progress finish (up to lmtp_shutdown_timeout) and stops.
 */
#include "auto-config.h"
#include "lmtpd.h"

#include "lib/buf.h"
#include "lib/config.h"
#include "lib/daemon.h"
#include "lib/log.h"
#include "lib/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

/* after the shutdown timeout, how long workers get before SIGKILL */
#define STOP_GRACE_SECS 5

struct worker {
	pid_t pid;
	int busy;
	int extra;
	unsigned gen;
	time_t started;
};

struct master {
	struct daemon_opts o;
	struct config *cfg;
	struct listeners ls;
	SSL_CTX *tls;
	struct worker *w;
	size_t n_w, max_w;
	unsigned gen;
	int status_fd[2];
	struct pidfile pidfile;	/* locked at start (a reload that names
				   another file changes nothing) */
	size_t alloc_w;
	time_t throttle_until;
};

/* spawn - start one worker of the current generation */
static void spawn(struct master *m, int extra)
{
	pid_t pid;
	int code;

	if (m->n_w >= m->max_w || m->n_w >= m->alloc_w)
		return;
	pid = daemon_fork();
	if (pid < 0) {
		log_error("fork: %s", strerror(errno));
		m->throttle_until = time(NULL) + DAEMON_RESPAWN_THROTTLE_SECS;
		return;
	}
	if (pid == 0) {
		daemon_signal_close();
		(void)close(m->status_fd[0]);
		pidfile_close_fd(&m->pidfile);
		code = worker_run(m->cfg, &m->ls, m->tls, m->status_fd[1], extra);
		log_close();
		_exit(code);
	}
	m->w[m->n_w].pid = pid;
	m->w[m->n_w].busy = 0;
	m->w[m->n_w].extra = extra;
	m->w[m->n_w].gen = m->gen;
	m->w[m->n_w].started = time(NULL);
	m->n_w++;
}

static struct worker *find_worker(struct master *m, pid_t pid)
{
	size_t i;

	for (i = 0; i < m->n_w; i++) {
		if (m->w[i].pid == pid)
			return &m->w[i];
	}
	return NULL;
}

/* reap - collect exited workers; a crash is logged and throttles */
static void reap(struct master *m)
{
	pid_t pid;
	int status;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		struct worker *w = find_worker(m, pid);

		if (w == NULL)
			continue;
		daemon_worker_exited(pid, status, w->started,
				     &m->throttle_until);
		*w = m->w[--m->n_w];
	}
}

static void read_status(struct master *m)
{
	struct worker_status ws;

	while (read(m->status_fd[0], &ws, sizeof(ws)) == (ssize_t)sizeof(ws)) {
		struct worker *w = find_worker(m, ws.pid);

		if (w != NULL)
			w->busy = ws.busy;
	}
}

/* keep_workers - at least lmtp_workers of this generation, and one idle
 * as long as lmtp_max_connections allows */
static void keep_workers(struct master *m)
{
	size_t i, current = 0, idle = 0;
	uint64_t min = config_uint(m->cfg, "lmtp_workers");

	if (time(NULL) < m->throttle_until)
		return;
	for (i = 0; i < m->n_w; i++) {
		if (m->w[i].gen != m->gen)
			continue;
		current++;
		if (!m->w[i].busy)
			idle++;
	}
	if (min < 1)
		min = 1;
	for (; current < min && m->n_w < m->max_w; current++, idle++)
		spawn(m, 0);
	if (idle == 0 && m->n_w < m->max_w)
		spawn(m, 1);
}

/* set_max_workers - lmtp_max_connections, growing the table as needed;
 * when it shrinks, workers above it leave as they retire */
static void set_max_workers(struct master *m)
{
	size_t want = config_uint(m->cfg, "lmtp_max_connections");

	if (want < 1)
		want = 1;
	if (want > m->alloc_w) {
		m->w = xreallocarray(m->w, want, sizeof(*m->w));
		m->alloc_w = want;
	}
	m->max_w = want;
}

/* reload - SIGHUP: a new config (kept only if it loads), fresh workers;
 * the old ones finish their connection and exit */
static void reload(struct master *m)
{
	struct config *cfg = NULL;
	SSL_CTX *tls = NULL;
	struct sl_err err;
	size_t i;

	err_clear(&err);
	if (config_open(&cfg, m->o.config, m->o.overrides, m->o.n_overrides,
			&err) < 0 || lmtpd_tls_ctx(cfg, &tls, &err) < 0) {
		log_error("reload failed, keeping the running config: %s",
			  err.text);
		config_free(&cfg);
		return;
	}
	if (strcmp(config_str(cfg, "lmtp_listen"),
		   config_str(m->cfg, "lmtp_listen")) != 0)
		log_warning("reload: lmtp_listen changed; the listeners stay "
			    "as they are until a restart");
	lmtpd_tls_ctx_free(&m->tls);
	config_free(&m->cfg);
	m->cfg = cfg;
	m->tls = tls;
	daemon_open_log("sluice-lmtpd", &m->o, m->cfg);
	set_max_workers(m);
	m->gen++;
	for (i = 0; i < m->n_w; i++)
		(void)kill(m->w[i].pid, SIGUSR1);
	log_info("configuration reloaded");
}

/* stop - SIGTERM to every worker, wait, then SIGKILL the stragglers */
static void stop(struct master *m)
{
	time_t deadline = time(NULL) +
		(time_t)config_time(m->cfg, "lmtp_shutdown_timeout") +
		STOP_GRACE_SECS;
	size_t i;

	for (i = 0; i < m->n_w; i++)
		(void)kill(m->w[i].pid, SIGTERM);
	while (m->n_w > 0 && time(NULL) < deadline) {
		(void)poll(NULL, 0, 50);
		reap(m);
	}
	for (i = 0; i < m->n_w; i++) {
		log_warning("worker %ld did not stop; killing it",
			    (long)m->w[i].pid);
		(void)kill(m->w[i].pid, SIGKILL);
	}
	while (m->n_w > 0 && waitpid(-1, NULL, 0) > 0)
		reap(m);
}

/* master_loop - until SIGTERM: reap, count, reload, keep workers */
static void master_loop(struct master *m)
{
	struct pollfd pfd[2];

	while (!daemon_sig.term) {
		keep_workers(m);
		pfd[0].fd = daemon_signal_fd();
		pfd[0].events = POLLIN;
		pfd[1].fd = m->status_fd[0];
		pfd[1].events = POLLIN;
		(void)poll(pfd, 2, m->throttle_until != 0 ? 1000 : -1);
		daemon_signal_drain();
		if (daemon_sig.chld) {
			daemon_sig.chld = 0;
			reap(m);
		}
		read_status(m);
		if (daemon_sig.hup) {
			daemon_sig.hup = 0;
			reload(m);
		}
		if (time(NULL) >= m->throttle_until)
			m->throttle_until = 0;
	}
}

/* check_tls - the TLS context, so a bad certificate stops the start */
static int check_tls(void *ctx, const struct config *cfg, struct sl_err *err)
{
	struct master *m = ctx;

	return lmtpd_tls_ctx(cfg, &m->tls, err);
}

/* status_pipe - where the workers report busy and idle */
static int status_pipe(void *ctx, const struct config *cfg,
		       struct sl_err *err)
{
	struct master *m = ctx;

	(void)cfg;
	if (pipe2(m->status_fd, O_CLOEXEC | O_NONBLOCK) < 0)
		return err_set_errno(err, errno, "pipe");
	return 0;
}

int main(int argc, char **argv)
{
	struct master m;
	struct daemon_start ds = { "sluice-lmtpd", "lmtp", check_tls,
				   status_pipe, NULL };
	int code, ready_fd = -1;

	memset(&m, 0, sizeof(m));
	m.pidfile.fd = -1;
	ds.ctx = &m;
	if ((code = daemon_parse_opts("sluice-lmtpd", argc, argv, &m.o)) != 0)
		return code;
	daemon_master_signals();
	if ((code = daemon_start(&ds, &m.o, &m.cfg, &m.pidfile, &m.ls,
				 &ready_fd)) != 0) {
		daemon_ready(&ready_fd, (char)code);
		return code;
	}
	set_max_workers(&m);
	daemon_log_started(&m.ls);
	daemon_ready(&ready_fd, 0);
	master_loop(&m);
	log_info("stopping");
	stop(&m);
	listeners_close(&m.ls, 1);
	pidfile_remove(&m.pidfile);
	lmtpd_tls_ctx_free(&m.tls);
	free(m.w);
	config_free(&m.cfg);
	log_info("stopped");
	log_close();
	daemon_opts_free(&m.o);
	return 0;
}
