// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* term: turns the records `run` writes into text for a person at a terminal (stdout is a tty). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "tail_format.h"
#include "term.h"

/* Continuation lines start under the message column of tail's lines (time, label). */
#define INDENT "                             "

void term_init(struct term_writer *t, int colour)
{
	t->colour = colour;
	sb_init(&t->text);
}

void term_free(struct term_writer *t)
{
	sb_free(&t->text);
}

static int is_true(const struct jval *v)
{
	return v && v->type == J_BOOL && v->b;
}

/* The label column, as wide as tail's: the record's type in capitals, green when colour is on. */
static void type_label(struct strbuf *out, const char *type, int colour)
{
	size_t n = 0;

	sb_puts(out, colour ? " \033[32m" : " ");
	for (; type && type[n]; n++)
		sb_printf(out, "%c", type[n] >= 'a' && type[n] <= 'z' ? type[n] - 32 : type[n]);
	sb_printf(out, "%s%*s", colour ? "\033[0m" : "", n < 9 ? (int)(9 - n) : 1, "");
}

/* Skipped probes grouped by reason: one line per reason, naming each probe once. */
static void add_skipped(struct strbuf *out, const struct jval *skipped)
{
	const struct jval *p, *q;

	for (p = skipped && skipped->type == J_ARR ? skipped->child : NULL; p; p = p->next) {
		const char *reason = jstr(p, "reason");
		int first = 1;

		for (q = skipped->child; q != p; q = q->next) {
			const char *r = jstr(q, "reason");

			if ((r && reason && !strcmp(r, reason)) || (!r && !reason))
				break;
		}
		if (q != p)
			continue; /* this reason had its line */
		sb_puts(out, INDENT "skipped: ");
		for (q = p; q; q = q->next) {
			const char *r = jstr(q, "reason");

			if (!((r && reason && !strcmp(r, reason)) || (!r && !reason)))
				continue;
			sb_puts(out, first ? "" : ", ");
			sb_add_printable(out, jstr(q, "name"));
			first = 0;
		}
		sb_puts(out, ": ");
		sb_add_printable(out, reason ? reason : "no reason given");
		sb_puts(out, "\n");
	}
}

static void add_enforcement(struct strbuf *out, const struct jval *enf)
{
	const struct jval *degraded = jget(enf, "degraded"), *d;
	const char *mode = jstr(enf, "mode");

	if (!enf)
		return;
	if (is_true(jget(enf, "available"))) {
		sb_printf(out, INDENT "enforcement: on (%zu hooks attached)\n",
			  jlen(jget(enf, "hooks")));
		return;
	}
	if (mode && !strcmp(mode, "alert")) {
		sb_puts(out, INDENT "enforcement: off (--mode alert: a dry run, nothing is "
				    "blocked)\n");
		return;
	}
	sb_printf(out, INDENT "enforcement: degraded (%zu hooks attached)%s\n",
		  jlen(jget(enf, "hooks")), jlen(degraded) ? ":" : "");
	for (d = degraded && degraded->type == J_ARR ? degraded->child : NULL; d; d = d->next) {
		if (d->type != J_STR)
			continue;
		sb_puts(out, INDENT "  - ");
		sb_add_printable(out, d->str);
		sb_puts(out, "\n");
	}
}

static void add_hooks(struct strbuf *out, const struct jval *h)
{
	const char *mode = jstr(h, "mode"), *gate = jstr(h, "gate"), *reason = jstr(h, "reason");

	if (!h)
		return;
	sb_puts(out, INDENT "syscall hooks: ");
	sb_add_printable(out, mode);
	if (is_true(jget(h, "syscalls_attached")))
		sb_puts(out, ", attached");
	else
		sb_puts(out, ", detached until a process opens a watched file");
	if (gate) {
		sb_puts(out, " (gate: ");
		sb_add_printable(out, gate);
		sb_puts(out, ")");
	}
	if (reason) {
		sb_puts(out, ": ");
		sb_add_printable(out, reason);
	}
	sb_puts(out, "\n");
}

/* "TLS libraries: 2 probed; /x/libssl.so.1.1 not: why" */
static void add_libraries(struct strbuf *out, const char *what, const struct jval *libs)
{
	const struct jval *l;
	size_t probed = 0;

	if (!jlen(libs))
		return;
	for (l = libs->child; l; l = l->next)
		probed += is_true(jget(l, "attached"));
	sb_printf(out, INDENT "%s: %zu probed", what, probed);
	for (l = libs->child; l; l = l->next) {
		if (is_true(jget(l, "attached")))
			continue;
		sb_puts(out, "; not ");
		sb_add_printable(out, jstr(l, "path"));
		sb_puts(out, ": ");
		sb_add_printable(out, jstr(l, "reason") ? jstr(l, "reason") : "not attached");
	}
	sb_puts(out, "\n");
}

