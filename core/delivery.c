/* delivery.c - lookup, privilege switch and store for one recipient */
#include "auto-config.h"
#include "delivery.h"
#include "delivery-sieve.h"
#include "lib/buf.h"
#include "lib/config.h"
#include "lib/log.h"
#include "lib/store.h"
#include "lib/xalloc.h"
#include "maildir/maildir.h"
#include "mbox/mbox.h"
#include "quota/quota-store.h"

#include <ctype.h>
#include <errno.h>
#include <grp.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* the longest first line examined for an mbox From_ line */
#define FROM_LINE_MAX 1024
/* bytes copied from the spool to the store per write */
#define DELIVERY_COPY_CHUNK (64 * 1024)

struct delivery_reader {
	struct pool *pool;
	struct spool *spool;
	struct message_parser *parser;
	struct buf first;	/* the first line, until it is complete */
	int first_done;
	int eol_known, crlf;
	uint64_t skip;
	char *from_sender;
};

const struct store_vfuncs *delivery_store_driver(const char *name)
{
	if (strcmp(name, "maildir") == 0)
		return &maildir_store_vfuncs;
	if (strcmp(name, "mbox") == 0)
		return &mbox_store_vfuncs;
	return NULL;
}

struct delivery_reader *delivery_reader_new(const struct config *cfg,
					    struct pool *pool)
{
	struct delivery_reader *r = xcalloc(1, sizeof(*r));
	struct message_limits limits;

	message_limits_from_config(&limits, cfg);
	r->pool = pool;
	r->spool = spool_new(config_size(cfg, "spool_memory_max"),
			     config_str(cfg, "temp_dir"));
	r->parser = message_parser_new(pool, &limits);
	buf_init(&r->first);
	return r;
}

/* reader_parse - bytes past the From_ line go to the parser */
static void reader_parse(struct delivery_reader *r, const char *data,
			 size_t len)
{
	if (len == 0)
		return;
	if (!r->eol_known) {
		const char *nl = memchr(data, '\n', len);

		if (nl != NULL) {
			r->eol_known = 1;
			r->crlf = nl > data && nl[-1] == '\r';
		}
	}
	message_parser_feed(r->parser, data, len);
}

/* reader_first_line - decide whether the first line is an mbox From_
 * line (kept out of the stored message, its address taken as sender) */
static void reader_first_line(struct delivery_reader *r, int at_end)
{
	const char *nl = r->first.len > 0
			 ? memchr(r->first.data, '\n', r->first.len) : NULL;
	size_t line_len;

	if (nl == NULL && !at_end && r->first.len < FROM_LINE_MAX)
		return;
	r->first_done = 1;
	if (nl != NULL && r->first.len >= 5 &&
	    memcmp(r->first.data, "From ", 5) == 0) {
		const char *a = r->first.data + 5, *e;

		line_len = (size_t)(nl - r->first.data) + 1;
		e = a;
		while (e < nl && *e != ' ' && *e != '\t' && *e != '\r')
			e++;
		r->from_sender = pool_strndup(r->pool, a, (size_t)(e - a));
		r->skip = line_len;
		reader_parse(r, r->first.data + line_len,
			     r->first.len - line_len);
	} else {
		reader_parse(r, r->first.data, r->first.len);
	}
	buf_free(&r->first);
}

int delivery_reader_feed(struct delivery_reader *r, const void *data,
			 size_t len, struct sl_err *err)
{
	if (spool_write(r->spool, data, len, err) < 0)
		return -1;
	if (r->first_done) {
		reader_parse(r, data, len);
		return 0;
	}
	buf_append(&r->first, data, len);
	reader_first_line(r, 0);
	return 0;
}

/* sender_normalize - the envelope sender as stored in Return-Path:
 * "<addr>" loses its brackets, control characters become '?'; "<>", ""
 * and MAILER-DAEMON (what Postfix's
 * pipe passes for the null sender unless null_sender= is set, and what a
 * From_ line of a bounce says) are the null sender "" */
