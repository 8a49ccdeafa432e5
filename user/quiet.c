// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* quiet: recognises DHCPv4/v6, ARP, NDP and LLDP messages in a send and names the fields of them
 * that carry the sender's own addresses by design. */
#include <string.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include "quiet.h"

#define ETH_HLEN 14
#define ETHERTYPE_IPV4 0x0800
#define ETHERTYPE_ARP 0x0806
#define ETHERTYPE_VLAN 0x8100
#define ETHERTYPE_IPV6 0x86dd
#define ETHERTYPE_LLDP 0x88cc
#define BOOTP_CHADDR 28
#define BOOTP_COOKIE 236
#define BOOTP_OPTIONS 240
#define DHCP_CLIENT_ID 61
#define DHCPV6_CLIENT_ID 1

static const char *const names[QUIET_PROTOCOLS] = {
	[QUIET_DHCP] = "dhcp", [QUIET_DHCPV6] = "dhcpv6", [QUIET_ARP] = "arp",
	[QUIET_NDP] = "ndp",   [QUIET_LLDP] = "lldp",
};

static const char *const fields[QUIET_PROTOCOLS] = {
	[QUIET_DHCP] = "DHCPv4 client messages (UDP to port 67) carry the client's hardware "
		       "address in chaddr and often in option 61 (client identifier): that is how "
		       "a server hands out an address",
	[QUIET_DHCPV6] = "DHCPv6 client messages (UDP to port 547) carry a DUID, often built from "
			 "the MAC, in option 1 (client identifier)",
	[QUIET_ARP] = "ARP packets carry the sender's and target's hardware addresses",
	[QUIET_NDP] = "IPv6 neighbour discovery (ICMPv6 133-137) carries the sender's link-layer "
		      "address in its source/target link-layer address options",
	[QUIET_LLDP] = "LLDP frames announce the chassis ID and port ID, usually MACs",
};

const char *quiet_protocol_name(enum quiet_protocol p)
{
	return p > QUIET_NONE && p < QUIET_PROTOCOLS ? names[p] : NULL;
}

const char *quiet_protocol_fields(enum quiet_protocol p)
{
	return p > QUIET_NONE && p < QUIET_PROTOCOLS ? fields[p] : "";
}

enum quiet_protocol quiet_protocol_of(const char *name)
{
	int p;

	for (p = QUIET_NONE + 1; p < QUIET_PROTOCOLS; p++)
		if (!strcmp(name, names[p]))
			return p;
	return QUIET_NONE;
}

static unsigned int be16(const uint8_t *b)
{
	return (unsigned int)b[0] << 8 | b[1];
}

static void add_region(struct quiet_message *m, size_t off, size_t len, size_t total)
{
	if (m->n == QUIET_MAX_REGIONS || off >= total)
		return;
	if (len > total - off)
		len = total - off;
	m->r[m->n].off = (uint32_t)off;
	m->r[m->n].len = (uint32_t)len;
	m->n++;
}

/* A BOOTREQUEST with the DHCP cookie at b: chaddr and option 61. */
static int dhcp(const uint8_t *d, size_t len, size_t b, struct quiet_message *m)
{
	size_t o;
	unsigned int hlen;

	if (len < b + BOOTP_OPTIONS || d[b] != 1 ||
	    memcmp(d + b + BOOTP_COOKIE, "\x63\x82\x53\x63", 4))
		return 0;
	hlen = d[b + 2] > 16 ? 16 : d[b + 2];
	add_region(m, b + BOOTP_CHADDR, hlen, len);
	for (o = b + BOOTP_OPTIONS; o < len && d[o] != 255;) {
		if (d[o] == 0) {
			o++;
			continue;
		}
		if (o + 2 > len)
			break;
		if (d[o] == DHCP_CLIENT_ID)
			add_region(m, o + 2, d[o + 1], len);
		o += 2 + d[o + 1];
	}
	m->proto = QUIET_DHCP;
	return 1;
}

/* A DHCPv6 client message at b: option 1, the client's DUID. */
static int dhcpv6(const uint8_t *d, size_t len, size_t b, struct quiet_message *m)
{
	static const uint8_t client_types[] = { 1, 3, 4, 5, 6, 8, 9, 11 };
	size_t o;

	if (len < b + 4 || !memchr(client_types, d[b], sizeof(client_types)))
		return 0;
	for (o = b + 4; o + 4 <= len; o += 4 + be16(d + o + 2))
		if (be16(d + o) == DHCPV6_CLIENT_ID)
			add_region(m, o + 4, be16(d + o + 2), len);
	m->proto = QUIET_DHCPV6;
	return 1;
}

/* An ARP packet at b: the sender and target hardware addresses. */
static int arp(const uint8_t *d, size_t len, size_t b, struct quiet_message *m)
{
	unsigned int hl, pl;

	if (len < b + 8)
		return 0;
	hl = d[b + 4];
	pl = d[b + 5];
	add_region(m, b + 8, hl, len);
	add_region(m, b + 8 + hl + pl, hl, len);
	m->proto = QUIET_ARP;
	return 1;
}

/* An ICMPv6 neighbour-discovery message at b: link-layer address options (types 1 and 2). */
static int ndp(const uint8_t *d, size_t len, size_t b, struct quiet_message *m)
{
	static const uint8_t first_option[] = { [133] = 8, [134] = 16, [135] = 24, [136] = 24,
						[137] = 40 };
	size_t o;

	if (len < b + 4 || d[b] < 133 || d[b] > 137)
		return 0;
	for (o = b + first_option[d[b]]; o + 2 <= len && d[o + 1]; o += 8 * (size_t)d[o + 1])
		if (d[o] == 1 || d[o] == 2)
			add_region(m, o + 2, 8 * (size_t)d[o + 1] - 2, len);
	m->proto = QUIET_NDP;
	return 1;
}

