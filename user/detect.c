// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* detect: applies the policy's rules to a tainted process's send and writes the alerts. */
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include "idsentry.h"
#include "alert.h"
#include "android.h"
#include "destination.h"
#include "dns.h"
#include "enforce.h"
#include "detect.h"
#include "hpack.h"
#include "inflate.h"
#include "tlspair.h"
#include "policy.h"
#include "proctable.h"
#include "quiet.h"
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
	case CALL_SENDMMSG:
		return "sendmmsg";
	case CALL_SENDFILE:
		return "sendfile";
	case CALL_SPLICE:
		return "splice";
	case CALL_PWRITEV:
		return "pwritev";
	case CALL_IO_URING:
		return "io_uring";
	case CALL_SK_MSG:
		return "sk_msg";
	case CALL_SOCKET_LAYER:
		return "socket";
	}
	return "unknown";
}

/* The hook that reported a send, when not the syscall's own tracepoints. */
static const char *seen_by(const struct send_event *ev)
{
	if (ev->flags & SEND_SOCKET_LAYER)
		return "sock_send_length";
	if (ev->call == CALL_SK_MSG)
		return "sk_msg";
	return NULL;
}

static int excepted(struct detector *d, const struct rule_def *r, const struct proc *p)
{
	struct proc_identity id;

	proc_identity_of(p, android_package_of, d->sink.packages, &id);
	return rule_excepts_process(r, &id);
}

/* Whether a rule applies to this process, destination and taint age. */
static int rule_applies(struct detector *d, const struct rule_def *r, const struct proc *p,
			const struct destination *dst, const struct send_event *ev)
{
	if (excepted(d, r, p))
		return 0;
	return !dest_filter_has_addr(&r->dest_except, dst->family, dst->addr) &&
	       !dest_filter_has_port(&r->dest_except, dst->port);
}

/* Values in the name a DNS query asks for: labels are often the value, hex or base32, cut into
 * pieces, so the name is searched with its dots removed. Offsets count in that string. */
static int dns_query_hits(struct detector *d, const struct send_event *ev,
			  const struct destination *dst, struct value_hit *hits, int *is_query)
{
	size_t skip = !strcmp(dst->proto, "tcp") ? 2 : 0; /* TCP messages carry a length first */
	char name[DNS_NAME_MAX], flat[DNS_NAME_MAX];
	size_t i, n = 0;

	int len;

	if (dst->port != 53 || ev->sample_len <= skip)
		return 0;
	len = dns_question_name(ev->sample + skip, ev->sample_len - skip, name, sizeof(name));
	if (len < 0)
		return 0;
	*is_query = 1;
	/* by length, not to a NUL: a label may hold one, to cut the name short for C strings */
	for (i = 0; i < (size_t)len; i++)
		if (name[i] != '.')
			flat[n++] = name[i];
	return values_scan(d->values, (const uint8_t *)flat, n, ev->taint_mask, hits, MAX_HITS);
}

static void learn_host(const char *name, int family, const uint8_t *addr, void *ctx)
{
	hostcache_add(ctx, name, family, addr);
}

void detect_learn_hosts(struct detector *d, const struct send_event *ev)
{
	struct destination dst;
	size_t skip;

	destination_decode(&dst, ev->family, ev->daddr, ev->dport, ev->protocol, ev->sock_type);
	skip = !strcmp(dst.proto, "tcp") ? 2 : 0;
	if (d->hosts && ev->sample_len > skip)
		dns_answers(ev->sample + skip, ev->sample_len - skip, learn_host, d->hosts);
}

/* Adds an identifier to an alert: the value seen (or, without one, the value the process got,
 * else any known one), named by how this process got it when the agent saw that. */
