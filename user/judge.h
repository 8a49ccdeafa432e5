/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* judge: the one rule loop. Whatever a tainted process sent, or tried to (a socket send, an SMS,
 * a raw socket, a send the kernel stopped), comes here as a sighting; each rule that covers its
 * identifiers decides on an alert, and the alert is written and counted. */
#ifndef IDSENTRY_JUDGE_H
#define IDSENTRY_JUDGE_H

#include <stdint.h>
#include "alert.h"
#include "detect.h"
#include "proctable.h"
#include "values.h"

struct sighting {
	struct proc *proc;
	const struct destination *dst;
	uint64_t taint_mask;          /* what the process held when it sent */
	uint64_t taint_ns;            /* when it got it (rules' windows count from there) */
	uint64_t ts_ns;               /* when it sent */
	const struct value_hit *hits; /* forms of values found in what it sent */
	int n_hits;
	enum alert_outcome outcome;   /* OUTCOME_ALERT, or what the kernel did */
	int verdict_rule;             /* the policy rule whose verdict the outcome is, or -1 */
	int dest_filtered;            /* rules' destination exceptions apply (an address) */
	uint64_t forgiven;            /* identifiers no ground for suspicion here (quiet entries) */
	int no_suspicion;             /* only a value seen makes an alert (a DNS name, a handshake) */
	struct suspect_key suspect;   /* a suspicion is reported once per process, rule and this */
	const char *quiet_note;       /* evidence.note for a value seen inside a quiet protocol */
	struct alert_desc desc;       /* what the alert says of the send: channel, call, bytes… */
};

/* Applies every rule to the sighting; writes and counts the alerts they decide. */
void judge(struct detector *d, const struct sighting *s);

#endif
