// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* hpack: the header fields in HTTP/2 frames a process sends, as text (see hpack.h). */
#include <stdint.h>
#include <string.h>
#include "hpack.h"

/* RFC 7541 Appendix B: the Huffman code of each symbol (256: EOS), right-aligned, and its length
 * in bits. */
static const struct {
	uint32_t code;
	uint8_t bits;
} huffman[257] = {
	{ 0x00001ff8, 13 }, { 0x007fffd8, 23 }, { 0x0fffffe2, 28 }, { 0x0fffffe3, 28 },
	{ 0x0fffffe4, 28 }, { 0x0fffffe5, 28 }, { 0x0fffffe6, 28 }, { 0x0fffffe7, 28 },
	{ 0x0fffffe8, 28 }, { 0x00ffffea, 24 }, { 0x3ffffffc, 30 }, { 0x0fffffe9, 28 },
	{ 0x0fffffea, 28 }, { 0x3ffffffd, 30 }, { 0x0fffffeb, 28 }, { 0x0fffffec, 28 },
	{ 0x0fffffed, 28 }, { 0x0fffffee, 28 }, { 0x0fffffef, 28 }, { 0x0ffffff0, 28 },
	{ 0x0ffffff1, 28 }, { 0x0ffffff2, 28 }, { 0x3ffffffe, 30 }, { 0x0ffffff3, 28 },
	{ 0x0ffffff4, 28 }, { 0x0ffffff5, 28 }, { 0x0ffffff6, 28 }, { 0x0ffffff7, 28 },
	{ 0x0ffffff8, 28 }, { 0x0ffffff9, 28 }, { 0x0ffffffa, 28 }, { 0x0ffffffb, 28 },
	{ 0x00000014, 6 }, { 0x000003f8, 10 }, { 0x000003f9, 10 }, { 0x00000ffa, 12 },
	{ 0x00001ff9, 13 }, { 0x00000015, 6 }, { 0x000000f8, 8 }, { 0x000007fa, 11 },
	{ 0x000003fa, 10 }, { 0x000003fb, 10 }, { 0x000000f9, 8 }, { 0x000007fb, 11 },
	{ 0x000000fa, 8 }, { 0x00000016, 6 }, { 0x00000017, 6 }, { 0x00000018, 6 },
	{ 0x00000000, 5 }, { 0x00000001, 5 }, { 0x00000002, 5 }, { 0x00000019, 6 },
	{ 0x0000001a, 6 }, { 0x0000001b, 6 }, { 0x0000001c, 6 }, { 0x0000001d, 6 },
	{ 0x0000001e, 6 }, { 0x0000001f, 6 }, { 0x0000005c, 7 }, { 0x000000fb, 8 },
	{ 0x00007ffc, 15 }, { 0x00000020, 6 }, { 0x00000ffb, 12 }, { 0x000003fc, 10 },
	{ 0x00001ffa, 13 }, { 0x00000021, 6 }, { 0x0000005d, 7 }, { 0x0000005e, 7 },
	{ 0x0000005f, 7 }, { 0x00000060, 7 }, { 0x00000061, 7 }, { 0x00000062, 7 },
	{ 0x00000063, 7 }, { 0x00000064, 7 }, { 0x00000065, 7 }, { 0x00000066, 7 },
	{ 0x00000067, 7 }, { 0x00000068, 7 }, { 0x00000069, 7 }, { 0x0000006a, 7 },
	{ 0x0000006b, 7 }, { 0x0000006c, 7 }, { 0x0000006d, 7 }, { 0x0000006e, 7 },
	{ 0x0000006f, 7 }, { 0x00000070, 7 }, { 0x00000071, 7 }, { 0x00000072, 7 },
	{ 0x000000fc, 8 }, { 0x00000073, 7 }, { 0x000000fd, 8 }, { 0x00001ffb, 13 },
	{ 0x0007fff0, 19 }, { 0x00001ffc, 13 }, { 0x00003ffc, 14 }, { 0x00000022, 6 },
	{ 0x00007ffd, 15 }, { 0x00000003, 5 }, { 0x00000023, 6 }, { 0x00000004, 5 },
	{ 0x00000024, 6 }, { 0x00000005, 5 }, { 0x00000025, 6 }, { 0x00000026, 6 },
	{ 0x00000027, 6 }, { 0x00000006, 5 }, { 0x00000074, 7 }, { 0x00000075, 7 },
	{ 0x00000028, 6 }, { 0x00000029, 6 }, { 0x0000002a, 6 }, { 0x00000007, 5 },
	{ 0x0000002b, 6 }, { 0x00000076, 7 }, { 0x0000002c, 6 }, { 0x00000008, 5 },
	{ 0x00000009, 5 }, { 0x0000002d, 6 }, { 0x00000077, 7 }, { 0x00000078, 7 },
	{ 0x00000079, 7 }, { 0x0000007a, 7 }, { 0x0000007b, 7 }, { 0x00007ffe, 15 },
	{ 0x000007fc, 11 }, { 0x00003ffd, 14 }, { 0x00001ffd, 13 }, { 0x0ffffffc, 28 },
	{ 0x000fffe6, 20 }, { 0x003fffd2, 22 }, { 0x000fffe7, 20 }, { 0x000fffe8, 20 },
	{ 0x003fffd3, 22 }, { 0x003fffd4, 22 }, { 0x003fffd5, 22 }, { 0x007fffd9, 23 },
	{ 0x003fffd6, 22 }, { 0x007fffda, 23 }, { 0x007fffdb, 23 }, { 0x007fffdc, 23 },
	{ 0x007fffdd, 23 }, { 0x007fffde, 23 }, { 0x00ffffeb, 24 }, { 0x007fffdf, 23 },
	{ 0x00ffffec, 24 }, { 0x00ffffed, 24 }, { 0x003fffd7, 22 }, { 0x007fffe0, 23 },
	{ 0x00ffffee, 24 }, { 0x007fffe1, 23 }, { 0x007fffe2, 23 }, { 0x007fffe3, 23 },
	{ 0x007fffe4, 23 }, { 0x001fffdc, 21 }, { 0x003fffd8, 22 }, { 0x007fffe5, 23 },
	{ 0x003fffd9, 22 }, { 0x007fffe6, 23 }, { 0x007fffe7, 23 }, { 0x00ffffef, 24 },
	{ 0x003fffda, 22 }, { 0x001fffdd, 21 }, { 0x000fffe9, 20 }, { 0x003fffdb, 22 },
	{ 0x003fffdc, 22 }, { 0x007fffe8, 23 }, { 0x007fffe9, 23 }, { 0x001fffde, 21 },
	{ 0x007fffea, 23 }, { 0x003fffdd, 22 }, { 0x003fffde, 22 }, { 0x00fffff0, 24 },
	{ 0x001fffdf, 21 }, { 0x003fffdf, 22 }, { 0x007fffeb, 23 }, { 0x007fffec, 23 },
	{ 0x001fffe0, 21 }, { 0x001fffe1, 21 }, { 0x003fffe0, 22 }, { 0x001fffe2, 21 },
	{ 0x007fffed, 23 }, { 0x003fffe1, 22 }, { 0x007fffee, 23 }, { 0x007fffef, 23 },
	{ 0x000fffea, 20 }, { 0x003fffe2, 22 }, { 0x003fffe3, 22 }, { 0x003fffe4, 22 },
	{ 0x007ffff0, 23 }, { 0x003fffe5, 22 }, { 0x003fffe6, 22 }, { 0x007ffff1, 23 },
	{ 0x03ffffe0, 26 }, { 0x03ffffe1, 26 }, { 0x000fffeb, 20 }, { 0x0007fff1, 19 },
	{ 0x003fffe7, 22 }, { 0x007ffff2, 23 }, { 0x003fffe8, 22 }, { 0x01ffffec, 25 },
	{ 0x03ffffe2, 26 }, { 0x03ffffe3, 26 }, { 0x03ffffe4, 26 }, { 0x07ffffde, 27 },
	{ 0x07ffffdf, 27 }, { 0x03ffffe5, 26 }, { 0x00fffff1, 24 }, { 0x01ffffed, 25 },
	{ 0x0007fff2, 19 }, { 0x001fffe3, 21 }, { 0x03ffffe6, 26 }, { 0x07ffffe0, 27 },
	{ 0x07ffffe1, 27 }, { 0x03ffffe7, 26 }, { 0x07ffffe2, 27 }, { 0x00fffff2, 24 },
	{ 0x001fffe4, 21 }, { 0x001fffe5, 21 }, { 0x03ffffe8, 26 }, { 0x03ffffe9, 26 },
	{ 0x0ffffffd, 28 }, { 0x07ffffe3, 27 }, { 0x07ffffe4, 27 }, { 0x07ffffe5, 27 },
	{ 0x000fffec, 20 }, { 0x00fffff3, 24 }, { 0x000fffed, 20 }, { 0x001fffe6, 21 },
	{ 0x003fffe9, 22 }, { 0x001fffe7, 21 }, { 0x001fffe8, 21 }, { 0x007ffff3, 23 },
	{ 0x003fffea, 22 }, { 0x003fffeb, 22 }, { 0x01ffffee, 25 }, { 0x01ffffef, 25 },
	{ 0x00fffff4, 24 }, { 0x00fffff5, 24 }, { 0x03ffffea, 26 }, { 0x007ffff4, 23 },
	{ 0x03ffffeb, 26 }, { 0x07ffffe6, 27 }, { 0x03ffffec, 26 }, { 0x03ffffed, 26 },
	{ 0x07ffffe7, 27 }, { 0x07ffffe8, 27 }, { 0x07ffffe9, 27 }, { 0x07ffffea, 27 },
	{ 0x07ffffeb, 27 }, { 0x0ffffffe, 28 }, { 0x07ffffec, 27 }, { 0x07ffffed, 27 },
	{ 0x07ffffee, 27 }, { 0x07ffffef, 27 }, { 0x07fffff0, 27 }, { 0x03ffffee, 26 },
	{ 0x3fffffff, 30 },
};

