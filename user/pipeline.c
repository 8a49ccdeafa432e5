// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* pipeline: what the agent does with each event of the ring buffer (pipeline.h). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "idsentry.h"
#include "pipeline.h"
#include "events.h"
#include "filevalues.h"
#include "ioctl.h"
#include "json.h"
#include "netlink.h"
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


/* A value of the identifiers in mask reached process p (NULL when unknown) from source/origin:
 * learnt, and noted as how p got it. */
static void learn_value(struct pipeline *pl, struct proc *p, uint64_t mask, const char *source,
			const char *origin, const uint8_t *value, size_t len)
{
	int bit;

	for (bit = 0; bit < MAX_IDENTIFIER_BITS; bit++) {
		if (!(mask & (1ULL << bit)))
			continue;
		values_learn(&pl->values, bit, source, origin, value, len);
		if (p)
			proc_note_obtained(p, bit, source, origin, pl->values.last, pl->values.epoch);
	}
}

/* An identifier reached a process other than by reading a file: ioctl or Binder reply, or
 * property. */
static void learn_other_source(struct pipeline *pl, struct proc *p, const struct ident_read_event *ev,
			       size_t len)
{
	char value[MAX_VALUE_BYTES + 1], origin[BINDER_NAME_BYTES + 32];
	const char *source = ev->source == SOURCE_IOCTL	   ? "ioctl" :
			     ev->source == SOURCE_BINDER ? "binder" :
							   "property";
	size_t n = 0;

	if (ev->source == SOURCE_BINDER) {
		n = binder_reply_value(&pl->binder, ev, len, value, sizeof(value), origin,
				       sizeof(origin));
	} else if (ev->source == SOURCE_IOCTL) {
		n = ioctl_value(ev->ino, ev->data, len, value, sizeof(value), origin,
				sizeof(origin));
	} else if (len > PROP_NAME_BYTES) {
		/* name[PROP_NAME_BYTES], then the value */
		snprintf(origin, sizeof(origin), "%.*s", PROP_NAME_BYTES, (const char *)ev->data);
		n = len - PROP_NAME_BYTES;
		if (n >= sizeof(value))
			n = sizeof(value) - 1;
		memcpy(value, ev->data + PROP_NAME_BYTES, n);
		value[n] = 0;
	}
	if (n)
		learn_value(pl, p, ev->ident_mask, source, origin, (const uint8_t *)value, n);
}

/* A watched file was opened while no read hook could see what the opener read: its value is what
 * the file holds, read here (the file the policy names, the inode the kernel matched). */
struct table_learning {
	struct pipeline *pl;
	struct proc *p;
	uint64_t mask;
	const char *path;
};

static void learn_table_value(void *ctx, const char *field, const uint8_t *value, size_t len)
{
	struct table_learning *t = ctx;
	uint64_t mask = 0;
	size_t i;

	/* a DMI table's serials and UUID each belong to their own identifier */
	for (i = 0; i < t->pl->cfg.policy->n_idents; i++) {
		const struct identifier_def *id = &t->pl->cfg.policy->idents[i];

		if ((t->mask & (1ULL << id->bit)) &&
		    filevalues_field_is(field, id->name, id->files.items, id->files.n))
			mask |= 1ULL << id->bit;
	}
	if (mask)
		learn_value(t->pl, t->p, mask, "file", t->path, value, len);
}

/* A table file (filevalues.h) read or opened: each value in it, as the agent reads it whole (a
 * process's first read holds only its first few hundred bytes). */
static void learn_table_file(struct pipeline *pl, struct proc *p, uint64_t mask, const char *path)
{
	struct table_learning t = { .pl = pl, .p = p, .mask = mask, .path = path };
	long n = filevalues_read(path, learn_table_value, &t);

	if (n < 0)
		fprintf(stderr, "idsentry: reading %s for the values a process read failed: %s\n",
			path, strerror((int)-n));
}

