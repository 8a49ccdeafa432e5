/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* longsend: a send longer than one sample comes from the kernel in parts (SEND_MORE_PARTS, then
 * SEND_PART events); this puts them back together, so that the send is judged once, whole (up to
 * SEND_SCAN_BYTES). */
#ifndef IDSENTRY_LONGSEND_H
#define IDSENTRY_LONGSEND_H

#include <stdint.h>
#include "idsentry.h"

#define LONGSEND_SLOTS 8 /* long sends being put together at once (one per thread) */

/* A send_event whose sample runs on into 'more': SEND_SCAN_BYTES in all. */
struct long_send_event {
	struct send_event ev;
	uint8_t more[SEND_SCAN_BYTES - MAX_SAMPLE_BYTES];
};

struct long_send_slot {
	int used;
	uint16_t next;     /* the part expected next */
	uint64_t ticks;    /* longsend_tick calls since it began */
	struct long_send_event whole;
};

/* Called with each send to judge: a short one as it came, a long one once whole. */
typedef void (*longsend_judge_fn)(void *ctx, const struct send_event *ev);

struct longsends {
	struct long_send_slot slot[LONGSEND_SLOTS];
	longsend_judge_fn judge;
	void *ctx;
	uint64_t assembled;  /* long sends judged whole */
	uint64_t incomplete; /* judged with parts missing (lost in a full ring buffer, unreadable) */
	uint64_t orphans;    /* parts whose first part never came: judged on their own */
};

void longsend_init(struct longsends *ls, longsend_judge_fn judge, void *ctx);
/* Takes one EVENT_SEND; judges it now, or once its send is whole. */
void longsend_feed(struct longsends *ls, const struct send_event *ev);
/* Once a second: sends still in parts since the tick before lost some; judge what came. */
void longsend_tick(struct longsends *ls);
/* Judges every send still in parts (at exit). */
void longsend_flush(struct longsends *ls);

struct json;
/* The counts as the 'long_sends' member. */
void longsend_describe(const struct longsends *ls, struct json *j);

#endif