static const char *sender_normalize(struct pool *pool, const char *s)
{
	size_t len;

	char *d;
	size_t i;

	if (s == NULL || strcasecmp(s, "MAILER-DAEMON") == 0)
		return "";
	len = strlen(s);
	if (len >= 2 && s[0] == '<' && s[len - 1] == '>')
		d = pool_strndup(pool, s + 1, len - 2);
	else
		d = pool_strdup(pool, s);
	/* it goes into Return-Path and into replies' headers: no line
	   breaks or other controls from the command line or a From_ line */
	for (i = 0; d[i] != '\0'; i++) {
		if ((unsigned char)d[i] < 0x20 || d[i] == 0x7f)
			d[i] = '?';
	}
	return d;
}

/* received_queue_id - the "id X" clause of a Received field (RFC 5321
 * 4.4), which MTAs fill with their queue id; NULL if there is none */
static const char *received_queue_id(struct pool *pool, const char *v,
				     size_t len)
{
	size_t i, start;

	for (i = 0; i + 3 < len; i++) {
		if ((i == 0 || isspace((unsigned char)v[i - 1])) &&
		    strncasecmp(v + i, "id", 2) == 0 &&
		    isspace((unsigned char)v[i + 2])) {
			i += 2;
			while (i < len && isspace((unsigned char)v[i]))
				i++;
			start = i;
			while (i < len && i - start < 64 &&
			       (isalnum((unsigned char)v[i]) || v[i] == '-' ||
				v[i] == '.' || v[i] == '_' || v[i] == '@'))
				i++;
			if (i > start)
				return pool_strndup(pool, v + start, i - start);
			return NULL;
		}
	}
	return NULL;
}

int delivery_reader_finish(struct delivery_reader **rp, const char *sender,
			   struct delivery_message *msg, struct sl_err *err)
{
	struct delivery_reader *r = *rp;
	const struct msg_header *h;

	if (!r->first_done)
		reader_first_line(r, 1);
	memset(msg, 0, sizeof(*msg));
	msg->spool = r->spool;
	msg->msg = message_parser_finish(&r->parser);
	msg->skip = r->skip;
	msg->crlf = r->crlf;
	msg->received = time(NULL);
	msg->sender = sender_normalize(r->pool, sender != NULL ? sender
							    : r->from_sender);
	h = message_header_find(msg->msg->root, "Message-ID", 0);
	if (h != NULL)
		msg->message_id = pool_strndup(r->pool, h->value,
					       strnlen(h->value, h->value_len));
	h = message_header_find(msg->msg->root, "Received", 0);
	if (h != NULL)
		msg->queue_id = received_queue_id(r->pool, h->value,
						  h->value_len);
	buf_free(&r->first);
	free(r);
	*rp = NULL;
	(void)err;
	return 0;
}

int delivery_read_fd(const struct config *cfg, struct pool *pool, int fd,
		     const char *sender, struct delivery_message *msg,
		     struct sl_err *err)
{
	struct delivery_reader *r = delivery_reader_new(cfg, pool);
	char *block = xmalloc(DELIVERY_COPY_CHUNK);
	ssize_t n;
	int ret = 0;

	for (;;) {
		n = read(fd, block, DELIVERY_COPY_CHUNK);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			ret = err_set_errno(err, errno, "reading the message");
			err->cls = ERR_TEMP;
			break;
		}
		if (n == 0)
			break;
		if (delivery_reader_feed(r, block, (size_t)n, err) < 0) {
			ret = -1;
			break;
		}
	}
	free(block);
	if (ret < 0) {
		struct delivery_message dummy;

		(void)delivery_reader_finish(&r, sender, &dummy, err);
		delivery_message_free(&dummy);
		return -1;
	}
	return delivery_reader_finish(&r, sender, msg, err);
}

void delivery_message_free(struct delivery_message *msg)
{
	spool_free(&msg->spool);
}

int delivery_lookup(const struct delivery_env *env, struct pool *pool,
		    struct delivery_rcpt *rcpt, struct delivery_result *res)
{
	struct sl_err err;

