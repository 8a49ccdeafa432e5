/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* dirwatch: notices when the files a policy's globs name may have changed, so they are registered
 * again: inotify on the directories they live in, rtnetlink link events for network interfaces. */
#ifndef IDSENTRY_DIRWATCH_H
#define IDSENTRY_DIRWATCH_H

#include <stddef.h>
#include <stdint.h>

struct policy;

struct dirwatch {
	int inotify_fd;          /* -1 when inotify is unavailable */
	int link_fd;             /* rtnetlink socket in RTMGRP_LINK, or -1 */
	int pending;             /* something changed since the last registration */
	unsigned long long changes, rescans;
};

/* Opens the descriptors (each may fail alone; the agent still runs, with a message). */
void dirwatch_init(struct dirwatch *dw);
/* Watches the deepest glob-free directory of each file the policy names (not modems): a file
 * created, renamed into place or removed there, or an interface added, sets pending. */
void dirwatch_set(struct dirwatch *dw, const struct policy *p);
/* Reads what is queued on fd (one of the two descriptors); sets pending on a relevant change. */
void dirwatch_service(struct dirwatch *dw, int fd);
void dirwatch_free(struct dirwatch *dw);

#endif
