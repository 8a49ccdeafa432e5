// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* util: what the Android VM's programs share besides Binder: option numbers, and taking on the
 * identity (uid, process name) an Android process has. */
#include <errno.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>
#include "util.h"

int parse_uint(const char *s, unsigned long max, unsigned long *out)
{
	char *end;

	errno = 0;
	*out = strtoul(s, &end, 10);
	return errno || end == s || *end || *out > max ? -1 : 0;
}

int drop_to_uid(const char *who, uid_t uid)
{
	if (setgroups(0, NULL) || setresgid(uid, uid, uid) || setresuid(uid, uid, uid)) {
		int err = -errno;

		fprintf(stderr, "%s: setresuid %u: %s\n", who, (unsigned int)uid, strerror(errno));
		return err;
	}
	return 0;
}

void set_process_name(const char *name, char *argv0, size_t area)
{
	size_t len = strlen(name);

	prctl(PR_SET_NAME, len > 15 ? name + len - 15 : name, 0, 0, 0);
	if (!argv0 || !area)
		return;
	memset(argv0, 0, area);
	memcpy(argv0, name, len < area - 1 ? len : area - 1);
}

size_t argv_area(int argc, char **argv)
{
	int i;

	/* the strings the kernel laid out back to back; stop at the first that is not */
	for (i = 1; i < argc; i++)
		if (argv[i] != argv[i - 1] + strlen(argv[i - 1]) + 1)
			break;
	return argc ? (size_t)(argv[i - 1] + strlen(argv[i - 1]) + 1 - argv[0]) : 0;
}
