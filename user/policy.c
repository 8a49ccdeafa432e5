/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* policy: turns policy YAML into struct policy, reporting every schema error with its position. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml.h>

#include "parcel.h"
#include "policy.h"

/* Far above any sane policy; stops a wrong path (a disk image, /dev/zero) from eating memory. */
#define POLICY_MAX_FILE_BYTES (16u << 20)
#define NO_RULE ((size_t)-1)
#define NS_PER_SEC 1000000000ULL

static const char *const known_ioctls[] = {
	"SIOCGIFHWADDR", "SIOCETHTOOL", "HDIO_GET_IDENTITY", "NVME_IOCTL_ADMIN_CMD", "SG_IO", NULL,
};
static const char *const top_keys[] = {
	"version", "identifiers", "rules", "property_libraries", "binder_sms", "spawners", "quiet",
	"derived_files", NULL,
};
static const char *const derived_keys[] = { "expire", NULL };
static const char *const quiet_keys[] = { "name", "protocol", "identifiers", "why", "exe", NULL };
static const char *const ident_keys[] = {
	"name", "files", "ioctls", "modem", "properties", "binder", "netlink", NULL,
};
static const char *const known_netlink[] = { "RTM_GETLINK", "RTM_GETNEIGH", NULL };
static const char *const binder_keys[] = { "interface", "codes", "reply", NULL };
static const char *const binder_sms_keys[] = { "interface", "codes", "args", NULL };
static const char *const rule_keys[] = {
	"name", "identifiers", "processes", "destinations", "window", "action", "severity", NULL,
};
static const char *const except_keys[] = { "except", NULL };
static const char *const process_keys[] = { "exe", "uid", "package", "comm", NULL };
static const char *const severities[] = { "low", "medium", "high", "critical", NULL };

enum { TK_VERSION, TK_IDENTIFIERS, TK_RULES, TK_PROPERTY_LIBRARIES, TK_BINDER_SMS, TK_SPAWNERS,
       TK_QUIET, TK_DERIVED_FILES };
enum { QK_NAME, QK_PROTOCOL, QK_IDENTIFIERS, QK_WHY, QK_EXE };
enum { IK_NAME, IK_FILES, IK_IOCTLS, IK_MODEM, IK_PROPERTIES, IK_BINDER, IK_NETLINK };
enum { BK_INTERFACE, BK_CODES, BK_LAYOUT };
enum { PK_EXE, PK_UID, PK_PACKAGE, PK_COMM };
enum { RK_NAME, RK_IDENTIFIERS, RK_PROCESSES, RK_DESTINATIONS, RK_WINDOW, RK_ACTION, RK_SEVERITY };

/* A rule's reference to an identifier, kept until every file is parsed because the identifier may
 * be defined in a later file of the same load. */
struct ident_ref {
	size_t rule;      /* index in p->rules, or NO_RULE when the rule itself was rejected */
	size_t quiet;     /* index in p->quiet, or NO_RULE: the reference is a quiet entry's */
	char *name;       /* NULL for "any" */
	const char *file; /* owned by p->files */
	int line, col;
	char *source;
};

struct loader {
	struct policy *p;
	struct diag_list *d;
	size_t first_diag; /* d->n on entry: only our own records get sorted */
	int errors;
	int oom;
	struct ident_ref *refs;
	size_t n_refs;
	/* Identifiers refused for exceeding the limit: rules naming them need no second error. */
	struct str_list dropped;
	int too_many_reported;
	/* The document being parsed. */
	const char *file;
	const char *text;
	size_t len;
	yaml_document_t *doc;
};

typedef void (*item_fn)(struct loader *ld, yaml_node_t *item, const char *s, const char *key,
			void *ctx);

static int str_list_push(struct str_list *l, const char *s)
{
	char **items = realloc(l->items, (l->n + 1) * sizeof(*items));
	char *dup;

	if (!items)
		return -ENOMEM;
	l->items = items;
	dup = strdup(s);
	if (!dup)
		return -ENOMEM;
	l->items[l->n++] = dup;
	return 0;
}

static void str_list_free(struct str_list *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->items[i]);
	free(l->items);
	l->items = NULL;
	l->n = 0;
}

static bool str_list_has(const struct str_list *l, const char *s)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (!strcmp(l->items[i], s))
			return true;
	return false;
}

/* Line breaks are counted the way libyaml counts them (\n, \r\n, \r) so marks and lines agree. */
static char *source_line(const char *text, size_t len, int line)
{
	const char *s = text, *end = text + len, *eol;
	int n;

	if (!text || line < 1)
		return NULL;
	for (n = 1; n < line; n++) {
		while (s < end && *s != '\n' && *s != '\r')
			s++;
		if (s == end)
			return NULL;
		if (*s == '\r' && s + 1 < end && s[1] == '\n')
			s++;
		s++;
	}
	/* libyaml does not count a byte-order mark as a column. */
	if (line == 1 && end - s >= 3 && !memcmp(s, "\xef\xbb\xbf", 3))
		s += 3;
	for (eol = s; eol < end && *eol != '\n' && *eol != '\r' && *eol != '\0'; eol++)
		;
	return strndup(s, eol - s);
}

/* Takes ownership of source. */
static void add_error(struct loader *ld, const char *file, int line, int col, char *source,
		      const char *msg)
{
	if (diag_add(ld->d, file, line, col, "%s", msg)) {
		ld->oom = 1;
		free(source);
		return;
	}
	ld->d->items[ld->d->n - 1].source = source;
	ld->errors++;
}

/* One record at a node's position; warnings do not count as errors. */
static void report_at(struct loader *ld, const yaml_mark_t *m, int warning, const char *fmt,
		      va_list ap)
{
	int line = (int)m->line + 1, col = (int)m->column + 1;
	char *msg;

	if (vasprintf(&msg, fmt, ap) < 0) {
		ld->oom = 1;
		return;
	}
	if (!warning) {
		add_error(ld, ld->file, line, col, source_line(ld->text, ld->len, line), msg);
	} else if (diag_add(ld->d, ld->file, line, col, "%s", msg)) {
		ld->oom = 1;
	} else {
		ld->d->items[ld->d->n - 1].source = source_line(ld->text, ld->len, line);
		ld->d->items[ld->d->n - 1].warning = 1;
	}
	free(msg);
}

static void __attribute__((format(printf, 3, 4)))
error_at(struct loader *ld, const yaml_mark_t *m, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report_at(ld, m, 0, fmt, ap);
	va_end(ap);
}

static void __attribute__((format(printf, 3, 4)))
warning_at(struct loader *ld, const yaml_mark_t *m, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report_at(ld, m, 1, fmt, ap);
	va_end(ap);
}

static yaml_node_t *node(struct loader *ld, yaml_node_item_t i)
{
	return yaml_document_get_node(ld->doc, i);
}

static const char *scalar(const yaml_node_t *n)
{
	return (const char *)n->data.scalar.value;
}

