# lib/casefold - libunistring's case folding, dlopen()ed on first use
LIB_SOURCES += lib/casefold.c lib/casefold.h
UNIT_TESTS += t/unit/test-casefold
SCRIPT_TESTS += t/casefold.t
