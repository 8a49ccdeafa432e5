/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* tlspair: TLS over a memory BIO (Python's asyncio and ssl.MemoryBIO, Java's SSLEngine, Android
 * Conscrypt's engine mode, Netty). SSL_write encrypts into memory there: no socket is written
 * during the call, so the plaintext's event has no destination. The ciphertext leaves soon after
 * by an ordinary send of the same process. This pairs them: the plaintext is judged with that
 * send's destination, and the ciphertext, which says nothing, is not judged again. */
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

typedef void (*tlspair_judge_fn)(void *ctx, const struct send_event *ev);

struct tlspair {
	struct tls_waiting *slot[TLSPAIR_SLOTS];
	tlspair_judge_fn judge;
	void *ctx;
	unsigned long long paired;   /* plaintext judged with the socket its ciphertext went to */
	unsigned long long unpaired; /* judged without one (no TLS record followed in time) */
};

/* The content type of the TLS record a send's sample starts with (20 change_cipher_spec .. 23
 * application_data, 24 heartbeat; RFC 8446 5.1, version 3.x on the wire), or 0 if none. */
int tls_record_type(const struct send_event *ev);

void tlspair_init(struct tlspair *tp, tlspair_judge_fn judge, void *ctx);
/* Takes a whole send (longsend.h): plaintext without a destination waits; a send that carries a
 * TLS record from a process with plaintext waiting gives it its destination; the rest are
 * judged as they come. */
void tlspair_feed(struct tlspair *tp, const struct send_event *ev);
/* Judges, without a destination, plaintext that waited longer than TLSPAIR_WAIT_NS by now_ns
 * (boot time, as events have it); all of it when now_ns is UINT64_MAX. */
void tlspair_tick(struct tlspair *tp, uint64_t now_ns);
void tlspair_free(struct tlspair *tp);

struct json;
/* The counts as the 'memory_bio_tls' member. */
void tlspair_describe(const struct tlspair *tp, struct json *j);

#endif
