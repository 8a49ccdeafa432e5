// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* fastpath: attaches one mode of fastpath.bpf.c, prints "ready", holds it until SIGINT/SIGTERM. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <bpf/libbpf.h>
#include "fastpath.skel.h"

#define MAX_LINKS 64
#define OWN_CGROUP2 "/run/idsentry-bench-cgroup2"

static volatile sig_atomic_t exiting;
static int mounted_cgroup2;

static void on_signal(int sig)
{
	exiting = 1;
}

static int silent(enum libbpf_print_level level, const char *fmt, va_list args)
{
	return level == LIBBPF_DEBUG ? 0 : vfprintf(stderr, fmt, args);
}

/* The cgroup v2 root, as the agent finds it: a mounted one, or one mounted for the occasion. */
static int open_cgroup2(void)
{
	char line[1024], mnt[256], fstype[64], *sep;
	FILE *f = fopen("/proc/self/mountinfo", "r");

	while (f && fgets(line, sizeof(line), f)) {
		sep = strstr(line, " - ");
		if (!sep || sscanf(sep + 3, "%63s", fstype) != 1 || strcmp(fstype, "cgroup2") ||
		    sscanf(line, "%*s %*s %*s %*s %255s", mnt) != 1)
			continue;
		fclose(f);
		return open(mnt, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	}
	if (f)
		fclose(f);
	mkdir(OWN_CGROUP2, 0700);
	if (mount("none", OWN_CGROUP2, "cgroup2", 0, NULL))
		return -1;
	mounted_cgroup2 = 1;
	return open(OWN_CGROUP2, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

/* Whether program 'name' belongs to 'mode' (see the table in fastpath.bpf.c). */
static int in_mode(const char *name, const char *mode)
{
	if (!strcmp(mode, "tracepoint"))
		return !strncmp(name, "tp_", 3);
	if (!strcmp(mode, "tracepoint-btf"))
		return !strncmp(name, "tpb_", 4) ||
		       (!strncmp(name, "tp_", 3) && !strstr(name, "_exit_open"));
	if (!strcmp(mode, "tracepoint-bits"))
		return !strncmp(name, "tpb_", 4) || !strncmp(name, "tpx_", 4);
	if (!strcmp(mode, "raw_tp"))
		return !strncmp(name, "raw_", 4);
	if (!strcmp(mode, "tp_btf"))
		return !strncmp(name, "btf_", 4);
	if (!strcmp(mode, "cgroup"))
		return !strncmp(name, "cg_", 3);
	if (!strcmp(mode, "one-tracepoint"))
		return !strncmp(name, "one_", 4);
	return -1;
}

int main(int argc, char **argv)
{
	struct sigaction sa = { .sa_handler = on_signal };
	struct fastpath_bpf *skel = NULL;
	struct bpf_link *links[MAX_LINKS] = {};
	struct bpf_program *prog;
	const char *mode = argc > 1 ? argv[1] : "";
	int err = 0, n = 0, i, cgroup_fd = -1;

	if (argc != 2 || in_mode("", mode) < 0) {
		fprintf(stderr, "usage: fastpath tracepoint|tracepoint-btf|tracepoint-bits|raw_tp|"
				"tp_btf|cgroup|one-tracepoint\n");
		return 2;
	}
	libbpf_set_print(silent);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	skel = fastpath_bpf__open();
	if (!skel) {
		fprintf(stderr, "fastpath: failed to open the BPF object: %s\n", strerror(errno));
		return 1;
	}
	skel->rodata->agent_tgid = getpid();
	if (!strcmp(mode, "cgroup")) {
		cgroup_fd = open_cgroup2();
		if (cgroup_fd < 0) {
			err = -errno;
			fprintf(stderr, "fastpath: no cgroup v2 root: %s\n", strerror(errno));
			goto cleanup;
		}
	}
	bpf_object__for_each_program(prog, skel->obj)
		bpf_program__set_autoload(prog, in_mode(bpf_program__name(prog), mode) > 0);
	err = fastpath_bpf__load(skel);
	if (err) {
		fprintf(stderr, "fastpath: failed to load mode '%s': %s\n", mode, strerror(-err));
		goto cleanup;
	}
	bpf_object__for_each_program(prog, skel->obj) {
		if (!bpf_program__autoload(prog) || n == MAX_LINKS)
			continue;
		if (!strncmp(bpf_program__section_name(prog), "cgroup", 6))
			links[n] = bpf_program__attach_cgroup(prog, cgroup_fd);
		else
			links[n] = bpf_program__attach(prog);
		if (!links[n]) {
			err = -errno;
			fprintf(stderr, "fastpath: failed to attach '%s': %s\n",
				bpf_program__name(prog), strerror(-err));
			goto cleanup;
		}
		n++;
	}
	printf("ready mode=%s programs=%d\n", mode, n);
	fflush(stdout);
	while (!exiting)
		pause();
cleanup:
	for (i = 0; i < n; i++)
		bpf_link__destroy(links[i]);
	fastpath_bpf__destroy(skel);
	if (cgroup_fd >= 0)
		close(cgroup_fd);
	if (mounted_cgroup2) {
		umount2(OWN_CGROUP2, MNT_DETACH);
		rmdir(OWN_CGROUP2);
	}
	return err != 0;
}
