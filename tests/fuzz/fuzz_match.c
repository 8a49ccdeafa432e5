// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* fuzz_match: checks the matcher against a naive search and the encoders by decoding them. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "encode.h"
#include "fuzz.h"
#include "match.h"

/*
 * Input: a flags byte (bits 0-2: patterns - 1; bit 3: fold every byte onto "abc" so patterns
 * overlap and repeat; bit 4: scan in three pieces rather than two), a byte placing the split,
 * then per pattern a length byte (1 + b % 16) and its bytes; the rest is the text.
 */
#define MAX_PATTERNS 8
#define MAX_ENCODED 256 /* encoders are linear; longer inputs add time, not coverage */

struct hit {
	uint32_t tag;
	long offset;
};

struct hits {
	struct hit *h;
	size_t n, cap;
	long base;
	const size_t *lens;
	size_t npats;
};

static int record(uint32_t tag, long offset, size_t pattern_len, void *ctx)
{
	struct hits *hs = ctx;

	FUZZ_CHECK(tag < hs->npats, "tag %u of %zu patterns", tag, hs->npats);
	FUZZ_CHECK(pattern_len == hs->lens[tag], "tag %u reported with length %zu, added with %zu",
		   tag, pattern_len, hs->lens[tag]);
	FUZZ_CHECK(hs->n < hs->cap, "more hits than occurrences can exist");
	hs->h[hs->n].tag = tag;
	hs->h[hs->n].offset = hs->base + offset;
	hs->n++;
	return 0;
}

static int hit_cmp(const void *a, const void *b)
{
	const struct hit *x = a, *y = b;

	if (x->tag != y->tag)
		return x->tag < y->tag ? -1 : 1;
	return (x->offset > y->offset) - (x->offset < y->offset);
}

static void check_matcher(uint8_t **pats, const size_t *lens, size_t npats, const uint8_t *text,
			  size_t len, size_t split, int three)
{
	struct hits got = { .lens = lens, .npats = npats }, want = { 0 };
	size_t cuts[4] = { 0, split, len, len }, i, o, found;
	struct matcher *m = matcher_new();
	uint32_t state = 0;

	if (!m)
		return;
	for (i = 0; i < npats; i++)
		FUZZ_CHECK(!matcher_add(m, pats[i], lens[i], (uint32_t)i), "matcher_add failed");
	FUZZ_CHECK(matcher_pattern_count(m) == npats, "pattern count %zu, added %zu",
		   matcher_pattern_count(m), npats);
	if (matcher_build(m)) {
		matcher_free(m);
		return;
	}
	got.cap = want.cap = npats * (len + 1);
	got.h = calloc(got.cap, sizeof(*got.h));
	want.h = calloc(want.cap, sizeof(*want.h));
	if (!got.h || !want.h)
		goto out;

	for (i = 0; i < npats; i++)
		for (o = 0; o + lens[i] <= len; o++)
			if (!memcmp(text + o, pats[i], lens[i]))
				want.h[want.n++] = (struct hit){ (uint32_t)i, (long)o };

	/* A pattern split across pieces must be found as if the text came in one piece. */
	if (three)
		cuts[1] = split / 2, cuts[2] = split;
	for (i = 0; i < 3; i++) {
		size_t before = got.n;

		got.base = (long)cuts[i];
		found = matcher_scan(m, &state, text + cuts[i], cuts[i + 1] - cuts[i], record,
				     &got);
		FUZZ_CHECK(found == got.n - before, "scan returned %zu, reported %zu", found,
			   got.n - before);
	}
	qsort(got.h, got.n, sizeof(*got.h), hit_cmp);
	qsort(want.h, want.n, sizeof(*want.h), hit_cmp);
	FUZZ_CHECK(got.n == want.n, "%zu matches, naive search finds %zu", got.n, want.n);
	for (i = 0; i < got.n; i++)
		FUZZ_CHECK(!hit_cmp(&got.h[i], &want.h[i]),
			   "match %zu: tag %u at %ld, expected %u at %ld", i, got.h[i].tag,
			   got.h[i].offset, want.h[i].tag, want.h[i].offset);
out:
	free(got.h);
	free(want.h);
	matcher_free(m);
}

/* Decodes MSB-first 'bits'-wide digits of 'alpha', '=' padding allowed only at the end. */
static size_t decode_bits(const char *s, size_t n, const char *alpha, unsigned int bits,
			  uint8_t *out)
{
	uint32_t acc = 0;
	unsigned int have = 0;
	size_t i, o = 0;
	const char *p;

	for (i = 0; i < n && s[i] != '='; i++) {
		p = memchr(alpha, s[i], (size_t)1 << bits);
		FUZZ_CHECK(p && s[i], "character %#x outside the alphabet", (unsigned char)s[i]);
		acc = (acc << bits | (uint32_t)(p - alpha)) & 0xffff;
		have += bits;
		if (have >= 8) {
			have -= 8;
			out[o++] = (uint8_t)(acc >> have);
		}
	}
	FUZZ_CHECK(!(acc & ((1u << have) - 1)), "nonzero trailing bits");
	for (; i < n; i++)
		FUZZ_CHECK(s[i] == '=', "data after padding");
	return o;
}

