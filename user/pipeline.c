// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* pipeline: what the agent does with each event of the ring buffer (pipeline.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "idsentry.h"
#include "pipeline.h"
#include "events.h"
#include "json.h"
#include "learn.h"
#include "output.h"
#include "parcel.h"
#include "policy.h"
#include "sms.h"
#include "watch.h"

/* Now, on the clock events are stamped with (bpf_ktime_get_boot_ns). */
static uint64_t boot_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_BOOTTIME, &t);
	return t.tv_sec * 1000000000ULL + t.tv_nsec;
}

static uint64_t monotonic_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000000000ULL + t.tv_nsec;
}

/* Printable runs of a Parcel's UTF-16 units, one per line: the text a layout that does not fit
 * the call would have found, so that a value in it is still seen. */
static size_t parcel_text_runs(const uint8_t *data, size_t len, uint8_t *out, size_t size)
{
	size_t i, n = 0;

	for (i = 0; i + 1 < len && n + 1 < size; i += 2) {
		unsigned int u = data[i] | (data[i + 1] << 8);

		out[n++] = u >= 0x20 && u < 0x7f ? (uint8_t)u : '\n';
	}
	return n;
}

/* A tainted process asked a Binder service to send an SMS. */
static void on_binder_tx(struct pipeline *pl, const struct binder_tx_event *ev)
{
	static struct parcel_sms sms; /* large; the loop is single-threaded */
	const struct binder_method_entry *e = binder_sms_decode(&pl->binder, ev, &sms);
	char call[BINDER_NAME_BYTES + 32];
	struct sms_send s = {
		.hdr = &ev->hdr,
		.taint_mask = ev->taint_mask,
		.taint_ns = ev->taint_ns,
		.number = sms.to,
		.text = sms.text,
		.len = sms.text_len,
		.layer = "binder",
		.call = call,
		.flags = ev->flags,
		.rule = ev->rule,
		.hook = ev->hook,
	};

	if (!e) {
		/* arguments that do not fit the policy's layout: every string is searched */
		s.number = "unknown";
		s.len = parcel_text_runs(ev->data, ev->len, sms.text, sizeof(sms.text));
	}
	snprintf(call, sizeof(call), "%s#%u", e ? e->interface : "binder", ev->code);
	detect_sms(&pl->det, &s);
}

/* A tainted process forked. A spawner's (zygote's) children start holding nothing of what it
 * held: its taint still makes their sends sampled, but only a value seen in them is reported. */
static void on_fork(struct pipeline *pl, const struct event_header *hdr, uint32_t child_tgid)
{
	struct proc *parent, *child;

	proctable_fork(&pl->procs, hdr->tgid, child_tgid);
	parent = proctable_find(&pl->procs, hdr->tgid);
	if (!parent || !policy_is_spawner(pl->cfg.policy, parent->exe, hdr->comm))
		return;
	child = proctable_find(&pl->procs, child_tgid);
	if (!child)
		return;
	child->held_mask = 0;
	child->derived_mask = 0;
	child->noise_mask = ~0ULL;
	free(child->lineage);
	child->lineage = NULL;
}

/* The header a process's own event would have: its comm and uid now (for what the agent finds
 * itself, as the processes mapping a holder's memory). */
static int header_of(uint32_t tgid, struct event_header *h)
{
	char path[64], line[256];
	unsigned int uid;
	FILE *f;

	memset(h, 0, sizeof(*h));
	h->tgid = h->tid = tgid;
	snprintf(path, sizeof(path), "/proc/%u/status", tgid);
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "Name:\t", 6))
			snprintf(h->comm, sizeof(h->comm), "%.*s", (int)strcspn(line + 6, "\n"),
				 line + 6);
		else if (sscanf(line, "Uid:\t%u", &uid) == 1)
			h->uid = uid;
	}
	fclose(f);
	return 0;
}

/* A process maps memory a holder shares (shm.h): tainted in the kernel (so its sends are followed
 * and blocking rules hold) and here, with the lineage holder -memory-> it. */
