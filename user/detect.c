// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* detect: applies the policy's rules to a tainted process's send and writes the alerts. */
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include "idsentry.h"
#include "aggregate.h"
#include "alert.h"
#include "android.h"
#include "destination.h"
#include "dns.h"
#include "enforce.h"
#include "detect.h"
#include "hpack.h"
#include "judge.h"
#include "inflate.h"
#include "tlspair.h"
#include "policy.h"
#include "proctable.h"
#include "quiet.h"
#include "values.h"
#include "json.h"

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
	case CALL_GO_TLS_WRITE:
		return "go_tls_write";
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
	struct destination dst = {};
	size_t skip;

	destination_decode(&dst, ev->family, ev->daddr, ev->dport, ev->protocol, ev->sock_type);
	skip = !strcmp(dst.proto, "tcp") ? 2 : 0;
	if (d->hosts && ev->sample_len > skip)
		dns_answers(ev->sample + skip, ev->sample_len - skip, learn_host, d->hosts);
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

/* What every sighting of a send event says: who, what it held and since when, where to. */
static struct sighting sighting_of(struct detector *d, const struct send_event *ev,
				   const struct destination *dst)
{
	struct sighting s = {
		.proc = proctable_of_event(d->procs, &ev->hdr),
		.dst = dst,
		.taint_mask = ev->taint_mask,
		.taint_ns = ev->taint_ns,
		.ts_ns = ev->hdr.ts_ns,
		.outcome = OUTCOME_ALERT,
		.verdict_rule = -1,
	};

	return s;
}

/* A tainted process opened a raw or packet socket: what it sends there passes every socket-level
 * check, so the opening itself is reported, once per process and rule; unless the identifiers
 * are only those the policy's quiet entries let it carry (a DHCP client's MAC): then each of
 * its sends on the socket is checked instead (detect_send). */
static void detect_raw_socket(struct detector *d, const struct send_event *ev)
{
	struct destination dst = { .family = AF_INET };
	struct sighting s = sighting_of(d, ev, &dst);

	if (!s.proc)
		return;
	s.suspect.port = 0xffff;
	s.desc = (struct alert_desc){
		.channel = "raw",
		.call = "socket",
		.bytes = -1,
		.sampled = -1,
		.note = "a process holding an identifier opened a raw or packet socket",
	};
	s.forgiven = quiet_identifiers(d->sink.policy, s.proc);
	dst.proto = ev->family == AF_PACKET ? "packet" : "raw";
	judge(d, &s);
}

