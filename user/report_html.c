// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* report_html: the report as one self-contained HTML page: a timeline in inline SVG, the table. */
#include <stdio.h>
#include <string.h>
#include "report_html.h"
#include "report_text.h"
#include "tail_format.h"

/* Timeline geometry, in SVG user units (CSS pixels). */
#define SVG_WIDTH 960
#define LABEL_WIDTH 250
#define PLOT_RIGHT 30
#define ROW_HEIGHT 24
#define TOP 34
#define AXIS_HEIGHT 36
#define MARK_RADIUS 5
#define TICKS 5
#define LABEL_CHARS 34
#define TIMELINE_MAX_ROWS 500 /* further processes are in the table only */

#define COLOUR_CONFIRMED "#c62828"
#define COLOUR_SUSPECTED "#f2a900"

static const char *const sev_names[] = { "?", "low", "medium", "high", "critical" };

static const char style[] =
	"body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;margin:2em;color:#222;"
	"background:#fff}\n"
	"h1{font-size:1.5em}h2{font-size:1.2em;margin-top:1.6em}\n"
	"table{border-collapse:collapse;font-size:.9em}\n"
	"th,td{border:1px solid #ccc;padding:.3em .5em;text-align:left;vertical-align:top}\n"
	"th{background:#f2f2f2}td.n{text-align:right}td.t{white-space:nowrap}\n"
	".sev-critical{color:#7b1fa2;font-weight:bold}.sev-high{color:#c62828;font-weight:bold}\n"
	".sev-medium{color:#b26a00}.sev-low{color:#00838f}\n"
	"svg text{font-size:12px;fill:#222}svg .axis{stroke:#888}svg .grid{stroke:#e4e4e4}\n"
	"svg .band{fill:#f7f7f7}.note{color:#555}.i{white-space:nowrap}\n";

/* Text escaped for a terminal first (control and bidirectional characters), then for HTML. */
static void add_html(struct strbuf *out, const char *s)
{
	struct strbuf p;
	const char *c;

	sb_init(&p);
	sb_add_printable(&p, s);
	for (c = sb_str(&p); *c; c++) {
		switch (*c) {
		case '&':
			sb_puts(out, "&amp;");
			break;
		case '<':
			sb_puts(out, "&lt;");
			break;
		case '>':
			sb_puts(out, "&gt;");
			break;
		case '"':
			sb_puts(out, "&quot;");
			break;
		case '\'':
			sb_puts(out, "&#39;");
			break;
		default:
			sb_add(out, c, 1);
		}
	}
	if (p.failed)
		out->failed = 1;
	sb_free(&p);
}

/* Items joined by sep, each kept on one line. */
static void add_html_list(struct strbuf *out, const struct report_list *l, int confidence,
			  const char *sep)
{
	struct strbuf t;
	size_t i;

	sb_init(&t);
	for (i = 0; i < l->n; i++) {
		sb_reset(&t);
		report_text_item(&t, &l->items[i], confidence);
		sb_printf(out, "%s<span class=\"i\">", i ? sep : "");
		add_html(out, sb_str(&t));
		sb_puts(out, "</span>");
	}
	if (l->other)
		sb_printf(out, "%s%llu more under other names", l->n ? sep : "", l->other);
	if (!l->n && !l->other)
		sb_puts(out, "none");
	if (t.failed)
		out->failed = 1;
	sb_free(&t);
}

/* The name cut to what fits beside the timeline; the whole one is in the row's tooltip. */
static void add_short_name(struct strbuf *out, const char *name)
{
	char cut[LABEL_CHARS * 4 + 8];
	size_t n = strlen(name), k = LABEL_CHARS;

	if (n <= LABEL_CHARS) {
		add_html(out, name);
		return;
	}
	/* cut on a UTF-8 character boundary, keeping the end (the package or exe's tail) */
	k = n - (LABEL_CHARS - 1);
	while (k < n && ((unsigned char)name[k] & 0xc0) == 0x80)
		k++;
	snprintf(cut, sizeof(cut), "\xe2\x80\xa6%s", name + k);
	add_html(out, cut);
}

static double x_of(const struct report *r, long long ts)
{
	double plot = SVG_WIDTH - LABEL_WIDTH - PLOT_RIGHT;

	if (r->last_us <= r->first_us)
		return LABEL_WIDTH + plot / 2;
	return LABEL_WIDTH + plot * (double)(ts - r->first_us) / (double)(r->last_us - r->first_us);
}

static void add_axis(struct strbuf *out, const struct report *r, int bottom)
{
	long long span = r->last_us - r->first_us;
	char when[32];
	int i;

	sb_printf(out, "<line class=\"axis\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>\n",
		  LABEL_WIDTH, bottom, SVG_WIDTH - PLOT_RIGHT, bottom);
	for (i = 0; i < TICKS; i++) {
		long long ts = span > 0 ? r->first_us + span * i / (TICKS - 1) : r->first_us;
		double x = x_of(r, ts);

		if (span <= 0 && i)
			break;
		report_format_time(ts, when, sizeof(when));
		sb_printf(out,
			  "<line class=\"grid\" x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\"/>"
			  "<text x=\"%.1f\" y=\"%d\" text-anchor=\"%s\">%s</text>\n",
			  x, TOP, x, bottom + 4, x, bottom + 18,
			  i == 0 && span > 0 ? "start" : i == TICKS - 1 ? "end" : "middle",
			  /* the date once, at the start; times after it */
			  i == 0 || strlen(when) < 12 ? when : when + 11);
	}
}