static void taint_memory_sharer(void *ctx, uint32_t tgid, const struct shm_object *o)
{
	struct pipeline *pl = ctx;
	const struct pipeline_kernel *k = &pl->cfg.kernel;
	struct proc_taint t = {};
	struct flow_event fe = {};

	if (!k->taint_of || !k->set_taint)
		return;
	if (!k->taint_of(k->ctx, tgid, &t)) {
		if ((t.ident_mask | o->mask) == t.ident_mask)
			return;
		t.ident_mask |= o->mask;
		t.flags |= TAINT_VIA_CHANNEL;
		k->set_taint(k->ctx, tgid, &t, 0);
	} else {
		t.ident_mask = o->mask;
		t.last_ns = boot_ns();
		t.flags = TAINT_VIA_CHANNEL;
		if (k->set_taint(k->ctx, tgid, &t, 1))
			return;
	}
	fe.ident_mask = o->mask;
	fe.taint_ns = t.last_ns;
	fe.channel = (o->dev << 40) ^ o->ino ^ (1ULL << 62);
	fe.kind = CHANNEL_MEMORY;
	/* the writer may be gone already: the agent knew it then */
	if (header_of(o->writer, &fe.hdr)) {
		struct proc *w = proctable_find(&pl->procs, o->writer);

		if (!w)
			return;
		fe.hdr.tgid = fe.hdr.tid = o->writer;
		fe.hdr.uid = w->uid;
		snprintf(fe.hdr.comm, sizeof(fe.hdr.comm), "%s", w->comm);
	}
	fe.hdr.type = EVENT_FLOW;
	fe.direction = FLOW_WRITE;
	flow_write(&pl->flows, &pl->procs, &pl->values, &fe);
	if (header_of(tgid, &fe.hdr))
		return;
	fe.hdr.type = EVENT_FLOW;
	fe.direction = FLOW_READ;
	fe.peer_tgid = o->writer;
	flow_read(&pl->flows, &pl->procs, &fe);
	pl->wants |= PIPELINE_WAKE;
}

/* A send to a process of this host is also what went into its loopback channel: the kernel tells
 * it once, in the send event (SEND_LOOPBACK), and the channel's write is taken from there. */
static void loopback_write(struct pipeline *pl, const struct send_event *s)
{
	static struct flow_event fe;

	memset(&fe, 0, offsetof(struct flow_event, sample));
	fe.hdr = s->hdr;
	fe.hdr.type = EVENT_FLOW;
	fe.ident_mask = s->taint_mask;
	fe.taint_ns = s->taint_ns;
	fe.channel = s->channel;
	fe.kind = CHANNEL_LOOPBACK;
	fe.direction = FLOW_WRITE;
	fe.sample_len = s->sample_len < MAX_SAMPLE_BYTES ? s->sample_len : MAX_SAMPLE_BYTES;
	memcpy(fe.sample, s->sample, fe.sample_len);
	flow_write(&pl->flows, &pl->procs, &pl->values, &fe);
}

/* A process the kernel tainted: the memory it shares writable, and who else maps it. Asked at its
 * PROC_INFO and at the identifiers it reads (the PROC_INFO of an open comes before the read that
 * gives the taint bits); looked at once per process and identifier set. A read of identifiers it
 * was followed for asks the kernel again at most once a second (for bits a channel gave it
 * since): a bpf() call at each read was most of what a holder's read loop cost the agent.
 * read_mask: the read's identifiers (0: not a read); now: the event's boot ns. */
static void follow_shared_memory(struct pipeline *pl, uint32_t tgid, uint64_t read_mask,
				 uint64_t now)
{
	struct proc_taint t = {};
	struct proc *p = proctable_find(&pl->procs, tgid);

	if (p && read_mask && (p->shm_followed_mask | read_mask) == p->shm_followed_mask &&
	    now - p->shm_asked_ns < 1000000000ull)
		return;
	if (p)
		p->shm_asked_ns = now;
	if (!pl->cfg.kernel.taint_of || pl->cfg.kernel.taint_of(pl->cfg.kernel.ctx, tgid, &t) ||
	    !t.ident_mask)
		return;
	if (p) {
		if ((p->shm_followed_mask | t.ident_mask) == p->shm_followed_mask)
			return;
		p->shm_followed_mask |= t.ident_mask;
	}
	if (shm_note_holder(&pl->shm, tgid, t.ident_mask) > 0)
		shm_find_mappers(&pl->shm, getpid(), taint_memory_sharer, pl);
}

