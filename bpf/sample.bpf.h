/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* sample.bpf.h: send and flow events: begun in the per-CPU send scratch, filled with a sample of
 * what the process sent (a buffer or an iovec array), emitted; long sends go on in parts. */
#ifndef IDSENTRY_SAMPLE_BPF_H
#define IDSENTRY_SAMPLE_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "idsentry.h"
#include "maps.bpf.h"
#include "common.bpf.h"

/* The event in the per-CPU send scratch, zeroed up to its sample (head_bytes); NULL when the
 * scratch is missing. */
static __always_inline void *scratch_event(__u32 head_bytes)
{
	struct send_scratch *scratch;
	__u32 zero = 0;

	scratch = bpf_map_lookup_elem(&send_scratch, &zero);
	if (!scratch)
		return NULL;
	__builtin_memset(&scratch->ev, 0, head_bytes);
	return &scratch->ev;
}

/* A send event's header, the sender's taint and the call. now: the time the caller has read
 * already (fill_header_at), or 0 to read the clock here. */
static __always_inline void send_event_fill(struct send_event *ev, __u32 type, __u64 pid_tgid,
					    __u64 taint_mask, __u64 taint_ns, __u32 call, __u32 fd,
					    __s64 result, __u64 now)
{
	/* the arguments first, the header's helper calls after: fewer values kept across them
	 * (stack: sys_exit_sendmmsg with emit_send_rest's bpf_loop is at 6.1's 512-byte limit) */
	ev->taint_mask = taint_mask;
	ev->taint_ns = taint_ns;
	ev->call = call;
	ev->fd = fd;
	ev->result = result;
	fill_header_at(&ev->hdr, type, pid_tgid, now);
}

/* A send event (EVENT_SEND, or EVENT_RECV for a reply) begun in the scratch and filled
 * (send_event_fill); NULL when the scratch is missing. */
static __always_inline struct send_event *send_event_begin_at(__u32 type, __u64 pid_tgid,
							      __u64 taint_mask, __u64 taint_ns,
							      __u32 call, __u32 fd, __s64 result,
							      __u64 now)
{
	struct send_event *ev = scratch_event(offsetof(struct send_event, sample));

	if (!ev)
		return NULL;
	send_event_fill(ev, type, pid_tgid, taint_mask, taint_ns, call, fd, result, now);
	return ev;
}

static __always_inline struct send_event *send_event_begin(__u32 type, __u64 pid_tgid,
							   __u64 taint_mask, __u64 taint_ns,
							   __u32 call, __u32 fd, __s64 result)
{
	return send_event_begin_at(type, pid_tgid, taint_mask, taint_ns, call, fd, result, 0);
}

/* A flow event (EVENT_FLOW, or EVENT_TTY_WRITE) begun in the scratch, with its header and the
 * channel filled; NULL when the scratch is missing. now: as for send_event_begin_at. */
static __always_inline struct flow_event *flow_event_begin_at(__u32 type, __u64 pid_tgid,
							      __u64 ident_mask, __u64 taint_ns,
							      __u64 channel, __u16 kind,
							      __u16 direction, __u64 now)
{
	struct flow_event *ev = scratch_event(offsetof(struct flow_event, sample));

	if (!ev)
		return NULL;
	ev->ident_mask = ident_mask;
	ev->taint_ns = taint_ns;
	ev->channel = channel;
	ev->kind = kind;
	ev->direction = direction;
	fill_header_at(&ev->hdr, type, pid_tgid, now);
	return ev;
}

static __always_inline struct flow_event *flow_event_begin(__u32 type, __u64 pid_tgid,
							   __u64 ident_mask, __u64 taint_ns,
							   __u64 channel, __u16 kind,
							   __u16 direction)
{
	return flow_event_begin_at(type, pid_tgid, ident_mask, taint_ns, channel, kind, direction,
				   0);
}

/* Copies up to 'limit' bytes of an iovec array into the sample. */
static __always_inline __u32 sample_iov(__u8 *sample, __u64 iov_ptr, __u64 iovcnt, __u32 limit)
{
	__u32 off = 0;
	int i;

	for (i = 0; i < MAX_IOV_SEGMENTS; i++) {
		struct iovec iov;
		__u64 n;

		if (i >= iovcnt || off >= limit)
			break;
		if (bpf_probe_read_user(&iov, sizeof(iov), (void *)(iov_ptr + i * sizeof(iov))))
			break;
		n = iov.iov_len;
		if (n > limit - off)
			n = limit - off;
		/* the compiler can prove the clamp and mask below from limit's bound and the loop's
		 * test, and would drop them; 6.1's verifier learns nothing from a comparison of two
		 * unknown registers and needs them */
		barrier_var(n);
		barrier_var(off);
		if (n > MAX_SAMPLE_BYTES)
			n = MAX_SAMPLE_BYTES;
		off &= MAX_SAMPLE_BYTES - 1;
		if (bpf_probe_read_user(sample + off, n, iov.iov_base)) {
			count(STAT_READ_USER_FAILED);
			break;
		}
		off += n;
	}
	return off;
}

