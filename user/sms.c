// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* sms: decodes SMS-SUBMIT messages written to a modem (PDU: GSM-7, 8-bit, UCS-2) into text.
 *
 * Layouts from 3GPP TS 23.040 (TPDU) and TS 23.038 (alphabets). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "sms.h"

/* GSM 03.38 default alphabet, as UTF-8; index 0x1b is the escape to the extension table. */
static const char *const gsm7_basic[128] = {
	"@", "\xc2\xa3", "$", "\xc2\xa5", "\xc3\xa8", "\xc3\xa9", "\xc3\xb9", "\xc3\xac",
	"\xc3\xb2", "\xc3\x87", "\n", "\xc3\x98", "\xc3\xb8", "\r", "\xc3\x85", "\xc3\xa5",
	"\xce\x94", "_", "\xce\xa6", "\xce\x93", "\xce\x9b", "\xce\xa9", "\xce\xa0", "\xce\xa8",
	"\xce\xa3", "\xce\x98", "\xce\x9e", "", "\xc3\x86", "\xc3\xa6", "\xc3\x9f", "\xc3\x89",
	" ", "!", "\"", "#", "\xc2\xa4", "%", "&", "'", "(", ")", "*", "+", ",", "-", ".", "/",
	"0", "1", "2", "3", "4", "5", "6", "7", "8", "9", ":", ";", "<", "=", ">", "?",
	"\xc2\xa1", "A", "B", "C", "D", "E", "F", "G", "H", "I", "J", "K", "L", "M", "N", "O",
	"P", "Q", "R", "S", "T", "U", "V", "W", "X", "Y", "Z", "\xc3\x84", "\xc3\x96", "\xc3\x91",
	"\xc3\x9c", "\xc2\xa7",
	"\xc2\xbf", "a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l", "m", "n", "o",
	"p", "q", "r", "s", "t", "u", "v", "w", "x", "y", "z", "\xc3\xa4", "\xc3\xb6", "\xc3\xb1",
	"\xc3\xbc", "\xc3\xa0",
};

static const char *gsm7_extension(unsigned int c)
{
	switch (c) {
	case 0x0a:
		return "\f";
	case 0x14:
		return "^";
	case 0x28:
		return "{";
	case 0x29:
		return "}";
	case 0x2f:
		return "\\";
	case 0x3c:
		return "[";
	case 0x3d:
		return "~";
	case 0x3e:
		return "]";
	case 0x40:
		return "|";
	case 0x65:
		return "\xe2\x82\xac";
	}
	return " "; /* unknown escapes read as a space, as the standard asks */
}

static size_t put(char *out, size_t size, size_t n, const char *s)
{
	size_t len = strlen(s);

	if (n + len + 1 > size)
		return n;
	memcpy(out + n, s, len);
	return n + len;
}

size_t gsm7_unpack(const uint8_t *in, size_t in_len, size_t septets, unsigned int fill_bits,
		   char *out, size_t out_size)
{
	size_t i, n = 0;
	int escape = 0;

	if (!out_size)
		return 0;
	for (i = 0; i < septets; i++) {
		size_t bit = fill_bits + i * 7, byte = bit / 8;
		unsigned int shift = bit % 8, c;

		if (byte >= in_len)
			break;
		c = in[byte] >> shift;
		if (shift > 1 && byte + 1 < in_len)
			c |= in[byte + 1] << (8 - shift);
		c &= 0x7f;
		if (escape) {
			n = put(out, out_size, n, gsm7_extension(c));
			escape = 0;
		} else if (c == 0x1b) {
			escape = 1;
		} else {
			n = put(out, out_size, n, gsm7_basic[c]);
		}
	}
	out[n] = 0;
	return n;
}

static size_t put_code_point(char *out, size_t size, size_t n, unsigned long cp)
{
	char b[5] = "";

	if (cp < 0x80) {
		b[0] = cp;
	} else if (cp < 0x800) {
		b[0] = 0xc0 | (cp >> 6);
		b[1] = 0x80 | (cp & 0x3f);
	} else if (cp < 0x10000) {
		b[0] = 0xe0 | (cp >> 12);
		b[1] = 0x80 | ((cp >> 6) & 0x3f);
		b[2] = 0x80 | (cp & 0x3f);
	} else {
		b[0] = 0xf0 | (cp >> 18);
		b[1] = 0x80 | ((cp >> 12) & 0x3f);
		b[2] = 0x80 | ((cp >> 6) & 0x3f);
		b[3] = 0x80 | (cp & 0x3f);
	}
	if (cp == 0) /* a NUL would end the string: keep the length right with a space */
		b[0] = ' ';
	return put(out, size, n, b);
}

size_t ucs2_to_utf8(const uint8_t *in, size_t len, char *out, size_t out_size)
{
	size_t i, n = 0;

	if (!out_size)
		return 0;
	for (i = 0; i + 1 < len; i += 2) {
		unsigned long cp = (unsigned long)in[i] << 8 | in[i + 1];

		if (cp >= 0xd800 && cp < 0xdc00 && i + 3 < len) {
			unsigned long lo = (unsigned long)in[i + 2] << 8 | in[i + 3];

			if (lo >= 0xdc00 && lo < 0xe000) {
				cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
				i += 2;
			}
		}
		n = put_code_point(out, out_size, n, cp);
	}
	out[n] = 0;
	return n;
}

