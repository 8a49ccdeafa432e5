// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* rotate: an append-only record file rotated by size to FILE.1 … FILE.keep, oldest dropped. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "rotate.h"

int rotate_name(const char *path, unsigned int n, char *buf, size_t size)
{
	int len = n ? snprintf(buf, size, "%s.%u", path, n) : snprintf(buf, size, "%s", path);

	return len < 0 || (size_t)len >= size ? -ENAMETOOLONG : 0;
}

static int open_current(struct rotfile *r)
{
	struct stat st;

	/* 0640: records name processes and command lines, not for every user; a symbolic link
	 * planted where the log goes would have root append to whatever it points at */
	r->fd = open(r->path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0640);
	if (r->fd < 0)
		return -errno;
	if (fstat(r->fd, &st)) {
		st.st_size = 0;
		st.st_mode = 0;
	}
	/* renaming /dev/null or a FIFO away would break the system, not rotate a log */
	if (r->max_size && !S_ISREG(st.st_mode)) {
		close(r->fd);
		r->fd = -1;
		return -EINVAL;
	}
	r->size = st.st_size;
	return 0;
}

int rotfile_open(struct rotfile *r, const char *path, unsigned long long max_size,
		 unsigned int keep)
{
	memset(r, 0, sizeof(*r));
	r->fd = -1;
	r->max_size = max_size;
	r->keep = keep > ROTATE_MAX_KEEP ? ROTATE_MAX_KEEP : keep;
	r->path = strdup(path);
	if (!r->path)
		return -ENOMEM;
	return open_current(r);
}

/* FILE.keep-1 → FILE.keep, …, FILE → FILE.1: the oldest falls off the end. */
static int rotate(struct rotfile *r)
{
	char from[PATH_MAX], to[PATH_MAX];
	unsigned int i;
	int err;

	if (rotate_name(r->path, r->keep, to, sizeof(to)))
		return -ENAMETOOLONG;
	if (r->keep)
		unlink(to);
	for (i = r->keep; i > 0; i--) {
		if (rotate_name(r->path, i - 1, from, sizeof(from)) ||
		    rotate_name(r->path, i, to, sizeof(to)))
			return -ENAMETOOLONG;
		if (rename(from, to) && errno != ENOENT)
			return -errno;
	}
	close(r->fd);
	r->fd = -1;
	if (!r->keep && unlink(r->path) && errno != ENOENT)
		return -errno;
	err = open_current(r);
	if (!err)
		r->rotations++;
	return err;
}

int rotfile_write(struct rotfile *r, const char *data, size_t len)
{
	size_t done = 0;
	int err;

	if (r->fd < 0) {
		/* a failed rotation left no file: try again rather than lose every later record */
		err = open_current(r);
		if (err)
			return err;
	}
	/* a record bigger than max_size still goes whole into a fresh file */
	if (r->max_size && r->size > 0 && r->size + len > r->max_size) {
		err = rotate(r);
		if (err)
			return err;
	}
	while (done < len) {
		ssize_t n = write(r->fd, data + done, len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		done += n;
		r->size += n;
	}
	return 0;
}

void rotfile_close(struct rotfile *r)
{
	if (r->fd >= 0)
		close(r->fd);
	r->fd = -1;
	free(r->path);
	r->path = NULL;
}
