// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* state: learnt values, derived files and living processes' taint, across agent restarts. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <openssl/evp.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "idsentry.skel.h"
#include "idsentry.h"
#include "derived.h"
#include "json.h"
#include "jsonread.h"
#include "policy.h"
#include "state.h"
#include "values.h"

#define STATE_VERSION 1
#define STATE_FILE "state.jsonl"
#define STATE_MAX_BYTES (16u << 20)

static void boot_id(char *out, size_t size)
{
	FILE *f = fopen("/proc/sys/kernel/random/boot_id", "re");

	out[0] = 0;
	if (f) {
		if (fgets(out, (int)size, f))
			out[strcspn(out, "\n")] = 0;
		fclose(f);
	}
}

/* A process's start, in ns since boot at clock-tick precision (the kernel's start_boottime,
 * as /proc/PID/stat's 22nd field has it); 0 when it is gone. */
static unsigned long long start_of(unsigned int tgid)
{
	char path[64], buf[1024], *p;
	unsigned long long ticks = 0;
	long hz = sysconf(_SC_CLK_TCK);
	ssize_t n;
	int fd, field;

	snprintf(path, sizeof(path), "/proc/%u/stat", tgid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = 0;
	/* comm may hold spaces and parentheses: count from the last ')' */
	p = strrchr(buf, ')');
	for (field = 2; p && field < 22; field++)
		p = strchr(p + 1, ' ');
	if (!p || sscanf(p + 1, "%llu", &ticks) != 1 || hz <= 0)
		return 0;
	return ticks * (1000000000ULL / (unsigned long long)hz);
}

static void names(struct json *j, const struct policy *pol, uint64_t mask)
{
	size_t i;

	json_array_begin(j, "identifiers");
	for (i = 0; i < pol->n_idents; i++)
		if (mask & (1ULL << pol->idents[i].bit))
			json_string(j, NULL, pol->idents[i].name);
	json_array_end(j);
}

static uint64_t mask_of(const struct policy *pol, const struct jval *arr)
{
	const struct identifier_def *id;
	const struct jval *v;
	uint64_t mask = 0;

	for (v = arr && arr->type == J_ARR ? arr->child : NULL; v; v = v->next)
		if (v->type == J_STR && (id = policy_find_identifier(pol, v->str)))
			mask |= 1ULL << id->bit;
	return mask;
}

static int append(char **buf, size_t *len, const struct json *j)
{
	char *grown;

	if (j->failed)
		return -ENOMEM;
	grown = realloc(*buf, *len + j->len + 2);
	if (!grown)
		return -ENOMEM;
	memcpy(grown + *len, j->s, j->len);
	grown[*len + j->len] = '\n';
	*len += j->len + 1;
	*buf = grown;
	return 0;
}

static void sha256_hex(const void *data, size_t len, char hex[65])
{
	unsigned char md[32];
	unsigned int n = 0, i;

	EVP_Digest(data, len, md, &n, EVP_sha256(), NULL);
	for (i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
}

/* The records after the header line. */
static int records(const struct state_parts *s, char **buf, size_t *len, struct state_counts *c)
{
	int fd = bpf_map__fd(s->skel->maps.taint);
	__u32 key, next, *prev = NULL;
	struct proc_taint t;
	struct json j;
	size_t i, k;
	char hex[2 * MAX_VALUE_BYTES + 1];
	int err = 0;

	for (i = 0; !err && i < s->values->n; i++) {
		const struct known_value *v = &s->values->values[i];

		if (v->bit >= s->policy->n_idents || v->len > MAX_VALUE_BYTES)
			continue;
		for (k = 0; k < v->len; k++)
			snprintf(hex + 2 * k, 3, "%02x", v->bytes[k]);
		hex[2 * v->len] = 0;
		json_init(&j);
		json_object_begin(&j, NULL);
		json_string(&j, "kind", "value");
		json_string(&j, "identifier", s->policy->idents[v->bit].name);
		json_string(&j, "source", v->source);
		json_string(&j, "path", v->path);
		json_string(&j, "hex", hex);
		json_object_end(&j);
		err = append(buf, len, &j);
		json_free(&j);
		c->values++;
	}
	for (i = 0; !err && i < s->derived->n; i++) {
		const struct derived_file *f = &s->derived->files[i];

		json_init(&j);
		json_object_begin(&j, NULL);
		json_string(&j, "kind", "derived");
		json_string(&j, "path", f->path);
		json_uint(&j, "dev", f->dev);
		json_uint(&j, "ino", f->ino);
		json_uint(&j, "writer", f->writer);
		json_int(&j, "written_at", f->written_at);
		names(&j, s->policy, f->ident_mask);
		json_object_end(&j);
		err = append(buf, len, &j);
		json_free(&j);
		c->derived++;
	}
	while (!err && !bpf_map_get_next_key(fd, prev, &next)) {
		unsigned long long start;

		key = next;
		prev = &key;
		if (bpf_map_lookup_elem(fd, &key, &t) || !t.ident_mask || !(start = start_of(key)))
			continue;
		json_init(&j);
		json_object_begin(&j, NULL);
		json_string(&j, "kind", "taint");
		json_uint(&j, "tgid", key);
		json_uint(&j, "start_ns", start);
		json_uint(&j, "last_ns", t.last_ns);
		names(&j, s->policy, t.ident_mask);
		json_object_end(&j);
		err = append(buf, len, &j);
		json_free(&j);
		c->taint++;
	}
	return err;
}

int state_save(const char *dir, const struct state_parts *s, struct state_counts *saved)
{
	char path[4096], tmp[4200], digest[65], boot[64];
	size_t len = 0;
	char *buf = NULL;
	struct json head;
	int fd, err;
	FILE *f;

	memset(saved, 0, sizeof(*saved));
	err = records(s, &buf, &len, saved);
	if (err) {
		free(buf);
		fprintf(stderr, "idsentry: saving the state in %s failed: %s\n", dir, strerror(-err));
		return err;
	}
	sha256_hex(buf ? buf : "", len, digest);
	boot_id(boot, sizeof(boot));
	json_init(&head);
	json_record_begin(&head, "idsentry-state");
	json_uint(&head, "version", STATE_VERSION);
	json_string(&head, "boot_id", boot);
	json_string(&head, "sha256", digest);
	json_object_end(&head);
	snprintf(path, sizeof(path), "%s/%s", dir, STATE_FILE);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	mkdir(dir, 0700);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	f = fd >= 0 ? fdopen(fd, "w") : NULL;
	err = !f || head.failed || fwrite(head.s, 1, head.len, f) != head.len || fputc('\n', f) < 0 ||
	      (len && fwrite(buf, 1, len, f) != len);
	err = (f ? fclose(f) : (fd >= 0 ? close(fd) : -1)) || err;
	if (!err && rename(tmp, path))
		err = 1;
	if (err) {
		err = errno ? -errno : -EIO;
		unlink(tmp);
		fprintf(stderr, "idsentry: saving the state to %s failed: %s (check --state-dir)\n",
			path, strerror(-err));
	}
	json_free(&head);
	free(buf);
	return err;
}

static int read_all(const char *path, char **out, size_t *len)
{
	struct stat st;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) || st.st_size > STATE_MAX_BYTES) {
		close(fd);
		return -EFBIG;
	}
	*out = malloc((size_t)st.st_size + 1);
	if (!*out) {
		close(fd);
		return -ENOMEM;
	}
	n = read(fd, *out, (size_t)st.st_size);
	close(fd);
	if (n != st.st_size) {
		free(*out);
		return -EIO;
	}
	(*out)[n] = 0;
	*len = (size_t)n;
	return 0;
}

