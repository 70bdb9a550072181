# mbox/ - mbox store
MBOX_SOURCES = mbox/mbox.h mbox/mbox.c
noinst_LIBRARIES += mbox/libmbox.a
mbox_libmbox_a_SOURCES = $(MBOX_SOURCES)
if SANITIZERS
check_LIBRARIES += mbox/libmbox-san.a
mbox_libmbox_san_a_SOURCES = $(MBOX_SOURCES)
mbox_libmbox_san_a_CFLAGS = $(AM_CFLAGS) $(SAN_CFLAGS)
endif
