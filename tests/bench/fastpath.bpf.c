// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* fastpath.bpf.c: idsentry's untainted fast path under several attach styles, for `make bench`. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include "idsentry.h"

/*
 * Every program here does what bpf/ident.bpf.c and bpf/send.bpf.c do for a process that is not
 * tainted and opens no watched file: the same maps (types and sizes), the same lookups, the same
 * CO-RE reads. The modes differ only in how they are reached:
 *   tracepoint      one program per syscall tracepoint, as idsentry does today;
 *   tracepoint-btf  the same, with the openat-exit inode read by direct BTF loads;
 *   tracepoint-bits tracepoint-btf, and every other hook first tests the tgid's bit in an array
 *                   (an inlined lookup, no hash): only flagged (tainted or watching) tgids go on;
 *   raw_tp          two raw_tp programs (sys_enter, sys_exit) dispatching on the syscall number;
 *   tp_btf          the same as tp_btf programs, reading registers and the task by direct loads;
 *   cgroup          only the cgroup hooks of a send, at the root cgroup, as they run while no rule
 *                   enforces: sendmsg4 (a pending_sends lookup) and cgroup_skb/egress (a global);
 *   one-tracepoint  a single empty program on a syscall nobody makes (sync): what turning syscall
 *                   tracing on costs every syscall, before any program of ours runs.
 */

#if defined(__TARGET_ARCH_x86)
#define NR_read 0
#define NR_write 1
#define NR_open 2
#define NR_close 3
#define NR_pread64 17
#define NR_readv 19
#define NR_writev 20
#define NR_sendto 44
#define NR_sendmsg 46
#define NR_openat 257
#define NR_preadv 295
#define NR_openat2 437
#define NR_FIELD orig_ax
#define ARG0_FIELD di
#define TS_COMPAT 0x0002
#elif defined(__TARGET_ARCH_arm64)
#define NR_read 63
#define NR_write 64
#define NR_open (-1)
#define NR_close 57
#define NR_pread64 67
#define NR_readv 65
#define NR_writev 66
#define NR_sendto 206
#define NR_sendmsg 211
#define NR_openat 56
#define NR_preadv 69
#define NR_openat2 437
#define NR_FIELD syscallno
#define ARG0_FIELD regs[0]
#else
#error "fastpath.bpf.c knows the syscall numbers of x86 and arm64 only"
#endif

const volatile __u32 agent_tgid = 0;

extern void *bpf_rdonly_cast(void *obj, __u32 btf_id) __ksym;

/* One bit per tgid (PID_MAX_LIMIT is 2^22 on 64-bit): set while a tgid is tainted or holds a
 * watched fd. An array lookup is inlined by the verifier, unlike a hash lookup. */
#define TGID_BITS_WORDS (1 << 16)

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, TGID_BITS_WORDS);
	__type(key, __u32);
	__type(value, __u64);
} tgid_bits SEC(".maps");

static __always_inline int tgid_flagged(__u32 tgid)
{
	__u32 word = tgid >> 6;
	__u64 *bits = bpf_map_lookup_elem(&tgid_bits, &word);

	return bits && (*bits & (1ULL << (tgid & 63)));
}

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 4096);
	__type(key, struct watch_key);
	__type(value, __u64);
} watched_inodes SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, struct fd_key);
	__type(value, struct watched_fd);
} watched_fds SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 16384);
	__type(key, __u32);
	__type(value, struct proc_taint);
} taint SEC(".maps");

/* Stand-ins for pending_reads and pending_sends: same type, size and key. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u64);
	__type(value, __u8[64]);
} pending_reads SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 16384);
	__type(key, __u64);
	__type(value, __u8[72]);
} pending_sends SEC(".maps");

/* Hits on watched state: stays 0 in the benchmark, keeps the lookups from being optimised out. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} hits SEC(".maps");

static __always_inline void hit(void)
{
	__u32 zero = 0;
	__u64 *v = bpf_map_lookup_elem(&hits, &zero);

	if (v)
		*v += 1;
}

/* ---- the fast path, shared by every mode ----------------------------------------------------- */

/* openat exit: the inode of the new fd, looked up among watched inodes (as on_open_exit). */
static __always_inline void open_exit_core(long ret)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct fdtable *fdt;
	struct file **fds, *f = NULL;
	struct inode *inode;
	struct watch_key key;

	if (ret < 0)
		return;
	fdt = BPF_CORE_READ(task, files, fdt);
	if (!fdt || ret >= BPF_CORE_READ(fdt, max_fds))
		return;
	fds = BPF_CORE_READ(fdt, fd);
	bpf_probe_read_kernel(&f, sizeof(f), &fds[ret]);
	if (!f)
		return;
	inode = BPF_CORE_READ(f, f_inode);
	key.dev = BPF_CORE_READ(inode, i_sb, s_dev);
	key.ino = BPF_CORE_READ(inode, i_ino);
	if ((bpf_get_current_pid_tgid() >> 32) == agent_tgid)
		return;
	if (bpf_map_lookup_elem(&watched_inodes, &key))
		hit();
}

