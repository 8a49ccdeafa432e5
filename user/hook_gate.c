// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* hook_gate: keeps the per-syscall hooks detached while no process holds an identifier. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <dirent.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/fanotify.h>
#include <sys/inotify.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "idsentry.skel.h"
#include "idsentry.h"
#include "hook_gate.h"
#include "json.h"
#include "loader.h"
#include "watch.h"

/* A wake is followed by the opener's own syscall exit, which records the watched fd: the hooks
 * stay at least this long after any wake, whatever idle_s says. */
#define WAKE_HOLD_NS (2ULL * 1000000000ULL)

static uint64_t clock_ns(clockid_t id)
{
	struct timespec t;

	clock_gettime(id, &t);
	return t.tv_sec * 1000000000ULL + t.tv_nsec;
}

static void fall_back(struct hook_gate *g, const char *fmt, const char *what, int err)
{
	g->mode = HOOKS_ALWAYS;
	snprintf(g->reason, sizeof(g->reason), fmt, what, strerror(err));
}

/* Removes the inotify open marks (the inotify fd stays: the gate thread polls it). */
static void drop_open_marks(struct hook_gate *g)
{
	size_t i;

	for (i = 0; g->wds && i < g->n_wds; i++)
		if (g->wds[i] >= 0)
			inotify_rm_watch(g->ino_fd, g->wds[i]);
	free(g->wds);
	g->wds = NULL;
	g->n_wds = 0;
}

/* Puts an IN_OPEN mark on each watched path, so that inotify's handler (and the kprobe on it)
 * runs for opens of these files only. On failure says which and returns -1. */
static int add_open_marks(struct hook_gate *g)
{
	size_t i;

	drop_open_marks(g);
	g->wds = calloc(g->n_paths ? g->n_paths : 1, sizeof(*g->wds));
	if (!g->wds) {
		snprintf(g->no_inotify, sizeof(g->no_inotify), "out of memory for inotify marks");
		return -1;
	}
	for (i = 0; i < g->n_paths; i++, g->n_wds++) {
		g->wds[i] = inotify_add_watch(g->ino_fd, g->paths[i], IN_OPEN);
		if (g->wds[i] < 0) {
			snprintf(g->no_inotify, sizeof(g->no_inotify), "inotify cannot watch opens "
				 "of %s (%s%s)", g->paths[i], strerror(errno), errno == ENOSPC ?
				 "; raise fs.inotify.max_user_watches" : "");
			drop_open_marks(g);
			return -1;
		}
	}
	return 0;
}

/* Where fanotify cannot gate the hooks, opens of watched files are seen in the kernel as they
 * happen, and the opener is tainted at once, its pipes marked and the agent woken, while the
 * socket layer follows sends. Best: a kprobe on inotify's handler, which runs only for files
 * with an inotify IN_OPEN mark (ours, on each watched file): opens of other files run nothing.
 * Else the open exits, pinned: one program run per open, for every process. Without the socket
 * layer nothing would follow a holder's sends with the hooks away: they stay. why: says what is
 * missing. */
static void gate_by_opens(struct hook_gate *g, const char *why)
{
	struct loader *l = g->l;

	if (why != g->no_fanotify)
		snprintf(g->no_fanotify, sizeof(g->no_fanotify), "%s", why);
	if (!l->sock_layer) {
		snprintf(g->reason, sizeof(g->reason), "%s: syscall hooks stay attached (no "
			 "socket-layer tracepoints to follow sends without them)", why);
		g->mode = HOOKS_ALWAYS;
		return;
	}
	g->mode = HOOKS_ON_DEMAND;
	g->open_gate = 1;
	if (!l->inotify_gate)
		snprintf(g->no_inotify, sizeof(g->no_inotify), "no kprobe on "
			 "inotify_handle_inode_event (see ready.probes)");
	else if (g->ino_fd < 0)
		snprintf(g->no_inotify, sizeof(g->no_inotify), "inotify_init1: %s",
			 strerror(g->ino_errno));
	else if (!add_open_marks(g) && !loader_set_gate_hook(l, 1))
		g->no_inotify[0] = 0;
	else if (!g->no_inotify[0])
		snprintf(g->no_inotify, sizeof(g->no_inotify), "the kprobe on "
			 "inotify_handle_inode_event failed to attach");
	/* pinned too: the agent is woken, but a holder's first sends come before it */
	loader_set_holder_hooks(l, 1);
	if (!g->no_inotify[0]) {
		g->inotify_gate = 1;
		snprintf(g->reason, sizeof(g->reason), "%s: inotify open marks on the watched files "
			 "and a kprobe on inotify's handler are the gate (program runs only for "
			 "opens of watched files)", why);
		loader_pin_open_hooks(l, 0);
		return;
	}
	drop_open_marks(g);
	loader_set_gate_hook(l, 0);
	snprintf(g->reason, sizeof(g->reason), "%s; %s: the open exits stay attached as the gate "
		 "(one program run per open)", why, g->no_inotify);
	loader_pin_open_hooks(l, 1);
}

