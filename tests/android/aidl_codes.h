// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* aidl_codes.h: Binder transaction codes, descriptors and Parcel token constants of the identifier-bearing Android 14 AIDL calls. */
#ifndef IDSENTRY_AIDL_CODES_H
#define IDSENTRY_AIDL_CODES_H

/*
 * Release these values describe: Android 14 (U, API 34).
 *
 * Code = FIRST_CALL_TRANSACTION (1) + the method's 0-based index in the AIDL file.
 * Source: the TRANSACTION_* constants of the generated Stub classes in a decompiled
 * Android 14 framework.jar (Samsung firmware X710XXS4BXJ7; github.com/Creeeeger/samsung_framework,
 * commit 7b43fb14a, framework/sources/...).
 * Cross-checks:
 *  - IPhoneSubInfo codes 1..16 match an independent decompiled Android 13+ stub;
 *  - ISms codes 4/5/6/8 match a recount of the AOSP ISms.aidl that has the messageId parameter (Android 12+);
 *  - ITelephony codes come from Samsung's build only. Samsung appends its own ISms methods (codes 37 and up),
 *    and no Samsung-named method shows up among ITelephony codes 1..152, but AOSP-identical ordering is
 *    not proven for ITelephony.
 * Argument types come from the decompiled Proxy and Stub. Argument names come from AOSP AIDL.
 * "String" is a String16 on the wire.
 */
#define ANDROID_RELEASE 14

#define BINDER_FIRST_CALL_TRANSACTION 1

/* ---- interface descriptors (the String16 in the interface token) ---- */
#define IPHONESUBINFO_DESCRIPTOR "com.android.internal.telephony.IPhoneSubInfo"
#define ITELEPHONY_DESCRIPTOR "com.android.internal.telephony.ITelephony"
#define ISMS_DESCRIPTOR "com.android.internal.telephony.ISms"
#define IDEVICEIDENTIFIERSPOLICY_DESCRIPTOR "android.os.IDeviceIdentifiersPolicyService"

/* ---- com.android.internal.telephony.IPhoneSubInfo (service "iphonesubinfo") ---- */
/* String getDeviceId(String callingPackage) */
#define IPHONESUBINFO_GET_DEVICE_ID 1
/* String getDeviceIdWithFeature(String callingPackage, String callingFeatureId) */
#define IPHONESUBINFO_GET_DEVICE_ID_WITH_FEATURE 2
/* String getNaiForSubscriber(int subId, String callingPackage, String callingFeatureId) */
#define IPHONESUBINFO_GET_NAI_FOR_SUBSCRIBER 3
/* String getDeviceIdForPhone(int phoneId, String callingPackage, String callingFeatureId) */
#define IPHONESUBINFO_GET_DEVICE_ID_FOR_PHONE 4
/* String getImeiForSubscriber(int subId, String callingPackage, String callingFeatureId) */
#define IPHONESUBINFO_GET_IMEI_FOR_SUBSCRIBER 5
/* String getSubscriberId(String callingPackage) */
#define IPHONESUBINFO_GET_SUBSCRIBER_ID 8
/* String getSubscriberIdWithFeature(String callingPackage, String callingFeatureId) */
#define IPHONESUBINFO_GET_SUBSCRIBER_ID_WITH_FEATURE 9
/* String getSubscriberIdForSubscriber(int subId, String callingPackage, String callingFeatureId) */
#define IPHONESUBINFO_GET_SUBSCRIBER_ID_FOR_SUBSCRIBER 10
/* String getIccSerialNumber(String callingPackage) */
#define IPHONESUBINFO_GET_ICC_SERIAL_NUMBER 12
/* String getIccSerialNumberWithFeature(String callingPackage, String callingFeatureId) */
#define IPHONESUBINFO_GET_ICC_SERIAL_NUMBER_WITH_FEATURE 13
/* String getIccSerialNumberForSubscriber(int subId, String callingPackage, String callingFeatureId) */
#define IPHONESUBINFO_GET_ICC_SERIAL_NUMBER_FOR_SUBSCRIBER 14
/* String getLine1Number(String callingPackage, String callingFeatureId) */
#define IPHONESUBINFO_GET_LINE1_NUMBER 15
/* String getLine1NumberForSubscriber(int subId, String callingPackage, String callingFeatureId) */
#define IPHONESUBINFO_GET_LINE1_NUMBER_FOR_SUBSCRIBER 16

/* ---- com.android.internal.telephony.ITelephony (service "phone") ---- */
/* CellIdentity getCellLocation(String callingPkg, String callingFeatureId)  (returned a Bundle up to Android 10) */
#define ITELEPHONY_GET_CELL_LOCATION 31
/* String getLine1NumberForDisplay(int subId, String callingPackage, String callingFeatureId) */
#define ITELEPHONY_GET_LINE1_NUMBER_FOR_DISPLAY 125
/* String getDeviceId(String callingPackage) */
#define ITELEPHONY_GET_DEVICE_ID 147
/* String getDeviceIdWithFeature(String callingPackage, String callingFeatureId) */
#define ITELEPHONY_GET_DEVICE_ID_WITH_FEATURE 148
/* String getImeiForSlot(int slotIndex, String callingPackage, String callingFeatureId) */
#define ITELEPHONY_GET_IMEI_FOR_SLOT 149
/* String getMeidForSlot(int slotIndex, String callingPackage, String callingFeatureId) */
#define ITELEPHONY_GET_MEID_FOR_SLOT 152

