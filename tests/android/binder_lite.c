// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* binder_lite: the Android VM's Binder client and server on /dev/binder (kernel UAPI only), with
 * Parcels laid out byte for byte as libbinder lays them out.
 *
 * The command flow follows libbinder's IPCThreadState: BC_* commands are queued (mOut) and go out
 * with the next BINDER_WRITE_READ, whose read part fills the return buffer (mIn); a call is one
 * ioctl carrying BC_TRANSACTION and coming back with BR_REPLY (the driver defers
 * BR_TRANSACTION_COMPLETE of a synchronous call until the reply is there). The agent's decoder
 * sees exactly that. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include "aidl_codes.h"
#include "binder_lite.h"

/* libbinder (Parcel::flattenBinder) gives its local objects these flags: it accepts fds, and its
 * minimum priority is background (nice 19) unless background scheduling is disabled. */
#define LOCAL_BINDER_FLAGS (FLAT_BINDER_FLAG_ACCEPTS_FDS | 19)

_Static_assert(sizeof(struct flat_binder_object) == 24, "flat_binder_object is 24 bytes on LP64");
_Static_assert(sizeof(struct binder_transaction_data) == 64, "binder_transaction_data size");

static volatile sig_atomic_t call_timed_out;

static void on_alarm(int sig)
{
	(void)sig;
	call_timed_out = 1;
}

static const char *br_name(uint32_t cmd)
{
	switch (cmd) {
	case BR_ERROR:
		return "BR_ERROR";
	case BR_OK:
		return "BR_OK";
	case BR_TRANSACTION:
		return "BR_TRANSACTION";
	case BR_REPLY:
		return "BR_REPLY";
	case BR_DEAD_REPLY:
		return "BR_DEAD_REPLY";
	case BR_TRANSACTION_COMPLETE:
		return "BR_TRANSACTION_COMPLETE";
	case BR_INCREFS:
		return "BR_INCREFS";
	case BR_ACQUIRE:
		return "BR_ACQUIRE";
	case BR_RELEASE:
		return "BR_RELEASE";
	case BR_DECREFS:
		return "BR_DECREFS";
	case BR_NOOP:
		return "BR_NOOP";
	case BR_SPAWN_LOOPER:
		return "BR_SPAWN_LOOPER";
	case BR_DEAD_BINDER:
		return "BR_DEAD_BINDER";
	case BR_FAILED_REPLY:
		return "BR_FAILED_REPLY";
	case BR_FROZEN_REPLY:
		return "BR_FROZEN_REPLY";
	}
	return "BR_?";
}

int binder_open(struct binder *b, const char *dev, const char *who)
{
	struct binder_version ver = { 0 };
	struct sigaction sa = { .sa_handler = on_alarm };
	/* One thread per process here: the driver must not ask for more (BR_SPAWN_LOOPER). */
	uint32_t max_threads = 0;
	int err;

	memset(b, 0, sizeof(*b));
	b->who = who;
	b->map = MAP_FAILED;
	/* No SA_RESTART: the call timeout's alarm must end a blocked BINDER_WRITE_READ. */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, NULL);
	b->fd = open(dev, O_RDWR | O_CLOEXEC);
	if (b->fd < 0) {
		err = -errno;
		fprintf(stderr, "%s: open '%s': %s\n", who, dev, strerror(errno));
		return err;
	}
	if (ioctl(b->fd, BINDER_VERSION, &ver) < 0) {
		err = -errno;
		fprintf(stderr, "%s: BINDER_VERSION on '%s': %s\n", who, dev, strerror(errno));
		goto fail;
	}
	if (ver.protocol_version != BINDER_CURRENT_PROTOCOL_VERSION) {
		fprintf(stderr, "%s: '%s' speaks binder protocol %d, not %d\n", who, dev,
			ver.protocol_version, BINDER_CURRENT_PROTOCOL_VERSION);
		err = -EPROTO;
		goto fail;
	}
	/* The driver refuses writable mappings: buffers are its to fill. */
	b->map = mmap(NULL, BINDER_MAP_BYTES, PROT_READ, MAP_PRIVATE | MAP_NORESERVE, b->fd, 0);
	if (b->map == MAP_FAILED) {
		err = -errno;
		fprintf(stderr, "%s: mmap of '%s': %s\n", who, dev, strerror(errno));
		goto fail;
	}
	if (ioctl(b->fd, BINDER_SET_MAX_THREADS, &max_threads) < 0) {
		err = -errno;
		fprintf(stderr, "%s: BINDER_SET_MAX_THREADS on '%s': %s\n", who, dev,
			strerror(errno));
		goto fail;
	}
	return 0;
fail:
	binder_close(b);
	return err;
}

