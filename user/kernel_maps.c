// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* kernel_maps: what the agent reads and writes in the BPF side's maps once attached. */
#include <errno.h>
#include <stdlib.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "idsentry.skel.h"
#include "json.h"
#include "kernel_maps.h"
#include "loader.h"

int kernel_stats_read(const struct loader *l, uint64_t totals[STAT__COUNT])
{
	int ncpu = libbpf_num_possible_cpus();
	uint64_t *per_cpu;
	__u32 k;
	int c;

	if (ncpu <= 0)
		return -EINVAL;
	per_cpu = calloc(ncpu, sizeof(*per_cpu));
	if (!per_cpu)
		return -ENOMEM;
	for (k = 0; k < STAT__COUNT; k++) {
		totals[k] = 0;
		if (bpf_map__lookup_elem(l->skel->maps.stats, &k, sizeof(k), per_cpu,
					 ncpu * sizeof(*per_cpu), 0))
			continue;
		for (c = 0; c < ncpu; c++)
			totals[k] += per_cpu[c];
	}
	free(per_cpu);
	return 0;
}

void kernel_program_runs_member(const struct loader *l, struct json *j)
{
	struct bpf_program *prog;
	int any = 0;

	bpf_object__for_each_program(prog, l->skel->obj) {
		struct bpf_prog_info info = {};
		__u32 len = sizeof(info);
		int fd = bpf_program__fd(prog);

		if (fd < 0 || bpf_obj_get_info_by_fd(fd, &info, &len) || !info.run_cnt)
			continue;
		if (!any++)
			json_object_begin(j, "program_runs");
		json_uint(j, bpf_program__name(prog), info.run_cnt);
	}
	if (any)
		json_object_end(j);
}

unsigned long kernel_taint_entries(const struct loader *l, unsigned long max)
{
	const struct bpf_map *m = l->skel->maps.taint;
	__u32 key, next;
	unsigned long n = 0;
	int err = bpf_map__get_next_key(m, NULL, &next, sizeof(next));

	while (!err && n < max) {
		n++;
		key = next;
		err = bpf_map__get_next_key(m, &key, &next, sizeof(next));
	}
	return n;
}

int kernel_taint_of(const struct loader *l, uint32_t tgid, struct proc_taint *t)
{
	return bpf_map_lookup_elem(bpf_map__fd(l->skel->maps.taint), &tgid, t) ? -ENOENT : 0;
}

int kernel_set_taint(const struct loader *l, uint32_t tgid, const struct proc_taint *t,
		     int create)
{
	return bpf_map_update_elem(bpf_map__fd(l->skel->maps.taint), &tgid, t,
				   create ? BPF_NOEXIST : BPF_EXIST);
}
