/* log.c - syslog, stderr or file logging */
#include "auto-config.h"
#include "log.h"
#include "buf.h"
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

enum log_target { LOG_TO_STDERR, LOG_TO_SYSLOG, LOG_TO_FILE };

static enum log_target log_target = LOG_TO_STDERR;
static int log_fd = 2;
static int log_want_debug;
static char log_ident[64] = "sluice";

static int log_facility(const char *name)
{
	static const struct { const char *name; int fac; } facs[] = {
		{ "mail", LOG_MAIL }, { "user", LOG_USER },
		{ "daemon", LOG_DAEMON }, { "local0", LOG_LOCAL0 },
		{ "local1", LOG_LOCAL1 }, { "local2", LOG_LOCAL2 },
		{ "local3", LOG_LOCAL3 }, { "local4", LOG_LOCAL4 },
		{ "local5", LOG_LOCAL5 }, { "local6", LOG_LOCAL6 },
		{ "local7", LOG_LOCAL7 },
	};
	size_t i;

	for (i = 0; i < sizeof(facs) / sizeof(facs[0]); i++) {
		if (strcmp(facs[i].name, name) == 0)
			return facs[i].fac;
	}
	return LOG_MAIL;
}

void log_open_stderr(const char *ident)
{
	(void)snprintf(log_ident, sizeof(log_ident), "%s", ident);
	log_close();
	log_target = LOG_TO_STDERR;
	log_fd = 2;
}

void log_open(const char *ident, const struct config *cfg)
{
	const char *path;

	log_open_stderr(ident);
	if (cfg == NULL)
		return;
	log_want_debug = config_bool(cfg, "log_debug");
	path = config_str(cfg, "log_path");
	if (strcmp(path, "stderr") == 0) {
		return;
	} else if (strcmp(path, "syslog") == 0) {
		openlog(log_ident, LOG_PID | LOG_NDELAY,
			log_facility(config_str(cfg, "syslog_facility")));
		log_target = LOG_TO_SYSLOG;
	} else {
		int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC,
			      0640);

		if (fd < 0) {
			log_error("cannot open log_path %s: %s; logging to stderr",
				  path, strerror(errno));
			return;
		}
		log_fd = fd;
		log_target = LOG_TO_FILE;
	}
}

void log_close(void)
{
	if (log_target == LOG_TO_SYSLOG)
		closelog();
	else if (log_target == LOG_TO_FILE && log_fd > 2)
		close(log_fd);
	log_target = LOG_TO_STDERR;
	log_fd = 2;
}

const char *log_session_id(char *buf, unsigned long size)
{
	static const char alphabet[] = "0123456789ABCDEFGHJKLMNPQRSTVWXYZ";
	static unsigned counter;
	struct timeval tv;
	unsigned long long v;
	unsigned long i = 0;

	gettimeofday(&tv, NULL);
	v = ((unsigned long long)tv.tv_sec << 20 | (unsigned long long)tv.tv_usec)
	    ^ ((unsigned long long)getpid() << 40) ^ (counter++ * 0x9e3779b9ULL);
	while (i + 1 < size && i < 13) {
		buf[i++] = alphabet[v % 33];
		v /= 33;
	}
	buf[i] = '\0';
	return buf;
}

static const char *level_name(enum log_level level)
{
	switch (level) {
	case LOG_LEVEL_DEBUG: return "debug: ";
	case LOG_LEVEL_INFO: return "";
	case LOG_LEVEL_WARNING: return "warning: ";
	case LOG_LEVEL_ERROR: return "error: ";
	}
	return "";
}

static int level_priority(enum log_level level)
{
	switch (level) {
	case LOG_LEVEL_DEBUG: return LOG_DEBUG;
	case LOG_LEVEL_INFO: return LOG_INFO;
	case LOG_LEVEL_WARNING: return LOG_WARNING;
	case LOG_LEVEL_ERROR: return LOG_ERR;
	}
	return LOG_INFO;
}

void log_msg(enum log_level level, const char *fmt, ...)
{
	struct buf line = BUF_INIT;
	va_list ap;
	int saved_errno = errno;

	if (level == LOG_LEVEL_DEBUG && !log_want_debug)
		return;
	if (log_target == LOG_TO_FILE) {
		char stamp[32];
		time_t now = time(NULL);
		struct tm tm;

		localtime_r(&now, &tm);
		strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);
		buf_printf(&line, "%s %s[%ld]: ", stamp, log_ident,
			   (long)getpid());
	} else if (log_target == LOG_TO_STDERR) {
		buf_printf(&line, "%s: ", log_ident);
	}
	buf_append_str(&line, level_name(level));
	va_start(ap, fmt);
	buf_vprintf(&line, fmt, ap);
	va_end(ap);
	if (log_target == LOG_TO_SYSLOG) {
		syslog(level_priority(level), "%s", line.data);
	} else {
		buf_append_char(&line, '\n');
		/* one write per line so concurrent writers don't interleave */
		if (write(log_fd, line.data, line.len) < 0) {
			/* nowhere left to report a logging failure */
		}
	}
	buf_free(&line);
	errno = saved_errno;
}

void log_quote(struct buf *buf, const char *value)
{
	const unsigned char *p;
	int plain = *value != '\0';

	for (p = (const unsigned char *)value; *p != '\0' && plain; p++) {
		if (*p <= ' ' || *p == '"' || *p == '\\' || *p == '=' ||
		    *p == 0x7f)
			plain = 0;
	}
	if (plain) {
		buf_append_str(buf, value);
		return;
	}
	buf_append_char(buf, '"');
	for (p = (const unsigned char *)value; *p != '\0'; p++) {
		if (*p == '"' || *p == '\\') {
			buf_append_char(buf, '\\');
			buf_append_char(buf, (char)*p);
		} else if (*p < ' ' || *p == 0x7f) {
			buf_printf(buf, "\\x%02x", *p);
		} else {
			buf_append_char(buf, (char)*p);
		}
	}
	buf_append_char(buf, '"');
}
