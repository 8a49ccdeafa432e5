// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* test_pipeline: crafted ring-buffer events through the real pipeline (no kernel, no root), and
 * the records it writes read back from the output file. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include "testlib.h"
#include "diag.h"
#include "enforce.h"
#include "events.h"
#include "output.h"
#include "pipeline.h"
#include "policy.h"
#include "watch.h"

/* Pids past PID_MAX_LIMIT exist nowhere: /proc lookups fail and the events alone decide. */
#define HOLDER 0x40000001u
#define READER 0x40000002u
#define STRANGER 0x40000003u
#define MACHINE_ID "4c4c4544004a3510804bc4c04f4e4d32"

static const char *policy_text =
	"version: 1\n"
	"identifiers:\n"
	"  - name: machine-id\n"
	"    files: [/nonexistent/idsentry-test/machine-id]\n"
	"rules:\n"
	"  - name: leak\n"
	"    identifiers: any\n"
	"    window: 10m\n"
	"    action: block\n"
	"    severity: high\n";

/* Tests hold it in static storage: the pipeline is 2.3 MB, more than valgrind accepts as one
 * stack frame (--max-stackframe). */
struct fixture {
	char dir[64], path[96];
	struct policy pol;
	struct watch_set watches;
	struct enforcer enf;
	struct output out;
	struct pipeline pl;
	uint64_t bit;
	uint64_t now;
};

/* The pipeline with the kernel's hooks (or none) and a /proc of its own (or the real one). */
static void fixture_start_with(struct fixture *f, const struct pipeline_kernel *kernel,
			       const char *proc_root)
{
	struct diag_list d = {};
	struct output_opts o = {};

	memset(f, 0, sizeof(*f));
	snprintf(f->dir, sizeof(f->dir), "/tmp/idsentry-pipeline-XXXXXX");
	EXPECT(mkdtemp(f->dir) != NULL);
	snprintf(f->path, sizeof(f->path), "%s/alerts.jsonl", f->dir);
	EXPECT_INT(0, policy_load_string(&f->pol, "t.yaml", policy_text, &d));
	diag_list_free(&d);
	f->bit = 1ULL << f->pol.idents[0].bit;
	/* the kernel's enforce_rules slot 0 is the policy's rule 0 */
	f->enf.n_slots = 1;
	f->enf.slot_rule[0] = 0;
	o.path = f->path;
	EXPECT_INT(0, output_open(&f->out, &o));
	pipeline_init(&f->pl, &(struct pipeline_config){
		.policy = &f->pol,
		.watches = &f->watches,
		.enf = &f->enf,
		.out = &f->out,
		.kernel = kernel ? *kernel : (struct pipeline_kernel){},
		.proc_root = proc_root,
			});
	f->now = 1000000000ULL;
}

static void fixture_start(struct fixture *f)
{
	fixture_start_with(f, NULL, NULL);
}

/* Every record written, as one string (JSON Lines). */
static char *fixture_records(struct fixture *f)
{
	static char buf[1 << 16];
	FILE *in = fopen(f->path, "r");
	size_t n = in ? fread(buf, 1, sizeof(buf) - 1, in) : 0;

	if (in)
		fclose(in);
	buf[n] = 0;
	return buf;
}

static void fixture_stop(struct fixture *f)
{
	char cmd[128];

	pipeline_free(&f->pl);
	output_close(&f->out);
	policy_free(&f->pol);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", f->dir);
	EXPECT_INT(0, system(cmd));
}

static unsigned int count_of(const char *hay, const char *needle)
{
	unsigned int n = 0;

	while ((hay = strstr(hay, needle))) {
		n++;
		hay += strlen(needle);
	}
	return n;
}

static void header(struct event_header *h, int type, uint32_t tgid, const char *comm,
		   uint64_t ts)
{
	h->type = type;
	h->tgid = h->tid = tgid;
	h->uid = 1000;
	h->ts_ns = ts;
	snprintf(h->comm, sizeof(h->comm), "%s", comm);
}

