/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* test_aggregate: repeats of one alert fold into one counted record, whose bytes are the first
 * record's members under a fresh ts, then "count" and "aggregated". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>

#include "aggregate.h"
#include "alert.h"
#include "destination.h"
#include "output.h"
#include "policy.h"
#include "proctable.h"
#include "testlib.h"

#define TS_AT 22  /* {"type":"alert","ts":" */
#define TS_LEN 27 /* 2026-11-23T08:00:00.123456Z */

static char dir[] = "/tmp/idsentry-unit-XXXXXX";
static struct alert_aggregator agg;

/* The alert's line after its ts. */
static const char members[] =
	"\",\"rule\":\"exfil\",\"severity\":\"high\",\"action\":\"blocked\",\"confidence\":\"confirmed\","
	"\"process\":{\"pid\":4242,\"ppid\":1,\"uid\":0,\"comm\":\"curl\",\"exe\":\"/usr/bin/curl\","
	"\"cmdline\":\"curl -d @-\"},\"identifiers\":[{\"name\":\"machine-id\",\"source\":\"file\","
	"\"path\":null,\"value\":null}],\"destination\":{\"proto\":\"tcp\",\"family\":\"ipv4\","
	"\"addr\":\"10.0.0.2\",\"port\":8080,\"host\":null},\"evidence\":{\"channel\":\"socket\","
	"\"encoding\":\"plain\",\"offset\":7,\"call\":\"sendto\"}";

static char *read_file(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = calloc(1, 1 << 16);

	if (f && buf)
		buf[fread(buf, 1, (1 << 16) - 1, f)] = 0;
	if (f)
		fclose(f);
	return buf;
}

/* The line's ts is an RFC 3339 time where the writer puts it. */
static int ts_at(const char *line)
{
	return !strncmp(line, "{\"type\":\"alert\",\"ts\":\"", TS_AT) && line[TS_AT + 4] == '-' &&
	       line[TS_AT + 10] == 'T' && line[TS_AT + TS_LEN - 1] == 'Z';
}

static void test_counted_record(void)
{
	struct identifier_def id = { .name = "machine-id", .bit = 0 };
	struct rule_def rule = { .name = "exfil", .severity = "high" };
	struct policy pol = { .idents = &id, .n_idents = 1, .rules = &rule, .n_rules = 1 };
	struct proc p = { .tgid = 4242, .ppid = 1, .uid = 0, .comm = "curl",
			  .exe = "/usr/bin/curl", .cmdline = "curl -d @-" };
	struct destination d = { .family = AF_INET, .port = 8080, .proto = "tcp",
				 .text = "10.0.0.2" };
	struct output_opts opts = { 0 };
	struct output out;
	struct alert_sink s = { .out = &out, .policy = &pol, .agg = &agg };
	struct alert_desc a = { .rule = &rule, .action = OUTCOME_BLOCKED, .confirmed = 1, .proc = &p,
				.n_idents = 1, .dst = &d, .channel = "socket", .enc = ENC_PLAIN,
				.offset = 7, .call = "sendto", .bytes = -1, .sampled = -1 };
	char path[256], want[4096], *text, *second;
	int i;

	snprintf(path, sizeof(path), "%s/alerts.jsonl", dir);
	opts.path = path;
	EXPECT_INT(0, output_open(&out, &opts));
	for (i = 0; i < 4; i++)
		alert_write(&s, &a); /* the first is written, three are counted */
	EXPECT_INT(1, agg.written);
	EXPECT_INT(3, agg.folded);
	aggregate_flush(&agg, &out, 0, 0); /* the window has not passed: nothing yet */
	aggregate_flush(&agg, &out, 0, 1);
	aggregate_flush(&agg, &out, 0, 1); /* counted once */
	output_close(&out);

	text = read_file(path);
	EXPECT(text && ts_at(text));
	/* the alert as written */
	snprintf(want, sizeof(want), "%s}\n", members);
	second = text ? strchr(text, '\n') : NULL;
	EXPECT(second != NULL);
	if (!text || !second || !ts_at(text)) {
		free(text);
		unlink(path);
		return;
	}
	second++;
	EXPECT(!strncmp(text + TS_AT + TS_LEN, want, strlen(want)));
	/* the counted record: the same bytes, a ts of its own, then the count */
	EXPECT(ts_at(second));
	snprintf(want, sizeof(want), "%s,\"count\":3,\"aggregated\":true}\n", members);
	EXPECT_STR(want, second + TS_AT + TS_LEN);
	free(text);
	aggregate_free(&agg);
	unlink(path);
}

int main(void)
{
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	test_counted_record();
	rmdir(dir);
	return tl_summary("test_aggregate");
}
