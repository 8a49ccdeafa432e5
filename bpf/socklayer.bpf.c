// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* socklayer.bpf.c: sends and receives seen where the socket layer reports them, not per syscall.
 *
 * sock:sock_send_length and sock:sock_recv_length (Linux 6.3+) fire inside sock_sendmsg and
 * sock_recvmsg, for every socket send and receive whatever the syscall (write, sendto, sendmsg,
 * sendmmsg, splice, sendfile) and only for those: a process that reads and writes files, pipes
 * or /dev/null runs none of this. That is what lets the per-syscall hooks stay detached while
 * processes that hold an identifier merely live (user/hook_gate.c):
 *   - unix sockets pass taint from writer to reader here, always (the syscall hooks leave them);
 *   - an inet send of a tainted process that no syscall hook saw begin (no pending_sends entry)
 *     is reported here: destination from the socket (or, unconnected, from the syscall's
 *     address), sample from the syscall's buffer, read back through the task's saved registers.
 * Blocking is not done here (the send has happened): while a blocking rule and a tainted process
 * exist, the agent keeps the syscall hooks attached, as before.
 */
/* the sock is a BTF pointer here: its fields are loaded directly (task.bpf.h) */
#define SOCK_IS_BTF
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_endian.h>
#include "idsentry.h"
#include "maps.bpf.h"
#include "task.bpf.h"
#include "common.bpf.h"
#include "sample.bpf.h"
#include "flow.bpf.h"
#include "received.bpf.h"

#define PF_KTHREAD 0x00200000
#define PF_IO_WORKER 0x00000010

#if defined(__TARGET_ARCH_x86)
#define NR_read 0
#define NR_readv 19
#define NR_recvfrom 45
#define NR_recvmsg 47
#define NR_recvmmsg 299
#define NR_write 1
#define NR_writev 20
#define NR_sendfile 40
#define NR_sendto 44
#define NR_sendmsg 46
#define NR_splice 275
#define NR_sendmmsg 307
#define NR_io_uring_enter 426
#define TS_COMPAT 0x0002
#elif defined(__TARGET_ARCH_arm64)
#define NR_read 63
#define NR_readv 65
#define NR_recvfrom 207
#define NR_recvmsg 212
#define NR_recvmmsg 243
#define NR_write 64
#define NR_writev 66
#define NR_sendfile 71
#define NR_splice 76
#define NR_sendto 206
#define NR_sendmsg 211
#define NR_sendmmsg 269
#define NR_io_uring_enter 426
#else
#error "socklayer.bpf.c knows the syscall numbers of x86 and arm64 only"
#endif

/* The syscall the current task is in, and its first arguments, from the registers saved at entry
 * (user memory addresses: the buffers the process handed the kernel). */
struct syscall_args {
	long nr; /* -1: not a native syscall this file knows */
	__u64 arg[6];
};

static __always_inline void current_syscall(struct syscall_args *a)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct pt_regs *regs = (struct pt_regs *)bpf_task_pt_regs(task);

	/* direct loads (BTF pointers, guarded by the exception table): a helper call each, as
	 * BPF_CORE_READ makes, cost this program most of its time on every send */
#if defined(__TARGET_ARCH_x86)
	a->nr = regs->orig_ax;
	if (task->thread_info.status & TS_COMPAT)
		a->nr = -1; /* a 32-bit process: other numbers, other layouts */
	a->arg[0] = regs->di;
	a->arg[1] = regs->si;
	a->arg[2] = regs->dx;
	a->arg[3] = regs->r10;
	a->arg[4] = regs->r8;
	a->arg[5] = regs->r9;
#else
	a->nr = regs->syscallno;
	a->arg[0] = regs->orig_x0;
	a->arg[1] = regs->regs[1];
	a->arg[2] = regs->regs[2];
	a->arg[3] = regs->regs[3];
	a->arg[4] = regs->regs[4];
	a->arg[5] = regs->regs[5];
#endif
}

/* Whose send this is: a process's own syscall, not a kernel thread's or io_uring's (its worker
 * threads and its inline issue are reported at completion by uring.bpf.c). */
