// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* values: identifier values learnt so far, and one matcher over every encoded form of them. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "match.h"
#include "values.h"

/* Sources any process can make say what it likes: everything but the policy's files. */
static int drivable(const char *source)
{
	return source && strcmp(source, "file");
}

/* When identifier bit already has VALUES_MAX_DRIVABLE drivable values, copy takes the place of
 * the oldest (its index stays valid for whoever noted it); returns 1 then, else 0. */
static int replace_oldest(struct value_store *s, unsigned int bit, const char *source,
			  const char *path, uint8_t *copy, size_t len)
{
	size_t i, count = 0, oldest = 0;
	char *src, *p;

	for (i = 0; i < s->n; i++) {
		if (s->values[i].bit != bit || !drivable(s->values[i].source))
			continue;
		if (!count++ || s->values[i].seq < s->values[oldest].seq)
			oldest = i;
	}
	if (count < VALUES_MAX_DRIVABLE)
		return 0;
	src = strdup(source);
	p = path ? strdup(path) : NULL;
	if (!src || (path && !p)) {
		free(src);
		free(p);
		return 0; /* appended instead */
	}
	free(s->values[oldest].bytes);
	free(s->values[oldest].source);
	free(s->values[oldest].path);
	s->values[oldest].bytes = copy;
	s->values[oldest].len = len;
	s->values[oldest].source = src;
	s->values[oldest].path = p;
	s->values[oldest].seq = ++s->seq;
	s->last = (long)oldest;
	s->replaced++;
	s->dirty = 1;
	return 1;
}

int values_learn(struct value_store *s, unsigned int bit, const char *source, const char *path,
		 const uint8_t *raw, size_t len)
{
	uint8_t local[512], *copy = local; /* values already known cost no allocation */
	struct known_value *v;
	int known;
	size_t i;

	if (len + 1 > sizeof(local)) {
		copy = malloc(len + 1);
		if (!copy)
			return -ENOMEM;
	}
	memcpy(copy, raw, len);
	len = value_normalize(copy, len);
	copy[len] = 0;
	known = !len || value_is_placeholder(copy, len);
	s->last = -1;
	for (i = 0; !known && i < s->n; i++) {
		known = s->values[i].bit == bit && s->values[i].len == len &&
			!memcmp(s->values[i].bytes, copy, len);
		if (known)
			s->last = (long)i;
	}
	if (known) {
		if (copy != local)
			free(copy);
		return 0;
	}
	if (copy == local) {
		copy = malloc(len + 1);
		if (!copy)
			return -ENOMEM;
		memcpy(copy, local, len + 1);
	}
	if (drivable(source) && replace_oldest(s, bit, source, path, copy, len))
		return 1;
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 16;
		struct known_value *p = realloc(s->values, cap * sizeof(*p));

		if (!p) {
			free(copy);
			return -ENOMEM;
		}
		s->values = p;
		s->cap = cap;
	}
	v = &s->values[s->n];
	v->seq = ++s->seq;
	v->bit = bit;
	v->bytes = copy;
	v->len = len;
	v->source = strdup(source ? source : "file");
	v->path = path ? strdup(path) : NULL;
	s->last = (long)s->n;
	s->n++;
	s->dirty = 1;
	return 1;
}

/* Rebuilds the automaton over every form of every value; tags index pattern_value/pattern_enc. */
static int rebuild(struct value_store *s)
{
	struct matcher *m = matcher_new();
	size_t i, j, total = 0;
	int err = 0;

	if (!m)
		return -ENOMEM;
	free(s->pattern_value);
	free(s->pattern_enc);
	s->pattern_value = NULL;
	s->pattern_enc = NULL;
	s->n_patterns = 0;
	for (i = 0; i < s->n && !err; i++) {
		struct form_list forms = {};
		uint32_t *pv;
		enum encoding *pe;

		err = value_forms(s->values[i].bytes, s->values[i].len, &forms);
		if (err)
			break;
		pv = realloc(s->pattern_value, (total + forms.n) * sizeof(*pv));
		pe = realloc(s->pattern_enc, (total + forms.n) * sizeof(*pe));
		if (pv)
			s->pattern_value = pv;
		if (pe)
			s->pattern_enc = pe;
		if (!pv || !pe) {
			form_list_free(&forms);
			err = -ENOMEM;
			break;
		}
		for (j = 0; j < forms.n && !err; j++) {
			s->pattern_value[total] = i;
			s->pattern_enc[total] = forms.items[j].enc;
			err = matcher_add(m, forms.items[j].bytes, forms.items[j].len, total);
			total++;
		}
		form_list_free(&forms);
	}
	if (!err)
		err = matcher_build(m);
	if (err) {
		matcher_free(m);
		return err;
	}
	matcher_free(s->m);
	s->m = m;
	s->n_patterns = total;
	s->dirty = 0;
	s->generation++;
	return 0;
}

struct scan_ctx {
	struct value_store *s;
	const struct scan_filter *filter;
	uint64_t mask;
	struct value_hit *hits;
	size_t n, max;
};

