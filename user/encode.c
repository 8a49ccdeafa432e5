/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* encode: derives the forms an identifier value can take on the wire (hex, base64, digests...). */
#include "encode.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

static const char b64_std[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static const char b64_url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
static const char b32_upper[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
static const char b32_lower[] = "abcdefghijklmnopqrstuvwxyz234567";

/* DMI/SMBIOS and vendor tools fill unset fields with these; matching them would flag every host. */
static const char *const placeholders[] = {
	"to be filled by o.e.m.",
	"to be filled by oem",
	"default string",
	"not specified",
	"not applicable",
	"not available",
	"not present",
	"none",
	"null",
	"unknown",
	"oem",
	"o.e.m.",
	"system serial number",
	"system product name",
	"chassis serial number",
	"base board serial number",
	"0123456789",
	"123456789",
	"1234567890",
	"n/a",
	"0",
};

const char *encoding_name(enum encoding e)
{
	static const char *const names[ENC__COUNT] = {
		[ENC_PLAIN] = "plain", [ENC_HEX] = "hex", [ENC_BASE64] = "base64",
		[ENC_BASE32] = "base32", [ENC_URL] = "url", [ENC_MD5] = "md5",
		[ENC_SHA1] = "sha1", [ENC_SHA256] = "sha256", [ENC_UUID] = "uuid",
		[ENC_RAW] = "raw", [ENC_JSON] = "json-escape", [ENC_DECIMAL] = "decimal",
		[ENC_GZIP] = "gzip", [ENC_ZLIB] = "zlib", [ENC_DEFLATE] = "deflate",
		[ENC_HPACK] = "hpack",
	};

	if ((unsigned int)e >= ENC__COUNT)
		return "unknown";
	return names[e];
}

/* ASCII-only helpers: identifier files are ASCII, and the <ctype.h> ones would follow LANG. */
static int is_space(uint8_t c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

static uint8_t to_lower(uint8_t c)
{
	return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

static uint8_t to_upper(uint8_t c)
{
	return c >= 'a' && c <= 'z' ? c - ('a' - 'A') : c;
}

static int is_sep(uint8_t c)
{
	return c == ':' || c == '-' || c == ' ' || c == '.';
}

static int hex_val(uint8_t c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = to_lower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

size_t value_normalize(uint8_t *value, size_t len)
{
	size_t start = 0;

	if (!value)
		return 0;
	while (len > 0 && (is_space(value[len - 1]) || value[len - 1] == '\0'))
		len--;
	while (start < len && is_space(value[start]))
		start++;
	len -= start;
	if (start)
		memmove(value, value + start, len);
	return len;
}

int value_is_placeholder(const uint8_t *value, size_t len)
{
	size_t i, j, significant = 0;
	uint8_t first = 0;
	int repeated = 1;

	if (!value)
		return 1;
	while (len > 0 && (is_space(value[len - 1]) || value[len - 1] == '\0'))
		len--;
	while (len > 0 && is_space(value[0])) {
		value++;
		len--;
	}
	if (len < 4)
		return 1;

	for (i = 0; i < sizeof(placeholders) / sizeof(placeholders[0]); i++) {
		const char *p = placeholders[i];

		if (strlen(p) != len)
			continue;
		for (j = 0; j < len && to_lower(value[j]) == (uint8_t)p[j]; j++)
			;
		if (j == len)
			return 1;
	}

	/*
	 * All-zero / all-ff MACs and UUIDs, "XXXXXXXX" serials: once separators are ignored, a
	 * single repeated character carries no identity.
	 */
	for (i = 0; i < len; i++) {
		if (is_sep(value[i]))
			continue;
		if (!significant++)
			first = to_lower(value[i]);
		else if (to_lower(value[i]) != first)
			repeated = 0;
	}
	return significant == 0 || repeated;
}

/* Packs 8-bit input into 'bits'-wide digits, MSB first, as RFC 4648 base64/base32 do. */
static char *enc_bits(const uint8_t *in, size_t len, const char *alpha, unsigned int bits,
		      size_t group, size_t *n)
{
	size_t chars, total, o = 0, i;
	uint32_t acc = 0, mask = (1u << bits) - 1;
	unsigned int nbits = 0;
	char *out;

	if (len > (SIZE_MAX - 16) / 8)
		return NULL;
	chars = (len * 8 + bits - 1) / bits;
	total = group ? (chars + group - 1) / group * group : chars;
	out = malloc(total + 1);
	if (!out)
		return NULL;
	for (i = 0; i < len; i++) {
		acc = ((acc << 8) | in[i]) & 0xffff;
		nbits += 8;
		while (nbits >= bits) {
			nbits -= bits;
			out[o++] = alpha[(acc >> nbits) & mask];
		}
	}
	if (nbits)
		out[o++] = alpha[(acc << (bits - nbits)) & mask];
	while (o < total)
		out[o++] = '=';
	out[o] = '\0';
	if (n)
		*n = o;
	return out;
}

char *enc_hex(const uint8_t *in, size_t len, int upper, size_t *n)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	size_t i;
	char *out;

	if (len > (SIZE_MAX - 1) / 2)
		return NULL;
	out = malloc(2 * len + 1);
	if (!out)
		return NULL;
	for (i = 0; i < len; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 0xf];
	}
	out[2 * len] = '\0';
	if (n)
		*n = 2 * len;
	return out;
}

char *enc_base64(const uint8_t *in, size_t len, int url_safe, int pad, size_t *n)
{
	return enc_bits(in, len, url_safe ? b64_url : b64_std, 6, pad ? 4 : 0, n);
}

char *enc_base32(const uint8_t *in, size_t len, int lower, int pad, size_t *n)
{
	return enc_bits(in, len, lower ? b32_lower : b32_upper, 5, pad ? 8 : 0, n);
}

static int url_unreserved(uint8_t c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '.' || c == '_' || c == '~';
}

/* plus_space: HTML form encoding (application/x-www-form-urlencoded) writes a space as '+'. */
static char *enc_url_ex(const uint8_t *in, size_t len, int lower_hex, int plus_space, size_t *n)
{
	const char *digits = lower_hex ? "0123456789abcdef" : "0123456789ABCDEF";
	size_t i, o = 0;
	char *out;

	if (len > (SIZE_MAX - 1) / 3)
		return NULL;
	out = malloc(3 * len + 1);
	if (!out)
		return NULL;
	for (i = 0; i < len; i++) {
		if (url_unreserved(in[i])) {
			out[o++] = (char)in[i];
		} else if (plus_space && in[i] == ' ') {
			out[o++] = '+';
		} else {
			out[o++] = '%';
			out[o++] = digits[in[i] >> 4];
			out[o++] = digits[in[i] & 0xf];
		}
	}
	out[o] = '\0';
	if (n)
		*n = o;
	return out;
}

char *enc_url(const uint8_t *in, size_t len, size_t *n)
{
	return enc_url_ex(in, len, 0, 0, n);
}

void form_list_free(struct form_list *l)
{
	size_t i;

	if (!l)
		return;
	for (i = 0; i < l->n; i++)
		free(l->items[i].bytes);
	free(l->items);
	l->items = NULL;
	l->n = 0;
}

/*
 * Collects forms for one value_forms() call. Errors are sticky so the generators below can stay
 * linear; the caller rolls back everything this call appended when err is set.
 */
struct acc {
	struct form_list *out;
	size_t first; /* forms before this index came from earlier calls (other values) */
	int err;
};

static void put(struct acc *a, enum encoding enc, const void *bytes, size_t len)
{
	struct form_list *l = a->out;
	struct form *items;
	uint8_t *copy;
	size_t i;

	if (a->err || len < FORM_MIN_BYTES)
		return;
	for (i = a->first; i < l->n; i++)
		if (l->items[i].len == len && memcmp(l->items[i].bytes, bytes, len) == 0)
			return;
	/* The list has no capacity field; a value yields ~100 forms, so growing by one is cheap. */
	items = realloc(l->items, (l->n + 1) * sizeof(*items));
	if (!items) {
		a->err = -ENOMEM;
		return;
	}
	l->items = items;
	copy = malloc(len + 1);
	if (!copy) {
		a->err = -ENOMEM;
		return;
	}
	memcpy(copy, bytes, len);
	copy[len] = '\0'; /* not part of the form; eases printing while debugging */
	items[l->n].enc = enc;
	items[l->n].len = len;
	items[l->n].bytes = copy;
	l->n++;
}

/* Takes ownership of s, which a building block returned (NULL meaning allocation failure). */
static void put_owned(struct acc *a, enum encoding enc, char *s, size_t len)
{
	if (!s) {
		if (!a->err)
			a->err = -ENOMEM;
		return;
	}
	put(a, enc, s, len);
	free(s);
}

enum case_mode { CASE_KEEP, CASE_LOWER, CASE_UPPER };

/* Copies in, optionally dropping separators, swapping ':'/'-' and changing case. */
static uint8_t *transform(struct acc *a, const uint8_t *in, size_t len, int drop_sep, int swap,
			  enum case_mode cm, size_t *n)
{
	uint8_t *out = malloc(len + 1);
	size_t i, o = 0;

	if (!out) {
		if (!a->err)
			a->err = -ENOMEM;
		return NULL;
	}
	for (i = 0; i < len; i++) {
		uint8_t c = in[i];

		if (drop_sep && is_sep(c))
			continue;
		if (swap == ':' && c == '-')
			c = ':';
		else if (swap == '-' && c == ':')
			c = '-';
		if (cm == CASE_LOWER)
			c = to_lower(c);
		else if (cm == CASE_UPPER)
			c = to_upper(c);
		out[o++] = c;
	}
	out[o] = '\0';
	*n = o;
	return out;
}

static void put_transformed(struct acc *a, const uint8_t *in, size_t len, int drop_sep, int swap)
{
	enum case_mode cm;
	uint8_t *s;
	size_t n = 0;

	for (cm = CASE_KEEP; cm <= CASE_UPPER; cm++) {
		s = transform(a, in, len, drop_sep, swap, cm, &n);
		if (!s)
			return;
		put(a, ENC_PLAIN, s, n);
		free(s);
	}
}

static void plain_forms(struct acc *a, const uint8_t *v, size_t len)
{
	int has_sep = 0, has_colon = 0, has_dash = 0;
	size_t i;

	for (i = 0; i < len; i++) {
		has_sep |= is_sep(v[i]);
		has_colon |= v[i] == ':';
		has_dash |= v[i] == '-';
	}
	put_transformed(a, v, len, 0, 0);
	if (has_sep)
		put_transformed(a, v, len, 1, 0);
	/* Windows tools print MACs as AA-BB-..., Linux ones as aa:bb:... */
	if (has_colon)
		put_transformed(a, v, len, 0, '-');
	if (has_dash)
		put_transformed(a, v, len, 0, ':');
}

/*
 * A separator-free even-length hex value names raw bytes (6 for a MAC, 16 for a machine-id), and a
 * program may ship those bytes rather than the text. Returns NULL when v is not such a value.
 */
static uint8_t *raw_bytes(struct acc *a, const uint8_t *v, size_t len, size_t *n)
{
	uint8_t *s, *raw;
	size_t slen, i;

	s = transform(a, v, len, 1, 0, CASE_KEEP, &slen);
	if (!s)
		return NULL;
	raw = NULL;
	if (slen == 0 || slen % 2)
		goto out;
	for (i = 0; i < slen; i++)
		if (hex_val(s[i]) < 0)
			goto out;
	raw = malloc(slen / 2);
	if (!raw) {
		if (!a->err)
			a->err = -ENOMEM;
		goto out;
	}
	for (i = 0; i < slen / 2; i++)
		raw[i] = (uint8_t)(hex_val(s[2 * i]) << 4 | hex_val(s[2 * i + 1]));
	*n = slen / 2;
out:
	free(s);
	return raw;
}

static void hex_forms(struct acc *a, const uint8_t *v, size_t len)
{
	size_t n = 0;
	char *s;

	s = enc_hex(v, len, 0, &n);
	put_owned(a, ENC_HEX, s, n);
	s = enc_hex(v, len, 1, &n);
	put_owned(a, ENC_HEX, s, n);
}

/*
 * Base64 of a message that merely contains v differs from base64(v) at both ends: the characters
 * mixing v's bits with neighbouring bytes change with the neighbours. For v at offset k (mod 3),
 * only characters whose 6 bits lie wholly inside v are stable: character i covers bits
 * [6i, 6i + 6) of the group-aligned stream and v occupies bits [8k, 8k + 8 len).
 */
static void base64_embedded(struct acc *a, const uint8_t *v, size_t len)
{
	size_t k, first, end, n = 0;
	int url;
	uint8_t *buf;
	char *s;

	if (len > (SIZE_MAX - 16) / 8)
		return;
	buf = malloc(len + 2);
	if (!buf) {
		if (!a->err)
			a->err = -ENOMEM;
		return;
	}
	for (k = 0; k < 3; k++) {
		first = (8 * k + 5) / 6;
		end = 8 * (k + len) / 6;
		if (end < first + FORM_MIN_BYTES)
			continue;
		memset(buf, 0, k);
		memcpy(buf + k, v, len);
		for (url = 0; url <= 1; url++) {
			s = enc_base64(buf, k + len, url, 0, &n);
			if (!s) {
				if (!a->err)
					a->err = -ENOMEM;
				break;
			}
			put(a, ENC_BASE64, s + first, end - first);
			free(s);
		}
	}
	free(buf);
}

static void base64_forms(struct acc *a, const uint8_t *v, size_t len)
{
	int url, pad;
	size_t n = 0;
	char *s;

	for (url = 0; url <= 1; url++) {
		for (pad = 1; pad >= 0; pad--) {
			s = enc_base64(v, len, url, pad, &n);
			put_owned(a, ENC_BASE64, s, n);
		}
	}
	base64_embedded(a, v, len);
}

static void base32_forms(struct acc *a, const uint8_t *v, size_t len)
{
	int lower;
	size_t n = 0;
	char *s;

	for (lower = 0; lower <= 1; lower++) {
		s = enc_base32(v, len, lower, 0, &n);
		if (!s) {
			if (!a->err)
				a->err = -ENOMEM;
			return;
		}
		put(a, ENC_BASE32, s, n);
		/* Followed by more data, the last character would mix in the next byte's bits. */
		put(a, ENC_BASE32, s, len * 8 / 5);
		free(s);
	}
}

static void url_forms(struct acc *a, const uint8_t *v, size_t len)
{
	int lower, plus;
	size_t n = 0;
	char *s;

	for (plus = 0; plus <= 1; plus++) {
		for (lower = 0; lower <= 1; lower++) {
			s = enc_url_ex(v, len, lower, plus, &n);
			if (s && n == len && memcmp(s, v, len) == 0) {
				free(s);
				continue;
			}
			put_owned(a, ENC_URL, s, n);
		}
	}
}

/* Every byte written as prefix and two hex digits, in either case: %XX (clients that encode
 * every byte, unreserved ones too) or \u00XX (JSON encoders that escape every character). */
static void escaped_forms(struct acc *a, const uint8_t *v, size_t len, enum encoding enc,
			  const char *prefix)
{
	static const char hexd[2][17] = { "0123456789ABCDEF", "0123456789abcdef" };
	size_t i, p = strlen(prefix), w = p + 2;
	char *s;
	int lower;

	if (len > SIZE_MAX / w - 1)
		return;
	s = malloc(w * len + 1);
	if (!s) {
		if (!a->err)
			a->err = -ENOMEM;
		return;
	}
	for (lower = 0; lower <= 1; lower++) {
		for (i = 0; i < len; i++) {
			memcpy(s + w * i, prefix, p);
			s[w * i + p] = hexd[lower][v[i] >> 4];
			s[w * i + p + 1] = hexd[lower][v[i] & 15];
		}
		put(a, enc, s, w * len);
	}
	free(s);
}

/* The shapes a 128-bit or 48-bit identifier takes besides hex: the raw bytes, a UUID (8-4-4-4-12)
 * for 16 bytes, and for a MAC's 6 the 48-bit number in decimal and the Cisco dotted form. */
static void raw_shape_forms(struct acc *a, const uint8_t *raw, size_t n)
{
	char text[64];
	uint64_t x = 0;
	size_t i;
	int upper;

	put(a, ENC_RAW, raw, n);
	if (n == 16) {
		for (upper = 0; upper <= 1; upper++) {
			static const char *const fmt[2] = {
				"%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
				"%02X%02X%02X%02X-%02X%02X-%02X%02X-%02X%02X-%02X%02X%02X%02X%02X%02X",
			};

			snprintf(text, sizeof(text), fmt[upper], raw[0], raw[1], raw[2], raw[3],
				 raw[4], raw[5], raw[6], raw[7], raw[8], raw[9], raw[10], raw[11],
				 raw[12], raw[13], raw[14], raw[15]);
			put(a, ENC_UUID, text, 36);
		}
	}
	if (n == 6) {
		for (i = 0; i < 6; i++)
			x = x << 8 | raw[i];
		snprintf(text, sizeof(text), "%llu", (unsigned long long)x);
		put(a, ENC_DECIMAL, text, strlen(text));
		for (upper = 0; upper <= 1; upper++) {
			snprintf(text, sizeof(text),
				 upper ? "%02X%02X.%02X%02X.%02X%02X" : "%02x%02x.%02x%02x.%02x%02x",
				 raw[0], raw[1], raw[2], raw[3], raw[4], raw[5]);
			put(a, ENC_PLAIN, text, 14);
		}
	}
}

static const struct {
	enum encoding enc;
	const EVP_MD *(*md)(void);
} digests[] = {
	{ ENC_MD5, EVP_md5 },
	{ ENC_SHA1, EVP_sha1 },
	{ ENC_SHA256, EVP_sha256 },
};

static void digest_forms(struct acc *a, const uint8_t *v, size_t len, int with_base64)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen;
	size_t i, n = 0;
	char *s;

	for (i = 0; i < sizeof(digests) / sizeof(digests[0]); i++) {
		/*
		 * A FIPS-restricted libcrypto refuses md5; the other digests are still worth
		 * matching, so an unavailable algorithm is skipped rather than failing the value.
		 */
		if (!EVP_Digest(v, len, md, &mdlen, digests[i].md(), NULL))
			continue;
		s = enc_hex(md, mdlen, 0, &n);
		put_owned(a, digests[i].enc, s, n);
		s = enc_hex(md, mdlen, 1, &n);
		put_owned(a, digests[i].enc, s, n);
		if (!with_base64)
			continue;
		s = enc_base64(md, mdlen, 0, 1, &n);
		put_owned(a, digests[i].enc, s, n);
		s = enc_base64(md, mdlen, 0, 0, &n);
		put_owned(a, digests[i].enc, s, n);
	}
}

int value_forms(const uint8_t *value, size_t len, struct form_list *out)
{
	struct acc a = { .out = out, .first = out ? out->n : 0, .err = 0 };
	uint8_t *raw = NULL, *line = NULL, *canon = NULL;
	size_t rawlen = 0, canonlen = 0, i;

	if (!out)
		return -EINVAL;
	if (!value || len == 0)
		return 0;

	plain_forms(&a, value, len);
	raw = raw_bytes(&a, value, len, &rawlen);

	hex_forms(&a, value, len);

	base64_forms(&a, value, len);
	if (raw)
		base64_forms(&a, raw, rawlen);

	base32_forms(&a, value, len);
	if (raw)
		base32_forms(&a, raw, rawlen);

	url_forms(&a, value, len);
	escaped_forms(&a, value, len, ENC_URL, "%");
	escaped_forms(&a, value, len, ENC_JSON, "\\u00");
	if (raw)
		raw_shape_forms(&a, raw, rawlen);

	digest_forms(&a, value, len, 1);
	/* `sha256sum /etc/machine-id` and `echo $id | md5sum` hash the value with its newline. */
	line = malloc(len + 1);
	if (line) {
		memcpy(line, value, len);
		line[len] = '\n';
		digest_forms(&a, line, len + 1, 0);
	} else if (!a.err) {
		a.err = -ENOMEM;
	}
	/* Programs canonicalize before hashing so that "AA:BB..." and "aa-bb..." hash alike. */
	canon = transform(&a, value, len, 1, 0, CASE_LOWER, &canonlen);
	if (canon)
		digest_forms(&a, canon, canonlen, 0);
	if (raw)
		digest_forms(&a, raw, rawlen, 0);

	free(canon);
	free(line);
	free(raw);
	if (a.err) {
		for (i = a.first; i < out->n; i++)
			free(out->items[i].bytes);
		out->n = a.first;
		if (out->n == 0) {
			free(out->items);
			out->items = NULL;
		}
		return a.err;
	}
	return 0;
}
