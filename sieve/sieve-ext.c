/* sieve-ext.c - the registry of extensions and the engine */
#include "auto-config.h"
#include "sieve/sieve-private.h"

#include "lib/buf.h"
#include "lib/config.h"
#include "lib/xalloc.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

const struct sieve_extension *const sieve_ext_all[] = {
#define SIEVE_EXT(id) &sieve_ext_##id,
#include "sieve/sieve-ext-list.h"
#undef SIEVE_EXT
	NULL
};

int sieve_extension_index(const struct sieve_extension *ext)
{
	int i;

	for (i = 0; i < SIEVE_EXT_COUNT; i++) {
		if (sieve_ext_all[i] == ext)
			return i;
	}
	return -1;
}

const struct sieve_extension *sieve_extension_lookup(const char *name)
{
	int i;

	for (i = 1; i < SIEVE_EXT_COUNT; i++) {	/* 0 is the core */
		if (strcmp(sieve_ext_all[i]->name, name) == 0)
			return sieve_ext_all[i];
	}
	return NULL;
}

const struct sieve_extension *sieve_ext_find(const struct sieve_engine *e,
					     const char *name)
{
	const struct sieve_extension *ext = sieve_extension_lookup(name);

	if (ext == NULL || !e->enabled[sieve_extension_index(ext)])
		return NULL;
	return ext;
}

/* engine_apply - Pigeonhole's sieve_extensions syntax: names without
 * +/- replace the set, "+x" adds, "-x" removes; unknown names are
 * ignored (as Pigeonhole does, with a warning there) */
static void engine_apply(struct sieve_engine *e, const char *list)
{
	const char *p = list;
	int replaced = 0;

	while (*p != '\0') {
		const struct sieve_extension *ext;
		char name[128];
		size_t n = strcspn(p, " \t,");
		int op = 0, i;

		if (n == 0) {
			p++;
			continue;
		}
		if (*p == '+' || *p == '-') {
			op = *p;
			p++;
			n--;
		}
		if (n > 0 && n < sizeof(name)) {
			memcpy(name, p, n);
			name[n] = '\0';
			ext = sieve_extension_lookup(name);
			i = ext != NULL ? sieve_extension_index(ext) : -1;
			if (op == 0 && !replaced) {
				int j;

				for (j = 1; j < SIEVE_EXT_COUNT; j++) {
					if (!(sieve_ext_all[j]->flags &
					      SIEVE_EXT_F_IMPLICIT))
						e->enabled[j] = 0;
				}
				replaced = 1;
			}
			if (i > 0)
				e->enabled[i] = op != '-';
		}
		p += n;
	}
}

size_t sieve_reg_start(uint32_t hash)
{
	return hash & (SIEVE_REG_SLOTS - 1);
}

const struct sieve_reg_entry *sieve_reg_next(const struct sieve_engine *e,
					     unsigned kind, const char *name,
					     uint32_t hash, size_t *pos)
{
	size_t i;

	for (i = *pos; e->slots[i] != 0; i = (i + 1) & (SIEVE_REG_SLOTS - 1)) {
		const struct sieve_reg_entry *r = &e->reg[e->slots[i] - 1];

		if (r->hash != hash || r->kind != kind ||
		    (kind == SIEVE_REG_CMP ? strcasecmp(r->name, name)
					   : strcmp(r->name, name)) != 0)
			continue;
		*pos = (i + 1) & (SIEVE_REG_SLOTS - 1);
		return r;
	}
	*pos = i;
	return NULL;
}

/* reg_add - index every object of one NULL-ended array; offset of the
 * name is 0 in every definition struct */
static void reg_add(struct sieve_engine *e, unsigned kind, int ext,
		    const void *const *arr)
{
	size_t k;

	for (k = 0; arr != NULL && arr[k] != NULL; k++) {
		const char *name = *(const char *const *)arr[k];
		struct sieve_reg_entry *r;
		size_t i;

		if (e->n_reg + 1 >= SIEVE_REG_SLOTS / 2)
			abort();	/* raise SIEVE_REG_SLOTS */
		r = &e->reg[e->n_reg++];
		r->name = name;
		r->def = arr[k];
		r->hash = sieve_hname_hash(name, strlen(name));
		r->kind = (unsigned char)kind;
		r->ext = (unsigned char)ext;
		for (i = sieve_reg_start(r->hash); e->slots[i] != 0;
		     i = (i + 1) & (SIEVE_REG_SLOTS - 1))
			;
		e->slots[i] = (unsigned short)e->n_reg;
	}
}

