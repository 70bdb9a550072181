# user lookup
LIB_SOURCES += lib/userdb.h lib/userdb-stub.c
