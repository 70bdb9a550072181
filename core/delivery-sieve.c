/* delivery-sieve.c - the recipient's Sieve scripts at delivery.
 *
 * sieve_before, the user's script and sieve_after run into one result
 * (as Pigeonhole does); the core then carries the actions out as one
 * transaction: every copy is saved, and if one save or send fails
 * temporarily the copies already saved are expunged and the delivery is
 * a temporary failure. A script that does not compile or fails at run
 * time never costs the message: it is kept in INBOX and the error is
 * logged and written to SCRIPT.log where the user can see it.
 */
#include "auto-config.h"
#include "delivery-sieve.h"
#include "lib/buf.h"
#include "lib/config.h"
#include "lib/log.h"
#include "lib/rfc2047.h"
#include "lib/trackdb.h"
#include "lib/xalloc.h"
#include "sieve/ext-duplicate.h"
#include "sieve/ext-editheader.h"
#include "sieve/ext-enotify.h"
#include "sieve/sieve.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* bytes copied to sendmail per write */
#define SENDMAIL_CHUNK (64 * 1024)
/* header fields of the original message quoted in a rejection notice */
#define REJECT_HEADERS_MAX (64 * 1024)

/* script_path - a script setting expanded for the user (~, %u...) */
static const char *script_path(struct pool *pool, const char *tmpl,
			       const struct user_record *u)
{
	if (tmpl[0] == '~' && (tmpl[1] == '/' || tmpl[1] == '\0')) {
		if (u->home == NULL)
			return NULL;
		tmpl = pool_printf(pool, "%s%s", u->home, tmpl + 1);
	}
	return userdb_expand(pool, tmpl, u);
}

/* sieve_log_user - append the errors to SCRIPT.log (as Pigeonhole's
 * .dovecot.sieve.log), where the user sees why the script did nothing */
static void sieve_log_user(const char *script, const char *text)
{
	struct buf b = BUF_INIT;
	char stamp[32];
	time_t now = time(NULL);
	struct tm tm;
	int fd;

	buf_printf(&b, "%s.log", script);
	fd = open(b.data, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW,
		  0600);
	if (fd >= 0) {
		localtime_r(&now, &tm);
		strftime(stamp, sizeof(stamp), "%Y-%m-%d %H:%M:%S", &tm);
		buf_reset(&b);
		buf_printf(&b, "%s: %s\n", stamp, text);
		if (write(fd, b.data, b.len) < 0) {
			/* the main log has it too */
		}
		close(fd);
	}
	buf_free(&b);
}

struct sieve_host_ctx {
	struct store *st;
	const struct delivery_env *env;
	const struct delivery_rcpt *rcpt;
	struct pool *pool;
};

/* tracking_open - the user's tracking database, or NULL (logged) */
static struct trackdb *tracking_open(const struct delivery_env *env,
				     struct pool *pool,
				     const struct user_record *u)
{
	const char *path = script_path(pool, config_str(env->cfg, "sieve_tracking_db"), u);
	struct trackdb *db = NULL;
	struct sl_err err;

	if (path == NULL) {
		log_warning("session=%s no home for the tracking database", env->session);
		return NULL;
	}
	if (trackdb_open(path, &db, &err) < 0) {
		log_warning("session=%s %s", env->session, err.text);
		return NULL;
	}
	return db;
}

/* duplicate_key - "duplicate\nHANDLE\nID" */
static void duplicate_key(struct buf *key, const char *handle, const char *id,
			  size_t id_len)
{
	buf_printf(key, "duplicate\n%s\n", handle != NULL ? handle : "");
	buf_append(key, id, id_len);
}

/* host_duplicate_check - RFC 7352: seen under handle within period? A
 * database that cannot be read answers "not seen" (logged): the message
 * is then delivered, never lost */
static int host_duplicate_check(void *ctx, const char *handle, const char *id,
				uint64_t period, struct sl_err *err)
{
	struct sieve_host_ctx *h = ctx;
	struct trackdb *db = tracking_open(h->env, h->pool, h->rcpt->user);
	struct buf key = BUF_INIT;
	int r;

	(void)period;
	if (db == NULL)
		return 0;
	duplicate_key(&key, handle, id, strlen(id));
	r = trackdb_seen(db, key.data, key.len, time(NULL), err);
	trackdb_close(&db);
	buf_free(&key);
	if (r < 0) {
		log_warning("session=%s duplicate: %s", h->env->session, err->text);
		return 0;
	}
	return r;
}

/* host_mailbox_exists - mailboxexists and fileinto :create ask the store */
static int host_mailbox_exists(void *ctx, const char *mailbox,
			       struct sl_err *err)
{
	struct sieve_host_ctx *h = ctx;

	if (store_folder_is_inbox(mailbox))
		return 1;
	if (store_folder_name_check(mailbox, err) < 0)
		return 0;
	return h->st->v->folder_exists(h->st, mailbox, err);
}

/* special_use_folder - the folder mailbox_special_use gives the
 * attribute flag (RFC 6154, e.g. "\\Junk"), or NULL; from pool */
static const char *special_use_folder(const struct config *cfg,
				      struct pool *pool, const char *flag)
{
	const char *p = config_str(cfg, "mailbox_special_use");
	size_t flen = strlen(flag);

