# sieve/ - the Sieve engine (RFC 5228 and extensions): lexer, parser,
# validator, interpreter, result; language pieces one file each.
SIEVE_SOURCES = sieve/sieve.h sieve/sieve-ast.h sieve/sieve-ext.h \
	sieve/sieve-limits.h sieve/sieve-ext-list.h sieve/sieve-private.h \
	sieve/sieve-lexer.h sieve/sieve-lexer.c \
	sieve/sieve-ast.c sieve/sieve-parser.c sieve/sieve-validator.c \
	sieve/sieve-interp.c sieve/sieve-result.c sieve/sieve-ext.c \
	sieve/sieve-match.c sieve/sieve-comparator.c sieve/sieve-address.c \
	sieve/sieve-message.c sieve/sieve-json.c sieve/sieve.c \
	sieve/sieve-core.c sieve/cmd-control.c sieve/cmd-actions.c \
	sieve/tst-core.c
# extensions: one line each, `SIEVE_SOURCES += sieve/ext-NAME.c` (and a
# SIEVE_EXT(NAME) line in sieve/sieve-ext-list.h)
SIEVE_SOURCES += sieve/ext-fileinto.c
SIEVE_SOURCES += sieve/ext-envelope.c
SIEVE_SOURCES += sieve/ext-imap4flags.c
SIEVE_SOURCES += sieve/ext-copy.c
SIEVE_SOURCES += sieve/ext-mailbox.c
SIEVE_SOURCES += sieve/ext-special-use.c
SIEVE_SOURCES += sieve/ext-mailboxid.c
SIEVE_SOURCES += sieve/ext-fcc.c sieve/ext-fcc.h
SIEVE_SOURCES += sieve/ext-subaddress.c
SIEVE_SOURCES += sieve/ext-body.c sieve/ext-body.h
SIEVE_SOURCES += sieve/ext-mime.c sieve/ext-mime-foreverypart.c sieve/ext-mime-extracttext.c
SIEVE_SOURCES += sieve/ext-editheader.c sieve/ext-editheader.h
SIEVE_SOURCES += sieve/ext-relational.c sieve/ext-comparator-numeric.c sieve/ext-comparator-unicode.c sieve/ext-regex.c sieve/ext-date.c sieve/ext-index.c sieve/ext-spamtest.c
SIEVE_SOURCES += sieve/ext-reject.c sieve/ext-vacation.c sieve/ext-enotify.c sieve/ext-enotify.h sieve/ext-duplicate.c sieve/ext-duplicate.h sieve/ext-environment.c
SIEVE_SOURCES += sieve/ext-variables.c sieve/ext-variables.h sieve/ext-include.c sieve/ext-ihave.c

noinst_LIBRARIES += sieve/libsieve.a
sieve_libsieve_a_SOURCES = $(SIEVE_SOURCES)
if SANITIZERS
check_LIBRARIES += sieve/libsieve-san.a
sieve_libsieve_san_a_SOURCES = $(SIEVE_SOURCES)
sieve_libsieve_san_a_CFLAGS = $(AM_CFLAGS) $(SAN_CFLAGS)
endif
# the core's tests
UNIT_TESTS += t/unit/test-sieve-lexer
UNIT_TESTS += t/unit/test-sieve
FUZZERS += sieve
SCRIPT_TESTS += t/sieve-tools.t
# extension tests: one line each, `UNIT_TESTS += t/unit/test-sieve-NAME`
UNIT_TESTS += t/unit/test-sieve-vacation
UNIT_TESTS += t/unit/test-sieve-vars
UNIT_TESTS += t/unit/test-sieve-body
SCRIPT_TESTS += t/sieve-body.t
UNIT_TESTS += t/unit/test-sieve-relational
UNIT_TESTS += t/unit/test-sieve-mailbox
SCRIPT_TESTS += t/sieve-vacation.t
SCRIPT_TESTS += t/sieve-vars.t
SCRIPT_TESTS += t/sieve-mailbox.t
SCRIPT_TESTS += t/sieve-relational.t
