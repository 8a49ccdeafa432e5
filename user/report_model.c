// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* report_model: folds record lines into one summary per process or app, counting bad input. */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "jsonread.h"
#include "report_model.h"
#include "tail_format.h"

const char *const report_bad_names[BAD__COUNT] = {
	[BAD_TRUNCATED] = "truncated or malformed records",
	[BAD_NOT_JSON] = "lines that are not JSON",
	[BAD_NOT_RECORD] = "JSON values that are not records (no \"type\")",
	[BAD_UNKNOWN_TYPE] = "records of an unknown type",
	[BAD_TOO_LONG] = "lines too long to be records",
	[BAD_UNREADABLE] = "unreadable files or file ends",
};

/* What the agent writes (CONTRACT.md); anything else is counted as unknown. */
static const char *const known_types[] = { "alert", "ready", "lost",	     "policy", "stats",
					   "status", "error", "derived_file", "state" };

void report_init(struct report *r)
{
	memset(r, 0, sizeof(*r));
	r->first_us = r->last_us = -1;
}

static void list_free(struct report_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->items[i].name);
	free(l->items);
	memset(l, 0, sizeof(*l));
}

static void subject_free(struct report_subject *s)
{
	size_t i;

	if (!s)
		return;
	free(s->key);
	free(s->package);
	free(s->exe);
	free(s->comm);
	list_free(&s->idents);
	list_free(&s->channels);
	list_free(&s->dests);
	list_free(&s->actions);
	list_free(&s->rules);
	list_free(&s->pids);
	for (i = 0; i < s->n_marks; i++)
		free(s->marks[i].what);
	free(s->marks);
	free(s);
}

void report_free(struct report *r)
{
	size_t i;

	for (i = 0; i < r->n_subjects; i++)
		subject_free(r->subjects[i]);
	free(r->subjects);
	free(r->index);
	list_free(&r->types);
	list_free(&r->lost);
	list_free(&r->policies);
	list_free(&r->unknown_types);
	for (i = 0; i < BAD__COUNT; i++)
		free(r->bad_first[i]);
	memset(r, 0, sizeof(*r));
}

/* Counts n under name (with its confidence when given: 1 confirmed, 0 suspected, -1 neither). */
static void list_add(struct report *r, struct report_list *l, const char *name,
		     unsigned long long n, int confirmed)
{
	struct report_count *c = NULL, *grown;
	size_t i;

	for (i = 0; i < l->n; i++)
		if (!strcmp(l->items[i].name, name)) {
			c = &l->items[i];
			break;
		}
	if (!c) {
		if (l->n == REPORT_MAX_ITEMS) {
			l->other += n;
			return;
		}
		if (l->n == l->cap) {
			grown = realloc(l->items, (l->cap ? l->cap * 2 : 4) * sizeof(*grown));
			if (!grown) {
				r->failed = 1;
				return;
			}
			l->items = grown;
			l->cap = l->cap ? l->cap * 2 : 4;
		}
		c = &l->items[l->n];
		memset(c, 0, sizeof(*c));
		c->name = strdup(name);
		if (!c->name) {
			r->failed = 1;
			return;
		}
		l->n++;
	}
	c->n += n;
	if (confirmed > 0)
		c->confirmed += n;
	else if (confirmed == 0)
		c->suspected += n;
}

void report_add_bad(struct report *r, enum report_bad_kind kind, const char *where)
{
	if (!r->bad[kind]++ && where) {
		r->bad_first[kind] = strdup(where);
		if (!r->bad_first[kind])
			r->failed = 1;
	}
}

long long report_parse_time(const char *s)
{
	struct tm tm = {};
	long long us = 0, scale = 100000;
	const char *p = s ? strptime(s, "%Y-%m-%dT%H:%M:%S", &tm) : NULL;
	int sign, hh, mm, n;
	time_t t;

	if (!p)
		return -1;
	if (*p == '.')
		for (p++; *p >= '0' && *p <= '9'; p++, scale /= 10)
			us += (*p - '0') * scale;
	t = timegm(&tm);
	if (*p == 'Z' || *p == 'z') {
		p++;
	} else if (*p == '+' || *p == '-') {
		sign = *p == '-' ? -1 : 1;
		if (sscanf(p + 1, "%2d:%2d%n", &hh, &mm, &n) != 2)
			return -1;
		t -= sign * (hh * 3600 + mm * 60);
		p += 1 + n;
	} else {
		return -1;
	}
	if (*p || t < 0)
		return -1;
	return (long long)t * 1000000 + us;
}