/* ---- com.android.internal.telephony.ISms (service "isms") ---- */
/* void sendDataForSubscriber(int subId, String callingPkg, String callingAttributionTag, String destAddr,
 *     String scAddr, int destPort, in byte[] data, in PendingIntent sentIntent, in PendingIntent deliveryIntent) */
#define ISMS_SEND_DATA_FOR_SUBSCRIBER 4
/* void sendTextForSubscriber(int subId, String callingPkg, String callingAttributionTag, String destAddr,
 *     String scAddr, String text, in PendingIntent sentIntent, in PendingIntent deliveryIntent,
 *     boolean persistMessageForNonDefaultSmsApp, long messageId) */
#define ISMS_SEND_TEXT_FOR_SUBSCRIBER 5
/* void sendTextForSubscriberWithOptions(int subId, String callingPkg, String callingAttributionTag,
 *     String destAddr, String scAddr, String text, in PendingIntent sentIntent, in PendingIntent deliveryIntent,
 *     boolean persistMessageForNonDefaultSmsApp, int priority, boolean expectMore, int validityPeriod) */
#define ISMS_SEND_TEXT_FOR_SUBSCRIBER_WITH_OPTIONS 6
/* void sendMultipartTextForSubscriber(int subId, String callingPkg, String callingAttributionTag,
 *     String destinationAddress, String scAddress, in List<String> parts, in List<PendingIntent> sentIntents,
 *     in List<PendingIntent> deliveryIntents, boolean persistMessageForNonDefaultSmsApp, long messageId) */
#define ISMS_SEND_MULTIPART_TEXT_FOR_SUBSCRIBER 8
/* void sendMultipartTextForSubscriberWithOptions(int subId, String callingPkg, String callingAttributionTag,
 *     String destinationAddress, String scAddress, in List<String> parts, in List<PendingIntent> sentIntents,
 *     in List<PendingIntent> deliveryIntents, boolean persistMessageForNonDefaultSmsApp, int priority,
 *     boolean expectMore, int validityPeriod) */
#define ISMS_SEND_MULTIPART_TEXT_FOR_SUBSCRIBER_WITH_OPTIONS 9

/* ---- android.os.IDeviceIdentifiersPolicyService (service "device_identifiers") ---- */
/* String getSerial() */
#define IDEVICEIDENTIFIERSPOLICY_GET_SERIAL 1
/* String getSerialForPackage(String callingPackage, String callingFeatureId) */
#define IDEVICEIDENTIFIERSPOLICY_GET_SERIAL_FOR_PACKAGE 2

/* ---- Parcel interface token (libbinder Parcel::writeInterfaceToken, kernel binder) ----
 * Android 10:  int32 strictModePolicy | PENALTY_GATHER, int32 workSourceUid, String16 descriptor.
 * Android 11+: int32 strictModePolicy | PENALTY_GATHER, int32 workSourceUid, int32 kHeader, String16 descriptor.
 * kHeader is B_PACK_CHARS('S','Y','S','T') ('V','N','D','R' for VNDK builds), i.e.
 * (c1 << 24) | (c2 << 16) | (c3 << 8) | c4, which is 'T','S','Y','S' in little-endian bytes. */
#define PARCEL_HEADER_SYST 0x53595354 /* LE bytes 54 53 59 53 */
#define PARCEL_HEADER_VNDR 0x564e4452 /* LE bytes 52 44 4e 56 */
/* IPCThreadState::kUnsetWorkSource, written when the thread does not propagate a work source. */
#define PARCEL_UNSET_WORK_SOURCE (-1)
/* STRICT_MODE_PENALTY_GATHER in libbinder Parcel.cpp: (1 << 31), kept in sync with
 * android.os.StrictMode.PENALTY_GATHER (1 << 31 in Android 10 and 14 framework.jar; before Android 10
 * libbinder used (0x40 << 16)). A thread with no StrictMode policy (policy 0) writes exactly this value.
 * A caller that set a thread policy also sets its detect bits, so treat the low bits as variable. */
#define PARCEL_STRICT_MODE_PENALTY_GATHER 0x80000000u
#define PARCEL_STRICT_MODE_DEFAULT PARCEL_STRICT_MODE_PENALTY_GATHER /* LE bytes 00 00 00 80 */

/* ---- reply start (android.os.Parcel.writeNoException / readExceptionCode) ---- */
#define PARCEL_EX_NONE 0
/* EX_HAS_STRICTMODE_REPLY_HEADER (named EX_HAS_REPLY_HEADER up to Android 10): followed by int32 headerSize,
 * counted from the headerSize field itself, then StrictMode violations; the exception code is treated as 0. */
#define PARCEL_EX_HAS_STRICTMODE_REPLY_HEADER (-128)
/* Android 11+: EX_HAS_NOTED_APPOPS_REPLY_HEADER, then noted-appops data, then the real exception code. */
#define PARCEL_EX_HAS_NOTED_APPOPS_REPLY_HEADER (-127)

#endif /* IDSENTRY_AIDL_CODES_H */
