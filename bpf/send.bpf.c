// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* send.bpf.c: sends by tainted processes: sampled payload and destination from kernel state. */
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

/* ---- modem ttys ------------------------------------------------------------------------------ */

/* A write to a modem tty the policy names: AT commands (whose replies the agent pairs with them)
 * and SMS bodies. Reported whether or not the writer is tainted: the command comes before the
 * reply that taints it. Returns 1 when fd is such a tty. */
static __always_inline int modem_write(__u64 pid_tgid, __u32 fd, __u64 buf, __u64 len,
				       __u16 is_iov, const struct proc_taint *t)
{
	struct flow_event *ev;
	struct watched_fd *wf;

	wf = watched(pid_tgid, fd);
	if (!wf || !is_modem(wf->dev, wf->ino))
		return 0;
	ev = flow_event_begin(EVENT_TTY_WRITE, pid_tgid, t->ident_mask, t->last_ns, wf->ino,
			      CHANNEL_TTY, FLOW_WRITE);
	if (!ev)
		return 1;
	ev->sample_len = sample_sent(ev->sample, buf, len, is_iov, sample_bytes);
	emit_flow_event(ev);
	return 1;
}

/* ---- outbound sends ------------------------------------------------------------------------- */

/* dest, dest_len: the address a sendto/sendmsg names (user memory), else 0. */
#define FILE_IOV_BYTES 2048 /* of a writev into a file, sampled after the path */

/* sample_iov for a file write, into sample after the path: at most FILE_IOV_BYTES. */
static __always_inline __u32 sample_file_iov(__u8 *sample, __u64 iov_ptr, __u64 iovcnt,
					     __u32 limit)
{
	__u32 off = 0, at;
	int i;

	for (i = 0; i < MAX_IOV_SEGMENTS; i++) {
		struct iovec iov;
		__u64 n;

		if (i >= iovcnt || off >= limit || off >= FILE_IOV_BYTES)
			break;
		if (bpf_probe_read_user(&iov, sizeof(iov), (void *)(iov_ptr + i * sizeof(iov))))
			break;
		n = iov.iov_len;
		if (n > limit - off)
			n = limit - off;
		if (n > FILE_IOV_BYTES - off)
			n = FILE_IOV_BYTES - off;
		/* the compiler knows off < FILE_IOV_BYTES and would drop the mask the verifier needs */
		at = off;
		asm volatile("" : "+r"(at));
		at &= FILE_IOV_BYTES - 1;
		if (bpf_probe_read_user(sample + FILE_PATH_BYTES + at, n & (FILE_IOV_BYTES - 1),
					iov.iov_base))
			break;
		off += n & (FILE_IOV_BYTES - 1);
	}
	return off;
}

/* A tainted process writes into a regular file: what it writes is sampled for the agent, which
 * makes the file an identifier file when a form of a held value is in it (an app caching the
 * IMEI, a log line with the machine-id), so that a later reader is tainted. The first
 * FILE_WRITES_SAMPLED writes of each file by each process are. */
static __always_inline void report_file_write(struct file *f, const struct proc_taint *t,
					      __u64 pid_tgid, __u32 fd, __u64 buf, __u64 len,
					      int is_iov)
{
	struct inode *inode = BPF_CORE_READ(f, f_inode);
	struct file_write_key key = { .tgid = pid_tgid >> 32 };
	struct send_event *ev;
	__u32 one = 1, *seen;
	__u64 dev, n;

	if ((BPF_CORE_READ(inode, i_mode) & S_IFMT) != S_IFREG)
		return;
	key.ino = BPF_CORE_READ(inode, i_ino);
	seen = bpf_map_lookup_elem(&file_writes, &key);
	if (seen && *seen >= FILE_WRITES_SAMPLED)
		return;
	if (seen)
		__sync_fetch_and_add(seen, 1);
	else
		bpf_map_update_elem(&file_writes, &key, &one, BPF_ANY);
	ev = send_event_begin(EVENT_SEND, pid_tgid, t->ident_mask, t->last_ns, CALL_FILE_WRITE,
			      fd, len);
	if (!ev)
		return;
	ev->flags = SEND_TO_FILE;
	dev = BPF_CORE_READ(inode, i_sb, s_dev);
	__builtin_memcpy(ev->daddr, &dev, 8);
	__builtin_memcpy(ev->daddr + 8, &key.ino, 8);
	/* the path first: the writer may have closed the file before the agent reads the event */
	file_path_parts(f, (char *)ev->sample);
	n = sample_bytes;
	if (n > MAX_SAMPLE_BYTES - FILE_PATH_BYTES)
		n = MAX_SAMPLE_BYTES - FILE_PATH_BYTES;
	if (!is_iov && len < n)
		n = len;
	if (is_iov) {
		n = sample_file_iov(ev->sample, buf, len, n);
	} else if (bpf_probe_read_user(ev->sample + FILE_PATH_BYTES,
				       n & (MAX_SAMPLE_BYTES - FILE_PATH_BYTES - 1), (void *)buf)) {
		count(STAT_READ_USER_FAILED);
		n = 0;
	}
	if (n > MAX_SAMPLE_BYTES - FILE_PATH_BYTES)
		n = MAX_SAMPLE_BYTES - FILE_PATH_BYTES;
	ev->sample_len = FILE_PATH_BYTES + n;
	emit(ev, offsetof(struct send_event, sample) + FILE_PATH_BYTES + n);
}

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
	    modem_write(pid_tgid, fd, buf, len, is_iov, t))
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
			report_file_write(f, t, pid_tgid, fd, buf, len, is_iov);
		return 0;
	}
	/* inet, and packet sockets: frames a process builds itself (DHCP clients do) */
	if (family != AF_INET && family != AF_INET6 && family != AF_PACKET)
		return 0;
	/* to a process of this host: its receiver carries the taint on (the socket-layer
	 * tracepoint does this when attached) */
	if (!sock_layer_on && family != AF_PACKET)
		taint_channel(loopback_channel_out(sk, dest, dest_len), CHANNEL_LOOPBACK, t, pid_tgid,
			      buf, len, is_iov, content_mask);
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
	tc = bpf_map_lookup_elem(&tls_calls, &pid_tgid);
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
	if (ret <= 0)
		return 0;
	ev = send_event_begin(EVENT_SEND, pid_tgid, ps.taint_mask, ps.taint_ns, ps.call, ps.fd,
			      result);
	if (!ev)
		return 0;
	ev->flags = ps.inside_tls ? SEND_INSIDE_TLS : 0;
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
		taint_from_channel_read(bpf_get_current_pid_tgid());
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

	if (family != AF_PACKET && type != SOCK_RAW_TYPE)
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

/* ---- destinations from the kernel's copy of the address (cgroup sock_addr hooks) -------------- */

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
