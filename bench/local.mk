# bench/ - side-by-side benchmarks, run by hand, never by make check
# (timings on a shared machine are no test). `make bench` runs
# bench/deliver against this build tree; see bench/README.md.
EXTRA_DIST += bench/README.md bench/deliver bench/driver.c \
	bench/limit-deliver.c bench/maildir-put.h

bench: sluice-deliver sluice
	$(top_srcdir)/bench/deliver $(BENCH_FLAGS) $(abs_top_builddir)
.PHONY: bench

# bench/sieve: sluice's Sieve engine against Pigeonhole, and sluice-deliver
# with and without a 3-rule script (bench/README.md)
EXTRA_DIST += bench/sieve bench/sieve-speed.c

bench-sieve: sluice-deliver sluice $(noinst_LIBRARIES)
	$(top_srcdir)/bench/sieve $(BENCH_SIEVE_FLAGS) $(abs_top_builddir)
.PHONY: bench-sieve

# bench/lmtp: sluice-lmtpd against Dovecot's LMTP server, recipients/s at
# 1, 4 and 16 connections, next to the fsync limit (bench/README.md)
EXTRA_DIST += bench/lmtp bench/lmtp-load.c bench/fsync-loop.c

bench-lmtp: sluice-lmtpd
	$(top_srcdir)/bench/lmtp $(BENCH_LMTP_FLAGS) $(abs_top_builddir)
.PHONY: bench-lmtp

# bench/lookup: user lookups/s through sluice-lmtpd (userdb = sql:, cache
# off and on) against Dovecot's LMTP + auth, one private MariaDB
# (bench/README.md)
EXTRA_DIST += bench/lookup

bench-lookup: sluice-lmtpd
	$(top_srcdir)/bench/lookup $(BENCH_LOOKUP_FLAGS) $(abs_top_builddir)
.PHONY: bench-lookup
