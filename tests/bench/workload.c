// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* workload: the benchmark's syscall loops; each prints one JSON line of figures on stdout. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#define PAYLOAD_MAX 65536
#define VALUE_MAX 256
#define FLOOD_BATCH 64 /* sends between two looks at the clock when pacing */
#define MAX_LATENCY_SENDS 100000

static const char usage[] =
	"usage: workload CASE [options]\n"
	"  mixed   --iters N --file PATH       open/read/close PATH, UDP sendto, write /dev/null\n"
	"  tcp     --iters N --size B [--taint F] send loop on a loopback TCP connection\n"
	"  ident   --iters N --file PATH          open/read/close loop on PATH (a watched file)\n"
	"  hold    --taint F --ms T                reads F's value, then holds it T ms (busy device)\n"
	"  sys     --iters N --file getppid|write|read|open|udp|udprecv  one syscall in a loop\n"
	"  flood   --ms T --size B --taint F [--rate R] [--vary 1]  UDP sends for T ms at R/s (0: max);\n"
	"          --vary 1: each payload differs from the last (a counter in its first bytes)\n"
	"  latency --count N --interval-us U --taint F --size B  sends carrying F's value\n"
	"options: --cpu C pins the measuring process to CPU C\n";

struct opts {
	const char *kase;
	const char *file;
	const char *taint;
	long iters;
	long size;
	long rate;
	double seconds;
	long count;
	long interval_us;
	int cpu;
	int vary;
};

static uint64_t now_ns(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static void die(const char *what)
{
	fprintf(stderr, "workload: %s: %s\n", what, strerror(errno));
	exit(1);
}

static long parse_num(const char *name, const char *s, long lo, long hi)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || end == s || *end || v < lo || v > hi) {
		fprintf(stderr, "workload: %s must be %ld..%ld, got '%s'\n", name, lo, hi, s);
		exit(2);
	}
	return v;
}

static void parse(int argc, char **argv, struct opts *o)
{
	int i;

	if (argc < 2) {
		fputs(usage, stderr);
		exit(2);
	}
	o->kase = argv[1];
	o->cpu = -1;
	o->size = 64;
	for (i = 2; i < argc; i++) {
		const char *k = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!v) {
			fprintf(stderr, "workload: %s needs a value\n%s", k, usage);
			exit(2);
		}
		i++;
		if (!strcmp(k, "--iters"))
			o->iters = parse_num(k, v, 1, 1000000000);
		else if (!strcmp(k, "--size"))
			o->size = parse_num(k, v, 1, PAYLOAD_MAX);
		else if (!strcmp(k, "--rate"))
			o->rate = parse_num(k, v, 0, 100000000);
		else if (!strcmp(k, "--ms"))
			o->seconds = parse_num(k, v, 1, 600000) / 1000.0;
		else if (!strcmp(k, "--count"))
			o->count = parse_num(k, v, 1, MAX_LATENCY_SENDS);
		else if (!strcmp(k, "--interval-us"))
			o->interval_us = parse_num(k, v, 0, 1000000);
		else if (!strcmp(k, "--cpu"))
			o->cpu = parse_num(k, v, 0, CPU_SETSIZE - 1);
		else if (!strcmp(k, "--file"))
			o->file = v;
		else if (!strcmp(k, "--vary"))
			o->vary = parse_num(k, v, 0, 1);
		else if (!strcmp(k, "--taint"))
			o->taint = v;
		else {
			fprintf(stderr, "workload: unknown option '%s'\n%s", k, usage);
			exit(2);
		}
	}
}

static void pin(int cpu)
{
	cpu_set_t set;

	if (cpu < 0)
		return;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		die("sched_setaffinity");
}

/* Reads an identifier file the way an exfiltrating program would: this is what taints us. */
static size_t read_value(const char *path, char *value, size_t size)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		die(path);
	n = read(fd, value, size - 1);
	if (n < 0)
		die("read identifier");
	close(fd);
	while (n > 0 && (value[n - 1] == '\n' || value[n - 1] == ' '))
		n--;
	value[n] = 0;
	return n;
}

/* A bound, never-read UDP socket on loopback: the sink of UDP sends. */
static int udp_sink(struct sockaddr_in *addr)
{
	socklen_t len = sizeof(*addr);
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	int small = 4096;

	if (fd < 0)
		die("socket");
	memset(addr, 0, sizeof(*addr));
	addr->sin_family = AF_INET;
	addr->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
	if (bind(fd, (struct sockaddr *)addr, sizeof(*addr)) ||
	    getsockname(fd, (struct sockaddr *)addr, &len))
		die("bind udp sink");
	return fd;
}

static int udp_socket(void)
{
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		die("socket");
	return fd;
}

