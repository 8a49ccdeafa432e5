// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* tail_format: filters records and turns them into one readable line each for `idsentry tail`. */
#define _GNU_SOURCE
#include <fnmatch.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include "tail_format.h"

#define RESET "\033[0m"

static const char *const sev_names[] = { "", "low", "medium", "high", "critical" };
static const char *const sev_colours[] = { "", "\033[36m", "\033[33m", "\033[1;31m", "\033[1;35m" };

int severity_rank(const char *name)
{
	int i;

	for (i = SEV_LOW; name && i <= SEV_CRITICAL; i++)
		if (!strcmp(name, sev_names[i]))
			return i;
	return SEV_UNKNOWN;
}

int tail_filter_active(const struct tail_filter *f)
{
	return f->n_rules || f->n_comms || f->n_pids || f->n_idents || f->min_severity;
}

static int in_list(const char *const *list, size_t n, const char *s)
{
	size_t i;

	for (i = 0; s && i < n; i++)
		if (!strcmp(list[i], s))
			return 1;
	return 0;
}

static int has_identifier(const struct tail_filter *f, const struct jval *rec)
{
	const struct jval *ids = jget(rec, "identifiers"), *id;

	for (id = ids && ids->type == J_ARR ? ids->child : NULL; id; id = id->next)
		if (in_list(f->idents, f->n_idents, jstr(id, "name")))
			return 1;
	return 0;
}

int tail_filter_pass(const struct tail_filter *f, const struct jval *rec)
{
	const char *type = jstr(rec, "type"), *comm;
	long long pid;
	size_t i;

	if (!type || strcmp(type, "alert"))
		return 1;
	if (f->n_rules && !in_list(f->rules, f->n_rules, jstr(rec, "rule")))
		return 0;
	if (f->min_severity && severity_rank(jstr(rec, "severity")) < f->min_severity)
		return 0;
	if (f->n_comms) {
		comm = jstr(rec, "process.comm");
		for (i = 0; comm && i < f->n_comms; i++)
			if (!fnmatch(f->comms[i], comm, 0))
				break;
		if (!comm || i == f->n_comms)
			return 0;
	}
	if (f->n_pids) {
		if (jint(rec, "process.pid", &pid))
			return 0;
		for (i = 0; i < f->n_pids && f->pids[i] != pid; i++)
			;
		if (i == f->n_pids)
			return 0;
	}
	if (f->n_idents && !has_identifier(f, rec))
		return 0;
	return 1;
}

/* Length of the valid UTF-8 sequence at s and its code point, or 0. */
static size_t utf8_decode(const unsigned char *s, unsigned int *cp)
{
	size_t k, i;

	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		k = 2;
		*cp = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		k = 3;
		*cp = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		k = 4;
		*cp = s[0] & 0x07;
	} else {
		return 0;
	}
	for (i = 1; i < k; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		*cp = (*cp << 6) | (s[i] & 0x3f);
	}
	return k;
}

static int unsafe_code_point(unsigned int cp)
{
	return (cp >= 0x80 && cp <= 0x9f) ||	 /* C1 controls, CSI among them */
	       (cp >= 0x202a && cp <= 0x202e) || /* bidirectional embeddings and overrides */
	       (cp >= 0x2066 && cp <= 0x2069) || /* bidirectional isolates */
	       cp == 0x2028 || cp == 0x2029;	 /* line and paragraph separators */
}

void sb_add_printable(struct strbuf *out, const char *s)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "?");
	unsigned int cp;
	size_t k;

	while (*p) {
		if (*p < 0x20 || *p == 0x7f) {
			sb_printf(out, "\\x%02x", *p++);
		} else if (*p < 0x80) {
			sb_add(out, (const char *)p++, 1);
		} else if ((k = utf8_decode(p, &cp)) == 0) {
			sb_printf(out, "\\x%02x", *p++);
		} else {
			if (unsafe_code_point(cp))
				sb_printf(out, "\\u%04x", cp);
			else
				sb_add(out, (const char *)p, k);
			p += k;
		}
	}
}

