/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* tls: attaches the TLS write probes to each OpenSSL/BoringSSL/GnuTLS library processes load. */
#ifndef IDSENTRY_TLS_H
#define IDSENTRY_TLS_H

#include <stddef.h>
#include <stdint.h>

struct idsentry_bpf;
struct bpf_link;

struct tls_library {
	char *path;
	uint64_t dev, ino;
	int attached;        /* how many of the probes took */
	char reason[160];    /* why not, when none did */
};

/* How often the agent looks for libraries that processes started since loaded. */
#define TLS_RESCAN_SECONDS 5

struct tls_probes {
	struct idsentry_bpf *skel;
	struct tls_library *libs;
	size_t n_libs;
	struct bpf_link **links;
	size_t n_links, cap_links;
};

/* Finds TLS libraries (those mapped by running processes, the usual system and Android paths,
 * and 'extra' paths) and attaches the probes to each one not seen before. Returns the number of
 * libraries newly attached. Cheap enough to call every few seconds. */
int tls_probes_scan(struct tls_probes *t, char *const *extra, size_t n_extra);
/* Detaches everything; safe on a zeroed struct. */
void tls_probes_free(struct tls_probes *t);

#endif
