// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* agent: the `run` command's event loop: ring buffer, signals, reloads and periodic reports. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <time.h>
#include <openssl/evp.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "idsentry.skel.h"
#include "idsentry.h"
#include "agent.h"
#include "detect.h"
#include "diag.h"
#include "dirwatch.h"
#include "events.h"
#include "derived.h"
#include "shm.h"
#include "state.h"
#include "filevalues.h"
#include "flow.h"
#include "hook_gate.h"
#include "tls.h"
#include "tlspair.h"
#include "ioctl.h"
#include "modem.h"
#include "props.h"
#include "enforce.h"
#include "android.h"
#include "aggregate.h"
#include "binder.h"
#include "dns.h"
#include "json.h"
#include "loader.h"
#include "longsend.h"
#include "metrics.h"
#include "netlink.h"
#include "output.h"
#include "policy.h"
#include "proctable.h"
#include "values.h"
#include "watch.h"

/* Names of enum stat_cause, and whether the cause means an event was lost. */
static const struct {
	const char *name;
	int is_loss;
} stat_causes[STAT__COUNT] = {
	[STAT_RINGBUF_FULL] = { "ringbuf_full", 1 },
	[STAT_TAINT_MAP_FULL] = { "taint_map_full", 1 },
	[STAT_FD_MAP_FULL] = { "fd_map_full", 1 },
	[STAT_PENDING_FULL] = { "pending_map_full", 1 },
	[STAT_READ_USER_FAILED] = { "user_memory_unreadable", 1 },
	[STAT_WATCH_MAP_FULL] = { "watch_map_full", 1 },
	[STAT_SAMPLE_TRUNCATED] = { "sample_truncated", 0 },
	[STAT_CHANNEL_MAP_FULL] = { "channel_map_full", 1 },
	/* transactions without an AIDL token (pings, other protocols) are many and not a loss */
	[STAT_BINDER_UNPARSED] = { "binder_untokened", 0 },
	[STAT_BINDER_PENDING_FULL] = { "binder_pending_full", 1 },
};

struct agent {
	const struct agent_opts *o;
	struct loader loader;
	struct hook_gate gate;
	struct policy policy;
	struct value_store values;
	struct watch_set watches;
	struct derived_set derived; /* files made identifier files by what a holder wrote */
	struct proctable procs;
	struct flow_table flows;
	struct hostcache hosts;
	struct tls_probes tls;
	struct prop_probes props;
	struct modem_tracker modem;
	struct binder_table binder;
	struct dirwatch dirs;
	struct enforcer enf;
	struct android_packages packages;
	struct alert_aggregator agg;
	struct output out;
	struct detector det;
	struct longsends longs; /* sends longer than a sample, put back together */
	struct tlspair tls_pairs; /* memory-BIO TLS plaintext, waiting for its socket */
	struct metrics_file metrics; /* --metrics-file */
	struct shm_tracker shm; /* memory holders share with other processes */
	struct ring_buffer *rb;
	int n_watched;
	uint64_t kernel_stats[STAT__COUNT]; /* totals already reported */
	unsigned long long events[16]; /* by enum event_type */
	unsigned long long malformed, malformed_reported;
	struct timespec started;
};

#define MAX_TAINTED_PROCS_REPORTED 1000000
#define TLS_RESCAN_SECONDS 5

/* Now, on the clock events are stamped with (bpf_ktime_get_boot_ns). */
static uint64_t boot_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_BOOTTIME, &t);
	return t.tv_sec * 1000000000ULL + t.tv_nsec;
}

static uint64_t monotonic_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000000000ULL + t.tv_nsec;
}

static int load_policy(const struct agent_opts *o, struct policy *p, struct diag_list *d)
{
	int n = policy_load_files(p, o->policy_files, o->n_policy_files, d);

	return n < 0 ? n : n > 0 ? -EINVAL : 0;
}

/* Applies the policy's files and windows to the kernel and the value store. */
static int apply_policy(struct agent *a)
{
	uint64_t ttl = 0, link_mask, neigh_mask;
	size_t i;
	int err;

	values_clear(&a->values);
	/* a new policy numbers its identifiers anew: what files held means nothing now */
	derived_free(&a->derived);
	a->n_watched = watch_register(a->loader.skel, &a->policy, &a->values, &a->watches);
	if (a->n_watched < 0)
		return a->n_watched;
	hook_gate_mark(&a->gate, &a->watches);
	/* files the globs will name later: created, renamed into place, interfaces added */
	dirwatch_set(&a->dirs, &a->policy);
	for (i = 0; i < a->policy.n_rules; i++)
		if (a->policy.rules[i].window_ns > ttl)
			ttl = a->policy.rules[i].window_ns;
	a->loader.skel->bss->taint_ttl_ns = ttl;
	a->det.sink.policy = &a->policy;
	memset(a->det.rules, 0, sizeof(a->det.rules));
	enforce_apply(&a->enf, &a->policy);
	modem_reset(&a->modem);
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
	err = binder_apply(&a->binder, a->loader.skel, &a->policy);
	if (err < 0)
		return err;
	loader_set_binder_hooks(&a->loader, err > 0);
	a->enf.binder_sms = a->policy.n_binder_sms > 0;
	err = props_apply(&a->props, &a->policy);
	return err < 0 ? err : 0;
}

/* The uprobe programs are attached per library by tls.c: their status is that of the libraries. */
static void note_tls_probes(struct agent *a)
{
	size_t i;

	for (i = 0; i < a->loader.n_probes; i++) {
		struct probe_status *p = &a->loader.probes[i];

		if (strncmp(p->hook, "uprobe", 6) && strncmp(p->hook, "uretprobe", 9))
			continue;
		if (!strncmp(p->name, "handle_prop", 11)) {
			p->attached = a->props.n_links > 0;
			if (!p->attached)
				snprintf(p->reason, sizeof(p->reason), "%s",
					 a->props.n_props ? "no library with bionic's property "
							    "getters found (property_libraries)"
							  : "no identifier lists properties");
			continue;
		}
		p->attached = a->tls.n_links > 0;
		if (!p->attached)
			snprintf(p->reason, sizeof(p->reason),
				 "no OpenSSL/BoringSSL library found yet: TLS payloads are seen "
				 "encrypted (rescanned every %d s)", TLS_RESCAN_SECONDS);
	}
}

/* A library that uprobes were attached to (TLS or property getters), as an array member. */
static void library_member(struct json *j, const char *path, int attached, const char *reason)
{
	json_object_begin(j, NULL);
	json_string(j, "path", path);
	json_bool(j, "attached", attached > 0);
	if (!attached)
		json_string(j, "reason", reason);
	json_object_end(j);
}

