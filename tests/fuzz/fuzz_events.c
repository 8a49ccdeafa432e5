// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* fuzz_events: decodes streams of ring-buffer records and hands them to the agent's real pipeline
 * (pipeline.h: values, processes, flows, modem, Binder, long and TLS sends, the detector). */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "diag.h"
#include "enforce.h"
#include "events.h"
#include "fuzz.h"
#include "output.h"
#include "pipeline.h"
#include "policy.h"
#include "watch.h"

/*
 * Input: records, each a little-endian u16 size and that many bytes (the last one gets whatever
 * is left). Limits keep one input to a few milliseconds: every learnt value costs a rebuild of the
 * matcher over ~100 forms, so identifier reads past MAX_LEARNT are passed over.
 */
#define MAX_RECORDS 64
#define MAX_LEARNT 4
#define MAX_HITS 16
/* Pids past PID_MAX_LIMIT exist nowhere, so proctable's /proc lookups fail fast and the input
 * alone decides; eight of them are enough for parents, children and chains of channels. */
#define FUZZ_PID(pid) (0x40000000u + (pid) % 8)
#define LINEAGE_LIMIT 1024 /* flow.c keeps a channel's chain under 512 bytes; forks add a little */

static const char *policy_text =
	"version: 1\n"
	"identifiers:\n"
	"  - name: machine-id\n"
	"    files: [/nonexistent/idsentry-fuzz/machine-id]\n"
	"  - name: mac-address\n"
	"    files: [/nonexistent/idsentry-fuzz/address]\n"
	"  - name: imei\n"
	"    modem: [/nonexistent/idsentry-fuzz/ttyUSB0]\n"
	"rules:\n"
	"  - name: leak\n"
	"    identifiers: any\n"
	"    window: 10m\n"
	"  - name: stop\n"
	"    identifiers: [imei]\n"
	"    action: block\n";

static union event ev; /* as in the agent: too big for the stack */
static struct policy pol;
static struct watch_set watches;
static struct enforcer enf;
static struct output out;
static struct pipeline pl;
static int ready;

/* The policy and the sinks once; the pipeline anew for each input. */
static void start(void)
{
	struct output_opts o = { .path = "/dev/null" };
	struct diag_list d = {};

	if (!ready) {
		FUZZ_CHECK(policy_load_string(&pol, "fuzz.yaml", policy_text, &d) == 0,
			   "the fuzz policy does not load");
		diag_list_free(&d);
		FUZZ_CHECK(output_open(&out, &o) == 0, "/dev/null does not open");
		enf.n_slots = 1;
		enf.slot_rule[0] = 1;
		ready = 1;
	}
	pipeline_init(&pl, &(struct pipeline_config){
		.policy = &pol,
		.watches = &watches,
		.enf = &enf,
		.out = &out,
			});
}

