/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* diag: stores FILE:LINE:COL error records and prints them with the source line and a caret. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "diag.h"

int diag_add(struct diag_list *d, const char *file, int line, int col, const char *fmt, ...)
{
	struct diag *items, *e;
	char *message, *name;
	va_list ap;
	int ret;

	va_start(ap, fmt);
	ret = vasprintf(&message, fmt, ap);
	va_end(ap);
	if (ret < 0)
		return -ENOMEM;
	name = strdup(file ? file : "-");
	items = realloc(d->items, (d->n + 1) * sizeof(*items));
	if (!name || !items) {
		free(message);
		free(name);
		/* realloc failure leaves the old array valid and still owned by d */
		if (items)
			d->items = items;
		return -ENOMEM;
	}
	d->items = items;
	e = &items[d->n++];
	e->file = name;
	e->line = line;
	e->col = col;
	e->message = message;
	e->source = NULL;
	e->warning = 0;
	return 0;
}

char *diag_format(const struct diag *e)
{
	char *s;
	int ret;

	const char *kind = e->warning ? "warning" : "error";

	/* A whole-file error has no position worth printing; "FILE:0:0" would only confuse. */
	if (e->line <= 0)
		ret = asprintf(&s, "%s: %s: %s", e->file, kind, e->message);
	else
		ret = asprintf(&s, "%s:%d:%d: %s: %s", e->file, e->line, e->col, kind, e->message);
	return ret < 0 ? NULL : s;
}

/* Writes the caret line; tabs are copied so the caret lines up however wide the terminal's tabs
 * are, and UTF-8 continuation bytes are skipped because libyaml counts columns in characters. */
static void print_caret(const char *source, int col, FILE *out)
{
	const unsigned char *s = (const unsigned char *)source;
	int chars = 0;

	fputs("  ", out);
	for (; *s && chars < col - 1; s++) {
		if ((*s & 0xc0) == 0x80)
			continue;
		fputc(*s == '\t' ? '\t' : ' ', out);
		chars++;
	}
	/* A column past the end of the line (e.g. at end of input) still gets its caret. */
	for (; chars < col - 1; chars++)
		fputc(' ', out);
	fputs("^\n", out);
}

size_t diag_errors(const struct diag_list *d)
{
	size_t i, n = 0;

	for (i = 0; i < d->n; i++)
		n += !d->items[i].warning;
	return n;
}

void diag_print(const struct diag_list *d, FILE *out)
{
	size_t i, errors = diag_errors(d), warnings = d->n - errors;

	for (i = 0; i < d->n; i++) {
		const struct diag *e = &d->items[i];
		char *s = diag_format(e);

		if (s)
			fprintf(out, "%s\n", s);
		else
			fprintf(out, "%s: %s: %s\n", e->file, e->warning ? "warning" : "error",
				e->message);
		free(s);
		if (e->line > 0 && e->source) {
			fprintf(out, "  %s\n", e->source);
			print_caret(e->source, e->col, out);
		}
	}
	if (errors && warnings)
		fprintf(out, "%zu error%s, %zu warning%s\n", errors, errors == 1 ? "" : "s",
			warnings, warnings == 1 ? "" : "s");
	else if (errors)
		fprintf(out, "%zu error%s\n", errors, errors == 1 ? "" : "s");
	else if (warnings)
		fprintf(out, "%zu warning%s\n", warnings, warnings == 1 ? "" : "s");
}

void diag_list_free(struct diag_list *d)
{
	size_t i;

	if (!d)
		return;
	for (i = 0; i < d->n; i++) {
		free(d->items[i].file);
		free(d->items[i].message);
		free(d->items[i].source);
	}
	free(d->items);
	d->items = NULL;
	d->n = 0;
}
