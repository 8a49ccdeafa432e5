// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* aggregate: folds repeats of one alert into a counted record, so floods stay readable.
 *
 * The first alert of a kind is written at once; its repeats within the window are only counted,
 * and when the window ends one record says how many there were ("count", "aggregated": true). A
 * flood of 50,000 identical sends a second thus gives a line every window, not 50,000. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
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

/* The remembered record with a fresh ts and the count of repeats. */
static void write_counted(struct agg_slot *s, struct output *o)
{
	const char *ts_key = "\"ts\":\"";
	char *at = strstr(s->json, ts_key), *line;
	struct timespec now;
	struct json j;
	char ts[64];
	int n;

	if (!at)
		return;
	clock_gettime(CLOCK_REALTIME, &now);
	format_rfc3339(&now, ts, sizeof(ts));
	/* everything after the old ts value, without the closing brace */
	at += strlen(ts_key);
	at = strchr(at, '"');
	if (!at)
		return;
	n = asprintf(&line, "{\"type\":\"alert\",\"ts\":\"%s%.*s,\"count\":%llu,\"aggregated\":true",
		     ts, (int)(strlen(at) - 1), at, s->repeats);
	if (n < 0)
		return;
	json_init(&j);
	j.s = line;
	j.len = n;
	j.cap = n + 1;
	j.depth = 1;
	j.count[0] = 1;
	output_write(o, &j); /* closes the object */
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
		       const char *json, uint64_t now_ns)
{
	struct agg_slot *s = slot_of(g, k);

	/* a different kind took the slot: its pending count goes out first */
	if (s->used && s->repeats)
		write_counted(s, o);
	free(s->json);
	s->json = strdup(json);
	s->key = *k;
	s->since_ns = now_ns;
	s->repeats = 0;
	s->used = s->json != NULL;
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

	for (i = 0; i < AGGREGATE_SLOTS; i++)
		free(g->slots[i].json);
	memset(g, 0, sizeof(*g));
}
