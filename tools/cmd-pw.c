/* cmd-pw.c - `sluice pw`: hash a password for a Dovecot-format
 * passwd-file ({SCHEME}hash), or verify one with -t, as `doveadm pw`.
 *
 * The crypt(3) schemes go through libxcrypt (crypt_gensalt_rn, crypt_rn)
 * with salt bytes from getrandom(); SSHA512/SSHA256 are Dovecot's salted
 * SHA-2 (base64 of digest || salt). The password itself is never printed
 * or logged, and every copy of it is wiped before returning.
 */
#include "auto-config.h"
#include "tools.h"
#include "lib/err.h"

#include <crypt.h>
#include <errno.h>
#include <openssl/evp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <termios.h>
#include <unistd.h>

#define PW_USAGE \
	"usage: sluice pw [-s SCHEME] [-r ROUNDS] [-p PASSWORD]\n" \
	"       sluice pw -t HASH [-s SCHEME] [-p PASSWORD]\n" \
	"       sluice pw -l\n"
/* libxcrypt refuses longer phrases (CRYPT_MAX_PASSPHRASE_SIZE) */
#define PW_MAX (CRYPT_MAX_PASSPHRASE_SIZE - 1)
#define PW_TRIES 3		/* a retyped password that differs: again */
#define PW_RANDOM_BYTES 32	/* salt input; each method takes what it uses */
#define PW_SSHA_SALT 16
#define PW_SCHEME_MAX 32	/* longest {SCHEME} name read from a hash */

enum pw_kind { PW_CRYPT, PW_SSHA, PW_PLAIN };

struct pw_scheme {
	const char *name;	/* as given to -s and read from {NAME} */
	enum pw_kind kind;
	const char *prefix;	/* crypt method; NULL: this name only verifies */
	const char *label;	/* the {LABEL} printed before a new hash */
	unsigned long rmin, rmax;	/* -r range; 0 0: no rounds */
	const char *rounds_what;
};

static const struct pw_scheme pw_schemes[] = {
	{ "SHA512-CRYPT", PW_CRYPT, "$6$", "SHA512-CRYPT", 1000, 999999999,
	  "rounds" },
	{ "SHA256-CRYPT", PW_CRYPT, "$5$", "SHA256-CRYPT", 1000, 999999999,
	  "rounds" },
	{ "BLF-CRYPT", PW_CRYPT, "$2y$", "BLF-CRYPT", 4, 31, "cost (log2)" },
	/* Dovecot 2.3 has no name for yescrypt; its CRYPT verifies $y$ */
	{ "YESCRYPT", PW_CRYPT, "$y$", "CRYPT", 1, 11, "cost" },
	{ "SSHA512", PW_SSHA, "sha512", "SSHA512", 0, 0, NULL },
	{ "SSHA256", PW_SSHA, "sha256", "SSHA256", 0, 0, NULL },
	/* verified only: any crypt(3) hash, or the password itself */
	{ "CRYPT", PW_CRYPT, NULL, NULL, 0, 0, NULL },
	{ "MD5-CRYPT", PW_CRYPT, NULL, NULL, 0, 0, NULL },
	{ "DES-CRYPT", PW_CRYPT, NULL, NULL, 0, 0, NULL },
	{ "PLAIN", PW_PLAIN, NULL, NULL, 0, 0, NULL },
	{ "CLEAR", PW_PLAIN, NULL, NULL, 0, 0, NULL },
	{ "CLEARTEXT", PW_PLAIN, NULL, NULL, 0, 0, NULL },
};
#define PW_N_SCHEMES (sizeof(pw_schemes) / sizeof(pw_schemes[0]))

/* a password: bounded, NUL-terminated, wiped by pw_secret_wipe */
struct pw_secret {
	size_t len;
	char text[PW_MAX + 2];
};

struct pw_opts {
	const char *scheme;	/* -s, or NULL */
	const char *test_hash;	/* -t, or NULL */
	unsigned long rounds;	/* -r, 0: the method's default */
	int have_password;	/* -p given: in secret already */
};

/* the terminal as it was, for the signal handler to put back */
static struct termios pw_tty_saved;
static const int pw_tty_signals[] = { SIGINT, SIGTERM, SIGQUIT, SIGHUP };
#define PW_N_TTY_SIGNALS (sizeof(pw_tty_signals) / sizeof(pw_tty_signals[0]))

