/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* event_reader: reads the kernel's event ring. Events mostly go in without a wake-up (emit() in
 * bpf/common.bpf.h): the reader polls every EVENT_POLL_MS while producers may be busy, and when
 * QUIET_POLLS polls in a row found nothing it tells them it sleeps (consumer_asleep), so that the
 * next event wakes it, and waits for that. A busy phone's holders (rild, the phone process) keep
 * the socket-layer hooks attached for good: polling alone woke the agent 200 times a second. */
#ifndef IDSENTRY_EVENT_READER_H
#define IDSENTRY_EVENT_READER_H

#include <stdint.h>
#include <linux/types.h>

/* 100 ms of nothing: a sender's next event is seldom further apart while it sends */
#define QUIET_POLLS 20

struct ring_buffer;

typedef int (*event_handler)(void *ctx, void *data, size_t size);

struct event_reader {
	struct ring_buffer *rb;
	__u32 *asleep;                   /* the BPF global consumer_asleep */
	const volatile __u64 *consumer;  /* the ring's positions, mapped read-only */
	const volatile __u64 *producer;
	long page;
	unsigned int quiet_polls;
	unsigned long long sleeps;       /* times it went to wait for a wake-up */
	unsigned long long in_flight;    /* times an event in flight kept it polling */
	/* the records of one read: those in the ring when it began (see event_reader_consume) */
	event_handler fn;
	void *ctx;
	__u64 batch_left;
	int batch_count;
};

/* Returns 0, or -errno with a message on stderr naming what failed. */
int event_reader_open(struct event_reader *r, int ring_fd, event_handler fn, void *ctx,
		      __u32 *asleep);
/* The descriptor that becomes readable when the kernel wakes the reader. */
int event_reader_fd(const struct event_reader *r);
/* Reads the records the ring holds as it begins (not those that come while it reads); returns
 * how many, or -errno. */
int event_reader_consume(struct event_reader *r);
/* How long the loop may wait before the next look: EVENT_POLL_MS while 'following' (someone
 * may produce events that wake nobody) and events came lately, else -1, after telling the
 * producers to wake the reader. */
int event_reader_wait_ms(struct event_reader *r, int following);
/* The "event_reader" member of a stats record: asleep now, sleeps, in_flight. */
struct json;
void event_reader_describe(const struct event_reader *r, struct json *j);
void event_reader_close(struct event_reader *r);

#endif