/*
 * Wall time and CPU time of a loop. CPU time (this thread's, plus a helper child's) is what the
 * comparison uses: monitor programs run in the syscalls of the thread they watch, so it carries
 * their cost, while time lost to other load on a shared machine does not show in it.
 */
struct span {
	uint64_t wall, cpu;
};

static void span_start(struct span *s)
{
	s->wall = now_ns(CLOCK_MONOTONIC);
	s->cpu = now_ns(CLOCK_THREAD_CPUTIME_ID);
}

static void span_stop(struct span *s)
{
	s->wall = now_ns(CLOCK_MONOTONIC) - s->wall;
	s->cpu = now_ns(CLOCK_THREAD_CPUTIME_ID) - s->cpu;
}

static void result(const struct opts *o, const struct span *s, uint64_t child_cpu, long ops,
		   const char *extra)
{
	uint64_t cpu = s->cpu + child_cpu;

	printf("{\"case\":\"%s\",\"ops\":%ld,\"wall_ns\":%llu,\"cpu_ns\":%llu,"
	       "\"wall_ns_per_op\":%.1f,\"cpu_ns_per_op\":%.1f%s%s}\n",
	       o->kase, ops, (unsigned long long)s->wall, (unsigned long long)cpu,
	       ops ? (double)s->wall / ops : 0.0, ops ? (double)cpu / ops : 0.0, extra ? "," : "",
	       extra ? extra : "");
}

/* 200,000 x (open/read/close of a benign file + sendto + write) in the intended form. */
static void run_mixed(const struct opts *o)
{
	struct sockaddr_in dst;
	char buf[64] = "benign payload, nothing to see here";
	int sink = udp_sink(&dst), us = udp_socket();
	int null = open("/dev/null", O_WRONLY | O_CLOEXEC);
	struct span sp;
	long i;

	if (!o->file || null < 0) {
		fprintf(stderr, "workload: mixed needs --file and /dev/null\n");
		exit(2);
	}
	span_start(&sp);
	for (i = 0; i < o->iters; i++) {
		int fd = open(o->file, O_RDONLY | O_CLOEXEC);

		if (fd < 0)
			die(o->file);
		if (read(fd, buf, sizeof(buf)) < 0)
			die("read");
		close(fd);
		if (sendto(us, buf, sizeof(buf), 0, (struct sockaddr *)&dst, sizeof(dst)) < 0)
			die("sendto");
		if (write(null, buf, sizeof(buf)) < 0)
			die("write");
	}
	span_stop(&sp);
	result(o, &sp, 0, o->iters, NULL);
	close(sink);
	close(us);
	close(null);
}

/* Receives and discards until the peer closes: the other end of the TCP loop. It shares the
 * sender's CPU when pinned: a receiver on the other core made the loop's speed vary twofold. */
static void tcp_drain(int lfd, int cpu)
{
	static char buf[PAYLOAD_MAX];
	int fd;

	pin(cpu);
	fd = accept(lfd, NULL, NULL);
	if (fd < 0)
		_exit(1);
	while (recv(fd, buf, sizeof(buf), 0) > 0)
		;
	_exit(0);
}

static void run_tcp(const struct opts *o)
{
	static char buf[PAYLOAD_MAX];
	struct sockaddr_in addr = { .sin_family = AF_INET };
	socklen_t alen = sizeof(addr);
	char value[VALUE_MAX];
	int lfd, fd, one = 1, status;
	struct rusage ru;
	struct span sp;
	uint64_t child_cpu;
	pid_t child;
	long i;

	memset(buf, 'a', sizeof(buf));
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	lfd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&addr, sizeof(addr)) || listen(lfd, 1) ||
	    getsockname(lfd, (struct sockaddr *)&addr, &alen))
		die("tcp listen");
	child = fork();
	if (child < 0)
		die("fork");
	if (child == 0)
		tcp_drain(lfd, o->cpu);
	/* tainted after the fork: the receiver must not inherit it */
	if (o->taint)
		read_value(o->taint, value, sizeof(value));
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&addr, sizeof(addr)))
		die("tcp connect");
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	span_start(&sp);
	for (i = 0; i < o->iters; i++)
		if (send(fd, buf, o->size, 0) != o->size)
			die("send");
	span_stop(&sp);
	close(fd);
	close(lfd);
	/* the receiver's CPU time counts too: it runs only for this loop */
	if (wait4(child, &status, 0, &ru) != child)
		die("wait4");
	child_cpu = (uint64_t)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000000ull +
		    (uint64_t)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1000ull;
	result(o, &sp, child_cpu, o->iters, NULL);
}

