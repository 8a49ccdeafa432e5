// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* uring.bpf.c: io_uring opens, reads and sends, which no syscall tracepoint sees, at completion. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include "idsentry.h"
#include "maps.bpf.h"
#include "task.bpf.h"
#include "common.bpf.h"
#include "sample.bpf.h"
#include "watch.bpf.h"

/* An identifier file opened through the ring: its fd is watched like an openat's. */
static __always_inline void uring_opened(__u64 pid_tgid, int fd)
{
	watch_fd_if_watched(pid_tgid, fd, current_fd_file(fd));
}

/* A read through the ring from an identifier file (by its inode: fixed files have no fd). */
static __always_inline void uring_read(__u64 pid_tgid, struct io_kiocb *req, __u8 op, int res)
{
	struct file *f = BPF_CORE_READ(req, file);
	struct ident_read_event *ev;
	struct watch_key key;
	__u64 *mask, src, n = res, now;
	__u32 zero = 0;

	mask = watched_inode(f, &key);
	if (!mask)
		return;
	now = taint_with(pid_tgid >> 32, *mask);
	ev = bpf_map_lookup_elem(&read_scratch, &zero);
	if (!ev)
		return;
	fill_header_at(&ev->hdr, EVENT_IDENT_READ, pid_tgid, now);
	ev->ident_mask = *mask;
	ev->dev = key.dev;
	ev->ino = key.ino;
	ev->source = SOURCE_FILE;
	ev->call = CALL_IO_URING_READ;
	ev->total = res;
	ev->offset = BPF_CORE_READ((struct io_rw *)req, kiocb.ki_pos) - res;
	src = BPF_CORE_READ((struct io_rw *)req, addr);
	if (op == bpf_core_enum_value(enum io_uring_op, IORING_OP_READV)) {
		struct iovec iov;

		if (bpf_probe_read_user(&iov, sizeof(iov), (void *)src))
			return;
		src = (__u64)iov.iov_base;
		if (n > iov.iov_len)
			n = iov.iov_len;
	}
	emit_ident_bytes(ev, src, n, 0);
}

/* A send or socket write through the ring by a tainted process. */
static __always_inline void uring_sent(__u64 pid_tgid, struct io_kiocb *req, __u8 op, int res)
{
	struct proc_taint *t;
	struct send_event *ev;
	__u64 src, n = res;
	struct file *f;
	struct sock *sk;
	int is_iov = 0;

	t = live_taint(pid_tgid >> 32);
	if (!t)
		return;
	f = BPF_CORE_READ(req, file);
	sk = f ? file_sock(f) : NULL;
	if (!sk)
		return;
	ev = send_event_begin(EVENT_SEND, pid_tgid, t->ident_mask, t->last_ns, CALL_IO_URING, -1,
			      res);
	if (!ev)
		return;
	sock_destination(sk, ev);
	ev->flags = SEND_DEST_FROM_SOCKET;
	if (op == bpf_core_enum_value(enum io_uring_op, IORING_OP_SEND)) {
		src = (__u64)BPF_CORE_READ((struct io_sr_msg *)req, buf);
	} else if (op == bpf_core_enum_value(enum io_uring_op, IORING_OP_SENDMSG)) {
		struct user_msghdr msg;

		if (bpf_probe_read_user(&msg, sizeof(msg), BPF_CORE_READ((struct io_sr_msg *)req, umsg)))
			return;
		src = (__u64)msg.msg_iov;
		n = msg.msg_iovlen;
		is_iov = 1;
	} else {
		src = BPF_CORE_READ((struct io_rw *)req, addr);
		if (op == bpf_core_enum_value(enum io_uring_op, IORING_OP_WRITEV)) {
			n = BPF_CORE_READ((struct io_rw *)req, len);
			is_iov = 1;
		}
	}
	/* the first sample, then the rest in parts, as a send syscall's (report_inet_send) */
	sample_send_event(ev, src, n, is_iov, res);
	send_first_part(ev, res);
	emit_send_event(ev);
	if (ev->flags & SEND_MORE_PARTS)
		emit_send_rest(src, n, is_iov, res);
}

/* Completions run in the submitting process (inline, task work, or its io-wq and SQPOLL threads,
 * which share its tgid), so the process is the current one. */
SEC("tracepoint/io_uring/io_uring_complete")
int handle_io_uring_complete(struct trace_event_raw_io_uring_complete *ctx)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	struct io_kiocb *req = ctx->req;
	int res = ctx->res;
	__u8 op;

	if ((pid_tgid >> 32) == agent_tgid || res < 0)
		return 0;
	op = BPF_CORE_READ(req, opcode);
	if (op == bpf_core_enum_value(enum io_uring_op, IORING_OP_OPENAT) ||
	    op == bpf_core_enum_value(enum io_uring_op, IORING_OP_OPENAT2))
		uring_opened(pid_tgid, res);
	else if (res > 0 && (op == bpf_core_enum_value(enum io_uring_op, IORING_OP_READ) ||
			     op == bpf_core_enum_value(enum io_uring_op, IORING_OP_READV) ||
			     op == bpf_core_enum_value(enum io_uring_op, IORING_OP_READ_FIXED)))
		uring_read(pid_tgid, req, op, res);
	else if (res > 0 && (op == bpf_core_enum_value(enum io_uring_op, IORING_OP_SEND) ||
			     op == bpf_core_enum_value(enum io_uring_op, IORING_OP_SENDMSG) ||
			     op == bpf_core_enum_value(enum io_uring_op, IORING_OP_WRITE) ||
			     op == bpf_core_enum_value(enum io_uring_op, IORING_OP_WRITEV)))
		uring_sent(pid_tgid, req, op, res);
	return 0;
}
