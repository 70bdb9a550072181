# t/ - tests. Unit tests are C programs printing TAP; script tests are
# executable .t files. `make check` runs all of them with prove, plus the
# unit tests and fuzz seed corpora again under ASan + UBSan.

SLUICE_LIBS = core/libcore.a sieve/libsieve.a quota/libquota.a maildir/libmaildir.a mbox/libmbox.a \
	lib/libsluice.a
SLUICE_SAN_LIBS = core/libcore-san.a sieve/libsieve-san.a quota/libquota-san.a maildir/libmaildir-san.a \
	mbox/libmbox-san.a lib/libsluice-san.a
EXT_LIBS = $(DB_LIBS) $(UNISTRING_LIBS)
LDADD = $(SLUICE_LIBS) $(EXT_LIBS)

EXTRA_DIST += t/tap.h t/tmpdir.h $(SCRIPT_TESTS) t/data t/fuzz/standalone.c t/fuzz/run-fuzzers $(FUZZERS:%=t/fuzz/fuzz-%.c)
check_PROGRAMS += $(UNIT_TESTS)

# fuzz harnesses: t/fuzz/fuzz-NAME.c defines LLVMFuzzerTestOneInput;
# t/fuzz/standalone.c runs one over files (the seed corpora) without
# libFuzzer, under the sanitizers, in `make check`.


SAN_UNIT = $(UNIT_TESTS:t/unit/test-%=t/unit/san-test-%)
SAN_FUZZ = $(FUZZERS:%=t/fuzz/san-fuzz-%)
SAN_CC = $(CC) $(DEFS) $(AM_CPPFLAGS) $(CPPFLAGS) $(WARN_CFLAGS) $(SAN_CFLAGS)
CLEANFILES += $(SAN_UNIT) $(SAN_FUZZ) t/fuzz/lf-fuzz-* $(LF_LIB) $(LF_OBJS)

t/unit/san-test-%: $(srcdir)/t/unit/test-%.c $(SLUICE_SAN_LIBS)
	@$(MKDIR_P) t/unit
	$(AM_V_CCLD)$(SAN_CC) -o $@ $< $(SLUICE_SAN_LIBS) $(EXT_LIBS)

t/fuzz/san-fuzz-%: $(srcdir)/t/fuzz/fuzz-%.c $(srcdir)/t/fuzz/standalone.c $(SLUICE_SAN_LIBS)
	@$(MKDIR_P) t/fuzz
	$(AM_V_CCLD)$(SAN_CC) -o $@ $< $(srcdir)/t/fuzz/standalone.c $(SLUICE_SAN_LIBS) $(EXT_LIBS)

# make distcheck (from quickstart) passes SLUICE_DISTCHECK_QUICK=yes: the
# tarball's check then skips the sanitizer rebuild and the slow tests that
# the main run has just done
if SANITIZERS
SAN_BUILT = $(if $(SLUICE_DISTCHECK_QUICK),,$(SAN_UNIT) $(SAN_FUZZ))
else
SAN_BUILT =
endif

# libFuzzer builds (clang), for t/fuzz/run-fuzzers: every library source
# compiled once with the fuzzer's instrumentation into one archive, which
# each harness links (LF_CC compiles, LF_LINK adds libFuzzer's main).
FUZZ_LIB_C = $(filter %.c,$(CORE_SOURCES) $(SIEVE_SOURCES) $(QUOTA_SOURCES) $(MAILDIR_SOURCES) $(MBOX_SOURCES) $(LIB_SOURCES))
LF_CC = clang -std=gnu11 -g -O1 -fsanitize=fuzzer-no-link,address,undefined $(DEFS) $(AM_CPPFLAGS) $(CPPFLAGS)
LF_LINK = $(LF_CC) -fsanitize=fuzzer
LF_LIB = t/fuzz/libsluice-lf.a
LF_OBJS = $(FUZZ_LIB_C:%.c=t/fuzz/lf-obj/%.o)
fuzz-build: $(FUZZERS:%=t/fuzz/lf-fuzz-%)
t/fuzz/lf-obj/%.o: $(srcdir)/%.c
	@$(MKDIR_P) $(@D)
	$(AM_V_CC)$(LF_CC) -c -o $@ $<
$(LF_LIB): $(LF_OBJS)
	$(AM_V_AR)rm -f $@ && $(AR) $(ARFLAGS) $@ $(LF_OBJS)
t/fuzz/lf-fuzz-%: $(srcdir)/t/fuzz/fuzz-%.c $(LF_LIB)
	@$(MKDIR_P) t/fuzz
	$(AM_V_CCLD)$(LF_LINK) -o $@ $< $(LF_LIB) $(EXT_LIBS)
.PHONY: fuzz-build

TEST_ENV = SLUICE_BUILDDIR='$(abs_top_builddir)' SLUICE_SRCDIR='$(abs_top_srcdir)' \
	SLUICE_CORPUS='$(SLUICE_CORPUS)' SLUICE_SANITIZERS='$(if $(SAN_BUILT),yes,no)' \
	SLUICE_FUZZERS='$(FUZZERS)' SLUICE_QUICK='$(SLUICE_DISTCHECK_QUICK)'
PROVE_FLAGS = $(if $(V:0=),-v,)

check-local: $(SAN_BUILT) all
	@$(TEST_ENV) $(PROVE) $(PROVE_FLAGS) $(UNIT_TESTS:%=./%) \
		$(filter ./t/unit/san-test-%,$(SAN_BUILT:%=./%)) \
		$(SCRIPT_TESTS:%=$(srcdir)/%) $(TESTS_EXTRA)

# run a subset: make check-some T="t/deliver.t t/unit/test-buf"
check-some: $(SAN_BUILT) all $(check_PROGRAMS)
	@$(TEST_ENV) $(PROVE) -v $(T)
.PHONY: check-some

include t/unit/local.mk

FUZZERS += config
SCRIPT_TESTS += t/fuzz-seeds.t
# t/deliver.t is enabled once the stores land
#SCRIPT_TESTS += t/deliver.t
SCRIPT_TESTS += t/docs.t
include t/integration.mk
include t/sieve.mk
