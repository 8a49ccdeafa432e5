// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* sockaddr.bpf.c: cgroup connect and sendmsg hooks: destinations from the kernel's copy of the
 * address, and blocking verdicts taken before the first byte. */
/* cgroup hooks have no task BTF pointer: event headers by helper calls (common.bpf.h) */
#define HEADER_BY_HELPERS
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "idsentry.h"
#include "maps.bpf.h"
#include "task.bpf.h"
#include "common.bpf.h"
#include "sample.bpf.h"
#include "enforce.bpf.h"

/* The address a sock_addr hook sees, as 16 network-order bytes. */
static __always_inline void ctx_address(struct bpf_sock_addr *ctx, __u16 family, __u8 *daddr)
{
	__builtin_memset(daddr, 0, 16);
	if (family == AF_INET) {
		__u32 a = ctx->user_ip4;

		__builtin_memcpy(daddr, &a, sizeof(a));
	} else {
		__u32 a[4] = { ctx->user_ip6[0], ctx->user_ip6[1], ctx->user_ip6[2],
			       ctx->user_ip6[3] };

		__builtin_memcpy(daddr, a, sizeof(a));
	}
}

/* Unconnected datagrams: the destination comes with each send, so the verdict is taken here. */
static __always_inline int on_cgroup_sendmsg(struct bpf_sock_addr *ctx, __u16 family)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	struct pending_send *ps = bpf_map_lookup_elem(&pending_sends, &pid_tgid);
	__u16 slot = 0;
	__u32 action;

	if (!ps)
		return 1;
	ps->family = family;
	ps->dport = bpf_ntohs((__u16)ctx->user_port);
	ctx_address(ctx, family, ps->daddr);
	ps->dest_set = 1;
	action = enforce_verdict(ps->taint_mask, ps->taint_ns, family, ps->daddr, ps->dport, &slot);
	if (!action)
		return 1;
	ps->verdict = action;
	ps->verdict_rule = slot;
	ps->verdict_hook = HOOK_SENDMSG;
	return 0; /* EPERM to the sender */
}

SEC("cgroup/sendmsg4")
int handle_cgroup_sendmsg4(struct bpf_sock_addr *ctx)
{
	return on_cgroup_sendmsg(ctx, AF_INET);
}

SEC("cgroup/sendmsg6")
int handle_cgroup_sendmsg6(struct bpf_sock_addr *ctx)
{
	return on_cgroup_sendmsg(ctx, AF_INET6);
}

/* A tainted process connecting is reported (no payload) with the address the kernel will use, and
 * refused when a blocking rule applies: before the first byte. */
static __always_inline int on_cgroup_connect(struct bpf_sock_addr *ctx, __u16 family)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	struct proc_taint *t;
	struct send_event *ev;
	__u32 zero = 0, action;
	__u16 slot = 0;

	/* cookies let cgroup_skb recognise a socket that a later blocked send goes to */
	if (n_enforce_rules)
		bpf_get_socket_cookie(ctx);
	if ((pid_tgid >> 32) == agent_tgid)
		return 1;
	t = live_taint(pid_tgid >> 32);
	if (!t)
		return 1;
	/* the syscall hooks are on their way back (an ioctl or property reply tainted it): sk_msg
	 * samples this connection's sends meanwhile */
	if (!syscall_hooks_on && !sock_layer_on && ctx->type == SOCK_STREAM) {
		__u64 cookie = bpf_get_socket_cookie(ctx);
		__u32 tgid = pid_tgid >> 32;

		if (!bpf_map_update_elem(&gap_sockets, &cookie, &tgid, BPF_ANY))
			gap_sockets_used = 1;
	}
	ev = send_event_begin(EVENT_SEND, pid_tgid, t->ident_mask, t->last_ns, CALL_CONNECT, 0, 0);
	if (!ev)
		return 1;
	ev->family = family;
	ev->sock_type = ctx->type;
	ev->protocol = ctx->protocol;
	ev->dport = bpf_ntohs((__u16)ctx->user_port);
	ctx_address(ctx, family, ev->daddr);
	ev->flags = SEND_DEST_FROM_CGROUP;
	action = enforce_verdict(t->ident_mask, t->last_ns, family, ev->daddr, ev->dport, &slot);
	if (action) {
		ev->flags |= SEND_BLOCKED | (action == ENFORCE_KILL ? SEND_KILLED : 0);
		ev->hook = HOOK_CONNECT;
		ev->rule = slot;
		ev->result = -1; /* EPERM */
		if (action == ENFORCE_KILL)
			bpf_map_update_elem(&kill_on_exit, &pid_tgid, &zero, BPF_ANY);
	}
	emit_send_event(ev);
	return action ? 0 : 1;
}

SEC("cgroup/connect4")
int handle_cgroup_connect4(struct bpf_sock_addr *ctx)
{
	return on_cgroup_connect(ctx, AF_INET);
}

SEC("cgroup/connect6")
int handle_cgroup_connect6(struct bpf_sock_addr *ctx)
{
	return on_cgroup_connect(ctx, AF_INET6);
}
