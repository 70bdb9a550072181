/* auth - the parts of sluice-auth (not used outside auth/).
 *
 * sluice-auth speaks Dovecot's authentication client protocol (1.2) on
 * UNIX sockets, so Postfix (smtpd_sasl_type = dovecot) and other Dovecot
 * SASL clients authenticate against sluice's passdb.
 *
 * The protocol is a library (client.c, mech.c, base64.c, md5.c,
 * penalty.c) that knows no sockets: bytes in, bytes out, timers by the
 * caller's clock, and the password database behind a struct of function
 * pointers, so unit tests and the fuzz harness drive it directly. The
 * program is main.c (the master: listeners, pid file, accepts, workers),
 * listen.c and worker.c (a poll loop over many client connections).
 */
#ifndef SLUICE_AUTH_H
#define SLUICE_AUTH_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "lib/base64.h"
#include "lib/buf.h"
#include "lib/err.h"
#include "lib/listen.h"
#include "lib/passdb.h"
#include "lib/pool.h"

struct config;

/* Limits */
/* longest protocol line (Dovecot's AUTH_CLIENT_MAX_LINE_LENGTH); a
 * client that sends more without a newline is disconnected */
#define AUTH_LINE_MAX 16384
/* requests in progress (or waiting for their delayed FAIL) on one
 * connection; Postfix has one at a time */
#define AUTH_REQUESTS_MAX 16
/* a request waiting for the client's CONT is dropped after this long
 * (Dovecot's MASTER_AUTH_SERVER_TIMEOUT_SECS) */
#define AUTH_REQUEST_TIMEOUT_MS (150 * 1000)
/* a client has this long to send VERSION and CPID */
#define AUTH_HANDSHAKE_TIMEOUT_MS (30 * 1000)
/* longest user name taken from a client (the userdb's own limit) */
#define AUTH_USER_MAX 512
/* replies queued for a client before its input is no longer read */
#define AUTH_OUT_THROTTLE 65536
/* failures of one remote IP are counted over this window */
#define AUTH_PENALTY_WINDOW_MS (60 * 1000)
/* remote IPs remembered at once (shared by all workers) */
#define AUTH_PENALTY_SLOTS 4096
/* most worker processes (auth_workers is capped to it) */
#define AUTH_WORKERS_MAX 64

/* protocol version spoken (Dovecot 2.3's auth client protocol) */
#define AUTH_PROTOCOL_MAJOR 1
#define AUTH_PROTOCOL_MINOR 2

enum auth_mech {
	AUTH_MECH_PLAIN = 1 << 0,
	AUTH_MECH_LOGIN = 1 << 1,
	AUTH_MECH_CRAM_MD5 = 1 << 2,
};

/* settings.c: what sluice.conf says, read once per worker */
struct auth_settings {
	unsigned mechs;			/* AUTH_MECH_* */
	uint64_t failure_delay_ms;
	unsigned max_failures;		/* per remote IP per window; 0: off */
	uint64_t block_ms;
	int plaintext_disabled;		/* auth_disable_plaintext_auth */
	int username_chars_any;		/* auth_username_chars empty */
	unsigned char username_chars[256];
	char *default_realm;		/* "" none */
	char *hostname;			/* in CRAM-MD5 challenges */
};

/* auth_settings_read - from cfg; an unknown mechanism is ERR_USAGE */
int auth_settings_read(struct auth_settings *set, const struct config *cfg,
		       struct sl_err *err);
void auth_settings_free(struct auth_settings *set);
/* auth_mech_name - "PLAIN", "LOGIN", "CRAM-MD5" */
const char *auth_mech_name(enum auth_mech mech);

/* md5.c - MD5 (RFC 1321) and HMAC-MD5 from Dovecot's stored CRAM-MD5
 * contexts */
#define MD5_DIGEST_LEN 16
struct md5 {
	uint32_t h[4];
	uint64_t total;		/* bytes hashed */
	unsigned char block[64];
	size_t fill;
};
void md5_init(struct md5 *m);
void md5_update(struct md5 *m, const void *data, size_t len);
void md5_final(struct md5 *m, unsigned char digest[MD5_DIGEST_LEN]);
/* md5_cram_response - RFC 2195's digest of challenge, as 32 lowercase
 * hex digits into hex_out (33 bytes), from the 64 hex digits of
 * Dovecot's {CRAM-MD5} (the outer then the inner HMAC-MD5 state after
 * the key block); -1 if contexts is not that */
