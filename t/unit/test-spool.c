/* test-spool.c - the spool stays in memory up to its limit, then a file */
#include "auto-config.h"
#include "t/tap.h"
#include "lib/spool.h"

#include <unistd.h>

int main(void)
{
	struct spool *sp;
	struct sl_err err;
	char data[10000], back[10000];
	size_t i;
	ssize_t n;

	for (i = 0; i < sizeof(data); i++)
		data[i] = (char)(i * 7 + i / 256);
	err_clear(&err);
	sp = spool_new(4096, "/tmp");
	ok(spool_write(sp, data, 3000, &err) == 0, "first write");
	ok(spool_in_memory(sp) != NULL, "small message stays in memory");
	ok(spool_write(sp, data + 3000, 7000, &err) == 0, "write past the limit");
	ok(spool_in_memory(sp) == NULL, "large message moved to a file");
	is_int(spool_size(sp), 10000, "size counts all bytes");
	n = spool_pread(sp, 0, back, sizeof(back), &err);
	is_int(n, 10000, "read back whole");
	is_mem(back, (size_t)n, data, sizeof(data), "file spool byte-exact");
	n = spool_pread(sp, 9990, back, 100, &err);
	is_int(n, 10, "read at the end is short");
	is_int(spool_pread(sp, 10000, back, 100, &err), 0, "read past the end gives 0");
	spool_free(&sp);
	ok(sp == NULL, "spool_free clears");

	sp = spool_new(1 << 20, "/tmp");
	ok(spool_write(sp, "abc", 3, &err) == 0, "memory write");
	n = spool_pread(sp, 1, back, 10, &err);
	is_mem(back, (size_t)n, "bc", 2, "memory read at an offset");
	spool_free(&sp);

	sp = spool_new(10, "/nonexistent-dir");
	ok(spool_write(sp, data, 100, &err) < 0 && err.cls == ERR_TEMP,
	   "unusable temp_dir is a temporary failure: %s", err.text);
	spool_free(&sp);
	return done_testing();
}
