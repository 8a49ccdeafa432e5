/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* sink_syslog: records as RFC 5424 messages over a unix datagram socket (/dev/log by default). */
#ifndef IDSENTRY_SINK_SYSLOG_H
#define IDSENTRY_SINK_SYSLOG_H

#include <stddef.h>
#include "json.h"
#include "strbuf.h"

#define SYSLOG_DEFAULT_PATH "/dev/log"
#define SYSLOG_DEFAULT_FACILITY 3 /* daemon */
/* SD-ID of the structured data: RFC 5424 wants NAME@PEN; 32473 is the documentation PEN. */
#define SYSLOG_SD_ID "idsentry@32473"

struct syslog_sink {
	int fd;
	char *path;
	int facility;
	char hostname[256];
	int pid;
	unsigned long long sent, dropped;
	struct strbuf msg;
};

/* Facility number of a name (daemon, auth, authpriv, user, local0..local7), or -1. */
int syslog_facility(const char *name);
/* The RFC 5424 severity (0..7) of a record: alerts by their severity, lost as warning, a rejected
 * policy as error, the rest informational. */
int syslog_severity(const struct record *r);
/* Formats one message: <PRI>1 TIMESTAMP HOSTNAME idsentry PID TYPE [SD] RECORD. The record's
 * "ts" is the timestamp; SD carries the alert fields a log pipeline filters on, read from the
 * record's data, not its text. Returns 0, or -1 when the record has no type. */
int syslog_format(struct strbuf *out, const struct record *r, int facility, const char *hostname,
		  int pid);

/* Connects to path. Returns 0 or -errno after printing why. */
int syslog_sink_open(struct syslog_sink *s, const char *path, int facility);
/* Sends one record; never blocks (a busy or absent syslog daemon costs the record, counted). */
void syslog_sink_write(struct syslog_sink *s, const struct record *r);
void syslog_sink_close(struct syslog_sink *s);

#endif