	while (*p != '\0') {
		const char *item, *end, *eq;

		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		item = p;
		while (*p != '\0' && *p != ',')
			p++;
		end = p;
		while (end > item && (end[-1] == ' ' || end[-1] == '\t'))
			end--;
		eq = memchr(item, '=', (size_t)(end - item));
		if (eq == NULL)
			continue;
		{
			const char *k_end = eq, *v = eq + 1;

			while (k_end > item && (k_end[-1] == ' ' || k_end[-1] == '\t'))
				k_end--;
			while (v < end && (*v == ' ' || *v == '\t'))
				v++;
			if ((size_t)(k_end - item) == flen &&
			    strncasecmp(item, flag, flen) == 0 && v < end)
				return pool_strndup(pool, v, (size_t)(end - v));
		}
	}
	return NULL;
}

/* host_special_use_exists - a folder with the attribute exists (any, or
 * the one named); attributes come from mailbox_special_use */
static int host_special_use_exists(void *ctx, const char *mailbox,
				   const char *flag, struct sl_err *err)
{
	struct sieve_host_ctx *h = ctx;
	const char *f = special_use_folder(h->env->cfg, h->pool, flag);

	if (f == NULL)
		return 0;
	if (mailbox != NULL && strcmp(mailbox, f) != 0 &&
	    !(store_folder_is_inbox(mailbox) && store_folder_is_inbox(f)))
		return 0;
	return host_mailbox_exists(ctx, f, err);
}

/* special_use_target - fileinto :specialuse (RFC 8579): the existing
 * folder with the attribute, else NULL (the named folder is used) */
static const char *special_use_target(const struct delivery_env *env,
				      struct pool *pool, struct store *st,
				      const struct sieve_action *a)
{
	const char *f;
	struct sl_err err;

	if (a->special_use == NULL ||
	    (f = special_use_folder(env->cfg, pool, a->special_use)) == NULL)
		return NULL;
	err_clear(&err);
	if (store_folder_is_inbox(f))
		return "INBOX";
	if (store_folder_name_check(f, &err) == 0 &&
	    st->v->folder_exists(st, f, &err) > 0)
		return f;
	return NULL;
}

/* run_one - compile and run one script into result; 1 ran, 0 no such
 * script, -1 error (logged, result left as it was) */
static int run_one(const struct delivery_env *env, struct pool *pool,
		   struct sieve_engine *engine, const char *path,
		   const struct sieve_exec_params *params,
		   struct sieve_result *result)
{
	struct sieve_diags diags;
	struct sieve_script *script;
	struct sl_err err;
	const struct sieve_diag *d;

	err_clear(&err);
	sieve_diags_init(&diags, pool);
	script = sieve_compile_file(engine, pool, path, NULL, &diags, &err);
	if (script == NULL) {
		if (err.cls == ERR_NOTFOUND && diags.n_errors == 0)
			return 0;
		for (d = diags.first; d != NULL; d = d->next) {
			if (d->warning)
				continue;
			log_warning("session=%s sieve: %s", env->session, d->text);
			sieve_log_user(path, d->text);
		}
		if (diags.n_errors == 0) {
			log_warning("session=%s sieve: %s: %s", env->session,
				    path, err.text);
			sieve_log_user(path, err.text);
		}
		return -1;
	}
	if (sieve_execute(script, params, result, &err) < 0) {
		log_warning("session=%s sieve: runtime error: %s",
			    env->session, err.text);
		sieve_log_user(path, err.text);
		return -1;
	}
	return 1;
}

int delivery_sieve_run(const struct delivery_env *env, struct pool *pool,
		       const struct delivery_message *msg,
		       const struct delivery_rcpt *rcpt, struct store *st,
		       struct sieve_result **result_r)
{
	const struct user_record *u = rcpt->user;
	const char *user_tmpl = u->sieve != NULL ? u->sieve
				: config_str(env->cfg, "sieve");
	static const char *const lists[] = { "sieve_before", NULL, "sieve_after" };
	struct sieve_message smsg;
	struct sieve_exec_params params;
	struct sieve_host_ctx hctx = { st, env, rcpt, pool };
	struct sieve_host host;
	struct sieve_env senv;
	struct sieve_engine *engine;
	struct sieve_result *result;
	struct sl_err err;
	size_t i;
	struct sieve_result_mark mark;
	int ran = 0, failed = 0, stop_all = 0;

	*result_r = NULL;
	err_clear(&err);
	memset(&smsg, 0, sizeof(smsg));
	smsg.msg = msg->msg;
	smsg.spool = msg->spool;
	smsg.skip = msg->skip;
	smsg.size = spool_size(msg->spool) - msg->skip;
	smsg.env_from = msg->sender;
	smsg.env_to = rcpt->address;
	smsg.orig_to = rcpt->orig_rcpt != NULL ? rcpt->orig_rcpt : rcpt->address;
	smsg.id = msg->message_id;
	memset(&host, 0, sizeof(host));
	host.ctx = &hctx;
	host.mailbox_exists = host_mailbox_exists;
	host.special_use_exists = host_special_use_exists;
	host.duplicate_check = host_duplicate_check;
	memset(&senv, 0, sizeof(senv));
	senv.domain = u->domain;
	senv.host = *config_str(env->cfg, "hostname") != '\0'
		? config_str(env->cfg, "hostname") : NULL;
	senv.location = "MDA";
	senv.phase = "during";
	senv.name = "sluice";
	senv.version = PACKAGE_VERSION;
	memset(&params, 0, sizeof(params));
	params.msg = &smsg;
	params.host = &host;
	params.env = &senv;

