// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* main: the command line (run, check) parsed with argp and handed to the agent or the policy checker. */
#include <argp.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "agent.h"
#include "diag.h"
#include "idsentry.h"
#include "policy.h"

#define MAX_POLICY_FILES 32

const char *argp_program_version = "idsentry " IDSENTRY_VERSION;

static const char run_doc[] =
	"idsentry run: watch identifier reads and outbound sends, and write alerts as JSON Lines.\n"
	"\v"
	"EXAMPLES:\n"
	"  idsentry run --policy policies/default.yaml\n"
	"  idsentry run --policy policies/default.yaml --policy my.yaml --output /var/log/ids.jsonl\n"
	"  idsentry run --mode alert --show-values -v\n"
	"SIGHUP re-reads the policy files; SIGINT/SIGTERM detach everything and exit 0.";

enum {
	OPT_SHOW_VALUES = 0x100,
	OPT_SAMPLE_BYTES,
	OPT_STATS_INTERVAL,
};

static const struct argp_option run_options[] = {
	{ "policy", 'p', "FILE", 0, "Policy file (repeatable; default policies/default.yaml)", 0 },
	{ "output", 'o', "FILE", 0, "Write records to FILE ('-' = stdout, the default)", 0 },
	{ "mode", 'm', "MODE", 0, "enforce (default: apply rule actions) or alert (never block)", 0 },
	{ "socket", 's', "PATH", 0, "Control socket path (reserved for tail/status)", 0 },
	{ "show-values", OPT_SHOW_VALUES, NULL, 0, "Print identifier values unredacted", 0 },
	{ "sample-bytes", OPT_SAMPLE_BYTES, "N", 0, "Payload bytes sampled per send (256..4096)", 0 },
	{ "stats-interval", OPT_STATS_INTERVAL, "SECONDS", 0, "Write a stats record every SECONDS", 0 },
	{ "verbose", 'v', NULL, 0, "Print libbpf debug output", 0 },
	{},
};

struct run_args {
	struct agent_opts o;
	char *files[MAX_POLICY_FILES];
};

/* Parses an unsigned number in [lo, hi]; returns 0 or -EINVAL. */
static int parse_range(const char *s, unsigned long lo, unsigned long hi, unsigned long *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || v < lo || v > hi || s[0] == '-')
		return -EINVAL;
	*out = v;
	return 0;
}

static error_t parse_run(int key, char *arg, struct argp_state *state)
{
	struct run_args *r = state->input;
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
	case 'm':
		if (!strcmp(arg, "enforce"))
			r->o.enforce = 1;
		else if (!strcmp(arg, "alert"))
			r->o.enforce = 0;
		else
			argp_error(state, "unknown --mode '%s' (expected enforce or alert)", arg);
		break;
	case 's':
		break;
	case 'v':
		r->o.verbose = 1;
		break;
	case OPT_SHOW_VALUES:
		r->o.show_values = 1;
		break;
	case OPT_SAMPLE_BYTES:
		if (parse_range(arg, MIN_SAMPLE_BYTES, MAX_SAMPLE_BYTES, &v))
			argp_error(state, "--sample-bytes must be %d..%d, got '%s'",
				   MIN_SAMPLE_BYTES, MAX_SAMPLE_BYTES, arg);
		r->o.sample_bytes = v;
		break;
	case OPT_STATS_INTERVAL:
		if (parse_range(arg, 1, 86400, &v))
			argp_error(state, "--stats-interval must be 1..86400 seconds, got '%s'", arg);
		r->o.stats_interval = v;
		break;
	case ARGP_KEY_ARG:
		argp_error(state, "unexpected argument '%s'", arg);
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
	r.o.policy_files = r.files;
	if (argp_parse(&argp, argc, argv, 0, NULL, &r))
		return 2;
	if (!r.o.n_policy_files)
		r.files[r.o.n_policy_files++] = "policies/default.yaml";
	return agent_run(&r.o);
}

static const char check_doc[] =
	"idsentry check: validate policy files without loading anything.\n"
	"Exit 0 when every file is valid; else 1, with FILE:LINE:COL diagnostics on stderr."
	"\v"
	"EXAMPLES:\n"
	"  idsentry check policies/default.yaml\n"
	"  idsentry check policies/*.yaml";

struct check_args {
	char *files[MAX_POLICY_FILES];
	size_t n;
};

static error_t parse_check(int key, char *arg, struct argp_state *state)
{
	struct check_args *c = state->input;

	switch (key) {
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

static int cmd_check(int argc, char **argv)
{
	static const struct argp_option none[] = { {} };
	struct argp argp = { none, parse_check, "FILE...", check_doc, NULL, NULL, NULL };
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
	policy_free(&p);
	diag_list_free(&d);
	return n != 0;
}

static void usage(FILE *f)
{
	fprintf(f, "Usage: idsentry COMMAND [OPTION...]\n"
		   "Kernel-level monitor of processes that read device identifiers and send them.\n\n"
		   "Commands:\n"
		   "  run     load the probes and stream alerts (JSON Lines)\n"
		   "  check   validate policy files\n\n"
		   "'idsentry COMMAND --help' describes each command.\n");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "run"))
		return cmd_run(argc - 1, argv + 1);
	if (!strcmp(argv[1], "check"))
		return cmd_check(argc - 1, argv + 1);
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
