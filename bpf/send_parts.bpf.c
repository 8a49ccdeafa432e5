// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* send_parts.bpf.c: the later parts of a long send (past its first sample, up to SEND_SCAN_BYTES),
 * emitted after the first by whichever program reported the send (see send_parts in
 * sample.bpf.h; the agent puts them together: user/longsend.c). */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "idsentry.h"
#include "maps.bpf.h"
#include "common.bpf.h"
#include "sample.bpf.h"

/* The state of the loop over parts. It lives in a map, not on the stack: the verifier then knows
 * nothing of its values and checks one part once (bpf_loop), however many parts there are. */
struct send_rest {
	__u64 buf;     /* the buffer, or the iovec array */
	__u64 len;     /* with is_iov: the iovec count */
	__u64 total;   /* bytes to cover: the send, up to SEND_SCAN_BYTES */
	__u64 off;     /* covered so far */
	__u64 seg;     /* with is_iov: the segment byte 'off' lies in ... */
	__u64 seg_off; /* ... and where in it */
	struct iovec iov; /* the segment being read (here, not on the stack: 6.1 allows a program,
			   * this callback and emit_send_rest 512 bytes of stack together) */
	__u64 stop_at, stop_len; /* where the last segment read was left, and its length */
	__u32 is_iov;
	__u32 parts;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct send_rest);
} send_rests SEC(".maps");

/* Copies up to 'limit' bytes of the iovec array r describes into sample, from its cursor (seg,
 * seg_off) on, over at most MAX_IOV_PART_SEGMENTS segments, and moves the cursor past them.
 * Each part goes on where the last ended: a writev of many small buffers (an HTTP client's
 * corked writes) is read on, part after part, with no walk from the first segment. What a part
 * cannot reach for its segment budget is counted (sample_truncated). */
static __always_inline __u32 sample_iov_part(__u8 *sample, struct send_rest *r, __u32 limit)
{
	__u32 off = 0;
	int i;

	/* no branch on where a segment ends inside the loop: the verifier walks each iteration,
	 * and a branch each would multiply its states past its limit. Only the last segment read
	 * can be left part-way (the part was full): the cursor steps back into it after. */
	r->stop_at = r->stop_len = 0;
	for (i = 0; i < MAX_IOV_PART_SEGMENTS; i++) {
		__u64 n, at;

		if (r->seg >= r->len || off >= limit)
			break;
		if (bpf_probe_read_user(&r->iov, sizeof(r->iov),
					(void *)(r->buf + r->seg * sizeof(r->iov))))
			break;
		n = r->iov.iov_len > r->seg_off ? r->iov.iov_len - r->seg_off : 0;
		if (n > limit - off)
			n = limit - off;
		/* bounds the verifier sees whatever the compiler proved (see send_rest_part) */
		barrier_var(n);
		at = off;
		barrier_var(at);
		if (n > MAX_SAMPLE_BYTES)
			n = MAX_SAMPLE_BYTES;
		at &= MAX_SAMPLE_BYTES - 1;
		if (bpf_probe_read_user(sample + at, n, r->iov.iov_base + r->seg_off)) {
			count(STAT_READ_USER_FAILED);
			break;
		}
		off += n;
		r->stop_at = r->seg_off + n;
		r->stop_len = r->iov.iov_len;
		r->seg++;
		r->seg_off = 0;
	}
	if (off >= limit && r->stop_at < r->stop_len) {
		r->seg--;
		r->seg_off = r->stop_at;
	} else if (i == MAX_IOV_PART_SEGMENTS && r->seg < r->len) {
		count(STAT_SAMPLE_TRUNCATED);
	}
	return off;
}

/* Where byte 'off' of the data an iovec array describes lies (the first sample read up to it,
 * over at most MAX_IOV_SEGMENTS segments): the cursor the parts go on from. */
static __always_inline void iov_cursor(struct send_rest *r)
{
	__u64 skip = r->off;
	int i;

	r->seg = 0;
	r->seg_off = 0;
	for (i = 0; i < MAX_IOV_SEGMENTS; i++) {
		if (i >= r->len || bpf_probe_read_user(&r->iov, sizeof(r->iov),
						       (void *)(r->buf + i * sizeof(r->iov))))
			break;
		if (skip < r->iov.iov_len)
			break;
		skip -= r->iov.iov_len;
		r->seg = i + 1;
	}
	r->seg_off = skip;
}

static long send_rest_part(__u32 i, void *ctx)
{
	struct send_scratch *scratch;
	struct send_event *ev;
	struct send_rest *r;
	__u32 zero = 0;
	__u64 n;

	r = bpf_map_lookup_elem(&send_rests, &zero);
	scratch = bpf_map_lookup_elem(&send_scratch, &zero);
	if (!r || !scratch)
		return 1;
	ev = &scratch->ev;
	if (i + 1 >= r->parts || r->off >= r->total)
		return 1;
	n = r->total - r->off;
	if (n > MAX_SAMPLE_BYTES)
		n = MAX_SAMPLE_BYTES;
	/* the compiler knows n's bound now and drops the mask below; it then handed the helper
	 * n as spilled before the bound, which Linux 6.1's verifier refuses (it happened when
	 * emit_wakeup's branch on consumer_asleep moved the registers): the mask stays */
	barrier_var(n);
	if (r->is_iov) {
		n = sample_iov_part(ev->sample, r, n);
	} else if (bpf_probe_read_user(ev->sample, n & (2 * MAX_SAMPLE_BYTES - 1),
				       (void *)(r->buf + r->off))) {
		count(STAT_READ_USER_FAILED);
		n = 0;
	}
	if (!n)
		return 1;
	if (n > MAX_SAMPLE_BYTES)
		n = MAX_SAMPLE_BYTES;
	ev->part = i + 1;
	ev->sample_len = n;
	emit(ev, offsetof(struct send_event, sample) + n);
	r->off += n;
	return 0;
}

/* Global, not static: verified once on its own, whatever its callers' paths. */
int emit_send_rest(__u64 buf, __u64 len, __u32 is_iov, __u64 sent)
{
	struct send_scratch *scratch;
	struct send_rest *r;
	__u32 zero = 0;

	scratch = bpf_map_lookup_elem(&send_scratch, &zero);
	r = bpf_map_lookup_elem(&send_rests, &zero);
	if (!scratch || !r || !buf)
		return 0;
	if (scratch->ev.parts <= 1 || !(scratch->ev.flags & SEND_MORE_PARTS))
		return 0;
	r->parts = scratch->ev.parts;
	r->buf = buf;
	r->len = len;
	r->is_iov = is_iov;
	r->total = sent < SEND_SCAN_BYTES ? sent : SEND_SCAN_BYTES;
	r->off = scratch->ev.sample_len;
	if (is_iov)
		iov_cursor(r);
	scratch->ev.flags = (scratch->ev.flags & ~SEND_MORE_PARTS) | SEND_PART;
	bpf_loop(SEND_MAX_PARTS - 1, send_rest_part, NULL, 0);
	return 0;
}