static __always_inline int process_context(void)
{
	struct task_struct *task = bpf_get_current_task_btf();

	return !(task->flags & (PF_KTHREAD | PF_IO_WORKER));
}

/* What a send syscall handed over: a buffer, or an iovec array (is_iov), and the address it
 * named (user memory, 0 if none). */
struct send_source {
	__u64 buf;
	__u64 len;
	__u64 addr;
	__u32 addrlen;
	__u16 call;
	__u16 is_iov;
};

/* sendmmsg sends each message through the socket layer: the first one reports them all. */
struct mmsg_cursor {
	__u64 vec;
	__u64 first_ns;
	__u32 left;
	__u32 pad;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 1024);
	__type(key, __u64); /* pid_tgid */
	__type(value, struct mmsg_cursor);
} mmsg_cursors SEC(".maps");

#define MMSG_SAMPLED 8      /* messages of one sendmmsg sampled, each as a send */
#define MMSG_SAME_CALL_NS 10000000ULL

/* Fills src from the syscall the current task is in; returns 0 when it carries no user buffer
 * this file can sample (sendfile, splice, io_uring, unknown). */
static __always_inline int send_source_of(const struct syscall_args *a, struct send_source *src)
{
	struct user_msghdr msg;

	__builtin_memset(src, 0, sizeof(*src));
	switch (a->nr) {
	case NR_write:
		src->call = CALL_WRITE;
		src->buf = a->arg[1];
		src->len = a->arg[2];
		return 1;
	case NR_writev:
		src->call = CALL_WRITEV;
		src->buf = a->arg[1];
		src->len = a->arg[2];
		src->is_iov = 1;
		return 1;
	case NR_sendto:
		src->call = CALL_SENDTO;
		src->buf = a->arg[1];
		src->len = a->arg[2];
		src->addr = a->arg[4];
		src->addrlen = a->arg[5];
		return 1;
	case NR_sendmsg:
		if (bpf_probe_read_user(&msg, sizeof(msg), (void *)a->arg[1])) {
			count(STAT_READ_USER_FAILED);
			return 0;
		}
		src->call = CALL_SENDMSG;
		src->buf = (__u64)msg.msg_iov;
		src->len = msg.msg_iovlen;
		src->addr = (__u64)msg.msg_name;
		src->addrlen = msg.msg_namelen;
		src->is_iov = 1;
		return 1;
	case NR_sendfile:
		src->call = CALL_SENDFILE;
		return 0;
	case NR_splice:
		src->call = CALL_SPLICE;
		return 0;
	}
	return 0;
}

/* An unconnected send's destination, from the address the syscall named (user memory: the
 * cgroup hook's kernel copy is not at hand here). */
static __always_inline void syscall_destination(const struct send_source *src,
						struct send_event *ev)
{
	struct sockaddr_in6 sa = {};

	if (!src->addr || src->addrlen < sizeof(struct sockaddr_in))
		return;
	if (bpf_probe_read_user(&sa, src->addrlen < sizeof(sa) ? sizeof(struct sockaddr_in)
								 : sizeof(sa),
				(void *)src->addr))
		return;
	__builtin_memset(ev->daddr, 0, sizeof(ev->daddr));
	ev->family = sa.sin6_family;
	ev->dport = bpf_ntohs(sa.sin6_port);
	if (sa.sin6_family == AF_INET6 && src->addrlen >= sizeof(sa))
		__builtin_memcpy(ev->daddr, &sa.sin6_addr, 16);
	else if (sa.sin6_family == AF_INET)
		__builtin_memcpy(ev->daddr, &((struct sockaddr_in *)&sa)->sin_addr, 4);
	ev->flags = (ev->flags & ~SEND_DEST_FROM_SOCKET) | SEND_DEST_FROM_SYSCALL;
}

/* A socket-layer send report's flags and destination: the socket's, or for an unconnected one
 * the address the syscall named. */