/* pw_secret_wipe - erase the password where the compiler can't skip it */
static void pw_secret_wipe(struct pw_secret *s)
{
	explicit_bzero(s, sizeof(*s));
}

/* pw_scheme_find - the table entry named name (any case), or NULL */
static const struct pw_scheme *pw_scheme_find(const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < PW_N_SCHEMES; i++) {
		if (strlen(pw_schemes[i].name) == len &&
		    strncasecmp(pw_schemes[i].name, name, len) == 0)
			return &pw_schemes[i];
	}
	return NULL;
}

/* pw_equal - compare without an early exit on the first difference */
static int pw_equal(const char *a, size_t alen, const char *b, size_t blen)
{
	unsigned char diff = alen != blen;
	size_t i, n = alen < blen ? alen : blen;

	for (i = 0; i < n; i++)
		diff |= (unsigned char)(a[i] ^ b[i]);
	return diff == 0;
}

/* pw_set - take a password given as an argument; checked like typed ones */
static int pw_set(struct pw_secret *s, const char *text, struct sl_err *err)
{
	size_t len = strlen(text);

	if (len > PW_MAX)
		return err_set(err, ERR_USAGE,
			       "password longer than %d bytes", PW_MAX);
	memcpy(s->text, text, len);
	s->text[len] = '\0';
	s->len = len;
	return 0;
}

/* pw_read_line - one line from fd into s, byte by byte so that nothing
 * after it is consumed; the newline (and a CR before it) is dropped */
static int pw_read_line(int fd, struct pw_secret *s, struct sl_err *err)
{
	char c;
	ssize_t n;

	s->len = 0;
	for (;;) {
		n = read(fd, &c, 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return err_set_errno(err, errno, "reading the password");
		if (n == 0 || c == '\n')
			break;
		if (c == '\0')
			return err_set(err, ERR_USAGE,
				       "the password contains a NUL byte");
		if (s->len == PW_MAX)
			return err_set(err, ERR_USAGE,
				       "password longer than %d bytes", PW_MAX);
		s->text[s->len++] = c;
	}
	if (n == 0 && s->len == 0)
		return err_set(err, ERR_USAGE, "no password on standard input");
	if (s->len > 0 && s->text[s->len - 1] == '\r')
		s->len--;
	s->text[s->len] = '\0';
	return 0;
}

/* pw_tty_signal - a signal while echo is off: restore the terminal, then
 * die of the signal as if nothing had caught it */
static void pw_tty_signal(int sig)
{
	tcsetattr(STDIN_FILENO, TCSAFLUSH, &pw_tty_saved);
	signal(sig, SIG_DFL);
	raise(sig);
}

/* pw_tty_signals_set - install (on) or put back (off) the handlers; job
 * control stops wait until echo is back on */
static void pw_tty_signals_set(int on, struct sigaction *old, sigset_t *mask)
{
	struct sigaction sa;
	sigset_t stops;
	size_t i;

	if (!on) {
		for (i = 0; i < PW_N_TTY_SIGNALS; i++)
			sigaction(pw_tty_signals[i], &old[i], NULL);
		sigprocmask(SIG_SETMASK, mask, NULL);
		return;
	}
	sigemptyset(&stops);
	sigaddset(&stops, SIGTSTP);
	sigaddset(&stops, SIGTTIN);
	sigaddset(&stops, SIGTTOU);
	sigprocmask(SIG_BLOCK, &stops, mask);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = pw_tty_signal;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < PW_N_TTY_SIGNALS; i++)
		sigaction(pw_tty_signals[i], &sa, &old[i]);
}

/* pw_read_tty - prompt on stderr and read a line with echo off */
static int pw_read_tty(const char *prompt, struct pw_secret *s,
		       struct sl_err *err)
{
	struct sigaction old[PW_N_TTY_SIGNALS];
	struct termios noecho;
	sigset_t mask;
	int ret;

	if (tcgetattr(STDIN_FILENO, &pw_tty_saved) < 0)
		return err_set_errno(err, errno, "reading terminal settings");
	noecho = pw_tty_saved;
	noecho.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
	pw_tty_signals_set(1, old, &mask);
	/* echo goes off before the prompt: nothing typed after it shows */
	if (tcsetattr(STDIN_FILENO, TCSAFLUSH, &noecho) < 0) {
		ret = err_set_errno(err, errno, "turning terminal echo off");
	} else {
		fputs(prompt, stderr);
		fflush(stderr);
		ret = pw_read_line(STDIN_FILENO, s, err);
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &pw_tty_saved);
	}
	pw_tty_signals_set(0, old, &mask);
	fputc('\n', stderr);
	return ret;
}

