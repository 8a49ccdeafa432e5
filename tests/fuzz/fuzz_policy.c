// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* fuzz_policy: feeds arbitrary bytes to the policy loader and checks its result by policy.h. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include "diag.h"
#include "fuzz.h"
#include "policy.h"

static FILE *sink; /* diag_print's output, discarded */
static int memfd[2] = { -1, -1 };
static char memfd_path[2][32];

static const char *const severities[] = { "low", "medium", "high", "critical" };

static int valid_name(const char *s)
{
	if (!*s)
		return 0;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '_' || *s == '.' || *s == '-'))
			return 0;
	return 1;
}

static size_t file_pos(const struct policy *p, const char *file)
{
	size_t i;

	for (i = 0; i < p->files.n; i++)
		if (!strcmp(p->files.items[i], file))
			return i;
	return p->files.n;
}

/* ret is the error count (warnings are records too, not errors): every record must be ours, well
 * formed and in file/line/column order. */
static void check_diags(const struct policy *p, const struct diag_list *d, int ret)
{
	size_t i;

	FUZZ_CHECK(ret == -ENOMEM || (ret >= 0 && (size_t)ret == diag_errors(d)),
		   "ret %d, %zu records, %zu errors", ret, d->n, diag_errors(d));
	for (i = 0; i < d->n; i++) {
		const struct diag *e = &d->items[i], *prev = i ? &d->items[i - 1] : NULL;
		char *s;

		FUZZ_CHECK(e->file && e->message, "record %zu lacks file or message", i);
		FUZZ_CHECK(e->line >= 0 && (e->line == 0 || e->col >= 1), "record %zu at %d:%d", i,
			   e->line, e->col);
		FUZZ_CHECK(file_pos(p, e->file) < p->files.n, "record %zu names '%s'", i, e->file);
		if (prev && !strcmp(prev->file, e->file))
			FUZZ_CHECK(prev->line < e->line ||
					   (prev->line == e->line && prev->col <= e->col),
				   "record %zu (%d:%d) before %d:%d", i, e->line, e->col,
				   prev->line, prev->col);
		s = diag_format(e);
		FUZZ_CHECK(s != NULL, "diag_format failed");
		free(s);
	}
	diag_print(d, sink);
}

static void check_cidr(const struct dest_filter *f, const struct cidr *c)
{
	static const uint8_t v4_mapped[12] = { [10] = 0xff, [11] = 0xff };
	unsigned int max = c->family == AF_INET ? 32 : 128, i;
	uint8_t mapped[16];

	FUZZ_CHECK(c->family == AF_INET || c->family == AF_INET6, "family %d", c->family);
	FUZZ_CHECK(c->prefix <= max, "prefix %u", c->prefix);
	for (i = c->prefix; i < max; i++)
		FUZZ_CHECK(!(c->addr[i / 8] & (0x80 >> (i % 8))), "host bit %u set in /%u", i,
			   c->prefix);
	FUZZ_CHECK(dest_filter_has_addr(f, c->family, c->addr), "a CIDR does not hold its address");
	if (c->family == AF_INET) {
		memcpy(mapped, v4_mapped, 12);
		memcpy(mapped + 12, c->addr, 4);
		FUZZ_CHECK(dest_filter_has_addr(f, AF_INET6, mapped),
			   "an IPv4 CIDR does not hold its v4-mapped address");
	}
}

static void check_rule(const struct policy *p, const struct rule_def *r, int valid)
{
	uint64_t all = p->n_idents >= 64 ? UINT64_MAX : (1ULL << p->n_idents) - 1;
	const struct dest_filter *f = &r->dest_except;
	size_t i;
	int sev = 0;

	FUZZ_CHECK(r->name && valid_name(r->name), "rule name '%s'", r->name ? r->name : "(null)");
	FUZZ_CHECK(r->severity != NULL, "rule '%s' has no severity", r->name);
	for (i = 0; i < sizeof(severities) / sizeof(severities[0]); i++)
		sev |= !strcmp(r->severity, severities[i]);
	FUZZ_CHECK(sev, "severity '%s'", r->severity);
	FUZZ_CHECK(r->action == ACTION_ALERT || r->action == ACTION_BLOCK ||
			   r->action == ACTION_KILL,
		   "action %d", r->action);
	FUZZ_CHECK(strcmp(rule_action_name(r->action), "unknown"), "action %d has no name",
		   r->action);
	FUZZ_CHECK(r->window_ns > 0, "rule '%s' has a zero window", r->name);
	if (valid)
		FUZZ_CHECK(!(r->ident_mask & ~all), "mask %#llx beyond %zu identifiers",
			   (unsigned long long)r->ident_mask, p->n_idents);
	for (i = 0; i < f->n_cidrs; i++)
		check_cidr(f, &f->cidrs[i]);
	for (i = 0; i < f->n_ports; i++) {
		FUZZ_CHECK(f->ports[i].lo >= 1 && f->ports[i].lo <= f->ports[i].hi, "ports %u-%u",
			   f->ports[i].lo, f->ports[i].hi);
		FUZZ_CHECK(dest_filter_has_port(f, f->ports[i].lo) &&
				   dest_filter_has_port(f, f->ports[i].hi),
			   "port range %u-%u misses its ends", f->ports[i].lo, f->ports[i].hi);
	}
	for (i = 0; i < f->hosts.n; i++)
		FUZZ_CHECK(f->hosts.items[i][0], "empty host name");
	for (i = 0; i < r->process_except.exes.n; i++) {
		const char *e = r->process_except.exes.items[i];
		struct proc_identity id = { .exe = e, .comm = "x" };

		/* An exe path excepts itself (compared as a path when its inode is unknown). */
		FUZZ_CHECK(e[0] == '/', "exe exception '%s' is not absolute", e);
		FUZZ_CHECK(rule_excepts_process(r, &id), "'%s' not excepted", e);
	}
	for (i = 0; i < r->process_except.comms.n; i++) {
		struct proc_identity id = { .comm = "systemd-resolve" };

		FUZZ_CHECK(*r->process_except.comms.items[i], "empty process exception");
		/* a glob is run against a comm for coverage only */
		rule_excepts_process(r, &id);
	}
}

