/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* flow.bpf.h: taint moving between processes through pipes, FIFOs, unix sockets and TCP/UDP
 * between processes of the same host (loopback relays: a local proxy, a DNS stub, a helper). */
#ifndef IDSENTRY_FLOW_BPF_H
#define IDSENTRY_FLOW_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include "idsentry.h"
#include "maps.bpf.h"
#include "task.bpf.h"
#include "common.bpf.h"
#include "sample.bpf.h"

#define S_IFIFO 0010000
#define PIPEFS_MAGIC 0x50495045
#define LAZY_PIPES_NS (10ULL * 1000000000ULL) /* see lazy_pipes_until_ns */
#define PIPE_READERS_NS (60ULL * 1000000000ULL) /* see pipes_active_until_ns */
#define DEADLINE_SLACK_NS 1000000000ULL /* see mark_channel */

/* The channel a file denotes: the inode of a pipe or FIFO (both ends share it), or for a unix
 * socket the receiving sock (the peer when writing, the socket itself when reading); 0 if none. */
static __always_inline __u64 unix_channel(struct sock *sk, int writing, __u16 *kind)
{
	*kind = CHANNEL_UNIX;
	if (!writing)
		return (__u64)sk;
	/* unconnected datagrams name their receiver per send: 0 here, the caller keys it by name */
	return (__u64)BPF_CORE_READ((struct unix_sock *)sk, peer);
}

/* Loopback channels. A TCP connection between two processes of this host is one channel per
 * direction, named by the 4-tuple as the sender sees it (destination, then source); the receiver
 * sees the same tuple mirrored. A UDP receiver may be bound to any address, so a UDP channel is
 * named by its port alone. Keys are multiples of 4 with the top bit clear: unix names are odd
 * (unix_name_key), a process's memory is 2 modulo 4 (memflow.bpf.c) and kernel addresses have
 * the top bit set. */
#define LOOPBACK_ACTIVE_NS (60ULL * 1000000000ULL) /* how long receivers look, after a send */

struct inet_end {
	__u32 addr[4]; /* IPv6, or IPv4 mapped (::ffff:a.b.c.d) */
	__u16 port;    /* host order */
};

static __always_inline void inet_end_v4(struct inet_end *e, __be32 a, __u16 port)
{
	e->addr[0] = 0;
	e->addr[1] = 0;
	e->addr[2] = bpf_htonl(0xffff);
	e->addr[3] = a;
	e->port = port;
}

static __always_inline int inet_end_is_loopback(const struct inet_end *e)
{
	if (!e->addr[0] && !e->addr[1] && e->addr[2] == bpf_htonl(0xffff))
		return (bpf_ntohl(e->addr[3]) >> 24) == 127;
	return !e->addr[0] && !e->addr[1] && !e->addr[2] && e->addr[3] == bpf_htonl(1);
}

static __always_inline __u64 loopback_key(__u8 proto, const struct inet_end *dst,
					  const struct inet_end *src)
{
	__u64 h = 0xcbf29ce484222325ULL;
	int i;

	h = (h ^ proto) * 0x100000001b3ULL;
	h = (h ^ dst->port) * 0x100000001b3ULL;
	h = (h ^ src->port) * 0x100000001b3ULL;
	for (i = 0; i < 4; i++) {
		h = (h ^ dst->addr[i]) * 0x100000001b3ULL;
		h = (h ^ src->addr[i]) * 0x100000001b3ULL;
	}
	return h & ~(1ULL << 63) & ~3ULL;
}

/* The local (remote = 0) or remote end of an inet sock. */
static __always_inline void sock_end(struct sock *sk, int remote, struct inet_end *e)
{
	if (SOCK_READ(sk, __sk_common.skc_family) == AF_INET6) {
		if (remote)
			SOCK_READ_INTO(&e->addr, sk, __sk_common.skc_v6_daddr.in6_u.u6_addr32);
		else
			SOCK_READ_INTO(&e->addr, sk, __sk_common.skc_v6_rcv_saddr.in6_u.u6_addr32);
	} else {
		inet_end_v4(e, remote ? SOCK_READ(sk, __sk_common.skc_daddr)
				      : SOCK_READ(sk, __sk_common.skc_rcv_saddr), 0);
	}
	e->port = remote ? bpf_ntohs(SOCK_READ(sk, __sk_common.skc_dport))
			 : SOCK_READ(sk, __sk_common.skc_num);
}

