// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* derived: files made identifier files by what a holder wrote into them. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "idsentry.skel.h"
#include "idsentry.h"
#include "derived.h"
#include "json.h"
#include "policy.h"
#include "watch.h"

const struct derived_file *derived_find(const struct derived_set *s, uint64_t ino)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (s->files[i].ino == ino)
			return &s->files[i];
	return NULL;
}

int derived_add(struct derived_set *s, uint64_t dev, uint64_t ino, uint64_t mask,
		const char *path, uint32_t writer, uint64_t ts_ns)
{
	struct derived_file *f, *grown;
	size_t i;

	for (i = 0; i < s->n; i++) {
		f = &s->files[i];
		if (f->dev != dev || f->ino != ino)
			continue;
		/* written again: it stays an identifier file from now */
		f->written_at = time(NULL);
		if ((f->ident_mask | mask) == f->ident_mask)
			return 0;
		f->ident_mask |= mask;
		return 1;
	}
	if (s->n >= DERIVED_MAX_FILES) {
		s->refused++;
		return -ENOSPC;
	}
	grown = realloc(s->files, (s->n + 1) * sizeof(*grown));
	if (!grown)
		return -ENOMEM;
	s->files = grown;
	f = &s->files[s->n];
	f->path = strdup(path);
	if (!f->path)
		return -ENOMEM;
	f->dev = dev;
	f->ino = ino;
	f->ident_mask = mask;
	f->writer = writer;
	f->since_ns = ts_ns;
	f->written_at = time(NULL);
	s->n++;
	return 1;
}

size_t derived_expire(struct derived_set *s, int64_t now, int64_t expire_s,
		      void (*gone)(void *ctx, const struct derived_file *f), void *ctx)
{
	size_t i = 0, n_gone = 0;

	if (expire_s <= 0)
		return 0;
	while (i < s->n) {
		if (now - s->files[i].written_at <= expire_s) {
			i++;
			continue;
		}
		if (gone)
			gone(ctx, &s->files[i]);
		free(s->files[i].path);
		s->files[i] = s->files[--s->n];
		n_gone++;
	}
	return n_gone;
}

int derived_apply(const struct derived_set *s, struct idsentry_bpf *skel, struct watch_set *ws)
{
	int fd = bpf_map__fd(skel->maps.watched_inodes), failed = 0;
	size_t i;

	for (i = 0; i < s->n; i++) {
		const struct derived_file *f = &s->files[i];
		struct watch_key key = { .dev = f->dev, .ino = f->ino };
		uint64_t bits = 0;

		bpf_map_lookup_elem(fd, &key, &bits);
		bits |= f->ident_mask;
		if (bpf_map_update_elem(fd, &key, &bits, BPF_ANY) ||
		    watch_set_add(ws, f->ino, f->ident_mask, f->path))
			failed++;
	}
	return failed;
}

void derived_free(struct derived_set *s)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		free(s->files[i].path);
	free(s->files);
	s->files = NULL;
	s->n = 0;
}

void identifier_names_member(struct json *j, const struct policy *p, const char *key,
			     uint64_t mask)
{
	size_t i;

	json_array_begin(j, key);
	for (i = 0; i < p->n_idents; i++)
		if (mask & (1ULL << p->idents[i].bit))
			json_string(j, NULL, p->idents[i].name);
	json_array_end(j);
}

void derived_record_begin(struct json *j, const struct policy *p, const struct derived_file *f)
{
	json_record_begin(j, "derived_file");
	json_string(j, "path", f->path);
	json_uint(j, "ino", f->ino);
	identifier_names_member(j, p, "identifiers", f->ident_mask);
}

void derived_describe(const struct derived_set *s, const struct policy *p, struct json *j)
{
	size_t i;

	json_array_begin(j, "derived_files");
	for (i = 0; i < s->n; i++) {
		const struct derived_file *f = &s->files[i];

		json_object_begin(j, NULL);
		json_string(j, "path", f->path);
		json_uint(j, "ino", f->ino);
		identifier_names_member(j, p, "identifiers", f->ident_mask);
		json_uint(j, "writer", f->writer);
		json_object_end(j);
	}
	json_array_end(j);
}
