/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* maps.bpf.h: the maps and knobs shared by idsentry's BPF components, and their per-syscall state.
 * globals.bpf.c defines them (IDSENTRY_DEFINE_GLOBALS); every other component sees them extern and
 * the static linker (bpftool gen object) joins them into one object. */
#ifndef IDSENTRY_MAPS_BPF_H
#define IDSENTRY_MAPS_BPF_H

#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "idsentry.h"

#ifdef IDSENTRY_DEFINE_GLOBALS
#define SHARED
/* Set by the agent before load. */
const volatile __u32 agent_tgid = 0;
const volatile __u32 sample_bytes = DEFAULT_SAMPLE_BYTES;
/* 1 where the kernel has the bpf_rdonly_cast kfunc (Linux 6.2+): a struct file read from the fd
 * table is given its type and its fields are plain loads, not probe reads (task.bpf.h). */
const volatile __u32 file_casts = 0;
/* Written by the agent at run time through the skeleton's bss. */
__u64 taint_ttl_ns = 0;     /* the longest rule window: how long a tainted channel, and a
			     * holder's pipes, are followed; 0: always. A holder's own sends
			     * are followed as long as it lives (live_taint) */
__u64 registering_mask = 0; /* nonzero while the agent opens identifier files to register them */
__u32 registering_modem = 0; /* ... and the file being registered is a modem tty */
/* Set by the open exit when it first puts a modem tty in modem_inodes (never cleared): until
 * then an open of a watched file does not look it up there. */
__u32 modem_inodes_used = 0;
/* Until this time (boot ns) some channel may be tainted: reads check channels only until then. */
__u64 channels_active_until_ns = 0;
/* Until this time a pipe or FIFO was written to by a tainted process not a minute ago: their
 * readers only the syscall hooks see, so the agent keeps them. */
__u64 pipes_active_until_ns = 0;
/* Until this time a tainted process sent on a TCP connection or to a UDP port of this host:
 * receives on inet sockets look for the channel only until then. */
__u64 loopback_active_until_ns = 0;
/* Until this time, pipes were marked at an open no read hook saw (ident.bpf.c): a sender that
 * holds the read end of one is tainted at its send (socklayer.bpf.c). */
__u64 lazy_pipes_until_ns = 0;
/* enforce_rules slots in use; 0 (no blocking rule, or --mode alert): enforcement is a no-op. */
__u32 n_enforce_rules = 0;
/* 1 while the per-syscall hooks are attached (user/hook_gate.c); 0: sockets of tainted processes
 * are followed by sockops/sk_msg instead (gap_sockets), until the hooks are back. */
__u32 syscall_hooks_on = 1;
/* 1 from before a hook that makes pending_sends entries (the syscall hooks, the send syscalls')
 * is attached until all of them are gone: while 0, no entry is made, and the socket layer does
 * not look for one (an entry left from before is overwritten at the thread's next hooked send). */
__u32 pending_send_hooks = 1;
/* Entries in tls_calls, never fewer (one evicted is still counted): while 0, a send is inside no
 * TLS library call and nobody looks there. */
__u64 tls_calls_live = 0;
__u32 gap_sockets_used = 0;
/* 1 while the socket-layer tracepoints (socklayer.bpf.c) are attached: they follow unix sockets
 * always, and report inet sends the syscall hooks did not see begin. */
__u32 sock_layer_on = 0;
/* 1 while the agent waits for a wake-up instead of polling (user/event_reader.c): events go in
 * with the kernel's wake-up rule (emit_wakeup). */