static void add_identifier(struct detector *d, struct alert_desc *a, unsigned int bit,
			   const struct known_value *seen)
{
	const struct proc_obtained *o = proc_obtained_of(a->proc, bit);
	const struct known_value *own = o ? values_at(d->values, o->value, o->epoch, bit) : NULL;
	struct alert_ident *id = &a->idents[a->n_idents++];

	id->bit = bit;
	id->value = seen ? seen : own ? own : values_any_of(d->values, bit);
	id->source = id->path = NULL;
	/* its own source, unless what was seen is another value than the one it got */
	if (o && (!seen || !own || own == seen)) {
		id->source = o->source;
		id->path = o->path;
	}
}

/* Fills the identifiers of an alert: those seen in the data, else every one the rule covers. */
static void name_identifiers(struct detector *d, struct alert_desc *a, uint64_t mask,
			     const struct value_hit *hits, int n_hits)
{
	int k, bit;

	for (k = 0; k < n_hits && a->n_idents < ALERT_MAX_IDENTS; k++) {
		if (!(mask & (1ULL << hits[k].value->bit)))
			continue;
		if (!a->confirmed || hits[k].offset < a->offset) {
			a->enc = hits[k].enc;
			a->offset = hits[k].offset;
		}
		a->confirmed = 1;
		add_identifier(d, a, hits[k].value->bit, hits[k].value);
	}
	for (bit = 0; !a->confirmed && bit < 64 && a->n_idents < ALERT_MAX_IDENTS; bit++) {
		if (!(mask & (1ULL << bit)))
			continue;
		add_identifier(d, a, bit, NULL);
	}
}

static void count_alert(struct detector *d, size_t rule, const struct alert_desc *a)
{
	if (a->confirmed)
		d->confirmed++;
	else
		d->suspected++;
	if (rule >= MAX_RULE_COUNTERS)
		return;
	if (a->action == OUTCOME_KILLED)
		d->rules[rule].killed++;
	else if (a->action == OUTCOME_BLOCKED)
		d->rules[rule].blocked++;
	else
		d->rules[rule].alerts++;
	d->rules[rule].by[!!a->confirmed][a->action]++;
}

static int add_file_content_hits(struct detector *d, uint64_t mask, struct value_hit *hits,
				 int n)
{
	int bit;

	for (bit = 0; bit < 64 && n < MAX_HITS; bit++) {
		const struct known_value *v;

		if (!(mask & (1ULL << bit)))
			continue;
		v = values_any_of(d->values, bit);
		if (!v)
			continue;
		hits[n].value = v;
		hits[n].enc = ENC_PLAIN;
		hits[n].offset = 0;
		n++;
	}
	return n;
}

/* The identifiers the policy's quiet entries forgive this process in the fields of some protocol
 * (DHCP, ARP...), whichever. */
static uint64_t quiet_identifiers(const struct policy *pol, const struct proc *p)
{
	uint64_t mask = 0;
	size_t i;

	for (i = 0; i < pol->n_quiet; i++)
		if (quiet_applies_to(&pol->quiet[i], p->exe))
			mask |= pol->quiet[i].ident_mask;
	return mask;
}

/* A send recognised as a protocol that carries identifiers by design, and what the policy's
 * quiet entries let it carry there. */
struct quiet_check {
	struct quiet_message msg;
	uint64_t mask;              /* identifiers forgiven in msg's regions */
	const struct quiet_def *entry; /* the first entry that applied */
};

static void quiet_check_send(const struct policy *pol, const struct proc *p,
			     const struct send_event *ev, struct quiet_check *qc)
{
	struct quiet_send qs = {
		.family = ev->family,
		.sock_type = ev->sock_type,
		.protocol = ev->protocol,
		.dport = ev->dport,
		.data = ev->sample,
		.len = ev->sample_len,
	};
	size_t i;

	memset(qc, 0, sizeof(*qc));
	if (!pol->n_quiet || quiet_recognise(&qs, &qc->msg) == QUIET_NONE)
		return;
	for (i = 0; i < pol->n_quiet; i++) {
		const struct quiet_def *q = &pol->quiet[i];

		if (q->protocol != qc->msg.proto || !quiet_applies_to(q, p->exe))
			continue;
		qc->mask |= q->ident_mask;
		if (!qc->entry)
			qc->entry = q;
	}
}

