# t/sieve.mk - the Sieve conformance corpus (t/sieve/cases/: scripts,
# messages and expected results in shared/sieve-json.md form, see
# t/sieve/NOTES.md) run through `sluice sieve test --json`, and through
# Pigeonhole's sieve-test where it is installed (t/sieve/pigeonhole-json)
SCRIPT_TESTS += t/sieve-conformance.t t/sieve-pigeonhole.t
EXTRA_DIST += t/sieve