/* pw_ask - the password from the terminal (typed twice for a new hash,
 * up to PW_TRIES times) or, when stdin is no terminal, its first line */
static int pw_ask(int twice, struct pw_secret *s, struct sl_err *err)
{
	struct pw_secret check;
	int tries, same;

	if (!isatty(STDIN_FILENO))
		return pw_read_line(STDIN_FILENO, s, err);
	if (!twice)
		return pw_read_tty("Enter password to verify: ", s, err);
	for (tries = 0; tries < PW_TRIES; tries++) {
		if (pw_read_tty("Enter new password: ", s, err) < 0)
			return -1;
		if (pw_read_tty("Retype new password: ", &check, err) < 0) {
			pw_secret_wipe(&check);
			return -1;
		}
		same = pw_equal(s->text, s->len, check.text, check.len);
		pw_secret_wipe(&check);
		if (same)
			return 0;
		fprintf(stderr, "sluice: passwords don't match\n");
	}
	return err_set(err, ERR_PERM, "passwords don't match");
}

/* pw_random - n unpredictable bytes from the kernel */
static int pw_random(unsigned char *out, size_t n, struct sl_err *err)
{
	size_t got = 0;
	ssize_t r;

	while (got < n) {
		r = getrandom(out + got, n - got, 0);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return err_set_errno(err, errno, "getrandom");
		got += (size_t)r;
	}
	return 0;
}

/* pw_crypt_err - libxcrypt's errno: EINVAL/ERANGE mean bad input */
static int pw_crypt_err(struct sl_err *err, int errnum, const char *what)
{
	if (errnum == EINVAL || errnum == ERANGE || errnum == 0)
		return err_set(err, ERR_PERM, "%s: %s", what,
			       errnum == 0 ? "failed" : strerror(errnum));
	return err_set_errno(err, errnum, "%s", what);
}

/* pw_crypt_hash - a new crypt(3) hash of s with sch's method into out */
static int pw_crypt_hash(const struct pw_scheme *sch, unsigned long rounds,
			 const struct pw_secret *s, char *out, size_t size,
			 struct sl_err *err)
{
	unsigned char rbytes[PW_RANDOM_BYTES];
	char setting[CRYPT_GENSALT_OUTPUT_SIZE];
	struct crypt_data *cd;
	int ret = 0;

	if (pw_random(rbytes, sizeof(rbytes), err) < 0)
		return -1;
	errno = 0;
	if (crypt_gensalt_rn(sch->prefix, rounds, (const char *)rbytes,
			     (int)sizeof(rbytes), setting,
			     (int)sizeof(setting)) == NULL) {
		explicit_bzero(rbytes, sizeof(rbytes));
		return pw_crypt_err(err, errno, "making a salt");
	}
	explicit_bzero(rbytes, sizeof(rbytes));
	cd = calloc(1, sizeof(*cd));
	if (cd == NULL)
		return err_set_errno(err, errno, "allocating crypt data");
	errno = 0;
	if (crypt_rn(s->text, setting, cd, (int)sizeof(*cd)) == NULL ||
	    cd->output[0] == '*')
		ret = pw_crypt_err(err, errno, "crypt");
	else if ((size_t)snprintf(out, size, "{%s}%s", sch->label,
				  cd->output) >= size)
		ret = err_set(err, ERR_PERM, "hash too long");
	explicit_bzero(cd, sizeof(*cd));
	free(cd);
	return ret;
}

/* pw_crypt_verify - 1 when s hashes to hash under crypt(3), 0 when not */
static int pw_crypt_verify(const struct pw_secret *s, const char *hash,
			   struct sl_err *err)
{
	struct crypt_data *cd;
	int ret;

	cd = calloc(1, sizeof(*cd));
	if (cd == NULL)
		return err_set_errno(err, errno, "allocating crypt data");
	errno = 0;
	if (crypt_rn(s->text, hash, cd, (int)sizeof(*cd)) == NULL ||
	    cd->output[0] == '*')
		ret = err_set(err, ERR_PERM,
			      "not a crypt(3) hash this system knows");
	else
		ret = pw_equal(cd->output, strlen(cd->output), hash,
			       strlen(hash));
	explicit_bzero(cd, sizeof(*cd));
	free(cd);
	return ret;
}

