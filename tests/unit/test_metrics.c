// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* test_metrics: Prometheus label escaping, the exposition's shape, and the file's atomic update. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "detect.h"
#include "metrics.h"
#include "policy.h"
#include "strbuf.h"
#include "testlib.h"

static void test_label_escaping(void)
{
	struct strbuf b;
	struct prom_label l[] = { { "rule", "a\\b\"c\nd]e}" }, { "x", "" } };

	sb_init(&b);
	prom_escape_label(&b, "plain-name_1.2");
	EXPECT_STR("plain-name_1.2", sb_str(&b));
	sb_reset(&b);
	prom_escape_label(&b, "back\\slash \"quoted\"\nnext");
	EXPECT_STR("back\\\\slash \\\"quoted\\\"\\nnext", sb_str(&b));
	sb_reset(&b);
	/* UTF-8 passes as it is; NULL is the empty value */
	prom_escape_label(&b, "\xe2\x80\xa6");
	EXPECT_STR("\xe2\x80\xa6", sb_str(&b));
	sb_reset(&b);
	prom_escape_label(&b, NULL);
	EXPECT_STR("", sb_str(&b));
	sb_reset(&b);
	prom_sample(&b, "m_total", l, 2, 18446744073709551615ULL);
	EXPECT_STR("m_total{rule=\"a\\\\b\\\"c\\nd]e}\",x=\"\"} 18446744073709551615\n", sb_str(&b));
	sb_reset(&b);
	prom_sample(&b, "m", NULL, 0, 0);
	EXPECT_STR("m 0\n", sb_str(&b));
	sb_reset(&b);
	/* HELP escapes backslash and newline only */
	prom_family(&b, "m_total", "counter", "a \"b\" \\ c\nd");
	EXPECT_STR("# HELP m_total a \"b\" \\\\ c\\nd\n# TYPE m_total counter\n", sb_str(&b));
	sb_free(&b);
}

/* Whether every line is a HELP, a TYPE or a sample of the family the TYPE before it announced,
 * with a metric name of [a-zA-Z_:][a-zA-Z0-9_:]*, and each counter's name ends in _total. */
static int well_formed(const char *text, int *families)
{
	char family[128] = "", type[16] = "";
	const char *line = text;

	*families = 0;
	while (*line) {
		const char *end = strchr(line, '\n');
		char name[128];
		size_t n = 0;

		if (!end)
			return 0; /* the last line ends with a newline too */
		if (!strncmp(line, "# HELP ", 7)) {
			line = end + 1;
			continue;
		}
		if (!strncmp(line, "# TYPE ", 7)) {
			if (sscanf(line + 7, "%127s %15s", family, type) != 2)
				return 0;
			if (!strcmp(type, "counter") &&
			    (strlen(family) < 6 || strcmp(family + strlen(family) - 6, "_total")))
				return 0;
			(*families)++;
			line = end + 1;
			continue;
		}
		while (line + n < end && line[n] != '{' && line[n] != ' ' && n < sizeof(name) - 1) {
			char c = line[n];

			if (!(c == '_' || c == ':' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			      (n && c >= '0' && c <= '9')))
				return 0;
			name[n] = c;
			n++;
		}
		name[n] = 0;
		if (!n || strcmp(name, family))
			return 0;
		line = end + 1;
	}
	return 1;
}

