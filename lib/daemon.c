/* daemon.c - pid file lock and going into the background */
#include "auto-config.h"
#include "daemon.h"
#include "xalloc.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <unistd.h>

int pidfile_lock(struct pidfile *pf, const char *path, const char *what,
		 struct sl_err *err)
{
	char *dir;
	int fd;

	pf->fd = -1;
	pf->path = NULL;
	if (*path == '\0')
		return 0;
	dir = xstrdup(path);
	if (strrchr(dir, '/') != NULL && strrchr(dir, '/') != dir) {
		*strrchr(dir, '/') = '\0';
		(void)mkdir(dir, 0755);
	}
	free(dir);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		return err_set_errno(err, errno, "pid file %s", path);
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		(void)close(fd);
		return err_set(err, ERR_TEMP, "%s is locked: %s is already "
			       "running", path, what);
	}
	pf->fd = fd;
	pf->path = xstrdup(path);
	return 0;
}

int pidfile_write(struct pidfile *pf, struct sl_err *err)
{
	char line[32];
	int n;

	if (pf->fd < 0)
		return 0;
	n = snprintf(line, sizeof(line), "%ld\n", (long)getpid());
	if (ftruncate(pf->fd, 0) < 0 ||
	    pwrite(pf->fd, line, (size_t)n, 0) != n)
		return err_set_errno(err, errno, "writing %s", pf->path);
	return 0;
}

void pidfile_remove(struct pidfile *pf)
{
	if (pf->fd < 0)
		return;
	(void)unlink(pf->path);
	pidfile_close_fd(pf);
}

void pidfile_close_fd(struct pidfile *pf)
{
	if (pf->fd >= 0)
		(void)close(pf->fd);
	pf->fd = -1;
	free(pf->path);
	pf->path = NULL;
}

int daemonize(int *ready_fd)
{
	int p[2], null;
	pid_t pid;
	char c = 0;

	if (pipe2(p, O_CLOEXEC) < 0)
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid > 0) {
		(void)close(p[1]);
		if (read(p[0], &c, 1) != 1)
			c = EX_TEMPFAIL;
		_exit(c);
	}
	(void)close(p[0]);
	*ready_fd = p[1];
	(void)setsid();
	if (chdir("/") < 0)
		return -1;
	null = open("/dev/null", O_RDWR);
	if (null >= 0) {
		(void)dup2(null, 0);
		(void)dup2(null, 1);
		(void)dup2(null, 2);
		if (null > 2)
			(void)close(null);
	}
	return 0;
}

void daemon_ready(int *ready_fd, char code)
{
	if (*ready_fd < 0)
		return;
	if (write(*ready_fd, &code, 1) < 0)
		(void)0;	/* the parent is gone: nothing to tell */
	(void)close(*ready_fd);
	*ready_fd = -1;
}

pid_t daemon_fork(void)
{
	sigset_t block, old;
	pid_t pid;
	int saved;

	sigemptyset(&block);
	sigaddset(&block, SIGTERM);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGHUP);
	sigaddset(&block, SIGUSR1);
	(void)sigprocmask(SIG_BLOCK, &block, &old);
	pid = fork();
	if (pid != 0) {
		saved = errno;
		(void)sigprocmask(SIG_SETMASK, &old, NULL);
		errno = saved;
	}
	return pid;
}
