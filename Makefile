# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# idsentry: BPF objects → skeleton → agent; unit and kernel tests. `make V=1` prints full commands.

CLANG ?= clang
BPFTOOL ?= bpftool
CC ?= gcc
PYTHON ?= python3

UNAME_M := $(shell uname -m)
HOST_ARCH := $(patsubst x86_64,x86,$(patsubst aarch64,arm64,$(UNAME_M)))
ARCH ?= $(HOST_ARCH)
ifeq ($(filter x86 arm64,$(ARCH)),)
$(error unsupported ARCH '$(ARCH)': idsentry builds for x86 and arm64)
endif
# `make ARCH=arm64` is the device build: static, in build/arm64, cross-compiled on other hosts
# (mk/arm64.mk has the rest).
ifeq ($(ARCH),arm64)
ifneq ($(origin ARCH),file)
DEVICE_BUILD := 1
OUTPUT ?= build/arm64
ifneq ($(HOST_ARCH),arm64)
CROSS_COMPILE ?= aarch64-linux-gnu-
endif
endif
endif
OUTPUT ?= build
ifneq ($(CROSS_COMPILE),)
CC := $(CROSS_COMPILE)gcc
endif

ifeq ($(V),1)
Q =
msg =
else
Q = @
msg = @printf '  %-9s %s\n' "$(1)" "$(2)";
endif

