/* spool - the incoming message, held once for all recipients.
 *
 * Up to mem_max bytes stay in memory; a larger message moves to an
 * unlinked temporary file in tmp_dir, so memory stays bounded whatever
 * the message size. Readers take bytes by offset (spool_pread), so the
 * message is never mapped or copied whole.
 */
#ifndef SLUICE_SPOOL_H
#define SLUICE_SPOOL_H

#include <stdint.h>
#include <sys/types.h>

#include "err.h"

struct spool;

struct spool *spool_new(size_t mem_max, const char *tmp_dir);
void spool_free(struct spool **sp);
int spool_write(struct spool *sp, const void *data, size_t len,
		struct sl_err *err);
uint64_t spool_size(const struct spool *sp);
/* spool_pread - up to len bytes at off; returns bytes read (0 at end) or
 * -1 with err set */
ssize_t spool_pread(struct spool *sp, uint64_t off, void *data, size_t len,
		    struct sl_err *err);
/* spool_in_memory - the whole message when it is in memory, else NULL */
const unsigned char *spool_in_memory(const struct spool *sp);

#endif
