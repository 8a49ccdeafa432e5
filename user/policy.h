/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* policy: parses policy YAML files (libyaml) into struct policy, reporting every error as FILE:LINE:COL. */
#ifndef IDSENTRY_POLICY_H
#define IDSENTRY_POLICY_H

#include <stddef.h>
#include <stdint.h>
#include "diag.h"
#include "quiet.h"

#define POLICY_MAX_IDENTIFIERS 64
#define POLICY_DEFAULT_WINDOW_NS (10ULL * 60 * 1000000000ULL)

struct str_list {
	char **items;
	size_t n;
};

/* A Binder method the policy names: an identifier getter, or an SMS sender (binder_sms). */
struct binder_def {
	char *interface;   /* AIDL descriptor, e.g. com.android.internal.telephony.IPhoneSubInfo */
	uint32_t *codes;   /* transaction codes (FIRST_CALL_TRANSACTION + method index) */
	size_t n_codes;
	char *layout;      /* getters: the reply's layout (parcel.h), default "value=str";
			    * binder_sms: the call's arguments after the token */
};

#define POLICY_DEFAULT_REPLY_LAYOUT "value=str"

struct identifier_def {
	char *name;
	unsigned int bit;           /* 0..63, in order of definition across all files */
	struct str_list files;      /* path globs (glob(3) syntax) */
	struct str_list ioctls;     /* SIOCGIFHWADDR, HDIO_GET_IDENTITY, NVME_IOCTL_ADMIN_CMD, SG_IO */
	struct str_list modem;      /* tty path globs */
	struct str_list properties; /* system property names */
	struct str_list netlink;    /* rtnetlink dumps: RTM_GETLINK (link MACs), RTM_GETNEIGH */
	struct binder_def *binder;  /* Binder getters whose reply carries the value */
	size_t n_binder;
};

struct cidr {
	int family;       /* AF_INET or AF_INET6 */
	uint8_t addr[16]; /* network byte order; first 4 bytes for AF_INET; host bits cleared */
	uint8_t prefix;   /* 0..32 or 0..128 */
};

struct port_range {
	uint16_t lo, hi; /* inclusive */
};

struct dest_filter {
	struct cidr *cidrs;
	size_t n_cidrs;
	struct port_range *ports;
	size_t n_ports;
	struct str_list hosts; /* host names, '*' globs allowed (e.g. "*.example.com") */
	int unix_sockets;      /* the keyword "unix" was listed */
};

enum rule_action {
	ACTION_ALERT = 0,
	ACTION_BLOCK = 1,
	ACTION_KILL = 2,
};

/* Processes a rule does not apply to: by what a process cannot choose (its executable, by inode;
 * its uid; its Android package, by uid), or by comm, which any process sets (check warns). */
struct process_filter {
	struct str_list exes;    /* absolute paths */
	uint64_t (*exe_ids)[2];  /* (st_dev, st_ino) of each when the policy was loaded; 0: absent */
	uint32_t *uids;
	size_t n_uids;
	struct str_list packages;
	struct str_list comms;   /* comm globs */
};

/* Who a process is at an event, for matching a process_filter. */
struct proc_identity {
	const char *exe;         /* or NULL */
	uint64_t exe_dev, exe_ino; /* of the running executable; 0 when unknown */
	const char *comm;
	uint32_t uid;
	/* the Android package of a uid, or NULL; asked only by rules that name packages */
	const char *(*package_of)(void *ctx, uint32_t uid);
	void *package_ctx;
};

struct rule_def {
	char *name;
	char *severity;           /* low | medium | high | critical; default "high" */
	uint64_t ident_mask;      /* bit i set: identifier with bit i; "any" sets every defined one */
	struct process_filter process_except;
	struct dest_filter dest_except;
	uint64_t window_ns;       /* default POLICY_DEFAULT_WINDOW_NS */
	enum rule_action action;  /* default ACTION_ALERT */
};

/* A `quiet` entry: sends recognised as this protocol may carry these identifiers in the fields the
 * protocol defines for them (quiet.h) without an alert. */
struct quiet_def {
	char *name;
	enum quiet_protocol protocol;
	uint64_t ident_mask;
	char *why;               /* the reviewable reason, printed by `check --verbose` */
	struct str_list exes;    /* only these executables (absolute paths); empty: any */
};

struct policy {
	struct identifier_def *idents;
	size_t n_idents;
	struct rule_def *rules;
	size_t n_rules;
	struct str_list files; /* the source files, in load order */
	struct str_list property_libraries; /* top-level `property_libraries`: absolute paths */
	struct binder_def *binder_sms; /* top-level `binder_sms`: Binder methods that send an SMS */
	size_t n_binder_sms;
	/* top-level `spawners`: exe paths or comm globs of processes (zygote) whose children start
	 * with none of their identifiers held: only a value seen in a child's data is reported */
	struct str_list spawners;
	struct quiet_def *quiet; /* top-level `quiet`: protocols that carry identifiers by design */
	size_t n_quiet;
	/* top-level `derived_files.expire`: a file a holder wrote a value into stops being an
	 * identifier file this long after the value was last seen written into it; 0: never */
	uint64_t derived_expire_ns;
};

/* Parses and validates the given files into *p (zeroed first), merging them in order. Every error
 * goes to *d; returns the number of errors (0: *p is valid), or -ENOMEM. On error *p may hold a
 * partial policy: call policy_free() either way. */
int policy_load_files(struct policy *p, char *const *files, size_t n_files, struct diag_list *d);
/* Same as policy_load_files for one in-memory document; 'name' is used in diagnostics. */
int policy_load_string(struct policy *p, const char *name, const char *text, struct diag_list *d);
void policy_free(struct policy *p);

const struct identifier_def *policy_find_identifier(const struct policy *p, const char *name);
const char *rule_action_name(enum rule_action a);
/* Whether addr (network order, 4 or 16 bytes by family) lies in one of the filter's CIDRs. */
int dest_filter_has_addr(const struct dest_filter *f, int family, const uint8_t *addr);
int dest_filter_has_port(const struct dest_filter *f, uint16_t port);
/* Whether a process is listed in a rule's processes.except. */
int rule_excepts_process(const struct rule_def *r, const struct proc_identity *id);
/* Whether a process is one of the policy's spawners. */
int policy_is_spawner(const struct policy *p, const char *exe, const char *comm);
/* Whether a quiet entry applies to a process running exe (NULL: unknown). */
int quiet_applies_to(const struct quiet_def *q, const char *exe);

#endif