static unsigned int wants_of(unsigned int learnt)
{
	return ((learnt & LEARNT_FOLLOW) ? PIPELINE_FOLLOW : 0) |
	       ((learnt & LEARNT_FILE) ? PIPELINE_FILES_CHANGED : 0);
}

/* A send whole (longsend_feed calls it): memory-BIO plaintext waits for its socket first. */
static void pair_send(void *ctx, const struct send_event *ev)
{
	tlspair_feed(ctx, ev);
}

/* A send to judge, with its destination (tlspair_feed calls it). */
static void judge_send(void *ctx, const struct send_event *ev)
{
	detect_send(ctx, ev);
}

/* A message a process wrote to a modem (modem_on_write calls it): judged as an SMS. */
static void judge_modem_sms(void *ctx, const struct sms_send *s)
{
	detect_sms(ctx, s);
}

void pipeline_init(struct pipeline *pl, const struct pipeline_config *cfg)
{
	memset(pl, 0, sizeof(*pl));
	pl->cfg = *cfg;
	pl->det.values = &pl->values;
	pl->det.procs = &pl->procs;
	pl->det.hosts = &pl->hosts;
	pl->det.enf = cfg->enf;
	pl->det.sink.out = cfg->out;
	pl->det.sink.policy = cfg->policy;
	pl->det.sink.show_values = cfg->show_values;
	pl->det.sink.packages = cfg->packages;
	pl->det.sink.agg = &pl->agg;
	pl->learner = (struct learner){
		.values = &pl->values,
		.procs = &pl->procs,
		.binder = &pl->binder,
		.derived = &pl->derived,
		.modem = &pl->modem,
		.policy = cfg->policy,
		.watches = cfg->watches,
		.out = cfg->out,
	};
	pl->modem.values = &pl->values;
	pl->modem.policy = cfg->policy;
	pl->modem.watches = cfg->watches;
	tlspair_init(&pl->tls_pairs, judge_send, &pl->det);
	longsend_init(&pl->longs, pair_send, &pl->tls_pairs);
	shm_tracker_init(&pl->shm, cfg->proc_root);
}

void pipeline_reset(struct pipeline *pl)
{
	values_clear(&pl->values);
	/* a new policy numbers its identifiers anew: what files held means nothing now */
	derived_free(&pl->derived);
	memset(pl->det.rules, 0, sizeof(pl->det.rules));
	modem_reset(&pl->modem);
}

unsigned int pipeline_handle(struct pipeline *pl, const union event *ev)
{
	unsigned int wants;

	if (ev->hdr.type < sizeof(pl->events) / sizeof(pl->events[0]))
		pl->events[ev->hdr.type]++;
	switch (ev->hdr.type) {
	case EVENT_IDENT_READ:
		pl->wants |= wants_of(learn_ident_read(&pl->learner, &ev->read));
		follow_shared_memory(pl, ev->hdr.tgid, ev->read.ident_mask, ev->hdr.ts_ns);
		break;
	case EVENT_SEND:
		if (ev->send.flags & SEND_TO_FILE) {
			pl->wants |= wants_of(learn_file_write(&pl->learner, &ev->send));
			break;
		}
		if (ev->send.flags & SEND_LOOPBACK)
			loopback_write(pl, &ev->send);
		longsend_feed(&pl->longs, &ev->send);
		break;
	case EVENT_PROC_INFO: {
		struct proc *p = proctable_set_info(&pl->procs, &ev->info);

		if (p && pl->cfg.kernel.process_seen)
			pl->cfg.kernel.process_seen(pl->cfg.kernel.ctx, p);
		follow_shared_memory(pl, ev->hdr.tgid, 0, ev->hdr.ts_ns);
		break;
	}
	case EVENT_PROC_EXIT:
		proctable_remove(&pl->procs, ev->hdr.tgid);
		if (pl->cfg.kernel.process_gone)
			pl->cfg.kernel.process_gone(pl->cfg.kernel.ctx, ev->hdr.tgid);
		break;
	case EVENT_FLOW:
		if (ev->flow.direction == FLOW_WRITE)
			flow_write(&pl->flows, &pl->procs, &pl->values, &ev->flow);
		else
			flow_read(&pl->flows, &pl->procs, &ev->flow);
		break;
	case EVENT_PROC_FORK:
		on_fork(pl, &ev->hdr, ev->fork.child_tgid);
		break;
	case EVENT_BINDER_TX:
		on_binder_tx(pl, &ev->tx);
		break;
	case EVENT_TTY_WRITE:
		modem_on_write(&pl->modem, &ev->flow, judge_modem_sms, &pl->det);
		break;
	case EVENT_RECV:
		if (ev->send.call == CALL_NETLINK)
			pl->wants |= wants_of(learn_netlink_reply(&pl->learner, &ev->send));
		else
			detect_learn_hosts(&pl->det, &ev->send);
		break;
	}
	wants = pl->wants;
	pl->wants = 0;
	return wants;
}