/* Only a plain scalar can be null: a quoted "" or "null" is a string the user typed on purpose. */
static bool is_null(const yaml_node_t *n)
{
	const char *v;

	if (n->type != YAML_SCALAR_NODE || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return false;
	v = scalar(n);
	return !*v || !strcmp(v, "~") || !strcmp(v, "null") || !strcmp(v, "Null") ||
	       !strcmp(v, "NULL");
}

/* Every string is later used as a C string, so an escaped NUL would silently truncate it. */
static bool has_nul(struct loader *ld, const yaml_node_t *n, const char *key)
{
	if (strlen(scalar(n)) == n->data.scalar.length)
		return false;
	error_at(ld, &n->start_mark, "'%s' must not contain a NUL character", key);
	return true;
}

/* Returns the scalar's text, or NULL once it has reported why the node is not a usable string. */
static const char *get_string(struct loader *ld, yaml_node_t *n, const char *key)
{
	if (n->type != YAML_SCALAR_NODE) {
		error_at(ld, &n->start_mark, "'%s' must be a string", key);
		return NULL;
	}
	if (is_null(n)) {
		error_at(ld, &n->start_mark, "missing value for '%s'", key);
		return NULL;
	}
	return has_nul(ld, n, key) ? NULL : scalar(n);
}

/* A lone string counts as a one-item list, so "files: /etc/machine-id" means what it says. */
static void for_each_string(struct loader *ld, yaml_node_t *n, const char *key, item_fn fn,
			    void *ctx)
{
	yaml_node_item_t *it;

	if (n->type == YAML_SCALAR_NODE) {
		if (is_null(n))
			return;
		if (!*scalar(n))
			error_at(ld, &n->start_mark, "empty string in '%s'", key);
		else if (!has_nul(ld, n, key))
			fn(ld, n, scalar(n), key, ctx);
		return;
	}
	if (n->type != YAML_SEQUENCE_NODE) {
		error_at(ld, &n->start_mark, "'%s' must be a list of strings", key);
		return;
	}
	for (it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
		yaml_node_t *item = node(ld, *it);

		if (item->type != YAML_SCALAR_NODE)
			error_at(ld, &item->start_mark, "'%s' must be a list of strings", key);
		else if (is_null(item) || !*scalar(item))
			error_at(ld, &item->start_mark, "empty string in '%s'", key);
		else if (!has_nul(ld, item, key))
			fn(ld, item, scalar(item), key, ctx);
	}
}

static void join_words(char *buf, size_t size, const char *const *words)
{
	size_t used = 0;
	int i;

	buf[0] = '\0';
	for (i = 0; words[i] && used < size; i++)
		used += snprintf(buf + used, size - used, "%s%s", i ? ", " : "", words[i]);
}

/* Returns the key's index in 'keys', or -1 once it has reported a bad, unknown or repeated key. */
static int lookup_key(struct loader *ld, yaml_node_t *key, const char *const *keys,
		      const char *ctx, unsigned int *seen)
{
	char expected[160];
	int i;

	if (key->type != YAML_SCALAR_NODE) {
		error_at(ld, &key->start_mark, "keys in %s must be strings", ctx);
		return -1;
	}
	for (i = 0; keys[i]; i++) {
		if (strcmp(keys[i], scalar(key)))
			continue;
		/* libyaml keeps both copies of a repeated key; the second would silently win. */
		if (*seen & (1u << i)) {
			error_at(ld, &key->start_mark, "duplicate key '%s' in %s", scalar(key),
				 ctx);
			return -1;
		}
		*seen |= 1u << i;
		return i;
	}
	join_words(expected, sizeof(expected), keys);
	error_at(ld, &key->start_mark, "unknown key '%s' in %s (expected %s%s)", scalar(key), ctx,
		 keys[1] ? "one of " : "", expected);
	return -1;
}

static bool valid_name(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '_' || *s == '.' || *s == '-'))
			return false;
	return true;
}

static bool all_digits(const char *s, size_t n)
{
	size_t i;

	if (!n)
		return false;
	for (i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

/* Returns the port, or -1; the length cap keeps the arithmetic from overflowing. */
static long parse_port(const char *s, size_t n)
{
	long v = 0;
	size_t i;

	if (!all_digits(s, n) || n > 5)
		return -1;
	for (i = 0; i < n; i++)
		v = v * 10 + (s[i] - '0');
	return v >= 1 && v <= 65535 ? v : -1;
}

static int parse_duration(const char *s, uint64_t *ns)
{
	static const struct {
		const char *suffix;
		uint64_t ns;
	} units[] = {
		{ "", NS_PER_SEC },	   { "ms", 1000000ULL },	{ "s", NS_PER_SEC },
		{ "m", 60 * NS_PER_SEC }, { "h", 3600 * NS_PER_SEC }, { "d", 86400 * NS_PER_SEC },
	};
	uint64_t v = 0;
	size_t i;

	if (*s < '0' || *s > '9')
		return -1;
	for (; *s >= '0' && *s <= '9'; s++) {
		if (v > (UINT64_MAX - (uint64_t)(*s - '0')) / 10)
			return -1;
		v = v * 10 + (uint64_t)(*s - '0');
	}
	for (i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (strcmp(s, units[i].suffix))
			continue;
		if (!v || v > UINT64_MAX / units[i].ns)
			return -1;
		*ns = v * units[i].ns;
		return 0;
	}
	return -1;
}

static void clear_host_bits(uint8_t *addr, unsigned int prefix, unsigned int bytes)
{
	unsigned int i, bits;

	for (i = 0; i < bytes; i++) {
		bits = prefix > i * 8 ? prefix - i * 8 : 0;
		if (bits < 8)
			addr[i] &= (uint8_t)(0xff00u >> bits);
	}
}

static int parse_cidr(const char *s, struct cidr *c)
{
	const char *slash = strchr(s, '/');
	char addr[INET6_ADDRSTRLEN];
	size_t alen = slash - s, plen = strlen(slash + 1);
	unsigned int prefix = 0, max;
	size_t i;

	if (!alen || alen >= sizeof(addr) || !all_digits(slash + 1, plen) || plen > 3)
		return -1;
	memcpy(addr, s, alen);
	addr[alen] = '\0';
	memset(c, 0, sizeof(*c));
	if (inet_pton(AF_INET, addr, c->addr) == 1) {
		c->family = AF_INET;
		max = 32;
	} else if (inet_pton(AF_INET6, addr, c->addr) == 1) {
		c->family = AF_INET6;
		max = 128;
	} else {
		return -1;
	}
	for (i = 0; i < plen; i++)
		prefix = prefix * 10 + (unsigned int)(slash[1 + i] - '0');
	if (prefix > max)
		return -1;
	c->prefix = (uint8_t)prefix;
	clear_host_bits(c->addr, prefix, max / 8);
	return 0;
}

static bool valid_host(const char *s)
{
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '-' || *s == '.' || *s == '*'))
			return false;
	return true;
}

static int push_cidr(struct dest_filter *f, const struct cidr *c)
{
	struct cidr *cidrs = realloc(f->cidrs, (f->n_cidrs + 1) * sizeof(*cidrs));

	if (!cidrs)
		return -ENOMEM;
	f->cidrs = cidrs;
	cidrs[f->n_cidrs++] = *c;
	return 0;
}

static int push_ports(struct dest_filter *f, long lo, long hi)
{
	struct port_range *ports = realloc(f->ports, (f->n_ports + 1) * sizeof(*ports));

	if (!ports)
		return -ENOMEM;
	f->ports = ports;
	ports[f->n_ports].lo = (uint16_t)lo;
	ports[f->n_ports].hi = (uint16_t)hi;
	f->n_ports++;
	return 0;
}