	err_clear(&err);
	switch (userdb_lookup(env->userdb, pool, rcpt->address, &rcpt->user,
			      &err)) {
	case USERDB_FOUND:
		return 0;
	case USERDB_NOTFOUND:
		return result_set(res, DELIVERY_NOUSER,
				  "no such user: %s", rcpt->address);
	case USERDB_TEMPFAIL:
		break;
	}
	return result_set(res, DELIVERY_TEMPFAIL, "user lookup failed: %s",
			  err.text);
}

/* id_from_config - a uid/gid key given as a number or a name */
static int id_from_config(const struct config *cfg, const char *key,
			  int is_gid, unsigned long *id_r)
{
	const char *v = config_str(cfg, key);
	char *end;

	if (*v == '\0')
		return 0;
	errno = 0;
	*id_r = strtoul(v, &end, 10);
	if (*end == '\0' && errno == 0)
		return 1;
	if (is_gid) {
		struct group *gr = getgrnam(v);

		if (gr == NULL)
			return -1;
		*id_r = gr->gr_gid;
	} else {
		struct passwd *pw = getpwnam(v);

		if (pw == NULL)
			return -1;
		*id_r = pw->pw_uid;
	}
	return 1;
}

/* user_ids - the uid/gid to deliver as: the userdb's, else mail_uid /
 * mail_gid; never root or below first_valid_uid */
static int user_ids(const struct delivery_env *env,
		    const struct user_record *u, uid_t *uid_r, gid_t *gid_r,
		    struct delivery_result *res)
{
	unsigned long uid = 0, gid = 0;
	int r;

	if (u->has_uid)
		uid = u->uid;
	else if ((r = id_from_config(env->cfg, "mail_uid", 0, &uid)) <= 0)
		return result_set(res, DELIVERY_TEMPFAIL,
				  r < 0 ? "mail_uid names no user"
					: "no uid for %s (set mail_uid or a uid in the userdb)",
				  u->user);
	if (u->has_gid)
		gid = u->gid;
	else if ((r = id_from_config(env->cfg, "mail_gid", 1, &gid)) <= 0)
		return result_set(res, DELIVERY_TEMPFAIL,
				  r < 0 ? "mail_gid names no group"
					: "no gid for %s (set mail_gid or a gid in the userdb)",
				  u->user);
	if (uid == 0 || uid < config_uint(env->cfg, "first_valid_uid"))
		return result_set(res, DELIVERY_TEMPFAIL,
				  "refusing to deliver as uid %lu for %s "
				  "(below first_valid_uid)", uid, u->user);
	*uid_r = (uid_t)uid;
	*gid_r = (gid_t)gid;
	return 0;
}

int delivery_switch_user(const struct delivery_env *env,
			 const struct delivery_rcpt *rcpt,
			 struct delivery_result *res)
{
	const struct user_record *u = rcpt->user;
	uid_t uid;
	gid_t gid;

	if (geteuid() != 0)
		return 0;
	if (user_ids(env, u, &uid, &gid, res) < 0)
		return -1;
	if (setgroups(1, &gid) < 0 || setgid(gid) < 0 || setuid(uid) < 0)
		return result_set(res, DELIVERY_TEMPFAIL,
				  "cannot switch to uid %lu gid %lu: %s",
				  (unsigned long)uid, (unsigned long)gid,
				  strerror(errno));
	if (setuid(0) == 0)
		return result_set(res, DELIVERY_TEMPFAIL,
				  "privileges could not be dropped");
	if (u->home != NULL)
		(void)setenv("HOME", u->home, 1);
	return 0;
}

int delivery_user_enter(const struct delivery_env *env,
			const struct delivery_rcpt *rcpt,
			struct delivery_result *res)
{
	const struct user_record *u = rcpt->user;
	uid_t uid;
	gid_t gid;