__u32 consumer_asleep = 0;
/* Identifiers rtnetlink replies carry (policy `netlink` keys): link addresses, neighbours'. */
__u64 netlink_link_mask = 0;
__u64 netlink_neigh_mask = 0;
#else
#define SHARED extern
extern const volatile __u32 agent_tgid;
extern const volatile __u32 sample_bytes;
extern const volatile __u32 file_casts;
extern __u64 taint_ttl_ns;
extern __u64 registering_mask;
extern __u32 registering_modem;
extern __u32 modem_inodes_used;
extern __u64 channels_active_until_ns;
extern __u64 pipes_active_until_ns;
extern __u64 loopback_active_until_ns;
extern __u64 lazy_pipes_until_ns;
extern __u32 n_enforce_rules;
extern __u32 syscall_hooks_on;
extern __u32 pending_send_hooks;
extern __u64 tls_calls_live;
extern __u32 gap_sockets_used;
extern __u32 sock_layer_on;
extern __u32 consumer_asleep;
extern __u64 netlink_link_mask;
extern __u64 netlink_neigh_mask;
#endif

#define RINGBUF_BYTES (8 << 20) /* libbpf maps the data twice: 16 MiB cost 32 MiB of RSS */
#define MAX_WATCHED_INODES 4096
#define MAX_WATCHED_FDS 16384
#define MAX_TAINTED_PROCS 16384
#define MAX_PENDING 16384
#define MAX_TAINTED_CHANNELS 16384
#define MAX_EXCEPT_CIDRS 1024
#define MAX_EXEMPT 1024
#define MAX_BLOCKED_SOCKETS 16384
#define MAX_TCP_SOCKETS 65536
#define MAX_GAP_SOCKETS 4096

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
	__u16 dest_set;
	__u16 inside_tls; /* the thread is inside a TLS library write (see tls_calls) */
	/* enforcement: the verdict for this send and the hook that carried it out */
	__u16 verdict;    /* enum enforce_action, 0: none */
	__u16 verdict_rule;
	__u16 verdict_hook; /* enum enforce_hook that stopped it */
	__u16 pad;
	__u64 content_mask; /* sendfile/splice of identifier file content */
	__u64 mmsg_vec;     /* sendmmsg: the struct mmsghdr array, for the messages after the first */
	__u32 mmsg_n;
	__u32 pad2;
	__u64 loop_chan;    /* the loopback channel this send taints, told with the send at exit */
};
_Static_assert(sizeof(struct pending_send) == 104, "pending_send: 6.1's sendmmsg exit holds two");

/* A TLS library write in progress on a thread of a tainted process (tls.bpf.c): the socket writes
 * the library makes inside it record their fd here, giving the plaintext its destination. */
struct tls_call {
	__u64 buf;  /* plaintext */
	__u64 len;
	__u64 written_ptr; /* SSL_write_ex: where the library stores the bytes written */
	__u32 fd;   /* socket written to, when fd_set */
	__u32 fd_set;
};

/* Payload samples are copied in pieces at variable offsets: the spill area lets the verifier prove
 * that offset + piece stays inside the buffer without masking the data away. */
struct send_scratch {
	struct send_event ev;
	__u8 spill[MAX_SAMPLE_BYTES];
};

SHARED struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, RINGBUF_BYTES);
} events SEC(".maps");

/* (dev, ino) of identifier files → identifier bits; filled through the agent's own opens. */
SHARED struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, MAX_WATCHED_INODES);
	__type(key, struct watch_key);
	__type(value, __u64);
} watched_inodes SEC(".maps");

/* Watched inodes that are modem ttys: consulted only after a watched_inodes hit, so other files
 * pay nothing for it. Reads of them are AT replies; writes to them are AT commands and SMS. */
SHARED struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, MAX_WATCHED_INODES);
	__type(key, struct watch_key);
	__type(value, __u8);
} modem_inodes SEC(".maps");

/* (tgid, fd) → watched inode, set at open, cleared at close or exit. */
SHARED struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, MAX_WATCHED_FDS);
	__type(key, struct fd_key);
	__type(value, struct watched_fd);
} watched_fds SEC(".maps");

/* tgid → taint: the one lookup an untainted process pays on the send path. */
SHARED struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, MAX_TAINTED_PROCS);
	__type(key, __u32);
	__type(value, struct proc_taint);
} taint SEC(".maps");

SHARED struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, MAX_PENDING);
	__type(key, __u64);
	__type(value, struct pending_send);
} pending_sends SEC(".maps");

