// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* props: attaches the system property probes to bionic's getters and names the watched properties. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <bpf/libbpf.h>
#include "idsentry.skel.h"
#include "idsentry.h"
#include "policy.h"
#include "props.h"
#include "uprobe_libs.h"

static const char *const default_libraries[] = {
	"/apex/com.android.runtime/lib64/bionic/libc.so",
	"/system/lib64/libc.so",
};

/* __system_property_get (entry and return), and the getters handing out a prop_info's value. */
static int attach_library(struct prop_probes *pp, const char *path)
{
	struct idsentry_bpf *s = pp->skel;
	struct uprobe_libs *u = &pp->libs;
	struct uprobe_library *lib = uprobe_libs_add(u, path);
	int n = 0, r, err = 0;

	if (!lib)
		return errno == EEXIST ? 0 : -ENOMEM;
	r = uprobe_libs_attach(u, s->progs.handle_prop_get, path, "__system_property_get", 0);
	if (r > 0)
		r = uprobe_libs_attach(u, s->progs.handle_prop_get_return, path,
				       "__system_property_get", 1);
	n += r > 0;
	err = r < 0 ? r : err;
	r = uprobe_libs_attach(u, s->progs.handle_prop_read_info, path,
			       "__system_property_read_callback", 0);
	n += r > 0;
	err = r < 0 && !err ? r : err;
	/* the legacy getter is gone from newer releases: missing it is no matter */
	n += uprobe_libs_attach(u, s->progs.handle_prop_read_info, path, "__system_property_read",
				0) > 0;
	lib->attached = n;
	if (!n)
		snprintf(lib->reason, sizeof(lib->reason), "no property getter to probe: %s",
			 strerror(-err));
	return n > 0;
}

int props_apply(struct prop_probes *pp, const struct policy *p)
{
	const struct bpf_map *m = pp->skel->maps.watched_props;
	struct prop_key key, next;
	size_t i, j;
	int libs = 0, r;

	/* names: rebuilt from scratch, a reload may drop some */
	while (bpf_map__get_next_key(m, NULL, &next, sizeof(next)) == 0)
		if (bpf_map__delete_elem(m, &next, sizeof(next), 0))
			break;
	pp->n_props = 0;
	for (i = 0; i < p->n_idents; i++) {
		for (j = 0; j < p->idents[i].properties.n; j++) {
			__u64 mask = 1ULL << p->idents[i].bit, old;

			memset(&key, 0, sizeof(key));
			snprintf(key.name, sizeof(key.name), "%s", p->idents[i].properties.items[j]);
			if (!bpf_map__lookup_elem(m, &key, sizeof(key), &old, sizeof(old), 0))
				mask |= old;
			else
				pp->n_props++;
			r = bpf_map__update_elem(m, &key, sizeof(key), &mask, sizeof(mask), 0);
			if (r)
				return r;
		}
	}
	if (!pp->n_props)
		return 0;
	for (i = 0; i < p->property_libraries.n; i++) {
		r = attach_library(pp, p->property_libraries.items[i]);
		if (r < 0)
			return r;
	}
	if (!p->property_libraries.n) {
		for (i = 0; i < sizeof(default_libraries) / sizeof(default_libraries[0]); i++) {
			struct stat st;

			if (stat(default_libraries[i], &st))
				continue;
			r = attach_library(pp, default_libraries[i]);
			if (r < 0)
				return r;
		}
	}
	for (i = 0; i < pp->libs.n_libs; i++)
		libs += pp->libs.libs[i].attached > 0;
	return libs;
}

void props_free(struct prop_probes *pp)
{
	uprobe_libs_free(&pp->libs);
}
