// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* send.bpf.c: write and send syscalls of tainted processes: socket sends sampled, destination from
 * kernel state (writes to modem ttys, channels and files handed on to their own components). */
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
#include "enforce.bpf.h"

#define SOCK_RAW_TYPE 3

/* tty.bpf.c and filewrite.bpf.c: global functions, verified on their own */
extern int modem_write(__u32 fd, __u64 buf, __u64 len, __u32 is_iov);
extern int report_file_write(__u64 file, __u32 fd, __u64 buf, __u64 len, __u32 is_iov);

/* dest, dest_len: the address a sendto/sendmsg names (user memory), else 0. */
static __always_inline int on_send_enter(__u32 fd, __u64 buf, __u64 len, __u16 call, __u16 is_iov,
					 __u64 content_mask, __u64 dest, __u32 dest_len)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u32 tgid = pid_tgid >> 32;
	struct pending_send ps = {};
	__u32 zero = 0;
	struct tls_call *tc;
	struct proc_taint *t;
	struct sock *sk;
	struct file *f;
	__u16 family;

	if (tgid == agent_tgid)
		return 0;
	/* the one lookup every untainted sender pays */
	t = bpf_map_lookup_elem(&taint, &tgid);
	if (!t)
		return 0;
	/* only processes holding a watched fd can be writing to a modem tty */
	if (t->watched_fds && buf && (call == CALL_WRITE || call == CALL_WRITEV) &&
	    modem_write(fd, buf, len, is_iov))
		return 0;
	/* however long ago it read: a late send is still searched for the value (live_taint) */
	if (!t->ident_mask)
		return 0;
	f = current_fd_file(fd);
	if (!f)
		return 0;
	sk = file_sock(f);
	family = sk ? BPF_CORE_READ(sk, __sk_common.skc_family) : 0;
	/* pipes, FIFOs and unix sockets pass the taint on to their readers */
	if (!sk || family == AF_UNIX) {
		taint_channel_write(f, t, pid_tgid, buf, len, is_iov, content_mask,
				    family == AF_UNIX ? unix_dest_key(dest, dest_len) : 0);
		if (!sk && buf && (call == CALL_WRITE || call == CALL_WRITEV || call == CALL_PWRITEV))
			report_file_write((__u64)f, fd, buf, len, is_iov);
		return 0;
	}
	/* inet, and packet sockets: frames a process builds itself (DHCP clients do) */
	if (family != AF_INET && family != AF_INET6 && family != AF_PACKET)
		return 0;
	/* to a process of this host: its receiver carries the taint on (the socket-layer
	 * tracepoint does this when attached) */
	if (!sock_layer_on && family != AF_PACKET) {
		__u64 chan = loopback_channel_out(sk, dest, dest_len);

		/* the send event at the exit tells the agent what went in */
		if (!mark_channel(chan, CHANNEL_LOOPBACK, t, pid_tgid, content_mask))
			ps.loop_chan = chan;
	}
	ps.buf = buf;
	ps.len = len;
	ps.taint_mask = t->ident_mask;
	ps.taint_ns = t->last_ns;
	ps.fd = fd;
	ps.call = call;
	ps.is_iov = is_iov;
	ps.content_mask = content_mask;
	/* connected sockets: the verdict now, for sk_msg and cgroup_skb to carry out */
	if (n_enforce_rules) {
		__u8 daddr[16] = {};
		__u16 dport = bpf_ntohs(BPF_CORE_READ(sk, __sk_common.skc_dport));
		__u16 slot = 0;

		if (family == AF_INET6)
			BPF_CORE_READ_INTO(&daddr, sk, __sk_common.skc_v6_daddr.in6_u.u6_addr8);
		else
			BPF_CORE_READ_INTO((__u32 *)daddr, sk, __sk_common.skc_daddr);
		if (dport) {
			ps.verdict = enforce_verdict(t->ident_mask, t->last_ns, family, daddr, dport,
						     &slot);
			ps.verdict_rule = slot;
		}
		if (ps.verdict) {
			__u64 cookie = BPF_CORE_READ(sk, __sk_common.skc_cookie.counter);

			if (cookie)
				bpf_map_update_elem(&blocked_sockets, &cookie, &zero, BPF_ANY);
		}
	}
	/* inside SSL_write this is ciphertext; the TLS probe reports the plaintext to this fd */
	tc = tls_calls_live ? bpf_map_lookup_elem(&tls_calls, &pid_tgid) : NULL;
	if (tc) {
		tc->fd = fd;
		tc->fd_set = 1;
		ps.inside_tls = 1;
	}
	if (bpf_map_update_elem(&pending_sends, &pid_tgid, &ps, BPF_ANY))
		count(STAT_PENDING_FULL);
	return 0;
}

