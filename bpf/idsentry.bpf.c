// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* idsentry.bpf.c: identifier reads taint a process; its later sends are sampled to the agent. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_endian.h>
#include "idsentry.h"
#include "maps.bpf.h"
#include "task.bpf.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* Set by the agent before load. */
const volatile __u32 agent_tgid = 0;
const volatile __u32 sample_bytes = DEFAULT_SAMPLE_BYTES;

/* Written by the agent at run time through the skeleton's bss. */
__u64 taint_ttl_ns = 0;     /* taint older than this is ignored; 0: never expires */
__u64 registering_mask = 0; /* nonzero while the agent opens identifier files to register them */

static __always_inline void count(enum stat_cause cause)
{
	__u32 key = cause;
	__u64 *v = bpf_map_lookup_elem(&stats, &key);

	if (v)
		*v += 1;
}

static __always_inline void fill_header(struct event_header *h, __u32 type, __u64 pid_tgid)
{
	h->type = type;
	h->tgid = pid_tgid >> 32;
	h->tid = (__u32)pid_tgid;
	h->uid = (__u32)bpf_get_current_uid_gid();
	h->ts_ns = bpf_ktime_get_boot_ns();
	bpf_get_current_comm(h->comm, sizeof(h->comm));
}

static __always_inline void emit(void *ev, __u64 size)
{
	if (bpf_ringbuf_output(&events, ev, size, 0))
		count(STAT_RINGBUF_FULL);
}

/* Tells the agent who a newly tainted or exec'd process is, while it is certainly alive. */
static __always_inline void emit_proc_info(__u64 pid_tgid)
{
	__u32 zero = 0;
	struct proc_info_event *ev = bpf_map_lookup_elem(&info_scratch, &zero);

	if (!ev)
		return;
	fill_header(&ev->hdr, EVENT_PROC_INFO, pid_tgid);
	current_exe_and_args(ev);
	emit(ev, sizeof(*ev));
}

/* Taint is live when it carries bits and has not outlived the longest rule window. */
static __always_inline struct proc_taint *live_taint(__u32 tgid)
{
	struct proc_taint *t = bpf_map_lookup_elem(&taint, &tgid);

	if (!t || !t->ident_mask)
		return NULL;
	if (taint_ttl_ns && bpf_ktime_get_boot_ns() - t->last_ns > taint_ttl_ns)
		return NULL;
	return t;
}

/* ---- identifier access ---------------------------------------------------------------------- */

static __always_inline int on_open_exit(long ret)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u32 tgid = pid_tgid >> 32;
	struct watch_key key;
	struct watched_fd wf;
	struct fd_key fk;
	struct proc_taint *t;
	struct inode *inode;
	struct file *f;
	__u64 *mask;

	if (ret < 0)
		return 0;
	/* identify the opened file by inode, so paths, links and mounts do not matter */
	f = current_fd_file(ret);
	if (!f)
		return 0;
	inode = BPF_CORE_READ(f, f_inode);
	key.dev = BPF_CORE_READ(inode, i_sb, s_dev);
	key.ino = BPF_CORE_READ(inode, i_ino);
	/* the agent's own opens register identifier files instead */
	if (tgid == agent_tgid) {
		__u64 bits = registering_mask;

		if (!bits)
			return 0;
		mask = bpf_map_lookup_elem(&watched_inodes, &key);
		if (mask)
			bits |= *mask;
		if (bpf_map_update_elem(&watched_inodes, &key, &bits, BPF_ANY))
			count(STAT_WATCH_MAP_FULL);
		return 0;
	}
	mask = bpf_map_lookup_elem(&watched_inodes, &key);
	if (!mask)
		return 0;
	/* remember the fd so reads on it are captured */
	fk.tgid = tgid;
	fk.fd = ret;
	wf.ident_mask = *mask;
	wf.dev = key.dev;
	wf.ino = key.ino;
	if (bpf_map_update_elem(&watched_fds, &fk, &wf, BPF_ANY)) {
		count(STAT_FD_MAP_FULL);
		return 0;
	}
	/* a process entry marks the tgid for cleanup at exit; taint bits come with the read */
	t = bpf_map_lookup_elem(&taint, &tgid);
	if (t) {
		__sync_fetch_and_add(&t->watched_fds, 1);
		return 0;
	}
	struct proc_taint fresh = { .watched_fds = 1 };

	if (bpf_map_update_elem(&taint, &tgid, &fresh, BPF_NOEXIST)) {
		count(STAT_TAINT_MAP_FULL);
		return 0;
	}
	emit_proc_info(pid_tgid);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_openat")