	engine = sieve_engine_new(env->cfg, NULL, &err);
	if (engine == NULL) {
		log_error("session=%s sieve: %s", env->session, err.text);
		return 0;
	}
	result = sieve_result_new(pool);
	for (i = 0; i < 3 && !failed; i++) {
		const char *p, *list = i == 1 ? user_tmpl
					 : config_str(env->cfg, lists[i]);

		for (p = list; *p != '\0' && !failed;) {
			size_t len;
			const char *path;
			int r;

			p += strspn(p, ", \t");
			len = i == 1 ? strlen(p) : strcspn(p, ", \t");
			if (len == 0)
				break;
			path = script_path(pool, pool_strndup(pool, p, len), u);
			p += len;
			if (path == NULL)
				continue;
			sieve_result_mark(result, &mark);
			r = run_one(env, pool, engine, path, &params, result);
			if (r < 0 && ran > 0) {
				/* the scripts before it stand (Pigeonhole has
				   carried them out by then); this one's
				   actions go, the implicit keep applies */
				sieve_result_rollback(result, &mark);
				stop_all = 1;
				break;
			}
			if (r < 0)
				failed = 1;
			else
				ran += r;
			if (r > 0 && sieve_result_keep_cancelled(result))
				break;
		}
		/* as Pigeonhole: the next script runs only while the implicit
		   keep is in effect (a global spam filter that files the
		   message keeps the user's script out); stop ends just the
		   script that ran it */
		if (stop_all || (ran > 0 && sieve_result_keep_cancelled(result)))
			break;
	}
	sieve_engine_free(&engine);
	if (failed || ran == 0)
		return 0;	/* implicit keep, as without a script */
	if (sieve_result_finish(result, &err) < 0) {
		log_warning("session=%s sieve: %s", env->session, err.text);
		return 0;
	}
	*result_r = result;
	return 0;
}

/* header_safe - a value that can go into a generated header line as it
 * is: no CR, LF or other controls (values from scripts and mailto URIs
 * are untrusted) */
static int header_safe(const char *v)
{
	for (; *v != '\0'; v++) {
		if ((unsigned char)*v < 0x20 || *v == 0x7f)
			return 0;
	}
	return 1;
}

/* flags_from_names - IMAP system flags to the store's bits, the rest
 * keywords (those a store cannot hold are logged and left out) */
static void flags_from_names(const struct delivery_env *env,
			     struct pool *pool, const char *const *names,
			     size_t n, struct delivery_flags *fl)
{
	static const struct { const char *name; unsigned bit; } map[] = {
		{ "\\Seen", STORE_FLAG_SEEN }, { "\\Answered", STORE_FLAG_ANSWERED },
		{ "\\Flagged", STORE_FLAG_FLAGGED }, { "\\Deleted", STORE_FLAG_DELETED },
		{ "\\Draft", STORE_FLAG_DRAFT },
	};
	const char **kw = n > 0 ? pool_alloc(pool, n * sizeof(*kw)) : NULL;
	struct sl_err err;
	size_t i, k;

	memset(fl, 0, sizeof(*fl));
	for (i = 0; i < n; i++) {
		for (k = 0; k < sizeof(map) / sizeof(map[0]); k++) {
			if (strcasecmp(names[i], map[k].name) == 0) {
				fl->flags |= map[k].bit;
				break;
			}
		}
		if (k < sizeof(map) / sizeof(map[0]))
			continue;
		if (store_keyword_check(names[i], &err) < 0) {
			log_warning("session=%s flag %s not stored: %s",
				    env->session, names[i], err.text);
			continue;
		}
		for (k = 0; k < fl->n_keywords; k++) {
			if (strcmp(kw[k], names[i]) == 0)
				break;
		}
		if (k == fl->n_keywords)
			kw[fl->n_keywords++] = names[i];
	}
	fl->keywords = kw;
}

/* delivery_sendmail - sendmail_path -oi -f SENDER -- RCPT with head then the
 * message (skip bytes dropped) on its stdin; the child gets an
 * environment built from scratch */
