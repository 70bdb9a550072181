# maildir/ - Maildir and Maildir++ store
MAILDIR_SOURCES = maildir/maildir.h maildir/maildir-private.h \
	maildir/maildir.c maildir/maildir-uniq.c maildir/maildir-folder.c \
	maildir/maildir-save.c maildir/maildir-msg.c maildir/maildir-keywords.c
noinst_LIBRARIES += maildir/libmaildir.a
maildir_libmaildir_a_SOURCES = $(MAILDIR_SOURCES)
if SANITIZERS
check_LIBRARIES += maildir/libmaildir-san.a
maildir_libmaildir_san_a_SOURCES = $(MAILDIR_SOURCES)
maildir_libmaildir_san_a_CFLAGS = $(AM_CFLAGS) $(SAN_CFLAGS)
endif
UNIT_TESTS += t/unit/test-maildir
