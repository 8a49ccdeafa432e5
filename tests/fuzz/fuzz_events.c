// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* fuzz_events: decodes streams of ring-buffer records and hands them to the pure consumers. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "destination.h"
#include "dns.h"
#include "events.h"
#include "flow.h"
#include "fuzz.h"
#include "proctable.h"
#include "values.h"

/*
 * Input: records, each a little-endian u16 size and that many bytes (the last one gets whatever
 * is left). Limits keep one input to a few milliseconds: every learnt value costs a rebuild of the
 * matcher over ~100 forms.
 */
#define MAX_RECORDS 64
#define MAX_LEARNT 4
#define MAX_HITS (MAX_LEARNT + 1)
/* Pids past PID_MAX_LIMIT exist nowhere, so proctable's /proc lookups fail fast and the input
 * alone decides; eight of them are enough for parents, children and chains of channels. */
#define FUZZ_PID(pid) (0x40000000u + (pid) % 8)
#define LINEAGE_LIMIT 1024 /* flow.c keeps a channel's chain under 512 bytes; forks add a little */

static union event ev; /* as in the agent: too big for the stack */
static struct value_store store;
static struct proctable procs;
static struct flow_table flows;
static struct hostcache hosts;

static void check_hits(const struct value_hit *hits, int n, size_t len, uint64_t mask)
{
	int i, j;

	FUZZ_CHECK(n >= 0 && n <= MAX_HITS, "values_scan returned %d", n);
	for (i = 0; i < n; i++) {
		const struct known_value *v = hits[i].value;

		FUZZ_CHECK(v >= store.values && v < store.values + store.n, "hit %d: stray", i);
		FUZZ_CHECK(v->bit < 64 && (mask & (1ULL << v->bit)), "hit %d: bit %u not in %#llx",
			   i, v->bit, (unsigned long long)mask);
		FUZZ_CHECK((unsigned int)hits[i].enc < ENC__COUNT, "hit %d: encoding %d", i,
			   hits[i].enc);
		FUZZ_CHECK(hits[i].offset >= 0 && (size_t)hits[i].offset < len,
			   "hit %d: offset %ld in %zu bytes", i, hits[i].offset, len);
		for (j = 0; j < i; j++)
			FUZZ_CHECK(hits[j].value != v, "hits %d and %d name one value", j, i);
	}
}

static void on_read(const struct ident_read_event *r)
{
	struct proc *p;
	unsigned int bit;
	int ret;

	FUZZ_CHECK(r->len <= MAX_VALUE_BYTES, "ident_read len %u > MAX_VALUE_BYTES", r->len);
	p = proctable_get(&procs, r->hdr.tgid, r->hdr.uid, r->hdr.comm);
	if (p)
		flow_direct_read(p, r->ident_mask, r->hdr.ts_ns);
	for (bit = 0; bit < 64 && store.n < MAX_LEARNT; bit++) {
		if (!(r->ident_mask & (1ULL << bit)))
			continue;
		ret = values_learn(&store, bit, "file", "/etc/machine-id", r->data, r->len);
		FUZZ_CHECK(ret == 0 || ret == 1, "values_learn returned %d", ret);
		if (ret == 1) {
			const struct known_value *v = &store.values[store.n - 1];

			FUZZ_CHECK(v->len > 0 && v->len <= r->len, "learnt %zu of %u bytes", v->len,
				   r->len);
			FUZZ_CHECK(!value_is_placeholder(v->bytes, v->len), "learnt a placeholder");
		}
	}
}

/* TCP DNS messages start with their length, as detect.c knows. */
static size_t dns_skip(const struct destination *dst)
{
	return !strcmp(dst->proto, "tcp") ? 2 : 0;
}

/* A query's name is searched without its dots, as detect.c does. */
static void scan_dns_query(const struct send_event *s, const struct destination *dst)
{
	struct value_hit hits[MAX_HITS];
	char name[DNS_NAME_MAX], flat[DNS_NAME_MAX];
	size_t skip = dns_skip(dst), i, n = 0;
	int len, nh;

	if (s->sample_len <= skip)
		return;
	len = dns_question_name(s->sample + skip, s->sample_len - skip, name, sizeof(name));
	if (len < 0)
		return;
	FUZZ_CHECK(len < DNS_NAME_MAX && (size_t)len == strlen(name), "question name of %d bytes",
		   len);
	for (i = 0; name[i]; i++)
		if (name[i] != '.')
			flat[n++] = name[i];
	nh = values_scan(&store, (const uint8_t *)flat, n, s->taint_mask, hits, MAX_HITS);
	check_hits(hits, nh, n, s->taint_mask);
}

