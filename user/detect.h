/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* detect: applies the policy's rules to a tainted process's send and writes the alerts. */
#ifndef IDSENTRY_DETECT_H
#define IDSENTRY_DETECT_H

#include <stddef.h>
#include <stdint.h>
#include "alert.h"

struct value_store;
struct proctable;
struct send_event;
struct hostcache;
struct enforcer;

#define MAX_RULE_COUNTERS 64

struct rule_counters {
	unsigned long long alerts, blocked, killed;
};

struct detector {
	struct alert_sink sink;
	struct value_store *values;
	struct proctable *procs;
	struct hostcache *hosts;
	struct enforcer *enf;
	unsigned long long confirmed, suspected;
	struct rule_counters rules[MAX_RULE_COUNTERS]; /* by policy rule index */
};

/* ev holds sample_len sample bytes (checked by the caller). */
void detect_send(struct detector *d, const struct send_event *ev);
struct event_header;
/* An SMS a process wrote to a modem (number, decoded text): alerts when the text holds a value
 * of an identifier in taint_mask. */
void detect_sms(struct detector *d, const struct event_header *hdr, uint64_t taint_mask,
		uint64_t taint_ns, const char *number, const uint8_t *text, size_t len);
/* A DNS answer a tainted process received: remembers which names its addresses have. */
void detect_learn_hosts(struct detector *d, const struct send_event *ev);

#endif
