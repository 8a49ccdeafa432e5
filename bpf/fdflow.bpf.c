// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* fdflow.bpf.c: identifier files used without read(): dup'd fds and mappings of watched files. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "idsentry.h"
#include "maps.bpf.h"
#include "common.bpf.h"
#include "watch.bpf.h"

#define F_DUPFD 0
#define F_DUPFD_CLOEXEC 1030

/* A duplicate of a watched fd is watched too: keep the original's identity until the exit. */
static __always_inline int on_dup_enter(__u32 oldfd)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	struct watched_fd *wf = watched(pid_tgid, oldfd);

	if (wf && bpf_map_update_elem(&pending_dups, &pid_tgid, wf, BPF_ANY))
		count(STAT_PENDING_FULL);
	return 0;
}

static __always_inline int on_dup_exit(long ret)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	struct watched_fd *p = bpf_map_lookup_elem(&pending_dups, &pid_tgid), wf;

	if (!p)
		return 0;
	wf = *p;
	bpf_map_delete_elem(&pending_dups, &pid_tgid);
	if (ret >= 0)
		watch_fd(pid_tgid, ret, &wf);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_dup")
int handle_sys_enter_dup(struct trace_event_raw_sys_enter *ctx)
{
	return on_dup_enter(ctx->args[0]);
}

SEC("tracepoint/syscalls/sys_exit_dup")
int handle_sys_exit_dup(struct trace_event_raw_sys_exit *ctx)
{
	return on_dup_exit(ctx->ret);
}

SEC("tracepoint/syscalls/sys_enter_dup2")
int handle_sys_enter_dup2(struct trace_event_raw_sys_enter *ctx)
{
	return on_dup_enter(ctx->args[0]);
}

SEC("tracepoint/syscalls/sys_exit_dup2")
int handle_sys_exit_dup2(struct trace_event_raw_sys_exit *ctx)
{
	return on_dup_exit(ctx->ret);
}

SEC("tracepoint/syscalls/sys_enter_dup3")
int handle_sys_enter_dup3(struct trace_event_raw_sys_enter *ctx)
{
	return on_dup_enter(ctx->args[0]);
}

SEC("tracepoint/syscalls/sys_exit_dup3")
int handle_sys_exit_dup3(struct trace_event_raw_sys_exit *ctx)
{
	return on_dup_exit(ctx->ret);
}

SEC("tracepoint/syscalls/sys_enter_fcntl")
int handle_sys_enter_fcntl(struct trace_event_raw_sys_enter *ctx)
{
	if (ctx->args[1] != F_DUPFD && ctx->args[1] != F_DUPFD_CLOEXEC)
		return 0;
	return on_dup_enter(ctx->args[0]);
}

SEC("tracepoint/syscalls/sys_exit_fcntl")
int handle_sys_exit_fcntl(struct trace_event_raw_sys_exit *ctx)
{
	return on_dup_exit(ctx->ret);
}

/* Mapping an identifier file gives its bytes with no read() to see: the mapping is the access. */
SEC("tracepoint/syscalls/sys_enter_mmap")
int handle_sys_enter_mmap(struct trace_event_raw_sys_enter *ctx)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	struct watched_fd *wf;
	int fd = ctx->args[4];

	if (fd < 0)
		return 0;
	wf = watched(pid_tgid, fd);
	if (wf)
		taint_with(pid_tgid >> 32, wf->ident_mask);
	return 0;
}