static void ungate_opens(struct hook_gate *g)
{
	if (!g->open_gate)
		return;
	g->open_gate = 0;
	g->mixed_gate = 0;
	g->inotify_gate = 0;
	drop_open_marks(g);
	loader_set_gate_hook(g->l, 0);
	loader_pin_open_hooks(g->l, 0);
}

void hook_gate_init(struct hook_gate *g, struct loader *l, enum hooks_mode mode,
		    unsigned int idle_s)
{
	memset(g, 0, sizeof(*g));
	g->l = l;
	g->requested = g->mode = mode;
	g->idle_s = idle_s;
	g->fan_fd = -1;
	g->stop_fd = -1;
	g->ino_fd = -1;
	pthread_mutex_init(&g->lock, NULL);
	/* attached at load; the gate of a kernel without fanotify only (gate_by_opens) */
	loader_set_gate_hook(l, 0);
	if (mode != HOOKS_ON_DEMAND)
		return;
	g->stop_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (g->stop_fd < 0) {
		fall_back(g, "%s failed: %s: syscall hooks stay attached", "eventfd", errno);
		return;
	}
	g->ino_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	g->ino_errno = errno;
	g->fan_fd = fanotify_init(FAN_CLASS_CONTENT | FAN_CLOEXEC | FAN_NONBLOCK,
				  O_RDONLY | O_CLOEXEC);
	if (g->fan_fd < 0) {
		char why[200];

		snprintf(why, sizeof(why), "fanotify permission events are not available "
			 "(fanotify_init: %s; the kernel needs CONFIG_FANOTIFY_ACCESS_PERMISSIONS)",
			 strerror(errno));
		gate_by_opens(g, why);
	}
}

void hook_gate_without_fanotify(struct hook_gate *g)
{
	if (g->mode != HOOKS_ON_DEMAND)
		return;
	if (g->fan_fd >= 0)
		close(g->fan_fd);
	g->fan_fd = -1;
	gate_by_opens(g, "fanotify permission events are not used (--no-fanotify, as on "
			 "Android GKI kernels)");
}

/* Puts a permission mark on each watched path; on failure says which and returns -1. The marks are
 * there only while the hooks are away: with the hooks attached, opens cost nothing extra. */
/* Some watched files cannot take a permission mark (procfs refuses them) while the others can:
 * fanotify gates those, and the open exits stay attached for the rest, as gate_by_opens would
 * have them for all. A reader of a fanotify-gated file's pipe is then followed from its first
 * read, which the open exits alone cannot promise. */
static void gate_unmarkable_by_open_exits(struct hook_gate *g, const char *path,
					  unsigned int refused)
{
	if (!g->l->sock_layer) {
		snprintf(g->reason, sizeof(g->reason), "fanotify cannot watch opens of %s (procfs "
			 "refuses permission events) and no socket-layer tracepoints could follow "
			 "its opener's sends: syscall hooks stay attached", path);
		g->mode = HOOKS_ALWAYS;
		return;
	}
	g->open_gate = 1;
	g->mixed_gate = 1;
	snprintf(g->reason, sizeof(g->reason), "fanotify cannot watch opens of %s%s (procfs refuses "
		 "permission events): the open exits stay attached as their gate (one program run "
		 "per open); fanotify gates the other watched files", path,
		 refused > 1 ? " and others" : "");
	loader_pin_open_hooks(g->l, 1);
	/* pinned too: an opener of those files sends before the agent is woken */
	loader_set_holder_hooks(g->l, 1);
}

