/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* test_sinks: size rotation, RFC 5424 formatting, and the socket's bounded per-client backlog. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include "jsonread.h"
#include "rotate.h"
#include "sink_socket.h"
#include "sink_syslog.h"
#include "strbuf.h"
#include "testlib.h"

static char dir[] = "/tmp/idsentry-unit-XXXXXX";

static long file_size(const char *path)
{
	struct stat st;

	return stat(path, &st) ? -1 : st.st_size;
}

static int file_mode(const char *path)
{
	struct stat st;

	return stat(path, &st) ? -1 : (int)st.st_mode;
}

static char *slurp(const char *path)
{
	static char buf[4096];
	int fd = open(path, O_RDONLY);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);

	if (fd >= 0)
		close(fd);
	buf[n < 0 ? 0 : n] = 0;
	return buf;
}

static void test_rotate_name(void)
{
	char buf[32];

	EXPECT_INT(0, rotate_name("/var/log/a.jsonl", 0, buf, sizeof(buf)));
	EXPECT_STR("/var/log/a.jsonl", buf);
	EXPECT_INT(0, rotate_name("/var/log/a.jsonl", 12, buf, sizeof(buf)));
	EXPECT_STR("/var/log/a.jsonl.12", buf);
	EXPECT_INT(-ENAMETOOLONG,
		   rotate_name("/var/log/a-much-longer-name.jsonl", 1, buf, sizeof(buf)));
}

static void test_rotation_keeps_n_files(void)
{
	char path[256], name[300], rec[64];
	struct rotfile r;
	int i, reader;

	snprintf(path, sizeof(path), "%s/out.jsonl", dir);
	EXPECT_INT(0, rotfile_open(&r, path, 100, 2));
	for (i = 0; i < 12; i++) {
		/* 30 bytes a record: three fit in 100 bytes */
		snprintf(rec, sizeof(rec), "{\"type\":\"t\",\"n\":%02d,\"pad\":100}\n", i);
		EXPECT_INT(30, strlen(rec));
		EXPECT_INT(0, rotfile_write(&r, rec, strlen(rec)));
	}
	EXPECT_INT(3, r.rotations);
	EXPECT_INT(90, file_size(path));
	EXPECT_CONTAINS(slurp(path), "\"n\":09");
	EXPECT_CONTAINS(slurp(path), "\"n\":11");
	snprintf(name, sizeof(name), "%s.1", path);
	EXPECT_CONTAINS(slurp(name), "\"n\":06");
	EXPECT_CONTAINS(slurp(name), "\"n\":08");
	snprintf(name, sizeof(name), "%s.2", path);
	EXPECT_CONTAINS(slurp(name), "\"n\":03");
	snprintf(name, sizeof(name), "%s.3", path);
	EXPECT_INT(-1, file_size(name)); /* the oldest fell off */

	/* a record bigger than the limit still goes whole, alone in a fresh file */
	memset(name, 'x', 150);
	name[150] = '\n';
	EXPECT_INT(0, rotfile_write(&r, name, 151));
	EXPECT_INT(151, file_size(path));
	EXPECT_INT(0, rotfile_write(&r, rec, strlen(rec)));
	EXPECT_INT(30, file_size(path));
	rotfile_close(&r);

	/* reopening appends and counts what is there */
	EXPECT_INT(0, rotfile_open(&r, path, 100, 2));
	EXPECT_INT(30, r.size);
	rotfile_close(&r);

	/* a FIFO (or a device) is written to, never rotated: renaming it away would break whatever
	 * else uses it. A private FIFO stands in for /dev/null, which a test must never risk. */
	snprintf(path, sizeof(path), "%s/fifo", dir);
	EXPECT_INT(0, mkfifo(path, 0600));
	reader = open(path, O_RDONLY | O_NONBLOCK); /* so that opening for writing does not block */
	EXPECT_INT(-EINVAL, rotfile_open(&r, path, 100, 2));
	rotfile_close(&r);
	EXPECT_INT(S_IFIFO, file_mode(path) & S_IFMT);
	snprintf(name, sizeof(name), "%s.1", path);
	EXPECT_INT(-1, file_size(name));
	EXPECT_INT(0, rotfile_open(&r, path, 0, 2)); /* no rotation asked: fine */
	EXPECT_INT(0, rotfile_write(&r, rec, strlen(rec)));
	EXPECT_INT(30, read(reader, name, sizeof(name)));
	rotfile_close(&r);
	close(reader);
}