/* The same by direct (BTF) loads: one helper call for the fd slot instead of eight reads. */
static __always_inline void open_exit_btf(long ret)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct fdtable *fdt = task->files->fdt;
	struct file *f = NULL;
	struct inode *inode;
	struct watch_key key;

	if (ret < 0 || !fdt || ret >= fdt->max_fds)
		return;
	/* a variable index into a BTF array needs a probe read; the rest are plain loads */
	bpf_probe_read_kernel(&f, sizeof(f), &fdt->fd[ret]);
	if (!f)
		return;
	f = bpf_rdonly_cast(f, bpf_core_type_id_kernel(struct file));
	inode = f->f_inode;
	if (!inode)
		return;
	key.dev = inode->i_sb->s_dev;
	key.ino = inode->i_ino;
	if ((bpf_get_current_pid_tgid() >> 32) == agent_tgid)
		return;
	if (bpf_map_lookup_elem(&watched_inodes, &key))
		hit();
}

/* read enter: is the fd a watched one (as on_read_enter)? */
static __always_inline void read_enter(__u32 fd)
{
	struct fd_key fk = { .tgid = bpf_get_current_pid_tgid() >> 32, .fd = fd };

	if (bpf_map_lookup_elem(&watched_fds, &fk))
		hit();
}

/* read or send exit: was an enter recorded for this thread? */
static __always_inline void pending_exit(void *map)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();

	if (bpf_map_lookup_elem(map, &pid_tgid))
		hit();
}

/* close enter: forget a watched fd (a miss costs a lookup). */
static __always_inline void close_enter(__u32 fd)
{
	struct fd_key fk = { .tgid = bpf_get_current_pid_tgid() >> 32, .fd = fd };

	if (!bpf_map_delete_elem(&watched_fds, &fk))
		hit();
}

/* send enter: the one taint lookup of an untainted sender (as on_send_enter). */
static __always_inline void send_enter(void)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;

	if (tgid == agent_tgid)
		return;
	if (bpf_map_lookup_elem(&taint, &tgid))
		hit();
}

/* ---- mode tracepoint / tracepoint-btf / tracepoint-bits: one program per syscall tracepoint */

