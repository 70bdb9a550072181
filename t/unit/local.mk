# unit tests of lib/ (each module's local.mk adds its own)
UNIT_TESTS += t/unit/test-buf t/unit/test-config \
	t/unit/test-spool t/unit/test-store t/unit/test-trackdb
include t/corpus.mk
