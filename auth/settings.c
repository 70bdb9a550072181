/* settings.c - sluice-auth's keys of sluice.conf, read once per worker */
#include "auto-config.h"
#include "auth.h"

#include "lib/config.h"
#include "lib/xalloc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

static const struct {
	const char *name;
	enum auth_mech mech;
} auth_mech_names[] = {
	{ "PLAIN", AUTH_MECH_PLAIN },
	{ "LOGIN", AUTH_MECH_LOGIN },
	{ "CRAM-MD5", AUTH_MECH_CRAM_MD5 },
};

const char *auth_mech_name(enum auth_mech mech)
{
	size_t i;

	for (i = 0; i < sizeof(auth_mech_names) / sizeof(auth_mech_names[0]); i++) {
		if (auth_mech_names[i].mech == mech)
			return auth_mech_names[i].name;
	}
	return "?";
}

/* parse_mechs - "plain login" (blanks or commas, any case) to bits */
static int parse_mechs(const char *value, unsigned *mechs_r,
		       struct sl_err *err)
{
	char *copy = xstrdup(value), *save = NULL, *word;
	size_t i, n = sizeof(auth_mech_names) / sizeof(auth_mech_names[0]);
	int ret = 0;

	*mechs_r = 0;
	for (word = strtok_r(copy, " \t,", &save); word != NULL && ret == 0;
	     word = strtok_r(NULL, " \t,", &save)) {
		for (i = 0; i < n; i++) {
			if (strcasecmp(word, auth_mech_names[i].name) == 0)
				break;
		}
		if (i == n)
			ret = err_set(err, ERR_USAGE, "auth_mechanisms: unknown "
				      "mechanism %s (sluice-auth has PLAIN, "
				      "LOGIN and CRAM-MD5)", word);
		else
			*mechs_r |= auth_mech_names[i].mech;
	}
	free(copy);
	if (ret == 0 && *mechs_r == 0)
		ret = err_set(err, ERR_USAGE, "auth_mechanisms is empty");
	return ret;
}

int auth_settings_read(struct auth_settings *set, const struct config *cfg,
		       struct sl_err *err)
{
	const char *chars = config_str(cfg, "auth_username_chars");
	const char *host = config_str(cfg, "hostname");
	uint64_t max = config_uint(cfg, "auth_max_failures");
	char name[256];

	memset(set, 0, sizeof(*set));
	if (parse_mechs(config_str(cfg, "auth_mechanisms"), &set->mechs,
			err) < 0)
		return -1;
	set->failure_delay_ms = config_time(cfg, "auth_failure_delay") * 1000;
	set->max_failures = max > 1000000 ? 1000000 : (unsigned)max;
	set->block_ms = config_time(cfg, "auth_block_time") * 1000;
	set->plaintext_disabled = config_bool(cfg, "auth_disable_plaintext_auth");
	set->username_chars_any = *chars == '\0';
	for (; *chars != '\0'; chars++)
		set->username_chars[(unsigned char)*chars] = 1;
	set->default_realm = xstrdup(config_str(cfg, "auth_default_realm"));
	if (*host == '\0') {
		if (gethostname(name, sizeof(name)) < 0)
			(void)snprintf(name, sizeof(name), "localhost");
		name[sizeof(name) - 1] = '\0';
		host = name;
	}
	set->hostname = xstrdup(host);
	return 0;
}

void auth_settings_free(struct auth_settings *set)
{
	x_free(&set->default_realm);
	x_free(&set->hostname);
}
