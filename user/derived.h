/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* derived: regular files into which a process holding an identifier wrote a form of its value
 * (an app caching the IMEI, a log line with the machine-id). Each becomes an identifier file for
 * that identifier, by inode, so that a later, unrelated reader is tainted as a reader of the
 * policy's own files is (files as channels). Kept across restarts with --state-dir; forgotten
 * when the policy's `derived_files.expire` has passed since the value was last written there. */
#ifndef IDSENTRY_DERIVED_H
#define IDSENTRY_DERIVED_H

#include <stddef.h>
#include <stdint.h>

struct idsentry_bpf;
struct watch_set;

#define DERIVED_MAX_FILES 1024

struct derived_file {
	uint64_t dev;       /* the kernel's encoding, as the watched_inodes map has it */
	uint64_t ino;
	uint64_t ident_mask;
	char *path;         /* as the writer's fd named it when the value was seen */
	uint32_t writer;    /* tgid */
	uint64_t since_ns;  /* event time of the write */
	int64_t written_at; /* wall-clock seconds the value was last seen written into it */
};

struct derived_set {
	struct derived_file *files;
	size_t n;
	unsigned long long refused; /* past DERIVED_MAX_FILES */
};

/* Records that a form of identifiers mask was written into (dev, ino); returns 1 when the file
 * is new or gained identifiers, 0 when known, -ENOMEM, or -ENOSPC past DERIVED_MAX_FILES. */
int derived_add(struct derived_set *s, uint64_t dev, uint64_t ino, uint64_t mask,
		const char *path, uint32_t writer, uint64_t ts_ns);
/* Forgets the derived files last written longer than expire_s seconds before now (wall clock),
 * telling gone() of each first; returns how many (the caller registers the watches again, which
 * drops their inodes from the kernel). */
size_t derived_expire(struct derived_set *s, int64_t now, int64_t expire_s,
		      void (*gone)(void *ctx, const struct derived_file *f), void *ctx);
/* The derived file with that inode, or NULL. */
const struct derived_file *derived_find(const struct derived_set *s, uint64_t ino);
/* Registers every derived file with the kernel (watched_inodes) and in ws (for its path and the
 * on-demand gate's marks); after each registration of the policy's own files, which empties
 * the kernel's map. Returns how many failed. */
int derived_apply(const struct derived_set *s, struct idsentry_bpf *skel, struct watch_set *ws);
void derived_free(struct derived_set *s);

struct json;
struct policy;
/* The names of the identifiers in mask, as the array member key. */
void identifier_names_member(struct json *j, const struct policy *p, const char *key,
			     uint64_t mask);
/* Starts a 'derived_file' record: type, ts, path, ino, identifiers (the caller adds the rest). */
void derived_record_begin(struct json *j, const struct policy *p, const struct derived_file *f);
/* Every derived file, as the status record's derived_files member. */
void derived_describe(const struct derived_set *s, const struct policy *p, struct json *j);

#endif
