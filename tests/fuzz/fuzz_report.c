// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* fuzz_report: arbitrary record files through report's model, text and page: every alert is
 * counted once, each drawn mark is one alert record, and nothing read becomes markup. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "report_html.h"
#include "report_model.h"
#include "report_text.h"
#include "strbuf.h"

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;

	for (; (hay = strstr(hay, needle)); hay++)
		n++;
	return n;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *copy = malloc(size + 1), *line, *nl;
	unsigned long long alerts = 0, records = 0;
	size_t i, marks = 0;
	struct strbuf sb;
	struct report r;

	if (!copy)
		return 0;
	memcpy(copy, data, size);
	copy[size] = 0;
	report_init(&r);
	/* one record per line, as report reads a file */
	for (line = copy; line < copy + size; line = nl + 1) {
		nl = memchr(line, '\n', copy + size - line);
		if (!nl)
			nl = copy + size;
		*nl = 0;
		report_add_line(&r, line, nl - line, "fuzz:1");
	}
	r.files = 1;
	report_sort(&r);
	for (i = 0; i < r.n_subjects; i++) {
		alerts += r.subjects[i]->alerts;
		records += r.subjects[i]->records;
		marks += r.subjects[i]->n_marks;
		FUZZ_CHECK(r.subjects[i]->confirmed + r.subjects[i]->suspected ==
				   r.subjects[i]->alerts,
			   "confirmed and suspected do not add up to the alerts");
	}
	FUZZ_CHECK(r.failed || alerts + r.subjects_dropped == r.alerts, "%llu + %llu alerts != %llu",
		   alerts, r.subjects_dropped, r.alerts);
	FUZZ_CHECK(r.failed || records <= r.alert_records, "%llu records > %llu", records,
		   r.alert_records);
	sb_init(&sb);
	report_text(&sb, &r);
	FUZZ_CHECK(sb.failed || !strchr(sb_str(&sb), '\033'), "an escape sequence in the text");
	sb_reset(&sb);
	report_html(&sb, &r);
	FUZZ_CHECK(sb.failed || count(sb_str(&sb), "<script") == 0, "a script in the page");
	FUZZ_CHECK(sb.failed || r.n_subjects > 500 ||
			   count(sb_str(&sb), "<circle class=\"mark ") == marks,
		   "marks drawn != %zu", marks);
	sb_free(&sb);
	report_free(&r);
	free(copy);
	return 0;
}
