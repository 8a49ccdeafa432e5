/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* tail_format: filters records and turns them into one readable line each for `idsentry tail`. */
#ifndef IDSENTRY_TAIL_FORMAT_H
#define IDSENTRY_TAIL_FORMAT_H

#include <stddef.h>
#include "jsonread.h"
#include "strbuf.h"

#define TAIL_MAX_FILTERS 32

enum { SEV_UNKNOWN, SEV_LOW, SEV_MEDIUM, SEV_HIGH, SEV_CRITICAL };

/* Each option may be repeated: values of one option are alternatives; options combine. */
struct tail_filter {
	const char *rules[TAIL_MAX_FILTERS];
	size_t n_rules;
	const char *comms[TAIL_MAX_FILTERS]; /* shell globs */
	size_t n_comms;
	long long pids[TAIL_MAX_FILTERS];
	size_t n_pids;
	const char *idents[TAIL_MAX_FILTERS];
	size_t n_idents;
	int min_severity; /* SEV_*; SEV_UNKNOWN: any */
};

/* SEV_* of low, medium, high or critical; SEV_UNKNOWN otherwise. */
int severity_rank(const char *name);
int tail_filter_active(const struct tail_filter *f);
/* Whether a record is printed: alerts must match every filter given; other records always pass
 * (losses and policy reloads are never hidden). */
int tail_filter_pass(const struct tail_filter *f, const struct jval *rec);
/* One readable line (no newline) for a record: an alert, or a notice for ready, lost, policy and
 * error records. colour: ANSI colours by severity. Returns 0 (and no text) for records that have
 * no readable form (stats, status): --json shows those. */
int tail_format(struct strbuf *out, const struct jval *rec, int colour);
/* Appends text with control and bidirectional-override characters escaped (\xNN, \uNNNN): what
 * a process put in its name or command line must not drive the terminal. NULL appends "?". */
void sb_add_printable(struct strbuf *out, const char *s);
/* "2026-11-23 09:10:29" in local time from an RFC 3339 UTC timestamp; the input when unparsable. */
void format_local_time(struct strbuf *out, const char *rfc3339);

#endif