/* tgid read the machine-id file (its first bytes, at offset 0). */
static void read_value(struct fixture *f, uint32_t tgid)
{
	static union event ev;

	memset(&ev, 0, sizeof(ev));
	header(&ev.hdr, EVENT_IDENT_READ, tgid, "reader", f->now);
	ev.read.ident_mask = f->bit;
	ev.read.ino = 4242;
	ev.read.source = SOURCE_FILE;
	ev.read.call = CALL_READ;
	ev.read.len = ev.read.total = sizeof(MACHINE_ID);
	memcpy(ev.read.data, MACHINE_ID "\n", sizeof(MACHINE_ID));
	pipeline_handle(&f->pl, &ev);
}

/* tgid, tainted, sends text over TCP to 10.9.8.7:port. */
static void send_text(struct fixture *f, uint32_t tgid, const char *comm, uint16_t port,
		      const char *text, uint32_t flags)
{
	static union event ev;
	size_t n = strlen(text);

	memset(&ev, 0, sizeof(ev));
	header(&ev.hdr, EVENT_SEND, tgid, comm, f->now += 1000);
	ev.send.taint_mask = f->bit;
	ev.send.taint_ns = 1000000000ULL;
	ev.send.result = n;
	ev.send.call = CALL_SENDTO;
	ev.send.fd = 3;
	ev.send.family = AF_INET;
	ev.send.sock_type = SOCK_STREAM;
	ev.send.protocol = IPPROTO_TCP;
	ev.send.dport = port;
	inet_pton(AF_INET, "10.9.8.7", ev.send.daddr);
	ev.send.flags = flags;
	ev.send.sample_len = n;
	memcpy(ev.send.sample, text, n);
	pipeline_handle(&f->pl, &ev);
}

static void flow(struct fixture *f, uint32_t tgid, int direction, uint32_t peer, const char *text)
{
	static union event ev;

	memset(&ev, 0, sizeof(ev));
	header(&ev.hdr, EVENT_FLOW, tgid, direction == FLOW_WRITE ? "holder" : "relay",
	       f->now += 1000);
	ev.flow.ident_mask = f->bit;
	ev.flow.taint_ns = 1000000000ULL;
	ev.flow.channel = 777;
	ev.flow.peer_tgid = peer;
	ev.flow.kind = CHANNEL_PIPE;
	ev.flow.direction = direction;
	if (text) {
		ev.flow.sample_len = strlen(text);
		memcpy(ev.flow.sample, text, ev.flow.sample_len);
	}
	pipeline_handle(&f->pl, &ev);
}

static void tty_write(struct fixture *f, uint32_t tgid, const char *text)
{
	static union event ev;

	memset(&ev, 0, sizeof(ev));
	header(&ev.hdr, EVENT_TTY_WRITE, tgid, "smsapp", f->now += 1000);
	ev.flow.ident_mask = f->bit;
	ev.flow.taint_ns = 1000000000ULL;
	ev.flow.channel = 99;
	ev.flow.sample_len = strlen(text);
	memcpy(ev.flow.sample, text, ev.flow.sample_len);
	pipeline_handle(&f->pl, &ev);
}

static void test_confirmed_send(void)
{
	static struct fixture f;
	const char *r;

	fixture_start(&f);
	read_value(&f, HOLDER);
	send_text(&f, HOLDER, "curl", 80, "GET /t?id=" MACHINE_ID " HTTP/1.1\r\n\r\n", 0);
	r = fixture_records(&f);
	EXPECT_INT(1, count_of(r, "\"type\":\"alert\""));
	EXPECT(strstr(r, "\"confidence\":\"confirmed\"") != NULL);
	EXPECT(strstr(r, "\"rule\":\"leak\"") != NULL);
	EXPECT(strstr(r, "10.9.8.7") != NULL);
	EXPECT(strstr(r, "\"action\":\"alert\"") != NULL);
	EXPECT_INT(1, f.pl.det.confirmed);
	fixture_stop(&f);
}

