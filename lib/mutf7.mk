LIB_SOURCES += lib/mutf7.c lib/mutf7.h
UNIT_TESTS += t/unit/test-mutf7
