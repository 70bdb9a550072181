/* cmd-pw.c - `sluice pw`: hash a password for a Dovecot-format
 * passwd-file ({SCHEME}hash), or verify one with -t, as `doveadm pw`.
 *
 * The schemes are lib/password.c's (password.h); this file reads the
 * password (argument, pipe, or a terminal without echo) and prints.
 * The password itself is never printed or logged, and every copy of it
 * is wiped before returning.
 */
#include "auto-config.h"
#include "tools.h"
#include "lib/buf.h"
#include "lib/err.h"
#include "lib/password.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <termios.h>
#include <unistd.h>

#define PW_USAGE \
	"usage: sluice pw [-s SCHEME] [-r ROUNDS] [-p PASSWORD]\n" \
	"       sluice pw -t HASH [-s SCHEME] [-p PASSWORD]\n" \
	"       sluice pw -l\n"
#define PW_MAX PASSWORD_MAX	/* longer: no crypt(3) scheme takes it */
#define PW_TRIES 3		/* a retyped password that differs: again */
#define PW_SCHEME_MAX 32	/* longest {SCHEME} name read from a hash */
#define PW_DEFAULT_SCHEME "SHA512-CRYPT"

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


/* pw_hash_scheme - the scheme name a -t HASH is checked with, in
 * capitals: its {SCHEME}, else -s, else "$1$" strings are MD5-CRYPT (as
 * Dovecot's); NULL with err when there is none */
static const char *pw_hash_scheme(const char *hash, const char *dflt,
				  char *name, size_t size, int *prefixed_r,
				  struct sl_err *err)
{
	const char *src, *end;
	size_t len, i;

	*prefixed_r = 0;
	if (hash[0] == '{' && (end = strchr(hash, '}')) != NULL) {
		src = hash + 1;
		len = (size_t)(end - src);
		*prefixed_r = 1;
	} else if (dflt != NULL) {
		src = dflt;
		len = strlen(dflt);
	} else if (strncmp(hash, "$1$", 3) == 0) {
		src = "MD5-CRYPT";
		len = strlen(src);
	} else {
		err_set(err, ERR_USAGE,
			"the hash has no {SCHEME} prefix: add one or give -s");
		return NULL;
	}
	if (len >= size)
		len = size - 1;
	for (i = 0; i < len; i++)
		name[i] = (char)toupper((unsigned char)src[i]);
	name[len] = '\0';
	return name;
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
	char name[PW_SCHEME_MAX + 1];
	int prefixed, flags, r;

	if (pw_hash_scheme(o->test_hash, o->scheme, name, sizeof(name),
			   &prefixed, err) == NULL)
		return pw_exit(err);
	/* an unknown scheme is said before a password is asked for; the
	 * check with no password stops at the scheme and says why */
	if ((flags = password_scheme_flags(name)) < 0) {
		if (password_verify(o->test_hash, o->scheme, "", 0, err) >= 0)
			err_set(err, ERR_PERM, "unknown scheme {%s}", name);
		if (!prefixed)
			err->cls = ERR_USAGE;	/* -s is the culprit */
		return pw_exit(err);
	}
	if (!o->have_password && pw_ask(0, s, err) < 0)
		return pw_exit(err);
	if (s->len == 0) {
		err_set(err, ERR_USAGE, "empty passwords are not allowed");
		return pw_exit(err);
	}
	r = password_verify(o->test_hash, o->scheme, s->text, s->len, err);
	if (r < 0)
		return pw_exit(err);
	if (r == 0) {
		fprintf(stderr, "sluice: pw: password mismatch\n");
		return TOOL_FAIL;
	}
	/* a plaintext "hash" is the password: don't echo it */
	if (flags & PASSWORD_SCHEME_PLAINTEXT)
		printf("{%s} (verified)\n", name);
	else if (prefixed)
		printf("%s (verified)\n", o->test_hash);
	else
		printf("{%s}%s (verified)\n", name, o->test_hash);
	return TOOL_OK;
}

/* pw_run_hash - make a new hash of the password */
static int pw_run_hash(const struct pw_opts *o, struct pw_secret *s,
		       struct sl_err *err)
{
	const char *name = o->scheme != NULL ? o->scheme : PW_DEFAULT_SCHEME;
	struct buf out = BUF_INIT;
	int flags = password_scheme_flags(name);

	if (flags >= 0 && (flags & PASSWORD_SCHEME_PLAINTEXT)) {
		err_set(err, ERR_USAGE, "%s would print the password itself: "
			"use SHA512-CRYPT, BLF-CRYPT, ARGON2ID...", name);
		return pw_exit(err);
	}
	/* scheme and rounds are checked before a password is asked for */
	if (o->rounds > UINT_MAX) {
		err_set(err, ERR_USAGE, "-r %lu is too large", o->rounds);
		return pw_exit(err);
	}
	if (password_generate_check(name, (unsigned)o->rounds, err) < 0) {
		struct sl_err why = *err;

		if (flags < 0)
			err_set(err, why.cls, "%s (sluice pw -l lists them)",
				why.text);
		return pw_exit(err);
	}
	if (!o->have_password && pw_ask(1, s, err) < 0)
		return pw_exit(err);
	if (s->len == 0) {
		err_set(err, ERR_USAGE, "empty passwords are not allowed");
		return pw_exit(err);
	}
	if (password_generate(name, s->text, s->len, (unsigned)o->rounds,
			      &out, err) < 0) {
		buf_free(&out);
		return pw_exit(err);
	}
	printf("%s\n", buf_cstr(&out));
	buf_free(&out);
	return TOOL_OK;
}

/* pw_list - -l: every scheme, and whether it is made or only verified */
static void pw_list(void)
{
	const char *name, *label;
	size_t i;

	for (i = 0; (name = password_scheme_name(i, &label)) != NULL; i++) {
		int flags = password_scheme_flags(name);

		if (!(flags & PASSWORD_SCHEME_GENERATE) ||
		    (flags & PASSWORD_SCHEME_PLAINTEXT))
			printf("%s (verify only)\n", name);
		else if (strcmp(label, name) != 0)
			printf("%s (printed as {%s})\n", name, label);
		else
			printf("%s\n", name);
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
