/* maildir-put.h - the safe Maildir delivery syscalls and nothing else.
 *
 * Shared by the two limits of bench/deliver: driver -L (all messages in
 * one process: the disk's limit) and limit-deliver (one exec per
 * message: the limit for a pipe transport). Exactly the sequence
 * DESIGN.md asks of a store: O_EXCL create in tmp/, write, fsync,
 * rename into new/, fsync new/. No parsing, no headers added.
 */
#ifndef SLUICE_BENCH_MAILDIR_PUT_H
#define SLUICE_BENCH_MAILDIR_PUT_H

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/time.h>
#include <unistd.h>

#define PUT_CHUNK 65536

/* put_copy - copy in to out to EOF; 0 or -1 with errno */
static int put_copy(int in, int out)
{
	static char chunk[PUT_CHUNK];
	ssize_t n, w, off;

	for (;;) {
		n = read(in, chunk, sizeof(chunk));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return (int)n;
		for (off = 0; off < n; off += w) {
			w = write(out, chunk + off, (size_t)(n - off));
			if (w < 0 && errno == EINTR)
				w = 0;
			else if (w < 0)
				return -1;
		}
	}
}

/* maildir_put - deliver what `in` holds into maildir/new; seq makes the
 * name unique within one process. 0, or -1 with errno and a message on
 * stderr. */
static int maildir_put(int in, const char *maildir, unsigned seq)
{
	char host[256], name[512], tmp[4096], new[4096];
	struct timeval tv;
	int fd, dfd, n;

	gettimeofday(&tv, NULL);
	if (gethostname(host, sizeof(host)) < 0)
		host[0] = '\0';
	host[sizeof(host) - 1] = '\0';
	n = snprintf(name, sizeof(name), "%lld.M%ldP%dQ%u.%s",
		     (long long)tv.tv_sec, (long)tv.tv_usec, (int)getpid(), seq,
		     host);
	if (n < 0 || (size_t)n >= sizeof(name))
		return errno = ENAMETOOLONG, -1;
	n = snprintf(tmp, sizeof(tmp), "%s/tmp/%s", maildir, name);
	if (n < 0 || (size_t)n >= sizeof(tmp))
		return errno = ENAMETOOLONG, -1;
	n = snprintf(new, sizeof(new), "%s/new/%s", maildir, name);
	if (n < 0 || (size_t)n >= sizeof(new))
		return errno = ENAMETOOLONG, -1;
	fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return perror(tmp), -1;
	if (put_copy(in, fd) < 0 || fsync(fd) < 0) {
		perror(tmp);
		close(fd);
		unlink(tmp);
		return -1;
	}
	if (close(fd) < 0 || rename(tmp, new) < 0) {
		perror(tmp);
		unlink(tmp);
		return -1;
	}
	n = snprintf(tmp, sizeof(tmp), "%s/new", maildir);
	if (n < 0 || (size_t)n >= sizeof(tmp))
		return errno = ENAMETOOLONG, -1;
	dfd = open(tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0 || fsync(dfd) < 0)
		return perror(tmp), -1;
	close(dfd);
	return 0;
}

#endif
