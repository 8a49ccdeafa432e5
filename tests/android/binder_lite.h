// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* binder_lite: the Android VM's Binder client and server on /dev/binder (kernel UAPI only), with
 * Parcels laid out byte for byte as libbinder lays them out. */
#ifndef BINDER_LITE_H
#define BINDER_LITE_H

#include <errno.h>
#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <linux/android/binder.h>

/* What the driver maps for incoming buffers; 128 KiB is plenty for these tests (libbinder: 1 MiB
 * less two pages). */
#define BINDER_MAP_BYTES (128 * 1024)
/* A synchronous call gets this long for its reply (an alarm interrupts the ioctl). */
#define BINDER_CALL_TIMEOUT_S 10
/* BINDER_WRITE_READ ioctls one call or one reply may take before it is abandoned. */
#define BINDER_MAX_ROUNDS 64
/* Outgoing command and incoming return buffers (libbinder's mOut and mIn; 256 bytes is its
 * initial mIn). */
#define BINDER_OUT_BYTES 512
#define BINDER_IN_BYTES 256

#define PARCEL_MAX_BYTES 4096
#define PARCEL_MAX_OBJECTS 8
/* Longest String16 a reader accepts, in UTF-16 code units. */
#define STRING16_MAX_UNITS 1024

/* Android's status_t values carried by TF_STATUS_CODE replies. */
#define STATUS_UNKNOWN_TRANSACTION (-EBADMSG)
#define STATUS_BAD_TYPE (INT32_MIN + 1)
#define STATUS_BAD_VALUE (-EINVAL)

/* An outgoing Parcel: data and the offsets of the binder objects in it. Writers never fail one
 * by one: the first overflow is kept in `error` and the transaction refuses the Parcel. */
struct parcel {
	uint8_t data[PARCEL_MAX_BYTES];
	size_t size;
	binder_size_t offsets[PARCEL_MAX_OBJECTS];
	size_t n_offsets;
	int error;
};

/* An incoming Parcel, read in place in the binder mmap. Every read checks lengths against what
 * is left; the first failure is kept in `error` (-EBADMSG) and every later read fails too. */
struct parcel_view {
	const uint8_t *data;
	size_t size;
	size_t pos;
	const binder_size_t *offsets;
	size_t n_offsets;
	binder_uintptr_t buffer; /* what BC_FREE_BUFFER gives back; 0 once freed */
	int error;
};

/* An incoming transaction, as BR_TRANSACTION delivered it. */
struct binder_txn {
	binder_uintptr_t target; /* the node's ptr, as the owner gave it in flat_binder_object */
	binder_uintptr_t cookie;
	uint32_t code;
	uint32_t flags;
	pid_t sender_pid;
	uid_t sender_euid;
};

struct binder;

/* Handles one incoming transaction: reads `in`, writes `reply` (starting with the exception
 * code, as AIDL stubs do) and returns 0, or returns a status_t that is sent back alone
 * (TF_STATUS_CODE), as libbinder does when onTransact fails. */
typedef int (*binder_handler)(void *ctx, struct binder *b, const struct binder_txn *t,
			      struct parcel_view *in, struct parcel *reply);

struct binder {
	int fd;
	void *map;
	const char *who;	       /* program name for messages */
	uint8_t out[BINDER_OUT_BYTES]; /* BC_* commands for the next write */
	size_t out_len;
	uint8_t in[BINDER_IN_BYTES]; /* BR_* returns from the last read */
	size_t in_len, in_pos;
	binder_handler handler; /* set by binder_serve */
	void *ctx;
	int dispatching;
};

/* Opens the driver, checks BINDER_VERSION == 8, maps BINDER_MAP_BYTES read-only and sets the
 * thread pool size. 0 or -errno, after a message naming what failed. */
int binder_open(struct binder *b, const char *dev, const char *who);
void binder_close(struct binder *b);
/* BINDER_SET_CONTEXT_MGR: 0, -EBUSY while another one is (or was until just now) in place. */
int binder_become_context_manager(struct binder *b);

