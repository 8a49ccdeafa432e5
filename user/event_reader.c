// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* event_reader.c: the kernel's event ring, read by polling while events come and by wake-up
 * when they stop (see event_reader.h). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <linux/bpf.h>
#include <bpf/libbpf.h>
#include "idsentry.h"
#include "event_reader.h"
#include "json.h"

/* A callback's return that ends a read (libbpf stops at a negative one, the record read). */
#define BATCH_END (-EALREADY)

static int on_record(void *ctx, void *data, size_t size)
{
	struct event_reader *r = ctx;
	/* what the record took in the ring: with its header, rounded up to 8 bytes */
	__u64 used = (size + BPF_RINGBUF_HDR_SZ + 7) & ~7ULL;
	int err = r->fn(r->ctx, data, size);

	r->batch_count++;
	if (err < 0)
		return err;
	if (used >= r->batch_left) {
		r->batch_left = 0;
		return BATCH_END;
	}
	r->batch_left -= used;
	return 0;
}

/* Reads the records that were in the ring when it began, and no more. libbpf reads on while
 * records keep coming: under a flood the agent can keep up with, one read never ended, and the
 * loop's timer (stats, detaching hooks, the hooks-idle clock) and its signals waited for the
 * flood to stop. A batch at a time, the loop comes round between batches. */
static int read_batch(struct event_reader *r)
{
	int err;

	r->batch_left = __atomic_load_n(r->producer, __ATOMIC_ACQUIRE) -
			__atomic_load_n(r->consumer, __ATOMIC_ACQUIRE);
	if (!r->batch_left)
		return 0;
	r->batch_count = 0;
	err = ring_buffer__consume(r->rb);
	if (err < 0 && err != BATCH_END)
		return err;
	return r->batch_count;
}

int event_reader_open(struct event_reader *r, int ring_fd, event_handler fn, void *ctx,
		      __u32 *asleep)
{
	void *pos;

	memset(r, 0, sizeof(*r));
	r->asleep = asleep;
	r->page = sysconf(_SC_PAGESIZE);
	r->fn = fn;
	r->ctx = ctx;
	r->rb = ring_buffer__new(ring_fd, on_record, r, NULL);
	if (!r->rb) {
		int err = -errno;

		fprintf(stderr, "idsentry: failed to create the ring buffer reader: %s\n",
			strerror(errno));
		return err;
	}
	/* the consumer's page, then the producer's: libbpf 1.1 does not show their positions */
	pos = mmap(NULL, 2 * r->page, PROT_READ, MAP_SHARED, ring_fd, 0);
	if (pos == MAP_FAILED) {
		int err = -errno;

		fprintf(stderr, "idsentry: mapping the event ring's positions failed: %s\n",
			strerror(errno));
		ring_buffer__free(r->rb);
		r->rb = NULL;
		return err;
	}
	r->consumer = pos;
	r->producer = (const volatile __u64 *)((char *)pos + r->page);
	return 0;
}

int event_reader_fd(const struct event_reader *r)
{
	return ring_buffer__epoll_fd(r->rb);
}

int event_reader_consume(struct event_reader *r)
{
	int got;

	/* awake: the producers go back to the backlog rule before the first record is read;
	 * with the flag still set, each record committed while the reader had caught up would
	 * wake it again (an irq_work, a self-IPI on the sender's CPU). event_reader_wait_ms sets
	 * the flag again when the reader next goes to sleep. */
	if (__atomic_load_n(r->asleep, __ATOMIC_RELAXED))
		__atomic_store_n(r->asleep, 0, __ATOMIC_SEQ_CST);
	got = read_batch(r);
	if (got > 0)
		r->quiet_polls = 0;
	else if (r->quiet_polls < QUIET_POLLS)
		r->quiet_polls++;
	return got;
}

int event_reader_wait_ms(struct event_reader *r, int following)
{
	int was_asleep;

	if (following && r->quiet_polls < QUIET_POLLS)
		return EVENT_POLL_MS;
	/* From here on an event goes in with the kernel's own wake-up rule: it wakes the reader
	 * when it is the first one the reader has not read (emit_wakeup). One that went in before
	 * the producer saw the flag went without a wake-up, and so would every one behind it: read
	 * them now, and while one is still being written (reserved, not committed), keep polling.
	 * Left: a producer that read the flag just before it was set and reserves just after this
	 * look; the loop's one-second tick reads that one. */
	was_asleep = __atomic_load_n(r->asleep, __ATOMIC_RELAXED);
	if (!was_asleep) {
		__atomic_store_n(r->asleep, 1, __ATOMIC_SEQ_CST);
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		read_batch(r);
	}
	if (__atomic_load_n(r->producer, __ATOMIC_ACQUIRE) !=
	    __atomic_load_n(r->consumer, __ATOMIC_ACQUIRE)) {
		r->in_flight++;
		return EVENT_POLL_MS;
	}
	if (!was_asleep)
		r->sleeps++;
	return -1;
}

void event_reader_describe(const struct event_reader *r, struct json *j)
{
	json_object_begin(j, "event_reader");
	json_bool(j, "asleep", r->asleep && __atomic_load_n(r->asleep, __ATOMIC_RELAXED));
	json_uint(j, "sleeps", r->sleeps);
	json_uint(j, "in_flight", r->in_flight);
	json_object_end(j);
}

void event_reader_close(struct event_reader *r)
{
	if (r->consumer)
		munmap((void *)r->consumer, 2 * r->page);
	ring_buffer__free(r->rb);
	memset(r, 0, sizeof(*r));
}