/* Tail's ready line names every skipped probe; here they get lines of their own, with why. */
static void format_ready(struct strbuf *out, const struct jval *rec, int colour)
{
	const struct jval *pol = jget(rec, "policy"), *p;
	long long files = -1, values = -1;

	format_local_time(out, jstr(rec, "ts"));
	type_label(out, "ready", colour);
	sb_puts(out, "idsentry ");
	sb_add_printable(out, jstr(rec, "version"));
	sb_printf(out, ": %zu probes attached, %zu skipped; mode ",
		  jlen(jget(rec, "probes.attached")), jlen(jget(rec, "probes.skipped")));
	sb_add_printable(out, jstr(rec, "mode"));
	sb_puts(out, "; policy ");
	for (p = pol && pol->type == J_ARR ? pol->child : NULL; p; p = p->next) {
		sb_puts(out, p == pol->child ? "" : ", ");
		sb_add_printable(out, p->type == J_STR ? p->str : "?");
	}
	sb_puts(out, "\n");
	add_skipped(out, jget(rec, "probes.skipped"));
	add_enforcement(out, jget(rec, "enforcement"));
	add_hooks(out, jget(rec, "hooks"));
	add_libraries(out, "TLS libraries", jget(rec, "tls_libraries"));
	add_libraries(out, "property libraries", jget(rec, "property_libraries"));
	if (!jint(rec, "watched_files", &files) && !jint(rec, "known_values", &values))
		sb_printf(out, INDENT "watching %lld file%s, %lld identifier value%s known\n", files,
			  files == 1 ? "" : "s", values, values == 1 ? "" : "s");
	sb_puts(out, INDENT "alerts follow, one line each (--json or --output for JSON Lines)\n");
}

static void format_stats(struct strbuf *out, const struct jval *rec)
{
	long long confirmed = 0, suspected = 0, folded = 0, procs = 0, values = 0;
	const struct jval *ev = jget(rec, "events"), *e;
	int n = 0;

	jint(rec, "alerts.confirmed", &confirmed);
	jint(rec, "alerts.suspected", &suspected);
	jint(rec, "alerts.folded", &folded);
	jint(rec, "processes", &procs);
	jint(rec, "known_values", &values);
	sb_printf(out, "alerts %lld confirmed, %lld suspected (%lld repeats folded); %lld "
		       "processes, %lld values known; events",
		  confirmed, suspected, folded, procs, values);
	for (e = ev && ev->type == J_OBJ ? ev->child : NULL; e; e = e->next) {
		if (e->type != J_NUM || !strcmp(e->str, "0"))
			continue;
		sb_puts(out, n++ ? ", " : " ");
		sb_add_printable(out, e->key);
		sb_puts(out, " ");
		sb_add_printable(out, e->str);
	}
	sb_puts(out, n ? "\n" : " none\n");
}

/* key=value for the scalar members (strings, numbers, booleans) and lists of strings. */
static void format_members(struct strbuf *out, const struct jval *rec)
{
	const struct jval *m, *v;
	int n = 0;

	for (m = rec->child; m; m = m->next) {
		if (!strcmp(m->key, "type") || !strcmp(m->key, "ts") || m->type == J_OBJ ||
		    m->type == J_NULL)
			continue;
		for (v = m->type == J_ARR ? m->child : NULL; v; v = v->next)
			if (v->type != J_STR && v->type != J_NUM)
				break;
		if (v)
			continue; /* a list of objects: --json shows it */
		sb_puts(out, n++ ? " " : "");
		sb_add_printable(out, m->key);
		sb_puts(out, "=");
		if (m->type == J_BOOL) {
			sb_puts(out, m->b ? "true" : "false");
		} else if (m->type != J_ARR) {
			sb_add_printable(out, m->str);
		} else {
			for (v = m->child; v; v = v->next)
				if (v->type == J_STR || v->type == J_NUM) {
					sb_puts(out, v == m->child ? "" : ",");
					sb_add_printable(out, v->str);
				}
		}
	}
	sb_puts(out, "\n");
}

void term_format(struct strbuf *out, const struct jval *rec, int colour)
{
	const char *type = jstr(rec, "type");
	struct strbuf line;

	sb_reset(out);
	sb_init(&line);
	if (type && !strcmp(type, "ready")) {
		format_ready(out, rec, colour);
	} else if (tail_format(&line, rec, colour)) {
		sb_puts(out, sb_str(&line));
		sb_puts(out, "\n");
	} else {
		format_local_time(out, jstr(rec, "ts"));
		type_label(out, type ? type : "record", 0);
		if (type && !strcmp(type, "stats"))
			format_stats(out, rec);
		else
			format_members(out, rec);
	}
	sb_free(&line);
}

int term_write(struct term_writer *t, FILE *f, const struct record *r)
{
	struct jdoc d;

	if (jdoc_parse(&d, r->line, r->len) || d.root->type != J_OBJ) {
		/* the agent's own records always parse; show the text rather than nothing */
		char *text = strndup(r->line, r->len ? r->len - 1 : 0);

		sb_reset(&t->text);
		sb_add_printable(&t->text, text ? text : r->type);
		sb_puts(&t->text, "\n");
		free(text);
	} else {
		term_format(&t->text, d.root, t->colour);
	}
	jdoc_free(&d);
	if (t->text.failed)
		return -ENOMEM;
	if (fwrite(t->text.s, 1, t->text.len, f) != t->text.len || fflush(f))
		return errno ? -errno : -EIO;
	return 0;
}