int delivery_sendmail(const struct delivery_env *env, const char *sender,
		      const char *rcpt, const struct buf *head,
		      const struct delivery_message *msg, struct sl_err *err)
{
	const char *path = config_str(env->cfg, "sendmail_path");
	char *const envp[] = { (char *)"PATH=/usr/sbin:/usr/bin:/sbin:/bin", NULL };
	int fds[2], status;
	pid_t pid;
	int ret = 0;

	/* nothing leaves before every copy saved so far is durable */
	if (env->batch != NULL && delivery_batch_sync(env->batch, err) < 0)
		return -1;
	if (pipe2(fds, O_CLOEXEC) < 0)
		return err_set_errno(err, errno, "pipe");
	pid = fork();
	if (pid < 0) {
		close(fds[0]);
		close(fds[1]);
		return err_set_errno(err, errno, "fork");
	}
	if (pid == 0) {
		char *const argv[] = { (char *)path, (char *)"-oi", (char *)"-f",
				       (char *)(*sender != '\0' ? sender : "<>"),
				       (char *)"--", (char *)rcpt, NULL };

		sigset_t none;

		if (dup2(fds[0], 0) < 0)
			_exit(75);
		/* a server's worker blocks its stop signals; sendmail must
		   not inherit that */
		sigemptyset(&none);
		(void)sigprocmask(SIG_SETMASK, &none, NULL);
		/* a server acting as the user (delivery_user_enter) still
		   has root as its real uid: the child drops it for good */
		if (getuid() != geteuid() &&
		    (setresgid(getegid(), getegid(), getegid()) < 0 ||
		     setresuid(geteuid(), geteuid(), geteuid()) < 0))
			_exit(75);
		execve(path, argv, envp);
		_exit(75);
	}
	close(fds[0]);
	signal(SIGPIPE, SIG_IGN);
	if (head != NULL && write(fds[1], head->data, head->len) != (ssize_t)head->len)
		ret = err_set_errno(err, errno, "writing to %s", path);
	if (ret == 0 && msg != NULL) {
		char *block = xmalloc(SENDMAIL_CHUNK);
		uint64_t off = msg->skip, size = spool_size(msg->spool);

		while (ret == 0 && off < size) {
			ssize_t n = spool_pread(msg->spool, off, block,
						SENDMAIL_CHUNK, err);

			if (n <= 0 || write(fds[1], block, (size_t)n) != n)
				ret = err_set(err, ERR_TEMP, "sending to %s failed",
					      path);
			off += n > 0 ? (uint64_t)n : 0;
		}
		free(block);
	}
	close(fds[1]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (ret == 0 && (!WIFEXITED(status) || WEXITSTATUS(status) != 0))
		ret = err_set(err, ERR_TEMP, "%s exited with status %d", path,
			      WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	return ret;
}

/* redirect_loops - the message already went through this recipient
 * (one of its Delivered-To fields names it) */
static int redirect_loops(const struct delivery_message *msg,
			  const char *rcpt)
{
	const struct msg_header *h;
	size_t i;

	for (i = 0; (h = message_header_find(msg->msg->root, "Delivered-To", i)) != NULL; i++) {
		if (strlen(rcpt) == h->value_len &&
		    strncasecmp(h->value, rcpt, h->value_len) == 0)
			return 1;
	}
	return 0;
}

/* delivery_reject_notice - tell the sender why (RFC 5429 2.1), from the
 * postmaster, with the original header quoted; never to <> */
int delivery_reject_notice(const struct delivery_env *env,
			   const struct delivery_message *msg,
			   const struct delivery_rcpt *rcpt, int quota,
			   const char *reason, struct sl_err *err)
{
	const char *pm = config_str(env->cfg, "postmaster_address");
	const char *dom = rcpt->user->domain;
	struct buf b = BUF_INIT;
	char *hdr;
	uint64_t hlen = msg->msg->root->body_offset;
	ssize_t n;
	int ret;

	if (*msg->sender == '\0')
		return 0;
	if (hlen > REJECT_HEADERS_MAX)
		hlen = REJECT_HEADERS_MAX;
	buf_printf(&b, "From: <%s%s%s>\nTo: <%s>\n", *pm != '\0' ? pm : "postmaster",
		   *pm != '\0' ? "" : "@", *pm != '\0' ? "" : (dom != NULL ? dom : "localhost"),
		   msg->sender);
	buf_printf(&b, "Subject: %s: message to %s\nAuto-Submitted: auto-replied (rejected)\n"
		   "MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n\n"
		   "Your message to <%s> %s:\n\n  %s\n\n"
		   "The header of your message follows.\n\n",
		   quota ? "Undeliverable" : "Rejected", rcpt->address, rcpt->address,
		   quota ? "could not be delivered: the recipient's mailbox is full"
			 : "was rejected by the recipient's mail filter",
		   reason != NULL ? reason : "");
	hdr = xmalloc((size_t)hlen + 1);
	n = spool_pread(msg->spool, msg->skip, hdr, (size_t)hlen, err);
	if (n > 0)
		buf_append(&b, hdr, (size_t)n);
	free(hdr);
	ret = delivery_sendmail(env, "", msg->sender, &b, NULL, err);
	buf_free(&b);
	return ret;
}

/* ---- vacation (RFC 5230, RFC 3834) ---- */

/* vacation_sender_ok - never answer the null sender, daemons or lists
 * (RFC 3834 2, RFC 5230 4.6) */
static int vacation_sender_ok(const char *sender)
{
	static const char *const daemons[] = { "mailer-daemon", "postmaster",
		"listserv", "majordomo", "owner-", "-request", "-owner",
		"-bounces", "noreply", "no-reply", NULL };
	const char *at = strrchr(sender, '@');
	size_t llen = at != NULL ? (size_t)(at - sender) : strlen(sender);
	size_t i;

	if (*sender == '\0')
		return 0;
	for (i = 0; daemons[i] != NULL; i++) {
		size_t dl = strlen(daemons[i]);

		if (daemons[i][0] == '-') {	/* suffix */
			if (llen >= dl && strncasecmp(sender + llen - dl, daemons[i], dl) == 0)
				return 0;
		} else if (daemons[i][dl - 1] == '-') {	/* prefix */
			if (llen >= dl && strncasecmp(sender, daemons[i], dl) == 0)
				return 0;
		} else if (llen == dl && strncasecmp(sender, daemons[i], dl) == 0) {
			return 0;
		}
	}
	return 1;
}

/* vacation_headers_ok - no reply to automatic mail or list mail */
static int vacation_headers_ok(const struct delivery_message *msg)
{
	static const char *const lists[] = { "List-Id", "List-Help",
		"List-Subscribe", "List-Unsubscribe", "List-Post",
		"List-Owner", "List-Archive", NULL };
	const struct msg_part *root = msg->msg->root;
	const struct msg_header *h;
	size_t i;

	h = message_header_find(root, "Auto-Submitted", 0);
	if (h != NULL && !(h->value_len >= 2 && strncasecmp(h->value, "no", 2) == 0 &&
			   (h->value_len == 2 || h->value[2] == ' ' || h->value[2] == ';')))
		return 0;
	h = message_header_find(root, "Precedence", 0);
	if (h != NULL && (strncasecmp(h->value, "bulk", 4) == 0 ||
			  strncasecmp(h->value, "list", 4) == 0 ||
			  strncasecmp(h->value, "junk", 4) == 0))
		return 0;
	for (i = 0; lists[i] != NULL; i++) {
		if (message_header_find(root, lists[i], 0) != NULL)
			return 0;
	}
	return 1;
}

/* addr_in - addr appears as a whole address in a header value,
 * compared without regard to case */
static int addr_in(const char *hay, size_t hay_len, const char *addr)
{
	size_t alen = strlen(addr), i;

	if (alen == 0 || hay_len < alen)
		return 0;
	for (i = 0; i + alen <= hay_len; i++) {
		if (strncasecmp(hay + i, addr, alen) == 0 &&
		    (i == 0 || strchr("<, \t:", hay[i - 1]) != NULL) &&
		    (i + alen == hay_len || strchr(">, \t;", hay[i + alen]) != NULL))
			return 1;
	}
	return 0;
}

/* vacation_addressed - the recipient (or one of :addresses) is in a
 * To/Cc/Bcc/Resent- field: mail that reached us through a list or a
 * Bcc to someone else gets no reply (RFC 5230 4.5) */
static int vacation_addressed(const struct delivery_message *msg,
			      const struct delivery_rcpt *rcpt,
			      const struct sieve_action *a)
{
	static const char *const fields[] = { "To", "Cc", "Bcc", "Resent-To",
		"Resent-Cc", "Resent-Bcc", NULL };
	const struct msg_header *h;
	const char *own[3];
	size_t i, j, k, n_own = 0;

	own[n_own++] = rcpt->address;
	if (rcpt->orig_rcpt != NULL)
		own[n_own++] = rcpt->orig_rcpt;
	if (rcpt->user->domain != NULL)
		own[n_own++] = rcpt->user->user;
	for (i = 0; fields[i] != NULL; i++) {
		for (j = 0; (h = message_header_find(msg->msg->root, fields[i], j)) != NULL; j++) {
			for (k = 0; k < n_own; k++) {
				if (addr_in(h->value, h->value_len, own[k]))
					return 1;
			}
			for (k = 0; k < a->n_addresses; k++) {
				if (addr_in(h->value, h->value_len, a->addresses[k]))
					return 1;
			}
		}
	}
	return 0;
}

/* generated_ids - Date and Message-ID for mail we generate, so the copy
 * filed by :fcc is the message as it was sent */
static void generated_ids(struct buf *mail, const struct delivery_env *env)
{
	static unsigned counter;
	char date[64], host[256];
	time_t now = time(NULL);
	struct tm tm;

	localtime_r(&now, &tm);
	(void)strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S %z", &tm);
	if (gethostname(host, sizeof(host)) < 0)
		(void)snprintf(host, sizeof(host), "localhost");
	host[sizeof(host) - 1] = '\0';
	buf_printf(mail, "Date: %s\nMessage-ID: <sluice.%lld.%ld.%u.%s@%s>\n",
		   date, (long long)now, (long)getpid(), ++counter,
		   env->session, host);
}

/* fcc_file - file a copy of generated mail where :fcc says (RFC 8580):
 * the folder made if :create or sieve_autocreate, else INBOX as for
 * fileinto; with :flags. The mail has gone out already: a failure here is
 * logged, not a delivery failure. */
static void fcc_file(const struct delivery_env *env, struct pool *pool,
		     struct store *st, const struct sieve_action *a,
		     const struct buf *mail)
{
	struct store_save_info info;
	struct store_save *save = NULL;
	struct delivery_flags fl;
	struct buf id = BUF_INIT;
	const char *folder;
	struct sl_err err;

	if (a->fcc == NULL || st == NULL)
		return;
	err_clear(&err);
	folder = special_use_target(env, pool, st, a);
	if (folder == NULL)
		folder = delivery_choose_folder(env, st, a->fcc,
			a->create || config_bool(env->cfg, "sieve_autocreate"));
	flags_from_names(env, pool, a->flags, a->n_flags, &fl);
	memset(&info, 0, sizeof(info));
	info.sender = "";
	info.received = time(NULL);
	info.flags = fl.flags;
	info.keywords = fl.keywords;
	info.n_keywords = fl.n_keywords;
	info.size = mail->len;
	if (store_save_begin(st, folder, &info, &save, &err) < 0 ||
	    st->v->save_write(save, mail->data, mail->len, &err) < 0 ||
	    st->v->save_commit(&save, &id, &err) < 0) {
		if (save != NULL)
			st->v->save_abort(&save);
		log_warning("session=%s fcc: no copy in %s: %s", env->session,
			    folder, err.text);
	} else {
		log_info("session=%s fcc: copy of the %s filed in %s as %s",
			 env->session, sieve_action_name(a), folder, buf_cstr(&id));
	}
	buf_free(&id);
}

/* vacation_send - one reply per sender and handle per period */
static void vacation_send(const struct delivery_env *env, struct pool *pool,
			  const struct delivery_message *msg,
			  const struct delivery_rcpt *rcpt, struct store *st,
			  const struct sieve_action *a)
{
	const char *to = a->to != NULL ? a->to : msg->sender;
	const char *why = NULL, *dbpath;
	const struct msg_header *subj, *mid;
	struct trackdb *db = NULL;
	struct buf key = BUF_INIT, mail = BUF_INIT;
	struct sl_err err;
	time_t now = time(NULL);

	err_clear(&err);
	if (!vacation_sender_ok(to))
		why = "the sender is a daemon, a list or <>";
	else if (strcasecmp(to, rcpt->address) == 0 || strcasecmp(to, rcpt->user->user) == 0 ||
		 (rcpt->orig_rcpt != NULL && strcasecmp(to, rcpt->orig_rcpt) == 0))
		why = "the sender is the recipient";
	else if (!vacation_headers_ok(msg))
		why = "the message is automatic or list mail";
	else if (!vacation_addressed(msg, rcpt, a))
		why = "the recipient is not in To/Cc/Bcc";
	if (why != NULL) {
		log_info("session=%s vacation: no reply to %s: %s", env->session,
			 *to != '\0' ? to : "<>", why);
		return;
	}
	dbpath = script_path(pool, config_str(env->cfg, "sieve_tracking_db"), rcpt->user);
	if (dbpath == NULL || trackdb_open(dbpath, &db, &err) < 0) {
		log_warning("session=%s vacation: no reply to %s: %s", env->session,
			    to, dbpath == NULL ? "no home for the tracking database" : err.text);
		return;
	}
	buf_printf(&key, "vacation\n%s\n%s", to, a->handle != NULL ? a->handle : "");
	for (size_t i = 0; i < key.len; i++)	/* senders compared without case */
		key.data[i] = (char)tolower((unsigned char)key.data[i]);
	if (trackdb_seen(db, key.data, key.len, now, &err) != 0) {
		log_info("session=%s vacation: %s already answered within the period",
			 env->session, to);
		goto out;
	}
	subj = message_header_find(msg->msg->root, "Subject", 0);
	mid = message_header_find(msg->msg->root, "Message-ID", 0);
	generated_ids(&mail, env);
	buf_printf(&mail, "From: %s\nTo: <%s>\n",
		   a->from != NULL && header_safe(a->from) ? a->from : rcpt->address, to);
	buf_append_str(&mail, "Subject: ");
	if (a->subject != NULL) {
		rfc2047_encode(&mail, a->subject, strlen(a->subject));
	} else {
		struct buf orig = BUF_INIT;

		buf_append_str(&orig, "Auto: ");
		if (subj != NULL)
			(void)rfc2047_decode(subj->value, subj->value_len, &orig);
		rfc2047_encode(&mail, orig.data, orig.len);
		buf_free(&orig);
	}
	buf_append_char(&mail, '\n');
	if (mid != NULL)
		buf_printf(&mail, "In-Reply-To: %.*s\nReferences: %.*s\n",
			   (int)strnlen(mid->value, mid->value_len), mid->value,
			   (int)strnlen(mid->value, mid->value_len), mid->value);
	buf_append_str(&mail, "Auto-Submitted: auto-replied (vacation)\nPrecedence: bulk\n");
	if (a->mime)
		buf_append_str(&mail, "MIME-Version: 1.0\n");
	else
		buf_append_str(&mail, "MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n"
			       "Content-Transfer-Encoding: 8bit\n\n");
	buf_append_str(&mail, a->reason != NULL ? a->reason : "");
	buf_append_char(&mail, '\n');
	if (delivery_sendmail(env, "", to, &mail, NULL, &err) < 0) {
		log_warning("session=%s vacation: reply to %s failed: %s", env->session, to, err.text);
		goto out;
	}
	if (trackdb_mark(db, key.data, key.len, now + (time_t)a->seconds, &err) < 0)
		log_warning("session=%s vacation: %s", env->session, err.text);
	log_info("session=%s vacation: replied to %s", env->session, to);
	fcc_file(env, pool, st, a, &mail);
out:
	trackdb_close(&db);
	buf_free(&key);
	buf_free(&mail);
}

/* notify_send - enotify mailto (RFC 5436): a short notice to the URI's
 * recipients; never for automatic mail (RFC 5436 2.7) */
static void notify_send(const struct delivery_env *env, struct pool *pool,
			const struct delivery_message *msg,
			const struct delivery_rcpt *rcpt, struct store *st,
			const struct sieve_action *a)
{
	const struct msg_header *h = message_header_find(msg->msg->root, "Auto-Submitted", 0);
	const struct msg_header *subj = message_header_find(msg->msg->root, "Subject", 0);
	struct sieve_mailto mt;
	const char *error = NULL;
	struct buf mail = BUF_INIT;
	struct sl_err err;
	size_t i;

	if (a->method == NULL || strncasecmp(a->method, "mailto:", 7) != 0) {
		log_warning("session=%s notify: method %s not supported", env->session,
			    a->method != NULL ? a->method : "(none)");
		return;
	}
	if (h != NULL && strncasecmp(h->value, "no", 2) != 0) {
		log_info("session=%s notify: not for automatic mail", env->session);
		return;
	}
	if (sieve_mailto_parse(pool, a->method, strlen(a->method), &mt, &error) < 0) {
		log_warning("session=%s notify: %s", env->session, error != NULL ? error : "bad URI");
		return;
	}
	for (i = 0; i < mt.n_to; i++) {
		size_t k;

		buf_reset(&mail);
		if (!header_safe(mt.to[i])) {
			log_warning("session=%s notify: recipient with control characters skipped",
				    env->session);
			continue;
		}
		generated_ids(&mail, env);
		buf_printf(&mail, "From: %s\nTo: <%s>\nSubject: ",
			   a->from != NULL && header_safe(a->from) ? a->from : rcpt->address,
			   mt.to[i]);
		if (mt.subject != NULL)
			rfc2047_encode(&mail, mt.subject, strlen(mt.subject));
		else if (a->message != NULL)
			rfc2047_encode(&mail, a->message, strlen(a->message));
		else {
			struct buf t = BUF_INIT;

			buf_append_str(&t, "New mail");
			if (subj != NULL) {
				buf_append_str(&t, ": ");
				(void)rfc2047_decode(subj->value, subj->value_len, &t);
			}
			rfc2047_encode(&mail, t.data, t.len);
			buf_free(&t);
		}
		buf_append_str(&mail, "\nAuto-Submitted: auto-notified\n");
		for (k = 0; k < mt.n_headers; k++) {
			if (header_safe(mt.headers[k].name) && header_safe(mt.headers[k].value))
				buf_printf(&mail, "%s: %s\n", mt.headers[k].name,
					   mt.headers[k].value);
		}
		buf_printf(&mail, "MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n\n%s\n",
			   mt.body != NULL ? mt.body : a->message != NULL ? a->message
			   : "You have new mail.");
		err_clear(&err);
		if (delivery_sendmail(env, "", mt.to[i], &mail, NULL, &err) < 0) {
			log_warning("session=%s notify to %s failed: %s", env->session, mt.to[i], err.text);
		} else {
			log_info("session=%s notify: sent to %s", env->session, mt.to[i]);
			fcc_file(env, pool, st, a, &mail);
		}
	}
	buf_free(&mail);
}

/* after_delivery - what only happens once every copy is safe: vacation
 * replies, notifications, duplicate marks */
static void after_delivery(const struct delivery_env *env, struct pool *pool,
			   const struct delivery_message *msg,
			   const struct delivery_rcpt *rcpt, struct store *st,
			   const struct sieve_result *result)
{
	const struct sieve_action *a;
	struct trackdb *db = NULL;
	struct sl_err err;

	for (a = sieve_result_actions(result); a != NULL; a = a->next) {
		const struct sieve_duplicate_mark *dm = sieve_duplicate_mark_of(a);

		if (dm != NULL) {
			struct buf key = BUF_INIT;

			if (db == NULL && (db = tracking_open(env, pool, rcpt->user)) == NULL)
				continue;
			duplicate_key(&key, dm->handle, dm->id, dm->id_len);
			if (trackdb_mark(db, key.data, key.len,
					 time(NULL) + (time_t)dm->seconds, &err) < 0)
				log_warning("session=%s duplicate: %s", env->session, err.text);
			buf_free(&key);
		} else if (a->kind == SIEVE_ACT_VACATION) {
			vacation_send(env, pool, msg, rcpt, st, a);
		} else if (a->kind == SIEVE_ACT_NOTIFY) {
			notify_send(env, pool, msg, rcpt, st, a);
		}
	}
	trackdb_close(&db);
}

/* header_end - where the message's header block ends: the offset (in
 * the spool) of the blank line, or of the body when there is none */
static uint64_t header_end(const struct delivery_message *msg,
			   struct sl_err *err)
{
	uint64_t body = msg->skip + msg->msg->root->body_offset;
	char tail[2];
	ssize_t n;

	if (body < msg->skip + 1)
		return body;
	n = spool_pread(msg->spool, body >= 2 ? body - 2 : body - 1, tail,
			body >= 2 ? 2 : 1, err);
	if (n == 2 && tail[1] == '\n')
		return body - (tail[0] == '\r' ? 2 : 1);
	if (n == 1 && tail[0] == '\n')
		return body - 1;
	return body;
}

/* edited_header - the header editheader left, after the trace headers:
 * the message's own fields byte for byte, added fields in their stored
 * (encoded, folded) form, deleted fields gone; *from_r is where the
 * stored copy goes on in the spool (the blank line and the body) */
static int edited_header(const struct delivery_message *msg,
			 const struct sieve_header_out *hdrs, size_t n,
			 struct buf *out, uint64_t *from_r, struct sl_err *err)
{
	const struct msg_part *root = msg->msg->root;
	uint64_t end = header_end(msg, err);
	struct buf field = BUF_INIT;
	size_t i;
	int ret = 0;

	for (i = 0; i < n && ret == 0; i++) {
		const struct msg_header *h = hdrs[i].orig;

		if (h != NULL) {
			size_t k = (size_t)(h - root->headers);
			uint64_t a = msg->skip + h->offset;
			uint64_t b = k + 1 < root->n_headers
				     ? msg->skip + root->headers[k + 1].offset : end;
			size_t len = (size_t)(b - a);

			buf_reset(&field);
			buf_reserve(&field, len);
			if (spool_pread(msg->spool, a, field.data, len, err) != (ssize_t)len) {
				ret = err_set(err, ERR_TEMP, "reading the header from the spool");
				break;
			}
			buf_append(out, field.data, len);
			continue;
		}
		buf_reset(&field);
		sieve_editheader_stored(hdrs[i].name, hdrs[i].value, hdrs[i].value_len,
					1, &field);
		buf_printf(out, "%s: ", hdrs[i].name);
		if (msg->crlf) {
			buf_append(out, field.data, field.len);
			buf_append_str(out, "\r\n");
		} else {
			size_t j;

			for (j = 0; j < field.len; j++) {
				if (field.data[j] != '\r')
					buf_append_char(out, field.data[j]);
			}
			buf_append_char(out, '\n');
		}
	}
	buf_free(&field);
	*from_r = end;
	return ret;
}

struct saved_copy {
	const char *folder;
	char *id;
};

/* already_saved - one copy per folder: keep and fileinto :copy "INBOX"
 * both name the INBOX */
static int already_saved(const struct saved_copy *saved, size_t n,
			 const char *folder)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (strcmp(saved[i].folder, folder) == 0 ||
		    (store_folder_is_inbox(folder) &&
		     store_folder_is_inbox(saved[i].folder)))
			return 1;
	}
	return 0;
}

