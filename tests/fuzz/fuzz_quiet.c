// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* fuzz_quiet: the protocol recogniser on arbitrary sends: every region it names lies inside the
 * send, and a send it does not recognise names none. */
#include <stdint.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "fuzz.h"
#include "quiet.h"

/* Input: a byte choosing how the send reached the wire, then its bytes. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct { int family, type, protocol; uint16_t dport; } ways[] = {
		{ AF_INET, SOCK_DGRAM, IPPROTO_UDP, 67 },     { AF_INET6, SOCK_DGRAM, IPPROTO_UDP, 547 },
		{ AF_PACKET, SOCK_DGRAM, 0x0008, 0 },         { AF_PACKET, SOCK_DGRAM, 0, 0 },
		{ AF_PACKET, SOCK_DGRAM, 0x0608, 0 },         { AF_PACKET, SOCK_RAW, 0x0300, 0 },
		{ AF_PACKET, SOCK_PACKET, 0x0300, 0 },        { AF_INET, SOCK_RAW, IPPROTO_RAW, 0 },
		{ AF_INET, SOCK_RAW, IPPROTO_UDP, 0 },        { AF_INET6, SOCK_RAW, IPPROTO_ICMPV6, 0 },
		{ AF_PACKET, SOCK_DGRAM, 0xcc88, 0 },         { AF_INET, SOCK_STREAM, IPPROTO_TCP, 67 },
	};
	struct quiet_message m;
	struct quiet_send s;
	size_t i, way;

	if (!size)
		return 0;
	way = data[0] % (sizeof(ways) / sizeof(ways[0]));
	s.family = ways[way].family;
	s.sock_type = ways[way].type;
	s.protocol = ways[way].protocol;
	s.dport = ways[way].dport;
	s.data = data + 1;
	s.len = size - 1;
	if (quiet_recognise(&s, &m) == QUIET_NONE) {
		FUZZ_CHECK(m.n == 0, "%zu regions for an unrecognised send", m.n);
		return 0;
	}
	FUZZ_CHECK(m.n <= QUIET_MAX_REGIONS, "%zu regions", m.n);
	for (i = 0; i < m.n; i++)
		FUZZ_CHECK((size_t)m.r[i].off + m.r[i].len <= s.len,
			   "region %zu [%u, +%u) past the send's %zu bytes", i, m.r[i].off,
			   m.r[i].len, s.len);
	FUZZ_CHECK(quiet_protocol_name(m.proto) != NULL, "protocol %d has no name", m.proto);
	return 0;
}
