/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* idsentry.h: the ABI between the BPF programs and the agent (ring buffer records and map layouts). */
#ifndef IDSENTRY_ABI_H
#define IDSENTRY_ABI_H

#ifndef __bpf__
#include <linux/types.h>
#endif

#define TASK_COMM_BYTES 16
#define MAX_VALUE_BYTES 256       /* bytes of an identifier read copied into one event */
/* A process's read of the same bytes at the same place of the same identifier file as the read
 * the agent was last told of, less than this after it, is not told again (ident.bpf.c): a
 * process polling a file costs an event a second. At most half of FLOW_FRESH_READ_NS (flow.h),
 * so that a write soon after any read still finds a read the agent was told of fresh. */
#define READ_REPEAT_NS (1000ULL * 1000 * 1000)
#define MAX_SAMPLE_BYTES 4096     /* upper bound of an outbound payload sample (power of two) */
#define DEFAULT_SAMPLE_BYTES 1024 /* sample size when the agent sets none */
#define MIN_SAMPLE_BYTES 256
#define MAX_IOV_SEGMENTS 8        /* iovec entries a writev/sendmsg's first sample reaches */
#define MAX_IOV_PART_SEGMENTS 16  /* ... and each of its later parts, from where the last ended */
#define EXE_PATH_PARTS 8          /* path components of the executable captured in the kernel */
#define EXE_PART_BYTES 32         /* bytes per captured path component, NUL included */
#define CMDLINE_BYTES 256         /* bytes of argv captured in the kernel */
#define MAX_IDENTIFIER_BITS 64
#define EVENT_POLL_MS 5           /* the agent reads the ring buffer this often while it watches */

/* Record types in the ring buffer. Append only: never renumber. */
enum event_type {
	EVENT_IDENT_READ = 1, /* a watched identifier's bytes reached a process */
	EVENT_SEND = 2,       /* a tainted process sent data on an inet socket */
	EVENT_PROC_INFO = 3,  /* who a process is, captured when it is first tainted or execs */
	EVENT_PROC_EXIT = 4,  /* a tainted process group exited */
	EVENT_FLOW = 5,       /* taint moved through a pipe, FIFO or unix socket */
	EVENT_RECV = 6,       /* a DNS answer reached a tainted process (send_event layout) */
	EVENT_PROC_FORK = 7,  /* a tainted process forked: the child starts with its taint */
	EVENT_TTY_WRITE = 8,  /* bytes written to a modem tty (flow_event layout, channel: ino) */
	EVENT_BINDER_TX = 9,  /* a tainted process called a Binder sink method (ISms.sendText*) */
};

/* IPC channels taint travels through. Append only. */
enum channel_kind {
	CHANNEL_PIPE = 1,
	CHANNEL_FIFO = 2,
	CHANNEL_UNIX = 3,
	CHANNEL_TTY = 4, /* a modem tty named by the policy (EVENT_TTY_WRITE) */
	CHANNEL_LOOPBACK = 5, /* a TCP connection or UDP port between two processes of this host */
	CHANNEL_MEMORY = 6,   /* memory: shared mappings, process_vm_readv/writev */
};

/* flow_event.direction */
enum flow_direction {
	FLOW_WRITE = 1, /* a tainted process wrote to the channel: sample holds what it wrote */
	FLOW_READ = 2,  /* a process read from a tainted channel and is now tainted */
};

/* proc_taint.flags */
#define TAINT_VIA_CHANNEL 0x1 /* some of the taint came from another process's data */

/* Where an identifier came from. Append only. */
enum ident_source {
	SOURCE_FILE = 1,
	SOURCE_IOCTL = 2,    /* an ioctl reply: ino holds the command, data its reply bytes */
	SOURCE_MODEM = 3,    /* a read from a modem tty: data holds the AT reply */
	SOURCE_PROPERTY = 4, /* a system property getter: data holds name[PROP_NAME_BYTES], value */
	SOURCE_BINDER = 5,   /* a Binder reply: ino holds the method slot, dev the code, data the
			      * reply Parcel's first bytes */
};

