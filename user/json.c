// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* json: builds one JSON Lines record in a growable buffer, with escaping and RFC 3339 times. */
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
	memset(j, 0, sizeof(*j));
}

static void put(struct json *j, const char *s, size_t n)
{
	if (j->failed)
		return;
	if (j->len + n + 1 > j->cap) {
		size_t cap = j->cap ? j->cap : 512;
		char *p;

		while (cap < j->len + n + 1)
			cap *= 2;
		p = realloc(j->s, cap);
		if (!p) {
			j->failed = 1;
			return;
		}
		j->s = p;
		j->cap = cap;
	}
	memcpy(j->s + j->len, s, n);
	j->len += n;
	j->s[j->len] = 0;
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

static void open_level(struct json *j, const char *key, const char *brace)
{
	member(j, key);
	puts_(j, brace);
	if (j->depth < JSON_MAX_DEPTH)
		j->count[j->depth] = 0;
	j->depth++;
}

void json_object_begin(struct json *j, const char *key)
{
	open_level(j, key, "{");
}

void json_object_end(struct json *j)
{
	j->depth--;
	puts_(j, "}");
}

void json_array_begin(struct json *j, const char *key)
{
	open_level(j, key, "[");
}

void json_array_end(struct json *j)
{
	j->depth--;
	puts_(j, "]");
}

void json_string_n(struct json *j, const char *key, const char *value, size_t n)
{
	member(j, key);
	put_escaped(j, value, n);
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
}

void json_uint(struct json *j, const char *key, unsigned long long value)
{
	char buf[32];

	member(j, key);
	snprintf(buf, sizeof(buf), "%llu", value);
	puts_(j, buf);
}

void json_bool(struct json *j, const char *key, int value)
{
	member(j, key);
	puts_(j, value ? "true" : "false");
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
	char ts[64];

	clock_gettime(CLOCK_REALTIME, &now);
	format_rfc3339(&now, ts, sizeof(ts));
	json_object_begin(j, NULL);
	json_string(j, "type", type);
	json_string(j, "ts", ts);
}