int handle_sys_exit_openat(struct trace_event_raw_sys_exit *ctx)
{
	return on_open_exit(ctx->ret);
}

SEC("tracepoint/syscalls/sys_exit_openat2")
int handle_sys_exit_openat2(struct trace_event_raw_sys_exit *ctx)
{
	return on_open_exit(ctx->ret);
}

SEC("tracepoint/syscalls/sys_exit_open")
int handle_sys_exit_open(struct trace_event_raw_sys_exit *ctx)
{
	return on_open_exit(ctx->ret);
}

static __always_inline int on_read_enter(__u32 fd, __u64 buf, __u64 offset, __u16 call)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	struct fd_key fk = { .tgid = pid_tgid >> 32, .fd = fd };
	struct pending_read pr = {};
	struct watched_fd *wf;

	/* the one lookup every reader pays */
	wf = bpf_map_lookup_elem(&watched_fds, &fk);
	if (!wf)
		return 0;
	pr.buf = buf;
	pr.offset = offset;
	pr.watch = *wf;
	pr.fd = fd;
	pr.call = call;
	if (bpf_map_update_elem(&pending_reads, &pid_tgid, &pr, BPF_ANY))
		count(STAT_PENDING_FULL);
	return 0;
}

static __always_inline int on_read_exit(long ret)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u32 tgid = pid_tgid >> 32;
	struct ident_read_event *ev;
	struct pending_read *p, pr;
	struct proc_taint *t;
	__u64 src, n, now;
	__u32 zero = 0;

	p = bpf_map_lookup_elem(&pending_reads, &pid_tgid);
	if (!p)
		return 0;
	pr = *p;
	bpf_map_delete_elem(&pending_reads, &pid_tgid);
	if (ret <= 0)
		return 0;
	/* taint the process group with the identifiers it received */
	now = bpf_ktime_get_boot_ns();
	t = bpf_map_lookup_elem(&taint, &tgid);
	if (t) {
		t->ident_mask |= pr.watch.ident_mask;
		t->last_ns = now;
	} else {
		struct proc_taint fresh = { .ident_mask = pr.watch.ident_mask, .last_ns = now };

		if (bpf_map_update_elem(&taint, &tgid, &fresh, BPF_ANY))
			count(STAT_TAINT_MAP_FULL);
	}
	/* copy the bytes the process actually received, for the agent to learn the value */
	ev = bpf_map_lookup_elem(&read_scratch, &zero);
	if (!ev)
		return 0;
	fill_header(&ev->hdr, EVENT_IDENT_READ, pid_tgid);
	ev->ident_mask = pr.watch.ident_mask;
	ev->dev = pr.watch.dev;
	ev->ino = pr.watch.ino;
	ev->source = SOURCE_FILE;
	ev->call = pr.call;
	ev->total = ret;
	src = pr.buf;
	n = ret;
	if (pr.call == CALL_READV || pr.call == CALL_PREADV) {
		struct iovec iov;

		if (bpf_probe_read_user(&iov, sizeof(iov), (void *)pr.buf)) {
			count(STAT_READ_USER_FAILED);
			return 0;
		}
		src = (__u64)iov.iov_base;
		if (n > iov.iov_len)
			n = iov.iov_len;
	}
	if (pr.call == CALL_READ || pr.call == CALL_READV) {
		struct file *f = current_fd_file(pr.fd);

		ev->offset = f ? BPF_CORE_READ(f, f_pos) - ret : 0;
	} else {
		ev->offset = pr.offset;
	}
	if (n > MAX_VALUE_BYTES)
		n = MAX_VALUE_BYTES;
	ev->len = n;
	if (bpf_probe_read_user(ev->data, n, (void *)src)) {
		count(STAT_READ_USER_FAILED);
		return 0;
	}
	emit(ev, offsetof(struct ident_read_event, data) + n);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_read")
int handle_sys_enter_read(struct trace_event_raw_sys_enter *ctx)
{
	return on_read_enter(ctx->args[0], ctx->args[1], 0, CALL_READ);
}

SEC("tracepoint/syscalls/sys_exit_read")
int handle_sys_exit_read(struct trace_event_raw_sys_exit *ctx)
{
	return on_read_exit(ctx->ret);
}

SEC("tracepoint/syscalls/sys_enter_pread64")
int handle_sys_enter_pread64(struct trace_event_raw_sys_enter *ctx)
{
	return on_read_enter(ctx->args[0], ctx->args[1], ctx->args[3], CALL_PREAD64);
}