static int add_marks(struct hook_gate *g)
{
	unsigned int refused = 0;
	size_t i, first = 0;

	if (g->fan_fd < 0)
		return 0; /* the gate is in the kernel (gate_by_opens) */
	fanotify_mark(g->fan_fd, FAN_MARK_FLUSH, 0, AT_FDCWD, NULL);
	for (i = 0; i < g->n_paths; i++) {
		/* FAN_ONDIR: a watched directory's own opens (/dev/disk/by-id) */
		if (fanotify_mark(g->fan_fd, FAN_MARK_ADD, FAN_OPEN_PERM | FAN_ONDIR, AT_FDCWD,
				  g->paths[i])) {
			char why[200];

			/* a filesystem that refuses permission events (procfs) */
			if (errno == EINVAL && !refused++)
				first = i;
			if (errno == EINVAL && refused < g->n_paths)
				continue;
			snprintf(why, sizeof(why), "fanotify cannot watch opens of %s (%s; procfs "
				 "refuses permission events)", g->paths[i], strerror(errno));
			fanotify_mark(g->fan_fd, FAN_MARK_FLUSH, 0, AT_FDCWD, NULL);
			gate_by_opens(g, why);
			return -1;
		}
	}
	if (refused && !g->open_gate)
		gate_unmarkable_by_open_exits(g, g->paths[first], refused);
	return g->mode == HOOKS_ON_DEMAND ? 0 : -1;
}

static void drop_marks(struct hook_gate *g)
{
	if (g->fan_fd >= 0)
		fanotify_mark(g->fan_fd, FAN_MARK_FLUSH, 0, AT_FDCWD, NULL);
}

static void free_paths(struct hook_gate *g)
{
	size_t i;

	for (i = 0; i < g->n_paths; i++)
		free(g->paths[i]);
	free(g->paths);
	g->paths = NULL;
	g->n_paths = 0;
}

/* Whether the watch set has a modem: its fd stays open for good and its replies are not opens,
 * so no gate fits. */
static int watches_modem(struct hook_gate *g, const struct watch_set *ws)
{
	size_t i;

	for (i = 0; i < ws->n; i++) {
		if (!ws->files[i].modem)
			continue;
		snprintf(g->reason, sizeof(g->reason),
			 "modem %s is watched (its replies arrive on a long-open fd): syscall "
			 "hooks stay attached", ws->files[i].path);
		g->mode = HOOKS_ALWAYS;
		return 1;
	}
	return 0;
}

/* Keeps the watched paths for the marks; 0, or -1 with the gate fallen back (a modem, or no
 * memory: an unmarked file would let its opener past unseen). */
static int keep_paths(struct hook_gate *g, const struct watch_set *ws)
{
	size_t i;

	free_paths(g);
	if (watches_modem(g, ws))
		return -1;
	g->paths = calloc(ws->n ? ws->n : 1, sizeof(*g->paths));
	for (i = 0; g->paths && i < ws->n; i++, g->n_paths++) {
		g->paths[i] = strdup(ws->files[i].path);
		if (!g->paths[i])
			break;
	}
	if (!g->paths || g->n_paths < ws->n) {
		fall_back(g, "%s: %s: syscall hooks stay attached", "out of memory", ENOMEM);
		return -1;
	}
	return 0;
}

void hook_gate_mark(struct hook_gate *g, const struct watch_set *ws)
{
	if (g->requested != HOOKS_ON_DEMAND || g->stop_fd < 0)
		return;
	pthread_mutex_lock(&g->lock);
	/* a new policy may allow what the old one did not */
	g->mode = HOOKS_ON_DEMAND;
	g->reason[0] = 0;
	ungate_opens(g);
	if (g->fan_fd < 0) {
		/* no fanotify: the gate is in the kernel, unless a modem needs all the hooks */
		if (!keep_paths(g, ws))
			gate_by_opens(g, g->no_fanotify);
	} else if (!keep_paths(g, ws) && add_marks(g)) {
		/* a trial: procfs refuses, and that is better known now (then gate_by_opens did) */
		free_paths(g);
	}
	if (g->l->demand_attached || g->mode != HOOKS_ON_DEMAND || g->open_gate)
		drop_marks(g);
	pthread_mutex_unlock(&g->lock);
	if (g->mode != HOOKS_ON_DEMAND)
		hook_gate_wake(g);
}

