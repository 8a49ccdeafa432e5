// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* tls: attaches the TLS write probes to each OpenSSL/BoringSSL, GnuTLS and NSS library processes
 * load.
 *
 * Uprobes attach to a file, so one attachment per library covers every process, present and
 * future, that maps it; what remains is to notice libraries: at start and on each rescan. */
#include <dirent.h>
#include <elf.h>
#include <errno.h>
#include <gelf.h>
#include <glob.h>
#include <libelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <bpf/libbpf.h>
#include "idsentry.skel.h"
#include "elfsym.h"
#include "gotls.h"
#include "tls.h"
#include "uprobe_libs.h"

static const char *const default_globs[] = {
	"/usr/lib/*/libssl.so.*", "/lib/*/libssl.so.*", "/usr/lib64/libssl.so.*",
	"/usr/lib/libssl.so.*", "/apex/com.android.conscrypt/lib64/libssl.so",
	"/system/lib64/libssl.so",
	/* GnuTLS: wget, gnutls-cli, libcurl-gnutls, apt's https method, many daemons */
	"/usr/lib/*/libgnutls.so.*", "/lib/*/libgnutls.so.*", "/usr/lib64/libgnutls.so.*",
	/* NSS (Firefox, Thunderbird, Evolution, LibreOffice, tstclnt): its plaintext goes through
	 * NSPR's I/O calls; libssl3 drives the handshake */
	"/usr/lib/*/libnspr4.so", "/lib/*/libnspr4.so", "/usr/lib64/libnspr4.so",
	"/usr/lib/*/libssl3.so", "/lib/*/libssl3.so", "/usr/lib64/libssl3.so",
};

/* Executables that link a TLS library in (gotls.c looks at them, tls_probe_static_exe probes
 * them): Node.js, whose scripts may run for a moment only, is probed before any runs. */
static const char *const default_exes[] = {
	"/usr/bin/node", "/usr/local/bin/node", "/usr/bin/nodejs", "/opt/nodejs/bin/node",
};

/* The calls probed in a library of each family: its plaintext writers, whose (data, size) are the
 * 2nd and 3rd arguments and which return the bytes written, as SSL_write does (one return program
 * serves all), and the calls in which it sends records of its own (ciphertext). NSPR's calls
 * serve files and plain sockets too: their programs look for an SSL layer first. */
enum tls_kind { TLS_OPENSSL, TLS_GNUTLS, TLS_NSPR, TLS_NSS_SSL };

static const struct tls_family {
	const char *name;		/* in a library's file name */
	enum tls_kind kind;
	const char *write_calls[2];
	const char *protocol_calls[4];
} families[] = {
	{ "libgnutls.so", TLS_GNUTLS, { "gnutls_record_send" },
	  { "gnutls_handshake", "gnutls_record_recv", "gnutls_bye" } },
	{ "libnspr4.so", TLS_NSPR, { "PR_Write", "PR_Send" }, { "PR_Read", "PR_Recv", "PR_Close" } },
	/* an application that checks the server's certificate itself (Firefox, tstclnt) resumes
	 * the handshake, and NSS sends its Finished, in SSL_AuthCertificateComplete */
	{ "libssl3.so", TLS_NSS_SSL, { NULL },
	  { "SSL_ForceHandshake", "SSL_AuthCertificateComplete", "SSL_ClientCertCallbackComplete",
	    "SSL_ReHandshake" } },
	{ "libssl.so", TLS_OPENSSL, { "SSL_write", "SSL_write_ex" },
	  { "SSL_connect", "SSL_do_handshake", "SSL_read", "SSL_shutdown" } },
};

static const struct tls_family *family_of(const char *path)
{
	const char *base = strrchr(path, '/');
	size_t i;

	base = base ? base + 1 : path;
	for (i = 0; i < sizeof(families) / sizeof(families[0]); i++)
		if (strstr(base, families[i].name))
			return &families[i];
	return NULL;
}


/* Whether a library is built for this machine: a multiarch host also has foreign ones, which no
 * process here runs and whose probes would only cost time to attach and detach. */
