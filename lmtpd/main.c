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

#define MAX_OVERRIDES 64
/* a worker that dies sooner than this after its start delays the next */
#define RESPAWN_THROTTLE_SECS 1
/* after the shutdown timeout, how long workers get before SIGKILL */
#define STOP_GRACE_SECS 5

struct opts {
	const char *config;
	char *config_abs;	/* -c made absolute (freed at exit) */
	char *overrides[MAX_OVERRIDES];
	size_t n_overrides;
	int foreground;
};

struct worker {
	pid_t pid;
	int busy;
	int extra;
	unsigned gen;
	time_t started;
};

struct master {
	struct opts o;
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

static int sig_pipe[2] = { -1, -1 };
static volatile sig_atomic_t got_term, got_hup, got_chld;

static void on_signal(int sig)
{
	int e = errno;

	if (sig == SIGTERM || sig == SIGINT)
		got_term = 1;
	else if (sig == SIGHUP)
		got_hup = 1;
	else if (sig == SIGCHLD)
		got_chld = 1;
	if (write(sig_pipe[1], "s", 1) < 0)
		(void)0;	/* full: the master is awake anyway */
	errno = e;
}

static void usage(void)
{
	fprintf(stderr, "usage: sluice-lmtpd [-F] [-c CONFIG] [-o KEY=VALUE]...\n");
}

static int parse_opts(int argc, char **argv, struct opts *o)
{
	int c;

	memset(o, 0, sizeof(*o));
	while ((c = getopt(argc, argv, "Fc:o:")) != -1) {
		switch (c) {
		case 'F': o->foreground = 1; break;
		case 'c': o->config = optarg; break;
		case 'o':
			if (o->n_overrides == MAX_OVERRIDES) {
				fprintf(stderr, "sluice-lmtpd: too many -o options\n");
				return EX_USAGE;
			}
			o->overrides[o->n_overrides++] = optarg;
			break;
		default:
			usage();
			return EX_USAGE;
		}
	}
	if (optind != argc) {
		usage();
		return EX_USAGE;
	}
	return 0;
}

/* open_log - -F logs to stderr unless log_path names a file */
static void open_log(const struct master *m)
{
	if (m->o.foreground &&
	    strcmp(config_str(m->cfg, "log_path"), "syslog") == 0)
		log_open_stderr("sluice-lmtpd");
	else
		log_open("sluice-lmtpd", m->cfg);
}

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
		m->throttle_until = time(NULL) + RESPAWN_THROTTLE_SECS;
		return;
	}
	if (pid == 0) {
		(void)close(sig_pipe[0]);
		(void)close(sig_pipe[1]);
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
		if (WIFSIGNALED(status) ||
		    (WIFEXITED(status) && WEXITSTATUS(status) != 0)) {
			log_warning("worker %ld %s %d", (long)pid,
				    WIFSIGNALED(status) ? "killed by signal"
							: "exited with status",
				    WIFSIGNALED(status) ? WTERMSIG(status)
							: WEXITSTATUS(status));
			if (time(NULL) - w->started < RESPAWN_THROTTLE_SECS + 1)
				m->throttle_until = time(NULL) +
						    RESPAWN_THROTTLE_SECS;
		}
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
	open_log(m);
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

static void master_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_signal;
	sa.sa_flags = SA_RESTART;
	(void)sigaction(SIGTERM, &sa, NULL);
	(void)sigaction(SIGINT, &sa, NULL);
	(void)sigaction(SIGHUP, &sa, NULL);
	(void)sigaction(SIGCHLD, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	(void)sigaction(SIGPIPE, &sa, NULL);
	(void)sigaction(SIGUSR1, &sa, NULL);
}

/* master_loop - until SIGTERM: reap, count, reload, keep workers */
static void master_loop(struct master *m)
{
	struct pollfd pfd[2];
	char drain[64];

	while (!got_term) {
		keep_workers(m);
		pfd[0].fd = sig_pipe[0];
		pfd[0].events = POLLIN;
		pfd[1].fd = m->status_fd[0];
		pfd[1].events = POLLIN;
		(void)poll(pfd, 2, m->throttle_until != 0 ? 1000 : -1);
		while (read(sig_pipe[0], drain, sizeof(drain)) > 0)
			;
		if (got_chld) {
			got_chld = 0;
			reap(m);
		}
		read_status(m);
		if (got_hup) {
			got_hup = 0;
			reload(m);
		}
		if (time(NULL) >= m->throttle_until)
			m->throttle_until = 0;
	}
}

/* start - config, listeners, pid file: 0 or an exit code */
static int start(struct master *m, int *ready_fd)
{
	struct sl_err err;

	err_clear(&err);
	if (config_open(&m->cfg, m->o.config, m->o.overrides, m->o.n_overrides,
			&err) < 0 || lmtpd_tls_ctx(m->cfg, &m->tls, &err) < 0) {
		fprintf(stderr, "sluice-lmtpd: %s\n", err.text);
		return EX_CONFIG;
	}
	open_log(m);
	if (pidfile_lock(&m->pidfile, config_str(m->cfg, "lmtp_pid_file"),
			 "sluice-lmtpd", &err) < 0) {
		fprintf(stderr, "sluice-lmtpd: %s\n", err.text);
		log_error("%s", err.text);
		return EX_TEMPFAIL;
	}
	if (listeners_open(m->cfg, "lmtp", &m->ls, &err) < 0) {
		fprintf(stderr, "sluice-lmtpd: %s\n", err.text);
		log_error("%s", err.text);
		return err.cls == ERR_USAGE ? EX_CONFIG : EX_TEMPFAIL;
	}
	if (!m->o.foreground && daemonize(ready_fd) < 0) {
		fprintf(stderr, "sluice-lmtpd: cannot go into the background: %s\n",
			strerror(errno));
		return EX_OSERR;
	}
	if (pidfile_write(&m->pidfile, &err) < 0) {
		log_error("%s", err.text);
		return EX_TEMPFAIL;
	}
	if (pipe2(sig_pipe, O_CLOEXEC | O_NONBLOCK) < 0 ||
	    pipe2(m->status_fd, O_CLOEXEC | O_NONBLOCK) < 0) {
		fprintf(stderr, "sluice-lmtpd: pipe: %s\n", strerror(errno));
		return EX_OSERR;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct master m;
	int code, ready_fd = -1;
	size_t i;

	memset(&m, 0, sizeof(m));
	m.pidfile.fd = -1;
	if ((code = parse_opts(argc, argv, &m.o)) != 0)
		return code;
	/* the background master works from /; a reload must find the file */
	if (m.o.config != NULL && m.o.config[0] != '/') {
		char *abs = realpath(m.o.config, NULL);

		if (abs != NULL)
			m.o.config = m.o.config_abs = abs;
	}
	master_signals();
	if ((code = start(&m, &ready_fd)) != 0) {
		daemon_ready(&ready_fd, (char)code);
		return code;
	}
	set_max_workers(&m);
	{
		struct buf names = BUF_INIT;

		for (i = 0; i < m.ls.count; i++)
			buf_printf(&names, "%s%s", i > 0 ? ", " : "",
				   m.ls.v[i].name);
		log_info("started, pid %ld, listening on %s", (long)getpid(),
			 buf_cstr(&names));
		buf_free(&names);
	}
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
	free(m.o.config_abs);
	return 0;
}
