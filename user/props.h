/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* props: attaches the system property probes to bionic's getters and names the watched properties. */
#ifndef IDSENTRY_PROPS_H
#define IDSENTRY_PROPS_H

#include <stddef.h>
#include <stdint.h>

struct idsentry_bpf;
struct bpf_link;
struct policy;

struct prop_library {
	char *path;
	int attached;      /* getters probed */
	char reason[160];  /* why none, when none */
};

struct prop_probes {
	struct idsentry_bpf *skel;
	struct prop_library *libs;
	size_t n_libs;
	struct bpf_link **links;
	size_t n_links;
	size_t n_props;    /* property names watched */
};

/* Fills the kernel's property name map from the policy's `properties` keys and attaches the
 * getters of the policy's `property_libraries` (default: bionic's libc where it exists), once
 * per library. Returns the number of libraries with probes, or a negative errno. */
int props_apply(struct prop_probes *pp, const struct policy *p);
void props_free(struct prop_probes *pp);

#endif
