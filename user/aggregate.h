/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* aggregate: folds repeats of one alert into a counted record, so floods stay readable. */
#ifndef IDSENTRY_AGGREGATE_H
#define IDSENTRY_AGGREGATE_H

#include <stddef.h>
#include <stdint.h>

struct json;
struct output;

#define AGGREGATE_SLOTS 4096
#define AGGREGATE_WINDOW_NS (2ULL * 1000000000ULL)

/* What makes two alerts the same: process, rule, identifiers, destination, outcome. */
struct agg_key {
	uint64_t idents;
	uint32_t tgid;
	uint32_t rule;
	uint8_t addr[16];
	uint16_t port;
	uint8_t family;
	uint8_t confirmed;
	uint8_t encoding; /* how the value was seen, when confirmed */
	uint8_t action; /* enum alert_outcome */
	uint8_t pad[6];
	char channel[8];
};

struct agg_slot {
	struct agg_key key;
	uint64_t since_ns;         /* when the record last written was */
	unsigned long long repeats; /* alerts like it since then, not written */
	struct json *record;       /* that record, to re-issue with a count */
	int used;
};

struct alert_aggregator {
	struct agg_slot slots[AGGREGATE_SLOTS];
	unsigned long long written, folded;
};

/* Whether an alert repeats one written less than AGGREGATE_WINDOW_NS ago; if so it is counted
 * and must not be written. */
int aggregate_repeat(struct alert_aggregator *g, const struct agg_key *k, uint64_t now_ns);
/* Remembers an alert just written as the one repeats are counted against: takes the record
 * (*rec is left empty, for json_free). */
void aggregate_written(struct alert_aggregator *g, struct output *o, const struct agg_key *k,
		       struct json *rec, uint64_t now_ns);
/* Writes a counted record for every slot whose window has passed with repeats (all: every slot
 * with repeats, e.g. at exit). */
void aggregate_flush(struct alert_aggregator *g, struct output *o, uint64_t now_ns, int all);
void aggregate_free(struct alert_aggregator *g);

#endif
