/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* kernel_maps: what the agent reads and writes in the BPF side's maps once attached: the failure
 * counters, how often each program ran, and the table of tainted processes. */
#ifndef IDSENTRY_KERNEL_MAPS_H
#define IDSENTRY_KERNEL_MAPS_H

#include <stdint.h>
#include "idsentry.h"

struct loader;
struct json;

/* Sums the per-CPU failure counters (enum stat_cause) into totals; 0 or -errno. */
int kernel_stats_read(const struct loader *l, uint64_t totals[STAT__COUNT]);
/* How often each attached program ran, as the 'program_runs' member: counted by the kernel
 * only while kernel.bpf_stats_enabled is 1 (make bench and the Android VM turn it on), so the
 * member is absent otherwise. */
void kernel_program_runs_member(const struct loader *l, struct json *j);
/* Entries in the taint table (processes that opened or read an identifier), up to max. */
unsigned long kernel_taint_entries(const struct loader *l, unsigned long max);
/* A process's entry in the taint table: 0, or -ENOENT. */
int kernel_taint_of(const struct loader *l, uint32_t tgid, struct proc_taint *t);
/* Creates (create 1, only when absent) or updates a process's entry. */
int kernel_set_taint(const struct loader *l, uint32_t tgid, const struct proc_taint *t,
		     int create);

#endif
