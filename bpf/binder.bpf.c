// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* binder.bpf.c: Binder calls named by the policy: getters' replies taint the caller, SMS sends are
 * reported (and stopped by a blocking rule) before the service sees them.
 *
 * Everything an app asks of the phone or system_server passes through
 * ioctl(fd, BINDER_WRITE_READ, struct binder_write_read *): BC_ commands in the write buffer, BR_
 * returns in the read buffer, both in the caller's memory. A kprobe on binder_ioctl runs only for
 * Binder ioctls; a call that matches no policy entry costs it one map lookup. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "idsentry.h"
#include "maps.bpf.h"
#include "task.bpf.h"
#include "common.bpf.h"
#include "flow.bpf.h"
#include "watch.bpf.h"
#include "enforce.bpf.h"

/* <linux/android/binder.h>, 64-bit protocol (version 8): _IOWR('b', 1, struct binder_write_read),
 * _IOW('c', 0 / 17, struct binder_transaction_data / _sg), _IOR('r', 3, ...), _IO('r', 5 / 17 / 18).
 * Every command carries the size of its payload in its _IOC_SIZE bits. */
#define BINDER_WRITE_READ 0xc0306201u
#define BC_TRANSACTION 0x40406300u
#define BC_TRANSACTION_SG 0x40486311u
#define BR_REPLY 0x80407203u
#define BR_DEAD_REPLY 0x7205u
#define BR_FAILED_REPLY 0x7211u
#define BR_FROZEN_REPLY 0x7212u
#define IOC_SIZE(cmd) (((cmd) >> 16) & 0x3fff)
#define TF_STATUS_CODE 0x08
/* libbinder's Parcel header before the interface token, from Android 11: 'SYST' or 'VNDR' */
#define PARCEL_HEADER_SYST 0x53595354u
#define PARCEL_HEADER_VNDR 0x564e4452u
/* A handle no process holds: the driver fails the transaction back to its sender. */
#define NO_SUCH_HANDLE 0x7ffffff0ull

struct binder_write_read_abi {
	__u64 write_size, write_consumed, write_buffer;
	__u64 read_size, read_consumed, read_buffer;
};

struct binder_transaction_data_abi {
	__u64 target; /* handle in the low 32 bits */
	__u64 cookie;
	__u32 code;
	__u32 flags;
	__s32 sender_pid;
	__u32 sender_euid;
	__u64 data_size;
	__u64 offsets_size;
	__u64 buffer;
	__u64 offsets;
};

/* (interface descriptor, code) → what the call means, filled by the agent (user/binder.c). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, BINDER_MAX_METHODS);
	__type(key, struct binder_method_key);
	__type(value, struct binder_method);
} binder_methods SEC(".maps");

/* A getter call of a thread, from its BC_TRANSACTION until the BR_REPLY it reads. */
struct binder_call {
	__u64 arg;        /* the binder_write_read of the thread's latest ioctl */
	__u64 read_start; /* its read_consumed before the driver wrote */
	__u64 mask;
	__u32 slot;
	__u32 code;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, MAX_PENDING);
	__type(key, __u64);
	__type(value, struct binder_call);
} binder_calls SEC(".maps");

struct binder_scratch {
	__u8 head[BINDER_HEAD_BYTES + 8]; /* slack: 2-byte reads at a masked offset stay inside */
	struct binder_method_key key;
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct binder_scratch);
} binder_scratch SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct binder_tx_event);
} binder_tx_scratch SEC(".maps");

/* Getter calls waiting for their reply (approximate: an LRU eviction leaves it high, which only
 * costs the return probe a lookup). While 0 the return probe does nothing. */
__u32 binder_calls_waiting = 0;

#define HEAD_MASK (BINDER_HEAD_BYTES - 1)

static __always_inline __u32 head_u32(const __u8 *head, __u32 off)
{
	__u32 v;

	__builtin_memcpy(&v, head + (off & HEAD_MASK), sizeof(v));
	return v;
}

static __always_inline __u16 head_u16(const __u8 *head, __u32 off)
{
	__u16 v;

	__builtin_memcpy(&v, head + (off & HEAD_MASK), sizeof(v));
	return v;
}

/* Whether a String16 of 1..BINDER_NAME_BYTES units, NUL-terminated, starts at off. */
static __always_inline int token_at(const __u8 *head, __u32 off, __u32 n)
{
	__u32 len = head_u32(head, off);

	if (len < 1 || len > BINDER_NAME_BYTES || off + 4 + 2 * len + 2 > n)
		return 0;
	return head_u16(head, off + 4 + 2 * len) == 0 && head_u16(head, off + 4) != 0;
}

