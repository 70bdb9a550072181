/* ext-envelope.c - the envelope test (RFC 5228 5.4).
 *
 *   envelope [COMPARATOR] [ADDRESS-PART] [MATCH-TYPE]
 *            <envelope-part: string-list> <key-list: string-list>
 *
 * An example of a test: the signature declares the two string lists and
 * that the test takes a comparator, match type and address part; the
 * core resolves them into node->cmp/match/addrpart. Envelope parts are
 * "from" and "to" (RFC 5228), plus "auth" as Pigeonhole has it. "to" is
 * the original recipient when known, as Pigeonhole's sieve-test does. The
 * null reverse path matches as "" whatever the address part (5.4). */
#include "auto-config.h"
#include "sieve/sieve-ext.h"

#include <string.h>
#include <strings.h>

enum env_part { ENV_NONE, ENV_FROM, ENV_TO, ENV_AUTH };

/* env_part_of - the part named by s (case-insensitive) */
static enum env_part env_part_of(const char *s, size_t len)
{
	if (len == 4 && strncasecmp(s, "from", 4) == 0)
		return ENV_FROM;
	if (len == 2 && strncasecmp(s, "to", 2) == 0)
		return ENV_TO;
	if (len == 4 && strncasecmp(s, "auth", 4) == 0)
		return ENV_AUTH;
	return ENV_NONE;
}

/* envelope_validate - constant envelope parts must be known ones */
static int envelope_validate(struct sieve_valctx *v, struct sieve_node *node)
{
	const struct sieve_arg *parts = node->pos[0];
	size_t i;
	int ret = 0;

	for (i = 0; i < parts->n_strs; i++) {
		const struct sieve_string *s = &parts->strs[i];

		if (sieve_string_is_constant(s) &&
		    env_part_of(s->data, s->len) == ENV_NONE) {
			sieve_valctx_error(v, s->line, s->col,
					   "specified envelope part '%s' is "
					   "not supported by the envelope test",
					   s->data);
			ret = -1;
		}
	}
	return ret;
}

/* envelope_value - the address of part, or NULL when unknown */
static const char *envelope_value(struct sieve_run *run, enum env_part part)
{
	const struct sieve_message *msg = sieve_run_message(run);

	switch (part) {
	case ENV_FROM:
		return msg->env_from;
	case ENV_TO:
		return msg->orig_to != NULL ? msg->orig_to : msg->env_to;
	case ENV_AUTH:
		return msg->auth;
	default:
		return NULL;
	}
}

/* envelope_match_part - feed the value of one envelope part to m */
static int envelope_match_part(struct sieve_run *run,
			       const struct sieve_node *node,
			       struct sieve_match *m, enum env_part part)
{
	const char *addr = envelope_value(run, part);
	const struct address *a;
	struct sieve_str v;

	if (addr == NULL)
		return 0;
	if (part == ENV_FROM && *addr == '\0')
		return sieve_match_value(m, "", 0);
	a = sieve_run_parse_address(run, addr);
	if (a == NULL || sieve_addrpart_get(run, node, a, &v) <= 0)
		return 0;
	return sieve_match_value(m, v.data, v.len);
}

/* envelope_exec - match every named part's address against the keys */
static int envelope_exec(struct sieve_run *run, const struct sieve_node *node)
{
	struct sieve_match m;
	struct sieve_str *parts;
	size_t n, i;
	int ret = 0;

	if (sieve_run_arg_list(run, node->pos[0], &parts, &n) < 0 ||
	    sieve_match_begin(&m, run, node, node->pos[1]) < 0)
		return SIEVE_EXEC_ERROR;
	for (i = 0; i < n && ret == 0; i++)
		ret = envelope_match_part(run, node, &m,
					  env_part_of(parts[i].data,
						      parts[i].len));
	if (ret < 0)
		return SIEVE_EXEC_ERROR;
	return sieve_match_end(&m);
}

static const struct sieve_cmd_def tst_envelope = {
	.name = "envelope",
	.is_test = 1,
	.flags = SIEVE_CMD_F_MATCH | SIEVE_CMD_F_ADDRPART,
	.min_pos = 2,
	.n_pos = 2,
	.pos = { SIEVE_T_STRLIST, SIEVE_T_STRLIST },
	.pos_names = { "envelope part", "key list" },
	.validate = envelope_validate,
	.exec = envelope_exec,
};

static const struct sieve_cmd_def *const envelope_commands[] = {
	&tst_envelope, NULL
};

const struct sieve_extension sieve_ext_envelope = {
	.name = "envelope",
	.commands = envelope_commands,
};
