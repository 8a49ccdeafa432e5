/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* learn: the values processes received, from what the kernel saw them read: identifier files
 * (whole, or tables of several values), ioctl, property and Binder replies, modem AT replies,
 * rtnetlink dumps; and files a holder wrote a value into (derived files). Learning never judges:
 * the detector only reads what was learnt. */
#ifndef IDSENTRY_LEARN_H
#define IDSENTRY_LEARN_H

#include "idsentry.h"

struct value_store;
struct proctable;
struct binder_table;
struct derived_set;
struct modem_tracker;
struct policy;
struct watch_set;
struct output;

/* Where what is learnt goes, and what it is learnt against. */
struct learner {
	struct value_store *values;
	struct proctable *procs;      /* each process notes how it got a value */
	struct binder_table *binder;  /* the layouts of Binder replies */
	struct derived_set *derived;
	struct modem_tracker *modem;  /* AT commands waiting for their reply */
	const struct policy *policy;
	const struct watch_set *watches; /* registered identifier files, for their paths */
	struct output *out;           /* derived_file records */
};

/* What the caller must do after learning (bits). */
enum learn_result {
	LEARNT_FOLLOW = 1 << 0, /* a process got a value no open announced: follow it from now on */
	LEARNT_FILE = 1 << 1,   /* a file became an identifier file: register it */
};

/* EVENT_IDENT_READ. Returns enum learn_result bits. */
unsigned int learn_ident_read(const struct learner *l, const struct ident_read_event *ev);
/* EVENT_RECV of an rtnetlink reply listing links or neighbours. */
unsigned int learn_netlink_reply(const struct learner *l, const struct send_event *ev);
/* EVENT_SEND with SEND_TO_FILE: a holder wrote into a regular file. */
unsigned int learn_file_write(const struct learner *l, const struct send_event *ev);

#endif
