/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* agent_records: the records that describe the running agent: ready, policy, lost, stats,
 * status, state and the metrics file, each built from its parts' *_describe(). */
#ifndef IDSENTRY_AGENT_RECORDS_H
#define IDSENTRY_AGENT_RECORDS_H

struct agent;
struct diag_list;
struct json;
struct state_counts;
struct derived_file;

/* The uprobe programs are attached per library (tls.c, props.c): their status in the probe
 * list is that of the libraries found. */
void records_note_uprobes(struct agent *a);
/* 'ready': version, policy files, mode, probes attached and skipped, gate, counts. */
void records_ready(struct agent *a);
/* 'policy': a reload applied or rejected, with the errors and warnings. */
void records_policy(struct agent *a, const char *status, const struct diag_list *d);
/* 'lost' records for what the kernel counted lost since the last call, and malformed events. */
void records_losses(struct agent *a);
/* 'stats': the counters, program runs and the gate. */
void records_stats(struct agent *a);
/* The metrics file (--metrics-file), when asked for. */
void records_metrics(struct agent *a);
/* The members of a 'status' record (output_status_fn; ctx is the agent). */
void records_status_members(void *ctx, struct json *j);
/* 'state': what --state-dir gave back at start (r > 0 restored, 0 none, < 0 not used). */
void records_state(struct agent *a, int r, const struct state_counts *c);
/* 'derived_file' with state "expired". */
void records_derived_expired(struct agent *a, const struct derived_file *f);

#endif
