/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* term: turns the records `run` writes into text for a person at a terminal (stdout is a tty). */
#ifndef IDSENTRY_TERM_H
#define IDSENTRY_TERM_H

#include <stddef.h>
#include <stdio.h>
#include "json.h"
#include "jsonread.h"
#include "strbuf.h"

struct term_writer {
	int colour; /* ANSI colours by severity */
	struct strbuf text;
};

void term_init(struct term_writer *t, int colour);
/* The readable form of a record, lines ending in '\n': tail's line for alerts, lost, policy and
 * error records; a short summary of ready (what is attached, what is skipped or degraded and
 * why); one line of the scalar members for anything else, so that no record goes unseen. */
void term_format(struct strbuf *out, const struct jval *rec, int colour);
/* Writes the record to f readably and flushes. Returns 0 or -errno. The text is read back (once,
 * here) because the lines are tail's, and tail has nothing but the text: one formatter for both
 * keeps what a terminal shows and what `idsentry tail` shows the same. */
int term_write(struct term_writer *t, FILE *f, const struct record *r);
void term_free(struct term_writer *t);

#endif
