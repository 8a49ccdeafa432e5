// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* report: the `report` command: reads record files (rotated, gzip'd) and prints their summary. */
#include <argp.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <zlib.h>
#include "report.h"
#include "report_html.h"
#include "report_model.h"
#include "report_text.h"
#include "rotate.h"

#define REPORT_MAX_FILES 4096
#define READ_CHUNK (64 * 1024)

static const char report_doc[] =
	"idsentry report: summarise record files (JSON Lines, as run --output writes them): "
	"which processes, or on Android which apps, sent which identifiers, where, how often, "
	"first and last seen; sorted by severity. FILE.1, FILE.2 ... (and FILE.N.gz) beside each "
	"FILE are read too; gzip'd files are read as they are. Bad lines are counted and "
	"reported, never fatal."
	"\v"
	"EXAMPLES:\n"
	"  idsentry report /var/log/idsentry.jsonl\n"
	"  idsentry report /var/log/idsentry.jsonl --html /tmp/idsentry.html\n"
	"  idsentry report --no-rotated phone-*.jsonl.gz\n"
	"  adb shell cat /data/local/tmp/ids.jsonl | idsentry report -\n"
	"\n"
	"Order: highest severity first (critical, high, medium, low), then processes\n"
	"with confirmed alerts before those with only suspected ones, then those\n"
	"blocked or killed, then by number of alerts. Times are UTC. Exit status 0\n"
	"when every file was read (bad lines included), 1 when one could not be, 2 on\n"
	"a usage error.";

enum {
	OPT_HTML = 0x100,
	OPT_NO_ROTATED,
};

static const struct argp_option report_options[] = {
	{ "html", OPT_HTML, "OUT", 0,
	  "Also write the report as one self-contained HTML page (table and timeline) to OUT", 0 },
	{ "no-rotated", OPT_NO_ROTATED, NULL, 0,
	  "Read only the files named, not their rotated siblings FILE.1 ...", 0 },
	{},
};

struct report_args {
	const char *files[REPORT_MAX_FILES];
	size_t n;
	const char *html;
	int no_rotated;
};

static error_t parse_report(int key, char *arg, struct argp_state *state)
{
	struct report_args *a = state->input;

	switch (key) {
	case OPT_HTML:
		if (!*arg)
			argp_error(state, "--html needs a file name");
		a->html = arg;
		break;
	case OPT_NO_ROTATED:
		a->no_rotated = 1;
		break;
	case ARGP_KEY_ARG:
		if (a->n == REPORT_MAX_FILES)
			argp_error(state, "at most %d files", REPORT_MAX_FILES);
		a->files[a->n++] = arg;
		break;
	case ARGP_KEY_END:
		if (!a->n)
			argp_error(state, "no record file given ('-' reads standard input)");
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

/* Files already read, by inode: a rotated file named on the command line is read once. */
struct seen {
	dev_t dev[REPORT_MAX_FILES];
	ino_t ino[REPORT_MAX_FILES];
	size_t n;
};

static int seen_before(struct seen *s, const struct stat *st)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (s->dev[i] == st->st_dev && s->ino[i] == st->st_ino)
			return 1;
	if (s->n < REPORT_MAX_FILES) {
		s->dev[s->n] = st->st_dev;
		s->ino[s->n++] = st->st_ino;
	}
	return 0;
}

struct line_state {
	char *buf;
	size_t len, cap;
	int skipping; /* inside a line longer than REPORT_MAX_LINE */
	unsigned long lineno;
};

static void feed_line(struct report *r, struct line_state *ls, const char *name)
{
	char where[4200];

	ls->lineno++;
	snprintf(where, sizeof(where), "%s:%lu", name, ls->lineno);
	if (ls->skipping) {
		report_add_bad(r, BAD_TOO_LONG, where);
		r->lines++;
	} else {
		ls->buf[ls->len] = 0;
		report_add_line(r, ls->buf, ls->len, where);
	}
	ls->len = 0;
	ls->skipping = 0;
}

static int append(struct line_state *ls, const char *p, size_t n)
{
	char *grown;
	size_t cap;

	if (ls->skipping)
		return 0;
	if (ls->len + n > REPORT_MAX_LINE) {
		ls->skipping = 1;
		return 0;
	}
	if (ls->len + n + 1 > ls->cap) {
		for (cap = ls->cap ? ls->cap : 4096; cap < ls->len + n + 1; cap *= 2)
			;
		grown = realloc(ls->buf, cap);
		if (!grown)
			return -ENOMEM;
		ls->buf = grown;
		ls->cap = cap;
	}
	memcpy(ls->buf + ls->len, p, n);
	ls->len += n;
	return 0;
}

/* Reads one file, plain or gzip'd, line by line into the report. 0, or -1 when the file could
 * not be opened or read to its end (what was read still counts). */
static int read_records(struct report *r, const char *name, int fd)
{
	struct line_state ls = {};
	char *chunk = malloc(READ_CHUNK), *p, *nl, where[4200];
	const char *msg;
	gzFile g = chunk ? gzdopen(fd, "rb") : NULL;
	int n, err = 0, zerr;

	if (!g) {
		fprintf(stderr, "idsentry report: cannot read '%s': %s\n", name,
			fd < 0 ? strerror(errno) : "out of memory");
		free(chunk);
		if (fd >= 0)
			close(fd);
		return -1;
	}
	gzbuffer(g, READ_CHUNK);
	while ((n = gzread(g, chunk, READ_CHUNK)) > 0) {
		for (p = chunk; p < chunk + n; p = nl + 1) {
			nl = memchr(p, '\n', chunk + n - p);
			if (append(&ls, p, (nl ? nl : chunk + n) - p)) {
				r->failed = 1;
				err = -1;
				goto out;
			}
			if (!nl)
				break;
			feed_line(r, &ls, name);
		}
	}
	if (ls.len || ls.skipping)
		feed_line(r, &ls, name); /* the last line had no newline: perhaps cut short */
	msg = gzerror(g, &zerr);
	/* zlib names the stream "<fd:N>: ": the file's name is given instead */
	if (msg && !strncmp(msg, "<fd:", 4) && strstr(msg, ": "))
		msg = strstr(msg, ": ") + 2;
	if (n < 0 || (zerr != Z_OK && zerr != Z_STREAM_END)) {
		snprintf(where, sizeof(where), "%s after line %lu: %s", name, ls.lineno,
			 zerr == Z_ERRNO ? strerror(errno) : msg);
		fprintf(stderr, "idsentry report: reading '%s' stopped after line %lu: %s\n", name,
			ls.lineno, zerr == Z_ERRNO ? strerror(errno) : msg);
		report_add_bad(r, BAD_UNREADABLE, where);
		err = -1;
	}
	r->files++;
	if (!gzdirect(g))
		r->gzip_files++;
out:
	gzclose(g); /* closes fd */
	free(chunk);
	free(ls.buf);
	return err;
}

/* Reads path unless already read; 1 when it does not exist and quiet (a rotated sibling that is
 * not there), 0 when read, -1 on an error. */
static int read_path(struct report *r, struct seen *seen, const char *path, int quiet)
{
	struct stat st;
	int fd;

	if (!strcmp(path, "-"))
		return read_records(r, "(standard input)", dup(STDIN_FILENO));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (quiet && errno == ENOENT)
			return 1;
		fprintf(stderr, "idsentry report: cannot open '%s': %s\n", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) || S_ISDIR(st.st_mode)) {
		fprintf(stderr, "idsentry report: cannot read '%s': %s\n", path,
			S_ISDIR(st.st_mode) ? "a directory" : strerror(errno));
		close(fd);
		return -1;
	}
	if (seen_before(seen, &st)) {
		close(fd);
		return 0;
	}
	return read_records(r, path, fd);
}

