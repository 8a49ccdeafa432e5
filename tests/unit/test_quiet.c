/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* test_quiet: DHCPv4/v6, ARP, NDP and LLDP messages laid out as clients send them (UDP payload,
 * IP packet from a SOCK_DGRAM packet socket, whole Ethernet frame from a SOCK_RAW one), the
 * fields recognised as carrying the MAC, a MAC placed elsewhere (another DHCP option), and
 * truncated or foreign messages that must not be recognised. */
#include <arpa/inet.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>

#include "quiet.h"
#include "testlib.h"

static const uint8_t mac[6] = { 0x02, 0x42, 0xac, 0x11, 0x00, 0x07 };

/* A DHCPDISCOVER at b: chaddr, option 53, option 61 (type 1 + MAC), then 'extra' as option
 * 'extra_code' (0: none). Returns the end. */
static size_t bootp(uint8_t *d, size_t b, uint8_t extra_code, const void *extra, uint8_t extra_len)
{
	size_t o;

	memset(d + b, 0, 240);
	d[b] = 1;     /* BOOTREQUEST */
	d[b + 1] = 1; /* Ethernet */
	d[b + 2] = 6;
	memcpy(d + b + 28, mac, 6);
	memcpy(d + b + 236, "\x63\x82\x53\x63", 4);
	o = b + 240;
	memcpy(d + o, "\x35\x01\x01", 3); /* DHCPDISCOVER */
	o += 3;
	d[o++] = 61;
	d[o++] = 7;
	d[o++] = 1;
	memcpy(d + o, mac, 6);
	o += 6;
	if (extra_code) {
		d[o++] = extra_code;
		d[o++] = extra_len;
		memcpy(d + o, extra, extra_len);
		o += extra_len;
	}
	d[o++] = 255;
	while (o - b < 300)
		d[o++] = 0;
	return o;
}

/* IPv4 + UDP headers at b, to port dport. Returns where the payload starts. */
static size_t ipv4_udp(uint8_t *d, size_t b, uint16_t dport)
{
	memset(d + b, 0, 28);
	d[b] = 0x45;
	d[b + 9] = IPPROTO_UDP;
	d[b + 20] = 0;
	d[b + 21] = 68;
	d[b + 22] = dport >> 8;
	d[b + 23] = dport & 0xff;
	return b + 28;
}

/* Where the MAC (or its hex text) is in d, from 'from'. */
static long find(const uint8_t *d, size_t len, size_t from, const void *what, size_t n)
{
	size_t i;

	for (i = from; i + n <= len; i++)
		if (!memcmp(d + i, what, n))
			return (long)i;
	return -1;
}

static void test_dhcp(void)
{
	uint8_t d[600];
	struct quiet_message m;
	struct quiet_send s = { .family = AF_INET, .sock_type = SOCK_DGRAM, .dport = 67, .data = d };
	size_t end;
	long at;

	/* a UDP socket's payload: chaddr and option 61 carry the MAC by design */
	s.len = bootp(d, 0, 0, NULL, 0);
	EXPECT_INT(QUIET_DHCP, quiet_recognise(&s, &m));
	EXPECT(quiet_covers(&m, 28, 6));
	at = find(d, s.len, 240, mac, 6);
	EXPECT(at > 240 && quiet_covers(&m, (size_t)at, 6));
	EXPECT(!quiet_covers(&m, 0, 6));
	/* the MAC's text in option 60 (vendor class) is outside every region */
	s.len = bootp(d, 0, 60, "02:42:ac:11:00:07", 17);
	EXPECT_INT(QUIET_DHCP, quiet_recognise(&s, &m));
	at = find(d, s.len, 0, "02:42", 5);
	EXPECT(at > 0 && !quiet_covers(&m, (size_t)at, 17));
	/* the raw MAC in option 12 (host name): not covered either */
	s.len = bootp(d, 0, 12, mac, 6);
	quiet_recognise(&s, &m);
	at = find(d, s.len, 252, mac, 6);
	EXPECT(at > 0 && !quiet_covers(&m, (size_t)at, 6));
	/* another port, or a server's reply, or a cut message: not DHCP from a client */
	s.dport = 68;
	EXPECT_INT(QUIET_NONE, quiet_recognise(&s, &m));
	s.dport = 67;
	d[0] = 2;
	EXPECT_INT(QUIET_NONE, quiet_recognise(&s, &m));
	d[0] = 1;
	s.len = 239;
	EXPECT_INT(QUIET_NONE, quiet_recognise(&s, &m));
	EXPECT_INT(0, (int)m.n);

	/* a SOCK_DGRAM packet socket (udhcpc): the IPv4 packet, ethertype in network order */
	end = bootp(d, ipv4_udp(d, 0, 67), 0, NULL, 0);
	s = (struct quiet_send){ .family = AF_PACKET, .sock_type = SOCK_DGRAM,
				 .protocol = htons(0x0800), .data = d, .len = end };
	EXPECT_INT(QUIET_DHCP, quiet_recognise(&s, &m));
	EXPECT(quiet_covers(&m, 28 + 28, 6));
	/* to port 53 it is no DHCP */
	ipv4_udp(d, 0, 53);
	EXPECT_INT(QUIET_NONE, quiet_recognise(&s, &m));

	/* a SOCK_RAW packet socket (dhclient): the whole frame; its own addresses are covered */
	memset(d, 0xff, 6);
	memcpy(d + 6, mac, 6);
	d[12] = 0x08;
	d[13] = 0x00;
	end = bootp(d, ipv4_udp(d, 14, 67), 0, NULL, 0);
	s = (struct quiet_send){ .family = AF_PACKET, .sock_type = SOCK_RAW,
				 .protocol = htons(0x0003), .data = d, .len = end };
	EXPECT_INT(QUIET_DHCP, quiet_recognise(&s, &m));
	EXPECT(quiet_covers(&m, 6, 6));
	EXPECT(quiet_covers(&m, 14 + 28 + 28, 6));
	EXPECT(!quiet_covers(&m, 14, 6));
}

