/* quota-store.c - a store that enforces a quota around another store:
 * every save (keep, fileinto, :fcc copies, LMTP's hard links) is checked
 * before it starts and counted once it is committed, and copies the
 * delivery takes back (a failed Sieve transaction) are subtracted again.
 * Everything else passes through. */
#include "auto-config.h"
#include "quota-private.h"
#include "quota-store.h"

#include "lib/config.h"
#include "lib/log.h"
#include "lib/store.h"
#include "lib/xalloc.h"

#include <stdlib.h>
#include <string.h>

/* copies remembered for a rollback */
#define QUOTA_STORE_SAVED_MAX 64

struct saved_copy {
	char *folder, *id;
	uint64_t size;
};

struct quota_store {
	struct store st;
	struct store *inner;
	struct quota *q;
	unsigned thresholds[8];	/* quota_warning, percent, ascending */
	size_t n_thresholds;
	unsigned crossed;	/* the highest threshold crossed upward */
	struct saved_copy saved[QUOTA_STORE_SAVED_MAX];
	size_t n_saved;
};

struct quota_save {
	struct quota_store *qs;
	struct store_save *inner;
	char *folder;
	uint64_t size;
};

/* crossing - note a threshold crossed upward by this change */
static void crossing(struct quota_store *qs, const struct quota_usage *before,
		     const struct quota_usage *after)
{
	unsigned pb = quota_percent(before), pa = quota_percent(after);
	size_t i;

	for (i = 0; i < qs->n_thresholds; i++) {
		if (pb < qs->thresholds[i] && pa >= qs->thresholds[i] &&
		    qs->thresholds[i] > qs->crossed)
			qs->crossed = qs->thresholds[i];
	}
}

static void counted(struct quota_store *qs, const char *folder,
		    const char *id, uint64_t size)
{
	struct quota_usage before, after;
	struct sl_err err;

	err_clear(&err);
	if (quota_add(qs->q, folder, (int64_t)size, 1, &before, &after,
		      &err) < 0) {
		/* the message is safe; the next recalculation counts it */
		log_warning("quota: %s", err.text);
		return;
	}
	crossing(qs, &before, &after);
	if (id != NULL && qs->n_saved < QUOTA_STORE_SAVED_MAX) {
		qs->saved[qs->n_saved].folder = xstrdup(folder);
		qs->saved[qs->n_saved].id = xstrdup(id);
		qs->saved[qs->n_saved++].size = size;
	}
}

static int qs_save_begin(struct store *s, const char *folder,
			 const struct store_save_info *info,
			 struct store_save **save_r, struct sl_err *err)
{
	struct quota_store *qs = (struct quota_store *)s;
	struct quota_save *sv;
	int r;

	*save_r = NULL;
	if ((r = quota_check(qs->q, folder, info->size, err)) != 0)
		return -1;	/* over (ERR_NOQUOTA) or an error */
	sv = xcalloc(1, sizeof(*sv));
	sv->qs = qs;
	sv->folder = xstrdup(folder);
	sv->size = info->size;
	if (qs->inner->v->save_begin(qs->inner, folder, info, &sv->inner,
				     err) < 0) {
		free(sv->folder);
		free(sv);
		return -1;
	}
	*save_r = (struct store_save *)sv;
	return 0;
}

static int qs_save_write(struct store_save *save, const void *data,
			 size_t len, struct sl_err *err)
{
	struct quota_save *sv = (struct quota_save *)save;

	return sv->qs->inner->v->save_write(sv->inner, data, len, err);
}

static int qs_save_commit(struct store_save **save, struct buf *id_r,
			  struct sl_err *err)
{
	struct quota_save *sv = (struct quota_save *)*save;
	struct buf id = BUF_INIT;
	int ret;

	*save = NULL;
	ret = sv->qs->inner->v->save_commit(&sv->inner, &id, err);
	if (ret == 0) {
		counted(sv->qs, sv->folder, buf_cstr(&id), sv->size);
		if (id_r != NULL) {
			buf_reset(id_r);
			buf_append(id_r, id.data, id.len);
		}
	}
	buf_free(&id);
	free(sv->folder);
	free(sv);
	return ret;
}

static void qs_save_abort(struct store_save **save)
{
	struct quota_save *sv = (struct quota_save *)*save;

	if (sv == NULL)
		return;
	*save = NULL;
	sv->qs->inner->v->save_abort(&sv->inner);
	free(sv->folder);
	free(sv);
}

static int qs_save_link(struct store *s, const char *folder,
			const struct store_save_info *info, const char *src,
			struct buf *id_r, struct sl_err *err)
{
	struct quota_store *qs = (struct quota_store *)s;
	int r;

	if (qs->inner->v->save_link == NULL)
		return 0;
	if ((r = quota_check(qs->q, folder, info->size, err)) != 0)
		return -1;
	r = qs->inner->v->save_link(qs->inner, folder, info, src, id_r, err);
	if (r > 0)
		counted(qs, folder, id_r != NULL ? buf_cstr(id_r) : NULL,
			info->size);
	return r;
}