static __always_inline int on_send_exit(long ret)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	struct pending_send *p, ps;
	struct send_event *ev;
	struct file *f;
	struct sock *sk;
	long result;

	p = bpf_map_lookup_elem(&pending_sends, &pid_tgid);
	if (!p)
		return 0;
	ps = *p;
	bpf_map_delete_elem(&pending_sends, &pid_tgid);
	result = ret;
	if (ps.verdict && ret < 0) {
		/* stopped: report what it tried to send; kill now that nothing left */
		if (ps.verdict == ENFORCE_KILL)
			bpf_send_signal(9);
		ret = ps.is_iov ? sample_bytes : ps.len;
	} else if (ps.verdict) {
		ps.verdict_hook = HOOK_NONE; /* no hook could stop it: it left */
	}
	if (ret <= 0) {
		/* it failed, yet the loopback channel was marked: what it tried to put in */
		if (ps.loop_chan)
			emit_channel_write(ps.loop_chan, CHANNEL_LOOPBACK, ps.taint_mask, ps.taint_ns,
					   pid_tgid, ps.buf, ps.len, ps.is_iov);
		return 0;
	}
	ev = send_event_begin(EVENT_SEND, pid_tgid, ps.taint_mask, ps.taint_ns, ps.call, ps.fd,
			      result);
	if (!ev)
		return 0;
	ev->flags = ps.inside_tls ? SEND_INSIDE_TLS : 0;
	if (ps.loop_chan) {
		ev->flags |= SEND_LOOPBACK;
		ev->channel = ps.loop_chan;
	}
	ev->rule = ps.verdict_rule;
	if (ps.verdict && result < 0) {
		ev->flags |= SEND_BLOCKED | (ps.verdict == ENFORCE_KILL ? SEND_KILLED : 0);
		ev->hook = ps.verdict_hook ? ps.verdict_hook : HOOK_CGROUP_SKB;
	} else if (ps.verdict) {
		ev->flags |= SEND_BLOCK_MISSED;
	}
	/* destination from the socket, or from the cgroup hook's copy for unconnected sends */
	f = current_fd_file(ps.fd);
	sk = f ? file_sock(f) : NULL;
	if (sk) {
		sock_destination(sk, ev);
		ev->flags |= SEND_DEST_FROM_SOCKET;
	}
	if (ps.dest_set) {
		ev->family = ps.family;
		ev->dport = ps.dport;
		__builtin_memcpy(ev->daddr, ps.daddr, sizeof(ev->daddr));
		ev->flags = (ev->flags & ~SEND_DEST_FROM_SOCKET) | SEND_DEST_FROM_CGROUP;
	}
	ev->content_mask = ps.content_mask;
	if (ps.content_mask)
		ev->flags |= SEND_FILE_CONTENT;
	/* sample what was actually sent (sendfile/splice: nothing passed through the process's
	 * memory); sendmmsg returns a message count: the iovecs bound the sample instead */
	sample_send_event(ev, ps.buf, ps.len, ps.is_iov,
			  ps.call == CALL_SENDMMSG ? sample_limit() : ret);
	/* a long send goes on in parts, after this first one */
	if (result > 0 && ps.buf && ps.call != CALL_SENDMMSG)
		send_first_part(ev, result);
	emit_send_event(ev);
	emit_send_rest(ps.buf, ps.len, ps.is_iov, result);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_write")
int handle_sys_enter_write(struct trace_event_raw_sys_enter *ctx)
{
	return on_send_enter(ctx->args[0], ctx->args[1], ctx->args[2], CALL_WRITE, 0, 0, 0, 0);
}

SEC("tracepoint/syscalls/sys_exit_write")
int handle_sys_exit_write(struct trace_event_raw_sys_exit *ctx)
{
	return on_send_exit(ctx->ret);
}

