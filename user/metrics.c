// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* metrics: the agent's counters as a Prometheus text exposition file (--metrics-file). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "alert.h"
#include "detect.h"
#include "metrics.h"
#include "policy.h"

void prom_escape_label(struct strbuf *out, const char *value)
{
	const char *p;

	for (p = value ? value : ""; *p; p++) {
		if (*p == '\\')
			sb_puts(out, "\\\\");
		else if (*p == '"')
			sb_puts(out, "\\\"");
		else if (*p == '\n')
			sb_puts(out, "\\n");
		else
			sb_add(out, p, 1);
	}
}

void prom_family(struct strbuf *out, const char *name, const char *type, const char *help)
{
	const char *p;

	sb_printf(out, "# HELP %s ", name);
	/* HELP text escapes only backslash and newline (a quote stands for itself) */
	for (p = help; *p; p++) {
		if (*p == '\\')
			sb_puts(out, "\\\\");
		else if (*p == '\n')
			sb_puts(out, "\\n");
		else
			sb_add(out, p, 1);
	}
	sb_printf(out, "\n# TYPE %s %s\n", name, type);
}

void prom_sample(struct strbuf *out, const char *name, const struct prom_label *labels,
		 size_t n_labels, unsigned long long value)
{
	size_t i;

	sb_puts(out, name);
	for (i = 0; i < n_labels; i++) {
		sb_printf(out, "%s%s=\"", i ? "," : "{", labels[i].name);
		prom_escape_label(out, labels[i].value);
		sb_puts(out, "\"");
	}
	sb_printf(out, "%s %llu\n", n_labels ? "}" : "", value);
}

/* A family of one unlabelled sample. */
static void single(struct strbuf *out, const char *name, const char *type, const char *help,
		   unsigned long long value)
{
	prom_family(out, name, type, help);
	prom_sample(out, name, NULL, 0, value);
}

/* enum event_type, named as in the stats record's "events" */
static const char *const event_names[] = {
	[EVENT_IDENT_READ] = "ident_read", [EVENT_SEND] = "send",
	[EVENT_PROC_INFO] = "proc_info",   [EVENT_PROC_EXIT] = "proc_exit",
	[EVENT_FLOW] = "flow",             [EVENT_RECV] = "recv",
	[EVENT_PROC_FORK] = "proc_fork",   [EVENT_TTY_WRITE] = "tty_write",
	[EVENT_BINDER_TX] = "binder_tx",
};

static void alerts_family(struct strbuf *out, const struct metrics_view *v)
{
	size_t r, n = v->policy ? v->policy->n_rules : 0;
	int c, k;

	prom_family(out, "idsentry_alerts_total", "counter",
		    "Alerts raised, folded repeats included, by rule, confidence and what was done "
		    "(reset when a reload applies a new policy).");
	for (r = 0; r < n && r < MAX_RULE_COUNTERS && v->det; r++) {
		/* every combination, zeros too, so that rate() sees the first alert */
		for (c = 1; c >= 0; c--) {
			for (k = 0; k < OUTCOME__COUNT; k++) {
				struct prom_label l[] = {
					{ "rule", v->policy->rules[r].name },
					{ "confidence", c ? "confirmed" : "suspected" },
					{ "action", alert_outcome_name(k) },
				};

				prom_sample(out, "idsentry_alerts_total", l, 3,
					    v->det->rules[r].by[c][k]);
			}
		}
	}
	single(out, "idsentry_alert_records_total", "counter",
	       "Alert records written (a flood of one alert is written once, then as a count).",
	       v->alert_records);
	single(out, "idsentry_alerts_folded_total", "counter",
	       "Alerts folded into an earlier record's count instead of written.", v->alerts_folded);
}

static void lost_family(struct strbuf *out, const struct metrics_view *v)
{
	struct prom_label l[2];
	int k;

	prom_family(out, "idsentry_lost_total", "counter",
		    "Events or records dropped, by where (kernel, agent, socket, syslog) and cause, "
		    "as the lost records report them.");
	for (k = 0; k < STAT__COUNT; k++) {
		if (!v->kernel_is_loss[k] || !v->kernel_cause[k])
			continue;
		l[0] = (struct prom_label){ "where", "kernel" };
		l[1] = (struct prom_label){ "cause", v->kernel_cause[k] };
		prom_sample(out, "idsentry_lost_total", l, 2, v->kernel[k]);
	}
	l[0] = (struct prom_label){ "where", "agent" };
	l[1] = (struct prom_label){ "cause", "malformed_event" };
	prom_sample(out, "idsentry_lost_total", l, 2, v->malformed);
	l[0] = (struct prom_label){ "where", "socket" };
	l[1] = (struct prom_label){ "cause", "subscriber_backlog_full" };
	prom_sample(out, "idsentry_lost_total", l, 2, v->socket_dropped);
	l[0] = (struct prom_label){ "where", "syslog" };
	l[1] = (struct prom_label){ "cause", "syslog_unavailable" };
	prom_sample(out, "idsentry_lost_total", l, 2, v->syslog_dropped);

	prom_family(out, "idsentry_kernel_notes_total", "counter",
		    "Kernel-side counters that are not losses (a payload longer than its sample, "
		    "Binder transactions without an interface token), by cause.");
	for (k = 0; k < STAT__COUNT; k++) {
		if (v->kernel_is_loss[k] || !v->kernel_cause[k])
			continue;
		l[0] = (struct prom_label){ "cause", v->kernel_cause[k] };
		prom_sample(out, "idsentry_kernel_notes_total", l, 1, v->kernel[k]);
	}
}

