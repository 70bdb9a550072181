/* config-keys.c - every sluice.conf key, its type and its default.
 *
 * Keep this table and man/sluice.conf.5 in step: a key added here is
 * documented there in the same change.
 */
#include "auto-config.h"
#include "config.h"

#include <stddef.h>

const struct config_key config_keys[] = {
	/* users and mailboxes */
	{ "userdb", CFG_LIST, "system", NULL,
	  "user databases tried in order: system, passwd-file:PATH, bdb:PATH, static:ARGS" },
	{ "mail_location", CFG_STRING, "maildir:~/Maildir", NULL,
	  "where mail is stored: maildir:PATH or mbox:PATH[:INBOX=PATH], %u %n %d %h expand" },
	{ "recipient_delimiter", CFG_STRING, "+", NULL,
	  "characters that separate user and detail (user+detail); empty: none" },
	{ "username_lowercase", CFG_BOOL, "yes", NULL,
	  "look users up with the local part lowercased" },
	{ "first_valid_uid", CFG_UINT, "500", NULL,
	  "lowest uid mail is delivered as" },
	{ "mail_uid", CFG_STRING, "", NULL,
	  "uid (name or number) for users the userdb gives none" },
	{ "mail_gid", CFG_STRING, "", NULL,
	  "gid (name or number) for users the userdb gives none" },
	{ "mailbox_autocreate", CFG_BOOL, "no", NULL,
	  "create a missing folder named with -m instead of delivering to INBOX" },
	{ "hostname", CFG_STRING, "", NULL,
	  "host name used in Maildir file names (default: the system's)" },

	/* messages */
	{ "temp_dir", CFG_STRING, "/tmp", NULL,
	  "where messages larger than spool_memory_max are spooled" },
	{ "spool_memory_max", CFG_SIZE, "1M", NULL,
	  "largest message kept in memory while it is delivered" },
	{ "message_max_line_length", CFG_SIZE, "1M", NULL,
	  "longest line the parser examines; longer lines are stored untouched" },
	{ "message_max_header_fields", CFG_UINT, "10000", NULL,
	  "header fields parsed per entity; more are stored untouched" },
	{ "message_max_field_size", CFG_SIZE, "1M", NULL,
	  "largest unfolded header field the parser keeps" },
	{ "message_max_mime_depth", CFG_UINT, "32", NULL,
	  "deepest MIME nesting parsed; deeper parts are treated as opaque" },
	{ "message_max_mime_parts", CFG_UINT, "10000", NULL,
	  "most MIME parts parsed per message" },

	/* mbox */
	{ "mbox_lock", CFG_LIST, "fcntl, dotlock", NULL,
	  "mbox locks taken in order: fcntl, flock, dotlock" },
	{ "mbox_lock_timeout", CFG_TIME, "30s", NULL,
	  "how long to wait for an mbox lock before a temporary failure" },
	{ "mbox_dotlock_stale", CFG_TIME, "5m", NULL,
	  "a dotlock older than this is considered stale and removed" },

	/* Sieve at delivery (names as Pigeonhole's) */
	{ "sieve", CFG_STRING, "~/.dovecot.sieve", NULL,
	  "the user's active Sieve script when the userdb names none; empty: no user scripts" },
	{ "sieve_before", CFG_LIST, "", NULL,
	  "global Sieve scripts run before the user's, in order" },
	{ "sieve_after", CFG_LIST, "", NULL,
	  "global Sieve scripts run after the user's (unless it ran stop), in order" },
	{ "sieve_autocreate", CFG_BOOL, "no", NULL,
	  "fileinto creates a missing folder even without :create" },
	{ "sieve_tracking_db", CFG_STRING, "~/.sluice.tracking.db", NULL,
	  "per-user database of vacation replies sent and duplicate ids seen" },
	{ "sendmail_path", CFG_STRING, "/usr/sbin/sendmail", NULL,
	  "program that sends redirects, vacation replies and rejects" },
	{ "postmaster_address", CFG_STRING, "", NULL,
	  "From address of rejection notices (default: postmaster@ the recipient's domain)" },

	/* logging */
	{ "log_path", CFG_STRING, "syslog", NULL,
	  "syslog, stderr, or a file to append log lines to" },
	{ "syslog_facility", CFG_ENUM, "mail", "mail local0 local1 local2 local3 local4 local5 local6 local7 user daemon",
	  "syslog facility" },
	{ "log_debug", CFG_BOOL, "no", NULL,
	  "log debugging detail" },

	{ NULL, CFG_STRING, NULL, NULL, NULL }
};
