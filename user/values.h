/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* values: identifier values learnt so far, and one matcher over every encoded form of them. */
#ifndef IDSENTRY_VALUES_H
#define IDSENTRY_VALUES_H

#include <stddef.h>
#include <stdint.h>
#include "encode.h"

struct matcher;

/* Values of one identifier learnt from sources a process can drive (ioctl replies in its own
 * network namespace, property blocks, Binder and rtnetlink replies) are kept up to this many; a
 * newer one takes the place of the oldest, so a flood of forged values can neither grow the
 * matcher nor push out the values read from the policy's files. */
#define VALUES_MAX_DRIVABLE 64

struct known_value {
	unsigned int bit;   /* identifier bit */
	uint64_t seq;       /* order of learning, for replacing the oldest drivable value */
	char *source;       /* "file", ... */
	char *path;         /* where it was read, or NULL */
	uint8_t *bytes;     /* normalized value */
	size_t len;
};

struct value_hit {
	const struct known_value *value;
	enum encoding enc;
	long offset;
};

/* The last scans without a filter, kept whole: a sender repeating a payload (a beacon, a retry, a
 * flood) has it scanned once. The automaton's walk is a chain of dependent loads, about 4 ns a
 * byte: it was two thirds of the agent's time for a flat-out sender of 256-byte payloads. The
 * result depends only on what the key holds, so a repeat gets exactly what a scan would give.
 * A loopback send is scanned twice, from a fresh state for its channel and from its socket's
 * stream state for the alert: the memo keeps a few entries, the oldest replaced. */
#define SCAN_MEMO_BYTES 1024
#define SCAN_MEMO_HITS 16
#define SCAN_MEMO_ENTRIES 4
struct scan_memo {
	int valid;
	uint64_t generation, mask;
	uint32_t state_in, state_out;
	size_t len, max;
	int n;
	struct value_hit hits[SCAN_MEMO_HITS];
	uint8_t bytes[SCAN_MEMO_BYTES];
};

struct value_store {
	struct known_value *values;
	size_t n, cap;
	struct matcher *m;  /* rebuilt lazily after a new value */
	uint32_t *pattern_value; /* per pattern tag: index into values */
	enum encoding *pattern_enc;
	size_t n_patterns;
	int dirty;
	uint64_t generation; /* bumped at each rebuild: scan states from before are void */
	uint64_t epoch;      /* bumped at each values_clear: indexes from before are void */
	long last;           /* index of the value the latest values_learn named, or -1 */
	uint64_t seq;        /* values learnt so far */
	unsigned long long replaced; /* drivable values that took an older one's place */
	struct scan_memo memo[SCAN_MEMO_ENTRIES];
	unsigned int memo_next;       /* the entry the next new scan replaces */
	unsigned long long memo_hits; /* scans answered by the memo */
};

/* Where a scan of a byte stream (consecutive sends on one socket) stopped, so that a value split
 * across sends is still found. Zero-initialised: a fresh stream. */
struct scan_stream {
	uint32_t state;
	uint64_t generation;
};

/* Normalizes raw bytes and records them as a value of identifier 'bit'. Placeholders and values
 * already known are ignored. Returns 1 when the value is new, 0 when ignored, -ENOMEM; 'last'
 * then holds the index of the value (new or known), -1 for a placeholder. */
int values_learn(struct value_store *s, unsigned int bit, const char *source, const char *path,
		 const uint8_t *raw, size_t len);
/* Finds the known values of identifiers in 'mask' that occur, in any form, in buf. Fills at most
 * max hits, one per value (its first occurrence). Returns the number of hits, or -ENOMEM. */
int values_scan(struct value_store *s, const uint8_t *buf, size_t len, uint64_t mask,
		struct value_hit *hits, size_t max);
/* values_scan continuing a stream: hit offsets are relative to buf and negative when a value began
 * in an earlier buffer of the stream. */
int values_scan_stream(struct value_store *s, struct scan_stream *st, const uint8_t *buf,
		       size_t len, uint64_t mask, struct value_hit *hits, size_t max);
/* Occurrences a caller does not count (e.g. a MAC in a DHCP message's chaddr): skip returns 1 for
 * an occurrence of identifier bit at [offset, offset + len) of buf to be passed over. */
struct scan_filter {
	int (*skip)(void *ctx, unsigned int bit, long offset, size_t len);
	void *ctx;
};
/* values_scan_stream passing over what filter (or NULL) skips. */
int values_scan_filtered(struct value_store *s, struct scan_stream *st, const uint8_t *buf,
			 size_t len, uint64_t mask, const struct scan_filter *filter,
			 struct value_hit *hits, size_t max);
/* The value at index (as values_learn left it in 'last') if the store still holds it. */
const struct known_value *values_at(const struct value_store *s, long index, uint64_t epoch,
				    unsigned int bit);
/* Any known value of an identifier, for naming it in alerts without a match. */
const struct known_value *values_any_of(const struct value_store *s, unsigned int bit);
void values_clear(struct value_store *s);

#endif
