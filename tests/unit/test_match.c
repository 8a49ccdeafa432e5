/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* test_match: checks the Aho-Corasick matcher against known cases and a naive search. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "match.h"
#include "testlib.h"

struct hit {
	uint32_t tag;
	long offset;
	size_t len;
};

struct hits {
	struct hit h[8192]; /* 24 patterns x 300 text positions at most */
	size_t n;
	long base; /* added to reported offsets so that hits from several scans share one axis */
	size_t stop_after;
};

static int record(uint32_t tag, long offset, size_t len, void *ctx)
{
	struct hits *hs = ctx;

	if (hs->n < sizeof(hs->h) / sizeof(hs->h[0])) {
		hs->h[hs->n].tag = tag;
		hs->h[hs->n].offset = offset + hs->base;
		hs->h[hs->n].len = len;
	}
	hs->n++;
	return hs->stop_after && hs->n >= hs->stop_after;
}

static int has_hit(const struct hits *hs, uint32_t tag, long offset)
{
	size_t i;

	for (i = 0; i < hs->n; i++)
		if (hs->h[i].tag == tag && hs->h[i].offset == offset)
			return 1;
	return 0;
}

static int cmp_hit(const void *a, const void *b)
{
	const struct hit *x = a, *y = b;

	if (x->offset != y->offset)
		return x->offset < y->offset ? -1 : 1;
	if (x->tag != y->tag)
		return x->tag < y->tag ? -1 : 1;
	return 0;
}

static struct matcher *build(const char *const *pats, size_t n)
{
	struct matcher *m = matcher_new();
	size_t i;

	for (i = 0; i < n; i++) {
		size_t len = strlen(pats[i]);

		EXPECT_INT(0, matcher_add(m, (const uint8_t *)pats[i], len, (uint32_t)i));
	}
	EXPECT_INT(0, matcher_build(m));
	return m;
}

static void test_classic(void)
{
	static const char *const pats[] = { "he", "she", "his", "hers" };
	struct matcher *m = build(pats, 4);
	static struct hits hs;
	uint32_t st = 0;
	size_t n;

	memset(&hs, 0, sizeof(hs));
	EXPECT_INT(4, matcher_pattern_count(m));
	n = matcher_scan(m, &st, (const uint8_t *)"ushers", 6, record, &hs);
	EXPECT_INT(3, n);
	EXPECT_INT(3, hs.n);
	EXPECT(has_hit(&hs, 1, 1)); /* she */
	EXPECT(has_hit(&hs, 0, 2)); /* he */
	EXPECT(has_hit(&hs, 3, 2)); /* hers */
	EXPECT(!has_hit(&hs, 2, 0));
	matcher_free(m);
}

static void test_overlapping(void)
{
	static const char *const pats[] = { "aa", "aaa", "a", "abab", "bab" };
	struct matcher *m = build(pats, 5);
	static struct hits hs;
	uint32_t st = 0;

	memset(&hs, 0, sizeof(hs));
	/* "aaaa": a x4, aa x3, aaa x2 */
	EXPECT_INT(9, matcher_scan(m, &st, (const uint8_t *)"aaaa", 4, record, &hs));
	EXPECT(has_hit(&hs, 1, 0) && has_hit(&hs, 1, 1));
	EXPECT(has_hit(&hs, 0, 0) && has_hit(&hs, 0, 1) && has_hit(&hs, 0, 2));

	memset(&hs, 0, sizeof(hs));
	st = 0;
	/* "ababab": abab at 0 and 2, bab at 1 and 3, a at 0, 2, 4 */
	EXPECT_INT(7, matcher_scan(m, &st, (const uint8_t *)"ababab", 6, record, &hs));
	EXPECT(has_hit(&hs, 3, 0) && has_hit(&hs, 3, 2));
	EXPECT(has_hit(&hs, 4, 1) && has_hit(&hs, 4, 3));

	/* A nonzero callback return stops the scan after that match. */
	memset(&hs, 0, sizeof(hs));
	hs.stop_after = 2;
	st = 0;
	EXPECT_INT(2, matcher_scan(m, &st, (const uint8_t *)"ababab", 6, record, &hs));
	matcher_free(m);
}

