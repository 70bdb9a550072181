/* fsync-loop - bench/lmtp's disk limit with several writers at once
 * (see bench/README.md).
 *
 *   fsync-loop [-u USER] -p PROCS -n COUNT [-m HAVE] MSGDIR MAILDIR...
 *	fork PROCS processes, released together; process k delivers
 *	messages k, k+PROCS, k+2*PROCS, ... below COUNT (message i is
 *	MSGDIR/NNNNNN.eml with NNNNNN = i modulo HAVE, the number of files
 *	bench/driver -g wrote there; default COUNT) into the k-th MAILDIR
 *	with only the safe-delivery syscalls of maildir-put.h (bench/deliver's
 *	limit (a): O_EXCL create in tmp/, write, fsync, rename into new/,
 *	fsync new/).
 *	Give PROCS Maildirs (tmp/ and new/ must exist), one per process.
 *
 * Prints one line: ok=N fail=N secs=S rate=FILES/S procs=P. The time
 * runs from the release of the processes to the last one's last fsync.
 * Exits 1 if any delivery failed, 2 on usage or setup errors.
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
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_PROCS 256

struct slot {
	unsigned ok, fail;
	double end;		/* CLOCK_MONOTONIC at the last delivery */
};

static void usage(void)
{
	fputs("usage: fsync-loop [-u USER] -p PROCS -n COUNT [-m HAVE] MSGDIR"
	      " MAILDIR...\n", stderr);
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

/* drop_privileges - become pw when root; a no-op otherwise */
static void drop_privileges(const struct passwd *pw)
{
	if (pw == NULL || geteuid() != 0)
		return;
	if (setgroups(1, &pw->pw_gid) < 0 || setgid(pw->pw_gid) < 0 ||
	    setuid(pw->pw_uid) < 0)
		die("drop privileges");
}

/* writer - one process's share of the messages; waits on the start pipe
 * first so all writers begin together */
static void writer(int start_fd, const char *msgdir, const char *maildir,
		   unsigned k, unsigned procs, unsigned count, unsigned have,
		   struct slot *s)
{
	char path[4096], c;
	unsigned i;
	int fd, n;

	while (read(start_fd, &c, 1) < 0 && errno == EINTR)
		;
	for (i = k; i < count; i += procs) {
		n = snprintf(path, sizeof(path), "%s/%06u.eml", msgdir,
			     i % have);
		if (n < 0 || (size_t)n >= sizeof(path))
			die("message path");
		if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
			die(path);
		if (maildir_put(fd, maildir, i) == 0)
			s->ok++;
		else
			s->fail++;
		close(fd);
	}
	s->end = now();
}

int main(int argc, char **argv)
{
	const char *user = NULL;
	struct passwd *pw = NULL;
	unsigned procs = 0, count = 0, have = 0, k, ok = 0, fail = 0;
	struct slot *slots;
	double t0, end;
	int c, p[2], status, bad = 0;
	pid_t pid, parent = getpid();

	while ((c = getopt(argc, argv, "u:p:n:m:")) != -1) {
		switch (c) {
		case 'u': user = optarg; break;
		case 'p': procs = (unsigned)strtoul(optarg, NULL, 10); break;
		case 'n': count = (unsigned)strtoul(optarg, NULL, 10); break;
		case 'm': have = (unsigned)strtoul(optarg, NULL, 10); break;
		default: usage();
		}
	}
	if (have == 0)
		have = count;
	if (procs == 0 || procs > MAX_PROCS || count == 0 ||
	    argc - optind != (int)procs + 1)
		usage();
	if (user != NULL && (pw = getpwnam(user)) == NULL) {
		fprintf(stderr, "fsync-loop: no such user %s\n", user);
		return 2;
	}
	slots = mmap(NULL, sizeof(*slots) * procs, PROT_READ | PROT_WRITE,
		     MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (slots == MAP_FAILED)
		die("mmap");
	memset(slots, 0, sizeof(*slots) * procs);
	if (pipe2(p, O_CLOEXEC) < 0)
		die("pipe");
	for (k = 0; k < procs; k++) {
		if ((pid = fork()) < 0)
			die("fork");
		if (pid == 0) {
			close(p[1]);
			drop_privileges(pw);
			/* die with the parent (set after setuid, which clears it) */
			if (prctl(PR_SET_PDEATHSIG, SIGKILL) < 0 ||
			    getppid() != parent)
				_exit(1);
			writer(p[0], argv[optind], argv[optind + 1 + k], k,
			       procs, count, have, &slots[k]);
			_exit(0);
		}
	}
	close(p[0]);
	usleep(100000);		/* let every writer reach its read() */
	t0 = now();
	close(p[1]);		/* EOF: go */
	while ((pid = wait(&status)) > 0 || errno == EINTR)
		if (pid > 0 && !(WIFEXITED(status) && WEXITSTATUS(status) == 0))
			bad = 1;
	for (end = t0, k = 0; k < procs; k++) {
		ok += slots[k].ok;
		fail += slots[k].fail;
		if (slots[k].end > end)
			end = slots[k].end;
	}
	if (bad)
		fail += count - ok - fail;
	printf("ok=%u fail=%u secs=%.3f rate=%.1f procs=%u\n", ok, fail,
	       end - t0, end > t0 ? (double)ok / (end - t0) : 0.0, procs);
	return fail != 0;
}