static void probes_members(struct agent *a, struct json *j)
{
	size_t i;

	json_object_begin(j, "probes");
	json_array_begin(j, "attached");
	for (i = 0; i < a->loader.n_probes; i++)
		if (a->loader.probes[i].attached)
			json_string(j, NULL, a->loader.probes[i].name);
	json_array_end(j);
	json_array_begin(j, "skipped");
	for (i = 0; i < a->loader.n_probes; i++) {
		const struct probe_status *p = &a->loader.probes[i];

		if (p->attached)
			continue;
		json_object_begin(j, NULL);
		json_string(j, "name", p->name);
		json_string(j, "hook", p->hook);
		json_string(j, "reason", p->reason);
		json_object_end(j);
	}
	json_array_end(j);
	json_object_end(j);
	json_array_begin(j, "tls_libraries");
	for (i = 0; i < a->tls.n_libs; i++)
		library_member(j, a->tls.libs[i].path, a->tls.libs[i].attached,
			       a->tls.libs[i].reason);
	json_array_end(j);
	json_array_begin(j, "property_libraries");
	for (i = 0; i < a->props.n_libs; i++)
		library_member(j, a->props.libs[i].path, a->props.libs[i].attached,
			       a->props.libs[i].reason);
	json_array_end(j);
	enforce_describe(&a->enf, &a->loader, j);
	hook_gate_describe(&a->gate, j);
}

static void write_ready(struct agent *a)
{
	struct json j;
	size_t i;

	json_init(&j);
	json_record_begin(&j, "ready");
	json_string(&j, "version", IDSENTRY_VERSION);
	json_array_begin(&j, "policy");
	for (i = 0; i < a->o->n_policy_files; i++)
		json_string(&j, NULL, a->o->policy_files[i]);
	json_array_end(&j);
	json_string(&j, "mode", a->o->enforce ? "enforce" : "alert");
	probes_members(a, &j);
	json_uint(&j, "watched_files", a->n_watched);
	json_uint(&j, "known_values", a->values.n);
	output_write(&a->out, &j);
	json_free(&j);
}

static void write_policy_record(struct agent *a, const char *status, const struct diag_list *d)
{
	struct json j;
	size_t i;

	json_init(&j);
	json_record_begin(&j, "policy");
	json_string(&j, "status", status);
	json_array_begin(&j, "files");
	for (i = 0; i < a->o->n_policy_files; i++)
		json_string(&j, NULL, a->o->policy_files[i]);
	json_array_end(&j);
	for (int warnings = 0; warnings < 2; warnings++) {
		json_array_begin(&j, warnings ? "warnings" : "errors");
		for (i = 0; d && i < d->n; i++) {
			char *s;

			if (d->items[i].warning != warnings)
				continue;
			s = diag_format(&d->items[i]);
			json_string(&j, NULL, s ? s : d->items[i].message);
			free(s);
		}
		json_array_end(&j);
	}
	output_write(&a->out, &j);
	json_free(&j);
}

static void write_lost(struct agent *a, unsigned long long count, const char *where,
		       const char *cause)
{
	struct json j;

	json_init(&j);
	json_record_begin(&j, "lost");
	json_uint(&j, "count", count);
	json_string(&j, "where", where);
	json_string(&j, "cause", cause);
	output_write(&a->out, &j);
	json_free(&j);
}

/* Sums the per-CPU failure counters of the kernel side. */
static int read_kernel_stats(struct agent *a, uint64_t totals[STAT__COUNT])
{
	int ncpu = libbpf_num_possible_cpus();
	uint64_t *per_cpu;
	__u32 k;
	int c;

	if (ncpu <= 0)
		return -EINVAL;
	per_cpu = calloc(ncpu, sizeof(*per_cpu));
	if (!per_cpu)
		return -ENOMEM;
	for (k = 0; k < STAT__COUNT; k++) {
		totals[k] = 0;
		if (bpf_map__lookup_elem(a->loader.skel->maps.stats, &k, sizeof(k), per_cpu,
					 ncpu * sizeof(*per_cpu), 0))
			continue;
		for (c = 0; c < ncpu; c++)
			totals[k] += per_cpu[c];
	}
	free(per_cpu);
	return 0;
}

static void report_losses(struct agent *a)
{
	uint64_t totals[STAT__COUNT];
	int k;

	if (!read_kernel_stats(a, totals)) {
		for (k = 0; k < STAT__COUNT; k++) {
			if (stat_causes[k].is_loss && totals[k] > a->kernel_stats[k])
				write_lost(a, totals[k] - a->kernel_stats[k], "kernel",
					   stat_causes[k].name);
			a->kernel_stats[k] = totals[k];
		}
	}
	if (a->malformed > a->malformed_reported) {
		write_lost(a, a->malformed - a->malformed_reported, "agent", "malformed_event");
		a->malformed_reported = a->malformed;
	}
}

/* Counters shared by stats and status records. */
static void counters_members(struct agent *a, struct json *j)
{
	int k;

	json_object_begin(j, "events");
	json_uint(j, "ident_read", a->events[EVENT_IDENT_READ]);
	json_uint(j, "send", a->events[EVENT_SEND]);
	json_uint(j, "proc_info", a->events[EVENT_PROC_INFO]);
	json_uint(j, "proc_exit", a->events[EVENT_PROC_EXIT]);
	json_uint(j, "flow", a->events[EVENT_FLOW]);
	json_uint(j, "recv", a->events[EVENT_RECV]);
	json_uint(j, "proc_fork", a->events[EVENT_PROC_FORK]);
	json_uint(j, "tty_write", a->events[EVENT_TTY_WRITE]);
	json_uint(j, "binder_tx", a->events[EVENT_BINDER_TX]);
	json_object_end(j);
	json_object_begin(j, "binder");
	json_uint(j, "methods", a->binder.n);
	json_uint(j, "replies", a->binder.replies);
	json_uint(j, "values", a->binder.values);
	json_uint(j, "replies_unparsed", a->binder.unparsed);
	json_uint(j, "sms_calls", a->binder.sms_calls);
	json_uint(j, "sms_unparsed", a->binder.sms_unparsed);
	json_uint(j, "modem_sms_seen_at_binder", a->det.sms_seen_above);
	json_object_end(j);
	json_object_begin(j, "alerts");
	json_uint(j, "confirmed", a->det.confirmed);
	json_uint(j, "suspected", a->det.suspected);
	json_uint(j, "written", a->agg.written);
	json_uint(j, "folded", a->agg.folded);
	json_object_end(j);
	json_object_begin(j, "kernel");
	for (k = 0; k < STAT__COUNT; k++)
		json_uint(j, stat_causes[k].name, a->kernel_stats[k]);
	json_object_end(j);
	json_array_begin(j, "rules");
	for (k = 0; k < (int)a->policy.n_rules && k < MAX_RULE_COUNTERS; k++) {
		json_object_begin(j, NULL);
		json_string(j, "name", a->policy.rules[k].name);
		json_uint(j, "alerts", a->det.rules[k].alerts);
		json_uint(j, "blocked", a->det.rules[k].blocked);
		json_uint(j, "killed", a->det.rules[k].killed);
		json_object_end(j);
	}
	json_array_end(j);
	json_uint(j, "watch_rescans", a->dirs.rescans);
	json_uint(j, "malformed_events", a->malformed);
	json_uint(j, "processes", a->procs.count);
	json_uint(j, "known_values", a->values.n);
	/* drivable values (ioctl, property, Binder, rtnetlink) that took an older one's place */
	json_uint(j, "values_replaced", a->values.replaced);
	/* sends longer than one sample, judged whole (up to 64 KiB) from their parts */
	json_object_begin(j, "long_sends");
	json_uint(j, "assembled", a->longs.assembled);
	json_uint(j, "incomplete", a->longs.incomplete);
	json_uint(j, "orphan_parts", a->longs.orphans);
	json_object_end(j);
	/* TLS plaintext written to a memory BIO, and whether its ciphertext's socket was found */
	json_object_begin(j, "memory_bio_tls");
	json_uint(j, "paired", a->tls_pairs.paired);
	json_uint(j, "unpaired", a->tls_pairs.unpaired);
	json_object_end(j);
}

