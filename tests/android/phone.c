// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* phone: the Android VM's com.android.phone (with rild's part): reads the identifiers off the
 * modem with AT commands, serves them by Binder as "iphonesubinfo" (IPhoneSubInfo), "phone"
 * (ITelephony) and "isms" (ISms), and sends the texts apps give ISms as SMS-SUBMIT PDUs
 * (AT+CMGS, GSM-7). Binder codes, descriptors and argument lists: Android 14 (aidl_codes.h). */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <poll.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>
#include "telephony.h"
#include "util.h"

/* A modem answers within this long (AT+CMGS included). */
#define AT_TIMEOUT_MS 5000
#define AT_REPLY_BYTES 512
/* The service manager may still be starting: retry addService this many times, 200 ms apart. */
#define REGISTER_TRIES 50
#define SMS_MAX_SEPTETS 160

struct phone {
	int modem;
	char imei[VALUE_BYTES], imsi[VALUE_BYTES], iccid[VALUE_BYTES], number[VALUE_BYTES];
	struct cell_identity cell;
	unsigned int sms_sent;
};

/* Our Binder nodes: their addresses are the ptr and cookie the driver hands back. */
struct node {
	const char *name;
	const char *descriptor;
};

static const struct node subinfo_node = { SERVICE_IPHONESUBINFO, IPHONESUBINFO_DESCRIPTOR };
static const struct node telephony_node = { SERVICE_PHONE, ITELEPHONY_DESCRIPTOR };
static const struct node sms_node = { SERVICE_ISMS, ISMS_DESCRIPTOR };

static volatile sig_atomic_t exiting;