static void add_destination(struct loader *ld, yaml_node_t *item, const char *s, const char *key,
			    void *ctx)
{
	struct dest_filter *f = ctx;
	const char *dash = strchr(s, '-');
	size_t len = strlen(s);
	struct cidr c = { 0 };
	long lo, hi;
	int ret = 0;

	(void)key;
	if (all_digits(s, len)) {
		lo = parse_port(s, len);
		if (lo < 0)
			error_at(ld, &item->start_mark, "invalid port '%s' (expected 1-65535)", s);
		else
			ret = push_ports(f, lo, lo);
	} else if (dash && all_digits(s, dash - s) && all_digits(dash + 1, strlen(dash + 1))) {
		lo = parse_port(s, dash - s);
		hi = parse_port(dash + 1, strlen(dash + 1));
		if (lo < 0 || hi < 0 || lo > hi)
			error_at(ld, &item->start_mark,
				 "invalid port range '%s' (expected LO-HI within 1-65535)", s);
		else
			ret = push_ports(f, lo, hi);
	} else if (strchr(s, '/')) {
		if (parse_cidr(s, &c))
			error_at(ld, &item->start_mark, "invalid CIDR '%s'", s);
		else
			ret = push_cidr(f, &c);
	} else if (inet_pton(AF_INET, s, c.addr) == 1) {
		c.family = AF_INET;
		c.prefix = 32;
		ret = push_cidr(f, &c);
	} else if (inet_pton(AF_INET6, s, c.addr) == 1) {
		c.family = AF_INET6;
		c.prefix = 128;
		ret = push_cidr(f, &c);
	} else if (!strcmp(s, "unix")) {
		f->unix_sockets = 1;
	} else if (strspn(s, "0123456789.") == len || strchr(s, ':')) {
		/* Looks like an address, so calling it a bad host name would mislead. */
		error_at(ld, &item->start_mark, "invalid address '%s'", s);
	} else if (!valid_host(s)) {
		error_at(ld, &item->start_mark, "invalid host name '%s'", s);
	} else {
		ret = str_list_push(&f->hosts, s);
	}
	if (ret)
		ld->oom = 1;
}

static void add_string(struct loader *ld, yaml_node_t *item, const char *s, const char *key,
		       void *ctx)
{
	(void)item;
	(void)key;
	if (str_list_push(ctx, s))
		ld->oom = 1;
}

/* Relative paths would depend on each process's cwd, so they could never match reliably. */
static void add_path(struct loader *ld, yaml_node_t *item, const char *s, const char *key,
		     void *ctx)
{
	if (s[0] != '/')
		error_at(ld, &item->start_mark, "path '%s' in '%s' must be absolute", s, key);
	else
		add_string(ld, item, s, key, ctx);
}

/* The kernel compares property names in a fixed buffer (PROP_NAME_BYTES, 64, NUL included). */
static void add_property(struct loader *ld, yaml_node_t *item, const char *s, const char *key,
			 void *ctx)
{
	if (strlen(s) >= 64)
		error_at(ld, &item->start_mark, "property name '%s' is longer than 63 characters", s);
	else
		add_string(ld, item, s, key, ctx);
}

static void add_ioctl(struct loader *ld, yaml_node_t *item, const char *s, const char *key,
		      void *ctx)
{
	char expected[160];
	int i;

	for (i = 0; known_ioctls[i]; i++) {
		if (!strcmp(s, known_ioctls[i])) {
			add_string(ld, item, s, key, ctx);
			return;
		}
	}
	join_words(expected, sizeof(expected), known_ioctls);
	error_at(ld, &item->start_mark, "unknown ioctl '%s' (expected one of %s)", s, expected);
}

static void add_netlink(struct loader *ld, yaml_node_t *item, const char *s, const char *key,
			void *ctx)
{
	char expected[64];
	int i;

	for (i = 0; known_netlink[i]; i++) {
		if (!strcmp(s, known_netlink[i])) {
			add_string(ld, item, s, key, ctx);
			return;
		}
	}
	join_words(expected, sizeof(expected), known_netlink);
	error_at(ld, &item->start_mark, "unknown netlink request '%s' (expected one of %s)", s,
		 expected);
}

static void add_ident_ref(struct loader *ld, yaml_node_t *item, const char *s, const char *key,
			  void *ctx)
{
	struct ident_ref *refs = realloc(ld->refs, (ld->n_refs + 1) * sizeof(*refs));
	struct ident_ref *r;

	(void)key;
	(void)ctx;
	if (!refs) {
		ld->oom = 1;
		return;
	}
	ld->refs = refs;
	r = &refs[ld->n_refs];
	memset(r, 0, sizeof(*r));
	r->rule = NO_RULE;
	r->quiet = NO_RULE;
	if (item && strcmp(s, "any")) {
		r->name = strdup(s);
		r->file = ld->file;
		r->line = (int)item->start_mark.line + 1;
		r->col = (int)item->start_mark.column + 1;
		r->source = source_line(ld->text, ld->len, r->line);
		if (!r->name) {
			ld->oom = 1;
			return;
		}
	}
	ld->n_refs++;
}

/* Parses an "{except: [...]}" mapping; an absent or null value means no exceptions. */
static void parse_except(struct loader *ld, yaml_node_t *n, const char *ctx, item_fn fn,
			 void *list)
{
	unsigned int seen = 0;
	yaml_node_pair_t *pair;

	if (is_null(n))
		return;
	if (n->type != YAML_MAPPING_NODE) {
		error_at(ld, &n->start_mark, "'%s' must be a mapping with an 'except' list", ctx);
		return;
	}
	for (pair = n->data.mapping.pairs.start; pair < n->data.mapping.pairs.top; pair++) {
		if (lookup_key(ld, node(ld, pair->key), except_keys, ctx, &seen) == 0)
			for_each_string(ld, node(ld, pair->value), "except", fn, list);
	}
}

static void free_binder_defs(struct binder_def *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		free(b[i].interface);
		free(b[i].codes);
		free(b[i].layout);
	}
	free(b);
}

static void add_exe(struct loader *ld, yaml_node_t *item, const char *s, struct process_filter *f)
{
	uint64_t(*ids)[2];
	struct stat st;

	if (s[0] != '/') {
		error_at(ld, &item->start_mark, "exe '%s' must be an absolute path", s);
		return;
	}
	ids = realloc(f->exe_ids, (f->exes.n + 1) * sizeof(*ids));
	if (!ids || str_list_push(&f->exes, s)) {
		if (ids)
			f->exe_ids = ids;
		ld->oom = 1;
		return;
	}
	f->exe_ids = ids;
	/* the file itself, not its name: a mount namespace can put anything at a path */
	ids[f->exes.n - 1][0] = ids[f->exes.n - 1][1] = 0;
	if (!stat(s, &st)) {
		ids[f->exes.n - 1][0] = st.st_dev;
		ids[f->exes.n - 1][1] = st.st_ino;
	}
}

static void add_comm(struct loader *ld, yaml_node_t *item, const char *s, struct process_filter *f,
		     int bare)
{
	if (str_list_push(&f->comms, s)) {
		ld->oom = 1;
		return;
	}
	warning_at(ld, &item->start_mark,
		   "'%s' matches the process name (comm), which any process can set with "
		   "prctl(PR_SET_NAME): prefer an exe path, {uid: N} or {package: NAME}%s", s,
		   bare ? " (write {comm: ...} to keep a name on purpose)" : "");
}

