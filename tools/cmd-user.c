/* cmd-user.c - `sluice user lookup` and `sluice userdb build` */
#include "auto-config.h"
#include "tools.h"
#include "lib/store.h"
#include "lib/userdb.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* print_user - the record, and the store a delivery would use */
static void print_user(const struct user_record *u,
		       const struct store_location *loc, const char *locerr,
		       int json)
{
	const char *mail = loc != NULL ? loc->root : NULL;
	size_t i;

	if (!json) {
		printf("user        %s\n", u->user);
		printf("source      %s\n", u->source);
		if (u->detail != NULL)
			printf("detail      %s\n", u->detail);
		if (u->has_uid)
			printf("uid         %lu\n", (unsigned long)u->uid);
		if (u->has_gid)
			printf("gid         %lu\n", (unsigned long)u->gid);
		printf("home        %s\n", u->home != NULL ? u->home : "");
		if (loc != NULL) {
			printf("store       %s\n", loc->driver);
			printf("mail        %s\n", mail);
			if (loc->inbox != NULL)
				printf("inbox       %s\n", loc->inbox);
		} else {
			printf("mail        (error: %s)\n", locerr);
		}
		if (u->quota_rule != NULL)
			printf("quota_rule  %s\n", u->quota_rule);
		if (u->sieve != NULL)
			printf("sieve       %s\n", u->sieve);
		for (i = 0; i < u->n_fields; i++)
			printf("field       %s=%s\n", u->fields[i].key,
			       u->fields[i].value);
		return;
	}
	printf("{\"user\":");
	json_string(stdout, u->user);
	printf(",\"source\":");
	json_string(stdout, u->source);
	printf(",\"localpart\":");
	json_string(stdout, u->localpart != NULL ? u->localpart : "");
	printf(",\"domain\":");
	if (u->domain != NULL) json_string(stdout, u->domain); else printf("null");
	printf(",\"detail\":");
	if (u->detail != NULL) json_string(stdout, u->detail); else printf("null");
	if (u->has_uid) printf(",\"uid\":%lu", (unsigned long)u->uid);
	else printf(",\"uid\":null");
	if (u->has_gid) printf(",\"gid\":%lu", (unsigned long)u->gid);
	else printf(",\"gid\":null");
	printf(",\"home\":");
	if (u->home != NULL) json_string(stdout, u->home); else printf("null");
	if (loc != NULL) {
		printf(",\"store\":");
		json_string(stdout, loc->driver);
		printf(",\"mail\":");
		json_string(stdout, mail);
		printf(",\"inbox\":");
		if (loc->inbox != NULL) json_string(stdout, loc->inbox); else printf("null");
	} else {
		printf(",\"mail_error\":");
		json_string(stdout, locerr);
	}
	printf(",\"quota_rule\":");
	if (u->quota_rule != NULL) json_string(stdout, u->quota_rule); else printf("null");
	printf(",\"sieve\":");
	if (u->sieve != NULL) json_string(stdout, u->sieve); else printf("null");
	/* a list, not an object: a key may come twice (sieve=, userdb_sieve=) */
	printf(",\"fields\":[");
	for (i = 0; i < u->n_fields; i++) {
		printf("%s{\"key\":", i > 0 ? "," : "");
		json_string(stdout, u->fields[i].key);
		printf(",\"value\":");
		json_string(stdout, u->fields[i].value);
		putchar('}');
	}
	printf("]}\n");
}

/* user_lookup - exit 0 found, 1 not found (67-like), 75 temporary */
static int user_lookup(struct tool_ctx *ctx, const char *name, int json)
{
	struct userdb *db = NULL;
	struct pool *pool = pool_new(4096);
	struct user_record *u = NULL;
	struct store_location loc;
	struct sl_err err;
	int ret = TOOL_OK;

	err_clear(&err);
	if (userdb_open(&db, ctx->cfg, &err) < 0) {
		fprintf(stderr, "sluice: userdb: %s\n", err.text);
		pool_free(&pool);
		return TOOL_USAGE;
	}
	switch (userdb_lookup(db, pool, name, &u, &err)) {
	case USERDB_FOUND: {
		const char *spec = u->mail != NULL ? u->mail
			: config_str(ctx->cfg, "mail_location");

		if (mail_location_expand(pool, spec, u, &loc, &err) < 0)
			print_user(u, NULL, err.text, json);
		else
			print_user(u, &loc, NULL, json);
		break;
	}
	case USERDB_NOTFOUND:
		fprintf(stderr, "sluice: no such user: %s\n", name);
		ret = TOOL_FAIL;
		break;
	case USERDB_TEMPFAIL:
		fprintf(stderr, "sluice: lookup failed (temporary): %s\n",
			err.text);
		ret = TOOL_TEMP;
		break;
	}
	userdb_close(&db);
	pool_free(&pool);
	return ret;
}

int cmd_user(struct tool_ctx *ctx, int argc, char **argv)
{
	int json = 0, i;
	const char *name = NULL;

	if (argc < 2 || strcmp(argv[1], "lookup") != 0)
		goto usage;
	for (i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			json = 1;
		else if (name == NULL)
			name = argv[i];
		else
			goto usage;
	}
	if (name == NULL)
		goto usage;
	return user_lookup(ctx, name, json);
usage:
	fprintf(stderr, "usage: sluice user lookup [--json] USER\n");
	return TOOL_USAGE;
}

int cmd_userdb(struct tool_ctx *ctx, int argc, char **argv)
{
	struct sl_err err;
	char *dbpath = NULL;
	int ret;

	(void)ctx;
	if (argc < 3 || argc > 4 || strcmp(argv[1], "build") != 0) {
		fprintf(stderr, "usage: sluice userdb build FILE [DBFILE]\n"
			"  DBFILE defaults to FILE.db\n");
		return TOOL_USAGE;
	}
	if (argc == 4) {
		dbpath = strdup(argv[3]);
	} else if (asprintf(&dbpath, "%s.db", argv[2]) < 0) {
		dbpath = NULL;
	}
	if (dbpath == NULL)
		return TOOL_TEMP;
	err_clear(&err);
	ret = userdb_build(argv[2], dbpath, &err);
	if (ret < 0)
		fprintf(stderr, "sluice: userdb build: %s\n", err.text);
	free(dbpath);
	return ret < 0 ? (err.cls == ERR_TEMP ? TOOL_TEMP : TOOL_FAIL) : TOOL_OK;
}
