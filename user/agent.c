// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* agent: the `run` command: start-up (policy, outputs, BPF load and attach), the event loop with
 * its signals and ticks, and reloads. What each event means is the pipeline's (pipeline.h); the
 * records that describe the agent are agent_records.c's. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <time.h>
#include <bpf/libbpf.h>
#include "idsentry.skel.h"
#include "agent_parts.h"
#include "agent_policy.h"
#include "agent_records.h"
#include "diag.h"
#include "gotls.h"
#include "kernel_maps.h"
#include "state.h"

#define STATE_SAVE_SECONDS 60

/* What the pipeline asks of the kernel side (pipeline_kernel), on the agent's maps. */
static int taint_of(void *ctx, uint32_t tgid, struct proc_taint *t)
{
	return kernel_taint_of(&((struct agent *)ctx)->loader, tgid, t);
}

static int set_taint(void *ctx, uint32_t tgid, const struct proc_taint *t, int create)
{
	return kernel_set_taint(&((struct agent *)ctx)->loader, tgid, t, create);
}

static void process_seen(void *ctx, const struct proc *p)
{
	struct agent *a = ctx;

	enforce_note_process(&a->enf, &a->policy, p);
}

static void process_gone(void *ctx, uint32_t tgid)
{
	struct agent *a = ctx;

	enforce_forget_process(&a->enf, tgid);
	gotls_forget_holder(&a->tls, tgid);
}

/* The gate holds an opener of a watched file: its executable, when a Go program with crypto/tls,
 * gets the plaintext probe before the open returns (gotls.h). */
static void probe_opener(void *ctx, int pid)
{
	struct agent *a = ctx;

	gotls_probe_pid(&a->tls, pid);
}

/* A process that just got an identifier (its read) or was first seen tainted, or exec'd while
 * tainted (its PROC_INFO): its executable, when a Go program with crypto/tls, gets the plaintext
 * probe now, as the agent reads the event (the gate held the openers it could; this catches
 * holders by pipes, sockets, ioctls, and opens while the hooks were attached). Once per process
 * image: a holder that reads identifiers in a loop is not looked at again at each read. */
static void probe_new_holder(struct agent *a, const void *data, size_t size)
{
	struct event_header h;

	if (size < sizeof(h))
		return;
	memcpy(&h, data, sizeof(h));
	if (h.type == EVENT_IDENT_READ || h.type == EVENT_PROC_INFO)
		gotls_probe_holder(&a->tls, h.tgid, h.type == EVENT_PROC_INFO);
}

/* Does what the pipeline asked for (enum pipeline_wants). */
static void act_on(struct agent *a, unsigned int wants)
{
	if ((wants & PIPELINE_FOLLOW) && a->gate.mode == HOOKS_ON_DEMAND &&
	    !hook_gate_active(&a->gate))
		hook_gate_wake(&a->gate);
	if (wants & PIPELINE_WAKE)
		hook_gate_wake(&a->gate);
	if (wants & PIPELINE_FILES_CHANGED)
		agent_register_derived(a);
}

static int handle_event(void *ctx, void *data, size_t size)
{
	struct agent *a = ctx;

	probe_new_holder(a, data, size);
	act_on(a, pipeline_feed(&a->pl, data, size));
	return 0;
}

static struct state_parts state_parts_of(struct agent *a)
{
	struct state_parts s = {
		.policy = &a->policy,
		.values = &a->pl.values,
		.derived = &a->pl.derived,
		.skel = a->loader.skel,
	};

	return s;
}

/* The state of an earlier run (--state-dir): its values, derived files and living holders. */
static void restore_state(struct agent *a)
{
	struct state_parts s = state_parts_of(a);
	struct state_counts c;
	int r;

	if (!a->o->state_dir)
		return;
	r = state_load(a->o->state_dir, &s, &c);
	if (c.derived)
		agent_register_derived(a);
	if (c.taint && a->gate.mode == HOOKS_ON_DEMAND)
		hook_gate_wake(&a->gate);
	records_state(a, r, &c);
}

/* Saves the state (--state-dir) now: at each STATE_SAVE_SECONDS, and as the agent stops. */
static void keep_state(struct agent *a)
{
	struct state_parts s = state_parts_of(a);
	struct state_counts c;

	if (a->o->state_dir)
		state_save(a->o->state_dir, &s, &c);
}

