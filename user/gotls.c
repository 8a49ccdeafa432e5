// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* gotls: finds Go executables that do TLS with crypto/tls and probes their plaintext writer. */
#define _GNU_SOURCE /* memmem */
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "idsentry.h"
#include "idsentry.skel.h"
#include "gotls.h"
#include "tls.h"

/* "\xff Go buildinf:": the start of .go.buildinfo (Go's debug/buildinfo reads the same) */
static const uint8_t buildinfo_magic[14] = { 0xff, ' ', 'G', 'o', ' ', 'b', 'u', 'i',
					     'l', 'd', 'i', 'n', 'f', ':' };

#define BUILDINFO_HEADER 32
#define BUILDINFO_BIG_ENDIAN 0x1
#define BUILDINFO_INLINE 0x2 /* Go 1.18+: the strings follow the header, length-prefixed */

static uint64_t read_word(const uint8_t *p, unsigned int size, int big_endian)
{
	uint64_t v = 0;
	unsigned int i;

	for (i = 0; i < size; i++)
		v |= (uint64_t)p[big_endian ? size - 1 - i : i] << (8 * i);
	return v;
}

int gotls_buildinfo_version(const uint8_t *d, size_t n, char *out, size_t out_sz, uint64_t *ptr)
{
	unsigned int ptr_size, flags, shift = 0;
	uint64_t len = 0;
	size_t at = BUILDINFO_HEADER;

	if (out_sz)
		out[0] = 0;
	if (n < BUILDINFO_HEADER || memcmp(d, buildinfo_magic, sizeof(buildinfo_magic)))
		return 0;
	ptr_size = d[14];
	flags = d[15];
	if (!(flags & BUILDINFO_INLINE)) {
		if ((ptr_size != 4 && ptr_size != 8) || 16 + ptr_size > n)
			return 0;
		*ptr = read_word(d + 16, ptr_size, flags & BUILDINFO_BIG_ENDIAN);
		return 2;
	}
	/* an unsigned varint (7 bits a byte, low first), then that many bytes */
	for (;;) {
		if (at >= n || shift > 28)
			return 0;
		len |= (uint64_t)(d[at] & 0x7f) << shift;
		shift += 7;
		if (!(d[at++] & 0x80))
			break;
	}
	if (len > n - at || len >= out_sz)
		return 0;
	memcpy(out, d + at, len);
	out[len] = 0;
	return 1;
}

int gotls_version_register_abi(const char *version, uint16_t machine)
{
	const char *v = strstr(version, "go1.");
	char *end;
	long minor;

	if (!v)
		return 0;
	minor = strtol(v + 4, &end, 10);
	if (end == v + 4)
		return 0;
	if (machine == EM_X86_64)
		return minor >= 17;
	if (machine == EM_AARCH64)
		return minor >= 18;
	return 0;
}

/* Go 1.18+ pclntab header (runtime.pcHeader): magic, two pads, minLC, ptrSize, then nfunc,
 * nfiles, textStart, and the offsets of funcnametab, cutab, filetab, pctab and the functab. */
#define PCLNTAB_GO118 0xfffffff0u
#define PCLNTAB_GO120 0xfffffff1u

int gotls_pclntab_entry(const uint8_t *d, size_t n, const char *name, uint64_t *vaddr)
{
	uint64_t nfunc, text, names, functab, i;
	size_t name_len = strlen(name) + 1;
	unsigned int ps;
	uint32_t magic;

	if (n < 8)
		return 0;
	memcpy(&magic, d, 4);
	ps = d[7];
	if ((magic != PCLNTAB_GO118 && magic != PCLNTAB_GO120) || (ps != 4 && ps != 8) ||
	    n < 8 + 8 * (size_t)ps)
		return 0;
	nfunc = read_word(d + 8, ps, 0);
	text = read_word(d + 8 + 2 * ps, ps, 0);
	names = read_word(d + 8 + 3 * ps, ps, 0);
	functab = read_word(d + 8 + 7 * ps, ps, 0);
	if (names >= n || functab >= n || nfunc > (n - functab) / 8)
		return 0;
	/* functab: {entryoff, funcoff} per function; each _func starts {entryOff, nameOff} */
	for (i = 0; i < nfunc; i++) {
		uint32_t entry, func;
		int32_t name_off;

		memcpy(&entry, d + functab + 8 * i, 4);
		memcpy(&func, d + functab + 8 * i + 4, 4);
		if (func > n - functab || n - functab - func < 8)
			continue;
		memcpy(&name_off, d + functab + func + 4, 4);
		if (name_off < 0 || (uint64_t)name_off > n - names ||
		    n - names - name_off < name_len)
			continue;
		if (!memcmp(d + names + name_off, name, name_len)) {
			*vaddr = text + entry;
			return 1;
		}
	}
	return 0;
}

