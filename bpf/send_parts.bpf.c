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
	__u64 buf;   /* the buffer, or the iovec array */
	__u64 len;   /* with is_iov: the iovec count */
	__u64 total; /* bytes to cover: the send, up to SEND_SCAN_BYTES */
	__u64 off;   /* covered so far */
	__u32 is_iov;
	__u32 parts;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct send_rest);
} send_rests SEC(".maps");

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
		n = sample_iov_at(ev->sample, r->buf, r->len, r->off, n);
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
	scratch->ev.flags = (scratch->ev.flags & ~SEND_MORE_PARTS) | SEND_PART;
	bpf_loop(SEND_MAX_PARTS - 1, send_rest_part, NULL, 0);
	return 0;
}
