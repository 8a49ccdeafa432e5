# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# arm64: the static device build (`make ARCH=arm64` → build/arm64/idsentry), its test on a booted
# arm64 kernel under qemu (`make test-arm64`), and the arm64 vmlinux.h (`make vmlinux ARCH=arm64`).

ARM64_OUTPUT := $(if $(DEVICE_BUILD),$(OUTPUT),build/arm64)
ARM64_VM := $(ARM64_OUTPUT)/vm
# The whole test, VM included, must end within this many seconds (the VM itself gets VM_TIMEOUT).
TEST_ARM64_TIMEOUT ?= 600

.PHONY: arm64-deps arm64-vm-deps arm64-btf test-arm64

ifeq ($(DEVICE_BUILD),1)
# A device has no libbpf, libelf or libyaml to load: the agent carries them. glibc's linker notes
# about getaddrinfo/dlopen in static programs concern libcrypto paths the agent never takes.
LDLIBS := -static $(LDLIBS)

# The cross compiler and the :arm64 libraries come first, installed by apt when missing.
deps: arm64-deps
$(BPF_OBJS) $(LIB_OBJS) $(OUTPUT)/obj/main.o: | arm64-deps

# The test VM's misbehaving app.
$(ARM64_VM)/leak: tests/arm64/leak.c | arm64-deps
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) -static $(CFLAGS) $(WARN) $< -o $@

# vmlinux/arm64/vmlinux.h from the BTF of Debian's arm64 kernel, booted under qemu, unless this
# host is itself arm64 (then the Makefile's own rule reads the running kernel's).
ifneq ($(HOST_ARCH),arm64)
VMLINUX_BTF := $(ARM64_VM)/vmlinux.btf
vmlinux: arm64-btf
endif
endif

arm64-deps:
	$(Q)scripts/install-cross-deps.sh

arm64-vm-deps:
	$(Q)scripts/install-cross-deps.sh --vm

arm64-btf: arm64-vm-deps
	$(call msg,VM-BTF,$(ARM64_VM)/vmlinux.btf)
	$(Q)tests/arm64/run.sh btf $(ARM64_VM)

# Boots Debian's arm64 kernel with the static agent and a leaking app in its initramfs; passes
# when the agent's confirmed alert comes back over the serial console.
test-arm64: arm64-vm-deps
	$(Q)$(MAKE) --no-print-directory ARCH=arm64 OUTPUT=$(ARM64_OUTPUT) \
		$(ARM64_OUTPUT)/idsentry $(ARM64_VM)/leak
	$(Q)timeout -k 10 $(TEST_ARM64_TIMEOUT) tests/arm64/run.sh scenario $(ARM64_VM) \
		$(ARM64_OUTPUT)/idsentry $(ARM64_VM)/leak