SHARED struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, MAX_PENDING);
	__type(key, __u64);
	__type(value, struct tls_call);
} tls_calls SEC(".maps");

/* Channel identity (pipe inode or receiving unix sock address) → taint written into it. */
SHARED struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, MAX_TAINTED_CHANNELS);
	__type(key, __u64);
	__type(value, struct channel_taint);
} tainted_channels SEC(".maps");

SHARED struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct send_scratch);
} send_scratch SEC(".maps");

SHARED struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct ident_read_event);
} read_scratch SEC(".maps");

SHARED struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct proc_info_event);
} info_scratch SEC(".maps");

#define UNIX_PATH_BYTES 108 /* sockaddr_un.sun_path */

/* A unix socket address, read to key unconnected datagrams by their receiver's name. */
struct unix_name {
	__u16 family;
	__u8 path[UNIX_PATH_BYTES + 2];
};

SHARED struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct unix_name);
} unix_name_scratch SEC(".maps");

/* Blocking rules, slot 0..n_enforce_rules-1. */
SHARED struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, MAX_ENFORCE_RULES);
	__type(key, __u32);
	__type(value, struct enforce_rule);
} enforce_rules SEC(".maps");

/* Excepted destination networks, per rule slot. */
SHARED struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, MAX_EXCEPT_CIDRS);
	__type(key, struct except_key);
	__type(value, __u8);
	__uint(map_flags, BPF_F_NO_PREALLOC);
} except_cidrs SEC(".maps");

/* comm → rule slots that except it (exact names); tgid → the same, for exe paths and globs the
 * agent resolved. */
SHARED struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, MAX_EXEMPT);
	__type(key, char[TASK_COMM_BYTES]);
	__type(value, __u64);
} exempt_comms SEC(".maps");

SHARED struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, MAX_EXEMPT);
	__type(key, __u32);
	__type(value, __u64);
} exempt_tgids SEC(".maps");
/* uid → rule slots that except it (processes.except uid and package entries). */
SHARED struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, MAX_EXEMPT);
	__type(key, __u32);
	__type(value, __u64);
} exempt_uids SEC(".maps");

/* Socket cookies whose packets cgroup_skb/egress drops: sockets a blocked send went to. */
SHARED struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, MAX_BLOCKED_SOCKETS);
	__type(key, __u64);
	__type(value, __u32);
} blocked_sockets SEC(".maps");

/* Established TCP sockets, so that sk_msg sees sends on connections made before the taint. */
SHARED struct {
	__uint(type, BPF_MAP_TYPE_SOCKHASH);
	__uint(max_entries, MAX_TCP_SOCKETS);
	__type(key, __u64);
	__type(value, __u64);
} tcp_sockets SEC(".maps");

/* Writes of a tainted process into a regular file, sampled so far (the first FILE_WRITES_SAMPLED
 * of each file are): the agent looks for its values in them (files as channels). */
struct file_write_key {
	__u32 tgid;
	__u32 pad;
	__u64 ino;
};

SHARED struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, struct file_write_key);
	__type(value, __u32);
} file_writes SEC(".maps");

/* Sockets a tainted process connected while the syscall hooks were detached (cookie -> tgid):
 * sockops puts them in tcp_sockets so that sk_msg samples what they send. */
SHARED struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, MAX_GAP_SOCKETS);
	__type(key, __u64);
	__type(value, __u32);
} gap_sockets SEC(".maps");

/* dup/dup2/dup3/fcntl(F_DUPFD) of a watched fd, from entry to exit. */
SHARED struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, MAX_PENDING);
	__type(key, __u64);
	__type(value, struct watched_fd);
} pending_dups SEC(".maps");

/* Threads to kill as their refused connect returns. */
SHARED struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, MAX_PENDING);
	__type(key, __u64);
	__type(value, __u32);
} kill_on_exit SEC(".maps");

/* Failures per cause (enum stat_cause), per CPU; the agent sums and reports them. */
SHARED struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, STAT__COUNT);
	__type(key, __u32);
	__type(value, __u64);
} stats SEC(".maps");

#endif
