/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* shm: memory a holder shares. A process that maps what a holder maps shared and writable
 * (MAP_SHARED anonymous memory across fork, a memfd, POSIX shm in /dev/shm, a SysV segment, a
 * file mapped shared) may read what the holder wrote there without any call the kernel hooks
 * see: it is tainted as a pipe's reader is. Found from /proc/PID/maps: a holder's shared writable
 * mappings when it becomes a holder (and again every SHM_RESCAN_SECONDS while it lives), then
 * every process that maps one of them. */
#ifndef IDSENTRY_SHM_H
#define IDSENTRY_SHM_H

#include <stddef.h>
#include <stdint.h>

#define SHM_MAX_OBJECTS 256 /* shared objects of holders followed at once (the oldest gives way) */
#define SHM_MAX_HOLDERS 64  /* holders whose mappings are looked at again */
#define SHM_MAX_PIDS 8192   /* processes looked at per scan for mappers */
#define SHM_RESCAN_SECONDS 5

/* One line of /proc/PID/maps. */
struct shm_mapping {
	int shared;   /* 's' */
	int writable; /* 'w' */
	uint64_t dev; /* makedev(major, minor) */
	uint64_t ino;
	char path[96];
};

struct shm_object {
	uint64_t dev, ino;
	uint64_t mask;   /* identifiers its writer held */
	uint32_t writer; /* tgid */
	uint64_t seen;   /* tracker clock when added or renewed */
	char path[96];
};

struct shm_tracker {
	struct shm_object obj[SHM_MAX_OBJECTS];
	size_t n;
	uint32_t holders[SHM_MAX_HOLDERS];
	uint64_t holder_mask[SHM_MAX_HOLDERS];
	size_t n_holders;
	uint64_t clock;
	const char *proc;          /* "/proc"; tests point it elsewhere */
	unsigned long long scans;  /* looks at every process's mappings */
	unsigned long long shared; /* processes found mapping a holder's object */
};

/* Called with each process that maps an object it did not write (skip: its tgid is not called). */
typedef void (*shm_mapper_fn)(void *ctx, uint32_t tgid, const struct shm_object *o);

void shm_tracker_init(struct shm_tracker *t, const char *proc);
/* Parses one maps line; 0 when it is a mapping with an inode, -1 otherwise. */
int shm_parse_maps_line(const char *line, struct shm_mapping *m);
/* Notes holder tgid (identifiers mask): its shared writable mappings become tracked objects.
 * Returns how many objects are new. */
int shm_note_holder(struct shm_tracker *t, uint32_t tgid, uint64_t mask);
/* Calls fn for every process (but skip and each object's writer) mapping a tracked object. */
void shm_find_mappers(struct shm_tracker *t, uint32_t skip, shm_mapper_fn fn, void *ctx);
/* Every SHM_RESCAN_SECONDS: the holders' mappings again (gone holders dropped), then mappers,
 * while any object is tracked. */
void shm_rescan(struct shm_tracker *t, uint32_t skip, shm_mapper_fn fn, void *ctx);

#endif
