/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* test_report: report's model (grouping, counts, order, bad input), text and HTML; run on a tty. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "jsonread.h"
#include "report_html.h"
#include "report_model.h"
#include "report_text.h"
#include "strbuf.h"
#include "tail_format.h"
#include "term.h"
#include "testlib.h"

#define ALERT(ts, sev, conf, action, proc, ident, dest, channel, extra)                            \
	"{\"type\":\"alert\",\"ts\":\"" ts "\",\"rule\":\"r\",\"severity\":\"" sev                 \
	"\",\"action\":\"" action "\",\"confidence\":\"" conf "\",\"process\":{" proc "},"         \
	"\"identifiers\":[{\"name\":\"" ident "\",\"value\":\"3d…a4\"}],\"destination\":{" dest    \
	"},\"evidence\":{\"channel\":\"" channel "\"}" extra "}"

#define CURL "\"pid\":10,\"uid\":0,\"comm\":\"curl\",\"exe\":\"/usr/bin/curl\""
#define WGET "\"pid\":11,\"uid\":0,\"comm\":\"wget\",\"exe\":\"/usr/bin/wget\""
#define APP                                                                                        \
	"\"pid\":12,\"uid\":10057,\"package\":\"com.example.app\",\"comm\":\"app\","                  \
	"\"exe\":\"/system/bin/app_process64\""
#define EVIL "\"pid\":13,\"uid\":0,\"comm\":\"<b>x\\u001b[2J\",\"exe\":\"/tmp/<script>\""
#define TCP(host)                                                                                  \
	"\"proto\":\"tcp\",\"family\":\"ipv4\",\"addr\":\"10.0.0.1\",\"port\":443,\"host\":" host

static const char *const lines[] = {
	"{\"type\":\"ready\",\"ts\":\"2026-11-23T08:00:00Z\",\"version\":\"0.1.0\"}",
	ALERT("2026-11-23T08:00:01Z", "medium", "suspected", "alert", CURL, "machine-id", TCP("null"),
	      "socket", ""),
	ALERT("2026-11-23T08:00:02Z", "high", "confirmed", "alert", CURL, "machine-id",
	      TCP("\"example.com\""), "socket", ",\"count\":4,\"aggregated\":true"),
	ALERT("2026-11-23T08:00:03Z", "high", "confirmed", "blocked", WGET, "mac-address",
	      TCP("null"), "socket", ""),
	ALERT("2026-11-23T08:00:04Z", "critical", "confirmed", "alert", APP, "imei",
	      "\"proto\":\"sms\",\"addr\":\"+15550100\"", "sms", ""),
	ALERT("2026-11-23T09:00:00.5+01:00", "low", "suspected", "alert", EVIL, "serial", TCP("null"),
	      "tls", ""),
	"{\"type\":\"lost\",\"ts\":\"2026-11-23T08:00:05Z\",\"count\":7,\"where\":\"kernel\","
	"\"cause\":\"ringbuf_full\"}",
	"{\"type\":\"alert\",\"ts\":\"2026-11-23T08:00:06Z\",\"rule\":\"r\",\"sev",
	"not json at all",
	"\"a string\"",
	"{\"type\":\"mystery\",\"ts\":\"2026-11-23T08:00:07Z\"}",
	"   ",
};

static struct report build(void)
{
	struct report r;
	char where[32];
	size_t i;

	report_init(&r);
	for (i = 0; i < sizeof(lines) / sizeof(lines[0]); i++) {
		snprintf(where, sizeof(where), "f:%zu", i + 1);
		report_add_line(&r, lines[i], strlen(lines[i]), where);
	}
	r.files = 1;
	report_sort(&r);
	return r;
}

static void test_time(void)
{
	EXPECT_INT(1795421429251018LL, report_parse_time("2026-11-23T08:10:29.251018Z"));
	EXPECT_INT(1795421429000000LL, report_parse_time("2026-11-23T09:10:29+01:00"));
	EXPECT_INT(1795421429500000LL, report_parse_time("2026-11-23T08:10:29.5z"));
	EXPECT_INT(-1, report_parse_time("2026-11-23T08:10:29"));
	EXPECT_INT(-1, report_parse_time("yesterday"));
	EXPECT_INT(-1, report_parse_time(NULL));
}

