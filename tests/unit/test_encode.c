/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* test_encode: checks the building-block encoders and the forms derived from identifier values. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "encode.h"
#include "testlib.h"

#define MACHINE_ID "3d1219c7c4c5404aaa1f6d2a48adfda4"
#define MAC "aa:bb:cc:dd:ee:ff"

static const uint8_t machine_id_raw[16] = { 0x3d, 0x12, 0x19, 0xc7, 0xc4, 0xc5, 0x40, 0x4a,
					    0xaa, 0x1f, 0x6d, 0x2a, 0x48, 0xad, 0xfd, 0xa4 };
static const uint8_t mac_raw[6] = { 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff };

static uint32_t rng_state = 0x5eed1234u;

static uint32_t rnd(void)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 17;
	rng_state ^= rng_state << 5;
	return rng_state;
}

/* enc < 0: any encoding. */
static int has_form(const struct form_list *l, const char *s, int enc)
{
	size_t i, n = strlen(s);

	for (i = 0; i < l->n; i++)
		if (l->items[i].len == n && memcmp(l->items[i].bytes, s, n) == 0 &&
		    (enc < 0 || (int)l->items[i].enc == enc))
			return 1;
	return 0;
}

static int has_form_bytes(const struct form_list *l, const void *s, size_t n, int enc)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (l->items[i].len == n && memcmp(l->items[i].bytes, s, n) == 0 &&
		    (enc < 0 || (int)l->items[i].enc == enc))
			return 1;
	return 0;
}

/* Returns the number of violations of: length >= FORM_MIN_BYTES, valid tag, no duplicate. */
static int check_list_invariants(const struct form_list *l, size_t from)
{
	size_t i, j;
	int bad = 0;

	for (i = from; i < l->n; i++) {
		if (l->items[i].len < FORM_MIN_BYTES || !l->items[i].bytes ||
		    l->items[i].enc >= ENC__COUNT) {
			fprintf(stderr, "bad form %zu (len %zu)\n", i, l->items[i].len);
			bad++;
		}
		for (j = from; j < i; j++) {
			if (l->items[i].len == l->items[j].len &&
			    memcmp(l->items[i].bytes, l->items[j].bytes, l->items[i].len) == 0) {
				fprintf(stderr, "duplicate form %zu == %zu\n", i, j);
				bad++;
			}
		}
	}
	return bad;
}

static void forms_of(const char *value, struct form_list *l)
{
	EXPECT_INT(0, value_forms((const uint8_t *)value, strlen(value), l));
}

static void test_names(void)
{
	EXPECT_STR("plain", encoding_name(ENC_PLAIN));
	EXPECT_STR("hex", encoding_name(ENC_HEX));
	EXPECT_STR("base64", encoding_name(ENC_BASE64));
	EXPECT_STR("base32", encoding_name(ENC_BASE32));
	EXPECT_STR("url", encoding_name(ENC_URL));
	EXPECT_STR("md5", encoding_name(ENC_MD5));
	EXPECT_STR("sha1", encoding_name(ENC_SHA1));
	EXPECT_STR("sha256", encoding_name(ENC_SHA256));
	EXPECT_STR("unknown", encoding_name(ENC__COUNT));
}

static void expect_b64(const char *in, int url, int pad, const char *want)
{
	size_t n = 99;
	char *s = enc_base64((const uint8_t *)in, strlen(in), url, pad, &n);

	EXPECT_STR(want, s);
	EXPECT_INT(strlen(want), n);
	free(s);
}

static void expect_b32(const char *in, int lower, int pad, const char *want)
{
	size_t n = 99;
	char *s = enc_base32((const uint8_t *)in, strlen(in), lower, pad, &n);

	EXPECT_STR(want, s);
	EXPECT_INT(strlen(want), n);
	free(s);
}

