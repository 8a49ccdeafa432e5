#!/bin/sh
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# `make bench-vm`: BPF program runs per iteration of the untainted mixed loop, in each hook state,
# on Debian's newer generic arm64 kernel (bookworm-backports: kprobes, BTF and the socket-layer
# tracepoints, as Android 15's GKI) booted under qemu. Wall time under emulation means nothing;
# program run counts (kernel.bpf_stats_enabled) do not depend on it.
#
#   tests/bench/vm-gate.sh VMDIR AGENT WORKLOAD   (AGENT and WORKLOAD static arm64)
# VM_TIMEOUT (seconds, default 600) bounds the boot; BENCH_VM_ITERS the loop (default 20000).
set -eu

here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
arm64=$top/tests/arm64
usage="usage: vm-gate.sh VMDIR AGENT WORKLOAD"
vm=${1:?$usage}
agent=${2:?$usage}
workload=${3:?$usage}
limit=${VM_TIMEOUT:-600}
iters=${BENCH_VM_ITERS:-20000}
mkdir -p "$vm"
cache="$vm/cache"
log="$vm/console.log"

KERNEL_SUITE=${KERNEL_SUITE:-bookworm-backports} "$arm64/fetch.sh" "$cache" arm64
"$arm64/mkinitramfs.sh" "$vm/gate.cpio.gz" "$cache/busybox" "$agent=/usr/bin/idsentry" \
	"$workload=/usr/bin/workload" "$here/policy.yaml=/etc/idsentry/bench.yaml" \
	"$here/vm-init=/init"
echo "bench-vm: booting $(cat "$cache/kernel-version") under qemu-system-aarch64" \
	"(software emulation, limit ${limit}s, $iters iterations per case)"
status=0
"$arm64/qemu.sh" "$cache/vmlinuz" "$vm/gate.cpio.gz" gate "$log" "$limit" "idsentry.iters=$iters" ||
	status=$?
if [ "$status" != 0 ] || ! grep -q '^==== VM-DONE' "$log"; then
	echo "bench-vm: the VM did not finish (status $status); console (last 40 lines):" >&2
	tail -n 40 "$log" >&2
	exit 1
fi
python3 "$here/vm_gate_report.py" "$log" "$iters"
