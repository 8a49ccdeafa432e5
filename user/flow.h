/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* flow: which processes hold an identifier's value, and the path it took to reach them (lineage). */
#ifndef IDSENTRY_FLOW_H
#define IDSENTRY_FLOW_H

#include <stddef.h>
#include <stdint.h>

struct flow_event;
struct proc;
struct proctable;
struct value_store;

#define FLOW_BUCKETS 1024
#define FLOW_MAX_CHANNELS 8192
/* A process that read an identifier this recently passes it on with whatever it writes. */
#define FLOW_FRESH_READ_NS (2ULL * 1000000000ULL)

struct channel_rec {
	uint64_t chan;
	uint64_t carry_mask; /* identifiers whose value went into the channel */
	uint64_t seen;       /* the table's clock at the last write, for eviction */
	char *lineage;       /* who put it there: "cat[412]" or a longer chain */
	struct channel_rec *next;
};

struct flow_table {
	struct channel_rec *buckets[FLOW_BUCKETS];
	size_t count;
	uint64_t clock;
	unsigned long long evicted;
};

/* A process read an identifier itself. */
void flow_direct_read(struct proc *p, uint64_t mask, uint64_t ts_ns);
/* A tainted process wrote into a channel (ev->direction == FLOW_WRITE). */
void flow_write(struct flow_table *ft, struct proctable *pt, struct value_store *vs,
		const struct flow_event *ev);
/* A process read from a tainted channel (ev->direction == FLOW_READ). */
void flow_read(struct flow_table *ft, struct proctable *pt, const struct flow_event *ev);
void flow_table_clear(struct flow_table *ft);

#endif
