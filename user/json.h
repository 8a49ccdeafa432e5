/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* json: builds one JSON Lines record in a growable buffer, with escaping and RFC 3339 times. */
/* Hand-written rather than json-c or jansson: faster on alert records with a few allocations
 * instead of dozens, and it keeps every record valid UTF-8 whatever bytes a process's names hold,
 * which neither library does by itself (`make bench-json`; fuzz_json_oracle checks it). */
#ifndef IDSENTRY_JSON_H
#define IDSENTRY_JSON_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define JSON_MAX_DEPTH 16

struct json {
	char *s;
	size_t len, cap;
	int failed;                /* an allocation failed: the record is unusable */
	int depth;
	int count[JSON_MAX_DEPTH]; /* members written at each open level, for commas */
};

void json_init(struct json *j);
void json_free(struct json *j);
/* key is NULL inside arrays and for the top-level object. */
void json_object_begin(struct json *j, const char *key);
void json_object_end(struct json *j);
void json_array_begin(struct json *j, const char *key);
void json_array_end(struct json *j);
void json_string(struct json *j, const char *key, const char *value); /* NULL writes null */
void json_string_n(struct json *j, const char *key, const char *value, size_t n);
void json_int(struct json *j, const char *key, long long value);
void json_uint(struct json *j, const char *key, unsigned long long value);
void json_bool(struct json *j, const char *key, int value);
void json_null(struct json *j, const char *key);
/* "type" and "ts" (now, UTC, microseconds): how every record starts. */
void json_record_begin(struct json *j, const char *type);
/* Writes ts as RFC 3339 UTC with microseconds into buf (at least 32 bytes). */
void format_rfc3339(const struct timespec *ts, char *buf, size_t size);

#endif
