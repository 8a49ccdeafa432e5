// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* learn: the values processes received, from what the kernel saw them read (learn.h). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "idsentry.h"
#include "binder.h"
#include "derived.h"
#include "filevalues.h"
#include "flow.h"
#include "ioctl.h"
#include "json.h"
#include "learn.h"
#include "modem.h"
#include "netlink.h"
#include "output.h"
#include "policy.h"
#include "proctable.h"
#include "values.h"
#include "watch.h"

/* A value of the identifiers in mask reached process p (NULL when unknown) from source/origin:
 * learnt, and noted as how p got it. */
static void learn_value(const struct learner *l, struct proc *p, uint64_t mask, const char *source,
			const char *origin, const uint8_t *value, size_t len)
{
	int bit;

	for (bit = 0; bit < MAX_IDENTIFIER_BITS; bit++) {
		if (!(mask & (1ULL << bit)))
			continue;
		values_learn(l->values, bit, source, origin, value, len);
		if (p)
			proc_note_obtained(p, bit, source, origin, l->values->last,
					   l->values->epoch);
	}
}

/* An identifier reached a process other than by reading a file: ioctl or Binder reply, or
 * property. */
static void learn_other_source(const struct learner *l, struct proc *p,
			       const struct ident_read_event *ev, size_t len)
{
	char value[MAX_VALUE_BYTES + 1], origin[BINDER_NAME_BYTES + 32];
	const char *source = ev->source == SOURCE_IOCTL	   ? "ioctl" :
			     ev->source == SOURCE_BINDER ? "binder" :
							   "property";
	size_t n = 0;

	if (ev->source == SOURCE_BINDER) {
		n = binder_reply_value(l->binder, ev, len, value, sizeof(value), origin,
				       sizeof(origin));
	} else if (ev->source == SOURCE_IOCTL) {
		n = ioctl_value(ev->ino, ev->data, len, value, sizeof(value), origin,
				sizeof(origin));
	} else if (len > PROP_NAME_BYTES) {
		/* name[PROP_NAME_BYTES], then the value */
		snprintf(origin, sizeof(origin), "%.*s", PROP_NAME_BYTES, (const char *)ev->data);
		n = len - PROP_NAME_BYTES;
		if (n >= sizeof(value))
			n = sizeof(value) - 1;
		memcpy(value, ev->data + PROP_NAME_BYTES, n);
		value[n] = 0;
	}
	if (n)
		learn_value(l, p, ev->ident_mask, source, origin, (const uint8_t *)value, n);
}

/* A watched file was opened while no read hook could see what the opener read: its value is what
 * the file holds, read here (the file the policy names, the inode the kernel matched). */
struct table_learning {
	const struct learner *l;
	struct proc *p;
	uint64_t mask;
	const char *path;
};

static void learn_table_value(void *ctx, const char *field, const uint8_t *value, size_t len)
{
	struct table_learning *t = ctx;
	uint64_t mask = 0;
	size_t i;

	/* a DMI table's serials and UUID each belong to their own identifier */
	for (i = 0; i < t->l->policy->n_idents; i++) {
		const struct identifier_def *id = &t->l->policy->idents[i];

		if ((t->mask & (1ULL << id->bit)) &&
		    filevalues_field_is(field, id->name, id->files.items, id->files.n))
			mask |= 1ULL << id->bit;
	}
	if (mask)
		learn_value(t->l, t->p, mask, "file", t->path, value, len);
}

/* A table file (filevalues.h) read or opened: each value in it, as the agent reads it whole (a
 * process's first read holds only its first few hundred bytes). */
static void learn_table_file(const struct learner *l, struct proc *p, uint64_t mask,
			     const char *path)
{
	struct table_learning t = { .l = l, .p = p, .mask = mask, .path = path };
	long n = filevalues_read(path, learn_table_value, &t);

	if (n < 0)
		fprintf(stderr, "idsentry: reading %s for the values a process read failed: %s\n",
			path, strerror((int)-n));
}

static void learn_opened_file(const struct learner *l, struct proc *p,
			      const struct ident_read_event *ev, const char *path)
{
	uint8_t buf[MAX_VALUE_BYTES];
	ssize_t n = -1;
	int fd;

	if (filevalues_is_table(path)) {
		learn_table_file(l, p, ev->ident_mask, path);
		return;
	}
	fd = path ? open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY) : -1;
	if (fd >= 0) {
		n = read(fd, buf, sizeof(buf));
		close(fd);
	}
	if (n < 0) {
		fprintf(stderr, "idsentry: %s was opened by pid %u with the read hooks away, and "
				"reading it for its value failed: %s\n",
			path ? path : "an identifier file", ev->hdr.tgid,
			path ? strerror(errno) : "its inode is no longer registered");
		return;
	}
	learn_value(l, p, ev->ident_mask, "file", path, buf, n);
}

