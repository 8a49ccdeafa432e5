/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* tlspair: TLS over a memory BIO (Python's asyncio and ssl.MemoryBIO, Java's SSLEngine, Android
 * Conscrypt's engine mode, Netty) and Go's crypto/tls, whose plaintext is taken at the entry of
 * (*Conn).Write, before any socket is written. SSL_write encrypts into memory there: no socket is
 * written during the call, so the plaintext's event has no destination. The ciphertext leaves
 * soon after by an ordinary send of the same process. This pairs them: the plaintext is judged
 * with that send's destination, and the ciphertext, which says nothing, is not judged again. */
#ifndef IDSENTRY_TLSPAIR_H
#define IDSENTRY_TLSPAIR_H

#include <stdint.h>
#include "idsentry.h"
#include "longsend.h"

#define TLSPAIR_SLOTS 8 /* processes with plaintext waiting for its socket at once */
#define TLSPAIR_WAIT_NS (2ULL * 1000000000ULL)

struct tls_waiting {
	uint64_t since_ns;         /* event time of the first plaintext waiting */
	struct long_send_event ev; /* the plaintext so far (several SSL_writes run on) */
};

/* Sockets whose TLS records are the library's own, known from a plaintext paired with them (Go's
 * crypto/tls, or a library over a memory BIO: asyncio, Node.js). */
#define TLSPAIR_CONNS 32
/* Set by tlspair (never by the kernel) on a TLS record a process sends on such a socket with no
 * plaintext waiting: the later records of a long Write (Go cuts it in several, each its own
 * socket write), close_notify and other alerts (encrypted in TLS 1.3, they look like data), key
 * updates. Their plaintext, if any, was judged with the Write's: they are searched, but are no
 * ground for a suspected alert. */
#define SEND_LIBRARY_TLS_RECORD 0x80000000u

struct tls_paired_conn {
	uint32_t tgid, fd;
	uint64_t last_ns; /* the latest plaintext paired with it; 0: a free slot */
	int go;           /* paired with Go's plaintext, else a memory BIO's */
};

typedef void (*tlspair_judge_fn)(void *ctx, const struct send_event *ev);

struct tlspair {
	struct tls_waiting *slot[TLSPAIR_SLOTS];
	tlspair_judge_fn judge;
	void *ctx;
	unsigned long long paired;   /* plaintext judged with the socket its ciphertext went to */
	unsigned long long unpaired; /* judged without one (no TLS record followed in time) */
	struct tls_paired_conn paired_conns[TLSPAIR_CONNS];
	unsigned long long go_records; /* records of crypto/tls's own that followed (no suspicion) */
	unsigned long long bio_records; /* the same on a memory BIO's sockets */
};

/* The content type of the TLS record a send's sample starts with (20 change_cipher_spec .. 23
 * application_data, 24 heartbeat; RFC 8446 5.1, version 3.x on the wire), or 0 if none. */
int tls_record_type(const struct send_event *ev);
/* Whether a send is TLS plaintext a probe saw before encryption (a library's SSL_write or
 * gnutls_record_send, Go's crypto/tls.(*Conn).Write). */
int tls_plaintext(const struct send_event *ev);

void tlspair_init(struct tlspair *tp, tlspair_judge_fn judge, void *ctx);
/* Takes a whole send (longsend.h): plaintext without a destination waits; a send that carries a
 * TLS record from a process with plaintext waiting gives it its destination; a TLS record on a
 * socket a plaintext was paired with is marked SEND_LIBRARY_TLS_RECORD; the rest are judged as
 * they come. */
void tlspair_feed(struct tlspair *tp, const struct send_event *ev);
/* Judges, without a destination, plaintext that waited longer than TLSPAIR_WAIT_NS by now_ns
 * (boot time, as events have it); all of it when now_ns is UINT64_MAX. */
void tlspair_tick(struct tlspair *tp, uint64_t now_ns);
void tlspair_free(struct tlspair *tp);

struct json;
/* The counts as the 'memory_bio_tls' member. */
void tlspair_describe(const struct tlspair *tp, struct json *j);

#endif