/* A value where the protocol carries it by design is passed over; anywhere else it counts. */
static int quiet_skip(void *ctx, unsigned int bit, long offset, size_t len)
{
	const struct quiet_check *qc = ctx;

	return offset >= 0 && (qc->mask & (1ULL << bit)) &&
	       quiet_covers(&qc->msg, (size_t)offset, len);
}

/* A tainted process opened a raw or packet socket: what it sends there passes every socket-level
 * check, so the opening itself is reported, once per process and rule; unless the identifiers
 * are only those the policy's quiet entries let it carry (a DHCP client's MAC): then each of
 * its sends on the socket is checked instead (detect_send). */
static void detect_raw_socket(struct detector *d, const struct send_event *ev)
{
	const struct policy *pol = d->sink.policy;
	struct destination dst = {};
	uint64_t quiet;
	struct proc *p;
	size_t i;

	p = proctable_of_event(d->procs, &ev->hdr);
	if (!p)
		return;
	quiet = quiet_identifiers(pol, p);
	dst.family = AF_INET;
	dst.proto = ev->family == AF_PACKET ? "packet" : "raw";
	for (i = 0; i < pol->n_rules; i++) {
		const struct rule_def *r = &pol->rules[i];
		uint64_t mask = r->ident_mask & ev->taint_mask & ~p->noise_mask & ~quiet;
		struct suspect_key key = { .rule = i, .port = 0xffff };
		struct alert_desc a = {
			.rule = r,
			.action = OUTCOME_ALERT,
			.proc = p,
			.dst = &dst,
			.channel = "raw",
			.call = "socket",
			.bytes = -1,
			.sampled = -1,
			.lineage = p->lineage,
			.note = "a process holding an identifier opened a raw or packet socket",
		};

		if (!mask || (r->window_ns && ev->hdr.ts_ns - ev->taint_ns > r->window_ns) ||
		    excepted(d, r, p) || proc_note_suspect(p, &key))
			continue;
		name_identifiers(d, &a, mask, NULL, 0);
		alert_write(&d->sink, &a);
		count_alert(d, i, &a);
	}
}

/* The kernel stopped a send or a connect: one alert, for the rule that decided. */
static void detect_blocked(struct detector *d, const struct send_event *ev)
{
	int ri = d->enf ? enforce_rule_of_slot(d->enf, ev->rule) : -1;
	struct value_hit hits[MAX_HITS];
	struct destination dst;
	const struct rule_def *r;
	struct alert_desc a = {};
	struct proc *p;
	int n_hits;

	if (ri < 0 || (size_t)ri >= d->sink.policy->n_rules)
		return; /* a verdict from a policy since replaced */
	r = &d->sink.policy->rules[ri];
	p = proctable_of_event(d->procs, &ev->hdr);
	if (!p)
		return;
	destination_decode(&dst, ev->family, ev->daddr, ev->dport, ev->protocol, ev->sock_type);
	if (d->hosts)
		dst.host = hostcache_lookup(d->hosts, dst.family, dst.addr);
	n_hits = values_scan(d->values, ev->sample, ev->sample_len, ev->taint_mask, hits, MAX_HITS);
	a.rule = r;
	a.action = (ev->flags & SEND_KILLED) ? OUTCOME_KILLED : OUTCOME_BLOCKED;
	a.proc = p;
	a.dst = &dst;
	a.channel = "socket";
	a.call = call_name(ev->call);
	a.bytes = -1;
	a.sampled = ev->sample_len ? (long long)ev->sample_len : -1;
	a.hook = enforce_hook_name(ev->hook);
	a.seen_by = seen_by(ev);
	a.lineage = p->lineage;
	name_identifiers(d, &a, r->ident_mask & ev->taint_mask, hits, n_hits > 0 ? n_hits : 0);
	alert_write(&d->sink, &a);
	count_alert(d, ri, &a);
}

