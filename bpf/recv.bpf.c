// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* recv.bpf.c: data received, seen at the recvfrom/recvmsg exits where the kernel has no
 * sock:sock_recv_length (before 6.3: the agent attaches these only then): unix sockets pass taint
 * on, passed fds, rtnetlink replies and DNS answers (received.bpf.h). */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include "idsentry.h"
#include "maps.bpf.h"
#include "task.bpf.h"
#include "common.bpf.h"
#include "sample.bpf.h"
#include "flow.bpf.h"
#include "watch.bpf.h"
#include "received.bpf.h"

/* What the exiting recvfrom (a buffer) or recvmsg (a msghdr) was handed. */
static __always_inline void exiting_receive_dest(__u16 call, struct receive_dest *d)
{
	struct pt_regs *regs = exiting_syscall_regs();

	d->fd = syscall_regs_arg(regs, 0);
	d->buf = syscall_regs_arg(regs, 1);
	d->len = syscall_regs_arg(regs, 2);
	d->call = call;
	d->is_msg = call == CALL_RECVMSG;
	d->is_iov = 0;
}

static __always_inline int on_recv_exit(long ret, __u16 call)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	struct receive_dest d;
	struct file *f = NULL;
	struct sock *sk;

	if (ret <= 0 || (pid_tgid >> 32) == agent_tgid)
		return 0;
	exiting_receive_dest(call, &d);
	/* a unix socket or loopback connection another process tainted (with the socket layer on,
	 * sock_recv_length sees every receive: nothing to do here); the fd's file is looked up once
	 * (a chain of kernel reads), and only when something needs it */
	if (!sock_layer_on && channels_active()) {
		f = current_fd_file(d.fd);
		if (f)
			taint_from_channel_file(pid_tgid, f);
	}
	if (call == CALL_RECVMSG)
		receive_passed_fds(pid_tgid, d.buf);
	/* rtnetlink replies are identifier sources: only when the policy names them */
	if (netlink_replies_watched()) {
		if (!f)
			f = current_fd_file(d.fd);
		sk = f ? file_sock(f) : NULL;
		if (sk && BPF_CORE_READ(sk, __sk_common.skc_family) == AF_NETLINK &&
		    BPF_CORE_READ_BITFIELD_PROBED(sk, sk_protocol) == NETLINK_ROUTE)
			netlink_reply(pid_tgid, &d, ret);
	}
	/* the one lookup every untainted receiver pays */
	if (!live_taint(pid_tgid >> 32))
		return 0;
	if (!f)
		f = current_fd_file(d.fd);
	sk = f ? file_sock(f) : NULL;
	if (sk && bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport)) == DNS_PORT)
		dns_answer(pid_tgid, sk, &d, ret);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_recvfrom")
int handle_sys_exit_recvfrom(struct trace_event_raw_sys_exit *ctx)
{
	return on_recv_exit(ctx->ret, CALL_RECVFROM);
}

SEC("tracepoint/syscalls/sys_exit_recvmsg")
int handle_sys_exit_recvmsg(struct trace_event_raw_sys_exit *ctx)
{
	return on_recv_exit(ctx->ret, CALL_RECVMSG);
}
