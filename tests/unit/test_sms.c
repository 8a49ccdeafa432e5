/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* test_sms: SMS-SUBMIT decoding (GSM-7, UCS-2, headers), AT reply parsing and ioctl value forms. */
#include <stdint.h>
#include <string.h>

#include "idsentry.h"
#include "ioctl.h"
#include "modem.h"
#include "sms.h"
#include "testlib.h"

static void test_gsm7(void)
{
	static const uint8_t hello[] = { 0xe8, 0x32, 0x9b, 0xfd, 0x46, 0x97, 0xd9, 0xec, 0x37 };
	/* "@£$" then the extension table's '€' and '{' */
	static const uint8_t special[] = { 0x00, 0x01, 0x02, 0x1b, 0x65, 0x1b, 0x28 };
	uint8_t packed[8] = {};
	char out[64];
	size_t i, bit;

	EXPECT_INT(10, gsm7_unpack(hello, sizeof(hello), 10, 0, out, sizeof(out)));
	EXPECT_STR("hellohello", out);
	/* pack the septets of 'special' to unpack them again */
	for (i = 0, bit = 0; i < sizeof(special); i++, bit += 7) {
		packed[bit / 8] |= special[i] << (bit % 8);
		if (bit % 8 > 1)
			packed[bit / 8 + 1] |= special[i] >> (8 - bit % 8);
	}
	gsm7_unpack(packed, sizeof(packed), sizeof(special), 0, out, sizeof(out));
	EXPECT_STR("@\xc2\xa3$\xe2\x82\xac{", out);
	/* a short output buffer ends the text instead of overflowing */
	EXPECT_INT(4, gsm7_unpack(hello, sizeof(hello), 10, 0, out, 5));
	EXPECT_STR("hell", out);
}

static void test_ucs2(void)
{
	static const uint8_t text[] = { 0x00, 0x49, 0x00, 0x44, 0x04, 0x1f, 0xd8, 0x3d, 0xde, 0x00 };
	char out[32];

	ucs2_to_utf8(text, sizeof(text), out, sizeof(out));
	EXPECT_STR("ID\xd0\x9f\xf0\x9f\x98\x80", out);
}

static void test_pdu(void)
{
	struct sms s;

	/* SMSC part empty, to +46708251358, GSM-7 "hellohello" */
	EXPECT_INT(0, sms_decode_pdu_hex("0011000B916407281553F80000AA0AE8329BFD4697D9EC37", 48, 0,
					 &s));
	EXPECT_STR("+46708251358", s.number);
	EXPECT_STR("hellohello", s.text);
	/* the same without the SMSC part, as AT+CMGS=<length> tells */
	EXPECT_INT(0, sms_decode_pdu_hex("11000B916407281553F80000AA0AE8329BFD4697D9EC37", 46, 23,
					 &s));
	EXPECT_STR("hellohello", s.text);
	/* an SMSC address first, national number, UCS-2 text "IMEI" */
	EXPECT_INT(0, sms_decode_pdu_hex("07914477790706520100098121436587F90008080049004D00450049",
					 56, 0, &s));
	EXPECT_STR("123456789", s.number);
	EXPECT_STR("IMEI", s.text);
	/* a user data header (concatenation) before GSM-7 text: the fill bits are skipped */
	EXPECT_INT(0, sms_decode_pdu_hex("41000B916407281553F800000C050003AA0201D06536FB0D", 48,
					 24, &s));
	EXPECT_STR("hello", s.text);
	/* no SMS-SUBMIT, or cut short */
	EXPECT(sms_decode_pdu_hex("0004000B91", 10, 0, &s) != 0);
	EXPECT(sms_decode_pdu_hex("0011000B91640728", 16, 0, &s) != 0);
	EXPECT(sms_decode_pdu_hex("zz", 2, 0, &s) != 0);
}

static void test_at_commands(void)
{
	int crsm;

	EXPECT_INT(MODEM_IMEI, modem_command_kind("AT+CGSN", &crsm));
	EXPECT_INT(MODEM_IMEI, modem_command_kind("at+gsn", &crsm));
	EXPECT_INT(MODEM_IMSI, modem_command_kind("AT+CIMI", &crsm));
	EXPECT_INT(MODEM_ICCID, modem_command_kind("AT+CCID", &crsm));
	EXPECT_INT(0, crsm);
	EXPECT_INT(MODEM_ICCID, modem_command_kind("AT+CRSM=176,12258,0,0,10", &crsm));
	EXPECT_INT(1, crsm);
	EXPECT_INT(MODEM_NONE, modem_command_kind("AT+CRSM=176,28542,0,0,11", &crsm));
	EXPECT_INT(MODEM_PHONE, modem_command_kind("AT+CNUM", &crsm));
	EXPECT_INT(MODEM_CELL, modem_command_kind("AT+CREG?", &crsm));
	EXPECT_INT(MODEM_CELL, modem_command_kind("AT+CGREG?", &crsm));
	EXPECT_INT(MODEM_NONE, modem_command_kind("AT+CREG=2", &crsm));
	EXPECT_INT(MODEM_NONE, modem_command_kind("ATZ", &crsm));
	EXPECT_STR("cell-location", modem_kind_name(MODEM_CELL));
}