static int on_match(uint32_t tag, long offset, size_t pattern_len, void *arg)
{
	struct scan_ctx *c = arg;
	const struct known_value *v = &c->s->values[c->s->pattern_value[tag]];
	size_t i;

	if (!(c->mask & (1ULL << v->bit)))
		return 0;
	if (c->filter && c->filter->skip(c->filter->ctx, v->bit, offset, pattern_len))
		return 0;
	for (i = 0; i < c->n; i++) {
		if (c->hits[i].value != v)
			continue;
		/* prefer the plainest encoding seen at the earliest place */
		if (offset < c->hits[i].offset) {
			c->hits[i].offset = offset;
			c->hits[i].enc = c->s->pattern_enc[tag];
		}
		return 0;
	}
	if (c->n < c->max) {
		c->hits[c->n].value = v;
		c->hits[c->n].enc = c->s->pattern_enc[tag];
		c->hits[c->n].offset = offset;
		c->n++;
	}
	return 0;
}

/* The kept scan of these bytes from this state with this mask, if any (see struct scan_memo). */
static const struct scan_memo *memo_find(const struct value_store *s, uint32_t state_in,
					 const uint8_t *buf, size_t len, uint64_t mask, size_t max)
{
	unsigned int k;

	for (k = 0; k < SCAN_MEMO_ENTRIES; k++) {
		const struct scan_memo *mm = &s->memo[k];

		if (mm->valid && mm->generation == s->generation && mm->mask == mask &&
		    mm->state_in == state_in && mm->len == len && mm->max == max &&
		    (!len || !memcmp(mm->bytes, buf, len)))
			return mm;
	}
	return NULL;
}

/* Keeps a scan in place of the oldest kept one. */
static void memo_keep(struct value_store *s, uint32_t state_in, uint32_t state_out,
		      const uint8_t *buf, size_t len, uint64_t mask, size_t max,
		      const struct value_hit *hits, int n)
{
	struct scan_memo *mm = &s->memo[s->memo_next++ % SCAN_MEMO_ENTRIES];

	mm->valid = 1;
	mm->generation = s->generation;
	mm->mask = mask;
	mm->state_in = state_in;
	mm->state_out = state_out;
	mm->len = len;
	mm->max = max;
	mm->n = n;
	memcpy(mm->hits, hits, n * sizeof(*hits));
	if (len)
		memcpy(mm->bytes, buf, len);
}

int values_scan_stream(struct value_store *s, struct scan_stream *st, const uint8_t *buf,
		       size_t len, uint64_t mask, struct value_hit *hits, size_t max)
{
	return values_scan_filtered(s, st, buf, len, mask, NULL, hits, max);
}

int values_scan_filtered(struct value_store *s, struct scan_stream *st, const uint8_t *buf,
			 size_t len, uint64_t mask, const struct scan_filter *filter,
			 struct value_hit *hits, size_t max)
{
	struct scan_ctx c = { .s = s, .filter = filter, .mask = mask, .hits = hits, .max = max };
	uint32_t state_in;
	int memo_ok;

	if (s->dirty || !s->m) {
		int err = rebuild(s);

		if (err)
			return err;
	}
	/* a state of an automaton since rebuilt means nothing: start over */
	if (st->generation != s->generation) {
		st->state = 0;
		st->generation = s->generation;
	}
	memo_ok = !filter && len <= SCAN_MEMO_BYTES && max <= SCAN_MEMO_HITS && (buf || !len);
	if (memo_ok) {
		const struct scan_memo *mm = memo_find(s, st->state, buf, len, mask, max);

		if (mm) {
			memcpy(hits, mm->hits, mm->n * sizeof(*hits));
			st->state = mm->state_out;
			s->memo_hits++;
			return mm->n;
		}
	}
	state_in = st->state;
	matcher_scan(s->m, &st->state, buf, len, on_match, &c);
	if (memo_ok)
		memo_keep(s, state_in, st->state, buf, len, mask, max, hits, c.n);
	return c.n;
}

int values_scan(struct value_store *s, const uint8_t *buf, size_t len, uint64_t mask,
		struct value_hit *hits, size_t max)
{
	struct scan_stream fresh = { .generation = ~0ULL };

	return values_scan_stream(s, &fresh, buf, len, mask, hits, max);
}

const struct known_value *values_any_of(const struct value_store *s, unsigned int bit)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (s->values[i].bit == bit)
			return &s->values[i];
	return NULL;
}

void values_clear(struct value_store *s)
{
	uint64_t gen, epoch;
	size_t i;

	for (i = 0; i < s->n; i++) {
		free(s->values[i].bytes);
		free(s->values[i].source);
		free(s->values[i].path);
	}
	free(s->values);
	matcher_free(s->m);
	free(s->pattern_value);
	free(s->pattern_enc);
	gen = s->generation;
	epoch = s->epoch;
	memset(s, 0, sizeof(*s));
	/* streams scanned against the old automaton must not match the next one's generation */
	s->generation = gen + 1;
	/* nor value indexes kept from before the next one's values */
	s->epoch = epoch + 1;
	s->last = -1;
}

const struct known_value *values_at(const struct value_store *s, long index, uint64_t epoch,
				    unsigned int bit)
{
	if (index < 0 || (size_t)index >= s->n || epoch != s->epoch || s->values[index].bit != bit)
		return NULL;
	return &s->values[index];
}