void binder_close(struct binder *b)
{
	if (b->map != MAP_FAILED && b->map)
		munmap(b->map, BINDER_MAP_BYTES);
	if (b->fd >= 0)
		close(b->fd);
	b->map = MAP_FAILED;
	b->fd = -1;
}

int binder_become_context_manager(struct binder *b)
{
	int32_t zero = 0;

	if (ioctl(b->fd, BINDER_SET_CONTEXT_MGR, &zero) < 0) {
		int err = -errno;

		if (err != -EBUSY)
			fprintf(stderr, "%s: BINDER_SET_CONTEXT_MGR: %s\n", b->who,
				strerror(errno));
		return err;
	}
	return 0;
}

static const char *bc_name(uint32_t cmd)
{
	switch (cmd) {
	case BC_TRANSACTION:
		return "BC_TRANSACTION";
	case BC_REPLY:
		return "BC_REPLY";
	case BC_FREE_BUFFER:
		return "BC_FREE_BUFFER";
	case BC_INCREFS:
		return "BC_INCREFS";
	case BC_ACQUIRE:
		return "BC_ACQUIRE";
	case BC_RELEASE:
		return "BC_RELEASE";
	case BC_DECREFS:
		return "BC_DECREFS";
	case BC_INCREFS_DONE:
		return "BC_INCREFS_DONE";
	case BC_ACQUIRE_DONE:
		return "BC_ACQUIRE_DONE";
	case BC_ENTER_LOOPER:
		return "BC_ENTER_LOOPER";
	case BC_DEAD_BINDER_DONE:
		return "BC_DEAD_BINDER_DONE";
	}
	return "BC_?";
}

/* BINDER_LITE_TRACE=1: every BINDER_WRITE_READ on stderr, commands and returns by name, with the
 * Parcels of transactions and replies in hex (what the agent's decoder reads). Each ioctl's trace
 * goes out in one write, so that it does not cut other processes' lines. */
static int tracing(void)
{
	static int on = -1;

	if (on < 0) {
		const char *v = getenv("BINDER_LITE_TRACE");

		on = v && *v == '1';
	}
	return on;
}

static struct {
	char buf[16384];
	size_t len;
} trace_out;

static void tprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void tprintf(const char *fmt, ...)
{
	size_t room = sizeof(trace_out.buf) - trace_out.len;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(trace_out.buf + trace_out.len, room, fmt, ap);
	va_end(ap);
	if (n > 0)
		trace_out.len += (size_t)n < room ? (size_t)n : room - 1;
}

static void trace_flush(void)
{
	if (trace_out.len && write(STDERR_FILENO, trace_out.buf, trace_out.len) < 0)
		trace_out.len = 0;
	trace_out.len = 0;
}

static void trace_hex(binder_uintptr_t addr, binder_size_t size)
{
	const uint8_t *p = (const uint8_t *)(uintptr_t)addr;
	binder_size_t i;

	tprintf("    parcel (%llu bytes):", (unsigned long long)size);
	for (i = 0; i < size && i < 512; i++)
		tprintf("%s%02x", i % 32 ? (i % 4 ? "" : " ") : "\n     ", p[i]);
	tprintf("%s\n", size > 512 ? " ..." : "");
}

/* Commands (BC_*, write) or returns (BR_*, read) of one buffer, by name. */
static void trace_buffer(const char *dir, const uint8_t *buf, size_t len)
{
	const struct binder_transaction_data *tr[4];
	size_t pos = 0, n_tr = 0, i;

	tprintf("  %s", dir);
	while (pos + 4 <= len) {
		uint32_t cmd, h;
		size_t size;

		memcpy(&cmd, buf + pos, 4);
		size = _IOC_SIZE(cmd);
		if (pos + 4 + size > len)
			break;
		tprintf(" %s", *dir == 'w' ? bc_name(cmd) : br_name(cmd));
		if ((cmd == BC_TRANSACTION || cmd == BC_REPLY || cmd == BR_TRANSACTION ||
		     cmd == BR_REPLY) &&
		    n_tr < 4) {
			tr[n_tr] = (const void *)(buf + pos + 4);
			if (cmd == BC_TRANSACTION)
				tprintf("(handle %u ", tr[n_tr]->target.handle);
			else
				tprintf("(");
			tprintf("code %u, %llu+%llu bytes)", tr[n_tr]->code,
				(unsigned long long)tr[n_tr]->data_size,
				(unsigned long long)tr[n_tr]->offsets_size);
			n_tr++;
		} else if (cmd == BC_INCREFS || cmd == BC_ACQUIRE) {
			memcpy(&h, buf + pos + 4, 4);
			tprintf("(%u)", h);
		}
		pos += 4 + size;
	}
	tprintf("\n");
	for (i = 0; i < n_tr; i++)
		trace_hex(tr[i]->data.ptr.buffer, tr[i]->data_size);
}