/* How often each attached program ran: counted by the kernel only while
 * kernel.bpf_stats_enabled is 1 (make bench and the Android VM turn it on), so absent otherwise. */
static void program_runs_member(struct agent *a, struct json *j)
{
	struct bpf_program *prog;
	int any = 0;

	bpf_object__for_each_program(prog, a->loader.skel->obj) {
		struct bpf_prog_info info = {};
		__u32 len = sizeof(info);
		int fd = bpf_program__fd(prog);

		if (fd < 0 || bpf_obj_get_info_by_fd(fd, &info, &len) || !info.run_cnt)
			continue;
		if (!any++)
			json_object_begin(j, "program_runs");
		json_uint(j, bpf_program__name(prog), info.run_cnt);
	}
	if (any)
		json_object_end(j);
}

static void write_stats(struct agent *a)
{
	struct json j;

	json_init(&j);
	json_record_begin(&j, "stats");
	counters_members(a, &j);
	program_runs_member(a, &j);
	hook_gate_describe(&a->gate, &j);
	output_write(&a->out, &j);
	json_free(&j);
}

/* Entries in the kernel's taint table: processes that opened or read an identifier. */
static unsigned long taint_table_size(struct agent *a)
{
	const struct bpf_map *m = a->loader.skel->maps.taint;
	__u32 key, next;
	unsigned long n = 0;
	int err = bpf_map__get_next_key(m, NULL, &next, sizeof(next));

	while (!err && n < MAX_TAINTED_PROCS_REPORTED) {
		n++;
		key = next;
		err = bpf_map__get_next_key(m, &key, &next, sizeof(next));
	}
	return n;
}

/* The stats counters as a Prometheus text file (metrics.h), when --metrics-file asks. */
static void write_metrics(struct agent *a)
{
	struct metrics_view v = {
		.version = IDSENTRY_VERSION,
		.policy = &a->policy,
		.det = &a->det,
		.alert_records = a->agg.written,
		.alerts_folded = a->agg.folded,
		.events = a->events,
		.n_events = sizeof(a->events) / sizeof(a->events[0]),
		.malformed = a->malformed,
		.socket_dropped = a->out.has_sock ? a->out.sock.dropped_total : 0,
		.syslog_dropped = a->out.has_syslog ? a->out.sys.dropped : 0,
		.syscall_hooks = hook_gate_active(&a->gate),
		.ioctl_hooks = a->loader.ioctl_attached,
		.socket_layer_hooks = a->loader.holder_attached,
		.hook_wakes = a->gate.wakes,
		.hook_attaches = a->gate.attaches,
		.hook_detaches = a->gate.detaches,
		.known_values = a->values.n,
		.values_replaced = a->values.replaced,
		.processes = a->procs.count,
		.watched_files = a->n_watched,
	};
	size_t i;

	if (!a->o->metrics_path)
		return;
	v.taint_entries = taint_table_size(a);
	for (i = 0; i < STAT__COUNT; i++) {
		v.kernel[i] = a->kernel_stats[i];
		v.kernel_cause[i] = stat_causes[i].name;
		v.kernel_is_loss[i] = stat_causes[i].is_loss;
	}
	for (i = 0; i < a->loader.n_probes; i++)
		v.probes_attached += a->loader.probes[i].attached != 0;
	v.probes_skipped = a->loader.n_probes - v.probes_attached;
	metrics_write(&a->metrics, &v);
}

/* sha256 of a policy file, so an operator can tell which version is in force. */
static void file_sha256(const char *path, char hex[65])
{
	unsigned char md[EVP_MAX_MD_SIZE], buf[4096];
	unsigned int len = 0, i;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	FILE *f = fopen(path, "rb");
	size_t n;

	hex[0] = 0;
	if (f && ctx && EVP_DigestInit_ex(ctx, EVP_sha256(), NULL)) {
		while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
			EVP_DigestUpdate(ctx, buf, n);
		if (EVP_DigestFinal_ex(ctx, md, &len))
			for (i = 0; i < len && i < 32; i++)
				sprintf(hex + 2 * i, "%02x", md[i]);
	}
	if (f)
		fclose(f);
	EVP_MD_CTX_free(ctx);
}

/* The names of the identifiers in mask, as a JSON array member. */
static void identifier_names(struct agent *a, struct json *j, const char *key, uint64_t mask)
{
	size_t i;

	json_array_begin(j, key);
	for (i = 0; i < a->policy.n_idents; i++)
		if (mask & (1ULL << a->policy.idents[i].bit))
			json_string(j, NULL, a->policy.idents[i].name);
	json_array_end(j);
}

/* Files made identifier files by what a holder wrote into them (derived.h). */
static void derived_members(struct agent *a, struct json *j)
{
	size_t i;

	json_array_begin(j, "derived_files");
	for (i = 0; i < a->derived.n; i++) {
		const struct derived_file *f = &a->derived.files[i];

		json_object_begin(j, NULL);
		json_string(j, "path", f->path);
		json_uint(j, "ino", f->ino);
		identifier_names(a, j, "identifiers", f->ident_mask);
		json_uint(j, "writer", f->writer);
		json_object_end(j);
	}
	json_array_end(j);
}

