// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* dirwatch: notices when the files a policy's globs name may have changed, so they are registered
 * again: inotify on the directories they live in, rtnetlink link events for network interfaces. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/inotify.h>
#include <sys/socket.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include "dirwatch.h"
#include "policy.h"

#define DIR_EVENTS (IN_CREATE | IN_MOVED_TO | IN_DELETE | IN_MOVED_FROM | IN_DELETE_SELF)

void dirwatch_init(struct dirwatch *dw)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK, .nl_groups = RTMGRP_LINK };

	memset(dw, 0, sizeof(*dw));
	dw->inotify_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (dw->inotify_fd < 0)
		fprintf(stderr, "idsentry: inotify_init1: %s: identifier files created after start "
				"are watched only after a reload (SIGHUP)\n", strerror(errno));
	/* sysfs sends no inotify events for interfaces that appear: the kernel's link events do */
	dw->link_fd = socket(AF_NETLINK, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (dw->link_fd >= 0 && bind(dw->link_fd, (struct sockaddr *)&sa, sizeof(sa))) {
		close(dw->link_fd);
		dw->link_fd = -1;
	}
}

/* The longest leading run of a path's directories without glob characters. */
static void glob_free_dir(const char *path, char *dir, size_t size)
{
	size_t cut = strcspn(path, "*?[");
	char *slash;

	snprintf(dir, size, "%.*s", (int)cut, path);
	slash = strrchr(dir, '/');
	if (slash)
		slash[slash == dir ? 1 : 0] = 0;
}

void dirwatch_set(struct dirwatch *dw, const struct policy *p)
{
	char dir[PATH_MAX];
	size_t i, j;

	if (dw->inotify_fd < 0)
		return;
	/* a fresh descriptor drops the watches of a previous policy */
	close(dw->inotify_fd);
	dw->inotify_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	for (i = 0; dw->inotify_fd >= 0 && i < p->n_idents; i++)
		for (j = 0; j < p->idents[i].files.n; j++) {
			glob_free_dir(p->idents[i].files.items[j], dir, sizeof(dir));
			/* a directory that does not exist yet is not watched (its parent may come) */
			inotify_add_watch(dw->inotify_fd, dir, DIR_EVENTS | IN_ONLYDIR);
		}
}

void dirwatch_service(struct dirwatch *dw, int fd)
{
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	ssize_t n;
	int rounds = 0;

	/* bounded: a storm of changes is one rescan anyway */
	while (rounds++ < 64 && (n = read(fd, buf, sizeof(buf))) > 0) {
		dw->changes++;
		dw->pending = 1;
	}
}

void dirwatch_free(struct dirwatch *dw)
{
	if (dw->inotify_fd >= 0)
		close(dw->inotify_fd);
	if (dw->link_fd >= 0)
		close(dw->link_fd);
	dw->inotify_fd = dw->link_fd = -1;
}
