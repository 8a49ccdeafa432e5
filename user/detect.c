// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* detect: applies the policy's rules to a tainted process's send and writes the alerts. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include "idsentry.h"
#include "detect.h"
#include "json.h"
#include "output.h"
#include "policy.h"
#include "proctable.h"
#include "values.h"

#define MAX_HITS 16

struct destination {
	int family;       /* AF_INET or AF_INET6, IPv4-mapped IPv6 folded into AF_INET */
	uint8_t addr[16];
	uint16_t port;
	const char *proto;
	char text[INET6_ADDRSTRLEN];
};

static void decode_destination(const struct send_event *ev, struct destination *d)
{
	static const uint8_t v4mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

	memset(d, 0, sizeof(*d));
	d->family = ev->family == AF_INET6 ? AF_INET6 : AF_INET;
	memcpy(d->addr, ev->daddr, 16);
	if (d->family == AF_INET6 && !memcmp(d->addr, v4mapped, 12)) {
		d->family = AF_INET;
		memmove(d->addr, d->addr + 12, 4);
		memset(d->addr + 4, 0, 12);
	}
	d->port = ev->dport;
	if (ev->protocol == IPPROTO_TCP || (!ev->protocol && ev->sock_type == SOCK_STREAM))
		d->proto = "tcp";
	else if (ev->protocol == IPPROTO_UDP || (!ev->protocol && ev->sock_type == SOCK_DGRAM))
		d->proto = "udp";
	else if (ev->sock_type == SOCK_RAW)
		d->proto = "raw";
	else
		d->proto = "other";
	inet_ntop(d->family, d->addr, d->text, sizeof(d->text));
}

void redact_value(const uint8_t *value, size_t len, char *buf, size_t size)
{
	size_t keep = len >= 12 ? 4 : len >= 6 ? 2 : 0;

	if (!keep)
		snprintf(buf, size, "…");
	else
		snprintf(buf, size, "%.*s…%.*s", (int)keep, (const char *)value, (int)keep,
			 (const char *)value + len - keep);
}

static const char *call_name(__u32 call)
{
	switch (call) {
	case CALL_WRITE:
		return "write";
	case CALL_WRITEV:
		return "writev";
	case CALL_SENDTO:
		return "sendto";
	case CALL_SENDMSG:
		return "sendmsg";
	case CALL_CONNECT:
		return "connect";
	}
	return "unknown";
}

/* Suspected alerts are weaker evidence than confirmed ones: one step down. */
static const char *lower_severity(const char *s)
{
	if (!strcmp(s, "critical"))
		return "high";
	if (!strcmp(s, "high"))
		return "medium";
	return "low";
}

static void write_identifier(struct json *j, const struct policy *pol, unsigned int bit,
			     const struct known_value *v, int show_values)
{
	char redacted[64];

	json_object_begin(j, NULL);
	json_string(j, "name", bit < pol->n_idents ? pol->idents[bit].name : "unknown");
	json_string(j, "source", v ? v->source : "file");
	json_string(j, "path", v ? v->path : NULL);
	if (!v) {
		json_null(j, "value");
	} else if (show_values) {
		json_string_n(j, "value", (const char *)v->bytes, v->len);
	} else {
		redact_value(v->bytes, v->len, redacted, sizeof(redacted));
		json_string(j, "value", redacted);
	}
	json_object_end(j);
}

static void write_alert(struct detector *d, const struct rule_def *r, const struct proc *p,
			const struct send_event *ev, const struct destination *dst, uint64_t mask,
			const struct value_hit *hits, int n_hits)
{
	const struct value_hit *first = NULL;
	struct json j;
	int i;

	for (i = 0; i < n_hits; i++)
		if ((mask & (1ULL << hits[i].value->bit)) && (!first || hits[i].offset < first->offset))
			first = &hits[i];
	json_init(&j);
	json_record_begin(&j, "alert");
	json_string(&j, "rule", r->name);
	json_string(&j, "severity", first ? r->severity : lower_severity(r->severity));
	json_string(&j, "action", "alert");
	json_string(&j, "confidence", first ? "confirmed" : "suspected");

	json_object_begin(&j, "process");
	json_uint(&j, "pid", p->tgid);
	json_uint(&j, "ppid", p->ppid);
	json_uint(&j, "uid", p->uid);
	json_string(&j, "comm", p->comm);
	json_string(&j, "exe", p->exe);
	json_string(&j, "cmdline", p->cmdline);
	json_object_end(&j);

	json_array_begin(&j, "identifiers");
	if (first) {
		for (i = 0; i < n_hits; i++)
			if (mask & (1ULL << hits[i].value->bit))
				write_identifier(&j, d->policy, hits[i].value->bit, hits[i].value,
						 d->show_values);
	} else {
		for (i = 0; i < 64; i++)
			if (mask & (1ULL << i))
				write_identifier(&j, d->policy, i, values_any_of(d->values, i),
						 d->show_values);
	}
	json_array_end(&j);

	json_object_begin(&j, "destination");
	json_string(&j, "proto", dst->proto);
	json_string(&j, "family", dst->family == AF_INET6 ? "ipv6" : "ipv4");
	json_string(&j, "addr", dst->text);
	json_uint(&j, "port", dst->port);
	json_null(&j, "host");
	json_object_end(&j);

	json_object_begin(&j, "evidence");
	json_string(&j, "channel", "socket");
	if (first) {
		json_string(&j, "encoding", encoding_name(first->enc));
		json_int(&j, "offset", first->offset);
	}
	json_string(&j, "call", call_name(ev->call));
	json_int(&j, "bytes", ev->result);
	json_uint(&j, "sampled", ev->sample_len);
	json_object_end(&j);

	output_write(d->out, &j);
	json_free(&j);
	if (first)
		d->confirmed++;
	else
		d->suspected++;
}

void detect_send(struct detector *d, const struct send_event *ev)
{
	struct value_hit hits[MAX_HITS];
	struct destination dst;
	struct proc *p;
	size_t i;
	int n_hits, k;

	/* a connect carries no data: nothing can leave through it */
	if (ev->call == CALL_CONNECT || ev->sample_len == 0)
		return;
	p = proctable_get(d->procs, ev->hdr.tgid, ev->hdr.uid, ev->hdr.comm);
	if (!p)
		return;
	decode_destination(ev, &dst);
	n_hits = values_scan(d->values, ev->sample, ev->sample_len, ev->taint_mask, hits, MAX_HITS);
	if (n_hits < 0)
		n_hits = 0;

	for (i = 0; i < d->policy->n_rules; i++) {
		const struct rule_def *r = &d->policy->rules[i];
		uint64_t mask = r->ident_mask & ev->taint_mask;
		int matched = 0;

		if (!mask)
			continue;
		if (r->window_ns && ev->hdr.ts_ns - ev->taint_ns > r->window_ns)
			continue;
		if (rule_excepts_process(r, p->exe, p->comm))
			continue;
		if (dest_filter_has_addr(&r->dest_except, dst.family, dst.addr) ||
		    dest_filter_has_port(&r->dest_except, dst.port))
			continue;
		for (k = 0; k < n_hits; k++)
			if (mask & (1ULL << hits[k].value->bit))
				matched = 1;
		if (!matched) {
			struct suspect_key key = { .rule = i, .family = dst.family, .port = dst.port };

			memcpy(key.addr, dst.addr, sizeof(key.addr));
			if (proc_note_suspect(p, &key))
				continue;
		}
		write_alert(d, r, p, ev, &dst, mask, hits, n_hits);
	}
}
