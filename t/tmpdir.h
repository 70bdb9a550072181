/* tmpdir.h - a temporary directory for a C unit test, and files in it.
 * tmpdir_make("test-foo") at the start of main (it bails out of the
 * TAP run if it cannot), tmpdir_remove() at the end; path_in(name)
 * names a file in it (eight buffers in turn, so a few paths can be held
 * at once); write_file/write_str bail out when they cannot write. */
#ifndef SLUICE_T_TMPDIR_H
#define SLUICE_T_TMPDIR_H

#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char tmpdir[256];

static inline void tmpdir_make(const char *name)
{
	const char *t = getenv("TMPDIR");

	(void)snprintf(tmpdir, sizeof(tmpdir), "%s/%s.XXXXXX",
		       t != NULL && *t != '\0' ? t : "/tmp", name);
	if (mkdtemp(tmpdir) == NULL) {
		printf("Bail out! mkdtemp: %s\n", strerror(errno));
		exit(1);
	}
}

static inline int tmpdir_rm_one(const char *path, const struct stat *st,
				int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static inline void tmpdir_remove(void)
{
	(void)nftw(tmpdir, tmpdir_rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static inline char *path_in(const char *name)
{
	static char paths[8][320];
	static int next;
	char *p = paths[next++ % 8];

	(void)snprintf(p, sizeof(paths[0]), "%s/%s", tmpdir, name);
	return p;
}

static inline void write_file(const char *path, const char *data, size_t len)
{
	FILE *f = fopen(path, "w");

	if (f == NULL || fwrite(data, 1, len, f) != len || fclose(f) != 0) {
		printf("Bail out! cannot write %s: %s\n", path, strerror(errno));
		exit(1);
	}
}

static inline void write_str(const char *path, const char *s)
{
	write_file(path, s, strlen(s));
}

#endif