/* The members of a 'status' record: what is attached, what is enforced, counters, policy. */
static void write_status_members(void *ctx, struct json *j)
{
	struct agent *a = ctx;
	struct timespec now;
	char hex[65];
	size_t i;

	clock_gettime(CLOCK_MONOTONIC, &now);
	json_string(j, "version", IDSENTRY_VERSION);
	json_uint(j, "pid", getpid());
	json_uint(j, "uptime_s", now.tv_sec - a->started.tv_sec);
	json_string(j, "mode", a->o->enforce ? "enforce" : "alert");
	probes_members(a, j);
	counters_members(a, j);
	json_uint(j, "taint_table", taint_table_size(a));
	json_uint(j, "watched_files", a->n_watched);
	derived_members(a, j);
	json_array_begin(j, "policy");
	for (i = 0; i < a->o->n_policy_files; i++) {
		file_sha256(a->o->policy_files[i], hex);
		json_object_begin(j, NULL);
		json_string(j, "file", a->o->policy_files[i]);
		json_string(j, "sha256", hex);
		json_object_end(j);
	}
	json_array_end(j);
}

/* A value of the identifiers in mask reached process p (NULL when unknown) from source/origin:
 * learnt, and noted as how p got it. */
static void learn_value(struct agent *a, struct proc *p, uint64_t mask, const char *source,
			const char *origin, const uint8_t *value, size_t len)
{
	int bit;

	for (bit = 0; bit < MAX_IDENTIFIER_BITS; bit++) {
		if (!(mask & (1ULL << bit)))
			continue;
		values_learn(&a->values, bit, source, origin, value, len);
		if (p)
			proc_note_obtained(p, bit, source, origin, a->values.last, a->values.epoch);
	}
}

/* An identifier reached a process other than by reading a file: ioctl or Binder reply, or
 * property. */
static void learn_other_source(struct agent *a, struct proc *p, const struct ident_read_event *ev,
			       size_t len)
{
	char value[MAX_VALUE_BYTES + 1], origin[BINDER_NAME_BYTES + 32];
	const char *source = ev->source == SOURCE_IOCTL	   ? "ioctl" :
			     ev->source == SOURCE_BINDER ? "binder" :
							   "property";
	size_t n = 0;

	if (ev->source == SOURCE_BINDER) {
		n = binder_reply_value(&a->binder, ev, len, value, sizeof(value), origin,
				       sizeof(origin));
	} else if (ev->source == SOURCE_IOCTL) {
		n = ioctl_value(ev->ino, ev->data, len, value, sizeof(value), origin,
				sizeof(origin));
	} else if (len > PROP_NAME_BYTES) {
		/* name[PROP_NAME_BYTES], then the value */
		snprintf(origin, sizeof(origin), "%.*s", PROP_NAME_BYTES, (const char *)ev->data);
		n = len - PROP_NAME_BYTES;
		if (n >= sizeof(value))
			n = sizeof(value) - 1;
		memcpy(value, ev->data + PROP_NAME_BYTES, n);
		value[n] = 0;
	}
	if (n)
		learn_value(a, p, ev->ident_mask, source, origin, (const uint8_t *)value, n);
}

/* A watched file was opened while no read hook could see what the opener read: its value is what
 * the file holds, read here (the file the policy names, the inode the kernel matched). */
struct table_learning {
	struct agent *a;
	struct proc *p;
	uint64_t mask;
	const char *path;
};

static void learn_table_value(void *ctx, const char *field, const uint8_t *value, size_t len)
{
	struct table_learning *t = ctx;
	uint64_t mask = 0;
	size_t i;

	/* a DMI table's serials and UUID each belong to their own identifier */
	for (i = 0; i < t->a->policy.n_idents; i++) {
		const struct identifier_def *id = &t->a->policy.idents[i];

		if ((t->mask & (1ULL << id->bit)) &&
		    filevalues_field_is(field, id->name, id->files.items, id->files.n))
			mask |= 1ULL << id->bit;
	}
	if (mask)
		learn_value(t->a, t->p, mask, "file", t->path, value, len);
}

/* A table file (filevalues.h) read or opened: each value in it, as the agent reads it whole (a
 * process's first read holds only its first few hundred bytes). */
static void learn_table_file(struct agent *a, struct proc *p, uint64_t mask, const char *path)
{
	struct table_learning t = { .a = a, .p = p, .mask = mask, .path = path };
	long n = filevalues_read(path, learn_table_value, &t);

	if (n < 0)
		fprintf(stderr, "idsentry: reading %s for the values a process read failed: %s\n",
			path, strerror((int)-n));
}

static void learn_opened_file(struct agent *a, struct proc *p, const struct ident_read_event *ev,
			      const char *path)
{
	uint8_t buf[MAX_VALUE_BYTES];
	ssize_t n = -1;
	int fd;

	if (filevalues_is_table(path)) {
		learn_table_file(a, p, ev->ident_mask, path);
		return;
	}
	fd = path ? open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY) : -1;
	if (fd >= 0) {
		n = read(fd, buf, sizeof(buf));
		close(fd);
	}
	if (n < 0) {
		fprintf(stderr, "idsentry: %s was opened by pid %u with the read hooks away, and "
				"reading it for its value failed: %s\n",
			path ? path : "an identifier file", ev->hdr.tgid,
			path ? strerror(errno) : "its inode is no longer registered");
		return;
	}
	learn_value(a, p, ev->ident_mask, "file", path, buf, n);
}

static void on_ident_read(struct agent *a, const struct ident_read_event *ev)
{
	const char *path = watch_path_of(&a->watches, ev->ino);
	size_t len = ev->len > MAX_VALUE_BYTES ? MAX_VALUE_BYTES : ev->len;
	struct proc *p = proctable_of_event(&a->procs, &ev->hdr);

	if (p)
		flow_direct_read(p, ev->ident_mask, ev->hdr.ts_ns);
	/* no open of a watched file announced this one (or its open came to the open exits that
	 * stand in for fanotify): follow the process from now on */
	if ((ev->source != SOURCE_FILE || ev->call == CALL_OPEN) &&
	    a->gate.mode == HOOKS_ON_DEMAND && !hook_gate_active(&a->gate))
		hook_gate_wake(&a->gate);
	/* a file a holder wrote a value into: the value is known, the rest of it is not one */
	if (ev->source == SOURCE_FILE && derived_find(&a->derived, ev->ino))
		return;
	if (ev->source == SOURCE_FILE && ev->call == CALL_OPEN) {
		learn_opened_file(a, p, ev, path);
		return;
	}
	switch (ev->source) {
	case SOURCE_MODEM:
		/* an AT reply: what it carries depends on the command before it */
		modem_on_read(&a->modem, ev);
		return;
	case SOURCE_IOCTL:
	case SOURCE_PROPERTY:
	case SOURCE_BINDER:
		learn_other_source(a, p, ev, len);
		return;
	}
	/* a value starts at offset 0; later chunks of a file are not identifier starts */
	if (ev->offset == 0 && filevalues_is_table(path))
		learn_table_file(a, p, ev->ident_mask, path);
	else if (ev->offset == 0)
		learn_value(a, p, ev->ident_mask, "file", path, ev->data, len);
}

