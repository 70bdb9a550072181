# LDAP user databases (lib/ldap-db.h): dovecot-ldap.conf.ext, libldap
# (dlopen()ed on the first connection), the ldap:PATH userdb; the
# ldap:PATH passdb joins lib/libpassword.a (lib/password.mk, included
# before this)
LIB_SOURCES += lib/ldap-db.h lib/ldap-conf.c lib/ldap-db.c lib/userdb-ldap.c
PASSWORD_SOURCES += lib/passdb-ldap.c
PASSWORD_CFLAGS += -DHAVE_LDAP_PASSDB=1
UNIT_TESTS += t/unit/test-ldap
# the end-to-end test runs a private slapd (t/lib/ldapserver.py)
SCRIPT_TESTS += t/userdb-ldap.t
EXTRA_DIST += t/lib/ldapserver.py t/data/fuzz-dbconf
# dovecot-sql.conf.ext and dovecot-ldap.conf.ext readers on any bytes
FUZZERS += dbconf
# test-ldap checks the ldap passdb too: it links lib/libpassword.a
t_unit_test_ldap_LDADD = $(PASSWORD_LIBS) $(LDADD) $(PASSWORD_EXT_LIBS)
t/unit/san-test-ldap: $(srcdir)/t/unit/test-ldap.c $(PASSWORD_SAN_LIBS) $(SLUICE_SAN_LIBS)
	@$(MKDIR_P) t/unit
	$(AM_V_CCLD)$(SAN_CC) -o $@ $< $(PASSWORD_SAN_LIBS) $(SLUICE_SAN_LIBS) $(EXT_LIBS) $(PASSWORD_EXT_LIBS)