/* RFC 4648 section 10. */
static void test_rfc4648(void)
{
	static const char *const in[] = { "", "f", "fo", "foo", "foob", "fooba", "foobar" };
	static const char *const b64[] = { "", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=",
					   "Zm9vYmFy" };
	static const char *const b64_nopad[] = { "", "Zg", "Zm8", "Zm9v", "Zm9vYg", "Zm9vYmE",
						 "Zm9vYmFy" };
	static const char *const b32[] = { "", "MY======", "MZXQ====", "MZXW6===", "MZXW6YQ=",
					   "MZXW6YTB", "MZXW6YTBOI======" };
	static const char *const b32_lower_nopad[] = { "", "my", "mzxq", "mzxw6", "mzxw6yq",
						       "mzxw6ytb", "mzxw6ytboi" };
	static const uint8_t high[3] = { 0xfb, 0xff, 0xbf };
	size_t i, n;
	char *s;

	for (i = 0; i < sizeof(in) / sizeof(in[0]); i++) {
		expect_b64(in[i], 0, 1, b64[i]);
		expect_b64(in[i], 1, 1, b64[i]);
		expect_b64(in[i], 0, 0, b64_nopad[i]);
		expect_b32(in[i], 0, 1, b32[i]);
		expect_b32(in[i], 1, 0, b32_lower_nopad[i]);
	}

	/* The characters where the standard and URL-safe alphabets differ. */
	s = enc_base64(high, 3, 0, 1, &n);
	EXPECT_STR("+/+/", s);
	free(s);
	s = enc_base64(high, 3, 1, 1, &n);
	EXPECT_STR("-_-_", s);
	free(s);
	s = enc_base64(mac_raw, 6, 0, 1, &n);
	EXPECT_STR("qrvM3e7/", s);
	free(s);
	s = enc_base32(machine_id_raw, 16, 0, 1, &n);
	EXPECT_STR("HUJBTR6EYVAEVKQ7NUVERLP5UQ======", s);
	free(s);
	s = enc_base32((const uint8_t *)MACHINE_ID, 32, 0, 1, &n);
	EXPECT_STR("GNSDCMRRHFRTOYZUMM2TIMBUMFQWCMLGGZSDEYJUHBQWIZTEME2A====", s);
	free(s);
}

static void test_hex_url(void)
{
	static const uint8_t bytes[4] = { 0x01, 0xab, 0xff, 0x00 };
	size_t n = 0;
	char *s;

	s = enc_hex(bytes, 4, 0, &n);
	EXPECT_STR("01abff00", s);
	EXPECT_INT(8, n);
	free(s);
	s = enc_hex(bytes, 4, 1, &n);
	EXPECT_STR("01ABFF00", s);
	free(s);
	s = enc_hex(bytes, 0, 1, &n);
	EXPECT_STR("", s);
	EXPECT_INT(0, n);
	free(s);
	s = enc_hex((const uint8_t *)MAC, strlen(MAC), 0, &n);
	EXPECT_STR("61613a62623a63633a64643a65653a6666", s);
	free(s);

	s = enc_url((const uint8_t *)"aa:bb cc", 8, &n);
	EXPECT_STR("aa%3Abb%20cc", s);
	EXPECT_INT(12, n);
	free(s);
	s = enc_url((const uint8_t *)"Az09-._~", 8, &n);
	EXPECT_STR("Az09-._~", s);
	free(s);
	s = enc_url((const uint8_t *)"/?\xff", 3, &n);
	EXPECT_STR("%2F%3F%FF", s);
	free(s);
}

static void test_normalize(void)
{
	uint8_t buf[64];
	size_t n;

	memcpy(buf, " \t" MACHINE_ID "\n\0\0", 37);
	n = value_normalize(buf, 37);
	EXPECT_INT(32, n);
	EXPECT(memcmp(buf, MACHINE_ID, 32) == 0);

	memcpy(buf, "  \n\0 ", 5);
	EXPECT_INT(0, value_normalize(buf, 5));
	EXPECT_INT(0, value_normalize(buf, 0));

	memcpy(buf, "a b", 3);
	EXPECT_INT(3, value_normalize(buf, 3));
}

