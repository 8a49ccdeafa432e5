/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* quiet: recognises a sent message as one of the link-layer and address-configuration protocols
 * that carry a machine's own MAC by design (DHCPv4, DHCPv6, ARP, NDP, LLDP) and says which byte
 * ranges of it are the fields that carry it. The policy's `quiet` entries name which identifiers
 * those fields may hold (detect.c): a value there is no leak, a value anywhere else still is. */
#ifndef IDSENTRY_QUIET_H
#define IDSENTRY_QUIET_H

#include <stddef.h>
#include <stdint.h>

enum quiet_protocol {
	QUIET_NONE,
	QUIET_DHCP,   /* DHCPv4 client message (RFC 2131): chaddr, option 61 client identifier */
	QUIET_DHCPV6, /* DHCPv6 client message (RFC 8415): option 1 client identifier (DUID) */
	QUIET_ARP,    /* ARP (RFC 826): sender and target hardware addresses */
	QUIET_NDP,    /* IPv6 neighbour discovery (RFC 4861): source/target link-layer options */
	QUIET_LLDP,   /* LLDP (IEEE 802.1AB): chassis ID and port ID */
	QUIET_PROTOCOLS,
};

#define QUIET_MAX_REGIONS 8

/* A byte range of the sample: [off, off + len). */
struct quiet_region {
	uint32_t off, len;
};

struct quiet_message {
	enum quiet_protocol proto;
	size_t n;
	struct quiet_region r[QUIET_MAX_REGIONS];
};

/* How a send reached the wire, as the kernel reported it: family AF_INET/AF_INET6/AF_PACKET,
 * sock_type SOCK_DGRAM/SOCK_RAW, protocol (IPPROTO_* for inet; for AF_PACKET the ethertype in
 * network order, as the socket holds it), dport in host order (inet). */
struct quiet_send {
	int family;
	int sock_type;
	int protocol;
	uint16_t dport;
	const uint8_t *data;
	size_t len;
};

/* Whether the send is a message of a protocol above; fills *m (proto and the regions that carry
 * the sender's addresses by design). Returns m->proto (QUIET_NONE: not recognised). */
enum quiet_protocol quiet_recognise(const struct quiet_send *s, struct quiet_message *m);
/* Whether [off, off + len) lies inside one of m's regions. */
int quiet_covers(const struct quiet_message *m, size_t off, size_t len);
/* "dhcp", "dhcpv6", "arp", "ndp", "lldp"; NULL for QUIET_NONE. */
const char *quiet_protocol_name(enum quiet_protocol p);
/* The protocol of a name above, or QUIET_NONE. */
enum quiet_protocol quiet_protocol_of(const char *name);
/* What the protocol's fields carry by design, in a sentence (for `check --verbose`). */
const char *quiet_protocol_fields(enum quiet_protocol p);

#endif
