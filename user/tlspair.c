// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* tlspair: plaintext written to a memory BIO paired with the send of its ciphertext. */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include "tlspair.h"
#include "json.h"

void tlspair_init(struct tlspair *tp, tlspair_judge_fn judge, void *ctx)
{
	memset(tp, 0, sizeof(*tp));
	tp->judge = judge;
	tp->ctx = ctx;
}

int tls_record_type(const struct send_event *ev)
{
	const uint8_t *s = ev->sample;

	if (ev->sample_len >= 5 && s[0] >= 20 && s[0] <= 24 && s[1] == 3 && s[2] <= 4)
		return s[0];
	return 0;
}

int tls_plaintext(const struct send_event *ev)
{
	return ev->call == CALL_SSL_WRITE || ev->call == CALL_GO_TLS_WRITE;
}

static int waiting_plaintext(const struct send_event *ev)
{
	return tls_plaintext(ev) && !(ev->flags & SEND_DEST_FROM_SOCKET) && !ev->dport;
}

static struct tls_waiting **slot_of(struct tlspair *tp, uint32_t tgid)
{
	for (int i = 0; i < TLSPAIR_SLOTS; i++)
		if (tp->slot[i] && tp->slot[i]->ev.ev.hdr.tgid == tgid)
			return &tp->slot[i];
	return NULL;
}

static void judge_waiting(struct tlspair *tp, struct tls_waiting **w, const struct send_event *to)
{
	struct send_event *ev = &(*w)->ev.ev;

	if (to) {
		ev->family = to->family;
		ev->sock_type = to->sock_type;
		ev->protocol = to->protocol;
		ev->dport = to->dport;
		ev->fd = to->fd;
		memcpy(ev->daddr, to->daddr, sizeof(ev->daddr));
		ev->flags |= SEND_DEST_FROM_SOCKET;
		tp->paired++;
	} else {
		tp->unpaired++;
	}
	tp->judge(tp->ctx, ev);
	free(*w);
	*w = NULL;
}

static void wait_for_socket(struct tlspair *tp, const struct send_event *ev)
{
	struct tls_waiting **w = slot_of(tp, ev->hdr.tgid), **oldest = NULL;
	struct send_event *have;
	size_t room;
	int i;

	if (!w) {
		for (i = 0; i < TLSPAIR_SLOTS && !w; i++)
			if (!tp->slot[i])
				w = &tp->slot[i];
		/* more processes waiting than slots: the one waiting longest goes as it is */
		for (i = 0; !w && i < TLSPAIR_SLOTS; i++)
			if (!oldest || tp->slot[i]->since_ns < (*oldest)->since_ns)
				oldest = &tp->slot[i];
		if (!w) {
			judge_waiting(tp, oldest, NULL);
			w = oldest;
		}
		*w = malloc(sizeof(**w));
		if (!*w) {
			tp->judge(tp->ctx, ev);
			return;
		}
		(*w)->since_ns = ev->hdr.ts_ns;
		memcpy(&(*w)->ev.ev, ev, offsetof(struct send_event, sample) + ev->sample_len);
		return;
	}
	/* another SSL_write before the flush (headers, then the body): it runs on */
	have = &(*w)->ev.ev;
	room = SEND_SCAN_BYTES - have->sample_len;
	if (ev->sample_len > room) {
		judge_waiting(tp, w, NULL);
		wait_for_socket(tp, ev);
		return;
	}
	memcpy(have->sample + have->sample_len, ev->sample, ev->sample_len);
	have->sample_len += ev->sample_len;
	have->result += ev->result;
	have->taint_mask |= ev->taint_mask;
}

static struct tls_paired_conn *paired_conn(struct tlspair *tp, uint32_t tgid, uint32_t fd)
{
	for (int i = 0; i < TLSPAIR_CONNS; i++)
		if (tp->paired_conns[i].last_ns && tp->paired_conns[i].tgid == tgid &&
		    tp->paired_conns[i].fd == fd)
			return &tp->paired_conns[i];
	return NULL;
}

/* Remembers the socket a plaintext was paired with (its slot, or the least recent one). */
static void note_paired_conn(struct tlspair *tp, const struct send_event *to, int go)
{
	struct tls_paired_conn *c = paired_conn(tp, to->hdr.tgid, to->fd);

	/* a free slot has last_ns 0: the least recent of all */
	if (!c) {
		c = &tp->paired_conns[0];
		for (int i = 1; i < TLSPAIR_CONNS; i++)
			if (tp->paired_conns[i].last_ns < c->last_ns)
				c = &tp->paired_conns[i];
	}
	c->tgid = to->hdr.tgid;
	c->fd = to->fd;
	c->last_ns = to->hdr.ts_ns ? to->hdr.ts_ns : 1;
	c->go = go;
}

void tlspair_feed(struct tlspair *tp, const struct send_event *ev)
{
	int record = (ev->family == AF_INET || ev->family == AF_INET6) && !tls_plaintext(ev) &&
		     tls_record_type(ev);
	struct tls_waiting **w;
	struct tls_paired_conn *c;

	if (waiting_plaintext(ev)) {
		wait_for_socket(tp, ev);
		return;
	}
	w = slot_of(tp, ev->hdr.tgid);
	if (w && record) {
		note_paired_conn(tp, ev, (*w)->ev.ev.call == CALL_GO_TLS_WRITE);
		/* the ciphertext of what is judged now: it says nothing more */
		judge_waiting(tp, w, ev);
		return;
	}
	if (record && (c = paired_conn(tp, ev->hdr.tgid, ev->fd))) {
		static struct long_send_event copy; /* the loop is single-threaded */

		memcpy(&copy.ev, ev, offsetof(struct send_event, sample) + ev->sample_len);
		copy.ev.flags |= SEND_LIBRARY_TLS_RECORD;
		if (c->go)
			tp->go_records++;
		else
			tp->bio_records++;
		tp->judge(tp->ctx, &copy.ev);
		return;
	}
	tp->judge(tp->ctx, ev);
}

void tlspair_tick(struct tlspair *tp, uint64_t now_ns)
{
	for (int i = 0; i < TLSPAIR_SLOTS; i++)
		if (tp->slot[i] && (now_ns == UINT64_MAX ||
				    now_ns - tp->slot[i]->since_ns > TLSPAIR_WAIT_NS))
			judge_waiting(tp, &tp->slot[i], NULL);
}

void tlspair_free(struct tlspair *tp)
{
	for (int i = 0; i < TLSPAIR_SLOTS; i++) {
		free(tp->slot[i]);
		tp->slot[i] = NULL;
	}
}

/* TLS plaintext written to a memory BIO, and whether its ciphertext's socket was found */
void tlspair_describe(const struct tlspair *tp, struct json *j)
{
	json_object_begin(j, "memory_bio_tls");
	json_uint(j, "paired", tp->paired);
	json_uint(j, "unpaired", tp->unpaired);
	json_uint(j, "go_records", tp->go_records);
	json_uint(j, "bio_records", tp->bio_records);
	json_object_end(j);
}