#define PREFACE "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"
#define FRAME_HEADER_BYTES 9
#define FRAME_HEADERS 0x1
#define FRAME_CONTINUATION 0x9
#define FRAME_TYPE_MAX 0x10 /* PRIORITY_UPDATE (RFC 9218), the highest type clients send */
#define FLAG_END_HEADERS 0x4
#define FLAG_PADDED 0x8
#define FLAG_PRIORITY 0x20
#define MAX_FRAMES 64
#define HPACK_BLOCK_BYTES 16384

/* Symbols by code length, shortest first: the common characters are tried first. */
static uint16_t by_length[256];

static void order_symbols(void)
{
	int n = 0;

	if (by_length[1])
		return;
	for (int bits = 5; bits <= 30; bits++)
		for (int s = 0; s < 256; s++)
			if (huffman[s].bits == bits)
				by_length[n++] = (uint16_t)s;
}

long hpack_huffman_decode(const uint8_t *in, size_t len, uint8_t *out, size_t size)
{
	uint64_t acc = 0;
	size_t i, n = 0;
	int bits = 0;

	order_symbols();
	for (i = 0; i < len; i++) {
		acc = (acc << 8) | in[i];
		bits += 8;
		while (bits >= 5) {
			int found = -1;

			for (int k = 0; k < 256; k++) {
				int s = by_length[k], b = huffman[s].bits;

				if (b > bits)
					break;
				if (((acc >> (bits - b)) & ((1ULL << b) - 1)) == huffman[s].code) {
					found = s;
					break;
				}
			}
			if (found < 0) {
				if (bits >= 30)
					return -1; /* no code this long: not Huffman */
				break;
			}
			if (n >= size)
				return -1;
			out[n++] = (uint8_t)found;
			bits -= huffman[found].bits;
			acc &= bits ? (1ULL << bits) - 1 : 0;
		}
	}
	/* what is left pads the last byte: up to 7 bits of EOS's prefix, all ones */
	if (bits > 7 || acc != (bits ? (1ULL << bits) - 1 : 0))
		return -1;
	return (long)n;
}