static void test_model(void)
{
	struct report r = build();
	char name[256];

	EXPECT_INT(12, r.lines);
	EXPECT_INT(7, r.records);
	EXPECT_INT(5, r.alert_records);
	EXPECT_INT(8, r.alerts); /* the folded record stands for its 4 repeats */
	EXPECT_INT(1, r.bad[BAD_TRUNCATED]);
	EXPECT_INT(1, r.bad[BAD_NOT_JSON]);
	EXPECT_INT(1, r.bad[BAD_NOT_RECORD]);
	EXPECT_INT(1, r.bad[BAD_UNKNOWN_TYPE]);
	EXPECT_STR("f:8", r.bad_first[BAD_TRUNCATED]);
	EXPECT_STR("mystery", r.unknown_types.items[0].name);
	EXPECT_INT(4, r.n_subjects);
	/* critical, then high with a block, then high, then low */
	report_subject_name(r.subjects[0], name, sizeof(name));
	EXPECT_STR("com.example.app", name);
	report_subject_name(r.subjects[1], name, sizeof(name));
	EXPECT_STR("wget (/usr/bin/wget)", name);
	report_subject_name(r.subjects[2], name, sizeof(name));
	EXPECT_STR("curl (/usr/bin/curl)", name);
	EXPECT_INT(5, r.subjects[2]->alerts);
	EXPECT_INT(4, r.subjects[2]->confirmed);
	EXPECT_INT(1, r.subjects[2]->suspected);
	EXPECT_INT(2, r.subjects[2]->n_marks);
	EXPECT_INT(1, r.subjects[1]->enforced);
	EXPECT_INT(SEV_LOW, r.subjects[3]->severity);
	/* 09:00:00.5+01:00 is 08:00:00.5Z: the earliest alert */
	EXPECT_INT(report_parse_time("2026-11-23T08:00:00.5Z"), r.subjects[3]->first_us);
	EXPECT_INT(report_parse_time("2026-11-23T08:00:00Z"), r.first_us);
	EXPECT_INT(report_parse_time("2026-11-23T08:00:05Z"), r.last_us);
	EXPECT_STR("kernel: ringbuf_full", r.lost.items[0].name);
	EXPECT_INT(7, r.lost.items[0].n);
	report_free(&r);
}

static void test_text(void)
{
	struct report r = build();
	struct strbuf sb;

	sb_init(&sb);
	report_text(&sb, &r);
	EXPECT_CONTAINS(sb_str(&sb), "8 alerts from 4 processes or apps");
	EXPECT_CONTAINS(sb_str(&sb), "1   com.example.app");
	EXPECT_CONTAINS(sb_str(&sb), "destinations: +15550100/sms (1)");
	EXPECT_CONTAINS(sb_str(&sb), "machine-id (4 confirmed, 1 suspected)");
	EXPECT_CONTAINS(sb_str(&sb), "example.com (10.0.0.1:443/tcp) (4), 10.0.0.1:443/tcp (1)");
	EXPECT_CONTAINS(sb_str(&sb), "actions:      blocked (1)");
	/* a process's name cannot drive the terminal */
	EXPECT_CONTAINS(sb_str(&sb), "<b>x\\x1b[2J (/tmp/<script>)");
	EXPECT(!strchr(sb_str(&sb), '\033'));
	EXPECT_CONTAINS(sb_str(&sb), "1 truncated or malformed records (first at f:8)");
	EXPECT_CONTAINS(sb_str(&sb), "1 records of an unknown type (first at f:11): mystery (1)");
	EXPECT_CONTAINS(sb_str(&sb), "events lost (by where: cause): kernel: ringbuf_full (7)");
	sb_free(&sb);
	report_free(&r);
}

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;

	for (; (hay = strstr(hay, needle)); hay++)
		n++;
	return n;
}

static void test_html(void)
{
	struct report r = build();
	struct strbuf sb;

	sb_init(&sb);
	report_html(&sb, &r);
	EXPECT_INT(5, count(sb_str(&sb), "<circle class=\"mark "));
	EXPECT_INT(2, count(sb_str(&sb), "<circle class=\"mark suspected"));
	EXPECT_INT(1, count(sb_str(&sb), "<circle class=\"mark confirmed enforced"));
	EXPECT_INT(4, count(sb_str(&sb), "<g class=\"row\">"));
	EXPECT_CONTAINS(sb_str(&sb), "data-marks=\"5\"");
	/* nothing a process chose reaches the page as markup, and nothing is fetched */
	EXPECT_CONTAINS(sb_str(&sb), "&lt;b&gt;x\\x1b[2J (/tmp/&lt;script&gt;)");
	EXPECT_INT(0, count(sb_str(&sb), "<script"));
	EXPECT_INT(0, count(sb_str(&sb), "src="));
	EXPECT_INT(0, count(sb_str(&sb), "href="));
	EXPECT_INT(0, count(sb_str(&sb), "url("));
	EXPECT_CONTAINS(sb_str(&sb), "4 alerts folded");
	sb_free(&sb);
	report_free(&r);
}

static struct jdoc doc;

static const struct jval *parse(const char *s)
{
	jdoc_free(&doc);
	if (jdoc_parse(&doc, s, strlen(s)))
		fprintf(stderr, "unparsable test record: %s\n", s);
	return doc.root;
}

