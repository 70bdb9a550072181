# lmtpd/ - sluice-lmtpd, the LMTP server (RFC 2033). The protocol
# (session, transaction, conn, tls) is a library so the fuzz harness
# t/fuzz/fuzz-lmtp.c can drive it; the master and workers are the program.
LMTPD_LIB_SOURCES = lmtpd/lmtpd.h lmtpd/session.h lmtpd/session.c \
	lmtpd/transaction.c lmtpd/conn.c lmtpd/tls.c
noinst_LIBRARIES += lmtpd/liblmtpd.a
lmtpd_liblmtpd_a_SOURCES = $(LMTPD_LIB_SOURCES)
lmtpd_liblmtpd_a_CFLAGS = $(AM_CFLAGS) $(OPENSSL_CFLAGS)
if SANITIZERS
check_LIBRARIES += lmtpd/liblmtpd-san.a
lmtpd_liblmtpd_san_a_SOURCES = $(LMTPD_LIB_SOURCES)
lmtpd_liblmtpd_san_a_CFLAGS = $(AM_CFLAGS) $(SAN_CFLAGS) $(OPENSSL_CFLAGS)
endif

sbin_PROGRAMS += sluice-lmtpd
sluice_lmtpd_SOURCES = lmtpd/main.c lmtpd/worker.c
sluice_lmtpd_CFLAGS = $(AM_CFLAGS) $(OPENSSL_CFLAGS)
sluice_lmtpd_LDADD = lmtpd/liblmtpd.a $(SLUICE_LIBS) $(EXT_LIBS) $(OPENSSL_LIBS)

# the LMTP fuzz harness needs the protocol library, OpenSSL and threads:
# its own rules instead of t/local.mk's patterns
FUZZERS += lmtp
t/fuzz/san-fuzz-lmtp: $(srcdir)/t/fuzz/fuzz-lmtp.c $(srcdir)/t/fuzz/standalone.c lmtpd/liblmtpd-san.a $(SLUICE_SAN_LIBS)
	@$(MKDIR_P) t/fuzz
	$(AM_V_CCLD)$(SAN_CC) -pthread -o $@ $< $(srcdir)/t/fuzz/standalone.c lmtpd/liblmtpd-san.a $(SLUICE_SAN_LIBS) $(EXT_LIBS) $(OPENSSL_LIBS)
t/fuzz/lf-fuzz-lmtp: $(srcdir)/t/fuzz/fuzz-lmtp.c $(LMTPD_LIB_SOURCES:%=$(srcdir)/%) $(LF_LIB)
	@$(MKDIR_P) t/fuzz
	$(AM_V_CCLD)$(LF_LINK) -pthread -o $@ $< $(filter %.c,$(LMTPD_LIB_SOURCES:%=$(srcdir)/%)) $(LF_LIB) $(EXT_LIBS) $(OPENSSL_LIBS)

SCRIPT_TESTS += t/lmtpd.t t/lmtpd-tls.t t/lmtpd-postfix.t t/lmtpd-load.t
EXTRA_DIST += t/lmtpd_helper.py
