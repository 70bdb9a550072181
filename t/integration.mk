# t/integration.mk - integration, fault and concurrency tests of
# sluice-deliver (Python script tests; shared helpers in
# t/lib/sluicetest.py). postfix.t and the tmpfs cases of faults.t need
# root; they skip otherwise.
SCRIPT_TESTS += t/postfix.t t/faults.t t/concurrency.t
EXTRA_DIST += t/lib/sluicetest.py t/lib/postfixtest.py
