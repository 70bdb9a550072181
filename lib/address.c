/* address.c - RFC 5322 address lists, lenient, without recursion */
#include "auto-config.h"
#include "address.h"
#include "buf.h"
#include "message-limits.h"
#include "rfc2047.h"
#include "xalloc.h"

#include <stdlib.h>
#include <string.h>

enum tok_type {
	T_END = 0,
	T_ATOM,		/* atext run, dots included (obs-phrase, dot-atom) */
	T_QSTR,		/* "quoted string", quotes included */
	T_DLIT,		/* [domain literal] */
	T_SPECIAL,	/* one of < > @ , ; : ) ] */
};

struct tok {
	enum tok_type type;
	char c;			/* T_SPECIAL */
	size_t start, end;	/* the token's bytes */
	int ws_before;		/* white space or a comment before it */
	size_t cmt;		/* comments.len before its CFWS */
};

struct parser {
	struct pool *pool;
	const char *s;
	size_t len, pos;
	struct buf comments;	/* text of every comment, " "-separated */
	struct tok t;		/* the current token */
	struct tok *words;	/* the phrase being read */
	size_t n_words, cap_words;
	struct address *head, **tail;
	size_t count;
	const char *group;	/* inside a group: its name */
	int group_members;
};

/* is_ws - white space; CR and LF too (a value may still be folded) */
static int is_ws(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* is_atom_end - a byte that ends an atom */
static int is_atom_end(char c)
{
	return is_ws(c) || strchr("()<>[]@,;:\"", c) != NULL || c == '\0';
}

/* skip_comment - the comment at s[pos] ("("), nesting counted */
static void skip_comment(struct parser *p)
{
	unsigned depth = 0;

	buf_append_char(&p->comments, ' ');
	while (p->pos < p->len) {
		char c = p->s[p->pos++];

		if (c == '\\' && p->pos < p->len) {
			c = p->s[p->pos++];
		} else if (c == '(') {
			depth++;
			continue;
		} else if (c == ')') {
			if (--depth == 0)
				return;
			continue;
		}
		if (c == '\r' || c == '\n')
			continue;
		if (depth <= MESSAGE_COMMENT_DEPTH_MAX)
			buf_append_char(&p->comments, c);
	}
}

/* delimited_end - end of a quoted string or literal opened at s[pos] */
static size_t delimited_end(const struct parser *p, size_t i, char close)
{
	for (i++; i < p->len; i++) {
		if (p->s[i] == '\\' && i + 1 < p->len)
			i++;
		else if (p->s[i] == close)
			return i + 1;
	}
	return p->len;
}

/* next - load the next token into p->t */
static void next(struct parser *p)
{
	struct tok *t = &p->t;
	char c;

	t->cmt = p->comments.len;
	t->ws_before = 0;
	while (p->pos < p->len) {
		if (is_ws(p->s[p->pos])) {
			p->pos++;
		} else if (p->s[p->pos] == '(') {
			skip_comment(p);
		} else {
			break;
		}
		t->ws_before = 1;
	}
	t->start = p->pos;
	if (p->pos >= p->len) {
		t->type = T_END;
		t->end = p->pos;
		return;
	}
	c = p->s[p->pos];
	if (c == '"') {
		t->type = T_QSTR;
		p->pos = delimited_end(p, p->pos, '"');
	} else if (c == '[') {
		t->type = T_DLIT;
		p->pos = delimited_end(p, p->pos, ']');
	} else if (strchr("<>@,;:)]", c) != NULL && c != '\0') {
		t->type = T_SPECIAL;
		t->c = c;
		p->pos++;
	} else {
		t->type = T_ATOM;
		while (p->pos < p->len && !is_atom_end(p->s[p->pos])) {
			size_t w = 0;

			/* an encoded-word is one word even with specials in
			 * it ("=?utf-8?q?Doe,_John?=", broken but common) */
			if (p->s[p->pos] == '=')
				w = rfc2047_word_len(p->s + p->pos,
						     p->len - p->pos);
			p->pos += w > 0 ? w : 1;
		}
		if (p->pos == t->start)	/* a NUL */
			p->pos++;
	}
	t->end = p->pos;
}

/* is_special - the current token is the special c */
static int is_special(const struct parser *p, char c)
{
	return p->t.type == T_SPECIAL && p->t.c == c;
}

/* is_word - atom, quoted string or literal */
static int is_word(const struct tok *t)
{
	return t->type == T_ATOM || t->type == T_QSTR || t->type == T_DLIT;
}

/* add_word - keep the current token in the phrase */
static void add_word(struct parser *p)
{
	if (p->n_words == p->cap_words) {
		p->cap_words = p->cap_words == 0 ? 8 : size_mul(p->cap_words, 2);
		p->words = xreallocarray(p->words, p->cap_words,
					 sizeof(*p->words));
	}
	p->words[p->n_words++] = p->t;
}

/* append_unquoted - a word's text, quotes and backslashes removed */
static void append_unquoted(const struct parser *p, const struct tok *t,
			    struct buf *b)
{
	size_t i = t->start, end = t->end;

	if (t->type != T_QSTR) {
		buf_append(b, p->s + i, end - i);
		return;
	}
	i++;
	if (end > i && p->s[end - 1] == '"')
		end--;
	for (; i < end; i++) {
		if (p->s[i] == '\\' && i + 1 < end)
			i++;
		else if (p->s[i] == '\r' || p->s[i] == '\n')
			continue;
		buf_append_char(b, p->s[i]);
	}
}

/* append_quoted - a word as written, a quoted string in canonical form */
static void append_quoted(const struct parser *p, const struct tok *t,
			  struct buf *b)
{
	struct buf u = BUF_INIT;
	size_t i;

	if (t->type != T_QSTR) {
		buf_append(b, p->s + t->start, t->end - t->start);
		return;
	}
	append_unquoted(p, t, &u);
	buf_append_char(b, '"');
	for (i = 0; i < u.len; i++) {
		if (u.data[i] == '"' || u.data[i] == '\\')
			buf_append_char(b, '\\');
		buf_append_char(b, u.data[i]);
	}
	buf_append_char(b, '"');
	buf_free(&u);
}

/* phrase - words [from, to) joined by single spaces */
static void phrase(const struct parser *p, size_t from, size_t to,
		   struct buf *b)
{
	size_t k;

	for (k = from; k < to; k++) {
		if (k > from)
			buf_append_char(b, ' ');
		append_unquoted(p, &p->words[k], b);
	}
}

/* comment_text - the comments between two token positions, trimmed */
static void comment_text(const struct parser *p, size_t from, size_t to,
			 struct buf *b)
{
	while (from < to && p->comments.data[from] == ' ')
		from++;
	while (to > from && p->comments.data[to - 1] == ' ')
		to--;
	if (to > from)	/* comments.data may be NULL when empty */
		buf_append(b, p->comments.data + from, to - from);
}

/* pool_buf - a buf's text in the pool */
static const char *pool_buf(struct pool *pool, const struct buf *b)
{
	return pool_strndup(pool, b->data != NULL ? b->data : "", b->len);
}

/* emit - add one entry */
static void emit(struct parser *p, const struct buf *name,
		 const struct buf *local, const struct buf *domain,
		 const struct buf *addr, unsigned flags)
{
	struct address *a = pool_alloc(p->pool, sizeof(*a));

	if (name->len > 0 && rfc2047_has_encoded_word(name->data, name->len))
		a->name = rfc2047_decode_pool(p->pool, name->data, name->len,
					      NULL);
	else
		a->name = pool_buf(p->pool, name);
	a->local = pool_buf(p->pool, local);
	a->domain = pool_buf(p->pool, domain);
	a->addr = pool_buf(p->pool, addr);
	a->group = p->group;
	a->flags = flags;
	if (domain->len == 0 && addr->len > 0 &&
	    !(flags & (ADDRESS_EMPTY_GROUP | ADDRESS_INVALID)))
		a->flags |= ADDRESS_NO_DOMAIN;
	*p->tail = a;
	p->tail = &a->next;
	p->count++;
	if (p->group != NULL)
		p->group_members++;
}

/* parse_domain - a domain: words joined by dots, CFWS dropped */
static void parse_domain(struct parser *p, struct buf *domain)
{
	int first = 1;

	while (p->t.type == T_ATOM || p->t.type == T_DLIT) {
		/* a new word without a dot between is the next address */
		if (!first && p->t.ws_before && domain->len > 0 &&
		    domain->data[domain->len - 1] != '.' &&
		    p->s[p->t.start] != '.')
			break;
		buf_append(domain, p->s + p->t.start, p->t.end - p->t.start);
		first = 0;
		next(p);
	}
}

/* angle_addr - "<" [obs-route] addr-spec ">" after the name's words */
static void angle_addr(struct parser *p, struct buf *name)
{
	struct buf local = BUF_INIT, domain = BUF_INIT, addr = BUF_INIT;

	next(p);	/* "<" */
	if (is_special(p, '@')) {
		/* obs-route: "@a,@b:" */
		while (p->t.type != T_END && !is_special(p, ':') &&
		       !is_special(p, '>'))
			next(p);
		if (is_special(p, ':'))
			next(p);
	}
	while (is_word(&p->t)) {
		append_unquoted(p, &p->t, &local);
		append_quoted(p, &p->t, &addr);
		next(p);
	}
	if (is_special(p, '@')) {
		next(p);
		while (p->t.type == T_ATOM || p->t.type == T_DLIT) {
			buf_append(&domain, p->s + p->t.start,
				   p->t.end - p->t.start);
			next(p);
		}
		buf_append_char(&addr, '@');
		buf_append(&addr, domain.data != NULL ? domain.data : "",
			   domain.len);
	}
	/* anything else up to ">" is junk */
	while (p->t.type != T_END && !is_special(p, '>') &&
	       !is_special(p, ',') && !is_special(p, ';'))
		next(p);
	if (is_special(p, '>'))
		next(p);
	emit(p, name, &local, &domain, &addr,
	     local.len == 0 && addr.len > 0 ? ADDRESS_INVALID : 0);
	buf_free(&local);
	buf_free(&domain);
	buf_free(&addr);
}

/* skip_invalid - "a@b@c": the rest of this address, kept as written */
static void skip_invalid(struct parser *p, size_t start, struct buf *name)
{
	struct buf none = BUF_INIT, raw = BUF_INIT;
	size_t end = p->t.start;

	while (p->t.type != T_END && !is_special(p, ',') &&
	       !(p->group != NULL && is_special(p, ';')) &&
	       !is_special(p, '<')) {
		end = p->t.end;
		next(p);
	}
	if (is_special(p, '<')) {
		/* "a@b@c <x@y>": all of it was the display name */
		buf_reset(name);
		buf_append(name, p->s + start, end - start);
		angle_addr(p, name);
		return;
	}
	buf_append(&raw, p->s + start, end - start);
	emit(p, name, &none, &none, &raw, ADDRESS_INVALID);
	buf_free(&raw);
}

/* addr_spec - the phrase ended at "@": its last word(s) are the local
 * part, any words before them (white space between) the display name */
static void addr_spec(struct parser *p, size_t cmt0)
{
	struct buf name = BUF_INIT, local = BUF_INIT, domain = BUF_INIT,
		   addr = BUF_INIT;
	size_t k, first = 0, start;

	for (k = p->n_words; k > 0; k--)
		if (k - 1 > 0 && p->words[k - 1].ws_before &&
		    p->s[p->words[k - 1].start] != '.' &&
		    p->s[p->words[k - 2].end - 1] != '.') {
			first = k - 1;
			break;
		}
	start = p->n_words > 0 ? p->words[0].start : p->t.start;
	phrase(p, 0, first, &name);
	for (k = first; k < p->n_words; k++) {
		append_unquoted(p, &p->words[k], &local);
		append_quoted(p, &p->words[k], &addr);
	}
	next(p);	/* "@" */
	parse_domain(p, &domain);
	if (domain.len == 0 || is_special(p, '@')) {
		skip_invalid(p, start, &name);
		goto out;
	}
	if (is_special(p, '<')) {
		/* "john@work <j@x>": the '@' was in the display name */
		buf_reset(&name);
		buf_append(&name, p->s + start, p->t.start - start);
		while (name.len > 0 && is_ws(name.data[name.len - 1]))
			buf_truncate(&name, name.len - 1);
		angle_addr(p, &name);
		goto out;
	}
	buf_append_char(&addr, '@');
	buf_append(&addr, domain.data, domain.len);
	if (name.len == 0)
		comment_text(p, cmt0, p->comments.len, &name);
	emit(p, &name, &local, &domain, &addr,
	     local.len == 0 ? ADDRESS_INVALID : 0);
out:
	buf_free(&name);
	buf_free(&local);
	buf_free(&domain);
	buf_free(&addr);
}

/* bare_words - a phrase with no "@" and no "<": a local part alone */
static void bare_words(struct parser *p, size_t cmt0)
{
	struct buf name = BUF_INIT, local = BUF_INIT, none = BUF_INIT;

	phrase(p, 0, p->n_words, &local);
	comment_text(p, cmt0, p->comments.len, &name);
	emit(p, &name, &local, &none, &local, 0);
	buf_free(&name);
	buf_free(&local);
}

/* end_group - ";" or the end of the value closes the group */
static void end_group(struct parser *p)
{
	struct buf none = BUF_INIT;

	if (p->group_members == 0)
		emit(p, &none, &none, &none, &none, ADDRESS_EMPTY_GROUP);
	p->group = NULL;
}

/* parse_one - one mailbox, or the start of a group */
static void parse_one(struct parser *p)
{
	size_t cmt0 = p->t.cmt;
	struct buf name = BUF_INIT;

	p->n_words = 0;
	while (is_word(&p->t)) {
		add_word(p);
		next(p);
	}
	if (is_special(p, '@')) {
		addr_spec(p, cmt0);
	} else if (is_special(p, '<')) {
		phrase(p, 0, p->n_words, &name);
		angle_addr(p, &name);
	} else if (is_special(p, ':') && p->group == NULL) {
		phrase(p, 0, p->n_words, &name);
		if (name.len > 0 &&
		    rfc2047_has_encoded_word(name.data, name.len))
			p->group = rfc2047_decode_pool(p->pool, name.data,
						       name.len, NULL);
		else
			p->group = pool_buf(p->pool, &name);
		p->group_members = 0;
		next(p);
	} else if (p->n_words > 0) {
		bare_words(p, cmt0);
	} else {
		next(p);	/* a stray special */
	}
	buf_free(&name);
}

struct address *address_parse(struct pool *pool, const char *value,
			      size_t len, size_t *count_r)
{
	struct parser p;

	memset(&p, 0, sizeof(p));
	p.pool = pool;
	p.s = value;
	p.len = len;
	p.tail = &p.head;
	buf_init(&p.comments);
	next(&p);
	while (p.t.type != T_END) {
		if (is_special(&p, ',')) {
			next(&p);
		} else if (is_special(&p, ';')) {
			if (p.group != NULL)
				end_group(&p);
			next(&p);
		} else if (p.t.type == T_SPECIAL && p.t.c != '<' &&
			   p.t.c != '@' && p.t.c != ':') {
			next(&p);
		} else {
			parse_one(&p);
		}
	}
	if (p.group != NULL)
		end_group(&p);
	buf_free(&p.comments);
	free(p.words);
	if (count_r != NULL)
		*count_r = p.count;
	return p.head;
}