SEC("tracepoint/syscalls/sys_exit_pread64")
int handle_sys_exit_pread64(struct trace_event_raw_sys_exit *ctx)
{
	return on_read_exit(ctx->ret);
}

SEC("tracepoint/syscalls/sys_enter_readv")
int handle_sys_enter_readv(struct trace_event_raw_sys_enter *ctx)
{
	return on_read_enter(ctx->args[0], ctx->args[1], 0, CALL_READV);
}

SEC("tracepoint/syscalls/sys_exit_readv")
int handle_sys_exit_readv(struct trace_event_raw_sys_exit *ctx)
{
	return on_read_exit(ctx->ret);
}

SEC("tracepoint/syscalls/sys_enter_preadv")
int handle_sys_enter_preadv(struct trace_event_raw_sys_enter *ctx)
{
	return on_read_enter(ctx->args[0], ctx->args[1], ctx->args[3], CALL_PREADV);
}

SEC("tracepoint/syscalls/sys_exit_preadv")
int handle_sys_exit_preadv(struct trace_event_raw_sys_exit *ctx)
{
	return on_read_exit(ctx->ret);
}

SEC("tracepoint/syscalls/sys_enter_close")
int handle_sys_enter_close(struct trace_event_raw_sys_enter *ctx)
{
	struct fd_key fk = { .tgid = bpf_get_current_pid_tgid() >> 32, .fd = ctx->args[0] };
	struct proc_taint *t;

	/* deleting is the lookup: a miss costs the same as one */
	if (bpf_map_delete_elem(&watched_fds, &fk))
		return 0;
	t = bpf_map_lookup_elem(&taint, &fk.tgid);
	if (t && t->watched_fds)
		__sync_fetch_and_add(&t->watched_fds, -1);
	return 0;
}

/* ---- outbound sends ------------------------------------------------------------------------- */

static __always_inline int on_send_enter(__u32 fd, __u64 buf, __u64 len, __u16 call, __u16 is_iov)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u32 tgid = pid_tgid >> 32;
	struct pending_send ps = {};
	struct proc_taint *t;
	struct sock *sk;
	struct file *f;
	__u16 family;

	if (tgid == agent_tgid)
		return 0;
	/* the one lookup every untainted sender pays */
	t = live_taint(tgid);
	if (!t)
		return 0;
	f = current_fd_file(fd);
	if (!f)
		return 0;
	sk = file_sock(f);
	if (!sk)
		return 0;
	family = BPF_CORE_READ(sk, __sk_common.skc_family);
	if (family != AF_INET && family != AF_INET6)
		return 0;
	ps.buf = buf;
	ps.len = len;
	ps.taint_mask = t->ident_mask;
	ps.taint_ns = t->last_ns;
	ps.fd = fd;
	ps.call = call;
	ps.is_iov = is_iov;
	if (bpf_map_update_elem(&pending_sends, &pid_tgid, &ps, BPF_ANY))
		count(STAT_PENDING_FULL);
	return 0;
}

/* Copies up to 'limit' bytes of an iovec array into the sample. */
static __always_inline __u32 sample_iov(__u8 *sample, __u64 iov_ptr, __u64 iovcnt, __u32 limit)
{
	__u32 off = 0;
	int i;

	for (i = 0; i < MAX_IOV_SEGMENTS; i++) {
		struct iovec iov;
		__u64 n;

		if (i >= iovcnt || off >= limit)
			break;
		if (bpf_probe_read_user(&iov, sizeof(iov), (void *)(iov_ptr + i * sizeof(iov))))
			break;
		n = iov.iov_len;
		if (n > limit - off)
			n = limit - off;
		if (n > MAX_SAMPLE_BYTES)
			n = MAX_SAMPLE_BYTES;
		off &= MAX_SAMPLE_BYTES - 1;
		if (bpf_probe_read_user(sample + off, n, iov.iov_base)) {
			count(STAT_READ_USER_FAILED);
			break;
		}
		off += n;
	}
	return off;
}

