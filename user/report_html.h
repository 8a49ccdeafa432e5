/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* report_html: the report as one self-contained HTML page: a timeline in inline SVG, the table. */
#ifndef IDSENTRY_REPORT_HTML_H
#define IDSENTRY_REPORT_HTML_H

#include "report_model.h"
#include "strbuf.h"

/* The page for a sorted model: no scripts, fonts or anything else fetched. The timeline has one
 * row per subject (class "row") and one mark per alert record drawn (class "mark", with
 * "confirmed" or "suspected", and "enforced" when blocked or killed). */
void report_html(struct strbuf *out, const struct report *r);

#endif