/* Values in the inflated content of a compressed stream in the sample; hits say which stream. */
static int compressed_hits(struct detector *d, const struct send_event *ev,
			   struct value_hit *hits)
{
	static uint8_t out[INFLATE_MAX_BYTES]; /* the loop is single-threaded */
	static const enum encoding enc[] = {
		[INFLATE_GZIP] = ENC_GZIP,
		[INFLATE_ZLIB] = ENC_ZLIB,
		[INFLATE_DEFLATE] = ENC_DEFLATE,
	};
	enum inflate_kind kind;
	size_t n = inflate_sent(ev->sample, ev->sample_len, out, sizeof(out), &kind);
	int k, n_hits;

	if (!n)
		return 0;
	n_hits = values_scan(d->values, out, n, ev->taint_mask, hits, MAX_HITS);
	for (k = 0; k < n_hits; k++)
		hits[k].enc = enc[kind];
	return n_hits < 0 ? 0 : n_hits;
}

/* A send that starts with a TLS record other than application data (a handshake: ClientHello,
 * key exchange, finished; an alert; change_cipher_spec; RFC 8446 5.1), as clients over a memory
 * BIO send outside any SSL_write: no payload is in it to suspect (its clear parts, such as the
 * server name, are still searched). */
static int tls_control_record(const struct send_event *ev)
{
	int type = tls_record_type(ev);

	return type >= 20 && type <= 22;
}

/* Values in the header fields of HTTP/2 frames the sample starts with (hpack.h). */
static int hpack_hits(struct detector *d, const struct send_event *ev, struct value_hit *hits)
{
	static char text[8192]; /* the loop is single-threaded */
	size_t n = hpack_headers_text(ev->sample, ev->sample_len, text, sizeof(text));
	int k, n_hits;

	if (!n)
		return 0;
	n_hits = values_scan(d->values, (const uint8_t *)text, n, ev->taint_mask, hits, MAX_HITS);
	for (k = 0; k < n_hits; k++)
		hits[k].enc = ENC_HPACK;
	return n_hits < 0 ? 0 : n_hits;
}

