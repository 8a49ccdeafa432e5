/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* alert: writes one alert record from a description of what was seen and what was done. */
#ifndef IDSENTRY_ALERT_H
#define IDSENTRY_ALERT_H

#include <stddef.h>
#include "encode.h"

struct output;
struct policy;
struct rule_def;
struct proc;
struct destination;
struct known_value;

#define ALERT_MAX_IDENTS 16

struct alert_ident {
	unsigned int bit;
	const struct known_value *value; /* the value seen or known, or NULL */
	const char *source, *path;       /* how this process got it, when known, else the value's */
};

/* What an alert says was done: the data went (alerted), or the kernel stopped it, or the sender. */
enum alert_outcome { OUTCOME_ALERT, OUTCOME_BLOCKED, OUTCOME_KILLED, OUTCOME__COUNT };

/* "alert", "blocked", "killed": the record's action member. */
const char *alert_outcome_name(enum alert_outcome o);

struct alert_desc {
	const struct rule_def *rule;
	enum alert_outcome action; /* what actually happened */
	int confirmed;       /* a form of the value was seen in the data */
	const struct proc *proc;
	struct alert_ident idents[ALERT_MAX_IDENTS];
	size_t n_idents;
	const struct destination *dst;
	const char *channel; /* "socket", "dns", "tls", ... */
	const char *layer;   /* SMS: "binder" (the app's call) or "modem" (AT+CMGS), else NULL */
	enum encoding enc;   /* when confirmed */
	long offset;         /* when confirmed: where the form starts in the sampled data */
	const char *call;    /* syscall or hook that carried the data */
	long long bytes;     /* bytes the call moved, -1 when unknown */
	long long sampled;   /* bytes of it that were inspected, -1 when none */
	const char *hook;    /* the enforcement hook that acted, or NULL */
	const char *seen_by; /* the hook that reported a send other than its syscall's, or NULL */
	const char *lineage; /* how the taint reached this process, or NULL */
	const char *note;    /* evidence.note: anything a reader must know, or NULL */
};

struct android_packages;
struct alert_aggregator;

struct alert_sink {
	struct output *out;
	const struct policy *policy;
	int show_values;
	struct android_packages *packages; /* uid → app on Android, or NULL */
	struct alert_aggregator *agg;      /* folds repeats, or NULL to write every alert */
};

void alert_write(const struct alert_sink *s, const struct alert_desc *a);
struct json;
/* The alert's members from "type" to "lineage", into j (left open for output_write to close);
 * alert_write's record, without the folding and the sinks. */
void alert_record(struct json *j, const struct alert_sink *s, const struct alert_desc *a);
/* "3d12…fda4": enough to recognise a value, too little to leak it. Writes into buf. */
void redact_value(const uint8_t *value, size_t len, char *buf, size_t size);
/* Suspected alerts are weaker evidence than confirmed ones: one step down. */
const char *lower_severity(const char *severity);

#endif
