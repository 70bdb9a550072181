/* quota-private - what the quota/ files share; not for other modules */
#ifndef SLUICE_QUOTA_PRIVATE_H
#define SLUICE_QUOTA_PRIVATE_H

#include "quota.h"
#include "lib/buf.h"

#include <stddef.h>
#include <time.h>

/* Courier's maildirsize rules */
#define QUOTA_MAILDIRSIZE "maildirsize"
#define QUOTA_RECALC_SIZE 5120		/* bytes: recalculate when larger */
#define QUOTA_RECALC_AGE (15 * 60)	/* over quota and older: recalc */
/* the most maildirsize we read (it is recalculated long before) */
#define QUOTA_FILE_MAX (256 * 1024)
/* rules per user */
#define QUOTA_RULES_MAX 16

/* one quota_rule */
struct quota_rule {
	char *folder;		/* "*" or a folder name ('/' separated) */
	int ignore;
	/* absolute limits (0 none), or for folder rules extra room */
	uint64_t bytes, messages;
	int bytes_rel, messages_rel;	/* "+": added to the * limit */
	unsigned bytes_pct, messages_pct; /* "%": of the * limit */
};

struct quota {
	const struct config *cfg;
	char *driver;		/* "maildir" or "mbox" */
	char *root;		/* Maildir root or mbox folder directory */
	char *inbox;		/* mbox INBOX file, or NULL */
	struct quota_rule rules[QUOTA_RULES_MAX];
	size_t n_rules;
	const char *rules_source;	/* "userdb", "config" or NULL */
	int lock_fd;		/* maildirsize, flocked in quota_add */
};

/* quota-rule.c */
/* quota_rule_parse - one rule into r (strings malloc'd) */
int quota_rule_parse(const char *text, struct quota_rule *r,
		     struct sl_err *err);
void quota_rule_free(struct quota_rule *r);
/* quota_rule_find - the rule for folder (NULL: none) */
const struct quota_rule *quota_rule_find(const struct quota *q,
					 const char *folder);
/* quota_rule_limit - the * limit (0s if none) */
void quota_rule_limit(const struct quota *q, struct quota_limits *l);

/* quota-maildir.c */
/* what maildirsize says */
struct maildirsize {
	struct quota_limits limit;	/* its first line */
	int has_limit;
	int64_t bytes, count;		/* the sum of the other lines */
	time_t mtime;
	uint64_t size;			/* of the file */
	int corrupt;
};

/* quota_maildir_read - 0 read, 1 missing or corrupt (recalculate), -1
 * error */
int quota_maildir_read(struct quota *q, struct maildirsize *m,
		       struct sl_err *err);
/* quota_maildir_recalc - count the folders and write maildirsize anew
 * (via tmp/ and rename) with line as its limit line */
int quota_maildir_recalc(struct quota *q, const struct quota_limits *line,
			 struct sl_err *err);
int quota_maildir_append(struct quota *q, int64_t bytes, int64_t count,
			 struct sl_err *err);
/* quota_limit_line - "NS,MC" for l */
void quota_limit_line(struct buf *b, const struct quota_limits *l);

/* quota-mbox.c */
int quota_mbox_usage(struct quota *q, struct quota_usage *u,
		     struct sl_err *err);

#endif