void detect_send(struct detector *d, const struct send_event *ev)
{
	const struct policy *pol = d->sink.policy;
	struct value_hit hits[MAX_HITS];
	struct quiet_check qc;
	struct scan_filter quiet_filter = { quiet_skip, &qc };
	char quiet_note[160];
	struct destination dst;
	const char *channel;
	int is_dns_query = 0;
	struct proc *p;
	size_t i;
	int n_hits, k;

	if (ev->flags & SEND_BLOCKED) {
		detect_blocked(d, ev);
		return;
	}
	if (ev->call == CALL_RAW_SOCKET) {
		detect_raw_socket(d, ev);
		return;
	}
	/* a connect carries no data: nothing can leave through it; ciphertext written by a TLS
	 * library says nothing either: its plaintext comes as a CALL_SSL_WRITE event */
	if (ev->call == CALL_CONNECT || (ev->flags & SEND_INSIDE_TLS) ||
	    (ev->sample_len == 0 && !(ev->flags & SEND_FILE_CONTENT) &&
	     /* frames from a packet socket's TX ring pass no buffer to the call */
	     !(ev->family == AF_PACKET && ev->result > 0)))
		return;
	p = proctable_of_event(d->procs, &ev->hdr);
	if (!p)
		return;
	destination_decode(&dst, ev->family, ev->daddr, ev->dport, ev->protocol, ev->sock_type);
	if (d->hosts)
		dst.host = hostcache_lookup(d->hosts, dst.family, dst.addr);
	channel = ev->call == CALL_SSL_WRITE ? "tls" : "socket";
	quiet_check_send(pol, p, ev, &qc);
	n_hits = dns_query_hits(d, ev, &dst, hits, &is_dns_query);
	if (n_hits > 0)
		channel = "dns";
	else
		n_hits = values_scan_filtered(d->values, proc_stream(p, ev->fd), ev->sample,
					      ev->sample_len, ev->taint_mask,
					      qc.mask ? &quiet_filter : NULL, hits, MAX_HITS);
	if (n_hits < 0)
		n_hits = 0;
	/* telemetry compresses: values inside a gzip/zlib/deflate stream the sample holds */
	if (!n_hits && ev->sample_len)
		n_hits = compressed_hits(d, ev, hits);
	/* HTTP/2 codes header values (HPACK Huffman): decoded, they are text again */
	if (!n_hits && ev->sample_len)
		n_hits = hpack_hits(d, ev, hits);
	/* sendfile/splice of an identifier file: its value went out whole, as read */
	if (ev->flags & SEND_FILE_CONTENT)
		n_hits = add_file_content_hits(d, ev->content_mask, hits, n_hits);

	for (i = 0; i < pol->n_rules; i++) {
		const struct rule_def *r = &pol->rules[i];
		uint64_t mask = r->ident_mask & ev->taint_mask;
		struct alert_desc a = {
			.rule = r,
			.action = OUTCOME_ALERT,
			.proc = p,
			.dst = &dst,
			.channel = channel,
			.call = call_name(ev->call),
			.seen_by = seen_by(ev),
			.bytes = ev->result,
			.sampled = ev->sample_len,
		};

		if (!mask || !rule_applies(d, r, p, &dst, ev))
			continue;
		for (k = 0; k < n_hits; k++)
			if (mask & (1ULL << hits[k].value->bit))
				a.confirmed = 1;
		/* lineage names how the taint came, when it came from another process */
		a.lineage = p->lineage;
		if (ev->flags & SEND_BLOCK_MISSED)
			a.note = "a blocking rule applied but no hook could stop this send";
		if (!a.confirmed) {
			struct suspect_key key = { .rule = i, .family = dst.family, .port = dst.port };

			/* a value seen is reported however late; a suspicion only within the window */
			if (r->window_ns && ev->hdr.ts_ns - ev->taint_ns > r->window_ns)
				continue;

			/* contact with a holder that passed nothing on is no ground for suspicion, nor
			 * is a protocol message that carries identifiers only where it should, and
			 * a DNS name is plain text that was searched whole, and a TLS handshake carries
			 * no payload */
			mask &= ~p->noise_mask & ~qc.mask;
			if (!mask || is_dns_query || tls_control_record(ev))
				continue;
			memcpy(key.addr, dst.addr, sizeof(key.addr));
			if (proc_note_suspect(p, &key))
				continue;
		}
		a.confirmed = 0;
		name_identifiers(d, &a, mask, hits, n_hits);
		if (a.confirmed && a.offset < 0) {
			a.note = "the value began in an earlier send on this socket";
			a.offset = 0;
		}
		if (a.confirmed && qc.msg.proto) {
			snprintf(quiet_note, sizeof(quiet_note), "in a %s message, outside the fields "
				 "that carry identifiers by design%s%s%s",
				 quiet_protocol_name(qc.msg.proto), qc.entry ? " (quiet entry '" : "",
				 qc.entry ? qc.entry->name : "", qc.entry ? "')" : "");
			a.note = quiet_note;
		}
		if (a.confirmed && a.enc == ENC_HPACK)
			a.note = "found in an HTTP/2 header block, decoded (HPACK); offset counts in the "
				 "decoded header lines";
		if (a.confirmed && (a.enc == ENC_GZIP || a.enc == ENC_ZLIB || a.enc == ENC_DEFLATE))
			a.note = "found in the inflated content of a compressed stream; offset counts "
				 "in that content";
		alert_write(&d->sink, &a);
		count_alert(d, i, &a);
	}
}

static uint64_t fnv1a(const uint8_t *b, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	while (n--)
		h = (h ^ *b++) * 0x100000001b3ULL;
	return h;
}

/* Whether the Binder layer reported this message (same number and text) lately; a Binder SMS
 * is remembered for the modem-level copy that follows it. */
