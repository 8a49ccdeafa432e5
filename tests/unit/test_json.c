/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* test_json: the record writer: escapes, bytes that are not UTF-8, nesting and commas; a record
 * kept as data beside its text (fields, members re-issued, the finished line). */
#include <string.h>

#include "json.h"
#include "jsonread.h"
#include "testlib.h"

/* The JSON text json.c writes for the bytes s[0..n) as a string member "s" of an object. */
static void write_string(struct json *j, const char *s, size_t n)
{
	json_init(j);
	json_object_begin(j, NULL);
	json_string_n(j, "s", s, n);
	json_object_end(j);
}

static void expect_written(const char *in, size_t n, const char *want, int line)
{
	struct json j;

	write_string(&j, in, n);
	if (!j.failed && !strcmp(j.s, want)) {
		tl_passed++;
	} else {
		tl_failed++;
		fprintf(stderr, "%s:%d: expected %s, got %s\n", __FILE__, line, want,
			j.failed ? "(failed)" : j.s);
	}
	json_free(&j);
}

#define EXPECT_WRITTEN(in, want) expect_written(in, sizeof(in) - 1, want, __LINE__)

static void test_escapes(void)
{
	EXPECT_WRITTEN("a\"b\\c/d", "{\"s\":\"a\\\"b\\\\c/d\"}");
	EXPECT_WRITTEN("\n\t\r\x01\x1f\x7f", "{\"s\":\"\\n\\t\\u000d\\u0001\\u001f\\u007f\"}");
	EXPECT_WRITTEN("a\0b", "{\"s\":\"a\\u0000b\"}");
}

/* Well-formed UTF-8 passes as it is; every other byte is written as the code point of the same
 * number (U+0080..U+00FF), so the record stays valid UTF-8 and the byte stays visible. */
static void test_utf8(void)
{
	EXPECT_WRITTEN("caf\xc3\xa9 \xe2\x80\xa6 \xf0\x9f\x98\x80 \xf4\x8f\xbf\xbf",
		       "{\"s\":\"caf\xc3\xa9 \xe2\x80\xa6 \xf0\x9f\x98\x80 \xf4\x8f\xbf\xbf\"}");
	EXPECT_WRITTEN("\xff\xfe", "{\"s\":\"\\u00ff\\u00fe\"}");
	EXPECT_WRITTEN("\xc3(", "{\"s\":\"\\u00c3(\"}");	     /* a lead byte without its tail */
	EXPECT_WRITTEN("\xe2\x80", "{\"s\":\"\\u00e2\\u0080\"}"); /* cut short at the end */
	/* overlong forms of '/', a surrogate, above U+10FFFF: strict readers reject them */
	EXPECT_WRITTEN("\xc0\xaf", "{\"s\":\"\\u00c0\\u00af\"}");
	EXPECT_WRITTEN("\xe0\x80\xaf", "{\"s\":\"\\u00e0\\u0080\\u00af\"}");
	EXPECT_WRITTEN("\xf0\x80\x80\xaf", "{\"s\":\"\\u00f0\\u0080\\u0080\\u00af\"}");
	EXPECT_WRITTEN("\xed\xa0\x80", "{\"s\":\"\\u00ed\\u00a0\\u0080\"}");
	EXPECT_WRITTEN("\xed\x9f\xbf", "{\"s\":\"\xed\x9f\xbf\"}"); /* U+D7FF, just below */
	EXPECT_WRITTEN("\xf4\x90\x80\x80", "{\"s\":\"\\u00f4\\u0090\\u0080\\u0080\"}");
	EXPECT_WRITTEN("\xf5\x80\x80\x80", "{\"s\":\"\\u00f5\\u0080\\u0080\\u0080\"}");
}

static void test_nesting(void)
{
	struct json j;
	struct jdoc d;

	json_init(&j);
	json_object_begin(&j, NULL);
	json_string(&j, "type", "alert");
	json_object_begin(&j, "process");
	json_uint(&j, "pid", 7);
	json_string(&j, "exe", NULL);
	json_object_end(&j);
	json_array_begin(&j, "ids");
	json_int(&j, NULL, -1);
	json_bool(&j, NULL, 1);
	json_null(&j, NULL);
	json_array_end(&j);
	json_object_end(&j);
	EXPECT_STR("{\"type\":\"alert\",\"process\":{\"pid\":7,\"exe\":null},\"ids\":[-1,true,null]}",
		   j.s);
	EXPECT_INT(0, jdoc_parse(&d, j.s, j.len));
	jdoc_free(&d);
	json_free(&j);
}