static void run_ident(const struct opts *o)
{
	char buf[VALUE_MAX];
	struct span sp;
	long i;

	if (!o->file) {
		fprintf(stderr, "workload: ident needs --file\n");
		exit(2);
	}
	span_start(&sp);
	for (i = 0; i < o->iters; i++) {
		int fd = open(o->file, O_RDONLY | O_CLOEXEC);

		if (fd < 0)
			die(o->file);
		if (read(fd, buf, sizeof(buf)) < 0)
			die("read");
		close(fd);
	}
	span_stop(&sp);
	result(o, &sp, 0, o->iters, NULL);
}

/* One syscall in a tight loop: what a monitor adds to a syscall it watches and to one it does not.
 * getppid: no monitor hooks it; write: 1 byte to /dev/null (a send hook's enter and exit);
 * read: 1 byte of /dev/zero (a read exit); open: open and close /dev/null;
 * udp: a 64-byte UDP sendto to a loopback sink (send hooks, cgroup hooks, one packet);
 * udprecv: the same, then its receipt (a recv hook). */
static void run_sys(const struct opts *o)
{
	const char *call = o->file ? o->file : "getppid";
	int null = open("/dev/null", O_WRONLY | O_CLOEXEC);
	int zero = open("/dev/zero", O_RDONLY | O_CLOEXEC);
	struct span sp;
	char c;
	long i;

	if (null < 0 || zero < 0)
		die("/dev/null, /dev/zero");
	span_start(&sp);
	if (!strcmp(call, "write")) {
		for (i = 0; i < o->iters; i++)
			if (write(null, "x", 1) != 1)
				die("write");
	} else if (!strcmp(call, "read")) {
		for (i = 0; i < o->iters; i++)
			if (read(zero, &c, 1) != 1)
				die("read");
	} else if (!strcmp(call, "udp")) {
		struct sockaddr_in dst;
		int sink = udp_sink(&dst), us = udp_socket();

		for (i = 0; i < o->iters; i++)
			if (sendto(us, "payload", 8, 0, (struct sockaddr *)&dst, sizeof(dst)) != 8)
				die("sendto");
		close(us);
		close(sink);
	} else if (!strcmp(call, "udprecv")) {
		struct sockaddr_in dst;
		int sink = udp_sink(&dst), us = udp_socket();
		char got[16];

		for (i = 0; i < o->iters; i++)
			if (sendto(us, "payload", 8, 0, (struct sockaddr *)&dst, sizeof(dst)) != 8 ||
			    recv(sink, got, sizeof(got), 0) != 8)
				die("sendto/recv");
		close(us);
		close(sink);
	} else if (!strcmp(call, "open")) {
		for (i = 0; i < o->iters; i++) {
			int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);

			if (fd < 0)
				die("open");
			close(fd);
		}
	} else {
		for (i = 0; i < o->iters; i++)
			syscall(SYS_getppid);
	}
	span_stop(&sp);
	result(o, &sp, 0, o->iters, NULL);
	close(null);
	close(zero);
}

/* Sleeps until an absolute CLOCK_MONOTONIC time in ns. */
static void sleep_until(uint64_t t)
{
	struct timespec ts = { .tv_sec = t / 1000000000ull, .tv_nsec = t % 1000000000ull };

	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL) == EINTR)
		;
}

/* A tainted process sending UDP to loopback for a fixed time, paced to --rate or flat out. */
static void run_flood(const struct opts *o)
{
	static char buf[PAYLOAD_MAX];
	struct sockaddr_in dst;
	char value[VALUE_MAX], extra[96];
	int sink, us;
	uint64_t t0, t, end;
	long sent = 0, failed = 0;
	struct span sp;
	int k;

	if (!o->taint || o->seconds <= 0) {
		fprintf(stderr, "workload: flood needs --taint and --ms\n");
		exit(2);
	}
	read_value(o->taint, value, sizeof(value));
	memset(buf, 'f', sizeof(buf));
	sink = udp_sink(&dst);
	us = udp_socket();
	if (connect(us, (struct sockaddr *)&dst, sizeof(dst)))
		die("connect udp");
	span_start(&sp);
	t0 = sp.wall;
	end = t0 + (uint64_t)(o->seconds * 1e9);
	for (t = t0; t < end; t = now_ns(CLOCK_MONOTONIC)) {
		/* the batch that should have been sent by now, at the requested rate */
		if (o->rate) {
			uint64_t due = (uint64_t)((double)(t - t0) * o->rate / 1e9);

			if ((uint64_t)sent >= due) {
				sleep_until(t0 + (uint64_t)((sent + FLOOD_BATCH) * 1e9 / o->rate));
				continue;
			}
		}
		for (k = 0; k < FLOOD_BATCH; k++) {
			if (o->vary)
				snprintf(buf, o->size < 17 ? o->size : 17, "%016lx", sent);
			if (send(us, buf, o->size, 0) == o->size)
				sent++;
			else
				failed++;
		}
	}
	snprintf(extra, sizeof(extra), "\"pid\":%d,\"rate\":%ld,\"failed\":%ld,\"per_s\":%.0f",
		 getpid(), o->rate, failed, sent / ((t - t0) / 1e9));
	span_stop(&sp);
	result(o, &sp, 0, sent, extra);
	close(us);
	close(sink);
}

