/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* json: builds one JSON Lines record in a growable buffer, with escaping and RFC 3339 times, and
 * keeps what it says as data beside the text, for the sinks (struct record). */
/* Hand-written rather than json-c or jansson: faster on alert records with a few allocations
 * instead of dozens, and it keeps every record valid UTF-8 whatever bytes a process's names hold,
 * which neither library does by itself (`make bench-json`; fuzz_json_oracle checks it). */
#ifndef IDSENTRY_JSON_H
#define IDSENTRY_JSON_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define JSON_MAX_DEPTH 16
#define JSON_TYPE_MAX 32
#define JSON_PATH_MAX 128

struct json {
	char *s;
	size_t len, cap;
	int failed;                /* an allocation failed: the record is unusable */
	int depth;
	int count[JSON_MAX_DEPTH]; /* members written at each open level, for commas */
	/* A record (json_record_begin) is also kept as data, for whoever must not read its text: */
	char type[JSON_TYPE_MAX];    /* "" when this is not a record */
	char ts[32];
	size_t members, members_end; /* s[members, members_end): its members after "ts" */
	char *fields;                /* its scalar members: "path\0value\0" pairs (json_field) */
	size_t fields_len, fields_cap;
	char path[JSON_PATH_MAX];        /* the open objects' keys, "process.", while written */
	size_t path_len[JSON_MAX_DEPTH]; /* of path outside each open level */
	size_t plen;
};

/* A finished record as the sinks get it: what it is and says, and the one line it became. */
struct record {
	const char *type, *ts;
	const char *line; /* the JSON object and its '\n' */
	size_t len;       /* of line, with the '\n' */
	const struct json *data; /* its members, for json_field */
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
/* "type" and "ts" (now, UTC, microseconds): how every record starts. From here on the record's
 * scalar members are also kept as data (json_field). */
void json_record_begin(struct json *j, const char *type);
/* Appends the members another record has after its "ts" (text and data), at j's top level: how a
 * record is re-issued with a new ts and members added after them. */
void json_members(struct json *j, const struct json *from);
/* Closes the record's top-level object and ends its line; r then describes it (valid while j
 * is). Returns 0, or -1 when the record is unusable (out of memory). */
int json_record_end(struct json *j, struct record *r);
/* The value of a record's scalar member at a dotted path of keys ("severity", "process.pid"; the
 * objects in an array share the array's path: "identifiers.name"), as a reader of the JSON would
 * decode it: strings unescaped, numbers and booleans as written; NULL when absent or null. after:
 * NULL for the first such member, or a value this returned, for the next one with that path. */
const char *json_field(const struct json *j, const char *path, const char *after);
/* Writes ts as RFC 3339 UTC with microseconds into buf (at least 32 bytes). */
void format_rfc3339(const struct timespec *ts, char *buf, size_t size);

#endif
