/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* agent: the `run` command's event loop: ring buffer, signals, reloads and periodic reports. */
#ifndef IDSENTRY_AGENT_H
#define IDSENTRY_AGENT_H

#include <stddef.h>
#include <stdint.h>
#include "output.h"

#define IDSENTRY_VERSION "0.1.0"

struct agent_opts {
	char **policy_files;
	size_t n_policy_files;
	struct output_opts output;
	int enforce;             /* --mode enforce (default) vs alert */
	int show_values;
	int verbose;
	uint32_t sample_bytes;
	unsigned int stats_interval; /* seconds; 0: no stats records */
	int hooks_always;        /* --hooks always: syscall hooks never detached */
	unsigned int hooks_idle_s; /* --hooks-idle */
	int no_fanotify;         /* --no-fanotify: as on a kernel without permission events */
	const char *state_dir;   /* --state-dir: values, derived files and taint across restarts */
	const char *metrics_path; /* --metrics-file: Prometheus text, every stats interval */
};

#define DEFAULT_HOOKS_IDLE_S 10
/* how often the metrics file is written when no --stats-interval is given */
#define DEFAULT_METRICS_INTERVAL_S 15

/* Runs until SIGINT/SIGTERM. Returns 0 on a clean stop, nonzero on a start-up failure. */
int agent_run(const struct agent_opts *o);

#endif