static __always_inline int on_send_exit(long ret)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	struct send_scratch *scratch;
	struct pending_send *p, ps;
	struct send_event *ev;
	__u32 zero = 0, limit;
	struct file *f;
	struct sock *sk;

	p = bpf_map_lookup_elem(&pending_sends, &pid_tgid);
	if (!p)
		return 0;
	ps = *p;
	bpf_map_delete_elem(&pending_sends, &pid_tgid);
	if (ret <= 0)
		return 0;
	scratch = bpf_map_lookup_elem(&send_scratch, &zero);
	if (!scratch)
		return 0;
	ev = &scratch->ev;
	fill_header(&ev->hdr, EVENT_SEND, pid_tgid);
	ev->taint_mask = ps.taint_mask;
	ev->taint_ns = ps.taint_ns;
	ev->result = ret;
	ev->call = ps.call;
	ev->fd = ps.fd;
	ev->flags = 0;
	__builtin_memset(ev->daddr, 0, sizeof(ev->daddr));
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
	/* sample what was actually sent */
	limit = sample_bytes;
	if (limit > MAX_SAMPLE_BYTES)
		limit = MAX_SAMPLE_BYTES;
	if ((__u64)ret > limit) {
		ev->flags |= SEND_SAMPLE_TRUNCATED;
		count(STAT_SAMPLE_TRUNCATED);
	} else {
		limit = ret;
	}
	if (ps.is_iov) {
		ev->sample_len = sample_iov(ev->sample, ps.buf, ps.len, limit);
	} else {
		if (bpf_probe_read_user(ev->sample, limit, (void *)ps.buf)) {
			count(STAT_READ_USER_FAILED);
			limit = 0;
		}
		ev->sample_len = limit;
	}
	limit = ev->sample_len;
	if (limit > MAX_SAMPLE_BYTES)
		limit = MAX_SAMPLE_BYTES;
	emit(ev, offsetof(struct send_event, sample) + limit);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_write")
int handle_sys_enter_write(struct trace_event_raw_sys_enter *ctx)
{
	return on_send_enter(ctx->args[0], ctx->args[1], ctx->args[2], CALL_WRITE, 0);
}

SEC("tracepoint/syscalls/sys_exit_write")
int handle_sys_exit_write(struct trace_event_raw_sys_exit *ctx)
{
	return on_send_exit(ctx->ret);
}

SEC("tracepoint/syscalls/sys_enter_writev")
int handle_sys_enter_writev(struct trace_event_raw_sys_enter *ctx)
{
	return on_send_enter(ctx->args[0], ctx->args[1], ctx->args[2], CALL_WRITEV, 1);
}

SEC("tracepoint/syscalls/sys_exit_writev")
int handle_sys_exit_writev(struct trace_event_raw_sys_exit *ctx)
{
	return on_send_exit(ctx->ret);
}

SEC("tracepoint/syscalls/sys_enter_sendto")
int handle_sys_enter_sendto(struct trace_event_raw_sys_enter *ctx)
{
	return on_send_enter(ctx->args[0], ctx->args[1], ctx->args[2], CALL_SENDTO, 0);
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
	return on_send_enter(ctx->args[0], (__u64)msg.msg_iov, msg.msg_iovlen, CALL_SENDMSG, 1);
}

SEC("tracepoint/syscalls/sys_exit_sendmsg")
int handle_sys_exit_sendmsg(struct trace_event_raw_sys_exit *ctx)
{
	return on_send_exit(ctx->ret);
}

/* ---- destinations from the kernel's copy of the address (cgroup sock_addr hooks) -------------- */

static __always_inline void note_sendmsg_dest(struct bpf_sock_addr *ctx, __u16 family)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	struct pending_send *ps = bpf_map_lookup_elem(&pending_sends, &pid_tgid);

	if (!ps)
		return;
	ps->family = family;
	ps->dport = bpf_ntohs((__u16)ctx->user_port);
	if (family == AF_INET) {
		__u32 a = ctx->user_ip4;

		__builtin_memcpy(ps->daddr, &a, sizeof(a));
	} else {
		__u32 a[4] = { ctx->user_ip6[0], ctx->user_ip6[1], ctx->user_ip6[2],
			       ctx->user_ip6[3] };

		__builtin_memcpy(ps->daddr, a, sizeof(a));
	}
	ps->dest_set = 1;
}

SEC("cgroup/sendmsg4")
int handle_cgroup_sendmsg4(struct bpf_sock_addr *ctx)
{
	note_sendmsg_dest(ctx, AF_INET);
	return 1;
}

SEC("cgroup/sendmsg6")
int handle_cgroup_sendmsg6(struct bpf_sock_addr *ctx)
{
	note_sendmsg_dest(ctx, AF_INET6);
	return 1;
}

