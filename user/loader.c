// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* loader: probes kernel features, then opens, configures, loads and attaches the BPF programs. */
#include <errno.h>
#include <glob.h>
#include <pthread.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include "idsentry.skel.h"
#include "idsentry.h"
#include "loader.h"

static int verbose_libbpf;

static int print_libbpf(enum libbpf_print_level level, const char *fmt, va_list args)
{
	if (level == LIBBPF_DEBUG && !verbose_libbpf)
		return 0;
	return vfprintf(stderr, fmt, args);
}

static int is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* libbpf resolves tracepoint ids through tracefs, which is not always mounted (e.g. Android). */
static int ensure_tracefs(struct loader *l)
{
	if (is_dir("/sys/kernel/tracing/events")) {
		snprintf(l->tracefs, sizeof(l->tracefs), "/sys/kernel/tracing");
		return 0;
	}
	if (is_dir("/sys/kernel/debug/tracing/events")) {
		snprintf(l->tracefs, sizeof(l->tracefs), "/sys/kernel/debug/tracing");
		return 0;
	}
	if (mount("tracefs", "/sys/kernel/tracing", "tracefs", 0, NULL) == 0 &&
	    is_dir("/sys/kernel/tracing/events")) {
		snprintf(l->tracefs, sizeof(l->tracefs), "/sys/kernel/tracing");
		return 0;
	}
	fprintf(stderr,
		"idsentry: tracefs is not mounted and mounting it on /sys/kernel/tracing failed: %s\n"
		"idsentry: mount it ('mount -t tracefs tracefs /sys/kernel/tracing') and retry\n",
		strerror(errno));
	return -errno;
}