/*
 * Sends the identifier value, each send timestamped (CLOCK_REALTIME, as alert "ts") just before.
 * Each goes to its own loopback address (127.0.B.C, one sink bound to the wildcard address takes
 * them all): the agent folds repeats of an alert to one destination into a counted record, and
 * a folded alert has no line of its own to time.
 */
static void run_latency(const struct opts *o)
{
	static char buf[PAYLOAD_MAX];
	static uint64_t sent_at[MAX_LATENCY_SENDS];
	struct sockaddr_in any = { .sin_family = AF_INET }, dst;
	socklen_t alen = sizeof(any);
	char value[VALUE_MAX];
	size_t vlen;
	uint64_t t0;
	int sink, us, small = 4096;
	long i;

	if (!o->taint || !o->count || o->count > 250 * 250) {
		fprintf(stderr, "workload: latency needs --taint and --count 1..62500\n");
		exit(2);
	}
	vlen = read_value(o->taint, value, sizeof(value));
	if (o->size < (long)vlen + 16) {
		fprintf(stderr, "workload: --size must leave room for the value\n");
		exit(2);
	}
	memset(buf, '.', sizeof(buf));
	sink = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (sink < 0 || bind(sink, (struct sockaddr *)&any, sizeof(any)) ||
	    getsockname(sink, (struct sockaddr *)&any, &alen))
		die("bind udp sink");
	setsockopt(sink, SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
	us = udp_socket();
	dst = any;
	t0 = now_ns(CLOCK_MONOTONIC);
	for (i = 0; i < o->count; i++) {
		/* "id=<value>&seq=<n>": a distinct payload per send, the value in plain form */
		int n = snprintf(buf, o->size, "id=%s&seq=%ld&", value, i);

		buf[n] = '.';
		dst.sin_addr.s_addr = htonl(0x7f000000 | (i / 250) << 8 | (1 + i % 250));
		sleep_until(t0 + (uint64_t)i * o->interval_us * 1000);
		sent_at[i] = now_ns(CLOCK_REALTIME);
		if (sendto(us, buf, o->size, 0, (struct sockaddr *)&dst, sizeof(dst)) != o->size)
			die("sendto");
	}
	printf("{\"case\":\"latency\",\"ops\":%ld,\"pid\":%d,\"sent_realtime_ns\":[", o->count,
	       getpid());
	for (i = 0; i < o->count; i++)
		printf("%s%llu", i ? "," : "", (unsigned long long)sent_at[i]);
	printf("]}\n");
	close(us);
	close(sink);
}

/* A process that holds an identifier and does nothing with it: on a phone, rild and the phone
 * process hold the IMEI for good. It holds no pipe (the driver gives it /dev/null). */
static void run_hold(const struct opts *o)
{
	char value[VALUE_MAX];
	struct timespec t;

	if (!o->taint || o->seconds <= 0) {
		fprintf(stderr, "workload: hold needs --taint and --ms\n");
		exit(2);
	}
	read_value(o->taint, value, sizeof(value));
	t.tv_sec = (time_t)o->seconds;
	t.tv_nsec = (long)((o->seconds - t.tv_sec) * 1e9);
	while (nanosleep(&t, &t) && errno == EINTR)
		;
}

int main(int argc, char **argv)
{
	struct opts o = {};

	parse(argc, argv, &o);
	signal(SIGPIPE, SIG_IGN);
	pin(o.cpu);
	if (!strcmp(o.kase, "mixed"))
		run_mixed(&o);
	else if (!strcmp(o.kase, "tcp"))
		run_tcp(&o);
	else if (!strcmp(o.kase, "ident"))
		run_ident(&o);
	else if (!strcmp(o.kase, "sys"))
		run_sys(&o);
	else if (!strcmp(o.kase, "flood"))
		run_flood(&o);
	else if (!strcmp(o.kase, "latency"))
		run_latency(&o);
	else if (!strcmp(o.kase, "hold"))
		run_hold(&o);
	else {
		fprintf(stderr, "workload: unknown case '%s'\n%s", o.kase, usage);
		return 2;
	}
	return 0;
}
