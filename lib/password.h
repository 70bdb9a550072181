/* password - Dovecot's password schemes: check a password against a
 * stored "{SCHEME}data" string, and make such strings (`sluice pw`).
 *
 * Schemes (names as Dovecot's, case-insensitive): PLAIN (CLEAR,
 * CLEARTEXT), CRYPT and the crypt(3) family through libxcrypt
 * (MD5-CRYPT, SHA256-CRYPT, SHA512-CRYPT, BLF-CRYPT, yescrypt "$y$"),
 * SHA256, SHA512, SSHA, SSHA256, SSHA512, MD5 / PLAIN-MD5 / LDAP-MD5,
 * CRAM-MD5, ARGON2I / ARGON2ID (libargon2, when built with it); the
 * ".HEX" and ".B64" suffixes choose the encoding as Dovecot writes it
 * ("{SHA256.HEX}..."). A stored string without "{SCHEME}" uses the
 * default scheme the caller gives (Dovecot's default_pass_scheme).
 * Comparisons take constant time; nothing here logs a password.
 */
#ifndef SLUICE_PASSWORD_H
#define SLUICE_PASSWORD_H

#include <stddef.h>

#include "buf.h"
#include "err.h"

/* password_verify - 1 the password matches, 0 it does not, -1 the stored
 * string cannot be checked (unknown scheme, malformed: err says which;
 * never the password) */
int password_verify(const char *stored, const char *default_scheme,
		    const char *plain, size_t plain_len, struct sl_err *err);

/* password_generate - "{SCHEME}data" for plain into out; rounds 0 is the
 * scheme's default (crypt rounds, bcrypt cost). -1 with err for an
 * unknown scheme or bad rounds. */
int password_generate(const char *scheme, const char *plain,
		      size_t plain_len, unsigned rounds, struct buf *out,
		      struct sl_err *err);

/* password_generate_check - what password_generate checks before it
 * hashes: 0 when it takes scheme and rounds, else -1 with err
 * (ERR_USAGE: unknown or verify-only scheme, rounds out of range) */
int password_generate_check(const char *scheme, unsigned rounds,
			    struct sl_err *err);

/* password_credentials - the secret a challenge-response mechanism needs
 * (want: "PLAIN" gives the password itself, "CRAM-MD5" its HMAC-MD5
 * contexts, 32 bytes as 64 hex digits) when the stored scheme allows it
 * (PLAIN stores give both, CRAM-MD5 stores give CRAM-MD5); 1 found, 0
 * the scheme cannot give it, -1 malformed */
int password_credentials(const char *stored, const char *default_scheme,
			 const char *want, struct buf *out, struct sl_err *err);

/* password_scheme_known - the scheme can be verified here */
int password_scheme_known(const char *scheme);

/* PASSWORD_MAX - the longest password the crypt(3) schemes take
 * (libxcrypt's CRYPT_MAX_PASSPHRASE_SIZE less its NUL): a longer one, or
 * one holding a NUL byte, never matches a crypt hash and is refused by
 * password_generate for them */
#define PASSWORD_MAX 511

/* what password_scheme_flags says of a scheme */
#define PASSWORD_SCHEME_GENERATE 0x1	/* password_generate makes it */
#define PASSWORD_SCHEME_PLAINTEXT 0x2	/* the stored string is the password
					   itself: never print it */
#define PASSWORD_SCHEME_ROUNDS 0x4	/* password_generate takes rounds */

/* password_scheme_flags - PASSWORD_SCHEME_* for a scheme name (".HEX"
 * suffix allowed, any case), -1 if it is not known here */
int password_scheme_flags(const char *scheme);
/* password_scheme_name - the i-th scheme (i = 0, 1, ...; NULL past the
 * last), for listings; *label_r (may be NULL) gets the name a generated
 * string carries ("YESCRYPT" makes "{CRYPT}$y$...") */
const char *password_scheme_name(size_t i, const char **label_r);

#endif
