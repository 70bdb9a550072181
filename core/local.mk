# core/ - the delivery core all front ends share
CORE_SOURCES = core/result.h core/result.c core/delivery.h core/delivery.c \
	core/delivery-sieve.h core/delivery-sieve.c
noinst_LIBRARIES += core/libcore.a
core_libcore_a_SOURCES = $(CORE_SOURCES)
if SANITIZERS
check_LIBRARIES += core/libcore-san.a
core_libcore_san_a_SOURCES = $(CORE_SOURCES)
core_libcore_san_a_CFLAGS = $(AM_CFLAGS) $(SAN_CFLAGS)
endif
SCRIPT_TESTS += t/deliver-sieve.t
