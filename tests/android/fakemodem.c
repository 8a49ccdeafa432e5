// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* fakemodem: the Android VM's modem: answers a RIL's AT commands on a pty whose slave is linked at
 * a /dev/ttyACM-like path, and logs every SMS-SUBMIT PDU it is given (AT+CMGS), decoded, one line
 * each. Reply formats are those of tests/integration/test_sources.py's FakeModem. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include "util.h"

#define LINE_BYTES 256
/* An SMS PDU in hex: 2 × (SMSC 12 + TPDU 176) octets fit easily. */
#define PDU_HEX_BYTES 1024

struct modem {
	const char *imei, *imsi, *iccid, *number, *lac, *ci;
	const char *sms_log;
	int master;
	int creg_mode; /* AT+CREG=<n>: 2 adds the location to +CREG: replies */
	int in_sms;
	unsigned int sms_len;
	unsigned int msg_ref;
	char line[LINE_BYTES];
	size_t line_len;
	char pdu[PDU_HEX_BYTES];
	size_t pdu_len;
};

static volatile sig_atomic_t exiting;

static void on_signal(int sig)
{
	(void)sig;
	exiting = 1;
}

static void reply(struct modem *m, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void reply(struct modem *m, const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(buf))
		n = sizeof(buf) - 1;
	if (write(m->master, buf, n) != n)
		fprintf(stderr, "fakemodem: write to the pty master: %s\n", strerror(errno));
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

/* A GSM 03.38 default-alphabet septet as ASCII, where ASCII has it (enough to read the log). */
static char gsm7_ascii(unsigned int c)
{
	switch (c) {
	case 0x00:
		return '@';
	case 0x02:
		return '$';
	case 0x0a:
		return '\n';
	case 0x0d:
		return '\r';
	case 0x11:
		return '_';
	}
	if ((c >= 0x20 && c <= 0x23) || (c >= 0x25 && c <= 0x3f) || (c >= 'A' && c <= 'Z') ||
	    (c >= 'a' && c <= 'z'))
		return (char)c;
	return '?';
}

/* An SMS-SUBMIT PDU (hex, with the SMSC part) into its destination and GSM-7 text (TS 23.040);
 * 0, or -1 for anything else (8-bit, UCS-2, user data headers are shown as hex only). */
static int decode_submit(const char *hex, size_t hex_len, char *number, size_t nsize, char *text,
			 size_t tsize)
{
	unsigned char pdu[PDU_HEX_BYTES / 2];
	size_t n = 0, i, digits, udl, k, t = 0;
	unsigned int first, dcs, vpf;

	if (hex_len % 2)
		return -1;
	for (i = 0; i + 1 < hex_len; i += 2) {
		int hi = hexval((unsigned char)hex[i]), lo = hexval((unsigned char)hex[i + 1]);

		if (hi < 0 || lo < 0)
			return -1;
		pdu[n++] = hi << 4 | lo;
	}
	i = 0;
	if (n < 1 || (size_t)pdu[0] + 1 > n)
		return -1;
	i = pdu[0] + 1; /* SMSC */
	if (i + 4 > n)
		return -1;
	first = pdu[i];
	digits = pdu[i + 2];
	if ((first & 3) != 1 || digits > 20 || nsize < digits + 2)
		return -1;
	k = 0;
	if ((pdu[i + 3] & 0x70) == 0x10)
		number[k++] = '+';
	i += 4;
	if (i + (digits + 1) / 2 > n)
		return -1;
	for (t = 0; t < digits; t++) {
		unsigned int d = t % 2 ? pdu[i + t / 2] >> 4 : pdu[i + t / 2] & 0xf;

		number[k++] = d < 10 ? (char)('0' + d) : '?';
	}
	number[k] = 0;
	i += (digits + 1) / 2;
	if (i + 2 > n)
		return -1;
	dcs = pdu[i + 1];
	i += 2;
	vpf = first >> 3 & 3;
	i += vpf == 2 ? 1 : vpf ? 7 : 0;
	if (i + 1 > n || (first & 0x40) || (dcs & 0x0c))
		return -1;
	udl = pdu[i++];
	if (udl >= tsize || (udl * 7 + 7) / 8 > n - i)
		return -1;
	for (t = 0; t < udl; t++) {
		size_t bit = t * 7, byte = i + bit / 8;
		unsigned int shift = bit % 8, c = pdu[byte] >> shift;

		if (shift > 1 && byte + 1 < n)
			c |= pdu[byte + 1] << (8 - shift);
		text[t] = gsm7_ascii(c & 0x7f);
	}
	text[udl] = 0;
	return 0;
}

static void sms_done(struct modem *m)
{
	char number[32], text[256];
	FILE *f;

	m->pdu[m->pdu_len] = 0;
	m->msg_ref = (m->msg_ref + 1) & 0xff;
	f = fopen(m->sms_log, "a");
	if (!f) {
		fprintf(stderr, "fakemodem: open '%s': %s\n", m->sms_log, strerror(errno));
	} else {
		if (decode_submit(m->pdu, m->pdu_len, number, sizeof(number), text, sizeof(text)) ==
		    0)
			fprintf(f, "sms %u to=%s text=\"%s\" tpdu_len=%u pdu=%s\n", m->msg_ref,
				number, text, m->sms_len, m->pdu);
		else
			fprintf(f, "sms %u tpdu_len=%u pdu=%s (not decoded)\n", m->msg_ref,
				m->sms_len, m->pdu);
		fclose(f);
	}
	printf("fakemodem: SMS %u received (%zu hex digits), logged to %s\n", m->msg_ref,
	       m->pdu_len, m->sms_log);
	reply(m, "\r\n+CMGS: %u\r\n\r\nOK\r\n", m->msg_ref);
}

static void command(struct modem *m, const char *line)
{
	char up[LINE_BYTES];
	size_t i;

	for (i = 0; line[i] && i + 1 < sizeof(up); i++)
		up[i] = (line[i] >= 'a' && line[i] <= 'z') ? line[i] - 32 : line[i];
	up[i] = 0;
	printf("fakemodem: <- %s\n", line);
	if (strncmp(up, "AT", 2)) {
		reply(m, "\r\nERROR\r\n");
	} else if (!strcmp(up, "AT+CGSN") || !strcmp(up, "AT+GSN")) {
		reply(m, "\r\n%s\r\n\r\nOK\r\n", m->imei);
	} else if (!strcmp(up, "AT+CIMI")) {
		reply(m, "\r\n%s\r\n\r\nOK\r\n", m->imsi);
	} else if (!strcmp(up, "AT+CCID")) {
		reply(m, "\r\n+CCID: %s\r\n\r\nOK\r\n", m->iccid);
	} else if (!strcmp(up, "AT+CNUM")) {
		reply(m, "\r\n+CNUM: \"\",\"%s\",%d\r\n\r\nOK\r\n", m->number,
		      m->number[0] == '+' ? 145 : 129);
	} else if (!strncmp(up, "AT+CREG=", 8) && up[8] >= '0' && up[8] <= '2' && !up[9]) {
		m->creg_mode = up[8] - '0';
		reply(m, "\r\nOK\r\n");
	} else if (!strcmp(up, "AT+CREG?")) {
		/* registered, home network; the location only in mode 2, as a modem gives it */
		if (m->creg_mode == 2)
			reply(m, "\r\n+CREG: 2,1,\"%s\",\"%s\"\r\n\r\nOK\r\n", m->lac, m->ci);
		else
			reply(m, "\r\n+CREG: %d,1\r\n\r\nOK\r\n", m->creg_mode);
	} else if (!strncmp(up, "AT+CMGS=", 8)) {
		char *end;
		unsigned long len = strtoul(up + 8, &end, 10);

		if (*end || !len || len > 176) {
			reply(m, "\r\n+CMS ERROR: 304\r\n");
			return;
		}
		m->in_sms = 1;
		m->sms_len = len;
		m->pdu_len = 0;
		/* the prompt has no line end: the PDU follows on the same line, up to Ctrl-Z */
		reply(m, "\r\n> ");
	} else {
		/* AT, ATE0, AT+CMGF=0 and anything else a RIL sets up with */
		reply(m, "\r\nOK\r\n");
	}
}

static void feed(struct modem *m, const char *buf, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		char c = buf[i];

		if (m->in_sms) {
			if (c == 0x1a) {
				m->in_sms = 0;
				sms_done(m);
			} else if (c == 0x1b) {
				m->in_sms = 0; /* Esc: cancelled */
				reply(m, "\r\nOK\r\n");
			} else if (c == '\r' || c == '\n' || c == ' ') {
				continue;
			} else if (m->pdu_len + 1 < sizeof(m->pdu)) {
				m->pdu[m->pdu_len++] = c;
			} else {
				m->in_sms = 0;
				reply(m, "\r\n+CMS ERROR: 305\r\n");
			}
		} else if (c == '\r' || c == '\n') {
			m->line[m->line_len] = 0;
			if (m->line_len)
				command(m, m->line);
			m->line_len = 0;
		} else if (m->line_len + 1 < sizeof(m->line)) {
			m->line[m->line_len++] = c;
		}
	}
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: fakemodem [--link PATH] [--imei N] [--imsi N] [--iccid N] [--number N]\n"
		"                 [--lac HEX] [--ci HEX] [--sms-log FILE] [--owner UID]\n"
		"                 [--lifetime SECONDS]\n"
		"Answers AT commands on a pty linked at PATH (default /dev/ttyACM0) until SIGTERM\n"
		"or the lifetime (default 600 s) ends.\n"
		"EXAMPLES\n"
		"  fakemodem --link /dev/ttyACM0 --imei 354620071234563 --owner 1001 &\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "link", required_argument, NULL, 'l' },
		{ "imei", required_argument, NULL, 'e' },
		{ "imsi", required_argument, NULL, 's' },
		{ "iccid", required_argument, NULL, 'c' },
		{ "number", required_argument, NULL, 'n' },
		{ "lac", required_argument, NULL, 'L' },
		{ "ci", required_argument, NULL, 'C' },
		{ "sms-log", required_argument, NULL, 'S' },
		{ "owner", required_argument, NULL, 'o' },
		{ "lifetime", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	struct modem m = {
		.imei = "354620071234563",
		.imsi = "208150123456789",
		.iccid = "8933150119123456789",
		.number = "+33612345678",
		.lac = "2F1A",
		.ci = "E35B",
		.sms_log = "/tmp/modem-sms.log",
		.master = -1,
	};
	const char *link_path = "/dev/ttyACM0";
	unsigned long owner = 0, lifetime = 600, v;
	int has_owner = 0, opt, slave = -1, err = 1;
	struct sigaction sa = { .sa_handler = on_signal };
	struct termios tio;
	const char *slave_name;
	time_t deadline;

	while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (opt) {
		case 'l':
			link_path = optarg;
			break;
		case 'e':
			m.imei = optarg;
			break;
		case 's':
			m.imsi = optarg;
			break;
		case 'c':
			m.iccid = optarg;
			break;
		case 'n':
			m.number = optarg;
			break;
		case 'L':
			m.lac = optarg;
			break;
		case 'C':
			m.ci = optarg;
			break;
		case 'S':
			m.sms_log = optarg;
			break;
		case 'o':
			if (parse_uint(optarg, 0xfffffffe, &owner)) {
				fprintf(stderr, "fakemodem: bad uid '%s'\n", optarg);
				return 2;
			}
			has_owner = 1;
			break;
		case 't':
			if (parse_uint(optarg, 86400, &v) || !v) {
				fprintf(stderr, "fakemodem: bad lifetime '%s'\n", optarg);
				return 2;
			}
			lifetime = v;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);

	m.master = posix_openpt(O_RDWR | O_NOCTTY);
	if (m.master < 0 || grantpt(m.master) || unlockpt(m.master) ||
	    !(slave_name = ptsname(m.master))) {
		fprintf(stderr, "fakemodem: posix_openpt: %s\n", strerror(errno));
		goto out;
	}
	/* Held open for the modem's life: the master reads EIO whenever no slave is open. */
	slave = open(slave_name, O_RDWR | O_NOCTTY);
	if (slave < 0) {
		fprintf(stderr, "fakemodem: open '%s': %s\n", slave_name, strerror(errno));
		goto out;
	}
	/* Raw on both sides: no echo, no line discipline between the RIL's bytes and ours. */
	if (tcgetattr(slave, &tio) == 0) {
		cfmakeraw(&tio);
		tcsetattr(slave, TCSANOW, &tio);
	}
	if (tcgetattr(m.master, &tio) == 0) {
		cfmakeraw(&tio);
		tcsetattr(m.master, TCSANOW, &tio);
	}
	/* the radio user owns a modem tty on a phone (ueventd: radio radio 0660) */
	if (has_owner && (fchown(slave, owner, owner) || fchmod(slave, 0660))) {
		fprintf(stderr, "fakemodem: chown '%s' to %lu: %s\n", slave_name, owner,
			strerror(errno));
		goto out;
	}
	unlink(link_path);
	if (symlink(slave_name, link_path)) {
		fprintf(stderr, "fakemodem: symlink '%s' -> '%s': %s\n", link_path, slave_name,
			strerror(errno));
		goto out;
	}
	printf("fakemodem: ready on %s as %s (IMEI %s, IMSI %s, cell %s/%s)\n", slave_name,
	       link_path, m.imei, m.imsi, m.lac, m.ci);

	deadline = time(NULL) + lifetime;
	while (!exiting && time(NULL) < deadline) {
		struct pollfd pfd = { .fd = m.master, .events = POLLIN };
		char buf[512];
		ssize_t n;
		int r = poll(&pfd, 1, 1000);

		if (r < 0 && errno != EINTR) {
			fprintf(stderr, "fakemodem: poll: %s\n", strerror(errno));
			goto out;
		}
		if (r <= 0)
			continue;
		n = read(m.master, buf, sizeof(buf));
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0) {
			fprintf(stderr, "fakemodem: read from the pty master: %s\n",
				n ? strerror(errno) : "end of file");
			goto out;
		}
		feed(&m, buf, n);
	}
	err = 0;
out:
	unlink(link_path);
	if (slave >= 0)
		close(slave);
	if (m.master >= 0)
		close(m.master);
	return err;
}