static void check_bits(char *s, size_t n, const uint8_t *in, size_t len, const char *alpha,
		       unsigned int bits, size_t group, const char *what)
{
	uint8_t out[MAX_ENCODED];
	size_t chars = (len * 8 + bits - 1) / bits;
	size_t want = group ? (chars + group - 1) / group * group : chars;

	FUZZ_CHECK(s != NULL, "%s returned NULL", what);
	FUZZ_CHECK(n == want && strlen(s) == n, "%s: %zu characters for %zu bytes", what, n, len);
	FUZZ_CHECK(decode_bits(s, n, alpha, bits, out) == len && !memcmp(out, in, len),
		   "%s does not decode to its input", what);
	free(s);
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	return c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

static void check_url(const uint8_t *in, size_t len)
{
	size_t n = 0, i, o = 0;
	char *s = enc_url(in, len, &n);

	FUZZ_CHECK(s && strlen(s) == n, "enc_url length");
	for (i = 0; i < n; o++) {
		if (s[i] != '%') {
			FUZZ_CHECK(o < len && (uint8_t)s[i] == in[o], "enc_url: literal at %zu", i);
			i++;
			continue;
		}
		FUZZ_CHECK(i + 2 < n && o < len, "enc_url: short escape at %zu", i);
		FUZZ_CHECK(hex_digit(s[i + 1]) >= 0 && hex_digit(s[i + 2]) >= 0 &&
				   hex_digit(s[i + 1]) * 16 + hex_digit(s[i + 2]) == in[o],
			   "enc_url: escape at %zu", i);
		i += 3;
	}
	FUZZ_CHECK(o == len, "enc_url: %zu of %zu bytes", o, len);
	free(s);
}

static void check_encoders(const uint8_t *in, size_t len)
{
	static const char b64[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	static const char b64url[] =
		"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	struct form_list forms = { 0 };
	uint8_t *norm;
	size_t n = 0, nlen, i, j;

	if (len > MAX_ENCODED)
		len = MAX_ENCODED;
	check_bits(enc_hex(in, len, 0, &n), n, in, len, "0123456789abcdef", 4, 0, "hex");
	check_bits(enc_hex(in, len, 1, &n), n, in, len, "0123456789ABCDEF", 4, 0, "HEX");
	check_bits(enc_base64(in, len, 0, 1, &n), n, in, len, b64, 6, 4, "base64");
	check_bits(enc_base64(in, len, 1, 0, &n), n, in, len, b64url, 6, 0, "base64url");
	check_bits(enc_base32(in, len, 0, 1, &n), n, in, len, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567",
		   5, 8, "base32");
	check_bits(enc_base32(in, len, 1, 0, &n), n, in, len, "abcdefghijklmnopqrstuvwxyz234567",
		   5, 0, "base32 lower");
	check_url(in, len);

	norm = malloc(len + 1);
	if (!norm)
		return;
	memcpy(norm, in, len);
	nlen = value_normalize(norm, len);
	FUZZ_CHECK(nlen <= len, "normalized to %zu of %zu bytes", nlen, len);
	value_is_placeholder(norm, nlen);
	if (value_forms(norm, nlen, &forms) == 0) {
		for (i = 0; i < forms.n; i++) {
			const struct form *f = &forms.items[i];

			FUZZ_CHECK(f->bytes && f->len >= FORM_MIN_BYTES, "form %zu: %zu bytes", i,
				   f->len);
			FUZZ_CHECK((unsigned int)f->enc < ENC__COUNT &&
					   strcmp(encoding_name(f->enc), "unknown"),
				   "form %zu: encoding %d", i, f->enc);
			for (j = 0; j < i; j++)
				FUZZ_CHECK(forms.items[j].len != f->len ||
						   memcmp(forms.items[j].bytes, f->bytes, f->len),
					   "forms %zu and %zu are equal", j, i);
		}
		/* A value long enough to be a form is its own first form. */
		if (nlen >= FORM_MIN_BYTES)
			FUZZ_CHECK(forms.n && forms.items[0].len == nlen &&
					   !memcmp(forms.items[0].bytes, norm, nlen),
				   "the value is not among its forms");
	}
	form_list_free(&forms);
	free(norm);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *pats[MAX_PATTERNS] = { 0 }, *text = NULL;
	size_t lens[MAX_PATTERNS], npats = 0, want, i, j, len, split;
	int fold, three;

	if (size < 2)
		return 0;
	want = (data[0] & 7) + 1;
	fold = data[0] & 8;
	three = data[0] & 16;
	split = data[1];
	data += 2;
	size -= 2;
	while (npats < want && size >= 2 && (size_t)(data[0] % 16) + 1 <= size - 1) {
		lens[npats] = data[0] % 16 + 1;
		pats[npats] = malloc(lens[npats]);
		if (!pats[npats])
			goto out;
		memcpy(pats[npats], data + 1, lens[npats]);
		data += lens[npats] + 1;
		size -= lens[npats] + 1;
		npats++;
	}
	len = size;
	text = malloc(len ? len : 1);
	if (!text)
		goto out;
	memcpy(text, data, len);
	if (fold) {
		for (i = 0; i < npats; i++)
			for (j = 0; j < lens[i]; j++)
				pats[i][j] = 'a' + pats[i][j] % 3;
		for (i = 0; i < len; i++)
			text[i] = 'a' + text[i] % 3;
	}
	split = len * split / 255;
	if (npats)
		check_matcher(pats, lens, npats, text, len, split, three);
	check_encoders(data, len);
out:
	for (i = 0; i < npats; i++)
		free(pats[i]);
	free(text);
	return 0;
}