unsigned int learn_ident_read(const struct learner *l, const struct ident_read_event *ev)
{
	const char *path = watch_path_of(l->watches, ev->ino);
	size_t len = ev->len > MAX_VALUE_BYTES ? MAX_VALUE_BYTES : ev->len;
	struct proc *p = proctable_of_event(l->procs, &ev->hdr);
	unsigned int result = 0;

	if (p)
		flow_direct_read(p, ev->ident_mask, ev->hdr.ts_ns);
	/* no open of a watched file announced this one (or its open came to the open exits that
	 * stand in for fanotify): follow the process from now on */
	if (ev->source != SOURCE_FILE || ev->call == CALL_OPEN)
		result |= LEARNT_FOLLOW;
	/* a file a holder wrote a value into: the value is known, the rest of it is not one */
	if (ev->source == SOURCE_FILE && derived_find(l->derived, ev->ino))
		return result;
	if (ev->source == SOURCE_FILE && ev->call == CALL_OPEN) {
		learn_opened_file(l, p, ev, path);
		return result;
	}
	switch (ev->source) {
	case SOURCE_MODEM:
		/* an AT reply: what it carries depends on the command before it */
		modem_on_read(l->modem, ev);
		return result;
	case SOURCE_IOCTL:
	case SOURCE_PROPERTY:
	case SOURCE_BINDER:
		learn_other_source(l, p, ev, len);
		return result;
	}
	/* a value starts at offset 0; later chunks of a file are not identifier starts */
	if (ev->offset == 0 && filevalues_is_table(path))
		learn_table_file(l, p, ev->ident_mask, path);
	else if (ev->offset == 0)
		learn_value(l, p, ev->ident_mask, "file", path, ev->data, len);
	return result;
}

struct netlink_learning {
	const struct learner *learner;
	struct proc *p;
	uint64_t mask;
};

static void learn_netlink_address(void *ctx, const char *mac, enum netlink_addr_kind kind,
				  const char *owner)
{
	struct netlink_learning *nl = ctx;
	char origin[96];

	snprintf(origin, sizeof(origin), "%s %s%s",
		 kind == NETLINK_NEIGH ? "RTM_NEWNEIGH" : "RTM_NEWLINK", owner,
		 kind == NETLINK_LINK_PERM ? " (permanent)" : "");
	learn_value(nl->learner, nl->p, nl->mask, "netlink", origin, (const uint8_t *)mac,
		    strlen(mac));
}

/* A process read an rtnetlink reply listing links or neighbours: it holds their addresses. */
unsigned int learn_netlink_reply(const struct learner *l, const struct send_event *ev)
{
	struct netlink_learning nl = { .learner = l, .mask = ev->taint_mask };

	nl.p = proctable_of_event(l->procs, &ev->hdr);
	if (nl.p)
		flow_direct_read(nl.p, ev->taint_mask, ev->hdr.ts_ns);
	netlink_addresses(ev->sample, ev->sample_len, learn_netlink_address, &nl);
	/* no open of a watched file announced it: follow the process from now on */
	return LEARNT_FOLLOW;
}

/* The path of FILE_PATH_PARTS components, leaf first, as the kernel wrote them; 0 when there
 * are none. */
static int path_of_parts(const uint8_t *parts, char *out, size_t size)
{
	char part[EXE_PART_BYTES];
	int i, n = 0;
	size_t at = 0;

	while (n < FILE_PATH_PARTS && parts[n * EXE_PART_BYTES])
		n++;
	out[0] = 0;
	for (i = n - 1; i >= 0; i--) {
		memcpy(part, parts + i * EXE_PART_BYTES, EXE_PART_BYTES);
		part[EXE_PART_BYTES - 1] = 0;
		at += snprintf(out + at, at < size ? size - at : 0, "/%s", part);
	}
	return n > 0 && at < size;
}

/* A holder wrote into a regular file: when a form of a value it holds is in what it wrote, the
 * file becomes an identifier file for that identifier (derived.h), announced by a record. */
unsigned int learn_file_write(const struct learner *l, const struct send_event *ev)
{
	struct value_hit hits[16];
	char link[64], path[PATH_MAX];
	uint64_t dev, ino, mask = 0;
	struct derived_file written = { .path = path };
	struct json j;
	ssize_t len;
	int n, k, r;

	if (ev->sample_len <= FILE_PATH_BYTES)
		return 0;
	n = values_scan(l->values, ev->sample + FILE_PATH_BYTES, ev->sample_len - FILE_PATH_BYTES,
			ev->taint_mask, hits, 16);
	for (k = 0; k < n; k++)
		mask |= 1ULL << hits[k].value->bit;
	if (!mask)
		return 0;
	memcpy(&dev, ev->daddr, 8);
	memcpy(&ino, ev->daddr + 8, 8);
	/* the writer's fd names it best; else the path the kernel put before the data */
	snprintf(link, sizeof(link), "/proc/%u/fd/%u", ev->hdr.tgid, ev->fd);
	len = readlink(link, path, sizeof(path) - 1);
	if (len > 0) {
		path[len] = 0;
	} else if (!path_of_parts(ev->sample, path, sizeof(path))) {
		snprintf(path, sizeof(path), "inode %llu", (unsigned long long)ino);
	}
	r = derived_add(l->derived, dev, ino, mask, path, ev->hdr.tgid, ev->hdr.ts_ns);
	if (r == -ENOSPC && l->derived->refused == 1)
		fprintf(stderr, "idsentry: more than %d files hold identifiers written by their "
				"holders: later ones are not followed\n", DERIVED_MAX_FILES);
	if (r <= 0)
		return 0;
	written.ino = ino;
	written.ident_mask = mask;
	json_init(&j);
	derived_record_begin(&j, l->policy, &written);
	json_object_begin(&j, "writer");
	json_uint(&j, "pid", ev->hdr.tgid);
	json_string(&j, "comm", ev->hdr.comm);
	json_object_end(&j);
	output_write(l->out, &j);
	json_free(&j);
	return LEARNT_FILE;
}
