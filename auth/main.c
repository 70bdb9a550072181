/* sluice-auth - SASL authentication in Dovecot's auth protocol.
 *
 * This is the master: it opens the listeners (or takes systemd's), holds
 * the pid file, keeps auth_workers worker processes and accepts every
 * connection itself, passing it to the worker with the fewest (unlike
 * sluice-lmtpd, whose workers take turns in accept(): there a connection
 * is short, here a client such as Postfix's smtpd keeps one open for its
 * whole life, so the spread must not be left to chance). The connection
 * counts are in memory shared with the workers, as is the table of
 * failed authentications per remote IP. SIGHUP re-reads the config and
 * starts fresh workers; the old ones keep their connections until the
 * clients close them (or they sit idle 30 seconds). SIGTERM stops all.
 */
#include "auto-config.h"
#include "auth.h"

#include "lib/buf.h"
#include "lib/config.h"
#include "lib/daemon.h"
#include "lib/log.h"
#include "lib/passdb.h"
#include "lib/xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

/* after SIGTERM, how long workers get before SIGKILL */
#define STOP_GRACE_SECS 5
/* worker slots: the current workers and retired ones still serving */
#define MASTER_SLOTS (4 * AUTH_WORKERS_MAX)
/* how often a master at auth_max_connections looks for room */
#define FULL_RECHECK_MS 100


struct worker {
	pid_t pid;		/* 0: slot free */
	int ctl;		/* our end of its socket pair */
	unsigned gen;
	time_t started;
	uint64_t sent;		/* connections passed to it */
};

struct master {
	struct daemon_opts o;
	struct config *cfg;
	struct listeners ls;
	struct penalty *penalty;
	struct worker w[MASTER_SLOTS];
	volatile uint64_t *closed;	/* shared: per slot, set by workers */
	unsigned gen;
	struct pidfile pidfile;	/* locked at start (a reload that names
				   another file changes nothing) */
	time_t throttle_until;
	int accept_paused;	/* out of descriptors: wait a moment */
	int accept_warned;	/* ... and it was logged */
};

/* check_config - what a worker would refuse, found before it starts:
 * the mechanisms, the passdb key, auth_user */
static int check_config(void *ctx, const struct config *cfg,
			struct sl_err *err)
{
	struct auth_settings set;
	struct passdb *db = NULL;
	const char *user = config_str(cfg, "auth_user");

	(void)ctx;
	if (auth_settings_read(&set, cfg, err) < 0)
		return -1;
	auth_settings_free(&set);
	if (passdb_open(&db, cfg, err) < 0)
		return -1;
	passdb_close(&db);
	if (*user != '\0' && getpwnam(user) == NULL)
		return err_set(err, ERR_USAGE, "auth_user: no user %s", user);
	return 0;
}

/* worker_conns - connections a worker holds (passed, not yet closed) */
static uint64_t worker_conns(const struct master *m, size_t slot)
{
	return m->w[slot].sent -
	       __atomic_load_n(&m->closed[slot], __ATOMIC_SEQ_CST);
}

/* spawn_child - the worker's side after fork: only its own socket */
static void spawn_child(struct master *m, size_t slot, int ctl)
{
	size_t i;
	int code;

	daemon_signal_close();
	pidfile_close_fd(&m->pidfile);
	for (i = 0; i < MASTER_SLOTS; i++) {
		if (m->w[i].pid != 0)
			(void)close(m->w[i].ctl);
	}
	listeners_close(&m->ls, 0);
	code = worker_run(m->cfg, m->penalty, ctl, &m->closed[slot]);
	log_close();
	_exit(code);
}

/* spawn - start one worker of the current generation */
static void spawn(struct master *m)
{
	size_t slot;
	pid_t pid;
	int sp[2];

	for (slot = 0; slot < MASTER_SLOTS && m->w[slot].pid != 0; slot++)
		;
	if (slot == MASTER_SLOTS) {
		log_warning("no room for another worker (too many retired ones "
			    "still serving)");
		m->throttle_until = time(NULL) + DAEMON_RESPAWN_THROTTLE_SECS;
		return;
	}
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) < 0) {
		log_error("socketpair: %s", strerror(errno));
		m->throttle_until = time(NULL) + DAEMON_RESPAWN_THROTTLE_SECS;
		return;
	}
	m->closed[slot] = 0;
	pid = daemon_fork();
	if (pid < 0) {
		log_error("fork: %s", strerror(errno));
		(void)close(sp[0]);
		(void)close(sp[1]);
		m->throttle_until = time(NULL) + DAEMON_RESPAWN_THROTTLE_SECS;
		return;
	}
	if (pid == 0) {
		(void)close(sp[0]);
		spawn_child(m, slot, sp[1]);
	}
	(void)close(sp[1]);
	m->w[slot].pid = pid;
	m->w[slot].ctl = sp[0];
	m->w[slot].gen = m->gen;
	m->w[slot].started = time(NULL);
	m->w[slot].sent = 0;
}

