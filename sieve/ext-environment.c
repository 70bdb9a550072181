/* ext-environment.c - the environment test (RFC 5183).
 *
 *   environment [COMPARATOR] [MATCH-TYPE] <name: string>
 *               <key-list: string-list>
 *
 * The items are the members of struct sieve_env the caller fills:
 * domain, host, location, name, phase, remote-host, remote-ip, version
 * (RFC 5183 4.1). An item that is unknown to us or not known for this
 * delivery (NULL) has no value: the test is false (RFC 5183 4: "the test
 * fails"), with :count it counts 0 values. Item names are matched
 * without regard to case. */
#include "auto-config.h"
#include "sieve/sieve-ext.h"

#include <stddef.h>
#include <string.h>
#include <strings.h>

struct env_item {
	const char *name;
	size_t off;		/* offset of the member in struct sieve_env */
};

static const struct env_item env_items[] = {
	{ "domain", offsetof(struct sieve_env, domain) },
	{ "host", offsetof(struct sieve_env, host) },
	{ "location", offsetof(struct sieve_env, location) },
	{ "name", offsetof(struct sieve_env, name) },
	{ "phase", offsetof(struct sieve_env, phase) },
	{ "remote-host", offsetof(struct sieve_env, remote_host) },
	{ "remote-ip", offsetof(struct sieve_env, remote_ip) },
	{ "version", offsetof(struct sieve_env, version) },
};

/* env_lookup - the value of item name[0, len) in env, or NULL */
static const char *env_lookup(const struct sieve_env *env, const char *name,
			      size_t len)
{
	size_t i;

	for (i = 0; i < sizeof(env_items) / sizeof(env_items[0]); i++) {
		const struct env_item *it = &env_items[i];

		if (strlen(it->name) == len &&
		    strncasecmp(it->name, name, len) == 0)
			return *(const char *const *)((const char *)env +
						      it->off);
	}
	return NULL;
}

/* environment_exec - match the item's value, if any, against the keys */
static int environment_exec(struct sieve_run *run,
			    const struct sieve_node *node)
{
	const struct sieve_env *env = sieve_run_env(run);
	struct sieve_match m;
	struct sieve_str name;
	const char *val;
	int ret = 0;

	if (sieve_run_arg_str(run, node->pos[0], &name) < 0 ||
	    sieve_match_begin(&m, run, node, node->pos[1]) < 0)
		return SIEVE_EXEC_ERROR;
	val = env_lookup(env, name.data, name.len);
	if (sieve_run_tracing(run))
		sieve_run_trace(run, node, "environment item \"%.*s\" = %s",
				(int)name.len, name.data,
				val != NULL ? val : "(unknown)");
	if (val != NULL)
		ret = sieve_match_value(&m, val, strlen(val));
	if (ret < 0)
		return SIEVE_EXEC_ERROR;
	return sieve_match_end(&m);
}

static const struct sieve_cmd_def tst_environment = {
	.name = "environment",
	.is_test = 1,
	.flags = SIEVE_CMD_F_MATCH,
	.min_pos = 2,
	.n_pos = 2,
	.pos = { SIEVE_T_STRING, SIEVE_T_STRLIST },
	.exec = environment_exec,
};

static const struct sieve_cmd_def *const environment_commands[] = {
	&tst_environment, NULL
};

const struct sieve_extension sieve_ext_environment = {
	.name = "environment",
	.commands = environment_commands,
};
