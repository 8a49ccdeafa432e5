/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* test_parcel: Binder Parcel decoding (tokens of three releases, String16, replies, ISms calls)
 * on Parcels built here as libbinder writes them, and on malformed ones. */
#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "parcel.h"
#include "testlib.h"

/* A Parcel writer, as libbinder lays data out: little-endian, 4-byte aligned. */
struct pw {
	uint8_t b[4096];
	size_t n;
};

static void w32(struct pw *w, int32_t v)
{
	memcpy(w->b + w->n, &v, 4);
	w->n += 4;
}

static void w64(struct pw *w, int64_t v)
{
	memcpy(w->b + w->n, &v, 8);
	w->n += 8;
}

/* String16 from ASCII; NULL writes the null string. */
static void wstr(struct pw *w, const char *s)
{
	size_t i, n;

	if (!s) {
		w32(w, -1);
		return;
	}
	n = strlen(s);
	w32(w, (int32_t)n);
	for (i = 0; i <= n; i++) {
		w->b[w->n++] = (uint8_t)s[i];
		w->b[w->n++] = 0;
	}
	while (w->n % 4)
		w->b[w->n++] = 0;
}

enum { PRE10, Q10, R11 };

static void token(struct pw *w, int release, const char *iface)
{
	w32(w, 0x40000000); /* strict-mode policy with the gather penalty */
	if (release >= Q10)
		w32(w, -1); /* work source unset */
	if (release >= R11)
		w32(w, 0x53595354); /* 'SYST' */
	wstr(w, iface);
}

static void test_tokens(void)
{
	const char *iface = "com.android.internal.telephony.IPhoneSubInfo";
	int releases[] = { PRE10, Q10, R11 };
	int kinds[] = { PARCEL_HEADER_PRE10, PARCEL_HEADER_10, PARCEL_HEADER_11 };
	char out[128];
	size_t i;

	for (i = 0; i < 3; i++) {
		struct pw w = { .n = 0 };
		struct parcel p;

		token(&w, releases[i], iface);
		w32(&w, 0); /* the first argument */
		parcel_init(&p, w.b, w.n);
		EXPECT_INT(kinds[i], parcel_interface_token(&p, out, sizeof(out)));
		EXPECT_STR(iface, out);
		EXPECT_INT(w.n - 4, p.pos);
	}
	/* a work source that is a plausible length is still a work source: 'SYST' decides 11+ */
	{
		struct pw w = { .n = 0 };
		struct parcel p;

		w32(&w, 0);
		w32(&w, 3);
		w32(&w, 0x564e4452); /* 'VNDR' */
		wstr(&w, "a.B");
		parcel_init(&p, w.b, w.n);
		EXPECT_INT(PARCEL_HEADER_11, parcel_interface_token(&p, out, sizeof(out)));
		EXPECT_STR("a.B", out);
	}
}