static void attach_locked(struct hook_gate *g)
{
	uint64_t t0;
	int failed;

	/* first: a holder's sends are followed whatever happens to the syscall hooks */
	if (!g->l->holder_attached && loader_set_holder_hooks(g->l, 1))
		fprintf(stderr, "idsentry: the socket-layer tracepoints failed to attach (above)\n");
	if (g->l->demand_attached)
		return;
	t0 = clock_ns(CLOCK_MONOTONIC);
	failed = loader_attach_demand(g->l);
	/* the hooks see every open now; events already queued are still answered */
	drop_marks(g);
	g->last_attach_ms = (clock_ns(CLOCK_MONOTONIC) - t0) / 1e6;
	g->attaches++;
	if (failed)
		fprintf(stderr, "idsentry: %d on-demand hook(s) failed to attach (above)\n", failed);
}

void hook_gate_rules_changed(struct hook_gate *g)
{
	int failed;

	pthread_mutex_lock(&g->lock);
	failed = loader_sync_send_hooks(g->l);
	pthread_mutex_unlock(&g->lock);
	if (failed)
		fprintf(stderr, "idsentry: %d send hook(s) failed to attach (above)\n", failed);
}

void hook_gate_wake(struct hook_gate *g)
{
	pthread_mutex_lock(&g->lock);
	g->last_wake_ns = clock_ns(CLOCK_MONOTONIC);
	g->idle_since_ns = 0;
	g->wakes++;
	attach_locked(g);
	pthread_mutex_unlock(&g->lock);
}

/* Lock-free: the event loop asks on every turn, and a detach holds the lock for a second. */
int hook_gate_active(struct hook_gate *g)
{
	return __atomic_load_n(&g->l->demand_attached, __ATOMIC_ACQUIRE);
}

int hook_gate_following(struct hook_gate *g)
{
	return hook_gate_active(g) || __atomic_load_n(&g->l->holder_attached, __ATOMIC_ACQUIRE);
}

/* Reads the permission events: anyone's open of a watched file but ours attaches the hooks before
 * the open may go on. The answer is always 'allow': the gate watches, it never refuses. */
static void answer_events(struct hook_gate *g)
{
	char buf[4096] __attribute__((aligned(__alignof__(struct fanotify_event_metadata))));
	const struct fanotify_event_metadata *md;
	pid_t self = getpid();
	ssize_t n;

	for (;;) {
		n = read(g->fan_fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n < 0 && errno != EAGAIN)
				g->gate_errors++;
			return;
		}
		for (md = (void *)buf; FAN_EVENT_OK(md, n); md = FAN_EVENT_NEXT(md, n)) {
			struct fanotify_response r = { .fd = md->fd, .response = FAN_ALLOW };

			if (md->vers != FANOTIFY_METADATA_VERSION) {
				g->gate_errors++;
				return;
			}
			/* an overflow lost events: wake as if each had been an open */
			if (md->pid != self || (md->mask & FAN_Q_OVERFLOW))
				hook_gate_wake(g);
			if (md->pid != self && (md->mask & FAN_OPEN_PERM) && g->on_opener) {
				uint64_t t0 = clock_ns(CLOCK_MONOTONIC);

				g->on_opener(g->opener_ctx, md->pid);
				g->last_opener_ms = (clock_ns(CLOCK_MONOTONIC) - t0) / 1e6;
			}
			if (md->fd >= 0) {
				if (md->mask & FAN_OPEN_PERM &&
				    write(g->fan_fd, &r, sizeof(r)) != sizeof(r))
					g->gate_errors++;
				close(md->fd);
			}
		}
	}
}

/* Empties the inotify queue: the kprobe on inotify's handler did the work as each open happened;
 * the events themselves are only counted. */
static void drain_open_events(struct hook_gate *g)
{
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	const struct inotify_event *ev;
	ssize_t n, off;

	for (;;) {
		n = read(g->ino_fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n < 0 && errno != EAGAIN)
				g->gate_errors++;
			return;
		}
		for (off = 0; off + (ssize_t)sizeof(*ev) <= n; off += sizeof(*ev) + ev->len) {
			ev = (const void *)(buf + off);
			if (ev->mask & IN_OPEN)
				__atomic_add_fetch(&g->gate_opens, 1, __ATOMIC_RELAXED);
		}
	}
}

