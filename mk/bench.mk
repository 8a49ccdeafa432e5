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

# `make bench-json`: alerts/s and allocations per alert of the hand-written JSON writer (json.c)
# against json-c and jansson building the same alert record (tests/bench/json_alert.c). No root,
# no kernel: a user-space loop, median of BENCH_JSON_RUNS runs of BENCH_JSON_ALERTS alerts each.
BENCH_JSON_ALERTS ?= 200000
BENCH_JSON_RUNS ?= 7
# The agent's objects without sanitizers, as an archive (its rule is in fuzz.mk).
BENCH_JSON_LIB := $(OUTPUT)/unit-plain/libidsentry.a

.PHONY: bench-json bench-json-deps

# Installs the two libraries' -dev packages (Debian/Ubuntu) when either is missing.
bench-json-deps:
	$(Q)for p in libjson-c-dev libjansson-dev; do \
		dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || \
		need="$$need $$p"; \
	done; [ -z "$$need" ] || { echo "bench-json: installing$$need"; \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -q $$need >/dev/null; }

# jansson's json_string() and json_null() have the names of two of json.c's functions: programs
# that link both (this bench, fuzz_json_oracle) link a copy of libjansson.a with them renamed
# to jansson_string() and jansson_null(). libjansson-dev comes with `make deps`.
JANSSON_RENAMED := $(OUTPUT)/jansson/libjansson-renamed.a
$(JANSSON_RENAMED): | deps
	$(call msg,OBJCOPY,$@)
	$(Q)mkdir -p $(@D)
	$(Q)objcopy --redefine-sym json_string=jansson_string --redefine-sym json_null=jansson_null \
		$(shell $(CC) -print-file-name=libjansson.a) $@

# One binary per library (they define symbols of the same names), each timing json.c beside it.
# The libraries are linked statically, as the device build would link them.
BENCH_JSON_WITH_jsonc := -DBENCH_JSONC -Wl,-Bstatic -ljson-c -Wl,-Bdynamic
BENCH_JSON_WITH_jansson := -DBENCH_JANSSON $(JANSSON_RENAMED)
BENCH_JSON_BINS := $(BENCH_OUT)/json_alert_jsonc $(BENCH_OUT)/json_alert_jansson

$(BENCH_OUT)/json_alert_jansson: $(JANSSON_RENAMED)
$(BENCH_OUT)/json_alert_%: tests/bench/json_alert.c $(BENCH_JSON_LIB) | $(BENCH_OUT) bench-json-deps
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) $(WARN) $(INCLUDES) $< $(BENCH_JSON_LIB) $(BENCH_JSON_WITH_$*) \
		$(LDLIBS) -o $@

bench-json: $(BENCH_JSON_BINS)
	$(Q)echo "Alert serialization: median alerts/s of $(BENCH_JSON_RUNS) runs of" \
		"$(BENCH_JSON_ALERTS) alerts; allocations are malloc/calloc/realloc calls per alert"
	$(Q)for b in $(BENCH_JSON_BINS); do \
		$$b --alerts $(BENCH_JSON_ALERTS) --runs $(BENCH_JSON_RUNS) || exit 1; \
	done
