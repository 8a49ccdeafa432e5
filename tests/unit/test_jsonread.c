/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* test_jsonread: the record reader behind tail and syslog: values, escapes, paths, malformed input.
 */
#include <errno.h>
#include <string.h>

#include "jsonread.h"
#include "testlib.h"

static int parses(const char *s)
{
	struct jdoc d;
	int err = jdoc_parse(&d, s, strlen(s));

	jdoc_free(&d);
	return err == 0;
}

static void test_record(void)
{
	static const char rec[] = "{\"type\":\"alert\",\"severity\":\"high\",\"process\":{\"pid\":"
				  "4242,\"comm\":\"curl\"},"
				  "\"identifiers\":[{\"name\":\"machine-id\",\"value\":"
				  "\"3d12\xe2\x80\xa6"
				  "fda4\"},"
				  "{\"name\":\"mac-address\",\"value\":null}],\"destination\":{"
				  "\"host\":null,\"port\":8080},"
				  "\"ok\":true,\"neg\":-12,\"f\":1.5e3}";
	const struct jval *ids;
	struct jdoc d;
	long long n;

	EXPECT_INT(0, jdoc_parse(&d, rec, strlen(rec)));
	EXPECT_STR("alert", jstr(d.root, "type"));
	EXPECT_STR("curl", jstr(d.root, "process.comm"));
	EXPECT_INT(0, jint(d.root, "process.pid", &n));
	EXPECT_INT(4242, n);
	EXPECT_INT(0, jint(d.root, "neg", &n));
	EXPECT_INT(-12, n);
	EXPECT_INT(-1, jint(d.root, "f", &n)); /* not an integer */
	EXPECT_INT(-1, jint(d.root, "type", &n));
	EXPECT(jstr(d.root, "destination.host") == NULL);
	EXPECT_INT(J_NULL, jget(d.root, "destination.host")->type);
	EXPECT(jget(d.root, "process.nothing") == NULL);
	EXPECT(jget(d.root, "type.deeper") == NULL);
	EXPECT_INT(J_BOOL, jget(d.root, "ok")->type);
	EXPECT_INT(1, jget(d.root, "ok")->b);
	ids = jget(d.root, "identifiers");
	EXPECT_INT(J_ARR, ids->type);
	EXPECT_STR("machine-id", jstr(ids->child, "name"));
	EXPECT_STR("3d12\xe2\x80\xa6"
		   "fda4",
		   jstr(ids->child, "value"));
	EXPECT_STR("mac-address", jstr(ids->child->next, "name"));
	EXPECT(ids->child->next->next == NULL);
	EXPECT_INT(2, jlen(ids));
	EXPECT_INT(0, jlen(jget(d.root, "process")));
	EXPECT_INT(0, jlen(NULL));
	jdoc_free(&d);
}

static void test_escapes(void)
{
	static const char s[] = "{\"a\":\"q\\\"b\\\\s\\/n\\nt\\tu\\u00e9\\u0001x\\ud83d\\ude00\"}";
	struct jdoc d;

	EXPECT_INT(0, jdoc_parse(&d, s, strlen(s)));
	EXPECT_STR("q\"b\\s/n\nt\tu\xc3\xa9\x01x\xf0\x9f\x98\x80", jstr(d.root, "a"));
	jdoc_free(&d);
}

static void test_malformed(void)
{
	EXPECT(parses("{}"));
	EXPECT(parses(" [1, 2 ,3] "));
	EXPECT(parses("\"x\""));
	EXPECT(!parses(""));
	EXPECT(!parses("{"));
	EXPECT(!parses("{\"a\":1,}"));
	EXPECT(!parses("{\"a\" 1}"));
	EXPECT(!parses("{\"a\":1} x"));
	EXPECT(!parses("[01]"));
	EXPECT(!parses("[1.]"));
	EXPECT(!parses("[-]"));
	EXPECT(!parses("[tru]"));
	EXPECT(!parses("[\"a\nb\"]"));	  /* raw control character */
	EXPECT(!parses("[\"\\x\"]"));	  /* unknown escape */
	EXPECT(!parses("[\"\\ud83d\"]")); /* lone high surrogate */
	EXPECT(!parses("[\"\\ude00\"]")); /* lone low surrogate */
	EXPECT(!parses("[\"unterminated]"));
	EXPECT(!parses("{1:2}"));
}

static void test_depth(void)
{
	char deep[2 * (JSONREAD_MAX_DEPTH + 2) + 1];
	int i, n = JSONREAD_MAX_DEPTH + 2;

	for (i = 0; i < n; i++) {
		deep[i] = '[';
		deep[n + i] = ']';
	}
	deep[2 * n] = 0;
	EXPECT(!parses(deep)); /* bounded recursion */
	deep[0] = ' ';
	deep[2 * n - 1] = ' ';
	EXPECT(parses(deep));
}

static void test_not_nul_terminated(void)
{
	static const char s[] = "{\"a\":\"b\"}{garbage";
	struct jdoc d;

	EXPECT_INT(0, jdoc_parse(&d, s, 9));
	EXPECT_STR("b", jstr(d.root, "a"));
	jdoc_free(&d);
	EXPECT_INT(-EINVAL, jdoc_parse(&d, s, 8));
	jdoc_free(&d);
}

int main(void)
{
	test_record();
	test_escapes();
	test_malformed();
	test_depth();
	test_not_nul_terminated();
	return tl_summary("test_jsonread");
}