/* qs_expunge - a rollback of copies saved here gives their room back */
static int qs_expunge(struct store *s, const char *folder,
		      const char *const *ids, size_t count, struct sl_err *err)
{
	struct quota_store *qs = (struct quota_store *)s;
	size_t i, k;

	if (qs->inner->v->expunge(qs->inner, folder, ids, count, err) < 0)
		return -1;
	for (i = 0; i < count; i++) {
		for (k = 0; k < qs->n_saved; k++) {
			struct saved_copy *c = &qs->saved[k];

			if (c->id != NULL && strcmp(c->id, ids[i]) == 0 &&
			    strcmp(c->folder, folder) == 0) {
				struct sl_err e;

				if (quota_add(qs->q, folder, -(int64_t)c->size,
					      -1, NULL, NULL, &e) < 0)
					log_warning("quota: %s", e.text);
				free(c->id);
				c->id = NULL;
			}
		}
	}
	return 0;
}

static void qs_close(struct store **sp)
{
	struct quota_store *qs = (struct quota_store *)*sp;
	size_t i;

	*sp = NULL;
	store_close(&qs->inner);
	quota_close(&qs->q);
	for (i = 0; i < qs->n_saved; i++) {
		free(qs->saved[i].folder);
		free(qs->saved[i].id);
	}
	free(qs);
}

/* the rest passes through */
static int qs_folder_exists(struct store *s, const char *f, struct sl_err *e)
{
	struct store *in = ((struct quota_store *)s)->inner;

	return in->v->folder_exists(in, f, e);
}

static int qs_folder_create(struct store *s, const char *f, struct sl_err *e)
{
	struct store *in = ((struct quota_store *)s)->inner;

	return in->v->folder_create(in, f, e);
}

static int qs_folder_list(struct store *s, struct pool *p, const char ***n,
			  size_t *c, struct sl_err *e)
{
	struct store *in = ((struct quota_store *)s)->inner;

	return in->v->folder_list(in, p, n, c, e);
}

static int qs_msg_list(struct store *s, const char *f, struct pool *p,
		       struct store_msg_info **m, size_t *c, struct sl_err *e)
{
	struct store *in = ((struct quota_store *)s)->inner;

	return in->v->msg_list(in, f, p, m, c, e);
}

static int qs_msg_open(struct store *s, const char *f, const char *id,
		       struct store_reader **r, struct sl_err *e)
{
	struct store *in = ((struct quota_store *)s)->inner;

	return in->v->msg_open(in, f, id, r, e);
}

static int qs_msg_set_flags(struct store *s, const char *f, const char *id,
			    unsigned flags, struct sl_err *e)
{
	struct store *in = ((struct quota_store *)s)->inner;

	return in->v->msg_set_flags(in, f, id, flags, e);
}

static ssize_t qs_reader_read(struct store_reader *r, void *data, size_t len,
			      struct sl_err *e)
{
	return r->v->reader_read(r, data, len, e);
}

static void qs_reader_close(struct store_reader **r)
{
	(*r)->v->reader_close(r);
}

static const struct store_vfuncs quota_store_vfuncs = {
	.name = "quota",
	.close = qs_close,
	.folder_exists = qs_folder_exists,
	.folder_create = qs_folder_create,
	.folder_list = qs_folder_list,
	.save_begin = qs_save_begin,
	.save_write = qs_save_write,
	.save_commit = qs_save_commit,
	.save_abort = qs_save_abort,
	.save_link = qs_save_link,
	.msg_list = qs_msg_list,
	.msg_open = qs_msg_open,
	.msg_set_flags = qs_msg_set_flags,
	.reader_read = qs_reader_read,
	.reader_close = qs_reader_close,
	.expunge = qs_expunge,
};

/* thresholds - "80% 95%" (or "80 95"), ascending, 1..100 */
static int thresholds(struct quota_store *qs, const char *spec,
		      struct sl_err *err)
{
	const char *p = spec;

	while (*p != '\0') {
		char *end;
		unsigned long n;

		while (*p == ' ' || *p == ',' || *p == '\t')
			p++;
		if (*p == '\0')
			break;
		n = strtoul(p, &end, 10);
		if (end == p || n == 0 || n > 100 ||
		    (*end != '%' && *end != ' ' && *end != ',' && *end != '\0'))
			return err_set(err, ERR_USAGE, "quota_warning: '%s' is "
				       "not a list of percentages", spec);
		if (qs->n_thresholds == sizeof(qs->thresholds) / sizeof(qs->thresholds[0]))
			return err_set(err, ERR_USAGE, "quota_warning: too many");
		qs->thresholds[qs->n_thresholds++] = (unsigned)n;
		p = *end == '%' ? end + 1 : end;
	}
	return 0;
}

int quota_store_wrap(const struct config *cfg, const struct user_record *u,
		     const struct store_location *loc, struct store **st,
		     struct sl_err *err)
{
	struct quota_store *qs;
	struct quota *q;
	int r;

	if (quota_open(&q, cfg, u, loc, err) < 0)
		return -1;
	if ((r = quota_enabled(q, err)) <= 0) {
		quota_close(&q);
		return r;	/* no limit: the store as it is */
	}
	qs = xcalloc(1, sizeof(*qs));
	qs->st.v = &quota_store_vfuncs;
	qs->inner = *st;
	qs->q = q;
	if (thresholds(qs, config_str(cfg, "quota_warning"), err) < 0) {
		quota_close(&qs->q);
		free(qs);
		return -1;
	}
	*st = &qs->st;
	return 1;
}

int quota_store_warning(struct store *st, struct quota_usage *u,
			struct sl_err *err)
{
	struct quota_store *qs;

	if (st == NULL || st->v != &quota_store_vfuncs)
		return 0;
	qs = (struct quota_store *)st;
	if (qs->crossed == 0)
		return 0;
	if (quota_get(qs->q, u, err) < 0)
		return -1;
	return (int)qs->crossed;
}