/* Printable runs of a Parcel's UTF-16 units, one per line: the text a layout that does not fit
 * the call would have found, so that a value in it is still seen. */
static size_t parcel_text_runs(const uint8_t *data, size_t len, uint8_t *out, size_t size)
{
	size_t i, n = 0;

	for (i = 0; i + 1 < len && n + 1 < size; i += 2) {
		unsigned int u = data[i] | (data[i + 1] << 8);

		out[n++] = u >= 0x20 && u < 0x7f ? (uint8_t)u : '\n';
	}
	return n;
}

/* A tainted process asked a Binder service to send an SMS. */
static void on_binder_tx(struct agent *a, const struct binder_tx_event *ev)
{
	static struct parcel_sms sms; /* large; the loop is single-threaded */
	const struct binder_method_entry *e = binder_sms_decode(&a->binder, ev, &sms);
	char call[BINDER_NAME_BYTES + 32];
	struct sms_send s = {
		.hdr = &ev->hdr,
		.taint_mask = ev->taint_mask,
		.taint_ns = ev->taint_ns,
		.number = sms.to,
		.text = sms.text,
		.len = sms.text_len,
		.layer = "binder",
		.call = call,
		.flags = ev->flags,
		.rule = ev->rule,
		.hook = ev->hook,
	};

	if (!e) {
		/* arguments that do not fit the policy's layout: every string is searched */
		s.number = "unknown";
		s.len = parcel_text_runs(ev->data, ev->len, sms.text, sizeof(sms.text));
	}
	snprintf(call, sizeof(call), "%s#%u", e ? e->interface : "binder", ev->code);
	detect_sms(&a->det, &s);
}

struct netlink_learning {
	struct agent *a;
	struct proc *p;
	uint64_t mask;
};

static void learn_netlink_address(void *ctx, const char *mac, enum netlink_addr_kind kind,
				  const char *owner)
{
	struct netlink_learning *l = ctx;
	char origin[96];

	snprintf(origin, sizeof(origin), "%s %s%s",
		 kind == NETLINK_NEIGH ? "RTM_NEWNEIGH" : "RTM_NEWLINK", owner,
		 kind == NETLINK_LINK_PERM ? " (permanent)" : "");
	learn_value(l->a, l->p, l->mask, "netlink", origin, (const uint8_t *)mac, strlen(mac));
}

/* A process read an rtnetlink reply listing links or neighbours: it holds their addresses. */
static void on_netlink_reply(struct agent *a, const struct send_event *ev)
{
	struct netlink_learning l = { .a = a, .mask = ev->taint_mask };

	l.p = proctable_of_event(&a->procs, &ev->hdr);
	if (l.p)
		flow_direct_read(l.p, ev->taint_mask, ev->hdr.ts_ns);
	/* no open of a watched file announced it: follow the process from now on */
	if (a->gate.mode == HOOKS_ON_DEMAND && !hook_gate_active(&a->gate))
		hook_gate_wake(&a->gate);
	netlink_addresses(ev->sample, ev->sample_len, learn_netlink_address, &l);
}

/* A tainted process forked. A spawner's (zygote's) children start holding nothing of what it
 * held: its taint still makes their sends sampled, but only a value seen in them is reported. */
static void on_fork(struct agent *a, const struct event_header *hdr, uint32_t child_tgid)
{
	struct proc *parent, *child;

	proctable_fork(&a->procs, hdr->tgid, child_tgid);
	parent = proctable_find(&a->procs, hdr->tgid);
	if (!parent || !policy_is_spawner(&a->policy, parent->exe, hdr->comm))
		return;
	child = proctable_find(&a->procs, child_tgid);
	if (!child)
		return;
	child->held_mask = 0;
	child->derived_mask = 0;
	child->noise_mask = ~0ULL;
	free(child->lineage);
	child->lineage = NULL;
}

/* The path of FILE_PATH_PARTS components, leaf first, as the kernel wrote them; 0 when there
 * are none. */
static int path_of_parts(const uint8_t *parts, char *out, size_t size)
{
	char part[EXE_PART_BYTES];
	int i, n = 0;
	size_t at = 0;

	while (n < FILE_PATH_PARTS && parts[n * EXE_PART_BYTES])
		n++;
	out[0] = 0;
	for (i = n - 1; i >= 0; i--) {
		memcpy(part, parts + i * EXE_PART_BYTES, EXE_PART_BYTES);
		part[EXE_PART_BYTES - 1] = 0;
		at += snprintf(out + at, at < size ? size - at : 0, "/%s", part);
	}
	return n > 0 && at < size;
}

/* A holder wrote into a regular file: when a form of a value it holds is in what it wrote, the
 * file becomes an identifier file for that identifier (derived.h), announced by a record. */
static void on_file_write(struct agent *a, const struct send_event *ev)
{
	struct value_hit hits[16];
	char link[64], path[PATH_MAX];
	uint64_t dev, ino, mask = 0;
	struct json j;
	ssize_t len;
	int n, k, r;

	if (ev->sample_len <= FILE_PATH_BYTES)
		return;
	n = values_scan(&a->values, ev->sample + FILE_PATH_BYTES, ev->sample_len - FILE_PATH_BYTES,
			ev->taint_mask, hits, 16);
	for (k = 0; k < n; k++)
		mask |= 1ULL << hits[k].value->bit;
	if (!mask)
		return;
	memcpy(&dev, ev->daddr, 8);
	memcpy(&ino, ev->daddr + 8, 8);
	/* the writer's fd names it best; else the path the kernel put before the data */
	snprintf(link, sizeof(link), "/proc/%u/fd/%u", ev->hdr.tgid, ev->fd);
	len = readlink(link, path, sizeof(path) - 1);
	if (len > 0) {
		path[len] = 0;
	} else if (!path_of_parts(ev->sample, path, sizeof(path))) {
		snprintf(path, sizeof(path), "inode %llu", (unsigned long long)ino);
	}
	r = derived_add(&a->derived, dev, ino, mask, path, ev->hdr.tgid, ev->hdr.ts_ns);
	if (r == -ENOSPC && a->derived.refused == 1)
		fprintf(stderr, "idsentry: more than %d files hold identifiers written by their "
				"holders: later ones are not followed\n", DERIVED_MAX_FILES);
	if (r <= 0)
		return;
	if (derived_apply(&a->derived, a->loader.skel, &a->watches))
		fprintf(stderr, "idsentry: %s holds an identifier now, but registering it "
				"failed (watched_inodes map full, or out of memory)\n", path);
	hook_gate_mark(&a->gate, &a->watches);
	json_init(&j);
	json_record_begin(&j, "derived_file");
	json_string(&j, "path", path);
	json_uint(&j, "ino", ino);
	identifier_names(a, &j, "identifiers", mask);
	json_object_begin(&j, "writer");
	json_uint(&j, "pid", ev->hdr.tgid);
	json_string(&j, "comm", ev->hdr.comm);
	json_object_end(&j);
	output_write(&a->out, &j);
	json_free(&j);
}

