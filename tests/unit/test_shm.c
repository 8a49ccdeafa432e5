/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* test_shm: /proc/PID/maps lines, a holder's shared writable mappings, and the processes that map
 * them, over a fake /proc. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "shm.h"
#include "testlib.h"

static char root[64];

static void maps(unsigned int pid, const char *text)
{
	char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%u", root, pid);
	mkdir(path, 0700);
	snprintf(path, sizeof(path), "%s/%u/maps", root, pid);
	f = fopen(path, "w");
	fputs(text, f);
	fclose(f);
}

struct found {
	int n;
	uint32_t tgid[8];
	uint64_t mask[8];
};

static void note(void *ctx, uint32_t tgid, const struct shm_object *o)
{
	struct found *f = ctx;

	if (f->n < 8) {
		f->tgid[f->n] = tgid;
		f->mask[f->n++] = o->mask;
	}
}

int main(void)
{
	static struct shm_tracker t;
	struct shm_mapping m;
	struct found f = {};

	EXPECT_INT(0, shm_parse_maps_line("7f00-7f10 rw-s 00000000 00:01 1234   /dev/zero (deleted)\n",
					  &m));
	EXPECT(m.shared && m.writable);
	EXPECT_INT(1234, m.ino);
	EXPECT_STR("/dev/zero (deleted)", m.path);
	EXPECT_INT(0, shm_parse_maps_line("55aa-55bb r--p 00001000 fd:00 99 /usr/bin/python3\n", &m));
	EXPECT(!m.shared && !m.writable);
	/* anonymous private memory has no inode */
	EXPECT_INT(-1, shm_parse_maps_line("7ffd-7ffe rw-p 00000000 00:00 0   [stack]\n", &m));
	EXPECT_INT(-1, shm_parse_maps_line("garbage\n", &m));

	snprintf(root, sizeof(root), "/tmp/idsentry-unit-shm-%d", (int)getpid());
	mkdir(root, 0700);
	/* 10: the holder, sharing memory writable (fork) and a memfd read-only */
	maps(10, "1000-2000 rw-s 00000000 00:01 500 /dev/zero (deleted)\n"
		 "3000-4000 r--s 00000000 00:01 600 /memfd:x (deleted)\n"
		 "5000-6000 rw-p 00000000 00:00 0\n");
	/* 11 maps the same shared memory; 12 only the memfd; 13 nothing */
	maps(11, "1000-2000 rw-s 00000000 00:01 500 /dev/zero (deleted)\n");
	maps(12, "3000-4000 r--s 00000000 00:01 600 /memfd:x (deleted)\n");
	maps(13, "5000-6000 r-xp 00000000 fd:00 77 /bin/sh\n");
	shm_tracker_init(&t, root);
	EXPECT_INT(1, shm_note_holder(&t, 10, 0x4));
	EXPECT_INT(0, shm_note_holder(&t, 10, 0x4));
	shm_find_mappers(&t, 0, note, &f);
	EXPECT_INT(1, f.n);
	EXPECT_INT(11, f.tgid[0]);
	EXPECT_INT(0x4, f.mask[0]);
	/* the agent itself is skipped */
	memset(&f, 0, sizeof(f));
	shm_find_mappers(&t, 11, note, &f);
	EXPECT_INT(0, f.n);
	/* a holder gone: nothing left to follow */
	system("rm -rf /tmp/idsentry-unit-shm-*/10");
	memset(&f, 0, sizeof(f));
	shm_rescan(&t, 0, note, &f);
	EXPECT_INT(0, (int)t.n_holders);
	EXPECT_INT(0, (int)t.n);
	EXPECT_INT(0, f.n);
	system("rm -rf /tmp/idsentry-unit-shm-*");
	return tl_summary("test_shm");
}
