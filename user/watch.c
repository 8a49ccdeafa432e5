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
#include "watch.h"

static void clear_inode_map(struct idsentry_bpf *skel)
{
	struct watch_key key;

	while (bpf_map__get_next_key(skel->maps.watched_inodes, NULL, &key, sizeof(key)) == 0)
		if (bpf_map__delete_elem(skel->maps.watched_inodes, &key, sizeof(key), 0))
			break;
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
	n[ws->n].path = strdup(path);
	if (!n[ws->n].path)
		return -ENOMEM;
	ws->n++;
	return 0;
}

/* Opens one file with the registering bit set: the kernel's openat hook records its inode. */
static int register_file(struct idsentry_bpf *skel, unsigned int bit, const char *path,
			 struct value_store *vs, struct watch_set *ws)
{
	uint8_t buf[MAX_VALUE_BYTES];
	struct stat st;
	ssize_t n;
	int fd, err;

	__atomic_store_n(&skel->bss->registering_mask, 1ULL << bit, __ATOMIC_SEQ_CST);
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	__atomic_store_n(&skel->bss->registering_mask, 0, __ATOMIC_SEQ_CST);
	if (fd < 0) {
		fprintf(stderr, "idsentry: cannot watch '%s': %s\n", path, strerror(errno));
		return 0;
	}
	err = fstat(fd, &st) ? -errno : remember(ws, st.st_ino, bit, path);
	if (!err && S_ISREG(st.st_mode)) {
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
	size_t i, j, k;
	int total = 0;

	watch_set_free(ws);
	clear_inode_map(skel);
	for (i = 0; i < p->n_idents; i++) {
		const struct identifier_def *id = &p->idents[i];

		for (j = 0; j < id->files.n; j++) {
			glob_t g;

			if (glob(id->files.items[j], GLOB_NOSORT, NULL, &g))
				continue; /* nothing there on this host: the identifier does not exist */
			for (k = 0; k < g.gl_pathc; k++) {
				int r = register_file(skel, id->bit, g.gl_pathv[k], vs, ws);

				if (r < 0) {
					globfree(&g);
					return r;
				}
				total += r;
			}
			globfree(&g);
		}
	}
	return total;
}

const char *watch_path_of(const struct watch_set *ws, uint64_t ino)
{
	size_t i;

	for (i = 0; i < ws->n; i++)
		if (ws->files[i].ino == ino)
			return ws->files[i].path;
	return NULL;
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