	if (u->home != NULL)
		(void)setenv("HOME", u->home, 1);
	else
		(void)unsetenv("HOME");
	if (geteuid() != 0)
		return 0;
	if (user_ids(env, u, &uid, &gid, res) < 0)
		return -1;
	/* the real uid stays root, so delivery_user_leave can come back;
	   children (sendmail) drop it for good before exec */
	if (setgroups(1, &gid) < 0 || setresgid((gid_t)-1, gid, (gid_t)-1) < 0 ||
	    setresuid((uid_t)-1, uid, (uid_t)-1) < 0) {
		int e = errno;

		(void)delivery_user_leave();
		return result_set(res, DELIVERY_TEMPFAIL,
				  "cannot act as uid %lu gid %lu: %s",
				  (unsigned long)uid, (unsigned long)gid,
				  strerror(e));
	}
	return 0;
}

int delivery_user_leave(void)
{
	if (getuid() != 0 || geteuid() == 0)
		return 0;
	if (setresuid((uid_t)-1, 0, (uid_t)-1) < 0 ||
	    setresgid((gid_t)-1, 0, (gid_t)-1) < 0 ||
	    setgroups(0, NULL) < 0)
		return -1;
	return 0;
}

/* header_value_clean - an address fit for a header line: no controls */
static void header_value_clean(struct buf *b, const char *value)
{
	const unsigned char *p;

	for (p = (const unsigned char *)value; *p != '\0'; p++)
		buf_append_char(b, (*p < 0x20 || *p == 0x7f) ? '?' : (char)*p);
}

/* delivery_trace_headers - Return-Path, Delivered-To (unless the front
 * end shares one copy among recipients) and the front end's Received
 * field, in the message's own line ending */
void delivery_trace_headers(const struct delivery_env *env, struct buf *b,
			    const struct delivery_message *msg,
			    const struct delivery_rcpt *rcpt)
{
	const char *eol = msg->crlf ? "\r\n" : "\n";
	const char *p;

	buf_append_str(b, "Return-Path: <");
	header_value_clean(b, msg->sender);
	buf_printf(b, ">%s", eol);
	if (!env->no_delivered_to) {
		buf_append_str(b, "Delivered-To: ");
		header_value_clean(b, rcpt->address);
		buf_append_str(b, eol);
	}
	for (p = env->received; p != NULL && *p != '\0'; p++) {
		if (*p == '\n')
			buf_append_str(b, eol);
		else
			buf_append_char(b, *p);
	}
}

/* delivery_choose_folder - the -m folder if it can be used, else INBOX
 * with the reason logged (as dovecot-lda: mail is never refused for a
 * missing folder) */
const char *delivery_choose_folder(const struct delivery_env *env,
				   struct store *st, const char *want,
				   int create)
{
	struct sl_err err;
	int r;

	if (want == NULL || store_folder_is_inbox(want))
		return "INBOX";
	err_clear(&err);
	if (store_folder_name_check(want, &err) < 0) {
		log_warning("session=%s folder %s refused (%s); using INBOX",
			    env->session, want, err.text);
		return "INBOX";
	}
	r = st->v->folder_exists(st, want, &err);
	if (r > 0)
		return want;
	if (r == 0 && (create || config_bool(env->cfg, "mailbox_autocreate"))) {
		if (st->v->folder_create(st, want, &err) == 0 ||
		    err.cls == ERR_EXISTS)
			return want;
	}
	log_warning("session=%s folder %s: %s; using INBOX", env->session,
		    want, r == 0 && err.text[0] == '\0'
			  ? "does not exist (mailbox_autocreate = no)" : err.text);
	return "INBOX";
}

struct delivery_batch {
	struct store_sync *sync;
	int have;		/* a saved copy can be linked */
	struct buf prefix;	/* its bytes before the spooled message */
	uint64_t from;		/* and where in the spool they went on */
	struct buf path;	/* its file */
};

struct delivery_batch *delivery_batch_new(void)
{
	struct delivery_batch *b = xcalloc(1, sizeof(*b));

	b->sync = store_sync_new();
	buf_init(&b->prefix);
	buf_init(&b->path);
	return b;
}

int delivery_batch_sync(struct delivery_batch *b, struct sl_err *err)
{
	return store_sync_flush(b->sync, err);
}