static void *gate_thread(void *arg)
{
	struct hook_gate *g = arg;
	struct pollfd p[3] = { { .fd = g->fan_fd, .events = POLLIN },
			       { .fd = g->ino_fd, .events = POLLIN },
			       { .fd = g->stop_fd, .events = POLLIN } };

	/* a negative fd is skipped by poll */
	while (poll(p, 3, -1) >= 0 || errno == EINTR) {
		if (p[2].revents)
			break;
		if (p[0].revents)
			answer_events(g);
		if (p[1].revents)
			drain_open_events(g);
	}
	return NULL;
}

/* The gate's threads take no signals: the event loop reads them from a signalfd. */
static int start_thread(pthread_t *t, void *(*fn)(void *), struct hook_gate *g)
{
	sigset_t all, old;
	int err;

	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	err = pthread_create(t, NULL, fn, g);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	return err;
}

int hook_gate_start(struct hook_gate *g)
{
	int err;

	if ((g->fan_fd < 0 && g->ino_fd < 0) || g->stop_fd < 0)
		return 0;
	err = start_thread(&g->thread, gate_thread, g);
	if (err) {
		fall_back(g, "%s failed: %s: syscall hooks stay attached", "pthread_create", err);
		return 0;
	}
	g->thread_started = 1;
	return 0;
}

/* Whether process tgid holds a pipe or FIFO open for writing: a way out that only the syscall
 * hooks see (sockets are seen at the socket layer). Unreadable (gone, or not ours): no. */
static int holds_pipe_for_writing(__u32 tgid)
{
	char path[320], line[128];
	struct dirent *de;
	struct stat st;
	int found = 0, dfd;
	DIR *dir;

	snprintf(path, sizeof(path), "/proc/%u/fd", tgid);
	dir = opendir(path);
	if (!dir)
		return 0;
	dfd = dirfd(dir);
	while (!found && (de = readdir(dir))) {
		FILE *info;

		if (de->d_name[0] == '.' || fstatat(dfd, de->d_name, &st, 0) || !S_ISFIFO(st.st_mode))
			continue;
		snprintf(path, sizeof(path), "/proc/%u/fdinfo/%s", tgid, de->d_name);
		info = fopen(path, "re");
		/* unreadable: assume the worst */
		found = 1;
		while (info && fgets(line, sizeof(line), info)) {
			unsigned int flags;

			if (sscanf(line, "flags: %o", &flags) == 1) {
				found = (flags & O_ACCMODE) != O_RDONLY;
				break;
			}
		}
		if (info)
			fclose(info);
	}
	closedir(dir);
	return found;
}

/* Whether fd of process tgid is still open on the inode (kernel dev_t encoding) the kernel saw. */
static int fd_still_on(__u32 tgid, __u32 fd, const struct watched_fd *wf)
{
	char path[64];
	struct stat st;

	snprintf(path, sizeof(path), "/proc/%u/fd/%u", tgid, fd);
	return !stat(path, &st) && st.st_ino == wf->ino && major(st.st_dev) == (wf->dev >> 20) &&
	       minor(st.st_dev) == (wf->dev & 0xfffff);
}

#define STALE_MAX 64

/* No program runs at close (bpf/watch.bpf.h, watched_file): the kernel's record of a process's
 * watched fds is checked against the fds it holds, and what was closed is forgotten. Returns how
 * many it still holds. */
static unsigned int watched_fds_held(struct hook_gate *g, __u32 tgid, struct proc_taint *t)
{
	struct idsentry_bpf *skel = g->l->skel;
	int fd = bpf_map__fd(skel->maps.watched_fds);
	struct fd_key stale[STALE_MAX], key, next, *prev = NULL;
	unsigned int held = 0, n_stale = 0, i;
	struct watched_fd wf;

	while (!bpf_map_get_next_key(fd, prev, &next)) {
		key = next;
		prev = &key;
		if (key.tgid != tgid || bpf_map_lookup_elem(fd, &key, &wf))
			continue;
		if (fd_still_on(tgid, key.fd, &wf))
			held++;
		else if (n_stale < STALE_MAX)
			stale[n_stale++] = key;
		else
			held++; /* next time */
	}
	for (i = 0; i < n_stale; i++)
		bpf_map_delete_elem(fd, &stale[i]);
	/* the entry read again just before it is written: the kernel may have tainted the process
	 * since the caller read it, and the whole value is written back */
	if (n_stale && !bpf_map_lookup_elem(bpf_map__fd(skel->maps.taint), &tgid, t) &&
	    t->watched_fds != held) {
		t->watched_fds = held;
		bpf_map_update_elem(bpf_map__fd(skel->maps.taint), &tgid, t, BPF_EXIST);
	}
	return held;
}