/* How many parts a send of 'sent' bytes whose first sample holds 'first' is reported in: past its
 * first sample, a long send goes on in parts of MAX_SAMPLE_BYTES, up to SEND_SCAN_BYTES (the
 * agent puts them back together and judges the whole). */
static __always_inline __u16 send_parts(__u64 sent, __u64 first)
{
	__u64 total = sent < SEND_SCAN_BYTES ? sent : SEND_SCAN_BYTES;

	/* first 0 with bytes sent: an iovec array whose first segments were empty, or a first
	 * read that failed; the parts read on from byte 0 */
	if (total <= first)
		return 1;
	return 1 + (total - first + MAX_SAMPLE_BYTES - 1) / MAX_SAMPLE_BYTES;
}

/* Marks ev, whose first sample is filled, as the first of its send's parts when there are more
 * (send_parts); call before it is emitted, then emit_send_rest after. */
static __always_inline void send_first_part(struct send_event *ev, __u64 sent)
{
	ev->part = 0;
	ev->parts = send_parts(sent, ev->sample_len);
	if (ev->parts > 1)
		ev->flags |= SEND_MORE_PARTS;
}

/* Emits the later parts of the long send whose first part the per-CPU send scratch holds (see
 * send_parts), from its buffer (or iovec array, is_iov: len is its count). A part that cannot be
 * read ends the send early; the agent judges what it got. A global function (send_parts.bpf.c):
 * the verifier checks it once, not once per path of each caller. */
extern int emit_send_rest(__u64 buf, __u64 len, __u32 is_iov, __u64 sent);

/* The most a sample holds: the agent's sample_bytes, at most MAX_SAMPLE_BYTES. */
static __always_inline __u32 sample_limit(void)
{
	return sample_bytes < MAX_SAMPLE_BYTES ? sample_bytes : MAX_SAMPLE_BYTES;
}

/* Copies what a process sent into sample and returns how many bytes it copied: up to limit (and
 * MAX_SAMPLE_BYTES) of the len bytes at buf, or with is_iov of the data the iovec array buf of
 * len entries describes; nothing when buf is 0 (sendfile, splice: the bytes never passed through
 * the process). A read that fails copies nothing and is counted. Every send, write, flow and tty
 * sample is taken here, so the bound the verifier needs is kept in one place. */
static __always_inline __u32 sample_sent(__u8 *sample, __u64 buf, __u64 len, int is_iov,
					 __u64 limit)
{
	__u64 n;

	if (limit > MAX_SAMPLE_BYTES)
		limit = MAX_SAMPLE_BYTES;
	if (!buf)
		return 0;
	if (is_iov)
		return sample_iov(sample, buf, len, limit);
	n = len < limit ? len : limit;
	/* the compiler knows n <= MAX_SAMPLE_BYTES and would drop a clamp here, but 6.1's verifier
	 * loses that bound across the ones above: a barrier, then the clamp it sees */
	asm volatile("" : "+r"(n));
	if (n > MAX_SAMPLE_BYTES)
		n = MAX_SAMPLE_BYTES;
	if (bpf_probe_read_user(sample, n, (void *)buf)) {
		count(STAT_READ_USER_FAILED);
		return 0;
	}
	return n;
}

/* Fills ev's sample from what a send of 'sent' bytes handed over (see sample_sent), marking it
 * truncated when the send was longer than a sample. */
static __always_inline void sample_send_event(struct send_event *ev, __u64 buf, __u64 len,
					      int is_iov, __u64 sent)
{
	__u64 limit = sample_limit();

	if (sent > limit) {
		ev->flags |= SEND_SAMPLE_TRUNCATED;
		count(STAT_SAMPLE_TRUNCATED);
	} else {
		limit = sent;
	}
	ev->sample_len = sample_sent(ev->sample, buf, len, is_iov, limit);
}

/* Emits a send event with its sample_len bytes of sample. */
static __always_inline void emit_send_event(struct send_event *ev)
{
	/* a 64-bit copy: 6.1's verifier loses a 32-bit value's bound across the zero extension */
	__u64 size = ev->sample_len;

	if (size > MAX_SAMPLE_BYTES)
		size = MAX_SAMPLE_BYTES;
	emit(ev, offsetof(struct send_event, sample) + size);
}

/* Emits a flow event with its sample_len bytes of sample. */
static __always_inline void emit_flow_event(struct flow_event *ev)
{
	__u64 size = ev->sample_len;

	if (size > MAX_SAMPLE_BYTES)
		size = MAX_SAMPLE_BYTES;
	emit(ev, offsetof(struct flow_event, sample) + size);
}

#endif
