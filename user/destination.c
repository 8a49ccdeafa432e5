// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* destination: where a send went, decoded from the kernel's address fields for rules and alerts. */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include "destination.h"

void destination_decode(struct destination *d, int family, const uint8_t daddr[16], uint16_t port,
			int protocol, int sock_type)
{
	static const uint8_t v4mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };

	memset(d, 0, sizeof(*d));
	/* a packet socket's frames go to a link, not an address: named by their ethertype */
	if (family == AF_PACKET) {
		d->family = AF_PACKET;
		d->proto = "packet";
		snprintf(d->text, sizeof(d->text), "ethertype 0x%04x", ntohs((uint16_t)protocol));
		return;
	}
	d->family = family == AF_INET6 ? AF_INET6 : AF_INET;
	memcpy(d->addr, daddr, 16);
	/* a dual-stack socket talking IPv4 is an IPv4 destination for rules and people alike */
	if (d->family == AF_INET6 && !memcmp(d->addr, v4mapped, 12)) {
		d->family = AF_INET;
		memmove(d->addr, d->addr + 12, 4);
		memset(d->addr + 4, 0, 12);
	}
	d->port = port;
	if (protocol == IPPROTO_TCP || (!protocol && sock_type == SOCK_STREAM))
		d->proto = "tcp";
	else if (protocol == IPPROTO_UDP || (!protocol && sock_type == SOCK_DGRAM))
		d->proto = "udp";
	else if (sock_type == SOCK_RAW)
		d->proto = "raw";
	else
		d->proto = "other";
	inet_ntop(d->family, d->addr, d->text, sizeof(d->text));
}