/* The route the sock's traffic takes leaves by the loopback device: the peer is on this host
 * (any of its addresses, not only 127/8 and ::1). */
static __always_inline int sock_routes_to_self(struct sock *sk)
{
	struct dst_entry *dst = SOCK_READ(sk, sk_dst_cache);
	struct net_device *dev = dst ? SOCK_READ(dst, dev) : NULL;

	return dev && (SOCK_READ(dev, flags) & IFF_LOOPBACK);
}

/* An address a sender named (a user sockaddr of addrlen bytes) as an inet_end; 0 if none. */
static __always_inline int user_inet_end(__u64 addr, __u32 addrlen, struct inet_end *e)
{
	struct sockaddr_in6 sa = {};

	if (!addr || addrlen < sizeof(struct sockaddr_in))
		return 0;
	if (bpf_probe_read_user(&sa, addrlen < sizeof(sa) ? sizeof(struct sockaddr_in) : sizeof(sa),
				(void *)addr))
		return 0;
	if (sa.sin6_family == AF_INET6 && addrlen >= sizeof(sa)) {
		__builtin_memcpy(e->addr, &sa.sin6_addr, 16);
		e->port = bpf_ntohs(sa.sin6_port);
		return 1;
	}
	if (sa.sin6_family == AF_INET) {
		inet_end_v4(e, ((struct sockaddr_in *)&sa)->sin_addr.s_addr,
			    bpf_ntohs(((struct sockaddr_in *)&sa)->sin_port));
		return 1;
	}
	return 0;
}

/* The loopback channel a send on inet sock sk goes into (addr/addrlen: the address the syscall
 * named, for unconnected UDP), or 0 when its receiver is not on this host. */
static __always_inline __u64 loopback_channel_out(struct sock *sk, __u64 addr, __u32 addrlen)
{
	__u16 family = SOCK_READ(sk, __sk_common.skc_family);
	__u8 proto = SOCK_READ(sk, sk_protocol);
	struct inet_end dst = {}, src = {}, none = {};

	if ((family != AF_INET && family != AF_INET6) ||
	    (proto != IPPROTO_TCP && proto != IPPROTO_UDP))
		return 0;
	sock_end(sk, 1, &dst);
	if (proto == IPPROTO_TCP) {
		if (!inet_end_is_loopback(&dst) && !sock_routes_to_self(sk))
			return 0;
		sock_end(sk, 0, &src);
		return loopback_key(proto, &dst, &src);
	}
	if (dst.port) { /* connected UDP */
		if (!inet_end_is_loopback(&dst) && !sock_routes_to_self(sk))
			return 0;
	} else if (!user_inet_end(addr, addrlen, &dst) || !inet_end_is_loopback(&dst)) {
		return 0;
	}
	none.port = dst.port;
	return loopback_key(proto, &none, &src);
}

/* The loopback channel a receive on inet sock sk comes out of (0: not TCP or UDP). */
static __always_inline __u64 loopback_channel_in(struct sock *sk)
{
	__u16 family = SOCK_READ(sk, __sk_common.skc_family);
	__u8 proto = SOCK_READ(sk, sk_protocol);
	struct inet_end local = {}, remote = {}, none = {};

	if ((family != AF_INET && family != AF_INET6) ||
	    (proto != IPPROTO_TCP && proto != IPPROTO_UDP))
		return 0;
	if (proto == IPPROTO_UDP) {
		none.port = SOCK_READ(sk, __sk_common.skc_num);
		return loopback_key(proto, &none, &remote);
	}
	sock_end(sk, 0, &local);
	sock_end(sk, 1, &remote);
	return loopback_key(proto, &local, &remote);
}

static __always_inline int loopback_active(void)
{
	return loopback_active_until_ns && bpf_ktime_get_boot_ns() <= loopback_active_until_ns;
}

