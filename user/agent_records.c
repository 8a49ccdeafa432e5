// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* agent_records: the records that describe the running agent: ready, policy, lost, stats,
 * status, state and the metrics file, each built from its parts' *_describe(). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <openssl/evp.h>
#include "agent_parts.h"
#include "agent_records.h"
#include "diag.h"
#include "json.h"
#include "kernel_maps.h"
#include "state.h"

#define MAX_TAINTED_PROCS_REPORTED 1000000

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
	/* a process reading the same bytes of an identifier file again and again: told once a second */
	[STAT_READ_REPEATS] = { "ident_read_repeats", 0 },
};

/* The uprobe programs are attached per library by tls.c: their status is that of the libraries. */
void records_note_uprobes(struct agent *a)
{
	size_t i;

	for (i = 0; i < a->loader.n_probes; i++) {
		struct probe_status *p = &a->loader.probes[i];

		if (strncmp(p->hook, "uprobe", 6) && strncmp(p->hook, "uretprobe", 9))
			continue;
		if (!strncmp(p->name, "handle_prop", 11)) {
			p->attached = a->props.libs.n_links > 0;
			if (!p->attached)
				snprintf(p->reason, sizeof(p->reason), "%s",
					 a->props.n_props ? "no library with bionic's property "
							    "getters found (property_libraries)"
							  : "no identifier lists properties");
			continue;
		}
		if (!strcmp(p->name, "handle_go_tls_write")) {
			/* attached per Go executable, as they are found (gotls.h) */
			p->attached = 1;
			continue;
		}
		p->attached = a->tls.libs.n_links > 0;
		if (!p->attached)
			snprintf(p->reason, sizeof(p->reason),
				 "no OpenSSL/BoringSSL library found yet: TLS payloads are seen "
				 "encrypted (rescanned every %d s)", TLS_RESCAN_SECONDS);
	}
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
	tls_probes_describe(&a->tls, j);
	uprobe_libs_describe(&a->props.libs, "property_libraries", j);
	enforce_describe(&a->enf, &a->loader, j);
	hook_gate_describe(&a->gate, j);
}

static void policy_files_member(struct agent *a, struct json *j, const char *key)
{
	size_t i;

	json_array_begin(j, key);
	for (i = 0; i < a->o->n_policy_files; i++)
		json_string(j, NULL, a->o->policy_files[i]);
	json_array_end(j);
}

void records_ready(struct agent *a)
{
	struct json j;

	json_init(&j);
	json_record_begin(&j, "ready");
	json_string(&j, "version", IDSENTRY_VERSION);
	policy_files_member(a, &j, "policy");
	json_string(&j, "mode", a->o->enforce ? "enforce" : "alert");
	probes_members(a, &j);
	json_uint(&j, "watched_files", a->n_watched);
	json_uint(&j, "known_values", a->pl.values.n);
	output_write(&a->out, &j);
	json_free(&j);
}

void records_policy(struct agent *a, const char *status, const struct diag_list *d)
{
	struct json j;
	size_t i;

	json_init(&j);
	json_record_begin(&j, "policy");
	json_string(&j, "status", status);
	policy_files_member(a, &j, "files");
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

void records_losses(struct agent *a)
{
	uint64_t totals[STAT__COUNT];
	int k;

	if (!kernel_stats_read(&a->loader, totals)) {
		for (k = 0; k < STAT__COUNT; k++) {
			if (stat_causes[k].is_loss && totals[k] > a->kernel_stats[k])
				write_lost(a, totals[k] - a->kernel_stats[k], "kernel",
					   stat_causes[k].name);
			a->kernel_stats[k] = totals[k];
		}
	}
	if (a->pl.malformed > a->malformed_reported) {
		write_lost(a, a->pl.malformed - a->malformed_reported, "agent", "malformed_event");
		a->malformed_reported = a->pl.malformed;
	}
}

/* Counters shared by stats and status records. */
static void counters_members(struct agent *a, struct json *j)
{
	int k;

	pipeline_describe(&a->pl, j);
	json_object_begin(j, "kernel");
	for (k = 0; k < STAT__COUNT; k++)
		json_uint(j, stat_causes[k].name, a->kernel_stats[k]);
	json_object_end(j);
	json_uint(j, "watch_rescans", a->dirs.rescans);
}

void records_stats(struct agent *a)
{
	struct json j;

	json_init(&j);
	json_record_begin(&j, "stats");
	counters_members(a, &j);
	kernel_program_runs_member(&a->loader, &j);
	hook_gate_describe(&a->gate, &j);
	event_reader_describe(&a->reader, &j);
	output_write(&a->out, &j);
	json_free(&j);
}

/* The stats counters as a Prometheus text file (metrics.h), when --metrics-file asks. */
void records_metrics(struct agent *a)
{
	struct metrics_view v = {
		.version = IDSENTRY_VERSION,
		.policy = &a->policy,
		.det = &a->pl.det,
		.alert_records = a->pl.agg.written,
		.alerts_folded = a->pl.agg.folded,
		.events = a->pl.events,
		.n_events = sizeof(a->pl.events) / sizeof(a->pl.events[0]),
		.malformed = a->pl.malformed,
		.socket_dropped = a->out.has_sock ? a->out.sock.dropped_total : 0,
		.syslog_dropped = a->out.has_syslog ? a->out.sys.dropped : 0,
		.syscall_hooks = hook_gate_active(&a->gate),
		.ioctl_hooks = a->loader.ioctl_attached,
		.socket_layer_hooks = a->loader.holder_attached,
		.hook_wakes = a->gate.wakes,
		.hook_attaches = a->gate.attaches,
		.hook_detaches = a->gate.detaches,
		.known_values = a->pl.values.n,
		.values_replaced = a->pl.values.replaced,
		.processes = a->pl.procs.count,
		.watched_files = a->n_watched,
	};
	size_t i;

	if (!a->o->metrics_path)
		return;
	v.taint_entries = kernel_taint_entries(&a->loader, MAX_TAINTED_PROCS_REPORTED);
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

/* The members of a 'status' record: what is attached, what is enforced, counters, policy. */
void records_status_members(void *ctx, struct json *j)
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
	json_uint(j, "taint_table", kernel_taint_entries(&a->loader, MAX_TAINTED_PROCS_REPORTED));
	json_uint(j, "watched_files", a->n_watched);
	derived_describe(&a->pl.derived, &a->policy, j);
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


/* What an earlier run's state (--state-dir) gave back: r > 0 restored, 0 none, < 0 not used. */
void records_state(struct agent *a, int r, const struct state_counts *c)
{
	struct json j;

	json_init(&j);
	json_record_begin(&j, "state");
	json_string(&j, "dir", a->o->state_dir);
	json_string(&j, "status", r > 0 ? "restored" : r == 0 ? "none" : "not-used");
	json_uint(&j, "values", c->values);
	json_uint(&j, "derived_files", c->derived);
	json_uint(&j, "taint", c->taint);
	output_write(&a->out, &j);
	json_free(&j);
}

/* A derived file the policy's derived_files.expire let go, once its inode has left the kernel. */
void records_derived_expired(struct agent *a, const struct derived_file *f)
{
	struct json j;

	json_init(&j);
	derived_record_begin(&j, &a->policy, f);
	json_string(&j, "state", "expired");
	json_int(&j, "written_at", f->written_at);
	output_write(&a->out, &j);
	json_free(&j);
}