uint64_t gotls_file_offset(Elf *e, uint64_t addr)
{
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;

	while ((scn = elf_nextscn(e, scn)))
		if (gelf_getshdr(scn, &sh) && sh.sh_type == SHT_PROGBITS &&
		    (sh.sh_flags & SHF_EXECINSTR) && addr >= sh.sh_addr &&
		    addr - sh.sh_addr < sh.sh_size)
			return addr - sh.sh_addr + sh.sh_offset;
	return 0;
}

/* The bytes at virtual address addr, from the section that holds them, or NULL. */
static const uint8_t *at_vaddr(Elf *e, uint64_t addr, size_t n)
{
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;

	while ((scn = elf_nextscn(e, scn))) {
		Elf_Data *data;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_PROGBITS || addr < sh.sh_addr ||
		    addr - sh.sh_addr + n > sh.sh_size)
			continue;
		data = elf_getdata(scn, NULL);
		if (!data || !data->d_buf || data->d_size != sh.sh_size)
			return NULL;
		return (const uint8_t *)data->d_buf + (addr - sh.sh_addr);
	}
	return NULL;
}

/* Before Go 1.18 the build information points at runtime.buildVersion, a string header. */
static void version_by_pointer(Elf *e, const uint8_t *bi, uint64_t ptr, struct go_exe *g)
{
	unsigned int size = bi[14];
	int big = bi[15] & BUILDINFO_BIG_ENDIAN;
	const uint8_t *hdr = at_vaddr(e, ptr, 2 * size), *s;
	uint64_t len;

	if (!hdr)
		return;
	len = read_word(hdr + size, size, big);
	if (len >= sizeof(g->version))
		return;
	s = at_vaddr(e, read_word(hdr, size, big), len);
	if (!s)
		return;
	memcpy(g->version, s, len);
	g->version[len] = 0;
}

/* The file offset of the function named GOTLS_WRITE_FUNC in the symbol table, or 0. */
static uint64_t symbol_offset(Elf *e, Elf_Scn *symtab)
{
	Elf_Data *data = elf_getdata(symtab, NULL);
	GElf_Shdr sh, text;
	GElf_Sym sym;
	size_t i, count;

	if (!data || !gelf_getshdr(symtab, &sh) || !sh.sh_entsize)
		return 0;
	count = sh.sh_size / sh.sh_entsize;
	for (i = 0; i < count; i++) {
		const char *name;
		Elf_Scn *in;

		if (!gelf_getsym(data, i, &sym) || GELF_ST_TYPE(sym.st_info) != STT_FUNC ||
		    !sym.st_name)
			continue;
		name = elf_strptr(e, sh.sh_link, sym.st_name);
		if (!name || strcmp(name, GOTLS_WRITE_FUNC))
			continue;
		/* the entry's place in the file: its section's offset plus its distance into it */
		in = elf_getscn(e, sym.st_shndx);
		if (!in || !gelf_getshdr(in, &text) || sym.st_value < text.sh_addr)
			return 0;
		return sym.st_value - text.sh_addr + text.sh_offset;
	}
	return 0;
}