/* The channel of a pipe or FIFO: its inode (both ends share it); 0 for any other file. */
static __always_inline __u64 pipe_channel_of(struct inode *inode, umode_t mode, __u16 *kind)
{
	if ((mode & S_IFMT) != S_IFIFO)
		return 0;
	*kind = BPF_CORE_READ(inode, i_sb, s_magic) == PIPEFS_MAGIC ? CHANNEL_PIPE : CHANNEL_FIFO;
	return (__u64)inode;
}

static __always_inline __u64 channel_of(struct file *f, int writing, __u16 *kind)
{
	/* typed where the object casts (the read exits: every read of every process while a
	 * channel is tainted), else two probe reads */
	struct file *tf = file_typed(f);
	struct inode *inode = tf ? tf->f_inode : BPF_CORE_READ(f, f_inode);
	umode_t mode = tf ? inode->i_mode : BPF_CORE_READ(inode, i_mode);
	struct socket *sock;
	struct sock *sk;

	if ((mode & S_IFMT) == S_IFIFO)
		return pipe_channel_of(inode, mode, kind);
	if ((mode & S_IFMT) != S_IFSOCK)
		return 0;
	sock = BPF_CORE_READ(f, private_data);
	sk = sock ? BPF_CORE_READ(sock, sk) : NULL;
	if (!sk)
		return 0;
	if (BPF_CORE_READ(sk, __sk_common.skc_family) == AF_UNIX)
		return unix_channel(sk, writing, kind);
	/* the reading end of a loopback channel (the writing end needs the send's address) */
	if (writing || !loopback_active())
		return 0;
	*kind = CHANNEL_LOOPBACK;
	return loopback_channel_in(sk);
}


/* The channel of an unconnected unix datagram socket is its receiver's name: a path up to its NUL,
 * or an abstract name (a NUL, then n - 1 bytes). The key has its top bit clear: kernel addresses,
 * which name the other channels, have it set. */
static __always_inline __u64 unix_name_key(const struct unix_name *u, __u32 n)
{
	__u64 h = 0xcbf29ce484222325ULL;
	int abstract = u->path[0] == 0, i;

	for (i = 0; i < UNIX_PATH_BYTES; i++) {
		__u8 c = u->path[i];

		if (i >= n || (!abstract && !c))
			break;
		h = (h ^ c) * 0x100000001b3ULL;
	}
	return (h & ~(1ULL << 63)) | 1;
}

/* The key of the name a sender gave sendto/sendmsg (a user sockaddr_un of addrlen bytes). */
static __always_inline __u64 unix_dest_key(__u64 addr, __u32 addrlen)
{
	struct unix_name *u;
	__u32 zero = 0;

	if (!addr || addrlen <= 2 || addrlen > sizeof(struct unix_name))
		return 0;
	u = bpf_map_lookup_elem(&unix_name_scratch, &zero);
	if (!u)
		return 0;
	__builtin_memset(u->path, 0, sizeof(u->path));
	/* a whole sockaddr_un: the bytes past addrlen are read but not hashed */
	if (bpf_probe_read_user(u, sizeof(*u), (void *)addr) || u->family != AF_UNIX)
		return 0;
	return unix_name_key(u, addrlen - 2);
}

/* The key of the name a unix socket is bound to, for the reading side of unix_dest_key. */
static __always_inline __u64 unix_bound_key(struct sock *sk)
{
	struct unix_address *ua = BPF_CORE_READ((struct unix_sock *)sk, addr);
	struct unix_name *u;
	__u32 zero = 0;
	int len;

	if (!ua)
		return 0;
	len = BPF_CORE_READ(ua, len);
	if (len <= 2 || len > (int)sizeof(struct unix_name))
		return 0;
	u = bpf_map_lookup_elem(&unix_name_scratch, &zero);
	if (!u)
		return 0;
	__builtin_memset(u->path, 0, sizeof(u->path));
	if (bpf_probe_read_kernel(u, sizeof(*u), &ua->name[0]))
		return 0;
	return unix_name_key(u, len - 2);
}

/* Puts a deadline (a global) at 'until' or later. It is moved DEADLINE_SLACK_NS past what is
 * asked, so that it is written about once a second, not by every send of every tainted sender on
 * every CPU (one shared cache line); checks made up to a second longer than needed cost nothing
 * wrong. ~0: for ever. */
