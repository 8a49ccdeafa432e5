/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* test_filevalues: the MACs of an ARP table as /proc/net/arp prints it (incomplete entries,
 * tabs, a line cut short), and paths that are not tables. */
#include <stdint.h>
#include <string.h>

#include "filevalues.h"
#include "testlib.h"

static char got[8][32];
static int n_got;

static void collect(void *ctx, const uint8_t *v, size_t len)
{
	(void)ctx;
	if (n_got < 8 && len < sizeof(got[0])) {
		memcpy(got[n_got], v, len);
		got[n_got][len] = 0;
		n_got++;
	}
}

int main(void)
{
	static const char table[] =
		"IP address       HW type     Flags       HW address            Mask     Device\n"
		"192.0.2.1        0x1         0x2         02:fc:00:00:00:05     *        eth0\n"
		"10.0.0.7         0x1         0x0         00:00:00:00:00:00     *        eth0\n"
		"10.0.0.9\t0x1\t0x2\tAA:BB:CC:DD:EE:0F\t*\twlan0\n"
		"10.0.0.10        0x1         0x2         02:fc:00:00";

	EXPECT(filevalues_is_table("/proc/net/arp"));
	EXPECT(filevalues_is_table("/proc/self/net/arp"));
	EXPECT(!filevalues_is_table("/etc/machine-id"));
	EXPECT(!filevalues_is_table("/tmp/net/arp"));
	EXPECT(!filevalues_is_table(NULL));
	EXPECT_INT(2, filevalues_each("/proc/net/arp", (const uint8_t *)table, strlen(table),
				      collect, NULL));
	EXPECT_STR("02:fc:00:00:00:05", got[0]);
	EXPECT_STR("AA:BB:CC:DD:EE:0F", got[1]);
	/* the header alone, or nothing */
	EXPECT_INT(0, filevalues_each("/proc/net/arp", (const uint8_t *)table, 80, collect, NULL));
	EXPECT_INT(0, filevalues_each("/proc/net/arp", (const uint8_t *)"", 0, collect, NULL));
	EXPECT_INT(0, filevalues_each("/etc/machine-id", (const uint8_t *)table, strlen(table),
				      collect, NULL));
	EXPECT(filevalues_read("/nonexistent/proc/net/arp", collect, NULL) < 0);
	return tl_summary("test_filevalues");
}
