/* worker.c - a worker process: one poll loop over many connections.
 *
 * Postfix opens one connection per smtpd process and keeps it, so a
 * worker holds many mostly idle connections. The master accepts them and
 * passes each to the least busy worker over ctl_fd (SCM_RIGHTS). A
 * password lookup blocks its worker (SQL and LDAP may take a while),
 * which is why there are several; the failure delay never does: a FAIL
 * waits in its connection's queue while the loop serves the others.
 */
#include "auto-config.h"
#include "auth.h"

#include "lib/config.h"
#include "lib/daemon.h"
#include "lib/log.h"
#include "lib/passdb.h"
#include "lib/xalloc.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <netinet/in.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* bytes read from a client at once */
#define WORKER_READ_SIZE 16384
/* a retired worker (after SIGHUP) closes a connection idle this long */
#define WORKER_RETIRE_IDLE_MS (30 * 1000)

struct wconn {
	int fd;
	struct auth_client *client;
	uint64_t last_active;
};

struct worker {
	struct auth_settings set;
	struct auth_passdb_ops ops;
	struct auth_env env;
	struct wconn *c;
	size_t n, alloc;
	unsigned cuid;
	volatile uint64_t *closed;
};

static volatile sig_atomic_t worker_stop, worker_retire;
static sigset_t wait_mask;

static void on_term(int sig)
{
	(void)sig;
	worker_stop = 1;
}

static void on_retire(int sig)
{
	(void)sig;
	worker_retire = 1;
}

static uint64_t now_ms(void)
{
	struct timespec ts;

	(void)clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* worker_drop - become auth_user (when started as root) */
static int worker_drop(const struct config *cfg, struct sl_err *err)
{
	const char *name = config_str(cfg, "auth_user");
	struct passwd *pw;

	if (*name == '\0' || geteuid() != 0)
		return 0;
	pw = getpwnam(name);
	if (pw == NULL)
		return err_set(err, ERR_USAGE, "auth_user: no user %s", name);
	if (initgroups(pw->pw_name, pw->pw_gid) < 0 ||
	    setgid(pw->pw_gid) < 0 || setuid(pw->pw_uid) < 0)
		return err_set_errno(err, errno, "becoming auth_user %s", name);
	if (pw->pw_uid != 0 && setuid(0) == 0)
		return err_set(err, ERR_TEMP, "auth_user %s: root came back", name);
	return 0;
}

static enum passdb_result worker_verify(void *ctx, struct pool *pool,
					const char *user, const char *password,
					size_t password_len,
					struct passdb_reply *reply,
					struct sl_err *err)
{
	return passdb_verify(ctx, pool, user, password, password_len, reply,
			     err);
}

static enum passdb_result worker_credentials(void *ctx, struct pool *pool,
					     const char *user, const char *want,
					     struct buf *out,
					     struct passdb_reply *reply,
					     struct sl_err *err)
{
	return passdb_credentials(ctx, pool, user, want, out, reply, err);
}

/* peer_name - "[ADDR]" for TCP, "local" for a UNIX socket */
static void peer_name(int fd, char *name, size_t size)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	char ip[INET6_ADDRSTRLEN] = "";

	if (getpeername(fd, (struct sockaddr *)&ss, &len) == 0) {
		if (ss.ss_family == AF_INET)
			(void)inet_ntop(AF_INET, &((struct sockaddr_in *)&ss)->sin_addr,
					ip, sizeof(ip));
		else if (ss.ss_family == AF_INET6)
			(void)inet_ntop(AF_INET6,
					&((struct sockaddr_in6 *)&ss)->sin6_addr,
					ip, sizeof(ip));
	}
	if (ip[0] == '\0')
		(void)snprintf(name, size, "local");
	else
		(void)snprintf(name, size, "[%s]", ip);
}

