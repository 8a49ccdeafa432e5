/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* output: the JSON Lines sink (stdout or a file) every record goes through. */
#ifndef IDSENTRY_OUTPUT_H
#define IDSENTRY_OUTPUT_H

#include <stdio.h>
#include "json.h"

struct output {
	FILE *f;
	int owned;
	unsigned long long records;
	unsigned long long write_errors;
};

/* path NULL or "-": stdout. Returns 0 or -errno after printing why. */
int output_open(struct output *o, const char *path);
/* Closes the record's top-level object and writes it as one line, flushed. */
void output_write(struct output *o, struct json *j);
void output_close(struct output *o);

#endif
