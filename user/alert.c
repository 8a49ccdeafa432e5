// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* alert: writes one alert record from a description of what was seen and what was done. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include "aggregate.h"
#include "alert.h"
#include "android.h"
#include "destination.h"
#include "json.h"
#include "output.h"
#include "policy.h"
#include "proctable.h"
#include "values.h"

void redact_value(const uint8_t *value, size_t len, char *buf, size_t size)
{
	size_t keep = len >= 12 ? 4 : len >= 6 ? 2 : 0;

	if (!keep)
		snprintf(buf, size, "…");
	else
		snprintf(buf, size, "%.*s…%.*s", (int)keep, (const char *)value, (int)keep,
			 (const char *)value + len - keep);
}

const char *lower_severity(const char *s)
{
	if (!strcmp(s, "critical"))
		return "high";
	if (!strcmp(s, "high"))
		return "medium";
	return "low";
}

static void write_identifier(struct json *j, const struct alert_sink *s,
			     const struct alert_ident *id)
{
	const struct known_value *v = id->value;
	const char *source = id->source ? id->source : v ? v->source : "file";
	const char *path = id->source ? id->path : v ? v->path : NULL;
	char redacted[64];

	json_object_begin(j, NULL);
	json_string(j, "name",
		    id->bit < s->policy->n_idents ? s->policy->idents[id->bit].name : "unknown");
	json_string(j, "source", source);
	json_string(j, "path", path);
	/* a Binder getter: path is "INTERFACE#CODE" */
	if (path && !strcmp(source, "binder")) {
		const char *hash = strrchr(path, '#');

		if (hash) {
			json_string_n(j, "interface", path, hash - path);
			json_uint(j, "code", strtoul(hash + 1, NULL, 10));
		}
	}
	if (!v) {
		json_null(j, "value");
	} else if (s->show_values) {
		json_string_n(j, "value", (const char *)v->bytes, v->len);
	} else {
		redact_value(v->bytes, v->len, redacted, sizeof(redacted));
		json_string(j, "value", redacted);
	}
	json_object_end(j);
}

/* The identity of an alert for folding repeats. */
static void aggregation_key(const struct alert_desc *a, struct agg_key *k)
{
	size_t i;

	memset(k, 0, sizeof(*k));
	for (i = 0; i < a->n_idents; i++)
		k->idents |= 1ULL << a->idents[i].bit;
	k->tgid = a->proc->tgid;
	k->rule = (uint32_t)(uintptr_t)a->rule;
	memcpy(k->addr, a->dst->addr, sizeof(k->addr));
	k->port = a->dst->port;
	k->family = a->dst->family;
	k->confirmed = a->confirmed;
	k->encoding = a->confirmed ? a->enc : 0;
	k->action = (uint8_t)a->action;
	strncpy(k->channel, a->channel, sizeof(k->channel) - 1);
}

const char *alert_outcome_name(enum alert_outcome o)
{
	switch (o) {
	case OUTCOME_BLOCKED:
		return "blocked";
	case OUTCOME_KILLED:
		return "killed";
	default:
		return "alert";
	}
}

void alert_record(struct json *j, const struct alert_sink *s, const struct alert_desc *a)
{
	const struct proc *p = a->proc;
	const struct destination *d = a->dst;
	size_t i;

	json_record_begin(j, "alert");
	json_string(j, "rule", a->rule->name);
	json_string(j, "severity",
		    a->confirmed ? a->rule->severity : lower_severity(a->rule->severity));
	json_string(j, "action", alert_outcome_name(a->action));
	json_string(j, "confidence", a->confirmed ? "confirmed" : "suspected");

	json_object_begin(j, "process");
	json_uint(j, "pid", p->tgid);
	json_uint(j, "ppid", p->ppid);
	json_uint(j, "uid", p->uid);
	if (s->packages) {
		const char *pkg = android_packages_lookup(s->packages, p->uid);

		if (pkg)
			json_string(j, "package", pkg);
	}
	json_string(j, "comm", p->comm);
	json_string(j, "exe", p->exe);
	json_string(j, "cmdline", p->cmdline);
	json_object_end(j);

	json_array_begin(j, "identifiers");
	for (i = 0; i < a->n_idents; i++)
		write_identifier(j, s, &a->idents[i]);
	json_array_end(j);

	json_object_begin(j, "destination");
	json_string(j, "proto", d->proto);
	if (!strcmp(d->proto, "sms")) {
		/* a phone number: no family, port or host */
		json_string(j, "addr", d->text);
	} else {
		json_string(j, "family", d->family == AF_INET6 ? "ipv6" :
					 d->family == AF_PACKET ? "link" : "ipv4");
		json_string(j, "addr", d->text);
		json_uint(j, "port", d->port);
		json_string(j, "host", d->host);
	}
	json_object_end(j);

	json_object_begin(j, "evidence");
	json_string(j, "channel", a->channel);
	if (a->layer)
		json_string(j, "layer", a->layer);
	if (a->confirmed) {
		json_string(j, "encoding", encoding_name(a->enc));
		json_int(j, "offset", a->offset);
	}
	if (a->call)
		json_string(j, "call", a->call);
	if (a->bytes >= 0)
		json_int(j, "bytes", a->bytes);
	if (a->sampled >= 0)
		json_int(j, "sampled", a->sampled);
	if (a->hook)
		json_string(j, "hook", a->hook);
	if (a->seen_by)
		json_string(j, "seen_by", a->seen_by);
	if (a->note)
		json_string(j, "note", a->note);
	json_object_end(j);
	if (a->lineage)
		json_string(j, "lineage", a->lineage);
}

void alert_write(const struct alert_sink *s, const struct alert_desc *a)
{
	struct timespec now;
	struct agg_key key;
	struct json j;

	clock_gettime(CLOCK_MONOTONIC, &now);
	aggregation_key(a, &key);
	if (s->agg && aggregate_repeat(s->agg, &key, now.tv_sec * 1000000000ULL + now.tv_nsec))
		return;
	json_init(&j);
	alert_record(&j, s, a);
	output_write(s->out, &j);
	if (s->agg && !j.failed)
		aggregate_written(s->agg, s->out, &key, &j,
				  now.tv_sec * 1000000000ULL + now.tv_nsec);
	json_free(&j);
}