static void check_paths(const struct str_list *l, const char *what)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		FUZZ_CHECK(l->items[i][0] == '/', "relative %s path '%s'", what, l->items[i]);
}

static void check_policy(const struct policy *p, int ret)
{
	size_t i, j;

	FUZZ_CHECK(p->n_idents <= POLICY_MAX_IDENTIFIERS, "%zu identifiers", p->n_idents);
	for (i = 0; i < p->n_idents; i++) {
		const struct identifier_def *id = &p->idents[i];

		FUZZ_CHECK(id->bit == i, "identifier %zu has bit %u", i, id->bit);
		FUZZ_CHECK(id->name && valid_name(id->name) && strcmp(id->name, "any"),
			   "identifier name '%s'", id->name ? id->name : "(null)");
		FUZZ_CHECK(policy_find_identifier(p, id->name) == id, "name '%s' is not unique",
			   id->name);
		check_paths(&id->files, "files");
		check_paths(&id->modem, "modem");
		if (!ret)
			FUZZ_CHECK(id->files.n || id->ioctls.n || id->modem.n || id->properties.n ||
					   id->n_binder || id->netlink.n,
				   "identifier '%s' has no source", id->name);
	}
	for (i = 0; i < p->n_rules; i++) {
		check_rule(p, &p->rules[i], !ret);
		for (j = 0; j < i; j++)
			FUZZ_CHECK(strcmp(p->rules[i].name, p->rules[j].name),
				   "rule name '%s' is not unique", p->rules[i].name);
	}
}

static int put_file(int i, const uint8_t *data, size_t size)
{
	if (ftruncate(memfd[i], 0))
		return -1;
	return pwrite(memfd[i], data, size, 0) == (ssize_t)size ? 0 : -1;
}

static ssize_t discard(void *cookie, const char *buf, size_t size)
{
	return size;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	/* Not /dev/null: a stream of our own cannot turn out to be a regular file on disk. */
	static const cookie_io_functions_t io = { .write = discard };
	int i;

	sink = fopencookie(NULL, "w", io);
	if (!sink)
		abort();
	for (i = 0; i < 2; i++) {
		memfd[i] = memfd_create("fuzz-policy", MFD_CLOEXEC);
		if (memfd[i] < 0)
			abort();
		snprintf(memfd_path[i], sizeof(memfd_path[i]), "/proc/self/fd/%d", memfd[i]);
	}
	return 0;
}

/*
 * The bytes up to the first NUL are one document for policy_load_string. When a NUL follows, the
 * two halves are also loaded as two files, so references across files and read_file are covered;
 * the second half keeps any further NULs, which only a file can carry.
 */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nul = memchr(data, 0, size);
	size_t first = nul ? (size_t)(nul - data) : size;
	char *const files[2] = { memfd_path[0], memfd_path[1] };
	struct diag_list d = { 0 };
	struct policy p;
	char *text;
	int ret;

	text = strndup((const char *)data, first);
	if (!text)
		return 0;
	ret = policy_load_string(&p, "fuzz.yaml", text, &d);
	check_diags(&p, &d, ret);
	if (ret >= 0)
		check_policy(&p, ret);
	policy_free(&p);
	diag_list_free(&d);
	free(text);

	if (!nul || put_file(0, data, first) || put_file(1, nul + 1, size - first - 1))
		return 0;
	ret = policy_load_files(&p, files, 2, &d);
	check_diags(&p, &d, ret);
	if (ret >= 0)
		check_policy(&p, ret);
	policy_free(&p);
	diag_list_free(&d);
	return 0;
}