static int hex_bytes(const char *hex, uint8_t *out, size_t cap, size_t *n)
{
	size_t i, len = strlen(hex);
	unsigned int b;

	if (len % 2 || len / 2 > cap)
		return -1;
	for (i = 0; i < len / 2; i++) {
		if (sscanf(hex + 2 * i, "%2x", &b) != 1)
			return -1;
		out[i] = (uint8_t)b;
	}
	*n = len / 2;
	return 0;
}

/* One record; returns 1 when it was used. */
static int load_record(const struct state_parts *s, const struct jval *r, int same_boot)
{
	const char *kind = jstr(r, "kind");
	uint8_t bytes[MAX_VALUE_BYTES];
	long long a = 0, b = 0, c = 0;
	size_t n;

	if (!kind)
		return 0;
	if (!strcmp(kind, "value")) {
		const struct identifier_def *id = jstr(r, "identifier") ?
			policy_find_identifier(s->policy, jstr(r, "identifier")) : NULL;

		if (!id || !jstr(r, "hex") || hex_bytes(jstr(r, "hex"), bytes, sizeof(bytes), &n))
			return 0;
		return values_learn(s->values, id->bit, jstr(r, "source") ? jstr(r, "source") : "file",
				    jstr(r, "path"), bytes, n) >= 0;
	}
	if (!strcmp(kind, "derived")) {
		uint64_t mask = mask_of(s->policy, jget(r, "identifiers"));
		struct stat st;

		/* the same file still: its inode (a replaced file holds nothing known) */
		if (!mask || !jstr(r, "path") || jint(r, "dev", &a) || jint(r, "ino", &b) ||
		    stat(jstr(r, "path"), &st) || (long long)st.st_ino != b)
			return 0;
		jint(r, "writer", &c);
		if (derived_add(s->derived, (uint64_t)a, (uint64_t)b, mask, jstr(r, "path"),
				(uint32_t)c, 0) < 0)
			return 0;
		/* its age goes on from when the value was last written, not from the restore */
		for (size_t i = 0; i < s->derived->n; i++)
			if (s->derived->files[i].ino == (uint64_t)b && !jint(r, "written_at", &c))
				s->derived->files[i].written_at = (int64_t)c;
		return 1;
	}
	if (!strcmp(kind, "taint") && same_boot) {
		uint64_t mask = mask_of(s->policy, jget(r, "identifiers"));
		struct proc_taint t = {};
		__u32 tgid;

		if (!mask || jint(r, "tgid", &a) || jint(r, "start_ns", &b) || jint(r, "last_ns", &c))
			return 0;
		tgid = (__u32)a;
		/* the same process, not another that took its pid */
		if (start_of(tgid) != (unsigned long long)b)
			return 0;
		t.ident_mask = mask;
		t.last_ns = (uint64_t)c;
		return !bpf_map_update_elem(bpf_map__fd(s->skel->maps.taint), &tgid, &t, BPF_NOEXIST);
	}
	return 0;
}

