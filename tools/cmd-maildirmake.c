/* cmd-maildirmake.c - `sluice maildirmake`: Courier's maildirmake on
 * sluice's Maildir store. DIR becomes a Maildir (tmp new cur, 0700);
 * -f makes the Maildir++ folder .FOLDER in an existing one (through the
 * store's folder_create: modified UTF-7 names, the maildirfolder file);
 * -q writes maildirsize's limit line (a Maildir that does not exist is
 * made first, as newer Courier releases do); -S and -s give Courier's
 * modes for sharable Maildirs and their public folders. Errors exit 1
 * (as Courier's), bad arguments 64, temporary failures 75.
 */
#include "auto-config.h"
#include "tools.h"

#include "lib/buf.h"
#include "lib/mutf7.h"
#include "lib/store.h"
#include "maildir/maildir.h"
#include "quota/quota.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MM_USAGE \
	"usage: sluice maildirmake [-S] [-q QUOTA] DIR\n" \
	"       sluice maildirmake [-S | -s MODE] [-q QUOTA] -f FOLDER DIR\n"

/* Courier's modes: a private Maildir, a sharable one (-S) */
#define MM_MODE_PRIVATE 0700
#define MM_MODE_SHARABLE 0755

struct mm_opts {
	const char *dir;
	const char *folder;	/* -f/-F, or NULL */
	int folder_utf8;	/* -F: the name is UTF-8 as it stands */
	const char *quota;	/* -q, or NULL */
	struct quota_limits limits;
	mode_t perm;		/* Courier's perm: 0700, -S 0755, -s ... */
};

/* errno_exit - an errno's exit code: what the caller can fix is 1 */
static int errno_exit(int e)
{
	switch (e) {
	case ENOENT: case EEXIST: case ENOTDIR: case EACCES: case EPERM:
	case EROFS: case ENAMETOOLONG: case ELOOP:
		return TOOL_FAIL;
	default:
		return TOOL_TEMP;
	}
}

static int err_exit(const struct sl_err *err)
{
	switch (err->cls) {
	case ERR_TEMP:
		return TOOL_TEMP;
	case ERR_USAGE:
		return TOOL_USAGE;
	default:
		return TOOL_FAIL;
	}
}

/* share_mode - Courier's -s: "read" 0755, "write" 01777, "group" drops
 * the others' bits; keywords comma- or space-separated */
static int share_mode(const char *s, mode_t *perm_r)
{
	mode_t perm = 0755;
	char *copy = strdup(s), *p, *word;
	int ret = 0;

	if (copy == NULL)
		return -1;
	for (p = copy; (word = strsep(&p, ", \t")) != NULL;) {
		if (*word == '\0')
			continue;
		if (strcmp(word, "read") == 0)
			perm = 0755;
		else if (strcmp(word, "write") == 0)
			perm = 0777 | S_ISVTX;
		else if (strcmp(word, "group") == 0)
			perm &= ~(mode_t)0007;
		else
			ret = -1;
	}
	free(copy);
	*perm_r = perm;
	return ret;
}

/* chmod_maildir - dir at top mode, its tmp new cur at sub mode */
static int chmod_maildir(const char *dir, mode_t top, mode_t sub)
{
	static const char *const subs[] = { "tmp", "new", "cur" };
	struct buf path = BUF_INIT;
	size_t i;
	int ret = 0;

	buf_append_str(&path, dir);
	for (i = 0; ret == 0 && i <= sizeof(subs) / sizeof(subs[0]); i++) {
		if (i > 0) {
			buf_reset(&path);
			buf_printf(&path, "%s/%s", dir, subs[i - 1]);
		}
		if (chmod(path.data, i == 0 ? top : sub) < 0) {
			fprintf(stderr, "sluice maildirmake: chmod %s: %s\n",
				path.data, strerror(errno));
			ret = -1;
		}
	}
	buf_free(&path);
	return ret;
}