static void test_suspected_send_once_per_destination(void)
{
	static struct fixture f;
	const char *r;

	fixture_start(&f);
	read_value(&f, HOLDER);
	send_text(&f, HOLDER, "curl", 443, "\x17\x03\x03 opaque bytes", 0);
	send_text(&f, HOLDER, "curl", 443, "\x17\x03\x03 more opaque bytes", 0);
	r = fixture_records(&f);
	EXPECT_INT(1, count_of(r, "\"type\":\"alert\""));
	EXPECT(strstr(r, "\"confidence\":\"suspected\"") != NULL);
	EXPECT_INT(1, f.pl.det.suspected);
	/* a process that holds nothing sends nothing worth an alert */
	fixture_stop(&f);
}

static void test_pipe_lineage(void)
{
	static struct fixture f;
	const char *r;

	fixture_start(&f);
	read_value(&f, HOLDER);
	flow(&f, HOLDER, FLOW_WRITE, 0, MACHINE_ID "\n");
	flow(&f, READER, FLOW_READ, HOLDER, NULL);
	send_text(&f, READER, "relay", 80, "POST /x HTTP/1.1\r\n\r\nid=" MACHINE_ID, 0);
	r = fixture_records(&f);
	EXPECT_INT(1, count_of(r, "\"type\":\"alert\""));
	EXPECT(strstr(r, "\"confidence\":\"confirmed\"") != NULL);
	EXPECT(strstr(r, "-pipe->") != NULL);
	fixture_stop(&f);
}

/* A send to a process of this host is what went into its loopback channel (SEND_LOOPBACK, no
 * flow event of its own): the receiver's read links it, and its own send is confirmed with the
 * lineage through the loopback. */
static void test_loopback_send_is_the_channel_write(void)
{
	static union event ev;
	static struct fixture f;
	const char *r;
	const char body[] = "POST /relay HTTP/1.1\r\n\r\nid=" MACHINE_ID;

	fixture_start(&f);
	read_value(&f, HOLDER);
	memset(&ev, 0, sizeof(ev));
	header(&ev.hdr, EVENT_SEND, HOLDER, "holder", f.now += 1000);
	ev.send.taint_mask = f.bit;
	ev.send.taint_ns = 1000000000ULL;
	ev.send.result = sizeof(body) - 1;
	ev.send.call = CALL_SENDTO;
	ev.send.fd = 4;
	ev.send.family = AF_INET;
	ev.send.sock_type = SOCK_STREAM;
	ev.send.protocol = IPPROTO_TCP;
	ev.send.dport = 7000;
	inet_pton(AF_INET, "127.0.0.1", ev.send.daddr);
	ev.send.flags = SEND_DEST_FROM_SOCKET | SEND_SOCKET_LAYER | SEND_LOOPBACK;
	ev.send.channel = 0x1234567;
	ev.send.sample_len = sizeof(body) - 1;
	memcpy(ev.send.sample, body, sizeof(body) - 1);
	pipeline_handle(&f.pl, &ev);
	EXPECT_INT(0, (int)f.pl.events[EVENT_FLOW]);

	memset(&ev, 0, sizeof(ev));
	header(&ev.hdr, EVENT_FLOW, READER, "relay", f.now += 1000);
	ev.flow.ident_mask = f.bit;
	ev.flow.taint_ns = 1000000000ULL;
	ev.flow.channel = 0x1234567;
	ev.flow.peer_tgid = HOLDER;
	ev.flow.kind = CHANNEL_LOOPBACK;
	ev.flow.direction = FLOW_READ;
	pipeline_handle(&f.pl, &ev);
	send_text(&f, READER, "relay", 80, body, 0);
	r = fixture_records(&f);
	/* the holder's send (to 127.0.0.1) and the relay's */
	EXPECT_INT(2, count_of(r, "\"type\":\"alert\""));
	EXPECT(strstr(r, "\"comm\":\"relay\"") != NULL);
	EXPECT(strstr(r, "\"lineage\":\"holder[1073741825] -loopback-> relay[") != NULL);
	EXPECT(strstr(r, "\"confidence\":\"confirmed\"") != NULL);
	fixture_stop(&f);
}

