// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* agent_policy: puts a policy in force: its identifier files registered (again when they change
 * or expire), its rules and sources in the kernel's maps, its probes attached; reload on SIGHUP. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "idsentry.skel.h"
#include "agent_parts.h"
#include "agent_policy.h"
#include "agent_records.h"
#include "binder.h"
#include "diag.h"
#include "ioctl.h"
#include "netlink.h"

int agent_load_policy(const struct agent_opts *o, struct policy *p, struct diag_list *d)
{
	int n = policy_load_files(p, o->policy_files, o->n_policy_files, d);

	return n < 0 ? n : n > 0 ? -EINVAL : 0;
}

/* Applies the policy's files and windows to the kernel and the pipeline. */
int agent_apply_policy(struct agent *a)
{
	uint64_t ttl = 0, link_mask, neigh_mask;
	size_t i;
	int err;

	pipeline_reset(&a->pl);
	a->n_watched = watch_register(a->loader.skel, &a->policy, &a->pl.values, &a->watches);
	if (a->n_watched < 0)
		return a->n_watched;
	hook_gate_mark(&a->gate, &a->watches);
	/* files the globs will name later: created, renamed into place, interfaces added */
	dirwatch_set(&a->dirs, &a->policy);
	for (i = 0; i < a->policy.n_rules; i++)
		if (a->policy.rules[i].window_ns > ttl)
			ttl = a->policy.rules[i].window_ns;
	a->loader.skel->bss->taint_ttl_ns = ttl;
	enforce_apply(&a->enf, &a->policy);
	hook_gate_rules_changed(&a->gate);
	err = ioctl_apply(a->loader.skel, &a->policy);
	if (err < 0)
		return err;
	/* with them attached, every syscall of every process takes the traced path */
	loader_set_ioctl_hooks(&a->loader, err > 0);
	/* rtnetlink replies are sources any process may read: the recv exits stay for them */
	netlink_masks(&a->policy, &link_mask, &neigh_mask);
	a->loader.skel->bss->netlink_link_mask = link_mask;
	a->loader.skel->bss->netlink_neigh_mask = neigh_mask;
	loader_pin_recv_hooks(&a->loader, (link_mask | neigh_mask) != 0);
	/* the binder_ioctl kprobes run for every Binder call: only when the policy names one */
	err = binder_apply(&a->pl.binder, a->loader.skel, &a->policy);
	if (err < 0)
		return err;
	loader_set_binder_hooks(&a->loader, err > 0);
	a->enf.binder_sms = a->policy.n_binder_sms > 0;
	err = props_apply(&a->props, &a->policy);
	return err < 0 ? err : 0;
}

/* Files a holder wrote values into (derived.h) join the kernel's watched inodes and the gate's
 * marks, after each registration of the policy's own files (which empties the kernel's map). */
void agent_register_derived(struct agent *a)
{
	if (derived_apply(&a->pl.derived, a->loader.skel, &a->watches))
		fprintf(stderr, "idsentry: a file holds an identifier now, but registering it failed "
				"(watched_inodes map full, or out of memory)\n");
	hook_gate_mark(&a->gate, &a->watches);
}

/* Something changed where the policy's files live: register them again (the values learnt stay;
 * the kernel learns the inodes from the agent's own opens, so its openat hook must run). */
void agent_rescan_watches(struct agent *a)
{
	int n;

	a->dirs.pending = 0;
	a->dirs.rescans++;
	hook_gate_wake(&a->gate);
	n = watch_register(a->loader.skel, &a->policy, &a->pl.values, &a->watches);
	if (n < 0) {
		fprintf(stderr, "idsentry: registering identifier files again failed: %s\n",
			strerror(-n));
		return;
	}
	a->n_watched = n;
	agent_register_derived(a);
}

/* Derived files the policy's derived_files.expire let go, said once they are gone. */
struct expired_files {
	struct derived_file *files;
	size_t n;
};

static void derived_expired(void *ctx, const struct derived_file *f)
{
	struct expired_files *ex = ctx;
	struct derived_file *grown = realloc(ex->files, (ex->n + 1) * sizeof(*grown));

	if (!grown)
		return;
	ex->files = grown;
	ex->files[ex->n] = *f;
	ex->files[ex->n++].path = strdup(f->path ? f->path : "");
}

/* Derived files last written longer ago than the policy's derived_files.expire stop being
 * identifier files: their inodes leave the kernel's map with the registration that follows, and
 * a derived_file record with state "expired" says so once it has. */
void agent_expire_derived(struct agent *a)
{
	int64_t expire_s = (int64_t)(a->policy.derived_expire_ns / 1000000000ULL);
	struct expired_files ex = {};
	size_t i;

	if (!expire_s ||
	    !derived_expire(&a->pl.derived, time(NULL), expire_s, derived_expired, &ex))
		return;
	agent_rescan_watches(a);
	for (i = 0; i < ex.n; i++) {
		records_derived_expired(a, &ex.files[i]);
		free(ex.files[i].path);
	}
	free(ex.files);
}

void agent_reload(struct agent *a)
{
	struct policy fresh = {};
	struct diag_list d = {};
	int err = agent_load_policy(a->o, &fresh, &d);

	if (err) {
		fprintf(stderr, "idsentry: reload rejected; the previous policy stays in force\n");
		diag_print(&d, stderr);
		records_policy(a, "rejected", &d);
		policy_free(&fresh);
		diag_list_free(&d);
		return;
	}
	policy_free(&a->policy);
	a->policy = fresh;
	/* the kernel learns watched inodes from the agent's own opens: its openat hook must run */
	hook_gate_wake(&a->gate);
	err = agent_apply_policy(a);
	if (err)
		fprintf(stderr, "idsentry: applying the new policy failed: %s\n", strerror(-err));
	records_policy(a, "applied", &d);
	diag_list_free(&d);
}