static void add_marks(struct strbuf *out, const struct report_subject *s, const struct report *r,
		      int y)
{
	char when[32];
	size_t k;

	for (k = 0; k < s->n_marks; k++) {
		const struct report_mark *m = &s->marks[k];

		report_format_time(m->ts_us, when, sizeof(when));
		sb_printf(out,
			  "<circle class=\"mark %s%s\" cx=\"%.1f\" cy=\"%d\" r=\"%d\" fill=\"%s\"%s>"
			  "<title>%s UTC: ",
			  m->confirmed ? "confirmed" : "suspected", m->enforced ? " enforced" : "",
			  x_of(r, m->ts_us), y, MARK_RADIUS,
			  m->confirmed ? COLOUR_CONFIRMED : COLOUR_SUSPECTED,
			  m->enforced ? " stroke=\"#000\" stroke-width=\"2\"" : "", when);
		add_html(out, m->what);
		sb_printf(out, " (%s%s", m->confirmed ? "confirmed" : "suspected",
			  m->enforced ? ", stopped" : "");
		if (m->count > 1)
			sb_printf(out, ", %llu alerts folded", m->count);
		sb_puts(out, ")</title></circle>\n");
	}
}

static void add_timeline(struct strbuf *out, const struct report *r)
{
	size_t i, marks = 0, rows = r->n_subjects < TIMELINE_MAX_ROWS ? r->n_subjects
								   : TIMELINE_MAX_ROWS;
	int bottom = TOP + (int)rows * ROW_HEIGHT + 6;
	char name[4200];

	for (i = 0; i < rows; i++)
		marks += r->subjects[i]->n_marks;
	sb_printf(out,
		  "<svg id=\"timeline\" xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" "
		  "height=\"%d\" viewBox=\"0 0 %d %d\" role=\"img\" data-marks=\"%zu\" "
		  "data-rows=\"%zu\" aria-label=\"alerts over time, one row per process or app\">\n",
		  SVG_WIDTH, bottom + AXIS_HEIGHT, SVG_WIDTH, bottom + AXIS_HEIGHT, marks, rows);
	/* legend */
	sb_printf(out,
		  "<circle cx=\"%d\" cy=\"12\" r=\"%d\" fill=\"" COLOUR_CONFIRMED "\"/>"
		  "<text x=\"%d\" y=\"16\">confirmed</text>"
		  "<circle cx=\"%d\" cy=\"12\" r=\"%d\" fill=\"" COLOUR_SUSPECTED "\"/>"
		  "<text x=\"%d\" y=\"16\">suspected</text>"
		  "<circle cx=\"%d\" cy=\"12\" r=\"%d\" fill=\"#fff\" stroke=\"#000\" "
		  "stroke-width=\"2\"/><text x=\"%d\" y=\"16\">blocked or killed</text>\n",
		  LABEL_WIDTH, MARK_RADIUS, LABEL_WIDTH + 10, LABEL_WIDTH + 100, MARK_RADIUS,
		  LABEL_WIDTH + 110, LABEL_WIDTH + 200, MARK_RADIUS, LABEL_WIDTH + 210);
	if (r->first_us >= 0)
		add_axis(out, r, bottom);
	for (i = 0; i < rows; i++) {
		const struct report_subject *s = r->subjects[i];
		int y = TOP + (int)i * ROW_HEIGHT + ROW_HEIGHT / 2;

		report_subject_name(s, name, sizeof(name));
		sb_printf(out, "<g class=\"row\">");
		if (i % 2)
			sb_printf(out, "<rect class=\"band\" x=\"0\" y=\"%d\" width=\"%d\" "
				       "height=\"%d\"/>",
				  y - ROW_HEIGHT / 2, SVG_WIDTH, ROW_HEIGHT);
		sb_printf(out, "<text x=\"%d\" y=\"%d\"><title>", 4, y + 4);
		add_html(out, name);
		sb_puts(out, "</title>");
		add_short_name(out, name);
		sb_puts(out, "</text>\n");
		add_marks(out, s, r, y);
		sb_puts(out, "</g>\n");
	}
	sb_puts(out, "</svg>\n");
}