void report_format_time(long long us, char *buf, size_t size)
{
	time_t t = us / 1000000;
	struct tm tm;

	if (us < 0 || !gmtime_r(&t, &tm) || !strftime(buf, size, "%Y-%m-%d %H:%M:%S", &tm))
		snprintf(buf, size, "?");
}

static uint64_t hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ULL; /* FNV-1a */

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

/* Grows the index to twice the subjects it may hold, so that probes stay short. */
static int index_grow(struct report *r)
{
	size_t cap = r->index_cap ? r->index_cap * 2 : 64, i, k;
	size_t *idx = calloc(cap, sizeof(*idx));

	if (!idx)
		return -1;
	for (i = 0; i < r->n_subjects; i++) {
		for (k = hash_str(r->subjects[i]->key) % cap; idx[k]; k = (k + 1) % cap)
			;
		idx[k] = i + 1;
	}
	free(r->index);
	r->index = idx;
	r->index_cap = cap;
	return 0;
}

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

static struct report_subject *subject_of(struct report *r, const struct jval *rec)
{
	const char *pkg = jstr(rec, "process.package"), *exe = jstr(rec, "process.exe");
	const char *comm = jstr(rec, "process.comm");
	struct report_subject *s, **grown;
	char key[4200];
	size_t k;

	snprintf(key, sizeof(key), "%s:%s", pkg ? "package" : exe ? "exe" : "comm",
		 pkg ? pkg : exe ? exe : comm ? comm : "?");
	if (r->index_cap)
		for (k = hash_str(key) % r->index_cap; r->index[k]; k = (k + 1) % r->index_cap)
			if (!strcmp(r->subjects[r->index[k] - 1]->key, key))
				return r->subjects[r->index[k] - 1];
	if (r->n_subjects == REPORT_MAX_SUBJECTS)
		return NULL;
	if ((r->n_subjects + 1) * 2 > r->index_cap && index_grow(r))
		goto oom;
	if (r->n_subjects == r->cap_subjects) {
		grown = realloc(r->subjects, (r->cap_subjects ? r->cap_subjects * 2 : 16) *
						     sizeof(*grown));
		if (!grown)
			goto oom;
		r->subjects = grown;
		r->cap_subjects = r->cap_subjects ? r->cap_subjects * 2 : 16;
	}
	s = calloc(1, sizeof(*s));
	if (!s)
		goto oom;
	s->key = strdup(key);
	s->package = dup_or_null(pkg);
	s->exe = dup_or_null(exe);
	s->comm = dup_or_null(comm);
	s->first_us = s->last_us = -1;
	if (jint(rec, "process.uid", &s->uid))
		s->uid = -1;
	if (!s->key || (pkg && !s->package) || (exe && !s->exe) || (comm && !s->comm)) {
		subject_free(s);
		goto oom;
	}
	r->subjects[r->n_subjects++] = s;
	for (k = hash_str(key) % r->index_cap; r->index[k]; k = (k + 1) % r->index_cap)
		;
	r->index[k] = r->n_subjects;
	return s;
oom:
	r->failed = 1;
	return NULL;
}

/* "host (addr:port/proto)", "addr:port/proto", "[v6]:port/proto", or "number/sms". */
static void destination_name(const struct jval *rec, char *buf, size_t size)
{
	const char *host = jstr(rec, "destination.host"), *addr = jstr(rec, "destination.addr");
	const char *proto = jstr(rec, "destination.proto"), *fam = jstr(rec, "destination.family");
	int v6 = fam && !strcmp(fam, "ipv6");
	char port[24] = "";
	long long p;

	if (!jint(rec, "destination.port", &p))
		snprintf(port, sizeof(port), ":%lld", p);
	snprintf(buf, size, "%s%s%s%s%s%s/%s%s", host ? host : "", host ? " (" : "", v6 ? "[" : "",
		 addr ? addr : "?", v6 ? "]" : "", port, proto ? proto : "?", host ? ")" : "");
}