static void add_uid(struct loader *ld, yaml_node_t *item, struct process_filter *f)
{
	const char *s = item->type == YAML_SCALAR_NODE ? scalar(item) : "";
	uint32_t *uids;
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (item->type != YAML_SCALAR_NODE || !*s || *end || errno || v > 0xfffffffeUL ||
	    s[0] == '-') {
		error_at(ld, &item->start_mark, "invalid uid '%s' (expected a number)", s);
		return;
	}
	uids = realloc(f->uids, (f->n_uids + 1) * sizeof(*uids));
	if (!uids) {
		ld->oom = 1;
		return;
	}
	f->uids = uids;
	uids[f->n_uids++] = (uint32_t)v;
}

/* One item of processes.except: an exe path, a bare comm glob, or {exe|uid|package|comm: ...}. */
static void add_process(struct loader *ld, yaml_node_t *item, struct process_filter *f)
{
	unsigned int seen = 0;
	yaml_node_pair_t *pair;
	yaml_node_item_t *it;
	int errors = ld->errors;
	const char *s;

	if (item->type == YAML_SCALAR_NODE) {
		s = scalar(item);
		if (is_null(item) || !*s)
			error_at(ld, &item->start_mark, "empty string in 'except'");
		else if (!has_nul(ld, item, "except"))
			s[0] == '/' ? add_exe(ld, item, s, f) : add_comm(ld, item, s, f, 1);
		return;
	}
	if (item->type != YAML_MAPPING_NODE) {
		error_at(ld, &item->start_mark, "each process exception must be an exe path or a "
						"mapping with one of exe, uid, package, comm");
		return;
	}
	for (pair = item->data.mapping.pairs.start; pair < item->data.mapping.pairs.top; pair++) {
		yaml_node_t *v = node(ld, pair->value);

		switch (lookup_key(ld, node(ld, pair->key), process_keys, "process exception",
				   &seen)) {
		case PK_EXE:
			if ((s = get_string(ld, v, "exe")))
				add_exe(ld, v, s, f);
			break;
		case PK_UID:
			if (v->type != YAML_SEQUENCE_NODE) {
				add_uid(ld, v, f);
				break;
			}
			for (it = v->data.sequence.items.start; it < v->data.sequence.items.top; it++)
				add_uid(ld, node(ld, *it), f);
			break;
		case PK_PACKAGE:
			if ((s = get_string(ld, v, "package")) && !valid_name(s))
				error_at(ld, &v->start_mark, "invalid package name '%s'", s);
			else if (s && str_list_push(&f->packages, s))
				ld->oom = 1;
			break;
		case PK_COMM:
			if ((s = get_string(ld, v, "comm")))
				add_comm(ld, v, s, f, 0);
			break;
		}
	}
	if (!seen && ld->errors == errors)
		error_at(ld, &item->start_mark, "a process exception needs one of exe, uid, package, "
						"comm");
}

static void parse_processes(struct loader *ld, yaml_node_t *n, struct process_filter *f)
{
	unsigned int seen = 0;
	yaml_node_pair_t *pair;
	yaml_node_item_t *it;

	if (is_null(n))
		return;
	if (n->type != YAML_MAPPING_NODE) {
		error_at(ld, &n->start_mark, "'processes' must be a mapping with an 'except' list");
		return;
	}
	for (pair = n->data.mapping.pairs.start; pair < n->data.mapping.pairs.top; pair++) {
		yaml_node_t *v = node(ld, pair->value);

		if (lookup_key(ld, node(ld, pair->key), except_keys, "processes", &seen) != 0)
			continue;
		if (v->type == YAML_SEQUENCE_NODE) {
			for (it = v->data.sequence.items.start; it < v->data.sequence.items.top; it++)
				add_process(ld, node(ld, *it), f);
		} else if (!is_null(v)) {
			add_process(ld, v, f);
		}
	}
}

static void free_identifier(struct identifier_def *id)
{
	free(id->name);
	free_binder_defs(id->binder, id->n_binder);
	str_list_free(&id->files);
	str_list_free(&id->ioctls);
	str_list_free(&id->modem);
	str_list_free(&id->properties);
	str_list_free(&id->netlink);
}

static void free_process_filter(struct process_filter *f)
{
	str_list_free(&f->exes);
	free(f->exe_ids);
	free(f->uids);
	str_list_free(&f->packages);
	str_list_free(&f->comms);
}

static void free_rule(struct rule_def *r)
{
	free(r->name);
	free(r->severity);
	free_process_filter(&r->process_except);
	free(r->dest_except.cidrs);
	free(r->dest_except.ports);
	str_list_free(&r->dest_except.hosts);
}

static bool rule_exists(const struct policy *p, const char *name)
{
	size_t i;

	for (i = 0; i < p->n_rules; i++)
		if (!strcmp(p->rules[i].name, name))
			return true;
	return false;
}

/* Returns a copy of a valid, unique identifier or rule name, or NULL once it reported why not. */
static char *parse_name(struct loader *ld, yaml_node_t *v, const char *what)
{
	const char *s = get_string(ld, v, "name");
	bool ident = !strcmp(what, "identifier");
	char *name;

	if (!s)
		return NULL;
	if (!valid_name(s)) {
		error_at(ld, &v->start_mark, "invalid %s name '%s' %s", what, s,
			 "(allowed: letters, digits, '_', '.', '-')");
		return NULL;
	}
	if (ident && !strcmp(s, "any")) {
		error_at(ld, &v->start_mark, "identifier name 'any' is reserved %s",
			 "(rules use it to mean every identifier)");
		return NULL;
	}
	if (ident ? policy_find_identifier(ld->p, s) || str_list_has(&ld->dropped, s) :
		    rule_exists(ld->p, s)) {
		error_at(ld, &v->start_mark, "duplicate %s '%s'", what, s);
		return NULL;
	}
	name = strdup(s);
	if (!name)
		ld->oom = 1;
	return name;
}

static void parse_action(struct loader *ld, yaml_node_t *v, enum rule_action *action)
{
	const char *s = get_string(ld, v, "action");

	if (!s)
		return;
	if (!strcmp(s, "alert"))
		*action = ACTION_ALERT;
	else if (!strcmp(s, "block"))
		*action = ACTION_BLOCK;
	else if (!strcmp(s, "kill"))
		*action = ACTION_KILL;
	else
		error_at(ld, &v->start_mark, "unknown action '%s' (expected alert, block or kill)",
			 s);
}

static char *parse_severity(struct loader *ld, yaml_node_t *v)
{
	const char *s = get_string(ld, v, "severity");
	char *copy;
	int i;

	if (!s)
		return NULL;
	for (i = 0; severities[i]; i++) {
		if (strcmp(s, severities[i]))
			continue;
		copy = strdup(s);
		if (!copy)
			ld->oom = 1;
		return copy;
	}
	error_at(ld, &v->start_mark, "unknown severity '%s' %s", s,
		 "(expected low, medium, high or critical)");
	return NULL;
}

/* Descriptors are Java names; the kernel compares their first BINDER_NAME_BYTES (64) bytes. */
static bool valid_interface(const char *s)
{
	size_t n = strlen(s);

	if (!n || n > 64 || s[0] == '.' || s[n - 1] == '.')
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		      (*s >= '0' && *s <= '9') || *s == '_' || *s == '.' || *s == '$'))
			return false;
	return true;
}