static void test_terminal(void)
{
	static const char ready[] =
		"{\"type\":\"ready\",\"ts\":\"2026-11-23T08:00:00Z\",\"version\":\"0.1.0\","
		"\"policy\":[\"p.yaml\"],\"mode\":\"enforce\",\"probes\":{\"attached\":[\"a\",\"b\"],"
		"\"skipped\":[{\"name\":\"x\",\"hook\":\"h\",\"reason\":\"no such tracepoint\"},"
		"{\"name\":\"y\",\"reason\":\"no BTF\"},{\"name\":\"z\",\"reason\":\"no such "
		"tracepoint\"}]},\"tls_libraries\":[{\"path\":\"/l/libssl.so.3\",\"attached\":true},"
		"{\"path\":\"/l/libgnutls.so\",\"attached\":false,\"reason\":\"no symbol\"}],"
		"\"property_libraries\":[],\"enforcement\":{\"mode\":\"enforce\",\"hooks\":[\"c4\"],"
		"\"degraded\":[\"handle_sk_msg is not attached: only alerted on\"],\"available\":"
		"false},\"hooks\":{\"mode\":\"on-demand\",\"syscalls_attached\":false,\"gate\":"
		"\"fanotify\"},\"watched_files\":9,\"known_values\":3}";
	static const char alert[] = ALERT("2026-11-23T08:00:01Z", "high", "confirmed", "alert",
					  CURL, "machine-id", TCP("null"), "socket", "");
	struct strbuf sb, line;

	sb_init(&sb);
	sb_init(&line);
	term_format(&sb, parse(ready), 0);
	EXPECT_CONTAINS(sb_str(&sb), "2026-11-23 08:00:00 READY    idsentry 0.1.0: 2 probes attached, "
				     "3 skipped; mode enforce; policy p.yaml\n");
	EXPECT_CONTAINS(sb_str(&sb), "skipped: x, z: no such tracepoint\n");
	EXPECT_CONTAINS(sb_str(&sb), "skipped: y: no BTF\n");
	EXPECT_CONTAINS(sb_str(&sb), "enforcement: degraded (1 hooks attached):\n");
	EXPECT_CONTAINS(sb_str(&sb), "  - handle_sk_msg is not attached: only alerted on\n");
	EXPECT_CONTAINS(sb_str(&sb), "syscall hooks: on-demand, detached until a process opens a "
				     "watched file (gate: fanotify)\n");
	EXPECT_CONTAINS(sb_str(&sb), "TLS libraries: 1 probed; not /l/libgnutls.so: no symbol\n");
	EXPECT_CONTAINS(sb_str(&sb), "watching 9 files, 3 identifier values known\n");
	EXPECT(!strchr(sb_str(&sb), '{'));
	EXPECT(!strchr(sb_str(&sb), '\033'));
	term_format(&sb, parse(ready), 1);
	EXPECT_CONTAINS(sb_str(&sb), " \033[32mREADY\033[0m    idsentry 0.1.0");
	/* an alert: exactly tail's line */
	term_format(&sb, parse(alert), 1);
	tail_format(&line, doc.root, 1);
	sb_puts(&line, "\n");
	EXPECT_STR(sb_str(&line), sb_str(&sb));
	EXPECT_CONTAINS(sb_str(&sb), "\033[1;31mHIGH");
	term_format(&sb,
		    parse(ALERT("2026-11-23T08:00:03Z", "high", "confirmed", "alert", CURL, "machine-id",
				TCP("null"), "socket", ",\"count\":4,\"aggregated\":true")),
		    0);
	EXPECT_CONTAINS(sb_str(&sb), "; rule r) repeated 4 times\n");
	term_format(&sb, parse("{\"type\":\"stats\",\"ts\":\"2026-11-23T08:00:00Z\",\"events\":"
			       "{\"send\":4,\"recv\":0},\"alerts\":{\"confirmed\":2,\"suspected\":1,"
			       "\"folded\":0},\"processes\":5,\"known_values\":3}"),
		    0);
	EXPECT_CONTAINS(sb_str(&sb), " STATS    alerts 2 confirmed, 1 suspected (0 repeats folded); "
				     "5 processes, 3 values known; events send 4\n");
	term_format(&sb, parse("{\"type\":\"derived_file\",\"ts\":\"2026-11-23T08:00:00Z\","
			       "\"path\":\"/tmp/\\u001b]x\",\"ino\":5,\"identifiers\":[\"imei\"]}"),
		    0);
	EXPECT_CONTAINS(sb_str(&sb), " DERIVED_FILE path=/tmp/\\x1b]x ino=5 identifiers=imei\n");
	sb_free(&sb);
	sb_free(&line);
}

int main(void)
{
	setenv("TZ", "UTC", 1);
	tzset();
	test_time();
	test_model();
	test_text();
	test_html();
	test_terminal();
	jdoc_free(&doc);
	return tl_summary("test_report");
}
