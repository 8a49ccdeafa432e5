/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* detect: applies the policy's rules to a tainted process's send and writes the alerts. */
#ifndef IDSENTRY_DETECT_H
#define IDSENTRY_DETECT_H

#include <stdint.h>
#include <linux/types.h>

struct policy;
struct value_store;
struct proctable;
struct output;
struct send_event;

struct detector {
	const struct policy *policy;
	struct value_store *values;
	struct proctable *procs;
	struct output *out;
	int show_values;
	unsigned long long confirmed, suspected;
};

/* ev holds sample_len sample bytes (checked by the caller). */
void detect_send(struct detector *d, const struct send_event *ev);
/* "3d12…fda4": enough to recognise a value, too little to leak it. Writes into buf. */
void redact_value(const uint8_t *value, size_t len, char *buf, size_t size);

#endif
