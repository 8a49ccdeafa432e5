/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* match: Aho-Corasick multi-pattern search of identifier forms in outbound payload samples. */
#include "match.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/*
 * The automaton is a full DFA: failure transitions are resolved at build time, so scanning costs
 * one table load per byte and never walks failure links. Rows are indexed by byte class rather
 * than by byte: all bytes that occur in no pattern share class 0, which cuts a row from 256
 * entries to about the patterns' alphabet (~70 for hex/base64/base32/url forms). The table takes
 * states x classes x 4 bytes: a machine-id and a MAC (~100 forms, ~2900 states, 70 classes) take
 * 0.8 MB, six typical identifiers ~2.2 MB; the cap below refuses sets whose table passes 1 GiB.
 *
 * Table entries hold the next state as a row offset (id * classes), saving a multiply per byte,
 * with OUT_FLAG set when a pattern ends there (its own or a suffix's), saving a lookup per byte.
 * The scan state the caller carries is such a row offset too.
 */
#define OUT_FLAG 0x80000000u
#define STATE_MASK 0x7fffffffu
#define MAX_CELLS ((size_t)1 << 28)

struct pattern {
	uint8_t *bytes; /* freed by matcher_build: only len and tag are needed to report */
	size_t len;
	uint32_t tag;
};

struct matcher {
	struct pattern *pats;
	size_t npats, cap;
	int built;
	uint16_t cls[256];
	uint32_t ncls;
	uint32_t nstates;
	uint32_t *delta;     /* nstates * ncls: row offset of the next state, | OUT_FLAG */
	uint32_t *out_first; /* nstates + 1: slice of out_ids listing the patterns a state ends */
	uint32_t *out_ids;   /* npats pattern indices grouped by the state that ends them */
	uint32_t *out_link;  /* nearest proper-suffix state that ends a pattern, 0 if none */
};

struct matcher *matcher_new(void)
{
	return calloc(1, sizeof(struct matcher));
}

int matcher_add(struct matcher *m, const uint8_t *pattern, size_t len, uint32_t tag)
{
	struct pattern *p;

	if (!m || !pattern || len == 0 || m->built)
		return -EINVAL;
	if (len > STATE_MASK || m->npats >= STATE_MASK)
		return -E2BIG;
	if (m->npats == m->cap) {
		size_t cap = m->cap ? m->cap * 2 : 64;

		p = realloc(m->pats, cap * sizeof(*p));
		if (!p)
			return -ENOMEM;
		m->pats = p;
		m->cap = cap;
	}
	p = &m->pats[m->npats];
	p->bytes = malloc(len);
	if (!p->bytes)
		return -ENOMEM;
	memcpy(p->bytes, pattern, len);
	p->len = len;
	p->tag = tag;
	m->npats++;
	return 0;
}

static void assign_classes(struct matcher *m)
{
	uint8_t used[256] = { 0 };
	uint32_t next = 0;
	size_t i, j;

	for (i = 0; i < m->npats; i++)
		for (j = 0; j < m->pats[i].len; j++)
			used[m->pats[i].bytes[j]] = 1;
	for (i = 0; i < 256; i++)
		next += used[i];
	/* Class 0 is for bytes in no pattern; when every byte value is used, none is needed. */
	next = next == 256 ? 0 : 1;
	for (i = 0; i < 256; i++)
		m->cls[i] = used[i] ? next++ : 0;
	m->ncls = next;
}

/* Builds the goto trie; returns the number of states or 0 on failure (errno-style code in *err). */
static uint32_t build_trie(struct matcher *m, uint32_t *term, int *err)
{
	size_t rows = 64, nstates = 1, i, j;
	uint32_t *d, *grown;

	d = calloc(rows * m->ncls, sizeof(*d));
	if (!d)
		goto nomem;
	for (i = 0; i < m->npats; i++) {
		size_t s = 0;

		for (j = 0; j < m->pats[i].len; j++) {
			size_t cell = s * m->ncls + m->cls[m->pats[i].bytes[j]];

			if (!d[cell]) {
				if (nstates == rows) {
					if ((rows * 2) * m->ncls > MAX_CELLS) {
						free(d);
						*err = -E2BIG;
						return 0;
					}
					grown = realloc(d, rows * 2 * m->ncls * sizeof(*d));
					if (!grown)
						goto nomem;
					d = grown;
					memset(d + rows * m->ncls, 0, rows * m->ncls * sizeof(*d));
					rows *= 2;
				}
				d[cell] = (uint32_t)nstates++;
			}
			s = d[cell];
		}
		term[i] = (uint32_t)s;
	}
	grown = realloc(d, nstates * m->ncls * sizeof(*d));
	m->delta = grown ? grown : d;
	return (uint32_t)nstates;
nomem:
	free(d);
	*err = -ENOMEM;
	return 0;
}

int matcher_build(struct matcher *m)
{
	uint32_t *term = NULL, *fail = NULL, *queue = NULL, *d;
	uint32_t ncls, nstates, head = 0, tail = 0, s, t, c;
	size_t i;
	int err = 0;

	if (!m)
		return -EINVAL;
	if (m->built)
		return 0;
	assign_classes(m);
	ncls = m->ncls;

	term = malloc((m->npats + 1) * sizeof(*term));
	if (!term)
		return -ENOMEM;
	nstates = build_trie(m, term, &err);
	if (!nstates)
		goto out;
	m->nstates = nstates;
	d = m->delta;

	fail = calloc(nstates, sizeof(*fail));
	queue = malloc(nstates * sizeof(*queue));
	m->out_link = calloc(nstates, sizeof(*m->out_link));
	m->out_first = calloc((size_t)nstates + 1, sizeof(*m->out_first));
	m->out_ids = malloc((m->npats + 1) * sizeof(*m->out_ids));
	if (!fail || !queue || !m->out_link || !m->out_first || !m->out_ids) {
		err = -ENOMEM;
		goto out;
	}

	/* Counting sort of patterns by the state that ends them. */
	for (i = 0; i < m->npats; i++)
		m->out_first[term[i] + 1]++;
	for (s = 0; s < nstates; s++)
		m->out_first[s + 1] += m->out_first[s];
	for (i = 0; i < m->npats; i++)
		m->out_ids[m->out_first[term[i]]++] = (uint32_t)i;
	for (s = nstates; s > 0; s--)
		m->out_first[s] = m->out_first[s - 1];
	m->out_first[0] = 0;

	/*
	 * Breadth-first, so the failure state of every dequeued state, being shallower, already has
	 * its complete DFA row: a missing edge copies that row's entry, and a child's failure state
	 * is where the failure state goes on the same byte.
	 */
	for (c = 0; c < ncls; c++)
		if (d[c])
			queue[tail++] = d[c];
	while (head < tail) {
		uint32_t f;

		s = queue[head++];
		f = fail[s];
		m->out_link[s] = m->out_first[f + 1] > m->out_first[f] ? f : m->out_link[f];
		for (c = 0; c < ncls; c++) {
			size_t cell = (size_t)s * ncls + c;

			t = d[cell];
			if (t) {
				fail[t] = d[(size_t)f * ncls + c];
				queue[tail++] = t;
			} else {
				d[cell] = d[(size_t)f * ncls + c];
			}
		}
	}

	for (i = 0; i < (size_t)nstates * ncls; i++) {
		t = d[i];
		d[i] = t * ncls;
		if (m->out_first[t + 1] > m->out_first[t] || m->out_link[t])
			d[i] |= OUT_FLAG;
	}

	for (i = 0; i < m->npats; i++) {
		free(m->pats[i].bytes);
		m->pats[i].bytes = NULL;
	}
	m->built = 1;
out:
	if (err) {
		free(m->delta);
		free(m->out_link);
		free(m->out_first);
		free(m->out_ids);
		m->delta = m->out_link = m->out_first = m->out_ids = NULL;
		m->nstates = 0;
	}
	free(queue);
	free(fail);
	free(term);
	return err;
}

size_t matcher_scan(const struct matcher *m, uint32_t *state, const uint8_t *buf, size_t len,
		    match_fn fn, void *ctx)
{
	const uint32_t *d;
	const uint16_t *cls;
	size_t i, found = 0;
	uint32_t s, e;

	if (!m || !m->built || !state)
		return 0;
	if (!buf)
		len = 0;
	d = m->delta;
	cls = m->cls;
	s = *state;
	/* A state from another matcher or garbage would index outside the table. */
	if (s >= m->nstates * m->ncls || s % m->ncls)
		s = 0;

	for (i = 0; i < len; i++) {
		uint32_t id, st;

		e = d[s + cls[buf[i]]];
		s = e & STATE_MASK;
		if (!(e & OUT_FLAG))
			continue;
		id = s / m->ncls;
		for (st = id; st; st = m->out_link[st]) {
			uint32_t j;

			for (j = m->out_first[st]; j < m->out_first[st + 1]; j++) {
				const struct pattern *p = &m->pats[m->out_ids[j]];

				found++;
				if (fn && fn(p->tag, (long)(i + 1) - (long)p->len, p->len, ctx)) {
					*state = s;
					return found;
				}
			}
		}
	}
	*state = s;
	return found;
}

size_t matcher_pattern_count(const struct matcher *m)
{
	return m ? m->npats : 0;
}

void matcher_free(struct matcher *m)
{
	size_t i;

	if (!m)
		return;
	for (i = 0; i < m->npats; i++)
		free(m->pats[i].bytes);
	free(m->pats);
	free(m->delta);
	free(m->out_first);
	free(m->out_ids);
	free(m->out_link);
	free(m);
}