static void test_placeholders(void)
{
	static const char *const bad[] = {
		"To Be Filled By O.E.M.",
		"Default string",
		"  Not Specified\n",
		"NOT APPLICABLE",
		"None",
		"unknown",
		"System Serial Number",
		"0123456789",
		"N/A",
		"0",
		"",
		"abc",
		"00:00:00:00:00:00",
		"ff:ff:ff:ff:ff:ff",
		"FF-FF-FF-FF-FF-FF",
		"00000000-0000-0000-0000-000000000000",
		"FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF",
		"0000000000",
		"XXXXXXXXXX",
	};
	static const char *const good[] = {
		MACHINE_ID,
		MAC,
		"4C4C4544-0052-3610-8052-B4C04F4E3732",
		"PF2ABCDE",
		"355416080123456",
		"00:1b:21:3a:4f:00",
	};
	size_t i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (!value_is_placeholder((const uint8_t *)bad[i], strlen(bad[i])))
			fprintf(stderr, "not rejected: \"%s\"\n", bad[i]);
		EXPECT(value_is_placeholder((const uint8_t *)bad[i], strlen(bad[i])));
	}
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		if (value_is_placeholder((const uint8_t *)good[i], strlen(good[i])))
			fprintf(stderr, "rejected: \"%s\"\n", good[i]);
		EXPECT(!value_is_placeholder((const uint8_t *)good[i], strlen(good[i])));
	}
}

static void test_machine_id_forms(void)
{
	struct form_list l = { 0 };

	forms_of(MACHINE_ID, &l);
	EXPECT_INT(0, check_list_invariants(&l, 0));
	EXPECT(has_form(&l, MACHINE_ID, ENC_PLAIN));
	EXPECT(has_form(&l, "3D1219C7C4C5404AAA1F6D2A48ADFDA4", ENC_PLAIN));
	/* Hex of the text, as `xxd -p` would print it. */
	EXPECT(has_form(&l, "33643132313963376334633534303461616131663664326134386164666461"
			    "34",
			ENC_HEX));
	EXPECT(has_form(&l, "M2QxMjE5YzdjNGM1NDA0YWFhMWY2ZDJhNDhhZGZkYTQ=", ENC_BASE64));
	EXPECT(has_form(&l, "M2QxMjE5YzdjNGM1NDA0YWFhMWY2ZDJhNDhhZGZkYTQ", ENC_BASE64));
	EXPECT(has_form(&l, "PRIZx8TFQEqqH20qSK39pA==", ENC_BASE64));
	EXPECT(has_form(&l, "PRIZx8TFQEqqH20qSK39pA", ENC_BASE64));
	EXPECT(has_form(&l, "HUJBTR6EYVAEVKQ7NUVERLP5UQ", ENC_BASE32));
	EXPECT(has_form(&l, "hujbtr6eyvaevkq7nuverlp5uq", ENC_BASE32));
	EXPECT(has_form(&l, "GNSDCMRRHFRTOYZUMM2TIMBUMFQWCMLGGZSDEYJUHBQWIZTEME2A",
			ENC_BASE32));

	/* From `printf %s ID | md5sum`, `printf '%s\n' ID | md5sum`, `... | xxd -r -p | md5sum` */
	EXPECT(has_form(&l, "53f3b55f2694c6e62b22d0b07a4f9ec2", ENC_MD5));
	EXPECT(has_form(&l, "53F3B55F2694C6E62B22D0B07A4F9EC2", ENC_MD5));
	EXPECT(has_form(&l, "bab3451a0bd86706b9a934651d7d4fef", ENC_MD5));
	EXPECT(has_form(&l, "60856e7c2d3082457d765e235b374f77", ENC_MD5));
	EXPECT(has_form(&l, "f7767a46386a76c454df13f192200202c13d6887", ENC_SHA1));
	EXPECT(has_form(&l, "F7767A46386A76C454DF13F192200202C13D6887", ENC_SHA1));
	EXPECT(has_form(&l, "f778dd328e0c54855c279381c3979653332a58f5", ENC_SHA1));
	EXPECT(has_form(&l, "0e0115c71d80b83795d14be01827e37176de1408", ENC_SHA1));
	EXPECT(has_form(&l, "0035969ec53f6e7f0fb40f08cc9ed4783aa99c2000cf1ebe4187c10dd0d8370f",
			ENC_SHA256));
	EXPECT(has_form(&l, "0035969EC53F6E7F0FB40F08CC9ED4783AA99C2000CF1EBE4187C10DD0D8370F",
			ENC_SHA256));
	EXPECT(has_form(&l, "34e37c21e9a2c7bc7004eea83072665d122afca990a7152576fe426bed96ab7d",
			ENC_SHA256));
	EXPECT(has_form(&l, "33e87c10b6adca842d29a2c5ad73f386feedc882306a07cca449ee931560a022",
			ENC_SHA256));
	/* `openssl dgst -binary | base64` */
	EXPECT(has_form(&l, "ADWWnsU/bn8PtA8IzJ7UeDqpnCAAzx6+QYfBDdDYNw8=", ENC_SHA256));
	EXPECT(has_form(&l, "U/O1XyaUxuYrItCwek+ewg==", ENC_MD5));
	/* Nothing to percent-encode in a hex string. */
	EXPECT(!has_form(&l, "3d1219c7c4c5404aaa1f6d2a48adfda4", ENC_URL));
	form_list_free(&l);
	EXPECT(l.items == NULL && l.n == 0);
}