/* ioctl commands whose replies carry identifiers (ident_read_event.ino with SOURCE_IOCTL). */
#define IOCTL_SIOCGIFHWADDR 0x8927
#define IOCTL_HDIO_GET_IDENTITY 0x030d
#define IOCTL_NVME_ADMIN_CMD 0xc0484e41   /* _IOWR('N', 0x41, struct nvme_admin_cmd) */
#define IOCTL_NVME_ADMIN64_CMD 0xc0504e47 /* _IOWR('N', 0x47, struct nvme_passthru_cmd64) */
#define IOCTL_SG_IO 0x2285
#define IOCTL_SIOCETHTOOL 0x8946 /* with ETHTOOL_GPERMADDR: the permanent MAC */
#define MAX_IOCTL_CMDS 16

#define PROP_NAME_BYTES 64  /* property names compared in the kernel, NUL included */
#define PROP_VALUE_BYTES 92 /* bionic's PROP_VALUE_MAX */
#define MAX_WATCHED_PROPS 256

/* The syscall that carried a send. Append only. */
enum send_call {
	CALL_WRITE = 1,
	CALL_WRITEV = 2,
	CALL_SENDTO = 3,
	CALL_SENDMSG = 4,
	CALL_CONNECT = 5,
	CALL_SSL_WRITE = 6, /* plaintext handed to a TLS library (uprobe), before encryption */
	CALL_RECVFROM = 7,
	CALL_RECVMSG = 8,
	CALL_READ_SOCKET = 9,
	CALL_SENDMMSG = 10,
	CALL_SENDFILE = 11,
	CALL_SPLICE = 12,
	CALL_PWRITEV = 13,
	CALL_RAW_SOCKET = 14, /* a tainted process opened a raw or packet socket (no payload) */
	CALL_IO_URING = 15,   /* an io_uring send or write, seen at its completion */
	CALL_SK_MSG = 16,     /* a TCP send seen by sk_msg while the syscall hooks were detached */
	CALL_NETLINK = 17,    /* EVENT_RECV: an rtnetlink reply (links, neighbours) a process read;
			       * taint_mask: the identifiers it carries */
	CALL_FILE_WRITE = 19,   /* a tainted process wrote into a regular file (SEND_TO_FILE) */
	CALL_SOCKET_LAYER = 18, /* a send the socket layer reported from a syscall without a user
				 * buffer to sample (sendfile, splice...) */
	CALL_GO_TLS_WRITE = 20, /* plaintext handed to Go's crypto/tls.(*Conn).Write (uprobe at its
				 * entry), before encryption; never with a destination */
};

/* The syscall that carried an identifier read. Append only. */
enum read_call {
	CALL_READ = 1,
	CALL_PREAD64 = 2,
	CALL_READV = 3,
	CALL_PREADV = 4,
	CALL_IO_URING_READ = 5,
	CALL_IOCTL = 6,
	CALL_PROPERTY_GET = 7,      /* __system_property_get */
	CALL_PROPERTY_CALLBACK = 8, /* __system_property_read_callback / __system_property_read */
	CALL_BINDER_REPLY = 9,      /* BR_REPLY read by ioctl(BINDER_WRITE_READ) */
	CALL_OPEN = 10,             /* the open of a watched file while the read hooks were away:
				     * no bytes (len 0); the agent reads the file itself */
};