int gotls_inspect_fd(int fd, struct go_exe *g)
{
	Elf_Scn *scn = NULL, *symtab = NULL, *buildinfo = NULL, *pclntab = NULL;
	size_t shstrndx;
	GElf_Ehdr eh;
	GElf_Shdr sh;
	Elf *e;
	int err = 0;

	memset(g, 0, sizeof(*g));
	if (elf_version(EV_CURRENT) == EV_NONE)
		return -EINVAL;
	e = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (!e)
		return -EINVAL;
	if (elf_kind(e) != ELF_K_ELF || !gelf_getehdr(e, &eh) || elf_getshdrstrndx(e, &shstrndx)) {
		err = -ENOEXEC;
		goto out;
	}
	g->machine = eh.e_machine;
	while ((scn = elf_nextscn(e, scn))) {
		const char *name;

		if (!gelf_getshdr(scn, &sh))
			continue;
		name = elf_strptr(e, shstrndx, sh.sh_name);
		if (sh.sh_type == SHT_SYMTAB)
			symtab = scn;
		else if (name && !strcmp(name, ".go.buildinfo"))
			buildinfo = scn;
		else if (name && !strcmp(name, ".gopclntab"))
			pclntab = scn;
	}
	g->is_go = buildinfo || pclntab;
	if (!g->is_go)
		goto out;
	g->has_symtab = symtab != NULL;
	if (buildinfo) {
		Elf_Data *d = elf_getdata(buildinfo, NULL);
		uint64_t ptr = 0;

		if (d && d->d_buf &&
		    gotls_buildinfo_version(d->d_buf, d->d_size, g->version, sizeof(g->version),
					    &ptr) == 2)
			version_by_pointer(e, d->d_buf, ptr, g);
	}
	g->register_abi = gotls_version_register_abi(g->version, g->machine);
	if (symtab)
		g->write_offset = symbol_offset(e, symtab);
	/* stripped: the runtime's own function table (.gopclntab) still names it (Go 1.18+) */
	if (!g->write_offset && pclntab) {
		Elf_Data *d = elf_getdata(pclntab, NULL);
		uint64_t addr;

		if (d && d->d_buf &&
		    gotls_pclntab_entry(d->d_buf, d->d_size, GOTLS_WRITE_FUNC, &addr)) {
			g->write_offset = gotls_file_offset(e, addr);
			g->by_pclntab = g->write_offset != 0;
		}
		/* an older table: whether the name is in it at all */
		g->uses_tls = g->write_offset ||
			      (d && d->d_buf &&
			       memmem(d->d_buf, d->d_size, GOTLS_WRITE_FUNC,
				      sizeof(GOTLS_WRITE_FUNC)) != NULL);
	} else {
		g->uses_tls = g->write_offset != 0;
	}
out:
	elf_end(e);
	return err;
}

double gotls_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* Whether an executable was looked at and needs no probe now: with go_too, a Go program waiting
 * for a holder does. */
static int seen_other(const struct tls_probes *t, const struct stat *st, int go_too)
{
	size_t i;

	for (i = 0; i < t->n_other; i++)
		if (t->other_exes[i].dev == st->st_dev && t->other_exes[i].ino == st->st_ino)
			return !(go_too && t->other_exes[i].go);
	return 0;
}

/* Remembers an executable that needs no probe; a host runs few distinct ones, but the list is
 * bounded all the same (forgotten ones are looked at again). */
static void remember_other(struct tls_probes *t, const struct stat *st, int go)
{
	if (t->n_other == 8192)
		t->n_other = 0;
	if (t->n_other == t->cap_other) {
		size_t cap = t->cap_other ? t->cap_other * 2 : 64;
		struct tls_file_id *n = realloc(t->other_exes, cap * sizeof(*n));

		if (!n)
			return;
		t->other_exes = n;
		t->cap_other = cap;
	}
	t->other_exes[t->n_other].dev = st->st_dev;
	t->other_exes[t->n_other].ino = st->st_ino;
	t->other_exes[t->n_other].go = go;
	t->n_other++;
}

