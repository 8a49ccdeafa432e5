// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* enforce: turns the policy's block and kill rules into the maps the kernel takes verdicts from. */
#include <errno.h>
#include <fnmatch.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <bpf/libbpf.h>
#include "idsentry.skel.h"
#include "android.h"
#include "enforce.h"
#include "json.h"
#include "loader.h"
#include "policy.h"
#include "proctable.h"

static void note(struct enforcer *e, const char *fmt, ...)
{
	va_list ap;

	if (e->n_notes == ENFORCE_MAX_NOTES)
		return;
	va_start(ap, fmt);
	vsnprintf(e->notes[e->n_notes++], sizeof(e->notes[0]), fmt, ap);
	va_end(ap);
}

/* Deletes every key of a hash or LPM map. */
static void clear_map(struct bpf_map *m, size_t key_size)
{
	char key[64];

	while (bpf_map__get_next_key(m, NULL, key, key_size) == 0)
		if (bpf_map__delete_elem(m, key, key_size, 0))
			break;
}

static int is_glob(const char *s)
{
	return strpbrk(s, "*?[") != NULL;
}

static void exempt_comm(struct enforcer *e, const char *name, unsigned int slot)
{
	char comm[TASK_COMM_BYTES] = {};
	__u64 mask = 0;

	/* the kernel's comm is cut at 15 characters */
	strncpy(comm, name, sizeof(comm) - 1);
	bpf_map__lookup_elem(e->skel->maps.exempt_comms, comm, sizeof(comm), &mask, sizeof(mask), 0);
	mask |= 1ULL << slot;
	if (bpf_map__update_elem(e->skel->maps.exempt_comms, comm, sizeof(comm), &mask, sizeof(mask),
				 0))
		note(e, "process exception '%s' could not be stored: %s", name, strerror(errno));
}

static void exempt_uid(struct enforcer *e, uint32_t uid, unsigned int slot)
{
	__u64 mask = 0;

	bpf_map__lookup_elem(e->skel->maps.exempt_uids, &uid, sizeof(uid), &mask, sizeof(mask), 0);
	mask |= 1ULL << slot;
	if (bpf_map__update_elem(e->skel->maps.exempt_uids, &uid, sizeof(uid), &mask, sizeof(mask),
				 0))
		note(e, "the exception of uid %u could not be stored: %s", uid, strerror(errno));
}

static void except_cidr(struct enforcer *e, const struct cidr *c, unsigned int slot)
{
	struct except_key key = {};
	__u8 one = 1;

	key.prefixlen = 16 + c->prefix;
	key.rule = slot;
	key.family = c->family == AF_INET6 ? 6 : 4;
	memcpy(key.addr, c->addr, c->family == AF_INET6 ? 16 : 4);
	if (bpf_map__update_elem(e->skel->maps.except_cidrs, &key, sizeof(key), &one, sizeof(one), 0))
		note(e, "an excepted network could not be stored (%s): it may be blocked",
		     strerror(errno));
}

static int fill_slot(struct enforcer *e, const struct rule_def *r, unsigned int slot)
{
	struct enforce_rule er = {};
	size_t i;

	er.ident_mask = r->ident_mask;
	er.window_ns = r->window_ns;
	er.action = r->action == ACTION_KILL ? ENFORCE_KILL : ENFORCE_BLOCK;
	for (i = 0; i < r->dest_except.n_ports; i++) {
		if (i == MAX_EXCEPT_PORTS) {
			note(e, "rule '%s': only the first %d excepted port ranges are enforced",
			     r->name, MAX_EXCEPT_PORTS);
			break;
		}
		er.port_lo[i] = r->dest_except.ports[i].lo;
		er.port_hi[i] = r->dest_except.ports[i].hi;
		er.n_ports = i + 1;
	}
	for (i = 0; i < r->dest_except.n_cidrs; i++)
		except_cidr(e, &r->dest_except.cidrs[i], slot);
	if (r->dest_except.hosts.n)
		note(e, "rule '%s': excepted host names are not known to the kernel: their "
			"addresses are blocked unless listed as CIDRs", r->name);
	for (i = 0; i < r->process_except.comms.n; i++) {
		const char *x = r->process_except.comms.items[i];

		if (!is_glob(x))
			exempt_comm(e, x, slot);
	}
	for (i = 0; i < r->process_except.n_uids; i++)
		exempt_uid(e, r->process_except.uids[i], slot);
	/* a package is its app's uid (user 0's; other users' are exempted per process) */
	for (i = 0; i < r->process_except.packages.n; i++) {
		uint32_t appid;

		if (e->packages && !android_packages_appid(e->packages,
							   r->process_except.packages.items[i],
							   &appid))
			exempt_uid(e, appid, slot);
	}
	return bpf_map__update_elem(e->skel->maps.enforce_rules, &slot, sizeof(slot), &er,
				    sizeof(er), 0);
}

