/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* proctable: what the agent knows of each process it has events for (identity, dedup state). */
#ifndef IDSENTRY_PROCTABLE_H
#define IDSENTRY_PROCTABLE_H

#include <stddef.h>
#include <stdint.h>

struct proc_info_event;

#define PROC_BUCKETS 1024

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
	char *cmdline; /* argv joined with spaces */
	struct suspect_key *suspects;
	size_t n_suspects;
	struct proc *next;
};

struct proctable {
	struct proc *buckets[PROC_BUCKETS];
	size_t count;
};

/* The process, created on first sight (from /proc when it still exists). NULL on ENOMEM. */
struct proc *proctable_get(struct proctable *t, uint32_t tgid, uint32_t uid, const char *comm);
/* Records the identity the kernel captured (exe, argv, parent), replacing what was known. */
void proctable_set_info(struct proctable *t, const struct proc_info_event *ev);
void proctable_remove(struct proctable *t, uint32_t tgid);
/* Returns 1 when key was already noted for p, else notes it and returns 0. */
int proc_note_suspect(struct proc *p, const struct suspect_key *key);
void proctable_clear(struct proctable *t);

#endif
