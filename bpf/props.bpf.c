// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* props.bpf.c: system property getters (bionic) returning identifiers such as ro.serialno.
 *
 * Properties live in shared memory each process maps read-only: reading one is no syscall, so
 * only uprobes on the getters see it. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "idsentry.h"
#include "maps.bpf.h"
#include "common.bpf.h"
#include "flow.bpf.h"
#include "watch.bpf.h"

/* bionic's struct prop_info: serial, then value[PROP_VALUE_MAX] (or, for long values, an error
 * message and the offset of the value from the prop_info), then the name. */
#define PI_VALUE_OFFSET 4
#define PI_NAME_OFFSET (4 + PROP_VALUE_BYTES)
#define PI_LONG_FLAG (1u << 16)
#define PI_LONG_OFFSET_OFFSET (4 + 56)

/* Property name → identifier bits, filled by the agent from the policy's `properties` keys. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, MAX_WATCHED_PROPS);
	__type(key, struct prop_key);
	__type(value, __u64);
} watched_props SEC(".maps");

struct pending_prop {
	struct prop_key name;
	__u64 value;  /* the caller's buffer */
	__u64 mask;
};

/* A __system_property_get of a watched name in flight, from entry to return. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, MAX_PENDING);
	__type(key, __u64);
	__type(value, struct pending_prop);
} pending_props SEC(".maps");


/* Reports a property value the process now holds, and taints it. */
static __always_inline void emit_property(__u64 pid_tgid, const struct prop_key *name,
					  __u64 mask, __u64 value, __u16 call)
{
	struct ident_read_event *ev;
	__u32 zero = 0;
	long n;

	taint_introducing(pid_tgid, mask);
	taint_pipes_if_unhooked(pid_tgid);
	ev = bpf_map_lookup_elem(&read_scratch, &zero);
	if (!ev)
		return;
	fill_header(&ev->hdr, EVENT_IDENT_READ, pid_tgid);
	ev->ident_mask = mask;
	ev->dev = 0;
	ev->ino = 0;
	ev->offset = 0;
	ev->source = SOURCE_PROPERTY;
	ev->call = call;
	__builtin_memcpy(ev->data, name->name, PROP_NAME_BYTES);
	n = bpf_probe_read_user_str(ev->data + PROP_NAME_BYTES, PROP_VALUE_BYTES, (void *)value);
	if (n <= 1) {
		if (n < 0)
			count(STAT_READ_USER_FAILED);
		return;
	}
	n -= 1; /* the NUL */
	if (n > PROP_VALUE_BYTES)
		n = PROP_VALUE_BYTES;
	ev->len = PROP_NAME_BYTES + n;
	ev->total = n;
	emit_now(ev, offsetof(struct ident_read_event, data) + PROP_NAME_BYTES + n);
}

/* int __system_property_get(const char *name, char *value) */
SEC("uprobe")
int BPF_KPROBE(handle_prop_get, const char *name, char *value)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	struct pending_prop pp = {};
	__u64 *mask;

	if (bpf_probe_read_user_str(pp.name.name, sizeof(pp.name.name), name) <= 0)
		return 0;
	/* the one lookup every property read pays */
	mask = bpf_map_lookup_elem(&watched_props, &pp.name);
	if (!mask)
		return 0;
	pp.value = (__u64)value;
	pp.mask = *mask;
	if (bpf_map_update_elem(&pending_props, &pid_tgid, &pp, BPF_ANY))
		count(STAT_PENDING_FULL);
	return 0;
}

/* The value is in the caller's buffer once the getter returns its length. */
SEC("uretprobe")
int BPF_KRETPROBE(handle_prop_get_return, int ret)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	struct pending_prop *p = bpf_map_lookup_elem(&pending_props, &pid_tgid);

	if (!p)
		return 0;
	if (ret > 0)
		emit_property(pid_tgid, &p->name, p->mask, p->value, CALL_PROPERTY_GET);
	bpf_map_delete_elem(&pending_props, &pid_tgid);
	return 0;
}

/* void __system_property_read_callback(const prop_info *pi, callback, void *cookie) and
 * int __system_property_read(const prop_info *pi, char *name, char *value): both hand out what
 * the prop_info holds, so it is read at entry; probing the callback itself would need a probe at
 * an address inside each caller. */
SEC("uprobe")
int BPF_KPROBE(handle_prop_read_info, const void *pi)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	struct prop_key name = {};
	__u32 serial = 0, long_offset = 0;
	__u64 value, *mask;

	if (!pi || bpf_probe_read_user_str(name.name, sizeof(name.name),
					   (const char *)pi + PI_NAME_OFFSET) <= 0)
		return 0;
	/* the one lookup every property read pays */
	mask = bpf_map_lookup_elem(&watched_props, &name);
	if (!mask)
		return 0;
	if (bpf_probe_read_user(&serial, sizeof(serial), pi))
		return 0;
	value = (__u64)pi + PI_VALUE_OFFSET;
	if (serial & PI_LONG_FLAG) {
		if (bpf_probe_read_user(&long_offset, sizeof(long_offset),
					(const char *)pi + PI_LONG_OFFSET_OFFSET))
			return 0;
		value = (__u64)pi + long_offset;
	}
	emit_property(pid_tgid, &name, *mask, value, CALL_PROPERTY_CALLBACK);
	return 0;
}
