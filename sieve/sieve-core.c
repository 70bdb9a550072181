/* sieve-core.c - the core language as an extension (always loaded), the
 * comparators every script may require by name, and encoded-character
 * (RFC 5228 2.4.2.4). */
#include "auto-config.h"
#include "sieve/sieve-private.h"

#include "lib/ascii.h"
#include "lib/buf.h"
#include "lib/utf8.h"

#include <string.h>
#include <strings.h>

/* :comparator "name": resolved by the validator itself */
const struct sieve_tag_def sieve_tag_comparator = {
	.name = "comparator",
	.n_params = 1,
	.params = { SIEVE_T_STRING },
};

static const struct sieve_cmd_def *const core_commands[] = {
	&sieve_cmd_require, &sieve_cmd_if, &sieve_cmd_elsif, &sieve_cmd_else,
	&sieve_cmd_stop, &sieve_cmd_keep, &sieve_cmd_discard,
	&sieve_cmd_redirect, &sieve_tst_address, &sieve_tst_allof,
	&sieve_tst_anyof, &sieve_tst_exists, &sieve_tst_false,
	&sieve_tst_header, &sieve_tst_not, &sieve_tst_size, &sieve_tst_true,
	NULL
};

static const struct sieve_match_def *const core_match_types[] = {
	&sieve_mcht_is, &sieve_mcht_contains, &sieve_mcht_matches, NULL
};

static const struct sieve_comparator_def *const core_comparators[] = {
	&sieve_cmp_octet, &sieve_cmp_ascii_casemap, NULL
};

static const struct sieve_addrpart_def *const core_address_parts[] = {
	&sieve_addrpart_all, &sieve_addrpart_localpart, &sieve_addrpart_domain,
	NULL
};

const struct sieve_extension sieve_ext_core = {
	.name = "core",
	.flags = SIEVE_EXT_F_IMPLICIT,
	.commands = core_commands,
	.match_types = core_match_types,
	.comparators = core_comparators,
	.address_parts = core_address_parts,
};

const struct sieve_extension sieve_ext_comparator_i_octet = {
	.name = "comparator-i;octet",
	.flags = SIEVE_EXT_F_IMPLICIT,
};

const struct sieve_extension sieve_ext_comparator_i_ascii_casemap = {
	.name = "comparator-i;ascii-casemap",
	.flags = SIEVE_EXT_F_IMPLICIT,
};

/* the strings themselves are rewritten by the validator when the script
 * requires this (sieve_encoded_character) */
const struct sieve_extension sieve_ext_encoded_character = {
	.name = "encoded-character",
};

static int is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* enc_parse - "${hex:..}" or "${unicode:..}" at s (after "${"): the
 * decoded bytes appended to out and the length consumed (up to and with
 * '}'), or 0 when it is not well formed (then taken literally).
 * *bad_r gets an invalid code point (-1 when none). */
static size_t enc_parse(const char *s, size_t len, struct buf *out,
			long *bad_r)
{
	size_t i, start = out->len, max_digits;
	int unicode;

	*bad_r = -1;
	if (len >= 4 && strncasecmp(s, "hex:", 4) == 0) {
		unicode = 0;
		i = 4;
		max_digits = 2;
	} else if (len >= 8 && strncasecmp(s, "unicode:", 8) == 0) {
		unicode = 1;
		i = 8;
		max_digits = 8;
	} else {
		return 0;
	}
	for (;;) {
		uint32_t val = 0;
		size_t d = 0, blanks = 0;

		while (i < len && is_blank(s[i])) {
			i++;
			blanks++;
		}
		if (i < len && s[i] == '}' && out->len > start)
			return i + 1;
		if (out->len > start && blanks == 0)
			break;	/* items must be separated */
		while (i < len && ascii_hex_value((unsigned char)s[i]) >= 0) {
			if (d == max_digits)
				goto bad;
			val = val * 16 + (uint32_t)ascii_hex_value(
				(unsigned char)s[i]);
			d++;
			i++;
		}
		if (d == 0)
			break;
		if (!unicode) {
			buf_append_char(out, (char)val);
		} else if (val > 0x10ffff || (val >= 0xd800 && val <= 0xdfff)) {
			*bad_r = (long)val;
			break;
		} else {
			utf8_append(out, val);
		}
	}
bad:
	buf_truncate(out, start);
	return 0;
}

int sieve_encoded_character(struct sieve_valctx *v, struct sieve_string *s)
{
	struct buf out = BUF_INIT;
	size_t i = 0, run = 0;
	char *data;

	if (s->len < 2 || memmem(s->data, s->len, "${", 2) == NULL)
		return 0;
	while (i + 1 < s->len) {
		size_t n;
		long bad;

		if (s->data[i] != '$' || s->data[i + 1] != '{') {
			i++;
			continue;
		}
		buf_append(&out, s->data + run, i - run);
		n = enc_parse(s->data + i + 2, s->len - i - 2, &out, &bad);
		if (bad >= 0) {
			sieve_valctx_error(v, s->line, s->col, "invalid unicode "
					   "character 0x%08lx in encoded "
					   "character substitution", bad);
			buf_free(&out);
			return -1;
		}
		if (n == 0) {
			buf_append(&out, "${", 2);
			i += 2;
		} else {
			i += 2 + n;
		}
		run = i;
	}
	buf_append(&out, s->data + run, s->len - run);
	data = pool_alloc(sieve_valctx_pool(v), out.len + 1);
	memcpy(data, out.len > 0 ? out.data : "", out.len);
	s->data = data;
	s->len = out.len;
	buf_free(&out);
	return 0;
}
