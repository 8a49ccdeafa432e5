// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* client: the reading end of the record stream: connects to the agent's socket, splits lines. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include "client.h"

int client_connect(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd, err;

	if (strlen(path) >= sizeof(sa.sun_path))
		return -ENAMETOOLONG;
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		err = -errno;
		close(fd);
		return err;
	}
	return fd;
}

void lr_init(struct line_reader *r, int fd, size_t max_line)
{
	memset(r, 0, sizeof(*r));
	r->fd = fd;
	r->max = max_line;
}

void lr_reset(struct line_reader *r, int fd)
{
	r->fd = fd;
	r->start = r->len = 0;
	r->skipping = 0;
}

int lr_next(struct line_reader *r, char **line, size_t *len)
{
	for (;;) {
		char *nl = r->len > r->start ? memchr(r->buf + r->start, '\n', r->len - r->start)
					     : NULL;
		ssize_t n;

		if (nl) {
			char *s = r->buf + r->start;

			*nl = 0;
			r->start = nl + 1 - r->buf;
			if (r->skipping) {
				r->skipping = 0;
				continue;
			}
			*line = s;
			*len = nl - s;
			return 1;
		}
		/* no whole line: make room */
		if (r->start) {
			memmove(r->buf, r->buf + r->start, r->len - r->start);
			r->len -= r->start;
			r->start = 0;
		}
		if (r->len >= r->max) {
			/* too long to be a record: skip to the next newline */
			if (!r->skipping)
				r->skipped++;
			r->skipping = 1;
			r->len = 0;
		}
		if (r->cap - r->len < 4096) {
			size_t cap = r->cap ? r->cap * 2 : 65536;
			char *b;

			if (cap > r->max + 4096)
				cap = r->max + 4096;
			b = realloc(r->buf, cap + 1);
			if (!b)
				return -ENOMEM;
			r->buf = b;
			r->cap = cap;
		}
		n = read(r->fd, r->buf + r->len, r->cap - r->len);
		if (n < 0)
			return -errno;
		if (n == 0)
			return 0;
		r->len += n;
	}
}

void lr_free(struct line_reader *r)
{
	free(r->buf);
	memset(r, 0, sizeof(*r));
	r->fd = -1;
}