/* An integer with an N-bit prefix (RFC 7541 5.1); -1 when cut short or too large. */
static long integer(const uint8_t *p, size_t len, size_t *off, int prefix)
{
	uint64_t max = (1u << prefix) - 1, v;
	int shift = 0;

	if (*off >= len)
		return -1;
	v = p[(*off)++] & max;
	if (v < max)
		return (long)v;
	while (*off < len && shift <= 28) {
		uint8_t b = p[(*off)++];

		v += (uint64_t)(b & 0x7f) << shift;
		shift += 7;
		if (!(b & 0x80))
			return v > (1u << 24) ? -1 : (long)v;
	}
	return -1;
}

/* Appends string literal at *off (RFC 7541 5.2), decoded, then 'end'; -1 when malformed. */
static int string(const uint8_t *p, size_t len, size_t *off, char *out, size_t size, size_t *n,
		  char end)
{
	int huff;
	long slen, got;

	if (*off >= len)
		return -1;
	huff = p[*off] & 0x80;
	slen = integer(p, len, off, 7);
	if (slen < 0 || (size_t)slen > len - *off)
		return -1;
	if (*n + 1 >= size)
		return -1;
	if (huff) {
		got = hpack_huffman_decode(p + *off, (size_t)slen, (uint8_t *)out + *n, size - *n - 1);
		if (got < 0)
			return -1;
	} else {
		got = (size_t)slen < size - *n - 1 ? slen : (long)(size - *n - 1);
		memcpy(out + *n, p + *off, (size_t)got);
	}
	*off += (size_t)slen;
	*n += (size_t)got;
	out[(*n)++] = end;
	return 0;
}

