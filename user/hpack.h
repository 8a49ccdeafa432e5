/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* hpack: header fields in the HTTP/2 frames a process sends (curl --http2, OkHttp on Android,
 * browsers: over TLS, so from the plaintext probes). Frames are followed from the start of a send
 * (after the connection preface, if there); the literal names and values of HEADERS and
 * CONTINUATION fragments are decoded (Huffman or not, RFC 7541) into "name:value" lines for the
 * matcher. Indexed fields stand for what an earlier block sent as a literal: nothing new. */
#ifndef IDSENTRY_HPACK_H
#define IDSENTRY_HPACK_H

#include <stddef.h>
#include <stdint.h>

/* The decoded header text of the frames at the start of in (NUL-ended in out); its length, 0 when
 * in starts with no HTTP/2 frame or no literal. */
size_t hpack_headers_text(const uint8_t *in, size_t len, char *out, size_t size);
/* A Huffman-coded string (RFC 7541 5.2, Appendix B); the decoded length, or -1 when the bits
 * are no valid code or out is too small. */
long hpack_huffman_decode(const uint8_t *in, size_t len, uint8_t *out, size_t size);

#endif