/* Builds the method key of a transaction from its Parcel: int32 strict-mode policy, int32
 * work-source uid (Android 10+), int32 'SYST'/'VNDR' (11+), then the descriptor as String16.
 * Returns 0, or -1 when no token is found at any of those places. */
static __always_inline int method_key(struct binder_scratch *s, __u64 buffer, __u64 size,
				      __u32 code)
{
	__u32 n = size > BINDER_HEAD_BYTES ? BINDER_HEAD_BYTES : size;
	__u32 off, len, i, w;

	if (n < 8 || bpf_probe_read_user(s->head, n, (void *)buffer))
		return -1;
	w = n >= 12 ? head_u32(s->head, 8) : 0;
	if (w == PARCEL_HEADER_SYST || w == PARCEL_HEADER_VNDR)
		off = 12;
	else if (token_at(s->head, 8, n))
		off = 8;
	else
		off = 4;
	if (!token_at(s->head, off, n))
		return -1;
	len = head_u32(s->head, off);
	/* narrowed to bytes; a unit beyond Latin-1 can be in no descriptor the agent wrote */
	for (i = 0; i < BINDER_NAME_BYTES; i++) {
		__u16 unit = i < len ? head_u16(s->head, off + 4 + 2 * i) : 0;

		s->key.name[i] = unit > 0xff ? 0x7f : unit;
	}
	s->key.code = code;
	s->key.name_len = len;
	return 0;
}

/* The first of the commands in [ptr, end) that is one of the wanted ones: its code, with the
 * address of its payload in *at; 0 when there is none among the first BINDER_MAX_COMMANDS. */
static __always_inline __u32 find_command(__u64 ptr, __u64 end, int reading, __u64 *at)
{
	int i;

	for (i = 0; i < BINDER_MAX_COMMANDS; i++) {
		__u32 cmd;

		if (ptr + 4 > end || bpf_probe_read_user(&cmd, sizeof(cmd), (void *)ptr))
			return 0;
		*at = ptr + 4;
		if (!reading && (cmd == BC_TRANSACTION || cmd == BC_TRANSACTION_SG))
			return cmd;
		if (reading && (cmd == BR_REPLY || cmd == BR_DEAD_REPLY || cmd == BR_FAILED_REPLY ||
				cmd == BR_FROZEN_REPLY))
			return cmd;
		ptr += 4 + IOC_SIZE(cmd);
	}
	return 0;
}

/* A tainted process calls an SMS-sending method: its arguments go to the agent, and a blocking
 * rule sends the transaction to a handle nobody holds, so no service ever receives it. */
static __always_inline void sms_call(__u64 pid_tgid, const struct binder_method *m,
				     const struct binder_transaction_data_abi *tr, __u64 tr_at)
{
	struct proc_taint *t = live_taint(pid_tgid >> 32);
	__u64 handle = NO_SUCH_HANDLE, n;
	struct binder_tx_event *ev;
	__u8 no_addr[16] = {};
	__u16 slot = 0;
	__u32 zero = 0, verdict;

	if (!t)
		return;
	ev = bpf_map_lookup_elem(&binder_tx_scratch, &zero);
	if (!ev)
		return;
	fill_header(&ev->hdr, EVENT_BINDER_TX, pid_tgid);
	ev->taint_mask = t->ident_mask;
	ev->taint_ns = t->last_ns;
	ev->slot = m->slot;
	ev->code = tr->code;
	ev->data_size = tr->data_size;
	ev->flags = 0;
	ev->hook = HOOK_NONE;
	ev->rule = 0;
	verdict = enforce_verdict(t->ident_mask, t->last_ns, AF_UNSPEC, no_addr, 0, &slot);
	if (verdict) {
		ev->rule = slot;
		if (bpf_probe_write_user((void *)tr_at, &handle, sizeof(handle))) {
			ev->flags |= SEND_BLOCK_MISSED;
		} else {
			ev->flags |= SEND_BLOCKED;
			ev->hook = HOOK_BINDER;
		}
		if (verdict == ENFORCE_KILL) {
			bpf_send_signal(9);
			ev->flags |= SEND_KILLED | SEND_BLOCKED;
			ev->hook = HOOK_BINDER;
		}
	}
	n = tr->data_size > BINDER_TX_BYTES ? BINDER_TX_BYTES : tr->data_size;
	ev->len = n;
	if (bpf_probe_read_user(ev->data, n, (void *)tr->buffer)) {
		count(STAT_READ_USER_FAILED);
		ev->len = 0;
		n = 0;
	}
	emit_now(ev, offsetof(struct binder_tx_event, data) + n);
}

