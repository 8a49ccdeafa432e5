// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* fuzz_elfsym: the .gnu.hash look-up (elfsym.c) on tables made from arbitrary bytes. Each input
 * is put, as its .gnu.hash section, into a small ELF64 file built here whose .dynsym holds a few
 * functions, an object and an undefined symbol. The first byte chooses how: 0, the input's other
 * bytes are laid over a correct table for those symbols (so mutations start from a table that
 * works); otherwise they are the table. Every name is looked up: a symbol found is always the
 * defined function of that name; with the correct table untouched, every function is found and
 * nothing else. */
#include <elf.h>
#include <stdint.h>
#include <string.h>

#include "elfsym.h"
#include "fuzz.h"

#define MAX_TABLE 4096

static const char *const functions[] = { "SSL_write", "SSL_write_ex", "gnutls_record_send",
					 "PR_Write",  "PR_Send",      "SSL_do_handshake" };
/* in .dynsym too, but not defined functions: never found */
static const char *const others[] = { "SSL_read", "OPENSSL_ia32cap_P" };
#define N_FUNCTIONS (sizeof(functions) / sizeof(functions[0]))
#define N_SYMS (1 + N_FUNCTIONS + 2) /* the null symbol first */
#define NBUCKETS 3
#define BLOOM_SHIFT 6

enum { SEC_NULL, SEC_TEXT, SEC_DYNSYM, SEC_DYNSTR, SEC_HASH, SEC_SHSTRTAB, N_SECTIONS };

struct image {
	uint8_t bytes[8192];
	size_t size;
};

static const char *name_of(size_t i)
{
	if (i == 0)
		return "";
	if (i <= N_FUNCTIONS)
		return functions[i - 1];
	return others[i - 1 - N_FUNCTIONS];
}

/* The symbols in the order a GNU hash table needs (by bucket), in order[]; symbols[0] is null. */
static void hash_order(size_t order[N_SYMS])
{
	size_t b, i, n = 0;

	order[n++] = 0;
	for (b = 0; b < NBUCKETS; b++)
		for (i = 1; i < N_SYMS; i++)
			if (elfsym_gnu_hash(name_of(i)) % NBUCKETS == b)
				order[n++] = i;
}

/* A correct table for the symbols in order[] (symoffset 1: all but the null symbol hashed). */
static size_t correct_table(uint8_t *t, const size_t order[N_SYMS])
{
	uint32_t head[4] = { NBUCKETS, 1, 1, BLOOM_SHIFT }, buckets[NBUCKETS] = { 0 };
	uint32_t chain[N_SYMS - 1];
	uint64_t bloom = 0;
	size_t i;

	for (i = 1; i < N_SYMS; i++) {
		uint32_t h = elfsym_gnu_hash(name_of(order[i]));
		uint32_t b = h % NBUCKETS;

		bloom |= (1ULL << (h % 64)) | (1ULL << ((h >> BLOOM_SHIFT) % 64));
		if (!buckets[b])
			buckets[b] = i;
		chain[i - 1] = h & ~1U;
		if (i + 1 == N_SYMS || elfsym_gnu_hash(name_of(order[i + 1])) % NBUCKETS != b)
			chain[i - 1] |= 1;
	}
	memcpy(t, head, sizeof(head));
	memcpy(t + 16, &bloom, 8);
	memcpy(t + 24, buckets, sizeof(buckets));
	memcpy(t + 24 + sizeof(buckets), chain, sizeof(chain));
	return 24 + sizeof(buckets) + sizeof(chain);
}

static size_t put(struct image *im, const void *p, size_t n, size_t align)
{
	size_t at = (im->size + align - 1) & ~(align - 1);

	if (n)
		memcpy(im->bytes + at, p, n);
	im->size = at + n;
	return at;
}

/* The file: header, .text (one byte), .dynsym, .dynstr, .gnu.hash (table), .shstrtab, section
 * headers. */
