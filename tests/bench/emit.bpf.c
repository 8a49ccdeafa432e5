// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* emit.bpf.c: a tainted sender's events written to the ring buffer four ways, for `make bench`. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include "idsentry.h"

/*
 * A process that opens the registered identifier inode is tainted; each of its sendto calls then
 * becomes a send_event (idsentry's layout) with a payload sample, written to the ring buffer by:
 *   EMIT_OUTPUT   bpf_ringbuf_output of a per-CPU scratch copy, waking the reader per event (the
 *                 kernel skips the wake-up only while the reader is behind): idsentry before;
 *   EMIT_RESERVE  bpf_ringbuf_reserve/submit in place: no scratch copy, same wake-ups;
 *   EMIT_BATCHED  reserve/submit with BPF_RB_NO_WAKEUP, forcing a wake-up only once wake_bytes are
 *                 waiting; the reader also polls on a timer, which bounds the latency;
 *   EMIT_OUTPUT_BATCHED  bpf_ringbuf_output with the same wake-up rule: variable-sized records
 *                 and batching, without reserving the largest size: idsentry now (emit());
 *   EMIT_CHECK    the taint lookup alone, no record: what any program on the send path costs.
 * The send is seen at sys_enter_sendto, or (the loader's choice) where idsentry sees it, at the
 * socket layer (tp_btf/sock_send_length, Linux 6.3+; buffer and fd from the saved registers).
 */
enum emit_mode {
	EMIT_OUTPUT = 0,
	EMIT_RESERVE = 1,
	EMIT_BATCHED = 2,
	EMIT_OUTPUT_BATCHED = 3,
	EMIT_CHECK = 4,
};

enum emit_stat { ST_EMITTED = 0, ST_LOST = 1, ST_WAKEUPS = 2, ST__COUNT };

const volatile __u32 emit_mode = EMIT_OUTPUT;
const volatile __u32 sample_bytes = 256;   /* a power of two, at most MAX_SAMPLE_BYTES */
const volatile __u64 wake_bytes = 1 << 20; /* EMIT_BATCHED: wake the reader past this backlog */

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 16 << 20); /* the loader may resize it */
} events SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, struct watch_key);
	__type(value, __u64);
} watched_inodes SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, struct proc_taint);
} taint SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct send_event);
} scratch SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, ST__COUNT);
	__type(key, __u32);
	__type(value, __u64);
} stats SEC(".maps");

static __always_inline void count(__u32 key)
{
	__u64 *v = bpf_map_lookup_elem(&stats, &key);

	if (v)
		*v += 1;
}

SEC("tracepoint/syscalls/sys_exit_openat")
int handle_sys_exit_openat(struct trace_event_raw_sys_exit *ctx)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;
	struct proc_taint t = { .ident_mask = 1 };
	struct file **fds, *f = NULL;
	struct watch_key key;
	long fd = ctx->ret;

	if (fd < 0)
		return 0;
	fds = BPF_CORE_READ(task, files, fdt, fd);
	bpf_probe_read_kernel(&f, sizeof(f), &fds[fd]);
	if (!f)
		return 0;
	key.dev = BPF_CORE_READ(f, f_inode, i_sb, s_dev);
	key.ino = BPF_CORE_READ(f, f_inode, i_ino);
	if (!bpf_map_lookup_elem(&watched_inodes, &key))
		return 0;
	t.last_ns = bpf_ktime_get_boot_ns();
	bpf_map_update_elem(&taint, &tgid, &t, BPF_ANY);
	return 0;
}

/* The wake-up rule of the batched modes: only past a backlog; the reader's timer does the rest. */
static __always_inline __u64 wakeup_flags(void)
{
	if (bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA) < wake_bytes)
		return BPF_RB_NO_WAKEUP;
	count(ST_WAKEUPS);
	return BPF_RB_FORCE_WAKEUP;
}

