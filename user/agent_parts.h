/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* agent_parts: the pieces a running agent holds, shared by agent.c (start-up, loop, reload) and
 * agent_records.c (the records that describe it). */
#ifndef IDSENTRY_AGENT_PARTS_H
#define IDSENTRY_AGENT_PARTS_H

#include <time.h>
#include "idsentry.h"
#include "agent.h"
#include "android.h"
#include "dirwatch.h"
#include "enforce.h"
#include "event_reader.h"
#include "hook_gate.h"
#include "loader.h"
#include "metrics.h"
#include "output.h"
#include "pipeline.h"
#include "policy.h"
#include "props.h"
#include "tls.h"
#include "watch.h"

struct agent {
	const struct agent_opts *o;
	struct loader loader;
	struct hook_gate gate;
	struct policy policy;
	struct watch_set watches;
	struct pipeline pl;
	struct tls_probes tls;
	struct prop_probes props;
	struct dirwatch dirs;
	struct enforcer enf;
	struct android_packages packages;
	struct output out;
	struct metrics_file metrics; /* --metrics-file */
	struct event_reader reader;
	int n_watched;
	uint64_t kernel_stats[STAT__COUNT]; /* totals already reported */
	unsigned long long malformed_reported;
	struct timespec started;
};

#endif
