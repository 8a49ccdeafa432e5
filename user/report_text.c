// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* report_text: the report as text for a terminal: a table of processes and apps, then bad input. */
#include <string.h>
#include "report_text.h"
#include "tail_format.h"

#define NAME_MIN 14
#define NAME_MAX_WIDTH 40
#define ITEMS_SHOWN 8 /* per detail line; the rest are counted */

const char report_order_note[] =
	"highest severity first (critical, high, medium, low), then those with confirmed alerts "
	"before those with only suspected ones, then those blocked or killed before those only "
	"alerted on, then by number of alerts";

static const char *const sev_names[] = { "?", "low", "medium", "high", "critical" };

void report_text_item(struct strbuf *out, const struct report_count *c, int confidence)
{
	sb_add_printable(out, c->name);
	if (!confidence)
		sb_printf(out, " (%llu)", c->n);
	else if (c->confirmed && c->suspected)
		sb_printf(out, " (%llu confirmed, %llu suspected)", c->confirmed, c->suspected);
	else
		sb_printf(out, " (%llu %s)", c->n, c->confirmed ? "confirmed" : "suspected");
}

void report_text_list(struct strbuf *out, const struct report_list *l, int confidence,
		      const char *sep, size_t shown)
{
	unsigned long long rest = l->other;
	size_t i;

	for (i = 0; i < l->n && i < shown; i++) {
		sb_puts(out, i ? sep : "");
		report_text_item(out, &l->items[i], confidence);
	}
	for (; i < l->n; i++)
		rest += l->items[i].n;
	if (rest)
		sb_printf(out, "%s%llu more under other names", l->n ? sep : "", rest);
	if (!l->n && !l->other)
		sb_puts(out, "none");
}

static void detail(struct strbuf *out, const char *label, const struct report_list *l,
		   int confidence)
{
	sb_printf(out, "     %-14s", label);
	report_text_list(out, l, confidence, ", ", ITEMS_SHOWN);
	sb_puts(out, "\n");
}

static void add_processes(struct strbuf *out, const struct report_subject *s)
{
	sb_printf(out, "     %-14s", "processes:");
	if (s->uid >= 0)
		sb_printf(out, "uid %lld%s; ", s->uid, s->uids_vary ? " and others" : "");
	sb_puts(out, "pids ");
	report_text_list(out, &s->pids, 0, ", ", ITEMS_SHOWN);
	if (s->package && s->comm) {
		sb_puts(out, "; comm ");
		sb_add_printable(out, s->comm);
	}
	if (s->package && s->exe) {
		sb_puts(out, ", exe ");
		sb_add_printable(out, s->exe);
	}
	sb_puts(out, "\n");
}

static void add_bad(struct strbuf *out, const struct report *r)
{
	unsigned long long total = 0;
	int k;

	for (k = 0; k < BAD__COUNT; k++)
		total += r->bad[k];
	if (!total) {
		sb_puts(out, "bad input: none\n");
		return;
	}
	sb_printf(out, "bad input (skipped, the rest was read): %llu\n", total);
	for (k = 0; k < BAD__COUNT; k++) {
		if (!r->bad[k])
			continue;
		sb_printf(out, "  %llu %s", r->bad[k], report_bad_names[k]);
		if (r->bad_first[k]) {
			sb_puts(out, " (first at ");
			sb_add_printable(out, r->bad_first[k]);
			sb_puts(out, ")");
		}
		if (k == BAD_UNKNOWN_TYPE) {
			sb_puts(out, ": ");
			report_text_list(out, &r->unknown_types, 0, ", ", REPORT_MAX_ITEMS);
		}
		sb_puts(out, "\n");
	}
}

static void add_other_records(struct strbuf *out, const struct report *r)
{
	sb_puts(out, "records by type: ");
	report_text_list(out, &r->types, 0, ", ", REPORT_MAX_ITEMS);
	sb_puts(out, "\n");
	if (r->lost.n || r->lost.other) {
		sb_puts(out, "events lost (by where: cause): ");
		report_text_list(out, &r->lost, 0, ", ", REPORT_MAX_ITEMS);
		sb_puts(out, "\n");
	}
	if (r->policies.n) {
		sb_puts(out, "policy reloads: ");
		report_text_list(out, &r->policies, 0, ", ", REPORT_MAX_ITEMS);
		sb_puts(out, "\n");
	}
}

void report_text(struct strbuf *out, const struct report *r)
{
	size_t i, width = NAME_MIN;
	char name[4200], first[32], last[32];
	struct strbuf esc;

	sb_init(&esc);
	sb_printf(out, "idsentry report: %llu file%s (%llu gzip'd), %llu lines, %llu records; "
		       "%llu alerts from %zu process%s or app%s\n",
		  r->files, r->files == 1 ? "" : "s", r->gzip_files, r->lines, r->records,
		  r->alerts, r->n_subjects, r->n_subjects == 1 ? "" : "es",
		  r->n_subjects == 1 ? "" : "s");
	if (r->first_us >= 0) {
		report_format_time(r->first_us, first, sizeof(first));
		report_format_time(r->last_us, last, sizeof(last));
		sb_printf(out, "from %s to %s (times in UTC)\n", first, last);
	}
	if (r->subjects_dropped)
		sb_printf(out, "%llu alerts of processes beyond the first %d are counted but not "
			       "listed\n",
			  r->subjects_dropped, REPORT_MAX_SUBJECTS);
	if (r->failed)
		sb_puts(out, "out of memory: this report is incomplete\n");
	sb_printf(out, "order: %s\n\n", report_order_note);
	for (i = 0; i < r->n_subjects; i++) {
		report_subject_name(r->subjects[i], name, sizeof(name));
		sb_reset(&esc);
		sb_add_printable(&esc, name);
		if (esc.len > width)
			width = esc.len > NAME_MAX_WIDTH ? NAME_MAX_WIDTH : esc.len;
	}
	if (r->n_subjects)
		sb_printf(out, "%-4s%-*s  %-8s  %6s  %9s  %9s  %7s  %-19s  %s\n", "#", (int)width,
			  "PROCESS OR APP", "SEVERITY", "ALERTS", "CONFIRMED", "SUSPECTED",
			  "BLOCKED", "FIRST SEEN", "LAST SEEN");
	else
		sb_puts(out, "no alerts\n");
	for (i = 0; i < r->n_subjects; i++) {
		const struct report_subject *s = r->subjects[i];

		report_subject_name(s, name, sizeof(name));
		sb_reset(&esc);
		sb_add_printable(&esc, name);
		report_format_time(s->first_us, first, sizeof(first));
		report_format_time(s->last_us, last, sizeof(last));
		sb_printf(out, "%-4zu%-*s", i + 1, (int)width, sb_str(&esc));
		if (esc.len > width)
			sb_printf(out, "\n%*s", (int)width + 4, "");
		sb_printf(out, "  %-8s  %6llu  %9llu  %9llu  %7llu  %-19s  %s\n",
			  sev_names[s->severity], s->alerts, s->confirmed, s->suspected,
			  s->enforced, first, last);
		detail(out, "identifiers:", &s->idents, 1);
		detail(out, "channels:", &s->channels, 0);
		detail(out, "destinations:", &s->dests, 0);
		detail(out, "actions:", &s->actions, 0);
		detail(out, "rules:", &s->rules, 0);
		add_processes(out, s);
	}
	sb_puts(out, "\n");
	add_other_records(out, r);
	add_bad(out, r);
	sb_free(&esc);
}