static void test_string16_malformed(void)
{
	struct pw w = { .n = 0 };
	struct parcel p;
	char out[64];

	/* a length past the end */
	w32(&w, 1000);
	w32(&w, 0x00410041);
	parcel_init(&p, w.b, w.n);
	EXPECT_INT(-EINVAL, parcel_string16(&p, out, sizeof(out)));
	EXPECT(p.error);
	EXPECT_STR("", out);
	/* negative lengths other than the null string's -1 */
	w.n = 0;
	w32(&w, -5);
	parcel_init(&p, w.b, w.n);
	EXPECT_INT(-EINVAL, parcel_string16(&p, out, sizeof(out)));
	/* the null string */
	w.n = 0;
	wstr(&w, NULL);
	parcel_init(&p, w.b, w.n);
	EXPECT_INT(-1, parcel_string16(&p, out, sizeof(out)));
	/* no NUL unit where the length ends the string */
	w.n = 0;
	wstr(&w, "abc");
	w.b[4 + 6] = 'x';
	parcel_init(&p, w.b, w.n);
	EXPECT_INT(-EINVAL, parcel_string16(&p, out, sizeof(out)));
	/* odd padding: the padding of "ab" (2 units + NUL = 6 bytes → 8) cut off */
	w.n = 0;
	wstr(&w, "ab");
	parcel_init(&p, w.b, w.n - 2);
	EXPECT_INT(-EINVAL, parcel_string16(&p, out, sizeof(out)));
	/* truncated in the length field */
	parcel_init(&p, w.b, 3);
	EXPECT_INT(-EINVAL, parcel_string16(&p, out, sizeof(out)));
	/* a failed read leaves later reads failing */
	EXPECT_INT(-EINVAL, parcel_string16(&p, out, sizeof(out)));
	/* non-ASCII: é (U+00E9), 𝄞 (a surrogate pair) and a lone surrogate */
	{
		uint16_t units[] = { 0x00e9, 0xd834, 0xdd1e, 0xdc00, 0 };

		w.n = 0;
		w32(&w, 4);
		memcpy(w.b + w.n, units, sizeof(units));
		w.n += sizeof(units);
		while (w.n % 4)
			w.b[w.n++] = 0;
		parcel_init(&p, w.b, w.n);
		EXPECT_INT(9, parcel_string16(&p, out, sizeof(out)));
		EXPECT_STR("\xc3\xa9\xf0\x9d\x84\x9e\xef\xbf\xbd", out);
	}
	/* a NUL unit inside would cut a C string: it becomes U+FFFD */
	{
		uint16_t units[] = { 'a', 0, 'b', 0 };

		w.n = 0;
		w32(&w, 3);
		memcpy(w.b + w.n, units, sizeof(units));
		w.n += sizeof(units);
		parcel_init(&p, w.b, w.n);
		EXPECT_INT(5, parcel_string16(&p, out, sizeof(out)));
		EXPECT_STR("a\xef\xbf\xbd" "b", out);
	}
	/* an output buffer too small cuts at a whole character */
	w.n = 0;
	wstr(&w, "123456789");
	parcel_init(&p, w.b, w.n);
	EXPECT_INT(3, parcel_string16(&p, out, 4));
	EXPECT_STR("123", out);
	EXPECT_INT(w.n, p.pos);
}

static void test_token_malformed(void)
{
	struct pw w = { .n = 0 };
	struct parcel p;
	char out[64];

	/* too short for any layout */
	w32(&w, 0);
	parcel_init(&p, w.b, w.n);
	EXPECT_INT(-EINVAL, parcel_interface_token(&p, out, sizeof(out)));
	/* a header and no token */
	w32(&w, -1);
	w32(&w, 0x53595354);
	parcel_init(&p, w.b, w.n);
	EXPECT_INT(-EINVAL, parcel_interface_token(&p, out, sizeof(out)));
	/* an empty token is no token */
	wstr(&w, "");
	parcel_init(&p, w.b, w.n);
	EXPECT_INT(-EINVAL, parcel_interface_token(&p, out, sizeof(out)));
	/* nothing at all */
	parcel_init(&p, w.b, 0);
	EXPECT_INT(-EINVAL, parcel_interface_token(&p, out, sizeof(out)));
}

