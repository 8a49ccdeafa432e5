/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* output: every record goes through here, to stdout or a rotated file, the socket and syslog. */
#ifndef IDSENTRY_OUTPUT_H
#define IDSENTRY_OUTPUT_H

#include <stdio.h>
#include "json.h"
#include "rotate.h"
#include "sink_socket.h"
#include "sink_syslog.h"
#include "term.h"

/* Fills the members of a 'status' record (after "type" and "ts") for whoever asked for one. */
typedef void (*output_status_fn)(void *ctx, struct json *j);

struct output_opts {
	const char *path;		   /* NULL or "-": stdout */
	unsigned long long rotate_size;	   /* bytes; 0: never rotate */
	unsigned int rotate_keep;	   /* rotated files kept beside the current one */
	const char *socket_path;	   /* NULL: no socket */
	int socket_required;		   /* failing to listen is fatal (the path was asked for) */
	unsigned long long socket_backlog; /* bytes queued per subscriber; 0: the default */
	int syslog;
	const char *syslog_path; /* NULL: /dev/log */
	int syslog_facility;	 /* 0 means the default (daemon): kern is never wanted */
	int terminal;		 /* stdout is a person's terminal: readable text, not JSON Lines */
	int colour;		 /* with terminal: ANSI colours by severity */
};

struct output {
	FILE *f; /* stdout, when there is no file */
	struct rotfile file;
	int has_file;
	struct sock_sink sock;
	int has_sock;
	struct syslog_sink sys;
	int has_syslog;
	struct term_writer term;
	int has_term; /* stdout gets readable text (the file, socket and syslog still JSON) */
	unsigned long long records;
	unsigned long long write_errors;
	unsigned long long syslog_dropped_reported;
	long syslog_reported_at; /* CLOCK_MONOTONIC seconds */
	output_status_fn status_fn;
	void *status_ctx;
};

/* Returns 0 or -errno after printing why. */
int output_open(struct output *o, const struct output_opts *opts);
/* Closes the record's top-level object and writes it as one line to every sink (each gets the
 * record: its data and the line, serialized once). Never blocks on a socket subscriber or the
 * syslog daemon. */
void output_write(struct output *o, struct json *j);
/* An fd the agent's event loop polls for readability on the sink's behalf (the socket's listener
 * and subscribers behind one epoll fd), or -1 when the sinks need none. */
int output_poll_fd(const struct output *o);
/* Called by the event loop when output_poll_fd() is readable. */
void output_service(struct output *o);
void output_set_status_fn(struct output *o, output_status_fn fn, void *ctx);
void output_close(struct output *o);

#endif
