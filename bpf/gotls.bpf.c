// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* gotls.bpf.c: plaintext a tainted Go program hands to crypto/tls.(*Conn).Write, unencrypted. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "idsentry.h"
#include "common.bpf.h"
#include "sample.bpf.h"

/* Go's register ABI (ABIInternal: Go 1.17+ on amd64, 1.18+ on arm64) passes the receiver and then
 * the []byte's pointer, length and capacity in the integer argument registers: RAX, RBX, RCX, RDI
 * on amd64, R0-R3 on arm64. The agent probes only executables built with it (gotls.c). */
#if defined(__TARGET_ARCH_x86)
#define GO_SLICE_PTR(x) (__PT_REGS_CAST(x)->bx)
#define GO_SLICE_LEN(x) (__PT_REGS_CAST(x)->cx)
#elif defined(__TARGET_ARCH_arm64)
#define GO_SLICE_PTR(x) PT_REGS_PARM2(x)
#define GO_SLICE_LEN(x) PT_REGS_PARM3(x)
#else
#error "gotls.bpf.c: Go's register ABI is described for x86 and arm64 only"
#endif

/* func (c *Conn) Write(b []byte) (int, error), at its entry: no return probe, since the Go runtime
 * moves goroutine stacks and a return probe's trampoline on a moved stack crashes the program.
 * Write sends all of b or fails, so the length asked for is what leaves. The event has no
 * destination: the agent pairs it with the TLS record the process sends next (tlspair.c). */
SEC("uprobe")
int handle_go_tls_write(struct pt_regs *ctx)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	__u64 buf = GO_SLICE_PTR(ctx), len = GO_SLICE_LEN(ctx);
	struct proc_taint *t;
	struct send_event *ev;

	if ((pid_tgid >> 32) == agent_tgid || !buf || !len)
		return 0;
	/* the one lookup every untainted Go TLS writer pays */
	t = live_taint(pid_tgid >> 32);
	if (!t)
		return 0;
	ev = send_event_begin(EVENT_SEND, pid_tgid, t->ident_mask, t->last_ns, CALL_GO_TLS_WRITE,
			      0, len);
	if (!ev)
		return 0;
	if (len > sample_bytes)
		ev->flags |= SEND_SAMPLE_TRUNCATED;
	/* the first sample, bounded by --sample-bytes; longer plaintext goes on in parts */
	ev->sample_len = sample_sent(ev->sample, buf, len, 0, sample_bytes);
	if (!ev->sample_len && sample_bytes)
		return 0;
	send_first_part(ev, len);
	emit_send_event(ev);
	emit_send_rest(buf, 0, 0, len);
	return 0;
}