static __always_inline void move_deadline(__u64 *deadline, __u64 until)
{
	if (until <= *deadline)
		return;
	*deadline = until == ~0ULL ? until : until + DEADLINE_SLACK_NS;
}

/* A tainted process writes to a channel: the channel carries its taint to whoever reads it (the
 * kernel's part; taint_channel also tells the agent). 0 when the channel is marked. now: the
 * time the caller has read already, or 0 to read the clock here. */
static __always_inline int mark_channel_at(__u64 chan, __u16 kind, const struct proc_taint *t,
					   __u64 pid_tgid, __u64 content_mask, __u64 now)
{
	struct channel_taint *ct, fresh = {};

	if (!chan)
		return -1;
	ct = bpf_map_lookup_elem(&tainted_channels, &chan);
	if (ct) {
		ct->ident_mask |= t->ident_mask;
		ct->file_mask |= content_mask;
		if (t->last_ns > ct->taint_ns)
			ct->taint_ns = t->last_ns;
		ct->writer_tgid = pid_tgid >> 32;
	} else {
		fresh.ident_mask = t->ident_mask;
		fresh.file_mask = content_mask;
		fresh.taint_ns = t->last_ns;
		fresh.writer_tgid = pid_tgid >> 32;
		fresh.kind = kind;
		if (bpf_map_update_elem(&tainted_channels, &chan, &fresh, BPF_ANY)) {
			count(STAT_CHANNEL_MAP_FULL);
			return -1;
		}
	}
	/* readers check channels only while some channel may still be tainted */
	if (!now)
		now = bpf_ktime_get_boot_ns();
	move_deadline(&channels_active_until_ns, taint_ttl_ns ? now + taint_ttl_ns : ~0ULL);
	if (kind == CHANNEL_LOOPBACK)
		move_deadline(&loopback_active_until_ns, now + LOOPBACK_ACTIVE_NS);
	/* pipes and FIFOs have no hook but the syscalls': the agent keeps those attached a while
	 * (their writer, while it holds one, keeps them longer: user/hook_gate.c) */
	if (kind == CHANNEL_PIPE || kind == CHANNEL_FIFO ||
	    (kind == CHANNEL_LOOPBACK && !sock_layer_on))
		move_deadline(&pipes_active_until_ns, now + PIPE_READERS_NS);
	return 0;
}

static __always_inline int mark_channel(__u64 chan, __u16 kind, const struct proc_taint *t,
					__u64 pid_tgid, __u64 content_mask)
{
	return mark_channel_at(chan, kind, t, pid_tgid, content_mask, 0);
}

/* Tells the agent what went into a channel: it tells carriers of the value from mere contacts by
 * that. Spliced (buf 0): the file's bytes, known by content_mask. now: as for mark_channel_at. */
static __always_inline void emit_channel_write_at(__u64 chan, __u16 kind, __u64 ident_mask,
						  __u64 taint_ns, __u64 pid_tgid, __u64 buf,
						  __u64 len, int is_iov, __u64 now)
{
	struct flow_event *ev;

	ev = flow_event_begin_at(EVENT_FLOW, pid_tgid, ident_mask, taint_ns, chan, kind,
				 FLOW_WRITE, now);
	if (!ev)
		return;
	ev->sample_len = sample_sent(ev->sample, buf, len, is_iov, sample_bytes);
	emit_flow_event(ev);
}

static __always_inline void emit_channel_write(__u64 chan, __u16 kind, __u64 ident_mask,
					       __u64 taint_ns, __u64 pid_tgid, __u64 buf, __u64 len,
					       int is_iov)
{
	emit_channel_write_at(chan, kind, ident_mask, taint_ns, pid_tgid, buf, len, is_iov, 0);
}

/* A tainted process writes to a channel: the channel is marked and the agent told. now: as for
 * mark_channel_at. */
static __always_inline void taint_channel_at(__u64 chan, __u16 kind, const struct proc_taint *t,
					     __u64 pid_tgid, __u64 buf, __u64 len, int is_iov,
					     __u64 content_mask, __u64 now)
{
	if (mark_channel_at(chan, kind, t, pid_tgid, content_mask, now))
		return;
	emit_channel_write_at(chan, kind, t->ident_mask, t->last_ns, pid_tgid, buf, len, is_iov,
			      now);
}

