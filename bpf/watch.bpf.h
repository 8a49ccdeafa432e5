/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* watch.bpf.h: fds on identifier files, and the taint their use gives a process. */
#ifndef IDSENTRY_WATCH_BPF_H
#define IDSENTRY_WATCH_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include "maps.bpf.h"
#include "task.bpf.h"
#include "common.bpf.h"

/* The identity the agent registered identifier files under: the inode's super block and number. */
static __always_inline void file_watch_key(struct file *f, struct watch_key *key)
{
	struct file *tf = file_typed(f);
	struct inode *inode;

	if (tf) {
		inode = tf->f_inode;
		key->dev = inode->i_sb->s_dev;
		key->ino = inode->i_ino;
		return;
	}
	inode = BPF_CORE_READ(f, f_inode);
	key->dev = BPF_CORE_READ(inode, i_sb, s_dev);
	key->ino = BPF_CORE_READ(inode, i_ino);
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

/* Marks fd of the current process as open on a watched inode (open, dup, inherited, received).
 * Closes are not hooked (see watched_file): an entry for fd may be there still, from a file
 * closed since; it is overwritten in place, and the process's count of entries stays. */
static __always_inline void watch_fd(__u64 pid_tgid, __u32 fd, const struct watched_fd *wf)
{
	struct fd_key fk = { .tgid = pid_tgid >> 32, .fd = fd };
	struct proc_taint *t, fresh = { .watched_fds = 1 };
	struct watched_fd *old = bpf_map_lookup_elem(&watched_fds, &fk);

	if (old) {
		*old = *wf;
	} else if (bpf_map_update_elem(&watched_fds, &fk, wf, BPF_ANY)) {
		count(STAT_FD_MAP_FULL);
		return;
	}
	/* a process entry marks the tgid for cleanup at exit; taint bits come with the use */
	t = bpf_map_lookup_elem(&taint, &fk.tgid);
	if (t) {
		if (!old)
			__sync_fetch_and_add(&t->watched_fds, 1);
		return;
	}
	if (bpf_map_update_elem(&taint, &fk.tgid, &fresh, BPF_NOEXIST)) {
		count(STAT_TAINT_MAP_FULL);
		return;
	}
	emit_proc_info(pid_tgid);
}

/* Whether a watched inode is a modem tty. */
static __always_inline int is_modem(__u64 dev, __u64 ino)
{
	struct watch_key key = { .dev = dev, .ino = ino };

	if (!modem_inodes_used) /* most hosts watch no modem: a lookup fewer at each open */
		return 0;
	return bpf_map_lookup_elem(&modem_inodes, &key) != NULL;
}

/* What an fd on f, of the watched inode key (its identifiers: mask), is remembered as. Whether
 * the inode is a modem tty is looked up here, once per open, not at each read. */
static __always_inline void watched_fd_of(struct watched_fd *wf, struct file *f,
					  const struct watch_key *key, __u64 mask)
{
	wf->ident_mask = mask;
	wf->dev = key->dev;
	wf->ino = key->ino;
	wf->file = (__u64)f;
	wf->flags = is_modem(key->dev, key->ino) ? WATCHED_FD_MODEM : 0;
	wf->pad = 0;
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
	watched_fd_of(&wf, f, &key, *mask);
	watch_fd(pid_tgid, fd, &wf);
}

/* The process received identifiers: it is tainted with them from now (*now, boot time, for the
 * event that reports the access). Returns its taint entry, or NULL when the map is full. */
static __always_inline struct proc_taint *taint_entry_with(__u32 tgid, __u64 mask, __u64 *now)
{
	struct proc_taint *t = bpf_map_lookup_elem(&taint, &tgid);

	*now = bpf_ktime_get_boot_ns();
	if (t) {
		t->ident_mask |= mask;
		t->last_ns = *now;
		return t;
	}
	struct proc_taint fresh = { .ident_mask = mask, .last_ns = *now };

	if (bpf_map_update_elem(&taint, &tgid, &fresh, BPF_ANY)) {
		count(STAT_TAINT_MAP_FULL);
		return NULL;
	}
	return bpf_map_lookup_elem(&taint, &tgid);
}

/* The same; returns now. */
static __always_inline __u64 taint_with(__u32 tgid, __u64 mask)
{
	__u64 now;

	taint_entry_with(tgid, mask, &now);
	return now;
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

/* Forgets a (tgid, fd) entry whose fd is no longer open on its watched inode. */
static __always_inline void forget_watched_fd(struct fd_key *fk)
{
	struct proc_taint *t;

	if (bpf_map_delete_elem(&watched_fds, fk))
		return;
	t = bpf_map_lookup_elem(&taint, &fk->tgid);
	if (t && t->watched_fds)
		__sync_fetch_and_add(&t->watched_fds, -1);
}

/* The watched file behind fd of the current process, or NULL; *fp (when asked) is the fd's file.
 * No program runs at close: while the hooks are attached, that was one tracepoint run for every
 * close of every process, to keep an entry per watched fd exact. An entry is checked where it is
 * used instead: the fd must still be open on the inode it was watched as (closed and the number
 * reused for another file, closed by dup2 or exec's close-on-exec), or it is forgotten here. The
 * process's exit drops its entries; the agent's once-a-second look (user/hook_gate.c) drops those
 * of fds it no longer holds. */
static __always_inline struct watched_fd *watched_file(__u64 pid_tgid, __u32 fd,
							struct file **fp)
{
	struct fd_key fk = { .tgid = pid_tgid >> 32, .fd = fd };
	struct watched_fd *wf = bpf_map_lookup_elem(&watched_fds, &fk);
	struct file *f;

	if (!wf)
		return NULL;
	/* the read exits, which every read of a watched fd runs, walk the fd table by direct loads;
	 * the other users (dup, mmap, sendfile, splice, modem writes: rarer) by probe reads, which
	 * keep modem_write's frame small enough under 6.1's sendmmsg exit (512 bytes in all) */
	f = fp ? current_fd_file_direct(fd) : current_fd_file(fd);
	if (fp)
		*fp = f;
	/* the same open file, and (its memory could have been reused for a file opened since) the
	 * same inode number */
	if (f && (__u64)f == wf->file && file_ino(f) == wf->ino)
		return wf;
	forget_watched_fd(&fk);
	return NULL;
}

static __always_inline struct watched_fd *watched(__u64 pid_tgid, __u32 fd)
{
	return watched_file(pid_tgid, fd, NULL);
}

#endif