static void test_mac_forms(void)
{
	struct form_list l = { 0 };

	forms_of(MAC, &l);
	EXPECT_INT(0, check_list_invariants(&l, 0));
	EXPECT(has_form(&l, MAC, ENC_PLAIN));
	EXPECT(has_form(&l, "AA:BB:CC:DD:EE:FF", ENC_PLAIN));
	EXPECT(has_form(&l, "aabbccddeeff", ENC_PLAIN));
	EXPECT(has_form(&l, "AABBCCDDEEFF", ENC_PLAIN));
	EXPECT(has_form(&l, "aa-bb-cc-dd-ee-ff", ENC_PLAIN));
	EXPECT(has_form(&l, "AA-BB-CC-DD-EE-FF", ENC_PLAIN));
	EXPECT(has_form(&l, "61613a62623a63633a64643a65653a6666", ENC_HEX));
	EXPECT(has_form(&l, "qrvM3e7/", ENC_BASE64));
	EXPECT(has_form(&l, "qrvM3e7_", ENC_BASE64));
	EXPECT(has_form(&l, "YWE6YmI6Y2M6ZGQ6ZWU6ZmY=", ENC_BASE64));
	EXPECT(has_form(&l, "YWE6YmI6Y2M6ZGQ6ZWU6ZmY", ENC_BASE64));
	EXPECT(has_form(&l, "VK54ZXPO74", ENC_BASE32));
	EXPECT(has_form(&l, "aa%3Abb%3Acc%3Add%3Aee%3Aff", ENC_URL));
	EXPECT(has_form(&l, "aa%3abb%3acc%3add%3aee%3aff", ENC_URL));
	EXPECT(has_form(&l, "66eaadc618a18802aadaaabd84b22c58", ENC_MD5));
	EXPECT(has_form(&l, "c1799564f2eefcaf63dd2e5cc08573e63856222a232dab2d91a17b232830d430",
			ENC_SHA256));
	form_list_free(&l);

	/* Upper-case dashed input reaches the same canonical forms. */
	forms_of("AA-BB-CC-DD-EE-FF", &l);
	EXPECT(has_form(&l, "aa:bb:cc:dd:ee:ff", ENC_PLAIN));
	EXPECT(has_form(&l, "aabbccddeeff", ENC_PLAIN));
	EXPECT(has_form(&l, "qrvM3e7/", ENC_BASE64));
	EXPECT(has_form(&l, "c1799564f2eefcaf63dd2e5cc08573e63856222a232dab2d91a17b232830d430",
			ENC_SHA256));
	form_list_free(&l);
}

static void test_other_forms(void)
{
	static const char *const values[] = {
		"aa:bb cc",
		"4C4C4544-0052-3610-8052-B4C04F4E3732",
		"PF2ABCDE",
		"355416080123456",
		"Serial With Spaces / and ?",
		"abcd",
	};
	struct form_list l = { 0 };
	size_t i, before;
	int bad = 0;

	forms_of("aa:bb cc", &l);
	EXPECT(has_form(&l, "aa%3Abb%20cc", ENC_URL));
	EXPECT(has_form(&l, "aa%3abb%20cc", ENC_URL));
	EXPECT(has_form(&l, "aa%3Abb+cc", ENC_URL));
	EXPECT(has_form(&l, "aabbcc", ENC_PLAIN));
	EXPECT(has_form(&l, "AABBCC", ENC_PLAIN));
	form_list_free(&l);

	forms_of("4C4C4544-0052-3610-8052-B4C04F4E3732", &l);
	EXPECT(has_form(&l, "4c4c4544005236108052b4c04f4e3732", ENC_PLAIN));
	EXPECT(has_form(&l, "4c4c4544-0052-3610-8052-b4c04f4e3732", ENC_PLAIN));
	form_list_free(&l);

	/* A non-hex serial has no raw-byte forms but still its text encodings. */
	forms_of("PF2ABCDE", &l);
	EXPECT(has_form(&l, "UEYyQUJDREU=", ENC_BASE64));
	EXPECT(has_form(&l, "pf2abcde", ENC_PLAIN));
	form_list_free(&l);

	/* Appending for several values keeps earlier forms and dedups only within one value. */
	for (i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
		before = l.n;
		forms_of(values[i], &l);
		bad += check_list_invariants(&l, before);
	}
	EXPECT_INT(0, bad);
	EXPECT(has_form(&l, "aa%3Abb%20cc", ENC_URL));
	EXPECT(has_form(&l, "abcd", -1) == 0);
	form_list_free(&l);

	EXPECT_INT(0, value_forms((const uint8_t *)"", 0, &l));
	EXPECT_INT(0, l.n);
	EXPECT_INT(-EINVAL, value_forms((const uint8_t *)"abcdef", 6, NULL));
	form_list_free(&l);
}