int md5_cram_response(const char *contexts, const char *challenge,
		      size_t challenge_len, char hex_out[33]);
/* md5_cram_contexts - those 64 hex digits for a password (tests) */
void md5_cram_contexts(const void *password, size_t len, char hex_out[65]);

/* penalty.c - failed authentications per remote IP, in memory shared by
 * the workers (mapped before they are forked) */
struct penalty;
struct penalty *penalty_new(struct sl_err *err);
void penalty_free(struct penalty **p);
/* penalty_blocked - ms left of rip's block; 0 when not blocked */
uint64_t penalty_blocked(struct penalty *p, const char *rip,
			 uint64_t now_ms);
/* penalty_failed - count one failure of rip; when it is the max-th
 * within AUTH_PENALTY_WINDOW_MS, rip is blocked for block_ms and 1 is
 * returned (0 otherwise) */
int penalty_failed(struct penalty *p, const char *rip, unsigned max,
		   uint64_t block_ms, uint64_t now_ms);
/* penalty_succeeded - forget rip's failures (not a block) */
void penalty_succeeded(struct penalty *p, const char *rip);

/* client.c: one client connection */
struct auth_passdb_ops {
	enum passdb_result (*verify)(void *ctx, struct pool *pool,
				     const char *user, const char *password,
				     size_t password_len,
				     struct passdb_reply *reply,
				     struct sl_err *err);
	enum passdb_result (*credentials)(void *ctx, struct pool *pool,
					  const char *user, const char *want,
					  struct buf *out,
					  struct passdb_reply *reply,
					  struct sl_err *err);
	void *ctx;
};

struct auth_env {
	const struct auth_settings *set;
	const struct auth_passdb_ops *passdb;
	struct penalty *penalty;	/* NULL: no per-IP limit */
	pid_t spid;			/* SPID: the serving process */
};

struct auth_client;

/* auth_client_new - a connection; its handshake is queued at once.
 * cuid: unique per connection of this process; peer: for the log */
struct auth_client *auth_client_new(const struct auth_env *env,
				    unsigned cuid, const char *peer,
				    uint64_t now_ms);
void auth_client_free(struct auth_client **c);
/* auth_client_input - bytes received; every complete line is handled
 * (passdb lookups included). 0, or -1: close the connection (a protocol
 * violation, logged; queued output may still be sent) */
int auth_client_input(struct auth_client *c, const void *data, size_t len,
		      uint64_t now_ms);
/* auth_client_output - bytes waiting to be sent (may be empty) */
const char *auth_client_output(const struct auth_client *c, size_t *len_r);
/* auth_client_sent - n of them were sent */
void auth_client_sent(struct auth_client *c, size_t n);
/* auth_client_throttled - so much output waits that input should wait */
int auth_client_throttled(const struct auth_client *c);
/* auth_client_next_timer - when auth_client_timers is due next
 * (UINT64_MAX: nothing pending) */
uint64_t auth_client_next_timer(const struct auth_client *c);
/* auth_client_timers - delayed FAILs that are due are queued, stale
 * requests dropped; -1: close (the handshake did not finish in time) */
int auth_client_timers(struct auth_client *c, uint64_t now_ms);
/* auth_client_flush_delayed - queue every delayed FAIL now (stopping) */
void auth_client_flush_delayed(struct auth_client *c);
/* auth_client_idle - no request in progress or delayed, nothing to send */
int auth_client_idle(const struct auth_client *c);

/* worker.c */
/* worker_run - serve the connections the master passes on ctl_fd until
 * told to stop (SIGTERM) or, retired (SIGUSR1), until its connections
 * are gone; every closed connection is counted in *closed (memory the
 * master reads). Returns the exit code. */
int worker_run(const struct config *cfg, struct penalty *penalty,
	       int ctl_fd, volatile uint64_t *closed);

#endif
