/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* task.bpf.h: reads of current-task state (fd table, sockets, exe path, argv) with CO-RE. */
#ifndef IDSENTRY_TASK_BPF_H
#define IDSENTRY_TASK_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>
#include "idsentry.h"

#define S_IFMT 00170000
#define S_IFREG 0100000
#define S_IFDIR 0040000
#define S_IFSOCK 0140000
#define AF_UNSPEC 0
#define AF_UNIX 1
#define AF_INET 2
#define AF_INET6 10
#define AF_NETLINK 16
#define AF_PACKET 17

/* A field of a struct sock, or of what hangs off it (its route, the route's device). The socket
 * layer's tp_btf programs are handed the sock as a BTF pointer and load its fields directly
 * (SOCK_IS_BTF, defined before the includes): a probe-read helper call per field was most of the
 * cost of a send report. Elsewhere the sock comes from a chain of CO-RE reads (a scalar to the
 * verifier) and is read with one. */
#ifdef SOCK_IS_BTF
#define SOCK_READ(p, field) ((p)->field)
#define SOCK_READ_INTO(dst, p, field) __builtin_memcpy(dst, &(p)->field, sizeof(*(dst)))
#else
#define SOCK_READ(p, field) BPF_CORE_READ(p, field)
#define SOCK_READ_INTO(dst, p, field) BPF_CORE_READ_INTO(dst, p, field)
#endif

/* The struct file behind fd in the current task, or NULL. */
static __always_inline struct file *current_fd_file(__u32 fd)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct fdtable *fdt = BPF_CORE_READ(task, files, fdt);
	struct file **fds;
	struct file *f = NULL;

	if (!fdt || fd >= BPF_CORE_READ(fdt, max_fds))
		return NULL;
	fds = BPF_CORE_READ(fdt, fd);
	bpf_probe_read_kernel(&f, sizeof(f), &fds[fd]);
	return f;
}

/* Where the kernel has it (file_casts), a pointer read from kernel memory is given its BTF type:
 * its fields are then plain loads (a fault reads 0), not a probe read each (25-40 ns; the open
 * exit made four: the casts took it from 440 to 310 ns a run in bpf_stats). Declared weak: an
 * older kernel has no such kfunc, and file_casts 0 removes its call before the verifier would
 * refuse it. Only the open and read exits (ident.bpf.c, which defines FILE_CASTS) call it:
 * libbpf 1.1's static linker fails on a kfunc extern that two objects share. */
#ifdef FILE_CASTS
extern void *bpf_rdonly_cast(const void *obj, __u32 btf_id) __ksym __weak;
#endif

/* f, typed, or NULL where the kernel cannot cast: read it by probe reads then. */
static __always_inline struct file *file_typed(struct file *f)
{
#ifdef FILE_CASTS
	if (file_casts && f)
		return bpf_rdonly_cast(f, bpf_core_type_id_kernel(struct file));
#endif
	return NULL;
}

/* The same as current_fd_file, with the task's fd table reached by direct loads (BTF pointers
 * from bpf_get_current_task_btf): four helper calls fewer. The fd's slot is an array element of
 * type struct file *, which BTF gives no struct type to load through; where the kernel casts, the
 * slot is read as a struct kiocb, whose first field (ki_filp, the same since Linux 2.6) is a
 * struct file *: a plain load instead of a probe read (about 40 ns of each open and read exit in
 * perf). Elsewhere the slot is probe read. For the open and read exits, which every open and read
 * of a watched file runs; the send paths keep current_fd_file (the direct loads' extra registers
 * took 6.1's sendmmsg exit past the 512-byte stack). */
static __always_inline struct file *current_fd_file_direct(__u32 fd)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct files_struct *files = task->files;
	struct fdtable *fdt;
	struct file *f = NULL;

	if (!files)
		return NULL;
	fdt = files->fdt;
	if (!fdt || fd >= fdt->max_fds)
		return NULL;
#ifdef FILE_CASTS
	if (file_casts) {
		struct kiocb *slot = bpf_rdonly_cast((void *)((__u64)fdt->fd + (__u64)fd * sizeof(f)),
						     bpf_core_type_id_kernel(struct kiocb));

		return slot->ki_filp;
	}
#endif
	bpf_probe_read_kernel(&f, sizeof(f), &fdt->fd[fd]);
	return f;
}

/* The inode number of an open file's inode. */
static __always_inline __u64 file_ino(struct file *f)
{
	struct file *tf = file_typed(f);

	if (tf)
		return tf->f_inode->i_ino;
	return BPF_CORE_READ(f, f_inode, i_ino);
}

/* The type and permissions of an open file's inode. */
static __always_inline umode_t file_mode(struct file *f)
{
	struct file *tf = file_typed(f);

	if (tf)
		return tf->f_inode->i_mode;
	return BPF_CORE_READ(f, f_inode, i_mode);
}

/* An open file's position. */
static __always_inline __s64 file_pos(struct file *f)
{
	struct file *tf = file_typed(f);

	if (tf)
		return tf->f_pos;
	return BPF_CORE_READ(f, f_pos);
}

/* The sock behind a socket file, or NULL when the file is not a socket. */
static __always_inline struct sock *file_sock(struct file *f)
{
	umode_t mode = BPF_CORE_READ(f, f_inode, i_mode);
	struct socket *sock;

	if ((mode & S_IFMT) != S_IFSOCK)
		return NULL;
	sock = BPF_CORE_READ(f, private_data);
	return sock ? BPF_CORE_READ(sock, sk) : NULL;
}