static const char pw_b64[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* pw_b64_encode - standard base64 with padding; out has 4*ceil(n/3)+1 */
static void pw_b64_encode(const unsigned char *in, size_t n, char *out)
{
	size_t i;
	unsigned long v;

	for (i = 0; i + 2 < n; i += 3) {
		v = (unsigned long)in[i] << 16 | in[i + 1] << 8 | in[i + 2];
		*out++ = pw_b64[v >> 18 & 63];
		*out++ = pw_b64[v >> 12 & 63];
		*out++ = pw_b64[v >> 6 & 63];
		*out++ = pw_b64[v & 63];
	}
	if (i < n) {
		v = (unsigned long)in[i] << 16 |
			(i + 1 < n ? (unsigned long)in[i + 1] << 8 : 0);
		*out++ = pw_b64[v >> 18 & 63];
		*out++ = pw_b64[v >> 12 & 63];
		*out++ = i + 1 < n ? pw_b64[v >> 6 & 63] : '=';
		*out++ = '=';
	}
	*out = '\0';
}

/* pw_b64_decode - strict base64 (padding optional) into out (max
 * bytes); returns the length, or -1 for bad input or too long */
static long pw_b64_decode(const char *in, unsigned char *out, size_t max)
{
	unsigned long v = 0;
	size_t len = 0, bits = 0, pad = 0;
	const char *p, *q;

	for (p = in; *p != '\0'; p++) {
		if (*p == '=') {
			pad++;
			continue;
		}
		q = strchr(pw_b64, *p);
		if (q == NULL || pad > 0)
			return -1;
		v = (v << 6 | (unsigned long)(q - pw_b64)) & 0xffffff;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (len == max)
				return -1;
			out[len++] = (unsigned char)(v >> bits);
		}
	}
	if (pad > 2 || bits >= 6 || (v & ((1ul << bits) - 1)) != 0)
		return -1;
	return (long)len;
}

/* pw_sha - digest of password || salt with the named SHA-2 */
static int pw_sha(const char *md_name, const struct pw_secret *s,
		  const unsigned char *salt, size_t salt_len,
		  unsigned char *md, unsigned int *md_len, struct sl_err *err)
{
	const EVP_MD *type = EVP_get_digestbyname(md_name);
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	int ok;

	ok = type != NULL && ctx != NULL &&
		EVP_DigestInit_ex(ctx, type, NULL) == 1 &&
		EVP_DigestUpdate(ctx, s->text, s->len) == 1 &&
		EVP_DigestUpdate(ctx, salt, salt_len) == 1 &&
		EVP_DigestFinal_ex(ctx, md, md_len) == 1;
	EVP_MD_CTX_free(ctx);
	if (!ok)
		return err_set(err, ERR_TEMP, "OpenSSL %s failed", md_name);
	return 0;
}

/* pw_ssha_hash - {SSHA512}base64(SHA512(password || salt) || salt) */
static int pw_ssha_hash(const struct pw_scheme *sch,
			const struct pw_secret *s, char *out, size_t size,
			struct sl_err *err)
{
	unsigned char raw[EVP_MAX_MD_SIZE + PW_SSHA_SALT];
	char b64[(sizeof(raw) + 2) / 3 * 4 + 1];
	unsigned char *salt;
	unsigned int md_len;
	int ret = 0;

	salt = raw + EVP_MAX_MD_SIZE;
	if (pw_random(salt, PW_SSHA_SALT, err) < 0 ||
	    pw_sha(sch->prefix, s, salt, PW_SSHA_SALT, raw, &md_len, err) < 0)
		return -1;
	memmove(raw + md_len, salt, PW_SSHA_SALT);
	pw_b64_encode(raw, md_len + PW_SSHA_SALT, b64);
	if ((size_t)snprintf(out, size, "{%s}%s", sch->label, b64) >= size)
		ret = err_set(err, ERR_PERM, "hash too long");
	explicit_bzero(raw, sizeof(raw));
	return ret;
}

/* pw_ssha_verify - 1 when hash is base64(digest || salt) of s, else 0 */
static int pw_ssha_verify(const struct pw_scheme *sch,
			  const struct pw_secret *s, const char *hash,
			  struct sl_err *err)
{
	unsigned char raw[EVP_MAX_MD_SIZE + 256], md[EVP_MAX_MD_SIZE];
	const EVP_MD *type = EVP_get_digestbyname(sch->prefix);
	unsigned int md_len;
	long n;
	int ret;

