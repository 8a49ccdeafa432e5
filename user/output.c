// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* output: the JSON Lines sink (stdout or a file) every record goes through. */
#include <errno.h>
#include <string.h>
#include "output.h"

int output_open(struct output *o, const struct output_opts *opts)
{
	const char *path = opts->path;

	memset(o, 0, sizeof(*o));
	if (!path || !strcmp(path, "-")) {
		o->f = stdout;
		return 0;
	}
	o->f = fopen(path, "a");
	if (!o->f) {
		int err = -errno;

		fprintf(stderr, "idsentry: cannot open output file '%s': %s\n", path, strerror(errno));
		return err;
	}
	o->owned = 1;
	return 0;
}

void output_write(struct output *o, struct json *j)
{
	json_object_end(j);
	if (j->failed) {
		o->write_errors++;
		fprintf(stderr, "idsentry: a record was lost: out of memory while formatting it\n");
		return;
	}
	/* one line per record, flushed, so that tail -f and pipes see whole records at once */
	if (fprintf(o->f, "%s\n", j->s) < 0 || fflush(o->f)) {
		if (o->write_errors++ == 0)
			fprintf(stderr, "idsentry: writing records failed: %s\n", strerror(errno));
		return;
	}
	o->records++;
}

int output_poll_fd(const struct output *o)
{
	return -1; /* a file or stdout needs no servicing */
}

void output_service(struct output *o)
{
}

void output_set_status_fn(struct output *o, output_status_fn fn, void *ctx)
{
	o->status_fn = fn;
	o->status_ctx = ctx;
}

void output_close(struct output *o)
{
	if (o->owned && o->f)
		fclose(o->f);
	o->f = NULL;
}