int gotls_probe_file(struct tls_probes *t, const char *exe, int go_too)
{
	char path[4096];
	struct uprobe_library *lib;
	struct go_exe g;
	struct stat st;
	double t0 = gotls_now_ms(), t1;
	int fd, r;

	fd = open(exe, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || seen_other(t, &st, go_too) ||
	    uprobe_libs_has(&t->libs, st.st_dev, st.st_ino)) {
		close(fd);
		return 0;
	}
	r = gotls_inspect_fd(fd, &g);
	/* not Go: perhaps a TLS library linked in (Node.js), probed as a library */
	if (!r && !g.is_go && tls_probe_static_exe(t, fd, exe, &st) > 0) {
		close(fd);
		return 1;
	}
	close(fd);
	t1 = gotls_now_ms();
	if (r || !g.is_go || !g.uses_tls) {
		if (!uprobe_libs_has(&t->libs, st.st_dev, st.st_ino))
			remember_other(t, &st, 0);
		return 0;
	}
	/* a Go program is probed once it holds an identifier, not for being there */
	if (!go_too) {
		remember_other(t, &st, 1);
		return 0;
	}
	if (!realpath(exe, path))
		return 0;
	lib = uprobe_libs_add_file(&t->libs, path, st.st_dev, st.st_ino);
	if (!lib)
		return 0;
	lib->kind = "go";
	snprintf(lib->version, sizeof(lib->version), "%s", g.version);
	if (!g.write_offset) {
		snprintf(lib->reason, sizeof(lib->reason),
			 "stripped Go executable whose function table is not readable (Go before "
			 "1.18, or PIE): %s not found", GOTLS_WRITE_FUNC);
	} else if (!g.register_abi) {
		snprintf(lib->reason, sizeof(lib->reason),
			 "built by %s, before Go's register ABI (1.17 amd64, 1.18 arm64): the "
			 "plaintext is on the goroutine stack, not read",
			 g.version[0] ? g.version : "an unknown Go");
	} else {
		r = uprobe_libs_attach_at(&t->libs, t->skel->progs.handle_go_tls_write, exe,
					  g.write_offset, 0);
		lib->attached = r > 0;
		if (r <= 0)
			snprintf(lib->reason, sizeof(lib->reason), "attaching at %s failed: %s",
				 GOTLS_WRITE_FUNC, strerror(-r));
	}
	lib->attach_ms = gotls_now_ms() - t0;
	lib->lookup_ms = t1 - t0;
	return lib->attached > 0;
}

int gotls_probe_pid(struct tls_probes *t, pid_t pid)
{
	char exe[64];
	int r;

	if (!t->lock_ready || !t->skel)
		return 0;
	/* /proc/PID/exe names the inode the process runs whatever its mount namespace (a
	 * container's) or a rename since */
	snprintf(exe, sizeof(exe), "/proc/%d/exe", (int)pid);
	pthread_mutex_lock(&t->lock);
	r = gotls_probe_file(t, exe, 1);
	pthread_mutex_unlock(&t->lock);
	return r;
}

/* A collision of two tgids in one slot costs only a second look. */
static pid_t *checked_slot(struct tls_probes *t, pid_t pid)
{
	size_t n = sizeof(t->checked_holders) / sizeof(t->checked_holders[0]);

	return &t->checked_holders[(uint32_t)pid % n];
}

int gotls_probe_holder(struct tls_probes *t, pid_t pid, int new_image)
{
	pid_t *slot = checked_slot(t, pid);

	if (!new_image && *slot == pid)
		return 0;
	*slot = pid;
	return gotls_probe_pid(t, pid);
}

void gotls_forget_holder(struct tls_probes *t, pid_t pid)
{
	pid_t *slot = checked_slot(t, pid);

	if (*slot == pid)
		*slot = 0;
}

int gotls_probe_holders(struct tls_probes *t, int taint_fd)
{
	__u32 key, next, *prev = NULL;
	struct proc_taint pt;
	int added = 0;

	while (!bpf_map_get_next_key(taint_fd, prev, &next)) {
		key = next;
		prev = &key;
		if (!bpf_map_lookup_elem(taint_fd, &key, &pt) && pt.ident_mask)
			added += gotls_probe_pid(t, key);
	}
	return added;
}