static __always_inline void taint_channel(__u64 chan, __u16 kind, const struct proc_taint *t,
					  __u64 pid_tgid, __u64 buf, __u64 len, int is_iov,
					  __u64 content_mask)
{
	taint_channel_at(chan, kind, t, pid_tgid, buf, len, is_iov, content_mask, 0);
}

/* A tainted process writes to the channel f denotes (see taint_channel). dest_key: an unconnected
 * unix datagram's receiver (unix_dest_key), else 0. Unix sockets are left to the socket-layer
 * tracepoint when it is attached (socklayer.bpf.c). */
static __always_inline void taint_channel_write(struct file *f, const struct proc_taint *t,
						__u64 pid_tgid, __u64 buf, __u64 len, int is_iov,
						__u64 content_mask, __u64 dest_key)
{
	__u64 chan;
	__u16 kind = 0;

	chan = channel_of(f, 1, &kind);
	if (kind == CHANNEL_UNIX && sock_layer_on)
		return;
	/* no peer: a datagram to a name given with this send */
	if (!chan && kind == CHANNEL_UNIX)
		chan = dest_key;
	taint_channel(chan, kind, t, pid_tgid, buf, len, is_iov, content_mask);
}

static __always_inline int channels_active(void)
{
	/* the gate: no channel tainted lately, nothing to check (one global load) */
	return channels_active_until_ns && bpf_ktime_get_boot_ns() <= channels_active_until_ns;
}

/* A process read from channel chan (kind): if a tainted process wrote to it, the reader now
 * carries the writer's taint. */
static __always_inline void taint_from_channel(__u64 pid_tgid, __u64 chan, __u16 kind)
{
	__u32 tgid = pid_tgid >> 32;
	struct channel_taint *ct;
	struct flow_event *ev;
	struct proc_taint *t;

	if (!chan)
		return;
	ct = bpf_map_lookup_elem(&tainted_channels, &chan);
	/* a socket bound to a name receives what was sent to the name */
	if (!ct && kind == CHANNEL_UNIX) {
		chan = unix_bound_key((struct sock *)chan);
		ct = chan ? bpf_map_lookup_elem(&tainted_channels, &chan) : NULL;
	}
	if (!ct || ct->writer_tgid == tgid)
		return;
	t = bpf_map_lookup_elem(&taint, &tgid);
	if (t) {
		int news = (t->ident_mask & ct->ident_mask) != ct->ident_mask ||
			   t->last_channel != chan;

		t->ident_mask |= ct->ident_mask;
		t->flags |= TAINT_VIA_CHANNEL;
		t->last_channel = chan;
		if (ct->taint_ns > t->last_ns)
			t->last_ns = ct->taint_ns;
		if (!news)
			return;
	} else {
		struct proc_taint fresh = { .ident_mask = ct->ident_mask,
					    .last_ns = ct->taint_ns,
					    .flags = TAINT_VIA_CHANNEL,
					    .last_channel = chan };

		if (bpf_map_update_elem(&taint, &tgid, &fresh, BPF_NOEXIST)) {
			count(STAT_TAINT_MAP_FULL);
			return;
		}
		emit_proc_info(pid_tgid);
	}
	ev = flow_event_begin(EVENT_FLOW, pid_tgid, ct->ident_mask, ct->taint_ns, chan, kind,
			      FLOW_READ);
	if (!ev)
		return;
	ev->peer_tgid = ct->writer_tgid;
	emit_flow_event(ev);
}

/* A process read from file f (a pipe, FIFO or unix socket); call while channels_active(). */
static __always_inline void taint_from_channel_file(__u64 pid_tgid, struct file *f)
{
	__u64 chan;
	__u16 kind = 0;

	chan = channel_of(f, 0, &kind);
	if ((kind == CHANNEL_UNIX || kind == CHANNEL_LOOPBACK) && sock_layer_on)
		return;
	taint_from_channel(pid_tgid, chan, kind);
}

