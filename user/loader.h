/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* loader: probes kernel features, then opens, configures, loads and attaches the BPF programs. */
#ifndef IDSENTRY_LOADER_H
#define IDSENTRY_LOADER_H

#include <stddef.h>
#include <linux/types.h>

struct idsentry_bpf;
struct bpf_link;

struct probe_status {
	char name[64];    /* the program, named after its hook */
	char hook[96];    /* e.g. tracepoint/syscalls/sys_exit_openat */
	int attached;
	char reason[192]; /* why it was skipped */
};

struct loader_opts {
	__u32 sample_bytes;
	int verbose;
};

struct loader {
	struct idsentry_bpf *skel;
	struct bpf_link **links;      /* hooks that stay attached */
	size_t n_links;
	struct bpf_link **demand_links; /* syscall hooks attached on demand (hook_gate.c) */
	size_t n_demand_links;
	int demand_attached;
	struct bpf_link *ioctl_links[2]; /* the ioctl tracepoints, while the policy names ioctls */
	size_t n_ioctl_links;
	int ioctl_attached;
	struct bpf_link *binder_links[2]; /* binder_ioctl kprobes, while the policy names Binder calls */
	size_t n_binder_links;
	int binder_attached;
	struct bpf_link *recv_links[2];   /* recvfrom/recvmsg exits, where sock_recv_length is */
	size_t n_recv_links;              /* missing: with the demand hooks, and for good while the */
	int recv_attached;                /* policy names rtnetlink sources (pinned) */
	int recv_pinned;
	struct bpf_link *sock_recv_links[1]; /* sock_recv_length: with the holder hooks, and pinned */
	size_t n_sock_recv_links;            /* in the recv exits' stead where the kernel has it */
	int sock_recv_attached;
	struct bpf_link *open_links[3];   /* openat/openat2/open exits: on demand, or pinned as the */
	size_t n_open_links;              /* gate itself where fanotify cannot be (hook_gate.c) */
	int open_attached;
	int open_pinned;
	struct bpf_link *holder_links[1]; /* sock_send_length, with sock_recv_length: while any */
	size_t n_holder_links;            /* process holds an identifier (or pinned with the open exits) */
	int holder_attached;
	struct bpf_link *send_links[8];   /* sendto/sendmsg/sendmmsg syscalls and cgroup sendmsg: */
	size_t n_send_links;              /* with the demand hooks, unless the socket layer reports */
	int send_attached;                /* sends and no rule blocks (loader_sync_send_hooks) */
	struct bpf_link *gate_link;       /* kprobe on inotify's handler: the on-demand gate where */
	int gate_attached;                /* fanotify is missing and kprobes are not (hook_gate.c) */
	int inotify_gate;                 /* ... and it loaded */
	struct probe_status *probes;
	size_t n_probes;
	int cgroup_fd;
	int sk_msg_attached;
	int sock_layer; /* sock_send_length/sock_recv_length attached (socklayer.bpf.c) */
	int file_casts; /* the kernel has bpf_rdonly_cast: file fields are plain loads (task.bpf.h) */
	char cgroup_path[256];
	char tracefs[64];
};

/* Returns 0, or a negative errno after printing what failed and what to do about it. */
int loader_start(struct loader *l, const struct loader_opts *o);
enum hook_class {
	HOOK_CLASS_ALWAYS, /* cgroup connect, sockops, sched, io_uring, uprobes */
	HOOK_CLASS_DEMAND, /* serve only processes that hold identifiers (hook_gate.c) */
	HOOK_CLASS_IOCTL,  /* identifier sources themselves: attached while the policy names ioctls */
	HOOK_CLASS_BINDER, /* binder_ioctl kprobes: attached while the policy names Binder calls */
	HOOK_CLASS_RECV,   /* recv exits: on demand, or pinned while the policy names netlink;
			    * only where the kernel has no sock_recv_length */
	HOOK_CLASS_OPEN,   /* open exits: on demand, or pinned as the gate without fanotify */
	HOOK_CLASS_HOLDER, /* sock_send_length: while any process holds an identifier */
	HOOK_CLASS_SOCK_RECV, /* sock_recv_length: with the holder hooks, or pinned for netlink */
	HOOK_CLASS_GATE,   /* inotify's handler: the on-demand gate without fanotify (kprobes) */
	HOOK_CLASS_SEND,   /* send syscalls' hooks: on demand, where the socket layer cannot do */
};

enum hook_class loader_hook_class(const char *section);
/* Attaches or detaches the ioctl tracepoints; returns how many failed to attach. */
int loader_set_ioctl_hooks(struct loader *l, int on);
/* The same for the Binder kprobes. */
int loader_set_binder_hooks(struct loader *l, int on);
/* Keeps the recv exits attached whatever the demand hooks do (rtnetlink replies are sources
 * any process may read), or lets them follow the demand hooks again. */
int loader_pin_recv_hooks(struct loader *l, int on);
/* The same for the open exits: pinned, they are the on-demand gate where fanotify is missing. */
int loader_pin_open_hooks(struct loader *l, int on);
/* Attaches or detaches the socket-layer tracepoints (when the kernel has them); returns how many
 * failed to attach. */
int loader_set_holder_hooks(struct loader *l, int on);
/* Attaches or detaches the kprobe on inotify's handler; returns how many failed (1 when it did
 * not load). */
int loader_set_gate_hook(struct loader *l, int on);
/* The send syscalls' hooks (HOOK_CLASS_SEND) go with the demand hooks only where the socket
 * layer cannot stand in for them: it is not attached, or a blocking rule must act before a send
 * leaves (a verdict at the syscall's entry). Call after the rules or the demand hooks changed;
 * returns how many failed to attach. */
int loader_sync_send_hooks(struct loader *l);
/* Attaches the on-demand hooks; returns how many failed (each reported on stderr). */
int loader_attach_demand(struct loader *l);
/* Detaches them (each waits out a grace period; done from several threads). */
void loader_detach_demand(struct loader *l);
/* Whether the named program is attached. */
int loader_attached(const struct loader *l, const char *name);
#define DESTROY_THREADS 16

/* Destroys links from several threads at once (each detach waits for a grace period). */
void destroy_links(struct bpf_link **links, size_t n);
/* Detaches and unloads everything; safe on a partly started or zeroed loader. */
void loader_stop(struct loader *l);

#endif
