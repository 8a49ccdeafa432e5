/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* state: what a restart of the agent would lose, kept in a state directory (`run --state-dir`):
 * the values it learnt, the files made identifier files by what holders wrote (derived.h), and,
 * within the same boot, the taint of processes still alive. Written atomically to DIR/state.jsonl
 * (mode 0600: it holds identifier values) with a SHA-256 of its records in the first line; a file
 * whose digest does not match, from another boot (taint only) or of an unknown version is not
 * used, and the agent says why. Identifiers are named, not numbered: a changed policy keeps
 * what still applies. */
#ifndef IDSENTRY_STATE_H
#define IDSENTRY_STATE_H

#include <stddef.h>

struct idsentry_bpf;
struct policy;
struct value_store;
struct derived_set;

struct state_parts {
	const struct policy *policy;
	struct value_store *values;
	struct derived_set *derived;
	struct idsentry_bpf *skel; /* its taint map */
};

struct state_counts {
	size_t values, derived, taint;
};

/* Writes the state; 0, or -errno after saying on stderr what failed. */
int state_save(const char *dir, const struct state_parts *s, struct state_counts *saved);
/* Reads the state back into the parts (values learnt, derived files added, the kernel's taint
 * map filled for living processes); 0 when there is none yet, 1 when it was used, -errno (with
 * the reason on stderr) when it could not be. */
int state_load(const char *dir, const struct state_parts *s, struct state_counts *loaded);

#endif