/* Positions of base64(prefix + v + suffix) that no choice of k-byte prefix or suffix changes. */
static size_t stable_oracle(const uint8_t *v, size_t len, size_t k, int url, char *out)
{
	uint8_t msg[128];
	char first[256];
	int agree[256];
	size_t n = 0, i, best = 0, best_at = 0, run = 0;
	int t;
	char *s;

	for (i = 0; i < sizeof(agree) / sizeof(agree[0]); i++)
		agree[i] = 1;
	first[0] = '\0';
	for (t = 0; t < 64; t++) {
		for (i = 0; i < k; i++)
			msg[i] = (uint8_t)rnd();
		memcpy(msg + k, v, len);
		for (i = 0; i < 3; i++)
			msg[k + len + i] = (uint8_t)rnd();
		s = enc_base64(msg, k + len + 3, url, 0, &n);
		if (t == 0)
			memcpy(first, s, n);
		for (i = 0; i < n; i++)
			agree[i] &= s[i] == first[i];
		free(s);
	}
	for (i = 0; i < n; i++) {
		run = agree[i] ? run + 1 : 0;
		if (run > best) {
			best = run;
			best_at = i + 1 - run;
		}
	}
	memcpy(out, first + best_at, best);
	out[best] = '\0';
	return best;
}

static int occurs_in_any(const struct form_list *l, const char *hay, size_t hlen)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (l->items[i].enc == ENC_BASE64 && memmem(hay, hlen, l->items[i].bytes,
							      l->items[i].len))
			return 1;
	return 0;
}

static void check_embedded(const char *value, const uint8_t *v, size_t len)
{
	struct form_list l = { 0 };
	char stable[2][256];
	uint8_t msg[128];
	size_t k, i, n, plen, slen;
	int url, t, missing = 0, not_found = 0, not_any = 0;
	char *s;

	forms_of(value, &l);
	for (k = 0; k < 3; k++) {
		for (url = 0; url <= 1; url++) {
			size_t sl = stable_oracle(v, len, k, url, stable[url]);

			if (sl >= FORM_MIN_BYTES && !has_form(&l, stable[url], ENC_BASE64)) {
				fprintf(stderr, "%s: alignment %zu: \"%s\" not a form\n", value, k,
					stable[url]);
				missing++;
			}
		}
		for (t = 0; t < 100; t++) {
			plen = k + 3 * (rnd() % 8);
			slen = rnd() % 20;
			for (i = 0; i < plen; i++)
				msg[i] = (uint8_t)rnd();
			memcpy(msg + plen, v, len);
			for (i = 0; i < slen; i++)
				msg[plen + len + i] = (uint8_t)rnd();
			for (url = 0; url <= 1; url++) {
				s = enc_base64(msg, plen + len + slen, url, rnd() % 2, &n);
				if (strlen(stable[url]) >= FORM_MIN_BYTES &&
				    !strstr(s, stable[url]))
					not_found++;
				if (!occurs_in_any(&l, s, n))
					not_any++;
				free(s);
			}
		}
	}
	EXPECT_INT(0, missing);
	EXPECT_INT(0, not_found);
	EXPECT_INT(0, not_any);
	form_list_free(&l);
}

