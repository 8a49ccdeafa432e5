// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* emit: loads emit.bpf.c in one mode, reads its ring buffer like the agent, reports on SIGINT. */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <bpf/libbpf.h>
#include "idsentry.h"
#include "emit.skel.h"

#define LAT_BUCKETS 200000 /* 1 µs buckets: 0..200 ms, and one for beyond */
#define ST__COUNT 3

static const char usage[] =
	"usage: emit output|reserve|batched|output-batched|check --watch FILE [--ring-mib N]\n"
	"            [--wake-kib N] [--poll-ms N] [--sample-bytes N] [--hook sendto|sock]\n"
	"  --hook: where a send is seen: the sendto syscall's entry (the default) or, as idsentry\n"
	"          sees it, the socket layer (sock:sock_send_length, Linux 6.3+)\n";

static volatile sig_atomic_t exiting;
static uint32_t lat_hist[LAT_BUCKETS + 1];
static unsigned long long n_events, n_bad;

static void on_signal(int sig)
{
	exiting = 1;
}

static int silent(enum libbpf_print_level level, const char *fmt, va_list args)
{
	return level == LIBBPF_DEBUG ? 0 : vfprintf(stderr, fmt, args);
}

static uint64_t now_ns(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

/* Does what the agent's event decoding does with a record, then notes its age. */
static int on_event(void *ctx, void *data, size_t size)
{
	static struct send_event ev;
	uint64_t age;

	if (size < offsetof(struct send_event, sample) || size > sizeof(ev)) {
		n_bad++;
		return 0;
	}
	memcpy(&ev, data, size);
	if (ev.sample_len > size - offsetof(struct send_event, sample)) {
		n_bad++;
		return 0;
	}
	age = (now_ns(CLOCK_BOOTTIME) - ev.hdr.ts_ns) / 1000;
	lat_hist[age < LAT_BUCKETS ? age : LAT_BUCKETS]++;
	n_events++;
	return 0;
}

static double lat_percentile(double p)
{
	unsigned long long want = (unsigned long long)(p / 100.0 * n_events + 0.5), seen = 0;
	uint32_t i;

	if (!n_events)
		return -1;
	if (!want)
		want = 1;
	for (i = 0; i <= LAT_BUCKETS; i++) {
		seen += lat_hist[i];
		if (seen >= want)
			return i / 1000.0;
	}
	return LAT_BUCKETS / 1000.0;
}

static long num(const char *s, long lo, long hi)
{
	char *end;
	long v = strtol(s, &end, 10);

	if (end == s || *end || v < lo || v > hi) {
		fprintf(stderr, "emit: '%s' is not a number in %ld..%ld\n%s", s, lo, hi, usage);
		exit(2);
	}
	return v;
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_signal };
	long ring_mib = 16, wake_kib = 1024, poll_ms = 10, sample = 256;
	unsigned long long st[ST__COUNT] = {};
	struct ring_buffer *rb = NULL;
	struct emit_bpf *skel = NULL;
	const char *watch = NULL, *hook = "sendto";
	struct watch_key key;
	struct timespec cpu;
	struct stat sb;
	__u64 one = 1;
	int i, mode, err = 0, ncpu;
	__u32 k;

	if (argc < 2) {
		fputs(usage, stderr);
		return 2;
	}
	if (!strcmp(argv[1], "output"))
		mode = 0;
	else if (!strcmp(argv[1], "reserve"))
		mode = 1;
	else if (!strcmp(argv[1], "batched"))
		mode = 2;
	else if (!strcmp(argv[1], "output-batched"))
		mode = 3;
	else if (!strcmp(argv[1], "check"))
		mode = 4;
	else {
		fputs(usage, stderr);
		return 2;
	}
	for (i = 2; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--watch"))
			watch = argv[i + 1];
		else if (!strcmp(argv[i], "--ring-mib"))
			ring_mib = num(argv[i + 1], 1, 256);
		else if (!strcmp(argv[i], "--wake-kib"))
			wake_kib = num(argv[i + 1], 0, 256 * 1024);
		else if (!strcmp(argv[i], "--poll-ms"))
			poll_ms = num(argv[i + 1], 1, 10000);
		else if (!strcmp(argv[i], "--sample-bytes"))
			sample = num(argv[i + 1], 1, MAX_SAMPLE_BYTES);
		else if (!strcmp(argv[i], "--hook") &&
			 (!strcmp(argv[i + 1], "sendto") || !strcmp(argv[i + 1], "sock")))
			hook = argv[i + 1];
		else
			break;
	}
	if (i != argc || !watch || stat(watch, &sb)) {
		fputs(usage, stderr);
		return 2;
	}
	libbpf_set_print(silent);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	skel = emit_bpf__open();
	if (!skel) {
		fprintf(stderr, "emit: failed to open the BPF object: %s\n", strerror(errno));
		return 1;
	}
	skel->rodata->emit_mode = mode;
	skel->rodata->wake_bytes = (__u64)wake_kib << 10;
	skel->rodata->sample_bytes = sample;
	bpf_map__set_max_entries(skel->maps.events, (__u32)ring_mib << 20);
	bpf_program__set_autoload(skel->progs.handle_sys_enter_sendto, !strcmp(hook, "sendto"));
	bpf_program__set_autoload(skel->progs.handle_sock_send_length, !strcmp(hook, "sock"));
	err = emit_bpf__load(skel);
	if (!err)
		err = emit_bpf__attach(skel);
	if (err) {
		fprintf(stderr, "emit: failed to load or attach: %s\n", strerror(-err));
		goto cleanup;
	}
	/* the kernel's dev_t packs major:minor as 12:20 bits */
	key.dev = ((__u64)major(sb.st_dev) << 20) | minor(sb.st_dev);
	key.ino = sb.st_ino;
	err = bpf_map__update_elem(skel->maps.watched_inodes, &key, sizeof(key), &one, sizeof(one),
				   0);
	if (err) {
		fprintf(stderr, "emit: failed to watch %s: %s\n", watch, strerror(-err));
		goto cleanup;
	}
	rb = ring_buffer__new(bpf_map__fd(skel->maps.events), on_event, NULL, NULL);
	if (!rb) {
		err = -errno;
		fprintf(stderr, "emit: failed to create the ring buffer reader: %s\n",
			strerror(errno));
		goto cleanup;
	}
	printf("ready mode=%s hook=%s\n", argv[1], hook);
	fflush(stdout);
	while (!exiting) {
		err = ring_buffer__poll(rb, poll_ms);
		if (err == -EINTR)
			break;
		if (err < 0) {
			fprintf(stderr, "emit: polling the ring buffer failed: %s\n",
				strerror(-err));
			goto cleanup;
		}
		/* a timeout: records submitted without a wake-up are waiting */
		if (err == 0)
			ring_buffer__consume(rb);
	}
	err = ring_buffer__consume(rb);
	err = err < 0 ? err : 0;
	ncpu = libbpf_num_possible_cpus();
	for (k = 0; k < ST__COUNT && ncpu > 0; k++) {
		__u64 v[ncpu];

		if (bpf_map__lookup_elem(skel->maps.stats, &k, sizeof(k), v, sizeof(v), 0))
			continue;
		for (i = 0; i < ncpu; i++)
			st[k] += v[i];
	}
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &cpu);
	printf("{\"mode\":\"%s\",\"events\":%llu,\"bad\":%llu,\"emitted\":%llu,\"lost\":%llu,"
	       "\"forced_wakeups\":%llu,\"lat_p50_ms\":%.3f,\"lat_p99_ms\":%.3f,"
	       "\"lat_max_ms\":%.3f,"
	       "\"cpu_s\":%.3f}\n",
	       argv[1], n_events, n_bad, st[0], st[1], st[2], lat_percentile(50),
	       lat_percentile(99), lat_percentile(100), cpu.tv_sec + cpu.tv_nsec / 1e9);
cleanup:
	ring_buffer__free(rb);
	emit_bpf__destroy(skel);
	return err != 0;
}
