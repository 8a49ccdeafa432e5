/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* report_text: the report as text for a terminal: a table of processes and apps, then bad input. */
#ifndef IDSENTRY_REPORT_TEXT_H
#define IDSENTRY_REPORT_TEXT_H

#include "report_model.h"
#include "strbuf.h"

/* The sentence that says how subjects are ordered (text and HTML say the same). */
extern const char report_order_note[];

/* The whole report (a sorted model), lines ending in '\n'. */
void report_text(struct strbuf *out, const struct report *r);
/* "imei (10 confirmed, 2 suspected), serial (3 confirmed)": a list with counts, escaped for a
 * terminal, items joined by sep; after `shown` items, how many more. confidence: counts by
 * confidence rather than the total. */
void report_text_list(struct strbuf *out, const struct report_list *l, int confidence,
		      const char *sep, size_t shown);
/* One item of such a list: "imei (10 confirmed, 2 suspected)". */
void report_text_item(struct strbuf *out, const struct report_count *c, int confidence);

#endif