static void parse_codes(struct loader *ld, yaml_node_t *v, struct binder_def *b)
{
	yaml_node_item_t *it;

	if (v->type != YAML_SEQUENCE_NODE || v->data.sequence.items.start == v->data.sequence.items.top) {
		error_at(ld, &v->start_mark, "'codes' must be a list of transaction codes %s",
			 "(numbers, FIRST_CALL_TRANSACTION = 1 plus the method's index)");
		return;
	}
	for (it = v->data.sequence.items.start; it < v->data.sequence.items.top; it++) {
		yaml_node_t *item = node(ld, *it);
		const char *s = item->type == YAML_SCALAR_NODE ? scalar(item) : "";
		uint32_t *codes;
		char *end;
		unsigned long c;

		errno = 0;
		c = strtoul(s, &end, 0);
		/* user transactions: FIRST_CALL_TRANSACTION (1) .. LAST_CALL_TRANSACTION (0xffffff) */
		if (item->type != YAML_SCALAR_NODE || !*s || *end || errno || c < 1 ||
		    c > 0xffffff || s[0] == '-') {
			error_at(ld, &item->start_mark, "invalid transaction code '%s' %s", s,
				 "(expected a number from 1 to 16777215)");
			continue;
		}
		codes = realloc(b->codes, (b->n_codes + 1) * sizeof(*codes));
		if (!codes) {
			ld->oom = 1;
			return;
		}
		b->codes = codes;
		b->codes[b->n_codes++] = (uint32_t)c;
	}
}

/* One {interface, codes, reply|args} entry; 'sms' selects binder_sms's keys and layout. */
static void parse_binder_entry(struct loader *ld, yaml_node_t *n, int sms, struct binder_def **list,
			       size_t *count)
{
	const char *const *keys = sms ? binder_sms_keys : binder_keys;
	const char *ctx = sms ? "binder_sms entry" : "binder entry";
	struct binder_def b = { 0 }, *grown;
	yaml_node_t *layout_node = NULL;
	unsigned int seen = 0;
	yaml_node_pair_t *pair;
	int errors = ld->errors;
	const char *s;

	if (n->type != YAML_MAPPING_NODE) {
		error_at(ld, &n->start_mark, "each %s must be a mapping with 'interface' and 'codes'",
			 ctx);
		return;
	}
	for (pair = n->data.mapping.pairs.start; pair < n->data.mapping.pairs.top; pair++) {
		yaml_node_t *v = node(ld, pair->value);

		switch (lookup_key(ld, node(ld, pair->key), keys, ctx, &seen)) {
		case BK_INTERFACE:
			s = get_string(ld, v, "interface");
			if (s && !valid_interface(s))
				error_at(ld, &v->start_mark, "invalid interface descriptor '%s' %s", s,
					 "(a Java name of at most 64 characters, e.g. "
					 "com.android.internal.telephony.IPhoneSubInfo)");
			else if (s && !(b.interface = strdup(s)))
				ld->oom = 1;
			break;
		case BK_CODES:
			parse_codes(ld, v, &b);
			break;
		case BK_LAYOUT:
			s = get_string(ld, v, sms ? "args" : "reply");
			if (s) {
				struct parcel_layout l;
				char err[160];

				layout_node = v;
				if (parcel_layout_parse(s, sms ? PARCEL_LAYOUT_SMS : PARCEL_LAYOUT_REPLY,
							&l, err, sizeof(err)))
					error_at(ld, &v->start_mark, "%s: %s", sms ? "args" : "reply",
						 err);
				else if (!(b.layout = strdup(s)))
					ld->oom = 1;
			}
			break;
		}
	}
	if (!(seen & (1u << BK_INTERFACE)))
		error_at(ld, &n->start_mark, "%s has no 'interface'", ctx);
	if (!(seen & (1u << BK_CODES)))
		error_at(ld, &n->start_mark, "%s has no 'codes'", ctx);
	if (sms && !layout_node && ld->errors == errors)
		error_at(ld, &n->start_mark, "%s has no 'args' %s", ctx,
			 "(the argument layout of the call, e.g. "
			 "\"int str str to=str str text=str intent intent bool long\")");
	if (!sms && !b.layout && !layout_node && !(b.layout = strdup(POLICY_DEFAULT_REPLY_LAYOUT)))
		ld->oom = 1;
	if (ld->errors != errors || ld->oom)
		goto drop;
	grown = realloc(*list, (*count + 1) * sizeof(*grown));
	if (!grown) {
		ld->oom = 1;
		goto drop;
	}
	*list = grown;
	grown[(*count)++] = b;
	return;
drop:
	free(b.interface);
	free(b.codes);
	free(b.layout);
}

static void parse_binder_list(struct loader *ld, yaml_node_t *v, int sms, struct binder_def **list,
			      size_t *count)
{
	yaml_node_item_t *it;

	if (is_null(v))
		return;
	if (v->type != YAML_SEQUENCE_NODE) {
		error_at(ld, &v->start_mark, "'%s' must be a list of {interface, codes, %s} mappings",
			 sms ? "binder_sms" : "binder", sms ? "args" : "reply");
		return;
	}
	for (it = v->data.sequence.items.start; it < v->data.sequence.items.top; it++)
		parse_binder_entry(ld, node(ld, *it), sms, list, count);
}

static void parse_identifier(struct loader *ld, yaml_node_t *n)
{
	struct policy *p = ld->p;
	struct identifier_def id = { 0 }, *idents;
	yaml_node_t *name_node = NULL;
	unsigned int seen = 0;
	yaml_node_pair_t *pair;
	bool bad_source = false;
	int errors, k;

	if (n->type != YAML_MAPPING_NODE) {
		error_at(ld, &n->start_mark, "each identifier must be a mapping with a 'name'");
		return;
	}
	for (pair = n->data.mapping.pairs.start; pair < n->data.mapping.pairs.top; pair++) {
		yaml_node_t *v = node(ld, pair->value);

		errors = ld->errors;
		k = lookup_key(ld, node(ld, pair->key), ident_keys, "identifier", &seen);
		switch (k) {
		case IK_NAME:
			name_node = v;
			id.name = parse_name(ld, v, "identifier");
			break;
		case IK_FILES:
			for_each_string(ld, v, "files", add_path, &id.files);
			break;
		case IK_IOCTLS:
			for_each_string(ld, v, "ioctls", add_ioctl, &id.ioctls);
			break;
		case IK_MODEM:
			for_each_string(ld, v, "modem", add_path, &id.modem);
			break;
		case IK_PROPERTIES:
			for_each_string(ld, v, "properties", add_property, &id.properties);
			break;
		case IK_BINDER:
			parse_binder_list(ld, v, 0, &id.binder, &id.n_binder);
			break;
		case IK_NETLINK:
			for_each_string(ld, v, "netlink", add_netlink, &id.netlink);
			break;
		}
		if (k > IK_NAME && ld->errors != errors)
			bad_source = true;
	}
	if (!name_node)
		error_at(ld, &n->start_mark, "identifier has no 'name'");
	/* A source list whose items were all rejected has been reported already. */
	if (!id.name)
		goto drop;
	if (!id.files.n && !id.ioctls.n && !id.modem.n && !id.properties.n && !id.n_binder &&
	    !id.netlink.n && !bad_source)
		error_at(ld, &name_node->start_mark, "identifier '%s' has no source %s", id.name,
			 "(expected at least one of files, ioctls, modem, properties, binder, "
			 "netlink)");
	if (p->n_idents >= POLICY_MAX_IDENTIFIERS) {
		if (!ld->too_many_reported)
			error_at(ld, &name_node->start_mark, "too many identifiers (at most %d)",
				 POLICY_MAX_IDENTIFIERS);
		ld->too_many_reported = 1;
		if (str_list_push(&ld->dropped, id.name))
			ld->oom = 1;
		goto drop;
	}
	idents = realloc(p->idents, (p->n_idents + 1) * sizeof(*idents));
	if (!idents) {
		ld->oom = 1;
		goto drop;
	}
	p->idents = idents;
	id.bit = (unsigned int)p->n_idents;
	idents[p->n_idents++] = id;
	return;
drop:
	free_identifier(&id);
}

