/* config.c - sluice.conf reader, value parsers and dump */
#include "auto-config.h"
#include "config.h"
#include "buf.h"
#include "xalloc.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

/* The longest config line accepted; longer is an error, not a cut. */
#define CONFIG_LINE_MAX 8192

struct config {
	char **values;		/* one per config_keys entry, malloc'd */
	char *path;
	size_t n_keys;
};

/* config_key_index - the table index of name, or -1 */
static long config_key_index(const char *name)
{
	long i;

	for (i = 0; config_keys[i].name != NULL; i++) {
		if (strcmp(config_keys[i].name, name) == 0)
			return i;
	}
	return -1;
}

struct config *config_new(void)
{
	struct config *cfg = xcalloc(1, sizeof(*cfg));
	size_t i;

	while (config_keys[cfg->n_keys].name != NULL)
		cfg->n_keys++;
	cfg->values = xcalloc(cfg->n_keys, sizeof(char *));
	for (i = 0; i < cfg->n_keys; i++)
		cfg->values[i] = xstrdup(config_keys[i].def);
	return cfg;
}

void config_free(struct config **cfgp)
{
	struct config *cfg = *cfgp;
	size_t i;

	if (cfg == NULL)
		return;
	for (i = 0; i < cfg->n_keys; i++)
		free(cfg->values[i]);
	free(cfg->values);
	free(cfg->path);
	free(cfg);
	*cfgp = NULL;
}

const char *config_default_path(void)
{
	return SYSCONFDIR "/sluice/sluice.conf";
}

const char *config_path(const struct config *cfg)
{
	return cfg->path;
}

int config_parse_bool(const char *s, int *val_r)
{
	static const char *const yes[] = { "yes", "true", "on", "1", NULL };
	static const char *const no[] = { "no", "false", "off", "0", NULL };
	size_t i;

	for (i = 0; yes[i] != NULL; i++) {
		if (strcasecmp(s, yes[i]) == 0) {
			*val_r = 1;
			return 0;
		}
		if (strcasecmp(s, no[i]) == 0) {
			*val_r = 0;
			return 0;
		}
	}
	return -1;
}

/* parse_number_suffix - a decimal number and its suffix multiplier */
static int parse_number_suffix(const char *s, uint64_t *val_r,
			       const char *suffixes, const uint64_t *mults)
{
	uint64_t n = 0, mult = 1;
	const char *p = s, *q;

	if (!isdigit((unsigned char)*p))
		return -1;
	while (isdigit((unsigned char)*p)) {
		unsigned d = (unsigned)(*p - '0');

		if (n > (UINT64_MAX - d) / 10)
			return -1;
		n = n * 10 + d;
		p++;
	}
	while (*p == ' ')
		p++;
	if (*p != '\0') {
		q = strchr(suffixes, tolower((unsigned char)*p));
		if (q == NULL || p[1] != '\0')
			return -1;
		mult = mults[q - suffixes];
	}
	if (mult != 0 && n > UINT64_MAX / mult)
		return -1;
	*val_r = n * mult;
	return 0;
}

int config_parse_uint(const char *s, uint64_t *val_r)
{
	return parse_number_suffix(s, val_r, "", NULL);
}

int config_parse_size(const char *s, uint64_t *val_r)
{
	static const uint64_t mults[] = { 1, 1024, 1024 * 1024,
					  1024 * 1024 * 1024,
					  1024ULL * 1024 * 1024 * 1024 };
	return parse_number_suffix(s, val_r, "bkmgt", mults);
}

int config_parse_time(const char *s, uint64_t *val_r)
{
	static const uint64_t mults[] = { 1, 60, 3600, 86400 };
	return parse_number_suffix(s, val_r, "smhd", mults);
}

/* config_check_value - is value valid for key k? */
static int config_check_value(const struct config_key *k, const char *value)
{
	uint64_t n;
	int b;
	size_t len;
	const char *p;

	switch (k->type) {
	case CFG_STRING:
	case CFG_LIST:
		return 0;
	case CFG_BOOL:
		return config_parse_bool(value, &b);
	case CFG_UINT:
		return config_parse_uint(value, &n);
	case CFG_SIZE:
		return config_parse_size(value, &n);
	case CFG_TIME:
		return config_parse_time(value, &n);
	case CFG_ENUM:
		len = strlen(value);
		for (p = k->enum_values; *p != '\0';) {
			size_t wl = strcspn(p, " ");

			if (wl == len && strncmp(p, value, len) == 0)
				return 0;
			p += wl;
			p += strspn(p, " ");
		}
		return -1;
	}
	return -1;
}

static const char *config_type_hint(const struct config_key *k)
{
	switch (k->type) {
	case CFG_BOOL: return "yes or no";
	case CFG_UINT: return "a number";
	case CFG_SIZE: return "a size such as 512K, 10M or 1G";
	case CFG_TIME: return "a time such as 30s, 5m or 1h";
	case CFG_ENUM: return k->enum_values;
	default: return "a string";
	}
}

int config_set(struct config *cfg, const char *key, const char *value,
	       const char *origin, struct sl_err *err)
{
	long i = config_key_index(key);
	const struct config_key *k;

	if (i < 0)
		return err_set(err, ERR_USAGE, "%s: unknown key '%s'",
			       origin, key);
	k = &config_keys[i];
	if (config_check_value(k, value) < 0)
		return err_set(err, ERR_USAGE,
			       "%s: key '%s': bad value '%s' (expected %s)",
			       origin, key, value, config_type_hint(k));
	free(cfg->values[i]);
	cfg->values[i] = xstrdup(value);
	return 0;
}

