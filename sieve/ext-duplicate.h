/* ext-duplicate - what the duplicate test (RFC 7352) leaves for delivery.
 *
 * The test asks the host's duplicate_check callback whether (handle, id)
 * was seen within the period; it never records anything itself. What must
 * be recorded once the message has been delivered successfully is added
 * to the result as an action of def sieve_act_duplicate_mark (kind
 * SIEVE_ACT_OTHER, name "duplicate"): core/ walks the final action list,
 * and for each such action after a successful delivery marks
 *     key = handle "\0" id   (handle "" when the script gave none)
 * in the user's tracking database until now + act->seconds. Nothing is
 * marked when the delivery fails or the script had a runtime error (the
 * result then holds only the implicit keep). The action never cancels
 * the implicit keep.
 *
 * Fields: act->handle (never NULL), act->message = the unique id (the
 * :uniqueid value, the first field named by :header, or the Message-ID),
 * act->seconds = the period, act->data = struct sieve_duplicate_mark
 * (the same and the :last flag).
 */
#ifndef SLUICE_SIEVE_EXT_DUPLICATE_H
#define SLUICE_SIEVE_EXT_DUPLICATE_H

#include <stddef.h>
#include <stdint.h>

#include "sieve/sieve.h"

struct sieve_duplicate_mark {
	const char *handle;	/* "" without :handle */
	const char *id;		/* NUL-terminated; id_len octets */
	size_t id_len;
	uint64_t seconds;	/* keep the mark this long */
	int last;		/* :last: the mark is renewed on every
				   sighting, also when it was a duplicate */
};

extern const struct sieve_action_def sieve_act_duplicate_mark;

/* sieve_duplicate_mark_of - the mark an action carries, or NULL when
 * act is not a duplicate mark */
static inline const struct sieve_duplicate_mark *
sieve_duplicate_mark_of(const struct sieve_action *act)
{
	return act->def == &sieve_act_duplicate_mark ? act->data : NULL;
}

#endif
