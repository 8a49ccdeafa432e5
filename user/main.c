// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* main: the command line (run, check, tail, status, report) parsed with argp, one function each. */
#include <argp.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "agent.h"
#include "diag.h"
#include "idsentry.h"
#include "numparse.h"
#include "policy.h"
#include "report.h"
#include "sink_socket.h"
#include "sink_syslog.h"
#include "status_cmd.h"
#include "tail.h"

#define MAX_POLICY_FILES 32

const char *argp_program_version = "idsentry " IDSENTRY_VERSION;

static const char run_doc[] =
	"idsentry run: watch identifier reads and outbound sends, and write alerts as JSON Lines "
	"(on a terminal, without --output: readable lines)."
	"\v"
	"EXAMPLES:\n"
	"  idsentry run --policy policies/default.yaml\n"
	"  idsentry run --json\n"
	"  idsentry run -p policies/default.yaml -p my.yaml -o /var/log/ids.jsonl\n"
	"  idsentry run -o /var/log/ids.jsonl --rotate-size 16M --rotate-keep 5\n"
	"  idsentry run --syslog --syslog-facility authpriv -o /dev/null\n"
	"  idsentry run --socket /tmp/ids.sock --mode alert --show-values -v\n"
	"  idsentry run --metrics-file /var/lib/node_exporter/textfile/idsentry.prom\n"
	"\n"
	"Every record also streams to the clients of the socket (idsentry tail,\n"
	"idsentry status); a client that does not read loses records, and is told\n"
	"how many, but never slows the agent. SIGHUP re-reads the policy files;\n"
	"SIGINT/SIGTERM detach everything and exit 0.";

enum {
	OPT_SHOW_VALUES = 0x100,
	OPT_SAMPLE_BYTES,
	OPT_STATS_INTERVAL,
	OPT_HOOKS,
	OPT_HOOKS_IDLE,
	OPT_NO_FANOTIFY,
	OPT_STATE_DIR,
	OPT_NO_SOCKET,
	OPT_SOCKET_BACKLOG,
	OPT_ROTATE_SIZE,
	OPT_ROTATE_KEEP,
	OPT_SYSLOG,
	OPT_SYSLOG_SOCKET,
	OPT_SYSLOG_FACILITY,
	OPT_METRICS_FILE,
	OPT_JSON,
};

#define MIN_ROTATE_SIZE 1024ULL
#define MAX_ROTATE_SIZE (1ULL << 40)
#define DEFAULT_ROTATE_KEEP 5

static const struct argp_option run_options[] = {
	{ "policy", 'p', "FILE", 0, "Policy file (repeatable; default policies/default.yaml)", 0 },
	{ "mode", 'm', "MODE", 0, "enforce (default: apply rule actions) or alert (never block)",
	  0 },
	{ "show-values", OPT_SHOW_VALUES, NULL, 0, "Print identifier values unredacted", 0 },
	{ "sample-bytes", OPT_SAMPLE_BYTES, "N", 0, "Payload bytes sampled per send (256..4096)",
	  0 },
	{ "stats-interval", OPT_STATS_INTERVAL, "SECONDS", 0, "Write a stats record every SECONDS",
	  0 },
	{ "hooks", OPT_HOOKS, "WHEN", 0,
	  "on-demand (default: syscall hooks attached only while a process holds an identifier; "
	  "needs fanotify permission events) or always", 0 },
	{ "hooks-idle", OPT_HOOKS_IDLE, "SECONDS", 0,
	  "On demand: detach the syscall hooks after SECONDS with nobody to watch (0..3600, "
	  "default 10)", 0 },
	{ "no-fanotify", OPT_NO_FANOTIFY, NULL, 0,
	  "Run as on a kernel without fanotify permission events (Android GKI): opens of watched "
	  "files are gated in the kernel (a kprobe on inotify's handler, or the open exits)", 0 },
	{ "state-dir", OPT_STATE_DIR, "DIR", 0,
	  "Keep learnt values, derived files and living processes' taint in DIR across restarts "
	  "(saved each minute and at exit; e.g. /var/lib/idsentry)", 0 },
	{ "metrics-file", OPT_METRICS_FILE, "FILE", 0,
	  "Write Prometheus metrics to FILE every --stats-interval seconds (default 15; through a "
	  "temporary file renamed over it: node_exporter's textfile collector)", 0 },
	{ "verbose", 'v', NULL, 0, "Print libbpf debug output", 0 },
	{ NULL, 0, NULL, 0, "Output file:", 1 },
	{ "output", 'o', "FILE", 0, "Write records to FILE ('-' = stdout, the default)", 1 },
	{ "json", OPT_JSON, NULL, 0,
	  "JSON Lines on stdout even when it is a terminal (which otherwise gets readable lines)",
	  1 },
	{ "rotate-size", OPT_ROTATE_SIZE, "SIZE", 0,
	  "Rotate FILE when it would pass SIZE (1K..1T; K, M, G suffixes)", 1 },
	{ "rotate-keep", OPT_ROTATE_KEEP, "N", 0,
	  "Rotated files kept as FILE.1 .. FILE.N (1..1000, default 5)", 1 },
	{ NULL, 0, NULL, 0, "Live socket (idsentry tail, idsentry status):", 2 },
	{ "socket", 's', "PATH", 0, "Listen on PATH (default " SOCKET_DEFAULT_PATH
				    "; when busy the agent runs without one)", 2 },
	{ "no-socket", OPT_NO_SOCKET, NULL, 0, "No socket: tail and status cannot reach the agent",
	  2 },
	{ "socket-backlog", OPT_SOCKET_BACKLOG, "SIZE", 0,
	  "Bytes queued per slow client before its records are dropped (4K..256M, default 1M)", 2 },
	{ NULL, 0, NULL, 0, "Syslog:", 3 },
	{ "syslog", OPT_SYSLOG, NULL, 0, "Also send records to syslog (RFC 5424, /dev/log)", 3 },
	{ "syslog-socket", OPT_SYSLOG_SOCKET, "PATH", 0,
	  "Syslog's unix datagram socket (implies --syslog)", 3 },
	{ "syslog-facility", OPT_SYSLOG_FACILITY, "NAME", 0,
	  "daemon (default), auth, authpriv, user or local0..local7", 3 },
	{},
};