SEC("kprobe/binder_ioctl")
int BPF_KPROBE(handle_binder_ioctl, void *filp, unsigned int cmd, unsigned long arg)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid(), tr_at = 0;
	struct binder_transaction_data_abi tr;
	struct binder_write_read_abi bwr;
	struct binder_scratch *s;
	struct binder_method *m;
	__u32 zero = 0;

	if (cmd != BINDER_WRITE_READ || (pid_tgid >> 32) == agent_tgid)
		return 0;
	if (bpf_probe_read_user(&bwr, sizeof(bwr), (void *)arg))
		return 0;
	/* a getter call of this thread still waits: this ioctl's reads may bring its reply */
	if (binder_calls_waiting) {
		struct binder_call *c = bpf_map_lookup_elem(&binder_calls, &pid_tgid);

		if (c) {
			c->arg = arg;
			c->read_start = bwr.read_consumed;
		}
	}
	if (bwr.write_size <= bwr.write_consumed ||
	    !find_command(bwr.write_buffer + bwr.write_consumed,
			  bwr.write_buffer + bwr.write_size, 0, &tr_at) ||
	    bpf_probe_read_user(&tr, sizeof(tr), (void *)tr_at))
		return 0;
	s = bpf_map_lookup_elem(&binder_scratch, &zero);
	if (!s)
		return 0;
	if (method_key(s, tr.buffer, tr.data_size, tr.code)) {
		count(STAT_BINDER_UNPARSED);
		return 0;
	}
	/* the one lookup a call the policy does not name pays */
	m = bpf_map_lookup_elem(&binder_methods, &s->key);
	if (!m)
		return 0;
	if (m->kind == BINDER_SMS) {
		sms_call(pid_tgid, m, &tr, tr_at);
		return 0;
	}
	struct binder_call call = {
		.arg = arg,
		.read_start = bwr.read_consumed,
		.mask = m->ident_mask,
		.slot = m->slot,
		.code = tr.code,
	};

	if (bpf_map_update_elem(&binder_calls, &pid_tgid, &call, BPF_ANY)) {
		count(STAT_BINDER_PENDING_FULL);
		return 0;
	}
	__sync_fetch_and_add(&binder_calls_waiting, 1);
	return 0;
}

SEC("kretprobe/binder_ioctl")
int BPF_KRETPROBE(handle_binder_ioctl_return, long ret)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid(), at = 0, n;
	struct binder_transaction_data_abi tr;
	struct binder_write_read_abi bwr;
	struct ident_read_event *ev;
	struct binder_call *c, call;
	__u32 zero = 0, got;

	if (!binder_calls_waiting)
		return 0;
	c = bpf_map_lookup_elem(&binder_calls, &pid_tgid);
	if (!c)
		return 0;
	call = *c;
	/* an interrupted ioctl is repeated; the reply comes with a later one */
	if (ret != 0 || bpf_probe_read_user(&bwr, sizeof(bwr), (void *)call.arg))
		return 0;
	got = find_command(bwr.read_buffer + call.read_start,
			   bwr.read_buffer + bwr.read_consumed, 1, &at);
	if (!got)
		return 0;
	if (!bpf_map_delete_elem(&binder_calls, &pid_tgid))
		__sync_fetch_and_add(&binder_calls_waiting, -1);
	if (got != BR_REPLY || bpf_probe_read_user(&tr, sizeof(tr), (void *)at) ||
	    (tr.flags & TF_STATUS_CODE))
		return 0;
	/* the reply sits in the caller's binder mapping: the caller holds the value from now */
	taint_introducing(pid_tgid, call.mask);
	taint_pipes_if_unhooked(pid_tgid);
	ev = bpf_map_lookup_elem(&read_scratch, &zero);
	if (!ev)
		return 0;
	fill_header(&ev->hdr, EVENT_IDENT_READ, pid_tgid);
	ev->ident_mask = call.mask;
	ev->dev = call.code;
	ev->ino = call.slot;
	ev->offset = 0;
	ev->source = SOURCE_BINDER;
	ev->call = CALL_BINDER_REPLY;
	ev->total = tr.data_size;
	n = tr.data_size;
	emit_ident_bytes(ev, tr.buffer, n, 1);
	return 0;
}
