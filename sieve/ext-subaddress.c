/* ext-subaddress.c - subaddress (RFC 5233): the address parts :user and
 * :detail.
 *
 * The local part "user+detail" splits at the first character of the
 * recipient_delimiter setting (a set of characters, default "+", as
 * Dovecot's). :user is the part before it (the whole local part when
 * there is none); :detail the part after it, which may be empty, and
 * none at all when there is no delimiter: the address then matches
 * nothing (RFC 5233 section 4). */
#include "auto-config.h"
#include "sieve/sieve-ext.h"

#include "lib/config.h"

#include <string.h>

#define SUBADDRESS_DEFAULT_DELIMITER "+"

/* delimiters - the configured delimiter set */
static const char *delimiters(struct sieve_run *run)
{
	const struct config *cfg = sieve_run_config(run);
	const char *d = NULL;

	if (cfg != NULL)
		d = config_str(cfg, "recipient_delimiter");
	return d != NULL ? d : SUBADDRESS_DEFAULT_DELIMITER;
}

/* user_extract - the local part up to the first delimiter */
static int user_extract(struct sieve_run *run, const struct address *a,
			struct sieve_str *out)
{
	out->data = a->local;
	out->len = strcspn(a->local, delimiters(run));
	return 1;
}

/* detail_extract - the local part after the first delimiter, if any */
static int detail_extract(struct sieve_run *run, const struct address *a,
			  struct sieve_str *out)
{
	size_t n = strcspn(a->local, delimiters(run));

	if (a->local[n] == '\0')
		return 0;
	out->data = a->local + n + 1;
	out->len = strlen(out->data);
	return 1;
}

static const struct sieve_addrpart_def addrpart_user = {
	.name = "user",
	.extract = user_extract,
};

static const struct sieve_addrpart_def addrpart_detail = {
	.name = "detail",
	.extract = detail_extract,
};

static const struct sieve_addrpart_def *const subaddress_parts[] = {
	&addrpart_user, &addrpart_detail, NULL
};

const struct sieve_extension sieve_ext_subaddress = {
	.name = "subaddress",
	.address_parts = subaddress_parts,
};