	n = pw_b64_decode(hash, raw, sizeof(raw));
	if (type == NULL || n < 0 || (size_t)n <= (size_t)EVP_MD_size(type))
		return err_set(err, ERR_PERM, "not a valid %s hash", sch->name);
	md_len = (unsigned int)EVP_MD_size(type);
	if (pw_sha(sch->prefix, s, raw + md_len, (size_t)n - md_len, md,
		   &md_len, err) < 0)
		return -1;
	ret = pw_equal((const char *)md, md_len, (const char *)raw, md_len);
	explicit_bzero(md, sizeof(md));
	return ret;
}

/* pw_hash - print the new hash of s, {LABEL}hash, on stdout */
static int pw_hash(const struct pw_scheme *sch, unsigned long rounds,
		   const struct pw_secret *s, struct sl_err *err)
{
	char out[CRYPT_OUTPUT_SIZE + PW_SCHEME_MAX + 4];
	int ret;

	if (sch->kind == PW_SSHA)
		ret = pw_ssha_hash(sch, s, out, sizeof(out), err);
	else
		ret = pw_crypt_hash(sch, rounds, s, out, sizeof(out), err);
	if (ret < 0)
		return -1;
	printf("%s\n", out);
	return 0;
}

/* pw_verify - 1 when s matches hash under sch, 0 when it does not */
static int pw_verify(const struct pw_scheme *sch, const struct pw_secret *s,
		     const char *hash, struct sl_err *err)
{
	switch (sch->kind) {
	case PW_CRYPT:
		return pw_crypt_verify(s, hash, err);
	case PW_SSHA:
		return pw_ssha_verify(sch, s, hash, err);
	case PW_PLAIN:
		return pw_equal(s->text, s->len, hash, strlen(hash));
	}
	return err_set(err, ERR_PERM, "unknown scheme kind");
}

/* pw_split_hash - the scheme of a {SCHEME}hash (or of -s when it has no
 * prefix) and where the hash proper starts */
static const struct pw_scheme *pw_split_hash(const char *test_hash,
					     const char *dflt,
					     const char **rest,
					     struct sl_err *err)
{
	const struct pw_scheme *sch;
	const char *end;

	if (test_hash[0] == '{' && (end = strchr(test_hash, '}')) != NULL) {
		size_t len = (size_t)(end - test_hash - 1);

		sch = pw_scheme_find(test_hash + 1, len);
		if (sch == NULL)
			err_set(err, ERR_PERM, "unknown scheme {%.*s}",
				len > PW_SCHEME_MAX ? PW_SCHEME_MAX : (int)len,
				test_hash + 1);
		*rest = end + 1;
		return sch;
	}
	if (dflt == NULL) {
		err_set(err, ERR_USAGE,
			"the hash has no {SCHEME} prefix: add one or give -s");
		return NULL;
	}
	sch = pw_scheme_find(dflt, strlen(dflt));
	if (sch == NULL)
		err_set(err, ERR_USAGE, "unknown scheme %s", dflt);
	*rest = test_hash;
	return sch;
}

/* pw_exit - an error's class as the command's exit code */
static int pw_exit(const struct sl_err *err)
{
	fprintf(stderr, "sluice: pw: %s\n", err->text);
	switch (err->cls) {
	case ERR_USAGE:
		return TOOL_USAGE;
	case ERR_TEMP:
		return TOOL_TEMP;
	default:
		return TOOL_FAIL;
	}
}

/* pw_run_test - -t: verify the password against a hash */
static int pw_run_test(const struct pw_opts *o, struct pw_secret *s,
		       struct sl_err *err)
{
	const struct pw_scheme *sch;
	const char *hash;
	int r;

	sch = pw_split_hash(o->test_hash, o->scheme, &hash, err);
	if (sch == NULL)
		return pw_exit(err);
	if (!o->have_password && pw_ask(0, s, err) < 0)
		return pw_exit(err);
	if (s->len == 0) {
		err_set(err, ERR_USAGE, "empty passwords are not allowed");
		return pw_exit(err);
	}
	r = pw_verify(sch, s, hash, err);
	if (r < 0)
		return pw_exit(err);
	if (r == 0) {
		fprintf(stderr, "sluice: pw: password mismatch\n");
		return TOOL_FAIL;
	}
	/* a plaintext "hash" is the password: don't echo it */
	if (sch->kind == PW_PLAIN)
		printf("{%s} (verified)\n", sch->name);
	else
		printf("{%s}%s (verified)\n", sch->name, hash);
	return TOOL_OK;
}

