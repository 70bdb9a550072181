/* ext-fcc - what the mailbox-related extensions share with fcc (RFC 8580).
 *
 * :create (mailbox), :flags (imap4flags), :specialuse (special-use) and
 * :mailboxid (mailboxid) also go on vacation and notify, where they
 * describe the :fcc copy and are allowed only together with :fcc (RFC
 * 8580 section 3). On a vacation/notify action the fields create, flags,
 * special_use and mailboxid of struct sieve_action therefore belong to
 * the Fcc copy named by act->fcc. */
#ifndef SLUICE_SIEVE_EXT_FCC_H
#define SLUICE_SIEVE_EXT_FCC_H

#include <string.h>

#include "sieve/sieve-ext.h"

/* the commands, besides fileinto/keep, the companions go on */
#define SIEVE_FCC_TARGETS "vacation", "notify"

/* sieve_fcc_companion_check - tv on node: on vacation/notify it needs
 * :fcc too (error at the tag); 0 or -1 */
int sieve_fcc_companion_check(struct sieve_valctx *v,
			      const struct sieve_node *node,
			      const struct sieve_tagval *tv);

/* sieve_mailbox_name_valid - a usable folder name: not empty, valid
 * UTF-8 without NUL (Pigeonhole's sieve_mailbox_check_name) */
int sieve_mailbox_name_valid(const char *name, size_t len);

/* sieve_fcc_json - append the Fcc copy's fields of a vacation or notify
 * action to its JSON object (",\"fcc\":..." and the copy's create,
 * flags, specialuse, mailboxid); nothing when it has no :fcc */
struct buf;
void sieve_fcc_json(struct buf *out, const struct sieve_action *a);

#endif