static void add_mark(struct report *r, struct report_subject *s, long long ts, int confirmed,
		     int enforced, unsigned long long count, const char *idents, const char *dest)
{
	struct report_mark *grown, *m;

	if (ts < 0)
		return;
	if (s->n_marks == REPORT_MAX_MARKS) {
		s->marks_dropped++;
		return;
	}
	if (s->n_marks == s->cap_marks) {
		grown = realloc(s->marks, (s->cap_marks ? s->cap_marks * 2 : 16) * sizeof(*grown));
		if (!grown) {
			r->failed = 1;
			return;
		}
		s->marks = grown;
		s->cap_marks = s->cap_marks ? s->cap_marks * 2 : 16;
	}
	m = &s->marks[s->n_marks];
	m->ts_us = ts;
	m->confirmed = confirmed;
	m->enforced = enforced;
	m->count = count;
	if (asprintf(&m->what, "%s to %s", idents, dest) < 0) {
		r->failed = 1;
		return;
	}
	s->n_marks++;
}

static void add_alert(struct report *r, const struct jval *rec, long long ts)
{
	const char *conf = jstr(rec, "confidence"), *action = jstr(rec, "action");
	const char *channel = jstr(rec, "evidence.channel");
	const struct jval *ids = jget(rec, "identifiers"), *id, *agg = jget(rec, "aggregated");
	struct report_subject *s;
	int confirmed = conf && !strcmp(conf, "confirmed"), enforced, sev;
	unsigned long long n = 1;
	char dest[1200], names[512] = "", pid[32];
	long long v;
	size_t used = 0;

	/* a folded record stands for the repeats it counts; the first was written on its own */
	if (agg && agg->type == J_BOOL && agg->b && !jint(rec, "count", &v) && v > 0)
		n = v;
	r->alerts += n;
	r->alert_records++;
	s = subject_of(r, rec);
	if (!s) {
		r->subjects_dropped += n;
		return;
	}
	action = action ? action : "alert";
	enforced = !strcmp(action, "blocked") || !strcmp(action, "killed");
	s->alerts += n;
	s->records++;
	if (confirmed)
		s->confirmed += n;
	else
		s->suspected += n;
	if (enforced)
		s->enforced += n;
	sev = severity_rank(jstr(rec, "severity"));
	if (sev > s->severity)
		s->severity = sev;
	if (ts >= 0 && (s->first_us < 0 || ts < s->first_us))
		s->first_us = ts;
	if (ts > s->last_us)
		s->last_us = ts;
	if (!jint(rec, "process.uid", &v) && v != s->uid)
		s->uids_vary = 1;
	for (id = ids && ids->type == J_ARR ? ids->child : NULL; id; id = id->next) {
		const char *name = jstr(id, "name");

		list_add(r, &s->idents, name ? name : "?", n, confirmed);
		if (used + 2 < sizeof(names))
			used += snprintf(names + used, sizeof(names) - used, "%s%s",
					 used ? ", " : "", name ? name : "?");
	}
	destination_name(rec, dest, sizeof(dest));
	list_add(r, &s->dests, dest, n, confirmed);
	list_add(r, &s->channels, channel ? channel : "?", n, confirmed);
	list_add(r, &s->actions, action, n, confirmed);
	list_add(r, &s->rules, jstr(rec, "rule") ? jstr(rec, "rule") : "?", n, confirmed);
	if (!jint(rec, "process.pid", &v)) {
		snprintf(pid, sizeof(pid), "%lld", v);
		list_add(r, &s->pids, pid, n, confirmed);
	}
	add_mark(r, s, ts, confirmed, enforced, n, used ? names : "identifiers", dest);
}

static void add_record(struct report *r, const struct jval *rec, const char *type, long long ts)
{
	char what[512];
	long long n = 0;

	if (!strcmp(type, "alert")) {
		add_alert(r, rec, ts);
	} else if (!strcmp(type, "lost")) {
		snprintf(what, sizeof(what), "%s: %s", jstr(rec, "where") ? jstr(rec, "where") : "?",
			 jstr(rec, "cause") ? jstr(rec, "cause") : "?");
		jint(rec, "count", &n);
		list_add(r, &r->lost, what, n > 0 ? n : 0, -1);
	} else if (!strcmp(type, "policy")) {
		list_add(r, &r->policies, jstr(rec, "status") ? jstr(rec, "status") : "?", 1, -1);
	}
}

