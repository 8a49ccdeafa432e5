/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* diag: collects FILE:LINE:COL error records and prints them with the source line and a caret. */
#ifndef IDSENTRY_DIAG_H
#define IDSENTRY_DIAG_H

#include <stddef.h>
#include <stdio.h>

struct diag {
	char *file;    /* path as given by the user */
	int line;      /* 1-based; 0 when the error is about the whole file */
	int col;       /* 1-based */
	char *message; /* without the "error: " prefix */
	char *source;  /* the offending source line without its newline, or NULL */
	int warning;   /* a warning: the policy is valid, but something in it deserves a look */
};

struct diag_list {
	struct diag *items;
	size_t n;
};

/* Appends one error; printf-style message. Returns 0, or -ENOMEM. */
int diag_add(struct diag_list *d, const char *file, int line, int col, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
/* Records that are errors, not warnings. */
size_t diag_errors(const struct diag_list *d);
/* Prints every record as "FILE:LINE:COL: error: message" (or "warning:"), the source line and a
 * caret under COL, then "N error(s)" and/or "N warning(s)" when there are any. */
void diag_print(const struct diag_list *d, FILE *out);
/* Formats one record as "FILE:LINE:COL: error: message" into a malloc'd string. */
char *diag_format(const struct diag *e);
void diag_list_free(struct diag_list *d);

#endif
