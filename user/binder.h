/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* binder: tells the kernel which Binder methods the policy names, and reads what their Parcels carry. */
#ifndef IDSENTRY_BINDER_H
#define IDSENTRY_BINDER_H

#include <stddef.h>
#include <stdint.h>
#include "idsentry.h"
#include "parcel.h"

struct idsentry_bpf;
struct policy;

/* One (interface, code) the kernel watches; its index is the slot events carry. */
struct binder_method_entry {
	const char *interface; /* owned by the policy */
	uint32_t code;
	uint32_t kind;         /* enum binder_kind */
	uint64_t ident_mask;   /* getters */
	struct parcel_layout layout;
};

struct binder_table {
	struct binder_method_entry *m;
	size_t n;
	unsigned long long replies, values, unparsed; /* getter replies seen, learnt, unreadable */
	unsigned long long sms_calls, sms_unparsed;
};

/* Builds the table from the policy's binder getters and binder_sms entries (the same method in
 * several identifiers is one entry with their bits). Returns the number of entries or -ENOMEM. */
int binder_table_build(struct binder_table *t, const struct policy *p);
/* The kernel's key of an entry. */
void binder_method_key_of(const struct binder_method_entry *e, struct binder_method_key *key);
/* binder_table_build, then replaces the kernel's binder_methods map with the table. Returns the
 * number of methods watched, or a negative errno. */
int binder_apply(struct binder_table *t, struct idsentry_bpf *skel, const struct policy *p);
/* The value a getter's reply carries (SOURCE_BINDER ident_read event), as text, and where it
 * came from ("INTERFACE#CODE"). Returns its length; 0 when there is none (counted). */
size_t binder_reply_value(struct binder_table *t, const struct ident_read_event *ev, size_t len,
			  char *value, size_t value_size, char *origin, size_t origin_size);
/* Destination and text of an SMS call. Returns the entry, or NULL when the slot is unknown or
 * the Parcel does not fit its layout (counted). */
const struct binder_method_entry *binder_sms_decode(struct binder_table *t,
						    const struct binder_tx_event *ev,
						    struct parcel_sms *sms);
void binder_table_free(struct binder_table *t);

struct json;
/* The table's counters as the 'binder' member (sms_seen_above: modem SMS already reported at
 * the Binder layer, counted by the detector). */
void binder_describe(const struct binder_table *t, unsigned long long sms_seen_above,
		     struct json *j);

#endif
