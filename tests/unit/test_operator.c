/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* test_operator: what operators read: tail lines, filters, terminal safety, status, CLI numbers. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "jsonread.h"
#include "numparse.h"
#include "status_cmd.h"
#include "strbuf.h"
#include "tail_format.h"
#include "testlib.h"

static const char alert_rec[] =
	"{\"type\":\"alert\",\"ts\":\"2026-11-23T08:10:29.251018Z\",\"rule\":\"identifier-"
	"exfiltration\","
	"\"severity\":\"high\",\"action\":\"alert\",\"confidence\":\"confirmed\","
	"\"process\":{\"pid\":5299,\"ppid\":5242,\"uid\":0,\"comm\":\"curl\",\"exe\":\"/usr/bin/"
	"curl\","
	"\"cmdline\":\"curl x\"},\"identifiers\":[{\"name\":\"machine-id\",\"source\":\"file\","
	"\"path\":\"/etc/machine-id\",\"value\":\"3d12\xe2\x80\xa6"
	"fda4\"}],"
	"\"destination\":{\"proto\":\"tcp\",\"family\":\"ipv4\",\"addr\":\"10.231.7.2\",\"port\":"
	"8080,"
	"\"host\":null},\"evidence\":{\"channel\":\"socket\",\"encoding\":\"plain\",\"offset\":149,"
	"\"call\":\"sendto\",\"bytes\":182,\"sampled\":182}}";

static struct jdoc doc;

static const struct jval *parse(const char *s)
{
	jdoc_free(&doc);
	if (jdoc_parse(&doc, s, strlen(s)))
		fprintf(stderr, "unparsable test record: %s\n", s);
	return doc.root;
}

static const char *line_of(const char *rec, int colour)
{
	static struct strbuf b;

	if (!tail_format(&b, parse(rec), colour))
		return NULL;
	return sb_str(&b);
}

static void test_alert_line(void)
{
	static const char v6[] = "{\"type\":\"alert\",\"ts\":\"2026-11-23T08:10:29Z\",\"rule\":"
				 "\"r\",\"severity\":\"medium\","
				 "\"action\":\"blocked\",\"confidence\":\"suspected\",\"process\":{"
				 "\"pid\":7,\"comm\":\"app\"},"
				 "\"identifiers\":[{\"name\":\"imei\",\"value\":null},{\"name\":"
				 "\"mac-address\","
				 "\"value\":\"aa:b\xe2\x80\xa6"
				 "e:ff\"}],\"destination\":{\"proto\":\"udp\",\"family\":\"ipv6\","
				 "\"addr\":\"2001:db8::1\",\"port\":53,\"host\":\"tracker."
				 "example\"},"
				 "\"evidence\":{\"channel\":\"dns\",\"call\":\"sendmsg\"},"
				 "\"lineage\":\"pipe from 6\"}";

	EXPECT_STR("2026-11-23 08:10:29 HIGH     alert   curl[5299] sent "
		   "machine-id=3d12\xe2\x80\xa6"
		   "fda4 to 10.231.7.2:8080/tcp (confirmed: plain at byte 149, sendto; rule "
		   "identifier-exfiltration)",
		   line_of(alert_rec, 0));
	EXPECT_STR("2026-11-23 08:10:29 MEDIUM   blocked app[7] sent imei, "
		   "mac-address=aa:b\xe2\x80\xa6"
		   "e:ff to tracker.example ([2001:db8::1]:53/udp) (suspected, sendmsg, over dns; "
		   "rule "
		   "r) via pipe from 6",
		   line_of(v6, 0));
	/* colour on a terminal: the severity, and a non-alert action in bold */
	EXPECT_CONTAINS(line_of(alert_rec, 1), " \033[1;31mHIGH\033[0m     alert   curl[5299]");
	EXPECT_CONTAINS(line_of(v6, 1), "\033[33mMEDIUM\033[0m   \033[1mblocked\033[0m app[7]");
	EXPECT(!strchr(line_of(alert_rec, 0), '\033'));
}