/* One BINDER_WRITE_READ: the queued commands, and a read into the return buffer when `want_read`
 * and everything read before has been handled. */
static int talk(struct binder *b, int want_read)
{
	struct binder_write_read bwr = { 0 };
	int read_now = want_read && b->in_pos >= b->in_len, err = 0;

	bwr.write_size = b->out_len;
	bwr.write_buffer = (binder_uintptr_t)(uintptr_t)b->out;
	bwr.read_size = read_now ? sizeof(b->in) : 0;
	bwr.read_buffer = (binder_uintptr_t)(uintptr_t)b->in;
	if (!bwr.write_size && !bwr.read_size)
		return 0;
	if (tracing()) {
		tprintf("%s[%d]: BINDER_WRITE_READ\n", b->who, getpid());
		trace_buffer("write", b->out, b->out_len);
		trace_flush();
	}
	if (ioctl(b->fd, BINDER_WRITE_READ, &bwr) < 0)
		err = errno == EINTR && call_timed_out ? -ETIMEDOUT : -errno;
	if (tracing() && read_now && bwr.read_consumed <= sizeof(b->in)) {
		tprintf("%s[%d]: returns\n", b->who, getpid());
		trace_buffer("read ", b->in, bwr.read_consumed);
		trace_flush();
	}
	/* the driver reports what it consumed even when the read part failed */
	if (bwr.write_consumed > b->out_len)
		return -EPROTO;
	memmove(b->out, b->out + bwr.write_consumed, b->out_len - bwr.write_consumed);
	b->out_len -= bwr.write_consumed;
	if (read_now) {
		b->in_len = bwr.read_consumed <= sizeof(b->in) ? bwr.read_consumed : 0;
		b->in_pos = 0;
	}
	if (err && err != -EINTR && err != -ETIMEDOUT)
		fprintf(stderr, "%s: BINDER_WRITE_READ: %s\n", b->who, strerror(-err));
	return err;
}

static int queue(struct binder *b, uint32_t cmd, const void *payload, size_t size)
{
	int i;

	/* a full queue goes out first (bounded: each flush empties it or fails) */
	for (i = 0; i < 2 && b->out_len + 4 + size > sizeof(b->out); i++) {
		int err = talk(b, 0);

		if (err)
			return err;
	}
	if (b->out_len + 4 + size > sizeof(b->out)) {
		fprintf(stderr, "%s: binder command queue full\n", b->who);
		return -ENOBUFS;
	}
	memcpy(b->out + b->out_len, &cmd, 4);
	if (size)
		memcpy(b->out + b->out_len + 4, payload, size);
	b->out_len += 4 + size;
	return 0;
}

union br_payload {
	int32_t error;
	struct binder_transaction_data tr;
	struct binder_ptr_cookie ptr_cookie;
	binder_uintptr_t cookie;
	uint8_t bytes[128];
};

/* The next return from the read buffer: its command and payload (_IOC_SIZE of the command). */
static int pull(struct binder *b, uint32_t *cmd, union br_payload *u, int peek)
{
	size_t left = b->in_len - b->in_pos, size;

	if (left < 4)
		return -EPROTO;
	memcpy(cmd, b->in + b->in_pos, 4);
	size = _IOC_SIZE(*cmd);
	if (size > left - 4 || size > sizeof(*u)) {
		fprintf(stderr, "%s: truncated binder return 0x%08x (%zu of %zu payload bytes)\n",
			b->who, *cmd, left - 4, size);
		b->in_pos = b->in_len;
		return -EPROTO;
	}
	if (peek)
		return 0;
	memset(u, 0, sizeof(*u));
	memcpy(u, b->in + b->in_pos + 4, size);
	b->in_pos += 4 + size;
	return 0;
}

/* Returns that need no caller: reference counts on our nodes, no-ops. 1 when handled, 0 when not
 * one of them, or -errno. */
static int handle_common(struct binder *b, uint32_t cmd, const union br_payload *u)
{
	switch (cmd) {
	case BR_NOOP:
	case BR_OK:
	case BR_FINISHED:
	case BR_ONEWAY_SPAM_SUSPECT:
	case BR_CLEAR_DEATH_NOTIFICATION_DONE:
		return 1;
	case BR_SPAWN_LOOPER:
		/* single-threaded: the pool stays as it is, as BINDER_SET_MAX_THREADS 0 asked */
		return 1;
	case BR_INCREFS:
		return queue(b, BC_INCREFS_DONE, &u->ptr_cookie, sizeof(u->ptr_cookie)) ?: 1;
	case BR_ACQUIRE:
		return queue(b, BC_ACQUIRE_DONE, &u->ptr_cookie, sizeof(u->ptr_cookie)) ?: 1;
	case BR_RELEASE:
	case BR_DECREFS:
		/* our nodes are static objects: nothing to release */
		return 1;
	case BR_DEAD_BINDER:
		return queue(b, BC_DEAD_BINDER_DONE, &u->cookie, sizeof(u->cookie)) ?: 1;
	case BR_ERROR:
		fprintf(stderr, "%s: BR_ERROR %d\n", b->who, u->error);
		return u->error < 0 ? u->error : -EPROTO;
	}
	return 0;
}