void format_local_time(struct strbuf *out, const char *ts)
{
	struct tm tm = {};
	char buf[32];
	time_t t;
	const char *end = ts ? strptime(ts, "%Y-%m-%dT%H:%M:%S", &tm) : NULL;

	if (!end) {
		sb_add_printable(out, ts);
		return;
	}
	t = timegm(&tm);
	localtime_r(&t, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S", &tm);
	sb_puts(out, buf);
}

/* The label column: fixed width, coloured when asked. */
static void label(struct strbuf *out, const char *text, const char *colour, int use_colour)
{
	size_t n = strlen(text);

	sb_puts(out, " ");
	if (use_colour && colour && *colour)
		sb_printf(out, "%s%s%s", colour, text, RESET);
	else
		sb_puts(out, text);
	sb_printf(out, "%*s", n < 9 ? (int)(9 - n) : 1, "");
}

static void upper(char *dst, const char *src, size_t size)
{
	size_t i;

	for (i = 0; src && src[i] && i + 1 < size; i++)
		dst[i] = src[i] >= 'a' && src[i] <= 'z' ? src[i] - 32 : src[i];
	dst[i] = 0;
}

static void add_destination(struct strbuf *out, const struct jval *rec)
{
	const char *host = jstr(rec, "destination.host"), *family = jstr(rec, "destination.family");
	const char *addr = jstr(rec, "destination.addr");
	int v6 = family && !strcmp(family, "ipv6");
	long long port;

	if (host) {
		sb_add_printable(out, host);
		sb_puts(out, " (");
	}
	sb_puts(out, v6 ? "[" : "");
	sb_add_printable(out, addr);
	sb_puts(out, v6 ? "]" : "");
	if (!jint(rec, "destination.port", &port))
		sb_printf(out, ":%lld", port);
	if (jstr(rec, "destination.proto")) {
		sb_puts(out, "/");
		sb_add_printable(out, jstr(rec, "destination.proto"));
	}
	if (host)
		sb_puts(out, ")");
}

static void add_identifiers(struct strbuf *out, const struct jval *rec)
{
	const struct jval *ids = jget(rec, "identifiers"), *id;
	int n = 0;

	for (id = ids && ids->type == J_ARR ? ids->child : NULL; id; id = id->next) {
		const char *value = jstr(id, "value");

		sb_puts(out, n++ ? ", " : "");
		sb_add_printable(out, jstr(id, "name"));
		if (value) {
			sb_puts(out, "=");
			sb_add_printable(out, value);
		}
	}
	if (!n)
		sb_puts(out, "identifiers");
}

static void format_alert(struct strbuf *out, const struct jval *rec, int colour)
{
	const char *sev = jstr(rec, "severity"), *action = jstr(rec, "action");
	const char *enc = jstr(rec, "evidence.encoding"), *call = jstr(rec, "evidence.call");
	const char *channel = jstr(rec, "evidence.channel"), *lineage = jstr(rec, "lineage");
	const struct jval *agg = jget(rec, "aggregated");
	char name[16];
	long long pid, offset, count;

	upper(name, sev ? sev : "alert", sizeof(name));
	label(out, name, sev_colours[severity_rank(sev)], colour);
	action = action ? action : "alert";
	if (colour && strcmp(action, "alert"))
		sb_printf(out, "\033[1m%-7s" RESET " ", action); /* blocked, killed: bold */
	else
		sb_printf(out, "%-7s ", action);
	sb_add_printable(out, jstr(rec, "process.comm"));
	if (!jint(rec, "process.pid", &pid))
		sb_printf(out, "[%lld]", pid);
	sb_puts(out, " sent ");
	add_identifiers(out, rec);
	sb_puts(out, " to ");
	add_destination(out, rec);
	sb_puts(out, " (");
	sb_add_printable(out, jstr(rec, "confidence"));
	if (enc) {
		sb_puts(out, ": ");
		sb_add_printable(out, enc);
		if (!jint(rec, "evidence.offset", &offset))
			sb_printf(out, " at byte %lld", offset);
	}
	if (call) {
		sb_puts(out, ", ");
		sb_add_printable(out, call);
	}
	if (channel && strcmp(channel, "socket")) {
		sb_puts(out, ", over ");
		sb_add_printable(out, channel);
	}
	sb_puts(out, "; rule ");
	sb_add_printable(out, jstr(rec, "rule"));
	sb_puts(out, ")");
	/* a folded record stands for repeats of the alert written before it */
	if (agg && agg->type == J_BOOL && agg->b && !jint(rec, "count", &count))
		sb_printf(out, " repeated %lld time%s", count, count == 1 ? "" : "s");
	if (lineage) {
		sb_puts(out, " via ");
		sb_add_printable(out, lineage);
	}
}

static void add_string_list(struct strbuf *out, const struct jval *arr, const char *sep)
{
	const struct jval *v;
	int n = 0;

	for (v = arr && arr->type == J_ARR ? arr->child : NULL; v; v = v->next) {
		if (v->type != J_STR)
			continue;
		sb_puts(out, n++ ? sep : "");
		sb_add_printable(out, v->str);
	}
}

static void format_ready(struct strbuf *out, const struct jval *rec, int colour)
{
	const struct jval *skipped = jget(rec, "probes.skipped"), *p;
	int n = 0;

	label(out, "READY", "\033[32m", colour);
	sb_puts(out, "idsentry ");
	sb_add_printable(out, jstr(rec, "version"));
	sb_printf(out, ": %zu probes attached, %zu skipped", jlen(jget(rec, "probes.attached")),
		  jlen(skipped));
	for (p = skipped && skipped->type == J_ARR ? skipped->child : NULL; p; p = p->next) {
		sb_puts(out, n++ ? ", " : " (");
		sb_add_printable(out, jstr(p, "name"));
	}
	sb_puts(out, n ? ")" : "");
	sb_puts(out, "; mode ");
	sb_add_printable(out, jstr(rec, "mode"));
	sb_puts(out, "; policy ");
	add_string_list(out, jget(rec, "policy"), ", ");
}

static void format_lost(struct strbuf *out, const struct jval *rec, int colour)
{
	long long n = 0;

	label(out, "LOST", "\033[33m", colour);
	jint(rec, "count", &n);
	sb_printf(out, "%lld record%s lost (", n, n == 1 ? "" : "s");
	sb_add_printable(out, jstr(rec, "where"));
	if (jstr(rec, "cause")) {
		sb_puts(out, ": ");
		sb_add_printable(out, jstr(rec, "cause"));
	}
	sb_puts(out, ")");
}

static void format_policy(struct strbuf *out, const struct jval *rec, int colour)
{
	const char *status = jstr(rec, "status");
	const struct jval *errors = jget(rec, "errors");
	int rejected = status && !strcmp(status, "rejected");

	label(out, "POLICY", rejected ? "\033[31m" : "\033[32m", colour);
	sb_puts(out, "reload ");
	sb_add_printable(out, status);
	sb_puts(out, " (");
	add_string_list(out, jget(rec, "files"), ", ");
	sb_puts(out, ")");
	if (rejected) {
		sb_puts(out, ": ");
		add_string_list(out, errors, "; ");
		sb_puts(out, "; the previous policy stays in force");
	}
}

int tail_format(struct strbuf *out, const struct jval *rec, int colour)
{
	const char *type = jstr(rec, "type");

	sb_reset(out);
	if (!type)
		return 0;
	if (strcmp(type, "alert") && strcmp(type, "ready") && strcmp(type, "lost") &&
	    strcmp(type, "policy") && strcmp(type, "error"))
		return 0;
	format_local_time(out, jstr(rec, "ts"));
	if (!strcmp(type, "alert")) {
		format_alert(out, rec, colour);
	} else if (!strcmp(type, "ready")) {
		format_ready(out, rec, colour);
	} else if (!strcmp(type, "lost")) {
		format_lost(out, rec, colour);
	} else if (!strcmp(type, "policy")) {
		format_policy(out, rec, colour);
	} else {
		label(out, "ERROR", "\033[31m", colour);
		sb_add_printable(out, jstr(rec, "message"));
	}
	return 1;
}