static void on_send(const struct send_event *s)
{
	struct value_hit hits[MAX_HITS];
	struct destination dst;
	const char *host;
	int n;

	FUZZ_CHECK(s->sample_len <= MAX_SAMPLE_BYTES, "sample_len %u > MAX_SAMPLE_BYTES",
		   s->sample_len);
	destination_decode(&dst, s->family, s->daddr, s->dport, s->protocol, s->sock_type);
	/* packet sockets' destinations are link-layer (an ethertype), the rest IPv4 or IPv6 */
	FUZZ_CHECK(dst.family == AF_INET || dst.family == AF_INET6 || dst.family == AF_PACKET,
		   "family %d", dst.family);
	FUZZ_CHECK(dst.text[0] && dst.proto, "destination without text or protocol");
	host = hostcache_lookup(&hosts, dst.family, dst.addr);
	FUZZ_CHECK(!host || strlen(host) < DNS_NAME_MAX, "host name unterminated");
	if (dst.port == 53)
		scan_dns_query(s, &dst);
	n = values_scan(&store, s->sample, s->sample_len, s->taint_mask, hits, MAX_HITS);
	check_hits(hits, n, s->sample_len, s->taint_mask);
}

static void learn_host(const char *name, int family, const uint8_t *addr, void *ctx)
{
	int *n = ctx;

	FUZZ_CHECK(strlen(name) < DNS_NAME_MAX, "answer name unterminated");
	FUZZ_CHECK(family == AF_INET || family == AF_INET6, "answer family %d", family);
	hostcache_add(&hosts, name, family, addr);
	FUZZ_CHECK(hostcache_lookup(&hosts, family, addr) != NULL, "learnt host not found");
	(*n)++;
}

/* Answers a tainted process received teach the agent which names its later sends went to. */
static void on_recv(const struct send_event *s)
{
	struct destination dst;
	size_t skip;
	int n = 0, ret;

	FUZZ_CHECK(s->sample_len <= MAX_SAMPLE_BYTES, "sample_len %u > MAX_SAMPLE_BYTES",
		   s->sample_len);
	destination_decode(&dst, s->family, s->daddr, s->dport, s->protocol, s->sock_type);
	skip = dns_skip(&dst);
	if (s->sample_len <= skip)
		return;
	ret = dns_answers(s->sample + skip, s->sample_len - skip, learn_host, &n);
	FUZZ_CHECK(ret == -1 || ret == n, "dns_answers returned %d after %d addresses", ret, n);
	FUZZ_CHECK(hosts.n <= HOSTCACHE_SIZE, "%zu cached hosts", hosts.n);
}

static void check_proc(const struct proc *p)
{
	FUZZ_CHECK(!p->lineage || strlen(p->lineage) < LINEAGE_LIMIT, "lineage of %zu bytes",
		   strlen(p->lineage));
}

static void on_flow(const struct flow_event *f)
{
	const struct channel_rec *r;
	const struct proc *p;
	size_t b, n = 0;

	FUZZ_CHECK(f->sample_len <= MAX_SAMPLE_BYTES, "flow sample_len %u > MAX_SAMPLE_BYTES",
		   f->sample_len);
	FUZZ_CHECK(f->direction == FLOW_WRITE || f->direction == FLOW_READ, "direction %u",
		   f->direction);
	if (f->direction == FLOW_WRITE)
		flow_write(&flows, &procs, &store, f);
	else
		flow_read(&flows, &procs, f);
	p = proctable_get(&procs, f->hdr.tgid, f->hdr.uid, f->hdr.comm);
	FUZZ_CHECK(p != NULL, "no process after a flow event");
	check_proc(p);
	for (b = 0; b < FLOW_BUCKETS; b++)
		for (r = flows.buckets[b]; r; r = r->next, n++)
			FUZZ_CHECK(!r->lineage || strlen(r->lineage) < LINEAGE_LIMIT,
				   "channel lineage of %zu bytes", strlen(r->lineage));
	FUZZ_CHECK(n == flows.count && n <= FLOW_MAX_CHANNELS, "%zu channels, count %zu", n,
		   flows.count);
}

