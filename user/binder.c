// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* binder: tells the kernel which Binder methods the policy names, and reads what their Parcels carry. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/libbpf.h>
#include "idsentry.skel.h"
#include "binder.h"
#include "policy.h"
#include "json.h"

void binder_table_free(struct binder_table *t)
{
	free(t->m);
	t->m = NULL;
	t->n = 0;
}

/* Adds (interface, code) or, for a getter already there, its identifier bit. */
static int add_method(struct binder_table *t, const struct binder_def *b, uint32_t code,
		      uint32_t kind, uint64_t mask)
{
	struct binder_method_entry *e, *grown;
	char err[160];
	size_t i;

	for (i = 0; i < t->n; i++) {
		e = &t->m[i];
		if (e->code == code && e->kind == kind && !strcmp(e->interface, b->interface)) {
			e->ident_mask |= mask;
			return 0;
		}
	}
	if (t->n >= BINDER_MAX_METHODS)
		return -E2BIG;
	grown = realloc(t->m, (t->n + 1) * sizeof(*grown));
	if (!grown)
		return -ENOMEM;
	t->m = grown;
	e = &t->m[t->n];
	memset(e, 0, sizeof(*e));
	e->interface = b->interface;
	e->code = code;
	e->kind = kind;
	e->ident_mask = mask;
	/* checked when the policy was parsed */
	if (parcel_layout_parse(b->layout ? b->layout : POLICY_DEFAULT_REPLY_LAYOUT,
				kind == BINDER_SMS ? PARCEL_LAYOUT_SMS : PARCEL_LAYOUT_REPLY,
				&e->layout, err, sizeof(err)))
		return -EINVAL;
	t->n++;
	return 0;
}

int binder_table_build(struct binder_table *t, const struct policy *p)
{
	size_t i, j, k;
	int err;

	t->n = 0;
	for (i = 0; i < p->n_idents; i++)
		for (j = 0; j < p->idents[i].n_binder; j++)
			for (k = 0; k < p->idents[i].binder[j].n_codes; k++) {
				err = add_method(t, &p->idents[i].binder[j],
						 p->idents[i].binder[j].codes[k], BINDER_GETTER,
						 1ULL << p->idents[i].bit);
				if (err)
					return err;
			}
	for (j = 0; j < p->n_binder_sms; j++)
		for (k = 0; k < p->binder_sms[j].n_codes; k++) {
			err = add_method(t, &p->binder_sms[j], p->binder_sms[j].codes[k], BINDER_SMS,
					 0);
			if (err)
				return err;
		}
	return (int)t->n;
}

void binder_method_key_of(const struct binder_method_entry *e, struct binder_method_key *key)
{
	size_t n = strlen(e->interface);

	memset(key, 0, sizeof(*key));
	if (n > BINDER_NAME_BYTES)
		n = BINDER_NAME_BYTES;
	key->code = e->code;
	key->name_len = n;
	memcpy(key->name, e->interface, n);
}

int binder_apply(struct binder_table *t, struct idsentry_bpf *skel, const struct policy *p)
{
	const struct bpf_map *m = skel->maps.binder_methods;
	struct binder_method_key key, next;
	int n = binder_table_build(t, p), err;
	size_t i;

	if (n < 0)
		return n;
	/* a reload replaces every entry: slots are the new table's */
	while (!bpf_map__get_next_key(m, NULL, &next, sizeof(next))) {
		key = next;
		if (bpf_map__delete_elem(m, &key, sizeof(key), 0))
			break;
	}
	for (i = 0; i < t->n; i++) {
		struct binder_method v = {
			.ident_mask = t->m[i].ident_mask,
			.kind = t->m[i].kind,
			.slot = (uint32_t)i,
		};

		binder_method_key_of(&t->m[i], &key);
		err = bpf_map__update_elem(m, &key, sizeof(key), &v, sizeof(v), 0);
		if (err)
			return err;
	}
	return n;
}

size_t binder_reply_value(struct binder_table *t, const struct ident_read_event *ev, size_t len,
			  char *value, size_t value_size, char *origin, size_t origin_size)
{
	const struct binder_method_entry *e;
	int n;

	value[0] = 0;
	t->replies++;
	if (ev->ino >= t->n || t->m[ev->ino].kind != BINDER_GETTER) {
		t->unparsed++; /* a slot from a policy since replaced */
		return 0;
	}
	e = &t->m[ev->ino];
	snprintf(origin, origin_size, "%s#%u", e->interface, e->code);
	n = parcel_reply_value(ev->data, len, &e->layout, value, value_size);
	if (n <= 0) {
		/* an exception or a null is no value; a reply that fits no layout is counted */
		if (n < 0)
			t->unparsed++;
		return 0;
	}
	t->values++;
	return (size_t)n;
}

const struct binder_method_entry *binder_sms_decode(struct binder_table *t,
						    const struct binder_tx_event *ev,
						    struct parcel_sms *sms)
{
	const struct binder_method_entry *e;
	size_t len = ev->len > BINDER_TX_BYTES ? BINDER_TX_BYTES : ev->len;

	t->sms_calls++;
	if (ev->slot >= t->n || t->m[ev->slot].kind != BINDER_SMS) {
		t->sms_unparsed++;
		return NULL;
	}
	e = &t->m[ev->slot];
	if (parcel_sms_decode(ev->data, len, &e->layout, sms)) {
		t->sms_unparsed++;
		return NULL;
	}
	return e;
}

void binder_describe(const struct binder_table *t, unsigned long long sms_seen_above,
		     struct json *j)
{
	json_object_begin(j, "binder");
	json_uint(j, "methods", t->n);
	json_uint(j, "replies", t->replies);
	json_uint(j, "values", t->values);
	json_uint(j, "replies_unparsed", t->unparsed);
	json_uint(j, "sms_calls", t->sms_calls);
	json_uint(j, "sms_unparsed", t->sms_unparsed);
	json_uint(j, "modem_sms_seen_at_binder", sms_seen_above);
	json_object_end(j);
}
