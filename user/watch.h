/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* watch: registers the policy's identifier files with the kernel by inode and seeds their values. */
#ifndef IDSENTRY_WATCH_H
#define IDSENTRY_WATCH_H

#include <stddef.h>
#include <stdint.h>

struct idsentry_bpf;
struct policy;
struct value_store;

struct watched_file {
	uint64_t ino;
	uint64_t ident_mask;
	char *path;
	int modem;      /* a modem tty (policy key `modem`), not a file */
};

struct watch_set {
	struct watched_file *files;
	size_t n;
};

/* Empties the kernel's inode map, then opens every file the globs match so that the kernel
 * records its (dev, ino) under the identifier's bit, and learns each file's current value.
 * Returns the number of files registered, or a negative errno. */
int watch_register(struct idsentry_bpf *skel, const struct policy *p, struct value_store *vs,
		   struct watch_set *ws);
/* The registration of an inode (identifier bits of every path with that inode), or NULL. */
const struct watched_file *watch_file_of(const struct watch_set *ws, uint64_t ino);
/* The path registered for an inode, or NULL. */
const char *watch_path_of(const struct watch_set *ws, uint64_t ino);
/* Adds a file registered another way (derived.h) under identifiers mask; 0 or -ENOMEM. */
int watch_set_add(struct watch_set *ws, uint64_t ino, uint64_t mask, const char *path);
void watch_set_free(struct watch_set *ws);

#endif
