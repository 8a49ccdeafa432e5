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
#include "tls.h"
#include "uprobe_libs.h"

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

/* Attaches the library's plaintext writer (entry and return) and the calls in which it writes
 * records of its own. */
static int attach_library(struct tls_probes *t, const char *path)
{
	struct idsentry_bpf *s = t->skel;
	const struct tls_family *fam = strstr(path, "libgnutls") ? &gnutls : &openssl;
	struct uprobe_libs *u = &t->libs;
	struct uprobe_library *lib;
	struct stat st;
	int n = 0, err = 0, r;
	size_t i;

	if (stat(path, &st) || !S_ISREG(st.st_mode) || !native_elf(path))
		return 0;
	lib = uprobe_libs_add(u, path);
	if (!lib)
		return errno == EEXIST ? 0 : -ENOMEM;
	r = uprobe_libs_attach(u, s->progs.handle_ssl_write, path, fam->write_call, 0);
	if (r > 0)
		r = uprobe_libs_attach(u, s->progs.handle_ssl_write_return, path, fam->write_call, 1);
	n += r > 0;
	err = r < 0 ? r : err;
	if (fam == &openssl) {
		r = uprobe_libs_attach(u, s->progs.handle_ssl_write_ex, path, "SSL_write_ex", 0);
		if (r > 0)
			r = uprobe_libs_attach(u, s->progs.handle_ssl_write_return, path,
					       "SSL_write_ex", 1);
		n += r > 0;
	}
	/* calls that write records of the library's own: a library lacking some is no matter */
	for (i = 0; n && i < 4 && fam->protocol_calls[i]; i++)
		if (uprobe_libs_attach(u, s->progs.handle_ssl_other, path, fam->protocol_calls[i],
				       0) > 0)
			uprobe_libs_attach(u, s->progs.handle_ssl_write_return, path,
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
