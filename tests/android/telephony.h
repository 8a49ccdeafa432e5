// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* telephony: the Android 14 Binder calls of the VM's service manager, phone process and apps,
 * written and read by the same code on both sides (codes and descriptors from aidl_codes.h). */
#ifndef TELEPHONY_H
#define TELEPHONY_H

#include <stdint.h>
#include "aidl_codes.h"
#include "binder_lite.h"

/*
 * Wire layouts (int32 little-endian; str = String16: int32 units or -1, UTF-16LE, NUL unit,
 * padded to 4; every call starts with the token: int32 0x80000000, int32 -1, int32 'SYST'
 * (bytes 54 53 59 53), str descriptor; every reply with int32 0, the exception code):
 *
 *   IServiceManager getService/checkService (1/2)   str name
 *     reply: flat_binder_object BINDER_TYPE_HANDLE (listed in the offsets), or for none an
 *     unlisted BINDER_TYPE_BINDER with ptr 0
 *   IServiceManager addService (3)   str name, flat_binder_object BINDER_TYPE_BINDER (flags 0x113,
 *     ptr = cookie = the node), int32 allowIsolated 0, int32 dumpPriority 8
 *   IPhoneSubInfo and ITelephony String getters   [int32 index,] str callingPackage
 *     [, str callingFeatureId = -1]  (enum getter_args); reply: str value
 *   ITelephony getCellLocation (31)   str callingPkg, str callingFeatureId = -1
 *     reply: int32 1 (non-null), int32 1 (CellInfo.TYPE_GSM), str mcc, str mnc,
 *     str alphaLong = -1, str alphaShort = -1, int32 lac, int32 cid, int32 arfcn, int32 bsic
 *     (both CellInfo.UNAVAILABLE, 0x7fffffff), int32 0 (additional PLMNs, an empty ArraySet)
 *   ISms sendTextForSubscriber (5)   int32 subId, str callingPkg, str callingAttributionTag = -1,
 *     str destAddr, str scAddr = -1, str text, int32 0 (sentIntent null), int32 0
 *     (deliveryIntent null), int32 persistMessageForNonDefaultSmsApp 1, int64 messageId 0
 */

/* android.os.IServiceManager (AIDL since Android 11): getService, checkService and addService
 * are its first three methods in Android 11 to 14. */
#define ISERVICEMANAGER_DESCRIPTOR "android.os.IServiceManager"
#define ISERVICEMANAGER_GET_SERVICE 1
#define ISERVICEMANAGER_CHECK_SERVICE 2
#define ISERVICEMANAGER_ADD_SERVICE 3
/* IServiceManager.DUMP_FLAG_PRIORITY_DEFAULT, what ServiceManager.addService(name, b) passes */
#define DUMP_FLAG_PRIORITY_DEFAULT 8
#define SERVICE_MANAGER_HANDLE 0

#define SERVICE_IPHONESUBINFO "iphonesubinfo"
#define SERVICE_PHONE "phone"
#define SERVICE_ISMS "isms"

/* CellInfo.TYPE_GSM, and CellInfo.UNAVAILABLE for fields a cell does not report */
#define CELL_TYPE_GSM 1
#define CELL_UNAVAILABLE INT32_MAX

#define VALUE_BYTES 96

/* A CellIdentityGsm as android.telephony.CellIdentityGsm.writeToParcel lays it out. */
struct cell_identity {
	char mcc[8], mnc[8];
	int32_t lac, cid, arfcn, bsic;
};

/* sendTextForSubscriber's arguments (Android 12 to 14). */
struct sms_text_args {
	int32_t sub_id;
	char calling_pkg[VALUE_BYTES];
	char dest_addr[32];
	char text[512];
	int persist;
	int64_t message_id;
};

/* The argument lists of IPhoneSubInfo's and ITelephony's String getters. */
enum getter_args {
	ARGS_PKG,	      /* (String callingPackage) */
	ARGS_PKG_FEATURE,     /* (String callingPackage, String callingFeatureId) */
	ARGS_INT_PKG_FEATURE, /* (int phoneId/subId/slotIndex, String, String) */
};

/* ---- callers ---- */

/* IServiceManager.getService(name): 0 with a handle the caller now holds (BC_ACQUIRE), -ENOENT
 * when nothing is registered under the name, or a Binder error. */
int sm_get_service(struct binder *b, const char *name, uint32_t *handle);
/* IServiceManager.addService(name, node, allowIsolated false, DUMP_FLAG_PRIORITY_DEFAULT). */
int sm_add_service(struct binder *b, const char *name, const void *node);
/* A String getter: token, the arguments of its shape (index, callingPackage, callingFeatureId
 * null), reply writeNoException + String16 into out. */
int call_string_getter(struct binder *b, uint32_t handle, const char *descriptor, uint32_t code,
		       enum getter_args shape, int32_t index, const char *pkg, char *out,
		       size_t size);
/* ITelephony.getCellLocation(callingPkg, callingFeatureId null). */
int call_get_cell_location(struct binder *b, uint32_t handle, const char *pkg,
			   struct cell_identity *cell);
/* ISms.sendTextForSubscriber(...). */
int call_send_text(struct binder *b, uint32_t handle, const struct sms_text_args *a);

/* ---- both sides ---- */

void getter_args_write(struct parcel *p, enum getter_args shape, int32_t index, const char *pkg);
int getter_args_read(struct parcel_view *v, enum getter_args shape, int32_t *index, char *pkg,
		     size_t size);
/* The Parcelable part of getCellLocation's reply: int32 1 (non-null), then the cell. */
void cell_identity_write(struct parcel *p, const struct cell_identity *c);
int cell_identity_read(struct parcel_view *v, struct cell_identity *c);
void sms_text_args_write(struct parcel *p, const struct sms_text_args *a);
int sms_text_args_read(struct parcel_view *v, struct sms_text_args *a);

#endif