static __always_inline void socket_layer_destination(struct send_event *ev, struct sock *sk,
						     const struct send_source *src, int inside_tls,
						     __u64 loop_chan)
{
	ev->flags = SEND_DEST_FROM_SOCKET | SEND_SOCKET_LAYER | (inside_tls ? SEND_INSIDE_TLS : 0);
	if (loop_chan) {
		ev->flags |= SEND_LOOPBACK;
		ev->channel = loop_chan;
	}
	sock_destination(sk, ev);
	if (!ev->dport)
		syscall_destination(src, ev);
}

/* One inet send of a tainted process, reported as the syscall exit hook would have. now: the
 * time the program read once for all it writes. */
static __always_inline void report_inet_send(struct sock *sk, __u64 sent, __u64 pid_tgid,
					     const struct proc_taint *t, __u32 fd,
					     const struct send_source *src, int inside_tls,
					     __u64 loop_chan, __u64 now)
{
	struct send_event *ev;

	ev = send_event_begin_at(EVENT_SEND, pid_tgid, t->ident_mask, t->last_ns, src->call, fd,
				 sent, now);
	if (!ev)
		return;
	socket_layer_destination(ev, sk, src, inside_tls, loop_chan);
	sample_send_event(ev, src->buf, src->len, src->is_iov, sent);
	/* a sendmmsg's messages past the first have no length here (sent is the sample's): no
	 * parts for any of them, as at the syscall exit */
	if (src->buf && src->call != CALL_SENDMMSG)
		send_first_part(ev, sent);
	emit_send_event(ev);
	/* the scratch still holds the event: the global function is called only for a long send */
	if (ev->flags & SEND_MORE_PARTS)
		emit_send_rest(src->buf, src->len, src->is_iov, sent);
}

/* A send of one buffer that fits one sample (the common case: a write, send or sendto of up to
 * sample_bytes) is reported from a record reserved in the ring at the size class of its sample,
 * filled where the agent reads it: no scratch, no second copy of the sample (that copy was 7 %
 * of this program in perf). A record is reserved at most four times its sample's size (a 257-byte
 * sample takes a 1 KiB class); the agent reads sample_len bytes of it. A full ring is counted, as
 * emit counts it. report_direct returns 0 for a send this path does not take (the scratch's). */
#define DIRECT_CLASS_SMALL 256
#define DIRECT_CLASS_MEDIUM 1024

static __always_inline void report_direct_in(struct sock *sk, __u64 sent, __u64 pid_tgid,
					     const struct proc_taint *t, __u32 fd,
					     const struct send_source *src, int inside_tls,
					     __u64 loop_chan, __u64 now, const __u32 cap)
{
	__u64 size = offsetof(struct send_event, sample) + cap, n = sent;
	__u64 wakeup = emit_wakeup(size);
	struct send_event *ev;

	ev = bpf_ringbuf_reserve(&events, size, 0);
	if (!ev) {
		count(STAT_RINGBUF_FULL);
		return;
	}
	__builtin_memset(ev, 0, offsetof(struct send_event, sample));
	send_event_fill(ev, EVENT_SEND, pid_tgid, t->ident_mask, t->last_ns, src->call, fd, sent,
			now);
	socket_layer_destination(ev, sk, src, inside_tls, loop_chan);
	/* report_direct has compared sent with cap already: without the barrier the compiler
	 * drops this clamp, and 6.1's verifier, which does not carry that bound this far, refuses
	 * the read (as it did send_parts.bpf.c's) */
	barrier_var(n);
	if (n > cap)
		n = cap;
	if (bpf_probe_read_user(ev->sample, n, (void *)src->buf)) {
		count(STAT_READ_USER_FAILED);
		n = 0;
	}
	ev->sample_len = n;
	ev->parts = 1;
	bpf_ringbuf_submit(ev, wakeup);
}