static int native_elf(const char *path)
{
	unsigned char hdr[EI_NIDENT + 4];
	uint16_t machine;
	FILE *f = fopen(path, "rb");
	size_t n = f ? fread(hdr, 1, sizeof(hdr), f) : 0;

	if (f)
		fclose(f);
	if (n != sizeof(hdr) || memcmp(hdr, ELFMAG, SELFMAG))
		return 0;
	memcpy(&machine, hdr + EI_NIDENT + 2, sizeof(machine));
#if defined(__x86_64__)
	return machine == EM_X86_64;
#elif defined(__aarch64__)
	return machine == EM_AARCH64;
#else
	return 1;
#endif
}

static const struct tls_family *family_named(enum tls_kind kind)
{
	size_t i;

	for (i = 0; i < sizeof(families) / sizeof(families[0]); i++)
		if (families[i].kind == kind)
			return &families[i];
	return NULL;
}

static struct bpf_program *write_program(struct idsentry_bpf *s, const struct tls_family *fam,
					 size_t i)
{
	if (fam->kind == TLS_NSPR)
		return s->progs.handle_nss_write;
	/* SSL_write_ex(ssl, buf, num, size_t *written) returns 1, the count in *written */
	return fam->kind == TLS_OPENSSL && i == 1 ? s->progs.handle_ssl_write_ex
						  : s->progs.handle_ssl_write;
}

/* One probe: at the function's file offset when the caller resolved it (off), else by name. */
static int attach_call(struct tls_probes *t, struct bpf_program *prog, const char *path,
		       const char *func, const uint64_t *off, int retprobe)
{
	if (!off)
		return uprobe_libs_attach(&t->libs, prog, path, func, retprobe);
	return *off ? uprobe_libs_attach_at(&t->libs, prog, path, *off, retprobe) : -ENOENT;
}

/* Attaches a family's plaintext writers (entry and return) and the calls in which it writes
 * records of its own to the file at path, for its entry lib: by name, or at offs[] (the writers',
 * then the other calls' file offsets; 0 for one the file lacks). A library with no writer
 * (libssl3: NSS's writes are NSPR's) is probed for its own records only. */
static int attach_family(struct tls_probes *t, struct uprobe_library *lib,
			 const struct tls_family *fam, const char *path, const uint64_t *offs)
{
	struct idsentry_bpf *s = t->skel;
	struct bpf_program *other;
	int n = 0, err = 0, r = -ENOENT;
	size_t i;

	for (i = 0; i < 2 && fam->write_calls[i]; i++) {
		r = attach_call(t, write_program(s, fam, i), path, fam->write_calls[i],
				offs ? &offs[i] : NULL, 0);
		if (r > 0)
			r = attach_call(t, s->progs.handle_ssl_write_return, path,
					fam->write_calls[i], offs ? &offs[i] : NULL, 1);
		n += r > 0;
		err = r < 0 && !err ? r : err;
	}
	/* calls that write records of the library's own: a library lacking some is no matter */
	other = fam->kind == TLS_NSPR || fam->kind == TLS_NSS_SSL ? s->progs.handle_nss_other
								  : s->progs.handle_ssl_other;
	for (i = 0; (n || !fam->write_calls[0]) && i < 4 && fam->protocol_calls[i]; i++) {
		r = attach_call(t, other, path, fam->protocol_calls[i], offs ? &offs[2 + i] : NULL, 0);
		if (r > 0)
			r = attach_call(t, s->progs.handle_ssl_write_return, path,
					fam->protocol_calls[i], offs ? &offs[2 + i] : NULL, 1);
		if (!fam->write_calls[0]) {
			n += r > 0;
			err = r < 0 && !err ? r : err;
		}
	}
	lib->attached = n;
	if (!n)
		snprintf(lib->reason, sizeof(lib->reason), "no %s to probe: %s",
			 fam->write_calls[0] ? fam->write_calls[0] : fam->protocol_calls[0],
			 strerror(-(err ? err : r)));
	return n > 0;
}

