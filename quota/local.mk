# quota/ - Maildir++ quotas (maildirsize) and mbox quotas, and the
# enforcing store the delivery core wraps around a user's store
QUOTA_SOURCES = quota/quota.h quota/quota-private.h quota/quota-store.h \
	quota/quota.c quota/quota-rule.c quota/quota-maildir.c \
	quota/quota-mbox.c quota/quota-store.c
noinst_LIBRARIES += quota/libquota.a
quota_libquota_a_SOURCES = $(QUOTA_SOURCES)
if SANITIZERS
check_LIBRARIES += quota/libquota-san.a
quota_libquota_san_a_SOURCES = $(QUOTA_SOURCES)
quota_libquota_san_a_CFLAGS = $(AM_CFLAGS) $(SAN_CFLAGS)
endif
UNIT_TESTS += t/unit/test-quota
SCRIPT_TESTS += t/quota.t
SCRIPT_TESTS += t/quota-interop.t
