/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* maps.bpf.h: the maps shared by idsentry's BPF programs and the per-syscall state they keep. */
#ifndef IDSENTRY_MAPS_BPF_H
#define IDSENTRY_MAPS_BPF_H

#define RINGBUF_BYTES (16 << 20)
#define MAX_WATCHED_INODES 4096
#define MAX_WATCHED_FDS 16384
#define MAX_TAINTED_PROCS 16384
#define MAX_PENDING 16384

/* Arguments of an in-flight read on a watched fd, kept from sys_enter to sys_exit. */
struct pending_read {
	__u64 buf;   /* user buffer, or iovec array for readv/preadv */
	__u64 offset; /* pread/preadv offset */
	struct watched_fd watch;
	__u32 fd;
	__u16 call;  /* enum read_call */
	__u16 pad;
};

/* Arguments of an in-flight send by a tainted process, kept from sys_enter to sys_exit; the cgroup
 * sendmsg hooks fill in the destination of unconnected sockets from the kernel's copy. */
struct pending_send {
	__u64 buf;      /* user buffer, or iovec array */
	__u64 len;      /* bytes, or iovec count */
	__u64 taint_mask;
	__u64 taint_ns;
	__u32 fd;
	__u16 call;     /* enum send_call */
	__u16 is_iov;
	__u16 family;   /* destination from the cgroup hook, when dest_set */
	__u16 dport;
	__u8 daddr[16];
	__u32 dest_set;
	__u32 pad;
};

/* Payload samples are copied in pieces at variable offsets: the spill area lets the verifier prove
 * that offset + piece stays inside the buffer without masking the data away. */
struct send_scratch {
	struct send_event ev;
	__u8 spill[MAX_SAMPLE_BYTES];
};

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, RINGBUF_BYTES);
} events SEC(".maps");

/* (dev, ino) of identifier files → identifier bits; filled through the agent's own opens. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, MAX_WATCHED_INODES);
	__type(key, struct watch_key);
	__type(value, __u64);
} watched_inodes SEC(".maps");

/* (tgid, fd) → watched inode, set at open, cleared at close or exit. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, MAX_WATCHED_FDS);
	__type(key, struct fd_key);
	__type(value, struct watched_fd);
} watched_fds SEC(".maps");

/* tgid → taint: the one lookup an untainted process pays on the send path. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, MAX_TAINTED_PROCS);
	__type(key, __u32);
	__type(value, struct proc_taint);
} taint SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, MAX_PENDING);
	__type(key, __u64);
	__type(value, struct pending_read);
} pending_reads SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, MAX_PENDING);
	__type(key, __u64);
	__type(value, struct pending_send);
} pending_sends SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct send_scratch);
} send_scratch SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct ident_read_event);
} read_scratch SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct proc_info_event);
} info_scratch SEC(".maps");

/* Failures per cause (enum stat_cause), per CPU; the agent sums and reports them. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, STAT__COUNT);
	__type(key, __u32);
	__type(value, __u64);
} stats SEC(".maps");

#endif