static void on_signal(int sig)
{
	(void)sig;
	exiting = 1;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* Writes cmd (with "\r" unless raw) and reads the answer until it holds one of the ends given
 * ("\r\nOK\r\n" and "ERROR" always end it). 0 with the answer in out, or -errno. */
static int at(struct phone *ph, const char *cmd, int raw, const char *until, char *out, size_t size)
{
	long long deadline = now_ms() + AT_TIMEOUT_MS;
	char line[AT_REPLY_BYTES];
	size_t len = 0;
	int n;

	n = snprintf(line, sizeof(line), raw ? "%s" : "%s\r", cmd);
	if (n < 0 || (size_t)n >= sizeof(line) || write(ph->modem, line, n) != n) {
		fprintf(stderr, "phone: write '%.16s' to the modem: %s\n", cmd, strerror(errno));
		return -EIO;
	}
	out[0] = 0;
	while (len + 1 < size) {
		struct pollfd pfd = { .fd = ph->modem, .events = POLLIN };
		long long left = deadline - now_ms();
		ssize_t r;

		if (left <= 0 || poll(&pfd, 1, (int)left) <= 0)
			break;
		r = read(ph->modem, out + len, size - 1 - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		len += r;
		out[len] = 0;
		if (strstr(out, "\r\nOK\r\n") || strstr(out, "ERROR") ||
		    (until && strstr(out, until)))
			return 0;
	}
	fprintf(stderr, "phone: no answer to '%.16s' from the modem\n", cmd);
	return -ETIMEDOUT;
}

/* The first line of an answer made of min..max digits. */
static int digits_line(const char *answer, size_t min, size_t max, char *out, size_t size)
{
	const char *p = answer;

	while (*p) {
		size_t n = strcspn(p, "\r\n"), i;

		for (i = 0; i < n && p[i] >= '0' && p[i] <= '9'; i++)
			;
		if (i == n && n >= min && n <= max && n < size) {
			memcpy(out, p, n);
			out[n] = 0;
			return 0;
		}
		p += n;
		p += strspn(p, "\r\n");
	}
	return -ENODATA;
}

/* The n-th double-quoted field (0-based) of the line starting with prefix. */
static int quoted_field(const char *answer, const char *prefix, int n, char *out, size_t size)
{
	const char *p = strstr(answer, prefix), *end;

	if (!p)
		return -ENODATA;
	end = p + strcspn(p, "\r\n");
	for (;;) {
		const char *open = memchr(p, '"', end - p), *close;

		if (!open)
			return -ENODATA;
		close = memchr(open + 1, '"', end - open - 1);
		if (!close)
			return -ENODATA;
		if (n-- == 0) {
			size_t len = close - open - 1;

			if (len >= size)
				return -ENAMETOOLONG;
			memcpy(out, open + 1, len);
			out[len] = 0;
			return 0;
		}
		p = close + 1;
	}
}

static int missing(const char *what, const char *cmd)
{
	fprintf(stderr, "phone: no %s in the modem's answer to %s\n", what, cmd);
	return -ENODATA;
}

/* What rild asks a modem at start-up, kept for the services. */
static int read_modem(struct phone *ph)
{
	char a[AT_REPLY_BYTES], lac[16], ci[16];
	const char *p;
	int err = 0;

	if (at(ph, "ATE0", 0, NULL, a, sizeof(a)) || at(ph, "AT+CMGF=0", 0, NULL, a, sizeof(a)))
		return -EIO;
	if (at(ph, "AT+CGSN", 0, NULL, a, sizeof(a)) ||
	    digits_line(a, 14, 17, ph->imei, sizeof(ph->imei)))
		err = missing("IMEI", "AT+CGSN");
	if (at(ph, "AT+CIMI", 0, NULL, a, sizeof(a)) ||
	    digits_line(a, 6, 15, ph->imsi, sizeof(ph->imsi)))
		err = missing("IMSI", "AT+CIMI");
	if (at(ph, "AT+CCID", 0, NULL, a, sizeof(a)) || !(p = strstr(a, "+CCID:")) ||
	    sscanf(p, "+CCID: %31[0-9A-Fa-f]", ph->iccid) != 1)
		err = missing("ICCID", "AT+CCID");
	if (at(ph, "AT+CNUM", 0, NULL, a, sizeof(a)) ||
	    quoted_field(a, "+CNUM:", 1, ph->number, sizeof(ph->number)))
		err = missing("number", "AT+CNUM");
	if (at(ph, "AT+CREG=2", 0, NULL, a, sizeof(a)) ||
	    at(ph, "AT+CREG?", 0, NULL, a, sizeof(a)) ||
	    quoted_field(a, "+CREG:", 0, lac, sizeof(lac)) ||
	    quoted_field(a, "+CREG:", 1, ci, sizeof(ci))) {
		err = missing("cell", "AT+CREG?");
	} else {
		ph->cell.lac = (int32_t)strtol(lac, NULL, 16);
		ph->cell.cid = (int32_t)strtol(ci, NULL, 16);
	}
	/* the serving network is the home one here: MCC and MNC are the IMSI's (2-digit MNC) */
	snprintf(ph->cell.mcc, sizeof(ph->cell.mcc), "%.3s", ph->imsi);
	snprintf(ph->cell.mnc, sizeof(ph->cell.mnc), "%.2s", ph->imsi + (ph->imsi[0] ? 3 : 0));
	ph->cell.arfcn = CELL_UNAVAILABLE;
	ph->cell.bsic = CELL_UNAVAILABLE;
	return err;
}

/* An ASCII character in the GSM 03.38 default alphabet: 1 or 2 septets (escape), or 0. */
static int gsm7_septets(unsigned char c, uint8_t s[2])
{
	static const struct {
		char c;
		uint8_t ext;
	} ext[] = { { '^', 0x14 }, { '{', 0x28 }, { '}', 0x29 }, { '\\', 0x2f },
		    { '[', 0x3c }, { '~', 0x3d }, { ']', 0x3e }, { '|', 0x40 } };
	size_t i;

	switch (c) {
	case '@':
		s[0] = 0x00;
		return 1;
	case '$':
		s[0] = 0x02;
		return 1;
	case '_':
		s[0] = 0x11;
		return 1;
	case '\n':
		s[0] = 0x0a;
		return 1;
	case '\r':
		s[0] = 0x0d;
		return 1;
	}
	if ((c >= 0x20 && c <= 0x23) || (c >= 0x25 && c <= 0x3f) || (c >= 'A' && c <= 'Z') ||
	    (c >= 'a' && c <= 'z')) {
		s[0] = c;
		return 1;
	}
	for (i = 0; i < sizeof(ext) / sizeof(ext[0]); i++)
		if (ext[i].c == (char)c) {
			s[0] = 0x1b;
			s[1] = ext[i].ext;
			return 2;
		}
	return 0;
}

/* An SMS-SUBMIT (TS 23.040) as a RIL hands it to AT+CMGS in PDU mode: "00" (the SIM's SMSC),
 * then the TPDU: 0x11 (SUBMIT, relative validity), reference 0, destination (digit count, type
 * 0x91 international or 0x81, swapped BCD), PID 0, DCS 0 (GSM-7), validity 0xAA (4 days), the
 * septet count and the packed text. Hex into out; *tpdu_len its TPDU octets. */
static int submit_pdu(const char *number, const char *text, char *out, size_t size,
		      unsigned int *tpdu_len)
{
	uint8_t tpdu[200], septets[SMS_MAX_SEPTETS];
	const char *digits = number[0] == '+' ? number + 1 : number;
	size_t nd = strlen(digits), ns = 0, n = 0, i;
	unsigned int bits = 0, nbits = 0;

	if (!nd || nd > 20)
		return -EINVAL;
	for (i = 0; text[i]; i++) {
		uint8_t s[2];
		int k = gsm7_septets((unsigned char)text[i], s);

		if (!k)
			s[0] = '?', k = 1;
		if (ns + k > SMS_MAX_SEPTETS)
			return -EMSGSIZE;
		memcpy(septets + ns, s, k);
		ns += k;
	}
	tpdu[n++] = 0x11;
	tpdu[n++] = 0x00;
	tpdu[n++] = nd;
	tpdu[n++] = number[0] == '+' ? 0x91 : 0x81;
	for (i = 0; i < nd; i += 2) {
		uint8_t lo = digits[i] - '0', hi = i + 1 < nd ? digits[i + 1] - '0' : 0xf;

		if (lo > 9 || hi > 0xf || (hi > 9 && i + 1 < nd))
			return -EINVAL;
		tpdu[n++] = hi << 4 | lo;
	}
	tpdu[n++] = 0x00;
	tpdu[n++] = 0x00;
	tpdu[n++] = 0xaa;
	tpdu[n++] = ns;
	for (i = 0; i < ns; i++) {
		bits |= (unsigned int)septets[i] << nbits;
		nbits += 7;
		while (nbits >= 8) {
			tpdu[n++] = bits & 0xff;
			bits >>= 8;
			nbits -= 8;
		}
	}
	if (nbits)
		tpdu[n++] = bits & 0xff;
	if (size < 2 * n + 3)
		return -ENOBUFS;
	strcpy(out, "00");
	for (i = 0; i < n; i++)
		snprintf(out + 2 + 2 * i, 3, "%02X", tpdu[i]);
	*tpdu_len = n;
	return 0;
}

static int send_sms(struct phone *ph, const char *number, const char *text)
{
	char pdu[512], cmd[32], a[AT_REPLY_BYTES];
	unsigned int tpdu_len, ref;
	const char *p;
	int err = submit_pdu(number, text, pdu, sizeof(pdu) - 1, &tpdu_len);

	if (err) {
		fprintf(stderr, "phone: cannot encode an SMS to '%s': %s\n", number,
			strerror(-err));
		return err;
	}
	snprintf(cmd, sizeof(cmd), "AT+CMGS=%u", tpdu_len);
	err = at(ph, cmd, 0, "> ", a, sizeof(a));
	if (err || !strstr(a, "> "))
		return err ? err : -EIO;
	/* the PDU, then Ctrl-Z */
	strcat(pdu, "\x1a");
	err = at(ph, pdu, 1, NULL, a, sizeof(a));
	if (err || !(p = strstr(a, "+CMGS:")) || sscanf(p, "+CMGS: %u", &ref) != 1) {
		fprintf(stderr, "phone: the modem did not take the SMS to '%s'\n", number);
		return err ? err : -EIO;
	}
	ph->sms_sent++;
	printf("phone: SMS to %s sent by the modem (AT+CMGS=%u, reference %u)\n", number, tpdu_len,
	       ref);
	return 0;
}

struct getter {
	uint32_t code;
	enum getter_args shape;
	const char *method;
	size_t value; /* offset of the value in struct phone */
};

static const struct getter subinfo_getters[] = {
	{ IPHONESUBINFO_GET_DEVICE_ID, ARGS_PKG, "getDeviceId", offsetof(struct phone, imei) },
	{ IPHONESUBINFO_GET_DEVICE_ID_WITH_FEATURE, ARGS_PKG_FEATURE, "getDeviceIdWithFeature",
	  offsetof(struct phone, imei) },
	{ IPHONESUBINFO_GET_DEVICE_ID_FOR_PHONE, ARGS_INT_PKG_FEATURE, "getDeviceIdForPhone",
	  offsetof(struct phone, imei) },
	{ IPHONESUBINFO_GET_IMEI_FOR_SUBSCRIBER, ARGS_INT_PKG_FEATURE, "getImeiForSubscriber",
	  offsetof(struct phone, imei) },
	{ IPHONESUBINFO_GET_SUBSCRIBER_ID, ARGS_PKG, "getSubscriberId",
	  offsetof(struct phone, imsi) },
	{ IPHONESUBINFO_GET_SUBSCRIBER_ID_WITH_FEATURE, ARGS_PKG_FEATURE,
	  "getSubscriberIdWithFeature", offsetof(struct phone, imsi) },
	{ IPHONESUBINFO_GET_SUBSCRIBER_ID_FOR_SUBSCRIBER, ARGS_INT_PKG_FEATURE,
	  "getSubscriberIdForSubscriber", offsetof(struct phone, imsi) },
	{ IPHONESUBINFO_GET_ICC_SERIAL_NUMBER, ARGS_PKG, "getIccSerialNumber",
	  offsetof(struct phone, iccid) },
	{ IPHONESUBINFO_GET_ICC_SERIAL_NUMBER_WITH_FEATURE, ARGS_PKG_FEATURE,
	  "getIccSerialNumberWithFeature", offsetof(struct phone, iccid) },
	{ IPHONESUBINFO_GET_ICC_SERIAL_NUMBER_FOR_SUBSCRIBER, ARGS_INT_PKG_FEATURE,
	  "getIccSerialNumberForSubscriber", offsetof(struct phone, iccid) },
	{ IPHONESUBINFO_GET_LINE1_NUMBER, ARGS_PKG_FEATURE, "getLine1Number",
	  offsetof(struct phone, number) },
	{ IPHONESUBINFO_GET_LINE1_NUMBER_FOR_SUBSCRIBER, ARGS_INT_PKG_FEATURE,
	  "getLine1NumberForSubscriber", offsetof(struct phone, number) },
};

static const struct getter telephony_getters[] = {
	{ ITELEPHONY_GET_DEVICE_ID, ARGS_PKG, "getDeviceId", offsetof(struct phone, imei) },
	{ ITELEPHONY_GET_DEVICE_ID_WITH_FEATURE, ARGS_PKG_FEATURE, "getDeviceIdWithFeature",
	  offsetof(struct phone, imei) },
	{ ITELEPHONY_GET_IMEI_FOR_SLOT, ARGS_INT_PKG_FEATURE, "getImeiForSlot",
	  offsetof(struct phone, imei) },
	{ ITELEPHONY_GET_LINE1_NUMBER_FOR_DISPLAY, ARGS_INT_PKG_FEATURE, "getLine1NumberForDisplay",
	  offsetof(struct phone, number) },
};

/* A String getter's reply: writeNoException, String16 value. */
static int serve_getter(struct phone *ph, const struct node *node, const struct getter *g, size_t n,
			const struct binder_txn *t, struct parcel_view *in, struct parcel *reply)
{
	char pkg[VALUE_BYTES];
	const char *value;
	int32_t index;
	size_t i;

	for (i = 0; i < n && g[i].code != t->code; i++)
		;
	if (i == n) {
		printf("phone: %s: code %u from uid %u: not served\n", node->name, t->code,
		       (unsigned int)t->sender_euid);
		return STATUS_UNKNOWN_TRANSACTION;
	}
	if (getter_args_read(in, g[i].shape, &index, pkg, sizeof(pkg))) {
		printf("phone: %s.%s from uid %u: bad arguments\n", node->name, g[i].method,
		       (unsigned int)t->sender_euid);
		return STATUS_BAD_VALUE;
	}
	value = (const char *)ph + g[i].value;
	printf("phone: %s.%s(%s) from uid %u pid %d: %zu characters\n", node->name, g[i].method,
	       pkg, (unsigned int)t->sender_euid, t->sender_pid, strlen(value));
	parcel_put_no_exception(reply);
	parcel_put_string16(reply, value[0] ? value : NULL);
	return 0;
}

static int serve_sms(struct phone *ph, const struct binder_txn *t, struct parcel_view *in,
		     struct parcel *reply)
{
	struct sms_text_args a;

	switch (t->code) {
	case ISMS_SEND_TEXT_FOR_SUBSCRIBER:
		if (sms_text_args_read(in, &a)) {
			printf("phone: isms.sendTextForSubscriber from uid %u: bad arguments\n",
			       (unsigned int)t->sender_euid);
			return STATUS_BAD_VALUE;
		}
		printf("phone: isms.sendTextForSubscriber(sub %d, %s) from uid %u pid %d: %zu "
		       "characters to %s\n",
		       a.sub_id, a.calling_pkg, (unsigned int)t->sender_euid, t->sender_pid,
		       strlen(a.text), a.dest_addr);
		/* a failure to send is reported by sentIntent, never by the call itself */
		send_sms(ph, a.dest_addr, a.text);
		break;
	case ISMS_SEND_DATA_FOR_SUBSCRIBER:
	case ISMS_SEND_TEXT_FOR_SUBSCRIBER_WITH_OPTIONS:
	case ISMS_SEND_MULTIPART_TEXT_FOR_SUBSCRIBER:
	case ISMS_SEND_MULTIPART_TEXT_FOR_SUBSCRIBER_WITH_OPTIONS:
		printf("phone: isms code %u from uid %u: accepted, not sent\n", t->code,
		       (unsigned int)t->sender_euid);
		break;
	default:
		printf("phone: isms: code %u from uid %u: not served\n", t->code,
		       (unsigned int)t->sender_euid);
		return STATUS_UNKNOWN_TRANSACTION;
	}
	parcel_put_no_exception(reply);
	return 0;
}

static int handle(void *ctx, struct binder *b, const struct binder_txn *t, struct parcel_view *in,
		  struct parcel *reply)
{
	const struct node *node = (const struct node *)(uintptr_t)t->target;
	struct phone *ph = ctx;
	char pkg[VALUE_BYTES];
	int32_t index;

	(void)b;
	if (node != &subinfo_node && node != &telephony_node && node != &sms_node) {
		printf("phone: call for unknown node 0x%llx\n", (unsigned long long)t->target);
		return STATUS_UNKNOWN_TRANSACTION;
	}
	if (parcel_check_token(in, node->descriptor)) {
		printf("phone: %s: code %u from uid %u: bad interface token\n", node->name, t->code,
		       (unsigned int)t->sender_euid);
		return STATUS_BAD_TYPE;
	}
	if (node == &subinfo_node)
		return serve_getter(ph, node, subinfo_getters,
				    sizeof(subinfo_getters) / sizeof(subinfo_getters[0]), t, in,
				    reply);
	if (node == &sms_node)
		return serve_sms(ph, t, in, reply);
	if (t->code != ITELEPHONY_GET_CELL_LOCATION)
		return serve_getter(ph, node, telephony_getters,
				    sizeof(telephony_getters) / sizeof(telephony_getters[0]), t, in,
				    reply);
	if (getter_args_read(in, ARGS_PKG_FEATURE, &index, pkg, sizeof(pkg)))
		return STATUS_BAD_VALUE;
	printf("phone: phone.getCellLocation(%s) from uid %u pid %d: GSM cell %d/%d\n", pkg,
	       (unsigned int)t->sender_euid, t->sender_pid, ph->cell.lac, ph->cell.cid);
	parcel_put_no_exception(reply);
	cell_identity_write(reply, &ph->cell);
	return 0;
}

static int register_services(struct binder *b)
{
	static const struct node *const nodes[] = { &subinfo_node, &telephony_node, &sms_node };
	size_t i;
	int tries, err = 0;

	for (i = 0; i < sizeof(nodes) / sizeof(nodes[0]); i++) {
		/* BR_DEAD_REPLY while no context manager exists yet */
		for (tries = 0; tries < REGISTER_TRIES && !exiting; tries++) {
			err = sm_add_service(b, nodes[i]->name, nodes[i]);
			if (err != -EPIPE)
				break;
			usleep(200 * 1000);
		}
		if (err) {
			fprintf(stderr, "phone: addService('%s'): %s\n", nodes[i]->name,
				strerror(err < 0 ? -err : EIO));
			return err;
		}
		printf("phone: registered '%s' (%s)\n", nodes[i]->name, nodes[i]->descriptor);
	}
	return 0;
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: phone [--modem TTY] [--uid UID] [--lifetime SECONDS]\n"
		"Reads IMEI, IMSI, ICCID, number and cell off the modem (default /dev/ttyACM0),\n"
		"then serves iphonesubinfo, phone and isms on /dev/binder until SIGTERM or the\n"
		"lifetime (default 600 s) ends.\n"
		"EXAMPLES\n  phone --modem /dev/ttyACM0 --uid 1001 &\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "modem", required_argument, NULL, 'm' },
		{ "uid", required_argument, NULL, 'u' },
		{ "lifetime", required_argument, NULL, 't' },
		{ "help", no_argument, NULL, 'h' },
		{ 0 },
	};
	static struct phone ph = { .modem = -1 };
	struct sigaction sa = { .sa_handler = on_signal };
	const char *tty = "/dev/ttyACM0";
	unsigned long uid = 0, lifetime = 600;
	int has_uid = 0, opt, err = 1;
	struct termios tio;
	struct binder b = { .fd = -1 };

	while ((opt = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (opt) {
		case 'm':
			tty = strdup(optarg); /* argv is rewritten below */
			break;
		case 'u':
			if (parse_uint(optarg, 0xfffffffe, &uid)) {
				fprintf(stderr, "phone: bad uid '%s'\n", optarg);
				return 2;
			}
			has_uid = 1;
			break;
		case 't':
			if (parse_uint(optarg, 86400, &lifetime) || !lifetime) {
				fprintf(stderr, "phone: bad lifetime '%s'\n", optarg);
				return 2;
			}
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
	/* the radio user, and the name Android's comm shows for com.android.phone */
	if (!tty || (has_uid && drop_to_uid("phone", uid)))
		return 1;
	set_process_name("com.android.phone", argv[0], argv_area(argc, argv));

	ph.modem = open(tty, O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (ph.modem < 0) {
		fprintf(stderr, "phone: open modem '%s': %s\n", tty, strerror(errno));
		return 1;
	}
	if (tcgetattr(ph.modem, &tio) == 0) {
		cfmakeraw(&tio);
		tcsetattr(ph.modem, TCSANOW, &tio);
	}
	if (read_modem(&ph))
		goto out;
	printf("phone: modem %s: IMEI %zu digits, IMSI %zu, ICCID %zu, number %s, cell %s-%s "
	       "lac %d cid %d\n",
	       tty, strlen(ph.imei), strlen(ph.imsi), strlen(ph.iccid), ph.number, ph.cell.mcc,
	       ph.cell.mnc, ph.cell.lac, ph.cell.cid);

	if (binder_open(&b, "/dev/binder", "phone") || register_services(&b))
		goto out;
	printf("phone: serving (pid %d uid %u)\n", getpid(), (unsigned int)getuid());
	err = binder_serve(&b, handle, &ph, lifetime, &exiting);
	if (err)
		fprintf(stderr, "phone: serve loop: %s\n", strerror(-err));
out:
	if (b.fd >= 0)
		binder_close(&b);
	close(ph.modem);
	printf("phone: exiting (%u SMS sent)\n", ph.sms_sent);
	return err != 0;
}
