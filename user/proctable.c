// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* proctable: what the agent knows of each process it has events for (identity, dedup state). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <linux/types.h>
#include "idsentry.h"
#include "proctable.h"

static struct proc **slot(struct proctable *t, uint32_t tgid)
{
	struct proc **pp = &t->buckets[tgid % PROC_BUCKETS];

	while (*pp && (*pp)->tgid != tgid)
		pp = &(*pp)->next;
	return pp;
}

/* argv from NUL-separated bytes, joined with spaces. */
static char *join_args(const char *buf, size_t n)
{
	char *s = malloc(n + 1);
	size_t i;

	if (!s)
		return NULL;
	memcpy(s, buf, n);
	while (n && s[n - 1] == 0)
		n--;
	for (i = 0; i < n; i++)
		if (s[i] == 0)
			s[i] = ' ';
	s[n] = 0;
	return s;
}

/* Re-reads argv, kept as it was when /proc has none (the process is gone). */
static void refresh_cmdline(struct proc *p)
{
	char path[64], buf[4096];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%u/cmdline", p->tgid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return;
	free(p->cmdline);
	p->cmdline = join_args(buf, n);
}

static void read_proc_fs(struct proc *p)
{
	char path[64], buf[4096];
	struct stat st;
	ssize_t n;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%u/exe", p->tgid);
	n = readlink(path, buf, sizeof(buf) - 1);
	if (n > 0) {
		buf[n] = 0;
		p->exe = strdup(buf);
	}
	/* the file itself (exceptions compare it, not the path it shows in this namespace) */
	if (!stat(path, &st)) {
		p->exe_dev = st.st_dev;
		p->exe_ino = st.st_ino;
	}
	refresh_cmdline(p);
	snprintf(path, sizeof(path), "/proc/%u/status", p->tgid);
	f = fopen(path, "r");
	while (f && fgets(buf, sizeof(buf), f))
		if (sscanf(buf, "PPid: %u", &p->ppid) == 1)
			break;
	if (f)
		fclose(f);
}

struct scan_stream *proc_stream(struct proc *p, uint32_t fd)
{
	unsigned int i;

	for (i = 0; i < PROC_STREAMS; i++)
		if (p->streams[i].used && p->streams[i].fd == fd)
			return &p->streams[i].scan;
	i = p->next_stream++ % PROC_STREAMS;
	p->streams[i].used = 1;
	p->streams[i].fd = fd;
	p->streams[i].scan.state = 0;
	p->streams[i].scan.generation = ~0ULL;
	return &p->streams[i].scan;
}

void proc_note_obtained(struct proc *p, unsigned int bit, const char *source, const char *path,
			long value, uint64_t epoch)
{
	struct proc_obtained *o = NULL;
	unsigned int i;

	for (i = 0; i < PROC_OBTAINED && !o; i++)
		if (p->obtained[i].used && p->obtained[i].bit == bit)
			o = &p->obtained[i];
	if (!o)
		o = &p->obtained[p->next_obtained++ % PROC_OBTAINED];
	free(o->path);
	o->used = 1;
	o->bit = bit;
	o->source = source;
	o->path = path ? strdup(path) : NULL;
	o->value = value;
	o->epoch = epoch;
}

const struct proc_obtained *proc_obtained_of(const struct proc *p, unsigned int bit)
{
	unsigned int i;

	for (i = 0; i < PROC_OBTAINED; i++)
		if (p->obtained[i].used && p->obtained[i].bit == bit)
			return &p->obtained[i];
	return NULL;
}

void proc_identity_of(const struct proc *p, const char *(*package_of)(void *, uint32_t),
		      void *package_ctx, struct proc_identity *id)
{
	id->exe = p->exe;
	id->exe_dev = p->exe_dev;
	id->exe_ino = p->exe_ino;
	id->comm = p->comm;
	id->uid = p->uid;
	id->package_of = package_ctx ? package_of : NULL;
	id->package_ctx = package_ctx;
}

void proc_label(const struct proc *p, char *buf, size_t size)
{
	snprintf(buf, size, "%s[%u]", p->comm, p->tgid);
}

/* A child holds what its parent held when it forked: it inherits the parent's knowledge. */
static void inherit_from_parent(struct proc *parent, struct proc *p)
{
	char label[48], *lineage = NULL;
	int n;

	p->held_mask = parent->held_mask;
	p->derived_mask = parent->derived_mask;
	p->noise_mask = parent->noise_mask;
	if (!parent->lineage)
		return;
	proc_label(p, label, sizeof(label));
	/* a chain past what anyone reads keeps its newest hop (fork loops after pid reuse) */
	if (strlen(parent->lineage) + strlen(label) + 16 < PROC_LINEAGE_MAX)
		n = asprintf(&lineage, "%s -fork-> %s", parent->lineage, label);
	else
		n = asprintf(&lineage, "… -fork-> %s", label);
	if (n < 0)
		return;
	free(p->lineage);
	p->lineage = lineage;
}

