/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* enforce: turns the policy's block and kill rules into the maps the kernel takes verdicts from. */
#ifndef IDSENTRY_ENFORCE_H
#define IDSENTRY_ENFORCE_H

#include <stddef.h>
#include <stdint.h>
#include <linux/types.h>
#include "idsentry.h"

struct idsentry_bpf;
struct policy;
struct proc;
struct json;
struct loader;

#define ENFORCE_MAX_NOTES 8

struct android_packages;

struct enforcer {
	struct idsentry_bpf *skel;
	int enforce_mode;                     /* --mode enforce */
	size_t n_slots;
	uint32_t slot_rule[MAX_ENFORCE_RULES]; /* enforce_rules slot → policy rule index */
	char notes[ENFORCE_MAX_NOTES][192];   /* how enforcement is degraded, for ready/status */
	size_t n_notes;
	int binder_sms;                       /* the policy names Binder SMS methods */
	struct android_packages *packages;    /* uid → package on Android, or NULL */
};

/* Fills the kernel's verdict maps from the policy (or empties them in alert mode). Returns the
 * number of blocking rules in force. Limits the kernel cannot express are noted, not fatal. */
int enforce_apply(struct enforcer *e, const struct policy *p);
/* Exempts a process from the blocking rules whose 'processes: except' names it (exact comm names,
 * uids and packages are exempted in the kernel already), or ends an exemption its former image
 * had (exec). */
void enforce_note_process(struct enforcer *e, const struct policy *p, const struct proc *proc);
/* A process exited: its exemption goes with it. */
void enforce_forget_process(struct enforcer *e, uint32_t tgid);
/* The policy rule index behind a slot, or -1. */
int enforce_rule_of_slot(const struct enforcer *e, unsigned int slot);
/* The "enforcement" member of ready and status records. */
void enforce_describe(const struct enforcer *e, const struct loader *l, struct json *j);
const char *enforce_hook_name(__u16 hook);

#endif