/* An alert as alert.c builds it: what the syslog sink gets is this record's data and line. */
static void build_alert(struct json *j, struct record *r)
{
	json_init(j);
	json_record_begin(j, "alert");
	json_string(j, "rule", "r]x");
	json_string(j, "severity", "high");
	json_string(j, "action", "alert");
	json_string(j, "confidence", "confirmed");
	json_object_begin(j, "process");
	json_uint(j, "pid", 42);
	json_uint(j, "ppid", 1);
	json_string(j, "comm", "cu\"r\xffl");
	json_string(j, "exe", "/usr/bin/curl");
	json_object_end(j);
	json_array_begin(j, "identifiers");
	json_object_begin(j, NULL);
	json_string(j, "name", "machine-id");
	json_object_end(j);
	json_object_begin(j, NULL);
	json_string(j, "name", "mac-address");
	json_object_end(j);
	json_array_end(j);
	json_object_begin(j, "destination");
	json_string(j, "proto", "tcp");
	json_string(j, "family", "ipv4");
	json_string(j, "addr", "10.0.0.1");
	json_uint(j, "port", 80);
	json_string(j, "host", NULL);
	json_object_end(j);
	json_object_begin(j, "evidence");
	json_string(j, "channel", "socket");
	json_string(j, "encoding", "plain");
	json_int(j, "offset", 3);
	json_object_end(j);
	EXPECT_INT(0, json_record_end(j, r));
	r->ts = "2026-11-23T08:00:00.123456Z"; /* the header's, whatever the clock said */
}

/* expected followed by the record: the syslog MSG is the record's line without its '\n' */
static void expect_message(const char *expected, const struct record *r, const struct strbuf *b)
{
	struct strbuf want;

	sb_init(&want);
	sb_puts(&want, expected);
	sb_add(&want, r->line, r->len - 1);
	EXPECT_STR(sb_str(&want), sb_str(b));
	sb_free(&want);
}

static void test_syslog_format(void)
{
	struct json ja, jr, jl;
	struct record alert, ready, lost;
	struct strbuf b;

	sb_init(&b);
	build_alert(&ja, &alert);
	EXPECT(!strncmp(alert.line, "{\"type\":\"alert\",\"ts\":\"", 22));
	/* daemon.err for a high alert; '"', '\\' and ']' escaped in parameter values, and a byte
	 * that is not UTF-8 as the record's reader would decode it (U+00FF) */
	EXPECT_INT(0, syslog_format(&b, &alert, 3, "host1", 7));
	expect_message("<27>1 2026-11-23T08:00:00.123456Z host1 idsentry 7 alert [idsentry@32473 "
		       "rule=\"r\\]x\" severity=\"high\" action=\"alert\" confidence=\"confirmed\" "
		       "pid=\"42\" comm=\"cu\\\"r\xc3\xbfl\" exe=\"/usr/bin/curl\" "
		       "identifiers=\"machine-id,mac-address\" proto=\"tcp\" addr=\"10.0.0.1\" "
		       "port=\"80\" encoding=\"plain\"] ",
		       &alert, &b);
	/* local0.info, no parameters: the NILVALUE for structured data */
	json_init(&jr);
	json_record_begin(&jr, "ready");
	EXPECT_INT(0, json_record_end(&jr, &ready));
	ready.ts = "2026-11-23T08:00:00.000001Z";
	EXPECT_INT(0, syslog_format(&b, &ready, 16, "host1", 7));
	expect_message("<134>1 2026-11-23T08:00:00.000001Z host1 idsentry 7 ready - ", &ready, &b);
	/* a bad timestamp and a hostname with a space become the NILVALUE */
	json_init(&jl);
	json_record_begin(&jl, "lost");
	json_uint(&jl, "count", 3);
	json_string(&jl, "where", "kernel");
	json_string(&jl, "cause", "ringbuf_full");
	EXPECT_INT(0, json_record_end(&jl, &lost));
	lost.ts = "bad";
	EXPECT_INT(0, syslog_format(&b, &lost, 3, "my host", 7));
	expect_message("<28>1 - - idsentry 7 lost [idsentry@32473 count=\"3\" where=\"kernel\" "
		       "cause=\"ringbuf_full\"] ",
		       &lost, &b);
	/* something that is no record (no json_record_begin) */
	ready.type = "";
	EXPECT_INT(-1, syslog_format(&b, &ready, 3, "h", 1));
	ready.type = "ready";

	EXPECT_INT(3, syslog_severity(&alert));
	EXPECT_INT(4, syslog_severity(&lost));
	EXPECT_INT(6, syslog_severity(&ready));
	json_free(&ja);
	json_free(&jr);
	json_free(&jl);
	EXPECT_INT(3, syslog_facility("daemon"));
	EXPECT_INT(10, syslog_facility("authpriv"));
	EXPECT_INT(23, syslog_facility("local7"));
	EXPECT_INT(-1, syslog_facility("kern"));
	sb_free(&b);
}

