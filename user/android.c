// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* android: names the app behind a uid from Android's packages.list, for alerts' process.package. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "android.h"

/* Package names are Java-like: letters, digits, '_' and '.'; anything else means a corrupt line. */
static int valid_package(const char *s, size_t len)
{
	size_t i;

	if (!len || len >= ANDROID_PACKAGE_BYTES)
		return 0;
	for (i = 0; i < len; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '.'))
			return 0;
	}
	return 1;
}

/* Splits "NAME APPID ..." into its first two fields. Returns 0 when the line has both and they are
 * well formed. */
static int parse_line(const char *line, const char **name, size_t *name_len, uint32_t *appid)
{
	const char *p = line, *end;
	unsigned long v;
	char *num_end;

	while (*p == ' ' || *p == '\t')
		p++;
	end = p + strcspn(p, " \t\r\n");
	if (!valid_package(p, end - p))
		return -1;
	*name = p;
	*name_len = end - p;
	p = end;
	while (*p == ' ' || *p == '\t')
		p++;
	if (*p < '0' || *p > '9')
		return -1;
	errno = 0;
	v = strtoul(p, &num_end, 10);
	if (errno || v > UINT32_MAX || (*num_end && !strchr(" \t\r\n", *num_end)))
		return -1;
	*appid = v;
	return 0;
}

static uint32_t appid_of(uint32_t uid)
{
	return uid % ANDROID_AID_USER_OFFSET;
}

int android_package_for_uid(const char *packages_list, uint32_t uid, char *out, size_t size)
{
	uint32_t want = appid_of(uid), appid;
	char line[1024];
	const char *name;
	size_t len;
	FILE *f;
	int found = 0;

	if (size)
		out[0] = 0;
	f = fopen(packages_list, "re");
	if (!f)
		return -errno;
	while (!found && fgets(line, sizeof(line), f)) {
		int whole = strchr(line, '\n') || feof(f);

		if (!parse_line(line, &name, &len, &appid) && appid == want) {
			if (size)
				snprintf(out, size, "%.*s", (int)len, name);
			found = 1;
		}
		/* skip the rest of an overlong line (GIDS lists can be long) */
		while (!whole && fgets(line, sizeof(line), f))
			whole = strchr(line, '\n') != NULL;
	}
	if (ferror(f) && !found) {
		fclose(f);
		return -EIO;
	}
	fclose(f);
	return found;
}

static void clear_items(struct android_packages *p)
{
	size_t i;

	for (i = 0; i < p->n; i++)
		free(p->items[i].name);
	free(p->items);
	p->items = NULL;
	p->n = 0;
	p->loaded = 0;
}

static int cmp_appid(const void *a, const void *b)
{
	const struct android_package *x = a, *y = b;

	if (x->appid != y->appid)
		return x->appid < y->appid ? -1 : 1;
	/* qsort is not stable: keep file order among a shared uid's packages */
	return x->order < y->order ? -1 : x->order > y->order;
}

static int load(struct android_packages *p, FILE *f)
{
	char line[1024];
	size_t cap = 0, len;
	const char *name;
	uint32_t appid;

	while (fgets(line, sizeof(line), f)) {
		int whole = strchr(line, '\n') || feof(f);

		if (!parse_line(line, &name, &len, &appid)) {
			if (p->n == cap) {
				size_t ncap = cap ? cap * 2 : 64;
				struct android_package *n = realloc(p->items, ncap * sizeof(*n));

				if (!n)
					return -ENOMEM;
				p->items = n;
				cap = ncap;
			}
			p->items[p->n].appid = appid;
			p->items[p->n].order = p->n;
			p->items[p->n].name = strndup(name, len);
			if (!p->items[p->n].name)
				return -ENOMEM;
			p->n++;
		}
		while (!whole && fgets(line, sizeof(line), f))
			whole = strchr(line, '\n') != NULL;
	}
	if (ferror(f))
		return -EIO;
	return 0;
}

/* Re-reads the file when it is not the one parsed last time; keeps nothing when it is gone. */
static void refresh(struct android_packages *p)
{
	struct stat st;
	FILE *f;
	int err;

	if (stat(p->path, &st)) {
		clear_items(p);
		return;
	}
	if (p->loaded && st.st_dev == p->dev && st.st_ino == p->ino && st.st_size == p->size &&
	    st.st_mtim.tv_sec == p->mtime.tv_sec && st.st_mtim.tv_nsec == p->mtime.tv_nsec)
		return;
	clear_items(p);
	f = fopen(p->path, "re");
	if (!f)
		return;
	/* fstat: the identity recorded must be that of the file actually parsed */
	if (fstat(fileno(f), &st)) {
		fclose(f);
		return;
	}
	err = load(p, f);
	fclose(f);
	if (err) {
		clear_items(p);
		return;
	}
	qsort(p->items, p->n, sizeof(*p->items), cmp_appid);
	p->loaded = 1;
	p->dev = st.st_dev;
	p->ino = st.st_ino;
	p->size = st.st_size;
	p->mtime = st.st_mtim;
}

int android_packages_init(struct android_packages *p, const char *packages_list)
{
	memset(p, 0, sizeof(*p));
	p->path = strdup(packages_list ? packages_list : ANDROID_PACKAGES_LIST);
	return p->path ? 0 : -ENOMEM;
}

const char *android_packages_lookup(struct android_packages *p, uint32_t uid)
{
	uint32_t want = appid_of(uid);
	size_t lo = 0, hi;

	if (!p->path)
		return NULL;
	refresh(p);
	/* first entry with appid >= want */
	hi = p->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (p->items[mid].appid < want)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < p->n && p->items[lo].appid == want ? p->items[lo].name : NULL;
}

void android_packages_free(struct android_packages *p)
{
	clear_items(p);
	free(p->path);
	p->path = NULL;
}

int android_packages_appid(struct android_packages *p, const char *name, uint32_t *appid)
{
	size_t i;

	if (!p->path)
		return -ENOENT;
	refresh(p);
	for (i = 0; i < p->n; i++) {
		if (!strcmp(p->items[i].name, name)) {
			*appid = p->items[i].appid;
			return 0;
		}
	}
	return -ENOENT;
}

const char *android_package_of(void *packages, uint32_t uid)
{
	return android_packages_lookup(packages, uid);
}
