/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* watch.bpf.h: fds on identifier files, and the taint their use gives a process. */
#ifndef IDSENTRY_WATCH_BPF_H
#define IDSENTRY_WATCH_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include "maps.bpf.h"
#include "common.bpf.h"

/* The identity the agent registered identifier files under: the inode's super block and number.
 * Returns the inode (a scalar: read it with BPF_CORE_READ). */
static __always_inline struct inode *file_watch_key(struct file *f, struct watch_key *key)
{
	struct inode *inode = BPF_CORE_READ(f, f_inode);

	key->dev = BPF_CORE_READ(inode, i_sb, s_dev);
	key->ino = BPF_CORE_READ(inode, i_ino);
	return inode;
}

/* The identifier bits of the watched inode behind f (its identity in key), or NULL when f is
 * NULL or its inode is not watched. */
static __always_inline __u64 *watched_inode(struct file *f, struct watch_key *key)
{
	if (!f)
		return NULL;
	file_watch_key(f, key);
	return bpf_map_lookup_elem(&watched_inodes, key);
}

/* Marks fd of the current process as open on a watched inode (open, dup, inherited, received). */
static __always_inline void watch_fd(__u64 pid_tgid, __u32 fd, const struct watched_fd *wf)
{
	struct fd_key fk = { .tgid = pid_tgid >> 32, .fd = fd };
	struct proc_taint *t, fresh = { .watched_fds = 1 };

	if (bpf_map_update_elem(&watched_fds, &fk, wf, BPF_ANY)) {
		count(STAT_FD_MAP_FULL);
		return;
	}
	/* a process entry marks the tgid for cleanup at exit; taint bits come with the use */
	t = bpf_map_lookup_elem(&taint, &fk.tgid);
	if (t) {
		__sync_fetch_and_add(&t->watched_fds, 1);
		return;
	}
	if (bpf_map_update_elem(&taint, &fk.tgid, &fresh, BPF_NOEXIST)) {
		count(STAT_TAINT_MAP_FULL);
		return;
	}
	emit_proc_info(pid_tgid);
}

/* fd of the current process, open on f (an fd it was given: passed, opened through io_uring), is
 * watched when f's inode is. */
static __always_inline void watch_fd_if_watched(__u64 pid_tgid, __u32 fd, struct file *f)
{
	struct watched_fd wf;
	struct watch_key key;
	__u64 *mask = watched_inode(f, &key);

	if (!mask)
		return;
	wf.ident_mask = *mask;
	wf.dev = key.dev;
	wf.ino = key.ino;
	watch_fd(pid_tgid, fd, &wf);
}

/* The process received identifiers: it is tainted with them from now. */
static __always_inline void taint_with(__u32 tgid, __u64 mask)
{
	__u64 now = bpf_ktime_get_boot_ns();
	struct proc_taint *t = bpf_map_lookup_elem(&taint, &tgid);

	if (t) {
		t->ident_mask |= mask;
		t->last_ns = now;
		return;
	}
	struct proc_taint fresh = { .ident_mask = mask, .last_ns = now };

	if (bpf_map_update_elem(&taint, &tgid, &fresh, BPF_ANY))
		count(STAT_TAINT_MAP_FULL);
}

/* A process received identifiers from a source without an fd (ioctl, property getter): tainted
 * like a reader, and introduced to the agent when it had no entry yet. */
static __always_inline void taint_introducing(__u64 pid_tgid, __u64 mask)
{
	__u32 tgid = pid_tgid >> 32;
	struct proc_taint *t = bpf_map_lookup_elem(&taint, &tgid);
	struct proc_taint fresh = { .ident_mask = mask };

	fresh.last_ns = bpf_ktime_get_boot_ns();
	if (t) {
		t->ident_mask |= mask;
		t->last_ns = fresh.last_ns;
		return;
	}
	if (bpf_map_update_elem(&taint, &tgid, &fresh, BPF_NOEXIST)) {
		count(STAT_TAINT_MAP_FULL);
		return;
	}
	emit_proc_info(pid_tgid);
}

/* Whether a watched inode is a modem tty. */
static __always_inline int is_modem(__u64 dev, __u64 ino)
{
	struct watch_key key = { .dev = dev, .ino = ino };

	return bpf_map_lookup_elem(&modem_inodes, &key) != NULL;
}

/* The watched file behind an fd of the current process, or NULL. */
static __always_inline struct watched_fd *watched(__u64 pid_tgid, __u32 fd)
{
	struct fd_key fk = { .tgid = pid_tgid >> 32, .fd = fd };

	return bpf_map_lookup_elem(&watched_fds, &fk);
}

#endif