static void test_exposition(void)
{
	struct rule_def rules[2] = { { .name = "identifier-exfiltration" }, { .name = "say \"x\"" } };
	struct policy pol = { .rules = rules, .n_rules = 2 };
	static struct detector det;
	unsigned long long events[16] = { 0 };
	struct metrics_view v = {
		.version = "0.1.0",
		.policy = &pol,
		.det = &det,
		.events = events,
		.n_events = 16,
		.taint_entries = 3,
		.known_values = 7,
		.probes_attached = 40,
		.probes_skipped = 2,
		.syscall_hooks = 1,
	};
	struct strbuf b;
	const char *s;
	int families = 0, k;

	for (k = 0; k < STAT__COUNT; k++) {
		v.kernel_cause[k] = k == STAT_RINGBUF_FULL ? "ringbuf_full" :
				    k == STAT_SAMPLE_TRUNCATED ? "sample_truncated" : NULL;
		v.kernel_is_loss[k] = k != STAT_SAMPLE_TRUNCATED;
	}
	v.kernel[STAT_RINGBUF_FULL] = 5;
	v.kernel[STAT_SAMPLE_TRUNCATED] = 9;
	events[EVENT_SEND] = 12;
	det.rules[0].by[1][OUTCOME_ALERT] = 2;
	det.rules[1].by[0][OUTCOME_BLOCKED] = 1;
	sb_init(&b);
	metrics_format(&b, &v);
	EXPECT(!b.failed);
	EXPECT(well_formed(sb_str(&b), &families));
	EXPECT(families >= 15);
	EXPECT_CONTAINS(sb_str(&b), "# TYPE idsentry_alerts_total counter\n");
	EXPECT_CONTAINS(sb_str(&b), "idsentry_alerts_total{rule=\"identifier-exfiltration\","
				    "confidence=\"confirmed\",action=\"alert\"} 2\n");
	EXPECT_CONTAINS(sb_str(&b), "idsentry_alerts_total{rule=\"identifier-exfiltration\","
				    "confidence=\"suspected\",action=\"killed\"} 0\n");
	EXPECT_CONTAINS(sb_str(&b), "idsentry_alerts_total{rule=\"say \\\"x\\\"\","
				    "confidence=\"suspected\",action=\"blocked\"} 1\n");
	EXPECT_CONTAINS(sb_str(&b), "idsentry_events_total{type=\"send\"} 12\n");
	EXPECT_CONTAINS(sb_str(&b), "idsentry_events_total{type=\"binder_tx\"} 0\n");
	EXPECT_CONTAINS(sb_str(&b), "idsentry_lost_total{where=\"kernel\",cause=\"ringbuf_full\"} 5\n");
	EXPECT_CONTAINS(sb_str(&b), "idsentry_lost_total{where=\"agent\",cause=\"malformed_event\"} 0\n");
	EXPECT_CONTAINS(sb_str(&b), "idsentry_kernel_notes_total{cause=\"sample_truncated\"} 9\n");
	EXPECT_CONTAINS(sb_str(&b), "idsentry_probes{state=\"attached\"} 40\n");
	EXPECT_CONTAINS(sb_str(&b), "idsentry_hooks_attached{hooks=\"syscalls\"} 1\n");
	EXPECT_CONTAINS(sb_str(&b), "idsentry_taint_table_entries 3\n");
	EXPECT_CONTAINS(sb_str(&b), "idsentry_known_values 7\n");
	EXPECT_CONTAINS(sb_str(&b), "idsentry_build_info{version=\"0.1.0\"} 1\n");
	/* 2 rules x 2 confidences x 3 actions */
	for (k = 0, s = sb_str(&b); (s = strstr(s, "\nidsentry_alerts_total{")); s++)
		k++;
	EXPECT_INT(12, k);
	sb_free(&b);
}

static void test_file_is_replaced_whole(void)
{
	char dir[] = "/tmp/idsentry-unit-XXXXXX", path[128], tmp[160], buf[8192];
	struct policy pol = { 0 };
	static struct detector det;
	struct metrics_view v = { .version = "0.1.0", .policy = &pol, .det = &det };
	struct metrics_file m;
	struct stat st;
	FILE *f;
	size_t n;

	EXPECT(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/idsentry.prom", dir);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	EXPECT_INT(0, metrics_open(&m, path));
	v.known_values = 1;
	EXPECT_INT(0, metrics_write(&m, &v));
	v.known_values = 2;
	EXPECT_INT(0, metrics_write(&m, &v));
	EXPECT_INT(-1, stat(tmp, &st)); /* renamed away */
	f = fopen(path, "r");
	EXPECT(f != NULL);
	n = f ? fread(buf, 1, sizeof(buf) - 1, f) : 0;
	buf[n] = 0;
	if (f)
		fclose(f);
	EXPECT_CONTAINS(buf, "\nidsentry_known_values 2\n");
	EXPECT_INT(2, m.writes);
	metrics_close(&m);
	/* a directory that does not exist: an error, counted, never a crash */
	snprintf(path, sizeof(path), "%s/missing/idsentry.prom", dir);
	EXPECT_INT(0, metrics_open(&m, path));
	EXPECT(metrics_write(&m, &v) < 0);
	EXPECT_INT(1, m.errors);
	metrics_close(&m);
	snprintf(path, sizeof(path), "%s/idsentry.prom", dir);
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	test_label_escaping();
	test_exposition();
	test_file_is_replaced_whole();
	return tl_summary("test_metrics");
}