/* send_event.flags */
#define SEND_DEST_FROM_SOCKET 0x1 /* destination read from the connected socket */
#define SEND_DEST_FROM_CGROUP 0x2 /* destination read from the cgroup sendmsg hook's kernel copy */
#define SEND_SAMPLE_TRUNCATED 0x4 /* the payload was longer than the sample */
#define SEND_INSIDE_TLS 0x8       /* a socket write made by a TLS library call: ciphertext */
#define SEND_BLOCKED 0x10         /* an enforcement hook stopped it: nothing left */
#define SEND_KILLED 0x20          /* ... and the process was sent SIGKILL */
#define SEND_BLOCK_MISSED 0x40    /* a block rule applied but no hook could stop it */
#define SEND_FILE_CONTENT 0x80    /* identifier files' content went out whole (content_mask) */
#define SEND_DEST_FROM_SYSCALL 0x100 /* destination read from the address the syscall named */
#define SEND_SOCKET_LAYER 0x200   /* reported by sock:sock_send_length, not the syscall's hooks */
#define SEND_TO_FILE 0x400        /* a write into a regular file: daddr holds its dev (8 bytes,
				   * the kernel's encoding) and inode number (8) */
#define SEND_MORE_PARTS 0x800     /* the first part of a long send: parts - 1 more follow */
#define SEND_PART 0x1000          /* a later part: sample holds the send's bytes from
				   * the end of the part before (events of one send are consecutive
				   * in the ring buffer, from one program run) */
#define SEND_LOOPBACK 0x2000      /* to a process of this host: the send is also what went into
				   * the loopback channel 'channel' (no flow event of its own) */
#define SEND_SCAN_BYTES 65536     /* a long send is sampled this far, in parts */
#define SEND_MAX_PARTS (1 + SEND_SCAN_BYTES / MAX_SAMPLE_BYTES)
#define FILE_WRITES_SAMPLED 16    /* writes sampled per process and file (file_writes) */
#define FILE_PATH_PARTS 8         /* with SEND_TO_FILE: the sample starts with the file's path,
				   * FILE_PATH_PARTS x EXE_PART_BYTES, leaf first, "" ending it */
#define FILE_PATH_BYTES (FILE_PATH_PARTS * EXE_PART_BYTES)

/* The in-kernel hook that enforced a verdict (send_event.hook). Append only. */
enum enforce_hook {
	HOOK_NONE = 0,
	HOOK_CONNECT = 1,    /* cgroup/connect4,6: the connection was refused */
	HOOK_SENDMSG = 2,    /* cgroup/sendmsg4,6: an unconnected datagram was refused */
	HOOK_SK_MSG = 3,     /* sk_msg: a TCP send was dropped */
	HOOK_CGROUP_SKB = 4, /* cgroup_skb/egress: the packets were dropped */
	HOOK_BINDER = 5,     /* kprobe on binder_ioctl: the transaction was sent to no one */
};

/* enforce_rule.action */
enum enforce_action {
	ENFORCE_BLOCK = 1,
	ENFORCE_KILL = 2,
};

#define MAX_ENFORCE_RULES 32
#define MAX_EXCEPT_PORTS 8

/* Kernel-side failures, counted per CPU in the 'stats' map. Append only. */
enum stat_cause {
	STAT_RINGBUF_FULL = 0,    /* bpf_ringbuf_output failed: event lost */
	STAT_TAINT_MAP_FULL = 1,  /* a process could not be tainted */
	STAT_FD_MAP_FULL = 2,     /* a watched fd could not be recorded */
	STAT_PENDING_FULL = 3,    /* a syscall's arguments could not be kept until its exit */
	STAT_READ_USER_FAILED = 4, /* user memory of a read or send could not be copied */
	STAT_WATCH_MAP_FULL = 5,  /* an identifier inode could not be registered */
	STAT_SAMPLE_TRUNCATED = 6, /* informational: payload longer than the sample */
	STAT_CHANNEL_MAP_FULL = 7, /* a pipe or unix socket could not be tainted */
	STAT_BINDER_UNPARSED = 8,  /* a BC_TRANSACTION whose interface token has no known layout */
	STAT_BINDER_PENDING_FULL = 9, /* a matched Binder call could not be kept until its reply */
	STAT_READ_REPEATS = 10,    /* informational: reads of a value the agent was just told of */
	STAT__COUNT,
};

