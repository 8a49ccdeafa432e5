# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# `make bench`: idsentry's overhead, capacity and latency against no monitor and a bpftrace peer,
# plus two experiments (fast-path attach styles, ring-buffer wake-ups); about 5 minutes, as root.
# `make bench-smoke`: one short pass that checks everything runs; it never asserts on a figure.

BENCH_OUT := $(OUTPUT)/bench
BENCH_EXP := fastpath emit
BENCH_BINS := $(BENCH_OUT)/workload $(addprefix $(BENCH_OUT)/,$(BENCH_EXP))
BENCH_CMD = make$(if $(filter-out build,$(OUTPUT)), OUTPUT=$(OUTPUT))
BENCH_RUN = $(PYTHON) tests/bench/run.py --agent $(OUTPUT)/idsentry --bin $(BENCH_OUT) \
	--out $(BENCH_OUT)

.PHONY: bench bench-smoke bench-bins bench-peer

# The peer column needs bpftrace: `make bench` installs it (Debian/Ubuntu) when it is missing.
bench-peer:
	$(Q)command -v bpftrace >/dev/null || \
		(DEBIAN_FRONTEND=noninteractive apt-get install -y -q bpftrace >/dev/null && \
		 echo "bench: installed bpftrace for the peer column")

$(BENCH_OUT):
	$(Q)mkdir -p $@

$(BENCH_OUT)/workload: tests/bench/workload.c | $(BENCH_OUT)
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) $(WARN) $< -o $@

# The experiments' BPF programs: one object each, linked and turned into a skeleton as bpf/ is.
$(BENCH_OUT)/%.bpf.o: tests/bench/%.bpf.c include/idsentry.h $(VMLINUX) | $(BENCH_OUT)
	$(call msg,BPF,$@)
	$(Q)$(CLANG) -g -O2 -Wall -Werror -target bpf -D__TARGET_ARCH_$(ARCH) \
		-Iinclude -Ivmlinux/$(ARCH) -c $< -o $@

$(BENCH_OUT)/%.skel.h: $(BENCH_OUT)/%.bpf.o
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen object $(BENCH_OUT)/$*.lnk.o $<
	$(Q)$(BPFTOOL) gen skeleton $(BENCH_OUT)/$*.lnk.o name $*_bpf > $@

$(addprefix $(BENCH_OUT)/,$(BENCH_EXP)): $(BENCH_OUT)/%: tests/bench/%.c $(BENCH_OUT)/%.skel.h
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) $(WARN) -Iinclude -I$(BENCH_OUT) $< -lbpf -lelf -lz -o $@

bench-bins: $(OUTPUT)/idsentry $(BENCH_BINS)

bench: bench-bins bench-peer
	$(Q)$(BENCH_RUN) --command "$(BENCH_CMD) bench"

bench-smoke: bench-bins
	$(Q)$(BENCH_RUN) --smoke --command "$(BENCH_CMD) bench-smoke"
