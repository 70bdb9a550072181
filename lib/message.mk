# the message parser
LIB_SOURCES += lib/message.h lib/message-stub.c