int enforce_apply(struct enforcer *e, const struct policy *p)
{
	size_t i;

	/* no verdicts while the maps are rewritten */
	__atomic_store_n(&e->skel->bss->n_enforce_rules, 0, __ATOMIC_SEQ_CST);
	clear_map(e->skel->maps.except_cidrs, sizeof(struct except_key));
	clear_map(e->skel->maps.exempt_comms, TASK_COMM_BYTES);
	clear_map(e->skel->maps.exempt_tgids, sizeof(__u32));
	clear_map(e->skel->maps.exempt_uids, sizeof(__u32));
	clear_map(e->skel->maps.blocked_sockets, sizeof(__u64));
	e->n_slots = 0;
	e->n_notes = 0;
	for (i = 0; i < p->n_rules; i++) {
		const struct rule_def *r = &p->rules[i];

		if (r->action == ACTION_ALERT)
			continue;
		if (!e->enforce_mode)
			continue;
		if (e->n_slots == MAX_ENFORCE_RULES) {
			note(e, "more than %d blocking rules: rule '%s' and later ones only alert",
			     MAX_ENFORCE_RULES, r->name);
			break;
		}
		if (fill_slot(e, r, e->n_slots)) {
			note(e, "rule '%s' could not be loaded into the kernel (%s): it only alerts",
			     r->name, strerror(errno));
			continue;
		}
		e->slot_rule[e->n_slots++] = i;
	}
	__atomic_store_n(&e->skel->bss->n_enforce_rules, e->n_slots, __ATOMIC_SEQ_CST);
	return e->n_slots;
}

void enforce_note_process(struct enforcer *e, const struct policy *p, const struct proc *proc)
{
	struct proc_identity id;
	__u32 tgid = proc->tgid;
	__u64 mask = 0;
	size_t s;

	proc_identity_of(proc, android_package_of, e->packages, &id);
	for (s = 0; s < e->n_slots; s++)
		if (rule_excepts_process(&p->rules[e->slot_rule[s]], &id))
			mask |= 1ULL << s;
	/* an exec into another image ends what the former one was granted */
	if (mask)
		bpf_map__update_elem(e->skel->maps.exempt_tgids, &tgid, sizeof(tgid), &mask,
				     sizeof(mask), 0);
	else
		bpf_map__delete_elem(e->skel->maps.exempt_tgids, &tgid, sizeof(tgid), 0);
}

int enforce_rule_of_slot(const struct enforcer *e, unsigned int slot)
{
	return slot < e->n_slots ? (int)e->slot_rule[slot] : -1;
}

const char *enforce_hook_name(__u16 hook)
{
	switch (hook) {
	case HOOK_CONNECT:
		return "cgroup/connect";
	case HOOK_SENDMSG:
		return "cgroup/sendmsg";
	case HOOK_SK_MSG:
		return "sk_msg";
	case HOOK_CGROUP_SKB:
		return "cgroup_skb/egress";
	case HOOK_BINDER:
		return "kprobe/binder_ioctl";
	}
	return NULL;
}

void enforce_describe(const struct enforcer *e, const struct loader *l, struct json *j)
{
	static const char *const hooks[] = { "handle_cgroup_connect4", "handle_cgroup_connect6",
					     "handle_cgroup_sendmsg4", "handle_cgroup_sendmsg6",
					     "handle_sockops",	      "handle_sk_msg",
					     "handle_cgroup_skb_egress" };
	size_t i;
	int missing = 0;

	json_object_begin(j, "enforcement");
	json_string(j, "mode", e->enforce_mode ? "enforce" : "alert");
	json_uint(j, "blocking_rules", e->n_slots);
	json_array_begin(j, "hooks");
	for (i = 0; i < sizeof(hooks) / sizeof(hooks[0]); i++)
		if (loader_attached(l, hooks[i]))
			json_string(j, NULL, hooks[i]);
	if (e->binder_sms && loader_attached(l, "handle_binder_ioctl"))
		json_string(j, NULL, "handle_binder_ioctl");
	json_array_end(j);
	json_array_begin(j, "degraded");
	for (i = 0; i < sizeof(hooks) / sizeof(hooks[0]); i++) {
		char msg[160];

		if (loader_attached(l, hooks[i]))
			continue;
		missing++;
		snprintf(msg, sizeof(msg), "%s is not attached: its path cannot be blocked, only "
					   "alerted on", hooks[i]);
		json_string(j, NULL, msg);
	}
	/* an SMS by Binder is stopped by rewriting the transaction's target before the driver
	 * reads it (bpf_probe_write_user); without the kprobe only `kill` at the modem remains */
	if (e->binder_sms && !loader_attached(l, "handle_binder_ioctl")) {
		missing++;
		json_string(j, NULL, "handle_binder_ioctl is not attached: SMS sent by Binder "
				     "(binder_sms) cannot be stopped, only alerted on at the modem");
	}
	for (i = 0; i < e->n_notes; i++)
		json_string(j, NULL, e->notes[i]);
	if (!e->enforce_mode)
		json_string(j, NULL, "--mode alert: a dry run, nothing is blocked");
	json_array_end(j);
	json_bool(j, "available", e->enforce_mode && !missing);
	json_object_end(j);
}

void enforce_forget_process(struct enforcer *e, uint32_t tgid)
{
	__u32 key = tgid;

	if (e->skel)
		bpf_map__delete_elem(e->skel->maps.exempt_tgids, &key, sizeof(key), 0);
}
