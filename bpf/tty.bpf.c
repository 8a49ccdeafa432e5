// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* tty.bpf.c: writes to a modem tty the policy names (AT commands, SMS bodies), for the agent. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "idsentry.h"
#include "maps.bpf.h"
#include "sample.bpf.h"
#include "watch.bpf.h"

/* A write to a modem tty the policy names: AT commands (whose replies the agent pairs with them)
 * and SMS bodies. Reported whether or not the writer is tainted: the command comes before the
 * reply that taints it. Returns 1 when fd is such a tty. Called from the write hooks of
 * send.bpf.c for processes holding a watched fd; global, not static: the verifier checks it
 * once on its own, not once per path of each write hook. */
int modem_write(__u32 fd, __u64 buf, __u64 len, __u32 is_iov)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u32 tgid = pid_tgid >> 32;
	struct flow_event *ev;
	struct watched_fd *wf;
	struct proc_taint *t;

	wf = watched(pid_tgid, fd);
	if (!wf || !(wf->flags & WATCHED_FD_MODEM))
		return 0;
	t = bpf_map_lookup_elem(&taint, &tgid);
	ev = t ? flow_event_begin(EVENT_TTY_WRITE, pid_tgid, t->ident_mask, t->last_ns, wf->ino,
				  CHANNEL_TTY, FLOW_WRITE)
	       : NULL;
	if (!ev)
		return 1;
	ev->sample_len = sample_sent(ev->sample, buf, len, is_iov, sample_bytes);
	emit_flow_event(ev);
	return 1;
}
