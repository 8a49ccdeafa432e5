/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* uprobe_libs: the libraries uprobes were attached to (TLS libraries, bionic's property
 * getters): one entry per file, its links, and why nothing took when nothing did.
 *
 * Uprobes attach to a file: one attachment per library covers every process, present and
 * future, that maps it; what remains is to notice each library once. */
#ifndef IDSENTRY_UPROBE_LIBS_H
#define IDSENTRY_UPROBE_LIBS_H

#include <stddef.h>
#include <stdint.h>

struct bpf_link;
struct bpf_program;
struct json;

struct uprobe_library {
	char *path;
	uint64_t dev, ino;   /* 0 when the path could not be stat'ed */
	int attached;        /* how many of the probes took */
	char reason[160];    /* why none did, when none did */
	const char *kind;    /* NULL for a library; "go" for a Go executable (gotls.c) */
	char version[32];    /* with kind: the toolchain that built it, when known */
	double attach_ms;    /* with kind: the time its look-up and attachment took */
	double lookup_ms;    /* ... of which reading the file (the ELF look-up) */
};

struct uprobe_libs {
	struct uprobe_library *libs;
	size_t n_libs;
	struct bpf_link **links;
	size_t n_links, cap_links;
};

/* A new entry for the library at path, or NULL when the same file (or path) has one already,
 * or on ENOMEM (errno says which: EEXIST or ENOMEM). */
struct uprobe_library *uprobe_libs_add(struct uprobe_libs *u, const char *path);
/* A new entry for the file (dev, ino) found at path, or NULL when that file has one already
 * (EEXIST) or on ENOMEM; another file at the same path (rebuilt since) gets its own. */
struct uprobe_library *uprobe_libs_add_file(struct uprobe_libs *u, const char *path, uint64_t dev,
					    uint64_t ino);
/* Attaches prog at the entry of func in the library at path (at its return with retprobe).
 * Returns 1, or -errno. */
int uprobe_libs_attach(struct uprobe_libs *u, struct bpf_program *prog, const char *path,
		       const char *func, int retprobe);
/* Attaches prog at the file offset off of the file at path (resolved by the caller), at its
 * return with retprobe. Returns 1, or -errno. */
int uprobe_libs_attach_at(struct uprobe_libs *u, struct bpf_program *prog, const char *path,
			  uint64_t off, int retprobe);
/* Whether an entry is the file (dev, ino). */
int uprobe_libs_has(const struct uprobe_libs *u, uint64_t dev, uint64_t ino);
/* The libraries as an array member: path, attached, and reason when not; with kind, the kind,
 * version, attach_us and lookup_us. */
void uprobe_libs_describe(const struct uprobe_libs *u, const char *key, struct json *j);
/* Detaches everything; safe on a zeroed struct. */
void uprobe_libs_free(struct uprobe_libs *u);

#endif
