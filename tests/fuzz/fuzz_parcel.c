// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* fuzz_parcel: Binder Parcels as the kernel hands them over (replies, ISms calls), read with the
 * layouts policies/android.yaml uses; outputs must stay inside their buffers and terminated. */
#include <stdint.h>
#include <string.h>

#include "fuzz.h"
#include "parcel.h"

/* Input: a byte choosing the layout, then the Parcel. */
static const char *const reply_layouts[] = {
	"value=str",
	"int int str str str str int value=int",
	"long value=long bool",
	"value=bytes",
};
static const char *const sms_layouts[] = {
	"int str str to=str str text=str intent intent bool long",
	"int str str to=str str int text=bytes intent intent",
	"int str str to=str str text=strs",
	"to=str intent intent text=str",
};

#define N(a) (sizeof(a) / sizeof((a)[0]))

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct parcel_sms sms;
	struct parcel_layout l;
	char out[300], err[160], token[128];
	struct parcel p;
	int n, sel;

	if (size < 1)
		return 0;
	sel = data[0];
	data++;
	size--;

	if (!parcel_layout_parse(reply_layouts[sel % N(reply_layouts)], PARCEL_LAYOUT_REPLY, &l, err,
				 sizeof(err))) {
		memset(out, 0x55, sizeof(out));
		n = parcel_reply_value(data, size, &l, out, sizeof(out));
		FUZZ_CHECK(n >= -22 && n < (int)sizeof(out), "reply value length %d", n);
		if (n >= 0)
			FUZZ_CHECK(memchr(out, 0, sizeof(out)) != NULL, "an unterminated value");
	}
	if (!parcel_layout_parse(sms_layouts[(sel >> 2) % N(sms_layouts)], PARCEL_LAYOUT_SMS, &l, err,
				 sizeof(err))) {
		n = parcel_sms_decode(data, size, &l, &sms);
		FUZZ_CHECK(sms.text_len <= sizeof(sms.text), "text of %zu bytes", sms.text_len);
		FUZZ_CHECK(memchr(sms.to, 0, sizeof(sms.to)) != NULL, "an unterminated number");
		FUZZ_CHECK(memchr(sms.interface, 0, sizeof(sms.interface)) != NULL,
			   "an unterminated interface");
		FUZZ_CHECK(n == 0 || n == -22, "sms decode returned %d", n);
	}
	parcel_init(&p, data, size);
	n = parcel_interface_token(&p, token, sizeof(token));
	FUZZ_CHECK(p.pos <= p.len, "read past the end: %zu of %zu", p.pos, p.len);
	if (n > 0)
		FUZZ_CHECK(strlen(token) > 0 && n <= PARCEL_HEADER_11, "token kind %d", n);
	return 0;
}
