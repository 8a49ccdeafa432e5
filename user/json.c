// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* json: builds one JSON Lines record in a growable buffer, with escaping and RFC 3339 times, and
 * keeps what it says as data beside the text, for the sinks (struct record). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "json.h"

void json_init(struct json *j)
{
	memset(j, 0, sizeof(*j));
}

void json_free(struct json *j)
{
	free(j->s);
	free(j->fields);
	memset(j, 0, sizeof(*j));
}

/* Room for n more bytes and a NUL in *buf; 0, or -1 after marking the record failed. */
static int reserve(struct json *j, char **buf, size_t len, size_t *cap, size_t n)
{
	size_t want = *cap ? *cap : 512;
	char *p;

	if (j->failed)
		return -1;
	if (len + n + 1 <= *cap)
		return 0;
	while (want < len + n + 1)
		want *= 2;
	p = realloc(*buf, want);
	if (!p) {
		j->failed = 1;
		return -1;
	}
	*buf = p;
	*cap = want;
	return 0;
}

static void put(struct json *j, const char *s, size_t n)
{
	if (reserve(j, &j->s, j->len, &j->cap, n))
		return;
	memcpy(j->s + j->len, s, n);
	j->len += n;
	j->s[j->len] = 0;
}

static void put_field(struct json *j, const char *s, size_t n)
{
	if (!n || reserve(j, &j->fields, j->fields_len, &j->fields_cap, n))
		return;
	memcpy(j->fields + j->fields_len, s, n);
	j->fields_len += n;
}

static void puts_(struct json *j, const char *s)
{
	put(j, s, strlen(s));
}

/* Length of the well-formed UTF-8 sequence at s, or 0: RFC 3629's table, so no overlong forms
 * (C0 AF, E0 80 AF), no surrogates (ED A0 80) and nothing above U+10FFFF (F4 90 80 80), which a
 * strict reader would reject. */
static size_t utf8_sequence(const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	unsigned char lo = 0x80, hi = 0xbf; /* the second byte's range */
	size_t k, i;

	if (u[0] >= 0xc2 && u[0] <= 0xdf)
		k = 2;
	else if (u[0] >= 0xe0 && u[0] <= 0xef)
		k = 3;
	else if (u[0] >= 0xf0 && u[0] <= 0xf4)
		k = 4;
	else
		return 0;
	if (u[0] == 0xe0)
		lo = 0xa0;
	else if (u[0] == 0xed)
		hi = 0x9f;
	else if (u[0] == 0xf0)
		lo = 0x90;
	else if (u[0] == 0xf4)
		hi = 0x8f;
	if (k > n || u[1] < lo || u[1] > hi)
		return 0;
	for (i = 2; i < k; i++)
		if ((u[i] & 0xc0) != 0x80)
			return 0;
	return k;
}

/* Writes byte c as \u00XX. */
static void put_u00(struct json *j, unsigned char c)
{
	static const char hex[] = "0123456789abcdef";
	char esc[6] = { '\\', 'u', '0', '0', hex[c >> 4], hex[c & 15] };

	put(j, esc, sizeof(esc));
}

static void put_escaped(struct json *j, const char *s, size_t n)
{
	size_t i = 0, run;

	put(j, "\"", 1);
	while (i < n) {
		unsigned char c = s[i];
		size_t k;

		/* a run that needs no escaping goes in with one copy */
		for (run = i; run < n; run++) {
			c = s[run];
			if (c < 0x20 || c == '"' || c == '\\' || c == 0x7f)
				break;
			if (c >= 0x80) {
				k = utf8_sequence(s + run, n - run);
				if (!k)
					break;
				run += k - 1;
			}
		}
		if (run > i)
			put(j, s + i, run - i);
		if (run == n)
			break;
		i = run + 1;
		if (c == '"' || c == '\\') {
			char esc[2] = { '\\', c };

			put(j, esc, 2);
		} else if (c == '\n') {
			put(j, "\\n", 2);
		} else if (c == '\t') {
			put(j, "\\t", 2);
		} else {
			/* controls; and bytes from processes need not be UTF-8: keep invalid ones
			 * visible as the code point of the same number */
			put_u00(j, c);
		}
	}
	put(j, "\"", 1);
}

/* Whether a member at key is kept as data: a record's, with a key, on a path that fits. */
static int keeps(const struct json *j, const char *key)
{
	return j->type[0] && key && j->plen + strlen(key) < JSON_PATH_MAX;
}

/* Starts a field "path\0": the open objects' keys, then key. */
static void field_key(struct json *j, const char *key)
{
	put_field(j, j->path, j->plen);
	put_field(j, key, strlen(key) + 1);
}

/* A string field as a reader decodes the escaped text: bytes that are not UTF-8 went out as
 * \u00XX, so they come back as U+00XX; up to the first NUL, which ends a C string anyway. */
static void field_string(struct json *j, const char *key, const char *s, size_t n)
{
	size_t i = 0, from = 0, k;

	if (!keeps(j, key))
		return;
	field_key(j, key);
	while (i < n && s[i]) {
		unsigned char c = s[i];
		char u00[2];

		k = c < 0x80 ? 1 : utf8_sequence(s + i, n - i);
		if (k) {
			i += k;
			continue;
		}
		u00[0] = (char)(0xc0 | c >> 6);
		u00[1] = (char)(0x80 | (c & 0x3f));
		put_field(j, s + from, i - from);
		put_field(j, u00, sizeof(u00));
		from = ++i;
	}
	put_field(j, s + from, i - from);
	put_field(j, "", 1);
}

