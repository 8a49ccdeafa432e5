/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* metrics: the agent's counters as a Prometheus text exposition file (--metrics-file). */
#ifndef IDSENTRY_METRICS_H
#define IDSENTRY_METRICS_H

#include <stddef.h>
#include <stdint.h>
#include "idsentry.h"
#include "strbuf.h"

struct policy;
struct detector;

/* What the agent counted, as the stats record has it; plain data and pointers, no libbpf. */
struct metrics_view {
	const char *version;
	const struct policy *policy;  /* rule names, by the detector's rule index */
	const struct detector *det;   /* alerts by rule, confidence and action */
	unsigned long long alert_records, alerts_folded;
	const unsigned long long *events; /* by enum event_type */
	size_t n_events;
	uint64_t kernel[STAT__COUNT];     /* the kernel's counters, by enum stat_cause */
	const char *kernel_cause[STAT__COUNT];
	int kernel_is_loss[STAT__COUNT];
	unsigned long long malformed;      /* events the agent could not decode */
	unsigned long long socket_dropped; /* records slow subscribers missed */
	unsigned long long syslog_dropped; /* records the syslog daemon did not take */
	size_t probes_attached, probes_skipped;
	int syscall_hooks, ioctl_hooks, socket_layer_hooks; /* attached now: 0 or 1 */
	unsigned long long hook_wakes, hook_attaches, hook_detaches;
	unsigned long taint_entries;
	unsigned long long known_values, values_replaced;
	unsigned long long processes;
	long watched_files;
};

struct metrics_file {
	char *path, *tmp;
	struct strbuf text;
	unsigned long long writes, errors;
	int failing; /* the last write failed (said once on stderr, until one succeeds) */
};

/* One label of a sample. */
struct prom_label {
	const char *name, *value;
};

/* A label value as the text format wants it: backslash, double quote and newline escaped. */
void prom_escape_label(struct strbuf *out, const char *value);
/* The "# HELP" (backslash and newline escaped) and "# TYPE" lines of a metric family. */
void prom_family(struct strbuf *out, const char *name, const char *type, const char *help);
/* One sample line: name{labels} value. */
void prom_sample(struct strbuf *out, const char *name, const struct prom_label *labels,
		 size_t n_labels, unsigned long long value);
/* The whole exposition of v. */
void metrics_format(struct strbuf *out, const struct metrics_view *v);

/* Remembers path (and the temporary file beside it). Returns 0 or -errno. */
int metrics_open(struct metrics_file *m, const char *path);
/* Writes v to the temporary file and renames it over the path (node_exporter's textfile
 * collector reads whole files, never a half-written one). Returns 0 or -errno; a failure is
 * said on stderr once until a write succeeds again. */
int metrics_write(struct metrics_file *m, const struct metrics_view *v);
void metrics_close(struct metrics_file *m);

#endif