static int view_init(struct binder *b, struct parcel_view *v,
		     const struct binder_transaction_data *tr)
{
	uintptr_t lo = (uintptr_t)b->map, hi = lo + BINDER_MAP_BYTES;
	uintptr_t data = (uintptr_t)tr->data.ptr.buffer, offs = (uintptr_t)tr->data.ptr.offsets;

	memset(v, 0, sizeof(*v));
	v->buffer = tr->data.ptr.buffer;
	/* the driver writes buffers into our mapping only; anything else is a protocol error */
	if (data < lo || data > hi || tr->data_size > hi - data ||
	    (tr->offsets_size && (offs < lo || offs > hi || tr->offsets_size > hi - offs)) ||
	    tr->offsets_size % sizeof(binder_size_t)) {
		fprintf(stderr, "%s: transaction buffer outside the binder mapping\n", b->who);
		v->error = -EBADMSG;
		return -EPROTO;
	}
	v->data = (const uint8_t *)data;
	v->size = tr->data_size;
	v->offsets = (const binder_size_t *)offs;
	v->n_offsets = tr->offsets_size / sizeof(binder_size_t);
	return 0;
}

void binder_free(struct binder *b, struct parcel_view *v)
{
	if (!v->buffer)
		return;
	queue(b, BC_FREE_BUFFER, &v->buffer, sizeof(v->buffer));
	v->buffer = 0;
	v->data = NULL;
	v->size = v->pos = v->n_offsets = 0;
}

void binder_acquire(struct binder *b, uint32_t handle)
{
	/* a BpBinder's first weak and first strong reference, as libbinder takes them */
	queue(b, BC_INCREFS, &handle, sizeof(handle));
	queue(b, BC_ACQUIRE, &handle, sizeof(handle));
}

int binder_flush(struct binder *b)
{
	int i, err = 0;

	for (i = 0; i < 4 && b->out_len && !err; i++)
		err = talk(b, 0);
	return err;
}

/* BC_REPLY with the handler's Parcel, or its status alone (TF_STATUS_CODE); then reads until
 * BR_TRANSACTION_COMPLETE, leaving anything else for the serve loop. */
static int send_reply(struct binder *b, int32_t status, const struct parcel *reply)
{
	struct binder_transaction_data tr = { 0 };
	union br_payload u;
	uint32_t cmd;
	int round, err;

	if (!status && reply->error)
		status = STATUS_BAD_VALUE;
	if (status) {
		tr.flags = TF_STATUS_CODE;
		tr.data_size = sizeof(status);
		tr.data.ptr.buffer = (binder_uintptr_t)(uintptr_t)&status;
	} else {
		tr.data_size = reply->size;
		tr.offsets_size = reply->n_offsets * sizeof(binder_size_t);
		tr.data.ptr.buffer = (binder_uintptr_t)(uintptr_t)reply->data;
		tr.data.ptr.offsets = (binder_uintptr_t)(uintptr_t)reply->offsets;
	}
	err = queue(b, BC_REPLY, &tr, sizeof(tr));
	if (err)
		return err;
	call_timed_out = 0;
	alarm(BINDER_CALL_TIMEOUT_S);
	for (round = 0; round < BINDER_MAX_ROUNDS; round++) {
		err = talk(b, 1);
		if (err)
			break;
		while (b->in_pos < b->in_len) {
			err = pull(b, &cmd, &u, 1);
			if (err)
				goto out;
			if (cmd == BR_TRANSACTION)
				goto out; /* the next call: the serve loop takes it */
			pull(b, &cmd, &u, 0);
			if (cmd == BR_TRANSACTION_COMPLETE)
				goto out;
			if (cmd == BR_DEAD_REPLY || cmd == BR_FAILED_REPLY) {
				fprintf(stderr, "%s: reply not delivered: %s\n", b->who,
					br_name(cmd));
				err = cmd == BR_DEAD_REPLY ? -EPIPE : -ECOMM;
				goto out;
			}
			err = handle_common(b, cmd, &u);
			if (err < 0)
				goto out;
			if (!err)
				fprintf(stderr, "%s: %s while replying: ignored\n", b->who,
					br_name(cmd));
			err = 0;
		}
	}
	if (round == BINDER_MAX_ROUNDS)
		err = -EPROTO;
out:
	alarm(0);
	return err;
}

