/* message-stub.c - placeholder parser until lib/message.c lands */
#include "auto-config.h"
#include "message.h"
#include "config.h"
#include "xalloc.h"

#include <stdlib.h>

struct message_parser { struct pool *pool; uint64_t size; };

void message_limits_default(struct message_limits *l)
{
	l->max_line_length = 1024 * 1024; l->max_header_fields = 10000;
	l->max_field_size = 1024 * 1024; l->max_mime_depth = 32;
	l->max_mime_parts = 10000;
}

void message_limits_from_config(struct message_limits *l, const struct config *cfg)
{
	(void)cfg;
	message_limits_default(l);
}

struct message_parser *message_parser_new(struct pool *pool, const struct message_limits *limits)
{
	struct message_parser *p = xcalloc(1, sizeof(*p));
	(void)limits;
	p->pool = pool;
	return p;
}

void message_parser_feed(struct message_parser *p, const void *data, size_t len)
{
	(void)data;
	p->size += len;
}

struct message *message_parser_finish(struct message_parser **pp)
{
	struct message *m = pool_alloc((*pp)->pool, sizeof(*m));
	m->root = pool_alloc((*pp)->pool, sizeof(*m->root));
	m->size = (*pp)->size;
	free(*pp);
	*pp = NULL;
	return m;
}

const struct msg_header *message_header_find(const struct msg_part *part, const char *name, size_t n)
{
	(void)part; (void)name; (void)n;
	return NULL;
}