static int sms_seen_above(struct detector *d, const struct sms_send *s)
{
	uint64_t h = fnv1a(s->text, s->len);
	unsigned int i;

	if (!strcmp(s->layer, "binder")) {
		struct recent_sms *r = &d->recent_sms[d->next_sms++ % DETECT_RECENT_SMS];

		r->ts_ns = s->hdr->ts_ns;
		r->text_hash = h;
		snprintf(r->number, sizeof(r->number), "%s", s->number);
		return 0;
	}
	for (i = 0; i < DETECT_RECENT_SMS; i++) {
		const struct recent_sms *r = &d->recent_sms[i];

		if (r->ts_ns && r->text_hash == h && !strcmp(r->number, s->number) &&
		    s->hdr->ts_ns >= r->ts_ns && s->hdr->ts_ns - r->ts_ns < DETECT_SMS_SAME_NS)
			return 1;
	}
	return 0;
}

void detect_sms(struct detector *d, const struct sms_send *s)
{
	const struct policy *pol = d->sink.policy;
	int blocked = (s->flags & SEND_BLOCKED) != 0;
	struct value_hit hits[MAX_HITS];
	struct destination dst = {};
	struct proc *p;
	size_t i;
	int n_hits, k, ri = -1;

	if (!s->taint_mask)
		return;
	if (sms_seen_above(d, s)) {
		d->sms_seen_above++;
		return;
	}
	p = proctable_of_event(d->procs, s->hdr);
	if (!p)
		return;
	dst.proto = "sms";
	snprintf(dst.text, sizeof(dst.text), "%s", s->number);
	/* the number stands in for the address: folding repeats must tell numbers apart */
	memcpy(dst.addr, dst.text, sizeof(dst.addr) < sizeof(dst.text) ? sizeof(dst.addr) :
								  sizeof(dst.text));
	n_hits = values_scan(d->values, s->text, s->len, s->taint_mask, hits, MAX_HITS);
	if (n_hits < 0)
		n_hits = 0;
	/* a stopped message gets one alert, from the rule that stopped it */
	if (blocked && d->enf)
		ri = enforce_rule_of_slot(d->enf, s->rule);
	for (i = 0; i < pol->n_rules; i++) {
		const struct rule_def *r = &pol->rules[i];
		uint64_t mask = r->ident_mask & s->taint_mask;
		struct alert_desc a = {
			.rule = r,
			.action = !blocked ? OUTCOME_ALERT : (s->flags & SEND_KILLED) ? OUTCOME_KILLED : OUTCOME_BLOCKED,
			.proc = p,
			.dst = &dst,
			.channel = "sms",
			.layer = s->layer,
			.call = s->call,
			.bytes = s->len,
			.sampled = s->len,
			.hook = blocked ? enforce_hook_name(s->hook) : NULL,
			.lineage = p->lineage,
		};

		if (blocked && ri >= 0 && (size_t)ri != i)
			continue;
		if (!mask || excepted(d, r, p))
			continue;
		if (s->flags & SEND_BLOCK_MISSED)
			a.note = "a blocking rule applied but no hook could stop this SMS";
		for (k = 0; k < n_hits; k++)
			if (mask & (1ULL << hits[k].value->bit))
				a.confirmed = 1;
		/* a value seen is reported however late; a suspicion only within the window */
		if (!a.confirmed && !blocked && r->window_ns &&
		    s->hdr->ts_ns - s->taint_ns > r->window_ns)
			continue;
		if (!a.confirmed && !blocked) {
			struct suspect_key key = { .rule = i, .port = 0xfffe };

			mask &= ~p->noise_mask;
			memcpy(key.addr, dst.addr, sizeof(key.addr));
			if (!mask || proc_note_suspect(p, &key))
				continue;
		}
		a.confirmed = 0;
		name_identifiers(d, &a, mask, hits, n_hits);
		alert_write(&d->sink, &a);
		count_alert(d, i, &a);
	}
}
