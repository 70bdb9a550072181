/* quota-rule.c - Dovecot-style quota rules ("*:storage=1G:messages=1000") */
#include "auto-config.h"
#include "quota-private.h"

#include "lib/store.h"
#include "lib/xalloc.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* size_value - "1G", "512M", "100" (unit: KiB for storage, bytes for
 * bytes), "+10%", "10%"; into r's bytes fields */
static int size_value(const char *v, uint64_t unit, uint64_t *val_r,
		      int *rel_r, unsigned *pct_r, struct sl_err *err)
{
	unsigned long long n;
	char *end;
	uint64_t mult = unit;

	*rel_r = 0;
	*pct_r = 0;
	if (*v == '+') {
		*rel_r = 1;
		v++;
	}
	if (*v < '0' || *v > '9')
		return err_set(err, ERR_USAGE, "quota rule: bad number '%s'", v);
	errno = 0;
	n = strtoull(v, &end, 10);
	if (errno != 0)
		return err_set(err, ERR_USAGE, "quota rule: '%s' is too big", v);
	if (*end == '%' && end[1] == '\0') {
		if (n > 1000)
			return err_set(err, ERR_USAGE, "quota rule: %llu%% is "
				       "too much", n);
		*pct_r = (unsigned)n;
		*val_r = 0;
		return 0;
	}
	switch (*end) {
	case '\0': break;
	case 'b': case 'B': mult = 1; end++; break;
	case 'k': case 'K': mult = 1024ULL; end++; break;
	case 'm': case 'M': mult = 1024ULL * 1024; end++; break;
	case 'g': case 'G': mult = 1024ULL * 1024 * 1024; end++; break;
	case 't': case 'T': mult = 1024ULL * 1024 * 1024 * 1024; end++; break;
	default:
		return err_set(err, ERR_USAGE, "quota rule: bad unit in '%s'", v);
	}
	if ((*end == 'b' || *end == 'B') && mult != 1)
		end++;	/* "1GB" */
	if (*end != '\0')
		return err_set(err, ERR_USAGE, "quota rule: bad size '%s'", v);
	if (mult != 0 && n > UINT64_MAX / mult)
		return err_set(err, ERR_USAGE, "quota rule: '%s' is too big", v);
	*val_r = n * mult;
	return 0;
}

/* count_value - "100000", "+1000", "10%" */
static int count_value(const char *v, struct quota_rule *r, struct sl_err *err)
{
	return size_value(v, 1, &r->messages, &r->messages_rel,
			  &r->messages_pct, err);
}

int quota_rule_parse(const char *text, struct quota_rule *r,
		     struct sl_err *err)
{
	char *copy = xstrdup(text), *p, *colon, *item;
	int ret = 0;

	memset(r, 0, sizeof(*r));
	p = copy;
	while (*p == ' ' || *p == '\t')
		p++;
	colon = strchr(p, ':');
	if (colon == NULL || colon == p) {
		free(copy);
		return err_set(err, ERR_USAGE, "quota rule '%s': not "
			       "FOLDER:KEY=VALUE", text);
	}
	*colon = '\0';
	r->folder = xstrdup(p);
	for (p = colon + 1; ret == 0 && (item = strsep(&p, ":")) != NULL;) {
		char *eq = strchr(item, '=');

		if (strcasecmp(item, "ignore") == 0 || strcasecmp(item, "noenforcing") == 0) {
			r->ignore = strcasecmp(item, "ignore") == 0;
			continue;
		}
		if (eq == NULL) {
			ret = err_set(err, ERR_USAGE, "quota rule '%s': '%s' "
				      "is not KEY=VALUE", text, item);
			break;
		}
		*eq++ = '\0';
		if (strcasecmp(item, "storage") == 0)
			ret = size_value(eq, 1024, &r->bytes, &r->bytes_rel,
					 &r->bytes_pct, err);
		else if (strcasecmp(item, "bytes") == 0)
			ret = size_value(eq, 1, &r->bytes, &r->bytes_rel,
					 &r->bytes_pct, err);
		else if (strcasecmp(item, "messages") == 0)
			ret = count_value(eq, r, err);
		else if (strcasecmp(item, "backend") == 0)
			continue;	/* Dovecot's fs quota; nothing for us */
		else
			ret = err_set(err, ERR_USAGE, "quota rule '%s': unknown "
				      "key '%s'", text, item);
	}
	if (ret == 0 && strcmp(r->folder, "*") == 0 &&
	    (r->bytes_rel || r->messages_rel || r->bytes_pct || r->messages_pct))
		ret = err_set(err, ERR_USAGE, "quota rule '%s': the * rule "
			      "needs absolute limits", text);
	free(copy);
	if (ret < 0)
		quota_rule_free(r);
	return ret;
}

void quota_rule_free(struct quota_rule *r)
{
	free(r->folder);
	r->folder = NULL;
}

/* folder_match - rule folder names compare without case for INBOX, and
 * with '.' and '/' as the same separator */
static int folder_match(const char *rule, const char *folder)
{
	if (store_folder_is_inbox(rule) && store_folder_is_inbox(folder))
		return 1;
	for (; *rule != '\0' && *folder != '\0'; rule++, folder++) {
		int a = *rule == '.' ? '/' : *rule;
		int b = *folder == '.' ? '/' : *folder;

		if (a != b)
			return 0;
	}
	return *rule == '\0' && *folder == '\0';
}

const struct quota_rule *quota_rule_find(const struct quota *q,
					 const char *folder)
{
	size_t i;

	for (i = 0; i < q->n_rules; i++) {
		if (strcmp(q->rules[i].folder, "*") != 0 &&
		    folder_match(q->rules[i].folder, folder))
			return &q->rules[i];
	}
	return NULL;
}

void quota_rule_limit(const struct quota *q, struct quota_limits *l)
{
	size_t i;

	memset(l, 0, sizeof(*l));
	for (i = 0; i < q->n_rules; i++) {
		if (strcmp(q->rules[i].folder, "*") == 0) {
			l->bytes = q->rules[i].bytes;
			l->messages = q->rules[i].messages;
			return;
		}
	}
}
