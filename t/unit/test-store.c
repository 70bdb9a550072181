/* test-store.c - folder name rules shared by every store */
#include "auto-config.h"
#include "t/tap.h"
#include "lib/store.h"

int main(void)
{
	static const char *const good[] = {
		"INBOX", "Lists/Debian", "Lists.Debian", "Entwürfe", "a b",
		"Sent Items", "&-amp", NULL };
	static const char *const bad[] = {
		"", "..", ".", "../etc", "a/../b", "/abs", "trailing/", "a//b",
		"a..b", ".hidden", "tab\there", "new\nline", "back\\slash",
		"\xff\xfe", "\xc0\xaf", "\xed\xa0\x80", NULL };
	struct sl_err err;
	char name[300], flags[8];
	size_t i;

	for (i = 0; good[i] != NULL; i++)
		ok(store_folder_name_check(good[i], &err) == 0, "accepted: %s", good[i]);
	for (i = 0; bad[i] != NULL; i++)
		ok(store_folder_name_check(bad[i], &err) < 0 && err.cls == ERR_PERM,
		   "refused: bad name #%zu (%s)", i, err.text);
	memset(name, 'a', 256);
	name[256] = '\0';
	ok(store_folder_name_check(name, &err) < 0, "256-byte name refused");
	ok(store_folder_is_inbox("inbox") && store_folder_is_inbox("INBOX") &&
	   !store_folder_is_inbox("INBOX/x"), "INBOX in any case");
	is_str(store_flags_to_string(STORE_FLAG_SEEN | STORE_FLAG_FLAGGED | STORE_FLAG_DRAFT, flags),
	       "DFS", "flag letters sorted");
	return done_testing();
}