unsigned int pipeline_feed(struct pipeline *pl, const void *data, size_t size)
{
	static union event ev; /* too big for the stack; the loop is single-threaded */

	if (event_decode(data, size, &ev) < 0) {
		pl->malformed++;
		return 0;
	}
	return pipeline_handle(pl, &ev);
}

unsigned int pipeline_tick(struct pipeline *pl)
{
	unsigned int wants;

	pl->seconds++;
	longsend_tick(&pl->longs);
	tlspair_tick(&pl->tls_pairs, boot_ns());
	if (pl->seconds % SHM_RESCAN_SECONDS == 0 && pl->shm.n_holders)
		shm_rescan(&pl->shm, getpid(), taint_memory_sharer, pl);
	aggregate_flush(&pl->agg, pl->cfg.out, monotonic_ns(), 0);
	wants = pl->wants;
	pl->wants = 0;
	return wants;
}

void pipeline_finish(struct pipeline *pl)
{
	longsend_flush(&pl->longs);
	tlspair_tick(&pl->tls_pairs, UINT64_MAX);
	aggregate_flush(&pl->agg, pl->cfg.out, monotonic_ns(), 1);
}

void pipeline_free(struct pipeline *pl)
{
	tlspair_free(&pl->tls_pairs);
	binder_table_free(&pl->binder);
	values_clear(&pl->values);
	derived_free(&pl->derived);
	proctable_clear(&pl->procs);
	flow_table_clear(&pl->flows);
	aggregate_free(&pl->agg);
}

void pipeline_describe(const struct pipeline *pl, struct json *j)
{
	const struct detector *d = &pl->det;

	json_object_begin(j, "events");
	json_uint(j, "ident_read", pl->events[EVENT_IDENT_READ]);
	json_uint(j, "send", pl->events[EVENT_SEND]);
	json_uint(j, "proc_info", pl->events[EVENT_PROC_INFO]);
	json_uint(j, "proc_exit", pl->events[EVENT_PROC_EXIT]);
	json_uint(j, "flow", pl->events[EVENT_FLOW]);
	json_uint(j, "recv", pl->events[EVENT_RECV]);
	json_uint(j, "proc_fork", pl->events[EVENT_PROC_FORK]);
	json_uint(j, "tty_write", pl->events[EVENT_TTY_WRITE]);
	json_uint(j, "binder_tx", pl->events[EVENT_BINDER_TX]);
	json_object_end(j);
	binder_describe(&pl->binder, d->sms_seen_above, j);
	detect_describe(d, &pl->agg, j);
	json_uint(j, "malformed_events", pl->malformed);
	json_uint(j, "processes", pl->procs.count);
	json_uint(j, "known_values", pl->values.n);
	/* drivable values (ioctl, property, Binder, rtnetlink) that took an older one's place */
	json_uint(j, "values_replaced", pl->values.replaced);
	/* scans of a payload the same as one of the last scanned, answered without a scan */
	json_uint(j, "scans_repeated", pl->values.memo_hits);
	longsend_describe(&pl->longs, j);
	tlspair_describe(&pl->tls_pairs, j);
}