/* Once a second, after the ring buffer is read. */
static void every_second(struct agent *a, unsigned long long seconds)
{
	unsigned int interval = a->o->stats_interval;

	records_losses(a);
	act_on(a, pipeline_tick(&a->pl));
	hook_gate_tick(&a->gate);
	/* at most once a second, however many changes came */
	if (a->dirs.pending)
		agent_rescan_watches(a);
	/* libraries of processes started since the last look */
	if (seconds % TLS_RESCAN_SECONDS == 0) {
		tls_probes_scan(&a->tls, NULL, 0);
		/* Go executables of the holders: any the events did not name */
		gotls_probe_holders(&a->tls, bpf_map__fd(a->loader.skel->maps.taint));
	}
	if (interval && seconds % interval == 0)
		records_stats(a);
	if (seconds % (interval ? interval : DEFAULT_METRICS_INTERVAL_S) == 0)
		records_metrics(a);
	if (seconds % STATE_SAVE_SECONDS == 0)
		keep_state(a);
	agent_expire_derived(a);
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
	ev.data.fd = event_reader_fd(&a->reader);
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
		 * poll for them while someone may produce them and they came lately; else wait
		 * to be woken (event_reader.h) */
		int timeout = event_reader_wait_ms(&a->reader, hook_gate_following(&a->gate));
		int i, n = epoll_wait(ep, got, 4, timeout);

		if (n == 0)
			event_reader_consume(&a->reader);
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
					agent_reload(a);
				else
					stop = 1;
			} else if (got[i].data.fd == tfd) {
				uint64_t expirations;

				if (read(tfd, &expirations, sizeof(expirations)) < 0)
					continue;
				seconds += expirations;
				event_reader_consume(&a->reader);
				every_second(a, seconds);
			} else if (got[i].data.fd == ofd) {
				output_service(&a->out);
			} else if (got[i].data.fd == a->dirs.inotify_fd ||
				   got[i].data.fd == a->dirs.link_fd) {
				dirwatch_service(&a->dirs, got[i].data.fd);
			} else {
				event_reader_consume(&a->reader);
			}
		}
	}
	/* drain what the kernel already produced before detaching */
	event_reader_consume(&a->reader);
	pipeline_finish(&a->pl);
	records_losses(a);
	/* the counters as they end, for whoever asked for them periodically */
	if (a->o->stats_interval)
		records_stats(a);
	records_metrics(a);
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
	err = agent_load_policy(o, &a->policy, &d);
	/* errors stop it; warnings are said once */
	diag_print(&d, stderr);
	if (err)
		goto cleanup;
	err = output_open(&a->out, &o->output);
	if (!err)
		output_set_status_fn(&a->out, records_status_members, a);
	if (!err && o->metrics_path)
		err = metrics_open(&a->metrics, o->metrics_path);
	if (err)
		goto cleanup;
	a->enf.enforce_mode = o->enforce;
	/* on Android, alerts name the app behind a uid */
	if (!android_packages_init(&a->packages, NULL))
		a->enf.packages = &a->packages;
	pipeline_init(&a->pl, &(struct pipeline_config){
		.policy = &a->policy,
		.watches = &a->watches,
		.enf = &a->enf,
		.out = &a->out,
		.packages = a->enf.packages,
		.show_values = o->show_values,
		.kernel = { a, taint_of, set_taint, process_seen, process_gone },
	});
	dirwatch_init(&a->dirs);
	err = loader_start(&a->loader, &lo);
	if (err)
		goto cleanup;
	hook_gate_init(&a->gate, &a->loader, o->hooks_always ? HOOKS_ALWAYS : HOOKS_ON_DEMAND,
		       o->hooks_idle_s);
	gate_ready = 1;
	if (o->no_fanotify)
		hook_gate_without_fanotify(&a->gate);
	err = event_reader_open(&a->reader, bpf_map__fd(a->loader.skel->maps.events), handle_event,
				a, &a->loader.skel->bss->consumer_asleep);
	if (err)
		goto cleanup;
	a->enf.skel = a->loader.skel;
	a->props.skel = a->loader.skel;
	err = agent_apply_policy(a);
	if (err) {
		fprintf(stderr, "idsentry: registering identifier files failed: %s\n",
			strerror(-err));
		goto cleanup;
	}
	tls_probes_init(&a->tls, a->loader.skel);
	tls_probes_scan(&a->tls, NULL, 0);
	a->gate.on_opener = probe_opener;
	a->gate.opener_ctx = a;
	records_note_uprobes(a);
	restore_state(a);
	hook_gate_start(&a->gate);
	records_ready(a);
	records_metrics(a);
	err = event_loop(a);
	keep_state(a);
cleanup:
	event_reader_close(&a->reader);
	props_free(&a->props);
	dirwatch_free(&a->dirs);
	if (gate_ready)
		hook_gate_stop(&a->gate);
	/* after the gate's thread, which probes Go executables */
	tls_probes_free(&a->tls);
	loader_stop(&a->loader);
	output_close(&a->out);
	metrics_close(&a->metrics);
	pipeline_free(&a->pl);
	watch_set_free(&a->watches);
	android_packages_free(&a->packages);
	policy_free(&a->policy);
	diag_list_free(&d);
	free(a);
	return err != 0;
}