/* A semi-octet (BCD, swapped nibbles) address of 'digits' digits, '+' first for type 0x91. */
static void decode_number(const uint8_t *p, size_t digits, uint8_t toa, char *out, size_t size)
{
	size_t i, n = 0;

	if ((toa & 0x70) == 0x50) { /* alphanumeric: GSM-7 packed in digits/2 octets */
		gsm7_unpack(p, (digits + 1) / 2, digits * 4 / 7, 0, out, size);
		return;
	}
	if ((toa & 0x70) == 0x10 && n + 1 < size)
		out[n++] = '+';
	for (i = 0; i < digits && n + 1 < size; i++) {
		unsigned int d = i % 2 ? p[i / 2] >> 4 : p[i / 2] & 0xf;

		out[n++] = d < 10 ? (char)('0' + d) : "*#abc\0"[d - 10];
	}
	out[n] = 0;
}

int sms_decode_pdu(const uint8_t *pdu, size_t len, int smsc, struct sms *out)
{
	size_t i = 0, digits, udl, ud_bytes, header = 0;
	uint8_t first, toa, dcs, vpf;
	int alphabet; /* 0: GSM-7, 1: 8-bit, 2: UCS-2 */

	memset(out, 0, sizeof(*out));
	if (smsc) {
		if (len < 1 || (size_t)pdu[0] + 1 > len)
			return -EINVAL;
		i = pdu[0] + 1;
	}
	/* first octet, message reference, destination address length (digits) and type */
	if (i + 4 > len)
		return -EINVAL;
	first = pdu[i];
	if ((first & 0x03) != 0x01) /* TP-MTI: SMS-SUBMIT */
		return -EINVAL;
	digits = pdu[i + 2];
	toa = pdu[i + 3];
	i += 4;
	if (digits > 20 || i + (digits + 1) / 2 > len)
		return -EINVAL;
	decode_number(pdu + i, digits, toa, out->number, sizeof(out->number));
	i += (digits + 1) / 2;
	/* protocol identifier, data coding scheme, validity period by its format */
	if (i + 2 > len)
		return -EINVAL;
	dcs = pdu[i + 1];
	i += 2;
	vpf = (first >> 3) & 0x03;
	i += vpf == 2 ? 1 : vpf ? 7 : 0;
	if (i + 1 > len)
		return -EINVAL;
	udl = pdu[i++];
	if ((dcs & 0xc0) == 0x00 || (dcs & 0xc0) == 0x40)
		alphabet = (dcs >> 2) & 0x03;
	else if ((dcs & 0xf0) == 0xf0)
		alphabet = (dcs & 0x04) ? 1 : 0;
	else if ((dcs & 0xf0) == 0xe0)
		alphabet = 2;
	else
		alphabet = 0;
	if (alphabet == 3)
		alphabet = 1;
	ud_bytes = len - i;
	/* a user data header (concatenation, ports...) precedes the text */
	if ((first & 0x40) && ud_bytes > 0)
		header = pdu[i] + 1;
	if (header > ud_bytes)
		return -EINVAL;
	if (alphabet == 0) {
		size_t skip_bits = header * 8, fill = (7 - skip_bits % 7) % 7;
		size_t skip_septets = (skip_bits + fill) / 7;

		if (udl < skip_septets)
			return -EINVAL;
		out->text_len = gsm7_unpack(pdu + i, ud_bytes, udl - skip_septets,
					    skip_bits + fill, out->text, sizeof(out->text));
	} else {
		size_t n = udl < ud_bytes ? udl : ud_bytes;

		if (n < header)
			return -EINVAL;
		if (alphabet == 2) {
			out->text_len = ucs2_to_utf8(pdu + i + header, n - header, out->text,
						     sizeof(out->text));
		} else {
			n -= header;
			if (n >= sizeof(out->text))
				n = sizeof(out->text) - 1;
			memcpy(out->text, pdu + i + header, n);
			out->text[n] = 0;
			out->text_len = n;
		}
	}
	return 0;
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int sms_decode_pdu_hex(const char *hex, size_t len, size_t tpdu_len, struct sms *out)
{
	uint8_t pdu[400];
	size_t n = 0, i;
	int hi = -1;

	for (i = 0; i < len && n < sizeof(pdu); i++) {
		int v = hexval((unsigned char)hex[i]);

		if (v < 0) {
			if (hex[i] == '\r' || hex[i] == '\n' || hex[i] == ' ')
				continue; /* line breaks some writers put in */
			return -EINVAL;
		}
		if (hi < 0) {
			hi = v;
		} else {
			pdu[n++] = hi << 4 | v;
			hi = -1;
		}
	}
	if (hi >= 0 || !n)
		return -EINVAL;
	/* AT+CMGS=<length> counts the TPDU only: more octets than that means an SMSC part */
	return sms_decode_pdu(pdu, n, tpdu_len ? n > tpdu_len : 1, out);
}
