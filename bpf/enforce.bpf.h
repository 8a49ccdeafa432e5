/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* enforce.bpf.h: the in-kernel verdict: tainted process × blocking rule × destination not excepted. */
#ifndef IDSENTRY_ENFORCE_BPF_H
#define IDSENTRY_ENFORCE_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "idsentry.h"
#include "maps.bpf.h"
#include "task.bpf.h" /* AF_* */

/* Whether dport is in one of a rule's excepted port ranges. */
static __always_inline int port_excepted(const struct enforce_rule *r, __u16 port)
{
	int j;

	for (j = 0; j < MAX_EXCEPT_PORTS; j++) {
		if (j >= r->n_ports)
			break;
		if (port >= r->port_lo[j] && port <= r->port_hi[j])
			return 1;
	}
	return 0;
}

/* ::ffff:a.b.c.d */
static __always_inline int is_v4mapped(const __u8 *a)
{
	__u64 lo;
	__u32 mid;

	__builtin_memcpy(&lo, a, 8);
	__builtin_memcpy(&mid, a + 8, 4);
	return lo == 0 && mid == bpf_htonl(0x0000ffff);
}

/* The action of the first blocking rule that applies to this taint and destination (0: none),
 * with its slot in *slot. family is AF_INET/AF_INET6, addr 16 network-order bytes; AF_UNSPEC for
 * destinations off the network (SMS), to which no excepted address or port applies. */
static __always_inline __u32 verdict_of(__u64 ident_mask, __u64 taint_ns, __u16 family,
					const __u8 *addr, __u16 dport, __u16 *slot, int with_comm)
{
	struct except_key key = {};
	char comm[TASK_COMM_BYTES];
	__u64 exempt = 0, *e, now;
	__u32 i, tgid, uid;

	if (!n_enforce_rules || !ident_mask)
		return 0;
	/* a dual-stack socket talking IPv4 is an IPv4 destination */
	__builtin_memcpy(key.addr, addr, 16);
	key.family = family == AF_INET6 ? 6 : 4;
	if (key.family == 6 && is_v4mapped(key.addr)) {
		__u32 v4;

		key.family = 4;
		__builtin_memcpy(&v4, key.addr + 12, 4);
		__builtin_memset(key.addr, 0, 16);
		__builtin_memcpy(key.addr, &v4, 4);
	}
	key.prefixlen = 16 + 128;
	/* (sk_msg has no bpf_get_current_comm before 6.x: exact-comm exceptions need a syscall) */
	if (with_comm) {
		bpf_get_current_comm(comm, sizeof(comm));
		e = bpf_map_lookup_elem(&exempt_comms, comm);
		if (e)
			exempt |= *e;
	}
	tgid = bpf_get_current_pid_tgid() >> 32;
	e = bpf_map_lookup_elem(&exempt_tgids, &tgid);
	if (e)
		exempt |= *e;
	uid = (__u32)bpf_get_current_uid_gid();
	e = bpf_map_lookup_elem(&exempt_uids, &uid);
	if (e)
		exempt |= *e;
	now = bpf_ktime_get_boot_ns();
	for (i = 0; i < MAX_ENFORCE_RULES; i++) {
		/* the lookup gets a copy: a counter whose address a helper took lives on the stack,
		 * where the verifier loses its value and cannot prove the loop finite */
		__u32 slot_key = i;
		struct enforce_rule *r;

		if (i >= n_enforce_rules)
			break;
		r = bpf_map_lookup_elem(&enforce_rules, &slot_key);
		if (!r)
			break;
		if (!(r->ident_mask & ident_mask) || (exempt & (1ULL << i)))
			continue;
		if (r->window_ns && now - taint_ns > r->window_ns)
			continue;
		/* no address (an SMS by Binder): the destination leaves the device by definition */
		if (family == AF_UNSPEC) {
			*slot = i;
			return r->action;
		}
		if (port_excepted(r, dport))
			continue;
		key.rule = i;
		if (bpf_map_lookup_elem(&except_cidrs, &key))
			continue;
		*slot = i;
		return r->action;
	}
	return 0;
}

static __always_inline __u32 enforce_verdict(__u64 ident_mask, __u64 taint_ns, __u16 family,
					     const __u8 *addr, __u16 dport, __u16 *slot)
{
	return verdict_of(ident_mask, taint_ns, family, addr, dport, slot, 1);
}

/* The same, where the program type cannot read the comm (sk_msg). */
static __always_inline __u32 enforce_verdict_no_comm(__u64 ident_mask, __u64 taint_ns,
						     __u16 family, const __u8 *addr, __u16 dport,
						     __u16 *slot)
{
	return verdict_of(ident_mask, taint_ns, family, addr, dport, slot, 0);
}

#endif
