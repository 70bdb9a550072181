/* driver - the delivery benchmark's pipe transport (see bench/README.md).
 *
 *   driver -g -n COUNT -s SIZE MSGDIR
 *	write COUNT messages of about SIZE bytes as MSGDIR/NNNNNN.eml
 *   driver [-u USER] [-H HOME] [-P] -n COUNT MSGDIR -- PROG [ARG...]
 *	for each message: fork; in the child drop to USER (when root), put
 *	the message on stdin (the file itself, or with -P a pipe the
 *	parent writes into), exec PROG; the parent waits and checks the
 *	exit status. PROG is a path (execv, no PATH search).
 *   driver [-u USER] -L MAILDIR -n COUNT MSGDIR
 *	limit (a): the same deliveries in this one process, doing only the
 *	safe-delivery syscalls of maildir-put.h.
 *
 * Prints one line: ok=N fail=N secs=S rate=MSGS/S maxrss_kb=K cpu_ms=C
 * (maxrss_kb: the largest child's peak RSS, from wait4; cpu_ms: user +
 * system CPU per message). Exits 1 if any delivery failed, 2 on usage or
 * setup errors. Deliberately small, so its own cost is the same for
 * every program measured.
 */
#define _GNU_SOURCE
#include "maildir-put.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

struct opts {
	const char *user, *home, *limit_maildir, *msgdir;
	unsigned count;
	unsigned long size;
	int generate, pipe_input;
	char **prog;
};

struct tally {
	unsigned ok, fail;
	long maxrss_kb;
	double cpu_s;
};

static void usage(void)
{
	fputs("usage: driver -g -n COUNT -s SIZE MSGDIR\n"
	      "       driver [-u USER] [-H HOME] [-P] -n COUNT MSGDIR -- PROG [ARG...]\n"
	      "       driver [-u USER] -L MAILDIR -n COUNT MSGDIR\n", stderr);
	exit(2);
}

