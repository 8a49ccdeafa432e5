/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* modem: pairs AT commands written to a modem tty with their replies, and decodes SMS sent on it. */
#ifndef IDSENTRY_MODEM_H
#define IDSENTRY_MODEM_H

#include <stddef.h>
#include <stdint.h>
#include "sms.h"

struct value_store;
struct policy;
struct watch_set;
struct sms_send;
struct flow_event;
struct ident_read_event;

/* What a command's reply carries, named as the identifier that holds it. */
enum modem_kind {
	MODEM_NONE = 0,
	MODEM_IMEI,   /* AT+CGSN, AT+GSN */
	MODEM_IMSI,   /* AT+CIMI */
	MODEM_ICCID,  /* AT+CCID, AT+ICCID, AT+CRSM on EF_ICCID */
	MODEM_PHONE,  /* AT+CNUM */
	MODEM_CELL,   /* AT+CREG?, AT+CGREG?, AT+CEREG? */
};

#define MODEM_MAX_PROCS 64
#define MODEM_LINE_BYTES 256
#define MODEM_REPLY_BYTES 512
#define MODEM_VALUE_BYTES 64
#define MODEM_MAX_VALUES 4

/* One process talking to a modem: the command line being written, the command awaiting its
 * reply, an SMS body being written. */
struct modem_proc {
	uint32_t tgid;
	uint64_t ino;
	unsigned long long used;
	enum modem_kind pending;
	int crsm;          /* the pending command is AT+CRSM (ICCID in swapped BCD) */
	int text_mode;     /* AT+CMGF=1 was written */
	int in_sms;        /* after AT+CMGS, until Ctrl-Z */
	size_t tpdu_len;   /* AT+CMGS=<length> in PDU mode */
	char number[SMS_NUMBER_BYTES]; /* AT+CMGS="<number>" in text mode */
	char line[MODEM_LINE_BYTES];
	size_t line_len;
	char reply[MODEM_REPLY_BYTES];
	size_t reply_len;
	char body[SMS_TEXT_BYTES];
	size_t body_len;
};

struct modem_tracker {
	struct modem_proc procs[MODEM_MAX_PROCS];
	unsigned long long clock;
	struct value_store *values;
	const struct policy *policy;
	const struct watch_set *watches;
	unsigned long long values_learnt, sms_seen;
};

/* The kind of value an AT command line ("AT+CGSN", "at+creg?") asks for. crsm is set for an
 * AT+CRSM read of EF_ICCID. */
enum modem_kind modem_command_kind(const char *line, int *crsm);
/* The identifier name a kind is learnt under: "imei", "imsi", "iccid", "phone-number",
 * "cell-location". */
const char *modem_kind_name(enum modem_kind k);
/* Values in one reply line to a command of kind k: fills vals, returns how many. A +CREG-style
 * line gives the cell id (as sent and in decimal) whatever the command. */
int modem_reply_values(enum modem_kind k, int crsm, const char *line,
		       char vals[MODEM_MAX_VALUES][MODEM_VALUE_BYTES]);

/* Called with each SMS a process finished writing to a modem (AT+CMGS … Ctrl-Z), decoded. */
typedef void (*modem_sms_fn)(void *ctx, const struct sms_send *s);

/* Bytes a process wrote to a modem tty (EVENT_TTY_WRITE); each SMS they complete goes to sms(). */
void modem_on_write(struct modem_tracker *m, const struct flow_event *ev, modem_sms_fn sms,
		    void *ctx);
/* Bytes a process read from a modem tty (EVENT_IDENT_READ with SOURCE_MODEM). */
void modem_on_read(struct modem_tracker *m, const struct ident_read_event *ev);
/* Forgets every process (policy reload, exit of everyone). */
void modem_reset(struct modem_tracker *m);

#endif