static void test_split(void)
{
	static const char *const pats[] = { "3d1219c7c4c5404a", "c4c5" };
	struct matcher *m = build(pats, 2);
	static struct hits hs;
	uint32_t st = 0;

	memset(&hs, 0, sizeof(hs));
	EXPECT_INT(0, matcher_scan(m, &st, (const uint8_t *)"GET /?id=3d1219c7", 17, record, &hs));
	EXPECT(st != 0);
	EXPECT_INT(2, matcher_scan(m, &st, (const uint8_t *)"c4c5404a HTTP", 13, record, &hs));
	EXPECT_INT(2, hs.n);
	EXPECT(has_hit(&hs, 0, -8));
	EXPECT(has_hit(&hs, 1, 0));

	/* One byte per call: the state alone carries the partial match. */
	memset(&hs, 0, sizeof(hs));
	st = 0;
	{
		const char *text = "xx3d1219c7c4c5404a";
		size_t i, total = 0;

		for (i = 0; i < strlen(text); i++) {
			hs.base = (long)i;
			total += matcher_scan(m, &st, (const uint8_t *)text + i, 1, record, &hs);
			/* Zero-length scans must not disturb the state. */
			total += matcher_scan(m, &st, (const uint8_t *)"", 0, record, &hs);
			total += matcher_scan(m, &st, NULL, 0, record, &hs);
		}
		EXPECT_INT(2, total);
		EXPECT(has_hit(&hs, 0, 2));
		EXPECT(has_hit(&hs, 1, 10));
	}
	matcher_free(m);
}

static void test_empty(void)
{
	struct matcher *m = matcher_new();
	static struct hits hs;
	uint32_t st = 0;

	memset(&hs, 0, sizeof(hs));
	EXPECT(m != NULL);
	EXPECT_INT(0, matcher_pattern_count(m));
	EXPECT_INT(0, matcher_build(m));
	EXPECT_INT(0, matcher_scan(m, &st, (const uint8_t *)"anything at all", 15, record, &hs));
	EXPECT_INT(0, matcher_scan(m, &st, (const uint8_t *)"", 0, record, &hs));
	EXPECT_INT(0, hs.n);
	EXPECT_INT(0, st);
	matcher_free(m);
	matcher_free(NULL);
}

static void test_errors(void)
{
	struct matcher *m = matcher_new();
	uint32_t st = 0;

	EXPECT_INT(-EINVAL, matcher_add(m, (const uint8_t *)"x", 0, 1));
	EXPECT_INT(-EINVAL, matcher_add(m, NULL, 3, 1));
	EXPECT_INT(-EINVAL, matcher_add(NULL, (const uint8_t *)"abc", 3, 1));
	EXPECT_INT(0, matcher_add(m, (const uint8_t *)"abcdef", 6, 1));
	/* Scanning before build finds nothing rather than reading a table that does not exist. */
	EXPECT_INT(0, matcher_scan(m, &st, (const uint8_t *)"abcdef", 6, NULL, NULL));
	EXPECT_INT(0, matcher_build(m));
	EXPECT_INT(-EINVAL, matcher_add(m, (const uint8_t *)"ghijkl", 6, 2));
	EXPECT_INT(1, matcher_pattern_count(m));
	EXPECT_INT(0, matcher_build(m));
	EXPECT_INT(1, matcher_scan(m, &st, (const uint8_t *)"abcdef", 6, NULL, NULL));
	/* A corrupt carried state is reset instead of indexing outside the table. */
	st = 0x7ffffff1u;
	EXPECT_INT(1, matcher_scan(m, &st, (const uint8_t *)"abcdef", 6, NULL, NULL));
	EXPECT_INT(-EINVAL, matcher_build(NULL));
	matcher_free(m);
}

static void test_binary_and_duplicates(void)
{
	static const uint8_t mac[6] = { 0x00, 0x1b, 0x00, 0x00, 0xff, 0x01 };
	static const uint8_t nul2[2] = { 0, 0 };
	static const uint8_t buf[] = { 0x00, 0x00, 0x1b, 0x00, 0x00, 0xff, 0x01, 0x00, 0x00 };
	struct matcher *m = matcher_new();
	static struct hits hs;
	uint32_t st = 0;

	memset(&hs, 0, sizeof(hs));
	EXPECT_INT(0, matcher_add(m, mac, sizeof(mac), 7));
	EXPECT_INT(0, matcher_add(m, mac, sizeof(mac), 8));
	EXPECT_INT(0, matcher_add(m, nul2, sizeof(nul2), 9));
	EXPECT_INT(0, matcher_build(m));
	EXPECT_INT(5, matcher_scan(m, &st, buf, sizeof(buf), record, &hs));
	EXPECT(has_hit(&hs, 7, 1) && has_hit(&hs, 8, 1));
	EXPECT(has_hit(&hs, 9, 0) && has_hit(&hs, 9, 3) && has_hit(&hs, 9, 7));
	matcher_free(m);
}

