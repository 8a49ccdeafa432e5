/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* props: attaches the system property probes to bionic's getters and names the watched properties. */
#ifndef IDSENTRY_PROPS_H
#define IDSENTRY_PROPS_H

#include <stddef.h>
#include <stdint.h>
#include "uprobe_libs.h"

struct idsentry_bpf;
struct policy;

struct prop_probes {
	struct idsentry_bpf *skel;
	struct uprobe_libs libs;
	size_t n_props;    /* property names watched */
};

/* Fills the kernel's property name map from the policy's `properties` keys and attaches the
 * getters of the policy's `property_libraries` (default: bionic's libc where it exists), once
 * per library. Returns the number of libraries with probes, or a negative errno. */
int props_apply(struct prop_probes *pp, const struct policy *p);
void props_free(struct prop_probes *pp);

#endif