static struct worker *find_worker(struct master *m, pid_t pid)
{
	size_t i;

	for (i = 0; i < MASTER_SLOTS; i++) {
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
		(void)close(w->ctl);
		memset(w, 0, sizeof(*w));
	}
}

/* keep_workers - auth_workers of the current generation */
static void keep_workers(struct master *m)
{
	uint64_t want = config_uint(m->cfg, "auth_workers");
	size_t i, current = 0;

	if (time(NULL) < m->throttle_until)
		return;
	if (want < 1)
		want = 1;
	if (want > AUTH_WORKERS_MAX)
		want = AUTH_WORKERS_MAX;
	for (i = 0; i < MASTER_SLOTS; i++) {
		if (m->w[i].pid != 0 && m->w[i].gen == m->gen)
			current++;
	}
	for (; current < want && time(NULL) >= m->throttle_until; current++)
		spawn(m);
}

/* have_worker - a worker of the current generation is running */
static int have_worker(const struct master *m)
{
	size_t i;

	for (i = 0; i < MASTER_SLOTS; i++) {
		if (m->w[i].pid != 0 && m->w[i].gen == m->gen)
			return 1;
	}
	return 0;
}

/* total_conns - every connection held, by old workers too */
static uint64_t total_conns(const struct master *m)
{
	uint64_t n = 0;
	size_t i;

	for (i = 0; i < MASTER_SLOTS; i++) {
		if (m->w[i].pid != 0)
			n += worker_conns(m, i);
	}
	return n;
}

/* pass_fd - hand a connection to a worker; -1 its queue is full */
static int pass_fd(int ctl, int fd)
{
	union {
		struct cmsghdr h;
		char space[CMSG_SPACE(sizeof(int))];
	} cbuf;
	struct msghdr msg;
	struct iovec iov;
	struct cmsghdr *cm;
	char byte = 'c';

	memset(&msg, 0, sizeof(msg));
	memset(&cbuf, 0, sizeof(cbuf));
	iov.iov_base = &byte;
	iov.iov_len = 1;
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_control = cbuf.space;
	msg.msg_controllen = sizeof(cbuf.space);
	cm = CMSG_FIRSTHDR(&msg);
	cm->cmsg_level = SOL_SOCKET;
	cm->cmsg_type = SCM_RIGHTS;
	cm->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(cm), &fd, sizeof(fd));
	return sendmsg(ctl, &msg, MSG_DONTWAIT | MSG_NOSIGNAL) == 1 ? 0 : -1;
}

/* dispatch - the connection goes to the current worker with the fewest
 * (the next fewest when that one's queue is full) */
static void dispatch(struct master *m, int fd)
{
	int tried[MASTER_SLOTS];
	size_t i, best;

	memset(tried, 0, sizeof(tried));
	for (;;) {
		best = MASTER_SLOTS;
		for (i = 0; i < MASTER_SLOTS; i++) {
			if (m->w[i].pid == 0 || m->w[i].gen != m->gen || tried[i])
				continue;
			if (best == MASTER_SLOTS ||
			    worker_conns(m, i) < worker_conns(m, best))
				best = i;
		}
		if (best == MASTER_SLOTS)
			break;
		if (pass_fd(m->w[best].ctl, fd) == 0) {
			m->w[best].sent++;
			(void)close(fd);
			return;
		}
		tried[best] = 1;
	}
	log_warning("no worker could take a connection; closing it");
	(void)close(fd);
}

/* accept_all - take what waits on a listener, as long as there is room */
static void accept_all(struct master *m, int lfd)
{
	uint64_t max = config_uint(m->cfg, "auth_max_connections");
	int fd;

	while (total_conns(m) < max) {
		fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EMFILE || errno == ENFILE) {
				if (!m->accept_warned)
					log_warning("accept: %s", strerror(errno));
				m->accept_paused = m->accept_warned = 1;
			} else if (errno != EAGAIN && errno != EINTR &&
				   errno != ECONNABORTED) {
				log_warning("accept: %s", strerror(errno));
			}
			return;
		}
		m->accept_warned = 0;
		dispatch(m, fd);
	}
}

/* reload - SIGHUP: a new config (kept only if it checks out), fresh
 * workers; the old ones serve their connections out */
static void reload(struct master *m)
{
	struct config *cfg = NULL;
	struct sl_err err;
	size_t i;

	err_clear(&err);
	if (config_open(&cfg, m->o.config, m->o.overrides, m->o.n_overrides,
			&err) < 0 || check_config(NULL, cfg, &err) < 0) {
		log_error("reload failed, keeping the running config: %s",
			  err.text);
		config_free(&cfg);
		return;
	}
	if (strcmp(config_str(cfg, "auth_listen"),
		   config_str(m->cfg, "auth_listen")) != 0)
		log_warning("reload: auth_listen changed; the listeners stay "
			    "as they are until a restart");
	config_free(&m->cfg);
	m->cfg = cfg;
	daemon_open_log("sluice-auth", &m->o, m->cfg);
	m->gen++;
	for (i = 0; i < MASTER_SLOTS; i++) {
		if (m->w[i].pid != 0)
			(void)kill(m->w[i].pid, SIGUSR1);
	}
	m->throttle_until = 0;
	log_info("configuration reloaded");
}