static void test_notices(void)
{
	EXPECT_STR("2026-11-23 08:00:00 LOST     3 records lost (kernel: ringbuf_full)",
		   line_of("{\"type\":\"lost\",\"ts\":\"2026-11-23T08:00:00.1Z\",\"count\":3,"
			   "\"where\":\"kernel\",\"cause\":\"ringbuf_full\"}",
			   0));
	EXPECT_STR("2026-11-23 08:00:00 POLICY   reload rejected (a.yaml): a.yaml:1:1: error: x; "
		   "the previous policy stays in force",
		   line_of("{\"type\":\"policy\",\"ts\":\"2026-11-23T08:00:00Z\",\"status\":"
			   "\"rejected\","
			   "\"files\":[\"a.yaml\"],\"errors\":[\"a.yaml:1:1: error: x\"]}",
			   0));
	EXPECT_STR("2026-11-23 08:00:00 READY    idsentry 0.1.0: 2 probes attached, 1 skipped "
		   "(handle_c); mode alert; policy a.yaml, b.yaml",
		   line_of("{\"type\":\"ready\",\"ts\":\"2026-11-23T08:00:00Z\",\"version\":\"0.1."
			   "0\","
			   "\"policy\":[\"a.yaml\",\"b.yaml\"],\"mode\":\"alert\",\"probes\":{"
			   "\"attached\":"
			   "[\"handle_a\",\"handle_b\"],\"skipped\":[{\"name\":\"handle_c\"}]}}",
			   0));
	EXPECT(line_of("{\"type\":\"stats\",\"ts\":\"2026-11-23T08:00:00Z\"}", 0) == NULL);
	EXPECT(line_of("{\"ts\":\"2026-11-23T08:00:00Z\"}", 0) == NULL);
}

/* A process chooses its comm and command line: they must not reach the terminal raw. */
static void test_terminal_safety(void)
{
	struct strbuf b;

	sb_init(&b);
	sb_add_printable(&b, "a\033[2Jb\nc\x7f"
			     "d\xc2\x9b"
			     "e\xe2\x80\xae"
			     "f\xff"
			     "g\xc3\xa9");
	EXPECT_STR("a\\x1b[2Jb\\x0ac\\x7fd\\u009be\\u202ef\\xffg\xc3\xa9", sb_str(&b));
	sb_free(&b);
	EXPECT_CONTAINS(line_of("{\"type\":\"alert\",\"ts\":\"x\",\"severity\":\"low\",\"process\":"
				"{\"pid\":1,\"comm\":\"ev\\u001b]0;pwned\\u0007il\"}}",
				0),
			"x LOW      alert   ev\\x1b]0;pwned\\x07il[1] sent identifiers to ?");
}

static void test_filters(void)
{
	struct tail_filter f = {};
	const struct jval *a = parse(alert_rec);
	struct jdoc lost;

	EXPECT(!tail_filter_active(&f));
	EXPECT(tail_filter_pass(&f, a));
	f.min_severity = SEV_HIGH;
	EXPECT(tail_filter_pass(&f, a));
	f.min_severity = SEV_CRITICAL;
	EXPECT(!tail_filter_pass(&f, a));
	/* non-alert records are never filtered out */
	jdoc_parse(&lost, "{\"type\":\"lost\",\"count\":1}", 26);
	EXPECT(tail_filter_pass(&f, lost.root));
	jdoc_free(&lost);
	f.min_severity = 0;

	f.comms[f.n_comms++] = "wget";
	EXPECT(!tail_filter_pass(&f, a));
	f.comms[f.n_comms++] = "cu*";
	EXPECT(tail_filter_pass(&f, a));
	f.pids[f.n_pids++] = 1;
	EXPECT(!tail_filter_pass(&f, a));
	f.pids[f.n_pids++] = 5299;
	EXPECT(tail_filter_pass(&f, a));
	f.idents[f.n_idents++] = "imei";
	EXPECT(!tail_filter_pass(&f, a));
	f.idents[f.n_idents++] = "machine-id";
	EXPECT(tail_filter_pass(&f, a));
	f.rules[f.n_rules++] = "other";
	EXPECT(!tail_filter_pass(&f, a));
	f.rules[f.n_rules++] = "identifier-exfiltration";
	EXPECT(tail_filter_pass(&f, a));
	EXPECT(tail_filter_active(&f));

	EXPECT_INT(SEV_LOW, severity_rank("low"));
	EXPECT_INT(SEV_CRITICAL, severity_rank("critical"));
	EXPECT_INT(SEV_UNKNOWN, severity_rank("HIGH"));
	EXPECT_INT(SEV_UNKNOWN, severity_rank(NULL));
}

static void test_local_time(void)
{
	struct strbuf b;

	setenv("TZ", "Europe/Paris", 1);
	tzset();
	sb_init(&b);
	format_local_time(&b, "2026-11-23T08:10:29.251018Z");
	EXPECT_STR("2026-11-23 09:10:29", sb_str(&b));
	sb_reset(&b);
	format_local_time(&b, "yesterday\033");
	EXPECT_STR("yesterday\\x1b", sb_str(&b));
	sb_free(&b);
	setenv("TZ", "UTC", 1);
	tzset();
}

