/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* elfsym: looks up the functions an ELF file exports by name through its .gnu.hash table. */
#ifndef IDSENTRY_ELFSYM_H
#define IDSENTRY_ELFSYM_H

#include <stddef.h>
#include <stdint.h>
#include <gelf.h>
#include <libelf.h>

/* The exported symbols of one open Elf: .dynsym, its string table and its GNU hash table. */
struct elfsym_table {
	Elf *e;
	Elf_Data *syms;		/* .dynsym */
	size_t n_syms;
	size_t str_index;	/* section index of .dynstr */
	const uint8_t *hash;	/* .gnu.hash */
	size_t hash_size;
	int words64;		/* the Bloom filter's words are 64-bit (ELFCLASS64) */
};

/* Finds .gnu.hash and the .dynsym it indexes; returns 0, or -1 when the file has none (the
 * caller may scan .dynsym instead) or the table's header does not fit its section. */
int elfsym_open(struct elfsym_table *t, Elf *e);

/* The function named name that the file defines (STT_FUNC, not undefined), into *sym; returns 1
 * found, 0 absent. Reads only the hash table's words on the way and the candidates' names. */
int elfsym_function(const struct elfsym_table *t, const char *name, GElf_Sym *sym);

/* The GNU hash of a name (the dynamic linker's, also for unit tests). */
uint32_t elfsym_gnu_hash(const char *name);

#endif
