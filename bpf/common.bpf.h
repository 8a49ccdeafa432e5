/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* common.bpf.h: what every component does: count failures, fill headers, emit events, read taint. */
#ifndef IDSENTRY_COMMON_BPF_H
#define IDSENTRY_COMMON_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "idsentry.h"
#include "maps.bpf.h"
#include "task.bpf.h"

static __always_inline void count(enum stat_cause cause)
{
	__u32 key = cause;
	__u64 *v = bpf_map_lookup_elem(&stats, &key);

	if (v)
		*v += 1;
}

/* An event's header but its time. The uid and comm are loaded from the current task's BTF
 * (its cred's uid, as bpf_get_current_uid_gid gives it in the initial namespace, and the 16
 * bytes of its comm, NUL-terminated by the kernel; the agent ends the string itself): two
 * helper calls fewer on every event, bpf_get_current_comm's string copy the dearer (4 % of a
 * socket-layer send report in perf). Programs that cannot have the task's BTF pointer (cgroup
 * hooks: bpf_get_current_task_btf is a tracing helper) define HEADER_BY_HELPERS before the
 * includes. */
static __always_inline void fill_header_but_time(struct event_header *h, __u32 type,
						 __u64 pid_tgid)
{
	h->type = type;
	h->tgid = pid_tgid >> 32;
	h->tid = (__u32)pid_tgid;
#ifdef HEADER_BY_HELPERS
	h->uid = (__u32)bpf_get_current_uid_gid();
	bpf_get_current_comm(h->comm, sizeof(h->comm));
#else
	{
		struct task_struct *task = bpf_get_current_task_btf();

		h->uid = task->cred->uid.val;
		__builtin_memcpy(h->comm, task->comm, sizeof(h->comm));
	}
#endif
}

/* The header of an event at time now (bpf_ktime_get_boot_ns(): a clock read costs 40-60 ns in a
 * VM, so a program that has read it already passes it on), or with now 0 at the time read here,
 * last: a time read first would be kept across the helper calls (6.1's sys_exit_sendmmsg is at
 * the 512-byte stack limit). */
static __always_inline void fill_header_at(struct event_header *h, __u32 type, __u64 pid_tgid,
					   __u64 now)
{
	fill_header_but_time(h, type, pid_tgid);
	h->ts_ns = now ? now : bpf_ktime_get_boot_ns();
}

static __always_inline void fill_header(struct event_header *h, __u32 type, __u64 pid_tgid)
{
	fill_header_at(h, type, pid_tgid, 0);
}

/* The agent is woken when a backlog has built up (an eighth of the ring); otherwise it reads every
 * EVENT_POLL_MS while it has someone to watch. A wake-up per event cost the agent a third of a core
 * at 100k events/s and capped a sender at ~100k events/s (make bench, experiment 2). The check is
 * made only as the producer position passes a multiple of WAKE_BACKLOG: checked on every event, a
 * backlog that hovered at the mark while the agent consumed (it frees each record as it goes)
 * woke it again and again, one irq_work (a self-IPI) and often a context switch per send: 6,330
 * of them in 50,000 1 KiB sends. So at most one wake-up per WAKE_BACKLOG bytes; a backlog of
 * at most twice the mark before one. */
#define WAKE_BACKLOG (RINGBUF_BYTES / 8)

/* The wake-up flag for an event of 'size' bytes about to go in the ring (see above). */
static __always_inline __u64 emit_wakeup(__u64 size)
{
	__u64 produced;

	/* the agent stopped polling: the kernel wakes it when this is the first event it has not
	 * read (flags 0), which is at most once until it reads */
	if (consumer_asleep)
		return 0;
	produced = bpf_ringbuf_query(&events, BPF_RB_PROD_POS);

	if ((produced + size) / WAKE_BACKLOG != produced / WAKE_BACKLOG &&
	    bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA) + size >= WAKE_BACKLOG)
		return BPF_RB_FORCE_WAKEUP;
	return BPF_RB_NO_WAKEUP;
}

static __always_inline void emit(void *ev, __u64 size)
{
	if (bpf_ringbuf_output(&events, ev, size, emit_wakeup(size)))
		count(STAT_RINGBUF_FULL);
}

/* For identifiers that no open of a watched file announced (ioctl replies, properties): the agent
 * attaches the syscall hooks when it reads one, so it is woken at once. */
static __always_inline void emit_now(void *ev, __u64 size)
{
	if (bpf_ringbuf_output(&events, ev, size, BPF_RB_FORCE_WAKEUP))
		count(STAT_RINGBUF_FULL);
}

/* Copies the first bytes the process received at src (n of them, at most MAX_VALUE_BYTES) into
 * an ident_read event's data and sets its len; returns how many, or -1 (counted) when the memory
 * is unreadable. */
static __always_inline long copy_ident_bytes(struct ident_read_event *ev, __u64 src, __u64 n)
{
	if (n > MAX_VALUE_BYTES)
		n = MAX_VALUE_BYTES;
	ev->len = n;
	if (bpf_probe_read_user(ev->data, n, (void *)src)) {
		count(STAT_READ_USER_FAILED);
		return -1;
	}
	return n;
}

/* Ends an ident_read event: the bytes (copy_ident_bytes) go out to the agent, at once when 'now'
 * (see emit_now). */
static __always_inline void emit_ident_bytes(struct ident_read_event *ev, __u64 src, __u64 n,
					     int now)
{
	long len = copy_ident_bytes(ev, src, n);

	if (len < 0)
		return;
	if (now)
		emit_now(ev, offsetof(struct ident_read_event, data) + len);
	else
		emit(ev, offsetof(struct ident_read_event, data) + len);
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

#endif
