/* address - RFC 5322 address lists (From, To, Cc, Reply-To...).
 *
 * address-list = (mailbox / group) *("," (mailbox / group)), with the
 * obsolete forms of RFC 5322 4.4 (obs-route "<@a,@b:user@host>", CFWS
 * around dots, empty list elements, "." in phrases), RFC 6532 UTF-8 in
 * any word, comments (nested, counted without recursion) and quoted
 * strings. Lenient where real mail is broken, the way common readers
 * are:
 * - a missing comma is tolerated: "A <a@x> B <b@y>" and "a@x b@y" are
 *   two mailboxes, and "Name user@host" (no angle brackets) is a mailbox
 *   with a display name;
 * - "addr (Comment)" takes the comment as display name when there is no
 *   phrase (the RFC 822 convention);
 * - '@' in an unquoted display name ("john@work <j@x>") belongs to the
 *   name;
 * - an RFC 2047 encoded-word is one word even when its text holds
 *   specials ("=?utf-8?q?Doe,_John?= <j@x>" is one mailbox);
 * - stray ";" and ">", a missing ">" or ";" at the end, are skipped or
 *   closed;
 * - a local part without '@' ("undisclosed-recipients", "<postmaster>")
 *   is kept, flagged ADDRESS_NO_DOMAIN; "a@b@c" is flagged
 *   ADDRESS_INVALID with the text as written in addr and empty local
 *   part and domain, so it never matches a domain test.
 * Display names are RFC 2047 decoded (also inside quotes, as mail
 * readers do). Every call is linear in the input.
 */
#ifndef SLUICE_ADDRESS_H
#define SLUICE_ADDRESS_H

#include <stddef.h>

#include "pool.h"

enum address_flag {
	ADDRESS_EMPTY_GROUP = 0x01,	/* an empty group ("undisclosed:;"):
					   no mailbox, addr "" */
	ADDRESS_NO_DOMAIN = 0x02,	/* no "@domain" */
	ADDRESS_INVALID = 0x04,		/* not a usable mailbox */
};

struct address {
	struct address *next;
	const char *name;	/* display name, decoded; "" if none */
	const char *local;	/* local part, unquoted; "" if none */
	const char *domain;	/* domain as written, CFWS removed; "" */
	const char *addr;	/* "local@domain" with CFWS removed and
				   quoted strings kept quoted; "" for the
				   null address "<>" */
	const char *group;	/* display name of the enclosing group, or
				   NULL */
	unsigned flags;		/* enum address_flag */
};

/* address_parse - the address list in value[0, len) (an unfolded header
 * value; CR and LF are taken as white space). Returns the first address
 * (NULL for an empty list), from pool; *count_r (if not NULL) gets the
 * number of entries. Never fails. */
struct address *address_parse(struct pool *pool, const char *value,
			      size_t len, size_t *count_r);

#endif
