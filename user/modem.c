// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* modem: pairs AT commands written to a modem tty with their replies, and decodes SMS sent on it.
 *
 * The kernel reports every write to, and read from, a tty the policy lists under `modem`. A
 * reply says nothing about what it answers ("490154203237518" could be an IMEI or an IMSI): the
 * command the same process wrote last tells. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "idsentry.h"
#include "modem.h"
#include "policy.h"
#include "sms.h"
#include "values.h"
#include "watch.h"

#define EF_ICCID "12258" /* 0x2FE2, as AT+CRSM takes it */

const char *modem_kind_name(enum modem_kind k)
{
	switch (k) {
	case MODEM_IMEI:
		return "imei";
	case MODEM_IMSI:
		return "imsi";
	case MODEM_ICCID:
		return "iccid";
	case MODEM_PHONE:
		return "phone-number";
	case MODEM_CELL:
		return "cell-location";
	case MODEM_NONE:
		break;
	}
	return NULL;
}

static int starts(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

enum modem_kind modem_command_kind(const char *line, int *crsm)
{
	char up[MODEM_LINE_BYTES];
	const char *c;
	size_t i;

	*crsm = 0;
	for (i = 0; line[i] && i + 1 < sizeof(up); i++)
		up[i] = toupper((unsigned char)line[i]);
	up[i] = 0;
	c = strstr(up, "AT");
	if (!c)
		return MODEM_NONE;
	c += 2;
	if (starts(c, "+CGSN") || starts(c, "+GSN"))
		return MODEM_IMEI;
	if (starts(c, "+CIMI"))
		return MODEM_IMSI;
	if (starts(c, "+CCID") || starts(c, "+ICCID") || starts(c, "^ICCID"))
		return MODEM_ICCID;
	if (starts(c, "+CRSM") && strstr(c, EF_ICCID)) {
		*crsm = 1;
		return MODEM_ICCID;
	}
	if (starts(c, "+CNUM"))
		return MODEM_PHONE;
	if (starts(c, "+CREG?") || starts(c, "+CGREG?") || starts(c, "+CEREG?"))
		return MODEM_CELL;
	return MODEM_NONE;
}

/* The line without a "+XXX:" prefix, spaces and quotes around. */
static void bare(const char *line, char *out, size_t size)
{
	const char *p = line;
	size_t n;

	if (*p == '+' || *p == '^') {
		const char *colon = strchr(p, ':');

		if (colon)
			p = colon + 1;
	}
	while (*p == ' ' || *p == '"')
		p++;
	n = strlen(p);
	while (n && (p[n - 1] == ' ' || p[n - 1] == '"'))
		n--;
	if (n >= size)
		n = size - 1;
	memcpy(out, p, n);
	out[n] = 0;
}

static int all_digits(const char *s, size_t min, size_t max)
{
	size_t n = strlen(s), i;

	if (n < min || n > max)
		return 0;
	for (i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return 0;
	return 1;
}

/* The n-th double-quoted field of a line (0-based), or 0 when there is none. */
static int quoted(const char *line, int n, char *out, size_t size)
{
	const char *p = line;

	for (;;) {
		const char *open = strchr(p, '"'), *close;
		size_t len;

		if (!open)
			return 0;
		close = strchr(open + 1, '"');
		if (!close)
			return 0;
		if (n-- == 0) {
			len = close - open - 1;
			if (len >= size)
				len = size - 1;
			memcpy(out, open + 1, len);
			out[len] = 0;
			return 1;
		}
		p = close + 1;
	}
}

/* "+CREG: 2,1,"00C3","0A2B3C4D"" (after AT+CREG=2) or the unsolicited "+CREG: 1,"00C3",...":
 * the second quoted field is the cell id, in hex. */
static int cell_values(const char *line, char vals[MODEM_MAX_VALUES][MODEM_VALUE_BYTES])
{
	char lac[16], ci[16], *end;
	unsigned long v;

	if (!starts(line, "+CREG:") && !starts(line, "+CGREG:") && !starts(line, "+CEREG:"))
		return 0;
	if (!quoted(line, 0, lac, sizeof(lac)) || !quoted(line, 1, ci, sizeof(ci)) || !ci[0])
		return 0;
	v = strtoul(ci, &end, 16);
	if (*end || !v)
		return 0;
	snprintf(vals[0], MODEM_VALUE_BYTES, "%s", ci);
	snprintf(vals[1], MODEM_VALUE_BYTES, "%lu", v);
	return 2;
}

int modem_reply_values(enum modem_kind k, int crsm, const char *line,
		       char vals[MODEM_MAX_VALUES][MODEM_VALUE_BYTES])
{
	char b[MODEM_LINE_BYTES];
	size_t n, i;
	int got = cell_values(line, vals);

	if (got)
		return got;
	switch (k) {
	case MODEM_IMEI:
		bare(line, b, sizeof(b));
		if (!all_digits(b, 14, 17))
			return 0;
		snprintf(vals[0], MODEM_VALUE_BYTES, "%.*s", MODEM_VALUE_BYTES - 1, b);
		return 1;
	case MODEM_IMSI:
		bare(line, b, sizeof(b));
		if (!all_digits(b, 6, 15))
			return 0;
		snprintf(vals[0], MODEM_VALUE_BYTES, "%.*s", MODEM_VALUE_BYTES - 1, b);
		return 1;
	case MODEM_ICCID:
		if (crsm) {
			/* +CRSM: 144,0,"98101430121181157002": EF_ICCID in swapped BCD */
			if (!starts(line, "+CRSM:") || !quoted(line, 0, b, sizeof(b)))
				return 0;
			n = strlen(b);
			for (i = 0; i + 1 < n; i += 2) {
				char t = b[i];

				b[i] = b[i + 1];
				b[i + 1] = t;
			}
		} else {
			bare(line, b, sizeof(b));
		}
		n = strlen(b);
		while (n && (b[n - 1] == 'F' || b[n - 1] == 'f'))
			b[--n] = 0;
		if (!all_digits(b, 18, 22))
			return 0;
		snprintf(vals[0], MODEM_VALUE_BYTES, "%.*s", MODEM_VALUE_BYTES - 1, b);
		return 1;
	case MODEM_PHONE:
		/* +CNUM: "Own number","+15551234567",145 */
		if (!starts(line, "+CNUM:") || !quoted(line, 1, b, sizeof(b)) || strlen(b) < 6)
			return 0;
		snprintf(vals[0], MODEM_VALUE_BYTES, "%.*s", MODEM_VALUE_BYTES - 1, b);
		if (b[0] != '+')
			return 1;
		/* senders often drop the '+' */
		snprintf(vals[1], MODEM_VALUE_BYTES, "%.*s", MODEM_VALUE_BYTES - 1, b + 1);
		return 2;
	case MODEM_CELL:
	case MODEM_NONE:
		break;
	}
	return 0;
}

static struct modem_proc *proc_of(struct modem_tracker *m, uint32_t tgid, uint64_t ino)
{
	struct modem_proc *oldest = &m->procs[0];
	size_t i;

	for (i = 0; i < MODEM_MAX_PROCS; i++) {
		struct modem_proc *p = &m->procs[i];

		if (p->tgid == tgid && p->ino == ino && p->used) {
			p->used = ++m->clock;
			return p;
		}
		if (p->used < oldest->used)
			oldest = p;
	}
	/* a new talker takes the place of the one quiet longest */
	memset(oldest, 0, sizeof(*oldest));
	oldest->tgid = tgid;
	oldest->ino = ino;
	oldest->used = ++m->clock;
	return oldest;
}

/* The identifier a kind of reply is learnt under: the one with the conventional name among
 * those whose `modem` list names this tty. */
static int kind_bit(struct modem_tracker *m, uint64_t ino, enum modem_kind k)
{
	const struct watched_file *wf = watch_file_of(m->watches, ino);
	const char *name = modem_kind_name(k);
	const struct identifier_def *id;

	if (!wf || !name)
		return -1;
	id = policy_find_identifier(m->policy, name);
	if (!id || !(wf->ident_mask & (1ULL << id->bit)))
		return -1;
	return id->bit;
}

static void reply_line(struct modem_tracker *m, struct modem_proc *p, const char *line)
{
	char vals[MODEM_MAX_VALUES][MODEM_VALUE_BYTES];
	const struct watched_file *wf;
	enum modem_kind k = p->pending;
	int n, i, bit;

	if (!strcmp(line, "OK") || !strcmp(line, "ERROR") || starts(line, "+CME ERROR") ||
	    starts(line, "+CMS ERROR")) {
		p->pending = MODEM_NONE;
		return;
	}
	n = modem_reply_values(k, p->crsm, line, vals);
	if (n && (starts(line, "+CREG:") || starts(line, "+CGREG:") || starts(line, "+CEREG:")))
		k = MODEM_CELL;
	bit = n ? kind_bit(m, p->ino, k) : -1;
	if (bit < 0)
		return;
	wf = watch_file_of(m->watches, p->ino);
	for (i = 0; i < n; i++)
		if (values_learn(m->values, bit, "modem", wf ? wf->path : NULL,
				 (const uint8_t *)vals[i], strlen(vals[i])) > 0)
			m->values_learnt++;
}

void modem_on_read(struct modem_tracker *m, const struct ident_read_event *ev)
{
	struct modem_proc *p = proc_of(m, ev->hdr.tgid, ev->ino);
	size_t i;

	for (i = 0; i < ev->len && i < MAX_VALUE_BYTES; i++) {
		char c = ev->data[i];

		if (c == '\r' || c == '\n') {
			p->reply[p->reply_len] = 0;
			if (p->reply_len)
				reply_line(m, p, p->reply);
			p->reply_len = 0;
		} else if (p->reply_len + 1 < sizeof(p->reply)) {
			p->reply[p->reply_len++] = c;
		}
	}
}

static void command_line(struct modem_proc *p, const char *line)
{
	char up[MODEM_LINE_BYTES];
	const char *c;
	size_t i;

	for (i = 0; line[i] && i + 1 < sizeof(up); i++)
		up[i] = toupper((unsigned char)line[i]);
	up[i] = 0;
	c = strstr(up, "AT");
	if (!c)
		return;
	p->pending = modem_command_kind(line, &p->crsm);
	p->reply_len = 0;
	if ((c = strstr(up, "+CMGF="))) {
		p->text_mode = c[6] == '1';
	} else if ((c = strstr(up, "+CMGS="))) {
		/* the body follows, up to Ctrl-Z; the number is in the command in text mode */
		p->in_sms = 1;
		p->body_len = 0;
		p->number[0] = 0;
		p->tpdu_len = 0;
		if (p->text_mode)
			quoted(line, 0, p->number, sizeof(p->number));
		else
			p->tpdu_len = strtoul(c + 6, NULL, 10);
	}
}

static void sms_done(struct modem_tracker *m, struct modem_proc *p, const struct flow_event *ev,
		     modem_sms_fn sms, void *ctx)
{
	static struct sms s; /* large; the agent's loop is single-threaded */

	p->in_sms = 0;
	if (p->text_mode) {
		size_t n = p->body_len < sizeof(s.text) - 1 ? p->body_len : sizeof(s.text) - 1;

		memset(&s, 0, sizeof(s));
		snprintf(s.number, sizeof(s.number), "%s", p->number);
		memcpy(s.text, p->body, n);
		s.text_len = n;
	} else if (sms_decode_pdu_hex(p->body, p->body_len, p->tpdu_len, &s)) {
		return; /* not a PDU we understand: nothing to match in */
	}
	m->sms_seen++;
	struct sms_send send = {
		.hdr = &ev->hdr,
		.taint_mask = ev->ident_mask,
		.taint_ns = ev->taint_ns,
		.number = s.number,
		.text = (const uint8_t *)s.text,
		.len = s.text_len,
		.layer = "modem",
		.call = "at+cmgs",
	};

	sms(ctx, &send);
}

void modem_on_write(struct modem_tracker *m, const struct flow_event *ev, modem_sms_fn sms,
		    void *ctx)
{
	struct modem_proc *p = proc_of(m, ev->hdr.tgid, ev->channel);
	size_t i;

	for (i = 0; i < ev->sample_len && i < MAX_SAMPLE_BYTES; i++) {
		char c = ev->sample[i];

		if (p->in_sms) {
			if (c == 0x1a)
				sms_done(m, p, ev, sms, ctx);
			else if (c == 0x1b) /* Esc: the message is cancelled */
				p->in_sms = 0;
			else if (p->body_len < sizeof(p->body))
				p->body[p->body_len++] = c;
		} else if (c == '\r' || c == '\n') {
			p->line[p->line_len] = 0;
			if (p->line_len)
				command_line(p, p->line);
			p->line_len = 0;
		} else if (p->line_len + 1 < sizeof(p->line)) {
			p->line[p->line_len++] = c;
		}
	}
}

void modem_reset(struct modem_tracker *m)
{
	memset(m->procs, 0, sizeof(m->procs));
}
