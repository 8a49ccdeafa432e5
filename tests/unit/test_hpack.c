/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* test_hpack: Huffman strings and header blocks from RFC 7541 Appendix C (C.4.1-C.4.3, C.6.1),
 * the same blocks in HTTP/2 frames after the connection preface, and what is no HTTP/2. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "hpack.h"
#include "testlib.h"

static size_t unhex(const char *h, uint8_t *out)
{
	size_t n = 0;

	for (; h[0] && h[1]; h += 2) {
		unsigned int v;

		while (*h == ' ')
			h++;
		if (!h[0] || !h[1] || sscanf(h, "%2x", &v) != 1)
			break;
		out[n++] = (uint8_t)v;
	}
	return n;
}

static const char *huff(const char *hex)
{
	static char out[128];
	uint8_t in[128];
	size_t n = unhex(hex, in);
	long got = hpack_huffman_decode(in, n, (uint8_t *)out, sizeof(out) - 1);

	out[got < 0 ? 0 : got] = 0;
	return got < 0 ? "(invalid)" : out;
}

int main(void)
{
	static const char preface[] = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
	uint8_t block[256], frames[512];
	char text[512];
	size_t n, f;

	/* C.4.1-C.4.3 requests, C.6.1 response strings */
	EXPECT_STR("www.example.com", huff("f1e3c2e5f23a6ba0ab90f4ff"));
	EXPECT_STR("no-cache", huff("a8eb10649cbf"));
	EXPECT_STR("custom-key", huff("25a849e95ba97d7f"));
	EXPECT_STR("custom-value", huff("25a849e95bb8e8b4bf"));
	EXPECT_STR("302", huff("6402"));
	EXPECT_STR("private", huff("aec3771a4b"));
	EXPECT_STR("Mon, 21 Oct 2013 20:13:21 GMT", huff("d07abe941054d444a8200595040b8166e082a62d1bff"));
	EXPECT_STR("https://www.example.com", huff("9d29ad171863c78f0b97c8e9ae82ae43d3"));
	/* padding that is not EOS's prefix, and bits that are no code */
	EXPECT_STR("(invalid)", huff("f1e3c2e5f23a6ba0ab90f400"));
	EXPECT_STR("(invalid)", huff("ffffffff"));

	/* C.4.3: the third request's block, Huffman-coded, with a literal custom-key: custom-value */
	n = unhex("828785bf408825a849e95ba97d7f8925a849e95bb8e8b4bf", block);
	/* in a HEADERS frame (END_HEADERS), after the preface and an empty SETTINGS frame */
	memcpy(frames, preface, sizeof(preface) - 1);
	f = sizeof(preface) - 1;
	memcpy(frames + f, "\x00\x00\x00\x04\x00\x00\x00\x00\x00", 9);
	f += 9;
	frames[f++] = 0;
	frames[f++] = 0;
	frames[f++] = (uint8_t)n;
	frames[f++] = 0x1;
	frames[f++] = 0x4;
	memcpy(frames + f, "\x00\x00\x00\x01", 4);
	f += 4;
	memcpy(frames + f, block, n);
	f += n;
	EXPECT(hpack_headers_text(frames, f, text, sizeof(text)) > 0);
	EXPECT_STR("custom-key:custom-value\n", text);
	/* C.4.1 (an indexed-name literal :authority) split over HEADERS and CONTINUATION */
	n = unhex("828684418cf1e3c2e5f23a6ba0ab90f4ff", block);
	f = 0;
	memcpy(frames, "\x00\x00\x05\x01\x00\x00\x00\x00\x03", 9);
	memcpy(frames + 9, block, 5);
	memcpy(frames + 14, "\x00\x00\x00\x09\x04\x00\x00\x00\x03", 9);
	frames[16] = (uint8_t)(n - 5);
	memcpy(frames + 23, block + 5, n - 5);
	f = 23 + n - 5;
	/* the literal starts in the first fragment and ends in the second: the block is decoded
	 * whole */
	EXPECT(hpack_headers_text(frames, f, text, sizeof(text)) > 0);
	EXPECT_STR("www.example.com\n", text);
	/* a whole literal in one fragment is */
	n = unhex("418cf1e3c2e5f23a6ba0ab90f4ff", block);
	memcpy(frames, "\x00\x00\x00\x01\x04\x00\x00\x00\x01", 9);
	frames[2] = (uint8_t)n;
	memcpy(frames + 9, block, n);
	EXPECT(hpack_headers_text(frames, 9 + n, text, sizeof(text)) > 0);
	EXPECT_STR("www.example.com\n", text);
	/* HTTP/1.1 text, and a frame cut short, are no header block */
	EXPECT_INT(0, hpack_headers_text((const uint8_t *)"POST /v1 HTTP/1.1\r\nHost: x\r\n\r\n", 30,
					 text, sizeof(text)));
	EXPECT(hpack_headers_text(frames, 12, text, sizeof(text)) == 0);
	return tl_summary("test_hpack");
}