struct run_args {
	struct agent_opts o;
	char *files[MAX_POLICY_FILES];
	int rotate_keep_given;
	int json;
};

static error_t parse_run(int key, char *arg, struct argp_state *state)
{
	struct run_args *r = state->input;
	struct output_opts *out = &r->o.output;
	unsigned long long size;
	unsigned long v;

	switch (key) {
	case 'p':
		if (r->o.n_policy_files == MAX_POLICY_FILES)
			argp_error(state, "at most %d --policy files", MAX_POLICY_FILES);
		r->files[r->o.n_policy_files++] = arg;
		break;
	case 'o':
		r->o.output.path = arg;
		break;
	case OPT_JSON:
		r->json = 1;
		break;
	case 'm':
		if (!strcmp(arg, "enforce"))
			r->o.enforce = 1;
		else if (!strcmp(arg, "alert"))
			r->o.enforce = 0;
		else
			argp_error(state, "unknown --mode '%s' (expected enforce or alert)", arg);
		break;
	case 's':
		if (!*arg)
			argp_error(state, "--socket needs a path (--no-socket for none)");
		out->socket_path = arg;
		out->socket_required = 1;
		break;
	case OPT_NO_FANOTIFY:
		r->o.no_fanotify = 1;
		break;
	case OPT_STATE_DIR:
		if (arg[0] != '/')
			argp_error(state, "--state-dir must be an absolute path, got '%s'", arg);
		r->o.state_dir = arg;
		break;
	case OPT_NO_SOCKET:
		out->socket_path = NULL;
		out->socket_required = 0;
		break;
	case OPT_SOCKET_BACKLOG:
		if (parse_size(arg, SOCKET_MIN_BACKLOG, SOCKET_MAX_BACKLOG, &size))
			argp_error(state, "--socket-backlog must be 4K..256M, got '%s'", arg);
		out->socket_backlog = size;
		break;
	case OPT_ROTATE_SIZE:
		if (parse_size(arg, MIN_ROTATE_SIZE, MAX_ROTATE_SIZE, &size))
			argp_error(state, "--rotate-size must be 1K..1T (e.g. 16M), got '%s'", arg);
		out->rotate_size = size;
		break;
	case OPT_ROTATE_KEEP:
		if (parse_ulong_range(arg, 1, ROTATE_MAX_KEEP, &v))
			argp_error(state, "--rotate-keep must be 1..%d, got '%s'", ROTATE_MAX_KEEP,
				   arg);
		out->rotate_keep = v;
		r->rotate_keep_given = 1;
		break;
	case OPT_SYSLOG:
		out->syslog = 1;
		break;
	case OPT_SYSLOG_SOCKET:
		out->syslog = 1;
		out->syslog_path = arg;
		break;
	case OPT_SYSLOG_FACILITY:
		out->syslog_facility = syslog_facility(arg);
		if (out->syslog_facility < 0)
			argp_error(state, "unknown --syslog-facility '%s' (expected daemon, auth, "
					  "authpriv, user or local0..local7)", arg);
		break;
	case OPT_METRICS_FILE:
		if (!*arg)
			argp_error(state, "--metrics-file needs a path");
		r->o.metrics_path = arg;
		break;
	case 'v':
		r->o.verbose = 1;
		break;
	case OPT_SHOW_VALUES:
		r->o.show_values = 1;
		break;
	case OPT_SAMPLE_BYTES:
		if (parse_ulong_range(arg, MIN_SAMPLE_BYTES, MAX_SAMPLE_BYTES, &v))
			argp_error(state, "--sample-bytes must be %d..%d, got '%s'",
				   MIN_SAMPLE_BYTES, MAX_SAMPLE_BYTES, arg);
		r->o.sample_bytes = v;
		break;
	case OPT_STATS_INTERVAL:
		if (parse_ulong_range(arg, 1, 86400, &v))
			argp_error(state, "--stats-interval must be 1..86400 seconds, got '%s'",
				   arg);
		r->o.stats_interval = v;
		break;
	case OPT_HOOKS:
		if (!strcmp(arg, "on-demand"))
			r->o.hooks_always = 0;
		else if (!strcmp(arg, "always"))
			r->o.hooks_always = 1;
		else
			argp_error(state, "--hooks must be on-demand or always, got '%s'", arg);
		break;
	case OPT_HOOKS_IDLE:
		if (parse_ulong_range(arg, 0, 3600, &v))
			argp_error(state, "--hooks-idle must be 0..3600 seconds, got '%s'", arg);
		r->o.hooks_idle_s = v;
		break;
	case ARGP_KEY_ARG:
		argp_error(state, "unexpected argument '%s'", arg);
		break;
	case ARGP_KEY_END:
		if ((out->rotate_size || r->rotate_keep_given) &&
		    (!out->path || !strcmp(out->path, "-")))
			argp_error(state, "--rotate-size and --rotate-keep need --output FILE");
		if (r->rotate_keep_given && !out->rotate_size)
			argp_error(state, "--rotate-keep needs --rotate-size");
		if (out->syslog_facility && !out->syslog)
			argp_error(state, "--syslog-facility needs --syslog");
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static int cmd_run(int argc, char **argv)
{
	struct argp argp = { run_options, parse_run, NULL, run_doc, NULL, NULL, NULL };
	static struct run_args r;

	r.o.enforce = 1;
	r.o.sample_bytes = DEFAULT_SAMPLE_BYTES;
	r.o.hooks_idle_s = DEFAULT_HOOKS_IDLE_S;
	r.o.policy_files = r.files;
	/* the default socket is best effort: without it the agent still runs, and says so */
	r.o.output.socket_path = SOCKET_DEFAULT_PATH;
	r.o.output.rotate_keep = DEFAULT_ROTATE_KEEP;
	if (argp_parse(&argp, argc, argv, 0, NULL, &r))
		return 2;
	if (!r.o.n_policy_files)
		r.files[r.o.n_policy_files++] = "policies/default.yaml";
	/* a person at a terminal reads lines; pipes, files and '--output -' keep getting JSON Lines */
	if (!r.json && !r.o.output.path && isatty(STDOUT_FILENO)) {
		r.o.output.terminal = 1;
		r.o.output.colour = !getenv("NO_COLOR");
	}
	return agent_run(&r.o);
}

static const char check_doc[] =
	"idsentry check: validate policy files without loading anything.\n"
	"Exit 0 when every file is valid; else 1, with FILE:LINE:COL diagnostics on\n"
	"stderr. --verbose also explains each quiet entry (what is not reported, and why)."
	"\v"
	"EXAMPLES:\n"
	"  idsentry check policies/default.yaml\n"
	"  idsentry check --verbose policies/default.yaml\n"
	"  idsentry check policies/*.yaml";

struct check_args {
	char *files[MAX_POLICY_FILES];
	size_t n;
	int verbose;
};

static error_t parse_check(int key, char *arg, struct argp_state *state)
{
	struct check_args *c = state->input;

	switch (key) {
	case 'v':
		c->verbose = 1;
		break;
	case ARGP_KEY_ARG:
		if (c->n == MAX_POLICY_FILES)
			argp_error(state, "at most %d files", MAX_POLICY_FILES);
		c->files[c->n++] = arg;
		break;
	case ARGP_KEY_END:
		if (!c->n)
			argp_error(state, "no policy file given");
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

/* The policy's exceptions by design, each with what it lets pass and why, for a reviewer. */
static void explain_quiet(const struct policy *p, FILE *f)
{
	size_t i, k;

	if (!p->n_quiet) {
		fprintf(f, "quiet: none (every send of a process holding an identifier is checked)\n");
		return;
	}
	for (i = 0; i < p->n_quiet; i++) {
		const struct quiet_def *q = &p->quiet[i];
		int first = 1;

		fprintf(f, "quiet '%s': %s messages may carry ", q->name,
			quiet_protocol_name(q->protocol));
		for (k = 0; k < p->n_idents; k++) {
			if (!(q->ident_mask & (1ULL << p->idents[k].bit)))
				continue;
			fprintf(f, "%s%s", first ? "" : ", ", p->idents[k].name);
			first = 0;
		}
		fprintf(f, " where the protocol puts them, from ");
		if (!q->exes.n)
			fprintf(f, "any executable");
		for (k = 0; k < q->exes.n; k++)
			fprintf(f, "%s%s", k ? ", " : "", q->exes.items[k]);
		fprintf(f, "\n  fields: %s\n  why: %s\n  still reported: the same values anywhere "
			   "else in the message, any other identifier, and every other kind of send\n",
			quiet_protocol_fields(q->protocol), q->why);
	}
}

static int cmd_check(int argc, char **argv)
{
	static const struct argp_option opts[] = {
		{ "verbose", 'v', NULL, 0, "Explain each quiet entry of the policy", 0 },
		{},
	};
	struct argp argp = { opts, parse_check, "FILE...", check_doc, NULL, NULL, NULL };
	struct check_args c = {};
	struct diag_list d = {};
	struct policy p = {};
	int n;

	if (argp_parse(&argp, argc, argv, 0, NULL, &c))
		return 2;
	n = policy_load_files(&p, c.files, c.n, &d);
	if (n < 0)
		fprintf(stderr, "idsentry: out of memory\n");
	diag_print(&d, stderr);
	if (!n && c.verbose)
		explain_quiet(&p, stdout);
	policy_free(&p);
	diag_list_free(&d);
	return n != 0;
}

static void usage(FILE *f)
{
	fprintf(f, "Usage: idsentry COMMAND [OPTION...]\n"
		   "Kernel-level monitor of processes that read device identifiers and send\n"
		   "them.\n\n"
		   "Commands:\n"
		   "  run     load the probes and stream alerts (JSON Lines; readable on a "
		   "terminal)\n"
		   "  check   validate policy files\n"
		   "  tail    print a running agent's alerts, one readable line each\n"
		   "  status  show a running agent's probes, counters and policy\n"
		   "  report  summarise record files per process or app (text or HTML)\n\n"
		   "'idsentry COMMAND --help' describes each command.\n");
}

/* Runs a command with argv[0] naming it whole, so that its usage reads "idsentry run". */
static int dispatch(int (*cmd)(int, char **), char *name, int argc, char **argv)
{
	argv[1] = name;
	return cmd(argc - 1, argv + 1);
}

int main(int argc, char **argv)
{
	static char run_name[] = "idsentry run", check_name[] = "idsentry check",
		    tail_name[] = "idsentry tail", status_name[] = "idsentry status",
		    report_name[] = "idsentry report";

	argp_err_exit_status = 2; /* usage errors: 2, as for an unknown command */
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "run"))
		return dispatch(cmd_run, run_name, argc, argv);
	if (!strcmp(argv[1], "check"))
		return dispatch(cmd_check, check_name, argc, argv);
	if (!strcmp(argv[1], "tail"))
		return dispatch(cmd_tail, tail_name, argc, argv);
	if (!strcmp(argv[1], "status"))
		return dispatch(cmd_status, status_name, argc, argv);
	if (!strcmp(argv[1], "report"))
		return dispatch(cmd_report, report_name, argc, argv);
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V")) {
		printf("%s\n", argp_program_version);
		return 0;
	}
	fprintf(stderr, "idsentry: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return 2;
}
