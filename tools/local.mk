# tools/ - the `sluice` admin command
bin_PROGRAMS += sluice
sluice_SOURCES = tools/sluice.c tools/tools.h tools/cmd-config.c tools/cmd-user.c tools/cmd-sieve.c
sluice_LDADD = $(SLUICE_LIBS) $(EXT_LIBS)
