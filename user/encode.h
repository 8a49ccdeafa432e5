/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* encode: derives the byte forms an identifier value can take on the wire (hex, base64, digests...). */
#ifndef IDSENTRY_ENCODE_H
#define IDSENTRY_ENCODE_H

#include <stddef.h>
#include <stdint.h>

#define FORM_MIN_BYTES 6 /* shorter forms match too much benign traffic and are not produced */

enum encoding {
	ENC_PLAIN = 0,
	ENC_HEX,
	ENC_BASE64,
	ENC_BASE32,
	ENC_URL,
	ENC_MD5,
	ENC_SHA1,
	ENC_SHA256,
	ENC_UUID,    /* 16 bytes (a machine-id) written 8-4-4-4-12 */
	ENC_RAW,     /* the bytes a hex value stands for (16 for a machine-id, 6 for a MAC) */
	ENC_JSON,    /* every character \u00XX-escaped, as JSON encoders may write it */
	ENC_DECIMAL, /* a MAC as one 48-bit number */
	ENC_GZIP,    /* inside a gzip stream (any form of it, once inflated) */
	ENC_ZLIB,    /* inside a zlib stream */
	ENC_DEFLATE, /* inside a raw deflate body */
	ENC_HPACK,   /* in an HTTP/2 header field (Huffman-coded or not, once decoded) */
	ENC__COUNT,
};

struct form {
	enum encoding enc;
	size_t len;
	uint8_t *bytes;
};

struct form_list {
	struct form *items;
	size_t n;
};

/* Name used in alerts' evidence.encoding: "plain", "hex", "base64", "base32", "url", "md5", ...,
 * "uuid", "raw", "json-escape", "decimal", "gzip", "zlib", "deflate". */
const char *encoding_name(enum encoding e);
/* Canonical value of raw identifier bytes as read from a file/reply: trailing whitespace and NULs
 * stripped, leading whitespace stripped. Returns the new length (0: nothing usable). In place. */
size_t value_normalize(uint8_t *value, size_t len);
/* Whether a normalized value is too short or a known placeholder (e.g. "To Be Filled By O.E.M.",
 * "Default string", "Not Specified", "None", all zeros, 00:00:00:00:00:00) and must not be matched. */
int value_is_placeholder(const uint8_t *value, size_t len);
/* Appends to *out every distinct form (>= FORM_MIN_BYTES) of a normalized value. Returns 0 or -ENOMEM. */
int value_forms(const uint8_t *value, size_t len, struct form_list *out);
void form_list_free(struct form_list *l);

/* Building blocks, exposed for tests. Each returns a malloc'd NUL-terminated string (len in *n). */
char *enc_hex(const uint8_t *in, size_t len, int upper, size_t *n);
char *enc_base64(const uint8_t *in, size_t len, int url_safe, int pad, size_t *n);
char *enc_base32(const uint8_t *in, size_t len, int lower, int pad, size_t *n);
char *enc_url(const uint8_t *in, size_t len, size_t *n);

#endif