/* Whether some process needs hooks now. The syscall hooks: a watched fd open, a pipe or FIFO a
 * tainted process wrote to still being followed, or a process holding an identifier that could
 * pass it on where only they see it: with the socket-layer tracepoints attached, a process holding
 * a pipe or FIFO open for writing (or any, while a blocking rule must act before the send);
 * without them, any process holding an identifier. The socket-layer tracepoints (syscalls 0): any
 * process holding an identifier, or a unix socket that may still carry one to its reader. */
static int hooks_needed(struct hook_gate *g, int syscalls)
{
	struct idsentry_bpf *skel = g->l->skel;
	uint64_t now = clock_ns(CLOCK_BOOTTIME), ttl = skel->bss->taint_ttl_ns;
	int fd = bpf_map__fd(skel->maps.taint);
	int sockets_suffice = syscalls && g->l->sock_layer && !skel->bss->n_enforce_rules;
	__u32 key, next, *prev = NULL;
	struct proc_taint t;

	if ((sockets_suffice ? skel->bss->pipes_active_until_ns
			     : skel->bss->channels_active_until_ns) > now)
		return 1;
	while (!bpf_map_get_next_key(fd, prev, &next)) {
		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(fd, &key, &t))
			continue;
		if (t.watched_fds && watched_fds_held(g, key, &t))
			return 1;
		/* a holder's sends are followed however old its taint (the socket layer); its
		 * pipes, only within the longest rule window */
		if (!t.ident_mask || (syscalls && ttl && now - t.last_ns > ttl))
			continue;
		if (!sockets_suffice || holds_pipe_for_writing(key))
			return 1;
	}
	return 0;
}

static int kernel_busy(struct hook_gate *g)
{
	return hooks_needed(g, 1);
}

static int anyone_holds(struct hook_gate *g)
{
	return hooks_needed(g, 0);
}

/* The socket-layer tracepoints can go: the syscall hooks are away, nothing pins them, and nobody
 * holds an identifier. */
static int holder_hooks_idle(struct hook_gate *g)
{
	return g->mode == HOOKS_ON_DEMAND && !g->open_gate && g->l->holder_attached &&
	       !g->l->demand_attached && !anyone_holds(g);
}

/* Detaching waits out grace periods (about a second for all the hooks here): done on its own
 * thread, so the event loop goes on; an open that wakes the gate meanwhile waits for it. */
static void *detach_thread(void *arg)
{
	struct hook_gate *g = arg;
	uint64_t t0;

	pthread_mutex_lock(&g->lock);
	/* a wake since the tick, or one whose opener has not yet left open() */
	if (g->l->demand_attached && g->idle_since_ns && g->mode == HOOKS_ON_DEMAND &&
	    clock_ns(CLOCK_MONOTONIC) - g->last_wake_ns >= WAKE_HOLD_NS && !kernel_busy(g) &&
	    !add_marks(g)) {
		/* marks first, then a last look: an open that got past before the marks is in the
		 * taint table by now; one after them waits for the gate */
		if (kernel_busy(g)) {
			drop_marks(g);
		} else {
			t0 = clock_ns(CLOCK_MONOTONIC);
			__atomic_store_n(&g->detach_running, 1, __ATOMIC_RELEASE);
			loader_detach_demand(g->l);
			g->last_detach_ms = (clock_ns(CLOCK_MONOTONIC) - t0) / 1e6;
			g->detaches++;
			__atomic_store_n(&g->detach_running, 0, __ATOMIC_RELEASE);
		}
	}
	if (holder_hooks_idle(g)) {
		__atomic_store_n(&g->detach_running, 1, __ATOMIC_RELEASE);
		loader_set_holder_hooks(g->l, 0);
		__atomic_store_n(&g->detach_running, 0, __ATOMIC_RELEASE);
	}
	g->idle_since_ns = 0;
	pthread_mutex_unlock(&g->lock);
	__atomic_store_n(&g->detach_done, 1, __ATOMIC_RELEASE);
	return NULL;
}

static void join_detacher(struct hook_gate *g)
{
	if (g->detaching) {
		pthread_join(g->detacher, NULL);
		g->detaching = 0;
	}
}

