# lib/libpassword.a - password schemes (password.h) and the passdb
# (passdb.h). Its own library, not in libsluice.a: it needs libcrypto,
# libxcrypt and libargon2, and only the programs that check passwords
# (sluice, sluice-auth) link it, so sluice-deliver keeps loading libc only.
# Link it before $(SLUICE_LIBS) and add $(PASSWORD_EXT_LIBS):
#   prog_LDADD = $(PASSWORD_LIBS) $(SLUICE_LIBS) $(EXT_LIBS) $(PASSWORD_EXT_LIBS)
# Another passdb backend adds its file to PASSWORD_SOURCES in a .mk
# included after this one (and its vfuncs to passdb.c's passdb_drivers).
PASSWORD_SOURCES = lib/password.c lib/password.h \
	lib/passdb.c lib/passdb.h lib/passdb-private.h \
	lib/passdb-file.c lib/passdb-static.c
PASSWORD_LIBS = lib/libpassword.a
PASSWORD_SAN_LIBS = lib/libpassword-san.a
PASSWORD_CFLAGS = $(CRYPT_CFLAGS) $(OPENSSL_CFLAGS) $(ARGON2_CFLAGS)
PASSWORD_EXT_LIBS = $(CRYPT_LIBS) $(OPENSSL_LIBS) $(ARGON2_LIBS)

noinst_LIBRARIES += lib/libpassword.a
lib_libpassword_a_SOURCES = $(PASSWORD_SOURCES)
lib_libpassword_a_CFLAGS = $(AM_CFLAGS) $(PASSWORD_CFLAGS)
if SANITIZERS
check_LIBRARIES += lib/libpassword-san.a
lib_libpassword_san_a_SOURCES = $(PASSWORD_SOURCES)
lib_libpassword_san_a_CFLAGS = $(AM_CFLAGS) $(SAN_CFLAGS) $(PASSWORD_CFLAGS)
endif

# the tests link the library and its external libraries: their own
# LDADD, and their own sanitizer rules instead of t/local.mk's pattern
UNIT_TESTS += t/unit/test-password t/unit/test-passdb
t_unit_test_password_LDADD = $(PASSWORD_LIBS) $(LDADD) $(PASSWORD_EXT_LIBS)
t_unit_test_passdb_LDADD = $(PASSWORD_LIBS) $(LDADD) $(PASSWORD_EXT_LIBS)
t/unit/san-test-password: $(srcdir)/t/unit/test-password.c $(PASSWORD_SAN_LIBS) $(SLUICE_SAN_LIBS)
	@$(MKDIR_P) t/unit
	$(AM_V_CCLD)$(SAN_CC) -o $@ $< $(PASSWORD_SAN_LIBS) $(SLUICE_SAN_LIBS) $(EXT_LIBS) $(PASSWORD_EXT_LIBS)
t/unit/san-test-passdb: $(srcdir)/t/unit/test-passdb.c $(PASSWORD_SAN_LIBS) $(SLUICE_SAN_LIBS)
	@$(MKDIR_P) t/unit
	$(AM_V_CCLD)$(SAN_CC) -o $@ $< $(PASSWORD_SAN_LIBS) $(SLUICE_SAN_LIBS) $(EXT_LIBS) $(PASSWORD_EXT_LIBS)
SCRIPT_TESTS += t/password.t
