// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* proc.bpf.c: process lifecycle: taint inherited on fork, kept on exec, dropped at exit. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include "idsentry.h"
#include "maps.bpf.h"
#include "common.bpf.h"

/* ---- process lifecycle ---------------------------------------------------------------------- */

struct fd_copy {
	__u32 parent, child, copied;
};

static long copy_fd_to_child(struct bpf_map *map, struct fd_key *key, struct watched_fd *val,
			     struct fd_copy *c)
{
	struct fd_key k = { .tgid = c->child, .fd = key->fd };

	if (key->tgid == c->parent && !bpf_map_update_elem(map, &k, val, BPF_ANY))
		c->copied++;
	return 0;
}

SEC("raw_tp/sched_process_fork")
int BPF_PROG(handle_sched_process_fork, struct task_struct *parent, struct task_struct *child)
{
	struct fd_copy c = { .parent = BPF_CORE_READ(parent, tgid),
			     .child = BPF_CORE_READ(child, tgid) };
	struct proc_taint *t, inherited = {};
	struct proc_fork_event ev;
	int live;

	/* threads share the tgid's entry already */
	if (c.parent == c.child)
		return 0;
	t = bpf_map_lookup_elem(&taint, &c.parent);
	if (!t)
		return 0;
	live = live_taint(c.parent) != NULL;
	if (!live && !t->watched_fds)
		return 0;
	if (live) {
		inherited.ident_mask = t->ident_mask;
		inherited.last_ns = t->last_ns;
		inherited.flags = t->flags;
	}
	/* the child holds the same open identifier files: reads through them taint it */
	if (t->watched_fds)
		bpf_for_each_map_elem(&watched_fds, copy_fd_to_child, &c, 0);
	inherited.watched_fds = c.copied;
	if (bpf_map_update_elem(&taint, &c.child, &inherited, BPF_ANY)) {
		count(STAT_TAINT_MAP_FULL);
		return 0;
	}
	if (!live)
		return 0;
	/* the agent carries what the parent held over to the child, as of now */
	fill_header(&ev.hdr, EVENT_PROC_FORK, bpf_get_current_pid_tgid());
	ev.child_tgid = c.child;
	ev.pad = 0;
	emit(&ev, sizeof(ev));
	return 0;
}

SEC("tracepoint/sched/sched_process_exec")
int handle_sched_process_exec(void *ctx)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u32 tgid = pid_tgid >> 32;
	struct proc_taint *t;

	/* exec keeps the taint; the agent learns the new image. A process with a watched file open
	 * and no identifier yet (a shell's `prog < /etc/machine-id`) is told too: the image that
	 * will read it is this one (the agent looks at each image's executable once, gotls.h) */
	t = bpf_map_lookup_elem(&taint, &tgid);
	if (!t)
		return 0;
	/* the new image's first read of a file the old one read is told (ident.bpf.c) */
	t->read_sig = 0;
	emit_proc_info(pid_tgid);
	return 0;
}

static long drop_fd_of_tgid(struct bpf_map *map, struct fd_key *key, struct watched_fd *val,
			    __u32 *tgid)
{
	if (key->tgid == *tgid)
		bpf_map_delete_elem(map, key);
	return 0;
}

SEC("tracepoint/sched/sched_process_exit")
int handle_sched_process_exit(void *ctx)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u32 tgid = pid_tgid >> 32;
	struct task_struct *task;
	struct proc_taint *t;
	__u32 zero = 0;

	t = bpf_map_lookup_elem(&taint, &tgid);
	if (!t)
		return 0;
	/* only the last thread of the group ends the process */
	task = (struct task_struct *)bpf_get_current_task();
	if (BPF_CORE_READ(task, signal, live.counter) != 0)
		return 0;
	if (t->watched_fds)
		bpf_for_each_map_elem(&watched_fds, drop_fd_of_tgid, &tgid, 0);
	if (t->ident_mask) {
		struct send_scratch *scratch = bpf_map_lookup_elem(&send_scratch, &zero);

		if (scratch) {
			struct proc_exit_event *ev = (struct proc_exit_event *)&scratch->ev;

			fill_header(&ev->hdr, EVENT_PROC_EXIT, pid_tgid);
			ev->taint_mask = t->ident_mask;
			emit(ev, sizeof(*ev));
		}
	}
	bpf_map_delete_elem(&taint, &tgid);
	return 0;
}