/* LLDP TLVs at b: chassis ID (1) and port ID (2). */
static int lldp(const uint8_t *d, size_t len, size_t b, struct quiet_message *m)
{
	size_t o;

	for (o = b; o + 2 <= len; o += 2 + (be16(d + o) & 0x1ff)) {
		unsigned int type = be16(d + o) >> 9;

		if (!type)
			break;
		if (type == 1 || type == 2)
			add_region(m, o + 2, be16(d + o) & 0x1ff, len);
	}
	m->proto = QUIET_LLDP;
	return 1;
}

/* UDP header at b: DHCP to port 67, DHCPv6 to port 547. */
static int udp(const uint8_t *d, size_t len, size_t b, struct quiet_message *m)
{
	if (len < b + 8)
		return 0;
	if (be16(d + b + 2) == 67)
		return dhcp(d, len, b + 8, m);
	if (be16(d + b + 2) == 547)
		return dhcpv6(d, len, b + 8, m);
	return 0;
}

/* An IPv4 or IPv6 packet at b (the version nibble says which). */
static int ip_packet(const uint8_t *d, size_t len, size_t b, struct quiet_message *m)
{
	if (len < b + 1)
		return 0;
	if (d[b] >> 4 == 4) {
		size_t ihl = 4 * (size_t)(d[b] & 0xf);

		if (ihl < 20 || len < b + ihl || d[b + 9] != IPPROTO_UDP)
			return 0;
		return udp(d, len, b + ihl, m);
	}
	if (d[b] >> 4 == 6 && len >= b + 40) {
		if (d[b + 6] == IPPROTO_UDP)
			return udp(d, len, b + 40, m);
		if (d[b + 6] == IPPROTO_ICMPV6)
			return ndp(d, len, b + 40, m);
	}
	return 0;
}

/* What follows an Ethernet type field at b. */
static int by_ethertype(unsigned int type, const uint8_t *d, size_t len, size_t b,
			struct quiet_message *m)
{
	switch (type) {
	case ETHERTYPE_IPV4:
	case ETHERTYPE_IPV6:
		return ip_packet(d, len, b, m);
	case ETHERTYPE_ARP:
		return arp(d, len, b, m);
	case ETHERTYPE_LLDP:
		return lldp(d, len, b, m);
	}
	return 0;
}

/* A whole Ethernet frame (packet socket, SOCK_RAW): its own addresses are part of every frame. */
static int frame(const uint8_t *d, size_t len, struct quiet_message *m)
{
	size_t b = ETH_HLEN;
	unsigned int type;

	if (len < ETH_HLEN)
		return 0;
	type = be16(d + 12);
	if (type == ETHERTYPE_VLAN && len >= ETH_HLEN + 4) {
		type = be16(d + 16);
		b += 4;
	}
	if (!by_ethertype(type, d, len, b, m))
		return 0;
	add_region(m, 0, 12, len);
	return 1;
}

/* A network-layer packet of unnamed type: IPv4/IPv6 by the version nibble, or ARP for Ethernet
 * and IPv4 by its fixed header. */
static int sniff(const uint8_t *d, size_t len, struct quiet_message *m)
{
	if (len >= 8 && !memcmp(d, "\x00\x01\x08\x00\x06\x04", 6))
		return arp(d, len, 0, m);
	return ip_packet(d, len, 0, m);
}

enum quiet_protocol quiet_recognise(const struct quiet_send *s, struct quiet_message *m)
{
	int ok = 0;

	memset(m, 0, sizeof(*m));
	if (!s->data || !s->len)
		return QUIET_NONE;
	if (s->family == AF_PACKET) {
		unsigned int ethertype = ntohs((uint16_t)s->protocol);

		if (s->sock_type == SOCK_RAW || s->sock_type == SOCK_PACKET)
			ok = frame(s->data, s->len, m);
		else
			/* a socket bound to no type (0) or to all (ETH_P_ALL) names the type per
			 * send, in the address: the packet says what it is */
			ok = by_ethertype(ethertype, s->data, s->len, 0, m) ||
			     ((ethertype == 0 || ethertype == 0x0003) && sniff(s->data, s->len, m));
	} else if ((s->family == AF_INET || s->family == AF_INET6) && s->sock_type == SOCK_DGRAM) {
		if (s->dport == 67 && s->family == AF_INET)
			ok = dhcp(s->data, s->len, 0, m);
		else if (s->dport == 547 && s->family == AF_INET6)
			ok = dhcpv6(s->data, s->len, 0, m);
	} else if (s->family == AF_INET && s->sock_type == SOCK_RAW) {
		if (s->protocol == IPPROTO_RAW)
			ok = ip_packet(s->data, s->len, 0, m);
		else if (s->protocol == IPPROTO_UDP)
			ok = udp(s->data, s->len, 0, m);
	} else if (s->family == AF_INET6 && s->sock_type == SOCK_RAW &&
		   s->protocol == IPPROTO_ICMPV6) {
		ok = ndp(s->data, s->len, 0, m);
	}
	if (!ok)
		memset(m, 0, sizeof(*m));
	return m->proto;
}

int quiet_covers(const struct quiet_message *m, size_t off, size_t len)
{
	size_t i;

	for (i = 0; i < m->n; i++)
		if (off >= m->r[i].off && off + len <= (size_t)m->r[i].off + m->r[i].len)
			return 1;
	return 0;
}
