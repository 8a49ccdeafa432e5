/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* test_inflate: compressed streams found in sent bytes (gzip anywhere, zlib and raw deflate at a
 * body's start), partial streams, a bomb bounded by the output, and bytes that are no stream. */
#include <stdio.h>
#include <string.h>
#include <zlib.h>

#include "inflate.h"
#include "testlib.h"

static const char *const value = "{\"device_id\":\"3d128a0b5c444e7f9a51236b8c0dfda4\"}";

/* Compresses src with windowBits wb (16+15 gzip, 15 zlib, -15 raw) after prefix. */
static size_t pack(int wb, const char *prefix, const void *src, size_t n, uint8_t *out,
		   size_t cap)
{
	size_t p = strlen(prefix);
	z_stream z;

	memset(&z, 0, sizeof(z));
	memcpy(out, prefix, p);
	deflateInit2(&z, 9, Z_DEFLATED, wb, 8, Z_DEFAULT_STRATEGY);
	z.next_in = (Bytef *)src;
	z.avail_in = n;
	z.next_out = out + p;
	z.avail_out = cap - p;
	deflate(&z, Z_FINISH);
	n = cap - p - z.avail_out;
	deflateEnd(&z);
	return p + n;
}

static void expect_inflates(int wb, const char *prefix, enum inflate_kind want)
{
	static uint8_t buf[4096], out[4096];
	enum inflate_kind kind;
	size_t n = pack(wb, prefix, value, strlen(value), buf, sizeof(buf)), got;

	got = inflate_sent(buf, n, out, sizeof(out), &kind);
	EXPECT_INT(want, kind);
	EXPECT_INT(strlen(value), got);
	EXPECT(got == strlen(value) && !memcmp(out, value, got));
}

int main(void)
{
	static uint8_t buf[65536], out[1024], zeros[65536];
	enum inflate_kind kind;
	size_t n;

	/* gzip after HTTP headers, or inside anything */
	expect_inflates(16 + 15, "POST / HTTP/1.1\r\nContent-Encoding: gzip\r\n\r\n", INFLATE_GZIP);
	expect_inflates(16 + 15, "form=data&blob=", INFLATE_GZIP);
	/* zlib: a bare message, or an HTTP body */
	expect_inflates(15, "", INFLATE_ZLIB);
	expect_inflates(15, "POST / HTTP/1.1\r\nContent-Encoding: deflate\r\n\r\n", INFLATE_ZLIB);
	/* raw deflate only where the headers say deflate */
	expect_inflates(-15, "POST / HTTP/1.1\r\ncontent-encoding:  Deflate\r\n\r\n",
			INFLATE_DEFLATE);
	n = pack(-15, "POST / HTTP/1.1\r\n\r\n", value, strlen(value), buf, sizeof(buf));
	EXPECT_INT(0, inflate_sent(buf, n, out, sizeof(out), &kind));
	EXPECT_INT(INFLATE_NONE, kind);

	/* a sample cut mid-stream still gives what it holds (text that compresses to ~1 KiB) */
	{
		static char text[8192];
		size_t t = 0;
		unsigned int i, x = 12345;

		for (i = 0; i < 600; i++) {
			x = x * 1103515245 + 12345;
			t += snprintf(text + t, sizeof(text) - t, "%08x,", x);
		}
		n = pack(16 + 15, "", text, t, buf, sizeof(buf));
		EXPECT(n > 1000);
		n = inflate_sent(buf, n / 2, out, sizeof(out), &kind);
	}
	EXPECT_INT(INFLATE_GZIP, kind);
	EXPECT(n > 0);

	/* a bomb: 64 KiB of zeros in ~100 bytes stops at the output's size */
	n = pack(16 + 15, "", zeros, sizeof(zeros), buf, sizeof(buf));
	EXPECT(n < 200);
	EXPECT_INT(sizeof(out), inflate_sent(buf, n, out, sizeof(out), &kind));

	/* the gzip magic followed by garbage, and plain text: nothing */
	memcpy(buf, "x\x1f\x8b\x08garbage-garbage-garbage", 28);
	EXPECT_INT(0, inflate_sent(buf, 28, out, sizeof(out), &kind));
	EXPECT_INT(0, inflate_sent((const uint8_t *)value, strlen(value), out, sizeof(out), &kind));
	EXPECT_INT(0, inflate_sent(buf, 3, out, sizeof(out), &kind));
	return tl_summary("test_inflate");
}
