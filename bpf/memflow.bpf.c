// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* memflow.bpf.c: taint through memory rather than data calls: one process reading or writing
 * another's memory (process_vm_readv/writev), user pages moved into or out of a pipe (vmsplice),
 * a pipe's content duplicated into another (tee). Shared mappings are followed by the agent
 * (user/shm.c). Syscall hooks: attached while the agent follows someone (hook_gate.c). */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include "idsentry.h"
#include "maps.bpf.h"
#include "task.bpf.h"
#include "common.bpf.h"
#include "flow.bpf.h"
#include "watch.bpf.h"

/* The channel of a process's memory, as process_vm_readv reads it: its tgid, tagged (the top bit
 * clear and the low bits 10, unlike unix names, loopback keys and kernel addresses). */
static __always_inline __u64 memory_channel(__u32 tgid)
{
	return ((__u64)tgid << 8) | 0x2;
}

/* A process reads another's memory: when that one holds identifiers, the reader does now. */
SEC("tracepoint/syscalls/sys_enter_process_vm_readv")
int handle_sys_enter_process_vm_readv(struct trace_event_raw_sys_enter *ctx)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u32 target = ctx->args[0];
	struct channel_taint ct = {};
	struct proc_taint *t;
	__u64 chan, until;

	if (target == (pid_tgid >> 32) || (pid_tgid >> 32) == agent_tgid)
		return 0;
	t = live_taint(target);
	if (!t)
		return 0;
	chan = memory_channel(target);
	ct.ident_mask = t->ident_mask;
	ct.taint_ns = t->last_ns;
	ct.writer_tgid = target;
	ct.kind = CHANNEL_MEMORY;
	if (bpf_map_update_elem(&tainted_channels, &chan, &ct, BPF_ANY)) {
		count(STAT_CHANNEL_MAP_FULL);
		return 0;
	}
	until = bpf_ktime_get_boot_ns() + (taint_ttl_ns ? taint_ttl_ns : LOOPBACK_ACTIVE_NS);
	move_deadline(&channels_active_until_ns, until);
	taint_from_channel(pid_tgid, chan, CHANNEL_MEMORY);
	return 0;
}

/* A holder writes into another process's memory: that one holds what it wrote. */
SEC("tracepoint/syscalls/sys_enter_process_vm_writev")
int handle_sys_enter_process_vm_writev(struct trace_event_raw_sys_enter *ctx)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u32 target = ctx->args[0];
	struct proc_taint *t = live_taint(pid_tgid >> 32);

	if (!t || target == (pid_tgid >> 32) || target == agent_tgid)
		return 0;
	taint_with(target, t->ident_mask);
	return 0;
}

/* vmsplice into a pipe is a writev to it: the pipe carries the holder's taint (with a sample of
 * the pages, as a write's). */
SEC("tracepoint/syscalls/sys_enter_vmsplice")
int handle_sys_enter_vmsplice(struct trace_event_raw_sys_enter *ctx)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	struct proc_taint *t = live_taint(pid_tgid >> 32);
	struct file *f;

	if (!t)
		return 0;
	f = current_fd_file(ctx->args[0]);
	if (f && (BPF_CORE_READ(f, f_mode) & FMODE_WRITE))
		taint_channel_write(f, t, pid_tgid, ctx->args[1], ctx->args[2], 1, 0, 0);
	return 0;
}

/* ... and out of a pipe into user pages is a read of it. */
SEC("tracepoint/syscalls/sys_exit_vmsplice")
int handle_sys_exit_vmsplice(struct trace_event_raw_sys_exit *ctx)
{
	struct file *f;

	if (ctx->ret <= 0)
		return 0;
	f = current_fd_file(exiting_syscall_arg(0));
	if (f && (BPF_CORE_READ(f, f_mode) & FMODE_READ))
		taint_from_channel_read(bpf_get_current_pid_tgid(), exiting_syscall_arg(0));
	return 0;
}

/* tee duplicates a pipe's content into another pipe: that one carries the same taint. */
SEC("tracepoint/syscalls/sys_enter_tee")
int handle_sys_enter_tee(struct trace_event_raw_sys_enter *ctx)
{
	struct file *in = current_fd_file(ctx->args[0]), *out = current_fd_file(ctx->args[1]);
	struct channel_taint *ct, copy;
	__u64 chan_in, chan_out;
	__u16 kind = 0;

	if (!in || !out || !channels_active())
		return 0;
	chan_in = channel_of(in, 0, &kind);
	ct = chan_in ? bpf_map_lookup_elem(&tainted_channels, &chan_in) : NULL;
	if (!ct)
		return 0;
	copy = *ct;
	chan_out = channel_of(out, 1, &kind);
	if (!chan_out || chan_out == chan_in)
		return 0;
	copy.kind = kind;
	if (bpf_map_update_elem(&tainted_channels, &chan_out, &copy, BPF_NOEXIST) &&
	    (ct = bpf_map_lookup_elem(&tainted_channels, &chan_out))) {
		ct->ident_mask |= copy.ident_mask;
		ct->file_mask |= copy.file_mask;
	}
	return 0;
}
