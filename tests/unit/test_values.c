/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* test_values: values from sources a process can drive are bounded per identifier (the oldest
 * gives way), the policy's files are never pushed out, and matching still finds them. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "values.h"
#include "testlib.h"

static int found(struct value_store *s, const char *text, uint64_t mask)
{
	struct value_hit hits[8];

	return values_scan(s, (const uint8_t *)text, strlen(text), mask, hits, 8);
}

int main(void)
{
	struct value_store s = {};
	char mac[32];
	size_t i, drivable = 0;

	EXPECT_INT(1, values_learn(&s, 0, "file", "/sys/class/net/eth0/address",
				   (const uint8_t *)"52:54:00:12:34:56", 17));
	/* ten thousand forged MACs by ioctl: the store stays bounded */
	for (i = 0; i < 10000; i++) {
		snprintf(mac, sizeof(mac), "02:00:00:%02zx:%02zx:%02zx", (i >> 16) & 0xff,
			 (i >> 8) & 0xff, i & 0xff);
		values_learn(&s, 0, "ioctl", "SIOCGIFHWADDR dummy0", (const uint8_t *)mac, 17);
	}
	for (i = 0; i < s.n; i++)
		drivable += strcmp(s.values[i].source, "file") != 0;
	EXPECT_INT(VALUES_MAX_DRIVABLE, drivable);
	EXPECT_INT(VALUES_MAX_DRIVABLE + 1, s.n);
	EXPECT_INT(10000 - VALUES_MAX_DRIVABLE, s.replaced);
	/* the file's value is still matched, and so is the latest forged one; the first is gone */
	EXPECT_INT(1, found(&s, "mac=525400123456", 1));
	EXPECT_INT(1, found(&s, "mac=02:00:00:00:27:0f", 1));
	EXPECT_INT(0, found(&s, "mac=02:00:00:00:00:00", 1));
	/* another identifier's drivable values are counted apart */
	EXPECT_INT(1, values_learn(&s, 1, "property", "ro.serialno", (const uint8_t *)"SER123456",
				   9));
	EXPECT_INT(1, found(&s, "s=SER123456", 2));
	/* known values are not learnt twice */
	EXPECT_INT(0, values_learn(&s, 1, "property", "ro.serialno", (const uint8_t *)"SER123456",
				   9));
	values_clear(&s);

	/* a payload scanned again is answered from the memo exactly as a scan would answer it */
	{
		static const char text[] = "id=SER123456&x=1";
		struct scan_stream st1 = {}, st2 = {};
		struct value_hit h1[8], h2[8];
		int n1, n2;

		EXPECT_INT(1, values_learn(&s, 1, "file", "/serial", (const uint8_t *)"SER123456", 9));
		n1 = values_scan_stream(&s, &st1, (const uint8_t *)text, sizeof(text) - 1, 2, h1, 8);
		n2 = values_scan_stream(&s, &st2, (const uint8_t *)text, sizeof(text) - 1, 2, h2, 8);
		EXPECT_INT(1, n1);
		EXPECT_INT(n1, n2);
		EXPECT_INT(1, s.memo_hits);
		EXPECT_INT(h1[0].offset, h2[0].offset);
		EXPECT_INT(1, h1[0].value == h2[0].value);
		EXPECT_INT(st1.state, st2.state);
		/* another mask is another question */
		EXPECT_INT(0, values_scan_stream(&s, &st2, (const uint8_t *)text, sizeof(text) - 1, 1,
						 h2, 8));
		/* a stream that stopped inside a value: the same bytes give another answer */
		st1 = (struct scan_stream){};
		values_scan_stream(&s, &st1, (const uint8_t *)"id=SER1", 7, 2, h1, 8);
		EXPECT_INT(1, values_scan_stream(&s, &st1, (const uint8_t *)"23456", 5, 2, h1, 8));
		st2 = (struct scan_stream){};
		EXPECT_INT(0, values_scan_stream(&s, &st2, (const uint8_t *)"23456", 5, 2, h2, 8));
		/* a value learnt since: the memo of the old automaton does not answer */
		EXPECT_INT(0, found(&s, "MAC=AABBCCDDEEFF", 1));
		EXPECT_INT(1, values_learn(&s, 0, "file", "/mac", (const uint8_t *)"AABBCCDDEEFF", 12));
		EXPECT_INT(1, found(&s, "MAC=AABBCCDDEEFF", 1));
		values_clear(&s);
	}
	return tl_summary("test_values");
}