/* unmake - take back a Maildir made by make_maildir that failed */
static void unmake(const char *dir)
{
	static const char *const subs[] = { "tmp", "new", "cur" };
	struct buf path = BUF_INIT;
	size_t i;

	for (i = 0; i < sizeof(subs) / sizeof(subs[0]); i++) {
		buf_reset(&path);
		buf_printf(&path, "%s/%s", dir, subs[i]);
		(void)rmdir(path.data);
	}
	(void)rmdir(dir);
	buf_free(&path);
}

/* make_maildir - DIR with tmp new cur; with -q an existing Maildir is
 * fine (the quota is set on it), else it is an error as in Courier */
static int make_maildir(struct tool_ctx *ctx, const struct mm_opts *o)
{
	struct store_location loc = { "maildir", o->dir, NULL };
	struct store *st = NULL;
	struct sl_err err;

	if (mkdir(o->dir, MM_MODE_PRIVATE) < 0) {
		int e = errno;

		if (e == EEXIST && o->quota != NULL) {
			err_clear(&err);
			if (maildir_store_vfuncs.open(ctx->cfg, &loc, 0, &st,
						      &err) < 0) {
				fprintf(stderr, "sluice maildirmake: %s: exists "
					"and is not a Maildir (no %s/cur)\n",
					o->dir, o->dir);
				return TOOL_FAIL;
			}
			store_close(&st);
			return tool_become_owner(o->dir) < 0 ? TOOL_TEMP
							     : TOOL_OK;
		}
		fprintf(stderr, "sluice maildirmake: %s: %s%s\n", o->dir,
			strerror(e), e == ENOENT ? " (its parent directory "
			"must exist)" : "");
		return errno_exit(e);
	}
	err_clear(&err);
	if (maildir_store_vfuncs.open(ctx->cfg, &loc, 1, &st, &err) < 0) {
		fprintf(stderr, "sluice maildirmake: %s\n", err.text);
		unmake(o->dir);
		return err_exit(&err);
	}
	store_close(&st);
	/* exact modes whatever the umask, as Courier's umask(0) gives */
	if (chmod_maildir(o->dir, o->perm & ~(mode_t)0022,
			  MM_MODE_PRIVATE) < 0) {
		unmake(o->dir);
		return TOOL_TEMP;
	}
	return TOOL_OK;
}

/* folder_utf8 - -f takes Courier's names, modified UTF-7 as on disk
 * ("Entw&APw-rfe"): decode them for the store, which encodes again; a
 * name that is not modified UTF-7 (8-bit UTF-8, a lone '&') is taken as
 * it stands, as -F takes every name */
static void folder_utf8(const struct mm_opts *o, struct buf *name)
{
	struct sl_err err;

	buf_reset(name);
	if (!o->folder_utf8 &&
	    mutf7_decode(o->folder, strlen(o->folder), name, &err) == 0)
		return;
	buf_reset(name);
	buf_append_str(name, o->folder);
}

/* folder_path - DIR/.A.B for the folder "A/B", as the store names it */
static int folder_path(const char *dir, const char *folder, struct buf *out)
{
	const char *p = folder, *sep;
	struct sl_err err;

	buf_printf(out, "%s/", dir);
	for (;;) {
		sep = p + strcspn(p, "/.");
		buf_append_char(out, '.');
		if (mutf7_encode(p, (size_t)(sep - p), out, &err) < 0)
			return -1;
		if (*sep == '\0')
			return 0;
		p = sep + 1;
	}
}

