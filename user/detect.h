/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* detect: applies the policy's rules to a tainted process's send and writes the alerts. */
#ifndef IDSENTRY_DETECT_H
#define IDSENTRY_DETECT_H

#include <stddef.h>
#include <stdint.h>
#include "alert.h"
#include "sms.h"

struct value_store;
struct proctable;
struct send_event;
struct hostcache;
struct enforcer;

#define MAX_RULE_COUNTERS 64

struct rule_counters {
	unsigned long long alerts, blocked, killed;
	unsigned long long by[2][OUTCOME__COUNT]; /* [confirmed][enum alert_outcome] */
};

/* SMS the app layer (Binder) reported lately: the modem-level AT+CMGS of the same message is
 * not a second leak by another process. */
#define DETECT_RECENT_SMS 16
#define DETECT_SMS_SAME_NS (120ULL * 1000000000ULL)

struct recent_sms {
	uint64_t ts_ns;
	uint64_t text_hash;
	char number[32];
};

struct detector {
	struct alert_sink sink;
	struct value_store *values;
	struct proctable *procs;
	struct hostcache *hosts;
	struct enforcer *enf;
	unsigned long long confirmed, suspected;
	struct rule_counters rules[MAX_RULE_COUNTERS]; /* by policy rule index */
	struct recent_sms recent_sms[DETECT_RECENT_SMS];
	unsigned int next_sms;
	unsigned long long sms_seen_above; /* modem SMS already reported at the Binder layer */
};


/* ev holds sample_len sample bytes (checked by the caller). */
void detect_send(struct detector *d, const struct send_event *ev);
struct event_header;
/* An SMS (number, decoded text): alerts when the text holds a value of an identifier in
 * taint_mask (suspected, once per number, when it holds none). A modem-level SMS that repeats
 * one the Binder layer reported is counted, not alerted again. */
void detect_sms(struct detector *d, const struct sms_send *s);
/* A DNS answer a tainted process received: remembers which names its addresses have. */
void detect_learn_hosts(struct detector *d, const struct send_event *ev);

struct json;
struct alert_aggregator;
/* The alert counts as the 'alerts' member (with the aggregator's written and folded records),
 * and the per-rule counts as 'rules'. */
void detect_describe(const struct detector *d, const struct alert_aggregator *agg,
		     struct json *j);

#endif
