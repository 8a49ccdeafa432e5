# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# The Android VM test (`make test-android`): Debian's generic arm64 kernel with binder_linux.ko,
# the static agent and an Android-like userspace on real Binder (tests/android).

ANDROID_VM := build/android/vm
ANDROID_BIN := $(ANDROID_VM)/bin
# The whole test, VM included, must end within this many seconds (the VM itself gets VM_TIMEOUT).
TEST_ANDROID_TIMEOUT ?= 600
ANDROID_CC ?= $(if $(filter arm64,$(HOST_ARCH)),gcc,aarch64-linux-gnu-gcc)
ANDROID_CFLAGS := -g -O2 -std=gnu11 -D_GNU_SOURCE -Wall -Wextra -Werror -static
ANDROID_HDRS := $(wildcard tests/android/*.h)
ANDROID_LIB := tests/android/binder_lite.c tests/android/telephony.c tests/android/util.c
ANDROID_PROGS := $(addprefix $(ANDROID_BIN)/,servicemanager phone fakemodem app_process64)
ANDROID_LINK_NOTES := statically linked applications requires\|: in function .

.PHONY: test-android android-progs

android-progs: $(ANDROID_PROGS)

$(ANDROID_BIN)/fakemodem: tests/android/fakemodem.c tests/android/util.c $(ANDROID_HDRS) \
		| arm64-deps
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(ANDROID_CC) $(ANDROID_CFLAGS) $(filter %.c,$^) -o $@

$(ANDROID_BIN)/servicemanager $(ANDROID_BIN)/phone: $(ANDROID_BIN)/%: tests/android/%.c \
		$(ANDROID_LIB) $(ANDROID_HDRS) | arm64-deps
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(ANDROID_CC) $(ANDROID_CFLAGS) $(filter %.c,$^) -o $@

# The zygote and its apps; sts encrypts with OpenSSL's libcrypto (static, as the agent links it;
# glibc's notes about dlopen/getaddrinfo concern libcrypto paths the app never takes).
$(ANDROID_BIN)/app_process64: tests/android/zygote.c tests/android/apps.c $(ANDROID_LIB) \
		$(ANDROID_HDRS) | arm64-deps
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D) && rm -f $@
	$(Q)$(ANDROID_CC) $(ANDROID_CFLAGS) $(filter %.c,$^) -lcrypto -o $@ 2>&1 | \
		{ grep -v "$(ANDROID_LINK_NOTES)" >&2 || true; }; test -x $@

# Boots Debian's generic arm64 kernel with binder_linux.ko, the static agent and the Binder
# userspace; passes when the apps' identifiers, sends and the agent's alerts check out.
test-android: arm64-vm-deps $(ANDROID_PROGS)
	$(Q)$(MAKE) --no-print-directory ARCH=arm64 OUTPUT=build/arm64 build/arm64/idsentry
	$(Q)timeout -k 10 $(TEST_ANDROID_TIMEOUT) tests/android/run.sh $(ANDROID_VM) \
		build/arm64/idsentry $(ANDROID_BIN)

# `make bench-vm`: BPF program runs per untainted iteration in each hook state (idle, busy, busy
# without fanotify: the inotify gate) on Debian's newer generic arm64 kernel, which has kprobes and
# the socket-layer tracepoints as Android 15's GKI does; under qemu, about 4 minutes. Counts, not
# times: emulation does not change them.
BENCH_VM := build/benchvm
BENCH_VM_TIMEOUT ?= 900

.PHONY: bench-vm
$(BENCH_VM)/workload: tests/bench/workload.c | arm64-deps
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(ANDROID_CC) $(filter-out -D_GNU_SOURCE,$(ANDROID_CFLAGS)) $< -o $@

bench-vm: arm64-vm-deps $(BENCH_VM)/workload
	$(Q)$(MAKE) --no-print-directory ARCH=arm64 OUTPUT=build/arm64 build/arm64/idsentry
	$(Q)timeout -k 10 $(BENCH_VM_TIMEOUT) tests/bench/vm-gate.sh $(BENCH_VM) \
		build/arm64/idsentry $(BENCH_VM)/workload