/* Derived files the policy's derived_files.expire let go, said once they are gone. */
struct expired_files {
	struct json *records;
	size_t n;
};

static void derived_expired(void *ctx, const struct derived_file *f)
{
	struct agent *a = ((void **)ctx)[0];
	struct expired_files *ex = ((void **)ctx)[1];
	struct json *grown = realloc(ex->records, (ex->n + 1) * sizeof(*grown));
	struct json *j;

	if (!grown)
		return;
	ex->records = grown;
	j = &ex->records[ex->n++];
	json_init(j);
	json_record_begin(j, "derived_file");
	json_string(j, "path", f->path);
	json_uint(j, "ino", f->ino);
	identifier_names(a, j, "identifiers", f->ident_mask);
	json_string(j, "state", "expired");
	json_int(j, "written_at", f->written_at);
}

static void rescan_watches(struct agent *a);

/* Derived files last written longer ago than the policy's derived_files.expire stop being
 * identifier files: their inodes leave the kernel's map with the registration that follows, and
 * a derived_file record with state "expired" says so once it has. */
static void expire_derived(struct agent *a)
{
	int64_t expire_s = (int64_t)(a->policy.derived_expire_ns / 1000000000ULL);
	struct expired_files ex = {};
	void *ctx[2] = { a, &ex };
	size_t i;

	if (!expire_s || !derived_expire(&a->derived, time(NULL), expire_s, derived_expired, ctx))
		return;
	rescan_watches(a);
	for (i = 0; i < ex.n; i++) {
		output_write(&a->out, &ex.records[i]);
		json_free(&ex.records[i]);
	}
	free(ex.records);
}

#define STATE_SAVE_SECONDS 60

static struct state_parts state_parts_of(struct agent *a)
{
	struct state_parts s = {
		.policy = &a->policy,
		.values = &a->values,
		.derived = &a->derived,
		.skel = a->loader.skel,
	};

	return s;
}

/* The state of an earlier run (--state-dir): its values, derived files and living holders. */
static void restore_state(struct agent *a)
{
	struct state_parts s = state_parts_of(a);
	struct state_counts c;
	struct json j;
	int r;

	if (!a->o->state_dir)
		return;
	r = state_load(a->o->state_dir, &s, &c);
	if (c.derived && derived_apply(&a->derived, a->loader.skel, &a->watches))
		fprintf(stderr, "idsentry: some derived files of the state could not be registered\n");
	if (c.derived)
		hook_gate_mark(&a->gate, &a->watches);
	if (c.taint && a->gate.mode == HOOKS_ON_DEMAND)
		hook_gate_wake(&a->gate);
	json_init(&j);
	json_record_begin(&j, "state");
	json_string(&j, "dir", a->o->state_dir);
	json_string(&j, "status", r > 0 ? "restored" : r == 0 ? "none" : "not-used");
	json_uint(&j, "values", c.values);
	json_uint(&j, "derived_files", c.derived);
	json_uint(&j, "taint", c.taint);
	output_write(&a->out, &j);
	json_free(&j);
}

/* Saves the state (--state-dir) now: at each STATE_SAVE_SECONDS, and as the agent stops. */
static void keep_state(struct agent *a)
{
	struct state_parts s = state_parts_of(a);
	struct state_counts c;

	if (a->o->state_dir)
		state_save(a->o->state_dir, &s, &c);
}

/* The header a process's own event would have: its comm and uid now (for what the agent finds
 * itself, as the processes mapping a holder's memory). */
static int header_of(uint32_t tgid, struct event_header *h)
{
	char path[64], line[256];
	unsigned int uid;
	FILE *f;

	memset(h, 0, sizeof(*h));
	h->tgid = h->tid = tgid;
	snprintf(path, sizeof(path), "/proc/%u/status", tgid);
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "Name:\t", 6))
			snprintf(h->comm, sizeof(h->comm), "%.*s", (int)strcspn(line + 6, "\n"),
				 line + 6);
		else if (sscanf(line, "Uid:\t%u", &uid) == 1)
			h->uid = uid;
	}
	fclose(f);
	return 0;
}

/* A process maps memory a holder shares (shm.h): tainted in the kernel (so its sends are followed
 * and blocking rules hold) and here, with the lineage holder -memory-> it. */
static void taint_memory_sharer(void *ctx, uint32_t tgid, const struct shm_object *o)
{
	struct agent *a = ctx;
	int fd = bpf_map__fd(a->loader.skel->maps.taint);
	struct proc_taint t = {};
	struct flow_event fe = {};
	if (!bpf_map_lookup_elem(fd, &tgid, &t)) {
		if ((t.ident_mask | o->mask) == t.ident_mask)
			return;
		t.ident_mask |= o->mask;
		t.flags |= TAINT_VIA_CHANNEL;
		bpf_map_update_elem(fd, &tgid, &t, BPF_EXIST);
	} else {
		t.ident_mask = o->mask;
		t.last_ns = boot_ns();
		t.flags = TAINT_VIA_CHANNEL;
		if (bpf_map_update_elem(fd, &tgid, &t, BPF_NOEXIST))
			return;
	}
	fe.ident_mask = o->mask;
	fe.taint_ns = t.last_ns;
	fe.channel = (o->dev << 40) ^ o->ino ^ (1ULL << 62);
	fe.kind = CHANNEL_MEMORY;
	/* the writer may be gone already: the agent knew it then */
	if (header_of(o->writer, &fe.hdr)) {
		struct proc *w = proctable_find(&a->procs, o->writer);

		if (!w)
			return;
		fe.hdr.tgid = fe.hdr.tid = o->writer;
		fe.hdr.uid = w->uid;
		snprintf(fe.hdr.comm, sizeof(fe.hdr.comm), "%s", w->comm);
	}
	fe.hdr.type = EVENT_FLOW;
	fe.direction = FLOW_WRITE;
	flow_write(&a->flows, &a->procs, &a->values, &fe);
	if (header_of(tgid, &fe.hdr))
		return;
	fe.hdr.type = EVENT_FLOW;
	fe.direction = FLOW_READ;
	fe.peer_tgid = o->writer;
	flow_read(&a->flows, &a->procs, &fe);
	hook_gate_wake(&a->gate);
}