static void hooks_family(struct strbuf *out, const struct metrics_view *v)
{
	struct prom_label l[1];

	prom_family(out, "idsentry_probes", "gauge",
		    "BPF programs of the agent, by state (attached, or skipped: missing in this kernel "
		    "or not wanted by the policy), as the ready record lists them.");
	l[0] = (struct prom_label){ "state", "attached" };
	prom_sample(out, "idsentry_probes", l, 1, v->probes_attached);
	l[0] = (struct prom_label){ "state", "skipped" };
	prom_sample(out, "idsentry_probes", l, 1, v->probes_skipped);
	prom_family(out, "idsentry_hooks_attached", "gauge",
		    "Whether a group of on-demand hooks is attached now (1) or not (0): the syscall "
		    "hooks, the ioctl tracepoints, the socket-layer tracepoints.");
	l[0] = (struct prom_label){ "hooks", "syscalls" };
	prom_sample(out, "idsentry_hooks_attached", l, 1, v->syscall_hooks);
	l[0] = (struct prom_label){ "hooks", "ioctl" };
	prom_sample(out, "idsentry_hooks_attached", l, 1, v->ioctl_hooks);
	l[0] = (struct prom_label){ "hooks", "socket_layer" };
	prom_sample(out, "idsentry_hooks_attached", l, 1, v->socket_layer_hooks);
	single(out, "idsentry_hook_wakes_total", "counter",
	       "Times something woke the on-demand syscall hooks (an open of a watched file...).",
	       v->hook_wakes);
	single(out, "idsentry_hook_attaches_total", "counter",
	       "Times the on-demand syscall hooks were attached.", v->hook_attaches);
	single(out, "idsentry_hook_detaches_total", "counter",
	       "Times the on-demand syscall hooks were detached.", v->hook_detaches);
}

void metrics_format(struct strbuf *out, const struct metrics_view *v)
{
	struct prom_label l[1];
	size_t t;

	sb_reset(out);
	prom_family(out, "idsentry_build_info", "gauge", "The agent's version, as a label.");
	l[0] = (struct prom_label){ "version", v->version };
	prom_sample(out, "idsentry_build_info", l, 1, 1);
	alerts_family(out, v);
	prom_family(out, "idsentry_events_total", "counter",
		    "Events the kernel side delivered to the agent, by type.");
	for (t = 0; t < sizeof(event_names) / sizeof(event_names[0]); t++) {
		if (!event_names[t])
			continue;
		l[0] = (struct prom_label){ "type", event_names[t] };
		prom_sample(out, "idsentry_events_total", l, 1, t < v->n_events ? v->events[t] : 0);
	}
	lost_family(out, v);
	hooks_family(out, v);
	single(out, "idsentry_taint_table_entries", "gauge",
	       "Entries in the kernel's taint table: processes that opened or read an identifier.",
	       v->taint_entries);
	single(out, "idsentry_known_values", "gauge",
	       "Identifier values the agent has learnt and matches in outbound data.",
	       v->known_values);
	single(out, "idsentry_values_replaced_total", "counter",
	       "Learnt values that a newer value of the same source took the place of.",
	       v->values_replaced);
	single(out, "idsentry_processes", "gauge",
	       "Processes the agent follows (they hold or held an identifier).", v->processes);
	single(out, "idsentry_watched_files", "gauge",
	       "Identifier files registered in the kernel by inode.",
	       v->watched_files > 0 ? (unsigned long long)v->watched_files : 0);
}

int metrics_open(struct metrics_file *m, const char *path)
{
	memset(m, 0, sizeof(*m));
	sb_init(&m->text);
	m->path = strdup(path);
	/* beside the file, so that rename() replaces it; not *.prom, so the collector skips it */
	m->tmp = malloc(strlen(path) + sizeof(".tmp"));
	if (m->tmp)
		sprintf(m->tmp, "%s.tmp", path);
	if (!m->path || !m->tmp) {
		metrics_close(m);
		return -ENOMEM;
	}
	return 0;
}

static int write_all(int fd, const char *s, size_t len)
{
	while (len) {
		ssize_t n = write(fd, s, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		s += n;
		len -= n;
	}
	return 0;
}

int metrics_write(struct metrics_file *m, const struct metrics_view *v)
{
	int fd, err;

	metrics_format(&m->text, v);
	if (m->text.failed) {
		err = -ENOMEM;
		goto failed;
	}
	fd = open(m->tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (fd < 0) {
		err = -errno;
		goto failed;
	}
	err = write_all(fd, m->text.s, m->text.len);
	if (close(fd) && !err)
		err = -errno;
	if (!err && rename(m->tmp, m->path))
		err = -errno;
	if (err) {
		unlink(m->tmp);
		goto failed;
	}
	m->writes++;
	if (m->failing)
		fprintf(stderr, "idsentry: writing the metrics file '%s' works again\n", m->path);
	m->failing = 0;
	return 0;
failed:
	m->errors++;
	if (!m->failing)
		fprintf(stderr, "idsentry: failed to write the metrics file '%s': %s (retried at "
				"each interval)\n", m->path, strerror(-err));
	m->failing = 1;
	return err;
}

void metrics_close(struct metrics_file *m)
{
	free(m->path);
	free(m->tmp);
	sb_free(&m->text);
	memset(m, 0, sizeof(*m));
}