struct event_header {
	__u32 type;  /* enum event_type */
	__u32 tgid;
	__u32 tid;
	__u32 uid;
	__u64 ts_ns; /* bpf_ktime_get_boot_ns() */
	char comm[TASK_COMM_BYTES];
};

struct ident_read_event {
	struct event_header hdr;
	__u64 ident_mask; /* identifiers the inode belongs to */
	__u64 dev;        /* kernel dev_t of the inode's super block */
	__u64 ino;
	__u64 offset;     /* file offset of data[0] */
	__u32 len;        /* bytes in data */
	__u32 total;      /* bytes the syscall returned */
	__u16 source;     /* enum ident_source */
	__u16 call;       /* enum read_call */
	__u8 pad[4];
	__u8 data[MAX_VALUE_BYTES];
};

struct send_event {
	struct event_header hdr;
	__u64 taint_mask;  /* identifier bits the process carried */
	__u64 taint_ns;    /* when it last accessed one */
	__s64 result;      /* the syscall's return value */
	__u32 call;        /* enum send_call */
	__u32 fd;
	__u16 family;      /* AF_INET / AF_INET6 */
	__u16 sock_type;   /* SOCK_STREAM / SOCK_DGRAM / ... */
	__u16 protocol;    /* IPPROTO_TCP / IPPROTO_UDP / ... */
	__u16 dport;       /* host order */
	__u8 daddr[16];    /* network order; IPv4 in the first 4 bytes */
	__u32 flags;       /* SEND_* */
	__u32 sample_len;  /* bytes in sample */
	__u16 hook;        /* enum enforce_hook, with SEND_BLOCKED */
	__u16 rule;        /* enforce_rules slot that decided, with SEND_BLOCKED/BLOCK_MISSED */
	__u16 part;        /* with SEND_PART: which part of a long send this sample is (1...) */
	__u16 parts;       /* with SEND_MORE_PARTS or SEND_PART: how many parts the send has */
	__u64 content_mask; /* with SEND_FILE_CONTENT: whose files' bytes were sent (sendfile) */
	__u64 channel;     /* with SEND_LOOPBACK: the loopback channel the send tainted */
	__u8 sample[MAX_SAMPLE_BYTES];
};

struct proc_info_event {
	struct event_header hdr;
	__u32 ppid;
	__u32 cmdline_len;
	__u64 start_ns;   /* task start_boottime: with tgid, names the process uniquely */
	char exe_parts[EXE_PATH_PARTS][EXE_PART_BYTES]; /* leaf first; empty string ends */
	char cmdline[CMDLINE_BYTES]; /* NUL-separated argv, as in /proc/PID/cmdline */
};

struct flow_event {
	struct event_header hdr;
	__u64 ident_mask;  /* identifiers the channel (write) or the reader (read) now carries */
	__u64 taint_ns;    /* the original access time the taint dates from */
	__u64 channel;     /* kernel identity of the channel: pipe inode or receiving unix sock */
	__u32 peer_tgid;   /* read: the process that tainted the channel */
	__u16 kind;        /* enum channel_kind */
	__u16 direction;   /* enum flow_direction */
	__u32 sample_len;  /* write: bytes in sample */
	__u32 pad;
	__u8 sample[MAX_SAMPLE_BYTES];
};

struct proc_fork_event {
	struct event_header hdr; /* the parent */
	__u32 child_tgid;
	__u32 pad;
};

struct proc_exit_event {
	struct event_header hdr;
	__u64 taint_mask;
};

/* Binder (64-bit protocol, <linux/android/binder.h>): what the kernel side parses. */
#define BINDER_NAME_BYTES 64    /* interface descriptor characters compared in the kernel */
#define BINDER_HEAD_BYTES 256   /* bytes of a transaction's Parcel read to find its token */
#define BINDER_TX_BYTES 2048    /* bytes of a sink transaction's Parcel sent to the agent */
#define BINDER_MAX_METHODS 256
#define BINDER_MAX_COMMANDS 8   /* BC_ and BR_ commands walked per ioctl */

