# mbox/ - mbox store
MBOX_SOURCES = mbox/mbox.h mbox/mbox-private.h mbox/mbox-limits.h \
	mbox/mbox.c mbox/mbox-folder.c mbox/mbox-io.c mbox/mbox-lock.c \
	mbox/mbox-scan.c mbox/mbox-read.c mbox/mbox-save.c \
	mbox/mbox-rewrite.c
noinst_LIBRARIES += mbox/libmbox.a
mbox_libmbox_a_SOURCES = $(MBOX_SOURCES)
if SANITIZERS
check_LIBRARIES += mbox/libmbox-san.a
mbox_libmbox_san_a_SOURCES = $(MBOX_SOURCES)
mbox_libmbox_san_a_CFLAGS = $(AM_CFLAGS) $(SAN_CFLAGS)
endif
UNIT_TESTS += t/unit/test-mbox