static void parse_rule(struct loader *ld, yaml_node_t *n)
{
	struct rule_def r = { .window_ns = POLICY_DEFAULT_WINDOW_NS, .action = ACTION_ALERT };
	size_t first_ref = ld->n_refs, i, rule = NO_RULE;
	struct policy *p = ld->p;
	unsigned int seen = 0;
	yaml_node_pair_t *pair;
	struct rule_def *rules;
	int errors;
	const char *s;

	if (n->type != YAML_MAPPING_NODE) {
		error_at(ld, &n->start_mark, "each rule must be a mapping with a 'name'");
		return;
	}
	for (pair = n->data.mapping.pairs.start; pair < n->data.mapping.pairs.top; pair++) {
		yaml_node_t *v = node(ld, pair->value);

		switch (lookup_key(ld, node(ld, pair->key), rule_keys, "rule", &seen)) {
		case RK_NAME:
			r.name = parse_name(ld, v, "rule");
			break;
		case RK_IDENTIFIERS:
			errors = ld->errors;
			for_each_string(ld, v, "identifiers", add_ident_ref, NULL);
			/* An empty list would make a rule that can never fire. */
			if (ld->n_refs == first_ref && errors == ld->errors)
				error_at(ld, &v->start_mark, "'identifiers' must not be empty %s",
					 "(use 'any' for every identifier)");
			break;
		case RK_PROCESSES:
			parse_processes(ld, v, &r.process_except);
			break;
		case RK_DESTINATIONS:
			parse_except(ld, v, "destinations", add_destination, &r.dest_except);
			break;
		case RK_WINDOW:
			s = get_string(ld, v, "window");
			if (s && parse_duration(s, &r.window_ns))
				error_at(ld, &v->start_mark,
					 "invalid duration '%s' (expected e.g. 30s, 10m, 1h)", s);
			break;
		case RK_ACTION:
			parse_action(ld, v, &r.action);
			break;
		case RK_SEVERITY:
			r.severity = parse_severity(ld, v);
			break;
		}
	}
	/* Without an 'identifiers' key the rule watches everything rather than nothing. */
	if (!(seen & (1u << RK_IDENTIFIERS)))
		add_ident_ref(ld, NULL, "any", "identifiers", NULL);
	if (!r.severity && !(r.severity = strdup("high")))
		ld->oom = 1;
	if (!(seen & (1u << RK_NAME)))
		error_at(ld, &n->start_mark, "rule has no 'name'");
	if (r.name) {
		rules = realloc(p->rules, (p->n_rules + 1) * sizeof(*rules));
		if (rules) {
			p->rules = rules;
			rule = p->n_rules;
			rules[p->n_rules++] = r;
		} else {
			ld->oom = 1;
		}
	}
	for (i = first_ref; i < ld->n_refs; i++)
		ld->refs[i].rule = rule;
	if (rule == NO_RULE)
		free_rule(&r);
}

static bool quiet_exists(const struct policy *p, const char *name)
{
	size_t i;

	for (i = 0; i < p->n_quiet; i++)
		if (!strcmp(p->quiet[i].name, name))
			return true;
	return false;
}

static void free_quiet(struct quiet_def *q)
{
	free(q->name);
	free(q->why);
	str_list_free(&q->exes);
}

/* One `quiet` entry: a protocol that carries identifiers by design (quiet.h), which of them its
 * fields may hold, why that is no leak (required: the exception must explain itself), and
 * optionally the only executables it applies to. */
static void parse_quiet(struct loader *ld, yaml_node_t *n)
{
	struct quiet_def q = { .protocol = QUIET_NONE };
	size_t first_ref = ld->n_refs, i, entry = NO_RULE;
	struct policy *p = ld->p;
	unsigned int seen = 0;
	yaml_node_pair_t *pair;
	struct quiet_def *all;
	char expected[128];
	const char *s;
	int errors;

	if (n->type != YAML_MAPPING_NODE) {
		error_at(ld, &n->start_mark, "each quiet entry must be a mapping with a 'name'");
		return;
	}
	for (pair = n->data.mapping.pairs.start; pair < n->data.mapping.pairs.top; pair++) {
		yaml_node_t *v = node(ld, pair->value);

		switch (lookup_key(ld, node(ld, pair->key), quiet_keys, "quiet entry", &seen)) {
		case QK_NAME:
			s = get_string(ld, v, "name");
			if (s && !valid_name(s))
				error_at(ld, &v->start_mark, "invalid quiet entry name '%s' %s", s,
					 "(allowed: letters, digits, '_', '.', '-')");
			else if (s && quiet_exists(p, s))
				error_at(ld, &v->start_mark, "duplicate quiet entry '%s'", s);
			else if (s && !(q.name = strdup(s)))
				ld->oom = 1;
			break;
		case QK_PROTOCOL:
			s = get_string(ld, v, "protocol");
			if (s && (q.protocol = quiet_protocol_of(s)) == QUIET_NONE) {
				size_t k, at = 0;

				for (k = QUIET_NONE + 1; k < QUIET_PROTOCOLS; k++)
					at += snprintf(expected + at, sizeof(expected) - at, "%s%s",
						       k > QUIET_NONE + 1 ? ", " : "",
						       quiet_protocol_name(k));
				error_at(ld, &v->start_mark, "unknown quiet protocol '%s' (expected "
					 "one of %s)", s, expected);
			}
			break;
		case QK_IDENTIFIERS:
			errors = ld->errors;
			for_each_string(ld, v, "identifiers", add_ident_ref, NULL);
			if (ld->n_refs == first_ref && errors == ld->errors)
				error_at(ld, &v->start_mark, "'identifiers' must not be empty");
			break;
		case QK_WHY:
			s = get_string(ld, v, "why");
			if (s && !*s)
				error_at(ld, &v->start_mark, "'why' must say why this is no leak");
			else if (s && !(q.why = strdup(s)))
				ld->oom = 1;
			break;
		case QK_EXE:
			for_each_string(ld, v, "exe", add_path, &q.exes);
			break;
		}
	}
	if (!(seen & (1u << QK_NAME)))
		error_at(ld, &n->start_mark, "quiet entry has no 'name'");
	if (!(seen & (1u << QK_PROTOCOL)))
		error_at(ld, &n->start_mark, "quiet entry has no 'protocol'");
	if (!(seen & (1u << QK_WHY)))
		error_at(ld, &n->start_mark, "quiet entry has no 'why' %s",
			 "(an exception must say why what it hides is no leak)");
	if (!(seen & (1u << QK_IDENTIFIERS)))
		error_at(ld, &n->start_mark, "quiet entry has no 'identifiers' %s",
			 "(name the identifiers the protocol carries by design)");
	if (q.name && q.why && q.protocol != QUIET_NONE) {
		all = realloc(p->quiet, (p->n_quiet + 1) * sizeof(*all));
		if (all) {
			p->quiet = all;
			entry = p->n_quiet;
			all[p->n_quiet++] = q;
		} else {
			ld->oom = 1;
		}
	}
	for (i = first_ref; i < ld->n_refs; i++)
		ld->refs[i].quiet = entry;
	if (entry == NO_RULE)
		free_quiet(&q);
}

