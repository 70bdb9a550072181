# lib/ - the runtime every module stands on
LIB_SOURCES = \
	lib/xalloc.c lib/xalloc.h \
	lib/buf.c lib/buf.h \
	lib/pool.c lib/pool.h \
	lib/err.c lib/err.h \
	lib/log.c lib/log.h \
	lib/config.c lib/config-keys.c lib/config.h \
	lib/spool.c lib/spool.h \
	lib/store.c lib/store-sync.c lib/store.h \
	lib/listen.c lib/listen.h lib/daemon.c lib/daemon-master.c lib/daemon.h \
	lib/utf8.c lib/utf8.h lib/ascii.h lib/base64.c lib/base64.h \
	lib/dynlib.c lib/dynlib.h lib/dovecot-conf.c lib/dovecot-conf.h \
	lib/ttl-cache.c lib/ttl-cache.h \
	lib/bdb.c lib/bdb.h lib/trackdb.c lib/trackdb.h
# the message parser (message.h) and userdb (userdb.h) add their files in
# lib/message.mk and lib/userdb.mk
include lib/message.mk
include lib/userdb.mk
include lib/password.mk
include lib/sql.mk
include lib/ldap.mk
include lib/mutf7.mk
include lib/casefold.mk

noinst_LIBRARIES += lib/libsluice.a
lib_libsluice_a_SOURCES = $(LIB_SOURCES)

if SANITIZERS
check_LIBRARIES += lib/libsluice-san.a
lib_libsluice_san_a_SOURCES = $(LIB_SOURCES)
lib_libsluice_san_a_CFLAGS = $(AM_CFLAGS) $(SAN_CFLAGS)
endif
