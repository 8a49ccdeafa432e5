/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* gotls: finds Go executables that do TLS with crypto/tls and probes their plaintext writer.
 *
 * Go programs are statically linked: there is no libssl to probe, and each executable is its own
 * TLS library. The probe (bpf/gotls.bpf.c) goes at the entry of crypto/tls.(*Conn).Write, found
 * by name in the executable's .symtab or, stripped of it, in the function table the Go runtime
 * keeps for itself (.gopclntab, Go 1.18+), once per file (uprobes attach to the inode: every
 * process running it is covered). Executables are looked at when their process opens a watched
 * file (the fanotify gate holds it meanwhile, so the probe is in place before its open returns)
 * and, for processes that became holders otherwise, when the agent reads their identifier read
 * or process record, and every few seconds. */
#ifndef IDSENTRY_GOTLS_H
#define IDSENTRY_GOTLS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <libelf.h>

struct tls_probes;

#define GOTLS_WRITE_FUNC "crypto/tls.(*Conn).Write"

/* What an executable file says about itself. */
struct go_exe {
	int is_go;             /* it has .go.buildinfo or .gopclntab */
	int uses_tls;          /* crypto/tls.(*Conn).Write is in it (by symbol or by name in the
				* function name table) */
	int has_symtab;
	int by_pclntab;        /* the writer was found in Go's function table (a stripped file) */
	int register_abi;      /* built by a Go whose register ABI the probe reads (1.17+ amd64,
				* 1.18+ arm64); 0 when older or unknown */
	uint16_t machine;      /* e_machine */
	char version[32];      /* "go1.19.8", or "" when the build information says none */
	uint64_t write_offset; /* file offset of the writer's entry, 0 when not found */
};

/* The Go version in the build information section (.go.buildinfo) d[0..n). Go 1.18+ writes it
 * inline: returns 1 with it in out. Earlier Go writes a pointer to the runtime's version string:
 * returns 2 with that address in *ptr. 0 when d is no build information. */
int gotls_buildinfo_version(const uint8_t *d, size_t n, char *out, size_t out_sz, uint64_t *ptr);
/* Whether a Go of this version ("go1.19.8", "devel go1.22-...") built for this ELF machine passes
 * arguments in registers as bpf/gotls.bpf.c reads them. Unknown versions: no. */
int gotls_version_register_abi(const char *version, uint16_t machine);
/* The address of the function 'name' in a Go 1.18+ function table (.gopclntab, d[0..n)): its
 * entry offset past the table's text start. Returns 1 with *vaddr, 0 when not found. */
int gotls_pclntab_entry(const uint8_t *d, size_t n, const char *name, uint64_t *vaddr);
/* CLOCK_MONOTONIC in milliseconds: the probes' look-up and attach times. */
double gotls_now_ms(void);
/* The file offset of the code at virtual address addr of an executable (from the section that
 * holds it: what a uprobe is attached at), or 0. */
uint64_t gotls_file_offset(Elf *e, uint64_t addr);
/* Reads the ELF file open at fd. Returns 0 (g filled; g->is_go 0 for other files), or -errno. */
int gotls_inspect_fd(int fd, struct go_exe *g);

/* Probes the executable at exe (a path, or /proc/PID/exe) when it is a Go program with
 * crypto/tls (with go_too: a holder's), or one with a TLS library linked in
 * (tls_probe_static_exe), not seen before (by device and inode). Under t->lock. Returns 1 when a
 * probe was attached now, 0 otherwise. */
int gotls_probe_file(struct tls_probes *t, const char *exe, int go_too);
/* The same for the executable of process pid. Thread-safe against the other tls_probes calls. */
int gotls_probe_pid(struct tls_probes *t, pid_t pid);
/* The same for a holder, as its events arrive: once per process image (new_image: it exec'd, or
 * is new to the taint table), not at each identifier it reads, which would cost an open and an
 * fstat of /proc/PID/exe every time. Main thread only. */
int gotls_probe_holder(struct tls_probes *t, pid_t pid, int new_image);
/* The process exited: its tgid may name another process next. */
void gotls_forget_holder(struct tls_probes *t, pid_t pid);
/* Probes the executables of the processes the kernel's taint table holds (taint_fd). Returns how
 * many were newly attached. */
int gotls_probe_holders(struct tls_probes *t, int taint_fd);

#endif
