/* maildir-uniq.c - unique file names and their ",S=" and ":2," parts */
#include "auto-config.h"
#include "maildir-private.h"

#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#ifndef HOST_NAME_MAX
#define HOST_NAME_MAX 255
#endif

/* the Q part: unique within a process whatever the clock does */
static unsigned long maildir_uniq_counter;

/* info letters we manage, and the flag each stands for (ASCII order) */
static const struct {
	char letter;
	unsigned flag;
} maildir_uniq_letters[] = {
	{ 'D', STORE_FLAG_DRAFT },
	{ 'F', STORE_FLAG_FLAGGED },
	{ 'R', STORE_FLAG_ANSWERED },
	{ 'S', STORE_FLAG_SEEN },
	{ 'T', STORE_FLAG_DELETED },
};
#define MAILDIR_UNIQ_NLETTERS \
	(sizeof(maildir_uniq_letters) / sizeof(maildir_uniq_letters[0]))

int maildir_uniq_host(const char *cfg_host, struct buf *out,
		      struct sl_err *err)
{
	char sys[HOST_NAME_MAX + 1];
	const char *h = cfg_host;
	size_t start = out->len;

	if (h == NULL || h[0] == '\0') {
		if (gethostname(sys, sizeof(sys)) < 0)
			sys[0] = '\0';
		sys[sizeof(sys) - 1] = '\0';
		h = sys[0] != '\0' ? sys : "localhost";
	}
	for (; *h != '\0'; h++) {
		unsigned char c = (unsigned char)*h;

		/* '/' and ':' as Courier and Dovecot; ',' would fake a
		   ",S=" field and control characters have no place in a
		   file name */
		if (c == '/' || c == ':' || c == ',' || c < 0x20 || c == 0x7f)
			buf_printf(out, "\\%03o", c);
		else
			buf_append_char(out, (char)c);
	}
	if (out->len - start > MAILDIR_HOST_MAX) {
		buf_truncate(out, start);
		return err_set(err, ERR_USAGE,
			       "hostname for Maildir file names is longer "
			       "than %d bytes; set a shorter hostname in "
			       "sluice.conf",
			       MAILDIR_HOST_MAX);
	}
	return 0;
}

void maildir_uniq_next(struct buf *out, const char *host, uint64_t size,
		       time_t *now_r)
{
	struct timespec ts;
	unsigned long q;

	if (clock_gettime(CLOCK_REALTIME, &ts) < 0) {
		ts.tv_sec = time(NULL);
		ts.tv_nsec = 0;
	}
	q = __atomic_add_fetch(&maildir_uniq_counter, 1, __ATOMIC_RELAXED);
	buf_printf(out, "%lld.M%06ldP%ldQ%lu.%s", (long long)ts.tv_sec,
		   ts.tv_nsec / 1000, (long)getpid(), q, host);
	if (size != 0)
		buf_printf(out, ",S=%" PRIu64, size);
	*now_r = ts.tv_sec;
}

int maildir_uniq_size(const char *name, uint64_t *size_r)
{
	const char *end = strchr(name, ':'), *p = name;
	uint64_t v;

	if (end == NULL)
		end = name + strlen(name);
	while ((p = strstr(p, ",S=")) != NULL && p < end) {
		p += 3;
		for (v = 0; p < end && *p >= '0' && *p <= '9'; p++) {
			if (v > (UINT64_MAX - 9) / 10)
				return 0;
			v = v * 10 + (uint64_t)(*p - '0');
		}
		if ((p == end || *p == ',') && p[-1] != '=') {
			*size_r = v;
			return 1;
		}
	}
	return 0;
}

unsigned maildir_uniq_flags(const char *name)
{
	const char *p = strstr(name, ":2,");
	unsigned flags = 0;
	size_t i;

	if (p == NULL)
		return 0;
	for (p += 3; *p != '\0'; p++)
		for (i = 0; i < MAILDIR_UNIQ_NLETTERS; i++)
			if (*p == maildir_uniq_letters[i].letter)
				flags |= maildir_uniq_letters[i].flag;
	return flags;
}

/* maildir_uniq_ours - one of the letters that flags stand for */
static int maildir_uniq_ours(char c)
{
	size_t i;

	for (i = 0; i < MAILDIR_UNIQ_NLETTERS; i++)
		if (c == maildir_uniq_letters[i].letter)
			return 1;
	return 0;
}

void maildir_uniq_info(struct buf *out, unsigned flags, const char *old_name)
{
	const char *old = old_name != NULL ? strstr(old_name, ":2,") : NULL;
	unsigned char have[128];
	size_t i;

	memset(have, 0, sizeof(have));
	for (i = 0; i < MAILDIR_UNIQ_NLETTERS; i++)
		if (flags & maildir_uniq_letters[i].flag)
			have[(unsigned char)maildir_uniq_letters[i].letter] = 1;
	/* P (passed) and keyword letters belong to other programs: keep */
	for (old = old != NULL ? old + 3 : ""; *old != '\0'; old++) {
		unsigned char c = (unsigned char)*old;

		if (c > 0x20 && c < 0x7f && c != '/' && c != ',' &&
		    !maildir_uniq_ours((char)c))
			have[c] = 1;
	}
	buf_append_str(out, ":2,");
	for (i = 0; i < sizeof(have); i++)
		if (have[i])
			buf_append_char(out, (char)i);
}

int maildir_uniq_id_check(const char *id, struct sl_err *err)
{
	size_t len = strlen(id), i;

	if (len == 0 || len > MAILDIR_NAME_MAX || id[0] == '.')
		return err_set(err, ERR_PERM, "invalid message id '%s'", id);
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)id[i];

		if (c == '/' || c == ':' || c < 0x20 || c == 0x7f)
			return err_set(err, ERR_PERM, "invalid message id");
	}
	return 0;
}