void hook_gate_tick(struct hook_gate *g)
{
	uint64_t now = clock_ns(CLOCK_MONOTONIC);
	int start = 0;

	if (g->detaching) {
		if (!__atomic_load_n(&g->detach_done, __ATOMIC_ACQUIRE))
			return;
		join_detacher(g);
	}
	if (g->mode != HOOKS_ON_DEMAND)
		return;
	/* detached, and someone holding an identifier has taken up a pipe since */
	if (!hook_gate_active(g) && g->l->sock_layer && kernel_busy(g)) {
		g->busy_wakes++;
		hook_gate_wake(g);
		return;
	}
	pthread_mutex_lock(&g->lock);
	if (!g->l->demand_attached) {
		g->idle_since_ns = 0;
		start = holder_hooks_idle(g);
	} else if (kernel_busy(g)) {
		g->idle_since_ns = 0;
	} else if (!g->idle_since_ns) {
		g->idle_since_ns = now;
		start = !g->idle_s;
	} else {
		start = now - g->idle_since_ns >= g->idle_s * 1000000000ULL;
	}
	pthread_mutex_unlock(&g->lock);
	g->detach_done = 0;
	if (start && !start_thread(&g->detacher, detach_thread, g))
		g->detaching = 1;
}

void hook_gate_stop(struct hook_gate *g)
{
	uint64_t one = 1;

	join_detacher(g);
	if (g->thread_started) {
		if (write(g->stop_fd, &one, sizeof(one)) != sizeof(one))
			pthread_cancel(g->thread);
		pthread_join(g->thread, NULL);
		g->thread_started = 0;
	}
	/* closing the group lets any open still waiting on it go on */
	if (g->fan_fd >= 0)
		close(g->fan_fd);
	if (g->stop_fd >= 0)
		close(g->stop_fd);
	drop_open_marks(g);
	if (g->ino_fd >= 0)
		close(g->ino_fd);
	g->fan_fd = g->stop_fd = g->ino_fd = -1;
	free_paths(g);
	pthread_mutex_destroy(&g->lock);
}

/* Without the lock, as hook_gate_active: the counters may be a moment old. */
void hook_gate_describe(struct hook_gate *g, struct json *j)
{
	json_object_begin(j, "hooks");
	json_string(j, "mode", g->mode == HOOKS_ON_DEMAND ? "on-demand" : "always");
	json_bool(j, "syscalls_attached", hook_gate_active(g));
	/* detaching: no longer used, not yet all gone (grace periods) */
	json_bool(j, "detaching", __atomic_load_n(&g->detach_running, __ATOMIC_ACQUIRE));
	json_bool(j, "ioctl_attached", g->l->ioctl_attached);
	/* sends and unix sockets of processes holding identifiers, while the syscall hooks are away */
	json_bool(j, "socket_layer", g->l->sock_layer);
	json_bool(j, "socket_layer_attached", g->l->holder_attached);
	/* sendto/sendmsg/sendmmsg hooks: only where the socket layer cannot report a send, or a
	 * blocking rule must judge it before it leaves */
	json_bool(j, "send_syscalls_attached", g->l->send_attached);
	/* what brings the hooks back: fanotify permission events, or the open exits */
	if (g->mode == HOOKS_ON_DEMAND)
		json_string(j, "gate", g->inotify_gate ? "inotify-kprobe"
				       : g->mixed_gate ? "fanotify+open-exits"
				       : g->open_gate ? "open-exits" : "fanotify");
	if (g->reason[0])
		json_string(j, "reason", g->reason);
	if (g->mode == HOOKS_ON_DEMAND) {
		json_uint(j, "idle_s", g->idle_s);
		json_uint(j, "wakes", g->wakes);
		json_uint(j, "attaches", g->attaches);
		json_uint(j, "detaches", g->detaches);
		json_uint(j, "pipe_wakes", g->busy_wakes);
		if (g->inotify_gate)
			json_uint(j, "gate_opens", __atomic_load_n(&g->gate_opens, __ATOMIC_RELAXED));
		json_uint(j, "last_attach_us", (unsigned long long)(g->last_attach_ms * 1000));
		json_uint(j, "last_detach_us", (unsigned long long)(g->last_detach_ms * 1000));
		/* what looking at the opener's executable added to its wait (Go's TLS probe) */
		if (g->on_opener)
			json_uint(j, "last_opener_us",
				  (unsigned long long)(g->last_opener_ms * 1000));
		json_uint(j, "errors", g->gate_errors);
	}
	json_object_end(j);
}