/* The kernel stopped a send or a connect: one alert, for the rule that decided. */
static void detect_blocked(struct detector *d, const struct send_event *ev)
{
	int ri = d->enf ? enforce_rule_of_slot(d->enf, ev->rule) : -1;
	struct value_hit hits[MAX_HITS];
	struct destination dst = {};
	struct sighting s;

	if (ri < 0 || (size_t)ri >= d->sink.policy->n_rules)
		return; /* a verdict from a policy since replaced */
	s = sighting_of(d, ev, &dst);
	if (!s.proc)
		return;
	s.hits = hits;
	s.outcome = (ev->flags & SEND_KILLED) ? OUTCOME_KILLED : OUTCOME_BLOCKED;
	s.verdict_rule = ri;
	s.desc = (struct alert_desc){
		.channel = "socket",
		.call = call_name(ev->call),
		.bytes = -1,
		.sampled = ev->sample_len ? (long long)ev->sample_len : -1,
		.hook = enforce_hook_name(ev->hook),
		.seen_by = seen_by(ev),
	};
	destination_decode(&dst, ev->family, ev->daddr, ev->dport, ev->protocol, ev->sock_type);
	if (d->hosts)
		dst.host = hostcache_lookup(d->hosts, dst.family, dst.addr);
	s.n_hits = values_scan(d->values, ev->sample, ev->sample_len, ev->taint_mask, hits,
			       MAX_HITS);
	if (s.n_hits < 0)
		s.n_hits = 0;
	judge(d, &s);
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
	struct destination dst = {};
	const char *channel;
	int is_dns_query = 0;
	struct sighting s;
	struct proc *p;
	int n_hits;

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
	s = sighting_of(d, ev, &dst);
	p = s.proc;
	if (!p)
		return;
	destination_decode(&dst, ev->family, ev->daddr, ev->dport, ev->protocol, ev->sock_type);
	if (d->hosts)
		dst.host = hostcache_lookup(d->hosts, dst.family, dst.addr);
	channel = tls_plaintext(ev) ? "tls" : "socket";
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

	s.hits = hits;
	s.n_hits = n_hits;
	s.dest_filtered = 1;
	s.forgiven = qc.mask;
	s.no_suspicion = is_dns_query || tls_control_record(ev) || (ev->flags & SEND_LIBRARY_TLS_RECORD);
	s.suspect.family = dst.family;
	s.suspect.port = dst.port;
	memcpy(s.suspect.addr, dst.addr, sizeof(s.suspect.addr));
	s.desc = (struct alert_desc){
		.channel = channel,
		.call = call_name(ev->call),
		.seen_by = seen_by(ev),
		.bytes = ev->result,
		.sampled = ev->sample_len,
	};
	if (ev->flags & SEND_BLOCK_MISSED)
		s.desc.note = "a blocking rule applied but no hook could stop this send";
	if (qc.msg.proto) {
		snprintf(quiet_note, sizeof(quiet_note), "in a %s message, outside the fields that "
			 "carry identifiers by design%s%s%s", quiet_protocol_name(qc.msg.proto),
			 qc.entry ? " (quiet entry '" : "", qc.entry ? qc.entry->name : "",
			 qc.entry ? "')" : "");
		s.quiet_note = quiet_note;
	}
	judge(d, &s);
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

void detect_sms(struct detector *d, const struct sms_send *m)
{
	int blocked = (m->flags & SEND_BLOCKED) != 0;
	struct value_hit hits[MAX_HITS];
	struct destination dst = {};
	struct sighting s = {
		.dst = &dst,
		.taint_mask = m->taint_mask,
		.taint_ns = m->taint_ns,
		.ts_ns = m->hdr->ts_ns,
		.hits = hits,
		.outcome = !blocked ? OUTCOME_ALERT :
			   (m->flags & SEND_KILLED) ? OUTCOME_KILLED : OUTCOME_BLOCKED,
		/* a stopped message gets one alert, from the rule that stopped it */
		.verdict_rule = blocked && d->enf ? enforce_rule_of_slot(d->enf, m->rule) : -1,
		.suspect = { .port = 0xfffe },
		.desc = {
			.channel = "sms",
			.layer = m->layer,
			.call = m->call,
			.bytes = m->len,
			.sampled = m->len,
			.hook = blocked ? enforce_hook_name(m->hook) : NULL,
		},
	};

	if (!m->taint_mask)
		return;
	if (sms_seen_above(d, m)) {
		d->sms_seen_above++;
		return;
	}
	s.proc = proctable_of_event(d->procs, m->hdr);
	if (!s.proc)
		return;
	dst.proto = "sms";
	snprintf(dst.text, sizeof(dst.text), "%s", m->number);
	/* the number stands in for the address: folding repeats must tell numbers apart */
	memcpy(dst.addr, dst.text, sizeof(dst.addr) < sizeof(dst.text) ? sizeof(dst.addr) :
								  sizeof(dst.text));
	memcpy(s.suspect.addr, dst.addr, sizeof(s.suspect.addr));
	s.n_hits = values_scan(d->values, m->text, m->len, m->taint_mask, hits, MAX_HITS);
	if (s.n_hits < 0)
		s.n_hits = 0;
	if (m->flags & SEND_BLOCK_MISSED)
		s.desc.note = "a blocking rule applied but no hook could stop this SMS";
	judge(d, &s);
}

void detect_describe(const struct detector *d, const struct alert_aggregator *agg,
		     struct json *j)
{
	const struct policy *pol = d->sink.policy;
	size_t k;

	json_object_begin(j, "alerts");
	json_uint(j, "confirmed", d->confirmed);
	json_uint(j, "suspected", d->suspected);
	json_uint(j, "written", agg->written);
	json_uint(j, "folded", agg->folded);
	json_object_end(j);
	json_array_begin(j, "rules");
	for (k = 0; k < pol->n_rules && k < MAX_RULE_COUNTERS; k++) {
		json_object_begin(j, NULL);
		json_string(j, "name", pol->rules[k].name);
		json_uint(j, "alerts", d->rules[k].alerts);
		json_uint(j, "blocked", d->rules[k].blocked);
		json_uint(j, "killed", d->rules[k].killed);
		json_object_end(j);
	}
	json_array_end(j);
}
