// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* globals.bpf.c: defines the maps and knobs the other components share, and the licence. */
#define IDSENTRY_DEFINE_GLOBALS
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "idsentry.h"
#include "maps.bpf.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";