static void test_at_replies(void)
{
	char v[MODEM_MAX_VALUES][MODEM_VALUE_BYTES];

	EXPECT_INT(1, modem_reply_values(MODEM_IMEI, 0, "490154203237518", v));
	EXPECT_STR("490154203237518", v[0]);
	EXPECT_INT(1, modem_reply_values(MODEM_IMEI, 0, "+CGSN: \"490154203237518\"", v));
	EXPECT_STR("490154203237518", v[0]);
	EXPECT_INT(0, modem_reply_values(MODEM_IMEI, 0, "OK", v));
	EXPECT_INT(1, modem_reply_values(MODEM_IMSI, 0, "310150123456789", v));
	EXPECT_INT(1, modem_reply_values(MODEM_ICCID, 0, "+CCID: 8901410321111851072F", v));
	EXPECT_STR("8901410321111851072", v[0]);
	EXPECT_INT(1, modem_reply_values(MODEM_ICCID, 1, "+CRSM: 144,0,\"981014301211811570F2\"", v));
	EXPECT_STR("8901410321111851072", v[0]);
	EXPECT_INT(2, modem_reply_values(MODEM_PHONE, 0, "+CNUM: \"Me\",\"+15551234567\",145", v));
	EXPECT_STR("+15551234567", v[0]);
	EXPECT_STR("15551234567", v[1]);
	EXPECT_INT(2, modem_reply_values(MODEM_CELL, 0, "+CREG: 2,1,\"00C3\",\"0A2B3C4D\"", v));
	EXPECT_STR("0A2B3C4D", v[0]);
	EXPECT_STR("170605645", v[1]);
	/* unsolicited form, whatever was asked */
	EXPECT_INT(2, modem_reply_values(MODEM_NONE, 0, "+CEREG: 1,\"1A2B\",\"01234567\",7", v));
	EXPECT_STR("01234567", v[0]);
	EXPECT_INT(0, modem_reply_values(MODEM_CELL, 0, "+CREG: 0,1", v));
}

static void test_ioctl_values(void)
{
	uint8_t ifreq[40] = "eth0";
	uint8_t ata[20] = "   WD-WX11A1234567  ";
	uint8_t vpd[68] = { 0x00, 0x80, 0x00, 0x0c, ' ', ' ', 'S', 'N', '1', '2', '3', '4',
			    '5', '6', ' ', ' ', 'x', 'x' };
	char value[64], origin[64];

	memcpy(ifreq + 18, "\x02\x42\xac\x11\x00\x02", 6);
	EXPECT_INT(17, ioctl_value(IOCTL_SIOCGIFHWADDR, ifreq, sizeof(ifreq), value, sizeof(value),
				   origin, sizeof(origin)));
	EXPECT_STR("02:42:ac:11:00:02", value);
	EXPECT_STR("SIOCGIFHWADDR eth0", origin);
	EXPECT_INT(0, ioctl_value(IOCTL_SIOCGIFHWADDR, ifreq, 20, value, sizeof(value), origin,
				  sizeof(origin)));
	/* ETHTOOL_GPERMADDR: cmd 0x20, size 6, the permanent address; zeros (a veth) are none */
	{
		uint8_t perm[40] = { 0x20, 0, 0, 0, 6, 0, 0, 0, 0x52, 0x54, 0x00, 0xab, 0xcd, 0xef };

		EXPECT_INT(17, ioctl_value(IOCTL_SIOCETHTOOL, perm, sizeof(perm), value,
					   sizeof(value), origin, sizeof(origin)));
		EXPECT_STR("52:54:00:ab:cd:ef", value);
		EXPECT_STR("SIOCETHTOOL ETHTOOL_GPERMADDR", origin);
		memset(perm + 8, 0, 6);
		EXPECT_INT(0, ioctl_value(IOCTL_SIOCETHTOOL, perm, sizeof(perm), value,
					  sizeof(value), origin, sizeof(origin)));
	}
	ioctl_value(IOCTL_HDIO_GET_IDENTITY, ata, sizeof(ata), value, sizeof(value), origin,
		    sizeof(origin));
	EXPECT_STR("WD-WX11A1234567", value);
	ioctl_value(IOCTL_NVME_ADMIN_CMD, ata, sizeof(ata), value, sizeof(value), origin,
		    sizeof(origin));
	EXPECT_STR("WD-WX11A1234567", value);
	EXPECT_STR("NVME_IOCTL_ADMIN_CMD", origin);
	/* the page length bounds the serial: what follows it is not part of it */
	ioctl_value(IOCTL_SG_IO, vpd, sizeof(vpd), value, sizeof(value), origin, sizeof(origin));
	EXPECT_STR("SN123456", value);
}

int main(void)
{
	test_gsm7();
	test_ucs2();
	test_pdu();
	test_at_commands();
	test_at_replies();
	test_ioctl_values();
	return tl_summary("test_sms");
}