void delivery_batch_free(struct delivery_batch **bp)
{
	struct delivery_batch *b = *bp;

	if (b == NULL)
		return;
	store_sync_free(&b->sync);
	buf_free(&b->prefix);
	buf_free(&b->path);
	free(b);
	*bp = NULL;
}

/* batch_link - store a hard link of the batch's earlier copy when this
 * copy's bytes are the same: 1 linked, 0 write a copy, -1 error */
static int batch_link(struct delivery_batch *b, struct store *st,
		      const char *folder, const struct store_save_info *info,
		      const struct buf *trace, uint64_t from, struct buf *id,
		      struct sl_err *err)
{
	if (b == NULL || !b->have || st->v->save_link == NULL ||
	    from != b->from || trace->len != b->prefix.len ||
	    memcmp(trace->data, b->prefix.data, trace->len) != 0)
		return 0;
	return st->v->save_link(st, folder, info, b->path.data, id, err);
}

/* delivery_save - write trace headers and the spooled message */
int delivery_save(const struct delivery_env *env, struct store *st,
		  const char *folder, const struct delivery_flags *fl,
		  const struct delivery_message *msg, const struct buf *trace,
		  uint64_t from, struct buf *id, struct sl_err *err)
{
	struct delivery_batch *batch = env->batch;
	struct store_save_info info;
	struct store_save *save;
	struct buf path = BUF_INIT;
	uint64_t off = from, size = spool_size(msg->spool);
	char *block = NULL;
	int r;

	memset(&info, 0, sizeof(info));
	info.sender = msg->sender;
	info.received = msg->received;
	if (fl != NULL) {
		info.flags = fl->flags;
		info.keywords = fl->keywords;
		info.n_keywords = fl->n_keywords;
	}
	info.size = trace->len + (size - from);
	if (batch != NULL) {
		info.sync = batch->sync;
		info.path_r = &path;
	}
	if ((r = batch_link(batch, st, folder, &info, trace, from, id, err)) != 0) {
		buf_free(&path);
		return r > 0 ? 0 : -1;
	}
	if (store_save_begin(st, folder, &info, &save, err) < 0)
		goto fail_nosave;
	if (st->v->save_write(save, trace->data, trace->len, err) < 0)
		goto fail;
	block = xmalloc(DELIVERY_COPY_CHUNK);
	while (off < size) {
		ssize_t n = spool_pread(msg->spool, off, block,
					DELIVERY_COPY_CHUNK, err);

		if (n <= 0) {
			if (n == 0)
				err_set(err, ERR_TEMP, "spool ended early");
			goto fail;
		}
		if (st->v->save_write(save, block, (size_t)n, err) < 0)
			goto fail;
		off += (uint64_t)n;
	}
	free(block);
	if (st->v->save_commit(&save, id, err) < 0)
		goto fail_nosave;
	if (batch != NULL && path.len > 0) {
		/* later recipients with the same bytes link to this copy */
		batch->have = 1;
		batch->from = from;
		buf_reset(&batch->prefix);
		buf_append(&batch->prefix, trace->data, trace->len);
		buf_reset(&batch->path);
		buf_append(&batch->path, path.data, path.len);
	}
	buf_free(&path);
	return 0;
fail:
	free(block);
	st->v->save_abort(&save);
fail_nosave:
	buf_free(&path);
	return -1;
}

/* quota_result - an over-quota result as quota_exceeded wants it: a
 * temporary failure, or a bounce (the front end's 5.2.2 with -e or LMTP,
 * else a notice to the sender and the delivery is done) */
static void quota_result(const struct delivery_env *env,
			 const struct delivery_message *msg,
			 const struct delivery_rcpt *rcpt,
			 struct delivery_result *res)
{
	struct sl_err err;
	char why[sizeof(res->text)];

