// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* fuzz_json_oracle: the hand-written JSON reader (jsonread.c) and writer (json.c) against jansson
 * as an oracle, a strict RFC 8259 parser that also rejects text that is not UTF-8.
 *
 * Input: a first byte, then the rest.
 *   even: the rest is a document. jdoc_parse() and json_loadb() must agree on accept or reject and,
 *         when both accept, on every value: strings byte for byte (length included), numbers (an
 *         integer's text read by strtoll equals jansson's integer, a real's read by strtod equals
 *         jansson's real), booleans, nulls, arrays element by element, objects member by member.
 *   odd:  the rest is up to five strings (each a length byte and that many bytes, the last one
 *         whatever remains), written by json.c as the members and array elements an alert has and
 *         one of them as a key. jansson must parse the record, so it is JSON and valid UTF-8, and
 *         give back each string after the repair the writer documents: well-formed UTF-8 as it
 *         is, every other byte as the code point of the same number (U+0080..U+00FF). jsonread
 *         must read the same strings, and the record's data (json_field, what the sinks read
 *         instead of the text) must hold them too, up to a first NUL (its values are C strings).
 *
 * Documented differences, where the comparison is skipped or adjusted rather than failed:
 *   - Text that is not UTF-8: jansson rejects it (json_error_invalid_utf8); jsonread copies the
 *     bytes of a string as they are. Its input is the agent's own records, which json.c keeps
 *     valid (checked by the odd half).
 *   - Numbers out of range: jansson rejects an integer outside long long and a real beyond
 *     DBL_MAX (json_error_numeric_overflow); jsonread keeps the number's text and jint() says
 *     it is out of range.
 *   - Depth: jsonread rejects a value nested deeper than JSONREAD_MAX_DEPTH (64, the top
 *     value at 0); jansson's limit is 2048. A document jansson accepts is excused when it is
 *     deeper than 64.
 *   - Duplicate keys: jansson keeps the last value of a key; jsonread keeps every member in
 *     order (jget() finds the first). Compared as: the same set of keys, and for each key
 *     jsonread's last member equals jansson's value.
 *   - NUL: both take \u0000 inside a string (jansson with JSON_ALLOW_NUL), lengths compared. In
 *     a key jansson refuses it (json_error_null_byte_in_key); jsonread keeps the key up to the NUL.
 *   - Top level: any value (jansson with JSON_DECODE_ANY), as jsonread.
 *   - A raw NUL byte outside a string: jansson 2.14 skips some ("[1<NUL>]" and "true<NUL>"
 *     load as [1] and true; its input buffer takes a NUL for its own end), where RFC 8259 and
 *     jsonread reject them. A document with a raw NUL that jansson accepts is excused.
 *
 * jansson's json_string() and json_null() have the names of two of json.c's functions, so this
 * target links a copy of libjansson.a with them renamed (mk/bench.mk): jansson.h is read with
 * the new names, and json_string()/json_null() below are json.c's. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "json.h"
#include "jsonread.h"

#define json_string jansson_string
#define json_null jansson_null
#include <jansson.h>
#undef json_string
#undef json_null

/* -- the reader against jansson -- */

/* Depth of the deepest value, the top one at 0. */
static int depth_of(json_t *v)
{
	const char *key;
	json_t *c;
	size_t i;
	int d = 0, cd;

	if (json_is_object(v)) {
		json_object_foreach(v, key, c) {
			cd = depth_of(c) + 1;
			d = cd > d ? cd : d;
		}
	} else if (json_is_array(v)) {
		json_array_foreach(v, i, c) {
			cd = depth_of(c) + 1;
			d = cd > d ? cd : d;
		}
	}
	return d;
}

static void same_number(const struct jval *r, json_t *o)
{
	if (json_is_integer(o)) {
		char *end;
		long long n;

		FUZZ_CHECK(!strpbrk(r->str, ".eE"), "jansson has integer %lld, jsonread '%s'",
			   (long long)json_integer_value(o), r->str);
		errno = 0;
		n = strtoll(r->str, &end, 10);
		FUZZ_CHECK(!errno && !*end && n == json_integer_value(o),
			   "integer '%s': jansson %lld", r->str, (long long)json_integer_value(o));
	} else {
		double d;

		FUZZ_CHECK(json_is_real(o), "jsonread has number '%s', jansson type %d", r->str,
			   json_typeof(o));
		d = strtod(r->str, NULL);
		FUZZ_CHECK(d == json_real_value(o), "real '%s': jansson %.17g, strtod %.17g", r->str,
			   json_real_value(o), d);
	}
}

