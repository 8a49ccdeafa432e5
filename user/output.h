/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* output: the JSON Lines sink (stdout or a file) every record goes through. */
#ifndef IDSENTRY_OUTPUT_H
#define IDSENTRY_OUTPUT_H

#include <stdio.h>
#include "json.h"

/* Fills the members of a 'status' record (after "type" and "ts") for whoever asked for one. */
typedef void (*output_status_fn)(void *ctx, struct json *j);

struct output_opts {
	const char *path; /* NULL or "-": stdout */
};

struct output {
	FILE *f;
	int owned;
	unsigned long long records;
	unsigned long long write_errors;
	output_status_fn status_fn;
	void *status_ctx;
};

/* Returns 0 or -errno after printing why. */
int output_open(struct output *o, const struct output_opts *opts);
/* Closes the record's top-level object and writes it as one line, flushed. */
void output_write(struct output *o, struct json *j);
/* An fd the agent's event loop polls for readability on the sink's behalf (e.g. a socket's
 * listeners and subscribers behind one epoll fd), or -1 when the sink needs none. */
int output_poll_fd(const struct output *o);
/* Called by the event loop when output_poll_fd() is readable. */
void output_service(struct output *o);
void output_set_status_fn(struct output *o, output_status_fn fn, void *ctx);
void output_close(struct output *o);

#endif