static void learn_opened_file(struct pipeline *pl, struct proc *p, const struct ident_read_event *ev,
			      const char *path)
{
	uint8_t buf[MAX_VALUE_BYTES];
	ssize_t n = -1;
	int fd;

	if (filevalues_is_table(path)) {
		learn_table_file(pl, p, ev->ident_mask, path);
		return;
	}
	fd = path ? open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY) : -1;
	if (fd >= 0) {
		n = read(fd, buf, sizeof(buf));
		close(fd);
	}
	if (n < 0) {
		fprintf(stderr, "idsentry: %s was opened by pid %u with the read hooks away, and "
				"reading it for its value failed: %s\n",
			path ? path : "an identifier file", ev->hdr.tgid,
			path ? strerror(errno) : "its inode is no longer registered");
		return;
	}
	learn_value(pl, p, ev->ident_mask, "file", path, buf, n);
}

static void on_ident_read(struct pipeline *pl, const struct ident_read_event *ev)
{
	const char *path = watch_path_of(pl->cfg.watches, ev->ino);
	size_t len = ev->len > MAX_VALUE_BYTES ? MAX_VALUE_BYTES : ev->len;
	struct proc *p = proctable_of_event(&pl->procs, &ev->hdr);

	if (p)
		flow_direct_read(p, ev->ident_mask, ev->hdr.ts_ns);
	/* no open of a watched file announced this one (or its open came to the open exits that
	 * stand in for fanotify): follow the process from now on */
	if (ev->source != SOURCE_FILE || ev->call == CALL_OPEN)
		pl->wants |= PIPELINE_FOLLOW;
	/* a file a holder wrote a value into: the value is known, the rest of it is not one */
	if (ev->source == SOURCE_FILE && derived_find(&pl->derived, ev->ino))
		return;
	if (ev->source == SOURCE_FILE && ev->call == CALL_OPEN) {
		learn_opened_file(pl, p, ev, path);
		return;
	}
	switch (ev->source) {
	case SOURCE_MODEM:
		/* an AT reply: what it carries depends on the command before it */
		modem_on_read(&pl->modem, ev);
		return;
	case SOURCE_IOCTL:
	case SOURCE_PROPERTY:
	case SOURCE_BINDER:
		learn_other_source(pl, p, ev, len);
		return;
	}
	/* a value starts at offset 0; later chunks of a file are not identifier starts */
	if (ev->offset == 0 && filevalues_is_table(path))
		learn_table_file(pl, p, ev->ident_mask, path);
	else if (ev->offset == 0)
		learn_value(pl, p, ev->ident_mask, "file", path, ev->data, len);
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


struct netlink_learning {
	struct pipeline *pl;
	struct proc *p;
	uint64_t mask;
};

static void learn_netlink_address(void *ctx, const char *mac, enum netlink_addr_kind kind,
				  const char *owner)
{
	struct netlink_learning *l = ctx;
	char origin[96];

	snprintf(origin, sizeof(origin), "%s %s%s",
		 kind == NETLINK_NEIGH ? "RTM_NEWNEIGH" : "RTM_NEWLINK", owner,
		 kind == NETLINK_LINK_PERM ? " (permanent)" : "");
	learn_value(l->pl, l->p, l->mask, "netlink", origin, (const uint8_t *)mac, strlen(mac));
}

/* A process read an rtnetlink reply listing links or neighbours: it holds their addresses. */
static void on_netlink_reply(struct pipeline *pl, const struct send_event *ev)
{
	struct netlink_learning l = { .pl = pl, .mask = ev->taint_mask };

	l.p = proctable_of_event(&pl->procs, &ev->hdr);
	if (l.p)
		flow_direct_read(l.p, ev->taint_mask, ev->hdr.ts_ns);
	/* no open of a watched file announced it: follow the process from now on */
	pl->wants |= PIPELINE_FOLLOW;
	netlink_addresses(ev->sample, ev->sample_len, learn_netlink_address, &l);
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


/* The path of FILE_PATH_PARTS components, leaf first, as the kernel wrote them; 0 when there
 * are none. */
static int path_of_parts(const uint8_t *parts, char *out, size_t size)
{
	char part[EXE_PART_BYTES];
	int i, n = 0;
	size_t at = 0;

	while (n < FILE_PATH_PARTS && parts[n * EXE_PART_BYTES])
		n++;
	out[0] = 0;
	for (i = n - 1; i >= 0; i--) {
		memcpy(part, parts + i * EXE_PART_BYTES, EXE_PART_BYTES);
		part[EXE_PART_BYTES - 1] = 0;
		at += snprintf(out + at, at < size ? size - at : 0, "/%s", part);
	}
	return n > 0 && at < size;
}

/* A holder wrote into a regular file: when a form of a value it holds is in what it wrote, the
 * file becomes an identifier file for that identifier (derived.h), announced by a record. */
static void on_file_write(struct pipeline *pl, const struct send_event *ev)
{
	struct value_hit hits[16];
	char link[64], path[PATH_MAX];
	uint64_t dev, ino, mask = 0;
	struct derived_file written = { .path = path };
	struct json j;
	ssize_t len;
	int n, k, r;

	if (ev->sample_len <= FILE_PATH_BYTES)
		return;
	n = values_scan(&pl->values, ev->sample + FILE_PATH_BYTES, ev->sample_len - FILE_PATH_BYTES,
			ev->taint_mask, hits, 16);
	for (k = 0; k < n; k++)
		mask |= 1ULL << hits[k].value->bit;
	if (!mask)
		return;
	memcpy(&dev, ev->daddr, 8);
	memcpy(&ino, ev->daddr + 8, 8);
	/* the writer's fd names it best; else the path the kernel put before the data */
	snprintf(link, sizeof(link), "/proc/%u/fd/%u", ev->hdr.tgid, ev->fd);
	len = readlink(link, path, sizeof(path) - 1);
	if (len > 0) {
		path[len] = 0;
	} else if (!path_of_parts(ev->sample, path, sizeof(path))) {
		snprintf(path, sizeof(path), "inode %llu", (unsigned long long)ino);
	}
	r = derived_add(&pl->derived, dev, ino, mask, path, ev->hdr.tgid, ev->hdr.ts_ns);
	if (r == -ENOSPC && pl->derived.refused == 1)
		fprintf(stderr, "idsentry: more than %d files hold identifiers written by their "
				"holders: later ones are not followed\n", DERIVED_MAX_FILES);
	if (r <= 0)
		return;
	pl->wants |= PIPELINE_FILES_CHANGED;
	written.ino = ino;
	written.ident_mask = mask;
	json_init(&j);
	derived_record_begin(&j, pl->cfg.policy, &written);
	json_object_begin(&j, "writer");
	json_uint(&j, "pid", ev->hdr.tgid);
	json_string(&j, "comm", ev->hdr.comm);
	json_object_end(&j);
	output_write(pl->cfg.out, &j);
	json_free(&j);
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

/* A process the kernel tainted: the memory it shares writable, and who else maps it. */
static void follow_shared_memory(struct pipeline *pl, uint32_t tgid)
{
	struct proc_taint t = {};

	if (pl->cfg.kernel.taint_of(pl->cfg.kernel.ctx, tgid, &t) ||
	    !t.ident_mask)
		return;
	if (shm_note_holder(&pl->shm, tgid, t.ident_mask) > 0)
		shm_find_mappers(&pl->shm, getpid(), taint_memory_sharer, pl);
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

int pipeline_init(struct pipeline *pl, const struct pipeline_config *cfg)
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
	pl->modem.values = &pl->values;
	pl->modem.policy = cfg->policy;
	pl->modem.watches = cfg->watches;
	tlspair_init(&pl->tls_pairs, judge_send, &pl->det);
	longsend_init(&pl->longs, pair_send, &pl->tls_pairs);
	shm_tracker_init(&pl->shm, cfg->proc_root);
	return 0;
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

	pl->events[ev->hdr.type]++;
	switch (ev->hdr.type) {
	case EVENT_IDENT_READ:
		on_ident_read(pl, &ev->read);
		break;
	case EVENT_SEND:
		if (ev->send.flags & SEND_TO_FILE)
			on_file_write(pl, &ev->send);
		else
			longsend_feed(&pl->longs, &ev->send);
		break;
	case EVENT_PROC_INFO: {
		struct proc *p = proctable_set_info(&pl->procs, &ev->info);

		if (p && pl->cfg.kernel.process_seen)
			pl->cfg.kernel.process_seen(pl->cfg.kernel.ctx, p);
		follow_shared_memory(pl, ev->hdr.tgid);
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
			on_netlink_reply(pl, &ev->send);
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
	longsend_describe(&pl->longs, j);
	tlspair_describe(&pl->tls_pairs, j);
}