/* A process the kernel tainted: the memory it shares writable, and who else maps it. */
static void follow_shared_memory(struct agent *a, uint32_t tgid)
{
	struct proc_taint t = {};

	if (bpf_map_lookup_elem(bpf_map__fd(a->loader.skel->maps.taint), &tgid, &t) ||
	    !t.ident_mask)
		return;
	if (shm_note_holder(&a->shm, tgid, t.ident_mask) > 0)
		shm_find_mappers(&a->shm, getpid(), taint_memory_sharer, a);
}

/* A send to judge, with its destination (tlspair_feed calls it). */
static void judge_send(void *ctx, const struct send_event *ev)
{
	detect_send(ctx, ev);
}

/* A send whole (longsend_feed calls it): memory-BIO plaintext waits for its socket first. */
static void pair_send(void *ctx, const struct send_event *ev)
{
	tlspair_feed(ctx, ev);
}

static int handle_event(void *ctx, void *data, size_t size)
{
	static union event ev; /* too big for the stack; the loop is single-threaded */
	struct agent *a = ctx;
	int type = event_decode(data, size, &ev);

	if (type < 0) {
		a->malformed++;
		return 0;
	}
	a->events[type]++;
	switch (type) {
	case EVENT_IDENT_READ:
		on_ident_read(a, &ev.read);
		break;
	case EVENT_SEND:
		if (ev.send.flags & SEND_TO_FILE)
			on_file_write(a, &ev.send);
		else
			longsend_feed(&a->longs, &ev.send);
		break;
	case EVENT_PROC_INFO: {
		struct proc *p = proctable_set_info(&a->procs, &ev.info);

		if (p)
			enforce_note_process(&a->enf, &a->policy, p);
		follow_shared_memory(a, ev.hdr.tgid);
		break;
	}
	case EVENT_PROC_EXIT:
		proctable_remove(&a->procs, ev.hdr.tgid);
		enforce_forget_process(&a->enf, ev.hdr.tgid);
		break;
	case EVENT_FLOW:
		if (ev.flow.direction == FLOW_WRITE)
			flow_write(&a->flows, &a->procs, &a->values, &ev.flow);
		else
			flow_read(&a->flows, &a->procs, &ev.flow);
		break;
	case EVENT_PROC_FORK:
		on_fork(a, &ev.hdr, ev.fork.child_tgid);
		break;
	case EVENT_BINDER_TX:
		on_binder_tx(a, &ev.tx);
		break;
	case EVENT_TTY_WRITE:
		modem_on_write(&a->modem, &ev.flow);
		break;
	case EVENT_RECV:
		if (ev.send.call == CALL_NETLINK)
			on_netlink_reply(a, &ev.send);
		else
			detect_learn_hosts(&a->det, &ev.send);
		break;
	}
	return 0;
}

/* Something changed where the policy's files live: register them again (the values learnt stay;
 * the kernel learns the inodes from the agent's own opens, so its openat hook must run). */
static void rescan_watches(struct agent *a)
{
	int n;

	a->dirs.pending = 0;
	a->dirs.rescans++;
	hook_gate_wake(&a->gate);
	n = watch_register(a->loader.skel, &a->policy, &a->values, &a->watches);
	if (n < 0) {
		fprintf(stderr, "idsentry: registering identifier files again failed: %s\n",
			strerror(-n));
		return;
	}
	a->n_watched = n;
	derived_apply(&a->derived, a->loader.skel, &a->watches);
	hook_gate_mark(&a->gate, &a->watches);
}

static void reload(struct agent *a)
{
	struct policy fresh = {};
	struct diag_list d = {};
	int err = load_policy(a->o, &fresh, &d);

	if (err) {
		fprintf(stderr, "idsentry: reload rejected; the previous policy stays in force\n");
		diag_print(&d, stderr);
		write_policy_record(a, "rejected", &d);
		policy_free(&fresh);
		diag_list_free(&d);
		return;
	}
	policy_free(&a->policy);
	a->policy = fresh;
	/* the kernel learns watched inodes from the agent's own opens: its openat hook must run */
	hook_gate_wake(&a->gate);
	err = apply_policy(a);
	if (err)
		fprintf(stderr, "idsentry: applying the new policy failed: %s\n", strerror(-err));
	write_policy_record(a, "applied", &d);
	diag_list_free(&d);
}