static void add_table(struct strbuf *out, const struct report *r)
{
	char name[4200], first[32], last[32];
	size_t i;

	sb_puts(out, "<table id=\"subjects\">\n<thead><tr><th>#</th><th>Process or app</th>"
		     "<th>Severity</th><th>Alerts</th><th>Confirmed</th><th>Suspected</th>"
		     "<th>Blocked</th><th>Identifiers</th><th>Channels</th><th>Destinations</th>"
		     "<th>First seen (UTC)</th><th>Last seen (UTC)</th></tr></thead>\n<tbody>\n");
	for (i = 0; i < r->n_subjects; i++) {
		const struct report_subject *s = r->subjects[i];

		report_subject_name(s, name, sizeof(name));
		report_format_time(s->first_us, first, sizeof(first));
		report_format_time(s->last_us, last, sizeof(last));
		sb_printf(out, "<tr><td class=\"n\">%zu</td><td>", i + 1);
		add_html(out, name);
		if (s->uid >= 0)
			sb_printf(out, "<br><span class=\"note\">uid %lld%s; pids ", s->uid,
				  s->uids_vary ? " and others" : "");
		else
			sb_puts(out, "<br><span class=\"note\">pids ");
		add_html_list(out, &s->pids, 0, ", ");
		sb_printf(out, "</span></td><td class=\"sev-%s\">%s</td><td class=\"n\">%llu</td>"
			       "<td class=\"n\">%llu</td><td class=\"n\">%llu</td>"
			       "<td class=\"n\">%llu</td><td>",
			  sev_names[s->severity], sev_names[s->severity], s->alerts, s->confirmed,
			  s->suspected, s->enforced);
		add_html_list(out, &s->idents, 1, "<br>");
		sb_puts(out, "</td><td>");
		add_html_list(out, &s->channels, 0, "<br>");
		sb_puts(out, "</td><td>");
		add_html_list(out, &s->dests, 0, "<br>");
		sb_printf(out, "</td><td class=\"t\">%s</td><td class=\"t\">%s</td></tr>\n", first,
			  last);
	}
	sb_puts(out, "</tbody>\n</table>\n");
}

static void add_input(struct strbuf *out, const struct report *r)
{
	int k;

	sb_puts(out, "<h2>Input</h2>\n<ul id=\"input\">\n<li>records by type: ");
	add_html_list(out, &r->types, 0, ", ");
	sb_puts(out, "</li>\n");
	if (r->lost.n || r->lost.other) {
		sb_puts(out, "<li>events lost (by where: cause): ");
		add_html_list(out, &r->lost, 0, ", ");
		sb_puts(out, "</li>\n");
	}
	if (r->policies.n) {
		sb_puts(out, "<li>policy reloads: ");
		add_html_list(out, &r->policies, 0, ", ");
		sb_puts(out, "</li>\n");
	}
	for (k = 0; k < BAD__COUNT; k++) {
		if (!r->bad[k])
			continue;
		sb_printf(out, "<li class=\"bad\">skipped: %llu %s", r->bad[k],
			  report_bad_names[k]);
		if (r->bad_first[k]) {
			sb_puts(out, " (first at ");
			add_html(out, r->bad_first[k]);
			sb_puts(out, ")");
		}
		if (k == BAD_UNKNOWN_TYPE) {
			sb_puts(out, ": ");
			add_html_list(out, &r->unknown_types, 0, ", ");
		}
		sb_puts(out, "</li>\n");
	}
	sb_puts(out, "</ul>\n");
}

void report_html(struct strbuf *out, const struct report *r)
{
	char first[32], last[32];
	size_t i;
	unsigned long long dropped = 0;

	sb_printf(out, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
		       "<title>idsentry report</title>\n<style>\n%s</style>\n</head>\n<body>\n"
		       "<h1>idsentry report</h1>\n<p id=\"summary\">",
		  style);
	sb_printf(out, "%llu alerts from %zu processes or apps, in %llu records of %llu file%s",
		  r->alerts, r->n_subjects, r->records, r->files, r->files == 1 ? "" : "s");
	if (r->first_us >= 0) {
		report_format_time(r->first_us, first, sizeof(first));
		report_format_time(r->last_us, last, sizeof(last));
		sb_printf(out, ", from %s to %s UTC", first, last);
	}
	sb_puts(out, ".</p>\n");
	if (r->failed)
		sb_puts(out, "<p class=\"bad\">Out of memory: this report is incomplete.</p>\n");
	sb_puts(out, "<h2>Timeline</h2>\n<p class=\"note\">One row per process or app, one mark "
		     "per alert record (a record of folded repeats is one mark), coloured by "
		     "confidence.</p>\n");
	add_timeline(out, r);
	for (i = 0; i < r->n_subjects && i < TIMELINE_MAX_ROWS; i++)
		dropped += r->subjects[i]->marks_dropped;
	if (r->n_subjects > TIMELINE_MAX_ROWS)
		sb_printf(out, "<p class=\"note\">The timeline shows the first %d processes or apps; "
			       "the %zu others are in the table.</p>\n",
			  TIMELINE_MAX_ROWS, r->n_subjects - TIMELINE_MAX_ROWS);
	if (dropped)
		sb_printf(out, "<p class=\"note\">%llu further alerts are in the table but not "
			       "drawn (at most %d marks per row).</p>\n",
			  dropped, REPORT_MAX_MARKS);
	sb_puts(out, "<h2>Processes and apps</h2>\n<p class=\"note\">Order: ");
	add_html(out, report_order_note);
	sb_puts(out, ".</p>\n");
	add_table(out, r);
	add_input(out, r);
	sb_puts(out, "</body>\n</html>\n");
}