static void test_flood_is_folded(void)
{
	static struct fixture f;
	const char *r;
	int i;

	fixture_start(&f);
	read_value(&f, HOLDER);
	for (i = 0; i < 50; i++)
		send_text(&f, HOLDER, "curl", 80, "GET /t?id=" MACHINE_ID " HTTP/1.1\r\n\r\n", 0);
	r = fixture_records(&f);
	EXPECT_INT(1, count_of(r, "\"type\":\"alert\""));
	EXPECT_INT(49, f.pl.agg.folded);
	pipeline_finish(&f.pl);
	r = fixture_records(&f);
	EXPECT_INT(2, count_of(r, "\"type\":\"alert\""));
	EXPECT(strstr(r, "\"count\":49,\"aggregated\":true") != NULL);
	EXPECT_INT(50, f.pl.det.confirmed);
	fixture_stop(&f);
}

static void test_blocked_send(void)
{
	static struct fixture f;
	const char *r;

	fixture_start(&f);
	read_value(&f, HOLDER);
	send_text(&f, HOLDER, "curl", 80, "GET /t?id=" MACHINE_ID " HTTP/1.1\r\n\r\n",
		  SEND_BLOCKED);
	r = fixture_records(&f);
	EXPECT_INT(1, count_of(r, "\"type\":\"alert\""));
	EXPECT(strstr(r, "\"action\":\"blocked\"") != NULL);
	EXPECT(strstr(r, "\"confidence\":\"confirmed\"") != NULL);
	EXPECT_INT(1, f.pl.det.rules[0].blocked);
	fixture_stop(&f);
}

static void test_modem_sms(void)
{
	static struct fixture f;
	const char *r;

	fixture_start(&f);
	read_value(&f, HOLDER);
	tty_write(&f, HOLDER, "AT+CMGF=1\r");
	tty_write(&f, HOLDER, "AT+CMGS=\"+33612345678\"\r");
	tty_write(&f, HOLDER, "device " MACHINE_ID "\x1a");
	r = fixture_records(&f);
	EXPECT_INT(1, count_of(r, "\"type\":\"alert\""));
	EXPECT(strstr(r, "\"channel\":\"sms\"") != NULL);
	EXPECT(strstr(r, "+33612345678") != NULL);
	EXPECT(strstr(r, "\"confidence\":\"confirmed\"") != NULL);
	EXPECT_INT(1, f.pl.modem.sms_seen);
	fixture_stop(&f);
}

static void test_malformed_record_is_counted(void)
{
	static struct fixture f;
	uint8_t junk[7] = { 1, 2, 3 };

	fixture_start(&f);
	EXPECT_INT(0, pipeline_feed(&f.pl, junk, sizeof(junk)));
	EXPECT_INT(1, f.pl.malformed);
	fixture_stop(&f);
}

static void test_identifier_read_asks_to_follow(void)
{
	static struct fixture f;
	static union event ev;

	fixture_start(&f);
	memset(&ev, 0, sizeof(ev));
	header(&ev.hdr, EVENT_IDENT_READ, STRANGER, "getprop", f.now);
	ev.read.ident_mask = f.bit;
	ev.read.source = SOURCE_PROPERTY;
	ev.read.len = PROP_NAME_BYTES + 5;
	memcpy(ev.read.data, "ro.serialno", 11);
	memcpy(ev.read.data + PROP_NAME_BYTES, "ABCDE", 5);
	EXPECT(pipeline_handle(&f.pl, &ev) & PIPELINE_FOLLOW);
	EXPECT_INT(1, f.pl.values.n);
	fixture_stop(&f);
}

