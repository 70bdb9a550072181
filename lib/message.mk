# the message parser: header fields and MIME tree (message.h), addresses,
# RFC 2047 encoded-words, MIME parameters, transfer decodings, charsets
LIB_SOURCES += lib/message.h lib/message.c lib/message-limits.h \
	lib/mime-param.h lib/mime-param.c \
	lib/mime-decode.h lib/mime-decode.c \
	lib/rfc2047.h lib/rfc2047.c \
	lib/address.h lib/address.c

UNIT_TESTS += t/unit/test-message t/unit/test-address t/unit/test-rfc2047 \
	t/unit/test-mime-decode
# prints our reading of a message file as JSON (t/message-corpus.t)
check_PROGRAMS += t/unit/msgdump
SCRIPT_TESTS += t/message-corpus.t
FUZZERS += message address
