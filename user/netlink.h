/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* netlink: rtnetlink replies as identifier sources: which to watch, and the addresses in them. */
#ifndef IDSENTRY_NETLINK_H
#define IDSENTRY_NETLINK_H

#include <stddef.h>
#include <stdint.h>

struct policy;

#define NETLINK_ADDR_TEXT 18 /* "aa:bb:cc:dd:ee:ff" and its NUL */

enum netlink_addr_kind {
	NETLINK_LINK_ADDRESS = 1, /* IFLA_ADDRESS: a link's current MAC */
	NETLINK_LINK_PERM = 2,    /* IFLA_PERM_ADDRESS: its permanent (factory) MAC */
	NETLINK_NEIGH = 3,        /* NDA_LLADDR: a neighbour's MAC (the router's, among them) */
};

/* Called for each 6-byte address of a reply: its text, its kind, and the link or the neighbour's
 * address it belongs to ("eth0", "10.0.0.1"). */
typedef void (*netlink_addr_fn)(void *ctx, const char *mac, enum netlink_addr_kind kind,
				const char *owner);

/* Identifier bits of the policy's `netlink` keys, for RTM_GETLINK and RTM_GETNEIGH replies. */
void netlink_masks(const struct policy *p, uint64_t *link_mask, uint64_t *neigh_mask);
/* Walks the RTM_NEWLINK/RTM_NEWNEIGH messages in buf (a reply, possibly cut short), calling fn for
 * each Ethernet-sized address. Returns how many were found. */
int netlink_addresses(const uint8_t *buf, size_t len, netlink_addr_fn fn, void *ctx);

#endif
