// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* netlink: rtnetlink replies as identifier sources: which to watch, and the addresses in them. */
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include "netlink.h"
#include "policy.h"

/* <linux/netlink.h>, <linux/rtnetlink.h>, <linux/if_link.h>, <linux/neighbour.h> */
#define NLMSG_HDR_BYTES 16
#define RTM_NEWLINK 16
#define RTM_NEWNEIGH 28
#define IFINFOMSG_BYTES 16
#define NDMSG_BYTES 12
#define IFLA_ADDRESS 1
#define IFLA_IFNAME 3
#define IFLA_PERM_ADDRESS 54
#define NDA_DST 1
#define NDA_LLADDR 2
#define MAC_BYTES 6

void netlink_masks(const struct policy *p, uint64_t *link_mask, uint64_t *neigh_mask)
{
	size_t i, j;

	*link_mask = *neigh_mask = 0;
	for (i = 0; i < p->n_idents; i++)
		for (j = 0; j < p->idents[i].netlink.n; j++) {
			if (!strcmp(p->idents[i].netlink.items[j], "RTM_GETLINK"))
				*link_mask |= 1ULL << p->idents[i].bit;
			else if (!strcmp(p->idents[i].netlink.items[j], "RTM_GETNEIGH"))
				*neigh_mask |= 1ULL << p->idents[i].bit;
		}
}

static size_t align4(size_t n)
{
	return (n + 3) & ~(size_t)3;
}

static void mac_text(const uint8_t *a, char *out)
{
	snprintf(out, NETLINK_ADDR_TEXT, "%02x:%02x:%02x:%02x:%02x:%02x", a[0], a[1], a[2], a[3],
		 a[4], a[5]);
}

/* One message's attributes (after its fixed header): the addresses, named after their owner. */
static int message_addresses(const uint8_t *a, size_t len, int neigh, netlink_addr_fn fn,
			     void *ctx)
{
	const uint8_t *macs[2] = { NULL, NULL }, *neigh_mac = NULL;
	char owner[64] = "", text[NETLINK_ADDR_TEXT];
	size_t off = 0;
	int found = 0;

	while (off + 4 <= len) {
		uint16_t alen, type;
		size_t plen;

		memcpy(&alen, a + off, 2);
		memcpy(&type, a + off + 2, 2);
		if (alen < 4 || alen > len - off)
			break;
		plen = alen - 4;
		type &= 0x3fff; /* NLA_F_NESTED, NLA_F_NET_BYTEORDER */
		if (!neigh && type == IFLA_IFNAME && plen)
			snprintf(owner, sizeof(owner), "%.*s", (int)strnlen((const char *)a + off + 4,
									     plen),
				 (const char *)a + off + 4);
		else if (!neigh && type == IFLA_ADDRESS && plen == MAC_BYTES)
			macs[0] = a + off + 4;
		else if (!neigh && type == IFLA_PERM_ADDRESS && plen == MAC_BYTES)
			macs[1] = a + off + 4;
		else if (neigh && type == NDA_LLADDR && plen == MAC_BYTES)
			neigh_mac = a + off + 4;
		else if (neigh && type == NDA_DST && (plen == 4 || plen == 16))
			inet_ntop(plen == 4 ? AF_INET : AF_INET6, a + off + 4, owner,
				  sizeof(owner));
		off += align4(alen);
	}
	if (neigh_mac) {
		mac_text(neigh_mac, text);
		fn(ctx, text, NETLINK_NEIGH, owner);
		found++;
	}
	for (int k = 0; k < 2; k++) {
		if (!macs[k])
			continue;
		mac_text(macs[k], text);
		fn(ctx, text, k ? NETLINK_LINK_PERM : NETLINK_LINK_ADDRESS, owner);
		found++;
	}
	return found;
}

int netlink_addresses(const uint8_t *buf, size_t len, netlink_addr_fn fn, void *ctx)
{
	size_t off = 0;
	int found = 0;

	while (off + NLMSG_HDR_BYTES <= len) {
		uint32_t mlen;
		uint16_t type;
		size_t have, fixed;

		memcpy(&mlen, buf + off, 4);
		memcpy(&type, buf + off + 4, 2);
		if (mlen < NLMSG_HDR_BYTES)
			break;
		/* the last message may be cut by the sample: read what is there */
		have = mlen <= len - off ? mlen : len - off;
		fixed = type == RTM_NEWNEIGH ? NDMSG_BYTES : IFINFOMSG_BYTES;
		if ((type == RTM_NEWLINK || type == RTM_NEWNEIGH) && have >= NLMSG_HDR_BYTES + fixed)
			found += message_addresses(buf + off + NLMSG_HDR_BYTES + fixed,
						   have - NLMSG_HDR_BYTES - fixed,
						   type == RTM_NEWNEIGH, fn, ctx);
		if (mlen > len - off)
			break;
		off += align4(mlen);
	}
	return found;
}
