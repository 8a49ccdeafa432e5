// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* shm: memory a holder shares, found from /proc/PID/maps (see shm.h). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>
#include "shm.h"

void shm_tracker_init(struct shm_tracker *t, const char *proc)
{
	memset(t, 0, sizeof(*t));
	t->proc = proc ? proc : "/proc";
}

int shm_parse_maps_line(const char *line, struct shm_mapping *m)
{
	char perms[8] = "", path[256] = "";
	unsigned int major, minor;
	unsigned long long ino;
	int n;

	memset(m, 0, sizeof(*m));
	n = sscanf(line, "%*x-%*x %7s %*x %x:%x %llu %255[^\n]", perms, &major, &minor, &ino,
		   path);
	if (n < 4 || strlen(perms) < 4 || !ino)
		return -1;
	m->writable = perms[1] == 'w';
	m->shared = perms[3] == 's';
	m->dev = makedev(major, minor);
	m->ino = ino;
	snprintf(m->path, sizeof(m->path), "%.*s", (int)sizeof(m->path) - 1, path);
	return 0;
}

static struct shm_object *find(struct shm_tracker *t, uint64_t dev, uint64_t ino)
{
	for (size_t i = 0; i < t->n; i++)
		if (t->obj[i].dev == dev && t->obj[i].ino == ino)
			return &t->obj[i];
	return NULL;
}

static struct shm_object *add(struct shm_tracker *t)
{
	size_t i, oldest = 0;

	if (t->n < SHM_MAX_OBJECTS)
		return &t->obj[t->n++];
	for (i = 1; i < t->n; i++)
		if (t->obj[i].seen < t->obj[oldest].seen)
			oldest = i;
	return &t->obj[oldest];
}

static FILE *open_maps(const struct shm_tracker *t, uint32_t tgid)
{
	char path[64];

	snprintf(path, sizeof(path), "%s/%u/maps", t->proc, tgid);
	return fopen(path, "re");
}

static void remember_holder(struct shm_tracker *t, uint32_t tgid, uint64_t mask)
{
	size_t i;

	for (i = 0; i < t->n_holders; i++)
		if (t->holders[i] == tgid) {
			t->holder_mask[i] |= mask;
			return;
		}
	if (t->n_holders < SHM_MAX_HOLDERS) {
		t->holders[t->n_holders] = tgid;
		t->holder_mask[t->n_holders++] = mask;
	}
}

/* The holder's shared writable mappings; -1 when it is gone. */
static int read_holder(struct shm_tracker *t, uint32_t tgid, uint64_t mask)
{
	struct shm_mapping m;
	struct shm_object *o;
	char line[512];
	int fresh = 0;
	FILE *f = open_maps(t, tgid);

	if (!f)
		return -1;
	t->clock++;
	while (fgets(line, sizeof(line), f)) {
		if (shm_parse_maps_line(line, &m) || !m.shared || !m.writable)
			continue;
		o = find(t, m.dev, m.ino);
		if (!o) {
			o = add(t);
			memset(o, 0, sizeof(*o));
			o->dev = m.dev;
			o->ino = m.ino;
			snprintf(o->path, sizeof(o->path), "%s", m.path);
			fresh++;
		} else if ((o->mask | mask) != o->mask) {
			fresh++;
		}
		o->mask |= mask;
		o->writer = tgid;
		o->seen = t->clock;
	}
	fclose(f);
	return fresh;
}

int shm_note_holder(struct shm_tracker *t, uint32_t tgid, uint64_t mask)
{
	int fresh = read_holder(t, tgid, mask);

	if (fresh < 0)
		return 0;
	remember_holder(t, tgid, mask);
	return fresh;
}

void shm_find_mappers(struct shm_tracker *t, uint32_t skip, shm_mapper_fn fn, void *ctx)
{
	struct shm_mapping m;
	struct dirent *d;
	char line[512];
	size_t seen = 0;
	DIR *dir;

	if (!t->n || !(dir = opendir(t->proc)))
		return;
	t->scans++;
	while ((d = readdir(dir)) && seen < SHM_MAX_PIDS) {
		uint32_t tgid;
		char *end;
		FILE *f;

		if (!isdigit((unsigned char)d->d_name[0]))
			continue;
		tgid = strtoul(d->d_name, &end, 10);
		if (*end || tgid == skip)
			continue;
		seen++;
		f = open_maps(t, tgid);
		if (!f)
			continue;
		while (fgets(line, sizeof(line), f)) {
			struct shm_object *o;

			if (shm_parse_maps_line(line, &m) || !m.shared)
				continue;
			o = find(t, m.dev, m.ino);
			if (!o || o->writer == tgid)
				continue;
			t->shared++;
			fn(ctx, tgid, o);
			break; /* one object is enough to taint it; the others come at the next scan */
		}
		fclose(f);
	}
	closedir(dir);
}

void shm_rescan(struct shm_tracker *t, uint32_t skip, shm_mapper_fn fn, void *ctx)
{
	size_t i = 0;

	while (i < t->n_holders) {
		if (read_holder(t, t->holders[i], t->holder_mask[i]) < 0) {
			t->holders[i] = t->holders[--t->n_holders];
			t->holder_mask[i] = t->holder_mask[t->n_holders];
			continue;
		}
		i++;
	}
	if (!t->n_holders)
		t->n = 0; /* nobody writes them any more: what they held was found already */
	shm_find_mappers(t, skip, fn, ctx);
}
