// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* fuzz_hpack: HTTP/2 frames and HPACK blocks from arbitrary sends: the text stays inside its
 * buffer and NUL-ended, and a Huffman string that decodes is re-found when it is sent again as a
 * literal in a HEADERS frame. */
#include <stdint.h>
#include <string.h>

#include "fuzz.h"
#include "hpack.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char text[4096];
	static uint8_t plain[4096], frame[300];
	size_t n = hpack_headers_text(data, size, text, sizeof(text));
	long got;

	FUZZ_CHECK(n < sizeof(text) && text[n] == 0, "text of %zu bytes in a %zu buffer", n,
		   sizeof(text));
	/* the input as one Huffman string: when it decodes, a literal field carrying it is found */
	if (size > 126) /* its length must fit the 7-bit prefix */
		return 0;
	got = hpack_huffman_decode(data, size, plain, sizeof(plain));
	if (got <= 0 || memchr(plain, '\n', (size_t)got) || memchr(plain, 0, (size_t)got))
		return 0;
	/* HEADERS, END_HEADERS, stream 1: "literal without indexing, indexed name 4 (:path)" */
	memcpy(frame, "\x00\x00\x00\x01\x04\x00\x00\x00\x01", 9);
	frame[2] = (uint8_t)(2 + size);
	frame[9] = 0x04;
	frame[10] = (uint8_t)(0x80 | size);
	memcpy(frame + 11, data, size);
	n = hpack_headers_text(frame, 11 + size, text, sizeof(text));
	FUZZ_CHECK(n == (size_t)got + 1 && !memcmp(text, plain, (size_t)got),
		   "a decoded Huffman literal of %ld bytes came back as %zu", got, n);
	return 0;
}
