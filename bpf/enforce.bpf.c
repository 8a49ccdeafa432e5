// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* enforce.bpf.c: hooks that carry out blocking verdicts on connections made before the taint. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_endian.h>
#include "idsentry.h"
#include "maps.bpf.h"
#include "task.bpf.h"
#include "common.bpf.h"

#define SK_DROP 0
#define SK_PASS 1
#define SIGKILL 9
#define LOOPBACK_NET 0x7f /* 127.0.0.0/8, first byte */

/* Established TCP connections join tcp_sockets, so that sk_msg sees their sends; only while a
 * blocking rule exists, and not loopback ones, so everyone else's traffic keeps its fast path. */
SEC("sockops")
int handle_sockops(struct bpf_sock_ops *skops)
{
	__u64 cookie;

	if (!n_enforce_rules)
		return 1;
	if (skops->op != BPF_SOCK_OPS_ACTIVE_ESTABLISHED_CB &&
	    skops->op != BPF_SOCK_OPS_PASSIVE_ESTABLISHED_CB)
		return 1;
	if (skops->family == AF_INET && (bpf_ntohl(skops->remote_ip4) >> 24) == LOOPBACK_NET)
		return 1;
	if (skops->family != AF_INET && skops->family != AF_INET6)
		return 1;
	cookie = bpf_get_socket_cookie(skops);
	bpf_sock_hash_update(skops, &tcp_sockets, &cookie, BPF_NOEXIST);
	return 1;
}

/* A TCP send whose verdict (taken at the syscall's entry) is to block: dropped, the sender gets
 * an error and the peer nothing. */
SEC("sk_msg")
int handle_sk_msg(struct sk_msg_md *msg)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	struct pending_send *ps = bpf_map_lookup_elem(&pending_sends, &pid_tgid);

	if (!ps || !ps->verdict)
		return SK_PASS;
	ps->verdict_hook = HOOK_SK_MSG;
	return SK_DROP;
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
