/* fuzz-config.c - the sluice.conf reader on arbitrary bytes */
#include "auto-config.h"
#include "lib/config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[] = "/tmp/sluice-fuzz-config.XXXXXX";
	struct config *cfg;
	struct sl_err err;
	int fd = mkstemp(path);
	FILE *null;

	if (fd < 0)
		return 0;
	if (write(fd, data, size) != (ssize_t)size) {
		close(fd);
		unlink(path);
		return 0;
	}
	close(fd);
	err_clear(&err);
	if (config_open(&cfg, path, NULL, 0, &err) == 0) {
		null = fopen("/dev/null", "w");
		if (null != NULL) {
			config_dump(cfg, null, 0);
			fclose(null);
		}
		(void)config_str(cfg, "userdb");
		(void)config_size(cfg, "spool_memory_max");
		config_free(&cfg);
	}
	unlink(path);
	return 0;
}