struct proc *proctable_get(struct proctable *t, uint32_t tgid, uint32_t uid, const char *comm)
{
	struct proc **pp = slot(t, tgid), *p;

	if (*pp)
		return *pp;
	p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->tgid = tgid;
	p->uid = uid;
	snprintf(p->comm, sizeof(p->comm), "%s", comm);
	read_proc_fs(p);
	*pp = p;
	t->count++;
	return p;
}

struct proc *proctable_of_event(struct proctable *t, const struct event_header *h)
{
	struct proc *p = *slot(t, h->tgid);

	if (!p)
		return proctable_get(t, h->tgid, h->uid, h->comm);
	/* identity at the event: an app forked from zygote changes uid and name without exec. The
	 * process's name is its main thread's (other threads name themselves: "RenderThread") */
	p->uid = h->uid;
	if (h->tid == h->tgid && h->comm[0] && strncmp(p->comm, h->comm, sizeof(p->comm) - 1)) {
		snprintf(p->comm, sizeof(p->comm), "%.*s", (int)sizeof(h->comm) - 1, h->comm);
		/* a new name is a new identity: its argv was most likely rewritten too */
		refresh_cmdline(p);
	}
	return p;
}

/* "/usr/bin/curl" from leaf-first components; "…/" marks a path cut at the component limit. */
static char *exe_from_parts(const struct proc_info_event *ev)
{
	char path[EXE_PATH_PARTS * EXE_PART_BYTES + 8] = "";
	int i, n = 0;

	while (n < EXE_PATH_PARTS && ev->exe_parts[n][0])
		n++;
	if (!n)
		return NULL;
	if (n == EXE_PATH_PARTS)
		strcat(path, "...");
	for (i = n - 1; i >= 0; i--) {
		strcat(path, "/");
		strncat(path, ev->exe_parts[i], EXE_PART_BYTES - 1);
	}
	return strdup(path);
}

struct proc *proctable_set_info(struct proctable *t, const struct proc_info_event *ev)
{
	struct proc **pp = slot(t, ev->hdr.tgid), *p = *pp;
	char *exe;

	if (!p) {
		p = calloc(1, sizeof(*p));
		if (!p)
			return NULL;
		p->tgid = ev->hdr.tgid;
		*pp = p;
		t->count++;
	}
	p->uid = ev->hdr.uid;
	p->ppid = ev->ppid;
	p->start_ns = ev->start_ns;
	snprintf(p->comm, sizeof(p->comm), "%.*s", (int)sizeof(ev->hdr.comm), ev->hdr.comm);
	/* /proc gives the full path across mounts; the kernel's walk is the fallback */
	free(p->exe);
	p->exe = NULL;
	p->exe_dev = p->exe_ino = 0;
	free(p->cmdline);
	p->cmdline = NULL;
	read_proc_fs(p);
	exe = exe_from_parts(ev);
	if (!p->exe) {
		p->exe = exe;
	} else {
		free(exe);
	}
	if (ev->cmdline_len) {
		free(p->cmdline);
		p->cmdline = join_args(ev->cmdline, ev->cmdline_len > CMDLINE_BYTES ? CMDLINE_BYTES
										 : ev->cmdline_len);
	}
	return p;
}

void proctable_fork(struct proctable *t, uint32_t parent, uint32_t child)
{
	struct proc *pp = *slot(t, parent), *c;

	if (!pp || parent == child)
		return;
	/* (the child's own events may have come first: proctable_get keeps its identity) */
	c = proctable_get(t, child, pp->uid, pp->comm);
	if (c)
		inherit_from_parent(pp, c);
}

static void proc_free(struct proc *p)
{
	unsigned int i;

	for (i = 0; i < PROC_OBTAINED; i++)
		free(p->obtained[i].path);
	free(p->exe);
	free(p->cmdline);
	free(p->suspects);
	free(p->lineage);
	free(p);
}

struct proc *proctable_find(struct proctable *t, uint32_t tgid)
{
	return *slot(t, tgid);
}

void proctable_remove(struct proctable *t, uint32_t tgid)
{
	struct proc **pp = slot(t, tgid), *p = *pp;

	if (!p)
		return;
	*pp = p->next;
	proc_free(p);
	t->count--;
}

int proc_note_suspect(struct proc *p, const struct suspect_key *key)
{
	struct suspect_key *n;
	size_t i;

	for (i = 0; i < p->n_suspects; i++)
		if (!memcmp(&p->suspects[i], key, sizeof(*key)))
			return 1;
	n = realloc(p->suspects, (p->n_suspects + 1) * sizeof(*n));
	if (!n)
		return 0;
	p->suspects = n;
	p->suspects[p->n_suspects++] = *key;
	return 0;
}

void proctable_clear(struct proctable *t)
{
	size_t i;

	for (i = 0; i < PROC_BUCKETS; i++) {
		while (t->buckets[i]) {
			struct proc *p = t->buckets[i];

			t->buckets[i] = p->next;
			proc_free(p);
		}
	}
	t->count = 0;
}