#define TP_EXIT_OPEN(sys)                                                                    \
	SEC("tracepoint/syscalls/sys_exit_" #sys)                                             \
	int tp_exit_##sys(struct trace_event_raw_sys_exit *ctx)                              \
	{                                                                                    \
		open_exit_core(ctx->ret);                                                   \
		return 0;                                                                    \
	}                                                                                    \
	SEC("tracepoint/syscalls/sys_exit_" #sys)                                             \
	int tpb_exit_##sys(struct trace_event_raw_sys_exit *ctx)                             \
	{                                                                                    \
		open_exit_btf(ctx->ret);                                                    \
		return 0;                                                                    \
	}

#define CURRENT_FLAGGED() tgid_flagged(bpf_get_current_pid_tgid() >> 32)

#define TP_READ(sys)                                                                         \
	SEC("tracepoint/syscalls/sys_enter_" #sys)                                            \
	int tp_enter_##sys(struct trace_event_raw_sys_enter *ctx)                            \
	{                                                                                    \
		read_enter(ctx->args[0]);                                                   \
		return 0;                                                                    \
	}                                                                                    \
	SEC("tracepoint/syscalls/sys_exit_" #sys)                                             \
	int tp_exit_##sys(struct trace_event_raw_sys_exit *ctx)                              \
	{                                                                                    \
		pending_exit(&pending_reads);                                               \
		return 0;                                                                    \
	}                                                                                    \
	SEC("tracepoint/syscalls/sys_enter_" #sys)                                            \
	int tpx_enter_##sys(struct trace_event_raw_sys_enter *ctx)                           \
	{                                                                                    \
		if (CURRENT_FLAGGED())                                                      \
			read_enter(ctx->args[0]);                                           \
		return 0;                                                                    \
	}                                                                                    \
	SEC("tracepoint/syscalls/sys_exit_" #sys)                                             \
	int tpx_exit_##sys(struct trace_event_raw_sys_exit *ctx)                             \
	{                                                                                    \
		if (CURRENT_FLAGGED())                                                      \
			pending_exit(&pending_reads);                                       \
		return 0;                                                                    \
	}

#define TP_SEND(sys)                                                                         \
	SEC("tracepoint/syscalls/sys_enter_" #sys)                                            \
	int tp_enter_##sys(struct trace_event_raw_sys_enter *ctx)                            \
	{                                                                                    \
		send_enter();                                                               \
		return 0;                                                                    \
	}                                                                                    \
	SEC("tracepoint/syscalls/sys_exit_" #sys)                                             \
	int tp_exit_##sys(struct trace_event_raw_sys_exit *ctx)                              \
	{                                                                                    \
		pending_exit(&pending_sends);                                               \
		return 0;                                                                    \
	}                                                                                    \
	SEC("tracepoint/syscalls/sys_enter_" #sys)                                            \
	int tpx_enter_##sys(struct trace_event_raw_sys_enter *ctx)                           \
	{                                                                                    \
		if (CURRENT_FLAGGED())                                                      \
			send_enter();                                                       \
		return 0;                                                                    \
	}                                                                                    \
	SEC("tracepoint/syscalls/sys_exit_" #sys)                                             \
	int tpx_exit_##sys(struct trace_event_raw_sys_exit *ctx)                             \
	{                                                                                    \
		if (CURRENT_FLAGGED())                                                      \
			pending_exit(&pending_sends);                                       \
		return 0;                                                                    \
	}

TP_EXIT_OPEN(openat)
TP_EXIT_OPEN(openat2)
#if defined(__TARGET_ARCH_x86)
TP_EXIT_OPEN(open)
#endif
TP_READ(read)
TP_READ(pread64)
TP_READ(readv)
TP_READ(preadv)
TP_SEND(write)
TP_SEND(writev)
TP_SEND(sendto)
TP_SEND(sendmsg)

SEC("tracepoint/syscalls/sys_enter_close")
int tp_enter_close(struct trace_event_raw_sys_enter *ctx)
{
	close_enter(ctx->args[0]);
	return 0;
}

SEC("tracepoint/syscalls/sys_enter_close")
int tpx_enter_close(struct trace_event_raw_sys_enter *ctx)
{
	if (CURRENT_FLAGGED())
		close_enter(ctx->args[0]);
	return 0;
}

/* ---- mode raw_tp / tp_btf: one program per direction, dispatching on the syscall number ------ */

static __always_inline void dispatch_enter(long id, __u32 arg0)
{
	switch (id) {
	case NR_read:
	case NR_pread64:
	case NR_readv:
	case NR_preadv:
		read_enter(arg0);
		break;
	case NR_write:
	case NR_writev:
	case NR_sendto:
	case NR_sendmsg:
		send_enter();
		break;
	case NR_close:
		close_enter(arg0);
		break;
	}
}

static __always_inline void dispatch_exit(long id, long ret, int btf)
{
	switch (id) {
	case NR_openat:
	case NR_openat2:
	case NR_open:
		if (btf)
			open_exit_btf(ret);
		else
			open_exit_core(ret);
		break;
	case NR_read:
	case NR_pread64:
	case NR_readv:
	case NR_preadv:
		pending_exit(&pending_reads);
		break;
	case NR_write:
	case NR_writev:
	case NR_sendto:
	case NR_sendmsg:
		pending_exit(&pending_sends);
		break;
	}
}

/* 32-bit (compat) syscalls number differently: a dispatcher must not take them for native ones. */
static __always_inline int in_compat_syscall(void)
{
#if defined(__TARGET_ARCH_x86)
	return bpf_get_current_task_btf()->thread_info.status & TS_COMPAT;
#else
	return 0;
#endif
}

SEC("raw_tp/sys_enter")
int BPF_PROG(raw_sys_enter, struct pt_regs *regs, long id)
{
	if (in_compat_syscall())
		return 0;
	dispatch_enter(id, BPF_CORE_READ(regs, ARG0_FIELD));
	return 0;
}

SEC("raw_tp/sys_exit")
int BPF_PROG(raw_sys_exit, struct pt_regs *regs, long ret)
{
	if (in_compat_syscall())
		return 0;
	dispatch_exit(BPF_CORE_READ(regs, NR_FIELD), ret, 0);
	return 0;
}

SEC("tp_btf/sys_enter")
int BPF_PROG(btf_sys_enter, struct pt_regs *regs, long id)
{
	if (in_compat_syscall())
		return 0;
	dispatch_enter(id, regs->ARG0_FIELD);
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(btf_sys_exit, struct pt_regs *regs, long ret)
{
	if (in_compat_syscall())
		return 0;
	dispatch_exit(regs->NR_FIELD, ret, 1);
	return 0;
}

/* ---- mode one-tracepoint: the price of syscall tracepoints being on at all ------------------- */

SEC("tracepoint/syscalls/sys_enter_sync")
int one_enter_sync(struct trace_event_raw_sys_enter *ctx)
{
	hit();
	return 0;
}

/* ---- mode cgroup: the per-send and per-packet cgroup hooks ----------------------------------- */

__u32 n_enforce_rules = 0; /* as in bpf/: no rule blocks, so every packet passes */

SEC("cgroup/sendmsg4")
int cg_sendmsg4(struct bpf_sock_addr *ctx)
{
	pending_exit(&pending_sends);
	return 1;
}

SEC("cgroup_skb/egress")
int cg_egress(struct __sk_buff *skb)
{
	if (!n_enforce_rules)
		return 1;
	hit();
	return 1;
}

char LICENSE[] SEC("license") = "Dual BSD/GPL";
