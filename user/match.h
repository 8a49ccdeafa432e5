/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* match: Aho-Corasick multi-pattern search of identifier forms in outbound payload samples. */
#ifndef IDSENTRY_MATCH_H
#define IDSENTRY_MATCH_H

#include <stddef.h>
#include <stdint.h>

struct matcher;

/* Called for each occurrence: tag given at matcher_add, offset of the first byte of the match in
 * the stream passed to matcher_scan (counting from the start of that call's buffer; may be negative
 * when the match began in an earlier call with the same *state). Return nonzero to stop scanning. */
typedef int (*match_fn)(uint32_t tag, long offset, size_t pattern_len, void *ctx);

struct matcher *matcher_new(void);
/* Adds an exact byte pattern (len >= 1). Duplicate patterns with different tags all report. */
int matcher_add(struct matcher *m, const uint8_t *pattern, size_t len, uint32_t tag);
/* Freezes the automaton; must be called after the last add and before any scan. */
int matcher_build(struct matcher *m);
/* Scans buf; *state carries the automaton state across calls (start with 0) so that a pattern split
 * over consecutive buffers is found. Returns the number of matches reported. */
size_t matcher_scan(const struct matcher *m, uint32_t *state, const uint8_t *buf, size_t len,
		    match_fn fn, void *ctx);
size_t matcher_pattern_count(const struct matcher *m);
void matcher_free(struct matcher *m);

#endif
