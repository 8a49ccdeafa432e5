// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* elfsym: looks up the functions an ELF file exports by name through its .gnu.hash table, as the
 * dynamic linker does: a Bloom filter word, a bucket, a short chain, the candidates' names.
 *
 * Why not a scan of .dynsym: the file is mapped (libelf's ELF_C_READ_MMAP), and every page a scan
 * reads counts in the agent's RSS while the mapping lasts. Node exports all of OpenSSL and V8:
 * its .dynsym and .dynstr are 7 MiB, and the scan at start raised the agent's peak RSS by 7 MiB
 * (VmHWM 32.8 MiB, of which the ring buffer is 16). A look-up reads a few pages.
 *
 * The table comes from a file on the device, which anyone may have written: every index is
 * checked against its section before it is followed, and a chain is followed at most as far as
 * there are symbols. */
#include <string.h>
#include "elfsym.h"

#define GNU_HASH_HEADER 16 /* nbuckets, symoffset, bloom_size, bloom_shift: four 32-bit words */

uint32_t elfsym_gnu_hash(const char *name)
{
	uint32_t h = 5381;

	for (; *name; name++)
		h = h * 33 + (uint8_t)*name;
	return h;
}

static uint32_t word32(const struct elfsym_table *t, size_t off)
{
	uint32_t v;

	memcpy(&v, t->hash + off, sizeof(v));
	return v;
}

static uint64_t bloom_word(const struct elfsym_table *t, size_t off)
{
	uint64_t v64;
	uint32_t v32;

	if (t->words64) {
		memcpy(&v64, t->hash + off, sizeof(v64));
		return v64;
	}
	memcpy(&v32, t->hash + off, sizeof(v32));
	return v32;
}

int elfsym_open(struct elfsym_table *t, Elf *e)
{
	Elf_Scn *scn = NULL, *syms;
	GElf_Shdr sh, ssh;
	Elf_Data *d;

	memset(t, 0, sizeof(*t));
	t->e = e;
	while ((scn = elf_nextscn(e, scn)))
		if (gelf_getshdr(scn, &sh) && sh.sh_type == SHT_GNU_HASH)
			break;
	if (!scn)
		return -1;
	/* the hash table's link is the symbol table it indexes, whose link is its strings */
	syms = elf_getscn(e, sh.sh_link);
	if (!syms || !gelf_getshdr(syms, &ssh) || ssh.sh_type != SHT_DYNSYM || !ssh.sh_entsize)
		return -1;
	d = elf_getdata(scn, NULL);
	t->syms = elf_getdata(syms, NULL);
	if (!d || !d->d_buf || d->d_size < GNU_HASH_HEADER || !t->syms)
		return -1;
	t->hash = d->d_buf;
	t->hash_size = d->d_size;
	t->n_syms = t->syms->d_size / ssh.sh_entsize;
	t->str_index = ssh.sh_link;
	t->words64 = gelf_getclass(e) == ELFCLASS64;
	return 0;
}

/* Whether symbol i is the defined function named name. */
static int is_function_named(const struct elfsym_table *t, size_t i, const char *name,
			     GElf_Sym *sym)
{
	const char *s;

	if (!gelf_getsym(t->syms, (int)i, sym) || sym->st_shndx == SHN_UNDEF ||
	    GELF_ST_TYPE(sym->st_info) != STT_FUNC)
		return 0;
	s = elf_strptr(t->e, t->str_index, sym->st_name);
	return s && !strcmp(s, name);
}

int elfsym_function(const struct elfsym_table *t, const char *name, GElf_Sym *sym)
{
	uint32_t nbuckets, symoffset, bloom_size, bloom_shift, h = elfsym_gnu_hash(name);
	size_t word_bytes = t->words64 ? 8 : 4, bits = word_bytes * 8, buckets, chain, i, steps;
	uint64_t word, mask;

	if (!t->hash)
		return 0;
	nbuckets = word32(t, 0);
	symoffset = word32(t, 4);
	bloom_size = word32(t, 8);
	bloom_shift = word32(t, 12);
	if (!nbuckets || !bloom_size || symoffset > t->n_syms ||
	    bloom_size > (t->hash_size - GNU_HASH_HEADER) / word_bytes)
		return 0;
	buckets = GNU_HASH_HEADER + (size_t)bloom_size * word_bytes;
	if (nbuckets > (t->hash_size - buckets) / 4)
		return 0;
	chain = buckets + (size_t)nbuckets * 4;
	/* the Bloom filter: two bits of the name's hash that a defined name would have set */
	word = bloom_word(t, GNU_HASH_HEADER + (size_t)((h / bits) % bloom_size) * word_bytes);
	mask = (1ULL << (h % bits)) | (1ULL << ((h >> (bloom_shift % 32)) % bits));
	if ((word & mask) != mask)
		return 0;
	i = word32(t, buckets + (size_t)(h % nbuckets) * 4);
	if (i < symoffset)
		return 0;
	/* the chain: the bucket's symbols, hashes with the low bit marking the last */
	for (steps = 0; i < t->n_syms && steps < t->n_syms; i++, steps++) {
		size_t at = chain + (i - symoffset) * 4;
		uint32_t h2;

		if (at + 4 > t->hash_size)
			return 0;
		h2 = word32(t, at);
		if ((h2 | 1) == (h | 1) && is_function_named(t, i, name, sym))
			return 1;
		if (h2 & 1)
			return 0;
	}
	return 0;
}