static int dispatch(struct binder *b, const struct binder_transaction_data *tr)
{
	struct binder_txn t = {
		.target = tr->target.ptr,
		.cookie = tr->cookie,
		.code = tr->code,
		.flags = tr->flags,
		.sender_pid = tr->sender_pid,
		.sender_euid = tr->sender_euid,
	};
	struct parcel_view in;
	/* 4 KiB, so not on the stack; one call at a time in these single-threaded programs */
	static struct parcel reply;
	int32_t status = STATUS_UNKNOWN_TRANSACTION;
	int err = 0;

	parcel_init(&reply);
	if (view_init(b, &in, tr)) {
		status = STATUS_BAD_VALUE;
	} else if (b->handler && !b->dispatching) {
		b->dispatching = 1;
		status = b->handler(b->ctx, b, &t, &in, &reply);
		b->dispatching = 0;
	} else {
		fprintf(stderr, "%s: incoming code %u while not serving: refused\n", b->who,
			t.code);
	}
	if (!(t.flags & TF_ONE_WAY))
		err = send_reply(b, status, &reply);
	/* libbinder frees the incoming buffer after the reply went out */
	binder_free(b, &in);
	return err;
}

static int take_reply(struct binder *b, const struct binder_transaction_data *tr,
		      struct parcel_view *reply)
{
	int32_t status;
	int err = view_init(b, reply, tr);

	if (err) {
		binder_free(b, reply);
		return err;
	}
	if (!(tr->flags & TF_STATUS_CODE))
		return 0;
	/* a failed onTransact: the status alone, no Parcel */
	err = parcel_get_int32(reply, &status);
	binder_free(b, reply);
	if (err)
		return -EPROTO;
	return status ? status : -EPROTO;
}

int binder_transact(struct binder *b, uint32_t handle, uint32_t code, const struct parcel *data,
		    struct parcel_view *reply)
{
	struct binder_transaction_data tr = {
		.target.handle = handle,
		.code = code,
		/* libbinder's transact() always lets the reply carry fds */
		.flags = TF_ACCEPT_FDS,
		.data_size = data->size,
		.offsets_size = data->n_offsets * sizeof(binder_size_t),
		.data.ptr.buffer = (binder_uintptr_t)(uintptr_t)data->data,
		.data.ptr.offsets = (binder_uintptr_t)(uintptr_t)data->offsets,
	};
	union br_payload u;
	uint32_t cmd;
	int round, err;