static void test_status_report(void)
{
	static const char st[] =
		"{\"type\":\"status\",\"ts\":\"2026-11-23T08:00:00Z\",\"version\":\"0.1.0\","
		"\"pid\":99,"
		"\"uptime_s\":3725,\"mode\":\"enforce\",\"probes\":{\"attached\":[\"handle_a\","
		"\"handle_b\"],\"skipped\":[{\"name\":\"handle_c\",\"hook\":\"tp/"
		"x\",\"reason\":\"no "
		"such tracepoint\"}]},\"enforcement\":{\"available\":false,\"reason\":\"not "
		"built\"},"
		"\"events\":{\"ident_read\":4,\"send\":9},\"alerts\":{\"confirmed\":1,"
		"\"suspected\":0},"
		"\"kernel\":{\"ringbuf_full\":2},\"malformed_events\":0,\"processes\":3,"
		"\"known_values\":2,\"taint_table\":5,\"watched_files\":1,\"policy\":[{\"file\":"
		"\"p.yaml\","
		"\"sha256\":\"abcd\"}],\"output\":{\"file\":\"/var/log/a.jsonl\",\"records\":12,"
		"\"write_errors\":0,\"rotate_size\":1024,\"rotate_keep\":3,\"rotations\":4,"
		"\"socket\":{\"path\":\"/run/"
		"idsentry.sock\",\"clients\":2,\"dropped\":7,\"refused\":0}}}";
	struct strbuf b;

	sb_init(&b);
	status_format(&b, parse(st));
	EXPECT_STR("idsentry 0.1.0 (pid 99), up 01h 02m 05s, mode enforce\n"
		   "enforcement: unavailable (not built)\n"
		   "probes: 2 attached, 1 skipped\n"
		   "  attached: handle_a, handle_b\n"
		   "  skipped:  handle_c (tp/x): no such tracepoint\n"
		   "events: ident_read 4, send 9\n"
		   "alerts: confirmed 1, suspected 0\n"
		   "kernel (lost and truncated, by cause): ringbuf_full 2\n"
		   "malformed events 0, processes 3, known values 2, taint table 5, watched files "
		   "1\n"
		   "policy:\n"
		   "  p.yaml  sha256 abcd\n"
		   "output: /var/log/a.jsonl, 12 records, 0 write errors, rotated at 1024 bytes "
		   "keeping "
		   "3 (4 rotations)\n"
		   "socket: /run/idsentry.sock, 2 clients (you included), 7 records dropped for "
		   "slow "
		   "clients, 0 clients refused\n",
		   sb_str(&b));
	sb_free(&b);
}

static void test_numbers(void)
{
	unsigned long long s;
	unsigned long v;

	EXPECT_INT(0, parse_ulong_range("42", 1, 100, &v));
	EXPECT_INT(42, v);
	EXPECT_INT(-EINVAL, parse_ulong_range("0", 1, 100, &v));
	EXPECT_INT(-EINVAL, parse_ulong_range("101", 1, 100, &v));
	EXPECT_INT(-EINVAL, parse_ulong_range("-1", 0, 100, &v));
	EXPECT_INT(-EINVAL, parse_ulong_range(" 5", 0, 100, &v));
	EXPECT_INT(-EINVAL, parse_ulong_range("5x", 0, 100, &v));
	EXPECT_INT(-EINVAL, parse_ulong_range("", 0, 100, &v));
	EXPECT_INT(-EINVAL, parse_ulong_range("99999999999999999999999", 0, ~0UL, &v));

	EXPECT_INT(0, parse_size("16M", 1024, 1ULL << 40, &s));
	EXPECT_INT(16 << 20, s);
	EXPECT_INT(0, parse_size("4KiB", 1024, 1ULL << 40, &s));
	EXPECT_INT(4096, s);
	EXPECT_INT(0, parse_size("2g", 1024, 1ULL << 40, &s));
	EXPECT_INT(2ULL << 30, s);
	EXPECT_INT(0, parse_size("1500", 1024, 1ULL << 40, &s));
	EXPECT_INT(1500, s);
	EXPECT_INT(-EINVAL, parse_size("1000", 1024, 1ULL << 40, &s));
	EXPECT_INT(-EINVAL, parse_size("2T", 1024, 1ULL << 40, &s));
	EXPECT_INT(-EINVAL, parse_size("2048G", 1024, 1ULL << 40, &s));
	EXPECT_INT(-EINVAL, parse_size("18014398509481984K", 0, ~0ULL, &s)); /* overflows */
	EXPECT_INT(-EINVAL, parse_size("1MB5", 1024, 1ULL << 40, &s));
	EXPECT_INT(-EINVAL, parse_size("-1M", 0, 1ULL << 40, &s));
	EXPECT_INT(-EINVAL, parse_size("M", 0, 1ULL << 40, &s));
}

int main(void)
{
	setenv("TZ", "UTC", 1);
	tzset();
	test_alert_line();
	test_notices();
	test_terminal_safety();
	test_filters();
	test_local_time();
	test_status_report();
	test_numbers();
	jdoc_free(&doc);
	return tl_summary("test_operator");
}
