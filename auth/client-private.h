/* client-private - what client.c (the connection and its commands) and
 * mech.c (the SASL mechanisms and the password check) share */
#ifndef SLUICE_AUTH_CLIENT_PRIVATE_H
#define SLUICE_AUTH_CLIENT_PRIVATE_H

#include "auth.h"

/* one AUTH in progress */
struct auth_request {
	unsigned id;
	enum auth_mech mech;
	char *service;
	char *rip, *lip;	/* NULL when not given */
	int secured;		/* the end user's connection is TLS (or local) */
	int no_penalty;		/* the client asked not to count failures */
	int want_cont;		/* a CONT was sent; the client's answer is due */
	char *user;		/* LOGIN: the name of the first step */
	char *challenge;	/* CRAM-MD5: the challenge sent */
	uint64_t expires_ms;
};

/* a FAIL held back by the failure delay */
struct auth_delayed {
	uint64_t due_ms;
	char *line;
};

struct auth_client {
	const struct auth_env *env;
	char peer[64];
	unsigned cuid;
	int have_version, have_cpid;
	unsigned minor;			/* the client's protocol minor */
	unsigned long cpid;
	uint64_t handshake_deadline;
	struct buf in;			/* received, not yet a whole line */
	struct buf out;			/* to send, from out_pos */
	size_t out_pos;
	struct auth_request *req[AUTH_REQUESTS_MAX];
	size_t n_req;
	struct auth_delayed delayed[AUTH_REQUESTS_MAX];
	size_t n_delayed;
};

enum auth_fail_kind {
	AUTH_FAIL_CREDENTIALS,	/* wrong or unusable: delayed, counted */
	AUTH_FAIL_TEMP,		/* the passdb cannot answer: delayed */
	AUTH_FAIL_BLOCKED,	/* the remote IP is blocked: delayed */
	AUTH_FAIL_PROTOCOL,	/* bad data or mechanism: at once */
};

struct auth_fail {
	enum auth_fail_kind kind;
	const char *user;	/* the name tried, or NULL */
	const char *original;	/* original_user=, or NULL */
	const char *code;	/* code= for the client, or NULL */
	const char *reason;	/* reason= for the end user, or NULL */
	const char *why;	/* for the log */
	int nodelay;		/* the passdb asked for no delay */
};

/* client.c */
/* client_cont - CONT with data (base64-encoded here); req stays */
void client_cont(struct auth_client *c, struct auth_request *req,
		 const void *data, size_t len);
/* client_ok - OK user=, and original_user= the name the client gave
 * when it differs (as Dovecot); req is freed */
void client_ok(struct auth_client *c, struct auth_request *req,
	       const char *user, const char *given);
/* client_fail - FAIL, now or after the failure delay; req is freed */
void client_fail(struct auth_client *c, struct auth_request *req,
		 const struct auth_fail *f, uint64_t now_ms);

/* mech.c */
/* mech_input - the client's data for req: the initial response (initial
 * set; has_data clear when AUTH had none) or a CONT's; ends in
 * client_cont, client_ok or client_fail */
void mech_input(struct auth_client *c, struct auth_request *req,
		int initial, int has_data, const unsigned char *data,
		size_t len, uint64_t now_ms);
/* mech_plaintext - the mechanism sends the password itself */
int mech_plaintext(enum auth_mech mech);

#endif
