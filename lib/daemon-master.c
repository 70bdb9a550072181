/* daemon-master.c - the command line, start sequence and signals the
 * masters of sluice-lmtpd and sluice-auth share */
#include "auto-config.h"
#include "daemon.h"
#include "buf.h"
#include "config.h"
#include "listen.h"
#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <sysexits.h>
#include <unistd.h>

struct daemon_signals daemon_sig;
static int sig_pipe[2] = { -1, -1 };

static void daemon_usage(const char *prog)
{
	fprintf(stderr, "usage: %s [-F] [-c CONFIG] [-o KEY=VALUE]...\n",
		prog);
}

int daemon_parse_opts(const char *prog, int argc, char **argv,
		      struct daemon_opts *o)
{
	int c;

	memset(o, 0, sizeof(*o));
	while ((c = getopt(argc, argv, "Fc:o:")) != -1) {
		switch (c) {
		case 'F': o->foreground = 1; break;
		case 'c': o->config = optarg; break;
		case 'o':
			if (o->n_overrides == DAEMON_MAX_OVERRIDES) {
				fprintf(stderr, "%s: too many -o options\n",
					prog);
				return EX_USAGE;
			}
			o->overrides[o->n_overrides++] = optarg;
			break;
		default:
			daemon_usage(prog);
			return EX_USAGE;
		}
	}
	if (optind != argc) {
		daemon_usage(prog);
		return EX_USAGE;
	}
	if (o->config != NULL && o->config[0] != '/') {
		char *abs = realpath(o->config, NULL);

		if (abs != NULL)
			o->config = o->config_abs = abs;
	}
	return 0;
}

void daemon_opts_free(struct daemon_opts *o)
{
	free(o->config_abs);
	o->config_abs = NULL;
}

void daemon_open_log(const char *prog, const struct daemon_opts *o,
		     const struct config *cfg)
{
	if (o->foreground && strcmp(config_str(cfg, "log_path"), "syslog") == 0)
		log_open_stderr(prog);
	else
		log_open(prog, cfg);
}

static void on_signal(int sig)
{
	int e = errno;

	if (sig == SIGTERM || sig == SIGINT)
		daemon_sig.term = 1;
	else if (sig == SIGHUP)
		daemon_sig.hup = 1;
	else if (sig == SIGCHLD)
		daemon_sig.chld = 1;
	if (sig_pipe[1] >= 0 && write(sig_pipe[1], "s", 1) < 0)
		(void)0;	/* full: the master is awake anyway */
	errno = e;
}

void daemon_master_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_signal;
	sa.sa_flags = SA_RESTART;
	(void)sigaction(SIGTERM, &sa, NULL);
	(void)sigaction(SIGINT, &sa, NULL);
	(void)sigaction(SIGHUP, &sa, NULL);
	(void)sigaction(SIGCHLD, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	(void)sigaction(SIGPIPE, &sa, NULL);
	(void)sigaction(SIGUSR1, &sa, NULL);
}

int daemon_signal_fd(void)
{
	return sig_pipe[0];
}

void daemon_signal_drain(void)
{
	char drain[64];

	while (read(sig_pipe[0], drain, sizeof(drain)) > 0)
		;
}

void daemon_signal_close(void)
{
	if (sig_pipe[0] >= 0)
		(void)close(sig_pipe[0]);
	if (sig_pipe[1] >= 0)
		(void)close(sig_pipe[1]);
	sig_pipe[0] = sig_pipe[1] = -1;
}

void daemon_worker_exited(pid_t pid, int status, time_t started,
			  time_t *throttle_until)
{
	if (!WIFSIGNALED(status) &&
	    !(WIFEXITED(status) && WEXITSTATUS(status) != 0))
		return;
	log_warning("worker %ld %s %d", (long)pid,
		    WIFSIGNALED(status) ? "killed by signal" : "exited with status",
		    WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
	if (time(NULL) - started < DAEMON_RESPAWN_THROTTLE_SECS + 1)
		*throttle_until = time(NULL) + DAEMON_RESPAWN_THROTTLE_SECS;
}

void daemon_worker_signals(void (*on_term)(int), void (*on_retire)(int),
			   sigset_t *wait_mask)
{
	struct sigaction sa;
	sigset_t stop;

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_term;
	(void)sigaction(SIGTERM, &sa, NULL);
	(void)sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = on_retire;
	(void)sigaction(SIGUSR1, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	(void)sigaction(SIGHUP, &sa, NULL);
	(void)sigaction(SIGPIPE, &sa, NULL);
	(void)sigaction(SIGXFSZ, &sa, NULL);
	sa.sa_handler = SIG_DFL;
	(void)sigaction(SIGCHLD, &sa, NULL);
	sigemptyset(&stop);
	sigaddset(&stop, SIGTERM);
	sigaddset(&stop, SIGINT);
	sigaddset(&stop, SIGUSR1);
	(void)sigprocmask(SIG_BLOCK, &stop, wait_mask);
	sigdelset(wait_mask, SIGTERM);
	sigdelset(wait_mask, SIGINT);
	sigdelset(wait_mask, SIGUSR1);
}

/* start_fail - say why on stderr (and in the log once it is open) */
static int start_fail(const struct daemon_start *ds, int logged, int code,
		      const char *text)
{
	fprintf(stderr, "%s: %s\n", ds->prog, text);
	if (logged)
		log_error("%s", text);
	return code;
}

int daemon_start(const struct daemon_start *ds, const struct daemon_opts *o,
		 struct config **cfg_r, struct pidfile *pf,
		 struct listeners *ls, int *ready_fd)
{
	char key[64];
	struct sl_err err;

	err_clear(&err);
	if (config_open(cfg_r, o->config, o->overrides, o->n_overrides,
			&err) < 0 ||
	    (ds->check != NULL && ds->check(ds->ctx, *cfg_r, &err) < 0))
		return start_fail(ds, 0, err.cls == ERR_TEMP ? EX_TEMPFAIL
				  : EX_CONFIG, err.text);
	daemon_open_log(ds->prog, o, *cfg_r);
	(void)snprintf(key, sizeof(key), "%s_pid_file", ds->prefix);
	if (pidfile_lock(pf, config_str(*cfg_r, key), ds->prog, &err) < 0)
		return start_fail(ds, 1, EX_TEMPFAIL, err.text);
	if (listeners_open(*cfg_r, ds->prefix, ls, &err) < 0)
		return start_fail(ds, 1, err.cls == ERR_USAGE ? EX_CONFIG
				  : EX_TEMPFAIL, err.text);
	if (ds->prepare != NULL && ds->prepare(ds->ctx, *cfg_r, &err) < 0)
		return start_fail(ds, 1, EX_OSERR, err.text);
	if (!o->foreground && daemonize(ready_fd) < 0) {
		err_set_errno(&err, errno, "cannot go into the background");
		return start_fail(ds, 1, EX_OSERR, err.text);
	}
	if (pidfile_write(pf, &err) < 0) {
		log_error("%s", err.text);
		return EX_TEMPFAIL;
	}
	if (pipe2(sig_pipe, O_CLOEXEC | O_NONBLOCK) < 0) {
		log_error("pipe: %s", strerror(errno));
		return EX_OSERR;
	}
	return 0;
}

void daemon_log_started(const struct listeners *ls)
{
	struct buf names = BUF_INIT;
	size_t i;

	for (i = 0; i < ls->count; i++)
		buf_printf(&names, "%s%s", i > 0 ? ", " : "", ls->v[i].name);
	log_info("started, pid %ld, listening on %s", (long)getpid(),
		 buf_cstr(&names));
	buf_free(&names);
}
