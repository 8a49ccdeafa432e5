// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* telephony: the Android 14 Binder calls of the VM's service manager, phone process and apps,
 * written and read by the same code on both sides (codes and descriptors from aidl_codes.h).
 *
 * Layouts are those the AIDL-generated Java proxies and stubs produce: every call starts with the
 * interface token, every reply with the exception code; String is String16; a nullable
 * Parcelable is int32 0 (null) or int32 1 and its fields; boolean is int32; long is int64. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "telephony.h"

static struct parcel call_buf; /* 4 KiB, one call at a time */

static int check_reply(struct binder *b, struct parcel_view *r, const char *what)
{
	if (parcel_get_no_exception(r)) {
		fprintf(stderr, "%s: %s: reply has an exception or is malformed\n", b->who, what);
		binder_free(b, r);
		return -EBADMSG;
	}
	return 0;
}

int sm_get_service(struct binder *b, const char *name, uint32_t *handle)
{
	struct parcel *p = &call_buf;
	struct parcel_view r;
	int err, is_null;

	/* token, String16 name; reply: int32 0, strong binder (flat_binder_object) */
	parcel_init(p);
	parcel_put_token(p, ISERVICEMANAGER_DESCRIPTOR);
	parcel_put_string16(p, name);
	err = binder_transact(b, SERVICE_MANAGER_HANDLE, ISERVICEMANAGER_GET_SERVICE, p, &r);
	if (err)
		return err;
	err = check_reply(b, &r, "getService");
	if (err)
		return err;
	err = parcel_get_handle(&r, handle, &is_null);
	if (err) {
		fprintf(stderr, "%s: getService('%s'): no binder in the reply\n", b->who, name);
	} else if (is_null) {
		err = -ENOENT;
	} else {
		/* the reply buffer holds the only reference: take ours before it is freed */
		binder_acquire(b, *handle);
	}
	binder_free(b, &r);
	return err;
}

int sm_add_service(struct binder *b, const char *name, const void *node)
{
	struct parcel *p = &call_buf;
	struct parcel_view r;
	int err;

	/* token, String16 name, strong binder, bool allowIsolated, int32 dumpPriority;
	 * reply: int32 0 */
	parcel_init(p);
	parcel_put_token(p, ISERVICEMANAGER_DESCRIPTOR);
	parcel_put_string16(p, name);
	parcel_put_binder(p, node);
	parcel_put_bool(p, 0);
	parcel_put_int32(p, DUMP_FLAG_PRIORITY_DEFAULT);
	err = binder_transact(b, SERVICE_MANAGER_HANDLE, ISERVICEMANAGER_ADD_SERVICE, p, &r);
	if (err)
		return err;
	err = check_reply(b, &r, "addService");
	binder_free(b, &r);
	return err;
}

void getter_args_write(struct parcel *p, enum getter_args shape, int32_t index, const char *pkg)
{
	if (shape == ARGS_INT_PKG_FEATURE)
		parcel_put_int32(p, index);
	parcel_put_string16(p, pkg);
	/* callingFeatureId: the app's attribution tag, null for a plain app context */
	if (shape != ARGS_PKG)
		parcel_put_string16(p, NULL);
}

int getter_args_read(struct parcel_view *v, enum getter_args shape, int32_t *index, char *pkg,
		     size_t size)
{
	char feature[VALUE_BYTES];

	*index = 0;
	if (shape == ARGS_INT_PKG_FEATURE && parcel_get_int32(v, index))
		return -EBADMSG;
	if (parcel_get_string16(v, pkg, size, NULL))
		return -EBADMSG;
	if (shape != ARGS_PKG && parcel_get_string16(v, feature, sizeof(feature), NULL))
		return -EBADMSG;
	return 0;
}

int call_string_getter(struct binder *b, uint32_t handle, const char *descriptor, uint32_t code,
		       enum getter_args shape, int32_t index, const char *pkg, char *out,
		       size_t size)
{
	struct parcel *p = &call_buf;
	struct parcel_view r;
	int err, is_null;

	/* token, the arguments; reply: int32 0, String16 value (null when unknown) */
	parcel_init(p);
	parcel_put_token(p, descriptor);
	getter_args_write(p, shape, index, pkg);
	err = binder_transact(b, handle, code, p, &r);
	if (err)
		return err;
	err = check_reply(b, &r, descriptor);
	if (err)
		return err;
	err = parcel_get_string16(&r, out, size, &is_null);
	if (err)
		fprintf(stderr, "%s: code %u of %s: bad String16 in the reply\n", b->who, code,
			descriptor);
	else if (is_null)
		err = -ENODATA;
	binder_free(b, &r);
	return err;
}

