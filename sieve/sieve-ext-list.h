/* sieve-ext-list - every built-in extension, one line each.
 *
 * SIEVE_EXT(id): the file sieve/ext-ID.c (or the core's files) defines
 * `const struct sieve_extension sieve_ext_ID`. Add one line for a new
 * extension (and its file to sieve/local.mk); the order here is the
 * order of the capability string. No include guard: included with
 * different SIEVE_EXT definitions.
 */
/* RFC 5228: the core language and what it always has */
SIEVE_EXT(core)
SIEVE_EXT(comparator_i_octet)
SIEVE_EXT(comparator_i_ascii_casemap)
SIEVE_EXT(encoded_character)
SIEVE_EXT(fileinto)
SIEVE_EXT(envelope)
/* extensions: one line each, below */
SIEVE_EXT(imap4flags)
SIEVE_EXT(copy)
SIEVE_EXT(mailbox)
SIEVE_EXT(special_use)
SIEVE_EXT(mailboxid)
SIEVE_EXT(fcc)
SIEVE_EXT(subaddress)
SIEVE_EXT(relational)
SIEVE_EXT(comparator_i_ascii_numeric)
SIEVE_EXT(comparator_i_unicode_casemap)
SIEVE_EXT(regex)
SIEVE_EXT(date)
SIEVE_EXT(index)
SIEVE_EXT(spamtest)
SIEVE_EXT(spamtestplus)
SIEVE_EXT(virustest)
SIEVE_EXT(body)
SIEVE_EXT(mime)
SIEVE_EXT(foreverypart)
SIEVE_EXT(extracttext)
SIEVE_EXT(editheader)
SIEVE_EXT(reject)
SIEVE_EXT(ereject)
SIEVE_EXT(vacation)
SIEVE_EXT(vacation_seconds)
SIEVE_EXT(enotify)
SIEVE_EXT(duplicate)
SIEVE_EXT(environment)
SIEVE_EXT(variables)
SIEVE_EXT(include)
SIEVE_EXT(ihave)