/* make_folder - -f: the folder in the existing Maildir DIR */
static int make_folder(struct tool_ctx *ctx, const struct mm_opts *o)
{
	struct store_location loc = { "maildir", o->dir, NULL };
	struct buf name = BUF_INIT, path = BUF_INIT;
	struct store *st = NULL;
	struct sl_err err;
	int ret = TOOL_OK;

	err_clear(&err);
	if (maildir_store_vfuncs.open(ctx->cfg, &loc, 0, &st, &err) < 0) {
		if (err.cls == ERR_NOTFOUND)
			fprintf(stderr, "sluice maildirmake: %s: not a Maildir "
				"(no %s/cur); make it first with sluice "
				"maildirmake %s\n", o->dir, o->dir, o->dir);
		else
			fprintf(stderr, "sluice maildirmake: %s\n", err.text);
		return err.cls == ERR_NOTFOUND ? TOOL_FAIL : err_exit(&err);
	}
	if (tool_become_owner(o->dir) < 0) {
		store_close(&st);
		return TOOL_TEMP;
	}
	folder_utf8(o, &name);
	if (store_folder_is_inbox(name.data)) {
		fprintf(stderr, "sluice maildirmake: INBOX is %s itself\n",
			o->dir);
		ret = TOOL_FAIL;
	} else if (st->v->folder_create(st, name.data, &err) < 0) {
		if (err.cls == ERR_EXISTS &&
		    folder_path(o->dir, name.data, &path) == 0)
			fprintf(stderr, "sluice maildirmake: %s: File exists\n",
				path.data);
		else
			fprintf(stderr, "sluice maildirmake: %s\n", err.text);
		ret = err_exit(&err);
	} else if (o->perm != MM_MODE_PRIVATE &&
		   (folder_path(o->dir, name.data, &path) < 0 ||
		    chmod_maildir(path.data, o->perm & ~(mode_t)0022,
				  o->perm) < 0)) {
		ret = TOOL_TEMP;
	}
	store_close(&st);
	buf_free(&name);
	buf_free(&path);
	return ret;
}

/* set_quota - -q: the limit line of DIR's maildirsize (also with -f:
 * the quota is the whole Maildir's, where Courier's tools look) */
static int set_quota(struct tool_ctx *ctx, const struct mm_opts *o)
{
	struct store_location loc = { "maildir", o->dir, NULL };
	struct quota *q = NULL;
	struct sl_err err;
	int ret = TOOL_OK;

	err_clear(&err);
	if (quota_open(&q, ctx->cfg, NULL, &loc, &err) < 0 ||
	    quota_set_limit(q, &o->limits, &err) < 0) {
		fprintf(stderr, "sluice maildirmake: %s\n", err.text);
		ret = err_exit(&err);
	}
	quota_close(&q);
	return ret;
}

/* mm_options - parse argv into o; TOOL_OK, or TOOL_USAGE said */
static int mm_options(int argc, char **argv, struct mm_opts *o)
{
	struct sl_err err;
	const char *share = NULL;
	int c;

	memset(o, 0, sizeof(*o));
	o->perm = MM_MODE_PRIVATE;
	while ((c = getopt(argc, argv, "+q:f:F:s:S")) != -1) {
		switch (c) {
		case 'q': o->quota = optarg; break;
		case 'f': o->folder = optarg; o->folder_utf8 = 0; break;
		case 'F': o->folder = optarg; o->folder_utf8 = 1; break;
		case 's': share = optarg; break;
		case 'S': o->perm = MM_MODE_SHARABLE; break;
		default: goto usage;
		}
	}
	if (argc - optind != 1 || (share != NULL && o->folder == NULL))
		goto usage;
	o->dir = argv[optind];
	if (share != NULL && share_mode(share, &o->perm) < 0) {
		fprintf(stderr, "sluice maildirmake: -s %s: not read, write "
			"or group\n", share);
		return TOOL_USAGE;
	}
	err_clear(&err);
	if (o->quota != NULL &&
	    tool_quota_parse(o->quota, &o->limits, &err) < 0) {
		fprintf(stderr, "sluice maildirmake: %s\n", err.text);
		return TOOL_USAGE;
	}
	return TOOL_OK;
usage:
	fputs(MM_USAGE, stderr);
	return TOOL_USAGE;
}

int cmd_maildirmake(struct tool_ctx *ctx, int argc, char **argv)
{
	struct mm_opts o;
	int ret;

	if (mm_options(argc, argv, &o) != TOOL_OK)
		return TOOL_USAGE;
	/* new directories 0700, files 0600: chmod widens them for -S/-s */
	(void)umask(077);
	if (o.folder != NULL)
		ret = make_folder(ctx, &o);
	else
		ret = make_maildir(ctx, &o);
	if (ret == TOOL_OK && o.quota != NULL)
		ret = set_quota(ctx, &o);
	return ret;
}
