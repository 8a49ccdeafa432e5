// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* flow: which processes hold an identifier's value, and the path it took to reach them (lineage).
 *
 * The kernel taints every reader of a channel a tainted process wrote to, which over-approximates:
 * a daemon that read the machine-id taints everyone it talks to. The agent narrows it down for
 * suspected alerts: a write carries an identifier when a form of its value is in the data, when
 * the writer got the value from another process (it may have transformed it), or when the writer
 * read the identifier moments ago. Readers of channels that carried nothing are only 'noise'. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "idsentry.h"
#include "flow.h"
#include "proctable.h"
#include "values.h"

#define LINEAGE_MAX PROC_LINEAGE_MAX

static const char *kind_name(__u16 kind)
{
	switch (kind) {
	case CHANNEL_PIPE:
		return "pipe";
	case CHANNEL_FIFO:
		return "fifo";
	case CHANNEL_UNIX:
		return "unix";
	case CHANNEL_LOOPBACK:
		return "loopback";
	case CHANNEL_MEMORY:
		return "memory";
	}
	return "ipc";
}

static struct channel_rec **slot(struct flow_table *ft, uint64_t chan)
{
	struct channel_rec **pp = &ft->buckets[(chan >> 6) % FLOW_BUCKETS];

	while (*pp && (*pp)->chan != chan)
		pp = &(*pp)->next;
	return pp;
}

static void evict_oldest(struct flow_table *ft)
{
	struct channel_rec **oldest = NULL, **pp;
	size_t b;

	for (b = 0; b < FLOW_BUCKETS; b++)
		for (pp = &ft->buckets[b]; *pp; pp = &(*pp)->next)
			if (!oldest || (*pp)->seen < (*oldest)->seen)
				oldest = pp;
	if (oldest) {
		struct channel_rec *r = *oldest;

		*oldest = r->next;
		free(r->lineage);
		free(r);
		ft->count--;
		ft->evicted++;
	}
}

void flow_direct_read(struct proc *p, uint64_t mask, uint64_t ts_ns)
{
	p->held_mask |= mask;
	p->noise_mask &= ~mask;
	p->last_direct_ns = ts_ns;
}

_Static_assert(2 * READ_REPEAT_NS <= FLOW_FRESH_READ_NS,
	       "a read the kernel does not repeat must stay fresh for the writes after it");

#define OPAQUE_TOKEN_BYTES 16 /* a run of letters and digits this long may be an encoded value */
#define SHAPE_SLACK 8          /* a token this much longer than a value may be it, prefixed */

/* The length of the value of identifier 'bit' the process holds (its own, else any known). */
static size_t held_length(const struct proc *p, struct value_store *vs, unsigned int bit)
{
	const struct proc_obtained *o = proc_obtained_of(p, bit);
	const struct known_value *v = o ? values_at(vs, o->value, o->epoch, bit) : NULL;

	if (!v)
		v = values_any_of(vs, bit);
	return v ? v->len : 0;
}

/* Whether written bytes could be a held value transformed beyond recognition: mostly not text
 * (XOR, compression, encryption), one long run of letters and digits (a hash, base64 of a
 * ciphertext), or a token without spaces about as long as a held value (the value reversed,
 * XORed into other printable bytes, shuffled). Text in words ("hello, nothing to see") is none of
 * these. */
static int looks_opaque(const struct proc *p, struct value_store *vs, uint64_t mask,
			const uint8_t *b, size_t n)
{
	size_t i, binary = 0, run = 0, token = 0, len;
	unsigned int bit;

	for (i = 0; i <= n; i++) {
		uint8_t c = i < n ? b[i] : ' ';
		int word = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			   c == '+' || c == '/' || c == '=' || c == '_' || c == '-';

		if (i < n && ((c < 0x20 && c != '\n' && c != '\r' && c != '\t') || c >= 0x7f))
			binary++;
		run = word ? run + 1 : 0;
		if (run >= OPAQUE_TOKEN_BYTES)
			return 1;
		if (c > ' ' && c < 0x7f) {
			token++;
			continue;
		}
		/* a token ends: is it shaped like a held value? */
		for (bit = 0; token && bit < 64; bit++) {
			if (!(mask & (1ULL << bit)))
				continue;
			len = held_length(p, vs, bit);
			if (len >= OPAQUE_TOKEN_BYTES / 2 && token >= len && token <= len + SHAPE_SLACK)
				return 1;
		}
		token = 0;
	}
	return n && binary * 4 >= n;
}