int state_load(const char *dir, const struct state_parts *s, struct state_counts *loaded)
{
	char path[4096], digest[65], boot[64], *text = NULL, *line, *body;
	struct jdoc head = {};
	size_t len = 0;
	long long version = 0;
	int err, same_boot;

	memset(loaded, 0, sizeof(*loaded));
	snprintf(path, sizeof(path), "%s/%s", dir, STATE_FILE);
	err = read_all(path, &text, &len);
	if (err == -ENOENT)
		return 0;
	if (err) {
		fprintf(stderr, "idsentry: the state in %s cannot be read: %s; starting without it\n",
			path, strerror(-err));
		return err;
	}
	body = memchr(text, '\n', len);
	body = body ? body + 1 : text + len;
	sha256_hex(body, len - (size_t)(body - text), digest);
	if (jdoc_parse(&head, text, (size_t)(body - text)) || !jstr(head.root, "sha256") ||
	    jint(head.root, "version", &version) || version != STATE_VERSION ||
	    strcmp(jstr(head.root, "sha256"), digest)) {
		fprintf(stderr, "idsentry: the state in %s fails its integrity check (a digest that "
				"does not match its records, or an unknown version): not used; remove "
				"it to start afresh\n", path);
		jdoc_free(&head);
		free(text);
		return -EBADMSG;
	}
	boot_id(boot, sizeof(boot));
	same_boot = jstr(head.root, "boot_id") && boot[0] && !strcmp(jstr(head.root, "boot_id"), boot);
	jdoc_free(&head);
	for (line = body; line < text + len;) {
		char *eol = memchr(line, '\n', (size_t)(text + len - line));
		struct jdoc d = {};

		if (!eol)
			eol = text + len;
		if (!jdoc_parse(&d, line, (size_t)(eol - line)) && load_record(s, d.root, same_boot)) {
			const char *kind = jstr(d.root, "kind");

			if (!strcmp(kind, "value"))
				loaded->values++;
			else if (!strcmp(kind, "derived"))
				loaded->derived++;
			else
				loaded->taint++;
		}
		jdoc_free(&d);
		line = eol + 1;
	}
	free(text);
	return 1;
}