SEC("tracepoint/syscalls/sys_enter_writev")
int handle_sys_enter_writev(struct trace_event_raw_sys_enter *ctx)
{
	return on_send_enter(ctx->args[0], ctx->args[1], ctx->args[2], CALL_WRITEV, 1, 0, 0, 0);
}

SEC("tracepoint/syscalls/sys_exit_writev")
int handle_sys_exit_writev(struct trace_event_raw_sys_exit *ctx)
{
	return on_send_exit(ctx->ret);
}

SEC("tracepoint/syscalls/sys_enter_sendto")
int handle_sys_enter_sendto(struct trace_event_raw_sys_enter *ctx)
{
	return on_send_enter(ctx->args[0], ctx->args[1], ctx->args[2], CALL_SENDTO, 0, 0,
			     ctx->args[4], ctx->args[5]);
}

SEC("tracepoint/syscalls/sys_exit_sendto")
int handle_sys_exit_sendto(struct trace_event_raw_sys_exit *ctx)
{
	return on_send_exit(ctx->ret);
}

SEC("tracepoint/syscalls/sys_enter_sendmsg")
int handle_sys_enter_sendmsg(struct trace_event_raw_sys_enter *ctx)
{
	struct user_msghdr msg;

	/* only tainted senders get here past the first lookup, so the header read is theirs */
	if (!live_taint(bpf_get_current_pid_tgid() >> 32))
		return 0;
	if (bpf_probe_read_user(&msg, sizeof(msg), (void *)ctx->args[1])) {
		count(STAT_READ_USER_FAILED);
		return 0;
	}
	return on_send_enter(ctx->args[0], (__u64)msg.msg_iov, msg.msg_iovlen, CALL_SENDMSG, 1, 0,
			     (__u64)msg.msg_name, msg.msg_namelen);
}

SEC("tracepoint/syscalls/sys_enter_sendmmsg")
int handle_sys_enter_sendmmsg(struct trace_event_raw_sys_enter *ctx)
{
	struct mmsghdr first;

	__u64 pid_tgid = bpf_get_current_pid_tgid();
	struct pending_send *ps;

	/* resolvers send their A and AAAA queries together: each message is sampled (the first
	 * from here, the next ones at exit) */
	if (!live_taint(pid_tgid >> 32) || !ctx->args[2])
		return 0;
	if (bpf_probe_read_user(&first, sizeof(first), (void *)ctx->args[1])) {
		count(STAT_READ_USER_FAILED);
		return 0;
	}
	on_send_enter(ctx->args[0], (__u64)first.msg_hdr.msg_iov, first.msg_hdr.msg_iovlen,
		      CALL_SENDMMSG, 1, 0, (__u64)first.msg_hdr.msg_name, first.msg_hdr.msg_namelen);
	ps = bpf_map_lookup_elem(&pending_sends, &pid_tgid);
	if (ps) {
		ps->mmsg_vec = ctx->args[1];
		ps->mmsg_n = ctx->args[2];
	}
	return 0;
}

#define MMSG_SAMPLED 8 /* messages of one sendmmsg sampled, each as a send */

SEC("tracepoint/syscalls/sys_exit_sendmmsg")
int handle_sys_exit_sendmmsg(struct trace_event_raw_sys_exit *ctx)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	struct pending_send *p, ps;
	long sent = ctx->ret;
	int i;

	p = bpf_map_lookup_elem(&pending_sends, &pid_tgid);
	if (!p)
		return 0;
	ps = *p;
	on_send_exit(sent);
	/* the next messages the call sent, each from its own iovecs, as if sent alone */
	for (i = 1; i < MMSG_SAMPLED; i++) {
		struct mmsghdr m;

		if (i >= sent || i >= ps.mmsg_n)
			break;
		if (bpf_probe_read_user(&m, sizeof(m),
					(void *)(ps.mmsg_vec + i * sizeof(struct mmsghdr)))) {
			count(STAT_READ_USER_FAILED);
			break;
		}
		ps.buf = (__u64)m.msg_hdr.msg_iov;
		ps.len = m.msg_hdr.msg_iovlen;
		if (bpf_map_update_elem(&pending_sends, &pid_tgid, &ps, BPF_ANY))
			break;
		on_send_exit(sent);
	}
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_pwritev")
int handle_sys_enter_pwritev(struct trace_event_raw_sys_enter *ctx)
{
	return on_send_enter(ctx->args[0], ctx->args[1], ctx->args[2], CALL_PWRITEV, 1, 0, 0, 0);
}