/* The kernel's taint map, as far as the pipeline asks for it. */
struct fake_kernel {
	uint32_t tgid[4];
	struct proc_taint t[4];
	int n;
};

static int fake_taint_of(void *ctx, uint32_t tgid, struct proc_taint *t)
{
	struct fake_kernel *k = ctx;

	for (int i = 0; i < k->n; i++)
		if (k->tgid[i] == tgid) {
			*t = k->t[i];
			return 0;
		}
	return -1;
}

static int fake_set_taint(void *ctx, uint32_t tgid, const struct proc_taint *t, int create)
{
	struct fake_kernel *k = ctx;

	for (int i = 0; i < k->n; i++)
		if (k->tgid[i] == tgid) {
			if (create)
				return -1;
			k->t[i] = *t;
			return 0;
		}
	if (!create || k->n == 4)
		return -1;
	k->tgid[k->n] = tgid;
	k->t[k->n++] = *t;
	return 0;
}

static void write_maps(const char *root, uint32_t pid, const char *text)
{
	char path[160];
	FILE *out;

	snprintf(path, sizeof(path), "%s/%u", root, pid);
	EXPECT_INT(0, mkdir(path, 0700));
	snprintf(path, sizeof(path), "%s/%u/maps", root, pid);
	out = fopen(path, "w");
	EXPECT(out != NULL);
	if (out) {
		fputs(text, out);
		fclose(out);
	}
}

/* The kernel introduces a process when it opens an identifier file (PROC_INFO, no taint bits
 * yet) and taints it at the read: the memory it shares is looked at when the read comes, and a
 * process mapping it is tainted in the kernel. */
static void test_shared_memory_followed_from_the_read(void)
{
	static const char shared[] = "7f00-7f01 rw-s 00000000 00:01 90210 /dev/zero (deleted)\n";
	struct fake_kernel k = { .n = 1, .tgid = { HOLDER }, .t = { { .watched_fds = 1 } } };
	struct pipeline_kernel hooks = { &k, fake_taint_of, fake_set_taint, NULL, NULL };
	struct proc_taint got = {};
	static union event ev;
	char root[64] = "/tmp/idsentry-pipeline-proc-XXXXXX", cmd[128];
	static struct fixture f;

	EXPECT(mkdtemp(root) != NULL);
	write_maps(root, HOLDER, shared);
	write_maps(root, READER, shared);
	write_maps(root, STRANGER, "5500-5600 r--p 00000000 fd:00 12 /usr/bin/python3\n");
	fixture_start_with(&f, &hooks, root);
	memset(&ev, 0, sizeof(ev));
	header(&ev.hdr, EVENT_PROC_INFO, HOLDER, "holder", f.now);
	pipeline_handle(&f.pl, &ev);
	EXPECT_INT(-1, fake_taint_of(&k, READER, &got)); /* nothing held yet */

	k.t[0].ident_mask = f.bit;
	read_value(&f, HOLDER);
	EXPECT_INT(0, fake_taint_of(&k, READER, &got));
	EXPECT(got.ident_mask == f.bit);
	EXPECT(got.flags & TAINT_VIA_CHANNEL);
	EXPECT_INT(-1, fake_taint_of(&k, STRANGER, &got));
	EXPECT_INT(1, (int)f.pl.shm.scans);

	read_value(&f, HOLDER); /* the same identifier again: its maps are not read again */
	EXPECT_INT(1, (int)f.pl.shm.scans);
	fixture_stop(&f);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", root);
	EXPECT_INT(0, system(cmd));
}

int main(void)
{
	test_confirmed_send();
	test_suspected_send_once_per_destination();
	test_pipe_lineage();
	test_loopback_send_is_the_channel_write();
	test_flood_is_folded();
	test_blocked_send();
	test_modem_sms();
	test_malformed_record_is_counted();
	test_identifier_read_asks_to_follow();
	test_shared_memory_followed_from_the_read();
	return tl_summary("test_pipeline");
}