/* FILE.N(.gz) … FILE.1, as --rotate-keep and logrotate's compress leave them: oldest first, so
 * that "first at" names the earliest bad line. */
static int read_rotated(struct report *r, struct seen *seen, const char *path)
{
	char name[4096], gz[4100];
	unsigned int k, last = 0;
	int err = 0;

	for (k = 1; k <= ROTATE_MAX_KEEP && !rotate_name(path, k, name, sizeof(name)); k++) {
		snprintf(gz, sizeof(gz), "%s.gz", name);
		if (access(name, F_OK) && access(gz, F_OK))
			break;
		last = k;
	}
	for (k = last; k >= 1; k--) {
		rotate_name(path, k, name, sizeof(name));
		snprintf(gz, sizeof(gz), "%s.gz", name);
		if (read_path(r, seen, name, 1) < 0)
			err = -1;
		if (read_path(r, seen, gz, 1) < 0)
			err = -1;
	}
	return err;
}

static int write_html(const char *path, const struct report *r)
{
	struct strbuf sb;
	FILE *f;
	int err = 0;

	sb_init(&sb);
	report_html(&sb, r);
	if (sb.failed) {
		fprintf(stderr, "idsentry report: out of memory writing the HTML page\n");
		sb_free(&sb);
		return -1;
	}
	f = strcmp(path, "-") ? fopen(path, "w") : stdout;
	if (!f || fwrite(sb.s, 1, sb.len, f) != sb.len || fflush(f) || ferror(f))
		err = -1;
	if (f && f != stdout && fclose(f))
		err = -1;
	if (err)
		fprintf(stderr, "idsentry report: cannot write '%s': %s\n", path, strerror(errno));
	sb_free(&sb);
	return err;
}

int cmd_report(int argc, char **argv)
{
	struct argp argp = { report_options, parse_report, "FILE...", report_doc, NULL, NULL, NULL };
	static struct report_args a;
	static struct seen seen;
	struct report r;
	struct strbuf sb;
	int status = 0;
	size_t i;

	if (argp_parse(&argp, argc, argv, 0, NULL, &a))
		return 2;
	report_init(&r);
	for (i = 0; i < a.n; i++) {
		if (!a.no_rotated && strcmp(a.files[i], "-") && read_rotated(&r, &seen, a.files[i]))
			status = 1;
		if (read_path(&r, &seen, a.files[i], 0) < 0)
			status = 1;
	}
	report_sort(&r);
	if (!r.files) {
		report_free(&r);
		return 1;
	}
	sb_init(&sb);
	report_text(&sb, &r);
	if (!a.html || strcmp(a.html, "-"))
		fputs(sb_str(&sb), stdout);
	if (fflush(stdout) || ferror(stdout))
		status = 1;
	if (a.html && write_html(a.html, &r))
		status = 1;
	if (r.failed)
		status = 1;
	sb_free(&sb);
	report_free(&r);
	return status;
}