static void conn_add(struct worker *w, int fd, uint64_t now)
{
	char peer[INET6_ADDRSTRLEN + 3];
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0) {
		log_error("worker: fcntl: %s", strerror(errno));
		(void)close(fd);
		__atomic_add_fetch(w->closed, 1, __ATOMIC_SEQ_CST);
		return;
	}
	if (w->n == w->alloc) {
		w->alloc = w->alloc ? w->alloc * 2 : 16;
		w->c = xreallocarray(w->c, w->alloc, sizeof(*w->c));
	}
	peer_name(fd, peer, sizeof(peer));
	w->c[w->n].fd = fd;
	w->c[w->n].client = auth_client_new(&w->env, ++w->cuid, peer, now);
	w->c[w->n].last_active = now;
	w->n++;
}

/* conn_close - the connection at i goes (the last one takes its place) */
static void conn_close(struct worker *w, size_t i)
{
	(void)close(w->c[i].fd);
	auth_client_free(&w->c[i].client);
	w->c[i] = w->c[--w->n];
	__atomic_add_fetch(w->closed, 1, __ATOMIC_SEQ_CST);
}

/* conn_write - send what is queued; -1 the connection is broken */
static int conn_write(struct wconn *c, uint64_t now)
{
	const char *data;
	size_t len;
	ssize_t n;

	for (;;) {
		data = auth_client_output(c->client, &len);
		if (len == 0)
			return 0;
		n = send(c->fd, data, len, MSG_NOSIGNAL | MSG_DONTWAIT);
		if (n < 0)
			return errno == EAGAIN || errno == EINTR ? 0 : -1;
		auth_client_sent(c->client, (size_t)n);
		c->last_active = now;
	}
}

/* conn_read - one read; -1 the connection ends (EOF, error, protocol) */
static int conn_read(struct wconn *c, uint64_t now)
{
	char data[WORKER_READ_SIZE];
	ssize_t n = recv(c->fd, data, sizeof(data), MSG_DONTWAIT);
	int ret;

	if (n < 0)
		return errno == EAGAIN || errno == EINTR ? 0 : -1;
	if (n == 0)
		return -1;
	c->last_active = now;
	ret = auth_client_input(c->client, data, (size_t)n, now);
	explicit_bzero(data, (size_t)n);
	if (ret < 0)
		(void)conn_write(c, now);	/* replies queued before the BUG */
	return ret;
}

/* ctl_receive - connections the master passes; 0 none waiting, 1 got
 * some, -1 the master is gone */
