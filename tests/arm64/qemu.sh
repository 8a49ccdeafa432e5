#!/bin/sh
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# Boots the arm64 test VM under qemu-system-aarch64 (software emulation) with a time limit and
# writes its serial console, carriage returns removed, to LOG.
#
#   tests/arm64/qemu.sh VMLINUZ INITRD MODE LOG [SECONDS [APPEND]]
# MODE is passed as idsentry.mode= to tests/arm64/init, APPEND added to the kernel command line.
# Exit status: 0 when the VM powered off by itself, 124 when the time limit ended it, else qemu's.
set -eu

kernel=${1:?usage: qemu.sh VMLINUZ INITRD MODE LOG [SECONDS [APPEND]]}
initrd=${2:?}
mode=${3:?}
log=${4:?}
limit=${5:-600}
append=${6:-}

# -cpu max with the implementation-defined pointer-auth algorithm: the architected one (QARMA) is
# several times slower to emulate. No NIC: the scenario uses loopback (and the default virtio NIC
# needs an option ROM that qemu-system-arm only recommends).
status=0
rm -f "$log.raw"
timeout -k 5 "$limit" qemu-system-aarch64 -M virt -cpu max,pauth-impdef=on -smp 2 -m 1024 \
	-display none -monitor none -serial "file:$log.raw" -nic none -no-reboot \
	-kernel "$kernel" -initrd "$initrd" \
	-append "console=ttyAMA0 quiet loglevel=1 panic=-1 idsentry.mode=$mode${append:+ $append}" \
	</dev/null || status=$?
tr -d '\r' <"$log.raw" >"$log" 2>/dev/null || : >"$log"
rm -f "$log.raw"
exit "$status"
