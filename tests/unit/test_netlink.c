/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* test_netlink: addresses in rtnetlink replies built as the kernel lays them out (RTM_NEWLINK with
 * IFLA_IFNAME/IFLA_ADDRESS/IFLA_PERM_ADDRESS, RTM_NEWNEIGH with NDA_DST/NDA_LLADDR), replies cut
 * short, and malformed lengths. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "netlink.h"
#include "testlib.h"

struct nb {
	uint8_t b[1024];
	size_t n, msg;
};

static void begin(struct nb *m, uint16_t type, size_t fixed)
{
	uint32_t len = 0;

	m->msg = m->n;
	memcpy(m->b + m->n, &len, 4);
	memcpy(m->b + m->n + 4, &type, 2);
	memset(m->b + m->n + 6, 0, 10 + fixed);
	m->n += 16 + fixed;
}

static void attr(struct nb *m, uint16_t type, const void *data, uint16_t len)
{
	uint16_t alen = 4 + len;

	memcpy(m->b + m->n, &alen, 2);
	memcpy(m->b + m->n + 2, &type, 2);
	memcpy(m->b + m->n + 4, data, len);
	m->n += (alen + 3) & ~3u;
}

static void end(struct nb *m)
{
	uint32_t len = m->n - m->msg;

	memcpy(m->b + m->msg, &len, 4);
}

static char got[8][64];
static int n_got;

static void record(void *ctx, const char *mac, enum netlink_addr_kind kind, const char *owner)
{
	(void)ctx;
	if (n_got < 8)
		snprintf(got[n_got++], sizeof(got[0]), "%d %s %s", kind, mac, owner);
}

int main(void)
{
	static const uint8_t lo[6] = { 0 }, eth[6] = { 0x52, 0x54, 0x00, 0x12, 0x34, 0x56 },
			     perm[6] = { 0x52, 0x54, 0x00, 0xab, 0xcd, 0xef },
			     gw[6] = { 0x00, 0x1a, 0x2b, 0x3c, 0x4d, 0x5e }, dst[4] = { 10, 0, 0, 1 };
	uint32_t done_len = 20;
	uint16_t done = 3; /* NLMSG_DONE */
	struct nb m = { .n = 0 };

	begin(&m, 16, 16);
	attr(&m, 3, "lo", 3);
	attr(&m, 1, lo, 6);
	end(&m);
	begin(&m, 16, 16);
	attr(&m, 3, "eth0", 5);
	attr(&m, 13, "\x01\x00\x00\x00", 4); /* IFLA_PROMISCUITY: skipped */
	attr(&m, 1, eth, 6);
	attr(&m, 54, perm, 6);
	end(&m);
	begin(&m, 28, 12);
	attr(&m, 1, dst, 4);
	attr(&m, 2, gw, 6);
	end(&m);
	memcpy(m.b + m.n, &done_len, 4);
	memcpy(m.b + m.n + 4, &done, 2);
	memset(m.b + m.n + 6, 0, 14);
	m.n += 20;

	EXPECT_INT(4, netlink_addresses(m.b, m.n, record, NULL));
	EXPECT_STR("1 00:00:00:00:00:00 lo", got[0]);
	EXPECT_STR("1 52:54:00:12:34:56 eth0", got[1]);
	EXPECT_STR("2 52:54:00:ab:cd:ef eth0", got[2]);
	EXPECT_STR("3 00:1a:2b:3c:4d:5e 10.0.0.1", got[3]);

	/* a reply cut inside eth0's permanent address (bytes 116..128): what is there is read */
	n_got = 0;
	EXPECT_INT(2, netlink_addresses(m.b, 122, record, NULL));
	EXPECT_STR("1 52:54:00:12:34:56 eth0", got[1]);

	/* an attribute longer than its message, a message shorter than its header: stop there */
	n_got = 0;
	{
		struct nb bad = m;
		uint16_t huge = 900;
		uint32_t tiny = 8;

		memcpy(bad.b + 32, &huge, 2);
		EXPECT_INT(3, netlink_addresses(bad.b, bad.n, record, NULL));
		memcpy(bad.b, &tiny, 4);
		EXPECT_INT(0, netlink_addresses(bad.b, bad.n, record, NULL));
	}
	EXPECT_INT(0, netlink_addresses(m.b, 10, record, NULL));
	return tl_summary("test_netlink");
}