static void on_info(const struct proc_info_event *info)
{
	const struct proc *p;
	int i;

	FUZZ_CHECK(info->cmdline_len <= CMDLINE_BYTES, "cmdline_len %u", info->cmdline_len);
	for (i = 0; i < EXE_PATH_PARTS; i++)
		FUZZ_CHECK(memchr(info->exe_parts[i], 0, EXE_PART_BYTES),
			   "exe part %d unterminated", i);
	proctable_set_info(&procs, info);
	p = proctable_get(&procs, info->hdr.tgid, 0, "");
	FUZZ_CHECK(p && p->comm[sizeof(p->comm) - 1] == 0, "proc entry missing or unterminated");
	FUZZ_CHECK(!p->exe || p->exe[0] == '/' || !strncmp(p->exe, "...", 3), "exe '%s'", p->exe);
	FUZZ_CHECK(!p->cmdline || strlen(p->cmdline) <= info->cmdline_len, "cmdline longer than %u",
		   info->cmdline_len);
	check_proc(p);
}

/* Every entry, without creating any: the table's count and each lineage's bound. */
static void check_procs(void)
{
	const struct proc *p;
	size_t b, n = 0;

	for (b = 0; b < PROC_BUCKETS; b++) {
		for (p = procs.buckets[b]; p; p = p->next, n++)
			check_proc(p);
	}
	FUZZ_CHECK(n == procs.count, "%zu processes, count %zu", n, procs.count);
}

static void consume(int type)
{
	FUZZ_CHECK(ev.hdr.type == (uint32_t)type, "decoded type %u, returned %d", ev.hdr.type,
		   type);
	FUZZ_CHECK(ev.hdr.comm[TASK_COMM_BYTES - 1] == 0, "comm unterminated");
	ev.hdr.tgid = FUZZ_PID(ev.hdr.tgid);
	switch (type) {
	case EVENT_IDENT_READ:
		on_read(&ev.read);
		break;
	case EVENT_SEND:
		on_send(&ev.send);
		break;
	case EVENT_RECV:
		on_recv(&ev.send);
		break;
	case EVENT_PROC_INFO:
		ev.info.ppid = ev.info.ppid ? FUZZ_PID(ev.info.ppid) : 0;
		on_info(&ev.info);
		break;
	case EVENT_PROC_EXIT:
		proctable_remove(&procs, ev.hdr.tgid);
		break;
	case EVENT_FLOW:
		ev.flow.peer_tgid = FUZZ_PID(ev.flow.peer_tgid);
		on_flow(&ev.flow);
		break;
	case EVENT_PROC_FORK:
		proctable_fork(&procs, ev.hdr.tgid, FUZZ_PID(ev.fork.child_tgid));
		break;
	}
	check_procs();
}

/* A learnt value of FORM_MIN_BYTES or more is its own plain form: a buffer of it must match it. */
static void check_store(void)
{
	struct value_hit hits[MAX_HITS];
	size_t i;
	int n, j, found;

	for (i = 0; i < store.n; i++) {
		const struct known_value *v = &store.values[i];

		if (v->len < FORM_MIN_BYTES)
			continue;
		n = values_scan(&store, v->bytes, v->len, 1ULL << v->bit, hits, MAX_HITS);
		check_hits(hits, n, v->len, 1ULL << v->bit);
		for (found = 0, j = 0; j < n; j++)
			found |= hits[j].value == v;
		FUZZ_CHECK(found, "value %zu (%zu bytes) not found in itself", i, v->len);
		FUZZ_CHECK(values_any_of(&store, v->bit) != NULL, "no value of bit %u", v->bit);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *end = data + size;
	int records, type;
	size_t len, i;
	uint8_t *rec;

	for (records = 0; end - data >= 2 && records < MAX_RECORDS; records++) {
		len = (size_t)data[0] | (size_t)data[1] << 8;
		data += 2;
		if (len > (size_t)(end - data))
			len = end - data;
		/* An exact-size, aligned copy: ASan sees any read past the record. */
		rec = malloc(len ? len : 1);
		if (!rec)
			break;
		memcpy(rec, data, len);
		data += len;
		type = event_decode(rec, len, &ev);
		free(rec);
		if (type == -EINVAL)
			continue;
		for (i = len; i < sizeof(ev); i++)
			FUZZ_CHECK(((const uint8_t *)&ev)[i] == 0,
				   "byte %zu past a %zu-byte record not zeroed", i, len);
		consume(type);
	}
	check_store();
	values_clear(&store);
	proctable_clear(&procs);
	flow_table_clear(&flows);
	memset(&flows, 0, sizeof(flows));
	/* entries past n are never read, so the 1 MB table need not be cleared */
	hosts.n = 0;
	hosts.clock = 0;
	return 0;
}
