/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* agent_policy: puts a policy in force: its identifier files registered (again when they change
 * or expire), its rules and sources in the kernel's maps, its probes attached; reload on SIGHUP. */
#ifndef IDSENTRY_AGENT_POLICY_H
#define IDSENTRY_AGENT_POLICY_H

struct agent;
struct agent_opts;
struct policy;
struct diag_list;

/* Reads the policy files; 0, or a negative errno (-EINVAL when d holds errors). */
int agent_load_policy(const struct agent_opts *o, struct policy *p, struct diag_list *d);
/* Applies a->policy to the kernel and the pipeline; 0 or a negative errno. */
int agent_apply_policy(struct agent *a);
/* Files holders wrote values into (derived.h) join the kernel's watched inodes and the gate's
 * marks, after each registration of the policy's own files. */
void agent_register_derived(struct agent *a);
/* The policy's files changed place (created, renamed, an interface added): register again. */
void agent_rescan_watches(struct agent *a);
/* Derived files older than derived_files.expire stop being identifier files, with a record. */
void agent_expire_derived(struct agent *a);
/* SIGHUP: the policy files read again and applied, or rejected with the old one kept. */
void agent_reload(struct agent *a);

#endif