static void field_text(struct json *j, const char *key, const char *text)
{
	if (!keeps(j, key))
		return;
	field_key(j, key);
	put_field(j, text, strlen(text) + 1);
}

/* Comma and key before a member. */
static void member(struct json *j, const char *key)
{
	if (j->depth > 0 && j->count[j->depth - 1]++ > 0)
		put(j, ",", 1);
	if (key) {
		put_escaped(j, key, strlen(key));
		put(j, ":", 1);
	}
}

/* Members of a nested level are kept under its key ("process." + "pid"); the objects in an array
 * under the array's. Keys that would not fit are not kept, nor anything under them. */
static void open_level(struct json *j, const char *key, const char *brace)
{
	member(j, key);
	puts_(j, brace);
	if (j->depth < JSON_MAX_DEPTH) {
		j->count[j->depth] = 0;
		j->path_len[j->depth] = j->plen;
	}
	if (keeps(j, key)) {
		memcpy(j->path + j->plen, key, strlen(key));
		j->plen += strlen(key);
		j->path[j->plen++] = '.';
	} else if (key && j->type[0]) {
		j->plen = JSON_PATH_MAX;
	}
	j->depth++;
}

static void close_level(struct json *j, const char *brace)
{
	j->depth--;
	if (j->depth == 0)
		j->members_end = j->len;
	if (j->depth >= 0 && j->depth < JSON_MAX_DEPTH)
		j->plen = j->path_len[j->depth];
	puts_(j, brace);
}

void json_object_begin(struct json *j, const char *key)
{
	open_level(j, key, "{");
}

void json_object_end(struct json *j)
{
	close_level(j, "}");
}

void json_array_begin(struct json *j, const char *key)
{
	open_level(j, key, "[");
}

void json_array_end(struct json *j)
{
	close_level(j, "]");
}

void json_string_n(struct json *j, const char *key, const char *value, size_t n)
{
	member(j, key);
	put_escaped(j, value, n);
	field_string(j, key, value, n);
}

void json_string(struct json *j, const char *key, const char *value)
{
	if (!value) {
		json_null(j, key);
		return;
	}
	json_string_n(j, key, value, strlen(value));
}

void json_int(struct json *j, const char *key, long long value)
{
	char buf[32];

	member(j, key);
	snprintf(buf, sizeof(buf), "%lld", value);
	puts_(j, buf);
	field_text(j, key, buf);
}

void json_uint(struct json *j, const char *key, unsigned long long value)
{
	char buf[32];

	member(j, key);
	snprintf(buf, sizeof(buf), "%llu", value);
	puts_(j, buf);
	field_text(j, key, buf);
}

void json_bool(struct json *j, const char *key, int value)
{
	member(j, key);
	puts_(j, value ? "true" : "false");
	field_text(j, key, value ? "true" : "false");
}

void json_null(struct json *j, const char *key)
{
	member(j, key);
	puts_(j, "null");
}

void format_rfc3339(const struct timespec *ts, char *buf, size_t size)
{
	struct tm tm;
	char base[64];

	gmtime_r(&ts->tv_sec, &tm);
	strftime(base, sizeof(base), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf, size, "%.20s.%06dZ", base, (int)(ts->tv_nsec / 1000) % 1000000);
}

void json_record_begin(struct json *j, const char *type)
{
	struct timespec now;

	clock_gettime(CLOCK_REALTIME, &now);
	format_rfc3339(&now, j->ts, sizeof(j->ts));
	json_object_begin(j, NULL);
	json_string(j, "type", type);
	json_string(j, "ts", j->ts);
	/* kept apart from the members, which follow */
	snprintf(j->type, sizeof(j->type), "%s", type);
	j->members = j->members_end = j->len;
}

void json_members(struct json *j, const struct json *from)
{
	size_t end = from->depth ? from->len : from->members_end;

	if (from->failed) {
		j->failed = 1;
		return;
	}
	/* they begin with the comma that follows "ts", and j's level counts "type" and "ts" already:
	 * whatever is written next gets its comma */
	put(j, from->s + from->members, end - from->members);
	put_field(j, from->fields, from->fields_len);
}

int json_record_end(struct json *j, struct record *r)
{
	json_object_end(j);
	put(j, "\n", 1);
	memset(r, 0, sizeof(*r));
	if (j->failed)
		return -1;
	r->type = j->type;
	r->ts = j->ts;
	r->line = j->s;
	r->len = j->len;
	r->data = j;
	return 0;
}

const char *json_field(const struct json *j, const char *path, const char *after)
{
	const char *f = j->fields, *end = j->fields ? j->fields + j->fields_len : NULL;

	if (j->failed)
		return NULL; /* a pair may be cut short */
	while (f && f < end) {
		const char *value = f + strlen(f) + 1;

		if (after) {
			if (value == after)
				after = NULL;
		} else if (!strcmp(f, path)) {
			return value;
		}
		f = value + strlen(value) + 1;
	}
	return NULL;
}