VMLINUX := vmlinux/$(ARCH)/vmlinux.h
BPF_SRCS := $(wildcard bpf/*.bpf.c)
BPF_HDRS := $(wildcard bpf/*.bpf.h) include/idsentry.h
# globals.o first: libbpf's static linker leaves extern maps seen before their definition at
# offset 0 of .maps (libbpf 1.1), so the definitions must come first.
BPF_OBJS := $(OUTPUT)/bpf/globals.o \
	$(filter-out $(OUTPUT)/bpf/globals.o,$(patsubst bpf/%.bpf.c,$(OUTPUT)/bpf/%.o,$(BPF_SRCS)))
SKELS := $(OUTPUT)/idsentry.skel.h

USER_SRCS := $(wildcard user/*.c)
USER_HDRS := $(wildcard user/*.h) include/idsentry.h
LIB_SRCS := $(filter-out user/main.c,$(USER_SRCS))
LIB_OBJS := $(patsubst user/%.c,$(OUTPUT)/obj/%.o,$(LIB_SRCS))
ASAN_OBJS := $(patsubst user/%.c,$(OUTPUT)/asan/%.o,$(LIB_SRCS))
UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(patsubst tests/unit/%.c,$(OUTPUT)/unit/%,$(UNIT_SRCS))

CFLAGS ?= -g -O2
WARN := -Wall -Wextra -Werror -Wno-unused-parameter -Wno-missing-field-initializers
INCLUDES := -I$(OUTPUT) -Iinclude -Iuser
LDLIBS := -lbpf -lelf -lz -lyaml -lcrypto -lpthread
SAN := -fsanitize=address,undefined -fno-omit-frame-pointer

.DELETE_ON_ERROR:
.SECONDARY:
.PHONY: all deps run test unit integration test-busy asan-integration vmlinux clean bench

all: $(OUTPUT)/idsentry

# Installs missing build and test dependencies (apt); a no-op when all are present. Packages only
# the tests use (chromium, relays, rsyslog, jansson) come with the test, fuzz and bench goals, not
# with `make run`.
TEST_GOALS := test integration asan-integration fuzz fuzz-smoke fuzz-build fuzz-coverage bench \
	bench-smoke bench-json
deps:
	$(Q)scripts/install-deps.sh $(if $(filter $(TEST_GOALS),$(MAKECMDGOALS)),--test)

$(OUTPUT) $(OUTPUT)/bpf $(OUTPUT)/obj $(OUTPUT)/asan $(OUTPUT)/unit:
	$(Q)mkdir -p $@

# Each component compiles alone; the static linker joins them (and their shared maps) into one
# object, from which one skeleton is generated.
$(OUTPUT)/bpf/%.o: bpf/%.bpf.c $(BPF_HDRS) $(VMLINUX) | $(OUTPUT)/bpf
	$(call msg,BPF,$@)
	$(Q)$(CLANG) -g -O2 -Wall -Werror -target bpf -D__TARGET_ARCH_$(ARCH) \
		-Iinclude -Ivmlinux/$(ARCH) -Ibpf -c $< -o $@

$(OUTPUT)/idsentry.bpf.o: $(BPF_OBJS)
	$(call msg,GEN-OBJ,$@)
	$(Q)$(BPFTOOL) gen object $@ $^

$(OUTPUT)/idsentry.skel.h: $(OUTPUT)/idsentry.bpf.o
	$(call msg,GEN-SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name idsentry_bpf > $@

$(OUTPUT)/obj/%.o: user/%.c $(USER_HDRS) $(SKELS) | $(OUTPUT)/obj
	$(call msg,CC,$@)
	$(Q)$(CC) $(CFLAGS) $(WARN) $(INCLUDES) -c $< -o $@

$(OUTPUT)/asan/%.o: user/%.c $(USER_HDRS) $(SKELS) | $(OUTPUT)/asan
	$(call msg,CC-ASAN,$@)
	$(Q)$(CC) -g -O1 $(SAN) $(WARN) $(INCLUDES) -c $< -o $@

$(OUTPUT)/idsentry: $(OUTPUT)/obj/main.o $(LIB_OBJS)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(CFLAGS) $^ $(LDLIBS) -o $@

$(OUTPUT)/unit/%: tests/unit/%.c tests/unit/testlib.h $(ASAN_OBJS) | $(OUTPUT)/unit
	$(call msg,CC-TEST,$@)
	$(Q)$(CC) -g -O1 $(SAN) $(WARN) $(INCLUDES) -Itests/unit $< $(ASAN_OBJS) $(LDLIBS) -o $@

# Kernel-free unit tests, under ASan/UBSan; no root needed.
unit: $(UNIT_BINS)
	$(Q)fail=0; for t in $(UNIT_BINS); do $$t || fail=1; done; exit $$fail

# Kernel integration tests: the real agent, real clients, a network-namespace test host.
integration: $(OUTPUT)/idsentry
	$(Q)IDSENTRY_BIN=$(OUTPUT)/idsentry $(PYTHON) tests/integration/run.py $(TESTS)

# The same with every agent's syscall hooks kept attached (--hooks always): a device where some
# process always holds an identifier must catch what an idle one does. Not in CI (its length).
test-busy: $(OUTPUT)/idsentry
	$(Q)IDSENTRY_TEST_HOOKS=always IDSENTRY_BIN=$(OUTPUT)/idsentry $(PYTHON) \
		tests/integration/run.py $(TESTS)

test: deps
	$(Q)$(MAKE) --no-print-directory all $(UNIT_BINS)
	$(Q)$(MAKE) --no-print-directory unit
	$(Q)$(MAKE) --no-print-directory integration
	$(Q)$(MAKE) --no-print-directory asan-integration

# The agent itself under ASan/UBSan (leaks included), driven by a few kernel tests.
ASAN_AGENT := $(OUTPUT)/asan/idsentry
$(ASAN_AGENT): user/main.c $(ASAN_OBJS)
	$(call msg,LINK-ASAN,$@)
	$(Q)$(CC) -g -O1 $(SAN) $(WARN) $(INCLUDES) $^ $(LDLIBS) -o $@

asan-integration: $(ASAN_AGENT)
	$(Q)ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 UBSAN_OPTIONS=halt_on_error=1 \
		IDSENTRY_BIN=$(ASAN_AGENT) $(PYTHON) tests/integration/run.py \
		test_file_identifiers.test_curl test_flow.test_pipe test_dns.test_destination \
		test_agent_lifecycle.test_sighup test_enforce.test_udp test_tls.test_identifier \
		test_busy.test_without_fanotify_the_open_exits_gate

run: deps
	$(Q)$(MAKE) --no-print-directory all
	$(OUTPUT)/idsentry run --policy policies/default.yaml

# Further targets (bench, fuzz, install, cross builds) live in mk/, one file each.
include $(wildcard mk/*.mk)

# Regenerates the committed vmlinux.h from the running kernel's BTF (arm64 from x86: mk/arm64.mk).
VMLINUX_BTF ?= /sys/kernel/btf/vmlinux
vmlinux:
	$(call msg,GEN,$(VMLINUX))
	$(Q)mkdir -p vmlinux/$(ARCH)
	$(Q)$(BPFTOOL) btf dump file $(VMLINUX_BTF) format c > $(VMLINUX)

clean:
	$(call msg,CLEAN,$(OUTPUT))
	$(Q)rm -rf $(OUTPUT)