static void parse_list(struct loader *ld, yaml_node_t *n, const char *key,
		       void (*parse)(struct loader *, yaml_node_t *))
{
	yaml_node_item_t *it;

	if (is_null(n))
		return;
	if (n->type != YAML_SEQUENCE_NODE) {
		error_at(ld, &n->start_mark, "'%s' must be a list of mappings", key);
		return;
	}
	for (it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++)
		parse(ld, node(ld, *it));
}

/* Top-level `derived_files`: how files a holder wrote a value into stay identifier files. */
static void parse_derived_files(struct loader *ld, yaml_node_t *n)
{
	unsigned int seen = 0;
	yaml_node_pair_t *pair;
	const char *s;

	if (is_null(n))
		return;
	if (n->type != YAML_MAPPING_NODE) {
		error_at(ld, &n->start_mark, "'derived_files' must be a mapping (e.g. expire: 30d)");
		return;
	}
	for (pair = n->data.mapping.pairs.start; pair < n->data.mapping.pairs.top; pair++) {
		yaml_node_t *v = node(ld, pair->value);

		if (lookup_key(ld, node(ld, pair->key), derived_keys, "derived_files", &seen))
			continue;
		s = get_string(ld, v, "expire");
		if (s && parse_duration(s, &ld->p->derived_expire_ns))
			error_at(ld, &v->start_mark,
				 "invalid duration '%s' for derived_files.expire (expected e.g. 12h, "
				 "30d)", s);
	}
}

static void parse_root(struct loader *ld, yaml_node_t *root)
{
	unsigned int seen = 0;
	yaml_node_pair_t *pair;

	if (is_null(root))
		return;
	if (root->type != YAML_MAPPING_NODE) {
		error_at(ld, &root->start_mark,
			 "a policy must be a mapping with keys version, identifiers, rules");
		return;
	}
	for (pair = root->data.mapping.pairs.start; pair < root->data.mapping.pairs.top; pair++) {
		yaml_node_t *v = node(ld, pair->value);

		switch (lookup_key(ld, node(ld, pair->key), top_keys, "policy", &seen)) {
		case TK_VERSION:
			if (v->type != YAML_SCALAR_NODE)
				error_at(ld, &v->start_mark, "'version' must be a number");
			else if (strcmp(scalar(v), "1"))
				error_at(ld, &v->start_mark,
					 "unsupported policy version '%s' (expected 1)", scalar(v));
			break;
		case TK_IDENTIFIERS:
			parse_list(ld, v, "identifiers", parse_identifier);
			break;
		case TK_RULES:
			parse_list(ld, v, "rules", parse_rule);
			break;
		case TK_PROPERTY_LIBRARIES:
			/* libraries with bionic's property getters, for the `properties` probes */
			for_each_string(ld, v, "property_libraries", add_path,
					&ld->p->property_libraries);
			break;
		case TK_BINDER_SMS:
			parse_binder_list(ld, v, 1, &ld->p->binder_sms, &ld->p->n_binder_sms);
			break;
		case TK_SPAWNERS:
			/* like processes.except: exe paths or comm globs */
			for_each_string(ld, v, "spawners", add_string, &ld->p->spawners);
			break;
		case TK_QUIET:
			parse_list(ld, v, "quiet", parse_quiet);
			break;
		case TK_DERIVED_FILES:
			parse_derived_files(ld, v);
			break;
		}
	}
}

static void syntax_error(struct loader *ld, const yaml_parser_t *parser)
{
	yaml_mark_t mark = parser->problem_mark;
	const unsigned char *s = (const unsigned char *)ld->text;
	size_t i;

	if (parser->error == YAML_MEMORY_ERROR) {
		ld->oom = 1;
		return;
	}
	/* The reader (bad UTF-8, control characters) only records a byte offset. */
	if (parser->error == YAML_READER_ERROR) {
		memset(&mark, 0, sizeof(mark));
		for (i = 0; i < parser->problem_offset && i < ld->len; i++) {
			bool crlf = s[i] == '\r' && i + 1 < ld->len && s[i + 1] == '\n';

			if (s[i] == '\n' || (s[i] == '\r' && !crlf)) {
				mark.line++;
				mark.column = 0;
			} else if (s[i] != '\r' && (s[i] & 0xc0) != 0x80) {
				mark.column++;
			}
		}
	}
	/* libyaml finds an unclosed construct where it fails; name where the construct began */
	if (parser->context)
		error_at(ld, &mark, "YAML syntax error: %s (%s at line %zu, column %zu)",
			 parser->problem ? parser->problem : "cannot parse", parser->context,
			 parser->context_mark.line + 1, parser->context_mark.column + 1);
	else
		error_at(ld, &mark, "YAML syntax error: %s",
			 parser->problem ? parser->problem : "cannot parse");
}

static void parse_text(struct loader *ld, const char *file, const char *text, size_t len)
{
	yaml_parser_t parser;
	yaml_document_t doc;
	yaml_node_t *root;
	int docs = 0;

	ld->file = file;
	ld->text = text;
	ld->len = len;
	if (!yaml_parser_initialize(&parser)) {
		ld->oom = 1;
		return;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	while (docs < 2) {
		/* After a syntax error libyaml cannot resume, so that error ends this file. */
		if (!yaml_parser_load(&parser, &doc)) {
			syntax_error(ld, &parser);
			break;
		}
		root = yaml_document_get_root_node(&doc);
		ld->doc = &doc;
		if (root && docs++ == 0)
			parse_root(ld, root);
		else if (root)
			error_at(ld, &root->start_mark,
				 "a policy file must hold a single YAML document");
		yaml_document_delete(&doc);
		ld->doc = NULL;
		if (!root)
			break;
	}
	yaml_parser_delete(&parser);
}

static int read_file(const char *path, char **text, size_t *len)
{
	size_t size = 0, cap = 4096;
	char *buf = malloc(cap), *tmp;
	int fd, err = 0;
	ssize_t n;

	if (!buf)
		return -ENOMEM;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		err = -errno;
		goto fail;
	}
	for (;;) {
		if (size == cap) {
			if (cap >= POLICY_MAX_FILE_BYTES) {
				err = -EFBIG;
				goto fail;
			}
			cap *= 2;
			tmp = realloc(buf, cap);
			if (!tmp) {
				err = -ENOMEM;
				goto fail;
			}
			buf = tmp;
		}
		n = read(fd, buf + size, cap - size);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			err = -errno;
			goto fail;
		}
		if (!n)
			break;
		size += (size_t)n;
	}
	close(fd);
	*text = buf;
	*len = size;
	return 0;
fail:
	if (fd >= 0)
		close(fd);
	free(buf);
	return err;
}

static int file_index(const struct policy *p, const char *file)
{
	size_t i;

	for (i = 0; i < p->files.n; i++)
		if (!strcmp(p->files.items[i], file))
			return (int)i;
	return (int)p->files.n;
}

static int diag_cmp(const struct policy *p, const struct diag *a, const struct diag *b)
{
	int fa = file_index(p, a->file), fb = file_index(p, b->file);

	if (fa != fb)
		return fa - fb;
	if (a->line != b->line)
		return a->line - b->line;
	return a->col - b->col;
}

/* Errors are found out of order (rule references resolve last, missing keys after the mapping
 * is read); readers expect them file by file, top to bottom. Insertion sort keeps it stable. */