/* reg_build - the index of every built-in extension's names */
static void reg_build(struct sieve_engine *e)
{
	int i;

	e->reg = xcalloc(SIEVE_REG_SLOTS / 2, sizeof(*e->reg));
	for (i = 0; i < SIEVE_EXT_COUNT; i++) {
		const struct sieve_extension *x = sieve_ext_all[i];

		reg_add(e, SIEVE_REG_CMD, i, (const void *const *)x->commands);
		reg_add(e, SIEVE_REG_TAG, i, (const void *const *)x->tags);
		reg_add(e, SIEVE_REG_MATCH, i,
			(const void *const *)x->match_types);
		reg_add(e, SIEVE_REG_CMP, i,
			(const void *const *)x->comparators);
		reg_add(e, SIEVE_REG_ADDRPART, i,
			(const void *const *)x->address_parts);
	}
}

/* cfg_uint - a config number, or def without a config */
static uint64_t cfg_uint(const struct config *cfg, const char *key,
			 uint64_t def, uint64_t cap, int size)
{
	uint64_t v;

	if (cfg == NULL)
		return def;
	v = size ? config_size(cfg, key) : config_uint(cfg, key);
	if (v == 0 || v > cap)
		v = cap;
	return v;
}

struct sieve_engine *sieve_engine_new(const struct config *cfg,
				      const char *extensions,
				      struct sl_err *err)
{
	struct sieve_engine *e = xcalloc(1, sizeof(*e));
	int i;

	err_clear(err);
	e->cfg = cfg;
	e->limits.max_script_size =
		cfg_uint(cfg, "sieve_max_script_size",
			 SIEVE_DEFAULT_MAX_SCRIPT_SIZE,
			 SIEVE_MAX_SCRIPT_SIZE_CAP, 1);
	e->limits.max_actions =
		(unsigned)cfg_uint(cfg, "sieve_max_actions",
				   SIEVE_DEFAULT_MAX_ACTIONS,
				   SIEVE_MAX_ACTIONS_CAP, 0);
	e->limits.max_redirects =
		(unsigned)cfg_uint(cfg, "sieve_max_redirects",
				   SIEVE_DEFAULT_MAX_REDIRECTS,
				   SIEVE_MAX_REDIRECTS_CAP, 0);
	for (i = 0; i < SIEVE_EXT_COUNT; i++) {
		const struct sieve_extension *ext = sieve_ext_all[i];

		e->enabled[i] = !(ext->flags & SIEVE_EXT_F_NOT_DEFAULT);
		if (ext->available != NULL)
			e->enabled[i] = ext->available(cfg) > 0;
	}
	if (cfg != NULL)
		engine_apply(e, config_str(cfg, "sieve_extensions"));
	if (extensions != NULL)
		engine_apply(e, extensions);
	e->enabled[0] = 1;
	reg_build(e);
	return e;
}

void sieve_engine_free(struct sieve_engine **ep)
{
	if (*ep == NULL)
		return;
	free((*ep)->reg);
	x_free(ep);
}

const struct config *sieve_engine_config(const struct sieve_engine *e)
{
	return e->cfg;
}

const char *sieve_engine_capabilities(const struct sieve_engine *e,
				      struct pool *pool)
{
	struct buf b = BUF_INIT;
	const char *ret;
	int i;

	for (i = 1; i < SIEVE_EXT_COUNT; i++) {
		if (!e->enabled[i])
			continue;
		if (b.len > 0)
			buf_append_char(&b, ' ');
		buf_append_str(&b, sieve_ext_all[i]->name);
	}
	ret = pool_strdup(pool, buf_cstr(&b));
	buf_free(&b);
	return ret;
}