static void test_dhcpv6(void)
{
	uint8_t d[64] = { 1, 0xaa, 0xbb, 0xcc, /* SOLICIT */
			  0, 1, 0, 10, 0, 3, 0, 1 }; /* CLIENTID: DUID-LL, Ethernet */
	struct quiet_send s = { .family = AF_INET6, .sock_type = SOCK_DGRAM, .dport = 547,
				.data = d, .len = 22 };
	struct quiet_message m;

	memcpy(d + 12, mac, 6);
	d[18] = 0;
	d[19] = 8; /* ELAPSED_TIME */
	EXPECT_INT(QUIET_DHCPV6, quiet_recognise(&s, &m));
	EXPECT(quiet_covers(&m, 12, 6));
	/* an ADVERTISE (server) is not a client message */
	d[0] = 2;
	EXPECT_INT(QUIET_NONE, quiet_recognise(&s, &m));
	/* an option length past the end does not read beyond it */
	d[0] = 1;
	d[7] = 200;
	EXPECT_INT(QUIET_DHCPV6, quiet_recognise(&s, &m));
	EXPECT(m.n == 1 && m.r[0].off + m.r[0].len <= s.len);
}

static void test_arp_ndp_lldp(void)
{
	uint8_t d[128] = { 0 };
	struct quiet_send s = { .family = AF_PACKET, .sock_type = SOCK_DGRAM,
				.protocol = htons(0x0806), .data = d, .len = 28 };
	struct quiet_message m;

	/* ARP request: Ethernet/IPv4, sender MAC at 8, target at 18 */
	memcpy(d, "\x00\x01\x08\x00\x06\x04\x00\x01", 8);
	memcpy(d + 8, mac, 6);
	EXPECT_INT(QUIET_ARP, quiet_recognise(&s, &m));
	EXPECT(quiet_covers(&m, 8, 6) && quiet_covers(&m, 18, 6) && !quiet_covers(&m, 14, 4));

	/* neighbour solicitation on a raw ICMPv6 socket: source link-layer option at 24 */
	memset(d, 0, sizeof(d));
	d[0] = 135;
	d[24] = 1;
	d[25] = 1;
	memcpy(d + 26, mac, 6);
	s = (struct quiet_send){ .family = AF_INET6, .sock_type = SOCK_RAW,
				 .protocol = IPPROTO_ICMPV6, .data = d, .len = 32 };
	EXPECT_INT(QUIET_NDP, quiet_recognise(&s, &m));
	EXPECT(quiet_covers(&m, 26, 6));
	/* an echo request is no neighbour discovery */
	d[0] = 128;
	EXPECT_INT(QUIET_NONE, quiet_recognise(&s, &m));
	/* a zero option length ends the walk instead of looping */
	d[0] = 133;
	d[8] = 1;
	d[9] = 0;
	EXPECT_INT(QUIET_NDP, quiet_recognise(&s, &m));

	/* LLDP frame: chassis ID TLV (type 1, length 7: subtype 4 + MAC), port ID, TTL, end */
	memset(d, 0, sizeof(d));
	memcpy(d, "\x01\x80\xc2\x00\x00\x0e", 6);
	memcpy(d + 6, mac, 6);
	d[12] = 0x88;
	d[13] = 0xcc;
	memcpy(d + 14, "\x02\x07\x04", 3);
	memcpy(d + 17, mac, 6);
	memcpy(d + 23, "\x04\x05\x05" "eth0", 7);
	memcpy(d + 30, "\x06\x02\x00\x78\x00\x00", 6);
	s = (struct quiet_send){ .family = AF_PACKET, .sock_type = SOCK_RAW,
				 .protocol = htons(0x88cc), .data = d, .len = 36 };
	EXPECT_INT(QUIET_LLDP, quiet_recognise(&s, &m));
	EXPECT(quiet_covers(&m, 17, 6) && quiet_covers(&m, 6, 6));
	/* an unknown ethertype: nothing is recognised, the frame's own MAC included */
	d[12] = 0x12;
	EXPECT_INT(QUIET_NONE, quiet_recognise(&s, &m));
	EXPECT(!quiet_covers(&m, 6, 6));
}

static void test_names(void)
{
	int p;

	for (p = QUIET_NONE + 1; p < QUIET_PROTOCOLS; p++) {
		EXPECT_INT(p, quiet_protocol_of(quiet_protocol_name(p)));
		EXPECT(strlen(quiet_protocol_fields(p)) > 20);
	}
	EXPECT_INT(QUIET_NONE, quiet_protocol_of("dns"));
	EXPECT(quiet_protocol_name(QUIET_NONE) == NULL);
}

int main(void)
{
	test_dhcp();
	test_dhcpv6();
	test_arp_ndp_lldp();
	test_names();
	return tl_summary("test_quiet");
}