/* Every byte value in a pattern exercises the table without a shared "absent" class. */
static void test_all_bytes(void)
{
	uint8_t all[256], text[300];
	struct matcher *m = matcher_new();
	uint32_t st = 0;
	static struct hits hs;
	size_t i;

	memset(&hs, 0, sizeof(hs));
	for (i = 0; i < 256; i++)
		all[i] = (uint8_t)(255 - i);
	EXPECT_INT(0, matcher_add(m, all, sizeof(all), 1));
	EXPECT_INT(0, matcher_add(m, all + 250, 6, 2));
	EXPECT_INT(0, matcher_build(m));
	memset(text, 'q', sizeof(text));
	memcpy(text + 10, all, sizeof(all));
	EXPECT_INT(2, matcher_scan(m, &st, text, sizeof(text), record, &hs));
	EXPECT(has_hit(&hs, 1, 10) && has_hit(&hs, 2, 260));
	matcher_free(m);
}

static uint32_t rng_state = 0x1d5e7717u;

static uint32_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 17;
	rng_state ^= rng_state << 5;
	return rng_state;
}

/* Small alphabets including NUL and 0xff force many overlaps and shared prefixes. */
static void test_random_vs_naive(void)
{
	static const uint8_t alphabet[] = { 'a', 'b', 'c', 0x00, 0xff };
	static struct hits got, want;
	uint8_t pats[24][8], text[300];
	size_t plen[24];
	int iter, bad = 0;

	for (iter = 0; iter < 400; iter++) {
		size_t npat = 1 + rnd() % 24, tlen = rnd() % 300, i, off;
		size_t asize = 2 + rnd() % (sizeof(alphabet) - 1), total = 0;
		struct matcher *m = matcher_new();
		uint32_t st = 0;

		for (i = 0; i < npat; i++) {
			size_t j;

			plen[i] = 1 + rnd() % 8;
			for (j = 0; j < plen[i]; j++)
				pats[i][j] = alphabet[rnd() % asize];
			if (matcher_add(m, pats[i], plen[i], (uint32_t)i))
				bad++;
		}
		if (matcher_build(m))
			bad++;
		for (i = 0; i < tlen; i++)
			text[i] = alphabet[rnd() % asize];

		memset(&want, 0, sizeof(want));
		for (i = 0; i < npat; i++) {
			const uint8_t *p = text;

			while ((p = memmem(p, tlen - (size_t)(p - text), pats[i], plen[i]))) {
				want.h[want.n].tag = (uint32_t)i;
				want.h[want.n].offset = p - text;
				want.h[want.n].len = plen[i];
				want.n++;
				p++;
			}
		}

		/* Random chunking checks that carried state and negative offsets line up. */
		memset(&got, 0, sizeof(got));
		for (off = 0; off < tlen || off == 0;) {
			size_t chunk = rnd() % 40;

			if (chunk > tlen - off)
				chunk = tlen - off;
			got.base = (long)off;
			total += matcher_scan(m, &st, text + off, chunk, record, &got);
			off += chunk;
			if (tlen == 0)
				break;
		}
		qsort(got.h, got.n, sizeof(got.h[0]), cmp_hit);
		qsort(want.h, want.n, sizeof(want.h[0]), cmp_hit);
		for (i = 0; got.n == want.n && i < want.n; i++)
			if (cmp_hit(&got.h[i], &want.h[i]) || got.h[i].len != want.h[i].len)
				break;
		if (total != want.n || got.n != want.n || i != want.n) {
			bad++;
			fprintf(stderr, "iteration %d: got %zu matches, want %zu\n", iter, got.n,
				want.n);
		}
		matcher_free(m);
	}
	EXPECT_INT(0, bad);
}

int main(void)
{
	test_classic();
	test_overlapping();
	test_split();
	test_empty();
	test_errors();
	test_binary_and_duplicates();
	test_all_bytes();
	test_random_vs_naive();
	return tl_summary("test_match");
}