static int attach_library(struct tls_probes *t, const char *path)
{
	const struct tls_family *fam = family_of(path);
	struct uprobe_library *lib;
	struct stat st;

	if (!fam || stat(path, &st) || !S_ISREG(st.st_mode) || !native_elf(path))
		return 0;
	lib = uprobe_libs_add(&t->libs, path);
	if (!lib)
		return errno == EEXIST ? 0 : -ENOMEM;
	return attach_family(t, lib, fam, path, NULL);
}

/* The name of .dynsym entry i when it is a function the file defines, else NULL. */
static const char *defined_function(Elf *e, Elf_Data *d, const GElf_Shdr *sh, size_t i,
				    GElf_Sym *sym)
{
	if (!gelf_getsym(d, (int)i, sym) || sym->st_shndx == SHN_UNDEF ||
	    GELF_ST_TYPE(sym->st_info) != STT_FUNC)
		return NULL;
	return elf_strptr(e, sh->sh_link, sym->st_name);
}

/* A family's call k in the order of offs[] (as attach_family takes them): its two plaintext
 * writers, then its four protocol calls; NULL where it has fewer. */
static const char *family_call(const struct tls_family *fam, size_t k)
{
	return k < 2 ? fam->write_calls[k] : fam->protocol_calls[k - 2];
}

/* exported_calls for a file without .gnu.hash: its .dynsym read once, in full. */
static const struct tls_family *exported_calls_scanned(Elf *e, uint64_t offs[6])
{
	const struct tls_family *fam = NULL;
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;
	GElf_Sym sym;
	size_t k;

	while ((scn = elf_nextscn(e, scn))) {
		Elf_Data *d;
		size_t i, n;

		if (!gelf_getshdr(scn, &sh) || sh.sh_type != SHT_DYNSYM || !sh.sh_entsize)
			continue;
		d = elf_getdata(scn, NULL);
		n = d ? d->d_size / sh.sh_entsize : 0;
		/* the writer names the family */
		for (i = 0; i < n && !fam; i++) {
			const char *name = defined_function(e, d, &sh, i, &sym);

			if (name && !strcmp(name, "SSL_write"))
				fam = family_named(TLS_OPENSSL);
			else if (name && !strcmp(name, "gnutls_record_send"))
				fam = family_named(TLS_GNUTLS);
		}
		for (i = 0; fam && i < n; i++) {
			const char *name = defined_function(e, d, &sh, i, &sym);

			for (k = 0; name && k < 6; k++) {
				const char *want = family_call(fam, k);

				if (want && !strcmp(name, want))
					offs[k] = gotls_file_offset(e, sym.st_value);
			}
		}
		break;
	}
	return fam && offs[0] ? fam : NULL;
}

/* The family whose plaintext writer an executable defines and exports (.dynsym, what a library
 * linked in leaves for plug-ins: Node's addons), with the file offsets of the family's calls in
 * offs[] (as attach_family takes them); NULL when it exports none. Looked up by name through the
 * file's .gnu.hash (elfsym.c: a scan read all of Node's 7 MiB of symbols into the agent's RSS);
 * a file without one has its .dynsym read once (a look-up by name per probe would read it once
 * for each). */
static const struct tls_family *exported_calls(int fd, uint64_t offs[6])
{
	const struct tls_family *fam = NULL;
	struct elfsym_table tab;
	GElf_Sym sym;
	size_t k;
	Elf *e;

	memset(offs, 0, 6 * sizeof(offs[0]));
	if (elf_version(EV_CURRENT) == EV_NONE)
		return NULL;
	e = elf_begin(fd, ELF_C_READ_MMAP, NULL);
	if (!e)
		return NULL;
	if (elfsym_open(&tab, e)) {
		fam = exported_calls_scanned(e, offs);
		elf_end(e);
		return fam;
	}
	/* the writer names the family */
	if (elfsym_function(&tab, "SSL_write", &sym))
		fam = family_named(TLS_OPENSSL);
	else if (elfsym_function(&tab, "gnutls_record_send", &sym))
		fam = family_named(TLS_GNUTLS);
	for (k = 0; fam && k < 6; k++) {
		const char *want = family_call(fam, k);

		if (want && elfsym_function(&tab, want, &sym))
			offs[k] = gotls_file_offset(e, sym.st_value);
	}
	elf_end(e);
	return fam && offs[0] ? fam : NULL;
}

