/* worker.c - a worker process: accept a connection, serve it, repeat.
 *
 * Workers share the listening sockets and take turns in accept(); each
 * keeps its userdb open across connections (the per-connection cache
 * that spares re-reading users), and runs deliveries as each recipient
 * (core's delivery_user_enter) when started as root.
 */
#include "auto-config.h"
#include "lmtpd.h"

#include "lib/config.h"
#include "lib/daemon.h"
#include "lib/log.h"
#include "lib/userdb.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

/* an extra worker (above lmtp_workers) leaves after this long idle */
#define WORKER_EXTRA_IDLE_MS (60 * 1000)
/* listeners polled at once */
#define WORKER_MAX_LISTENERS 32

static void on_term(int sig)
{
	(void)sig;
	lmtpd_stop = 1;
}

static void on_retire(int sig)
{
	(void)sig;
	lmtpd_retire = 1;
}

/* the mask waits use: the stop signals let in */
static sigset_t wait_mask;

/* worker_signals - see daemon_worker_signals; conn waits with the mask */
static void worker_signals(void)
{
	daemon_worker_signals(on_term, on_retire, &wait_mask);
	conn_set_wait_mask(&wait_mask);
}

static void report(int status_fd, int busy)
{
	struct worker_status ws = { getpid(), busy };

	/* one small write is atomic on a pipe; a full pipe must not block a
	   worker: the master only uses these to decide when to add one */
	if (write(status_fd, &ws, sizeof(ws)) < 0 && errno != EAGAIN)
		log_debug("worker: status pipe: %s", strerror(errno));
}

/* peer_describe - "[addr]" / "local" for logs and Received */
static void peer_describe(const struct sockaddr_storage *ss, char *name,
			  size_t name_size, char *addr, size_t addr_size)
{
	char ip[INET6_ADDRSTRLEN] = "";

	if (ss->ss_family == AF_INET)
		(void)inet_ntop(AF_INET, &((const struct sockaddr_in *)ss)->sin_addr,
				ip, sizeof(ip));
	else if (ss->ss_family == AF_INET6)
		(void)inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)ss)->sin6_addr,
				ip, sizeof(ip));
	if (ip[0] == '\0') {
		(void)snprintf(name, name_size, "local");
		(void)snprintf(addr, addr_size, "local");
		return;
	}
	(void)snprintf(name, name_size, "[%s]", ip);
	(void)snprintf(addr, addr_size, "%s", ip);
}

/* accept_one - a new connection from any listener; -1 none (yet), -2
 * nothing came within timeout_ms */
static int accept_one(const struct listeners *ls, int timeout_ms,
		      struct sockaddr_storage *ss)
{
	struct pollfd pfd[WORKER_MAX_LISTENERS];
	struct timespec ts = { timeout_ms / 1000, (timeout_ms % 1000) * 1000000L };
	size_t i, n = ls->count < WORKER_MAX_LISTENERS ? ls->count
						       : WORKER_MAX_LISTENERS;

	for (i = 0; i < n; i++) {
		pfd[i].fd = ls->v[i].fd;
		pfd[i].events = POLLIN;
		pfd[i].revents = 0;
	}
	switch (ppoll(pfd, (nfds_t)n, timeout_ms >= 0 ? &ts : NULL, &wait_mask)) {
	case 0:
		return -2;
	case -1:
		return -1;
	}
	for (i = 0; i < n; i++) {
		socklen_t len = sizeof(*ss);
		int fd;

		if (!(pfd[i].revents & POLLIN))
			continue;
		fd = accept4(pfd[i].fd, (struct sockaddr *)ss, &len,
			     SOCK_CLOEXEC);
		if (fd >= 0)
			return fd;
	}
	return -1;
}

int worker_run(const struct config *cfg, const struct listeners *ls,
	       SSL_CTX *tls, int status_fd, int extra)
{
	struct session_env env;
	struct userdb *udb = NULL;
	struct sl_err err;
	char host[256];
	int idle_ms = extra ? WORKER_EXTRA_IDLE_MS : -1;

	worker_signals();
	err_clear(&err);
	if (userdb_open(&udb, cfg, &err) < 0) {
		log_error("worker: userdb: %s", err.text);
		return 75;
	}
	memset(&env, 0, sizeof(env));
	env.cfg = cfg;
	env.userdb = udb;
	env.tls = tls;
	env.hostname = config_str(cfg, "lmtp_hostname");
	if (*env.hostname == '\0') {
		if (gethostname(host, sizeof(host)) < 0)
			(void)snprintf(host, sizeof(host), "localhost");
		host[sizeof(host) - 1] = '\0';
		env.hostname = host;
	}
	while (!lmtpd_stop && !lmtpd_retire) {
		struct sockaddr_storage ss;
		char name[INET6_ADDRSTRLEN + 3], addr[INET6_ADDRSTRLEN];
		int fd;

		memset(&ss, 0, sizeof(ss));
		fd = accept_one(ls, idle_ms, &ss);
		if (fd == -2)
			break;	/* an extra worker, idle: leave */
		if (fd < 0)
			continue;
		report(status_fd, 1);
		peer_describe(&ss, name, sizeof(name), addr, sizeof(addr));
		session_run(&env, fd, name, addr);
		report(status_fd, 0);
	}
	userdb_close(&udb);
	return 0;
}
