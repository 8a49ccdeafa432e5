/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* parcel: reads Android Binder Parcels as libbinder lays them out (token, String16, replies). */
#ifndef IDSENTRY_PARCEL_H
#define IDSENTRY_PARCEL_H

#include <stddef.h>
#include <stdint.h>

/* A read position in a Parcel's bytes. Every read checks the length first; a failed read sets
 * error and moves nothing. */
struct parcel {
	const uint8_t *data;
	size_t len, pos;
	int error;
};

/* What comes before the interface token, by Android release. */
enum parcel_header {
	PARCEL_HEADER_PRE10 = 1, /* int32 strict-mode policy */
	PARCEL_HEADER_10 = 2,    /* ... then int32 work-source uid */
	PARCEL_HEADER_11 = 3,    /* ... then int32 'SYST' or 'VNDR' */
};

#define PARCEL_EX_HAS_REPLY_HEADER (-128) /* a StrictMode header precedes the result */
#define PARCEL_EX_HAS_NOTED_APPOPS (-127) /* noted app-ops precede the status (Android 11+) */

void parcel_init(struct parcel *p, const void *data, size_t len);
int parcel_i32(struct parcel *p, int32_t *v);
int parcel_i64(struct parcel *p, int64_t *v);
/* A String16 (int32 units, -1 for null; UTF-16LE units, a NUL unit, padding to 4) as UTF-8 into
 * out (always NUL-terminated, cut at size). Returns its UTF-8 length, -1 for a null string, or
 * -EINVAL when malformed or past the end. */
int parcel_string16(struct parcel *p, char *out, size_t size);
/* Skips a byte[] (int32 length, -1 for null, bytes padded to 4); with out, copies up to size
 * bytes of it and returns how many were copied (else its length). -EINVAL when malformed. */
int parcel_bytes(struct parcel *p, uint8_t *out, size_t size);
/* The interface token that starts a transaction's Parcel, whichever release wrote it. Returns
 * the enum parcel_header found, or -EINVAL. */
int parcel_interface_token(struct parcel *p, char *out, size_t size);
/* The status that starts a reply (writeNoException: int32 0), a StrictMode reply header skipped.
 * Returns 0 with *exception set, or -EINVAL. */
int parcel_reply_status(struct parcel *p, int32_t *exception);

/* A layout: the items of a reply or of a call's arguments, in order, e.g. "int int str value=int"
 * or "int str str to=str str text=str intent intent bool long". Item types: int, long, bool, str,
 * bytes (byte[]), strs (List<String>), intent (a PendingIntent or null). Roles: value= (the
 * identifier a getter returns), to= (an SMS's destination), text= (its text: str, bytes or
 * strs). */
enum parcel_item {
	PARCEL_INT = 1,
	PARCEL_LONG,
	PARCEL_BOOL,
	PARCEL_STR,
	PARCEL_BYTES,
	PARCEL_STRS,
	PARCEL_INTENT,
};

enum parcel_role {
	PARCEL_ROLE_NONE = 0,
	PARCEL_ROLE_VALUE,
	PARCEL_ROLE_TO,
	PARCEL_ROLE_TEXT,
};

#define PARCEL_LAYOUT_MAX 24

struct parcel_layout {
	struct {
		uint8_t type; /* enum parcel_item */
		uint8_t role; /* enum parcel_role */
	} items[PARCEL_LAYOUT_MAX];
	size_t n;
};

enum parcel_layout_kind {
	PARCEL_LAYOUT_REPLY, /* one value= item */
	PARCEL_LAYOUT_SMS,   /* one to= and one text= item */
};

/* Parses a layout. Returns 0, or -EINVAL with a message naming the fault in err. */
int parcel_layout_parse(const char *text, enum parcel_layout_kind kind, struct parcel_layout *out,
			char *err, size_t err_size);

/* The identifier a getter's reply carries, as text (int and long in decimal). Returns its length,
 * 0 when the reply has no value (an exception, a null), or -EINVAL when it does not fit the
 * layout. */
int parcel_reply_value(const uint8_t *data, size_t len, const struct parcel_layout *l, char *out,
		       size_t size);

struct parcel_sms {
	char to[64];
	uint8_t text[2048]; /* UTF-8, or a byte[]'s bytes */
	size_t text_len;
	char interface[128];
};

/* An SMS call's destination and text, from the whole transaction Parcel (token included).
 * Returns 0, or -EINVAL when it does not fit the layout (sms->interface is set if the token
 * was read). */
int parcel_sms_decode(const uint8_t *data, size_t len, const struct parcel_layout *l,
		      struct parcel_sms *sms);

#endif
