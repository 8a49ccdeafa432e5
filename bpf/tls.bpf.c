// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* tls.bpf.c: plaintext a tainted process hands to OpenSSL/BoringSSL, GnuTLS or NSS, before it is
 * encrypted. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include "idsentry.h"
#include "maps.bpf.h"
#include "task.bpf.h"
#include "common.bpf.h"
#include "sample.bpf.h"

#ifndef EEXIST
#define EEXIST 17 /* errno.h's; vmlinux.h has no macros */
#endif

static __always_inline int on_ssl_write(__u64 buf, __u64 len, __u64 written_ptr)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	struct tls_call tc = {};
	long err;

	if ((pid_tgid >> 32) == agent_tgid)
		return 0;
	/* the one lookup every untainted TLS writer pays */
	if (!live_taint(pid_tgid >> 32))
		return 0;
	tc.buf = buf;
	tc.len = len;
	tc.written_ptr = written_ptr;
	/* counted when made, not when a call inside the call rewrites it (see tls_calls_live) */
	err = bpf_map_update_elem(&tls_calls, &pid_tgid, &tc, BPF_NOEXIST);
	if (!err)
		__sync_fetch_and_add(&tls_calls_live, 1);
	else if (err == -EEXIST)
		err = bpf_map_update_elem(&tls_calls, &pid_tgid, &tc, BPF_EXIST);
	if (err)
		count(STAT_PENDING_FULL);
	return 0;
}

/* int SSL_write(SSL *ssl, const void *buf, int num). One of no bytes (openssl s_server's, at the
 * end of its input) still flushes what the library has queued: the session tickets after a
 * handshake, ciphertext of its own as in the calls below. */
SEC("uprobe")
int BPF_KPROBE(handle_ssl_write, void *ssl, const void *buf, int num)
{
	return num > 0 ? on_ssl_write((__u64)buf, num, 0) : on_ssl_write(0, 0, 0);
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

/* NSS: its SSL layer is an NSPR I/O layer pushed on a socket's descriptor, so the plaintext goes
 * through NSPR's generic calls (PR_Write, PR_Send) on the top layer. The same calls write files
 * and plain sockets, whose bytes the syscall hooks see: only a layered descriptor is TLS's.
 * struct PRFileDesc (prio.h, NSPR's stable ABI): methods, secret, lower, higher, dtor, identity. */
#define PRFILEDESC_LOWER_AT 16

static __always_inline int nspr_layered(const void *fd)
{
	__u64 lower = 0;

	if (!fd || bpf_probe_read_user(&lower, sizeof(lower), (const char *)fd + PRFILEDESC_LOWER_AT))
		return 0;
	return lower != 0;
}

/* PRInt32 PR_Write(PRFileDesc *fd, const void *buf, PRInt32 amount), and PR_Send(fd, buf, amount,
 * flags, timeout) */
SEC("uprobe")
int BPF_KPROBE(handle_nss_write, void *fd, const void *buf, int amount)
{
	if (amount <= 0 || !live_taint(bpf_get_current_pid_tgid() >> 32) || !nspr_layered(fd))
		return 0;
	return on_ssl_write((__u64)buf, amount, 0);
}

/* PR_Read, PR_Recv, PR_Close, SSL_ForceHandshake, SSL_AuthCertificateComplete… on an SSL
 * descriptor: NSS writes handshake and alert records of its own in them (ciphertext, kept out of
 * the send path as for OpenSSL). */
SEC("uprobe")
int BPF_KPROBE(handle_nss_other, void *fd)
{
	if (!live_taint(bpf_get_current_pid_tgid() >> 32) || !nspr_layered(fd))
		return 0;
	return on_ssl_write(0, 0, 0);
}

/* Every probed call returns here: for writes, the bytes the library accepted are the plaintext
 * that will leave. */
SEC("uretprobe")
int BPF_KRETPROBE(handle_ssl_write_return, int ret)
{
	__u64 pid_tgid = bpf_get_current_pid_tgid();
	struct tls_call *p, tc;
	struct proc_taint *t;
	struct send_event *ev;
	__u64 n = 0, written;
	struct file *f;
	struct sock *sk;

	p = bpf_map_lookup_elem(&tls_calls, &pid_tgid);
	if (!p)
		return 0;
	tc = *p;
	if (!bpf_map_delete_elem(&tls_calls, &pid_tgid))
		__sync_fetch_and_add(&tls_calls_live, -1);
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
	ev = t ? send_event_begin(EVENT_SEND, pid_tgid, t->ident_mask, t->last_ns, CALL_SSL_WRITE,
				  tc.fd, n)
	       : NULL;
	if (!ev)
		return 0;
	/* the destination is the socket the library wrote the ciphertext to during the call */
	f = tc.fd_set ? current_fd_file(tc.fd) : NULL;
	sk = f ? file_sock(f) : NULL;
	if (sk) {
		sock_destination(sk, ev);
		ev->flags |= SEND_DEST_FROM_SOCKET;
	}
	written = n;
	if (n > sample_bytes)
		ev->flags |= SEND_SAMPLE_TRUNCATED;
	/* a plaintext that cannot be read is not reported (the read was counted) */
	ev->sample_len = sample_sent(ev->sample, tc.buf, n, 0, sample_bytes);
	if (!ev->sample_len && sample_bytes)
		return 0;
	/* a long plaintext goes on in parts, after this first one */
	send_first_part(ev, written);
	emit_send_event(ev);
	emit_send_rest(tc.buf, 0, 0, written);
	return 0;
}
