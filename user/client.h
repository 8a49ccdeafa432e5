/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* client: the reading end of the record stream: connects to the agent's socket, splits lines. */
#ifndef IDSENTRY_CLIENT_H
#define IDSENTRY_CLIENT_H

#include <stddef.h>

#define CLIENT_MAX_LINE (1 << 20)

/* Connects to the agent's socket at path; returns the fd or -errno. */
int client_connect(const char *path);

struct line_reader {
	int fd;
	char *buf;
	size_t start, len, cap; /* unread bytes: buf[start .. len) */
	size_t max;		/* longer lines are skipped */
	int skipping;		/* inside a line being skipped */
	unsigned long long skipped;
};

void lr_init(struct line_reader *r, int fd, size_t max_line);
/* Switches to another fd, forgetting any partial line. */
void lr_reset(struct line_reader *r, int fd);
/* 1 with the next line (NUL-terminated, no '\n') in *line and *len; 0 at end of input (a partial
 * line is kept for the next call, as a followed file grows); -errno on error (-EINTR included). */
int lr_next(struct line_reader *r, char **line, size_t *len);
void lr_free(struct line_reader *r);

#endif
