// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* output: every record goes through here, to stdout or a rotated file, the socket and syslog. */
#include <errno.h>
#include <string.h>
#include <time.h>
#include "output.h"

/* A status record: the agent's members, then what the sinks have done. */
static void status_members(void *ctx, struct json *j)
{
	struct output *o = ctx;

	if (o->status_fn)
		o->status_fn(o->status_ctx, j);
	json_object_begin(j, "output");
	json_string(j, "file", o->has_file ? o->file.path : "-");
	json_uint(j, "records", o->records);
	json_uint(j, "write_errors", o->write_errors);
	if (o->has_file && o->file.max_size) {
		json_uint(j, "rotate_size", o->file.max_size);
		json_uint(j, "rotate_keep", o->file.keep);
		json_uint(j, "rotations", o->file.rotations);
	}
	if (o->has_sock) {
		json_object_begin(j, "socket");
		json_string(j, "path", o->sock.path);
		json_uint(j, "clients", o->sock.n_clients);
		json_uint(j, "dropped", o->sock.dropped_total);
		json_uint(j, "refused", o->sock.refused);
		json_object_end(j);
	}
	if (o->has_syslog) {
		json_object_begin(j, "syslog");
		json_string(j, "path", o->sys.path);
		json_uint(j, "sent", o->sys.sent);
		json_uint(j, "dropped", o->sys.dropped);
		json_object_end(j);
	}
	json_object_end(j);
}

int output_open(struct output *o, const struct output_opts *opts)
{
	const char *path = opts->path;
	int err;

	memset(o, 0, sizeof(*o));
	o->sock.listen_fd = o->sock.ep = -1;
	o->sys.fd = -1;
	if (!path || !strcmp(path, "-")) {
		o->f = stdout;
		if (opts->terminal) {
			term_init(&o->term, opts->colour);
			o->has_term = 1;
		}
	} else {
		err = rotfile_open(&o->file, path, opts->rotate_size, opts->rotate_keep);
		if (err == -EINVAL) {
			fprintf(stderr, "idsentry: cannot rotate '%s': not a regular file (drop "
					"--rotate-size, or write to a file)\n", path);
			rotfile_close(&o->file);
			return err;
		}
		if (err == -ELOOP) {
			fprintf(stderr, "idsentry: output file '%s' is a symbolic link, which is not "
					"followed (give the file itself, or '-' for stdout)\n", path);
			rotfile_close(&o->file);
			return err;
		}
		if (err) {
			fprintf(stderr, "idsentry: cannot open output file '%s': %s\n", path,
				strerror(-err));
			rotfile_close(&o->file);
			return err;
		}
		o->has_file = 1;
	}
	if (opts->socket_path) {
		err = sock_sink_open(&o->sock, opts->socket_path,
				     opts->socket_backlog ? opts->socket_backlog
							  : SOCKET_DEFAULT_BACKLOG);
		if (!err) {
			o->has_sock = 1;
			o->sock.status_fn = status_members;
			o->sock.status_ctx = o;
		} else if (opts->socket_required) {
			output_close(o);
			return err;
		} else {
			fprintf(stderr, "idsentry: running without the socket: 'idsentry tail' and "
					"'idsentry status' will not reach this agent\n");
		}
	}
	if (opts->syslog) {
		err = syslog_sink_open(
			&o->sys, opts->syslog_path ? opts->syslog_path : SYSLOG_DEFAULT_PATH,
			opts->syslog_facility ? opts->syslog_facility : SYSLOG_DEFAULT_FACILITY);
		if (err) {
			output_close(o);
			return err;
		}
		o->has_syslog = 1;
	}
	return 0;
}

/* One record, serialized once, to every sink. */
static void deliver(struct output *o, const struct record *r, int to_syslog)
{
	int err = 0;

	if (o->has_term)
		err = term_write(&o->term, o->f, r); /* stdout gets readable text instead */
	else if (o->has_file)
		err = rotfile_write(&o->file, r->line, r->len);
	else if (fwrite(r->line, 1, r->len, o->f) != r->len || fflush(o->f))
		err = -errno; /* flushed per record, so that pipes see whole records at once */
	if (err) {
		if (o->write_errors++ == 0)
			fprintf(stderr, "idsentry: writing records to '%s' failed: %s\n",
				o->has_file ? o->file.path : "stdout", strerror(-err));
	} else {
		o->records++;
	}
	if (o->has_sock)
		sock_sink_write(&o->sock, r);
	if (o->has_syslog && to_syslog)
		syslog_sink_write(&o->sys, r);
}

/* Records syslog could not take are reported where the others go, at most once a second. */
static void report_syslog_drops(struct output *o)
{
	unsigned long long n = o->sys.dropped - o->syslog_dropped_reported;
	struct timespec now;
	struct record r;
	struct json j;

	clock_gettime(CLOCK_MONOTONIC, &now);
	if (!n || now.tv_sec == o->syslog_reported_at)
		return;
	o->syslog_reported_at = now.tv_sec;
	o->syslog_dropped_reported = o->sys.dropped;
	json_init(&j);
	json_record_begin(&j, "lost");
	json_uint(&j, "count", n);
	json_string(&j, "where", "syslog");
	json_string(&j, "cause", "syslog_unavailable");
	if (!json_record_end(&j, &r))
		deliver(o, &r, 0);
	json_free(&j);
}

void output_write(struct output *o, struct json *j)
{
	struct record r;

	if (json_record_end(j, &r)) {
		o->write_errors++;
		fprintf(stderr, "idsentry: a record was lost: out of memory while formatting it\n");
		return;
	}
	deliver(o, &r, 1);
	if (o->has_syslog)
		report_syslog_drops(o);
}

int output_poll_fd(const struct output *o)
{
	return o->has_sock ? sock_sink_fd(&o->sock) : -1;
}

void output_service(struct output *o)
{
	if (o->has_sock)
		sock_sink_service(&o->sock);
}

void output_set_status_fn(struct output *o, output_status_fn fn, void *ctx)
{
	o->status_fn = fn;
	o->status_ctx = ctx;
}

void output_close(struct output *o)
{
	if (o->has_file)
		rotfile_close(&o->file);
	if (o->has_sock)
		sock_sink_close(&o->sock);
	if (o->has_syslog)
		syslog_sink_close(&o->sys);
	if (o->has_term)
		term_free(&o->term);
	if (o->f)
		fflush(o->f);
	memset(o, 0, sizeof(*o));
}