static int policy_severity(const char *status)
{
	struct record r;
	struct json j;
	int sev = -1;

	json_init(&j);
	json_record_begin(&j, "policy");
	json_string(&j, "status", status);
	if (!json_record_end(&j, &r))
		sev = syslog_severity(&r);
	json_free(&j);
	return sev;
}

/* The sink reads what it needs from the record's data: its text is only copied. A line that is no
 * JSON at all proves it (the agent's never are; the old sink parsed them). */
static void test_syslog_reads_data_not_text(void)
{
	struct record r;
	struct strbuf b;
	struct json j;

	json_init(&j);
	json_record_begin(&j, "alert");
	json_string(&j, "severity", "critical");
	json_string(&j, "rule", "r");
	EXPECT_INT(0, json_record_end(&j, &r));
	r.line = "not json\n";
	r.len = 9;
	r.ts = "2026-11-23T08:00:00Z";
	EXPECT_INT(2, syslog_severity(&r));
	sb_init(&b);
	EXPECT_INT(0, syslog_format(&b, &r, 3, "h", 1));
	EXPECT_STR("<26>1 2026-11-23T08:00:00Z h idsentry 1 alert [idsentry@32473 rule=\"r\" "
		   "severity=\"critical\"] not json",
		   sb_str(&b));
	json_free(&j);
	sb_free(&b);
	/* a policy record: rejected is an error, applied informational */
	EXPECT_INT(3, policy_severity("rejected"));
	EXPECT_INT(6, policy_severity("applied"));
}

/* The sink itself: one datagram per record, to the socket it was given. */
static void test_syslog_sink_sends(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct syslog_sink sink;
	struct record r;
	struct json j;
	char buf[4096];
	ssize_t n;
	int fd = socket(AF_UNIX, SOCK_DGRAM, 0);

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/log.sock", dir);
	EXPECT_INT(0, bind(fd, (struct sockaddr *)&sa, sizeof(sa)));
	EXPECT_INT(0, syslog_sink_open(&sink, sa.sun_path, 3));
	build_alert(&j, &r);
	syslog_sink_write(&sink, &r);
	EXPECT_INT(1, sink.sent);
	n = recv(fd, buf, sizeof(buf) - 1, MSG_DONTWAIT);
	EXPECT(n > 0);
	buf[n > 0 ? n : 0] = 0;
	EXPECT(!strncmp(buf, "<27>1 2026-11-23T08:00:00.123456Z ", 34));
	EXPECT_CONTAINS(buf, " severity=\"high\" ");
	EXPECT_CONTAINS(buf, "] {\"type\":\"alert\",\"ts\":\"");
	EXPECT(buf[n - 1] == '}');
	json_free(&j);
	syslog_sink_close(&sink);
	close(fd);
}

static void status_members(void *ctx, struct json *j)
{
	json_string(j, "probe", (const char *)ctx);
}

static int connect_to(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	strcpy(sa.sun_path, path);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		close(fd);
		return -1;
	}
	return fd;
}

static void service_until_clients(struct sock_sink *s, unsigned int n)
{
	int i;

	for (i = 0; i < 100 && s->n_clients != n; i++) {
		sock_sink_service(s);
		usleep(1000);
	}
}

/* Reads what is available without blocking, appended to buf. */
static void drain(int fd, struct strbuf *buf)
{
	char tmp[65536];
	ssize_t n;

	while ((n = recv(fd, tmp, sizeof(tmp), MSG_DONTWAIT)) > 0)
		sb_add(buf, tmp, n);
}

/* Runs an open that is meant to fail without its message on the test's stderr. */
static int open_quietly(struct sock_sink *s, const char *path)
{
	int saved = dup(2), null = open("/dev/null", O_WRONLY), err;

	dup2(null, 2);
	err = sock_sink_open(s, path, 4096);
	dup2(saved, 2);
	close(saved);
	close(null);
	return err;
}

static void test_socket_open_rules(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	struct sock_sink a, b;
	char path[256];
	int fd;

	/* a socket file left by a dead agent is replaced */
	snprintf(path, sizeof(path), "%s/stale.sock", dir);
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	EXPECT_INT(0, bind(fd, (struct sockaddr *)&sa, sizeof(sa)));
	close(fd);
	EXPECT_INT(0, sock_sink_open(&a, path, 4096));
	/* a live one is not taken over */
	EXPECT_INT(-EADDRINUSE, open_quietly(&b, path));
	EXPECT_INT(S_IFSOCK | 0600, file_mode(path)); /* the stream carries command lines */
	sock_sink_close(&a);
	EXPECT_INT(-1, file_size(path)); /* unlinked at close */
	/* nor is a file that is not a socket */
	fd = open(path, O_CREAT | O_WRONLY, 0600);
	close(fd);
	EXPECT_INT(-EEXIST, open_quietly(&b, path));
	EXPECT_INT(0, file_size(path));
	unlink(path);
}