void cell_identity_write(struct parcel *p, const struct cell_identity *c)
{
	/* AIDL writeTypedObject: non-null */
	parcel_put_int32(p, 1);
	/* CellIdentity.writeToParcel(dest, CellInfo.TYPE_GSM) */
	parcel_put_int32(p, CELL_TYPE_GSM);
	parcel_put_string16(p, c->mcc);
	parcel_put_string16(p, c->mnc);
	parcel_put_string16(p, NULL); /* alphaLong: no operator name */
	parcel_put_string16(p, NULL); /* alphaShort */
	/* CellIdentityGsm: lac, cid, arfcn, bsic, additional PLMNs (ArraySet, empty) */
	parcel_put_int32(p, c->lac);
	parcel_put_int32(p, c->cid);
	parcel_put_int32(p, c->arfcn);
	parcel_put_int32(p, c->bsic);
	parcel_put_int32(p, 0);
}

int cell_identity_read(struct parcel_view *v, struct cell_identity *c)
{
	int32_t type, plmns;
	int present;

	memset(c, 0, sizeof(*c));
	if (parcel_get_parcelable_marker(v, &present))
		return -EBADMSG;
	if (!present)
		return -ENODATA;
	if (parcel_get_int32(v, &type) || type != CELL_TYPE_GSM ||
	    parcel_get_string16(v, c->mcc, sizeof(c->mcc), NULL) ||
	    parcel_get_string16(v, c->mnc, sizeof(c->mnc), NULL))
		return -EBADMSG;
	{
		char alpha[VALUE_BYTES];

		if (parcel_get_string16(v, alpha, sizeof(alpha), NULL) ||
		    parcel_get_string16(v, alpha, sizeof(alpha), NULL))
			return -EBADMSG;
	}
	if (parcel_get_int32(v, &c->lac) || parcel_get_int32(v, &c->cid) ||
	    parcel_get_int32(v, &c->arfcn) || parcel_get_int32(v, &c->bsic) ||
	    parcel_get_int32(v, &plmns) || plmns != 0)
		return -EBADMSG;
	return 0;
}

int call_get_cell_location(struct binder *b, uint32_t handle, const char *pkg,
			   struct cell_identity *cell)
{
	struct parcel *p = &call_buf;
	struct parcel_view r;
	int err;

	/* token, String16 callingPkg, String16 callingFeatureId (null);
	 * reply: int32 0, then cell_identity_write's layout */
	parcel_init(p);
	parcel_put_token(p, ITELEPHONY_DESCRIPTOR);
	getter_args_write(p, ARGS_PKG_FEATURE, 0, pkg);
	err = binder_transact(b, handle, ITELEPHONY_GET_CELL_LOCATION, p, &r);
	if (err)
		return err;
	err = check_reply(b, &r, "getCellLocation");
	if (err)
		return err;
	err = cell_identity_read(&r, cell);
	if (err == -EBADMSG)
		fprintf(stderr, "%s: getCellLocation: malformed CellIdentity\n", b->who);
	binder_free(b, &r);
	return err;
}

void sms_text_args_write(struct parcel *p, const struct sms_text_args *a)
{
	parcel_put_int32(p, a->sub_id);
	parcel_put_string16(p, a->calling_pkg);
	parcel_put_string16(p, NULL); /* callingAttributionTag */
	parcel_put_string16(p, a->dest_addr);
	parcel_put_string16(p, NULL); /* scAddr: the SIM's service centre */
	parcel_put_string16(p, a->text);
	parcel_put_null_parcelable(p); /* sentIntent */
	parcel_put_null_parcelable(p); /* deliveryIntent */
	parcel_put_bool(p, a->persist);
	parcel_put_int64(p, a->message_id);
}

int sms_text_args_read(struct parcel_view *v, struct sms_text_args *a)
{
	char tag[VALUE_BYTES], sc[32];
	int sent, delivery;

	memset(a, 0, sizeof(*a));
	if (parcel_get_int32(v, &a->sub_id) ||
	    parcel_get_string16(v, a->calling_pkg, sizeof(a->calling_pkg), NULL) ||
	    parcel_get_string16(v, tag, sizeof(tag), NULL) ||
	    parcel_get_string16(v, a->dest_addr, sizeof(a->dest_addr), NULL) ||
	    parcel_get_string16(v, sc, sizeof(sc), NULL) ||
	    parcel_get_string16(v, a->text, sizeof(a->text), NULL) ||
	    parcel_get_parcelable_marker(v, &sent) || sent ||
	    parcel_get_parcelable_marker(v, &delivery) || delivery ||
	    parcel_get_bool(v, &a->persist) || parcel_get_int64(v, &a->message_id))
		return -EBADMSG;
	return 0;
}

int call_send_text(struct binder *b, uint32_t handle, const struct sms_text_args *a)
{
	struct parcel *p = &call_buf;
	struct parcel_view r;
	int err;

	/* token, then sms_text_args_write's layout; reply: int32 0 */
	parcel_init(p);
	parcel_put_token(p, ISMS_DESCRIPTOR);
	sms_text_args_write(p, a);
	err = binder_transact(b, handle, ISMS_SEND_TEXT_FOR_SUBSCRIBER, p, &r);
	if (err)
		return err;
	err = check_reply(b, &r, "sendTextForSubscriber");
	binder_free(b, &r);
	return err;
}
