// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* status_cmd: the `status` command: asks a running agent for its state and prints it. */
#include <argp.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/time.h>
#include "client.h"
#include "sink_socket.h"
#include "status_cmd.h"
#include "tail_format.h"

#define STATUS_TIMEOUT_S 5
#define WRAP_COLUMN 100

static const char status_doc[] =
	"idsentry status: show what a running agent has attached and counted.\n"
	"Probes attached and skipped (with why), enforcement, event, alert and loss\n"
	"counters, the taint table, policy files with their sha256, uptime, sinks."
	"\v"
	"EXAMPLES:\n"
	"  idsentry status\n"
	"  idsentry status --socket /tmp/ids.sock\n"
	"  idsentry status --json | jq .kernel\n"
	"Exit status: 0 with a report; 1 when no agent answered.";

static const struct argp_option status_options[] = {
	{ "socket", 's', "PATH", 0, "The agent's socket (default " SOCKET_DEFAULT_PATH ")", 0 },
	{ "json", 'j', NULL, 0, "Print the status record as it is (one JSON line)", 0 },
	{},
};

struct status_args {
	const char *socket;
	int json;
};

static error_t parse_status(int key, char *arg, struct argp_state *state)
{
	struct status_args *a = state->input;

	switch (key) {
	case 's':
		a->socket = arg;
		break;
	case 'j':
		a->json = 1;
		break;
	case ARGP_KEY_ARG:
		argp_error(state, "unexpected argument '%s'", arg);
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

/* Appends tmpl with each {path} replaced by the value at that path of v: strings made printable,
 * numbers and booleans as written, "?" when absent. */
static void fill(struct strbuf *out, const struct jval *v, const char *tmpl)
{
	const char *open, *close;
	char path[64];

	while ((open = strchr(tmpl, '{')) && (close = strchr(open, '}'))) {
		const struct jval *f;

		sb_add(out, tmpl, open - tmpl);
		snprintf(path, sizeof(path), "%.*s", (int)(close - open - 1), open + 1);
		f = jget(v, path);
		if (f && f->type == J_STR)
			sb_add_printable(out, f->str);
		else if (f && f->type == J_NUM)
			sb_puts(out, f->str);
		else if (f && f->type == J_BOOL)
			sb_puts(out, f->b ? "true" : "false");
		else
			sb_puts(out, "?");
		tmpl = close + 1;
	}
	sb_puts(out, tmpl);
}

/* "name value, name value" for every numeric member of an object. */
static void add_counters(struct strbuf *out, const char *title, const struct jval *obj)
{
	const struct jval *m;
	int n = 0;

	if (!obj || obj->type != J_OBJ)
		return;
	sb_printf(out, "%s:", title);
	for (m = obj->child; m; m = m->next) {
		if (m->type != J_NUM)
			continue;
		sb_puts(out, n++ ? ", " : " ");
		sb_add_printable(out, m->key);
		sb_printf(out, " %s", m->str);
	}
	sb_puts(out, "\n");
}

/* Names of an array of strings, wrapped under a hanging indent. */
static void add_wrapped(struct strbuf *out, const char *title, const struct jval *arr)
{
	size_t col = strlen(title), start;
	const struct jval *v;
	int n = 0;

	sb_puts(out, title);
	for (v = arr && arr->type == J_ARR ? arr->child : NULL; v; v = v->next) {
		if (v->type != J_STR)
			continue;
		if (n && col + v->len + 2 > WRAP_COLUMN) {
			sb_printf(out, ",\n%*s", (int)strlen(title), "");
			col = strlen(title);
		} else if (n) {
			sb_puts(out, ", ");
			col += 2;
		}
		start = out->len;
		sb_add_printable(out, v->str);
		col += out->len - start;
		n++;
	}
	sb_puts(out, n ? "\n" : "(none)\n");
}

static void add_uptime(struct strbuf *out, const struct jval *st)
{
	long long s;

	if (jint(st, "uptime_s", &s)) {
		sb_puts(out, "?");
		return;
	}
	if (s >= 86400)
		sb_printf(out, "%lldd ", s / 86400);
	if (s >= 3600)
		sb_printf(out, "%02lldh ", s % 86400 / 3600);
	if (s >= 60)
		sb_printf(out, "%02lldm ", s % 3600 / 60);
	sb_printf(out, "%02llds", s % 60);
}

static void add_sinks(struct strbuf *out, const struct jval *o)
{
	if (!o)
		return;
	fill(out, o, "output: {file}, {records} records, {write_errors} write errors");
	if (jget(o, "rotate_size"))
		fill(out, o, ", rotated at {rotate_size} bytes keeping {rotate_keep} ({rotations} "
			     "rotations)");
	sb_puts(out, "\n");
	if (jget(o, "socket"))
		fill(out, o, "socket: {socket.path}, {socket.clients} clients (you included), "
			     "{socket.dropped} records dropped for slow clients, {socket.refused} "
			     "clients refused\n");
	if (jget(o, "syslog"))
		fill(out, o, "syslog: {syslog.path}, {syslog.sent} sent, {syslog.dropped} "
			     "dropped\n");
}

void status_format(struct strbuf *out, const struct jval *st)
{
	const struct jval *skipped = jget(st, "probes.skipped"), *p, *enf = jget(st, "enforcement");
	const struct jval *avail = jget(enf, "available"), *pol = jget(st, "policy");

	fill(out, st, "idsentry {version} (pid {pid}), up ");
	add_uptime(out, st);
	fill(out, st, ", mode {mode}\n");
	if (enf) {
		int on = avail && avail->type == J_BOOL && avail->b;

		sb_puts(out, on ? "enforcement: available" : "enforcement: unavailable");
		fill(out, enf, jstr(enf, "reason") ? " ({reason})\n" : "\n");
	}
	if (jget(st, "hooks")) {
		const struct jval *h = jget(st, "hooks"), *on = jget(h, "syscalls_attached");

		fill(out, h, "syscall hooks: {mode}, ");
		sb_puts(out, on && on->type == J_BOOL && on->b ? "attached" : "detached");
		if (jget(h, "wakes"))
			fill(out, h, " (idle after {idle_s} s; {wakes} wakes, {attaches} attaches, "
				     "{detaches} detaches)");
		fill(out, h, jstr(h, "reason") ? ": {reason}\n" : "\n");
		if (jstr(h, "gate"))
			fill(out, h, "  brought back by: {gate}\n");
		on = jget(h, "socket_layer");
		if (on && on->type == J_BOOL)
			sb_puts(out, on->b ? "  holders' sends and unix sockets: followed at the socket "
					     "layer while they are away\n"
					   : "  holders' sends: only by the syscall hooks (no "
					     "socket-layer tracepoints)\n");
	}
	sb_printf(out, "probes: %zu attached, %zu skipped\n", jlen(jget(st, "probes.attached")),
		  jlen(skipped));
	add_wrapped(out, "  attached: ", jget(st, "probes.attached"));
	for (p = skipped && skipped->type == J_ARR ? skipped->child : NULL; p; p = p->next)
		fill(out, p, jstr(p, "hook") ? "  skipped:  {name} ({hook}): {reason}\n" :
					       "  skipped:  {name}: {reason}\n");
	add_counters(out, "events", jget(st, "events"));
	add_counters(out, "alerts", jget(st, "alerts"));
	add_counters(out, "kernel (lost and truncated, by cause)", jget(st, "kernel"));
	fill(out, st, "malformed events {malformed_events}, processes {processes}, known values "
		      "{known_values}, taint table {taint_table}, watched files {watched_files}\n"
		      "policy:\n");
	for (p = pol && pol->type == J_ARR ? pol->child : NULL; p; p = p->next)
		fill(out, p, "  {file}  sha256 {sha256}\n");
	add_sinks(out, jget(st, "output"));
}

/* Reads lines until the status reply (records streamed meanwhile are skipped). */
static int await_reply(int fd, const char *path, const struct status_args *a)
{
	static const char request[] = "status\n";
	struct timeval tv = { STATUS_TIMEOUT_S, 0 };
	struct line_reader r;
	struct strbuf sb;
	struct jdoc d;
	const char *type;
	char *line;
	size_t len;
	int rc, status = 1;

	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (send(fd, request, sizeof(request) - 1, MSG_NOSIGNAL) != sizeof(request) - 1) {
		fprintf(stderr, "idsentry status: sending the request to '%s' failed: %s\n", path,
			strerror(errno));
		return 1;
	}
	lr_init(&r, fd, CLIENT_MAX_LINE);
	sb_init(&sb);
	while ((rc = lr_next(&r, &line, &len)) > 0) {
		if (jdoc_parse(&d, line, len) || !(type = jstr(d.root, "type")) ||
		    (strcmp(type, "status") && strcmp(type, "error"))) {
			jdoc_free(&d);
			continue;
		}
		if (!strcmp(type, "error")) {
			fprintf(stderr, "idsentry status: the agent refused: %s\n",
				jstr(d.root, "message") ? jstr(d.root, "message") : "?");
		} else if (a->json) {
			printf("%s\n", line);
			status = 0;
		} else {
			status_format(&sb, d.root);
			fputs(sb_str(&sb), stdout);
			status = 0;
		}
		jdoc_free(&d);
		break;
	}
	if (rc == 0)
		fprintf(stderr,
			"idsentry status: the agent on '%s' closed the connection without "
			"answering\n",
			path);
	else if (rc < 0)
		fprintf(stderr, "idsentry status: no answer from '%s' within %d s: %s\n", path,
			STATUS_TIMEOUT_S, strerror(-rc));
	sb_free(&sb);
	lr_free(&r);
	if (!status && (fflush(stdout) || ferror(stdout)))
		status = 1;
	return status;
}

int cmd_status(int argc, char **argv)
{
	struct argp argp = { status_options, parse_status, NULL, status_doc, NULL, NULL, NULL };
	struct status_args a = {};
	const char *path;
	int fd, status;

	if (argp_parse(&argp, argc, argv, 0, NULL, &a))
		return 2;
	path = a.socket ? a.socket : SOCKET_DEFAULT_PATH;
	fd = client_connect(path);
	if (fd < 0) {
		fprintf(stderr,
			"idsentry status: no agent is listening on '%s': %s (is 'idsentry run' "
			"running? give its --socket)\n",
			path, strerror(-fd));
		return 1;
	}
	status = await_reply(fd, path, &a);
	close(fd);
	return status;
}
