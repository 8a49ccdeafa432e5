/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* test_android: resolves uids to app package names from sample Android packages.list files. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "android.h"
#include "testlib.h"

static char sample[512];

/* tests/unit/data/packages.list, found beside this source (the tests run from the repository). */
static void locate_sample(void)
{
	const char *slash = strrchr(__FILE__, '/');

	snprintf(sample, sizeof(sample), "%.*sdata/packages.list",
		 slash ? (int)(slash - __FILE__ + 1) : 0, __FILE__);
}

static const char *lookup(uint32_t uid)
{
	static char out[ANDROID_PACKAGE_BYTES];
	int ret = android_package_for_uid(sample, uid, out, sizeof(out));

	return ret == 1 ? out : ret == 0 ? "(none)" : "(error)";
}

static void test_one_shot(void)
{
	char small[8];

	EXPECT_STR("com.example.tracker", lookup(10123));
	EXPECT_STR("com.example.weather", lookup(10087));
	/* the line with 200 supplementary gids is longer than the line buffer */
	EXPECT_STR("com.google.android.gms", lookup(10146));
	/* a shared uid names the first package listed */
	EXPECT_STR("android", lookup(1000));
	EXPECT_STR("com.android.phone", lookup(1001));
	/* secondary users: uid = user * 100000 + app id */
	EXPECT_STR("com.example.tracker", lookup(10 * 100000 + 10123));
	EXPECT_STR("com.android.bluetooth", lookup(150 * 100000 + 1002));
	/* not an app, or a line the parser must reject */
	EXPECT_STR("(none)", lookup(0));
	EXPECT_STR("(none)", lookup(2000));
	EXPECT_STR("(none)", lookup(10999));
	EXPECT_STR("(none)", lookup(99123)); /* isolated process range: no package */

	EXPECT_INT(1, android_package_for_uid(sample, 10123, small, sizeof(small)));
	EXPECT_STR("com.exa", small);
	EXPECT_INT(-ENOENT, android_package_for_uid("/nonexistent/packages.list", 10123, small,
						    sizeof(small)));
	EXPECT_STR("", small);
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (!f) {
		perror(path);
		exit(1);
	}
	fputs(text, f);
	fclose(f);
}

static void test_cached(void)
{
	char dir[] = "/tmp/test_android.XXXXXX", path[256], tmp[256];
	struct android_packages pk;
	const char *s;

	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		exit(1);
	}
	snprintf(path, sizeof(path), "%s/packages.list", dir);
	snprintf(tmp, sizeof(tmp), "%s/packages.list.tmp", dir);

	EXPECT_INT(0, android_packages_init(&pk, sample));
	EXPECT_STR("com.example.tracker", android_packages_lookup(&pk, 10123));
	EXPECT_STR("android", android_packages_lookup(&pk, 1000));
	EXPECT_STR("com.android.phone", android_packages_lookup(&pk, 1001));
	EXPECT_STR("com.google.android.gms", android_packages_lookup(&pk, 1210146));
	EXPECT(android_packages_lookup(&pk, 0) == NULL);
	EXPECT(android_packages_lookup(&pk, 10999) == NULL);
	android_packages_free(&pk);

	/* no file: not Android; the file appearing later is picked up */
	EXPECT_INT(0, android_packages_init(&pk, path));
	EXPECT(android_packages_lookup(&pk, 10123) == NULL);
	write_file(path, "com.example.first 10123 0 /data/user/0/com.example.first default 3003\n");
	EXPECT_STR("com.example.first", android_packages_lookup(&pk, 10123));

	/* PackageManager replaces the file by rename: a new inode, so it is re-read */
	write_file(tmp, "com.example.second 10123 0 /data/user/0/com.example.second default 3003\n"
			"com.example.other 10200 0 /data/user/0/com.example.other default 3003\n");
	EXPECT_INT(0, rename(tmp, path));
	s = android_packages_lookup(&pk, 10123);
	EXPECT_STR("com.example.second", s);
	EXPECT_STR("com.example.other", android_packages_lookup(&pk, 10200));

	/* uninstalled with the file: nothing is known any more */
	unlink(path);
	EXPECT(android_packages_lookup(&pk, 10123) == NULL);
	android_packages_free(&pk);
	rmdir(dir);
}

int main(void)
{
	locate_sample();
	test_one_shot();
	test_cached();
	return tl_summary("test_android");
}