	if (res->status != DELIVERY_QUOTA_TEMP && res->status != DELIVERY_QUOTA_PERM)
		return;
	if (strcmp(config_str(env->cfg, "quota_exceeded"), "bounce") != 0) {
		res->status = DELIVERY_QUOTA_TEMP;
		return;
	}
	res->status = DELIVERY_QUOTA_PERM;
	if (env->reject_as_result)
		return;
	(void)snprintf(why, sizeof(why), "%s", res->text);
	err_clear(&err);
	if (delivery_reject_notice(env, msg, rcpt, 1, why, &err) < 0) {
		result_set(res, DELIVERY_TEMPFAIL, "over quota, and the notice "
			   "to the sender failed: %s", err.text);
		return;
	}
	result_set(res, DELIVERY_OK, "bounced: %s", why);
}

/* quota_warning_send - the user is told the mailbox crossed pct% */
static void quota_warning_send(const struct delivery_env *env,
			       const struct delivery_rcpt *rcpt, unsigned pct,
			       const struct quota_usage *u)
{
	const char *tpl = config_str(env->cfg, "quota_warning_template");
	const char *pm = config_str(env->cfg, "postmaster_address");
	struct buf mail = BUF_INIT, text = BUF_INIT;
	struct sl_err err;

	err_clear(&err);
	if (*tpl != '\0' && quota_template_read(tpl, &text, &err) < 0) {
		log_warning("session=%s quota warning: %s", env->session, err.text);
		buf_reset(&text);
	}
	buf_printf(&mail, "From: <%s%s%s>\nTo: <%s>\nAuto-Submitted: auto-generated (quota warning)\n",
		   *pm != '\0' ? pm : "postmaster", *pm != '\0' ? "" : "@",
		   *pm != '\0' ? "" : (rcpt->user->domain != NULL ? rcpt->user->domain : "localhost"),
		   rcpt->address);
	if (text.len > 0) {
		quota_template_expand(&mail, &text, rcpt->user->user, pct, u);
	} else {
		buf_printf(&mail, "Subject: Your mailbox is %u%% full\n"
			   "MIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n\n"
			   "Your mailbox %s is now %u%% full (%llu of %llu KiB, %llu messages).\n"
			   "Please delete old messages, or it will stop accepting new mail.\n",
			   pct, rcpt->user->user, quota_percent(u),
			   (unsigned long long)(u->bytes / 1024),
			   (unsigned long long)(u->limit.bytes / 1024),
			   (unsigned long long)u->messages);
	}
	if (delivery_sendmail(env, "", rcpt->address, &mail, NULL, &err) < 0)
		log_warning("session=%s quota warning to %s failed: %s",
			    env->session, rcpt->address, err.text);
	else
		log_info("session=%s quota warning: %s crossed %u%%", env->session,
			 rcpt->user->user, pct);
	buf_free(&mail);
	buf_free(&text);
}

int delivery_deliver(const struct delivery_env *env, struct pool *pool,
		     const struct delivery_message *msg,
		     const struct delivery_rcpt *rcpt,
		     struct delivery_result *res)
{
	const struct user_record *u = rcpt->user;
	const struct store_vfuncs *driver;
	struct store_location loc;
	struct store *st = NULL;
	struct buf trace = BUF_INIT, id = BUF_INIT;
	const char *spec, *folder;
	struct sieve_result *sieve = NULL;
	struct quota_usage qu;
	struct sl_err err;
	int ret, pct;

