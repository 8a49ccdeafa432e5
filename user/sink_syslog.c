// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* sink_syslog: records as RFC 5424 messages over a unix datagram socket (/dev/log by default). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include "sink_syslog.h"

static const struct {
	const char *name;
	int code;
} facilities[] = {
	{ "user", 1 },	  { "daemon", 3 },  { "auth", 4 },    { "authpriv", 10 },
	{ "local0", 16 }, { "local1", 17 }, { "local2", 18 }, { "local3", 19 },
	{ "local4", 20 }, { "local5", 21 }, { "local6", 22 }, { "local7", 23 },
};

int syslog_facility(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(facilities) / sizeof(facilities[0]); i++)
		if (!strcmp(name, facilities[i].name))
			return facilities[i].code;
	return -1;
}

/* A member of the record, by path (json_field). */
static const char *field(const struct record *r, const char *path)
{
	return json_field(r->data, path, NULL);
}

int syslog_severity(const struct record *r)
{
	const char *sev, *status;

	if (!strcmp(r->type, "alert")) {
		sev = field(r, "severity");
		if (!sev)
			return 4;
		if (!strcmp(sev, "critical"))
			return 2;
		if (!strcmp(sev, "high"))
			return 3;
		if (!strcmp(sev, "medium"))
			return 4;
		return 5;
	}
	if (!strcmp(r->type, "lost"))
		return 4;
	status = field(r, "status");
	if (!strcmp(r->type, "policy") && status && !strcmp(status, "rejected"))
		return 3;
	return 6;
}

/* HOSTNAME, APP-NAME, MSGID: printable US-ASCII without spaces, bounded; else the NILVALUE. */
static void header_field(struct strbuf *out, const char *s, size_t max)
{
	size_t i, n = s ? strlen(s) : 0;

	for (i = 0; i < n; i++)
		if (s[i] < 33 || s[i] > 126)
			break;
	if (!n || i < n || n > max)
		sb_puts(out, "-");
	else
		sb_puts(out, s);
	sb_puts(out, " ");
}

/* RFC 5424 TIMESTAMP: RFC 3339 with at most 6 fractional digits; the record's ts qualifies. */
static int valid_timestamp(const char *ts)
{
	static const char shape[] = "dddd-dd-ddTdd:dd:dd";
	size_t i, frac = 0;

	if (!ts || strlen(ts) < sizeof(shape))
		return 0;
	for (i = 0; i < sizeof(shape) - 1; i++)
		if (shape[i] == 'd' ? ts[i] < '0' || ts[i] > '9' : ts[i] != shape[i])
			return 0;
	ts += i;
	if (*ts == '.') {
		while (ts[1 + frac] >= '0' && ts[1 + frac] <= '9')
			frac++;
		if (frac < 1 || frac > 6)
			return 0;
		ts += 1 + frac;
	}
	return !strcmp(ts, "Z");
}

/* PARAM-VALUE: '"', '\' and ']' escaped with a backslash. */
static void sd_param(struct strbuf *out, const char *name, const char *value)
{
	const char *p;

	if (!value)
		return;
	sb_printf(out, " %s=\"", name);
	for (p = value; *p; p++) {
		if (*p == '"' || *p == '\\' || *p == ']')
			sb_add(out, "\\", 1);
		sb_add(out, p, 1);
	}
	sb_puts(out, "\"");
}

/* The members log pipelines filter alerts on. */
static void alert_params(struct strbuf *out, const struct record *r)
{
	const char *name = NULL;
	struct strbuf names;

	sd_param(out, "rule", field(r, "rule"));
	sd_param(out, "severity", field(r, "severity"));
	sd_param(out, "action", field(r, "action"));
	sd_param(out, "confidence", field(r, "confidence"));
	sd_param(out, "pid", field(r, "process.pid"));
	sd_param(out, "comm", field(r, "process.comm"));
	sd_param(out, "exe", field(r, "process.exe"));
	sb_init(&names);
	while ((name = json_field(r->data, "identifiers.name", name))) {
		if (names.len)
			sb_puts(&names, ",");
		sb_puts(&names, name);
	}
	if (names.len)
		sd_param(out, "identifiers", sb_str(&names));
	sb_free(&names);
	sd_param(out, "proto", field(r, "destination.proto"));
	sd_param(out, "addr", field(r, "destination.addr"));
	sd_param(out, "port", field(r, "destination.port"));
	sd_param(out, "host", field(r, "destination.host"));
	sd_param(out, "encoding", field(r, "evidence.encoding"));
}

