/* test-config.c - sluice.conf parsing, values, errors and dump */
#include "auto-config.h"
#include "t/tap.h"
#include "lib/config.h"

#include <stdlib.h>
#include <unistd.h>

static char tmpdir[] = "/tmp/sluice-test-config.XXXXXX";

static const char *write_conf(const char *name, const char *text)
{
	static char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", tmpdir, name);
	f = fopen(path, "w");
	fputs(text, f);
	fclose(f);
	return path;
}

static void test_values(void)
{
	uint64_t v;
	int b;

	ok(config_parse_size("10M", &v) == 0 && v == 10 * 1024 * 1024, "size 10M");
	ok(config_parse_size("1g", &v) == 0 && v == 1024ULL * 1024 * 1024, "size 1g");
	ok(config_parse_size("512", &v) == 0 && v == 512, "size bytes");
	ok(config_parse_size("12Q", &v) < 0, "bad size suffix refused");
	ok(config_parse_size("", &v) < 0, "empty size refused");
	ok(config_parse_size("99999999999999999999999", &v) < 0, "overflow refused");
	ok(config_parse_time("5m", &v) == 0 && v == 300, "time 5m");
	ok(config_parse_time("2h", &v) == 0 && v == 7200, "time 2h");
	ok(config_parse_time("30", &v) == 0 && v == 30, "time seconds");
	ok(config_parse_bool("Yes", &b) == 0 && b == 1, "bool Yes");
	ok(config_parse_bool("off", &b) == 0 && b == 0, "bool off");
	ok(config_parse_bool("maybe", &b) < 0, "bool maybe refused");
}

static void test_file(void)
{
	struct config *cfg;
	struct sl_err err;
	const char *path;
	char *ov[] = { (char *)"log_debug=yes", (char *)"recipient_delimiter = -" };

	err_clear(&err);
	path = write_conf("good.conf",
			  "# comment\n\n  mail_location = mbox:~/mail:INBOX=/var/mail/%u\n"
			  "spool_memory_max=2M\n\tusername_lowercase = no  \n");
	ok(config_open(&cfg, path, ov, 2, &err) == 0, "good config loads");
	is_str(config_str(cfg, "mail_location"), "mbox:~/mail:INBOX=/var/mail/%u",
	       "value with = and : kept");
	is_int(config_size(cfg, "spool_memory_max"), 2 * 1024 * 1024, "size key");
	is_int(config_bool(cfg, "username_lowercase"), 0, "bool key, blanks trimmed");
	is_int(config_bool(cfg, "log_debug"), 1, "-o override applied");
	is_str(config_str(cfg, "recipient_delimiter"), " -", "override value as written after =");
	is_str(config_str(cfg, "userdb"), "system", "default kept");
	is_str(config_path(cfg), path, "path remembered");
	{
		char dump[4096];
		FILE *f = fmemopen(dump, sizeof(dump), "w");

		config_dump(cfg, f, 1);
		fclose(f);
		ok(strstr(dump, "spool_memory_max = 2M\n") != NULL &&
		   strstr(dump, "userdb") == NULL, "dump -n shows only changed keys");
	}
	config_free(&cfg);

	path = write_conf("unknown.conf", "userdb = system\nbogus_key = 1\n");
	ok(config_open(&cfg, path, NULL, 0, &err) < 0, "unknown key refused");
	ok(strstr(err.text, "unknown.conf:2") != NULL && strstr(err.text, "bogus_key") != NULL,
	   "error names file, line and key: %s", err.text);

	path = write_conf("badval.conf", "\nspool_memory_max = lots\n");
	ok(config_open(&cfg, path, NULL, 0, &err) < 0, "bad value refused");
	ok(strstr(err.text, "badval.conf:2") != NULL && strstr(err.text, "spool_memory_max") != NULL &&
	   strstr(err.text, "lots") != NULL, "bad value error names file, line, key, value: %s", err.text);

	path = write_conf("noeq.conf", "userdb system\n");
	ok(config_open(&cfg, path, NULL, 0, &err) < 0 && strstr(err.text, "noeq.conf:1") != NULL,
	   "line without = refused with location");

	path = write_conf("enum.conf", "syslog_facility = kernel\n");
	ok(config_open(&cfg, path, NULL, 0, &err) < 0, "bad enum value refused");

	ok(config_open(&cfg, "/nonexistent/sluice.conf", NULL, 0, &err) < 0,
	   "missing explicit config is an error");
	{
		char *bad[] = { (char *)"novalue" };

		ok(config_open(&cfg, NULL, bad, 1, &err) < 0 && strstr(err.text, "KEY=VALUE"),
		   "-o without = refused");
	}
	setenv("SLUICE_CONFIG", write_conf("env.conf", "temp_dir = /var/tmp\n"), 1);
	ok(config_open(&cfg, NULL, NULL, 0, &err) == 0 &&
	   strcmp(config_str(cfg, "temp_dir"), "/var/tmp") == 0, "SLUICE_CONFIG used");
	config_free(&cfg);
	unsetenv("SLUICE_CONFIG");
}

static void test_long_line(void)
{
	struct config *cfg;
	struct sl_err err;
	char *text = malloc(20000);
	const char *path;

	memcpy(text, "temp_dir = ", 11);
	memset(text + 11, 'x', 19000);
	strcpy(text + 19011, "\n");
	path = write_conf("long.conf", text);
	ok(config_open(&cfg, path, NULL, 0, &err) < 0 && strstr(err.text, "longer"),
	   "overlong line is an error, not a cut: %s", err.text);
	free(text);
}

int main(void)
{
	if (mkdtemp(tmpdir) == NULL)
		return 1;
	test_values();
	test_file();
	test_long_line();
	{
		char cmd[300];

		snprintf(cmd, sizeof(cmd), "rm -rf %s", tmpdir);
		if (system(cmd) != 0)
			diag("cleanup failed");
	}
	return done_testing();
}
