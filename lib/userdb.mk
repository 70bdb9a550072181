# user lookup: lib/userdb.h, one file per backend, mail_location expansion
LIB_SOURCES += lib/userdb.h lib/userdb-private.h lib/userdb.c \
	lib/userdb-system.c lib/userdb-passwd-file.c lib/userdb-bdb.c \
	lib/userdb-static.c lib/mail-location.c
UNIT_TESTS += t/unit/test-userdb
SCRIPT_TESTS += t/userdb.t
