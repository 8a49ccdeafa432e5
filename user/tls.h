/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* tls: attaches the TLS write probes to each OpenSSL/BoringSSL/GnuTLS library processes load. */
#ifndef IDSENTRY_TLS_H
#define IDSENTRY_TLS_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include "uprobe_libs.h"

struct idsentry_bpf;
struct json;
struct stat;

/* How often the agent looks for libraries that processes started since loaded. */
#define TLS_RESCAN_SECONDS 5

struct tls_file_id {
	uint64_t dev, ino;
	int go; /* a Go program with crypto/tls, not probed until one holds an identifier */
};

struct tls_probes {
	struct idsentry_bpf *skel;
	struct uprobe_libs libs;  /* libraries, and Go executables (gotls.c) */
	pthread_mutex_t lock;     /* the gate's thread probes Go executables too */
	int lock_ready;
	struct tls_file_id *other_exes; /* executables looked at that need no probe (gotls.c) */
	size_t n_other, cap_other;
	/* holders whose executable was looked at since their last exec, by tgid modulo the size
	 * (gotls_probe_holder); 0: free */
	pid_t checked_holders[1024];
};

void tls_probes_init(struct tls_probes *t, struct idsentry_bpf *skel);

/* Finds TLS libraries (those mapped by running processes, the usual system and Android paths,
 * and 'extra' paths) and attaches the probes to each one not seen before. Returns the number of
 * libraries newly attached. Cheap enough to call every few seconds. */
int tls_probes_scan(struct tls_probes *t, char *const *extra, size_t n_extra);
/* An executable with a TLS library linked in (Node.js, Electron apps, vendor daemons built against
 * a static OpenSSL/BoringSSL or GnuTLS) that exports its plaintext writer: probed as a library
 * (kind "static"). fd is the executable opened, exe a path to it that stays valid meanwhile
 * (/proc/PID/exe). Under t->lock. Returns 1 when a probe took. */
int tls_probe_static_exe(struct tls_probes *t, int fd, const char *exe, const struct stat *st);
/* The libraries and Go executables as the array member 'tls_libraries'. */
void tls_probes_describe(struct tls_probes *t, struct json *j);
/* Detaches everything; safe on a zeroed struct. */
void tls_probes_free(struct tls_probes *t);

#endif