/* binder_method.kind */
enum binder_kind {
	BINDER_GETTER = 1, /* the reply carries an identifier value: the caller is tainted */
	BINDER_SMS = 2,    /* the call sends an SMS: its arguments are checked like a send */
};

struct binder_method_key {
	__u32 code;
	__u32 name_len;                /* characters of the descriptor, at most BINDER_NAME_BYTES */
	char name[BINDER_NAME_BYTES];  /* the descriptor narrowed to bytes, NUL-padded */
};

struct binder_method {
	__u64 ident_mask; /* getters: identifiers the reply carries */
	__u32 kind;       /* enum binder_kind */
	__u32 slot;       /* the agent's index of the policy entry */
};

/* A Binder sink call by a tainted process: data holds the transaction Parcel's first bytes. */
struct binder_tx_event {
	struct event_header hdr;
	__u64 taint_mask;
	__u64 taint_ns;
	__u32 slot;       /* binder_method.slot */
	__u32 code;
	__u32 data_size;  /* bytes of the whole Parcel */
	__u32 len;        /* bytes in data */
	__u32 flags;      /* SEND_BLOCKED, SEND_KILLED, SEND_BLOCK_MISSED */
	__u16 hook;       /* enum enforce_hook with SEND_BLOCKED */
	__u16 rule;       /* enforce_rules slot that decided */
	__u8 data[BINDER_TX_BYTES];
};

/* Map layouts. */
struct prop_key {
	char name[PROP_NAME_BYTES]; /* NUL-padded */
};

struct watch_key {
	__u64 dev;
	__u64 ino;
};

struct fd_key {
	__u32 tgid;
	__u32 fd;
};

#define WATCHED_FD_MODEM 0x1 /* the inode is a modem tty (modem_inodes), known at the open */

struct watched_fd {
	__u64 ident_mask;
	__u64 dev;
	__u64 ino;
	__u64 file;  /* the kernel's struct file at the open: the fd is checked against it at use */
	__u32 flags; /* WATCHED_FD_* */
	__u32 pad;
};

struct proc_taint {
	__u64 ident_mask; /* identifiers accessed (read) by this process group or inherited */
	__u64 last_ns;    /* bpf_ktime_get_boot_ns() of the latest access */
	__u32 watched_fds; /* open fds on watched inodes, for cleanup at exit */
	__u32 flags;      /* TAINT_* */
	__u64 last_channel; /* the channel taint last came through, to report each new one once */
	__u64 read_sig;     /* the identifier read the agent was last told of (ident.bpf.c) ... */
	__u64 read_sig_ns;  /* ... and when: a repeat of it within READ_REPEAT_NS is not told */
};

/* A rule with a blocking action, as the kernel applies it (enforce_rules map). */
struct enforce_rule {
	__u64 ident_mask;
	__u64 window_ns;   /* 0: no limit */
	__u32 action;      /* enum enforce_action */
	__u32 n_ports;     /* excepted port ranges in use */
	__u16 port_lo[MAX_EXCEPT_PORTS];
	__u16 port_hi[MAX_EXCEPT_PORTS];
};

/* An excepted destination network of one rule (except_cidrs LPM trie): prefixlen counts the rule
 * and family bytes (16 bits) plus the network's prefix. */
struct except_key {
	__u32 prefixlen;
	__u8 rule;
	__u8 family;       /* 4 or 6 */
	__u8 addr[16];
	__u8 pad[2];
};

/* A pipe, FIFO or unix socket a tainted process wrote to. */
struct channel_taint {
	__u64 ident_mask;
	__u64 file_mask;   /* identifiers whose file content was spliced in whole */
	__u64 taint_ns;    /* the writer's access time: readers' windows count from it */
	__u32 writer_tgid;
	__u32 kind;        /* enum channel_kind */
};

#endif
