/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* received.bpf.h: what a receive brings in, wherever it is seen: fds passed with SCM_RIGHTS, the
 * rtnetlink replies that list links or neighbours (MACs: identifier sources), and the DNS answers a
 * tainted process gets (the names of the hosts it then sends to). Seen by sock:sock_recv_length
 * where the kernel has it (6.3+: socklayer.bpf.c; any receive call, read() and recvmmsg() too),
 * else by the recvfrom/recvmsg exits (recv.bpf.c). */
#ifndef IDSENTRY_RECEIVED_BPF_H
#define IDSENTRY_RECEIVED_BPF_H

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

#define NETLINK_ROUTE 0
#define RTM_NEWLINK 16
#define RTM_NEWNEIGH 28

/* What the receiving call handed the kernel: buf, a user address, is the buffer itself (len its
 * size), or with is_msg a struct user_msghdr (a recvmmsg's first), or with is_iov an iovec array. */
struct receive_dest {
	__u64 buf, len;
	__u16 call;
	__u8 is_msg, is_iov;
	__u32 fd;
};

struct cmsg_head {
	__u64 len;
	int level;
	int type;
};

/* fds received with SCM_RIGHTS (msg_ptr: the receiver's user_msghdr): one open on an identifier
 * file is watched in the receiver. */
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
		if (i >= n)
			break;
		watch_fd_if_watched(pid_tgid, fds[i], current_fd_file(fds[i]));
	}
}

/* The buffer a receive filled (the first iovec of a msghdr or an iovec array), with *ret cut to
 * what it holds; 0 when it cannot be read (counted). */
static __always_inline __u64 received_buffer(const struct receive_dest *d, long *ret)
{
	struct user_msghdr msg;
	struct iovec iov;
	__u64 iov_ptr = d->buf;

	if (!d->is_msg && !d->is_iov) {
		if ((__u64)*ret > d->len)
			*ret = d->len;
		return d->buf;
	}
	if (d->is_msg) {
		if (bpf_probe_read_user(&msg, sizeof(msg), (void *)d->buf)) {
			count(STAT_READ_USER_FAILED);
			return 0;
		}
		iov_ptr = (__u64)msg.msg_iov;
	}
	if (bpf_probe_read_user(&iov, sizeof(iov), (void *)iov_ptr)) {
		count(STAT_READ_USER_FAILED);
		return 0;
	}
	if ((__u64)*ret > iov.iov_len)
		*ret = iov.iov_len;
	return (__u64)iov.iov_base;
}

/* An rtnetlink reply listing links (MACs) or neighbours (the router's MAC), as `ip link`,
 * getifaddrs() and Node's os.networkInterfaces() read them: the reader holds those identifiers;
 * its first bytes go to the agent, which learns the addresses in them. The caller has checked
 * that the sock is a NETLINK_ROUTE one and that the policy names such replies. */
static __always_inline void netlink_reply(__u64 pid_tgid, const struct receive_dest *d, long ret)
{
	struct send_event *ev;
	__u64 src, mask, n;
	__u16 type;

	src = received_buffer(d, &ret);
	/* nlmsghdr: u32 length, then u16 type */
	if (!src || ret < 16 || bpf_probe_read_user(&type, sizeof(type), (void *)(src + 4)))
		return;
	mask = type == RTM_NEWLINK ? netlink_link_mask : type == RTM_NEWNEIGH ? netlink_neigh_mask : 0;
	if (!mask)
		return;
	taint_introducing(pid_tgid, mask);
	taint_pipes_if_unhooked(pid_tgid);
	ev = send_event_begin(EVENT_RECV, pid_tgid, mask, 0, CALL_NETLINK, d->fd, ret);
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

/* Whether policy names rtnetlink replies at all (then every reader of one is looked at). */
static __always_inline int netlink_replies_watched(void)
{
	return (netlink_link_mask | netlink_neigh_mask) != 0;
}

/* A DNS answer (from port 53) a tainted process received: the agent learns the names of the hosts
 * it may send to. The caller has checked the port and the taint. */
static __always_inline void dns_answer(__u64 pid_tgid, struct sock *sk,
				       const struct receive_dest *d, long ret)
{
	struct send_event *ev;
	__u64 src;

	ev = send_event_begin(EVENT_RECV, pid_tgid, 0, 0, d->call, d->fd, ret);
	if (!ev)
		return;
	ev->flags = SEND_DEST_FROM_SOCKET;
	sock_destination(sk, ev);
	src = received_buffer(d, &ret);
	if (!src)
		return;
	/* an answer that cannot be read is not reported (the read was counted) */
	ev->sample_len = sample_sent(ev->sample, src, ret, 0, sample_bytes);
	if (!ev->sample_len && ret && sample_bytes)
		return;
	emit_send_event(ev);
}

#endif
