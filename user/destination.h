/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* destination: where a send went, decoded from the kernel's address fields for rules and alerts. */
#ifndef IDSENTRY_DESTINATION_H
#define IDSENTRY_DESTINATION_H

#include <netinet/in.h>
#include <stdint.h>

struct destination {
	int family;       /* AF_INET or AF_INET6; IPv4-mapped IPv6 is folded into AF_INET */
	uint8_t addr[16]; /* network order */
	uint16_t port;
	const char *proto; /* "tcp", "udp", "raw", "other" */
	char text[INET6_ADDRSTRLEN];
	const char *host;  /* a name learnt for addr, or NULL */
};

/* family as AF_*, daddr as 16 network-order bytes (IPv4 in the first 4), port in host order. */
void destination_decode(struct destination *d, int family, const uint8_t daddr[16], uint16_t port,
			int protocol, int sock_type);

#endif