static void sort_diags(struct loader *ld)
{
	struct diag *items = ld->d->items, tmp;
	size_t i, j;

	for (i = ld->first_diag + 1; i < ld->d->n; i++) {
		tmp = items[i];
		for (j = i; j > ld->first_diag && diag_cmp(ld->p, &items[j - 1], &tmp) > 0; j--)
			items[j] = items[j - 1];
		items[j] = tmp;
	}
}

static int finish(struct loader *ld)
{
	struct policy *p = ld->p;
	uint64_t all = p->n_idents >= 64 ? UINT64_MAX : (1ULL << p->n_idents) - 1, mask;
	const struct identifier_def *id;
	char *msg;
	size_t i;

	for (i = 0; i < ld->n_refs; i++) {
		struct ident_ref *r = &ld->refs[i];

		mask = 0;
		if (!r->name) {
			mask = all;
		} else if ((id = policy_find_identifier(p, r->name))) {
			mask = 1ULL << id->bit;
		} else if (!str_list_has(&ld->dropped, r->name)) {
			if (asprintf(&msg, "unknown identifier '%s'", r->name) < 0) {
				ld->oom = 1;
			} else {
				add_error(ld, r->file, r->line, r->col, r->source, msg);
				r->source = NULL;
				free(msg);
			}
		}
		if (r->rule != NO_RULE)
			p->rules[r->rule].ident_mask |= mask;
		if (r->quiet != NO_RULE)
			p->quiet[r->quiet].ident_mask |= mask;
		free(r->name);
		free(r->source);
	}
	free(ld->refs);
	str_list_free(&ld->dropped);
	sort_diags(ld);
	return ld->oom ? -ENOMEM : ld->errors;
}

int policy_load_files(struct policy *p, char *const *files, size_t n_files, struct diag_list *d)
{
	struct loader ld = { .p = p, .d = d, .first_diag = d->n };
	const char *name;
	size_t i, len = 0;
	char *text = NULL;
	int err;

	memset(p, 0, sizeof(*p));
	for (i = 0; i < n_files && !ld.oom; i++) {
		if (str_list_push(&p->files, files[i])) {
			ld.oom = 1;
			break;
		}
		name = p->files.items[p->files.n - 1];
		err = read_file(files[i], &text, &len);
		if (err == -ENOMEM) {
			ld.oom = 1;
		} else if (err) {
			char msg[256];

			snprintf(msg, sizeof(msg), "cannot read policy file: %s", strerror(-err));
			add_error(&ld, name, 0, 0, NULL, msg);
		} else {
			parse_text(&ld, name, text, len);
			free(text);
		}
	}
	return finish(&ld);
}

int policy_load_string(struct policy *p, const char *name, const char *text, struct diag_list *d)
{
	struct loader ld = { .p = p, .d = d, .first_diag = d->n };

	memset(p, 0, sizeof(*p));
	if (str_list_push(&p->files, name ? name : "-"))
		ld.oom = 1;
	else
		parse_text(&ld, p->files.items[0], text ? text : "", text ? strlen(text) : 0);
	return finish(&ld);
}

void policy_free(struct policy *p)
{
	size_t i;

	if (!p)
		return;
	for (i = 0; i < p->n_idents; i++)
		free_identifier(&p->idents[i]);
	free(p->idents);
	for (i = 0; i < p->n_rules; i++)
		free_rule(&p->rules[i]);
	free(p->rules);
	str_list_free(&p->files);
	str_list_free(&p->property_libraries);
	free_binder_defs(p->binder_sms, p->n_binder_sms);
	str_list_free(&p->spawners);
	for (i = 0; i < p->n_quiet; i++)
		free_quiet(&p->quiet[i]);
	free(p->quiet);
	memset(p, 0, sizeof(*p));
}

const struct identifier_def *policy_find_identifier(const struct policy *p, const char *name)
{
	size_t i;

	for (i = 0; i < p->n_idents; i++)
		if (!strcmp(p->idents[i].name, name))
			return &p->idents[i];
	return NULL;
}

const char *rule_action_name(enum rule_action a)
{
	switch (a) {
	case ACTION_ALERT:
		return "alert";
	case ACTION_BLOCK:
		return "block";
	case ACTION_KILL:
		return "kill";
	}
	return "unknown";
}

static bool in_cidr(const struct cidr *c, const uint8_t *addr)
{
	unsigned int full = c->prefix / 8, rest = c->prefix % 8;
	uint8_t mask = (uint8_t)(0xff00u >> rest);

	if (memcmp(c->addr, addr, full))
		return false;
	return !rest || (addr[full] & mask) == c->addr[full];
}

int dest_filter_has_addr(const struct dest_filter *f, int family, const uint8_t *addr)
{
	static const uint8_t v4_mapped[12] = { [10] = 0xff, [11] = 0xff };
	size_t i;

	for (i = 0; i < f->n_cidrs; i++) {
		const struct cidr *c = &f->cidrs[i];

		if (c->family == family && in_cidr(c, addr))
			return 1;
		/* A dual-stack socket reaches 127.0.0.1 as ::ffff:127.0.0.1; the IPv4 entry
		 * must still apply or the exception would depend on how the program connected. */
		if (family == AF_INET6 && c->family == AF_INET && !memcmp(addr, v4_mapped, 12) &&
		    in_cidr(c, addr + 12))
			return 1;
	}
	return 0;
}

int dest_filter_has_port(const struct dest_filter *f, uint16_t port)
{
	size_t i;

	for (i = 0; i < f->n_ports; i++)
		if (port >= f->ports[i].lo && port <= f->ports[i].hi)
			return 1;
	return 0;
}

static int process_listed(const struct str_list *l, const char *exe, const char *comm)
{
	const char *e;
	size_t i;

	for (i = 0; i < l->n; i++) {
		e = l->items[i];
		if (e[0] == '/') {
			if (exe && !strcmp(e, exe))
				return 1;
		} else if (comm && !fnmatch(e, comm, 0)) {
			return 1;
		}
	}
	return 0;
}

int rule_excepts_process(const struct rule_def *r, const struct proc_identity *id)
{
	const struct process_filter *f = &r->process_except;
	size_t i;

	for (i = 0; i < f->exes.n; i++) {
		/* by inode when both are known; by path where the file is not on this machine */
		if (f->exe_ids[i][1] && id->exe_ino) {
			if (f->exe_ids[i][0] == id->exe_dev && f->exe_ids[i][1] == id->exe_ino)
				return 1;
		} else if (id->exe && !strcmp(f->exes.items[i], id->exe)) {
			return 1;
		}
	}
	for (i = 0; i < f->n_uids; i++)
		if (f->uids[i] == id->uid)
			return 1;
	if (f->packages.n && id->package_of) {
		const char *pkg = id->package_of(id->package_ctx, id->uid);

		for (i = 0; pkg && i < f->packages.n; i++)
			if (!strcmp(f->packages.items[i], pkg))
				return 1;
	}
	for (i = 0; id->comm && i < f->comms.n; i++)
		if (!fnmatch(f->comms.items[i], id->comm, 0))
			return 1;
	return 0;
}

int policy_is_spawner(const struct policy *p, const char *exe, const char *comm)
{
	return process_listed(&p->spawners, exe, comm);
}

int quiet_applies_to(const struct quiet_def *q, const char *exe)
{
	return !q->exes.n || process_listed(&q->exes, exe, NULL);
}