static __always_inline int report_direct(struct sock *sk, __u64 sent, __u64 pid_tgid,
					 const struct proc_taint *t, __u32 fd,
					 const struct send_source *src, int inside_tls,
					 __u64 loop_chan, __u64 now)
{
	if (src->is_iov || !src->buf || !sent || sent > sample_limit())
		return 0;
	if (sent <= DIRECT_CLASS_SMALL)
		report_direct_in(sk, sent, pid_tgid, t, fd, src, inside_tls, loop_chan, now,
				 DIRECT_CLASS_SMALL);
	else if (sent <= DIRECT_CLASS_MEDIUM)
		report_direct_in(sk, sent, pid_tgid, t, fd, src, inside_tls, loop_chan, now,
				 DIRECT_CLASS_MEDIUM);
	else
		report_direct_in(sk, sent, pid_tgid, t, fd, src, inside_tls, loop_chan, now,
				 MAX_SAMPLE_BYTES);
	return 1;
}

/* sendmmsg: the first message to reach the socket layer reports up to MMSG_SAMPLED of them
 * (their buffers are all in the process's memory already); the following ones are skipped. */
static __always_inline void report_mmsg(struct sock *sk, __u64 sent, __u64 pid_tgid,
					const struct proc_taint *t, const struct syscall_args *a,
					int inside_tls, __u64 now)
{
	struct mmsg_cursor *c, fresh = {};
	struct send_source src = {};
	__u32 n = a->arg[2];
	int i;

	c = bpf_map_lookup_elem(&mmsg_cursors, &pid_tgid);
	if (c && c->vec == a->arg[1] && c->left && now - c->first_ns < MMSG_SAME_CALL_NS) {
		c->left--;
		return;
	}
	fresh.vec = a->arg[1];
	fresh.first_ns = now;
	fresh.left = n ? n - 1 : 0;
	bpf_map_update_elem(&mmsg_cursors, &pid_tgid, &fresh, BPF_ANY);
	src.call = CALL_SENDMMSG;
	src.is_iov = 1;
	for (i = 0; i < MMSG_SAMPLED; i++) {
		struct mmsghdr m;

		if (i >= n)
			break;
		if (bpf_probe_read_user(&m, sizeof(m),
					(void *)(a->arg[1] + i * sizeof(struct mmsghdr)))) {
			count(STAT_READ_USER_FAILED);
			break;
		}
		src.buf = (__u64)m.msg_hdr.msg_iov;
		src.len = m.msg_hdr.msg_iovlen;
		src.addr = (__u64)m.msg_hdr.msg_name;
		src.addrlen = m.msg_hdr.msg_namelen;
		report_inet_send(sk, i ? sample_bytes : sent, pid_tgid, t, a->arg[0], &src,
				 inside_tls, 0, now);
	}
}

/* What a send to a channel handed over, for the flow event's sample: the syscall's buffer (a
 * sendmmsg's first message); have = 0 when the syscall carries none this file can read. */
static __always_inline int channel_send_source(const struct syscall_args *a,
					       struct send_source *src)
{
	int have = send_source_of(a, src);

	if (a->nr == NR_sendmmsg) {
		struct mmsghdr m;

		if (!bpf_probe_read_user(&m, sizeof(m), (void *)a->arg[1])) {
			src->buf = (__u64)m.msg_hdr.msg_iov;
			src->len = m.msg_hdr.msg_iovlen;
			src->addr = (__u64)m.msg_hdr.msg_name;
			src->addrlen = m.msg_hdr.msg_namelen;
			src->is_iov = 1;
			have = 1;
		}
	}
	if (!have)
		src->buf = 0;
	return have;
}

/* A tainted process wrote to a unix socket: the receiver (the peer, or the name a datagram went
 * to) carries the taint to whoever reads it. */
static __always_inline void unix_send(struct sock *sk, __u64 sent, __u64 pid_tgid,
				      const struct proc_taint *t, const struct syscall_args *a,
				      __u64 now)
{
	struct send_source src;
	__u64 chan;
	__u16 kind = 0;
	int have = channel_send_source(a, &src);

	chan = unix_channel(sk, 1, &kind);
	if (!chan && have)
		chan = unix_dest_key(src.addr, src.addrlen);
	taint_channel_at(chan, kind, t, pid_tgid, src.buf, src.is_iov ? src.len : sent,
			 src.is_iov, 0, now);
}

