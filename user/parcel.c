// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* parcel: reads Android Binder Parcels as libbinder lays them out (token, String16, replies). */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include "parcel.h"

#define HEADER_SYST 0x53595354u /* 'SYST', libbinder's kHeader for system stability */
#define HEADER_VNDR 0x564e4452u /* 'VNDR' */
#define FLAT_BINDER_OBJECT_BYTES 24
#define MAX_STRS 64 /* List<String> items read */

void parcel_init(struct parcel *p, const void *data, size_t len)
{
	p->data = data;
	p->len = len;
	p->pos = 0;
	p->error = 0;
}

static int fail(struct parcel *p)
{
	p->error = 1;
	return -EINVAL;
}

static int take(struct parcel *p, void *out, size_t n)
{
	if (p->error || n > p->len - p->pos)
		return fail(p);
	if (out)
		memcpy(out, p->data + p->pos, n);
	p->pos += n;
	return 0;
}

int parcel_i32(struct parcel *p, int32_t *v)
{
	return take(p, v, sizeof(*v));
}

int parcel_i64(struct parcel *p, int64_t *v)
{
	return take(p, v, sizeof(*v));
}

static size_t pad4(size_t n)
{
	return (n + 3) & ~(size_t)3;
}

/* Appends code point c as UTF-8 if it fits whole. */
static size_t put_utf8(char *out, size_t size, size_t at, uint32_t c)
{
	uint8_t b[4];
	size_t n;

	if (c < 0x80) {
		b[0] = c;
		n = 1;
	} else if (c < 0x800) {
		b[0] = 0xc0 | (c >> 6);
		b[1] = 0x80 | (c & 0x3f);
		n = 2;
	} else if (c < 0x10000) {
		b[0] = 0xe0 | (c >> 12);
		b[1] = 0x80 | ((c >> 6) & 0x3f);
		b[2] = 0x80 | (c & 0x3f);
		n = 3;
	} else {
		b[0] = 0xf0 | (c >> 18);
		b[1] = 0x80 | ((c >> 12) & 0x3f);
		b[2] = 0x80 | ((c >> 6) & 0x3f);
		b[3] = 0x80 | (c & 0x3f);
		n = 4;
	}
	if (at + n >= size)
		return at;
	memcpy(out + at, b, n);
	return at + n;
}

int parcel_string16(struct parcel *p, char *out, size_t size)
{
	const uint8_t *u;
	size_t bytes, i, at = 0;
	int32_t units;

	if (size)
		out[0] = 0;
	if (parcel_i32(p, &units))
		return -EINVAL;
	if (units == -1)
		return -1;
	/* units, the NUL unit, then padding: all of it must be there */
	if (units < 0 || (size_t)units > (p->len - p->pos) / 2)
		return fail(p);
	bytes = pad4(((size_t)units + 1) * 2);
	if (bytes > p->len - p->pos)
		return fail(p);
	u = p->data + p->pos;
	if (u[units * 2] || u[units * 2 + 1])
		return fail(p); /* no NUL where the length says the string ends */
	for (i = 0; i < (size_t)units && size; i++) {
		uint32_t c = u[2 * i] | (u[2 * i + 1] << 8);

		/* a surrogate pair is one code point; a lone surrogate becomes U+FFFD */
		if (c >= 0xd800 && c < 0xdc00 && i + 1 < (size_t)units) {
			uint32_t lo = u[2 * i + 2] | (u[2 * i + 3] << 8);

			if (lo >= 0xdc00 && lo < 0xe000) {
				c = 0x10000 + ((c - 0xd800) << 10) + (lo - 0xdc00);
				i++;
			} else {
				c = 0xfffd;
			}
		} else if ((c >= 0xd800 && c < 0xe000) || c == 0) {
			c = 0xfffd; /* and a NUL inside would cut the C string short */
		}
		at = put_utf8(out, size, at, c);
	}
	if (size)
		out[at] = 0;
	p->pos += bytes;
	return (int)at;
}

int parcel_bytes(struct parcel *p, uint8_t *out, size_t size)
{
	int32_t n;
	size_t copy;

	if (parcel_i32(p, &n))
		return -EINVAL;
	if (n == -1)
		return 0;
	if (n < 0 || pad4((size_t)n) > p->len - p->pos)
		return fail(p);
	copy = out ? ((size_t)n < size ? (size_t)n : size) : (size_t)n;
	if (out)
		memcpy(out, p->data + p->pos, copy);
	p->pos += pad4((size_t)n);
	return (int)copy;
}

/* Whether a String16 that parses starts at off: the test that tells the layouts apart. */
static int token_at(const struct parcel *p, size_t off)
{
	struct parcel q = *p;
	char name[8];

	q.pos = off;
	q.error = 0;
	return off < p->len && parcel_string16(&q, name, sizeof(name)) > 0;
}