static void test_embedded_base64(void)
{
	struct form_list l = { 0 };

	check_embedded(MACHINE_ID, (const uint8_t *)MACHINE_ID, 32);
	check_embedded(MACHINE_ID, machine_id_raw, sizeof(machine_id_raw));
	check_embedded(MAC, (const uint8_t *)MAC, strlen(MAC));
	check_embedded(MAC, mac_raw, sizeof(mac_raw));
	check_embedded("PF2ABCDE", (const uint8_t *)"PF2ABCDE", 8);

	/* Alignment 1 of the MAC bytes: base64("x" + B + "y") = "eKq7zN3u/3k=". */
	forms_of(MAC, &l);
	EXPECT(has_form(&l, "q7zN3u/", ENC_BASE64));
	EXPECT(has_form_bytes(&l, "q7zN3u_", 7, ENC_BASE64));
	form_list_free(&l);
}

/* The shapes real programs give 128- and 48-bit identifiers (UUID, raw bytes, a MAC as a number
 * or in Cisco's dotted form) and the escapes some encoders apply to every character. */
static void test_shapes_and_full_escapes(void)
{
	static const uint8_t mac_raw[6] = { 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff };
	static const uint8_t mid_raw[16] = { 0x3d, 0x12, 0x8a, 0x0b, 0x5c, 0x44, 0x4e, 0x7f,
					     0x9a, 0x51, 0x23, 0x6b, 0x8c, 0x0d, 0xfd, 0xa4 };
	struct form_list l = { 0 };

	EXPECT_STR("uuid", encoding_name(ENC_UUID));
	EXPECT_STR("raw", encoding_name(ENC_RAW));
	EXPECT_STR("json-escape", encoding_name(ENC_JSON));
	EXPECT_STR("decimal", encoding_name(ENC_DECIMAL));

	forms_of(MAC, &l);
	EXPECT_INT(0, check_list_invariants(&l, 0));
	EXPECT(has_form_bytes(&l, mac_raw, 6, ENC_RAW));
	EXPECT(has_form(&l, "187723572702975", ENC_DECIMAL)); /* 0xaabbccddeeff */
	EXPECT(has_form(&l, "aabb.ccdd.eeff", ENC_PLAIN));
	EXPECT(has_form(&l, "AABB.CCDD.EEFF", ENC_PLAIN));
	EXPECT(has_form(&l, "%61%61%3A%62%62%3A%63%63%3A%64%64%3A%65%65%3A%66%66", ENC_URL));
	EXPECT(has_form(&l, "%61%61%3a%62%62%3a%63%63%3a%64%64%3a%65%65%3a%66%66", ENC_URL));
	EXPECT(has_form(&l, "\\u0061\\u0061\\u003a\\u0062\\u0062\\u003a\\u0063\\u0063"
			    "\\u003a\\u0064\\u0064\\u003a\\u0065\\u0065\\u003a\\u0066"
			    "\\u0066", ENC_JSON));
	form_list_free(&l);

	forms_of("3d128a0b5c444e7f9a51236b8c0dfda4", &l);
	EXPECT_INT(0, check_list_invariants(&l, 0));
	EXPECT(has_form(&l, "3d128a0b-5c44-4e7f-9a51-236b8c0dfda4", ENC_UUID));
	EXPECT(has_form(&l, "3D128A0B-5C44-4E7F-9A51-236B8C0DFDA4", ENC_UUID));
	EXPECT(has_form_bytes(&l, mid_raw, 16, ENC_RAW));
	/* no decimal for a 128-bit value: only MACs are written as one number */
	EXPECT(!has_form(&l, "0", ENC_DECIMAL));
	form_list_free(&l);

	/* a product_uuid read in UUID form gives the raw bytes too */
	forms_of("3D128A0B-5C44-4E7F-9A51-236B8C0DFDA4", &l);
	EXPECT(has_form_bytes(&l, mid_raw, 16, ENC_RAW));
	EXPECT(has_form(&l, "3d128a0b-5c44-4e7f-9a51-236b8c0dfda4", -1));
	form_list_free(&l);
}

int main(void)
{
	test_shapes_and_full_escapes();
	test_names();
	test_rfc4648();
	test_hex_url();
	test_normalize();
	test_placeholders();
	test_machine_id_forms();
	test_mac_forms();
	test_other_forms();
	test_embedded_base64();
	return tl_summary("test_encode");
}
