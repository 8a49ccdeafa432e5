// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* detect: applies the policy's rules to a tainted process's send and writes the alerts. */
#include <string.h>
#include "idsentry.h"
#include "alert.h"
#include "destination.h"
#include "detect.h"
#include "policy.h"
#include "proctable.h"
#include "values.h"

#define MAX_HITS ALERT_MAX_IDENTS

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
	case CALL_SSL_WRITE:
		return "ssl_write";
	}
	return "unknown";
}

/* Whether a rule applies to this process, destination and taint age. */
static int rule_applies(const struct rule_def *r, const struct proc *p,
			const struct destination *dst, const struct send_event *ev)
{
	if (r->window_ns && ev->hdr.ts_ns - ev->taint_ns > r->window_ns)
		return 0;
	if (rule_excepts_process(r, p->exe, p->comm))
		return 0;
	return !dest_filter_has_addr(&r->dest_except, dst->family, dst->addr) &&
	       !dest_filter_has_port(&r->dest_except, dst->port);
}

void detect_send(struct detector *d, const struct send_event *ev)
{
	const struct policy *pol = d->sink.policy;
	struct value_hit hits[MAX_HITS];
	struct destination dst;
	struct proc *p;
	size_t i;
	int n_hits, k;

	/* a connect carries no data: nothing can leave through it; ciphertext written by a TLS
	 * library says nothing either: its plaintext comes as a CALL_SSL_WRITE event */
	if (ev->call == CALL_CONNECT || ev->sample_len == 0 || (ev->flags & SEND_INSIDE_TLS))
		return;
	p = proctable_get(d->procs, ev->hdr.tgid, ev->hdr.uid, ev->hdr.comm);
	if (!p)
		return;
	destination_decode(&dst, ev->family, ev->daddr, ev->dport, ev->protocol, ev->sock_type);
	n_hits = values_scan(d->values, ev->sample, ev->sample_len, ev->taint_mask, hits, MAX_HITS);
	if (n_hits < 0)
		n_hits = 0;

	for (i = 0; i < pol->n_rules; i++) {
		const struct rule_def *r = &pol->rules[i];
		uint64_t mask = r->ident_mask & ev->taint_mask;
		struct alert_desc a = {
			.rule = r,
			.action = "alert",
			.proc = p,
			.dst = &dst,
			.channel = ev->call == CALL_SSL_WRITE ? "tls" : "socket",
			.call = call_name(ev->call),
			.bytes = ev->result,
			.sampled = ev->sample_len,
		};
		int bit;

		if (!mask || !rule_applies(r, p, &dst, ev))
			continue;
		for (k = 0; k < n_hits; k++) {
			if (!(mask & (1ULL << hits[k].value->bit)))
				continue;
			/* evidence: the earliest form found */
			if (!a.confirmed || hits[k].offset < a.offset) {
				a.enc = hits[k].enc;
				a.offset = hits[k].offset;
			}
			a.confirmed = 1;
			a.idents[a.n_idents].bit = hits[k].value->bit;
			a.idents[a.n_idents++].value = hits[k].value;
		}
		if (!a.confirmed) {
			struct suspect_key key = { .rule = i, .family = dst.family, .port = dst.port };

			memcpy(key.addr, dst.addr, sizeof(key.addr));
			if (proc_note_suspect(p, &key))
				continue;
			for (bit = 0; bit < 64 && a.n_idents < ALERT_MAX_IDENTS; bit++) {
				if (!(mask & (1ULL << bit)))
					continue;
				a.idents[a.n_idents].bit = bit;
				a.idents[a.n_idents++].value = values_any_of(d->values, bit);
			}
		}
		alert_write(&d->sink, &a);
		if (a.confirmed)
			d->confirmed++;
		else
			d->suspected++;
	}
}