/* A tainted process sent over TCP or UDP to a process of this host (a local proxy, a DNS stub,
 * its own helper): the receiving end carries the taint on, as a unix socket's does. Returns the
 * channel marked, or 0: the send event that reports the send tells the agent what went in
 * (SEND_LOOPBACK), one event where there were two. The clock is read into *now for a loopback
 * send only: a send to another host may be the syscall exit's to report, and read none. */
static __always_inline __u64 loopback_send(struct sock *sk, __u64 pid_tgid,
					   const struct proc_taint *t, const struct send_source *src,
					   __u64 *now)
{
	__u64 chan = loopback_channel_out(sk, src->addr, src->addrlen);

	if (!chan)
		return 0;
	*now = bpf_ktime_get_boot_ns();
	if (mark_channel_at(chan, CHANNEL_LOOPBACK, t, pid_tgid, 0, *now))
		return 0;
	return chan;
}

SEC("tp_btf/sock_send_length")
int BPF_PROG(handle_sock_send_length, struct sock *sk, int ret, int flags)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	struct pending_send *pending;
	struct syscall_args a;
	struct send_source src;
	struct proc_taint *t;
	struct tls_call *tc;
	__u64 loop_chan = 0, now = 0;
	__u16 family;
	__u32 fd;

	if (ret <= 0 || !sock_layer_on || (pid_tgid >> 32) == agent_tgid)
		return 0;
	/* the one lookup every untainted sender pays */
	t = live_taint(pid_tgid >> 32);
	/* ... and for a few seconds after an open no read hook saw, a look at its pipes */
	if (!t && lazy_pipes_until_ns && bpf_ktime_get_boot_ns() <= lazy_pipes_until_ns &&
	    process_context()) {
		taint_from_pipes_held_for_reading(pid_tgid);
		t = live_taint(pid_tgid >> 32);
	}
	if (!t || !process_context())
		return 0;
	family = sk->__sk_common.skc_family;
	if (family != AF_UNIX && family != AF_INET && family != AF_INET6 && family != AF_PACKET)
		return 0;
	/* one clock read a send, for the channel's deadlines and the event's header */
	current_syscall(&a);
	if (family == AF_UNIX) {
		unix_send(sk, ret, pid_tgid, t, &a, bpf_ktime_get_boot_ns());
		return 0;
	}
	/* what the syscall handed over, read once: for the loopback channel and the report */
	if (a.nr != NR_io_uring_enter) {
		channel_send_source(&a, &src);
		if (family != AF_PACKET)
			loop_chan = loopback_send(sk, pid_tgid, t, &src, &now);
	}
	/* the syscall hooks saw this send begin and report it at its exit (with the loopback
	 * channel); while they are being attached or detached (syscall_hooks_on 0: one by one,
	 * over a second or two) its exit may be gone: the send is reported here, and the exit,
	 * finding nothing pending, stays quiet */
	pending = pending_send_hooks ? bpf_map_lookup_elem(&pending_sends, &pid_tgid) : NULL;
	if (pending) {
		if (syscall_hooks_on) {
			if (loop_chan)
				pending->loop_chan = loop_chan;
			return 0;
		}
		bpf_map_delete_elem(&pending_sends, &pid_tgid);
	}
	/* io_uring's sends are reported at their completion (uring.bpf.c) */
	if (a.nr == NR_io_uring_enter)
		return 0;
	if (!now) /* no loopback_send read it */
		now = bpf_ktime_get_boot_ns();
	/* inside SSL_write this is ciphertext; the TLS probe reports the plaintext to this fd */
	tc = tls_calls_live ? bpf_map_lookup_elem(&tls_calls, &pid_tgid) : NULL;
	if (tc) {
		tc->fd = a.arg[0];
		tc->fd_set = 1;
	}
	if (a.nr == NR_sendmmsg) {
		/* each message reaches here: the loopback channel is told what each put in */
		if (loop_chan)
			emit_channel_write_at(loop_chan, CHANNEL_LOOPBACK, t->ident_mask,
					      t->last_ns, pid_tgid, src.buf,
					      src.is_iov ? src.len : ret, src.is_iov, now);
		report_mmsg(sk, ret, pid_tgid, t, &a, tc != NULL, now);
		return 0;
	}
	if (!src.call)
		src.call = CALL_SOCKET_LAYER;
	fd = src.call == CALL_SOCKET_LAYER ? ~0U : a.arg[0];
	if (!report_direct(sk, ret, pid_tgid, t, fd, &src, tc != NULL, loop_chan, now))
		report_inet_send(sk, ret, pid_tgid, t, fd, &src, tc != NULL, loop_chan, now);
	return 0;
}