/* Identifier bits a write passes on. */
static uint64_t carried_bits(const struct proc *p, struct value_store *vs,
			     const struct flow_event *ev)
{
	uint64_t carried = p->derived_mask & ev->ident_mask;
	struct value_hit hits[16];
	int i, n;

	if (p->last_direct_ns && ev->hdr.ts_ns - p->last_direct_ns < FLOW_FRESH_READ_NS)
		carried |= p->held_mask & ev->ident_mask;
	n = values_scan(vs, ev->sample, ev->sample_len, ev->ident_mask, hits, 16);
	for (i = 0; i < n; i++)
		carried |= 1ULL << hits[i].value->bit;
	/* long after its read, a holder's opaque bytes may still be its value transformed: the
	 * reader is then suspected of holding it (a value seen makes it more) */
	if (!carried && looks_opaque(p, vs, p->held_mask & ev->ident_mask, ev->sample,
				     ev->sample_len))
		carried |= p->held_mask & ev->ident_mask;
	/* a writer the agent knows nothing of (it predates us, or its events were lost) is trusted
	 * to carry what the kernel says it has */
	if (!p->held_mask && !p->noise_mask)
		carried |= ev->ident_mask;
	return carried;
}

void flow_write(struct flow_table *ft, struct proctable *pt, struct value_store *vs,
		const struct flow_event *ev)
{
	struct proc *p = proctable_of_event(pt, &ev->hdr);
	struct channel_rec **pp, *r;

	if (!p)
		return;
	pp = slot(ft, ev->channel);
	r = *pp;
	if (!r) {
		if (ft->count >= FLOW_MAX_CHANNELS)
			evict_oldest(ft);
		pp = slot(ft, ev->channel);
		r = calloc(1, sizeof(*r));
		if (!r)
			return;
		r->chan = ev->channel;
		*pp = r;
		ft->count++;
	}
	r->seen = ++ft->clock;
	/* memory shared with a holder: what went in is never seen, all it held may have */
	r->carry_mask |= ev->kind == CHANNEL_MEMORY ? ev->ident_mask : carried_bits(p, vs, ev);
	free(r->lineage);
	if (p->lineage) {
		r->lineage = strdup(p->lineage);
	} else {
		char label[48];

		proc_label(p, label, sizeof(label));
		r->lineage = strdup(label);
	}
}

void flow_read(struct flow_table *ft, struct proctable *pt, const struct flow_event *ev)
{
	struct proc *q = proctable_of_event(pt, &ev->hdr);
	struct channel_rec *r = *slot(ft, ev->channel);
	uint64_t carried, noise;
	char label[48];

	if (!q)
		return;
	/* a channel whose writes we never saw (lost, or from before we started) is trusted */
	carried = r ? r->carry_mask & ev->ident_mask : ev->ident_mask;
	noise = ev->ident_mask & ~carried;
	q->held_mask |= carried;
	q->derived_mask |= carried;
	q->noise_mask = (q->noise_mask | (noise & ~q->held_mask)) & ~carried;
	if (!carried || !r || !r->lineage)
		return;
	proc_label(q, label, sizeof(label));
	free(q->lineage);
	q->lineage = NULL;
	/* keep the newest hops when a chain grows past what anyone would read */
	if (strlen(r->lineage) + strlen(label) + 12 < LINEAGE_MAX) {
		if (asprintf(&q->lineage, "%s -%s-> %s", r->lineage, kind_name(ev->kind), label) < 0)
			q->lineage = NULL;
	} else if (asprintf(&q->lineage, "… -%s-> %s", kind_name(ev->kind), label) < 0) {
		q->lineage = NULL;
	}
}

void flow_table_clear(struct flow_table *ft)
{
	size_t b;

	for (b = 0; b < FLOW_BUCKETS; b++) {
		while (ft->buckets[b]) {
			struct channel_rec *r = ft->buckets[b];

			ft->buckets[b] = r->next;
			free(r->lineage);
			free(r);
		}
	}
	ft->count = 0;
}
