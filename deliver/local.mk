# deliver/ - sluice-deliver, the pipe-invoked LDA
bin_PROGRAMS += sluice-deliver
sluice_deliver_SOURCES = deliver/main.c
sluice_deliver_LDADD = $(SLUICE_LIBS) $(EXT_LIBS)