static void check_hits(const struct value_hit *hits, int n, size_t len, uint64_t mask)
{
	const struct value_store *store = &pl.values;
	int i, j;

	FUZZ_CHECK(n >= 0 && n <= MAX_HITS, "values_scan returned %d", n);
	for (i = 0; i < n; i++) {
		const struct known_value *v = hits[i].value;

		FUZZ_CHECK(v >= store->values && v < store->values + store->n, "hit %d: stray", i);
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

static void check_proc(const struct proc *p)
{
	FUZZ_CHECK(!p->lineage || strlen(p->lineage) < LINEAGE_LIMIT, "lineage of %zu bytes",
		   strlen(p->lineage));
	FUZZ_CHECK(p->comm[sizeof(p->comm) - 1] == 0, "comm unterminated");
	FUZZ_CHECK(!p->exe || p->exe[0] == '/' || !strncmp(p->exe, "...", 3), "exe '%s'", p->exe);
}

/* Every process and channel, without creating any: counts and each lineage's bound. */
static void check_tables(void)
{
	const struct channel_rec *r;
	const struct proc *p;
	size_t b, n = 0;

	for (b = 0; b < PROC_BUCKETS; b++)
		for (p = pl.procs.buckets[b]; p; p = p->next, n++)
			check_proc(p);
	FUZZ_CHECK(n == pl.procs.count, "%zu processes, count %zu", n, pl.procs.count);
	for (n = 0, b = 0; b < FLOW_BUCKETS; b++)
		for (r = pl.flows.buckets[b]; r; r = r->next, n++)
			FUZZ_CHECK(!r->lineage || strlen(r->lineage) < LINEAGE_LIMIT,
				   "channel lineage of %zu bytes", strlen(r->lineage));
	FUZZ_CHECK(n == pl.flows.count && n <= FLOW_MAX_CHANNELS, "%zu channels, count %zu", n,
		   pl.flows.count);
	FUZZ_CHECK(pl.hosts.n <= HOSTCACHE_SIZE, "%zu cached hosts", pl.hosts.n);
	FUZZ_CHECK(pl.det.confirmed + pl.det.suspected >= pl.agg.written + pl.agg.folded,
		   "%llu alerts written or folded of %llu decided", pl.agg.written + pl.agg.folded,
		   pl.det.confirmed + pl.det.suspected);
}

/* A learnt value of FORM_MIN_BYTES or more is its own plain form: a buffer of it must match it. */
static void check_store(void)
{
	struct value_store *store = &pl.values;
	struct value_hit hits[MAX_HITS];
	size_t i;
	int n, j, found;

	for (i = 0; i < store->n; i++) {
		const struct known_value *v = &store->values[i];

		FUZZ_CHECK(v->len > 0, "value %zu is empty", i);
		FUZZ_CHECK(!value_is_placeholder(v->bytes, v->len), "learnt a placeholder");
		if (v->len < FORM_MIN_BYTES)
			continue;
		n = values_scan(store, v->bytes, v->len, 1ULL << v->bit, hits, MAX_HITS);
		check_hits(hits, n, v->len, 1ULL << v->bit);
		for (found = 0, j = 0; j < n; j++)
			found |= hits[j].value == v;
		FUZZ_CHECK(found, "value %zu (%zu bytes) not found in itself", i, v->len);
		FUZZ_CHECK(values_any_of(store, v->bit) != NULL, "no value of bit %u", v->bit);
	}
}

/* The decoded record's own invariants, then its pids mapped to FUZZ_PID. */
static int prepare(int type, int *reads)
{
	FUZZ_CHECK(ev.hdr.type == (uint32_t)type, "decoded type %u, returned %d", ev.hdr.type,
		   type);
	FUZZ_CHECK(ev.hdr.comm[TASK_COMM_BYTES - 1] == 0, "comm unterminated");
	ev.hdr.tgid = FUZZ_PID(ev.hdr.tgid);
	switch (type) {
	case EVENT_IDENT_READ:
		FUZZ_CHECK(ev.read.len <= MAX_VALUE_BYTES, "ident_read len %u", ev.read.len);
		return ++*reads <= MAX_LEARNT;
	case EVENT_SEND:
	case EVENT_RECV:
		FUZZ_CHECK(ev.send.sample_len <= MAX_SAMPLE_BYTES, "sample_len %u",
			   ev.send.sample_len);
		break;
	case EVENT_PROC_INFO:
		FUZZ_CHECK(ev.info.cmdline_len <= CMDLINE_BYTES, "cmdline_len %u",
			   ev.info.cmdline_len);
		ev.info.ppid = ev.info.ppid ? FUZZ_PID(ev.info.ppid) : 0;
		break;
	case EVENT_FLOW:
	case EVENT_TTY_WRITE:
		FUZZ_CHECK(ev.flow.sample_len <= MAX_SAMPLE_BYTES, "flow sample_len %u",
			   ev.flow.sample_len);
		ev.flow.peer_tgid = FUZZ_PID(ev.flow.peer_tgid);
		break;
	case EVENT_PROC_FORK:
		ev.fork.child_tgid = FUZZ_PID(ev.fork.child_tgid);
		break;
	}
	return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *end = data + size;
	int records, type, reads = 0;
	size_t len, i;
	uint8_t *rec;

	start();
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
		if (prepare(type, &reads))
			pipeline_handle(&pl, &ev);
		check_tables();
	}
	pipeline_tick(&pl);
	pipeline_finish(&pl);
	check_tables();
	check_store();
	pipeline_free(&pl);
	return 0;
}