static int ctl_receive(struct worker *w, int ctl_fd, uint64_t now)
{
	union {
		struct cmsghdr h;
		char space[CMSG_SPACE(sizeof(int))];
	} cbuf;
	struct msghdr msg;
	struct iovec iov;
	struct cmsghdr *cm;
	char byte;
	ssize_t n;
	int fd, got = 0;

	for (;;) {
		memset(&msg, 0, sizeof(msg));
		iov.iov_base = &byte;
		iov.iov_len = 1;
		msg.msg_iov = &iov;
		msg.msg_iovlen = 1;
		msg.msg_control = cbuf.space;
		msg.msg_controllen = sizeof(cbuf.space);
		n = recvmsg(ctl_fd, &msg, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
		if (n < 0)
			return errno == EAGAIN || errno == EINTR ? got : -1;
		if (n == 0)
			return -1;
		cm = CMSG_FIRSTHDR(&msg);
		if (cm == NULL || cm->cmsg_level != SOL_SOCKET ||
		    cm->cmsg_type != SCM_RIGHTS ||
		    cm->cmsg_len != CMSG_LEN(sizeof(int))) {
			/* the kernel dropped it (no descriptor left here):
			   the master counted it, so count it gone */
			log_error("worker: a connection was lost in passing "
				  "(too many open files?)");
			__atomic_add_fetch(w->closed, 1, __ATOMIC_SEQ_CST);
			continue;
		}
		memcpy(&fd, CMSG_DATA(cm), sizeof(fd));
		conn_add(w, fd, now);
		got = 1;
	}
}

/* worker_timeout - ms until the earliest timer of any connection */
static int worker_timeout(const struct worker *w, uint64_t now)
{
	uint64_t next = UINT64_MAX, t;
	size_t i;

	for (i = 0; i < w->n; i++) {
		t = auth_client_next_timer(w->c[i].client);
		if (worker_retire && auth_client_idle(w->c[i].client))
			t = w->c[i].last_active + WORKER_RETIRE_IDLE_MS;
		if (t < next)
			next = t;
	}
	if (next == UINT64_MAX)
		return -1;
	return next <= now ? 0 : next - now > 60000 ? 60000 : (int)(next - now);
}

/* worker_poll - wait for sockets, timers or a signal; run what is ready */
static void worker_poll(struct worker *w, int ctl_fd, struct pollfd *pfd)
{
	uint64_t now = now_ms();
	int timeout = worker_timeout(w, now);
	struct timespec ts = { timeout / 1000, (timeout % 1000) * 1000000L };
	size_t i, n = w->n;
	size_t len;

	pfd[0].fd = ctl_fd;
	pfd[0].events = POLLIN;
	for (i = 0; i < n; i++) {
		pfd[i + 1].fd = w->c[i].fd;
		pfd[i + 1].events = auth_client_throttled(w->c[i].client) ? 0 : POLLIN;
		(void)auth_client_output(w->c[i].client, &len);
		if (len > 0)
			pfd[i + 1].events |= POLLOUT;
		pfd[i + 1].revents = 0;
	}
	if (ppoll(pfd, n + 1, timeout >= 0 ? &ts : NULL, &wait_mask) < 0)
		return;
	now = now_ms();
	/* backwards: conn_close moves the last connection into the gap */
	for (i = n; i-- > 0;) {
		struct wconn *c = &w->c[i];

		if ((pfd[i + 1].revents & (POLLIN | POLLHUP | POLLERR)) &&
		    conn_read(c, now) < 0) {
			conn_close(w, i);
			continue;
		}
		if (auth_client_timers(c->client, now) < 0 ||
		    conn_write(c, now) < 0 ||
		    (worker_retire && auth_client_idle(c->client) &&
		     now - c->last_active >= WORKER_RETIRE_IDLE_MS))
			conn_close(w, i);
	}
}

/* worker_finish - SIGTERM: answer what is delayed, then close all */
static void worker_finish(struct worker *w)
{
	uint64_t now = now_ms();

	while (w->n > 0) {
		auth_client_flush_delayed(w->c[w->n - 1].client);
		(void)conn_write(&w->c[w->n - 1], now);
		conn_close(w, w->n - 1);
	}
}

static int worker_setup(struct worker *w, const struct config *cfg,
			struct penalty *penalty, struct passdb **db)
{
	struct sl_err err;

	err_clear(&err);
	if (worker_drop(cfg, &err) < 0 ||
	    auth_settings_read(&w->set, cfg, &err) < 0 ||
	    passdb_open(db, cfg, &err) < 0) {
		log_error("worker: %s", err.text);
		return -1;
	}
	w->ops.verify = worker_verify;
	w->ops.credentials = worker_credentials;
	w->ops.ctx = *db;
	w->env.set = &w->set;
	w->env.passdb = &w->ops;
	w->env.penalty = penalty;
	w->env.spid = getpid();
	return 0;
}

int worker_run(const struct config *cfg, struct penalty *penalty,
	       int ctl_fd, volatile uint64_t *closed)
{
	struct worker w;
	struct passdb *db = NULL;
	struct pollfd *pfd = NULL;
	size_t pfd_alloc = 0;
	int master_gone = 0;

	daemon_worker_signals(on_term, on_retire, &wait_mask);
	memset(&w, 0, sizeof(w));
	w.closed = closed;
	if (worker_setup(&w, cfg, penalty, &db) < 0) {
		auth_settings_free(&w.set);
		return 75;
	}
	while (!worker_stop) {
		if (!master_gone && ctl_receive(&w, ctl_fd, now_ms()) < 0)
			master_gone = 1;	/* serve what we have, then go */
		if ((worker_retire || master_gone) && w.n == 0)
			break;
		if (w.n + 1 > pfd_alloc) {
			pfd_alloc = w.n + 16;
			pfd = xreallocarray(pfd, pfd_alloc, sizeof(*pfd));
		}
		worker_poll(&w, master_gone ? -1 : ctl_fd, pfd);
	}
	worker_finish(&w);
	free(pfd);
	free(w.c);
	passdb_close(&db);
	auth_settings_free(&w.set);
	return 0;
}