void report_add_line(struct report *r, const char *line, size_t len, const char *where)
{
	const char *type;
	struct jdoc d;
	long long ts;
	size_t i, k;

	r->lines++;
	for (i = 0; i < len && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r'); i++)
		;
	if (i == len)
		return; /* blank lines are no records and no harm */
	if (len > REPORT_MAX_LINE) {
		report_add_bad(r, BAD_TOO_LONG, where);
		return;
	}
	if (jdoc_parse(&d, line, len)) {
		report_add_bad(r, line[i] == '{' || line[i] == '[' ? BAD_TRUNCATED : BAD_NOT_JSON,
			       where);
		jdoc_free(&d);
		return;
	}
	type = d.root->type == J_OBJ ? jstr(d.root, "type") : NULL;
	if (!type) {
		report_add_bad(r, BAD_NOT_RECORD, where);
		jdoc_free(&d);
		return;
	}
	for (k = 0; k < sizeof(known_types) / sizeof(known_types[0]); k++)
		if (!strcmp(type, known_types[k]))
			break;
	if (k == sizeof(known_types) / sizeof(known_types[0])) {
		report_add_bad(r, BAD_UNKNOWN_TYPE, where);
		list_add(r, &r->unknown_types, type, 1, -1);
		jdoc_free(&d);
		return;
	}
	r->records++;
	list_add(r, &r->types, type, 1, -1);
	ts = report_parse_time(jstr(d.root, "ts"));
	if (ts >= 0 && (r->first_us < 0 || ts < r->first_us))
		r->first_us = ts;
	if (ts > r->last_us)
		r->last_us = ts;
	add_record(r, d.root, type, ts);
	jdoc_free(&d);
}

void report_subject_name(const struct report_subject *s, char *buf, size_t size)
{
	if (s->package)
		snprintf(buf, size, "%s", s->package);
	else if (s->exe && s->comm)
		snprintf(buf, size, "%s (%s)", s->comm, s->exe);
	else
		snprintf(buf, size, "%s", s->exe ? s->exe : s->comm ? s->comm : "?");
}

static int cmp_count(const void *a, const void *b)
{
	const struct report_count *x = a, *y = b;

	if (x->n != y->n)
		return x->n < y->n ? 1 : -1;
	return strcmp(x->name, y->name);
}

static int cmp_subject(const void *a, const void *b)
{
	const struct report_subject *x = *(struct report_subject *const *)a;
	const struct report_subject *y = *(struct report_subject *const *)b;

	if (x->severity != y->severity)
		return y->severity - x->severity;
	if (!x->confirmed != !y->confirmed)
		return x->confirmed ? -1 : 1;
	if (!x->enforced != !y->enforced)
		return x->enforced ? -1 : 1;
	if (x->alerts != y->alerts)
		return x->alerts < y->alerts ? 1 : -1;
	return strcmp(x->key, y->key);
}

static int cmp_mark(const void *a, const void *b)
{
	const struct report_mark *x = a, *y = b;

	return x->ts_us < y->ts_us ? -1 : x->ts_us > y->ts_us;
}

static void sort_list(struct report_list *l)
{
	if (l->n > 1)
		qsort(l->items, l->n, sizeof(l->items[0]), cmp_count);
}

void report_sort(struct report *r)
{
	size_t i;

	if (r->n_subjects > 1)
		qsort(r->subjects, r->n_subjects, sizeof(r->subjects[0]), cmp_subject);
	/* the index points at the old order: lookups after sorting would be wrong */
	free(r->index);
	r->index = NULL;
	r->index_cap = 0;
	for (i = 0; i < r->n_subjects; i++) {
		struct report_subject *s = r->subjects[i];

		sort_list(&s->idents);
		sort_list(&s->channels);
		sort_list(&s->dests);
		sort_list(&s->actions);
		sort_list(&s->rules);
		sort_list(&s->pids);
		if (s->n_marks > 1)
			qsort(s->marks, s->n_marks, sizeof(s->marks[0]), cmp_mark);
	}
	sort_list(&r->types);
	sort_list(&r->lost);
	sort_list(&r->policies);
	sort_list(&r->unknown_types);
}
