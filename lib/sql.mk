# SQL user databases (lib/sql.h): dovecot-sql.conf.ext, the driver layer
# (sqlite, pgsql, mysql: each library dlopen()ed when first used), the
# sql:PATH userdb; the sql:PATH passdb joins lib/libpassword.a
# (lib/password.mk, included before this). t/userdb-pgsql.t and
# t/userdb-mysql.t start private servers (t/lib/sqlservers.py).
LIB_SOURCES += lib/sql.h lib/sql-private.h lib/sql.c lib/sql-conf.c \
	lib/sql-sqlite.c lib/sql-pgsql.c lib/sql-mysql.c lib/userdb-sql.c
PASSWORD_SOURCES += lib/passdb-sql.c
PASSWORD_CFLAGS += -DHAVE_SQL_PASSDB=1
UNIT_TESTS += t/unit/test-sql t/unit/test-ttl-cache
SCRIPT_TESTS += t/userdb-sql.t t/userdb-pgsql.t t/userdb-mysql.t
EXTRA_DIST += t/lib/sqlservers.py t/lib/userdbsql.py
# test-sql checks the sql passdb too: it links lib/libpassword.a
t_unit_test_sql_LDADD = $(PASSWORD_LIBS) $(LDADD) $(PASSWORD_EXT_LIBS)
t/unit/san-test-sql: $(srcdir)/t/unit/test-sql.c $(PASSWORD_SAN_LIBS) $(SLUICE_SAN_LIBS)
	@$(MKDIR_P) t/unit
	$(AM_V_CCLD)$(SAN_CC) -o $@ $< $(PASSWORD_SAN_LIBS) $(SLUICE_SAN_LIBS) $(EXT_LIBS) $(PASSWORD_EXT_LIBS)