/* A record's scalar members by path, as jsonread decodes the text: the data the sinks read. */
static void test_fields(void)
{
	static const char comm[] = "c\"u\xffr\xc3\xa9\n";
	const char *name;
	struct record r;
	struct json j;
	struct jdoc d;

	json_init(&j);
	json_record_begin(&j, "alert");
	json_string(&j, "severity", "high");
	json_object_begin(&j, "process");
	json_uint(&j, "pid", 42);
	json_int(&j, "delta", -3);
	json_string_n(&j, "comm", comm, sizeof(comm) - 1);
	json_string(&j, "exe", NULL);
	json_object_end(&j);
	json_array_begin(&j, "identifiers");
	json_object_begin(&j, NULL);
	json_string(&j, "name", "a");
	json_object_end(&j);
	json_object_begin(&j, NULL);
	json_string(&j, "name", "b");
	json_object_end(&j);
	json_string(&j, NULL, "not a member");
	json_array_end(&j);
	json_bool(&j, "flag", 0);
	EXPECT_INT(0, json_record_end(&j, &r));

	EXPECT_STR("alert", r.type);
	EXPECT_INT(27, strlen(r.ts));
	EXPECT(r.line == j.s && r.len == j.len && r.line[r.len - 1] == '\n');
	EXPECT(!strncmp(r.line + 22, r.ts, 27)); /* the ts written is the ts kept */
	EXPECT_INT(0, jdoc_parse(&d, r.line, r.len));
	EXPECT_STR(jstr(d.root, "process.comm"), json_field(&j, "process.comm", NULL));
	EXPECT_STR("c\"u\xc3\xbfr\xc3\xa9\n", json_field(&j, "process.comm", NULL));
	jdoc_free(&d);
	EXPECT_STR("high", json_field(&j, "severity", NULL));
	EXPECT_STR("42", json_field(&j, "process.pid", NULL));
	EXPECT_STR("-3", json_field(&j, "process.delta", NULL));
	EXPECT_STR("false", json_field(&j, "flag", NULL));
	EXPECT(!json_field(&j, "process.exe", NULL)); /* null */
	EXPECT(!json_field(&j, "pid", NULL));
	EXPECT(!json_field(&j, "type", NULL)); /* type and ts are the record's, not members */
	name = json_field(&j, "identifiers.name", NULL);
	EXPECT_STR("a", name);
	name = json_field(&j, "identifiers.name", name);
	EXPECT_STR("b", name);
	EXPECT(!json_field(&j, "identifiers.name", name));
	json_free(&j);

	/* not a record: nothing kept */
	json_init(&j);
	json_object_begin(&j, NULL);
	json_string(&j, "severity", "high");
	json_object_end(&j);
	EXPECT(!json_field(&j, "severity", NULL));
	json_free(&j);
}

/* A record re-issued: a fresh "type" and "ts", the members of the first, then more. */
static void test_members(void)
{
	struct json a, b;
	struct record r;

	json_init(&a);
	json_record_begin(&a, "alert");
	json_string(&a, "rule", "r");
	json_object_begin(&a, "process");
	json_uint(&a, "pid", 1);
	json_object_end(&a);
	EXPECT_INT(0, json_record_end(&a, &r));

	json_init(&b);
	json_record_begin(&b, a.type);
	json_members(&b, &a);
	json_uint(&b, "count", 5);
	json_bool(&b, "aggregated", 1);
	EXPECT_INT(0, json_record_end(&b, &r));
	EXPECT(!strncmp(r.line, "{\"type\":\"alert\",\"ts\":\"", 22));
	EXPECT_STR(",\"rule\":\"r\",\"process\":{\"pid\":1},\"count\":5,\"aggregated\":true}\n",
		   r.line + 22 + 27 + 1);
	EXPECT_STR("r", json_field(&b, "rule", NULL));
	EXPECT_STR("1", json_field(&b, "process.pid", NULL));
	EXPECT_STR("5", json_field(&b, "count", NULL));
	json_free(&a);
	json_free(&b);
}

int main(void)
{
	test_escapes();
	test_utf8();
	test_nesting();
	test_fields();
	test_members();
	return tl_summary("test_json");
}
