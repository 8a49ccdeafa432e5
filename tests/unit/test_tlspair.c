/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* test_tlspair: memory-BIO plaintext waits for the send of its ciphertext (a TLS record) and is
 * judged once with that send's destination; other sends pass; what waits too long goes alone. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>

#include "tlspair.h"
#include "testlib.h"

struct judged {
	int n;
	uint16_t dport[16];
	uint32_t len[16];
	uint32_t call[16];
	uint32_t flags[16];
};

static void judge(void *ctx, const struct send_event *ev)
{
	struct judged *j = ctx;

	if (j->n < 16) {
		j->dport[j->n] = ev->dport;
		j->len[j->n] = ev->sample_len;
		j->flags[j->n] = ev->flags;
		j->call[j->n++] = ev->call;
	}
}

static struct send_event *event(uint32_t tgid, uint32_t call, uint16_t dport, const char *data,
				uint64_t ts)
{
	static struct send_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.hdr.type = EVENT_SEND;
	ev.hdr.tgid = ev.hdr.tid = tgid;
	ev.hdr.ts_ns = ts;
	ev.call = call;
	ev.dport = dport;
	ev.family = dport ? AF_INET : 0;
	if (dport)
		ev.flags = SEND_DEST_FROM_SOCKET;
	ev.sample_len = strlen(data);
	memcpy(ev.sample, data, ev.sample_len);
	ev.result = ev.sample_len;
	return &ev;
}

int main(void)
{
	static struct tlspair tp;
	struct judged j = {};

	tlspair_init(&tp, judge, &j);
	/* two SSL_writes to memory, then the record goes out on port 8443: one judgement */
	tlspair_feed(&tp, event(7, CALL_SSL_WRITE, 0, "GET / HTTP/1.1\r\n", 1));
	tlspair_feed(&tp, event(7, CALL_SSL_WRITE, 0, "X-Id: abc\r\n\r\n", 2));
	EXPECT_INT(0, j.n);
	/* a plain send of the same process is no ciphertext: judged alone, the plaintext waits */
	tlspair_feed(&tp, event(7, CALL_SENDTO, 53, "plain query", 3));
	EXPECT_INT(1, j.n);
	tlspair_feed(&tp, event(7, CALL_SENDTO, 8443, "\x17\x03\x03\x01\x20 ciphertext", 4));
	EXPECT_INT(2, j.n);
	EXPECT_INT(8443, j.dport[1]);
	EXPECT_INT(CALL_SSL_WRITE, j.call[1]);
	EXPECT_INT(strlen("GET / HTTP/1.1\r\nX-Id: abc\r\n\r\n"), j.len[1]);
	EXPECT_INT(1, tp.paired);
	/* a later record on that socket, nothing waiting (a memory BIO's close_notify, as Node.js
	 * sends it from its event loop): judged, marked as the library's own */
	tlspair_feed(&tp, event(7, CALL_SENDTO, 8443, "\x17\x03\x03\x01\x13 more", 5));
	EXPECT_INT(3, j.n);
	EXPECT(j.flags[2] & SEND_LIBRARY_TLS_RECORD);
	EXPECT_INT(1, tp.bio_records);
	EXPECT_INT(0, tp.go_records);
	/* plaintext whose record never comes goes alone after the wait */
	tlspair_feed(&tp, event(9, CALL_SSL_WRITE, 0, "lonely", 10));
	tlspair_tick(&tp, 10 + TLSPAIR_WAIT_NS / 2);
	EXPECT_INT(3, j.n);
	tlspair_tick(&tp, 11 + TLSPAIR_WAIT_NS);
	EXPECT_INT(4, j.n);
	EXPECT_INT(0, j.dport[3]);
	EXPECT_INT(1, tp.unpaired);
	/* Go's crypto/tls: plaintext at the entry of (*Conn).Write, its record written after it */
	memset(&j, 0, sizeof(j));
	tlspair_feed(&tp, event(11, CALL_GO_TLS_WRITE, 0, "POST / HTTP/1.1\r\n", 30));
	EXPECT_INT(0, j.n);
	tlspair_feed(&tp, event(11, CALL_WRITE, 8443, "\x17\x03\x03\x01\x40 ciphertext", 31));
	EXPECT_INT(1, j.n);
	EXPECT_INT(CALL_GO_TLS_WRITE, j.call[0]);
	EXPECT_INT(8443, j.dport[0]);
	EXPECT_INT(2, tp.paired);
	/* later records on that socket are crypto/tls's own (the rest of a long Write, close_notify):
	 * judged, marked; on another socket, or a send that is no TLS record, not marked */
	tlspair_feed(&tp, event(11, CALL_WRITE, 8443, "\x17\x03\x03\x01\x13 close_notify", 32));
	EXPECT_INT(2, j.n);
	EXPECT(j.flags[1] & SEND_LIBRARY_TLS_RECORD);
	EXPECT_INT(1, tp.go_records);
	tlspair_feed(&tp, event(11, CALL_WRITE, 8443, "plain text", 33));
	EXPECT(!(j.flags[2] & SEND_LIBRARY_TLS_RECORD));
	tlspair_feed(&tp, event(12, CALL_WRITE, 8443, "\x17\x03\x03\x01\x13 other process", 34));
	EXPECT(!(j.flags[3] & SEND_LIBRARY_TLS_RECORD));
	EXPECT_INT(1, tp.go_records);
	/* more processes waiting than slots: the oldest is judged, none is lost */
	memset(&j, 0, sizeof(j));
	for (uint32_t t = 0; t < TLSPAIR_SLOTS + 1; t++)
		tlspair_feed(&tp, event(100 + t, CALL_SSL_WRITE, 0, "p", 20 + t));
	EXPECT_INT(1, j.n);
	tlspair_tick(&tp, UINT64_MAX);
	EXPECT_INT(TLSPAIR_SLOTS + 1, j.n);
	tlspair_free(&tp);
	return tl_summary("test_tlspair");
}