/* stop - SIGTERM to every worker, wait, then SIGKILL the stragglers */
static void stop(struct master *m)
{
	time_t deadline = time(NULL) + STOP_GRACE_SECS;
	size_t i, left;

	for (i = 0; i < MASTER_SLOTS; i++) {
		if (m->w[i].pid != 0)
			(void)kill(m->w[i].pid, SIGTERM);
	}
	for (;;) {
		reap(m);
		for (i = 0, left = 0; i < MASTER_SLOTS; i++)
			left += m->w[i].pid != 0;
		if (left == 0 || time(NULL) >= deadline)
			break;
		(void)poll(NULL, 0, 50);
	}
	for (i = 0; i < MASTER_SLOTS; i++) {
		if (m->w[i].pid == 0)
			continue;
		log_warning("worker %ld did not stop; killing it",
			    (long)m->w[i].pid);
		(void)kill(m->w[i].pid, SIGKILL);
		(void)waitpid(m->w[i].pid, NULL, 0);
		(void)close(m->w[i].ctl);
		m->w[i].pid = 0;
	}
}

/* master_loop - until SIGTERM: accept and dispatch, reap, reload */
static void master_loop(struct master *m)
{
	struct pollfd pfd[1 + 64];
	size_t i, nl = m->ls.count < 64 ? m->ls.count : 64;
	int full, timeout;

	while (!daemon_sig.term) {
		keep_workers(m);
		/* with no room or no worker, connections wait in the backlog */
		full = total_conns(m) >= config_uint(m->cfg, "auth_max_connections") ||
		       !have_worker(m) || m->accept_paused;
		pfd[0].fd = daemon_signal_fd();
		pfd[0].events = POLLIN;
		for (i = 0; i < nl; i++) {
			pfd[i + 1].fd = full ? -1 : m->ls.v[i].fd;
			pfd[i + 1].events = POLLIN;
			pfd[i + 1].revents = 0;
		}
		timeout = full ? FULL_RECHECK_MS : m->throttle_until != 0 ? 1000 : -1;
		(void)poll(pfd, nl + 1, timeout);
		daemon_signal_drain();
		if (daemon_sig.chld) {
			daemon_sig.chld = 0;
			reap(m);
		}
		if (daemon_sig.hup) {
			daemon_sig.hup = 0;
			reload(m);
			keep_workers(m);
		}
		if (full)
			m->accept_paused = 0;	/* try again after the pause */
		for (i = 0; i < nl; i++) {
			if (pfd[i + 1].revents & POLLIN)
				accept_all(m, m->ls.v[i].fd);
		}
		if (time(NULL) >= m->throttle_until)
			m->throttle_until = 0;
	}
}

/* shared_slots - the per-worker closed counters, shared with workers,
 * and the failure penalties */
static int shared_slots(void *ctx, const struct config *cfg,
			struct sl_err *err)
{
	struct master *m = ctx;
	void *p = mmap(NULL, MASTER_SLOTS * sizeof(uint64_t),
		       PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return err_set_errno(err, errno, "mmap");
	(void)cfg;
	m->closed = p;
	m->penalty = penalty_new(err);
	return m->penalty == NULL ? -1 : 0;
}

/* raise_fd_limit - the soft limit on descriptors up to the hard one:
 * every worker holds one per client (the workers inherit it) */
static void raise_fd_limit(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
	}
}

int main(int argc, char **argv)
{
	struct master m;
	struct daemon_start ds = { "sluice-auth", "auth", check_config,
				   shared_slots, NULL };
	int code, ready_fd = -1;

	memset(&m, 0, sizeof(m));
	m.pidfile.fd = -1;
	ds.ctx = &m;
	if ((code = daemon_parse_opts("sluice-auth", argc, argv, &m.o)) != 0)
		return code;
	daemon_master_signals();
	raise_fd_limit();
	if ((code = daemon_start(&ds, &m.o, &m.cfg, &m.pidfile, &m.ls,
				 &ready_fd)) != 0) {
		daemon_ready(&ready_fd, (char)code);
		return code;
	}
	daemon_log_started(&m.ls);
	daemon_ready(&ready_fd, 0);
	master_loop(&m);
	log_info("stopping");
	stop(&m);
	listeners_close(&m.ls, 1);
	pidfile_remove(&m.pidfile);
	penalty_free(&m.penalty);
	config_free(&m.cfg);
	log_info("stopped");
	log_close();
	daemon_opts_free(&m.o);
	return 0;
}
