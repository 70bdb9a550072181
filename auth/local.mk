# auth/ - sluice-auth: SASL in Dovecot's authentication protocol, for
# Postfix's smtpd_sasl_type = dovecot. The protocol (client, mechanisms,
# MD5, the per-IP failure table, settings) is a library that
# knows no sockets, so the unit test and the fuzz harness drive it
# directly; the master, the listeners and the workers are the program.
AUTH_LIB_SOURCES = auth/auth.h auth/client-private.h auth/client.c \
	auth/mech.c auth/md5.c auth/penalty.c auth/settings.c
noinst_LIBRARIES += auth/libauth.a
auth_libauth_a_SOURCES = $(AUTH_LIB_SOURCES)
if SANITIZERS
check_LIBRARIES += auth/libauth-san.a
auth_libauth_san_a_SOURCES = $(AUTH_LIB_SOURCES)
auth_libauth_san_a_CFLAGS = $(AM_CFLAGS) $(SAN_CFLAGS)
endif

sbin_PROGRAMS += sluice-auth
sluice_auth_SOURCES = auth/main.c auth/worker.c
sluice_auth_LDADD = auth/libauth.a $(PASSWORD_LIBS) $(SLUICE_LIBS) $(EXT_LIBS) \
	$(PASSWORD_EXT_LIBS) -lpthread

# the unit test links the protocol library (with a password database of
# its own, so not libpassword): its own LDADD and sanitizer rule
UNIT_TESTS += t/unit/test-auth
t_unit_test_auth_LDADD = auth/libauth.a $(LDADD) -lpthread
t/unit/san-test-auth: $(srcdir)/t/unit/test-auth.c auth/libauth-san.a $(SLUICE_SAN_LIBS)
	@$(MKDIR_P) t/unit
	$(AM_V_CCLD)$(SAN_CC) -o $@ $< auth/libauth-san.a $(SLUICE_SAN_LIBS) $(EXT_LIBS) -lpthread

# the protocol fuzz harness: its own rules instead of t/local.mk's
FUZZERS += auth
t/fuzz/san-fuzz-auth: $(srcdir)/t/fuzz/fuzz-auth.c $(srcdir)/t/fuzz/standalone.c auth/libauth-san.a $(SLUICE_SAN_LIBS)
	@$(MKDIR_P) t/fuzz
	$(AM_V_CCLD)$(SAN_CC) -o $@ $< $(srcdir)/t/fuzz/standalone.c auth/libauth-san.a $(SLUICE_SAN_LIBS) $(EXT_LIBS) -lpthread
t/fuzz/lf-fuzz-auth: $(srcdir)/t/fuzz/fuzz-auth.c $(AUTH_LIB_SOURCES:%=$(srcdir)/%) $(LF_LIB)
	@$(MKDIR_P) t/fuzz
	$(AM_V_CCLD)$(LF_LINK) -o $@ $< $(filter %.c,$(AUTH_LIB_SOURCES:%=$(srcdir)/%)) $(LF_LIB) $(EXT_LIBS) -lpthread

# the protocol by a raw client, against a real Postfix (swaks), and
# side by side with Dovecot's own auth service (the last two as root)
SCRIPT_TESTS += t/auth.t t/auth-postfix.t t/auth-dovecot.t
EXTRA_DIST += t/lib/sluiceauth.py t/data/fuzz-auth
