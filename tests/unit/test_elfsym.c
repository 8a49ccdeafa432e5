/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* test_elfsym: the .gnu.hash look-up finds every function the C library exports, as a scan of its
 * .dynsym does, finds nothing it does not export, and stays inside the table when its header or
 * chains are made up (a file on the device may be anything). */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "elfsym.h"
#include "testlib.h"

/* The C library this test runs with, from its own mappings. */
static int libc_path(char *path, size_t size)
{
	char line[4096];
	FILE *f = fopen("/proc/self/maps", "r");
	int found = 0;

	while (f && !found && fgets(line, sizeof(line), f)) {
		char *p = strchr(line, '/');

		if (p && strstr(p, "/libc.so.6")) {
			p[strcspn(p, "\n")] = 0;
			snprintf(path, size, "%s", p);
			found = 1;
		}
	}
	if (f)
		fclose(f);
	return found;
}

static uint8_t *slurp(const char *path, size_t *size)
{
	struct stat st;
	uint8_t *buf;
	int fd = open(path, O_RDONLY);

	if (fd < 0 || fstat(fd, &st)) {
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	buf = malloc(st.st_size);
	*size = st.st_size;
	if (buf && read(fd, buf, st.st_size) != st.st_size) {
		free(buf);
		buf = NULL;
	}
	close(fd);
	return buf;
}

/* Every defined function in .dynsym is found by name, as the name it has. */
static void finds_what_a_scan_finds(Elf *e)
{
	struct elfsym_table t;
	size_t i, functions = 0, found = 0;

	EXPECT_INT(0, elfsym_open(&t, e));
	for (i = 0; i < t.n_syms; i++) {
		GElf_Sym s, got;
		const char *name;

		if (!gelf_getsym(t.syms, (int)i, &s) || s.st_shndx == SHN_UNDEF ||
		    GELF_ST_TYPE(s.st_info) != STT_FUNC)
			continue;
		name = elf_strptr(e, t.str_index, s.st_name);
		if (!name || !*name)
			continue;
		functions++;
		if (elfsym_function(&t, name, &got) && got.st_shndx != SHN_UNDEF &&
		    !strcmp(elf_strptr(e, t.str_index, got.st_name), name))
			found++;
	}
	EXPECT(functions > 500);
	EXPECT_INT(functions, found);
}

static void finds_nothing_else(Elf *e)
{
	struct elfsym_table t;
	GElf_Sym s;

	EXPECT_INT(0, elfsym_open(&t, e));
	EXPECT_INT(0, elfsym_function(&t, "idsentry_not_exported", &s));
	EXPECT_INT(0, elfsym_function(&t, "", &s));
	/* an object, not a function */
	EXPECT_INT(0, elfsym_function(&t, "environ", &s));
	EXPECT_INT(1, elfsym_function(&t, "write", &s));
}

/* Where the .gnu.hash section starts in the file. */
static size_t hash_offset(Elf *e)
{
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;

	while ((scn = elf_nextscn(e, scn)))
		if (gelf_getshdr(scn, &sh) && sh.sh_type == SHT_GNU_HASH)
			return sh.sh_offset;
	return 0;
}

static void put32(uint8_t *at, uint32_t v)
{
	memcpy(at, &v, sizeof(v));
}

/* A made-up header or chain: look-ups return without reading past the section (ASan checks). */
static void stays_inside_a_made_up_table(const uint8_t *file, size_t size, size_t off)
{
	static const struct {
		int word;
		uint32_t value;
	} lies[] = {
		{ 0, 0 },	   { 0, 0xffffffff }, { 1, 0xffffffff }, { 2, 0 },
		{ 2, 0x7fffffff }, { 3, 0xffffffff }, { -1, 0 },
	};
	const char *names[] = { "write", "malloc", "SSL_write", "idsentry_not_exported" };
	size_t k, n;

	for (k = 0; k < sizeof(lies) / sizeof(lies[0]); k++) {
		uint8_t *copy = malloc(size);
		struct elfsym_table t;
		GElf_Sym s;
		Elf *e;

		memcpy(copy, file, size);
		if (lies[k].word >= 0) {
			put32(copy + off + lies[k].word * 4, lies[k].value);
		} else {
			/* every chain word without its end mark: chains run on to the table's end */
			uint32_t nb, bloom, i;

			memcpy(&nb, copy + off, 4);
			memcpy(&bloom, copy + off + 8, 4);
			for (i = 0; i < 4096; i++) {
				size_t at = off + 16 + (size_t)bloom * 8 + (size_t)nb * 4 + i * 4;

				if (at + 4 <= size)
					copy[at] &= ~1;
			}
		}
		e = elf_memory((char *)copy, size);
		EXPECT(e != NULL);
		if (e && !elfsym_open(&t, e))
			for (n = 0; n < sizeof(names) / sizeof(names[0]); n++)
				elfsym_function(&t, names[n], &s);
		if (e)
			elf_end(e);
		free(copy);
	}
}

int main(void)
{
	char path[4096];
	uint8_t *file;
	size_t size = 0, off;
	Elf *e;
	int fd;

	EXPECT_INT(5381, elfsym_gnu_hash(""));
	EXPECT_INT(0x156b2bb8, elfsym_gnu_hash("printf"));
	if (elf_version(EV_CURRENT) == EV_NONE || !libc_path(path, sizeof(path))) {
		fprintf(stderr, "test_elfsym: no libelf or no libc.so.6 in /proc/self/maps\n");
		return 1;
	}
	fd = open(path, O_RDONLY);
	e = fd >= 0 ? elf_begin(fd, ELF_C_READ_MMAP, NULL) : NULL;
	EXPECT(e != NULL);
	if (!e)
		return 1;
	finds_what_a_scan_finds(e);
	finds_nothing_else(e);
	off = hash_offset(e);
	elf_end(e);
	close(fd);
	file = slurp(path, &size);
	EXPECT(file != NULL && off > 0);
	if (file && off)
		stays_inside_a_made_up_table(file, size, off);
	free(file);
	return tl_summary("test_elfsym");
}