static int event_loop(struct agent *a)
{
	struct itimerspec tick = { .it_interval = { 1, 0 }, .it_value = { 1, 0 } };
	int ep = -1, sfd = -1, tfd = -1, ofd = -1, err = 0, stop = 0;
	unsigned long long seconds = 0;
	struct epoll_event ev;
	sigset_t mask;

	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGHUP);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	sfd = signalfd(-1, &mask, SFD_CLOEXEC);
	tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
	ep = epoll_create1(EPOLL_CLOEXEC);
	if (sfd < 0 || tfd < 0 || ep < 0 || timerfd_settime(tfd, 0, &tick, NULL)) {
		err = -errno;
		fprintf(stderr, "idsentry: event loop setup failed: %s\n", strerror(errno));
		goto cleanup;
	}
	ev.events = EPOLLIN;
	ev.data.fd = ring_buffer__epoll_fd(a->rb);
	epoll_ctl(ep, EPOLL_CTL_ADD, ev.data.fd, &ev);
	ev.data.fd = sfd;
	epoll_ctl(ep, EPOLL_CTL_ADD, sfd, &ev);
	ev.data.fd = tfd;
	epoll_ctl(ep, EPOLL_CTL_ADD, tfd, &ev);
	ofd = output_poll_fd(&a->out);
	if (ofd >= 0) {
		ev.data.fd = ofd;
		epoll_ctl(ep, EPOLL_CTL_ADD, ofd, &ev);
	}
	ev.data.fd = a->dirs.inotify_fd;
	if (ev.data.fd >= 0)
		epoll_ctl(ep, EPOLL_CTL_ADD, ev.data.fd, &ev);
	ev.data.fd = a->dirs.link_fd;
	if (ev.data.fd >= 0)
		epoll_ctl(ep, EPOLL_CTL_ADD, ev.data.fd, &ev);

	while (!stop) {
		struct epoll_event got[4];
		/* events come without a wake-up until a backlog builds (emit() in common.bpf.h):
		 * poll for them while someone may produce them; with the syscall hooks detached
		 * only urgent ones come, and those wake the loop */
		int i, n = epoll_wait(ep, got, 4, hook_gate_following(&a->gate) ? EVENT_POLL_MS : -1);

		if (n == 0)
			ring_buffer__consume(a->rb);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err = -errno;
			break;
		}
		for (i = 0; i < n; i++) {
			if (got[i].data.fd == sfd) {
				struct signalfd_siginfo si;

				if (read(sfd, &si, sizeof(si)) != sizeof(si))
					continue;
				if (si.ssi_signo == SIGHUP)
					reload(a);
				else
					stop = 1;
			} else if (got[i].data.fd == tfd) {
				uint64_t expirations;

				if (read(tfd, &expirations, sizeof(expirations)) < 0)
					continue;
				seconds += expirations;
				ring_buffer__consume(a->rb);
				report_losses(a);
				longsend_tick(&a->longs);
				tlspair_tick(&a->tls_pairs, boot_ns());
				if (seconds % SHM_RESCAN_SECONDS == 0 && a->shm.n_holders)
					shm_rescan(&a->shm, getpid(), taint_memory_sharer, a);
				aggregate_flush(&a->agg, &a->out, monotonic_ns(), 0);
				hook_gate_tick(&a->gate);
				/* at most once a second, however many changes came */
				if (a->dirs.pending)
					rescan_watches(a);
				/* libraries of processes started since the last look */
				if (seconds % TLS_RESCAN_SECONDS == 0)
					tls_probes_scan(&a->tls, NULL, 0);
				if (a->o->stats_interval && seconds % a->o->stats_interval == 0)
					write_stats(a);
				if (seconds % (a->o->stats_interval ? a->o->stats_interval
								: DEFAULT_METRICS_INTERVAL_S) == 0)
					write_metrics(a);
				if (seconds % STATE_SAVE_SECONDS == 0)
					keep_state(a);
				expire_derived(a);
			} else if (got[i].data.fd == ofd) {
				output_service(&a->out);
			} else if (got[i].data.fd == a->dirs.inotify_fd ||
				   got[i].data.fd == a->dirs.link_fd) {
				dirwatch_service(&a->dirs, got[i].data.fd);
			} else {
				ring_buffer__consume(a->rb);
			}
		}
	}
	/* drain what the kernel already produced before detaching */
	ring_buffer__consume(a->rb);
	longsend_flush(&a->longs);
	tlspair_tick(&a->tls_pairs, UINT64_MAX);
	tlspair_free(&a->tls_pairs);
	report_losses(a);
	aggregate_flush(&a->agg, &a->out, monotonic_ns(), 1);
	/* the counters as they end, for whoever asked for them periodically */
	if (a->o->stats_interval)
		write_stats(a);
	write_metrics(a);
cleanup:
	if (ep >= 0)
		close(ep);
	if (sfd >= 0)
		close(sfd);
	if (tfd >= 0)
		close(tfd);
	return err;
}

int agent_run(const struct agent_opts *o)
{
	struct loader_opts lo = { .sample_bytes = o->sample_bytes, .verbose = o->verbose };
	struct agent *a = calloc(1, sizeof(*a));
	struct diag_list d = {};
	int err, gate_ready = 0;

	if (!a)
		return 1;
	a->o = o;
	a->loader.cgroup_fd = -1;
	a->dirs.inotify_fd = a->dirs.link_fd = -1;
	clock_gettime(CLOCK_MONOTONIC, &a->started);
	err = load_policy(o, &a->policy, &d);
	/* errors stop it; warnings are said once */
	diag_print(&d, stderr);
	if (err)
		goto cleanup;
	err = output_open(&a->out, &o->output);
	if (!err)
		output_set_status_fn(&a->out, write_status_members, a);
	if (!err && o->metrics_path)
		err = metrics_open(&a->metrics, o->metrics_path);
	if (err)
		goto cleanup;
	a->det.values = &a->values;
	a->det.procs = &a->procs;
	tlspair_init(&a->tls_pairs, judge_send, &a->det);
	longsend_init(&a->longs, pair_send, &a->tls_pairs);
	shm_tracker_init(&a->shm, NULL);
	a->det.hosts = &a->hosts;
	a->det.enf = &a->enf;
	a->enf.enforce_mode = o->enforce;
	a->det.sink.out = &a->out;
	a->det.sink.policy = &a->policy;
	a->det.sink.show_values = o->show_values;
	a->det.sink.agg = &a->agg;
	/* on Android, alerts name the app behind a uid */
	if (!android_packages_init(&a->packages, NULL)) {
		a->det.sink.packages = &a->packages;
		a->enf.packages = &a->packages;
	}
	dirwatch_init(&a->dirs);
	err = loader_start(&a->loader, &lo);
	if (err)
		goto cleanup;
	hook_gate_init(&a->gate, &a->loader, o->hooks_always ? HOOKS_ALWAYS : HOOKS_ON_DEMAND,
		       o->hooks_idle_s);
	gate_ready = 1;
	if (o->no_fanotify)
		hook_gate_without_fanotify(&a->gate);
	a->rb = ring_buffer__new(bpf_map__fd(a->loader.skel->maps.events), handle_event, a, NULL);
	if (!a->rb) {
		err = -errno;
		fprintf(stderr, "idsentry: failed to create the ring buffer reader: %s\n",
			strerror(errno));
		goto cleanup;
	}
	a->enf.skel = a->loader.skel;
	a->props.skel = a->loader.skel;
	a->modem.values = &a->values;
	a->modem.policy = &a->policy;
	a->modem.watches = &a->watches;
	a->modem.det = &a->det;
	err = apply_policy(a);
	if (err) {
		fprintf(stderr, "idsentry: registering identifier files failed: %s\n",
			strerror(-err));
		goto cleanup;
	}
	a->tls.skel = a->loader.skel;
	tls_probes_scan(&a->tls, NULL, 0);
	note_tls_probes(a);
	restore_state(a);
	hook_gate_start(&a->gate);
	write_ready(a);
	write_metrics(a);
	err = event_loop(a);
	keep_state(a);
cleanup:
	ring_buffer__free(a->rb);
	tls_probes_free(&a->tls);
	props_free(&a->props);
	binder_table_free(&a->binder);
	dirwatch_free(&a->dirs);
	if (gate_ready)
		hook_gate_stop(&a->gate);
	loader_stop(&a->loader);
	output_close(&a->out);
	metrics_close(&a->metrics);
	values_clear(&a->values);
	watch_set_free(&a->watches);
	derived_free(&a->derived);
	proctable_clear(&a->procs);
	flow_table_clear(&a->flows);
	android_packages_free(&a->packages);
	aggregate_free(&a->agg);
	policy_free(&a->policy);
	diag_list_free(&d);
	free(a);
	return err != 0;
}
