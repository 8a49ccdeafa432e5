// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* jsonread: parses one JSON record (a line of the stream) into a tree that tail and syslog read. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "jsonread.h"

#define JBLOCK_NODES 128

struct jblock {
	struct jblock *next;
	size_t used;
	struct jval v[JBLOCK_NODES];
};

struct parser {
	struct jdoc *d;
	const char *s, *end;
	char *out; /* next free byte of d->text */
	int err;
};

static struct jval *new_node(struct parser *p, enum jtype type)
{
	struct jblock *b = p->d->blocks;
	struct jval *v;

	if (!b || b->used == JBLOCK_NODES) {
		b = calloc(1, sizeof(*b));
		if (!b) {
			p->err = -ENOMEM;
			return NULL;
		}
		b->next = p->d->blocks;
		p->d->blocks = b;
	}
	v = &b->v[b->used++];
	v->type = type;
	return v;
}

static void skip_ws(struct parser *p)
{
	while (p->s < p->end && (*p->s == ' ' || *p->s == '\t' || *p->s == '\n' || *p->s == '\r'))
		p->s++;
}

static int hex4(const char *s, unsigned int *out)
{
	unsigned int v = 0;
	int i;

	for (i = 0; i < 4; i++) {
		char c = s[i];

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= c - '0';
		else if (c >= 'a' && c <= 'f')
			v |= c - 'a' + 10;
		else if (c >= 'A' && c <= 'F')
			v |= c - 'A' + 10;
		else
			return -1;
	}
	*out = v;
	return 0;
}

static char *put_utf8(char *o, unsigned int cp)
{
	if (cp < 0x80) {
		*o++ = cp;
	} else if (cp < 0x800) {
		*o++ = 0xc0 | (cp >> 6);
		*o++ = 0x80 | (cp & 0x3f);
	} else if (cp < 0x10000) {
		*o++ = 0xe0 | (cp >> 12);
		*o++ = 0x80 | ((cp >> 6) & 0x3f);
		*o++ = 0x80 | (cp & 0x3f);
	} else {
		*o++ = 0xf0 | (cp >> 18);
		*o++ = 0x80 | ((cp >> 12) & 0x3f);
		*o++ = 0x80 | ((cp >> 6) & 0x3f);
		*o++ = 0x80 | (cp & 0x3f);
	}
	return o;
}

/* Decodes the string at p->s (on its opening quote) into d->text; escapes only shrink the text. */
static const char *parse_string(struct parser *p, size_t *len)
{
	char *start = p->out, *o = p->out;
	unsigned int cp, lo;

	p->s++;
	while (p->s < p->end && *p->s != '"') {
		unsigned char c = *p->s;

		if (c < 0x20)
			goto bad;
		if (c != '\\') {
			*o++ = c;
			p->s++;
			continue;
		}
		if (p->end - p->s < 2)
			goto bad;
		c = p->s[1];
		p->s += 2;
		switch (c) {
		case '"':
		case '\\':
		case '/':
			*o++ = c;
			break;
		case 'b':
			*o++ = '\b';
			break;
		case 'f':
			*o++ = '\f';
			break;
		case 'n':
			*o++ = '\n';
			break;
		case 'r':
			*o++ = '\r';
			break;
		case 't':
			*o++ = '\t';
			break;
		case 'u':
			if (p->end - p->s < 4 || hex4(p->s, &cp))
				goto bad;
			p->s += 4;
			if (cp >= 0xd800 && cp <= 0xdbff) {
				/* a high surrogate must be followed by a low one */
				if (p->end - p->s < 6 || p->s[0] != '\\' || p->s[1] != 'u' ||
				    hex4(p->s + 2, &lo) || lo < 0xdc00 || lo > 0xdfff)
					goto bad;
				p->s += 6;
				cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
			} else if (cp >= 0xdc00 && cp <= 0xdfff) {
				goto bad;
			}
			o = put_utf8(o, cp);
			break;
		default:
			goto bad;
		}
	}
	if (p->s >= p->end)
		goto bad;
	p->s++;
	*o++ = 0;
	p->out = o;
	*len = o - start - 1;
	return start;
bad:
	p->err = -EINVAL;
	return NULL;
}

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* Checks the JSON number grammar and copies its text. */
static const char *parse_number(struct parser *p, size_t *len)
{
	const char *b = p->s;
	char *start = p->out;

	if (p->s < p->end && *p->s == '-')
		p->s++;
	if (p->s >= p->end || !is_digit(*p->s))
		goto bad;
	if (*p->s == '0')
		p->s++;
	else
		while (p->s < p->end && is_digit(*p->s))
			p->s++;
	if (p->s < p->end && *p->s == '.') {
		p->s++;
		if (p->s >= p->end || !is_digit(*p->s))
			goto bad;
		while (p->s < p->end && is_digit(*p->s))
			p->s++;
	}
	if (p->s < p->end && (*p->s == 'e' || *p->s == 'E')) {
		p->s++;
		if (p->s < p->end && (*p->s == '+' || *p->s == '-'))
			p->s++;
		if (p->s >= p->end || !is_digit(*p->s))
			goto bad;
		while (p->s < p->end && is_digit(*p->s))
			p->s++;
	}
	*len = p->s - b;
	memcpy(p->out, b, *len);
	p->out[*len] = 0;
	p->out += *len + 1;
	return start;
bad:
	p->err = -EINVAL;
	return NULL;
}

