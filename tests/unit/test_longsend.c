/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* test_longsend: long sends are judged once, whole, from their parts; parts of other threads may
 * come between; a lost part, a lost first part or a thread that moves on never loses data. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "longsend.h"
#include "testlib.h"

struct judged {
	int n;
	uint32_t tid[16];
	uint32_t len[16];
	uint32_t flags[16];
	uint8_t first[16], last[16];
};

static void judge(void *ctx, const struct send_event *ev)
{
	struct judged *j = ctx;

	if (j->n >= 16)
		return;
	j->tid[j->n] = ev->hdr.tid;
	j->len[j->n] = ev->sample_len;
	j->flags[j->n] = ev->flags;
	j->first[j->n] = ev->sample_len ? ev->sample[0] : 0;
	j->last[j->n] = ev->sample_len ? ev->sample[ev->sample_len - 1] : 0;
	j->n++;
}

/* One event of a send: part 0 (first) or a later one, 'n' bytes of 'fill'. */
static struct send_event *part(uint32_t tid, uint16_t k, uint16_t parts, uint32_t n, uint8_t fill)
{
	static struct send_event ev;

	memset(&ev, 0, offsetof(struct send_event, sample));
	ev.hdr.type = EVENT_SEND;
	ev.hdr.tid = tid;
	ev.hdr.ts_ns = 1000 + k;
	ev.part = k;
	ev.parts = parts;
	ev.flags = SEND_SAMPLE_TRUNCATED | (parts > 1 ? (k ? SEND_PART : SEND_MORE_PARTS) : 0);
	ev.sample_len = n;
	memset(ev.sample, fill, n);
	return &ev;
}

int main(void)
{
	struct longsends *ls = malloc(sizeof(*ls));
	struct judged j = {};

	/* a short send goes straight through */
	longsend_init(ls, judge, &j);
	longsend_feed(ls, part(1, 0, 1, 100, 'a'));
	EXPECT_INT(1, j.n);
	EXPECT_INT(100, j.len[0]);

	/* three parts, with another thread's short send between them: one judgement, whole */
	memset(&j, 0, sizeof(j));
	longsend_feed(ls, part(2, 0, 3, 1024, 'x'));
	longsend_feed(ls, part(3, 0, 1, 10, 'o'));
	longsend_feed(ls, part(2, 1, 3, 4096, 'y'));
	EXPECT_INT(1, j.n);
	longsend_feed(ls, part(2, 2, 3, 4096, 'z'));
	EXPECT_INT(2, j.n);
	EXPECT_INT(2, j.tid[1]);
	EXPECT_INT(1024 + 4096 + 4096, j.len[1]);
	EXPECT_INT('x', j.first[1]);
	EXPECT_INT('z', j.last[1]);
	EXPECT_INT(0, j.flags[1] & (SEND_PART | SEND_MORE_PARTS));
	EXPECT_INT(1, ls->assembled);

	/* the thread moves on before its last part (it was lost): what came is judged first */
	memset(&j, 0, sizeof(j));
	longsend_feed(ls, part(4, 0, 3, 1024, 'p'));
	longsend_feed(ls, part(4, 1, 3, 4096, 'q'));
	longsend_feed(ls, part(4, 0, 1, 50, 'r'));
	EXPECT_INT(2, j.n);
	EXPECT_INT(1024 + 4096, j.len[0]);
	EXPECT_INT(50, j.len[1]);
	EXPECT_INT(1, ls->incomplete);

	/* a part whose first never came is judged on its own */
	memset(&j, 0, sizeof(j));
	longsend_feed(ls, part(5, 2, 3, 4096, 's'));
	EXPECT_INT(1, j.n);
	EXPECT_INT(1, ls->orphans);

	/* a send left in parts is judged at the second tick */
	memset(&j, 0, sizeof(j));
	longsend_feed(ls, part(6, 0, 5, 1024, 't'));
	longsend_tick(ls);
	EXPECT_INT(0, j.n);
	longsend_tick(ls);
	EXPECT_INT(1, j.n);

	/* more threads mid-send than slots: the oldest is judged, none is lost */
	memset(&j, 0, sizeof(j));
	for (uint32_t t = 0; t < LONGSEND_SLOTS + 1; t++)
		longsend_feed(ls, part(100 + t, 0, 2, 1024, 'u'));
	EXPECT_INT(1, j.n);
	longsend_flush(ls);
	EXPECT_INT(LONGSEND_SLOTS + 1, j.n);

	/* a whole 64 KiB send fits */
	memset(&j, 0, sizeof(j));
	longsend_feed(ls, part(7, 0, SEND_MAX_PARTS, 1024, 'v'));
	for (uint16_t k = 1; k < SEND_MAX_PARTS - 1; k++)
		longsend_feed(ls, part(7, k, SEND_MAX_PARTS, 4096, 'w'));
	longsend_feed(ls, part(7, SEND_MAX_PARTS - 1, SEND_MAX_PARTS, 4096 - 1024, 'e'));
	EXPECT_INT(1, j.n);
	EXPECT_INT(SEND_SCAN_BYTES, j.len[0]);
	EXPECT_INT('e', j.last[0]);
	free(ls);
	return tl_summary("test_longsend");
}