	memset(reply, 0, sizeof(*reply));
	if (data->error) {
		fprintf(stderr, "%s: Parcel for code %u on handle %u overflowed\n", b->who, code,
			handle);
		return data->error;
	}
	err = queue(b, BC_TRANSACTION, &tr, sizeof(tr));
	if (err)
		return err;
	call_timed_out = 0;
	alarm(BINDER_CALL_TIMEOUT_S);
	for (round = 0; round < BINDER_MAX_ROUNDS; round++) {
		err = talk(b, 1);
		if (err)
			goto out;
		while (b->in_pos < b->in_len) {
			err = pull(b, &cmd, &u, 0);
			if (err)
				goto out;
			switch (cmd) {
			case BR_TRANSACTION_COMPLETE:
				continue;
			case BR_REPLY:
				err = take_reply(b, &u.tr, reply);
				goto out;
			case BR_DEAD_REPLY:
			case BR_FAILED_REPLY:
			case BR_FROZEN_REPLY:
				fprintf(stderr, "%s: %s for code %u on handle %u\n", b->who,
					br_name(cmd), code, handle);
				err = -EAGAIN;
				if (cmd == BR_DEAD_REPLY)
					err = -EPIPE;
				else if (cmd == BR_FAILED_REPLY)
					err = -ECOMM;
				goto out;
			case BR_TRANSACTION:
				err = dispatch(b, &u.tr);
				if (err)
					goto out;
				continue;
			}
			err = handle_common(b, cmd, &u);
			if (err < 0)
				goto out;
			if (!err)
				fprintf(stderr,
					"%s: unexpected %s (0x%08x) during a call: skipped\n",
					b->who, br_name(cmd), cmd);
			err = 0;
		}
	}
	fprintf(stderr, "%s: no reply for code %u on handle %u after %d reads\n", b->who, code,
		handle, BINDER_MAX_ROUNDS);
	err = -EPROTO;
out:
	alarm(0);
	if (err == -ETIMEDOUT)
		fprintf(stderr, "%s: no reply for code %u on handle %u within %d s\n", b->who, code,
			handle, BINDER_CALL_TIMEOUT_S);
	return err;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

int binder_serve(struct binder *b, binder_handler h, void *ctx, unsigned int seconds,
		 volatile sig_atomic_t *stop)
{
	long long deadline = now_ms() + seconds * 1000LL;
	/* each round waits up to a second or handles what one read brought */
	long long max_rounds = seconds * 1000LL + 1000;
	union br_payload u;
	long long round;
	uint32_t cmd;
	int err;

	b->handler = h;
	b->ctx = ctx;
	err = queue(b, BC_ENTER_LOOPER, NULL, 0);
	if (!err)
		err = binder_flush(b);
	if (err)
		return err;
	for (round = 0; round < max_rounds && !*stop; round++) {
		long long left = deadline - now_ms();
		struct pollfd pfd = { .fd = b->fd, .events = POLLIN };
		int n;

		if (left <= 0)
			break;
		if (b->in_pos >= b->in_len) {
			/* what handling left queued (BC_FREE_BUFFER...) goes out before waiting */
			err = binder_flush(b);
			if (err)
				return err;
			n = poll(&pfd, 1, left < 1000 ? (int)left : 1000);
			if (n < 0 && errno != EINTR)
				return -errno;
			if (n <= 0)
				continue;
			err = talk(b, 1);
			if (err == -EINTR || err == -ETIMEDOUT)
				continue;
			if (err)
				return err;
		}
		while (b->in_pos < b->in_len && !*stop) {
			err = pull(b, &cmd, &u, 0);
			if (err)
				return err;
			switch (cmd) {
			case BR_TRANSACTION:
				err = dispatch(b, &u.tr);
				/* a caller that died before our reply is its business */
				if (err && err != -EPIPE && err != -ECOMM)
					return err;
				continue;
			case BR_TRANSACTION_COMPLETE:
				continue;
			case BR_REPLY:
			case BR_DEAD_REPLY:
			case BR_FAILED_REPLY:
				fprintf(stderr, "%s: stray %s in the serve loop\n", b->who,
					br_name(cmd));
				continue;
			}
			err = handle_common(b, cmd, &u);
			if (err < 0)
				return err;
			if (!err)
				fprintf(stderr, "%s: unexpected %s (0x%08x): skipped\n", b->who,
					br_name(cmd), cmd);
		}
	}
	binder_flush(b);
	return 0;
}

/* ---- Parcels -------------------------------------------------------------------------------- */

void parcel_init(struct parcel *p)
{
	p->size = 0;
	p->n_offsets = 0;
	p->error = 0;
}

/* Room for n bytes, padded to 4 with zeros, at the end of the Parcel; NULL once it is full. */
static uint8_t *grow(struct parcel *p, size_t n)
{
	size_t padded = (n + 3) & ~(size_t)3;
	uint8_t *at;

	if (p->error)
		return NULL;
	if (padded > sizeof(p->data) - p->size) {
		p->error = -EMSGSIZE;
		return NULL;
	}
	at = p->data + p->size;
	memset(at, 0, padded);
	p->size += padded;
	return at;
}

void parcel_put_int32(struct parcel *p, int32_t v)
{
	uint8_t *at = grow(p, 4);

	if (at)
		memcpy(at, &v, 4);
}

void parcel_put_int64(struct parcel *p, int64_t v)
{
	uint8_t *at = grow(p, 8);

	if (at)
		memcpy(at, &v, 8);
}

void parcel_put_bool(struct parcel *p, int v)
{
	parcel_put_int32(p, v ? 1 : 0);
}

/* One code point from UTF-8; malformed input gives U+FFFD and moves on by one byte. */
static uint32_t utf8_next(const unsigned char **s)
{
	const unsigned char *p = *s;
	uint32_t cp;
	int more, i;

	if (p[0] < 0x80) {
		*s = p + 1;
		return p[0];
	}
	if ((p[0] & 0xe0) == 0xc0) {
		cp = p[0] & 0x1f;
		more = 1;
	} else if ((p[0] & 0xf0) == 0xe0) {
		cp = p[0] & 0x0f;
		more = 2;
	} else if ((p[0] & 0xf8) == 0xf0) {
		cp = p[0] & 0x07;
		more = 3;
	} else {
		*s = p + 1;
		return 0xfffd;
	}
	for (i = 1; i <= more; i++) {
		if ((p[i] & 0xc0) != 0x80) {
			*s = p + 1;
			return 0xfffd;
		}
		cp = cp << 6 | (p[i] & 0x3f);
	}
	*s = p + more + 1;
	return cp > 0x10ffff || (cp >= 0xd800 && cp < 0xe000) ? 0xfffd : cp;
}

void parcel_put_string16(struct parcel *p, const char *s)
{
	uint16_t units[STRING16_MAX_UNITS + 1];
	const unsigned char *c = (const unsigned char *)s;
	size_t n = 0, i;
	uint8_t *at;

	if (!s) {
		parcel_put_int32(p, -1);
		return;
	}
	while (*c) {
		uint32_t cp = utf8_next(&c);

		if (n + 2 > STRING16_MAX_UNITS) {
			p->error = -EMSGSIZE;
			return;
		}
		if (cp >= 0x10000) {
			cp -= 0x10000;
			units[n++] = 0xd800 | (cp >> 10);
			units[n++] = 0xdc00 | (cp & 0x3ff);
		} else {
			units[n++] = cp;
		}
	}
	units[n] = 0;
	parcel_put_int32(p, (int32_t)n);
	at = grow(p, (n + 1) * 2);
	if (!at)
		return;
	for (i = 0; i <= n; i++) {
		at[2 * i] = units[i] & 0xff;
		at[2 * i + 1] = units[i] >> 8;
	}
}

void parcel_put_null_parcelable(struct parcel *p)
{
	parcel_put_int32(p, 0);
}

void parcel_put_byte_array(struct parcel *p, const void *bytes, int32_t len)
{
	uint8_t *at;

	if (!bytes || len < 0) {
		parcel_put_int32(p, -1);
		return;
	}
	parcel_put_int32(p, len);
	at = grow(p, len);
	if (at)
		memcpy(at, bytes, len);
}

void parcel_put_string_list(struct parcel *p, const char *const *list, int32_t n)
{
	int32_t i;

	if (!list || n < 0) {
		parcel_put_int32(p, -1);
		return;
	}
	parcel_put_int32(p, n);
	for (i = 0; i < n; i++)
		parcel_put_string16(p, list[i]);
}

static void put_object(struct parcel *p, const struct flat_binder_object *obj, int listed)
{
	size_t at_off = p->size;
	uint8_t *at;

	if (listed && p->n_offsets >= PARCEL_MAX_OBJECTS) {
		p->error = -EMSGSIZE;
		return;
	}
	at = grow(p, sizeof(*obj));
	if (!at)
		return;
	memcpy(at, obj, sizeof(*obj));
	/* the driver translates only the objects the offsets list */
	if (listed)
		p->offsets[p->n_offsets++] = at_off;
}

void parcel_put_binder(struct parcel *p, const void *node)
{
	struct flat_binder_object obj = {
		.hdr.type = BINDER_TYPE_BINDER,
		.flags = LOCAL_BINDER_FLAGS,
		.binder = (binder_uintptr_t)(uintptr_t)node,
		.cookie = (binder_uintptr_t)(uintptr_t)node,
	};

	/* a null binder is written as an unlisted local object with ptr 0, as libbinder does */
	put_object(p, &obj, node != NULL);
}

void parcel_put_handle(struct parcel *p, uint32_t handle)
{
	struct flat_binder_object obj = { .hdr.type = BINDER_TYPE_HANDLE, .handle = handle };

	put_object(p, &obj, 1);
}

int parcel_token_release = 11;

void parcel_put_token(struct parcel *p, const char *descriptor)
{
	/* a thread without a StrictMode policy of its own */
	parcel_put_int32(p, (int32_t)PARCEL_STRICT_MODE_DEFAULT);
	if (parcel_token_release >= 10)
		parcel_put_int32(p, PARCEL_UNSET_WORK_SOURCE);
	if (parcel_token_release >= 11)
		parcel_put_int32(p, PARCEL_HEADER_SYST);
	parcel_put_string16(p, descriptor);
}

void parcel_put_no_exception(struct parcel *p)
{
	parcel_put_int32(p, 0);
}

/* n bytes (padded to 4) at the reader's position, or NULL: nothing is read past the data. */
static const uint8_t *take(struct parcel_view *v, size_t n)
{
	size_t padded = (n + 3) & ~(size_t)3;
	const uint8_t *at;

	if (v->error)
		return NULL;
	if (padded < n || v->pos > v->size || padded > v->size - v->pos) {
		v->error = -EBADMSG;
		return NULL;
	}
	at = v->data + v->pos;
	v->pos += padded;
	return at;
}

int parcel_get_int32(struct parcel_view *v, int32_t *out)
{
	const uint8_t *at = take(v, 4);

	if (!at)
		return -EBADMSG;
	memcpy(out, at, 4);
	return 0;
}

int parcel_get_int64(struct parcel_view *v, int64_t *out)
{
	const uint8_t *at = take(v, 8);

	if (!at)
		return -EBADMSG;
	memcpy(out, at, 8);
	return 0;
}

int parcel_get_bool(struct parcel_view *v, int *out)
{
	int32_t x;

	if (parcel_get_int32(v, &x))
		return -EBADMSG;
	*out = x != 0;
	return 0;
}

static int put_utf8(char *out, size_t size, size_t *n, uint32_t cp)
{
	unsigned char b[4];
	size_t len;

	if (cp < 0x80) {
		b[0] = cp;
		len = 1;
	} else if (cp < 0x800) {
		b[0] = 0xc0 | cp >> 6;
		b[1] = 0x80 | (cp & 0x3f);
		len = 2;
	} else if (cp < 0x10000) {
		b[0] = 0xe0 | cp >> 12;
		b[1] = 0x80 | ((cp >> 6) & 0x3f);
		b[2] = 0x80 | (cp & 0x3f);
		len = 3;
	} else {
		b[0] = 0xf0 | cp >> 18;
		b[1] = 0x80 | ((cp >> 12) & 0x3f);
		b[2] = 0x80 | ((cp >> 6) & 0x3f);
		b[3] = 0x80 | (cp & 0x3f);
		len = 4;
	}
	if (*n + len + 1 > size)
		return -ENAMETOOLONG;
	memcpy(out + *n, b, len);
	*n += len;
	return 0;
}

int parcel_get_string16(struct parcel_view *v, char *out, size_t size, int *is_null)
{
	const uint8_t *at;
	int32_t len;
	size_t i, n = 0;

	if (!size)
		return -EINVAL;
	out[0] = 0;
	if (is_null)
		*is_null = 0;
	if (parcel_get_int32(v, &len))
		return -EBADMSG;
	if (len == -1) {
		if (is_null)
			*is_null = 1;
		return 0;
	}
	if (len < 0 || len > STRING16_MAX_UNITS) {
		v->error = -EBADMSG;
		return -EBADMSG;
	}
	at = take(v, ((size_t)len + 1) * 2);
	if (!at || at[2 * len] || at[2 * len + 1]) {
		v->error = -EBADMSG;
		return -EBADMSG;
	}
	for (i = 0; i < (size_t)len; i++) {
		uint32_t cp = at[2 * i] | at[2 * i + 1] << 8;

		if (cp >= 0xd800 && cp < 0xdc00 && i + 1 < (size_t)len) {
			uint32_t lo = at[2 * i + 2] | at[2 * i + 3] << 8;

			if (lo >= 0xdc00 && lo < 0xe000) {
				cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
				i++;
			}
		}
		if (put_utf8(out, size, &n, cp)) {
			out[n] = 0;
			return -ENAMETOOLONG;
		}
	}
	out[n] = 0;
	return 0;
}

int parcel_get_parcelable_marker(struct parcel_view *v, int *present)
{
	int32_t x;

	if (parcel_get_int32(v, &x))
		return -EBADMSG;
	if (x != 0 && x != 1) {
		v->error = -EBADMSG;
		return -EBADMSG;
	}
	*present = x;
	return 0;
}

int parcel_get_handle(struct parcel_view *v, uint32_t *handle, int *is_null)
{
	struct flat_binder_object obj;
	size_t at_off = v->pos, i;
	const uint8_t *at = take(v, sizeof(obj));

	if (!at)
		return -EBADMSG;
	memcpy(&obj, at, sizeof(obj));
	*is_null = 0;
	if (obj.hdr.type == BINDER_TYPE_BINDER && !obj.binder) {
		*is_null = 1;
		return 0;
	}
	if (obj.hdr.type != BINDER_TYPE_HANDLE)
		goto bad;
	/* only an object the driver translated is a handle of ours */
	for (i = 0; i < v->n_offsets; i++)
		if (v->offsets[i] == at_off) {
			*handle = obj.handle;
			return 0;
		}
bad:
	v->error = -EBADMSG;
	return -EBADMSG;
}

int parcel_check_token(struct parcel_view *v, const char *descriptor)
{
	struct parcel_view q;
	int release;
	char got[256];
	int32_t word;

	/* whichever release's layout the caller wrote (parcel_token_release): 11+, 10, older */
	for (release = 11; release >= 9; release--) {
		q = *v;
		if (parcel_get_int32(&q, &word) ||
		    (release >= 10 && parcel_get_int32(&q, &word)) ||
		    (release >= 11 && (parcel_get_int32(&q, &word) || word != PARCEL_HEADER_SYST)) ||
		    parcel_get_string16(&q, got, sizeof(got), NULL) || strcmp(got, descriptor))
			continue;
		*v = q;
		return 0;
	}
	v->error = -EBADMSG;
	return -EBADMSG;
}

int parcel_get_no_exception(struct parcel_view *v)
{
	int32_t code;

	if (parcel_get_int32(v, &code) || code != 0) {
		v->error = -EBADMSG;
		return -EBADMSG;
	}
	return 0;
}
