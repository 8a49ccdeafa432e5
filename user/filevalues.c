// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* filevalues: the values in identifier files that are tables (/proc/net/arp). */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "filevalues.h"

/* /proc/net/arp, or a process's own view of it (/proc/PID/net/arp, /proc/self/net/arp). */
static int is_arp_table(const char *path)
{
	size_t n = strlen(path);

	return !strncmp(path, "/proc/", 6) && n >= 8 && !strcmp(path + n - 8, "/net/arp");
}

int filevalues_is_table(const char *path)
{
	return path && is_arp_table(path);
}

static int is_mac(const char *s, size_t n)
{
	size_t i;

	if (n != 17)
		return 0;
	for (i = 0; i < n; i++) {
		int hex = (s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f') ||
			  (s[i] >= 'A' && s[i] <= 'F');

		if (i % 3 == 2 ? s[i] != ':' : !hex)
			return 0;
	}
	return strncmp(s, "00:00:00:00:00:00", 17) != 0;
}

/* "IP address  HW type  Flags  HW address  Mask  Device": the fourth column of each line after
 * the header; incomplete entries (all zeros) are skipped. */
static size_t arp_values(const uint8_t *text, size_t len, filevalue_fn fn, void *ctx)
{
	const char *s = (const char *)text, *end = s + len, *line, *eol;
	size_t found = 0;

	for (line = s; line < end; line = eol + 1) {
		const char *p = line, *word = NULL;
		int col;

		eol = memchr(line, '\n', (size_t)(end - line));
		if (!eol)
			eol = end;
		if (line == s)
			continue; /* the header */
		for (col = 0; col < 4 && p < eol; col++) {
			while (p < eol && (*p == ' ' || *p == '\t'))
				p++;
			word = p;
			while (p < eol && *p != ' ' && *p != '\t')
				p++;
		}
		if (col == 4 && word && is_mac(word, (size_t)(p - word))) {
			fn(ctx, (const uint8_t *)word, (size_t)(p - word));
			found++;
		}
	}
	return found;
}

size_t filevalues_each(const char *path, const uint8_t *text, size_t len, filevalue_fn fn,
		       void *ctx)
{
	return is_arp_table(path) ? arp_values(text, len, fn, ctx) : 0;
}

long filevalues_read(const char *path, filevalue_fn fn, void *ctx)
{
	uint8_t *buf = malloc(FILEVALUES_MAX_BYTES);
	size_t have = 0;
	ssize_t n = 0;
	long found;
	int fd;

	if (!buf)
		return -ENOMEM;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0) {
		found = -errno;
		free(buf);
		return found;
	}
	/* procfs gives a table a page or so per read */
	while (have < FILEVALUES_MAX_BYTES &&
	       (n = read(fd, buf + have, FILEVALUES_MAX_BYTES - have)) > 0)
		have += (size_t)n;
	found = n < 0 ? -errno : (long)filevalues_each(path, buf, have, fn, ctx);
	close(fd);
	free(buf);
	return found;
}
