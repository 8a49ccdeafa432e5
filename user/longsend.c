// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* longsend: long sends put back together from their parts (see longsend.h).
 *
 * The parts of one send are emitted one after the other by one program run on one thread, so
 * they arrive in order and nothing of the same thread comes between them; parts of other threads'
 * sends may. A part that does not continue the send its thread has open (its first part was lost,
 * or it was judged already) is judged on its own, so nothing is dropped. */
#include <stddef.h>
#include <string.h>
#include "longsend.h"
#include "json.h"

_Static_assert(offsetof(struct long_send_event, more) == sizeof(struct send_event) &&
		       sizeof(struct send_event) ==
			       offsetof(struct send_event, sample) + MAX_SAMPLE_BYTES,
	       "a long send's sample runs on from send_event.sample into more");

void longsend_init(struct longsends *ls, longsend_judge_fn judge, void *ctx)
{
	memset(ls, 0, sizeof(*ls));
	ls->judge = judge;
	ls->ctx = ctx;
}

static struct long_send_slot *open_send_of(struct longsends *ls, uint32_t tid)
{
	for (int i = 0; i < LONGSEND_SLOTS; i++)
		if (ls->slot[i].used && ls->slot[i].whole.ev.hdr.tid == tid)
			return &ls->slot[i];
	return NULL;
}

static void judge_slot(struct longsends *ls, struct long_send_slot *s)
{
	struct send_event *ev = &s->whole.ev;

	if (s->next < ev->parts)
		ls->incomplete++;
	else
		ls->assembled++;
	/* judged as one send: it needs no more parts */
	ev->flags &= ~(SEND_MORE_PARTS | SEND_PART);
	s->used = 0;
	ls->judge(ls->ctx, ev);
}

static struct long_send_slot *free_slot(struct longsends *ls)
{
	struct long_send_slot *oldest = NULL;

	for (int i = 0; i < LONGSEND_SLOTS; i++) {
		if (!ls->slot[i].used)
			return &ls->slot[i];
		if (!oldest || ls->slot[i].whole.ev.hdr.ts_ns < oldest->whole.ev.hdr.ts_ns)
			oldest = &ls->slot[i];
	}
	judge_slot(ls, oldest); /* more threads mid-send than slots: the oldest goes as it is */
	return oldest;
}

void longsend_feed(struct longsends *ls, const struct send_event *ev)
{
	struct long_send_slot *s = open_send_of(ls, ev->hdr.tid);

	if (ev->flags & SEND_PART) {
		size_t len = s ? s->whole.ev.sample_len : 0;

		if (!s || ev->part != s->next || len + ev->sample_len > SEND_SCAN_BYTES) {
			ls->orphans++;
			ls->judge(ls->ctx, ev);
			return;
		}
		memcpy(s->whole.ev.sample + len, ev->sample, ev->sample_len);
		s->whole.ev.sample_len = len + ev->sample_len;
		if (++s->next >= s->whole.ev.parts)
			judge_slot(ls, s);
		return;
	}
	/* anything else from a thread ends the send it had open */
	if (s)
		judge_slot(ls, s);
	if (!(ev->flags & SEND_MORE_PARTS) || ev->parts < 2 || ev->parts > SEND_MAX_PARTS) {
		ls->judge(ls->ctx, ev);
		return;
	}
	s = free_slot(ls);
	memcpy(&s->whole.ev, ev, offsetof(struct send_event, sample) + ev->sample_len);
	s->used = 1;
	s->next = 1;
	s->ticks = 0;
}

void longsend_tick(struct longsends *ls)
{
	for (int i = 0; i < LONGSEND_SLOTS; i++)
		if (ls->slot[i].used && ls->slot[i].ticks++ >= 1)
			judge_slot(ls, &ls->slot[i]);
}

void longsend_flush(struct longsends *ls)
{
	for (int i = 0; i < LONGSEND_SLOTS; i++)
		if (ls->slot[i].used)
			judge_slot(ls, &ls->slot[i]);
}

/* sends longer than one sample, judged whole (up to 64 KiB) from their parts */
void longsend_describe(const struct longsends *ls, struct json *j)
{
	json_object_begin(j, "long_sends");
	json_uint(j, "assembled", ls->assembled);
	json_uint(j, "incomplete", ls->incomplete);
	json_uint(j, "orphan_parts", ls->orphans);
	json_object_end(j);
}