static void test_layouts(void)
{
	struct parcel_layout l;
	char err[160];

	EXPECT_INT(0, parcel_layout_parse("value=str", PARCEL_LAYOUT_REPLY, &l, err, sizeof(err)));
	EXPECT_INT(1, l.n);
	EXPECT_INT(0, parcel_layout_parse("  int int str str str str int value=int ",
					  PARCEL_LAYOUT_REPLY, &l, err, sizeof(err)));
	EXPECT_INT(8, l.n);
	EXPECT_INT(PARCEL_ROLE_VALUE, l.items[7].role);
	EXPECT_INT(-EINVAL, parcel_layout_parse("str", PARCEL_LAYOUT_REPLY, &l, err, sizeof(err)));
	EXPECT_CONTAINS(err, "value=");
	EXPECT_INT(-EINVAL, parcel_layout_parse("value=str value=int", PARCEL_LAYOUT_REPLY, &l, err,
						sizeof(err)));
	EXPECT_INT(-EINVAL, parcel_layout_parse("value=float", PARCEL_LAYOUT_REPLY, &l, err,
						sizeof(err)));
	EXPECT_CONTAINS(err, "unknown layout item 'value=float'");
	EXPECT_INT(-EINVAL, parcel_layout_parse("to=str text=str", PARCEL_LAYOUT_REPLY, &l, err,
						sizeof(err)));
	EXPECT_INT(0, parcel_layout_parse("int str str to=str str text=str intent intent bool long",
					  PARCEL_LAYOUT_SMS, &l, err, sizeof(err)));
	EXPECT_INT(-EINVAL, parcel_layout_parse("int to=str", PARCEL_LAYOUT_SMS, &l, err,
						sizeof(err)));
	EXPECT_INT(-EINVAL, parcel_layout_parse("to=intent text=str", PARCEL_LAYOUT_SMS, &l, err,
						sizeof(err)));
}

static void test_reply_values(void)
{
	struct parcel_layout str, cell;
	struct pw w = { .n = 0 };
	char err[160], out[128];

	parcel_layout_parse("value=str", PARCEL_LAYOUT_REPLY, &str, err, sizeof(err));
	parcel_layout_parse("int int str str str str int value=int", PARCEL_LAYOUT_REPLY, &cell,
			    err, sizeof(err));
	/* writeNoException, then the IMEI */
	w32(&w, 0);
	wstr(&w, "356938035643809");
	EXPECT_INT(15, parcel_reply_value(w.b, w.n, &str, out, sizeof(out)));
	EXPECT_STR("356938035643809", out);
	/* a StrictMode reply header first */
	w.n = 0;
	w32(&w, PARCEL_EX_HAS_REPLY_HEADER);
	w32(&w, 12);
	w32(&w, 7);
	w32(&w, 8);
	wstr(&w, "310260000000000");
	EXPECT_INT(15, parcel_reply_value(w.b, w.n, &str, out, sizeof(out)));
	EXPECT_STR("310260000000000", out);
	/* a header size pointing past the end */
	w.n = 0;
	w32(&w, PARCEL_EX_HAS_REPLY_HEADER);
	w32(&w, 4000);
	EXPECT_INT(-EINVAL, parcel_reply_value(w.b, w.n, &str, out, sizeof(out)));
	/* an exception (SecurityException = -1) carries no value */
	w.n = 0;
	w32(&w, -1);
	wstr(&w, "no READ_PRIVILEGED_PHONE_STATE");
	EXPECT_INT(0, parcel_reply_value(w.b, w.n, &str, out, sizeof(out)));
	/* a null string is no value */
	w.n = 0;
	w32(&w, 0);
	wstr(&w, NULL);
	EXPECT_INT(0, parcel_reply_value(w.b, w.n, &str, out, sizeof(out)));
	/* a CellIdentityGsm-like parcelable: the cell id is an int */
	w.n = 0;
	w32(&w, 0);
	w32(&w, 1);
	w32(&w, 1);
	wstr(&w, "208");
	wstr(&w, "10");
	wstr(&w, NULL);
	wstr(&w, NULL);
	w32(&w, 0x00c3);
	w32(&w, 0x0a2b3c4d);
	EXPECT_INT(9, parcel_reply_value(w.b, w.n, &cell, out, sizeof(out)));
	EXPECT_STR("170605645", out);
	/* truncated before the value */
	EXPECT_INT(-EINVAL, parcel_reply_value(w.b, w.n - 4, &cell, out, sizeof(out)));
	/* empty */
	EXPECT_INT(-EINVAL, parcel_reply_value(w.b, 0, &str, out, sizeof(out)));
}

