/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* strbuf: a growable NUL-terminated string for building lines (syslog, tail and status). */
#ifndef IDSENTRY_STRBUF_H
#define IDSENTRY_STRBUF_H

#include <stddef.h>

struct strbuf {
	char *s;
	size_t len, cap;
	int failed; /* an allocation failed: the contents are incomplete */
};

void sb_init(struct strbuf *b);
void sb_free(struct strbuf *b);
void sb_reset(struct strbuf *b);
void sb_add(struct strbuf *b, const char *s, size_t n);
void sb_puts(struct strbuf *b, const char *s);
void sb_printf(struct strbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The contents, "" when empty. */
const char *sb_str(const struct strbuf *b);

#endif