/* A tainted process connecting is reported (no payload) with the address the kernel will use. */
static __always_inline void note_connect(struct bpf_sock_addr *ctx, __u16 family)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	struct send_scratch *scratch;
	struct proc_taint *t;
	struct send_event *ev;
	__u32 zero = 0;

	if ((pid_tgid >> 32) == agent_tgid)
		return;
	t = live_taint(pid_tgid >> 32);
	if (!t)
		return;
	scratch = bpf_map_lookup_elem(&send_scratch, &zero);
	if (!scratch)
		return;
	ev = &scratch->ev;
	fill_header(&ev->hdr, EVENT_SEND, pid_tgid);
	ev->taint_mask = t->ident_mask;
	ev->taint_ns = t->last_ns;
	ev->result = 0;
	ev->call = CALL_CONNECT;
	ev->fd = 0;
	ev->family = family;
	ev->sock_type = ctx->type;
	ev->protocol = ctx->protocol;
	ev->dport = bpf_ntohs((__u16)ctx->user_port);
	__builtin_memset(ev->daddr, 0, sizeof(ev->daddr));
	if (family == AF_INET) {
		__u32 a = ctx->user_ip4;

		__builtin_memcpy(ev->daddr, &a, sizeof(a));
	} else {
		__u32 a[4] = { ctx->user_ip6[0], ctx->user_ip6[1], ctx->user_ip6[2],
			       ctx->user_ip6[3] };

		__builtin_memcpy(ev->daddr, a, sizeof(a));
	}
	ev->flags = SEND_DEST_FROM_CGROUP;
	ev->sample_len = 0;
	emit(ev, offsetof(struct send_event, sample));
}

SEC("cgroup/connect4")
int handle_cgroup_connect4(struct bpf_sock_addr *ctx)
{
	note_connect(ctx, AF_INET);
	return 1;
}

SEC("cgroup/connect6")
int handle_cgroup_connect6(struct bpf_sock_addr *ctx)
{
	note_connect(ctx, AF_INET6);
	return 1;
}

/* ---- process lifecycle ---------------------------------------------------------------------- */

SEC("raw_tp/sched_process_fork")
int BPF_PROG(handle_sched_process_fork, struct task_struct *parent, struct task_struct *child)
{
	__u32 ptgid = BPF_CORE_READ(parent, tgid);
	__u32 ctgid = BPF_CORE_READ(child, tgid);
	struct proc_taint *t, inherited = {};

	/* threads share the tgid's entry already */
	if (ptgid == ctgid)
		return 0;
	t = live_taint(ptgid);
	if (!t)
		return 0;
	inherited.ident_mask = t->ident_mask;
	inherited.last_ns = t->last_ns;
	if (bpf_map_update_elem(&taint, &ctgid, &inherited, BPF_ANY))
		count(STAT_TAINT_MAP_FULL);
	return 0;
}

SEC("tracepoint/sched/sched_process_exec")
int handle_sched_process_exec(void *ctx)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();

	/* exec keeps the taint; the agent learns the new image */
	if (live_taint(pid_tgid >> 32))
		emit_proc_info(pid_tgid);
	return 0;
}

static long drop_fd_of_tgid(struct bpf_map *map, struct fd_key *key, struct watched_fd *val,
			    __u32 *tgid)
{
	if (key->tgid == *tgid)
		bpf_map_delete_elem(map, key);
	return 0;
}

SEC("tracepoint/sched/sched_process_exit")
int handle_sched_process_exit(void *ctx)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u32 tgid = pid_tgid >> 32;
	struct task_struct *task;
	struct proc_taint *t;
	__u32 zero = 0;

	t = bpf_map_lookup_elem(&taint, &tgid);
	if (!t)
		return 0;
	/* only the last thread of the group ends the process */
	task = (struct task_struct *)bpf_get_current_task();
	if (BPF_CORE_READ(task, signal, live.counter) != 0)
		return 0;
	if (t->watched_fds)
		bpf_for_each_map_elem(&watched_fds, drop_fd_of_tgid, &tgid, 0);
	if (t->ident_mask) {
		struct send_scratch *scratch = bpf_map_lookup_elem(&send_scratch, &zero);

		if (scratch) {
			struct proc_exit_event *ev = (struct proc_exit_event *)&scratch->ev;

			fill_header(&ev->hdr, EVENT_PROC_EXIT, pid_tgid);
			ev->taint_mask = t->ident_mask;
			emit(ev, sizeof(*ev));
		}
	}
	bpf_map_delete_elem(&taint, &tgid);
	return 0;
}