static void die(const char *what)
{
	perror(what);
	exit(2);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double tv_s(const struct timeval *tv)
{
	return (double)tv->tv_sec + (double)tv->tv_usec / 1e6;
}

/* msg_path - MSGDIR/NNNNNN.eml for message i */
static void msg_path(char *out, size_t size, const char *dir, unsigned i)
{
	int n = snprintf(out, size, "%s/%06u.eml", dir, i);

	if (n < 0 || (size_t)n >= size) {
		fputs("driver: message path too long\n", stderr);
		exit(2);
	}
}

/* generate - plain text messages, distinct per index, about size bytes */
static void generate(const struct opts *o)
{
	char path[4096];
	unsigned i, line;
	unsigned long len;
	FILE *f;
	int n;

	for (i = 0; i < o->count; i++) {
		msg_path(path, sizeof(path), o->msgdir, i);
		if ((f = fopen(path, "w")) == NULL)
			die(path);
		n = fprintf(f,
			"Received: from mx.example.org (mx.example.org [192.0.2.25])\n"
			"\tby mail.example.com (Postfix) with ESMTPS id 4B%06u\n"
			"\tfor <sluicebench@example.com>; Mon, 1 Jan 2024 12:00:00 +0000 (UTC)\n"
			"From: Bench Sender <sender@example.org>\n"
			"To: Bench User <sluicebench@example.com>\n"
			"Subject: delivery benchmark message %06u\n"
			"Date: Mon, 1 Jan 2024 12:00:00 +0000\n"
			"Message-ID: <bench-%06u@example.org>\n"
			"MIME-Version: 1.0\n"
			"Content-Type: text/plain; charset=us-ascii\n"
			"\n", i, i, i);
		if (n < 0)
			die(path);
		for (len = (unsigned long)n, line = 0; len + 80 <= o->size;
		     line++) {
			n = fprintf(f, "%06u/%08u The quick brown fox jumps over "
				    "the lazy dog; pack my box with jugs.\n",
				    i, line);
			if (n < 0)
				die(path);
			len += (unsigned long)n;
		}
		if (fclose(f) != 0)
			die(path);
	}
}

/* drop_privileges - become pw when root; a no-op otherwise */
static void drop_privileges(const struct passwd *pw)
{
	if (pw == NULL || geteuid() != 0)
		return;
	if (setgroups(1, &pw->pw_gid) < 0 || setgid(pw->pw_gid) < 0 ||
	    setuid(pw->pw_uid) < 0)
		die("drop privileges");
}

/* feed - write the message file into the pipe; a child that stops
 * reading early is its own business (its exit status tells) */
static void feed(int msgfd, int wfd)
{
	if (put_copy(msgfd, wfd) < 0 && errno != EPIPE)
		perror("driver: write to pipe");
}

/* run_one - one delivery through PROG; 0 if it exited 0 */
static int run_one(const struct opts *o, const struct passwd *pw,
		   char **envp, unsigned i, struct tally *t)
{
	char path[4096];
	int msgfd, p[2] = { -1, -1 }, status;
	struct rusage ru;
	pid_t pid;

	msg_path(path, sizeof(path), o->msgdir, i);
	if ((msgfd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		die(path);
	if (o->pipe_input && pipe2(p, O_CLOEXEC) < 0)
		die("pipe");
	if ((pid = fork()) < 0)
		die("fork");
	if (pid == 0) {
		drop_privileges(pw);
		if (dup2(o->pipe_input ? p[0] : msgfd, 0) < 0)
			_exit(126);
		execve(o->prog[0], o->prog, envp);
		perror(o->prog[0]);
		_exit(127);
	}
	if (o->pipe_input) {
		close(p[0]);
		feed(msgfd, p[1]);
		close(p[1]);
	}
	close(msgfd);
	while (wait4(pid, &status, 0, &ru) < 0)
		if (errno != EINTR)
			die("wait4");
	if (ru.ru_maxrss > t->maxrss_kb)
		t->maxrss_kb = ru.ru_maxrss;
	t->cpu_s += tv_s(&ru.ru_utime) + tv_s(&ru.ru_stime);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	if (t->fail == 0) {
		if (WIFEXITED(status))
			fprintf(stderr, "driver: %s exited %d on %s\n",
				o->prog[0], WEXITSTATUS(status), path);
		else
			fprintf(stderr, "driver: %s killed by signal %d on %s\n",
				o->prog[0], WTERMSIG(status), path);
	}
	return -1;
}

/* run_limit - limit (a): every delivery in this process */
static void run_limit(const struct opts *o, const struct passwd *pw,
		      struct tally *t)
{
	char path[4096];
	unsigned i;
	int fd;

	drop_privileges(pw);
	for (i = 0; i < o->count; i++) {
		msg_path(path, sizeof(path), o->msgdir, i);
		if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
			die(path);
		if (maildir_put(fd, o->limit_maildir, i) == 0)
			t->ok++;
		else
			t->fail++;
		close(fd);
	}
}

/* build_env - the child's environment, built from scratch as a pipe
 * transport does */
static char **build_env(const struct passwd *pw, const char *home)
{
	static char e_home[4200], e_user[300], e_logname[300];
	static char *envp[] = { "PATH=/usr/bin:/bin", "SHELL=/bin/sh",
				e_home, e_user, e_logname, NULL };
	const char *name = pw != NULL ? pw->pw_name : "nobody";

	if (home == NULL)
		home = pw != NULL ? pw->pw_dir : "/";
	snprintf(e_home, sizeof(e_home), "HOME=%s", home);
	snprintf(e_user, sizeof(e_user), "USER=%s", name);
	snprintf(e_logname, sizeof(e_logname), "LOGNAME=%s", name);
	return envp;
}

static void parse_opts(int argc, char **argv, struct opts *o)
{
	int c;

	memset(o, 0, sizeof(*o));
	while ((c = getopt(argc, argv, "+gn:s:u:H:PL:")) != -1) {
		switch (c) {
		case 'g': o->generate = 1; break;
		case 'n': o->count = (unsigned)strtoul(optarg, NULL, 10); break;
		case 's': o->size = strtoul(optarg, NULL, 10); break;
		case 'u': o->user = optarg; break;
		case 'H': o->home = optarg; break;
		case 'P': o->pipe_input = 1; break;
		case 'L': o->limit_maildir = optarg; break;
		default: usage();
		}
	}
	if (optind >= argc || o->count == 0)
		usage();
	o->msgdir = argv[optind++];
	if (optind < argc && strcmp(argv[optind], "--") == 0)
		optind++;
	if (optind < argc)
		o->prog = argv + optind;
	if (o->generate ? o->size == 0 :
	    (o->prog == NULL) == (o->limit_maildir == NULL))
		usage();
}

int main(int argc, char **argv)
{
	struct opts o;
	struct tally t;
	struct passwd *pw = NULL;
	struct rusage r0, r1;
	char **envp;
	double t0, secs;
	unsigned i;

	parse_opts(argc, argv, &o);
	if (o.generate) {
		generate(&o);
		return 0;
	}
	if (o.user != NULL && (pw = getpwnam(o.user)) == NULL) {
		fprintf(stderr, "driver: no such user %s\n", o.user);
		return 2;
	}
	if (pw == NULL)
		pw = getpwuid(getuid());
	signal(SIGPIPE, SIG_IGN);
	memset(&t, 0, sizeof(t));
	envp = build_env(pw, o.home);
	getrusage(RUSAGE_SELF, &r0);
	t0 = now();
	if (o.limit_maildir != NULL) {
		run_limit(&o, pw, &t);
	} else {
		for (i = 0; i < o.count; i++) {
			if (run_one(&o, pw, envp, i, &t) == 0)
				t.ok++;
			else
				t.fail++;
		}
	}
	secs = now() - t0;
	if (o.limit_maildir != NULL) {
		getrusage(RUSAGE_SELF, &r1);
		t.cpu_s = tv_s(&r1.ru_utime) - tv_s(&r0.ru_utime) +
			  tv_s(&r1.ru_stime) - tv_s(&r0.ru_stime);
		t.maxrss_kb = r1.ru_maxrss;
	}
	printf("ok=%u fail=%u secs=%.3f rate=%.1f maxrss_kb=%ld cpu_ms=%.3f\n",
	       t.ok, t.fail, secs, (double)t.ok / secs, t.maxrss_kb,
	       t.cpu_s * 1000.0 / o.count);
	return t.fail != 0;
}
