/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* filevalues: identifier files that hold a table of values rather than one value (the kernel's
 * ARP table, /proc/net/arp, lists the neighbours' MACs, the router's among them): which files
 * they are, and the values in their text. */
#ifndef IDSENTRY_FILEVALUES_H
#define IDSENTRY_FILEVALUES_H

#include <stddef.h>
#include <stdint.h>

/* Bytes of a table file read for its values (the ARP table of a busy router fits). */
#define FILEVALUES_MAX_BYTES (64u << 10)

typedef void (*filevalue_fn)(void *ctx, const uint8_t *value, size_t len);

/* Whether path names a table file (its values come from filevalues_each, not the whole text). */
int filevalues_is_table(const char *path);
/* Calls fn for each value in a table file's text; returns how many. */
size_t filevalues_each(const char *path, const uint8_t *text, size_t len, filevalue_fn fn,
		       void *ctx);
/* Reads a table file (at most FILEVALUES_MAX_BYTES) and calls fn for each value; returns how
 * many, or -errno when it cannot be read. */
long filevalues_read(const char *path, filevalue_fn fn, void *ctx);

#endif
