// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* tls: attaches the TLS write probes to each OpenSSL/BoringSSL/GnuTLS library processes load.
 *
 * Uprobes attach to a file, so one attachment per library covers every process, present and
 * future, that maps it; what remains is to notice libraries: at start and on each rescan. */
#include <dirent.h>
#include <elf.h>
#include <errno.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <bpf/libbpf.h>
#include "idsentry.skel.h"
#include "loader.h"
#include "tls.h"

static const char *const default_globs[] = {
	"/usr/lib/*/libssl.so.*", "/lib/*/libssl.so.*", "/usr/lib64/libssl.so.*",
	"/usr/lib/libssl.so.*", "/apex/com.android.conscrypt/lib64/libssl.so",
	"/system/lib64/libssl.so",
	/* GnuTLS: wget, gnutls-cli, libcurl-gnutls, apt's https method, many daemons */
	"/usr/lib/*/libgnutls.so.*", "/lib/*/libgnutls.so.*", "/usr/lib64/libgnutls.so.*",
};

/* The calls probed in a library of each family: its plaintext writer, whose (data, size) are the
 * 2nd and 3rd arguments and which returns the bytes written, as SSL_write does (one program
 * serves both), and the calls in which it sends records of its own (ciphertext). */
static const struct tls_family {
	const char *write_call;
	const char *protocol_calls[4];
} openssl = {
	"SSL_write",
	{ "SSL_connect", "SSL_do_handshake", "SSL_read", "SSL_shutdown" },
}, gnutls = {
	"gnutls_record_send",
	{ "gnutls_handshake", "gnutls_record_recv", "gnutls_bye", NULL },
};


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

static int known(const struct tls_probes *t, const struct stat *st)
{
	size_t i;

	for (i = 0; i < t->n_libs; i++)
		if (t->libs[i].dev == st->st_dev && t->libs[i].ino == st->st_ino)
			return 1;
	return 0;
}

static int keep_link(struct tls_probes *t, struct bpf_link *link)
{
	if (t->n_links == t->cap_links) {
		size_t cap = t->cap_links ? t->cap_links * 2 : 16;
		struct bpf_link **n = realloc(t->links, cap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		t->links = n;
		t->cap_links = cap;
	}
	t->links[t->n_links++] = link;
	return 0;
}

static int attach_one(struct tls_probes *t, struct bpf_program *prog, const char *path,
		      const char *func, int retprobe)
{
	LIBBPF_OPTS(bpf_uprobe_opts, opts, .func_name = func, .retprobe = retprobe);
	struct bpf_link *link = bpf_program__attach_uprobe_opts(prog, -1, path, 0, &opts);

	if (!link)
		return -errno;
	return keep_link(t, link) ? -ENOMEM : 1;
}

/* Attaches SSL_write and SSL_write_ex (entry and return) of one library. */
static int attach_library(struct tls_probes *t, const char *path)
{
	struct idsentry_bpf *s = t->skel;
	const struct tls_family *fam = strstr(path, "libgnutls") ? &gnutls : &openssl;
	struct tls_library *lib;
	struct stat st;
	int n = 0, err = 0, r;
	size_t i;

	if (stat(path, &st) || !S_ISREG(st.st_mode) || known(t, &st) || !native_elf(path))
		return 0;
	lib = realloc(t->libs, (t->n_libs + 1) * sizeof(*lib));
	if (!lib)
		return -ENOMEM;
	t->libs = lib;
	lib = &t->libs[t->n_libs++];
	memset(lib, 0, sizeof(*lib));
	lib->path = strdup(path);
	lib->dev = st.st_dev;
	lib->ino = st.st_ino;
	r = attach_one(t, s->progs.handle_ssl_write, path, fam->write_call, 0);
	if (r > 0)
		r = attach_one(t, s->progs.handle_ssl_write_return, path, fam->write_call, 1);
	n += r > 0;
	err = r < 0 ? r : err;
	if (fam == &openssl) {
		r = attach_one(t, s->progs.handle_ssl_write_ex, path, "SSL_write_ex", 0);
		if (r > 0)
			r = attach_one(t, s->progs.handle_ssl_write_return, path, "SSL_write_ex", 1);
		n += r > 0;
	}
	/* calls that write records of the library's own: a library lacking some is no matter */
	for (i = 0; n && i < 4 && fam->protocol_calls[i]; i++)
		if (attach_one(t, s->progs.handle_ssl_other, path, fam->protocol_calls[i], 0) > 0)
			attach_one(t, s->progs.handle_ssl_write_return, path,
				   fam->protocol_calls[i], 1);
	lib->attached = n;
	if (!n)
		snprintf(lib->reason, sizeof(lib->reason), "no %s to probe: %s", fam->write_call,
			 strerror(-(err ? err : r)));
	return n > 0;
}

/* Libraries mapped by running processes: catches containers' and applications' own copies. */
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
		snprintf(path, sizeof(path), "/proc/%s/maps", e->d_name);
		f = fopen(path, "r");
		while (f && fgets(line, sizeof(line), f)) {
			char *lib = strchr(line, '/');

			if (!lib || (!strstr(lib, "libssl.so") && !strstr(lib, "libgnutls.so")))
				continue;
			lib[strcspn(lib, "\n")] = 0;
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

int tls_probes_scan(struct tls_probes *t, char *const *extra, size_t n_extra)
{
	size_t i, k;
	int added = 0;

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
	return added + scan_process_maps(t);
}

void tls_probes_free(struct tls_probes *t)
{
	size_t i;

	destroy_links(t->links, t->n_links);
	free(t->links);
	for (i = 0; i < t->n_libs; i++)
		free(t->libs[i].path);
	free(t->libs);
	memset(t, 0, sizeof(*t));
}
