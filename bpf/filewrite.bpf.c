// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* filewrite.bpf.c: writes of a tainted process into regular files, sampled with the file's path. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include "idsentry.h"
#include "maps.bpf.h"
#include "task.bpf.h"
#include "common.bpf.h"
#include "sample.bpf.h"

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
		/* the compiler knows off < FILE_IOV_BYTES and n <= FILE_IOV_BYTES, and would drop
		 * the masks the verifier needs. n's mask keeps all of it (FILE_IOV_BYTES itself
		 * included: a mask of FILE_IOV_BYTES - 1 made a segment of 2 KiB or more read
		 * nothing); the scratch's spill area holds what the mask allows past the sample. */
		at = off;
		barrier_var(at);
		at &= FILE_IOV_BYTES - 1;
		barrier_var(n);
		n &= 2 * FILE_IOV_BYTES - 1;
		if (bpf_probe_read_user(sample + FILE_PATH_BYTES + at, n, iov.iov_base))
			break;
		off += n;
	}
	return off;
}

/* A tainted process writes into a regular file: what it writes is sampled for the agent, which
 * makes the file an identifier file when a form of a held value is in it (an app caching the
 * IMEI, a log line with the machine-id), so that a later reader is tainted. The first
 * FILE_WRITES_SAMPLED writes of each file by each process are. Called from the write hooks of
 * send.bpf.c with the struct file written to; global, not static: verified once on its own. */
int report_file_write(__u64 file, __u32 fd, __u64 buf, __u64 len, __u32 is_iov)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	struct file *f = (struct file *)file;
	struct inode *inode = BPF_CORE_READ(f, f_inode);
	struct file_write_key key = { .tgid = pid_tgid >> 32 };
	struct send_event *ev;
	struct proc_taint *t;
	__u32 one = 1, *seen;
	__u64 dev, n;

	if ((BPF_CORE_READ(inode, i_mode) & S_IFMT) != S_IFREG)
		return 0;
	t = live_taint(key.tgid);
	if (!t)
		return 0;
	key.ino = BPF_CORE_READ(inode, i_ino);
	seen = bpf_map_lookup_elem(&file_writes, &key);
	if (seen && *seen >= FILE_WRITES_SAMPLED)
		return 0;
	if (seen)
		__sync_fetch_and_add(seen, 1);
	else
		bpf_map_update_elem(&file_writes, &key, &one, BPF_ANY);
	ev = send_event_begin(EVENT_SEND, pid_tgid, t->ident_mask, t->last_ns, CALL_FILE_WRITE,
			      fd, len);
	if (!ev)
		return 0;
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
	} else {
		/* a power of two less one, or the mask drops bits of n: MAX_SAMPLE_BYTES -
		 * FILE_PATH_BYTES - 1 (0xeff) read writes of 256-511 and 768-1023 bytes 256 short.
		 * n is at most MAX_SAMPLE_BYTES - FILE_PATH_BYTES here; the mask is for the verifier,
		 * whose bound past the sample the scratch's spill area covers. */
		barrier_var(n);
		n &= MAX_SAMPLE_BYTES - 1;
		if (bpf_probe_read_user(ev->sample + FILE_PATH_BYTES, n, (void *)buf)) {
			count(STAT_READ_USER_FAILED);
			n = 0;
		}
	}
	if (n > MAX_SAMPLE_BYTES - FILE_PATH_BYTES)
		n = MAX_SAMPLE_BYTES - FILE_PATH_BYTES;
	ev->sample_len = FILE_PATH_BYTES + n;
	emit(ev, offsetof(struct send_event, sample) + FILE_PATH_BYTES + n);
	return 0;
}
