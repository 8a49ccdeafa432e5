// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* enforce.bpf.c: hooks that carry out blocking verdicts on connections made before the taint. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "idsentry.h"
#include "maps.bpf.h"
#include "task.bpf.h"
#include "common.bpf.h"
#include "enforce.bpf.h"

#define SK_DROP 0
#define SK_PASS 1
#define SIGKILL 9
#define LOOPBACK_NET 0x7f /* 127.0.0.0/8, first byte */

/* Established TCP connections join tcp_sockets, so that sk_msg sees their sends: while a blocking
 * rule exists (not loopback ones, so everyone else's traffic keeps its fast path), and those a
 * tainted process connected while the syscall hooks were detached (gap_sockets). */
SEC("sockops")
int handle_sockops(struct bpf_sock_ops *skops)
{
	__u64 cookie;

	if (!n_enforce_rules && !gap_sockets_used)
		return 1;
	if (skops->op != BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB &&
	    skops->op != BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB)
		return 1;
	if (skops->family != AF_INET && skops->family != AF_INET6)
		return 1;
	cookie = bpf_get_socket_cookie(skops);
	if (!(gap_sockets_used && bpf_map_lookup_elem(&gap_sockets, &cookie))) {
		if (!n_enforce_rules)
			return 1;
		if (skops->family == AF_INET &&
		    (bpf_ntohl(skops->remote_ip4) >> 24) == LOOPBACK_NET)
			return 1;
	}
	bpf_sock_hash_update(skops, &tcp_sockets, &cookie, BPF_NOEXIST);
	return 1;
}

/* The peer's address (16 bytes, network order; IPv4 in the first 4), zeros after an IPv4 one.
 * Each ctx field is one load at a constant offset, the only access the verifier allows. */
static __always_inline void sk_msg_daddr(struct sk_msg_md *msg, __u8 *daddr)
{
	__u32 a0 = msg->remote_ip6[0], a1 = msg->remote_ip6[1];
	__u32 a2 = msg->remote_ip6[2], a3 = msg->remote_ip6[3];
	__u32 v4 = msg->remote_ip4;

	asm volatile("" : "+r"(a0), "+r"(a1), "+r"(a2), "+r"(a3), "+r"(v4));
	__builtin_memset(daddr, 0, 16);
	if (msg->family == AF_INET) {
		__builtin_memcpy(daddr, &v4, 4);
	} else {
		__builtin_memcpy(daddr, &a0, 4);
		__builtin_memcpy(daddr + 4, &a1, 4);
		__builtin_memcpy(daddr + 8, &a2, 4);
		__builtin_memcpy(daddr + 12, &a3, 4);
	}
}

/* A tainted process's TCP send that no syscall hook saw begin (the hooks were detached, or it
 * came from io_uring): sampled here, with the verdict taken here (flags, hook, rule). */