/* What the receiving syscall the current task is in was handed (see struct receive_dest); 0 for
 * one this file does not know (io_uring, splice: nothing of the process's to read back). A
 * recvmmsg's first message stands for each of them. */
static __always_inline int receive_dest_of(struct receive_dest *d)
{
	struct syscall_args a;

	current_syscall(&a);
	d->fd = a.arg[0];
	d->buf = a.arg[1];
	d->len = a.arg[2];
	d->is_msg = 0;
	d->is_iov = 0;
	switch (a.nr) {
	case NR_recvfrom:
		d->call = CALL_RECVFROM;
		return 1;
	case NR_read:
		d->call = CALL_READ_SOCKET;
		return 1;
	case NR_readv:
		d->call = CALL_READ_SOCKET;
		d->is_iov = 1;
		return 1;
	case NR_recvmsg:
	case NR_recvmmsg:
		d->call = CALL_RECVMSG;
		d->is_msg = 1;
		return 1;
	}
	return 0;
}

/* A receive: a process read from a unix socket, or a loopback TCP connection or UDP port, a
 * tainted process wrote to: it is tainted now. And what received.bpf.h looks for: rtnetlink
 * replies (policy naming them pins this program: one run per socket receive, a family test for
 * all but netlink), fds passed over unix sockets, DNS answers to tainted processes. With this
 * program the recvfrom/recvmsg exits are never attached (user/loader.c). */
SEC("tp_btf/sock_recv_length")
int BPF_PROG(handle_sock_recv_length, struct sock *sk, int ret, int flags)
{
	__u16 family = sk->__sk_common.skc_family, kind = 0;
	struct receive_dest d;
	__u64 pid_tgid, chan;

	if (ret <= 0)
		return 0;
	if (family == AF_NETLINK) {
		if (!netlink_replies_watched() || sk->sk_protocol != NETLINK_ROUTE ||
		    !process_context())
			return 0;
		pid_tgid = bpf_get_current_pid_tgid();
		if ((pid_tgid >> 32) != agent_tgid && receive_dest_of(&d))
			netlink_reply(pid_tgid, &d, ret);
		return 0;
	}
	if (!sock_layer_on)
		return 0;
	if (family == AF_UNIX) {
		/* fds passed while the syscall hooks follow reads (they watch the new fd) */
		if (syscall_hooks_on && process_context() && receive_dest_of(&d) && d.is_msg)
			receive_passed_fds(bpf_get_current_pid_tgid(), d.buf);
		if (!channels_active())
			return 0;
		chan = unix_channel(sk, 0, &kind);
	} else if (family == AF_INET || family == AF_INET6) {
		if (sk->__sk_common.skc_dport == bpf_htons(DNS_PORT)) {
			pid_tgid = bpf_get_current_pid_tgid();
			if (live_taint(pid_tgid >> 32) && process_context() && receive_dest_of(&d))
				dns_answer(pid_tgid, sk, &d, ret);
		}
		if (!channels_active() || !loopback_active())
			return 0;
		chan = loopback_channel_in(sk);
		kind = CHANNEL_LOOPBACK;
	} else {
		return 0;
	}
	if (!chan || !process_context())
		return 0;
	pid_tgid = bpf_get_current_pid_tgid();
	taint_from_channel(pid_tgid, chan, kind);
	return 0;
}