	err_clear(&err);
	spec = u->mail != NULL ? u->mail : config_str(env->cfg, "mail_location");
	if (mail_location_expand(pool, spec, u, &loc, &err) < 0)
		return result_set(res, DELIVERY_TEMPFAIL, "mail location %s: %s",
				  spec, err.text);
	driver = delivery_store_driver(loc.driver);
	if (driver == NULL)
		return result_set(res, DELIVERY_TEMPFAIL,
				  "unknown mail store '%s' in %s", loc.driver, spec);
	if (driver->open(env->cfg, &loc, 1, &st, &err) < 0)
		return result_from_err(res, &err);
	if (quota_store_wrap(env->cfg, u, &loc, &st, &err) < 0) {
		store_close(&st);
		result_set(res, DELIVERY_TEMPFAIL, "quota: %s", err.text);
		return -1;
	}
	if (delivery_sieve_run(env, pool, msg, rcpt, st, &sieve) == 0 &&
	    sieve != NULL) {
		ret = delivery_sieve_apply(env, pool, msg, rcpt, st, sieve, res);
	} else {
		folder = delivery_choose_folder(env, st, rcpt->mailbox, 0);
		delivery_trace_headers(env, &trace, msg, rcpt);
		ret = delivery_save(env, st, folder, NULL, msg, &trace, msg->skip,
				    &id, &err);
		if (ret == 0) {
			result_set(res, DELIVERY_OK, "saved");
			(void)snprintf(res->id, sizeof(res->id), "%s", buf_cstr(&id));
		} else {
			result_from_err(res, &err);
		}
		(void)snprintf(res->folder, sizeof(res->folder), "%s", folder);
	}
	if (ret == 0 && (pct = quota_store_warning(st, &qu, &err)) > 0)
		quota_warning_send(env, rcpt, (unsigned)pct, &qu);
	store_close(&st);
	quota_result(env, msg, rcpt, res);
	buf_free(&trace);
	buf_free(&id);
	return res->status == DELIVERY_OK ? 0 : -1;
}

int delivery_quota_full(const struct delivery_env *env, struct pool *pool,
			const struct delivery_rcpt *rcpt,
			struct delivery_result *res)
{
	const struct user_record *u = rcpt->user;
	struct store_location loc;
	struct quota *q = NULL;
	const char *spec;
	struct sl_err err;
	int r;

	err_clear(&err);
	spec = u->mail != NULL ? u->mail : config_str(env->cfg, "mail_location");
	if (mail_location_expand(pool, spec, u, &loc, &err) < 0 ||
	    quota_open(&q, env->cfg, u, &loc, &err) < 0)
		return 0;	/* the delivery will say what is wrong */
	r = quota_full(q, &err);
	quota_close(&q);
	if (r <= 0)
		return 0;
	result_set(res, DELIVERY_QUOTA_TEMP, "%s", err.text);
	if (strcmp(config_str(env->cfg, "quota_exceeded"), "bounce") == 0)
		res->status = DELIVERY_QUOTA_PERM;
	return 1;
}

void delivery_log(const struct delivery_env *env,
		  const struct delivery_message *msg,
		  const struct delivery_rcpt *rcpt,
		  const struct delivery_result *res, double elapsed_ms)
{
	struct buf line = BUF_INIT;

	buf_printf(&line, "session=%s rcpt=", env->session);
	log_quote(&line, rcpt->address);
	if (rcpt->orig_rcpt != NULL) {
		buf_append_str(&line, " orig_rcpt=");
		log_quote(&line, rcpt->orig_rcpt);
	}
	if (msg != NULL) {
		buf_append_str(&line, " from=");
		log_quote(&line, *msg->sender != '\0' ? msg->sender : "<>");
		buf_printf(&line, " size=%llu",
			   (unsigned long long)(spool_size(msg->spool) - msg->skip));
		if (msg->message_id != NULL) {
			buf_append_str(&line, " msgid=");
			log_quote(&line, msg->message_id);
		}
		if (msg->queue_id != NULL) {
			buf_append_str(&line, " queue_id=");
			log_quote(&line, msg->queue_id);
		}
	}
	if (res->folder[0] != '\0') {
		buf_append_str(&line, " folder=");
		log_quote(&line, res->folder);
	}
	buf_printf(&line, " result=%s status=%s", result_name(res->status),
		   result_enhanced_code(res->status));
	if (res->id[0] != '\0') {
		buf_append_str(&line, " id=");
		log_quote(&line, res->id);
	}
	buf_printf(&line, " time=%.1fms", elapsed_ms);
	if (res->status != DELIVERY_OK) {
		buf_append_str(&line, " reason=");
		log_quote(&line, res->text);
	}
	if (res->status == DELIVERY_OK)
		log_info("%s", line.data);
	else
		log_warning("%s", line.data);
	buf_free(&line);
}
