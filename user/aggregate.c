// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* aggregate: folds repeats of one alert into a counted record, so floods stay readable.
 *
 * The first alert of a kind is written at once; its repeats within the window are only counted,
 * and when the window ends one record says how many there were ("count", "aggregated": true). A
 * flood of 50,000 identical sends a second thus gives a line every window, not 50,000. */
#include <stdlib.h>
#include <string.h>
#include "aggregate.h"
#include "json.h"
#include "output.h"

static uint64_t hash_key(const struct agg_key *k)
{
	const unsigned char *p = (const unsigned char *)k;
	uint64_t h = 1469598103934665603ULL;
	size_t i;

	for (i = 0; i < sizeof(*k); i++)
		h = (h ^ p[i]) * 1099511628211ULL;
	return h;
}

static struct agg_slot *slot_of(struct alert_aggregator *g, const struct agg_key *k)
{
	return &g->slots[hash_key(k) % AGGREGATE_SLOTS];
}

/* The remembered record's members under a fresh ts, then the count of repeats. */
static void write_counted(struct agg_slot *s, struct output *o)
{
	struct json j;

	json_init(&j);
	json_record_begin(&j, s->record->type);
	json_members(&j, s->record);
	json_uint(&j, "count", s->repeats);
	json_bool(&j, "aggregated", 1);
	output_write(o, &j);
	json_free(&j);
}

int aggregate_repeat(struct alert_aggregator *g, const struct agg_key *k, uint64_t now_ns)
{
	struct agg_slot *s = slot_of(g, k);

	if (!s->used || memcmp(&s->key, k, sizeof(*k)) || now_ns - s->since_ns >= AGGREGATE_WINDOW_NS)
		return 0;
	s->repeats++;
	g->folded++;
	return 1;
}

void aggregate_written(struct alert_aggregator *g, struct output *o, const struct agg_key *k,
		       struct json *rec, uint64_t now_ns)
{
	struct agg_slot *s = slot_of(g, k);

	/* a different kind took the slot: its pending count goes out first */
	if (s->used && s->repeats)
		write_counted(s, o);
	if (!s->record)
		s->record = malloc(sizeof(*s->record));
	else
		json_free(s->record);
	s->used = s->record != NULL;
	if (s->used) {
		*s->record = *rec;
		json_init(rec);
	}
	s->key = *k;
	s->since_ns = now_ns;
	s->repeats = 0;
	g->written++;
}

void aggregate_flush(struct alert_aggregator *g, struct output *o, uint64_t now_ns, int all)
{
	size_t i;

	for (i = 0; i < AGGREGATE_SLOTS; i++) {
		struct agg_slot *s = &g->slots[i];

		if (!s->used || !s->repeats)
			continue;
		if (!all && now_ns - s->since_ns < AGGREGATE_WINDOW_NS)
			continue;
		write_counted(s, o);
		/* the next window counts on from here */
		s->repeats = 0;
		s->since_ns = now_ns;
	}
}

void aggregate_free(struct alert_aggregator *g)
{
	size_t i;

	for (i = 0; i < AGGREGATE_SLOTS; i++) {
		if (g->slots[i].record)
			json_free(g->slots[i].record);
		free(g->slots[i].record);
	}
	memset(g, 0, sizeof(*g));
}