/* pw_run_hash - make a new hash of the password */
static int pw_run_hash(const struct pw_opts *o, struct pw_secret *s,
		       struct sl_err *err)
{
	const char *name = o->scheme != NULL ? o->scheme : "SHA512-CRYPT";
	const struct pw_scheme *sch = pw_scheme_find(name, strlen(name));

	if (sch == NULL) {
		err_set(err, ERR_USAGE, "unknown scheme %s (sluice pw -l "
			"lists them)", name);
		return pw_exit(err);
	}
	if (sch->prefix == NULL || sch->kind == PW_PLAIN) {
		err_set(err, ERR_USAGE, "%s hashes can be verified (-t) but "
			"not made: use SHA512-CRYPT, BLF-CRYPT or YESCRYPT",
			sch->name);
		return pw_exit(err);
	}
	if (o->rounds != 0 && sch->rmax == 0) {
		err_set(err, ERR_USAGE, "%s takes no -r", sch->name);
		return pw_exit(err);
	}
	if (o->rounds != 0 && (o->rounds < sch->rmin || o->rounds > sch->rmax)) {
		err_set(err, ERR_USAGE, "%s %s must be %lu to %lu", sch->name,
			sch->rounds_what, sch->rmin, sch->rmax);
		return pw_exit(err);
	}
	if (!o->have_password && pw_ask(1, s, err) < 0)
		return pw_exit(err);
	if (s->len == 0) {
		err_set(err, ERR_USAGE, "empty passwords are not allowed");
		return pw_exit(err);
	}
	if (pw_hash(sch, o->rounds, s, err) < 0)
		return pw_exit(err);
	return TOOL_OK;
}

/* pw_list - -l: every scheme, and whether it is made or only verified */
static void pw_list(void)
{
	size_t i;

	for (i = 0; i < PW_N_SCHEMES; i++) {
		const struct pw_scheme *sch = &pw_schemes[i];

		if (sch->prefix == NULL || sch->kind == PW_PLAIN)
			printf("%s (verify only)\n", sch->name);
		else if (strcmp(sch->label, sch->name) != 0)
			printf("%s (printed as {%s})\n", sch->name, sch->label);
		else
			printf("%s\n", sch->name);
	}
}

/* pw_parse_rounds - -r's number, 0 for anything that is not one */
static unsigned long pw_parse_rounds(const char *arg)
{
	char *end;
	unsigned long v;

	if (arg[0] < '0' || arg[0] > '9')
		return 0;
	errno = 0;
	v = strtoul(arg, &end, 10);
	if (errno != 0 || *end != '\0')
		return 0;
	return v;
}

int cmd_pw(struct tool_ctx *ctx, int argc, char **argv)
{
	struct pw_opts o;
	struct pw_secret s;
	struct sl_err err;
	int c, list = 0, ret;

	(void)ctx;
	memset(&o, 0, sizeof(o));
	memset(&s, 0, sizeof(s));
	err_clear(&err);
	while ((c = getopt(argc, argv, "s:p:r:t:l")) != -1) {
		switch (c) {
		case 's':
			o.scheme = optarg;
			break;
		case 'p':
			if (pw_set(&s, optarg, &err) < 0)
				return pw_exit(&err);
			/* out of ps and /proc/PID/cmdline from now on */
			explicit_bzero(optarg, strlen(optarg));
			o.have_password = 1;
			break;
		case 'r':
			o.rounds = pw_parse_rounds(optarg);
			if (o.rounds == 0) {
				fprintf(stderr, "sluice: pw: -r wants a "
					"positive number\n");
				return TOOL_USAGE;
			}
			break;
		case 't':
			o.test_hash = optarg;
			break;
		case 'l':
			list = 1;
			break;
		default:
			goto usage;
		}
	}
	if (optind != argc)
		goto usage;
	if (list) {
		pw_list();
		ret = TOOL_OK;
	} else if (o.test_hash != NULL) {
		ret = pw_run_test(&o, &s, &err);
	} else {
		ret = pw_run_hash(&o, &s, &err);
	}
	pw_secret_wipe(&s);
	if (ret == TOOL_OK && (fflush(stdout) != 0 || ferror(stdout))) {
		fprintf(stderr, "sluice: pw: writing the output failed\n");
		return TOOL_TEMP;
	}
	return ret;
usage:
	pw_secret_wipe(&s);
	fputs(PW_USAGE, stderr);
	return TOOL_USAGE;
}