/* Finds the cgroup v2 root, mounting one under /run/idsentry when none is mounted. */
static int open_cgroup2_root(struct loader *l)
{
	char line[1024], *sep, mnt[200], fstype[64];
	FILE *f = fopen("/proc/self/mountinfo", "r");

	l->cgroup_path[0] = 0;
	while (f && fgets(line, sizeof(line), f)) {
		sep = strstr(line, " - ");
		if (!sep || sscanf(sep + 3, "%63s", fstype) != 1 || strcmp(fstype, "cgroup2"))
			continue;
		if (sscanf(line, "%*s %*s %*s %*s %199s", mnt) == 1) {
			snprintf(l->cgroup_path, sizeof(l->cgroup_path), "%s", mnt);
			break;
		}
	}
	if (f)
		fclose(f);
	if (!l->cgroup_path[0]) {
		snprintf(l->cgroup_path, sizeof(l->cgroup_path), "/run/idsentry/cgroup2");
		mkdir("/run/idsentry", 0700);
		mkdir(l->cgroup_path, 0700);
		if (mount("none", l->cgroup_path, "cgroup2", 0, NULL) && errno != EBUSY)
			return -errno;
	}
	l->cgroup_fd = open(l->cgroup_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	return l->cgroup_fd < 0 ? -errno : 0;
}

static struct probe_status *add_probe(struct loader *l, struct bpf_program *prog)
{
	struct probe_status *p = &l->probes[l->n_probes++];

	memset(p, 0, sizeof(*p));
	snprintf(p->name, sizeof(p->name), "%s", bpf_program__name(prog));
	snprintf(p->hook, sizeof(p->hook), "%s", bpf_program__section_name(prog));
	return p;
}

static void skip(struct probe_status *p, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(p->reason, sizeof(p->reason), fmt, ap);
	va_end(ap);
	p->attached = 0;
}

/* Hooks attached to the root of the cgroup v2 hierarchy, so that they see every process. */
static int needs_cgroup(const char *sec)
{
	return !strncmp(sec, "cgroup/", 7) || !strncmp(sec, "cgroup_skb/", 11) ||
	       !strcmp(sec, "sockops");
}

/* Whether the kernel (or a loaded module) has a function of that name to put a kprobe on. */
static int kernel_has_symbol(const char *name)
{
	char line[512], sym[256];
	FILE *f = fopen("/proc/kallsyms", "re");
	int found = 0;

	while (f && !found && fgets(line, sizeof(line), f))
		found = sscanf(line, "%*s %*s %255s", sym) == 1 && !strcmp(sym, name);
	if (f)
		fclose(f);
	return found;
}

/* Whether the kernel has a tracepoint of that name, in any group of tracefs's events/ (a glob:
 * parsing the kernel's BTF for it cost the agent 10 MiB of heap it never gave back). */
static int kernel_has_tracepoint(const struct loader *l, const char *name)
{
	char pattern[256];
	glob_t g;
	int found;

	snprintf(pattern, sizeof(pattern), "%s/events/*/%s", l->tracefs, name);
	found = glob(pattern, GLOB_ONLYDIR | GLOB_NOSORT, NULL, &g) == 0 && g.gl_pathc > 0;
	globfree(&g);
	return found;
}

static int is_kprobe(const char *sec)
{
	return !strncmp(sec, "kprobe/", 7) || !strncmp(sec, "kretprobe/", 10);
}

/* Disables programs whose hook this kernel lacks, so that loading does not fail on them. */
static void probe_hooks(struct loader *l)
{
	struct bpf_program *prog;
	char path[256];

	bpf_object__for_each_program(prog, l->skel->obj) {
		const char *sec = bpf_program__section_name(prog);
		struct probe_status *p = add_probe(l, prog);

		if (!strncmp(sec, "tracepoint/", 11)) {
			snprintf(path, sizeof(path), "%s/events/%s", l->tracefs, sec + 11);
			if (!is_dir(path)) {
				bpf_program__set_autoload(prog, false);
				skip(p, "tracepoint %s is not present in this kernel", sec + 11);
				continue;
			}
		} else if (is_kprobe(sec)) {
			const char *func = strchr(sec, '/') + 1;

			int gate = loader_hook_class(sec) == HOOK_CLASS_GATE;

			snprintf(path, sizeof(path), "%s/kprobe_events", l->tracefs);
			if (access(path, F_OK)) {
				bpf_program__set_autoload(prog, false);
				skip(p, gate ? "this kernel has no kprobes (CONFIG_KPROBES): without "
					       "fanotify, the open exits are the on-demand gate"
					     : "this kernel has no kprobes (CONFIG_KPROBES): Binder "
					       "calls are not seen");
				continue;
			}
			if (gate && !kernel_has_symbol(func)) {
				bpf_program__set_autoload(prog, false);
				skip(p, "%s is not in /proc/kallsyms (a kernel without inotify, or "
					"older than 5.11): without fanotify, the open exits are the "
					"on-demand gate", func);
				continue;
			}
			if (!gate && !kernel_has_symbol(func)) {
				bpf_program__set_autoload(prog, false);
				skip(p, "no Binder driver in this kernel (%s is not in /proc/kallsyms): "
					"load binder_linux, or run on a kernel with "
					"CONFIG_ANDROID_BINDER_IPC", func);
				continue;
			}
		} else if (!strncmp(sec, "tp_btf/", 7)) {
			if (!kernel_has_tracepoint(l, sec + 7)) {
				bpf_program__set_autoload(prog, false);
				skip(p, "tracepoint %s is not present in this kernel (Linux 6.3+ "
					"has it): the syscall hooks follow every send and unix socket "
					"of processes that hold identifiers", sec + 7);
				continue;
			}
		} else if (needs_cgroup(sec) && l->cgroup_fd < 0) {
			bpf_program__set_autoload(prog, false);
			skip(p, "no cgroup v2 hierarchy at %s: destinations of unconnected sends "
				"are not reported and nothing can be blocked", l->cgroup_path);
			continue;
		}
		p->attached = 1; /* provisional: confirmed by attach */
	}
}

/* sk_msg runs on the sockets of a sockhash: attached to the map, not to a hook. */
static void attach_sk_msg(struct loader *l, struct bpf_program *prog, struct probe_status *p)
{
	int map_fd = bpf_map__fd(l->skel->maps.tcp_sockets);

	if (bpf_prog_attach(bpf_program__fd(prog), map_fd, BPF_SK_MSG_VERDICT, 0)) {
		skip(p, "failed to attach '%s' to the tcp_sockets map: %s", p->name,
		     strerror(errno));
		fprintf(stderr, "idsentry: %s\n", p->reason);
		return;
	}
	l->sk_msg_attached = 1;
}

enum hook_class loader_hook_class(const char *section)
{
	if (!strcmp(section, "tracepoint/syscalls/sys_enter_ioctl") ||
	    !strcmp(section, "tracepoint/syscalls/sys_exit_ioctl"))
		return HOOK_CLASS_IOCTL;
	if (!strcmp(section, "kprobe/inotify_handle_inode_event"))
		return HOOK_CLASS_GATE;
	if (is_kprobe(section))
		return HOOK_CLASS_BINDER;
	if (!strcmp(section, "tracepoint/syscalls/sys_exit_recvfrom") ||
	    !strcmp(section, "tracepoint/syscalls/sys_exit_recvmsg"))
		return HOOK_CLASS_RECV;
	if (!strcmp(section, "tp_btf/sock_recv_length"))
		return HOOK_CLASS_SOCK_RECV;
	if (!strncmp(section, "tp_btf/sock_", 12))
		return HOOK_CLASS_HOLDER;
	if (!strcmp(section, "tracepoint/syscalls/sys_exit_openat") ||
	    !strcmp(section, "tracepoint/syscalls/sys_exit_openat2") ||
	    !strcmp(section, "tracepoint/syscalls/sys_exit_open"))
		return HOOK_CLASS_OPEN;
	/* a send syscall's own hooks: a verdict before the send, and its report where the
	 * socket layer does not report it; the cgroup sendmsg hooks act on sends these saw begin */
	if (!strcmp(section, "tracepoint/syscalls/sys_enter_sendto") ||
	    !strcmp(section, "tracepoint/syscalls/sys_exit_sendto") ||
	    !strcmp(section, "tracepoint/syscalls/sys_enter_sendmsg") ||
	    !strcmp(section, "tracepoint/syscalls/sys_exit_sendmsg") ||
	    !strcmp(section, "tracepoint/syscalls/sys_enter_sendmmsg") ||
	    !strcmp(section, "tracepoint/syscalls/sys_exit_sendmmsg") ||
	    !strncmp(section, "cgroup/sendmsg", 14))
		return HOOK_CLASS_SEND;
	/* egress drops packets of sockets the syscall hooks blocked: idle with those hooks away */
	if (!strncmp(section, "tracepoint/syscalls/", 20) || !strcmp(section, "cgroup_skb/egress"))
		return HOOK_CLASS_DEMAND;
	return HOOK_CLASS_ALWAYS;
}

/* Attaches the loaded programs of a class (all: every class, at start), skipping those that
 * failed before. Returns how many failed now. */
static int attach_programs(struct loader *l, int all, enum hook_class only)
{
	struct bpf_program *prog;
	size_t i = 0;
	int failed = 0;

	bpf_object__for_each_program(prog, l->skel->obj) {
		struct probe_status *p = &l->probes[i++];
		enum hook_class class = loader_hook_class(p->hook);
		struct bpf_link *link;

		if (!bpf_program__autoload(prog) || (!all && (class != only || !p->attached)))
			continue;
		/* uprobes name a library: tls.c attaches them to each one it finds */
		if (!strncmp(p->hook, "uprobe", 6) || !strncmp(p->hook, "uretprobe", 9))
			continue;
		if (!strcmp(p->hook, "sk_msg")) {
			attach_sk_msg(l, prog, p);
			continue;
		}
		if (needs_cgroup(p->hook))
			link = bpf_program__attach_cgroup(prog, l->cgroup_fd);
		else
			link = bpf_program__attach(prog);
		if (!link) {
			int err = -errno;

			skip(p, "failed to attach '%s': %s", p->name, strerror(-err));
			fprintf(stderr, "idsentry: failed to attach '%s' to %s: %s\n", p->name,
				p->hook, strerror(-err));
			failed++;
			continue;
		}
		if (class == HOOK_CLASS_DEMAND)
			l->demand_links[l->n_demand_links++] = link;
		else if (class == HOOK_CLASS_IOCTL)
			l->ioctl_links[l->n_ioctl_links++] = link;
		else if (class == HOOK_CLASS_BINDER)
			l->binder_links[l->n_binder_links++] = link;
		else if (class == HOOK_CLASS_RECV)
			l->recv_links[l->n_recv_links++] = link;
		else if (class == HOOK_CLASS_OPEN)
			l->open_links[l->n_open_links++] = link;
		else if (class == HOOK_CLASS_HOLDER)
			l->holder_links[l->n_holder_links++] = link;
		else if (class == HOOK_CLASS_SOCK_RECV)
			l->sock_recv_links[l->n_sock_recv_links++] = link;
		else if (class == HOOK_CLASS_GATE)
			l->gate_link = link;
		else if (class == HOOK_CLASS_SEND && l->n_send_links < 8)
			l->send_links[l->n_send_links++] = link;
		else
			l->links[l->n_links++] = link;
	}
	return failed;
}

/* Attaches or detaches one switchable class of hooks; returns how many failed to attach. */
static int set_class(struct loader *l, enum hook_class class, struct bpf_link **links,
		     size_t *n_links, int *attached, int on)
{
	if (on && !*attached) {
		*attached = 1;
		return attach_programs(l, 0, class);
	}
	if (!on && *attached) {
		destroy_links(links, *n_links);
		*n_links = 0;
		*attached = 0;
	}
	return 0;
}

int loader_set_ioctl_hooks(struct loader *l, int on)
{
	return set_class(l, HOOK_CLASS_IOCTL, l->ioctl_links, &l->n_ioctl_links, &l->ioctl_attached,
			 on);
}

int loader_set_binder_hooks(struct loader *l, int on)
{
	return set_class(l, HOOK_CLASS_BINDER, l->binder_links, &l->n_binder_links,
			 &l->binder_attached, on);
}

static int set_recv_hooks(struct loader *l, int on)
{
	return set_class(l, HOOK_CLASS_RECV, l->recv_links, &l->n_recv_links, &l->recv_attached, on);
}

static int set_sock_recv_hook(struct loader *l, int on)
{
	return set_class(l, HOOK_CLASS_SOCK_RECV, l->sock_recv_links, &l->n_sock_recv_links,
			 &l->sock_recv_attached, on);
}

/* rtnetlink replies are read by processes that hold nothing yet: while the policy names them,
 * every receive is looked at, by sock_recv_length where the kernel has it (a tp_btf run per
 * socket receive), else by the recvfrom/recvmsg exits (a syscall tracepoint, which also puts
 * every syscall of every process on the traced path). */
int loader_pin_recv_hooks(struct loader *l, int on)
{
	l->recv_pinned = on;
	if (l->sock_layer)
		return set_sock_recv_hook(l, on || l->holder_attached);
	return set_recv_hooks(l, on || __atomic_load_n(&l->demand_attached, __ATOMIC_ACQUIRE));
}

static int set_open_hooks(struct loader *l, int on)
{
	return set_class(l, HOOK_CLASS_OPEN, l->open_links, &l->n_open_links, &l->open_attached, on);
}

int loader_pin_open_hooks(struct loader *l, int on)
{
	l->open_pinned = on;
	return set_open_hooks(l, on || __atomic_load_n(&l->demand_attached, __ATOMIC_ACQUIRE));
}

int loader_set_gate_hook(struct loader *l, int on)
{
	size_t n = !!l->gate_link;
	int failed;

	if (!l->inotify_gate)
		return on;
	failed = set_class(l, HOOK_CLASS_GATE, &l->gate_link, &n, &l->gate_attached, on);
	if (!on)
		l->gate_link = NULL;
	return failed || (on && !l->gate_link);
}

int loader_set_holder_hooks(struct loader *l, int on)
{
	int failed = 0;

	if (!l->sock_layer)
		return 0;
	/* the flag follows the links in: the syscall hooks leave unix sockets to them only then */
	if (on) {
		failed = set_class(l, HOOK_CLASS_HOLDER, l->holder_links, &l->n_holder_links,
				   &l->holder_attached, 1);
		failed += set_sock_recv_hook(l, 1);
		__atomic_store_n(&l->skel->bss->sock_layer_on,
				 l->n_holder_links == 1 && l->n_sock_recv_links == 1,
				 __ATOMIC_SEQ_CST);
		return failed;
	}
	__atomic_store_n(&l->skel->bss->sock_layer_on, 0, __ATOMIC_SEQ_CST);
	if (!l->recv_pinned)
		set_sock_recv_hook(l, 0);
	return set_class(l, HOOK_CLASS_HOLDER, l->holder_links, &l->n_holder_links,
			 &l->holder_attached, 0);
}

static int set_send_hooks(struct loader *l, int on)
{
	return set_class(l, HOOK_CLASS_SEND, l->send_links, &l->n_send_links, &l->send_attached,
			 on);
}

int loader_sync_send_hooks(struct loader *l)
{
	int demand = __atomic_load_n(&l->demand_attached, __ATOMIC_ACQUIRE);
	int socket_layer_reports = __atomic_load_n(&l->skel->bss->sock_layer_on, __ATOMIC_ACQUIRE) &&
				   !__atomic_load_n(&l->skel->bss->n_enforce_rules, __ATOMIC_ACQUIRE);
	int on = demand && !socket_layer_reports, failed;

	if (on == l->send_attached)
		return 0;
	/* while an entry hook may be there without its exit, the socket layer reports the sends
	 * it finds pending (as while the demand hooks come and go) */
	if (demand)
		__atomic_store_n(&l->skel->data->syscall_hooks_on, 0, __ATOMIC_SEQ_CST);
	failed = set_send_hooks(l, on);
	if (demand)
		__atomic_store_n(&l->skel->data->syscall_hooks_on, 1, __ATOMIC_SEQ_CST);
	return failed;
}

int loader_attach_demand(struct loader *l)
{
	int failed;

	if (l->demand_attached)
		return 0;
	/* before the first hook that may make a pending send (see pending_send_hooks) */
	__atomic_store_n(&l->skel->data->pending_send_hooks, 1, __ATOMIC_SEQ_CST);
	/* with the socket layer, sock_recv_length does all the recv exits did */
	failed = l->sock_layer ? 0 : set_recv_hooks(l, 1);
	failed += set_open_hooks(l, 1);
	failed += attach_programs(l, 0, HOOK_CLASS_DEMAND);
	__atomic_store_n(&l->demand_attached, 1, __ATOMIC_RELEASE);
	failed += loader_sync_send_hooks(l);
	__atomic_store_n(&l->skel->data->syscall_hooks_on, 1, __ATOMIC_SEQ_CST);
	return failed;
}

void loader_detach_demand(struct loader *l)
{
	/* said first: events stop coming before the last hook is gone */
	__atomic_store_n(&l->demand_attached, 0, __ATOMIC_RELEASE);
	if (l->skel)
		__atomic_store_n(&l->skel->data->syscall_hooks_on, 0, __ATOMIC_SEQ_CST);
	destroy_links(l->demand_links, l->n_demand_links);
	l->n_demand_links = 0;
	set_send_hooks(l, 0);
	if (!l->recv_pinned)
		set_recv_hooks(l, 0);
	if (!l->open_pinned)
		set_open_hooks(l, 0);
	/* every hook that makes pending sends is gone (a detach waits out the programs running) */
	if (l->skel && !l->send_attached)
		__atomic_store_n(&l->skel->data->pending_send_hooks, 0, __ATOMIC_SEQ_CST);
}

int loader_attached(const struct loader *l, const char *name)
{
	size_t i;

	for (i = 0; i < l->n_probes; i++)
		if (!strcmp(l->probes[i].name, name))
			return l->probes[i].attached;
	return 0;
}

/* CO-RE relocates every program against the kernel's own BTF: without it nothing can load, and
 * libbpf's errno (ESRCH) says nothing useful. Android's android12-5.10 GKI is such a kernel. */
static int require_kernel_btf(struct loader *l)
{
	struct btf *btf = btf__load_vmlinux_btf();
	struct utsname u = {};

	if (btf) {
		/* a kfunc the programs call where the kernel has it (Linux 6.2+) */
		l->file_casts = btf__find_by_name_kind(btf, "bpf_rdonly_cast", BTF_KIND_FUNC) > 0;
		btf__free(btf);
		return 0;
	}
	uname(&u);
	fprintf(stderr,
		"idsentry: kernel %s has no BTF type information (/sys/kernel/btf/vmlinux is "
		"missing: built without CONFIG_DEBUG_INFO_BTF, as Android 12's android12-5.10 GKI "
		"is)\nidsentry: its BPF programs need BTF to load; run it on a kernel built with "
		"CONFIG_DEBUG_INFO_BTF=y\n", u.release);
	return -ENOTSUP;
}

int loader_start(struct loader *l, const struct loader_opts *o)
{
	size_t n_progs = 0;
	struct bpf_program *prog;
	int err;

	memset(l, 0, sizeof(*l));
	l->cgroup_fd = -1;
	verbose_libbpf = o->verbose;
	libbpf_set_print(print_libbpf);
	if (geteuid() != 0) {
		fprintf(stderr, "idsentry: loading BPF programs needs root (CAP_BPF, CAP_PERFMON and "
				"CAP_SYS_ADMIN): run it with sudo\n");
		return -EPERM;
	}
	err = ensure_tracefs(l);
	if (err)
		return err;
	if (open_cgroup2_root(l))
		fprintf(stderr, "idsentry: no cgroup v2 hierarchy (%s): %s\n", l->cgroup_path,
			strerror(errno));

	err = require_kernel_btf(l);
	if (err)
		return err;
	l->skel = idsentry_bpf__open();
	if (!l->skel) {
		err = -errno;
		fprintf(stderr, "idsentry: failed to open the BPF object: %s\n", strerror(-err));
		return err;
	}
	bpf_object__for_each_program(prog, l->skel->obj)
		n_progs++;
	l->probes = calloc(n_progs, sizeof(*l->probes));
	l->links = calloc(n_progs, sizeof(*l->links));
	l->demand_links = calloc(n_progs, sizeof(*l->demand_links));
	if (!l->probes || !l->links || !l->demand_links)
		return -ENOMEM;

	l->skel->rodata->agent_tgid = getpid();
	l->skel->rodata->sample_bytes = o->sample_bytes;
	l->skel->rodata->file_casts = l->file_casts;
	probe_hooks(l);

	err = idsentry_bpf__load(l->skel);
	if (err) {
		fprintf(stderr, "idsentry: failed to load BPF programs: %s%s\n", strerror(-err),
			err == -EPERM ? " (needs root with CAP_BPF and CAP_PERFMON; is "
					"kernel.unprivileged_bpf_disabled or a lockdown in the way?)"
				      : "");
		return err;
	}
	attach_programs(l, 1, 0);
	/* both or neither: a unix socket's writer and reader are followed at the same layer */
	l->sock_layer = loader_attached(l, "handle_sock_send_length") &&
			loader_attached(l, "handle_sock_recv_length");
	l->skel->bss->sock_layer_on = l->sock_layer;
	l->holder_attached = l->n_holder_links > 0;
	l->sock_recv_attached = l->n_sock_recv_links > 0;
	if (!l->sock_layer) {
		/* one without the other is of no use (and would report twice what the exits do) */
		set_class(l, HOOK_CLASS_HOLDER, l->holder_links, &l->n_holder_links,
			  &l->holder_attached, 0);
		set_sock_recv_hook(l, 0);
	}
	l->demand_attached = 1;
	l->ioctl_attached = 1;
	l->binder_attached = 1;
	l->recv_attached = 1;
	l->open_attached = 1;
	l->send_attached = 1;
	/* the recv exits' work is sock_recv_length's (received.bpf.h) */
	if (l->sock_layer)
		set_recv_hooks(l, 0);
	l->inotify_gate = loader_attached(l, "gate_inotify_open");
	l->gate_attached = l->inotify_gate;
	if (!loader_attached(l, "handle_sys_exit_openat") ||
	    !loader_attached(l, "handle_sys_exit_read") ||
	    !loader_attached(l, "handle_sys_exit_sendto")) {
		fprintf(stderr, "idsentry: the core probes (openat, read, sendto tracepoints) could "
				"not be attached: nothing could be detected; see the messages above\n");
		return -ENOTSUP;
	}
	return 0;
}

struct link_batch {
	struct bpf_link **links;
	size_t from, to;
};

static void *destroy_batch(void *arg)
{
	struct link_batch *b = arg;
	size_t i;

	for (i = b->from; i < b->to; i++)
		bpf_link__destroy(b->links[i]);
	return NULL;
}

/* Each tracepoint link waits out an RCU grace period as it goes (~70 ms here): closing them one by
 * one made a stop take seconds. The waits overlap when the links are closed from several threads. */
void destroy_links(struct bpf_link **links, size_t n)
{
	struct link_batch batch[DESTROY_THREADS];
	pthread_t tid[DESTROY_THREADS];
	int started[DESTROY_THREADS] = {};
	size_t per = (n + DESTROY_THREADS - 1) / DESTROY_THREADS, k;

	for (k = 0; k < DESTROY_THREADS; k++) {
		batch[k].links = links;
		batch[k].from = k * per < n ? k * per : n;
		batch[k].to = (k + 1) * per < n ? (k + 1) * per : n;
		started[k] = batch[k].from < batch[k].to &&
			     !pthread_create(&tid[k], NULL, destroy_batch, &batch[k]);
	}
	for (k = 0; k < DESTROY_THREADS; k++) {
		if (started[k])
			pthread_join(tid[k], NULL);
		else
			destroy_batch(&batch[k]); /* no thread: do it here */
	}
}

void loader_stop(struct loader *l)
{
	if (l->sk_msg_attached)
		bpf_prog_detach2(bpf_program__fd(l->skel->progs.handle_sk_msg),
				 bpf_map__fd(l->skel->maps.tcp_sockets), BPF_SK_MSG_VERDICT);
	l->sk_msg_attached = 0;
	destroy_links(l->links, l->n_links);
	free(l->links);
	l->links = NULL;
	l->n_links = 0;
	loader_detach_demand(l);
	free(l->demand_links);
	l->demand_links = NULL;
	loader_set_ioctl_hooks(l, 0);
	loader_set_binder_hooks(l, 0);
	l->recv_pinned = 0;
	set_recv_hooks(l, 0);
	set_sock_recv_hook(l, 0);
	l->open_pinned = 0;
	set_open_hooks(l, 0);
	loader_set_holder_hooks(l, 0);
	loader_set_gate_hook(l, 0);
	idsentry_bpf__destroy(l->skel);
	l->skel = NULL;
	free(l->probes);
	l->probes = NULL;
	l->n_probes = 0;
	if (l->cgroup_fd >= 0)
		close(l->cgroup_fd);
	l->cgroup_fd = -1;
}
