// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* tail: the `tail` command: follows the agent's socket (or a record file) and prints alerts. */
#include <argp.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include "client.h"
#include "jsonread.h"
#include "numparse.h"
#include "sink_socket.h"
#include "strbuf.h"
#include "tail.h"
#include "tail_format.h"

#define BACKOFF_MIN_MS 100
#define BACKOFF_MAX_MS 2000
#define FOLLOW_POLL_MS 250

static const char tail_doc[] =
	"idsentry tail: print the agent's alerts as they happen, one readable line each.\n"
	"Reads the agent's socket (reconnecting when the agent restarts) or a record\n"
	"file. Filters select alerts; lost and policy notices are always shown."
	"\v"
	"EXAMPLES:\n"
	"  idsentry tail\n"
	"  idsentry tail --min-severity high --comm 'curl*'\n"
	"  idsentry tail --identifier machine-id --identifier mac-address\n"
	"  idsentry tail --json --rule identifier-exfiltration | jq .process\n"
	"  idsentry tail --file /var/log/ids.jsonl --no-follow --pid 4242\n"
	"  idsentry tail --socket /tmp/ids.sock --color never\n"
	"\n"
	"A line: local time, severity, action, process[pid], identifiers (values\n"
	"redacted unless the agent runs with --show-values), destination, evidence\n"
	"and rule. Colours by severity on a terminal (--color, NO_COLOR).";

enum {
	OPT_COLOR = 0x100,
	OPT_NO_FOLLOW,
};

static const struct argp_option tail_options[] = {
	{ "socket", 's', "PATH", 0, "The agent's socket (default " SOCKET_DEFAULT_PATH ")", 0 },
	{ "file", 'f', "FILE", 0, "Read records from FILE ('-' = stdin) instead, following it", 0 },
	{ "no-follow", OPT_NO_FOLLOW, NULL, 0, "With --file: stop at the end of the file", 0 },
	{ "json", 'j', NULL, 0, "Print the records as they are (JSON Lines)", 0 },
	{ "rule", 'r', "NAME", 0, "Only alerts of rule NAME (repeatable)", 1 },
	{ "comm", 'c', "GLOB", 0, "Only alerts from processes whose comm matches GLOB (repeatable)",
	  1 },
	{ "pid", 'p', "PID", 0, "Only alerts from process PID (repeatable)", 1 },
	{ "identifier", 'i', "NAME", 0, "Only alerts naming identifier NAME (repeatable)", 1 },
	{ "min-severity", 'm', "LEVEL", 0,
	  "Only alerts of LEVEL or above: low, medium, high, critical", 1 },
	{ "color", OPT_COLOR, "WHEN", 0, "auto (default: on a terminal), always or never", 2 },
	{ "colour", OPT_COLOR, "WHEN", OPTION_ALIAS, NULL, 2 },
	{},
};

struct tail_args {
	const char *socket;
	const char *file;
	int follow;
	int json;
	int colour; /* -1: auto */
	struct tail_filter filter;
};

static volatile sig_atomic_t exiting;

static void on_signal(int sig)
{
	exiting = 1;
}

#define ADD_FILTER(list, n, value)                                                                 \
	do {                                                                                       \
		if ((n) == TAIL_MAX_FILTERS)                                                       \
			argp_error(state, "at most %d values per filter", TAIL_MAX_FILTERS);       \
		(list)[(n)++] = (value);                                                           \
	} while (0)