/* A process read from fd (a pipe, FIFO or unix socket). In the read exits (ident.bpf.c, which
 * casts), every read of every process comes here while a channel is tainted: the fd table is
 * walked by direct loads there, by probe reads elsewhere (task.bpf.h). */
static __always_inline void taint_from_channel_read(__u64 pid_tgid, __u32 fd)
{
	struct file *f;

	if (!channels_active())
		return;
#ifdef FILE_CASTS
	f = current_fd_file_direct(fd);
#else
	f = current_fd_file(fd);
#endif
	if (f)
		taint_from_channel_file(pid_tgid, f);
}

#define FMODE_READ 0x1
#define FMODE_WRITE 0x2
#define HELD_FDS_SCANNED 64 /* the first fds of a process looked at for pipes (stdin..., a few) */

/* The current process's fd table. */
struct held_fds {
	struct file **fds;
	unsigned int max;
};

static __always_inline void current_held_fds(struct held_fds *h)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct fdtable *fdt = BPF_CORE_READ(task, files, fdt);

	h->max = fdt ? BPF_CORE_READ(fdt, max_fds) : 0;
	h->fds = fdt ? BPF_CORE_READ(fdt, fd) : NULL;
}

/* fd i of the table, or NULL. */
static __always_inline struct file *held_fd(const struct held_fds *h, int i)
{
	struct file *f = NULL;

	if (i >= h->max)
		return NULL;
	bpf_probe_read_kernel(&f, sizeof(f), &h->fds[i]);
	return f;
}

/* Pipes and FIFOs among the current process's first HELD_FDS_SCANNED fds. writing: those it
 * holds for writing carry taint t from now; else: if it holds the read end of a tainted one, it
 * may have read from it unseen, and carries the pipe's taint from now. */
static __always_inline void taint_through_held_pipes(__u64 pid_tgid, const struct proc_taint *t,
						     int writing)
{
	struct held_fds h;
	__u64 chan;
	__u16 kind;
	int i;

	current_held_fds(&h);
#pragma clang loop unroll(disable)
	for (i = 0; i < HELD_FDS_SCANNED; i++) {
		struct file *f = held_fd(&h, i);
		struct inode *inode;

		if (!f || !(BPF_CORE_READ(f, f_mode) & (writing ? FMODE_WRITE : FMODE_READ)))
			continue;
		inode = BPF_CORE_READ(f, f_inode);
		kind = 0;
		chan = pipe_channel_of(inode, BPF_CORE_READ(inode, i_mode), &kind);
		if (!chan)
			continue;
		if (writing) {
			taint_channel(chan, kind, t, pid_tgid, 0, 0, 0, 0);
			lazy_pipes_until_ns = bpf_ktime_get_boot_ns() + LAZY_PIPES_NS;
		} else if (bpf_map_lookup_elem(&tainted_channels, &chan)) {
			taint_from_channel(pid_tgid, chan, kind);
		}
	}
}

/* The opener of a watched file, seen with the syscall hooks away (no read or write of it will be
 * seen before they are back): every pipe or FIFO it holds for writing carries its taint now. */
static __always_inline void taint_pipes_held_for_writing(__u64 pid_tgid, const struct proc_taint *t)
{
	taint_through_held_pipes(pid_tgid, t, 1);
}

/* An identifier arrived by a source without an open (ioctl reply, rtnetlink dump, property,
 * Binder reply) while the syscall hooks are away: none of the holder's pipe writes would be seen
 * before they are back (the agent, woken by the event, attaches them), so the pipes and FIFOs it
 * holds for writing carry its taint now, as an opener's do. */
static __always_inline void taint_pipes_if_unhooked(__u64 pid_tgid)
{
	__u32 tgid = pid_tgid >> 32;
	struct proc_taint *t;

	if (syscall_hooks_on)
		return;
	t = bpf_map_lookup_elem(&taint, &tgid);
	if (t)
		taint_pipes_held_for_writing(pid_tgid, t);
}

/* A process about to send, untainted, while such marks are recent (lazy_pipes_until_ns). */
static __always_inline void taint_from_pipes_held_for_reading(__u64 pid_tgid)
{
	taint_through_held_pipes(pid_tgid, NULL, 0);
}

#endif