static __always_inline void fill(struct send_event *ev, __u64 pid_tgid, struct proc_taint *t,
				 __u32 fd, __u64 buf, __u64 len)
{
	__u64 n = len;

	ev->hdr.type = EVENT_SEND;
	ev->hdr.tgid = pid_tgid >> 32;
	ev->hdr.tid = (__u32)pid_tgid;
	ev->hdr.uid = (__u32)bpf_get_current_uid_gid();
	ev->hdr.ts_ns = bpf_ktime_get_boot_ns();
	bpf_get_current_comm(ev->hdr.comm, sizeof(ev->hdr.comm));
	ev->taint_mask = t->ident_mask;
	ev->taint_ns = t->last_ns;
	ev->result = len;
	ev->call = CALL_SENDTO;
	ev->fd = fd;
	ev->flags = 0;
	/* sample_bytes is a known constant to the verifier: the bound proves the copy fits */
	if (n > sample_bytes)
		n = sample_bytes;
	barrier_var(n); /* keep clang from copying the unbounded len instead */
	if (bpf_probe_read_user(ev->sample, n, (void *)buf))
		n = 0;
	ev->sample_len = n;
}

/* One send of a tainted process (t), written to the ring as the mode says. */
static __always_inline void on_send(__u64 pid_tgid, struct proc_taint *t, __u32 fd, __u64 buf,
				    __u64 len)
{
	struct send_event *ev;
	__u32 zero = 0;
	__u64 flags = 0;

	if (emit_mode == EMIT_CHECK)
		return;
	if (emit_mode == EMIT_OUTPUT || emit_mode == EMIT_OUTPUT_BATCHED) {
		ev = bpf_map_lookup_elem(&scratch, &zero);
		if (!ev)
			return;
		fill(ev, pid_tgid, t, fd, buf, len);
		if (emit_mode == EMIT_OUTPUT_BATCHED)
			flags = wakeup_flags();
		if (bpf_ringbuf_output(&events, ev,
				       offsetof(struct send_event, sample) +
					       (ev->sample_len & (MAX_SAMPLE_BYTES - 1)),
				       flags)) {
			count(ST_LOST);
			return;
		}
		count(ST_EMITTED);
		return;
	}
	/* reserve the largest record this configuration makes (sample_bytes is known at load) */
	ev = bpf_ringbuf_reserve(&events, offsetof(struct send_event, sample) + sample_bytes, 0);
	if (!ev) {
		count(ST_LOST);
		return;
	}
	fill(ev, pid_tgid, t, fd, buf, len);
	if (emit_mode == EMIT_BATCHED)
		flags = wakeup_flags();
	bpf_ringbuf_submit(ev, flags);
	count(ST_EMITTED);
}

SEC("tracepoint/syscalls/sys_enter_sendto")
int handle_sys_enter_sendto(struct trace_event_raw_sys_enter *ctx)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u32 tgid = pid_tgid >> 32;
	struct proc_taint *t = bpf_map_lookup_elem(&taint, &tgid);

	if (t)
		on_send(pid_tgid, t, ctx->args[0], ctx->args[1], ctx->args[2]);
	return 0;
}

SEC("tp_btf/sock_send_length")
int BPF_PROG(handle_sock_send_length, struct sock *sk, int ret, int flags)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u32 tgid = pid_tgid >> 32;
	struct proc_taint *t = bpf_map_lookup_elem(&taint, &tgid);
	struct pt_regs *regs;

	if (!t || ret <= 0)
		return 0;
	/* send and sendto: fd and buffer are the first two arguments; the length is what went */
	regs = (struct pt_regs *)bpf_task_pt_regs(bpf_get_current_task_btf());
#if defined(__TARGET_ARCH_x86)
	on_send(pid_tgid, t, regs->di, regs->si, ret);
#else
	on_send(pid_tgid, t, regs->regs[0], regs->regs[1], ret);
#endif
	return 0;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
