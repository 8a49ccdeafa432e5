/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* rotate: an append-only record file rotated by size to FILE.1 … FILE.keep, oldest dropped. */
#ifndef IDSENTRY_ROTATE_H
#define IDSENTRY_ROTATE_H

#include <stddef.h>

#define ROTATE_MAX_KEEP 1000

struct rotfile {
	int fd;
	char *path;
	unsigned long long size;     /* bytes in the current file */
	unsigned long long max_size; /* rotate before a record would pass it; 0: never */
	unsigned int keep;	     /* rotated files kept beside the current one */
	unsigned long long rotations;
};

/* Opens (appending to) path. Returns 0 or -errno; -EINVAL when rotation is asked for a path that is
 * not a regular file (a device, a FIFO). */
int rotfile_open(struct rotfile *r, const char *path, unsigned long long max_size,
		 unsigned int keep);
/* Appends one whole record (rotating first when it would pass max_size). 0 or -errno. */
int rotfile_write(struct rotfile *r, const char *data, size_t len);
void rotfile_close(struct rotfile *r);
/* "FILE.n" for n >= 1, "FILE" for n == 0, into buf. Returns -ENAMETOOLONG when it does not fit. */
int rotate_name(const char *path, unsigned int n, char *buf, size_t size);

#endif
