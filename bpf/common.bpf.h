/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* common.bpf.h: what every component does: count failures, fill headers, emit events, read taint. */
#ifndef IDSENTRY_COMMON_BPF_H
#define IDSENTRY_COMMON_BPF_H

static __always_inline void count(enum stat_cause cause)
{
	__u32 key = cause;
	__u64 *v = bpf_map_lookup_elem(&stats, &key);

	if (v)
		*v += 1;
}

static __always_inline void fill_header(struct event_header *h, __u32 type, __u64 pid_tgid)
{
	h->type = type;
	h->tgid = pid_tgid >> 32;
	h->tid = (__u32)pid_tgid;
	h->uid = (__u32)bpf_get_current_uid_gid();
	h->ts_ns = bpf_ktime_get_boot_ns();
	bpf_get_current_comm(h->comm, sizeof(h->comm));
}

/* The send event in the per-CPU scratch, zeroed up to its sample, with its header, the sender's
 * taint and the call filled; NULL when the scratch is missing. */
static __always_inline struct send_event *send_event_begin(__u64 pid_tgid,
							   const struct proc_taint *t, __u32 call,
							   __u32 fd, __s64 result)
{
	struct send_scratch *scratch;
	struct send_event *ev;
	__u32 zero = 0;

	scratch = bpf_map_lookup_elem(&send_scratch, &zero);
	if (!scratch)
		return NULL;
	ev = &scratch->ev;
	__builtin_memset(ev, 0, offsetof(struct send_event, sample));
	fill_header(&ev->hdr, EVENT_SEND, pid_tgid);
	ev->taint_mask = t->ident_mask;
	ev->taint_ns = t->last_ns;
	ev->call = call;
	ev->fd = fd;
	ev->result = result;
	return ev;
}

/* The agent is woken only once a backlog builds up (an eighth of the ring); otherwise it reads
 * every EVENT_POLL_MS while it has someone to watch. A wake-up per event cost the agent a third of
 * a core at 100k events/s and capped a sender at ~100k events/s (make bench, experiment 2). */
#define WAKE_BACKLOG (RINGBUF_BYTES / 8)

static __always_inline void emit(void *ev, __u64 size)
{
	__u64 flags = bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA) >= WAKE_BACKLOG
			      ? BPF_RB_FORCE_WAKEUP
			      : BPF_RB_NO_WAKEUP;

	if (bpf_ringbuf_output(&events, ev, size, flags))
		count(STAT_RINGBUF_FULL);
}

/* For identifiers that no open of a watched file announced (ioctl replies, properties): the agent
 * attaches the syscall hooks when it reads one, so it is woken at once. */
static __always_inline void emit_now(void *ev, __u64 size)
{
	if (bpf_ringbuf_output(&events, ev, size, BPF_RB_FORCE_WAKEUP))
		count(STAT_RINGBUF_FULL);
}

/* Ends an ident_read event: the first bytes the process received at src (n of them, at most
 * MAX_VALUE_BYTES) go in data, then out to the agent, at once when 'now' (see emit_now). */
static __always_inline void emit_ident_bytes(struct ident_read_event *ev, __u64 src, __u64 n,
					     int now)
{
	if (n > MAX_VALUE_BYTES)
		n = MAX_VALUE_BYTES;
	ev->len = n;
	if (bpf_probe_read_user(ev->data, n, (void *)src)) {
		count(STAT_READ_USER_FAILED);
		return;
	}
	if (now)
		emit_now(ev, offsetof(struct ident_read_event, data) + n);
	else
		emit(ev, offsetof(struct ident_read_event, data) + n);
}

/* Tells the agent who a newly tainted or exec'd process is, while it is certainly alive. */
static __always_inline void emit_proc_info(__u64 pid_tgid)
{
	__u32 zero = 0;
	struct proc_info_event *ev = bpf_map_lookup_elem(&info_scratch, &zero);

	if (!ev)
		return;
	fill_header(&ev->hdr, EVENT_PROC_INFO, pid_tgid);
	current_exe_and_args(ev);
	emit(ev, sizeof(*ev));
}

/* Taint is live while it carries bits: a process that holds a value is followed as long as it
 * lives, so that a form of the value it sends however late is found (the agent bounds only
 * suspected alerts by the rule windows). */
static __always_inline struct proc_taint *live_taint(__u32 tgid)
{
	struct proc_taint *t = bpf_map_lookup_elem(&taint, &tgid);

	if (!t || !t->ident_mask)
		return NULL;
	return t;
}

/* Copies up to 'limit' bytes of an iovec array, from byte 'skip' of the data it describes on,
 * into the sample. Two loops, not one with a skipping branch: the verifier walks each iteration,
 * and a branch per segment would multiply its states. */
static __always_inline __u32 sample_iov_at(__u8 *sample, __u64 iov_ptr, __u64 iovcnt, __u64 skip,
					   __u32 limit)
{
	__u32 off = 0;
	int i, first = 0;

	/* the segment where byte 'skip' lies, and skip within it */
	for (i = 0; i < MAX_IOV_SEGMENTS && skip; i++) {
		struct iovec iov;

		if (i >= iovcnt ||
		    bpf_probe_read_user(&iov, sizeof(iov), (void *)(iov_ptr + i * sizeof(iov))))
			return 0;
		if (skip < iov.iov_len)
			break;
		skip -= iov.iov_len;
		first = i + 1;
	}
	for (i = 0; i < MAX_IOV_SEGMENTS; i++) {
		struct iovec iov;
		__u64 n;

		if (first + i >= iovcnt || first + i >= MAX_IOV_SEGMENTS || off >= limit)
			break;
		if (bpf_probe_read_user(&iov, sizeof(iov),
					(void *)(iov_ptr + (first + i) * sizeof(iov))))
			break;
		n = iov.iov_len > skip ? iov.iov_len - skip : 0;
		if (n > limit - off)
			n = limit - off;
		if (n > MAX_SAMPLE_BYTES)
			n = MAX_SAMPLE_BYTES;
		off &= MAX_SAMPLE_BYTES - 1;
		if (bpf_probe_read_user(sample + off, n, iov.iov_base + skip)) {
			count(STAT_READ_USER_FAILED);
			break;
		}
		skip = 0;
		off += n;
	}
	return off;
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

	if (!first || total <= first)
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

#endif