static void same_value(const struct jval *r, json_t *o)
{
	const struct jval *c, *last;
	size_t n, i;

	switch (r->type) {
	case J_NULL:
		FUZZ_CHECK(json_is_null(o), "jsonread null, jansson type %d", json_typeof(o));
		break;
	case J_BOOL:
		FUZZ_CHECK(json_is_boolean(o) && json_is_true(o) == !!r->b,
			   "jsonread %s, jansson type %d", r->b ? "true" : "false", json_typeof(o));
		break;
	case J_NUM:
		same_number(r, o);
		break;
	case J_STR:
		FUZZ_CHECK(json_is_string(o) && json_string_length(o) == r->len &&
				   !memcmp(json_string_value(o), r->str, r->len),
			   "string of %zu bytes differs", r->len);
		break;
	case J_ARR:
		FUZZ_CHECK(json_is_array(o), "jsonread array, jansson type %d", json_typeof(o));
		for (c = r->child, i = 0; c; c = c->next, i++) {
			FUZZ_CHECK(i < json_array_size(o), "jsonread has more than %zu elements", i);
			same_value(c, json_array_get(o, i));
		}
		FUZZ_CHECK(i == json_array_size(o), "%zu elements, jansson %zu", i,
			   json_array_size(o));
		break;
	case J_OBJ:
		FUZZ_CHECK(json_is_object(o), "jsonread object, jansson type %d", json_typeof(o));
		n = 0;
		for (c = r->child; c; c = c->next) {
			/* the last member of each key, counted once */
			for (last = c->next; last && strcmp(last->key, c->key); last = last->next)
				;
			if (last)
				continue;
			n++;
			FUZZ_CHECK(json_object_get(o, c->key), "jansson lacks key '%s'", c->key);
			same_value(c, json_object_get(o, c->key));
		}
		FUZZ_CHECK(n == json_object_size(o), "%zu distinct keys, jansson %zu", n,
			   json_object_size(o));
		break;
	}
}

static void check_reader(const char *s, size_t n)
{
	json_error_t err;
	struct jdoc d;
	json_t *o;
	int rc;

	rc = jdoc_parse(&d, s, n);
	o = json_loadb(s, n, JSON_DECODE_ANY | JSON_ALLOW_NUL, &err);
	if (!o) {
		switch (json_error_code(&err)) {
		case json_error_invalid_utf8:
		case json_error_numeric_overflow:
		case json_error_null_byte_in_key:
		case json_error_out_of_memory:
			break; /* documented differences: either answer is right */
		default:
			FUZZ_CHECK(rc != 0, "jsonread accepts what jansson rejects: %s (line %d col %d)",
				   err.text, err.line, err.column);
		}
	} else if (rc) {
		FUZZ_CHECK(rc == -ENOMEM || depth_of(o) > JSONREAD_MAX_DEPTH || memchr(s, 0, n),
			   "jsonread rejects (%d) what jansson accepts, %d deep", rc, depth_of(o));
	} else {
		same_value(d.root, o);
	}
	json_decref(o);
	jdoc_free(&d);
}

/* -- the writer against jansson -- */

/* Length of the well-formed UTF-8 sequence at s: a lead byte's length and its continuation
 * bytes' range (RFC 3629, section 4), or 0. */
static size_t sequence(const unsigned char *s, size_t n)
{
	static const struct {
		unsigned char first, last, len, lo, hi; /* lead bytes, length, second byte range */
	} leads[] = {
		{ 0x00, 0x7f, 1, 0, 0 },       { 0xc2, 0xdf, 2, 0x80, 0xbf },
		{ 0xe0, 0xe0, 3, 0xa0, 0xbf }, { 0xe1, 0xec, 3, 0x80, 0xbf },
		{ 0xed, 0xed, 3, 0x80, 0x9f }, { 0xee, 0xef, 3, 0x80, 0xbf },
		{ 0xf0, 0xf0, 4, 0x90, 0xbf }, { 0xf1, 0xf3, 4, 0x80, 0xbf },
		{ 0xf4, 0xf4, 4, 0x80, 0x8f },
	};
	size_t i, k;

	for (i = 0; i < sizeof(leads) / sizeof(leads[0]); i++) {
		if (s[0] < leads[i].first || s[0] > leads[i].last)
			continue;
		if (leads[i].len > n)
			return 0;
		if (leads[i].len > 1 && (s[1] < leads[i].lo || s[1] > leads[i].hi))
			return 0;
		for (k = 2; k < leads[i].len; k++)
			if (s[k] < 0x80 || s[k] > 0xbf)
				return 0;
		return leads[i].len;
	}
	return 0;
}

/* The record's data at path is the string jsonread reads there (up to a NUL). */
static void expect_field(const struct json *j, const struct jval *root, const char *path)
{
	const char *kept = json_field(j, path, NULL), *read = jstr(root, path);

	FUZZ_CHECK(kept && read && !strcmp(kept, read), "%s kept as \"%s\", read as \"%s\"", path,
		   kept ? kept : "(none)", read ? read : "(none)");
}

/* What a reader must get back for the bytes s[0..n): into out (3 * n bytes at least). */
static size_t repaired(const unsigned char *s, size_t n, unsigned char *out)
{
	size_t i = 0, o = 0, k;

	while (i < n) {
		k = sequence(s + i, n - i);
		if (k) {
			memcpy(out + o, s + i, k);
			o += k;
			i += k;
		} else {
			out[o++] = 0xc0 | (s[i] >> 6);
			out[o++] = 0x80 | (s[i] & 0x3f);
			i++;
		}
	}
	return o;
}

