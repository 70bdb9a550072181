/* sieve-address.c - address parts (RFC 5228 2.7.4: :all, :localpart,
 * :domain) and the address checks of the core commands: the headers the
 * address test accepts and the syntax of a redirect address. */
#include "auto-config.h"
#include "sieve/sieve-private.h"

#include <string.h>
#include <strings.h>

static int part_all(struct sieve_run *run, const struct address *a,
		    struct sieve_str *out)
{
	(void)run;
	out->data = a->addr;
	out->len = strlen(a->addr);
	return 1;
}

static int part_localpart(struct sieve_run *run, const struct address *a,
			  struct sieve_str *out)
{
	(void)run;
	out->data = a->local;
	out->len = strlen(a->local);
	return 1;
}

static int part_domain(struct sieve_run *run, const struct address *a,
		       struct sieve_str *out)
{
	(void)run;
	if (a->flags & ADDRESS_NO_DOMAIN)
		return 0;
	out->data = a->domain;
	out->len = strlen(a->domain);
	return 1;
}

const struct sieve_addrpart_def sieve_addrpart_all = {
	.name = "all", .extract = part_all,
};
const struct sieve_addrpart_def sieve_addrpart_localpart = {
	.name = "localpart", .extract = part_localpart,
};
const struct sieve_addrpart_def sieve_addrpart_domain = {
	.name = "domain", .extract = part_domain,
};

/* the headers the address test accepts: RFC 5228 5.1's list and the
 * others Pigeonhole knows to hold addresses */
static const char *const address_headers[] = {
	"from", "to", "cc", "bcc", "sender", "resent-from", "resent-to",
	"reply-to", "resent-reply-to", "resent-sender", "resent-cc",
	"resent-bcc", "for-approval", "for-handling", "for-comment",
	"apparently-to", "errors-to", "delivered-to", "return-receipt-to",
	"x-admin", "read-receipt-to", "x-confirm-reading-to",
	"return-receipt-requested", "registered-mail-reply-requested-by",
	"mail-followup-to", "mail-reply-to", "abuse-reports-to",
	"x-complaints-to", "x-report-abuse-to", "x-beenthere",
	"original-from", "original-sender", "original-recipient",
	"disposition-notification-to", NULL
};

int sieve_address_header_allowed(const char *name, size_t len)
{
	size_t i;

	for (i = 0; address_headers[i] != NULL; i++) {
		if (strlen(address_headers[i]) == len &&
		    strncasecmp(address_headers[i], name, len) == 0)
			return 1;
	}
	return 0;
}

int sieve_header_name_valid(const char *name, size_t len)
{
	size_t i;

	if (len == 0)
		return 0;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)name[i];

		if (c < 33 || c > 126 || c == ':')
			return 0;
	}
	return 1;
}

static int is_atext(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c >= 0x80 ||
	       (c != '\0' && strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL);
}

/* scan_dot_atom - the length of the dot-atom at s (0: none) */
static size_t scan_dot_atom(const char *s, size_t len)
{
	size_t i = 0, end = 0;

	while (i < len && is_atext((unsigned char)s[i])) {
		while (i < len && is_atext((unsigned char)s[i]))
			i++;
		end = i;
		if (i + 1 < len && s[i] == '.' &&
		    is_atext((unsigned char)s[i + 1]))
			i++;
		else
			break;
	}
	return end;
}

/* scan_quoted - the length of the quoted string at s (0: none) */
static size_t scan_quoted(const char *s, size_t len)
{
	size_t i;

	if (len == 0 || s[0] != '"')
		return 0;
	for (i = 1; i < len; i++) {
		if (s[i] == '\\')
			i++;
		else if (s[i] == '"')
			return i + 1;
	}
	return 0;
}

/* scan_literal - the length of the domain literal at s (0: none) */
static size_t scan_literal(const char *s, size_t len)
{
	const char *e;

	if (len == 0 || s[0] != '[')
		return 0;
	e = memchr(s, ']', len);
	return e != NULL ? (size_t)(e - s) + 1 : 0;
}

/* check_addr_spec - one addr-spec filling exactly [s, s+len) */
static int check_addr_spec(struct pool *pool, const char *s, size_t len,
			   const char **why_r)
{
	size_t l, d;

	l = s[0] == '"' ? scan_quoted(s, len) : scan_dot_atom(s, len);
	if (l == 0) {
		*why_r = "invalid local part";
		return 0;
	}
	if (l == len || s[l] != '@') {
		*why_r = pool_printf(pool, "invalid or lonely local part "
				     "'%.*s' (expecting '@')", (int)l, s);
		return 0;
	}
	s += l + 1;
	len -= l + 1;
	d = len > 0 && s[0] == '[' ? scan_literal(s, len)
				   : scan_dot_atom(s, len);
	if (d == 0) {
		*why_r = "invalid or missing domain";
		return 0;
	}
	if (d < len) {
		*why_r = pool_printf(pool, "not a single address (found "
				     "'%c')", s[d]);
		return 0;
	}
	return 1;
}

int sieve_address_valid_redirect(struct pool *pool, const char *text,
				 size_t len, const char **addr_r,
				 const char **why_r)
{
	const char *s = text, *lt, *gt;

	while (len > 0 && (*s == ' ' || *s == '\t')) {
		s++;
		len--;
	}
	while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		len--;
	if (len == 0) {
		*why_r = "empty address";
		return 0;
	}
	lt = s[0] != '"' ? memchr(s, '<', len) : NULL;
	if (s[0] == '"') {
		size_t q = scan_quoted(s, len);

		if (q > 0 && q < len && s[q] != '@')
			lt = memchr(s + q, '<', len - q);
	}
	if (lt != NULL) {
		gt = memchr(lt, '>', len - (size_t)(lt - s));
		if (gt == NULL || gt + 1 != s + len) {
			*why_r = "not a single address (found '<')";
			return 0;
		}
		s = lt + 1;
		len = (size_t)(gt - s);
		if (len == 0) {
			*why_r = "empty address";
			return 0;
		}
	}
	if (!check_addr_spec(pool, s, len, why_r))
		return 0;
	*addr_r = pool_strndup(pool, s, len);
	return 1;
}