int parcel_interface_token(struct parcel *p, char *out, size_t size)
{
	uint32_t header = 0;
	int kind;

	if (p->len - p->pos >= 12)
		memcpy(&header, p->data + p->pos + 8, 4);
	/* 11+: the header word; 10: the work-source uid before the token; before: the token */
	if (header == HEADER_SYST || header == HEADER_VNDR)
		kind = PARCEL_HEADER_11;
	else if (token_at(p, p->pos + 8))
		kind = PARCEL_HEADER_10;
	else
		kind = PARCEL_HEADER_PRE10;
	if (take(p, NULL, kind == PARCEL_HEADER_11 ? 12 : kind == PARCEL_HEADER_10 ? 8 : 4))
		return -EINVAL;
	if (parcel_string16(p, out, size) <= 0)
		return fail(p);
	return kind;
}

int parcel_reply_status(struct parcel *p, int32_t *exception)
{
	int32_t code, header;
	size_t start;

	if (parcel_i32(p, &code))
		return -EINVAL;
	if (code == PARCEL_EX_HAS_REPLY_HEADER) {
		/* the header's size counts from its own size field */
		start = p->pos;
		if (parcel_i32(p, &header) || header < 4 || (size_t)header > p->len - start)
			return fail(p);
		p->pos = start + (size_t)header;
		code = 0;
	} else if (code == PARCEL_EX_HAS_NOTED_APPOPS) {
		return fail(p); /* its layout varies by release: not read */
	}
	*exception = code;
	return 0;
}

static const struct {
	const char *name;
	enum parcel_item type;
} item_names[] = {
	{ "int", PARCEL_INT },	   { "long", PARCEL_LONG },   { "bool", PARCEL_BOOL },
	{ "str", PARCEL_STR },	   { "bytes", PARCEL_BYTES }, { "strs", PARCEL_STRS },
	{ "intent", PARCEL_INTENT },
};

static const struct {
	const char *prefix;
	enum parcel_role role;
} role_names[] = {
	{ "value=", PARCEL_ROLE_VALUE },
	{ "to=", PARCEL_ROLE_TO },
	{ "text=", PARCEL_ROLE_TEXT },
};

int parcel_layout_parse(const char *text, enum parcel_layout_kind kind, struct parcel_layout *out,
			char *err, size_t err_size)
{
	int roles[4] = { 0 };
	const char *s = text;
	size_t i;

	memset(out, 0, sizeof(*out));
	while (*s) {
		char word[32];
		const char *w;
		size_t n = strcspn(s, " \t");
		enum parcel_role role = PARCEL_ROLE_NONE;
		int type = 0;

		if (!n) {
			s++;
			continue;
		}
		if (n >= sizeof(word)) {
			snprintf(err, err_size, "layout item '%.*s…' is too long", 16, s);
			return -EINVAL;
		}
		memcpy(word, s, n);
		word[n] = 0;
		s += n;
		w = word;
		for (i = 0; i < sizeof(role_names) / sizeof(role_names[0]); i++) {
			size_t pl = strlen(role_names[i].prefix);

			if (!strncmp(w, role_names[i].prefix, pl)) {
				role = role_names[i].role;
				w += pl;
			}
		}
		for (i = 0; i < sizeof(item_names) / sizeof(item_names[0]); i++)
			if (!strcmp(w, item_names[i].name))
				type = item_names[i].type;
		if (!type) {
			snprintf(err, err_size,
				 "unknown layout item '%s' (expected int, long, bool, str, bytes, "
				 "strs or intent, optionally after value=, to= or text=)", word);
			return -EINVAL;
		}
		if ((kind == PARCEL_LAYOUT_REPLY && (role == PARCEL_ROLE_TO || role == PARCEL_ROLE_TEXT)) ||
		    (kind == PARCEL_LAYOUT_SMS && role == PARCEL_ROLE_VALUE)) {
			snprintf(err, err_size, "'%s' has no meaning in %s", word,
				 kind == PARCEL_LAYOUT_REPLY ? "a reply (use value=)"
							     : "SMS arguments (use to= and text=)");
			return -EINVAL;
		}
		if ((role == PARCEL_ROLE_VALUE && type == PARCEL_INTENT) ||
		    (role == PARCEL_ROLE_TO && type != PARCEL_STR) ||
		    (role == PARCEL_ROLE_TEXT && type != PARCEL_STR && type != PARCEL_BYTES &&
		     type != PARCEL_STRS) ||
		    (role == PARCEL_ROLE_VALUE && type == PARCEL_STRS)) {
			snprintf(err, err_size, "'%s': that role cannot be a %s", word, w);
			return -EINVAL;
		}
		if (role && roles[role]++) {
			snprintf(err, err_size, "'%s': a layout has one item of that role", word);
			return -EINVAL;
		}
		if (out->n == PARCEL_LAYOUT_MAX) {
			snprintf(err, err_size, "a layout has at most %d items", PARCEL_LAYOUT_MAX);
			return -EINVAL;
		}
		out->items[out->n].type = type;
		out->items[out->n].role = role;
		out->n++;
	}
	if (kind == PARCEL_LAYOUT_REPLY && !roles[PARCEL_ROLE_VALUE]) {
		snprintf(err, err_size, "a reply layout needs a value= item (e.g. \"value=str\")");
		return -EINVAL;
	}
	if (kind == PARCEL_LAYOUT_SMS && (!roles[PARCEL_ROLE_TO] || !roles[PARCEL_ROLE_TEXT])) {
		snprintf(err, err_size, "SMS arguments need a to= and a text= item");
		return -EINVAL;
	}
	return 0;
}