static void build(struct image *im, const size_t order[N_SYMS], const uint8_t *table, size_t tlen)
{
	static const char shstr[] = "\0.text\0.dynsym\0.dynstr\0.gnu.hash\0.shstrtab";
	Elf64_Shdr sh[N_SECTIONS];
	Elf64_Sym syms[N_SYMS];
	Elf64_Ehdr eh;
	char str[256];
	size_t i, nstr = 1, at[N_SECTIONS] = { 0 }, len[N_SECTIONS] = { 0 };
	uint8_t text = 0xc3;

	memset(im, 0, sizeof(*im));
	memset(syms, 0, sizeof(syms));
	str[0] = 0;
	for (i = 1; i < N_SYMS; i++) {
		size_t s = order[i], n = strlen(name_of(s)) + 1;

		memcpy(str + nstr, name_of(s), n);
		syms[i].st_name = nstr;
		nstr += n;
		syms[i].st_value = 0x1000 + s * 16;
		if (s <= N_FUNCTIONS) {
			syms[i].st_info = ELF64_ST_INFO(STB_GLOBAL, STT_FUNC);
			syms[i].st_shndx = SEC_TEXT;
		} else if (s == N_FUNCTIONS + 1) {
			syms[i].st_info = ELF64_ST_INFO(STB_GLOBAL, STT_FUNC); /* undefined: imported */
		} else {
			syms[i].st_info = ELF64_ST_INFO(STB_GLOBAL, STT_OBJECT);
			syms[i].st_shndx = SEC_TEXT;
		}
	}
	im->size = sizeof(eh);
	at[SEC_TEXT] = put(im, &text, len[SEC_TEXT] = 1, 16);
	at[SEC_DYNSYM] = put(im, syms, len[SEC_DYNSYM] = sizeof(syms), 8);
	at[SEC_DYNSTR] = put(im, str, len[SEC_DYNSTR] = nstr, 1);
	at[SEC_HASH] = put(im, table, len[SEC_HASH] = tlen, 8);
	at[SEC_SHSTRTAB] = put(im, shstr, len[SEC_SHSTRTAB] = sizeof(shstr), 1);
	memset(sh, 0, sizeof(sh));
	sh[SEC_TEXT] = (Elf64_Shdr){ .sh_name = 1, .sh_type = SHT_PROGBITS, .sh_addr = 0x1000,
				     .sh_flags = SHF_ALLOC | SHF_EXECINSTR, .sh_addralign = 16 };
	sh[SEC_DYNSYM] = (Elf64_Shdr){ .sh_name = 7, .sh_type = SHT_DYNSYM, .sh_flags = SHF_ALLOC,
				       .sh_link = SEC_DYNSTR, .sh_info = 1, .sh_addralign = 8,
				       .sh_entsize = sizeof(Elf64_Sym) };
	sh[SEC_DYNSTR] = (Elf64_Shdr){ .sh_name = 15, .sh_type = SHT_STRTAB, .sh_flags = SHF_ALLOC,
				       .sh_addralign = 1 };
	sh[SEC_HASH] = (Elf64_Shdr){ .sh_name = 23, .sh_type = SHT_GNU_HASH, .sh_flags = SHF_ALLOC,
				     .sh_link = SEC_DYNSYM, .sh_addralign = 8 };
	sh[SEC_SHSTRTAB] = (Elf64_Shdr){ .sh_name = 33, .sh_type = SHT_STRTAB, .sh_addralign = 1 };
	for (i = 1; i < N_SECTIONS; i++) {
		sh[i].sh_offset = at[i];
		sh[i].sh_size = len[i];
	}
	memset(&eh, 0, sizeof(eh));
	memcpy(eh.e_ident, ELFMAG, SELFMAG);
	eh.e_ident[EI_CLASS] = ELFCLASS64;
	eh.e_ident[EI_DATA] = ELFDATA2LSB;
	eh.e_ident[EI_VERSION] = EV_CURRENT;
	eh.e_type = ET_DYN;
	eh.e_machine = EM_X86_64;
	eh.e_version = EV_CURRENT;
	eh.e_ehsize = sizeof(eh);
	eh.e_shentsize = sizeof(Elf64_Shdr);
	eh.e_shnum = N_SECTIONS;
	eh.e_shstrndx = SEC_SHSTRTAB;
	eh.e_shoff = put(im, sh, sizeof(sh), 8);
	memcpy(im->bytes, &eh, sizeof(eh));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct image im;
	uint8_t table[MAX_TABLE];
	size_t order[N_SYMS], tlen, i;
	struct elfsym_table t;
	int pristine = 0;
	Elf *e;

	if (!size || size > MAX_TABLE + 1)
		return 0;
	hash_order(order);
	if (data[0] == 0) {
		/* the correct table, with the input laid over it from its start */
		tlen = correct_table(table, order);
		pristine = size == 1;
		if (size - 1 > tlen) {
			memcpy(table, data + 1, size - 1);
			tlen = size - 1;
		} else {
			for (i = 1; i < size; i++)
				table[i - 1] ^= data[i];
		}
	} else {
		tlen = size - 1;
		memcpy(table, data + 1, tlen);
	}
	build(&im, order, table, tlen);
	elf_version(EV_CURRENT);
	e = elf_memory((char *)im.bytes, im.size);
	FUZZ_CHECK(e != NULL, "libelf refused the file built here: %s", elf_errmsg(-1));
	if (!e)
		return 0;
	if (elfsym_open(&t, e)) {
		FUZZ_CHECK(tlen < 16, "a table of %zu bytes not opened", tlen);
		elf_end(e);
		return 0;
	}
	for (i = 1; i < N_SYMS; i++) {
		const char *want = name_of(i);
		GElf_Sym s;
		int found = elfsym_function(&t, want, &s);

		if (found) {
			const char *got = elf_strptr(e, t.str_index, s.st_name);

			FUZZ_CHECK(got && !strcmp(got, want), "%s found as %s", want,
				   got ? got : "(none)");
			FUZZ_CHECK(s.st_shndx != SHN_UNDEF && GELF_ST_TYPE(s.st_info) == STT_FUNC,
				   "%s found, but not a defined function", want);
		}
		if (pristine)
			FUZZ_CHECK(found == (i <= N_FUNCTIONS), "%s %sfound in the correct table",
				   want, found ? "" : "not ");
	}
	elf_end(e);
	return 0;
}
