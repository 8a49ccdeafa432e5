// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* recv.bpf.c: data received: unix sockets pass taint on, DNS answers name hosts, rtnetlink replies
 * carry MACs. */
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

#define SOL_SOCKET 1
#define SCM_RIGHTS 1
#define MAX_PASSED_FDS 4

#define DNS_PORT 53

struct cmsg_head {
	__u64 len;
	int level;
	int type;
};

/* fds received with SCM_RIGHTS: one open on an identifier file is watched in the receiver. */
static __always_inline void receive_passed_fds(__u64 pid_tgid, __u64 msg_ptr)
{
	struct user_msghdr msg;
	struct cmsg_head c;
	int fds[MAX_PASSED_FDS] = {};
	__u64 n;
	int i;

	if (bpf_probe_read_user(&msg, sizeof(msg), (void *)msg_ptr) || !msg.msg_control ||
	    msg.msg_controllen < sizeof(c) + sizeof(int))
		return;
	if (bpf_probe_read_user(&c, sizeof(c), msg.msg_control) || c.level != SOL_SOCKET ||
	    c.type != SCM_RIGHTS || c.len < sizeof(c) + sizeof(int))
		return;
	n = (c.len - sizeof(c)) / sizeof(int);
	if (bpf_probe_read_user(fds, sizeof(fds), msg.msg_control + sizeof(c)))
		return;
	for (i = 0; i < MAX_PASSED_FDS; i++) {
		struct watched_fd wf;
		struct watch_key key;
		struct file *f;
		__u64 *mask;

		if (i >= n)
			break;
		f = current_fd_file(fds[i]);
		mask = watched_inode(f, &key);
		if (!mask)
			continue;
		wf.ident_mask = *mask;
		wf.dev = key.dev;
		wf.ino = key.ino;
		watch_fd(pid_tgid, fds[i], &wf);
	}
}

#define AF_NETLINK 16
#define NETLINK_ROUTE 0
#define RTM_NEWLINK 16
#define RTM_NEWNEIGH 28

/* The buffer a recvfrom/recvmsg filled (its first iovec), and how much of it. */
static __always_inline __u64 received_buffer(__u16 call, long *ret)
{
	__u64 src = exiting_syscall_arg(1);
	struct user_msghdr msg;
	struct iovec iov;

	if (call != CALL_RECVMSG)
		return src;
	if (bpf_probe_read_user(&msg, sizeof(msg), (void *)src) ||
	    bpf_probe_read_user(&iov, sizeof(iov), msg.msg_iov)) {
		count(STAT_READ_USER_FAILED);
		return 0;
	}
	if ((__u64)*ret > iov.iov_len)
		*ret = iov.iov_len;
	return (__u64)iov.iov_base;
}

/* An rtnetlink reply listing links (MACs) or neighbours (the router's MAC), as `ip link`,
 * getifaddrs() and Node's os.networkInterfaces() read them: the reader holds those identifiers;
 * its first bytes go to the agent, which learns the addresses in them. */
static __always_inline void netlink_reply(__u64 pid_tgid, struct sock *sk, __u16 call, long ret)
{
	struct send_event *ev;
	__u64 src, mask, n;
	__u16 type;

	if (BPF_CORE_READ(sk, __sk_common.skc_family) != AF_NETLINK ||
	    BPF_CORE_READ_BITFIELD_PROBED(sk, sk_protocol) != NETLINK_ROUTE)
		return;
	src = received_buffer(call, &ret);
	/* nlmsghdr: u32 length, then u16 type */
	if (!src || ret < 16 || bpf_probe_read_user(&type, sizeof(type), (void *)(src + 4)))
		return;
	mask = type == RTM_NEWLINK ? netlink_link_mask : type == RTM_NEWNEIGH ? netlink_neigh_mask : 0;
	if (!mask)
		return;
	taint_introducing(pid_tgid, mask);
	taint_pipes_if_unhooked(pid_tgid);
	ev = send_event_begin(EVENT_RECV, pid_tgid, mask, 0, CALL_NETLINK, exiting_syscall_arg(0),
			      ret);
	if (!ev)
		return;
	ev->family = AF_NETLINK;
	ev->protocol = NETLINK_ROUTE;
	/* the reply, up to MAX_SAMPLE_BYTES (n 0: a failed read, counted; ret holds a header) */
	n = sample_sent(ev->sample, src, ret, 0, MAX_SAMPLE_BYTES);
	if (!n)
		return;
	if (n > MAX_SAMPLE_BYTES)
		n = MAX_SAMPLE_BYTES;
	ev->sample_len = n;
	/* no open of a watched file announced it: wake the agent now */
	emit_now(ev, offsetof(struct send_event, sample) + n);
}

static __always_inline int on_recv_exit(long ret, __u16 call)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	struct send_event *ev;
	struct file *f = NULL;
	struct sock *sk;
	__u64 src;

	if (ret <= 0 || (pid_tgid >> 32) == agent_tgid)
		return 0;
	/* a unix socket or loopback connection another process tainted (with the socket layer on,
	 * sock_recv_length sees every receive: nothing to do here); the fd's file is looked up once
	 * (a chain of kernel reads), and only when something needs it */
	if (!sock_layer_on && channels_active()) {
		f = current_fd_file(exiting_syscall_arg(0));
		if (f)
			taint_from_channel_file(pid_tgid, f);
	}
	if (call == CALL_RECVMSG)
		receive_passed_fds(pid_tgid, exiting_syscall_arg(1));
	/* rtnetlink replies are identifier sources: only when the policy names them */
	if (netlink_link_mask | netlink_neigh_mask) {
		if (!f)
			f = current_fd_file(exiting_syscall_arg(0));
		sk = f ? file_sock(f) : NULL;
		if (sk)
			netlink_reply(pid_tgid, sk, call, ret);
	}
	/* the one lookup every untainted receiver pays */
	if (!live_taint(pid_tgid >> 32))
		return 0;
	if (!f)
		f = current_fd_file(exiting_syscall_arg(0));
	sk = f ? file_sock(f) : NULL;
	if (!sk || bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport)) != DNS_PORT)
		return 0;
	ev = send_event_begin(EVENT_RECV, pid_tgid, 0, 0, call, exiting_syscall_arg(0), ret);
	if (!ev)
		return 0;
	ev->flags = SEND_DEST_FROM_SOCKET;
	sock_destination(sk, ev);
	src = exiting_syscall_arg(1);
	if (call == CALL_RECVMSG) {
		struct user_msghdr msg;
		struct iovec iov;

		if (bpf_probe_read_user(&msg, sizeof(msg), (void *)src) ||
		    bpf_probe_read_user(&iov, sizeof(iov), msg.msg_iov)) {
			count(STAT_READ_USER_FAILED);
			return 0;
		}
		src = (__u64)iov.iov_base;
		if ((__u64)ret > iov.iov_len)
			ret = iov.iov_len;
	}
	/* an answer that cannot be read is not reported (the read was counted) */
	ev->sample_len = sample_sent(ev->sample, src, ret, 0, sample_bytes);
	if (!ev->sample_len && ret && sample_bytes)
		return 0;
	emit_send_event(ev);
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