/* Reads one item; with a buffer, the item's content as text (or bytes) goes there, and the
 * return value is its length (-1 for a null). Without one the item is skipped. */
static int read_item(struct parcel *p, int type, int stable_binders, uint8_t *out, size_t size)
{
	int32_t i32, count;
	int64_t i64;
	int n, k;

	switch (type) {
	case PARCEL_INT:
	case PARCEL_BOOL:
		if (parcel_i32(p, &i32))
			return -EINVAL;
		return out ? snprintf((char *)out, size, "%" PRId32, i32) : 0;
	case PARCEL_LONG:
		if (parcel_i64(p, &i64))
			return -EINVAL;
		return out ? snprintf((char *)out, size, "%" PRId64, i64) : 0;
	case PARCEL_STR:
		if (out)
			return parcel_string16(p, (char *)out, size);
		n = parcel_string16(p, NULL, 0);
		return n == -EINVAL ? n : 0;
	case PARCEL_BYTES:
		/* terminated too, so that a value read as bytes is also a string */
		n = parcel_bytes(p, out, size ? size - 1 : 0);
		if (out && size && n >= 0)
			out[n] = 0;
		return n;
	case PARCEL_STRS: {
		size_t at = 0;

		if (parcel_i32(p, &count))
			return -EINVAL;
		if (count == -1)
			return -1;
		if (count < 0 || count > MAX_STRS)
			return fail(p);
		/* the parts of a multipart SMS, joined */
		for (k = 0; k < count; k++) {
			n = parcel_string16(p, out ? (char *)out + at : NULL, out ? size - at : 0);
			if (n == -EINVAL)
				return n;
			if (n > 0)
				at += n;
		}
		return (int)at;
	}
	case PARCEL_INTENT:
		/* a nullable Parcelable: int32 0, or 1 and the PendingIntent's binder (followed by
		 * its stability level from Android 11) */
		if (parcel_i32(p, &i32))
			return -EINVAL;
		if (!i32)
			return 0;
		return take(p, NULL, FLAT_BINDER_OBJECT_BYTES + (stable_binders ? 4 : 0));
	}
	return fail(p);
}

int parcel_reply_value(const uint8_t *data, size_t len, const struct parcel_layout *l, char *out,
		       size_t size)
{
	struct parcel p;
	int32_t exception;
	size_t i;
	int n;

	if (size)
		out[0] = 0;
	parcel_init(&p, data, len);
	if (parcel_reply_status(&p, &exception))
		return -EINVAL;
	if (exception)
		return 0;
	for (i = 0; i < l->n; i++) {
		int is_value = l->items[i].role == PARCEL_ROLE_VALUE;

		n = read_item(&p, l->items[i].type, 1, is_value ? (uint8_t *)out : NULL, size);
		if (n == -EINVAL)
			return n;
		if (is_value)
			return n < 0 ? 0 : n;
	}
	return 0;
}

int parcel_sms_decode(const uint8_t *data, size_t len, const struct parcel_layout *l,
		      struct parcel_sms *sms)
{
	struct parcel p;
	int kind, n;
	size_t i;

	memset(sms, 0, sizeof(*sms));
	parcel_init(&p, data, len);
	kind = parcel_interface_token(&p, sms->interface, sizeof(sms->interface));
	if (kind < 0)
		return -EINVAL;
	for (i = 0; i < l->n; i++) {
		int role = l->items[i].role;
		uint8_t *out = role == PARCEL_ROLE_TO ? (uint8_t *)sms->to :
			       role == PARCEL_ROLE_TEXT ? sms->text : NULL;
		size_t size = role == PARCEL_ROLE_TO ? sizeof(sms->to) :
			      role == PARCEL_ROLE_TEXT ? sizeof(sms->text) : 0;

		n = read_item(&p, l->items[i].type, kind == PARCEL_HEADER_11, out, size);
		if (n == -EINVAL)
			return n;
		if (role == PARCEL_ROLE_TEXT)
			sms->text_len = n > 0 ? (size_t)n : 0;
		/* what follows the destination and the text does not matter */
		if (sms->to[0] && sms->text_len && role)
			break;
	}
	return sms->to[0] ? 0 : -EINVAL;
}