int tls_probe_static_exe(struct tls_probes *t, int fd, const char *exe, const struct stat *st)
{
	double t0 = gotls_now_ms(), t1;
	uint64_t offs[6];
	const struct tls_family *fam = exported_calls(fd, offs);
	struct uprobe_library *lib;
	char path[4096];
	struct stat pst;
	int r;

	t1 = gotls_now_ms();
	if (!fam || !realpath(exe, path))
		return 0;
	lib = uprobe_libs_add_file(&t->libs, path, st->st_dev, st->st_ino);
	if (!lib)
		return 0;
	lib->kind = "static";
	/* by its own path when that is the same file: /proc/PID/exe goes with the process */
	if (stat(path, &pst) || pst.st_dev != st->st_dev || pst.st_ino != st->st_ino)
		snprintf(path, sizeof(path), "%s", exe);
	r = attach_family(t, lib, fam, path, offs);
	lib->attach_ms = gotls_now_ms() - t0;
	lib->lookup_ms = t1 - t0;
	return r;
}

/* Libraries mapped by running processes: catches containers' and applications' own copies; and
 * their executables with a TLS library linked in (each file looked at once: gotls.c remembers the
 * others; a Go program waits until it holds an identifier). */
static int scan_process_maps(struct tls_probes *t)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	char path[300], line[1024];
	int added = 0;

	while (d && (e = readdir(d))) {
		FILE *f;

		if (e->d_name[0] < '1' || e->d_name[0] > '9')
			continue;
		snprintf(path, sizeof(path), "/proc/%s/exe", e->d_name);
		added += gotls_probe_file(t, path, 0) > 0;
		snprintf(path, sizeof(path), "/proc/%s/maps", e->d_name);
		f = fopen(path, "r");
		while (f && fgets(line, sizeof(line), f)) {
			char *lib = strchr(line, '/');

			if (!lib)
				continue;
			lib[strcspn(lib, "\n")] = 0;
			if (!family_of(lib))
				continue;
			if (attach_library(t, lib) > 0)
				added++;
		}
		if (f)
			fclose(f);
	}
	if (d)
		closedir(d);
	return added;
}

void tls_probes_init(struct tls_probes *t, struct idsentry_bpf *skel)
{
	memset(t, 0, sizeof(*t));
	t->skel = skel;
	t->lock_ready = !pthread_mutex_init(&t->lock, NULL);
}

int tls_probes_scan(struct tls_probes *t, char *const *extra, size_t n_extra)
{
	size_t i, k;
	int added = 0;

	/* the gate's thread may be probing a Go executable: it waits for this scan, and we for it */
	pthread_mutex_lock(&t->lock);
	for (i = 0; i < sizeof(default_globs) / sizeof(default_globs[0]); i++) {
		glob_t g;

		if (glob(default_globs[i], 0, NULL, &g))
			continue;
		for (k = 0; k < g.gl_pathc; k++)
			added += attach_library(t, g.gl_pathv[k]) > 0;
		globfree(&g);
	}
	for (i = 0; i < n_extra; i++)
		added += attach_library(t, extra[i]) > 0;
	for (i = 0; i < sizeof(default_exes) / sizeof(default_exes[0]); i++)
		if (!access(default_exes[i], X_OK))
			added += gotls_probe_file(t, default_exes[i], 0) > 0;
	added += scan_process_maps(t);
	pthread_mutex_unlock(&t->lock);
	return added;
}

void tls_probes_describe(struct tls_probes *t, struct json *j)
{
	pthread_mutex_lock(&t->lock);
	uprobe_libs_describe(&t->libs, "tls_libraries", j);
	pthread_mutex_unlock(&t->lock);
}

void tls_probes_free(struct tls_probes *t)
{
	uprobe_libs_free(&t->libs);
	free(t->other_exes);
	t->other_exes = NULL;
	t->n_other = t->cap_other = 0;
	if (t->lock_ready)
		pthread_mutex_destroy(&t->lock);
	t->lock_ready = 0;
}
