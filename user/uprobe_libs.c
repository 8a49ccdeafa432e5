// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* uprobe_libs: the libraries uprobes were attached to, one entry per file (uprobe_libs.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <bpf/libbpf.h>
#include "json.h"
#include "loader.h"
#include "uprobe_libs.h"

static int known(const struct uprobe_libs *u, const char *path, const struct stat *st)
{
	size_t i;

	for (i = 0; i < u->n_libs; i++) {
		const struct uprobe_library *l = &u->libs[i];

		if (st && l->dev == st->st_dev && l->ino == st->st_ino)
			return 1;
		if (!strcmp(l->path, path))
			return 1;
	}
	return 0;
}

static struct uprobe_library *add_entry(struct uprobe_libs *u, const char *path)
{
	struct uprobe_library *lib = realloc(u->libs, (u->n_libs + 1) * sizeof(*lib));

	if (!lib)
		return NULL;
	u->libs = lib;
	lib = &u->libs[u->n_libs];
	memset(lib, 0, sizeof(*lib));
	lib->path = strdup(path);
	if (!lib->path)
		return NULL;
	u->n_libs++;
	return lib;
}

struct uprobe_library *uprobe_libs_add(struct uprobe_libs *u, const char *path)
{
	struct uprobe_library *lib;
	struct stat st;
	int have_st = !stat(path, &st);

	if (known(u, path, have_st ? &st : NULL)) {
		errno = EEXIST;
		return NULL;
	}
	lib = add_entry(u, path);
	if (lib && have_st) {
		lib->dev = st.st_dev;
		lib->ino = st.st_ino;
	}
	return lib;
}

struct uprobe_library *uprobe_libs_add_file(struct uprobe_libs *u, const char *path, uint64_t dev,
					    uint64_t ino)
{
	struct uprobe_library *lib;

	if (uprobe_libs_has(u, dev, ino)) {
		errno = EEXIST;
		return NULL;
	}
	lib = add_entry(u, path);
	if (lib) {
		lib->dev = dev;
		lib->ino = ino;
	}
	return lib;
}

static int keep_link(struct uprobe_libs *u, struct bpf_link *link)
{
	if (u->n_links == u->cap_links) {
		size_t cap = u->cap_links ? u->cap_links * 2 : 16;
		struct bpf_link **n = realloc(u->links, cap * sizeof(*n));

		if (!n) {
			bpf_link__destroy(link);
			return -ENOMEM;
		}
		u->links = n;
		u->cap_links = cap;
	}
	u->links[u->n_links++] = link;
	return 0;
}

int uprobe_libs_attach(struct uprobe_libs *u, struct bpf_program *prog, const char *path,
		       const char *func, int retprobe)
{
	LIBBPF_OPTS(bpf_uprobe_opts, opts, .func_name = func, .retprobe = retprobe);
	struct bpf_link *link = bpf_program__attach_uprobe_opts(prog, -1, path, 0, &opts);

	if (!link)
		return -errno;
	return keep_link(u, link) ? -ENOMEM : 1;
}

int uprobe_libs_attach_at(struct uprobe_libs *u, struct bpf_program *prog, const char *path,
			  uint64_t off, int retprobe)
{
	LIBBPF_OPTS(bpf_uprobe_opts, opts, .retprobe = retprobe);
	struct bpf_link *link = bpf_program__attach_uprobe_opts(prog, -1, path, off, &opts);

	if (!link)
		return -errno;
	return keep_link(u, link) ? -ENOMEM : 1;
}

int uprobe_libs_has(const struct uprobe_libs *u, uint64_t dev, uint64_t ino)
{
	size_t i;

	for (i = 0; i < u->n_libs; i++)
		if (u->libs[i].dev == dev && u->libs[i].ino == ino)
			return 1;
	return 0;
}

void uprobe_libs_describe(const struct uprobe_libs *u, const char *key, struct json *j)
{
	size_t i;

	json_array_begin(j, key);
	for (i = 0; i < u->n_libs; i++) {
		const struct uprobe_library *l = &u->libs[i];

		json_object_begin(j, NULL);
		json_string(j, "path", l->path);
		json_bool(j, "attached", l->attached > 0);
		if (!l->attached)
			json_string(j, "reason", l->reason);
		if (l->kind) {
			json_string(j, "kind", l->kind);
			if (l->version[0])
				json_string(j, "version", l->version);
			json_uint(j, "attach_us", (unsigned long long)(l->attach_ms * 1000));
			json_uint(j, "lookup_us", (unsigned long long)(l->lookup_ms * 1000));
		}
		json_object_end(j);
	}
	json_array_end(j);
}

void uprobe_libs_free(struct uprobe_libs *u)
{
	size_t i;

	destroy_links(u->links, u->n_links);
	free(u->links);
	for (i = 0; i < u->n_libs; i++)
		free(u->libs[i].path);
	free(u->libs);
	memset(u, 0, sizeof(*u));
}
