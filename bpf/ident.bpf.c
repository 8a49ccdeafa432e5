// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* ident.bpf.c: identifier files: opens of watched inodes, the bytes read from them, taint. */
/* the open and read exits load a file's fields directly where the kernel can cast (task.bpf.h) */
#define FILE_CASTS
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include "idsentry.h"
#include "maps.bpf.h"
#include "task.bpf.h"
#include "common.bpf.h"
#include "flow.bpf.h"
#include "watch.bpf.h"

/* ---- identifier access ---------------------------------------------------------------------- */

/* An open of a watched file while the other syscall hooks are away: the open exits stay attached
 * as the gate where fanotify cannot be (user/hook_gate.c). Its read will not be seen, so the
 * opener is tainted at the open, the pipes it could write to are marked, and the agent is woken
 * at once: it reads the file for the value and calls the hooks back. The open of a watched
 * directory, whose listing no read hook sees, is reported the same way with the hooks on. */
static __always_inline void opened_unhooked(__u64 pid_tgid, const struct watched_fd *wf)
{
	__u32 tgid = pid_tgid >> 32, zero = 0;
	struct ident_read_event *ev;
	struct proc_taint *t;
	__u64 now;

	now = taint_with(tgid, wf->ident_mask);
	t = bpf_map_lookup_elem(&taint, &tgid);
	if (t)
		taint_pipes_held_for_writing(pid_tgid, t);
	ev = bpf_map_lookup_elem(&read_scratch, &zero);
	if (!ev)
		return;
	fill_header_at(&ev->hdr, EVENT_IDENT_READ, pid_tgid, now);
	ev->ident_mask = wf->ident_mask;
	ev->dev = wf->dev;
	ev->ino = wf->ino;
	ev->offset = 0;
	ev->len = 0;
	ev->total = 0;
	ev->source = SOURCE_FILE;
	ev->call = CALL_OPEN;
	emit_now(ev, offsetof(struct ident_read_event, data));
}

static __always_inline int on_open_exit(long ret)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u32 tgid = pid_tgid >> 32;
	struct watch_key key;
	struct watched_fd wf;
	struct file *f;
	__u64 *mask;

	if (ret < 0)
		return 0;
	/* identify the opened file by inode, so paths, links and mounts do not matter */
	f = current_fd_file_direct(ret);
	if (!f)
		return 0;
	file_watch_key(f, &key);
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
		if (registering_modem) {
			__u8 one = 1;

			if (bpf_map_update_elem(&modem_inodes, &key, &one, BPF_ANY))
				count(STAT_WATCH_MAP_FULL);
			else
				modem_inodes_used = 1;
		}
		return 0;
	}
	mask = bpf_map_lookup_elem(&watched_inodes, &key);
	if (!mask)
		return 0;
	/* remember the fd so reads on it are captured */
	watched_fd_of(&wf, f, &key, *mask);
	watch_fd(pid_tgid, ret, &wf);
	/* a watched directory's names are what it holds (/dev/disk/by-id): its listing is no read
	 * the hooks see, so its opener is tainted at the open */
	if (!syscall_hooks_on || (file_mode(f) & S_IFMT) == S_IFDIR)
		opened_unhooked(pid_tgid, &wf);
	return 0;
}

#define FSNOTIFY_OPEN 0x00000020 /* FS_OPEN, include/linux/fsnotify_backend.h */

/* The gate where fanotify is missing but kprobes are not (Android GKI): the agent puts an inotify
 * IN_OPEN mark on each watched file, so inotify's handler runs for opens of those files only, in
 * the opener's context and before its open() returns (user/hook_gate.c). The fd is not installed
 * yet: the opener is tainted as the open exits would while the other hooks are away. Another
 * inotify group's open mark on a watched file runs this too; the second report changes nothing. */
SEC("kprobe/inotify_handle_inode_event")
int BPF_KPROBE(gate_inotify_open, void *mark, __u32 mask, struct inode *inode)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	struct watch_key key;
	struct watched_fd wf;
	__u64 *bits;

	if (!(mask & FSNOTIFY_OPEN) || !inode || (__u32)(pid_tgid >> 32) == agent_tgid ||
	    syscall_hooks_on)
		return 0;
	key.dev = BPF_CORE_READ(inode, i_sb, s_dev);
	key.ino = BPF_CORE_READ(inode, i_ino);
	bits = bpf_map_lookup_elem(&watched_inodes, &key);
	if (!bits)
		return 0;
	wf.ident_mask = *bits;
	wf.dev = key.dev;
	wf.ino = key.ino;
	opened_unhooked(pid_tgid, &wf);
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

/* What a read of an identifier file gave: the file, the place in it, how much and the bytes (the
 * first MAX_VALUE_BYTES, copied into ev), hashed; never 0. */
