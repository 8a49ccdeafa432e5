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
	return tl_summary("test_values");
}
