# tools/ - the `sluice` admin command
bin_PROGRAMS += sluice
sluice_SOURCES = tools/sluice.c tools/tools.h tools/cmd-config.c tools/cmd-user.c tools/cmd-sieve.c
sluice_SOURCES += tools/cmd-convert.c
sluice_SOURCES += tools/cmd-pw.c
sluice_SOURCES += tools/cmd-maildirmake.c
sluice_SOURCES += tools/cmd-quota.c
# sluice pw: the password schemes of lib/libpassword.a (lib/password.mk)
sluice_LDADD = $(PASSWORD_LIBS) $(SLUICE_LIBS) $(EXT_LIBS) $(PASSWORD_EXT_LIBS)
SCRIPT_TESTS += t/pw.t
SCRIPT_TESTS += t/convert.t
SCRIPT_TESTS += t/quota-tools.t
