// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* inflate: finds a gzip, zlib or raw deflate stream in sent bytes and inflates what of it is there. */
#define _GNU_SOURCE
#include <string.h>
#include <strings.h>
#include <zlib.h>
#include "inflate.h"

/* zlib's header: deflate (CM 8, window <= 32K) and a check that makes CMF*256+FLG a multiple of
 * 31; a preset dictionary (FDICT) could not be inflated without it. */
static int zlib_header(const uint8_t *p, size_t n)
{
	return n >= 2 && (p[0] & 0x0f) == 8 && (p[0] >> 4) <= 7 && !(p[1] & 0x20) &&
	       ((p[0] << 8) | p[1]) % 31 == 0;
}

/* The body of an HTTP message in buf, or NULL; *deflate_hint when its headers say
 * Content-Encoding: deflate (which servers send both raw and zlib-wrapped). */
static const uint8_t *http_body(const uint8_t *buf, size_t len, int *deflate_hint)
{
	const uint8_t *end = memmem(buf, len, "\r\n\r\n", 4);
	size_t i;

	*deflate_hint = 0;
	if (!end)
		return NULL;
	for (i = 0; i + 25 <= (size_t)(end - buf); i++) {
		if ((i == 0 || buf[i - 1] == '\n') &&
		    !strncasecmp((const char *)buf + i, "content-encoding:", 17)) {
			const char *v = (const char *)buf + i + 17;
			size_t left = (size_t)(end - buf) - i - 17;

			while (left && (*v == ' ' || *v == '\t')) {
				v++;
				left--;
			}
			*deflate_hint = left >= 7 && !strncasecmp(v, "deflate", 7);
		}
	}
	return end + 4;
}

/* Inflates as much as the bytes give (a sample may end mid-stream). windowBits: 16+15 gzip,
 * 15 zlib, -15 raw. Returns the bytes produced; 0 when the data is not such a stream. */
static size_t run(const uint8_t *in, size_t len, int window_bits, uint8_t *out, size_t cap)
{
	z_stream z;
	size_t produced;
	int ret;

	memset(&z, 0, sizeof(z));
	if (inflateInit2(&z, window_bits) != Z_OK)
		return 0;
	z.next_in = (Bytef *)in;
	z.avail_in = (uInt)len;
	z.next_out = out;
	z.avail_out = (uInt)cap;
	/* bounded by the output buffer: a bomb stops at cap */
	ret = inflate(&z, Z_SYNC_FLUSH);
	produced = cap - z.avail_out;
	inflateEnd(&z);
	if (ret != Z_OK && ret != Z_STREAM_END && ret != Z_BUF_ERROR)
		return 0;
	return produced;
}

size_t inflate_sent(const uint8_t *buf, size_t len, uint8_t *out, size_t cap,
		    enum inflate_kind *kind)
{
	const uint8_t *body, *gz;
	size_t n, off;
	int deflate_hint;

	*kind = INFLATE_NONE;
	if (len < 8 || !cap)
		return 0;
	/* gzip: its magic and method anywhere (a body, a form field, a multipart part) */
	for (off = 0; off + 10 <= len; off = (size_t)(gz - buf) + 1) {
		gz = memmem(buf + off, len - off, "\x1f\x8b\x08", 3);
		if (!gz)
			break;
		n = run(gz, len - (size_t)(gz - buf), 16 + 15, out, cap);
		if (n) {
			*kind = INFLATE_GZIP;
			return n;
		}
	}
	/* zlib or raw deflate: only where a message body starts (the bytes of any other place could
	 * inflate to noise) */
	body = http_body(buf, len, &deflate_hint);
	if (!body)
		body = buf;
	n = (size_t)(buf + len - body);
	if (zlib_header(body, n) && (n = run(body, n, 15, out, cap))) {
		*kind = INFLATE_ZLIB;
		return n;
	}
	n = (size_t)(buf + len - body);
	if (deflate_hint && (n = run(body, n, -15, out, cap))) {
		*kind = INFLATE_DEFLATE;
		return n;
	}
	return 0;
}