int syslog_format(struct strbuf *out, const struct record *r, int facility, const char *hostname,
		  int pid)
{
	size_t sd_start;
	char procid[16];

	sb_reset(out);
	if (!r->type || !r->type[0])
		return -1;
	sb_printf(out, "<%d>1 ", facility * 8 + syslog_severity(r));
	sb_puts(out, valid_timestamp(r->ts) ? r->ts : "-");
	sb_puts(out, " ");
	header_field(out, hostname, 255);
	header_field(out, "idsentry", 48);
	snprintf(procid, sizeof(procid), "%d", pid);
	header_field(out, procid, 128);
	header_field(out, r->type, 32);
	sd_start = out->len;
	sb_puts(out, "[" SYSLOG_SD_ID);
	if (!strcmp(r->type, "alert")) {
		alert_params(out, r);
	} else if (!strcmp(r->type, "lost")) {
		sd_param(out, "count", field(r, "count"));
		sd_param(out, "where", field(r, "where"));
		sd_param(out, "cause", field(r, "cause"));
	} else if (!strcmp(r->type, "policy")) {
		sd_param(out, "status", field(r, "status"));
	}
	if (out->len == sd_start + strlen("[" SYSLOG_SD_ID)) {
		/* no parameters: the NILVALUE rather than an empty element */
		out->len = sd_start;
		sb_puts(out, "-");
	} else {
		sb_puts(out, "]");
	}
	sb_puts(out, " ");
	/* the record without its line's end */
	sb_add(out, r->line, r->len && r->line[r->len - 1] == '\n' ? r->len - 1 : r->len);
	return out->failed ? -1 : 0;
}

static int connect_log(struct syslog_sink *s)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };

	if (s->fd >= 0)
		close(s->fd);
	s->fd = -1;
	if (strlen(s->path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	s->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (s->fd < 0)
		return -errno;
	strcpy(sa.sun_path, s->path);
	if (connect(s->fd, (struct sockaddr *)&sa, sizeof(sa))) {
		int err = -errno;

		close(s->fd);
		s->fd = -1;
		return err;
	}
	return 0;
}

int syslog_sink_open(struct syslog_sink *s, const char *path, int facility)
{
	int err;

	memset(s, 0, sizeof(*s));
	s->fd = -1;
	s->facility = facility;
	s->pid = getpid();
	sb_init(&s->msg);
	if (gethostname(s->hostname, sizeof(s->hostname) - 1))
		s->hostname[0] = 0;
	s->path = strdup(path);
	if (!s->path)
		return -ENOMEM;
	err = connect_log(s);
	if (err) {
		fprintf(stderr,
			"idsentry: cannot connect to the syslog socket '%s': %s (is a syslog "
			"daemon running? give its socket with --syslog-socket)\n",
			path, strerror(-err));
		syslog_sink_close(s);
	}
	return err;
}

void syslog_sink_write(struct syslog_sink *s, const struct record *r)
{
	int tries;

	if (syslog_format(&s->msg, r, s->facility, s->hostname, s->pid)) {
		s->dropped++;
		return;
	}
	for (tries = 0; tries < 2; tries++) {
		if (s->fd >= 0 &&
		    send(s->fd, s->msg.s, s->msg.len, MSG_NOSIGNAL | MSG_DONTWAIT) >= 0) {
			s->sent++;
			return;
		}
		/* the daemon restarted (its socket is new): reconnect once; busy: drop */
		if (s->fd >= 0 && errno != ECONNREFUSED && errno != ENOTCONN && errno != ENOENT)
			break;
		if (connect_log(s))
			break;
	}
	s->dropped++;
}

void syslog_sink_close(struct syslog_sink *s)
{
	if (s->fd >= 0)
		close(s->fd);
	sb_free(&s->msg);
	free(s->path);
	memset(s, 0, sizeof(*s));
	s->fd = -1;
}