static error_t parse_tail(int key, char *arg, struct argp_state *state)
{
	struct tail_args *t = state->input;
	struct tail_filter *f = &t->filter;
	unsigned long v;

	switch (key) {
	case 's':
		t->socket = arg;
		break;
	case 'f':
		t->file = arg;
		break;
	case OPT_NO_FOLLOW:
		t->follow = 0;
		break;
	case 'j':
		t->json = 1;
		break;
	case 'r':
		ADD_FILTER(f->rules, f->n_rules, arg);
		break;
	case 'c':
		ADD_FILTER(f->comms, f->n_comms, arg);
		break;
	case 'p':
		if (parse_ulong_range(arg, 1, 4194304, &v))
			argp_error(state, "--pid must be a process id (1..4194304), got '%s'", arg);
		ADD_FILTER(f->pids, f->n_pids, (long long)v);
		break;
	case 'i':
		ADD_FILTER(f->idents, f->n_idents, arg);
		break;
	case 'm':
		f->min_severity = severity_rank(arg);
		if (!f->min_severity)
			argp_error(state,
				   "unknown --min-severity '%s' (expected low, medium, high or "
				   "critical)",
				   arg);
		break;
	case OPT_COLOR:
		if (!strcmp(arg, "auto"))
			t->colour = -1;
		else if (!strcmp(arg, "always"))
			t->colour = 1;
		else if (!strcmp(arg, "never"))
			t->colour = 0;
		else
			argp_error(state, "unknown --color '%s' (expected auto, always or never)",
				   arg);
		break;
	case ARGP_KEY_ARG:
		argp_error(state, "unexpected argument '%s'", arg);
		break;
	case ARGP_KEY_END:
		if (t->socket && t->file)
			argp_error(state, "--socket and --file exclude each other");
		if (!t->follow && !t->file)
			argp_error(state, "--no-follow goes with --file");
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static void sleep_ms(unsigned int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	nanosleep(&ts, NULL); /* a signal cuts it short, as wanted */
}

/* Prints one line; returns -1 when stdout is gone (a closed pipe ends tail quietly). */
static int handle_line(const struct tail_args *t, struct strbuf *sb, const char *line, size_t len)
{
	struct jdoc d;
	int show = 1, parsed = !jdoc_parse(&d, line, len) && d.root->type == J_OBJ;

	if (parsed)
		show = tail_filter_pass(&t->filter, d.root);
	if (!show) {
		/* filtered out */
	} else if (t->json) {
		fwrite(line, 1, len, stdout);
		fputc('\n', stdout);
	} else if (!parsed) {
		sb_reset(sb);
		sb_puts(sb, "(not a record) ");
		sb_add_printable(sb, line);
		puts(sb_str(sb));
	} else if (tail_format(sb, d.root, t->colour)) {
		puts(sb_str(sb));
	}
	jdoc_free(&d);
	return fflush(stdout) || ferror(stdout) ? -1 : 0;
}

static int follow_socket(const struct tail_args *t, struct strbuf *sb)
{
	const char *path = t->socket ? t->socket : SOCKET_DEFAULT_PATH;
	unsigned int backoff = BACKOFF_MIN_MS;
	struct line_reader r;
	int waited = 0, fd, rc;
	char *line;
	size_t len;

	lr_init(&r, -1, CLIENT_MAX_LINE);
	while (!exiting) {
		fd = client_connect(path);
		if (fd < 0) {
			if (!waited)
				fprintf(stderr,
					"idsentry tail: waiting for an agent on '%s' (%s); is "
					"'idsentry run' running? (--socket PATH names another)\n",
					path, strerror(-fd));
			waited = 1;
			sleep_ms(backoff);
			backoff = backoff * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : backoff * 2;
			continue;
		}
		if (waited)
			fprintf(stderr, "idsentry tail: connected to '%s'\n", path);
		backoff = BACKOFF_MIN_MS;
		lr_reset(&r, fd);
		while ((rc = lr_next(&r, &line, &len)) > 0)
			if (handle_line(t, sb, line, len)) {
				close(fd);
				lr_free(&r);
				return 0;
			}
		close(fd);
		if (exiting)
			break;
		fprintf(stderr, "idsentry tail: lost the agent on '%s' (%s); reconnecting\n", path,
			rc ? strerror(-rc) : "it closed the connection");
		waited = 1;
		sleep_ms(BACKOFF_MIN_MS);
	}
	lr_free(&r);
	return 0;
}

/* Whether the file at path is no longer the one open as fd (rotated), or was truncated. */
static int file_replaced(const char *path, int fd)
{
	struct stat now, open_st;
	off_t pos = lseek(fd, 0, SEEK_CUR);

	if (stat(path, &now) || fstat(fd, &open_st))
		return 0;
	if (now.st_dev != open_st.st_dev || now.st_ino != open_st.st_ino)
		return 1;
	if (pos >= 0 && now.st_size < pos) {
		lseek(fd, 0, SEEK_SET);
		return 0;
	}
	return 0;
}

static int follow_file(const struct tail_args *t, struct strbuf *sb)
{
	int is_stdin = !strcmp(t->file, "-");
	int fd = is_stdin ? 0 : open(t->file, O_RDONLY | O_CLOEXEC);
	struct line_reader r;
	int rc, nfd, status = 0;
	char *line;
	size_t len;

	if (fd < 0) {
		fprintf(stderr, "idsentry tail: cannot open '%s': %s\n", t->file, strerror(errno));
		return 1;
	}
	lr_init(&r, fd, CLIENT_MAX_LINE);
	while (!exiting) {
		rc = lr_next(&r, &line, &len);
		if (rc > 0) {
			if (handle_line(t, sb, line, len))
				break;
			continue;
		}
		if (rc == -EINTR)
			continue;
		if (rc < 0) {
			fprintf(stderr, "idsentry tail: reading '%s' failed: %s\n", t->file,
				strerror(-rc));
			status = 1;
			break;
		}
		if (is_stdin || !t->follow)
			break;
		sleep_ms(FOLLOW_POLL_MS);
		if (file_replaced(t->file, fd)) {
			/* rotated: first read what reached the old file before the rename */
			while (lr_next(&r, &line, &len) > 0)
				if (handle_line(t, sb, line, len))
					break;
			nfd = open(t->file, O_RDONLY | O_CLOEXEC);
			if (nfd >= 0) {
				close(fd);
				fd = nfd;
				lr_reset(&r, fd);
			}
		}
	}
	if (!is_stdin)
		close(fd);
	lr_free(&r);
	return status;
}

int cmd_tail(int argc, char **argv)
{
	struct argp argp = { tail_options, parse_tail, NULL, tail_doc, NULL, NULL, NULL };
	struct tail_args t = { .follow = 1, .colour = -1 };
	struct sigaction sa = { .sa_handler = on_signal }; /* no SA_RESTART: reads return EINTR */
	struct strbuf sb;
	int status;

	if (argp_parse(&argp, argc, argv, 0, NULL, &t))
		return 2;
	if (t.colour < 0)
		t.colour = isatty(STDOUT_FILENO) && !getenv("NO_COLOR");
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	sb_init(&sb);
	status = t.file ? follow_file(&t, &sb) : follow_socket(&t, &sb);
	sb_free(&sb);
	return status;
}