static void test_sms_calls(void)
{
	const char *report = "TN:IMEI1,356938035643809,C123,Wiko,V1,0123456789ABCDEF,CID:4";
	struct parcel_layout text, data, multi;
	struct parcel_sms sms;
	struct pw w = { .n = 0 };
	char err[160];
	int release;

	parcel_layout_parse("int str str to=str str text=str intent intent bool long",
			    PARCEL_LAYOUT_SMS, &text, err, sizeof(err));
	for (release = PRE10; release <= R11; release++) {
		w.n = 0;
		token(&w, release, "com.android.internal.telephony.ISms");
		w32(&w, 1);              /* subId */
		wstr(&w, "com.tinno.sts"); /* callingPkg */
		wstr(&w, NULL);          /* attribution tag */
		wstr(&w, "+8613800138000");
		wstr(&w, NULL);          /* scAddr */
		wstr(&w, report);
		w32(&w, 0);              /* sentIntent: null */
		w32(&w, 0);
		w32(&w, 1);
		w64(&w, 0);
		EXPECT_INT(0, parcel_sms_decode(w.b, w.n, &text, &sms));
		EXPECT_STR("+8613800138000", sms.to);
		EXPECT_INT(strlen(report), sms.text_len);
		EXPECT_STR(report, (const char *)sms.text);
		EXPECT_STR("com.android.internal.telephony.ISms", sms.interface);
	}
	/* cut inside the text: not decoded, but the token was read */
	EXPECT_INT(-EINVAL, parcel_sms_decode(w.b, w.n - 100, &text, &sms));
	EXPECT_STR("com.android.internal.telephony.ISms", sms.interface);
	/* sendDataForSubscriber: a byte[] payload after a port */
	parcel_layout_parse("int str str to=str str int text=bytes intent intent", PARCEL_LAYOUT_SMS,
			    &data, err, sizeof(err));
	w.n = 0;
	token(&w, R11, "com.android.internal.telephony.ISms");
	w32(&w, 1);
	wstr(&w, "com.tinno.sts");
	wstr(&w, NULL);
	wstr(&w, "+33612345678");
	wstr(&w, NULL);
	w32(&w, 16001);
	w32(&w, 5);
	memcpy(w.b + w.n, "IMEI1\0\0", 8);
	w.n += 8;
	w32(&w, 1); /* a PendingIntent: its binder and stability level follow */
	memset(w.b + w.n, 0x11, 28);
	w.n += 28;
	w32(&w, 0);
	EXPECT_INT(0, parcel_sms_decode(w.b, w.n, &data, &sms));
	EXPECT_STR("+33612345678", sms.to);
	EXPECT_INT(5, sms.text_len);
	EXPECT(!memcmp(sms.text, "IMEI1", 5));
	/* sendMultipartTextForSubscriber: the parts are joined */
	parcel_layout_parse("int str str to=str str text=strs", PARCEL_LAYOUT_SMS, &multi, err,
			    sizeof(err));
	w.n = 0;
	token(&w, Q10, "com.android.internal.telephony.ISms");
	w32(&w, 1);
	wstr(&w, "p");
	wstr(&w, NULL);
	wstr(&w, "1234");
	wstr(&w, NULL);
	w32(&w, 2);
	wstr(&w, "TN:IMEI1,3569380");
	wstr(&w, "35643809");
	EXPECT_INT(0, parcel_sms_decode(w.b, w.n, &multi, &sms));
	EXPECT_STR("TN:IMEI1,356938035643809", (const char *)sms.text);
	/* a list count no Parcel of this size can hold: count, then 40 + 20 bytes of parts */
	w.n -= 64;
	w32(&w, 1 << 30);
	EXPECT_INT(-EINVAL, parcel_sms_decode(w.b, w.n, &multi, &sms));
}

int main(void)
{
	test_tokens();
	test_string16_malformed();
	test_token_malformed();
	test_layouts();
	test_reply_values();
	test_sms_calls();
	return tl_summary("test_parcel");
}
