/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* sms: decodes SMS-SUBMIT messages written to a modem (PDU: GSM-7, 8-bit, UCS-2) into text. */
#ifndef IDSENTRY_SMS_H
#define IDSENTRY_SMS_H

#include <stddef.h>
#include <stdint.h>

#define SMS_NUMBER_BYTES 48
#define SMS_TEXT_BYTES 2048

struct sms {
	char number[SMS_NUMBER_BYTES]; /* destination; '+' first when international */
	char text[SMS_TEXT_BYTES];     /* UTF-8, NUL-terminated; binary data as it came */
	size_t text_len;
};

/* Unpacks 'septets' GSM-7 characters starting 'fill_bits' into in, translated to UTF-8 (escapes
 * to the extension table included). Returns the bytes written to out (NUL-terminated). */
size_t gsm7_unpack(const uint8_t *in, size_t in_len, size_t septets, unsigned int fill_bits,
		   char *out, size_t out_size);
/* UCS-2 (UTF-16BE, surrogate pairs joined) to UTF-8. Returns the bytes written (NUL-terminated). */
size_t ucs2_to_utf8(const uint8_t *in, size_t len, char *out, size_t out_size);
/* Decodes an SMS-SUBMIT TPDU; smsc: the PDU starts with the service centre address (as written
 * after AT+CMGS in PDU mode). Returns 0, or -EINVAL when it is no well-formed SMS-SUBMIT. */
int sms_decode_pdu(const uint8_t *pdu, size_t len, int smsc, struct sms *out);
/* The same from the hex text written to the modem; tpdu_len: the length AT+CMGS gave (the TPDU
 * without the SMSC part), or 0 when unknown (an SMSC part is then assumed). */
int sms_decode_pdu_hex(const char *hex, size_t len, size_t tpdu_len, struct sms *out);

struct event_header;

/* An SMS a tainted process sent: by Binder (the app's call to ISms) or by AT+CMGS to a modem. */
struct sms_send {
	const struct event_header *hdr;
	uint64_t taint_mask, taint_ns;
	const char *number;
	const uint8_t *text;
	size_t len;
	const char *layer; /* "binder" or "modem": evidence.layer */
	const char *call;  /* "at+cmgs", or the Binder interface and code */
	uint32_t flags;    /* binder: SEND_BLOCKED, SEND_KILLED, SEND_BLOCK_MISSED */
	uint16_t rule;     /* enforce_rules slot, with SEND_BLOCKED */
	uint16_t hook;     /* enum enforce_hook */
};

#endif