static void test_socket_requests(void)
{
	struct sock_sink s;
	struct strbuf got;
	char path[256];
	int c;

	snprintf(path, sizeof(path), "%s/req.sock", dir);
	EXPECT_INT(0, sock_sink_open(&s, path, 4096));
	s.status_fn = status_members;
	s.status_ctx = "attached-probe";
	c = connect_to(path);
	service_until_clients(&s, 1);
	EXPECT_INT(1, s.n_clients);
	sock_sink_write(&s, &(struct record){ .type = "alert", .line = "{\"type\":\"alert\"}\n",
					       .len = 17 });
	EXPECT_INT(7, send(c, "status\n", 7, 0));
	EXPECT_INT(7, send(c, "bogus\r\n", 7, 0));
	usleep(10000);
	sock_sink_service(&s);
	sb_init(&got);
	drain(c, &got);
	EXPECT(!strncmp(sb_str(&got), "{\"type\":\"alert\"}\n{\"type\":\"status\",\"ts\":\"", 39));
	EXPECT_CONTAINS(sb_str(&got), "\"probe\":\"attached-probe\"}\n{\"type\":\"error\"");
	EXPECT_CONTAINS(sb_str(&got), "unknown request 'bogus' (expected: status)");
	/* a client that goes away is dropped */
	close(c);
	service_until_clients(&s, 0);
	EXPECT_INT(0, s.n_clients);
	sb_free(&got);
	sock_sink_close(&s);
}

/* A client that does not read: the writer never blocks, whole records are dropped for it alone,
 * and once it reads again it is told how many. */
static void test_socket_slow_client(void)
{
	char path[256], rec[1024];
	struct sock_sink s;
	struct strbuf got;
	int slow, fast, i, total = 2000, seen = 0, complete = 1, in_order = 1;
	long long lost = 0, n, next = 0;
	char *line, *nl;

	snprintf(path, sizeof(path), "%s/slow.sock", dir);
	EXPECT_INT(0, sock_sink_open(&s, path, 8192));
	slow = connect_to(path);
	fast = connect_to(path);
	service_until_clients(&s, 2);
	sb_init(&got);
	for (i = 0; i < total; i++) {
		int len = snprintf(rec, sizeof(rec),
				   "{\"type\":\"alert\",\"n\":%d,\"pad\":\"%0900d\"}\n", i, 0);

		sock_sink_write(&s, &(struct record){ .type = "alert", .line = rec, .len = len });
		drain(fast, &got); /* the fast one keeps up */
		sock_sink_service(&s);
	}
	drain(fast, &got);
	for (i = 0, line = got.s; line && (nl = strchr(line, '\n')); line = nl + 1)
		i++;
	EXPECT_INT(total, i); /* the slow client cost the fast one nothing */
	EXPECT(s.dropped_total > 0);
	EXPECT(s.dropped_total < (unsigned long long)total);
	EXPECT(s.clients[0].len <= 8192);

	/* the slow client catches up */
	sb_reset(&got);
	for (i = 0; i < 1000; i++) {
		drain(slow, &got);
		sock_sink_service(&s);
		if (strstr(sb_str(&got), "\"type\":\"lost\""))
			break;
	}
	drain(slow, &got);
	for (line = got.s; line && (nl = strchr(line, '\n')); line = nl + 1) {
		struct jdoc d;

		*nl = 0;
		if (jdoc_parse(&d, line, nl - line)) {
			complete = 0;
		} else if (!strcmp(jstr(d.root, "type"), "lost")) {
			EXPECT_STR("socket", jstr(d.root, "where"));
			EXPECT_STR("subscriber_backlog_full", jstr(d.root, "cause"));
			if (!jint(d.root, "count", &n))
				lost += n;
			next = seen + lost; /* the notice covers exactly the gap before it */
		} else if (!jint(d.root, "n", &n)) {
			if (n != next)
				in_order = 0;
			next = n + 1;
			seen++;
		}
		jdoc_free(&d);
	}
	EXPECT(complete); /* every line it got is a whole record */
	EXPECT(in_order); /* and every gap was announced where it happened */
	EXPECT(lost > 0);
	EXPECT_INT(s.dropped_total, lost);
	EXPECT_INT(total, seen + lost);
	sb_free(&got);
	close(slow);
	close(fast);
	sock_sink_close(&s);
}

static void remove_dir(const char *path)
{
	char cmd[300];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", path);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", path);
}

int main(void)
{
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	test_rotate_name();
	test_rotation_keeps_n_files();
	test_syslog_format();
	test_syslog_reads_data_not_text();
	test_syslog_sink_sends();
	test_socket_open_rules();
	test_socket_requests();
	test_socket_slow_client();
	remove_dir(dir);
	return tl_summary("test_sinks");
}