/* The literal names and values of one header block fragment, as lines. */
static int block(const uint8_t *p, size_t len, char *out, size_t size, size_t *n)
{
	size_t off = 0;

	while (off < len) {
		uint8_t b = p[off];
		long index;
		int prefix;

		if (b & 0x80) { /* indexed field: sent as a literal before */
			if (integer(p, len, &off, 7) < 0)
				return -1;
			continue;
		}
		if ((b & 0xe0) == 0x20) { /* dynamic table size update */
			if (integer(p, len, &off, 5) < 0)
				return -1;
			continue;
		}
		prefix = (b & 0xc0) == 0x40 ? 6 : 4; /* with indexing; without, or never indexed */
		index = integer(p, len, &off, prefix);
		if (index < 0 || (!index && string(p, len, &off, out, size, n, ':')))
			return -1;
		if (string(p, len, &off, out, size, n, '\n'))
			return -1;
	}
	return 0;
}

size_t hpack_headers_text(const uint8_t *in, size_t len, char *out, size_t size)
{
	static uint8_t frag[HPACK_BLOCK_BYTES]; /* a block's fragments, run together */
	size_t off = 0, n = 0, have = 0;
	int frames, open = 0;

	if (size < 2)
		return 0;
	if (len >= sizeof(PREFACE) - 1 && !memcmp(in, PREFACE, sizeof(PREFACE) - 1))
		off = sizeof(PREFACE) - 1;
	for (frames = 0; frames < MAX_FRAMES && off + FRAME_HEADER_BYTES <= len; frames++) {
		const uint8_t *f = in + off;
		size_t flen = ((size_t)f[0] << 16) | ((size_t)f[1] << 8) | f[2], start, end, pad = 0;
		uint8_t type = f[3], flags = f[4];

		/* not a frame: this is no HTTP/2 (or the sample starts inside one) */
		if (type > FRAME_TYPE_MAX || (f[5] & 0x80))
			break;
		start = off + FRAME_HEADER_BYTES;
		end = start + flen;
		off = end;
		/* a frame cut by the end of the sample: its fragment as far as it goes */
		if (end > len)
			end = len;
		if (type != FRAME_HEADERS && (type != FRAME_CONTINUATION || !open))
			continue;
		if (type == FRAME_HEADERS) {
			have = 0;
			if ((flags & FLAG_PADDED) && start < end)
				pad = in[start++];
			if (flags & FLAG_PRIORITY)
				start += 5;
		}
		if (start > end || pad > end - start)
			continue;
		end -= pad;
		if (end - start > sizeof(frag) - have)
			end = start + (sizeof(frag) - have);
		memcpy(frag + have, in + start, end - start);
		have += end - start;
		open = !(flags & FLAG_END_HEADERS) && end < len;
		if (!open) {
			block(frag, have, out, size, &n);
			have = 0;
		}
	}
	/* a block the sample cut: what came of it */
	if (open && have)
		block(frag, have, out, size, &n);
	out[n < size ? n : size - 1] = 0;
	return n;
}