struct str {
	const char *s;
	size_t n;
};

static void expect_string(json_t *o, const struct jval *r, struct str in, const char *what)
{
	unsigned char *want = malloc(3 * in.n + 1);
	size_t n = repaired((const unsigned char *)in.s, in.n, want);

	FUZZ_CHECK(json_is_string(o) && json_string_length(o) == n &&
			   !memcmp(json_string_value(o), want, n),
		   "%s: jansson reads back %zu bytes, the repair of %zu input bytes is %zu", what,
		   json_is_string(o) ? json_string_length(o) : 0, in.n, n);
	FUZZ_CHECK(r && r->type == J_STR && r->len == n && !memcmp(r->str, want, n),
		   "%s: jsonread reads back something else", what);
	free(want);
}

static void check_writer(const char *s, size_t n)
{
	struct str in[5] = { { "", 0 }, { "", 0 }, { "", 0 }, { "", 0 }, { "", 0 } };
	const struct jval *r;
	char key[256];
	json_error_t err;
	struct json j;
	struct jdoc d;
	json_t *o;
	size_t i, len;

	for (i = 0; i < 5 && n; i++) {
		len = (unsigned char)s[0];
		if (i == 4 || len > n - 1)
			len = n - 1;
		in[i].s = s + 1;
		in[i].n = len;
		s += 1 + len;
		n -= 1 + len;
	}
	/* a key is a C string: up to its first NUL */
	len = strnlen(in[4].s, in[4].n);
	memcpy(key, in[4].s, len < sizeof(key) ? len : sizeof(key) - 1);
	key[len < sizeof(key) ? len : sizeof(key) - 1] = 0;

	json_init(&j);
	json_record_begin(&j, "alert");
	json_object_begin(&j, "process");
	json_string_n(&j, "comm", in[0].s, in[0].n);
	json_string_n(&j, "exe", in[1].s, in[1].n);
	json_string(&j, "cmdline", NULL);
	json_object_end(&j);
	json_array_begin(&j, "names");
	json_string_n(&j, NULL, in[2].s, in[2].n);
	json_string_n(&j, NULL, in[3].s, in[3].n);
	json_array_end(&j);
	json_object_begin(&j, "k");
	json_uint(&j, key, 1);
	json_object_end(&j);
	json_object_end(&j);
	FUZZ_CHECK(!j.failed, "the writer failed");

	o = json_loadb(j.s, j.len, JSON_ALLOW_NUL, &err);
	FUZZ_CHECK(o, "jansson rejects the record: %s (col %d): %s", err.text, err.column, j.s);
	FUZZ_CHECK(jdoc_parse(&d, j.s, j.len) == 0, "jsonread rejects the record: %s", j.s);

	expect_string(json_object_get(json_object_get(o, "process"), "comm"),
		      jget(d.root, "process.comm"), in[0], "comm");
	expect_string(json_object_get(json_object_get(o, "process"), "exe"),
		      jget(d.root, "process.exe"), in[1], "exe");
	FUZZ_CHECK(json_is_null(json_object_get(json_object_get(o, "process"), "cmdline")),
		   "cmdline is not null");
	expect_field(&j, d.root, "process.comm");
	expect_field(&j, d.root, "process.exe");
	FUZZ_CHECK(!json_field(&j, "process.cmdline", NULL), "a null member is kept as data");
	r = jget(d.root, "names");
	FUZZ_CHECK(json_array_size(json_object_get(o, "names")) == 2 && jlen(r) == 2,
		   "names has not 2 elements");
	expect_string(json_array_get(json_object_get(o, "names"), 0), r->child, in[2], "names[0]");
	expect_string(json_array_get(json_object_get(o, "names"), 1), r->child->next, in[3],
		      "names[1]");
	{
		struct str k = { key, strlen(key) };
		json_t *ko = json_object_get(o, "k");
		const char *got_key = json_object_iter_key(json_object_iter(ko));
		const struct jval *rk = jget(d.root, "k");

		FUZZ_CHECK(json_object_size(ko) == 1 && rk && rk->child, "k has not one member");
		/* jansson's keys are C strings: compare through a string value of the same bytes */
		{
			json_t *ks = json_stringn_nocheck(got_key, strlen(got_key));
			struct jval rkey = { .type = J_STR, .str = rk->child->key,
					     .len = strlen(rk->child->key) };

			expect_string(ks, &rkey, k, "key");
			json_decref(ks);
		}
	}
	json_decref(o);
	jdoc_free(&d);
	json_free(&j);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!size)
		return 0;
	if (data[0] & 1)
		check_writer((const char *)data + 1, size - 1);
	else
		check_reader((const char *)data + 1, size - 1);
	return 0;
}