static __always_inline __u64 read_signature(const struct ident_read_event *ev)
{
	const __u64 prime = 0x100000001b3ULL;
	__u64 h = (ev->dev * prime ^ ev->ino) * prime;
	__u32 len = ev->len, i;

	h = (h ^ ev->offset) * prime;
	h = (h ^ ev->total) * prime;
	h = (h ^ len) * prime;
	for (i = 0; i < MAX_VALUE_BYTES / 8; i++) {
		__u64 w;

		if (i * 8 >= len)
			break;
		__builtin_memcpy(&w, ev->data + i * 8, sizeof(w));
		/* the scratch past len holds an earlier event's bytes */
		if (len - i * 8 < 8)
			w &= (1ULL << ((len - i * 8) * 8)) - 1;
		h = (h ^ w) * prime;
	}
	return h | 1;
}

/* Whether the agent was told of this very read (see read_signature) less than READ_REPEAT_NS
 * ago: a process polling an identifier file is told of once a second, not at each read (each
 * event cost the read exit about 60 ns, and the agent its handling). A different value, place or
 * file is told at once. The taint entry keeps the one read last told; fork starts the child's
 * afresh and exec clears it (proc.bpf.c). */
static __always_inline int read_told_lately(struct proc_taint *t,
					    const struct ident_read_event *ev, __u64 now)
{
	__u64 sig;

	if (!t)
		return 0;
	sig = read_signature(ev);
	if (t->read_sig == sig && now - t->read_sig_ns < READ_REPEAT_NS) {
		count(STAT_READ_REPEATS);
		return 1;
	}
	t->read_sig = sig;
	t->read_sig_ns = now;
	return 0;
}

/* A read, pread64, readv or preadv is seen at its exit alone: its fd, buffer and offset are the
 * arguments the registers saved at its entry still hold (exiting_syscall_arg). An enter hook that
 * kept them for the exit cost every read of every process a second tracepoint run while the
 * hooks are attached. */
static __always_inline int on_read_exit(long ret, __u16 call)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u32 tgid = pid_tgid >> 32, fd, zero = 0;
	struct ident_read_event *ev;
	struct watched_fd *wf, watch;
	struct proc_taint *t;
	struct file *f = NULL;
	struct pt_regs *regs;
	__u64 src, n, now;
	long len;

	if (ret <= 0)
		return 0;
	regs = exiting_syscall_regs();
	fd = syscall_regs_arg(regs, 0);
	/* the one lookup every reader pays (and, for a watched fd, a look at its file) */
	wf = watched_file(pid_tgid, fd, &f);
	if (!wf) {
		/* not an identifier file; perhaps a pipe or socket another process tainted */
		taint_from_channel_read(pid_tgid, fd);
		return 0;
	}
	watch = *wf;
	/* taint the process group with the identifiers it received */
	t = taint_entry_with(tgid, watch.ident_mask, &now);
	/* copy the bytes the process actually received, for the agent to learn the value */
	ev = bpf_map_lookup_elem(&read_scratch, &zero);
	if (!ev)
		return 0;
	ev->ident_mask = watch.ident_mask;
	ev->dev = watch.dev;
	ev->ino = watch.ino;
	ev->source = SOURCE_FILE;
	ev->call = call;

	ev->total = ret;
	src = syscall_regs_arg(regs, 1);
	n = ret;
	if (call == CALL_READV || call == CALL_PREADV) {
		struct iovec iov;

		if (bpf_probe_read_user(&iov, sizeof(iov), (void *)src)) {
			count(STAT_READ_USER_FAILED);
			return 0;
		}
		src = (__u64)iov.iov_base;
		if (n > iov.iov_len)
			n = iov.iov_len;
	}
	if (call == CALL_READ || call == CALL_READV) {
		ev->offset = f ? file_pos(f) - ret : 0;
	} else {
		ev->offset = syscall_regs_arg(regs, 3);
	}
	/* a modem tty: the bytes are an AT reply, paired by the agent with the command before it
	 * (each is told); a tty has no file position */
	if (watch.flags & WATCHED_FD_MODEM) {
		ev->source = SOURCE_MODEM;
		ev->offset = 0;
	}
	len = copy_ident_bytes(ev, src, n);
	if (len < 0 || (!(watch.flags & WATCHED_FD_MODEM) && read_told_lately(t, ev, now)))
		return 0;
	/* the header last: a repeated read needs none */
	fill_header_at(&ev->hdr, EVENT_IDENT_READ, pid_tgid, now);
	emit(ev, offsetof(struct ident_read_event, data) + len);
	return 0;
}

SEC("tracepoint/syscalls/sys_exit_read")
int handle_sys_exit_read(struct trace_event_raw_sys_exit *ctx)
{
	return on_read_exit(ctx->ret, CALL_READ);
}

SEC("tracepoint/syscalls/sys_exit_pread64")
int handle_sys_exit_pread64(struct trace_event_raw_sys_exit *ctx)
{
	return on_read_exit(ctx->ret, CALL_PREAD64);
}

SEC("tracepoint/syscalls/sys_exit_readv")
int handle_sys_exit_readv(struct trace_event_raw_sys_exit *ctx)
{
	return on_read_exit(ctx->ret, CALL_READV);
}

SEC("tracepoint/syscalls/sys_exit_preadv")
int handle_sys_exit_preadv(struct trace_event_raw_sys_exit *ctx)
{
	return on_read_exit(ctx->ret, CALL_PREADV);
}
