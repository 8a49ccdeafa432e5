/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* report_model: folds record lines into one summary per process or app, counting bad input. */
#ifndef IDSENTRY_REPORT_MODEL_H
#define IDSENTRY_REPORT_MODEL_H

#include <stddef.h>

#define REPORT_MAX_LINE (1 << 20)     /* longer lines are counted as bad, not parsed */
#define REPORT_MAX_ITEMS 64	      /* identifiers, destinations, ... listed per subject */
#define REPORT_MAX_SUBJECTS 10000     /* processes and apps; alerts of further ones are counted */
#define REPORT_MAX_MARKS 5000	      /* alerts of one subject drawn on the timeline */

/* A name with how often it was seen, and how often in confirmed and suspected alerts. */
struct report_count {
	char *name;
	unsigned long long n, confirmed, suspected;
};

struct report_list {
	struct report_count *items;
	size_t n, cap;
	unsigned long long other; /* counted under names beyond REPORT_MAX_ITEMS */
};

/* One alert record on the timeline. */
struct report_mark {
	long long ts_us;
	int confirmed;
	int enforced;		 /* blocked or killed */
	unsigned long long count; /* alerts it stands for (folded repeats) */
	char *what;		 /* "imei to host:443/tcp", for the mark's tooltip */
};

/* A process (its executable; its comm when that is unknown) or, on Android, an app (package). */
struct report_subject {
	char *key;
	char *package; /* NULL off Android */
	char *exe, *comm;
	long long uid; /* -1: unknown */
	int uids_vary;
	int severity; /* the highest, SEV_* */
	unsigned long long alerts, records, confirmed, suspected, enforced;
	long long first_us, last_us;
	struct report_list idents, channels, dests, actions, rules, pids;
	struct report_mark *marks;
	size_t n_marks, cap_marks;
	unsigned long long marks_dropped;
};

enum report_bad_kind {
	BAD_TRUNCATED,	 /* a record cut short (starts as JSON, does not parse) */
	BAD_NOT_JSON,	 /* a line that is no JSON at all */
	BAD_NOT_RECORD,	 /* JSON, but not an object with a "type" */
	BAD_UNKNOWN_TYPE, /* a record type idsentry does not write */
	BAD_TOO_LONG,	 /* longer than REPORT_MAX_LINE */
	BAD_UNREADABLE,	 /* a file, or the rest of it, could not be read (a damaged gzip) */
	BAD__COUNT,
};

struct report {
	struct report_subject **subjects;
	size_t n_subjects, cap_subjects;
	size_t *index; /* open-addressing hash of subjects by key: slot → subject + 1 */
	size_t index_cap;
	unsigned long long subjects_dropped; /* alerts beyond REPORT_MAX_SUBJECTS subjects */
	unsigned long long lines, records, alerts, alert_records;
	long long first_us, last_us; /* over every record with a time */
	struct report_list types;    /* records by type */
	struct report_list lost;     /* "where: cause" → events lost */
	struct report_list policies; /* policy reloads by status */
	unsigned long long bad[BAD__COUNT];
	char *bad_first[BAD__COUNT]; /* "FILE:LINE" of the first of each kind */
	struct report_list unknown_types;
	unsigned long long files, gzip_files;
	int failed; /* out of memory: the report is incomplete */
};

void report_init(struct report *r);
void report_free(struct report *r);
/* One line of a record file (no '\n'; NUL-terminated at len). where: "FILE:LINE" for the first
 * bad line of each kind. */
void report_add_line(struct report *r, const char *line, size_t len, const char *where);
/* A line or a whole file that could not be read. */
void report_add_bad(struct report *r, enum report_bad_kind kind, const char *where);
/* Sorts the subjects (after the last line: lines added later would not find them): highest
 * severity first (critical, high, medium, low), then those with
 * confirmed alerts, then those with blocked or killed ones, then by alerts, then by name. Lists
 * are sorted by count, most first. */
void report_sort(struct report *r);
/* "curl (/usr/bin/curl)", "com.example.app": how a subject is named. Into buf. */
void report_subject_name(const struct report_subject *s, char *buf, size_t size);
/* Microseconds since the epoch of an RFC 3339 time; -1 when unparsable. */
long long report_parse_time(const char *rfc3339);
/* "2026-11-23 08:10:29" (UTC) into buf. */
void report_format_time(long long us, char *buf, size_t size);
extern const char *const report_bad_names[BAD__COUNT];

#endif
