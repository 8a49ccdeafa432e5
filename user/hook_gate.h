/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* hook_gate: keeps the per-syscall hooks detached while no process holds an identifier.
 *
 * Every hooked syscall costs every process ~150-250 ns of program dispatch, even when the program
 * returns at once. So the syscall hooks (loader_is_demand_hook) are attached only while some
 * process could need them: one that holds a watched file open, carries live taint, or feeds a
 * tainted channel. What wakes them is fanotify: a permission event on the open of any watched
 * file stops the opener in open() until the hooks are attached, so its own syscall exit already
 * runs them and nothing is missed. Sources fanotify cannot see (ioctls, properties, modems) keep
 * working through their own hooks; see hook_gate_wake(). */
#ifndef IDSENTRY_HOOK_GATE_H
#define IDSENTRY_HOOK_GATE_H

#include <pthread.h>
#include <stdint.h>

struct loader;
struct watch_set;

enum hooks_mode {
	HOOKS_ON_DEMAND,
	HOOKS_ALWAYS,
};

struct hook_gate {
	struct loader *l;
	enum hooks_mode requested;
	enum hooks_mode mode;      /* as running (on-demand falls back to always, see reason) */
	char reason[320];          /* why hooks stay attached, or gate otherwise, when on-demand
				    * was asked for */
	char no_fanotify[200];     /* why fanotify cannot gate (then the open exits do), or "" */
	int open_gate;             /* opens are gated in the kernel (no fanotify): the open exits */
	int inotify_gate;          /* ... or, this set, the kprobe on inotify's handler */
	int mixed_gate;            /* fanotify for the files it can mark, the open exits for the
				    * rest (procfs) */
	char no_inotify[200];      /* why the kprobe cannot be the gate (then the open exits are) */
	unsigned int idle_s;       /* detach after this many seconds with nobody to watch */
	int fan_fd, stop_fd;
	int ino_fd, ino_errno;     /* IN_OPEN marks on the watched files (inotify gate) */
	int *wds;                  /* their watch descriptors, one per path */
	size_t n_wds;
	unsigned long long gate_opens; /* IN_OPEN events read (the kprobe acted on each) */
	char **paths;              /* watched files, marked while the hooks are away */
	size_t n_paths;
	pthread_t thread, detacher;
	int thread_started;
	int detaching;             /* the detacher thread was started (it waits out grace periods) */
	int detach_done;           /* ... and has finished: join it */
	int detach_running;        /* links are being destroyed now */
	pthread_mutex_t lock;      /* attach/detach; held by whichever thread does one */
	uint64_t last_wake_ns;     /* CLOCK_MONOTONIC of the latest wake (open of a watched file) */
	uint64_t idle_since_ns;    /* 0 while someone needs the hooks */
	unsigned long long wakes, attaches, detaches, gate_errors;
	unsigned long long busy_wakes; /* wakes because a process holding an identifier held a pipe */
	double last_attach_ms, last_detach_ms;
	/* Called on the gate's thread with each opener of a watched file while fanotify holds it,
	 * after the hooks are attached: what must be in place before its open returns (the Go TLS
	 * probe on its executable, gotls.h). Set before hook_gate_start. */
	void (*on_opener)(void *ctx, int pid);
	void *opener_ctx;
	double last_opener_ms;     /* what on_opener took, the last time */
};

/* Sets the gate up: mode HOOKS_ON_DEMAND needs fanotify permission events; without them the gate
 * runs HOOKS_ALWAYS and says why in g->reason. The loader has everything attached. */
void hook_gate_init(struct hook_gate *g, struct loader *l, enum hooks_mode mode,
		    unsigned int idle_s);
/* The fallback of a kernel without fanotify permission events (Android GKI), on request. */
void hook_gate_without_fanotify(struct hook_gate *g);
/* Replaces the fanotify marks with one per registered file; a file fanotify refuses (procfs)
 * turns the gate to HOOKS_ALWAYS, with the reason. Call with the hooks attached. */
void hook_gate_mark(struct hook_gate *g, const struct watch_set *ws);
/* Starts the thread that answers permission events. */
int hook_gate_start(struct hook_gate *g);
/* Attaches the hooks now if they are not (an identifier arrived by another way). */
void hook_gate_wake(struct hook_gate *g);
/* The blocking rules changed: the send syscalls' hooks follow (loader_sync_send_hooks). */
void hook_gate_rules_changed(struct hook_gate *g);
/* Once a second: detaches the hooks after idle_s seconds in which the kernel's taint table held
 * no live taint and no watched fd, and no tainted channel was active. */
void hook_gate_tick(struct hook_gate *g);
/* Whether the on-demand hooks are attached now. */
int hook_gate_active(struct hook_gate *g);
/* Whether anything sends events now: the syscall hooks, or the socket-layer tracepoints. */
int hook_gate_following(struct hook_gate *g);
struct json;
/* Writes the gate's state as the object "hooks". */
void hook_gate_describe(struct hook_gate *g, struct json *j);
void hook_gate_stop(struct hook_gate *g);

#endif