static __always_inline void sample_sk_msg_send(struct sk_msg_md *msg, __u64 pid_tgid,
					       const struct proc_taint *t, __u32 flags,
					       __u16 hook, __u16 rule)
{
	struct send_scratch *scratch;
	struct send_event *ev;
	__u32 zero = 0, n;
	void *data;

	scratch = bpf_map_lookup_elem(&send_scratch, &zero);
	if (!scratch)
		return;
	ev = &scratch->ev;
	/* no bpf_get_current_comm for sk_msg before 6.x: the agent knows the process already (it
	 * read an identifier) */
	ev->hdr.type = EVENT_SEND;
	ev->hdr.tgid = pid_tgid >> 32;
	ev->hdr.tid = (__u32)pid_tgid;
	ev->hdr.uid = (__u32)bpf_get_current_uid_gid();
	ev->hdr.ts_ns = bpf_ktime_get_boot_ns();
	__builtin_memset(ev->hdr.comm, 0, sizeof(ev->hdr.comm));
	ev->taint_mask = t->ident_mask;
	ev->taint_ns = t->last_ns;
	ev->result = msg->size;
	ev->call = CALL_SK_MSG;
	ev->fd = ~0U; /* not known here */
	ev->family = msg->family;
	ev->sock_type = SOCK_STREAM;
	ev->protocol = IPPROTO_TCP;
	ev->dport = bpf_ntohl(msg->remote_port);
	sk_msg_daddr(msg, ev->daddr);
	ev->flags = SEND_DEST_FROM_SOCKET | flags;
	ev->hook = hook;
	ev->rule = rule;
	ev->part = 0;
	ev->parts = 0;
	ev->content_mask = 0;
	n = msg->size < sample_bytes ? msg->size : sample_bytes;
	if (msg->size > n)
		ev->flags |= SEND_SAMPLE_TRUNCATED;
	/* the first n bytes in one piece (a send may span pages) */
	if (n && bpf_msg_pull_data(msg, 0, n, 0))
		n = 0;
	data = msg->data;
	if ((__u64)(msg->data_end - data) < n)
		n = msg->data_end - data;
	if (n > MAX_SAMPLE_BYTES)
		n = MAX_SAMPLE_BYTES;
	/* changes no value, keeps the bound visible to the verifier (the barrier keeps clang
	 * from dropping it) */
	asm volatile("" : "+r"(n));
	n &= 2 * MAX_SAMPLE_BYTES - 1;
	if (n && bpf_probe_read_kernel(ev->sample, n, data))
		n = 0;
	ev->sample_len = n;
	emit(ev, offsetof(struct send_event, sample) + n);
}

/* A TCP send whose verdict (taken at the syscall's entry) is to block: dropped, the sender gets
 * an error and the peer nothing. */
SEC("sk_msg")
int handle_sk_msg(struct sk_msg_md *msg)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	struct pending_send *ps;

	ps = syscall_hooks_on ? bpf_map_lookup_elem(&pending_sends, &pid_tgid) : NULL;
	if (ps) {
		if (!ps->verdict)
			return SK_PASS;
		ps->verdict_hook = HOOK_SK_MSG;
		return SK_DROP;
	}
	/* no syscall hook saw this send begin: with them detached, or from io_uring (SEND, WRITE,
	 * SENDMSG, zero-copy...) on a connection made before the taint; sampled and judged here */
	if (!syscall_hooks_on || n_enforce_rules) {
		struct proc_taint *t = live_taint(pid_tgid >> 32);
		__u8 daddr[16] = {};
		__u16 slot = 0;
		__u32 verdict = 0;

		if (!t)
			return SK_PASS;
		if (n_enforce_rules) {
			sk_msg_daddr(msg, daddr);
			verdict = enforce_verdict_no_comm(t->ident_mask, t->last_ns, msg->family,
							  daddr, bpf_ntohl(msg->remote_port), &slot);
		}
		if (verdict) {
			sample_sk_msg_send(msg, pid_tgid, t, SEND_BLOCKED, HOOK_SK_MSG, slot);
			return SK_DROP;
		}
		/* with the hooks attached the completion (io_uring) or the syscall reports it; with
		 * them detached, the socket layer (socklayer.bpf.c) when it is there */
		if (!syscall_hooks_on && !sock_layer_on)
			sample_sk_msg_send(msg, pid_tgid, t, 0, HOOK_NONE, 0);
	}
	return SK_PASS;
}

/* The last line: packets of sockets a blocked send went to, whatever path they took. */
SEC("cgroup_skb/egress")
int handle_cgroup_skb_egress(struct __sk_buff *skb)
{
	__u64 cookie;

	if (!n_enforce_rules)
		return 1;
	cookie = bpf_get_socket_cookie(skb);
	return bpf_map_lookup_elem(&blocked_sockets, &cookie) ? 0 : 1;
}

/* A refused connect under a kill rule: the process dies as the call returns. */
SEC("tracepoint/syscalls/sys_exit_connect")
int handle_sys_exit_connect(struct trace_event_raw_sys_exit *ctx)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();

	if (!n_enforce_rules || !bpf_map_lookup_elem(&kill_on_exit, &pid_tgid))
		return 0;
	bpf_map_delete_elem(&kill_on_exit, &pid_tgid);
	bpf_send_signal(SIGKILL);
	return 0;
}
