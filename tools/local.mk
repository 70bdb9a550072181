# tools/ - the `sluice` admin command
bin_PROGRAMS += sluice
sluice_SOURCES = tools/sluice.c tools/tools.h tools/cmd-config.c tools/cmd-user.c tools/cmd-sieve.c
sluice_SOURCES += tools/cmd-convert.c
sluice_SOURCES += tools/cmd-pw.c
sluice_SOURCES += tools/cmd-maildirmake.c
sluice_SOURCES += tools/cmd-quota.c
sluice_LDADD = $(SLUICE_LIBS) $(EXT_LIBS)
# sluice pw: libxcrypt for the crypt(3) schemes, libcrypto for SSHA512
sluice_CFLAGS = $(AM_CFLAGS) $(CRYPT_CFLAGS) $(OPENSSL_CFLAGS)
sluice_LDADD += $(CRYPT_LIBS) $(OPENSSL_LIBS)
SCRIPT_TESTS += t/pw.t
SCRIPT_TESTS += t/convert.t
SCRIPT_TESTS += t/quota-tools.t