/* undo_saves - expunge the copies already saved (transaction rollback) */
static void undo_saves(const struct delivery_env *env, struct store *st,
		       struct saved_copy *saved, size_t n)
{
	struct sl_err err;
	size_t i;

	for (i = 0; i < n; i++) {
		const char *id = saved[i].id;

		if (st->v->expunge(st, saved[i].folder, &id, 1, &err) < 0)
			log_error("session=%s could not remove saved copy %s in %s "
				  "after a failed delivery: %s", env->session,
				  id, saved[i].folder, err.text);
	}
}

int delivery_sieve_apply(const struct delivery_env *env, struct pool *pool,
			 const struct delivery_message *msg,
			 const struct delivery_rcpt *rcpt, struct store *st,
			 const struct sieve_result *result,
			 struct delivery_result *res)
{
	const struct sieve_action *a;
	struct delivery_flags fl;
	struct saved_copy saved[64];
	struct buf trace = BUF_INIT, id = BUF_INIT, folders = BUF_INIT;
	size_t n_saved = 0, n_hdrs = 0;
	const struct sieve_header_out *hdrs;
	uint64_t from = msg->skip;
	struct sl_err err;
	int ret = 0, rejected = 0;

	err_clear(&err);
	delivery_trace_headers(env, &trace, msg, rcpt);
	hdrs = sieve_result_headers(result, &n_hdrs);
	if (hdrs != NULL && edited_header(msg, hdrs, n_hdrs, &trace, &from, &err) < 0) {
		result_from_err(res, &err);
		buf_free(&trace);
		return -1;
	}
	for (a = sieve_result_actions(result); a != NULL && ret == 0; a = a->next) {
		const char *folder = NULL;

		switch (a->kind) {
		case SIEVE_ACT_KEEP:
			folder = delivery_choose_folder(env, st, rcpt->mailbox, 0);
			break;
		case SIEVE_ACT_FILEINTO:
			folder = special_use_target(env, pool, st, a);
			if (folder == NULL)
				folder = delivery_choose_folder(env, st, a->mailbox,
					a->create || config_bool(env->cfg, "sieve_autocreate"));
			break;
		case SIEVE_ACT_REDIRECT:
			if (redirect_loops(msg, a->address)) {
				log_warning("session=%s redirect to %s refused: the message "
					    "was delivered there before (loop); keeping it",
					    env->session, a->address);
				folder = "INBOX";
				break;
			}
			{
				struct buf head = BUF_INIT;

				buf_printf(&head, "Delivered-To: %s%s", rcpt->address,
					   msg->crlf ? "\r\n" : "\n");
				ret = delivery_sendmail(env, msg->sender, a->address, &head, msg, &err);
				buf_free(&head);
			}
			if (ret == 0)
				log_info("session=%s sieve: redirected to %s", env->session,
					 a->address);
			break;
		case SIEVE_ACT_REJECT:
			rejected = 1;
			/* ereject: refuse at the protocol level where we can
			   (RFC 5429 2.1.1): the MTA bounces */
			if (env->reject_as_result || a->extended) {
				result_set(res, DELIVERY_REJECTED, "%s",
					   a->reason != NULL ? a->reason : "rejected");
			} else {
				ret = delivery_reject_notice(env, msg, rcpt, 0, a->reason, &err);
			}
			break;
		case SIEVE_ACT_DISCARD:
		case SIEVE_ACT_OTHER:
			break;
		case SIEVE_ACT_VACATION:
		case SIEVE_ACT_NOTIFY:
			break;	/* after every copy is safe */
		default:
			log_warning("session=%s sieve: action %s is not carried out by "
				    "this version", env->session, sieve_action_name(a));
			break;
		}
		if (folder == NULL || ret < 0 || already_saved(saved, n_saved, folder))
			continue;
		if (n_saved == sizeof(saved) / sizeof(saved[0])) {
			ret = err_set(&err, ERR_TEMP, "more than %zu copies", n_saved);
			break;
		}
		buf_reset(&id);
		flags_from_names(env, pool, a->flags, a->n_flags, &fl);
		ret = delivery_save(env, st, folder, &fl, msg, &trace, from,
				    &id, &err);
		if (ret == 0) {
			saved[n_saved].folder = pool_strdup(pool, folder);
			saved[n_saved++].id = pool_strdup(pool, buf_cstr(&id));
			buf_printf(&folders, "%s%s", folders.len > 0 ? "," : "", folder);
		}
	}
	if (ret < 0) {
		undo_saves(env, st, saved, n_saved);
		result_from_err(res, &err);
	} else if (res->status == DELIVERY_REJECTED) {
		after_delivery(env, pool, msg, rcpt, st, result);
	} else {
		after_delivery(env, pool, msg, rcpt, st, result);
		result_set(res, DELIVERY_OK, "%s", n_saved > 0 ? "saved"
			   : rejected ? "rejected" : "discarded");
		(void)snprintf(res->folder, sizeof(res->folder), "%s",
			       n_saved > 0 ? buf_cstr(&folders) : "");
		if (n_saved > 0)
			(void)snprintf(res->id, sizeof(res->id), "%s", saved[0].id);
	}
	buf_free(&trace);
	buf_free(&id);
	buf_free(&folders);
	return ret;
}
