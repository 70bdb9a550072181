/* store.c - folder name rules shared by every store backend */
#include "auto-config.h"
#include "store.h"
#include "utf8.h"

#include <string.h>
#include <strings.h>

#define STORE_FOLDER_NAME_MAX 255

int store_folder_name_check(const char *folder, struct sl_err *err)
{
	size_t len = strlen(folder), i, comp_start = 0;

	if (len == 0)
		return err_set(err, ERR_PERM, "empty folder name");
	if (len > STORE_FOLDER_NAME_MAX)
		return err_set(err, ERR_PERM, "folder name longer than %d bytes",
			       STORE_FOLDER_NAME_MAX);
	if (!utf8_valid(folder, len))
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

int store_keyword_check(const char *kw, struct sl_err *err)
{
	size_t i, len = strlen(kw);

	if (len == 0 || len > STORE_KEYWORD_MAX)
		return err_set(err, ERR_PERM, "keyword of %zu bytes (1 to %d)",
			       len, STORE_KEYWORD_MAX);
	if (kw[0] == '\\')
		return err_set(err, ERR_PERM, "%s is not a keyword", kw);
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)kw[i];

		if (c <= 0x20 || c >= 0x7f || strchr("(){%*\"\\]", c) != NULL)
			return err_set(err, ERR_PERM, "keyword '%s' is not an "
				       "IMAP atom", kw);
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
