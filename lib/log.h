/* log - one logging path for every program.
 *
 * Lines go to syslog (facility from syslog_facility), stderr, or a file,
 * as log_path says. Delivery lines are key=value (see core/). Never log
 * passwords or message bodies.
 */
#ifndef SLUICE_LOG_H
#define SLUICE_LOG_H

struct config;

enum log_level { LOG_LEVEL_DEBUG, LOG_LEVEL_INFO, LOG_LEVEL_WARNING,
		 LOG_LEVEL_ERROR };

/* log_open - start logging as ident per cfg (NULL cfg: stderr). */
void log_open(const char *ident, const struct config *cfg);
/* log_open_stderr - log to stderr regardless of the config (-F). */
void log_open_stderr(const char *ident);
void log_close(void);
/* log_session_id - a new short unique id for one session/delivery,
 * written to buf (at least 16 bytes). */
const char *log_session_id(char *buf, unsigned long size);

void log_msg(enum log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
#define log_debug(...) log_msg(LOG_LEVEL_DEBUG, __VA_ARGS__)
#define log_info(...) log_msg(LOG_LEVEL_INFO, __VA_ARGS__)
#define log_warning(...) log_msg(LOG_LEVEL_WARNING, __VA_ARGS__)
#define log_error(...) log_msg(LOG_LEVEL_ERROR, __VA_ARGS__)

/* log_quote - append value to buf for a key=value line: bare if it has
 * no blanks, quotes or control characters, else in double quotes with
 * \" \\ and \xNN escapes. */
struct buf;
void log_quote(struct buf *buf, const char *value);

#endif