/* A synchronous call: BC_TRANSACTION (after whatever commands are queued) and BR_* returns in one
 * BINDER_WRITE_READ, then reads until BR_REPLY. On 0, `reply` views the reply; give it back with
 * binder_free. Errors: -EPIPE (BR_DEAD_REPLY), -ECOMM (BR_FAILED_REPLY), -ETIMEDOUT, -EPROTO, the
 * remote status_t of a TF_STATUS_CODE reply, or -EMSGSIZE for an overflowed Parcel. */
int binder_transact(struct binder *b, uint32_t handle, uint32_t code, const struct parcel *data,
		    struct parcel_view *reply);
/* Queues BC_FREE_BUFFER for a received buffer (sent with the next ioctl, as libbinder does). */
void binder_free(struct binder *b, struct parcel_view *v);
/* Queues BC_INCREFS and BC_ACQUIRE on a handle: keeps it alive once its buffer is freed. */
void binder_acquire(struct binder *b, uint32_t handle);
/* Writes the queued commands now (write-only BINDER_WRITE_READ). */
int binder_flush(struct binder *b);
/* Serves incoming transactions (BC_ENTER_LOOPER, then BR_TRANSACTION → handler → BC_REPLY) for
 * at most `seconds`, or until *stop is set. 0 when the time ran out or *stop, else -errno. */
int binder_serve(struct binder *b, binder_handler h, void *ctx, unsigned int seconds,
		 volatile sig_atomic_t *stop);

/* Writers: libbinder's layout, every item padded to 4 bytes. */
void parcel_init(struct parcel *p);
void parcel_put_int32(struct parcel *p, int32_t v);
void parcel_put_int64(struct parcel *p, int64_t v);
void parcel_put_bool(struct parcel *p, int v);
/* UTF-8 in, String16 out: int32 length in UTF-16 units (-1 for NULL), the units (LE), a NUL
 * unit, zero padding to 4 bytes. */
void parcel_put_string16(struct parcel *p, const char *s);
/* A nullable Parcelable argument or result that is null: int32 0. */
void parcel_put_null_parcelable(struct parcel *p);
/* byte[]: int32 length (-1 for NULL), the bytes, padding. */
void parcel_put_byte_array(struct parcel *p, const void *bytes, int32_t len);
/* List<String>: int32 count (-1 for NULL), then each String16. */
void parcel_put_string_list(struct parcel *p, const char *const *list, int32_t n);
/* A local object (BINDER_TYPE_BINDER, ptr = cookie = node), or with node 0 a null binder. */
void parcel_put_binder(struct parcel *p, const void *node);
/* A reference held on another process's object (BINDER_TYPE_HANDLE). */
void parcel_put_handle(struct parcel *p, uint32_t handle);
/* Android 11+'s writeInterfaceToken: int32 strict-mode policy, int32 work-source uid (-1: unset),
 * int32 'SYST', String16 descriptor. */
/* The release whose interface-token layout parcel_put_token writes: 11 (strict-mode policy,
 * work source, 'SYST'), 10 (no header word) or 9 (the policy alone). */
extern int parcel_token_release;
void parcel_put_token(struct parcel *p, const char *descriptor);
/* writeNoException: int32 0. */
void parcel_put_no_exception(struct parcel *p);

/* Readers: 0 or -EBADMSG. */
int parcel_get_int32(struct parcel_view *v, int32_t *out);
int parcel_get_int64(struct parcel_view *v, int64_t *out);
int parcel_get_bool(struct parcel_view *v, int *out);
/* A String16 as UTF-8 into out[size]; *is_null (may be NULL) says it was null (then out is ""). */
int parcel_get_string16(struct parcel_view *v, char *out, size_t size, int *is_null);
/* A nullable Parcelable's marker: *present is its int32 (0 null, 1 follows). */
int parcel_get_parcelable_marker(struct parcel_view *v, int *present);
/* A strong binder: a handle the driver translated (listed in the offsets), or null. */
int parcel_get_handle(struct parcel_view *v, uint32_t *handle, int *is_null);
/* The interface token; fails unless the header is 'SYST' and the descriptor is `descriptor`. */
int parcel_check_token(struct parcel_view *v, const char *descriptor);
/* readException: the int32 exception code, which must be 0. */
int parcel_get_no_exception(struct parcel_view *v);

#endif
