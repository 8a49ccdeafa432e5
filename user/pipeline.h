/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* pipeline: what the agent does with each event of the ring buffer: learn the values processes
 * received, follow processes and channels, pair modem commands and long or TLS sends, and judge
 * what leaves. No libbpf here: what it needs of the kernel comes through struct pipeline_kernel,
 * and what the agent must do next comes back as enum pipeline_wants. */
#ifndef IDSENTRY_PIPELINE_H
#define IDSENTRY_PIPELINE_H

#include <stddef.h>
#include <stdint.h>
#include "idsentry.h"
#include "aggregate.h"
#include "binder.h"
#include "derived.h"
#include "dns.h"
#include "detect.h"
#include "flow.h"
#include "learn.h"
#include "longsend.h"
#include "modem.h"
#include "proctable.h"
#include "shm.h"
#include "tlspair.h"
#include "values.h"

struct policy;
struct watch_set;
struct enforcer;
struct output;
struct android_packages;
struct json;
union event;

/* What the pipeline asks of the kernel side; the agent gives the real maps. Every member may be
 * NULL (tests): then no process is seen tainted in the kernel, and memory is not followed. */
struct pipeline_kernel {
	void *ctx;
	/* The taint the kernel holds for a process: 0, or nonzero when it holds none. */
	int (*taint_of)(void *ctx, uint32_t tgid, struct proc_taint *t);
	/* Stores it: create only when absent (create 1), or update one present. 0 on success. */
	int (*set_taint)(void *ctx, uint32_t tgid, const struct proc_taint *t, int create);
	/* A process's identity (exe, uid) became known, or it exited: its exemptions follow. */
	void (*process_seen)(void *ctx, const struct proc *p);
	void (*process_gone)(void *ctx, uint32_t tgid);
};

/* What the agent must do after an event or a tick (bits). */
enum pipeline_wants {
	/* a process is to be followed: attach the syscall hooks if they are detached */
	PIPELINE_FOLLOW = 1 << 0,
	/* attach them, or keep them attached longer if they are (a new sharer of memory) */
	PIPELINE_WAKE = 1 << 1,
	/* a file became an identifier file (derived): register the inodes and the gate's marks */
	PIPELINE_FILES_CHANGED = 1 << 2,
};

struct pipeline_config {
	const struct policy *policy; /* the agent's; it may change in place on reload */
	const struct watch_set *watches; /* registered identifier files, for their paths */
	struct enforcer *enf;        /* which rule a kernel verdict came from, or NULL */
	struct output *out;          /* where records go */
	struct android_packages *packages; /* uid → app, or NULL */
	int show_values;
	struct pipeline_kernel kernel;
	const char *proc_root;       /* NULL: /proc (shared memory: the processes' maps) */
};

struct pipeline {
	struct pipeline_config cfg;
	struct value_store values;
	struct derived_set derived; /* files made identifier files by what a holder wrote */
	struct proctable procs;
	struct flow_table flows;
	struct hostcache hosts;
	struct modem_tracker modem;
	struct binder_table binder;
	struct alert_aggregator agg;
	struct detector det;
	struct longsends longs;     /* sends longer than a sample, put back together */
	struct tlspair tls_pairs;   /* memory-BIO TLS plaintext, waiting for its socket */
	struct shm_tracker shm;     /* memory holders share with other processes */
	struct learner learner;     /* the parts above that learning writes into */
	unsigned long long events[16]; /* by enum event_type */
	unsigned long long malformed;
	unsigned long long seconds;  /* pipeline_tick calls */
	unsigned int wants;          /* enum pipeline_wants, gathered while handling one event */
};

/* Sets the pipeline up; it allocates nothing yet, so it cannot fail. */
void pipeline_init(struct pipeline *pl, const struct pipeline_config *cfg);
/* A new policy is in force: values, derived files, rule counters and modem pairing start anew. */
void pipeline_reset(struct pipeline *pl);
/* One record of the ring buffer, as the kernel wrote it: decoded (a malformed one is counted)
 * and handled. Returns enum pipeline_wants bits. */
unsigned int pipeline_feed(struct pipeline *pl, const void *data, size_t size);
/* One decoded event. Returns enum pipeline_wants bits. */
unsigned int pipeline_handle(struct pipeline *pl, const union event *ev);
/* Once a second: long sends and TLS plaintext that waited enough are judged, repeated alerts
 * are counted, memory sharers are looked for. Returns enum pipeline_wants bits. */
unsigned int pipeline_tick(struct pipeline *pl);
/* At exit: judges everything still waiting and writes the counts of folded alerts. */
void pipeline_finish(struct pipeline *pl);
void pipeline_free(struct pipeline *pl);
/* The pipeline's counters as members of a stats or status record. */
void pipeline_describe(const struct pipeline *pl, struct json *j);

#endif
