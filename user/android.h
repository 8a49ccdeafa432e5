/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* android: names the app behind a uid from Android's packages.list, for alerts' process.package. */
#ifndef IDSENTRY_ANDROID_H
#define IDSENTRY_ANDROID_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include <sys/types.h>

/* Written by PackageManager, a line per package: "NAME APPID DEBUGGABLE DATADIR SEINFO GIDS ..." */
#define ANDROID_PACKAGES_LIST "/data/system/packages.list"
/* uid = user id * AID_USER_OFFSET + app id; packages.list holds app ids (user 0's uids). */
#define ANDROID_AID_USER_OFFSET 100000U
#define ANDROID_PACKAGE_BYTES 256 /* longest package name kept, NUL included */

struct android_package {
	uint32_t appid;
	uint32_t order; /* line among the parsed ones */
	char *name;
};

/* packages.list, parsed, re-read when the file changes. */
struct android_packages {
	char *path;
	struct android_package *items; /* sorted by appid; file order among equal appids */
	size_t n;
	int loaded;      /* the file existed and was parsed at the last check */
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtime;
};

/* One-shot lookup: the first package listed for uid's app id, copied into out (truncated to size).
 * Returns 1 when found, 0 when the file does not list it (out = ""), -errno when the file cannot
 * be read (-ENOENT: not Android, or no packages.list). */
int android_package_for_uid(const char *packages_list, uint32_t uid, char *out, size_t size);

/* Cached lookups for the agent: init records the path (NULL: ANDROID_PACKAGES_LIST); lookup
 * re-reads the file when its identity, size or mtime changed, and returns the package name (valid
 * until the next lookup or free) or NULL when the uid has none or the file does not exist. */
int android_packages_init(struct android_packages *p, const char *packages_list);
const char *android_packages_lookup(struct android_packages *p, uint32_t uid);
/* android_packages_lookup with the table as an untyped context, for struct proc_identity. */
const char *android_package_of(void *packages, uint32_t uid);
/* The app id of a package (the uid of its user-0 install). Returns 0, or -ENOENT. */
int android_packages_appid(struct android_packages *p, const char *name, uint32_t *appid);
void android_packages_free(struct android_packages *p);

#endif
