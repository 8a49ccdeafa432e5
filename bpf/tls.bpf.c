// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* tls.bpf.c: plaintext a tainted process hands to OpenSSL/BoringSSL, before it is encrypted. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_endian.h>
#include "idsentry.h"
#include "maps.bpf.h"
#include "task.bpf.h"
#include "common.bpf.h"

static __always_inline int on_ssl_write(__u64 buf, __u64 len, __u64 written_ptr)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	struct tls_call tc = {};

	if ((pid_tgid >> 32) == agent_tgid)
		return 0;
	/* the one lookup every untainted TLS writer pays */
	if (!live_taint(pid_tgid >> 32))
		return 0;
	tc.buf = buf;
	tc.len = len;
	tc.written_ptr = written_ptr;
	if (bpf_map_update_elem(&tls_calls, &pid_tgid, &tc, BPF_ANY))
		count(STAT_PENDING_FULL);
	return 0;
}

/* int SSL_write(SSL *ssl, const void *buf, int num) */
SEC("uprobe")
int BPF_KPROBE(handle_ssl_write, void *ssl, const void *buf, int num)
{
	return num > 0 ? on_ssl_write((__u64)buf, num, 0) : 0;
}

/* int SSL_write_ex(SSL *ssl, const void *buf, size_t num, size_t *written) */
SEC("uprobe")
int BPF_KPROBE(handle_ssl_write_ex, void *ssl, const void *buf, size_t num, size_t *written)
{
	return on_ssl_write((__u64)buf, num, (__u64)written);
}

/* SSL_connect, SSL_do_handshake, SSL_read, SSL_shutdown...: the library writes handshake and
 * protocol records of its own; marking the call keeps that ciphertext out of the send path. */
SEC("uprobe")
int BPF_KPROBE(handle_ssl_other)
{
	return on_ssl_write(0, 0, 0);
}

/* Every probed call returns here: for writes, the bytes the library accepted are the plaintext
 * that will leave. */
SEC("uretprobe")
int BPF_KRETPROBE(handle_ssl_write_return, int ret)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	struct send_scratch *scratch;
	struct tls_call *p, tc;
	struct proc_taint *t;
	struct send_event *ev;
	__u64 n = 0, written;
	__u32 zero = 0;
	struct file *f;
	struct sock *sk;

	p = bpf_map_lookup_elem(&tls_calls, &pid_tgid);
	if (!p)
		return 0;
	tc = *p;
	bpf_map_delete_elem(&tls_calls, &pid_tgid);
	if (!tc.buf)
		return 0;
	if (tc.written_ptr) {
		/* SSL_write_ex: 1 on success, the count in *written */
		if (ret != 1 || bpf_probe_read_user(&n, sizeof(n), (void *)tc.written_ptr))
			return 0;
	} else if (ret > 0) {
		n = ret;
	}
	if (!n)
		return 0;
	t = live_taint(pid_tgid >> 32);
	scratch = bpf_map_lookup_elem(&send_scratch, &zero);
	if (!t || !scratch)
		return 0;
	ev = &scratch->ev;
	fill_header(&ev->hdr, EVENT_SEND, pid_tgid);
	ev->taint_mask = t->ident_mask;
	ev->taint_ns = t->last_ns;
	ev->result = n;
	ev->call = CALL_SSL_WRITE;
	ev->fd = tc.fd;
	ev->flags = 0;
	ev->family = 0;
	ev->dport = 0;
	__builtin_memset(ev->daddr, 0, sizeof(ev->daddr));
	/* the destination is the socket the library wrote the ciphertext to during the call */
	f = tc.fd_set ? current_fd_file(tc.fd) : NULL;
	sk = f ? file_sock(f) : NULL;
	if (sk) {
		sock_destination(sk, ev);
		ev->flags |= SEND_DEST_FROM_SOCKET;
	}
	written = n;
	if (n > sample_bytes) {
		ev->flags |= SEND_SAMPLE_TRUNCATED;
		n = sample_bytes;
	}
	if (n > MAX_SAMPLE_BYTES)
		n = MAX_SAMPLE_BYTES;
	if (bpf_probe_read_user(ev->sample, n, (void *)tc.buf)) {
		count(STAT_READ_USER_FAILED);
		return 0;
	}
	ev->sample_len = n;
	/* a long plaintext goes on in parts, after this first one */
	send_first_part(ev, written);
	/* the mask keeps n's bounds visible to the verifier after the spill; n is below it */
	emit(ev, offsetof(struct send_event, sample) + (n & (2 * MAX_SAMPLE_BYTES - 1)));
	emit_send_rest(tc.buf, 0, 0, written);
	return 0;
}
