// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* watch: registers the policy's identifier files with the kernel by inode and seeds their values. */
#include <errno.h>
#include <fcntl.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <bpf/libbpf.h>
#include "idsentry.skel.h"
#include "idsentry.h"
#include "policy.h"
#include "values.h"
#include "filevalues.h"
#include "watch.h"

static int register_file(struct idsentry_bpf *skel, const struct identifier_def *id,
			 const char *path, struct value_store *vs, struct watch_set *ws, int modem);

static void clear_map(const struct bpf_map *m)
{
	struct watch_key key;

	while (bpf_map__get_next_key(m, NULL, &key, sizeof(key)) == 0)
		if (bpf_map__delete_elem(m, &key, sizeof(key), 0))
			break;
}

/* Registers every path a list of globs matches under one identifier. */
static int register_globs(struct idsentry_bpf *skel, const struct str_list *globs,
			  const struct identifier_def *id, struct value_store *vs,
			  struct watch_set *ws, int modem)
{
	int total = 0;
	size_t j, k;

	for (j = 0; j < globs->n; j++) {
		glob_t g;

		if (glob(globs->items[j], GLOB_NOSORT, NULL, &g))
			continue; /* nothing there on this host: the identifier does not exist */
		for (k = 0; k < g.gl_pathc; k++) {
			int r = register_file(skel, id, g.gl_pathv[k], vs, ws, modem);

			if (r < 0) {
				globfree(&g);
				return r;
			}
			total += r;
		}
		globfree(&g);
	}
	return total;
}

static int remember(struct watch_set *ws, uint64_t ino, unsigned int bit, const char *path)
{
	struct watched_file *n;
	size_t i;

	for (i = 0; i < ws->n; i++) {
		if (ws->files[i].ino == ino && !strcmp(ws->files[i].path, path)) {
			ws->files[i].ident_mask |= 1ULL << bit;
			return 0;
		}
	}
	n = realloc(ws->files, (ws->n + 1) * sizeof(*n));
	if (!n)
		return -ENOMEM;
	ws->files = n;
	n[ws->n].ino = ino;
	n[ws->n].ident_mask = 1ULL << bit;
	n[ws->n].modem = 0;
	n[ws->n].path = strdup(path);
	if (!n[ws->n].path)
		return -ENOMEM;
	ws->n++;
	return 0;
}

struct table_learning {
	struct value_store *vs;
	const struct identifier_def *id;
	const char *path;
	int err;
};

static void learn_table_value(void *ctx, const char *field, const uint8_t *value, size_t len)
{
	struct table_learning *t = ctx;

	if (!filevalues_field_is(field, t->id->name, t->id->files.items, t->id->files.n))
		return;
	if (values_learn(t->vs, t->id->bit, "file", t->path, value, len) < 0)
		t->err = -ENOMEM;
}

/* Opens one file with the registering bit set: the kernel's openat hook records its inode. */
static int register_file(struct idsentry_bpf *skel, const struct identifier_def *id,
			 const char *path, struct value_store *vs, struct watch_set *ws, int modem)
{
	unsigned int bit = id->bit;
	uint8_t buf[MAX_VALUE_BYTES];
	struct stat st;
	ssize_t n;
	int fd, err;

	__atomic_store_n(&skel->bss->registering_modem, modem, __ATOMIC_SEQ_CST);
	__atomic_store_n(&skel->bss->registering_mask, 1ULL << bit, __ATOMIC_SEQ_CST);
	/* a modem is only opened, never read: its replies belong to whoever asked */
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	__atomic_store_n(&skel->bss->registering_mask, 0, __ATOMIC_SEQ_CST);
	__atomic_store_n(&skel->bss->registering_modem, 0, __ATOMIC_SEQ_CST);
	if (fd < 0) {
		fprintf(stderr, "idsentry: cannot watch '%s': %s\n", path, strerror(errno));
		return 0;
	}
	err = fstat(fd, &st) ? -errno : remember(ws, st.st_ino, bit, path);
	for (size_t i = 0; !err && modem && i < ws->n; i++)
		if (ws->files[i].ino == (uint64_t)st.st_ino && !strcmp(ws->files[i].path, path))
			ws->files[i].modem = 1;
	if (!err && !modem && filevalues_is_table(path)) {
		struct table_learning t = { .vs = vs, .id = id, .path = path };

		filevalues_read(path, learn_table_value, &t);
		err = t.err;
	} else if (!err && S_ISREG(st.st_mode) && !modem) {
		n = read(fd, buf, sizeof(buf));
		if (n > 0)
			err = values_learn(vs, bit, "file", path, buf, n) < 0 ? -ENOMEM : 0;
	}
	close(fd);
	return err ? err : 1;
}

int watch_register(struct idsentry_bpf *skel, const struct policy *p, struct value_store *vs,
		   struct watch_set *ws)
{
	int total = 0, r;
	size_t i;

	watch_set_free(ws);
	clear_map(skel->maps.watched_inodes);
	clear_map(skel->maps.modem_inodes);
	for (i = 0; i < p->n_idents; i++) {
		const struct identifier_def *id = &p->idents[i];

		r = register_globs(skel, &id->files, id, vs, ws, 0);
		if (r < 0)
			return r;
		total += r;
		r = register_globs(skel, &id->modem, id, vs, ws, 1);
		if (r < 0)
			return r;
		total += r;
	}
	return total;
}

const struct watched_file *watch_file_of(const struct watch_set *ws, uint64_t ino)
{
	size_t i;

	for (i = 0; i < ws->n; i++)
		if (ws->files[i].ino == ino)
			return &ws->files[i];
	return NULL;
}

const char *watch_path_of(const struct watch_set *ws, uint64_t ino)
{
	size_t i;

	for (i = 0; i < ws->n; i++)
		if (ws->files[i].ino == ino)
			return ws->files[i].path;
	return NULL;
}

int watch_set_add(struct watch_set *ws, uint64_t ino, uint64_t mask, const char *path)
{
	unsigned int bit;
	int err;

	for (bit = 0; bit < 64; bit++)
		if ((mask & (1ULL << bit)) && (err = remember(ws, ino, bit, path)))
			return err;
	return 0;
}

void watch_set_free(struct watch_set *ws)
{
	size_t i;

	for (i = 0; i < ws->n; i++)
		free(ws->files[i].path);
	free(ws->files);
	ws->files = NULL;
	ws->n = 0;
}
