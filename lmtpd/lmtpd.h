/* lmtpd - the parts of sluice-lmtpd (not used outside lmtpd/).
 *
 * main.c is the master: it opens the listeners, writes the pid file and
 * keeps a pool of workers (worker.c), each serving one connection at a
 * time (session.c: the LMTP protocol over conn.c's buffered, optionally
 * TLS, I/O) and delivering through core/ as each recipient in turn.
 */
#ifndef SLUICE_LMTPD_H
#define SLUICE_LMTPD_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "lib/buf.h"
#include "lib/err.h"
#include "lib/listen.h"

struct config;
struct userdb;
typedef struct ssl_ctx_st SSL_CTX;

/* Limits */
/* longest command line (RFC 5321 4.5.3.1.4 says 512; extensions and
 * UTF-8 addresses need more) */
#define LMTPD_LINE_MAX 2048
/* bytes read from a client at once */
#define LMTPD_IN_SIZE 65536
/* longest address in MAIL or RCPT (RFC 5321: 256 for a path) */
#define LMTPD_ADDRESS_MAX 512

/* conn.c: one client connection */
enum conn_status {
	CONN_OK = 0,
	CONN_EOF,	/* the client closed */
	CONN_TIMEOUT,	/* lmtp_timeout passed */
	CONN_ERROR,	/* read/write/TLS error */
	CONN_TOOLONG,	/* a line over the limit (discarded up to its end) */
	CONN_INTERRUPTED,	/* a signal asked us to stop */
};

struct conn;

struct conn *conn_new(int fd, unsigned timeout_secs);
/* conn_set_timeout - how long a read or write may wait */
void conn_set_timeout(struct conn *c, unsigned secs);
/* conn_set_wait_mask - the signal mask reads wait with: a worker blocks
 * its stop signals and lets them in only while waiting */
void conn_set_wait_mask(const sigset_t *mask);
void conn_free(struct conn **c);
/* conn_read_line - the next line without its CRLF/LF into line; flushes
 * replies first when no complete line is buffered (PIPELINING) */
enum conn_status conn_read_line(struct conn *c, size_t max,
				struct buf *line);
/* conn_read_some - up to max bytes of whatever is buffered or arrives
 * next, without copying (valid until the next read) */
enum conn_status conn_read_some(struct conn *c, size_t max,
				const char **data_r, size_t *len_r);
/* conn_unread - give back the last n bytes conn_read_some returned */
void conn_unread(struct conn *c, size_t n);
void conn_discard_input(struct conn *c);
/* conn_reply - queue one reply line (CRLF added) */
void conn_reply(struct conn *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
enum conn_status conn_flush(struct conn *c);
/* conn_starttls - TLS handshake as server; 0 or -1 with err */
int conn_starttls(struct conn *c, SSL_CTX *ctx, struct sl_err *err);
int conn_is_tls(const struct conn *c);

/* tls.c */
/* lmtpd_tls_ctx - a server context from lmtp_tls_cert/key; *ctx_r NULL
 * when they are not set */
int lmtpd_tls_ctx(const struct config *cfg, SSL_CTX **ctx_r,
		  struct sl_err *err);
void lmtpd_tls_ctx_free(SSL_CTX **ctx);

/* session.c */
struct session_env {
	const struct config *cfg;
	struct userdb *userdb;
	SSL_CTX *tls;
	const char *hostname;
};

/* session_run - serve one connection until QUIT, EOF, an error or a stop
 * request; closes fd */
void session_run(const struct session_env *env, int fd,
		 const char *peer_name, const char *peer_addr);

/* worker.c */
/* set by the signal handlers of a worker */
extern volatile sig_atomic_t lmtpd_stop;	/* SIGTERM: finish and go */
extern volatile sig_atomic_t lmtpd_retire;	/* SIGUSR1: exit when idle */

/* worker_run - accept and serve connections until told to stop; reports
 * busy/idle on status_fd; extra workers exit after a minute idle.
 * Returns the exit code. */
int worker_run(const struct config *cfg, const struct listeners *ls,
	       SSL_CTX *tls, int status_fd, int extra);

/* a worker's note to the master: it took or finished a connection */
struct worker_status {
	pid_t pid;
	int busy;
};

#endif