static int literal(struct parser *p, const char *word)
{
	size_t n = strlen(word);

	if ((size_t)(p->end - p->s) < n || memcmp(p->s, word, n)) {
		p->err = -EINVAL;
		return -1;
	}
	p->s += n;
	return 0;
}

static struct jval *parse_value(struct parser *p, int depth);

/* Parses the members (object) or elements (array) after the opening brace. */
static void parse_children(struct parser *p, struct jval *v, int depth, char close)
{
	struct jval **tail = &v->child, *c;
	const char *key = NULL;
	size_t klen;

	p->s++;
	skip_ws(p);
	if (p->s < p->end && *p->s == close) {
		p->s++;
		return;
	}
	for (;;) {
		skip_ws(p);
		if (v->type == J_OBJ) {
			if (p->s >= p->end || *p->s != '"')
				goto bad;
			key = parse_string(p, &klen);
			if (!key)
				return;
			skip_ws(p);
			if (p->s >= p->end || *p->s != ':')
				goto bad;
			p->s++;
		}
		c = parse_value(p, depth + 1);
		if (!c)
			return;
		c->key = key;
		*tail = c;
		tail = &c->next;
		skip_ws(p);
		if (p->s < p->end && *p->s == ',') {
			p->s++;
			continue;
		}
		if (p->s < p->end && *p->s == close) {
			p->s++;
			return;
		}
		goto bad;
	}
bad:
	p->err = -EINVAL;
}

static struct jval *parse_value(struct parser *p, int depth)
{
	struct jval *v = NULL;

	if (depth > JSONREAD_MAX_DEPTH) {
		p->err = -EINVAL;
		return NULL;
	}
	skip_ws(p);
	if (p->s >= p->end) {
		p->err = -EINVAL;
		return NULL;
	}
	switch (*p->s) {
	case '{':
	case '[':
		v = new_node(p, *p->s == '{' ? J_OBJ : J_ARR);
		if (v)
			parse_children(p, v, depth, *p->s == '{' ? '}' : ']');
		break;
	case '"':
		v = new_node(p, J_STR);
		if (v)
			v->str = parse_string(p, &v->len);
		break;
	case 't':
	case 'f':
		v = new_node(p, J_BOOL);
		if (v) {
			v->b = *p->s == 't';
			literal(p, v->b ? "true" : "false");
		}
		break;
	case 'n':
		v = new_node(p, J_NULL);
		if (v)
			literal(p, "null");
		break;
	default:
		v = new_node(p, J_NUM);
		if (v)
			v->str = parse_number(p, &v->len);
		break;
	}
	return p->err ? NULL : v;
}

int jdoc_parse(struct jdoc *d, const char *s, size_t n)
{
	struct parser p = { .d = d, .s = s, .end = s + n };

	memset(d, 0, sizeof(*d));
	/* decoded strings and number texts, each with a NUL, never outgrow their source */
	d->text = malloc(2 * n + 2);
	if (!d->text)
		return -ENOMEM;
	p.out = d->text;
	d->root = parse_value(&p, 0);
	if (!p.err) {
		skip_ws(&p);
		if (p.s != p.end)
			p.err = -EINVAL;
	}
	if (p.err)
		d->root = NULL;
	return p.err;
}

void jdoc_free(struct jdoc *d)
{
	struct jblock *b = d->blocks, *next;

	for (; b; b = next) {
		next = b->next;
		free(b);
	}
	free(d->text);
	memset(d, 0, sizeof(*d));
}

const struct jval *jget(const struct jval *v, const char *path)
{
	while (v && *path) {
		const char *dot = strchr(path, '.');
		size_t n = dot ? (size_t)(dot - path) : strlen(path);
		const struct jval *c;

		if (v->type != J_OBJ)
			return NULL;
		for (c = v->child; c; c = c->next)
			if (strlen(c->key) == n && !memcmp(c->key, path, n))
				break;
		v = c;
		path += n + (dot ? 1 : 0);
	}
	return v;
}

const char *jstr(const struct jval *v, const char *path)
{
	v = jget(v, path);
	return v && v->type == J_STR ? v->str : NULL;
}

int jint(const struct jval *v, const char *path, long long *out)
{
	char *end;
	long long n;

	v = jget(v, path);
	if (!v || v->type != J_NUM)
		return -1;
	errno = 0;
	n = strtoll(v->str, &end, 10);
	if (errno || *end)
		return -1;
	*out = n;
	return 0;
}

size_t jlen(const struct jval *arr)
{
	const struct jval *v;
	size_t n = 0;

	for (v = arr && arr->type == J_ARR ? arr->child : NULL; v; v = v->next)
		n++;
	return n;
}