SEC("tracepoint/syscalls/sys_exit_pwritev")
int handle_sys_exit_pwritev(struct trace_event_raw_sys_exit *ctx)
{
	return on_send_exit(ctx->ret);
}

SEC("tracepoint/syscalls/sys_enter_pwritev2")
int handle_sys_enter_pwritev2(struct trace_event_raw_sys_enter *ctx)
{
	return on_send_enter(ctx->args[0], ctx->args[1], ctx->args[2], CALL_PWRITEV, 1, 0, 0, 0);
}

SEC("tracepoint/syscalls/sys_exit_pwritev2")
int handle_sys_exit_pwritev2(struct trace_event_raw_sys_exit *ctx)
{
	return on_send_exit(ctx->ret);
}

/* sendfile from an identifier file: the bytes go from the page cache to the socket, never
 * through the process, so the file being watched is the evidence. */
SEC("tracepoint/syscalls/sys_enter_sendfile64")
int handle_sys_enter_sendfile64(struct trace_event_raw_sys_enter *ctx)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	struct watched_fd *wf = watched(pid_tgid, ctx->args[1]);
	__u64 mask;

	if (!wf)
		return 0;
	mask = wf->ident_mask;
	taint_with(pid_tgid >> 32, mask);
	return on_send_enter(ctx->args[0], 0, ctx->args[3], CALL_SENDFILE, 0, mask, 0, 0);
}

SEC("tracepoint/syscalls/sys_exit_sendfile64")
int handle_sys_exit_sendfile64(struct trace_event_raw_sys_exit *ctx)
{
	return on_send_exit(ctx->ret);
}

/* splice moves file content through a pipe: from an identifier file it taints the process and
 * marks the pipe as holding the file's bytes; from such a pipe to a socket it sends them. */
SEC("tracepoint/syscalls/sys_enter_splice")
int handle_sys_enter_splice(struct trace_event_raw_sys_enter *ctx)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	struct watched_fd *wf = watched(pid_tgid, ctx->args[0]);
	__u64 content = 0;

	if (wf) {
		content = wf->ident_mask;
		taint_with(pid_tgid >> 32, content);
	} else {
		struct file *f = current_fd_file(ctx->args[0]);
		struct channel_taint *ct;
		__u64 chan;
		__u16 kind;

		chan = f ? channel_of(f, 0, &kind) : 0;
		ct = chan ? bpf_map_lookup_elem(&tainted_channels, &chan) : NULL;
		if (ct)
			content = ct->file_mask;
	}
	return on_send_enter(ctx->args[2], 0, ctx->args[4], CALL_SPLICE, 0, content, 0, 0);
}

SEC("tracepoint/syscalls/sys_exit_splice")
int handle_sys_exit_splice(struct trace_event_raw_sys_exit *ctx)
{
	long ret = ctx->ret;

	/* a reader splicing out of a pipe another process tainted */
	if (ret > 0)
		taint_from_channel_read(bpf_get_current_pid_tgid(), exiting_syscall_arg(0));
	return on_send_exit(ret);
}

/* A tainted process opening a raw or packet socket can send anything past the socket layer. */
SEC("tracepoint/syscalls/sys_enter_socket")
int handle_sys_enter_socket(struct trace_event_raw_sys_enter *ctx)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u32 family = ctx->args[0], type = ctx->args[1] & 0xf;
	struct proc_taint *t;
	struct send_event *ev;

	/* a netlink socket is raw too (glibc's getaddrinfo opens one), but talks to the kernel */
	if ((family != AF_PACKET && type != SOCK_RAW_TYPE) || family == AF_NETLINK)
		return 0;
	t = live_taint(pid_tgid >> 32);
	ev = t ? send_event_begin(EVENT_SEND, pid_tgid, t->ident_mask, t->last_ns,
				    CALL_RAW_SOCKET, 0, 0) : NULL;
	if (!ev)
		return 0;
	ev->family = family;
	ev->sock_type = type;
	ev->protocol = ctx->args[2];
	emit_send_event(ev);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_sendmsg")
int handle_sys_exit_sendmsg(struct trace_event_raw_sys_exit *ctx)
{
	return on_send_exit(ctx->ret);
}