/* trim - strip leading and trailing blanks in place */
static char *trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'
			 || e[-1] == '\n'))
		e--;
	*e = '\0';
	return s;
}

/* config_parse_line - one line of a config file; lineno for errors */
static int config_parse_line(struct config *cfg, const char *path,
			     unsigned lineno, char *line, struct sl_err *err)
{
	char origin[CONFIG_LINE_MAX / 8];
	char *key, *value, *eq;

	key = trim(line);
	if (*key == '\0' || *key == '#')
		return 0;
	(void)snprintf(origin, sizeof(origin), "%s:%u", path, lineno);
	eq = strchr(key, '=');
	if (eq == NULL)
		return err_set(err, ERR_USAGE,
			       "%s: expected 'key = value', got '%s'",
			       origin, key);
	*eq = '\0';
	value = trim(eq + 1);
	key = trim(key);
	if (*key == '\0')
		return err_set(err, ERR_USAGE, "%s: missing key before '='",
			       origin);
	return config_set(cfg, key, value, origin, err);
}

int config_load_file(struct config *cfg, const char *path, struct sl_err *err)
{
	char line[CONFIG_LINE_MAX];
	unsigned lineno = 0;
	FILE *f;
	int ret = 0;

	f = fopen(path, "r");
	if (f == NULL) {
		err_set_errno(err, errno, "config file %s", path);
		if (err->cls == ERR_NOTFOUND)
			err->cls = ERR_USAGE;
		return -1;
	}
	while (ret == 0 && fgets(line, sizeof(line), f) != NULL) {
		lineno++;
		if (strchr(line, '\n') == NULL && !feof(f)) {
			ret = err_set(err, ERR_USAGE, "%s:%u: line longer than %d bytes",
				      path, lineno, CONFIG_LINE_MAX - 1);
			break;
		}
		ret = config_parse_line(cfg, path, lineno, line, err);
	}
	if (ret == 0 && ferror(f))
		ret = err_set_errno(err, errno, "reading %s", path);
	fclose(f);
	if (ret == 0) {
		free(cfg->path);
		cfg->path = xstrdup(path);
	}
	return ret;
}

int config_override(struct config *cfg, const char *kv, struct sl_err *err)
{
	const char *eq = strchr(kv, '=');
	char *key, *k;
	int ret;

	if (eq == NULL)
		return err_set(err, ERR_USAGE, "-o %s: expected KEY=VALUE", kv);
	key = xstrndup(kv, (size_t)(eq - kv));
	k = trim(key);
	ret = config_set(cfg, k, eq + 1, "-o", err);
	free(key);
	return ret;
}

int config_open(struct config **cfg_r, const char *path,
		char *const *overrides, size_t n_overrides, struct sl_err *err)
{
	struct config *cfg = config_new();
	const char *env = getenv("SLUICE_CONFIG");
	size_t i;

	if (path == NULL && env != NULL && *env != '\0')
		path = env;
	if (path != NULL) {
		if (config_load_file(cfg, path, err) < 0)
			goto fail;
	} else if (access(config_default_path(), F_OK) == 0) {
		if (config_load_file(cfg, config_default_path(), err) < 0)
			goto fail;
	}
	for (i = 0; i < n_overrides; i++) {
		if (config_override(cfg, overrides[i], err) < 0)
			goto fail;
	}
	*cfg_r = cfg;
	return 0;
fail:
	config_free(&cfg);
	return -1;
}

/* config_lookup - the value slot of key with type checked */
static const char *config_lookup(const struct config *cfg, const char *key,
				 enum config_type type)
{
	long i = config_key_index(key);

	if (i < 0 || (config_keys[i].type != type &&
		      !(type == CFG_STRING &&
			(config_keys[i].type == CFG_LIST ||
			 config_keys[i].type == CFG_ENUM)))) {
		fprintf(stderr, "sluice: internal error: config key '%s' "
			"unknown or of another type\n", key);
		abort();
	}
	return cfg->values[i];
}

const char *config_str(const struct config *cfg, const char *key)
{
	return config_lookup(cfg, key, CFG_STRING);
}

int config_bool(const struct config *cfg, const char *key)
{
	int v = 0;

	(void)config_parse_bool(config_lookup(cfg, key, CFG_BOOL), &v);
	return v;
}

uint64_t config_uint(const struct config *cfg, const char *key)
{
	uint64_t v = 0;

	(void)config_parse_uint(config_lookup(cfg, key, CFG_UINT), &v);
	return v;
}

uint64_t config_size(const struct config *cfg, const char *key)
{
	uint64_t v = 0;

	(void)config_parse_size(config_lookup(cfg, key, CFG_SIZE), &v);
	return v;
}

uint64_t config_time(const struct config *cfg, const char *key)
{
	uint64_t v = 0;

	(void)config_parse_time(config_lookup(cfg, key, CFG_TIME), &v);
	return v;
}

void config_dump(const struct config *cfg, FILE *out, int nondefault_only)
{
	size_t i;

	if (!nondefault_only)
		fprintf(out, "# config: %s\n",
			cfg->path != NULL ? cfg->path : "(built-in defaults)");
	for (i = 0; i < cfg->n_keys; i++) {
		if (nondefault_only &&
		    strcmp(cfg->values[i], config_keys[i].def) == 0)
			continue;
		fprintf(out, "%s = %s\n", config_keys[i].name, cfg->values[i]);
	}
}
