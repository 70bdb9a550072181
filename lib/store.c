/* store.c - folder name rules shared by every store backend */
#include "auto-config.h"
#include "store.h"

#include <string.h>
#include <strings.h>

#define STORE_FOLDER_NAME_MAX 255

/* utf8_valid - strict UTF-8 (no overlongs, no surrogates) */
static int utf8_valid(const unsigned char *s, size_t len)
{
	size_t i = 0;

	while (i < len) {
		unsigned char c = s[i];
		size_t n, k;
		unsigned long cp;

		if (c < 0x80) {
			i++;
			continue;
		} else if ((c & 0xe0) == 0xc0) {
			n = 1; cp = c & 0x1f;
		} else if ((c & 0xf0) == 0xe0) {
			n = 2; cp = c & 0x0f;
		} else if ((c & 0xf8) == 0xf0) {
			n = 3; cp = c & 0x07;
		} else {
			return 0;
		}
		if (i + n >= len)
			return 0;
		for (k = 1; k <= n; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return 0;
			cp = (cp << 6) | (s[i + k] & 0x3f);
		}
		if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) ||
		    (n == 3 && (cp < 0x10000 || cp > 0x10ffff)) ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
		i += n + 1;
	}
	return 1;
}

int store_folder_name_check(const char *folder, struct sl_err *err)
{
	size_t len = strlen(folder), i, comp_start = 0;

	if (len == 0)
		return err_set(err, ERR_PERM, "empty folder name");
	if (len > STORE_FOLDER_NAME_MAX)
		return err_set(err, ERR_PERM, "folder name longer than %d bytes",
			       STORE_FOLDER_NAME_MAX);
	if (!utf8_valid((const unsigned char *)folder, len))
		return err_set(err, ERR_PERM, "folder name is not valid UTF-8");
	for (i = 0; i <= len; i++) {
		unsigned char c = (unsigned char)folder[i];

		if (c != '\0' && c != '/' && c != '.') {
			if (c < 0x20 || c == 0x7f)
				return err_set(err, ERR_PERM,
					       "folder name has a control character");
			if (c == '\\')
				return err_set(err, ERR_PERM,
					       "folder name has a backslash");
			continue;
		}
		if (i == comp_start)
			return err_set(err, ERR_PERM,
				       "folder name '%s' has an empty component "
				       "('.' and '/' separate levels)", folder);
		comp_start = i + 1;
	}
	return 0;
}

int store_folder_is_inbox(const char *folder)
{
	return strcasecmp(folder, "INBOX") == 0;
}

const char *store_flags_to_string(unsigned flags, char buf[8])
{
	size_t n = 0;

	if (flags & STORE_FLAG_DRAFT) buf[n++] = 'D';
	if (flags & STORE_FLAG_FLAGGED) buf[n++] = 'F';
	if (flags & STORE_FLAG_ANSWERED) buf[n++] = 'R';
	if (flags & STORE_FLAG_SEEN) buf[n++] = 'S';
	if (flags & STORE_FLAG_DELETED) buf[n++] = 'T';
	buf[n] = '\0';
	return buf;
}
