/* config - sluice.conf: `key = value` lines, built-in defaults.
 *
 * Every key is declared once in config-keys.c with its type and default;
 * a program with no config file runs on the defaults. A config is loaded
 * from -c FILE, else $SLUICE_CONFIG, else the default path if it exists,
 * then -o KEY=VALUE overrides are applied. Unknown keys and bad values are
 * errors naming the file, line and key.
 */
#ifndef SLUICE_CONFIG_H
#define SLUICE_CONFIG_H

#include <stdint.h>
#include <stdio.h>

#include "err.h"

enum config_type {
	CFG_STRING,
	CFG_BOOL,	/* yes/no, true/false, on/off, 1/0 */
	CFG_UINT,
	CFG_SIZE,	/* bytes, with K/M/G suffixes (1024-based) */
	CFG_TIME,	/* seconds, with s/m/h/d suffixes */
	CFG_ENUM,	/* one of the words in enum_values */
	CFG_LIST,	/* comma-separated list (kept as written) */
};

struct config_key {
	const char *name;
	enum config_type type;
	const char *def;
	const char *enum_values;	/* CFG_ENUM: space-separated words */
	const char *help;		/* one line for `sluice config` */
};

/* config_keys - the table of every known key, NULL-name terminated. */
extern const struct config_key config_keys[];

struct config;

/* config_new - a config holding only the defaults. */
struct config *config_new(void);
void config_free(struct config **cfgp);
/* config_default_path - $(sysconfdir)/sluice/sluice.conf */
const char *config_default_path(void);
/* config_open - the standard load: path (from -c; NULL for
 * $SLUICE_CONFIG or the default path, which may be absent), then the
 * overrides ("KEY=VALUE"). An explicit path that is missing is an error. */
int config_open(struct config **cfg_r, const char *path,
		char *const *overrides, size_t n_overrides, struct sl_err *err);
int config_load_file(struct config *cfg, const char *path, struct sl_err *err);
/* config_set - set one key; origin names where it came from in errors
 * ("sluice.conf:12" or "-o"). */
int config_set(struct config *cfg, const char *key, const char *value,
	       const char *origin, struct sl_err *err);
/* config_override - apply one "KEY=VALUE" from -o. */
int config_override(struct config *cfg, const char *kv, struct sl_err *err);
/* config_path - the file that was loaded, or NULL for defaults only. */
const char *config_path(const struct config *cfg);

/* Accessors. The key must exist in config_keys with a matching type:
 * asking for an unknown key is a programming error and aborts. */
const char *config_str(const struct config *cfg, const char *key);
int config_bool(const struct config *cfg, const char *key);
uint64_t config_uint(const struct config *cfg, const char *key);
uint64_t config_size(const struct config *cfg, const char *key);
uint64_t config_time(const struct config *cfg, const char *key);

/* config_dump - `key = value` for every key, or only for the ones that
 * differ from the default. */
void config_dump(const struct config *cfg, FILE *out, int nondefault_only);

/* Value parsers, shared with other modules that read the same syntax.
 * Each returns 0, or -1 for a bad value. */
int config_parse_bool(const char *s, int *val_r);
int config_parse_uint(const char *s, uint64_t *val_r);
int config_parse_size(const char *s, uint64_t *val_r);
int config_parse_time(const char *s, uint64_t *val_r);

#endif
