/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* proctable: what the agent knows of each process it has events for (identity, dedup state). */
#ifndef IDSENTRY_PROCTABLE_H
#define IDSENTRY_PROCTABLE_H

#include <stddef.h>
#include <stdint.h>
#include "policy.h"
#include "values.h"

struct proc_info_event;

#define PROC_BUCKETS 1024
#define PROC_STREAMS 8 /* sockets per process whose scan state is kept between sends */
#define PROC_LINEAGE_MAX 512 /* bytes of a lineage kept, NUL included */
#define PROC_OBTAINED 8      /* identifiers per process whose own source is remembered */

/* How the process itself got an identifier (its latest source of it), for naming that source in
 * its alerts rather than wherever the value was first learnt. */
struct proc_obtained {
	int used;
	unsigned int bit;
	const char *source; /* "file", "ioctl", "property", "binder": a static string */
	char *path;         /* file, property name, "INTERFACE#CODE", ... or NULL */
	long value;         /* index in the value store ... */
	uint64_t epoch;     /* ... of this epoch (values.h) */
};

/* A suspected alert already written for this process, rule and destination. */
struct suspect_key {
	uint32_t rule;
	uint16_t family;
	uint16_t port;
	uint8_t addr[16];
};

struct proc {
	uint32_t tgid;
	uint32_t ppid;
	uint32_t uid;
	uint64_t start_ns;
	char comm[16];
	char *exe;
	uint64_t exe_dev, exe_ino; /* the running executable's file, 0 when unknown */
	char *cmdline; /* argv joined with spaces */
	struct suspect_key *suspects;
	size_t n_suspects;
	/* What the process holds, as far as the agent can tell (see flow.c). Bits in neither mask
	 * are unknown and treated as held. */
	uint64_t held_mask;      /* read the identifier, or received its value from a process */
	uint64_t derived_mask;   /* received it from another process: anything it emits may carry it */
	uint64_t noise_mask;     /* tainted only by contact with a holder that did not pass it on */
	uint64_t last_direct_ns; /* boot ns of its latest read of an identifier file */
	uint64_t shm_followed_mask; /* identifiers for which its shared memory was looked at */
	uint64_t shm_asked_ns;      /* boot ns the kernel's taint table was last asked about it */
	char *lineage;           /* "cat[412] -pipe-> curl[413]", or NULL when it read it itself */
	struct {
		uint32_t fd;
		int used;
		struct scan_stream scan;
	} streams[PROC_STREAMS]; /* so that a value split over sends on one socket is found */
	unsigned int next_stream;
	struct proc_obtained obtained[PROC_OBTAINED];
	unsigned int next_obtained;
	struct proc *next;
};

struct proctable {
	struct proc *buckets[PROC_BUCKETS];
	size_t count;
};

/* The process, created on first sight (from /proc when it still exists). NULL on ENOMEM. */
struct proc *proctable_get(struct proctable *t, uint32_t tgid, uint32_t uid, const char *comm);
struct event_header;
/* The same for the process of an event, its identity updated to the event's: the uid, and the
 * name when the event comes from its main thread (argv re-read when the name changes). */
struct proc *proctable_of_event(struct proctable *t, const struct event_header *h);
/* The process if known, else NULL. */
struct proc *proctable_find(struct proctable *t, uint32_t tgid);
/* Records the identity the kernel captured (exe, argv, parent), replacing what was known. */
struct proc *proctable_set_info(struct proctable *t, const struct proc_info_event *ev);
void proctable_remove(struct proctable *t, uint32_t tgid);
/* A tainted parent forked: the child starts out holding what the parent holds now. */
void proctable_fork(struct proctable *t, uint32_t parent, uint32_t child);
/* The scan state of the process's socket fd, taking over the oldest slot for a new one. */
struct scan_stream *proc_stream(struct proc *p, uint32_t fd);
/* Remembers that the process got identifier 'bit' itself from source/path (value: the store's
 * index and epoch, or -1). */
void proc_note_obtained(struct proc *p, unsigned int bit, const char *source, const char *path,
			long value, uint64_t epoch);
/* How the process got identifier 'bit' itself, or NULL. */
const struct proc_obtained *proc_obtained_of(const struct proc *p, unsigned int bit);
/* Who the process is now, for process exceptions; package_of (with its context, NULL off
 * Android) names the app behind a uid. */
void proc_identity_of(const struct proc *p, const char *(*package_of)(void *, uint32_t),
		      void *package_ctx, struct proc_identity *id);
/* "comm[pid]" of a process, into buf. */
void proc_label(const struct proc *p, char *buf, size_t size);
/* Returns 1 when key was already noted for p, else notes it and returns 0. */
int proc_note_suspect(struct proc *p, const struct suspect_key *key);
void proctable_clear(struct proctable *t);

#endif
