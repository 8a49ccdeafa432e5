/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* inflate: finds a gzip, zlib or raw deflate stream in sent bytes and inflates what of it is there. */
#ifndef IDSENTRY_INFLATE_H
#define IDSENTRY_INFLATE_H

#include <stddef.h>
#include <stdint.h>

#define INFLATE_MAX_BYTES (64 * 1024) /* output inflated from one sample, at most */

enum inflate_kind {
	INFLATE_NONE = 0,
	INFLATE_GZIP,    /* gzip member anywhere in the bytes */
	INFLATE_ZLIB,    /* zlib stream where a message (or an HTTP body) starts */
	INFLATE_DEFLATE, /* raw deflate, in an HTTP body sent with Content-Encoding: deflate */
};

/* Inflates the first compressed stream found in buf into out (at most cap bytes: a bomb stops
 * there), as far as buf holds it. Returns the bytes inflated, 0 when there is none. */
size_t inflate_sent(const uint8_t *buf, size_t len, uint8_t *out, size_t cap,
		    enum inflate_kind *kind);

#endif