/* Destination of a connected socket, straight from the kernel's socket state. */
static __always_inline void sock_destination(struct sock *sk, struct send_event *ev)
{
	ev->family = SOCK_READ(sk, __sk_common.skc_family);
	ev->sock_type = SOCK_READ(sk, sk_type);
	ev->protocol = SOCK_READ(sk, sk_protocol);
	/* a packet socket keeps its ethertype (network order; 0: named per send) in packet_sock
	 * (a probe read: a BTF sock pointer does not reach past struct sock) */
	if (ev->family == AF_PACKET) {
		ev->protocol = BPF_CORE_READ((struct packet_sock *)sk, num);
		ev->dport = 0;
		__builtin_memset(ev->daddr, 0, sizeof(ev->daddr));
		return;
	}
	ev->dport = bpf_ntohs(SOCK_READ(sk, __sk_common.skc_dport));
	if (ev->family == AF_INET6)
		SOCK_READ_INTO(&ev->daddr, sk, __sk_common.skc_v6_daddr.in6_u.u6_addr8);
	else
		SOCK_READ_INTO((__u32 *)ev->daddr, sk, __sk_common.skc_daddr);
}

/* The registers the syscall now exiting saved at its entry (a BTF pointer: loaded directly).
 * A program that wants several arguments fetches them once (two helper calls). */
static __always_inline struct pt_regs *exiting_syscall_regs(void)
{
	return (struct pt_regs *)bpf_task_pt_regs(bpf_get_current_task_btf());
}

/* Argument n (0-based, up to 3) of the syscall now exiting, from its saved registers; loaded
 * directly: a helper call per register was a good part of a read exit's cost. */
static __always_inline __u64 syscall_regs_arg(struct pt_regs *regs, int n)
{
#if defined(__TARGET_ARCH_arm64)
	/* x0 holds the return value by now; the first argument survives in orig_x0 */
	if (n == 0)
		return regs->orig_x0;
	return regs->regs[n & 3];
#else
	switch (n) {
	case 0:
		return regs->di;
	case 1:
		return regs->si;
	case 2:
		return regs->dx;
	default:
		return regs->r10;
	}
#endif
}

static __always_inline __u64 exiting_syscall_arg(int n)
{
	return syscall_regs_arg(exiting_syscall_regs(), n);
}

/* The components of an open file's path, leaf first, across mounts up to the root (at most
 * FILE_PATH_PARTS; an empty string ends them), into parts (FILE_PATH_PARTS x EXE_PART_BYTES). */
static __always_inline void file_path_parts(struct file *f, char *parts)
{
	struct vfsmount *vfsmnt = BPF_CORE_READ(f, f_path.mnt);
	struct dentry *d = BPF_CORE_READ(f, f_path.dentry);
	struct mount *mnt = (void *)vfsmnt - bpf_core_field_offset(struct mount, mnt);
	int i, n = 0;

	for (i = 0; i < FILE_PATH_PARTS * 2 && n < FILE_PATH_PARTS; i++) {
		struct dentry *parent = BPF_CORE_READ(d, d_parent);

		if (d == BPF_CORE_READ(vfsmnt, mnt_root) || d == parent) {
			struct mount *up = BPF_CORE_READ(mnt, mnt_parent);

			if (up == mnt)
				break; /* the root of it all */
			d = BPF_CORE_READ(mnt, mnt_mountpoint);
			mnt = up;
			vfsmnt = (void *)mnt + bpf_core_field_offset(struct mount, mnt);
			continue;
		}
		bpf_probe_read_kernel_str(parts + n * EXE_PART_BYTES, EXE_PART_BYTES,
					  BPF_CORE_READ(d, d_name.name));
		n++;
		d = parent;
	}
	if (n < FILE_PATH_PARTS)
		parts[(n & (FILE_PATH_PARTS - 1)) * EXE_PART_BYTES] = 0;
}

/* Executable path components (leaf first) and argv of the current task. */
static __always_inline void current_exe_and_args(struct proc_info_event *ev)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct mm_struct *mm = BPF_CORE_READ(task, mm);
	struct dentry *d = BPF_CORE_READ(mm, exe_file, f_path.dentry);
	unsigned long arg_start, arg_end, n;
	int i;

	ev->ppid = BPF_CORE_READ(task, real_parent, tgid);
	ev->start_ns = BPF_CORE_READ(task, group_leader, start_boottime);
	for (i = 0; i < EXE_PATH_PARTS; i++) {
		struct dentry *parent;

		ev->exe_parts[i][0] = 0;
		if (!d)
			break;
		parent = BPF_CORE_READ(d, d_parent);
		if (parent == d)
			break; /* reached the root of the executable's mount */
		bpf_probe_read_kernel_str(ev->exe_parts[i], EXE_PART_BYTES,
					  BPF_CORE_READ(d, d_name.name));
		d = parent;
	}
	arg_start = BPF_CORE_READ(mm, arg_start);
	arg_end = BPF_CORE_READ(mm, arg_end);
	n = arg_end > arg_start ? arg_end - arg_start : 0;
	if (n > CMDLINE_BYTES)
		n = CMDLINE_BYTES;
	ev->cmdline_len = 0;
	if (n && bpf_probe_read_user(ev->cmdline, n, (void *)arg_start) == 0)
		ev->cmdline_len = n;
}

#endif
